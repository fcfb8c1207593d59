"""The headline question: who must keep what, for how long?

The KB answers it through its predicate `must_keep(Class, Records, Amount, Unit, Trigger, Bound)`
(the contract between the bundled KB and this module, checked when the KB is loaded). Each answer
becomes a row with a readable period and the citations of its derivation.

Two periods for the same class and records conflict when one may end before the other requires:
a minimum (at least, until an anniversary) against a maximum (at most), or an exact period
against any other. Two minima or two maxima only combine (the stricter governs), and a period left to the
Secretary ("as prescribed") is bounded by the others rather than opposed to them. Each
conflicting row names the others: the law is shown as it is, not silently resolved.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import QueryError
from .knowledge_base import KnowledgeBase
from .proofs import Prover
from .wording import Wording

HEADLINE = "must_keep(Who, What, Amount, Unit, Trigger, Bound)"


@dataclass(frozen=True)
class RetentionRow:
    who: str
    what: str
    amount: int
    unit: str
    trigger: str
    bound: str
    citations: tuple[str, ...]
    period: str  # how long, as a lawyer writes it: 'at least 5 years', 'until the 3rd anniversary'
    starts: str  # what it runs from, in the law's words ('' for a period the Secretary prescribes)
    conflicts: tuple[int, ...] = ()  # indexes of the rows this one conflicts with

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
    rows = [RetentionRow(*answer.values, tuple(citations), words.how_long(*answer.values[2:]),
                         words.starts(answer.values[3], answer.values[4]))
            for answer, citations in Prover(kb).cited(HEADLINE)]
    groups: dict[tuple[str, str], list[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault((row.who, row.what), []).append(index)
    return [
        RetentionRow(**{**row.__dict__, "conflicts": tuple(
            i for i in groups[(row.who, row.what)] if i != index and _conflict(row, rows[i])
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
