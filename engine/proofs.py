"""Proofs of answers, read from the derivations the evaluator recorded.

pyDatalog has no proof output. The evaluator records, for each fact it derives, the firing that
first derived it: the rule and its bindings (`evaluator.py`). A proof of `p(v)` is that firing,
with a proof of each positive premise, down to given facts or facts stated by a provision; the
premises were derived before the fact, so a proof never runs through itself, and it is built
without re-deriving anything. Negated premises are recorded as absent (closed world); an absent
exception carries the rule that states it, since checking it was part of the derivation. A full
proof also counts the other derivations of each step (`alternatives`): the other firings whose
premises' proofs do not use the step itself.
"""

from __future__ import annotations

from .absence import why_absent
from .compiler import CompiledRule, generated_assignment
from .core import Atom, Comparison, Const, Negation, Rule, Var
from .knowledge_base import Answer, KnowledgeBase
from .names import is_generated
from .provenance import ABSENT, FACT, GIVEN, RULE, TEST, CitedAnswer, Proof
from .values import Value


class Prover:
    """Builds proofs over one knowledge base, remembering what it has proved."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self._memo: dict[bool, dict[tuple[str, tuple], Proof]] = {True: {}, False: {}}
        self._absent: dict[tuple, tuple[Proof, ...]] = {}  # why an exception is absent, once each
        self._shown_counts: dict[int, int] = {}

    def prove(self, predicate: str, values: tuple, counting: bool = True) -> Proof | None:
        """The recorded proof of a fact, each step with its count of other derivations; None
        if the fact does not hold. Counting searches every firing of every step: a caller that
        only cites the proof passes counting=False."""
        values = tuple(values)
        with self.kb.bound():
            if not self.kb.holds(predicate, values):
                return None
            return self._build((predicate, values), counting)

    def cite(self, answer: Answer, counting: bool = False) -> CitedAnswer:
        """An answer with its proof and citations (counting: see `prove`)."""
        proof = self.prove(answer.predicate, answer.values, counting)
        return CitedAnswer(answer, proof, tuple(proof.citations()) if proof else ())

    def cited(self, query: str | Atom, counting: bool = False) -> list[CitedAnswer]:
        """Every answer of a query, cited (counting: see `prove`)."""
        with self.kb.bound():
            return [self.cite(answer, counting) for answer in self.kb.query(query)]

    def _build(self, root: tuple[str, tuple], counting: bool) -> Proof:
        """Depth first without recursion: a proof through a long chain is as deep as the chain."""
        memo = self._memo[counting]
        opened: dict[tuple, tuple] = {}  # a step whose premises are being proved: its firing and their facts
        stack = [root]
        while stack:
            key = stack[-1]
            if key in memo:
                stack.pop()
                continue
            if key in opened:
                firing, facts = opened.pop(key)
            else:
                firing = self._firing(key)
                facts = firing[0].premise_facts(firing[1]) if firing else []
                pending = [p for p in facts if p not in memo]
                if pending:
                    opened[key] = firing, facts
                    stack.extend(pending)
                    continue
            stack.pop()
            memo[key] = self._node(key, firing, [memo[p] for p in facts], counting)
        return memo[root]

    def _firing(self, key: tuple[str, tuple]) -> tuple[CompiledRule, tuple] | None:
        """The recorded firing that derived a fact; None for a given or stated fact."""
        if self.kb.is_given(*key):
            return None
        derivation = self.kb.derivation(*key)
        return (self.kb.compiled_rule(derivation[0]), derivation[1]) if derivation else None

    def _node(self, key, firing, proved: list[Proof], counting: bool) -> Proof:
        """A step of a proof, given the proofs of its firing's positive premises (in written order)."""
        predicate, values = key
        alternatives = self._sources(key) - 1 if counting else 0
        if firing is None:
            if self.kb.is_given(predicate, values):
                return Proof(GIVEN, predicate, values, alternatives=alternatives)
            return Proof(FACT, predicate, values, self.kb.kb_fact_rules(predicate, values)[0],
                         alternatives=alternatives)
        compiled, row = firing
        bindings = dict(zip(compiled.variables, row))
        premises: list[Proof] = []
        atoms = iter(proved)
        for literal in compiled.written:
            if isinstance(literal, Atom):
                premises.append(next(atoms))
            elif isinstance(literal, Negation):
                absent = tuple(_value(a, bindings) for a in literal.atom.args)
                premises.append(Proof(ABSENT, literal.atom.predicate, absent, self._exception_rule(literal.atom),
                                      premises=self._why_absent(literal.atom, absent, counting)))
            elif isinstance(literal, Comparison) and not generated_assignment(literal):
                premises.append(Proof(TEST, _substitute(literal, bindings), ()))
        shown = tuple(zip(compiled.variables[:self._shown(compiled)], row))
        return Proof(RULE, predicate, values, compiled.rule, shown, tuple(premises), alternatives)

    def _shown(self, compiled: CompiledRule) -> int:
        """How many of a firing's variables a proof shows: the rule's own, which come first."""
        count = self._shown_counts.get(compiled.number)
        if count is None:
            count = self._shown_counts[compiled.number] = sum(1 for n in compiled.variables if not is_generated(n))
        return count

    def _sources(self, key: tuple[str, tuple]) -> int:
        """How many ways a fact holds: given, stated by each provision, and each firing of a rule
        whose premises do not need the fact itself."""
        predicate, values = key
        count = int(self.kb.is_given(predicate, values)) + len(self.kb.kb_fact_rules(predicate, values))
        for compiled in self.kb.compiled_rules(predicate):
            fixed = compiled.head_bindings(values)
            if fixed is None:
                continue
            for row in self.kb.firings(compiled, fixed):
                if compiled.head_values(row) == values and not self._uses(compiled.premise_facts(row), key):
                    count += 1
        return count

    def _uses(self, premises, target: tuple[str, tuple]) -> bool:
        """Whether the recorded proofs of these premises use the target fact. A recorded proof
        holds only facts derived at earlier steps, so a premise older than the target is not
        searched."""
        step = self._step(target)
        seen: set = set()
        stack = list(premises)
        while stack:
            key = stack.pop()
            if key == target:
                return True
            if key in seen or self._step(key) < step:
                continue
            seen.add(key)
            firing = self._firing(key)
            if firing:
                stack.extend(firing[0].premise_facts(firing[1]))
        return False

    def _step(self, key: tuple[str, tuple]) -> int:
        derivation = None if self.kb.is_given(*key) else self.kb.derivation(*key)
        return derivation[2] if derivation else 0

    def _why_absent(self, atom: Atom, values: tuple, counting: bool) -> tuple[Proof, ...]:
        """For `not exception:...`, why the exception is absent (citelog.absence): part of the proof.
        What blocks an exception lies in a lower stratum, so its proof never runs through this one."""
        if not is_generated(atom.predicate):
            return ()
        key = (atom.predicate, values, counting)
        if key not in self._absent:
            self._absent[key] = why_absent(self.kb, atom.predicate, values,
                                           lambda p, v: self._build((p, tuple(v)), counting))
        return self._absent[key]

    def _exception_rule(self, atom: Atom) -> Rule | None:
        """For `not exception:...`, the rule that states the exception: it was checked, so it is cited."""
        if not is_generated(atom.predicate):
            return None
        return next((c.rule for c in self.kb.compiled_rules(atom.predicate)), None)


def _value(term, bindings: dict) -> Value | None:
    if isinstance(term, Const):
        return term.value
    return bindings.get(term.name)


def _substitute(comparison: Comparison, bindings: dict) -> str:
    def show(term) -> str:
        if isinstance(term, Var) and term.name in bindings:
            return f"{term.name}={Const(bindings[term.name])}"
        return str(term)

    return f"{show(comparison.left)} {comparison.op} {show(comparison.right)}"
