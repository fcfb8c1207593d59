"""What an answer rests on: the nodes of a proof, the citations they carry, a cited answer.

These are the shapes of provenance, shared by the module that builds proofs from the evaluator's
record (`proofs`), the one that says why an exception is absent (`absence`) and every report.
A citation keeps the authority of the rule it comes from (statute, regulation, or the analyst's
interpretation), so nothing downstream has to guess it from the label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .core import Rule
from .knowledge_base import Answer
from .values import Value

GIVEN, FACT, RULE, ABSENT, TEST = "given", "fact", "rule", "absent", "comparison"
_RANK = {"statute": 0, "regulation": 1}  # then the analyst's interpretations


class Citation(str):
    """A provision's citation (or an interpretation's name) that an answer rests on. It is written
    and compared as its label, and keeps the authority of the rule it came from."""

    authority: str  # statute | regulation | interpretation

    def __new__(cls, label: str, authority: str) -> "Citation":
        made = super().__new__(cls, label)
        made.authority = authority
        return made

    def __getnewargs__(self) -> tuple[str, str]:
        return str(self), self.authority

    @property
    def shown(self) -> str:
        """As a report shows it: an interpretation is marked as one (it is not law)."""
        return f"{self} (interpretation)" if self.authority == "interpretation" else str(self)


def by_label(citations) -> tuple[Citation, ...]:
    """Citations in a table's order: statute, regulation, then interpretations, each by label
    (numbers in their natural order)."""
    return tuple(sorted(dict.fromkeys(citations), key=lambda c: (_RANK.get(c.authority, 2), _natural(c))))


def _natural(text: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


@dataclass(frozen=True)
class Proof:
    """One node of a derivation."""

    kind: str  # given | fact (stated by a provision) | rule | absent (negation) | comparison
    predicate: str  # for a comparison: its text with values substituted
    values: tuple[Value | None, ...]  # None: any value (an anonymous variable in a negation)
    rule: Rule | None = None
    bindings: tuple[tuple[str, Value], ...] = ()
    premises: tuple["Proof", ...] = ()
    alternatives: int = field(default=0, compare=False)

    @property
    def size(self) -> int:
        return 1 + sum(p.size for p in self.premises)

    def rules(self) -> list[Rule]:
        """The rules used, in the order a reader meets them (each once)."""
        found: dict[str, Rule] = {}
        stack = [self]
        while stack:
            node = stack.pop()
            if node.rule is not None:
                found.setdefault(node.rule.id, node.rule)
            stack.extend(reversed(node.premises))
        return list(found.values())

    def citations(self) -> list[Citation]:
        """Citations of the provisions whose rules took part: statute, then regulation, then the
        analyst's interpretations, each in the order a reader meets them."""
        used = sorted(enumerate(self.rules()), key=lambda ir: (_RANK.get(ir[1].authority.kind, 2), ir[0]))
        return list(dict.fromkeys(Citation(r.authority.citation, r.authority.kind) for _, r in used
                                  if r.authority.citation))


@dataclass(frozen=True)
class CitedAnswer:
    """An answer with its proof and the citations of that proof: what every report, snapshot and
    regression case is made of."""

    answer: Answer
    proof: Proof | None
    citations: tuple[Citation, ...]
