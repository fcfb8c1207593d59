"""Conflicts between rules, as a report shows them: which provision prevailed in an answer, and why;
and the conflicts that no superiority resolves.

In a defeasible theory two applicable rules may conclude `p(a)` and `¬p(a)` with neither stated to
prevail. Defeasible logic then concludes neither (ambiguity blocking): the answer is silent, and a
reader would never learn that two provisions clash. `unresolved` finds such conclusions, so that a
report can flag them with both sides' citations, as period conflicts are flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

from .core import DEFEATER, NEG, Const, Rule, Var, opposite
from .defeasible import APPLIES, generated
from .knowledge_base import KnowledgeBase
from .provenance import RULE, Proof
from .values import Value, sort_key


@dataclass(frozen=True)
class Unresolved:
    """A literal that applicable rules both conclude and deny, with no superiority between them."""

    predicate: str  # p (the positive form)
    values: tuple[Value, ...]
    for_: tuple[Rule, ...]  # the applicable rules that conclude p(values)
    against: tuple[Rule, ...]  # those that conclude ¬p(values)

    @property
    def citations(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.authority.citation for r in self.for_ + self.against))


@dataclass(frozen=True)
class Prevailing:
    """In an answer's proof: the provision of one rule prevailed over the provision of another."""

    superior: str  # the citation of the rule that prevailed
    inferior: str  # of the rule it overrode
    because: str  # the reason, in words
    stated_by: str  # the provision or interpretation that states the superiority

    def to_json(self) -> dict:
        return {"prevails": self.superior, "over": self.inferior, "because": self.because,
                "stated_by": self.stated_by}


def prevailing(kb: KnowledgeBase, proof: Proof | None) -> tuple[Prevailing, ...]:
    """The superiorities an answer's proof applies, in the order a reader meets them."""
    found: dict[Prevailing, None] = {}
    stack = [proof] if proof is not None else []
    while stack:
        node = stack.pop()
        override = kb.program.theory.applied(node.predicate, node.rule.id, node.premises[0].predicate) if (
            node.kind == RULE and node.premises) else None
        if override is not None:
            found.setdefault(Prevailing(override.superior.authority.citation, override.inferior.authority.citation,
                                        override.because, override.authority.citation))
        stack.extend(reversed(node.premises))
    return tuple(found)


def unresolved(kb: KnowledgeBase) -> list[Unresolved]:
    """Every conclusion blocked by an unresolved conflict, sorted."""
    theory = kb.program.theory
    found = []
    with kb.bound():
        for predicate in sorted(p for p in theory.rules if not p.startswith(NEG)):
            sides = [_applying(kb, theory.rules.get(literal, [])) for literal in (predicate, opposite(predicate))]
            for values in sorted(set(sides[0]) & set(sides[1]), key=lambda vs: tuple(sort_key(v) for v in vs)):
                if not (_holds(kb, predicate, values) or _holds(kb, opposite(predicate), values)):
                    found.append(Unresolved(predicate, values, tuple(sides[0][values]), tuple(sides[1][values])))
    return found


def _applying(kb: KnowledgeBase, rules: list[Rule]) -> dict[tuple, list[Rule]]:
    """The instances of a literal that some (non-defeater) rule with an opponent applies to."""
    found: dict[tuple, list[Rule]] = {}
    for rule in rules:
        name = generated(APPLIES, rule.id)
        if rule.strength == DEFEATER or name not in kb.arities:
            continue
        for row in kb.ask(name, [Var(f"X{i}") for i in range(len(rule.head.args))]):
            found.setdefault(tuple(row), []).append(rule)
    return found


def _holds(kb: KnowledgeBase, predicate: str, values: tuple) -> bool:
    return predicate in kb.arities and bool(kb.ask(predicate, [Const(v) for v in values]))
