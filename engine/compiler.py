"""Compile core rules into pyDatalog clauses, built through its engine API (never from text).

The evaluator (`evaluator.py`) runs the program bottom-up, one stratum at a time, and asks
pyDatalog to join the body of one rule at a time over stored relations. So each rule
`h :- body` becomes an *instance* clause `rule:N(V1..Vk) :- body`, where V1..Vk are the variables
the body binds: its answers are the rule's firings with their bindings, from which the evaluator
builds the head facts and records how each fact was derived (the proofs). A rule with calls to
its own recursive component also gets one *variant* per such call, in which that call reads
only the facts new in the last round (`delta:p`): semi-naive evaluation.

What pyDatalog needs that a rule file does not promise:
- body order: pyDatalog evaluates left to right and fails on a negation or comparison whose
  variables are not bound yet, so each positive atom is followed by the comparisons and
  negations it makes evaluable (a variant reads its delta atom first, the smallest relation);
- a pulse: pyDatalog runs in compiled code that no watchdog can interrupt, so each instance
  head ends with a term whose methods pyDatalog calls at each step of the join and once per
  firing (`limits.Pulse`): the limits read the clock and count firings inside any join.

Arithmetic goes through typed operators (never pyDatalog's own `%`, which it turns into
`str.format` on strings); a type error stops the evaluation at once (`ArithmeticFailure`).
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass

from pyDatalog import pyEngine

from . import limits, names
from .checks import bound_variables
from .core import Atom, BinOp, Comparison, Const, Literal, Negation, Rule, Term, Var, variables
from .names import INTERNAL
from .values import Date, Money, type_name

DELTA = f"delta{INTERNAL}"


def delta(predicate: str) -> str:
    """The name of the relation holding a recursive predicate's facts new in the last round."""
    return DELTA + predicate


@dataclass(frozen=True)
class Variant:
    """A recursive rule as run in a semi-naive round: one recursive call reads the delta."""

    instance: str
    reads: str  # the recursive predicate whose delta it reads
    body: tuple[Literal, ...]


@dataclass(frozen=True)
class CompiledRule:
    """A rule as loaded into pyDatalog: its instance clause, variants and evaluation order."""

    rule: Rule
    number: int  # its index in the program
    instance: str  # name of the rule-instance predicate
    variables: tuple[str, ...]  # the instance predicate's arguments
    head: Atom  # head over plain variables and constants
    written: tuple[Literal, ...]  # the body with its positive atoms as written, each followed by
    # the comparisons and negations it makes evaluable (the premises of proofs, why-not)
    body: tuple[Literal, ...] = ()  # the same literals in join order, as pyDatalog runs them
    slots: tuple = ()  # per head argument: the index of its variable in an instance row, or a Const
    premises: tuple = ()  # per positive atom of `written`: its predicate and the slots of its arguments
    other_steps: int = 0  # the steps of its proofs that are not facts: negations, the user's comparisons
    variants: tuple[Variant, ...] = ()  # one per call to the rule's own recursive component

    @property
    def recursive(self) -> bool:
        return bool(self.variants)

    def head_values(self, row: tuple) -> tuple:
        """The head fact of a firing, from its instance row."""
        return tuple(row[slot] if type(slot) is int else slot.value for slot in self.slots)

    def head_bindings(self, values: tuple) -> dict | None:
        """The head's variables fixed by the values of a fact (None among them: any value), or
        None if the head cannot conclude it."""
        fixed: dict = {}
        for pattern, value in zip(self.head.args, values):
            if value is None:
                continue
            if isinstance(pattern, Const):
                if pattern.value != value:
                    return None
            elif fixed.setdefault(pattern.name, value) != value:
                return None
        return fixed

    def premise_facts(self, row: tuple) -> list[tuple[str, tuple]]:
        """The facts a firing used (its positive atoms, in written order), from its instance row."""
        return [(predicate, tuple(row[slot] if type(slot) is int else slot.value for slot in slots))
                for predicate, slots in self.premises]


def compile_rule(rule: Rule, number: int, component: Mapping[str, int] | None = None) -> CompiledRule:
    """Order the body, move head expressions into it and name anonymous variables apart.

    `component` (from `checks.dependency_components`) tells which calls are recursive: a call to
    a predicate of the head's own component gets a semi-naive variant.
    """
    fresh = iter(range(1_000_000))
    body: tuple[Literal, ...] = ()
    for literal in rule.body:
        literal, assignments = _lift_expressions(_rename_anonymous(literal, fresh), fresh)
        literal, equalities = _split_repeated(literal, fresh)
        body += (literal,) + assignments + equalities
    head_args: list[Term] = []
    for arg in rule.head.args:
        if isinstance(arg, BinOp):
            name = Var(names.fresh("head", next(fresh)), arg.position)
            body += (Comparison("==", name, arg, arg.position),)
            head_args.append(name)
        else:
            head_args.append(arg)
    head = Atom(rule.head.predicate, tuple(head_args), rule.head.position)
    ordered = order_body(body)
    bound = bound_variables(ordered)
    seen: list[str] = []
    for literal in ordered:
        if isinstance(literal, (Atom, Comparison)):
            for var in literal.variables():
                if var.name in bound and var.name not in seen:
                    seen.append(var.name)
    shown = [n for n in seen if not names.is_generated(n)] + [n for n in seen if names.is_generated(n)]
    instance = f"rule{INTERNAL}{number}"
    own = (component or {}).get(head.predicate)
    variants = []
    for position, literal in enumerate(body):
        if isinstance(literal, Atom) and own is not None and (component or {}).get(literal.predicate) == own:
            reads_delta = Atom(delta(literal.predicate), literal.args, literal.position)
            changed = body[:position] + (reads_delta,) + body[position + 1:]
            variants.append(Variant(f"{instance}{INTERNAL}{len(variants) + 1}", literal.predicate,
                                    join_order(changed, reads_delta)))
    place = {name: index for index, name in enumerate(shown)}
    slots = tuple(place[a.name] if isinstance(a, Var) else a for a in head.args)
    premises = tuple((lit.predicate, tuple(place[a.name] if isinstance(a, Var) else a for a in lit.args))
                     for lit in ordered if isinstance(lit, Atom))
    others = sum(1 for lit in ordered if isinstance(lit, Negation)
                 or isinstance(lit, Comparison) and not generated_assignment(lit))
    return CompiledRule(rule, number, instance, tuple(shown), head, ordered, join_order(body), slots, premises,
                        others, tuple(variants))


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


def generated_assignment(comparison: Comparison) -> bool:
    """An assignment the compiler added for an expression in a head or an atom: not the user's."""
    return isinstance(comparison.left, Var) and names.is_generated(comparison.left.name)


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


def _split_repeated(literal: Literal, fresh) -> tuple[Literal, tuple[Comparison, ...]]:
    """`e(X, X)` becomes `e(X, :eqN), :eqN == X`: pyDatalog cannot match a variable repeated in
    an atom against a fact served by a resolver (it compares two constant objects by identity)."""
    if not isinstance(literal, Atom):
        return literal, ()
    seen: set[str] = set()
    args, checks = [], []
    for arg in literal.args:
        if isinstance(arg, Var) and arg.name in seen:
            name = Var(names.fresh("eq", next(fresh)), arg.position)
            checks.append(Comparison("==", name, arg, arg.position))
            arg = name
        elif isinstance(arg, Var):
            seen.add(arg.name)
        args.append(arg)
    return Atom(literal.predicate, tuple(args), literal.position), tuple(checks)


def order_body(body: tuple[Literal, ...]) -> tuple[Literal, ...]:
    """Positive atoms in their written order, each followed by what it makes evaluable. The
    meaning of a body does not depend on its order; a reader expects the written one."""
    return _ordered(body, lambda atoms, bound: atoms[0])


def join_order(body: tuple[Literal, ...], first: Atom | None = None,
               bound: frozenset[str] = frozenset()) -> tuple[Literal, ...]:
    """The order pyDatalog joins a body in: `first` (a delta), then always the atom with the
    most arguments already bound (`bound`: the variables fixed before it starts) -- a test
    before a join, a join before a cross product --, ties in written order; each followed by
    what it makes evaluable."""
    def pick(atoms: list[Atom], known: set[str]) -> Atom:
        if first is not None and first in atoms:
            return first
        return max(atoms, key=lambda atom: _bound_score(atom, known))

    return _ordered(body, pick, bound)


def _bound_score(atom: Atom, bound: set[str]) -> tuple[bool, int]:
    fixed = sum(1 for a in atom.args if isinstance(a, Const) or isinstance(a, Var) and a.name in bound)
    return fixed == len(atom.args), fixed


def _ordered(body: tuple[Literal, ...], pick, fixed: frozenset[str] = frozenset()) -> tuple[Literal, ...]:
    waiting = [lit for lit in body if not isinstance(lit, Atom)]
    atoms = [lit for lit in body if isinstance(lit, Atom)]
    ordered: list[Literal] = []
    bound: set[str] = set(fixed)

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
    while atoms:
        atom = pick(atoms, bound)
        atoms.remove(atom)
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


class ArithmeticFailure(BaseException):
    """Raised inside pyDatalog when a value cannot be computed; a BaseException so that
    pyDatalog, which turns any Exception raised by an operation into a value, lets it through."""


_ALLOWED = {
    "+": {(int, int), (Date, int), (int, Date), (Money, Money)},
    "-": {(int, int), (Date, int), (Date, Date), (Money, Money)},
    "*": {(int, int), (Money, int), (int, Money)},
    "//": {(int, int)},
    "mod": {(int, int)},
}
_PYTHON = {"+": operator.add, "-": operator.sub, "*": operator.mul, "//": operator.floordiv, "mod": operator.mod}


def compute(op: str, left, right):
    """`left op right` in the rule language's types; TypeError when it has no value."""
    if (type(left), type(right)) not in _ALLOWED[op]:
        raise TypeError(f"cannot compute {type_name(left)} {op} {type_name(right)} ({left!s} {op} {right!s})")
    if op in ("//", "mod") and right == 0:
        raise TypeError(f"division by zero ({left} {op} {right})")
    try:
        return _PYTHON[op](left, right)
    except (OverflowError, ValueError) as error:  # a date before year 1 or after 9999
        raise TypeError(f"{left!s} {op} {right!s} has no value: {error}") from None


def _in_engine(op: str):
    def apply(left, right):
        try:
            return compute(op, left, right)
        except TypeError as error:
            raise ArithmeticFailure(str(error)) from None

    apply.__name__ = f"typed{op}"
    return apply


_OPERATORS = {op: _in_engine(op) for op in _ALLOWED}
_COMPARE = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


def evaluate_term(term: Term, bindings: dict):
    """A term's value under bindings, with the engine's typed arithmetic (for why-not)."""
    if isinstance(term, Var):
        return bindings[term.name]
    if isinstance(term, Const):
        return term.value
    return compute(term.op, evaluate_term(term.left, bindings), evaluate_term(term.right, bindings))


def holds(comparison: Comparison, bindings: dict) -> bool:
    """Whether a comparison holds under bindings; TypeError when its values cannot be compared."""
    return _COMPARE[comparison.op](evaluate_term(comparison.left, bindings), evaluate_term(comparison.right, bindings))


# ---- to pyDatalog clauses -------------------------------------------------------------------------


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


def load_clause(instance: str, compiled: CompiledRule, body: tuple[Literal, ...], pulsed: bool) -> list:
    """Assert `instance(variables[, pulse]) :- body` into the current pyDatalog logic (the pulse
    of the limits if `pulsed`); returns the pyDatalog predicates of the clause, its head's first."""
    head = pyEngine.Literal(instance, [pyEngine.Var(v) for v in compiled.variables] + ([limits.PULSE] if pulsed else []))
    literals = [engine_literal(literal) for literal in body]
    pyEngine.assert_(pyEngine.Clause(head, literals))
    return [head.pred] + [literal.pred for literal in literals]
