"""Compile core rules into pyDatalog clauses, built through its engine API (never from text).

Two things pyDatalog needs that a rule file does not promise:
- body order: pyDatalog evaluates left to right and fails on a negation or comparison whose
  variables are not bound yet, so each positive atom is followed by the comparisons and
  negations it makes evaluable;
- provenance: every rule `h :- body` is split into `rule:N(V1..Vk) :- body` and `h :- rule:N(...)`,
  where V1..Vk are the variables the body binds. The instance predicate keeps the rule's id in
  the program and records the bindings of each firing, from which proofs are rebuilt;
- termination: pyDatalog loops forever when its subgoals wait on each other in a cycle of three
  or more (mutual recursion, or a right-recursive rule over a cyclic graph: measured here, even
  on an empty database), so recursive calls go through a hub (see `Hub`).

Arithmetic goes through typed operators (never pyDatalog's own `%`, which it turns into
`str.format` on strings); errors are collected and raised after evaluation.
"""

from __future__ import annotations

import operator
import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from pyDatalog import pyEngine

from .checks import bound_variables, dependency_components
from . import limits, names
from .names import INTERNAL
from .errors import Position
from .syntax import NOWHERE, Atom, BinOp, Comparison, Const, Literal, Negation, Rule, Term, Var, variables
from .values import Date, Money, type_name



@dataclass(frozen=True)
class Hub:
    """The one predicate that evaluates a recursive component (predicates defined in terms of
    each other).

    Inside the component every call is an open call to the hub (all arguments fresh, matched
    afterwards by equalities), so pyDatalog's subgoals form only cycles of two, hub and rule
    instance, which it completes. A lone self-recursive predicate is its own hub. The members of
    a larger component share a generated hub whose first argument names the member, padded to
    the widest member; their facts are stored there, and each member reads it through a bridge.
    """

    name: str
    tag: str | None = None
    width: int = 0

    def atom(self, args: tuple[Term, ...], position: Position = NOWHERE) -> Atom:
        if self.tag is not None:
            args = (Const(self.tag),) + args + (Const(""),) * (self.width - len(args))
        return Atom(self.name, args, position)

    def row(self, values: tuple) -> tuple:
        """A member's fact as stored in the hub."""
        return tuple(a.value for a in self.atom(tuple(Const(v) for v in values)).args)


def recursive_hubs(rules: list[Rule]) -> dict[str, Hub]:
    """The hub of every predicate that is defined recursively."""
    component = dependency_components(rules)
    members: dict[int, set[str]] = defaultdict(set)
    for name, number in component.items():
        members[number].add(name)
    arity = {rule.head.predicate: len(rule.head.args) for rule in rules}
    self_recursive = {
        rule.head.predicate for rule in rules
        if any(isinstance(lit, Atom) and lit.predicate == rule.head.predicate for lit in rule.body)
    }
    hubs: dict[str, Hub] = {}
    for number, group in sorted(members.items()):
        if len(group) > 1:
            name, width = f"recursion{INTERNAL}{number}", max(arity.get(p, 0) for p in group)
            hubs.update({p: Hub(name, p, width) for p in group})
        elif group <= self_recursive:
            (p,) = group
            hubs[p] = Hub(p)
    return hubs


@dataclass(frozen=True)
class CompiledRule:
    """A rule as loaded into pyDatalog: its instance predicate and its evaluation order."""

    rule: Rule
    instance: str  # name of the rule-instance predicate
    variables: tuple[str, ...]  # the instance predicate's arguments
    head: Atom  # head over plain variables and constants
    body: tuple[Literal, ...]  # body in pyDatalog's evaluation order, recursive calls via hubs
    written: tuple[Literal, ...]  # body in written order, made evaluable: premises, why-not
    derives: Atom  # what the instance derives: the head, or its row in the hub


def compile_rule(rule: Rule, index: int, hubs: Mapping[str, Hub] | None = None) -> CompiledRule:
    """Order the body, move head expressions into it and name anonymous variables apart.

    `hubs` (from `recursive_hubs`) routes the calls of a recursive rule to its component's hub.
    """
    hubs = hubs or {}
    fresh = iter(range(1_000_000))
    body: tuple[Literal, ...] = ()
    for literal in rule.body:
        literal, assignments = _lift_expressions(_rename_anonymous(literal, fresh), fresh)
        body += (literal,) + assignments
    head_args: list[Term] = []
    for arg in rule.head.args:
        if isinstance(arg, BinOp):
            name = Var(names.fresh("head", next(fresh)), arg.position)
            body += (Comparison("==", name, arg, arg.position),)
            head_args.append(name)
        else:
            head_args.append(arg)
    head = Atom(rule.head.predicate, tuple(head_args), rule.head.position)
    written = order_body(body)
    own = hubs.get(head.predicate)
    engine_body: tuple[Literal, ...] = ()
    for literal in body:
        if own and isinstance(literal, Atom) and literal.predicate in hubs and hubs[literal.predicate].name == own.name:
            call = hubs[literal.predicate].atom(literal.args, literal.position)
            opened = tuple(Var(names.fresh("rec", next(fresh)), a.position) for a in call.args)
            engine_body += (Atom(call.predicate, opened, call.position),)
            engine_body += tuple(Comparison("==", v, a, a.position) for v, a in zip(opened, call.args))
        else:
            engine_body += (literal,)
    bound = bound_variables(written)
    seen: list[str] = []
    for literal in written:
        if isinstance(literal, (Atom, Comparison)):
            for var in literal.variables():
                if var.name in bound and var.name not in seen:
                    seen.append(var.name)
    shown = [n for n in seen if not names.is_generated(n)] + [n for n in seen if names.is_generated(n)]
    ordered = order_body(engine_body, frozenset({own.name}) if own else frozenset())
    derives = own.atom(head.args, head.position) if own else head
    return CompiledRule(rule, f"rule{INTERNAL}{index}", tuple(shown), head, ordered, written, derives)


def _rename_anonymous(literal: Literal, fresh) -> Literal:
    def term(t: Term) -> Term:
        if isinstance(t, Var) and t.name == "_":
            return Var(names.fresh("anon", next(fresh)), t.position)
        if isinstance(t, BinOp):
            return BinOp(t.op, term(t.left), term(t.right), t.position)
        return t

    if isinstance(literal, Atom):
        return Atom(literal.predicate, tuple(term(a) for a in literal.args), literal.position)
    if isinstance(literal, Negation):
        return Negation(_rename_anonymous(literal.atom, fresh), literal.position)
    return Comparison(literal.op, term(literal.left), term(literal.right), literal.position)


def _lift_expressions(literal: Literal, fresh) -> tuple[Literal, tuple[Comparison, ...]]:
    """`p(X + 1)` becomes `p(:argN), :argN == X + 1`: pyDatalog matches atoms on plain terms."""
    atom = literal.atom if isinstance(literal, Negation) else literal
    if not isinstance(atom, Atom) or not any(isinstance(a, BinOp) for a in atom.args):
        return literal, ()
    args, checks = [], []
    for arg in atom.args:
        if isinstance(arg, BinOp):
            name = Var(names.fresh("arg", next(fresh)), arg.position)
            checks.append(Comparison("==", name, arg, arg.position))
            arg = name
        args.append(arg)
    lifted = Atom(atom.predicate, tuple(args), atom.position)
    if isinstance(literal, Negation):
        return Negation(lifted, literal.position), tuple(checks)
    return lifted, tuple(checks)


def order_body(body: tuple[Literal, ...], first: frozenset[str] = frozenset()) -> tuple[Literal, ...]:
    """Positive atoms in their written order, each followed by what it makes evaluable.

    Calls to the rule's own recursive component (`first`) all go first, before any equality
    could bind one of their arguments: they must stay open calls (see `Hub`). That also keeps
    the rule left-recursive, the shape pyDatalog is fast on (PYDATALOG-NOTES 13). The meaning
    of a body does not depend on its order.
    """
    waiting = [lit for lit in body if not isinstance(lit, Atom)]
    ordered: list[Literal] = [lit for lit in body if isinstance(lit, Atom) and lit.predicate in first]
    atoms = [lit for lit in body if isinstance(lit, Atom) and lit.predicate not in first]
    bound = {v.name for atom in ordered for v in atom.variables()}

    def release() -> None:
        progress = True
        while progress:
            progress = False
            for literal in list(waiting):
                ready = _ready(literal, bound)
                if ready is not None:
                    waiting.remove(literal)
                    ordered.append(ready)
                    bound.update(v.name for v in ready.variables() if not isinstance(ready, Negation))
                    progress = True

    release()
    for atom in atoms:
        ordered.append(atom)
        bound.update(v.name for v in atom.variables())
        release()
    return tuple(ordered + waiting)  # what never became ready is unsafe; the checker said so


def _ready(literal: Literal, bound: set[str]) -> Literal | None:
    """The literal (an assignment turned to put its target on the left) if it can run now."""
    def all_bound(term: Term) -> bool:
        return all(v.name in bound for v in variables(term))

    if isinstance(literal, Negation):
        needed = [v for v in literal.variables() if not v.name.startswith(names.fresh("anon", ""))]
        return literal if all(v.name in bound for v in needed) else None
    if all_bound(literal.left) and all_bound(literal.right):
        return literal
    if literal.op == "==":
        if isinstance(literal.left, Var) and all_bound(literal.right):
            return literal
        if isinstance(literal.right, Var) and all_bound(literal.left):
            return Comparison("==", literal.right, literal.left, literal.position)
    return None


# ---- typed arithmetic --------------------------------------------------------------------------

_errors = threading.local()


def evaluation_errors() -> list[str]:
    """Take the arithmetic errors recorded in this thread since the last call."""
    found = getattr(_errors, "found", [])
    _errors.found = []
    return found


_ALLOWED = {
    "+": {(int, int), (Date, int), (int, Date), (Money, Money)},
    "-": {(int, int), (Date, int), (Date, Date), (Money, Money)},
    "*": {(int, int), (Money, int), (int, Money)},
    "//": {(int, int)},
    "mod": {(int, int)},
}
_PYTHON = {"+": operator.add, "-": operator.sub, "*": operator.mul, "//": operator.floordiv, "mod": operator.mod}


def _typed(op: str):
    def apply(left, right):
        if (type(left), type(right)) not in _ALLOWED[op]:
            message = f"cannot compute {type_name(left)} {op} {type_name(right)} ({left!s} {op} {right!s})"
        elif op in ("//", "mod") and right == 0:
            message = f"division by zero ({left} {op} {right})"
        else:
            return _PYTHON[op](left, right)
        _errors.found = getattr(_errors, "found", []) + [message]
        raise TypeError(message)

    apply.__name__ = f"typed{op}"
    return apply


_OPERATORS = {op: _typed(op) for op in _ALLOWED}
_COMPARE = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


def evaluate_term(term: Term, bindings: dict):
    """A term's value under bindings, with the engine's typed arithmetic (for why-not)."""
    if isinstance(term, Var):
        return bindings[term.name]
    if isinstance(term, Const):
        return term.value
    return _OPERATORS[term.op](evaluate_term(term.left, bindings), evaluate_term(term.right, bindings))


def holds(comparison: Comparison, bindings: dict) -> bool:
    """Whether a comparison holds under bindings; TypeError when its values cannot be compared."""
    return _COMPARE[comparison.op](evaluate_term(comparison.left, bindings), evaluate_term(comparison.right, bindings))


# ---- to pyDatalog terms ---------------------------------------------------------------------------


def engine_term(term: Term):
    if isinstance(term, Var):
        return pyEngine.Var(term.name)
    if isinstance(term, Const):
        return pyEngine.Const(term.value)
    # a callable operator: pyEngine applies it to the tuple of its evaluated operands
    operands = pyEngine.VarTuple((engine_term(term.left), engine_term(term.right)))
    return pyEngine.Operation(pyEngine.Const(None), _OPERATORS[term.op], operands)


def engine_literal(literal: Literal):
    if isinstance(literal, Atom):
        return pyEngine.Literal(literal.predicate, [engine_term(a) for a in literal.args])
    if isinstance(literal, Negation):
        return pyEngine.Literal("~" + literal.atom.predicate, [engine_term(a) for a in literal.atom.args])
    return pyEngine.Literal(literal.op, [engine_term(literal.left), engine_term(literal.right)])


def load_rule(compiled: CompiledRule, counted: bool = True) -> None:
    """Assert the two clauses of a compiled rule into the current pyDatalog logic; if `counted`,
    a budget literal after the rule's last atom counts its firings (see `limits`)."""
    instance = pyEngine.Literal(compiled.instance, [pyEngine.Var(v) for v in compiled.variables])
    body = [engine_literal(lit) for lit in compiled.body]
    if counted:
        atoms = [i for i, literal in enumerate(compiled.body) if isinstance(literal, Atom)]
        matched = compiled.body[: atoms[-1] + 1] if atoms else ()
        bound = dict.fromkeys(v.name for lit in matched if isinstance(lit, Atom) for v in lit.variables())
        body.insert(len(matched), limits.budget_literal(compiled.instance, tuple(bound)))
    pyEngine.assert_(pyEngine.Clause(instance, body))
    pyEngine.assert_(pyEngine.Clause(engine_literal(compiled.derives), [instance]))


def load_bridge(predicate: str, arity: int, hub: Hub) -> None:
    """`p(X1..Xn) :- hub("p", X1..Xn, pads)`: a member of a shared hub reads its rows there."""
    args = tuple(Var(f"X{i}") for i in range(arity))
    pyEngine.assert_(pyEngine.Clause(engine_literal(Atom(predicate, args)), [engine_literal(hub.atom(args))]))


def load_fact(predicate: str, values: tuple) -> None:
    pyEngine.assert_(pyEngine.Clause(_fact(predicate, values), []))


def retract_fact(predicate: str, values: tuple) -> None:
    pyEngine.retract(pyEngine.Clause(_fact(predicate, values), []))


def declare(predicate: str, arity: int) -> None:
    """Make sure pyDatalog knows a predicate, so that negating or asking it never fails."""
    pred = pyEngine.Pred(predicate, arity)
    if pred.id not in pyEngine.Logic.tl.logic.Db:
        pyEngine.insert(pred)


def _fact(predicate: str, values: tuple):
    return pyEngine.Literal(predicate, [pyEngine.Const(v) for v in values])
