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
from .errors import QueryError
from .wording import ordinal
from .knowledge_base import KnowledgeBase
from .proofs import Prover

HEADLINE = "must_keep(Who, What, Amount, Unit, Trigger, Bound)"
DISPLACED = "displaced_period(Who, What, Amount, Unit, Trigger, Bound)"


@dataclass(frozen=True)
class RetentionRow:
    who: str
    what: str
    amount: int
    unit: str
    trigger: str
    bound: str
    citations: tuple[str, ...]
    conflicts: tuple[int, ...] = ()  # indexes of the rows this one conflicts with
    displaced_by: tuple[Prevailing, ...] = ()  # for a period that does not apply: what prevails over it

    @property
    def period(self) -> str:
        """The period as a lawyer writes it: 'at least 5 years', 'until the 3rd anniversary'."""
        if self.unit == "anniversary":
            return f"until the {ordinal(self.amount)} anniversary"
        if self.unit == "prescribed":
            return f"as prescribed by the {self.trigger.replace('_', ' ')}"
        unit = self.unit.replace("_", " ")
        if self.amount == 1:
            unit = unit.rstrip("s")
        bound = {"at_least": "at least ", "at_most": "at most ", "exactly": ""}.get(self.bound, f"{self.bound} ")
        return f"{bound}{self.amount} {unit}"

    @property
    def starts(self) -> str:
        return "" if self.unit == "prescribed" else self.trigger.replace("_", " ")

    def to_json(self, rows: list["RetentionRow"]) -> dict:
        return {
            "who": self.who,
            "what": self.what,
            "period": self.period,
            "amount": self.amount,
            "unit": self.unit,
            "trigger": self.trigger,
            "bound": self.bound,
            "citations": list(self.citations),
            "conflicts_with": [
                {"period": rows[i].period, "trigger": rows[i].trigger, "citations": list(rows[i].citations)}
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
    prover = Prover(kb)
    rows = [RetentionRow(*answer.values, tuple(citations)) for answer, citations in prover.cited(HEADLINE)]
    if kb.arities.get("displaced_period") == 6:
        for answer in kb.query(DISPLACED):
            proof = prover.prove(answer.predicate, answer.values)
            rows.append(RetentionRow(*answer.values, tuple(proof.citations()) if proof else (),
                                     displaced_by=prevailing(kb, proof)))
        rows.sort(key=lambda r: (r.who, r.what, bool(r.displaced_by)))
    groups: dict[tuple[str, str], list[int]] = {}
    for index, row in enumerate(rows):
        if not row.displaced_by:  # a displaced period does not apply: it conflicts with nothing
            groups.setdefault((row.who, row.what), []).append(index)
    return [
        RetentionRow(**{**row.__dict__, "conflicts": tuple(
            i for i in groups.get((row.who, row.what), ()) if i != index and not row.displaced_by
            and _conflict(row, rows[i])
        )})
        for index, row in enumerate(rows)
    ]


_LIMIT = {"at_least": "minimum", "until": "minimum", "at_most": "maximum", "exactly": "exact"}


def _conflict(one: RetentionRow, other: RetentionRow) -> bool:
    """Whether two periods for the same records can pull apart (see the module's docstring)."""
    kinds = {_LIMIT.get(one.bound), _LIMIT.get(other.bound)}
    if None in kinds:  # as prescribed
        return False
    return kinds == {"minimum", "maximum"} or "exact" in kinds
