"""The headline question: who must keep what, for how long?

The KB answers it through its predicate `must_keep(Class, Records, Amount, Unit, Trigger, Bound)`
(the contract between the bundled KB and this module, checked when the KB is loaded). Each answer
becomes a row with a readable period and the citations of its derivation.

Two periods for the same class and records conflict when one may end before the other requires:
a minimum (at least, until an anniversary) against a maximum (at most), or an exact period
against any other. Two minima or two maxima only combine (the stricter governs), and a period left to the
Secretary ("as prescribed") is bounded by the others rather than opposed to them. Each
conflicting row names the others: the law is shown as it is, not silently resolved.

Where the KB states which provision prevails (a superiority of its defeasible rules), the period
that gives way is a row of its own, marked as displaced, with the provision that prevails and
why (the KB's predicate `displaced_period`, of the same shape as `must_keep`, read if it has it).
"""

from __future__ import annotations

from dataclasses import dataclass

from .conflicts import Prevailing, prevailing
from .dates import Period
from .errors import QueryError
from .knowledge_base import Answer, KnowledgeBase
from .proofs import Prover
from .provenance import Citation
from .wording import Wording

HEADLINE = "must_keep(Who, What, Amount, Unit, Trigger, Bound)"
DISPLACED = "displaced_period(Who, What, Amount, Unit, Trigger, Bound)"


@dataclass(frozen=True)
class RetentionRow:
    who: str
    what: str
    period: Period
    citations: tuple[Citation, ...]
    how_long: str  # as a lawyer writes it: 'at least 5 years', 'until the 3rd anniversary'
    starts: str  # what it runs from, in the law's words ('' for a period the Secretary prescribes)
    source: Answer  # the KB's answer the row comes from (what Explain explains for it)
    conflicts: tuple[int, ...] = ()  # indexes of the rows this one conflicts with
    displaced_by: tuple[Prevailing, ...] = ()  # for a period that does not apply: what prevails over it

    def to_json(self, rows: list["RetentionRow"]) -> dict:
        return {
            "who": self.who,
            "what": self.what,
            "period": self.how_long,
            "amount": self.period.amount,
            "unit": self.period.unit,
            "trigger": self.period.trigger,
            "bound": self.period.bound,
            "citations": list(self.citations),
            "conflicts_with": [
                {"period": rows[i].how_long, "trigger": rows[i].period.trigger, "citations": list(rows[i].citations)}
                for i in self.conflicts
            ],
            "displaced_by": [p.to_json() for p in self.displaced_by],
        }


def retention_rows(kb: KnowledgeBase) -> list[RetentionRow]:
    """One row per (class, records, period, trigger, bound), sorted, with conflicts marked."""
    if kb.arities.get("must_keep") != 6:
        raise QueryError(
            "this KB does not define must_keep(Class, Records, Amount, Unit, Trigger, Bound), "
            "which the headline query asks",
            code="unknown-predicate",
        )
    words = Wording.of(kb.program)
    prover = Prover(kb)

    def row(answer, citations, displaced_by=()) -> RetentionRow:
        who, what, *period = answer.values
        return RetentionRow(who, what, Period(*period), tuple(citations), words.how_long(*period),
                            words.starts(period[1], period[2]), answer, displaced_by=displaced_by)

    rows = [row(one.answer, one.citations) for one in prover.cited(HEADLINE)]
    if kb.arities.get("displaced_period") == 6:
        for one in prover.cited(DISPLACED):
            rows.append(row(one.answer, one.citations, prevailing(kb, one.proof)))
        rows.sort(key=lambda r: (r.who, r.what, bool(r.displaced_by)))
    groups: dict[tuple[str, str], list[int]] = {}
    for index, one in enumerate(rows):
        if not one.displaced_by:  # a displaced period does not apply: it conflicts with nothing
            groups.setdefault((one.who, one.what), []).append(index)
    return [
        RetentionRow(**{**one.__dict__, "conflicts": tuple(
            i for i in groups.get((one.who, one.what), ()) if i != index and not one.displaced_by
            and one.period.conflicts_with(rows[i].period)
        )})
        for index, one in enumerate(rows)
    ]
