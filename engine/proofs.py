"""Rebuild the derivation of an answer from the rule-instance predicates.

pyDatalog has no proof output. The compiler gave every rule an instance predicate whose tuples
are the rule's firings with their bindings; a proof of `p(v)` is one firing of a rule for `p`
whose head matches `v`, with a proof of each positive premise, down to given facts or facts
stated by a provision. Negated premises are recorded as absent (closed world); an absent
exception carries the rule that states it, since checking it was part of the derivation. Among several
derivations the smallest is kept and the others are counted; a premise already being proved
higher up (a cycle through recursion) is not a valid derivation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .compiler import CompiledRule
from .knowledge_base import Answer, KnowledgeBase
from .names import is_generated
from .syntax import Atom, Comparison, Const, Negation, Rule, Var
from .values import Value, sort_key

GIVEN, FACT, RULE, ABSENT, TEST = "given", "fact", "rule", "absent", "comparison"


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

    def citations(self) -> list[str]:
        """Citations of the provisions whose rules took part: statute, then regulation, then the
        analyst's interpretations, each in the order a reader meets them."""
        rank = {"statute": 0, "regulation": 1}
        used = sorted(enumerate(self.rules()), key=lambda ir: (rank.get(ir[1].authority.kind, 2), ir[0]))
        return list(dict.fromkeys(r.authority.citation for _, r in used if r.authority.citation))


class Prover:
    """Builds proofs over one knowledge base, remembering what it has proved."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self._memo: dict[tuple[str, tuple], Proof | None] = {}

    def prove(self, predicate: str, values: tuple) -> Proof | None:
        with self.kb.bound():
            return self._prove(predicate, tuple(values), frozenset())[0]

    def cited(self, query: str | Atom) -> list[tuple[Answer, list[str]]]:
        """Every answer of a query with the citations of its proof, as `citelog query` shows them."""
        answers = []
        for answer in self.kb.query(query):
            proof = self.prove(answer.predicate, answer.values)
            answers.append((answer, proof.citations() if proof else []))
        return answers

    def _prove(self, predicate: str, values: tuple, visiting: frozenset) -> tuple[Proof | None, bool]:
        """The smallest proof, and whether a cycle was cut while looking (then it is not kept)."""
        key = (predicate, values)
        if key in self._memo:
            return self._memo[key], False
        if key in visiting:
            return None, True
        candidates: list[Proof] = []
        if self.kb.is_given(predicate, values):
            candidates.append(Proof(GIVEN, predicate, values))
        candidates += [Proof(FACT, predicate, values, rule) for rule in self.kb.kb_fact_rules(predicate, values)]
        cut = False
        for compiled in self.kb.compiled_rules(predicate):
            for bindings in self._firings(compiled, values):
                premises, was_cut = self._premises(compiled, bindings, visiting | {key})
                cut |= was_cut
                if premises is not None:
                    shown = tuple((n, bindings[n]) for n in compiled.variables if not is_generated(n))
                    candidates.append(Proof(RULE, predicate, values, compiled.rule, shown, premises))
        best = None
        if candidates:
            best = min(enumerate(candidates), key=lambda ic: (ic[1].size, ic[0]))[1]
            best = Proof(**{**best.__dict__, "alternatives": len(candidates) - 1})
        if not cut:
            self._memo[key] = best
        return best, cut

    def _firings(self, compiled: CompiledRule, values: tuple) -> list[dict[str, Value]]:
        """The bindings of every firing of a rule whose head matches the values."""
        fixed: dict[str, Value] = {}
        for arg, value in zip(compiled.head.args, values):
            if isinstance(arg, Const):
                if arg.value != value:
                    return []
            elif fixed.setdefault(arg.name, value) != value:
                return []
        args = [Const(fixed[v]) if v in fixed else Var(v) for v in compiled.variables]
        rows = self.kb.ask(compiled.instance, args)
        rows.sort(key=lambda row: tuple(sort_key(v) for v in row))
        return [dict(zip(compiled.variables, row)) for row in rows]

    def _premises(self, compiled: CompiledRule, bindings: dict, visiting: frozenset):
        premises: list[Proof] = []
        cut = False
        for literal in compiled.written:
            if isinstance(literal, Atom):
                values = tuple(_value(a, bindings) for a in literal.args)
                proof, was_cut = self._prove(literal.predicate, values, visiting)
                cut |= was_cut
                if proof is None:
                    return None, cut
                premises.append(proof)
            elif isinstance(literal, Negation):
                values = tuple(_value(a, bindings) for a in literal.atom.args)
                premises.append(Proof(ABSENT, literal.atom.predicate, values, self._exception_rule(literal.atom),
                                      premises=self._why_absent(literal.atom, values, visiting)))
            elif isinstance(literal, Comparison) and not _generated(literal):
                premises.append(Proof(TEST, _substitute(literal, bindings), ()))
        return tuple(premises), cut


    def _why_absent(self, atom: Atom, values: tuple, visiting: frozenset) -> tuple[Proof, ...]:
        """For `not exception:...`, why the exception is absent (citelog.absence): part of the proof."""
        if not is_generated(atom.predicate):
            return ()
        from .absence import why_absent  # it builds the nodes of this module

        return why_absent(self.kb, atom.predicate, values, lambda p, v: self._prove(p, v, visiting)[0])

    def _exception_rule(self, atom: Atom) -> Rule | None:
        """For `not exception:...`, the rule that states the exception: it was checked, so it is cited."""
        if not is_generated(atom.predicate):
            return None
        return next((c.rule for c in self.kb.compiled_rules(atom.predicate)), None)


def _value(term, bindings: dict) -> Value | None:
    if isinstance(term, Const):
        return term.value
    return bindings.get(term.name)


def _generated(comparison: Comparison) -> bool:
    """Assignments the compiler added for expressions in heads and atoms are not the user's."""
    return isinstance(comparison.left, Var) and is_generated(comparison.left.name)


def _substitute(comparison: Comparison, bindings: dict) -> str:
    def show(term) -> str:
        if isinstance(term, Var) and term.name in bindings:
            return f"{term.name}={Const(bindings[term.name])}"
        return str(term)

    return f"{show(comparison.left)} {comparison.op} {show(comparison.right)}"
