"""Why an absent exception is absent.

A proof records a negated condition as absent. When the condition is a generated predicate (the
exception of another provision, an `unless` clause, a rule for the opposite conclusion in a
defeasible theory), its absence is itself a finding of law: the answer survives the exception
because a condition of the exception is false, or because an exception to the exception holds
(1508(d)(1) or (d)(2) lifting the bar of 1508(d); a superior provision overriding a defeasible
rule). `why_absent` says which: for each rule of the generated predicate, the first condition that
fails under each way of matching it, as proof nodes whose citations join the answer's.

`walk` evaluates a rule's conditions in order and is shared with why-not (citelog.explanations).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from . import compiler
from .compiler import CompiledRule
from .core import Atom, BinOp, Comparison, Const, Literal, Negation, Rule, Var
from .knowledge_base import KnowledgeBase
from .names import is_generated
from .provenance import ABSENT, TEST, Proof
from .values import sort_key

MAX_ROWS = 10_000  # partial matches kept per condition: a why, not a second evaluation


class Unevaluable(Exception):
    """A comparison that cannot be evaluated (values of different types)."""

    def __init__(self, literal: Comparison, message: str):
        super().__init__(message)
        self.literal, self.message = literal, message


def walk(kb: KnowledgeBase, compiled: CompiledRule, start: dict) -> Iterator[tuple[Literal, list[dict], list[dict]]]:
    """Each condition of a rule in evaluation order, with the bindings that reach it and those that
    fail it; stops after the condition that no binding passes. Raises Unevaluable for a comparison
    that cannot be evaluated."""
    partial = [start]
    for literal in compiled.written:
        if isinstance(literal, Atom):
            passed, failed = [], []
            for bindings in partial:
                rows = _rows(kb, literal, bindings)
                if not rows:
                    failed.append(bindings)
                passed += [{**bindings, **{a.name: v for a, v in zip(literal.args, row) if isinstance(a, Var)}}
                           for row in rows[:max(0, MAX_ROWS - len(passed))]]
        elif isinstance(literal, Negation):
            passed = [b for b in partial if not _rows(kb, literal.atom, b)]
            failed = [b for b in partial if b not in passed]
        elif isinstance(literal, Comparison):
            try:
                if assigns(literal, partial[0]):  # `D = Received + 15`: binds D, cannot fail
                    target = literal.left.name
                    passed, failed = [{**b, target: compiler.evaluate_term(literal.right, b)} for b in partial], []
                else:
                    passed = [b for b in partial if compiler.holds(literal, b)]
                    failed = [b for b in partial if b not in passed]
            except (TypeError, KeyError) as error:
                raise Unevaluable(literal, str(error)) from None
        else:  # pragma: no cover - the compiler writes no other literal
            continue
        yield literal, partial, failed
        if not passed:
            return
        partial = passed


def why_absent(kb: KnowledgeBase, predicate: str, values: tuple,
               prove: Callable[[str, tuple], Proof | None]) -> tuple[Proof, ...]:
    """Why `predicate(values)` does not hold: the reason each of its rules fails, in order. `prove`
    proves what blocks a rule (a condition it negates). Where the predicate has several rules, a
    missing condition names the rule it belongs to (one rule is named by the absent node itself)."""
    rules = kb.compiled_rules(predicate)
    reasons: dict[tuple, Proof] = {}
    for compiled in rules:
        start = compiled.head_bindings(values)
        if start is None:
            continue
        try:
            for literal, _, failed in walk(kb, compiled, start):
                for bindings in failed:
                    reason = _reason(kb, compiled.rule if len(rules) > 1 else None, literal, bindings, prove)
                    if reason is not None:
                        reasons.setdefault((reason.kind, reason.predicate, reason.values), reason)
        except Unevaluable:  # a condition that cannot be evaluated says nothing of why
            pass
    return tuple(reasons.values())


def _reason(kb, rule: Rule | None, literal: Literal, bindings: dict, prove) -> Proof | None:
    if isinstance(literal, Atom):
        grounded = tuple(bound_value(a, bindings) for a in literal.args)
        deeper = why_absent(kb, literal.predicate, grounded, prove) if is_generated(literal.predicate) else ()
        return Proof(ABSENT, literal.predicate, grounded, rule, premises=deeper)
    if isinstance(literal, Negation):
        rows = _rows(kb, literal.atom, bindings)
        return prove(literal.atom.predicate, rows[0]) if rows else None
    return Proof(TEST, f"not ({substituted(literal, bindings)})", ())


def _rows(kb: KnowledgeBase, atom: Atom, bindings: dict) -> list[tuple]:
    rows = kb.ask(atom.predicate, [bind(a, bindings) for a in atom.args])
    return sorted(set(rows), key=lambda row: tuple(sort_key(v) for v in row))


def bind(term, bindings: dict):
    """A term with the bound variables replaced by their values."""
    if isinstance(term, Var) and term.name in bindings:
        return Const(bindings[term.name])
    if isinstance(term, BinOp):  # so that a failing test shows `(2024-01-02 + 15)`, not `(Received + 15)`
        return BinOp(term.op, bind(term.left, bindings), bind(term.right, bindings), term.position)
    return term


def bound_value(term, bindings: dict):
    """The value of a term under bindings; None for a variable left unbound (any value)."""
    bound = bind(term, bindings)
    return bound.value if isinstance(bound, Const) else None


def assigns(comparison: Comparison, bindings: dict) -> bool:
    """Whether a comparison is an assignment to a variable not bound yet (the compiler puts the
    target on the left)."""
    return comparison.op == "==" and isinstance(comparison.left, Var) and comparison.left.name not in bindings


def substituted(comparison: Comparison, bindings: dict) -> str:
    return str(Comparison(comparison.op, bind(comparison.left, bindings), bind(comparison.right, bindings)))
