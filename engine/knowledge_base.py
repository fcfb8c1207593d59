"""A knowledge base: a checked program loaded into its own pyDatalog logic.

pyDatalog keeps one global, thread-local store. A `KnowledgeBase` owns a `Logic` object of its
own and binds it (a per-thread copy that shares the predicate store) around every operation,
under a lock, so that two KBs in one process never see each other's facts and a query from any
thread sees the same facts. Given facts (a scenario) are asserted into the loaded program and
withdrawn exactly, without recompiling the rules.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyDatalog import pyEngine
from pyDatalog.Logic import Logic

from . import collector, compiler, limits
from .checks import unknown_predicate_message
from .compiler import CompiledRule
from .limits import Limits
from .names import INTERNAL, fresh
from .errors import EvaluationError, InputError, QueryError
from .parser import parse_atom
from .program import Program
from .quotes import SourceText
from .syntax import Atom, BinOp, Const, Rule, Var
from .values import Value, check_value, sort_key

if TYPE_CHECKING:  # explanations are built on this module, which cannot import them at load time
    from .explain import Explanation, WhyNot


@dataclass(frozen=True)
class Answer:
    """One answer of a query: the query's variables bound to values, and the ground atom."""

    predicate: str
    values: tuple[Value, ...]
    bindings: tuple[tuple[str, Value], ...]

    def __getitem__(self, variable: str) -> Value:
        return dict(self.bindings)[variable]

    def as_dict(self) -> dict[str, Value]:
        return dict(self.bindings)


class KnowledgeBase:
    """Query a checked program; add and withdraw given facts. Safe to share between threads."""

    def __init__(self, program: Program, sources: Mapping[str, SourceText] | None = None,
                 limits: Limits | None = None):
        self.program = program
        self.limits = limits or Limits.from_environment()  # of each evaluation (docs/LIMITS.md)
        self.sources = dict(sources or {})
        self._lock = threading.RLock()
        self._thread = threading.local()  # this KB's logic as bound in each thread
        self._compiled: dict[str, list[CompiledRule]] = defaultdict(list)
        self._kb_facts: dict[tuple[str, tuple], list[Rule]] = defaultdict(list)
        self._given: set[tuple[str, tuple]] = set()
        self._cache: dict[Atom, list[Answer]] = {}
        self.arities: dict[str, int] = {}
        with self._lock, collector.tuned(young=0):
            self._hubs = compiler.recursive_hubs(program.rules)
            self._logic = Logic()  # a fresh logic, current in this thread while we load
            self._load()

    # ---- loading ---------------------------------------------------------------------------

    def _load(self) -> None:
        for decl in self.program.declarations:
            self.arities.setdefault(decl.name, len(decl.params))
        for index, rule in enumerate(self.program.rules):
            self.arities.setdefault(rule.head.predicate, len(rule.head.args))
            if rule.is_fact and all(isinstance(a, Const) for a in rule.head.args):
                values = tuple(a.value for a in rule.head.args)
                self._kb_facts[(rule.head.predicate, values)].append(rule)
                compiler.load_fact(*self._stored(rule.head.predicate, values))
            else:
                compiled = compiler.compile_rule(rule, index, self._hubs)
                self._compiled[rule.head.predicate].append(compiled)
                compiler.load_rule(compiled, counted=not self.limits.unlimited)
        for name, hub in sorted(self._hubs.items()):
            if hub.tag is not None:
                compiler.load_bridge(name, self.arities[name], hub)
        for name, arity in self.arities.items():
            compiler.declare(name, arity)

    def _stored(self, predicate: str, values: tuple) -> tuple[str, tuple]:
        """Where a fact is asserted: a member of a shared recursion hub keeps its facts there."""
        hub = self._hubs.get(predicate)
        return (hub.name, hub.row(values)) if hub else (predicate, values)

    @contextmanager
    def _bound(self) -> Iterator[None]:
        """Make this KB's logic the current one in this thread, exclusively."""
        with self._lock:
            previous = getattr(Logic.tl, "logic", None)
            if not hasattr(self._thread, "logic"):
                # pyDatalog's per-thread copy rebuilds a registry of every predicate (100 ms for
                # 10,000 provisions), so each thread makes it once; it shares the stored clauses
                Logic(self._logic)
                self._thread.logic = Logic.tl.logic
            Logic.tl.logic = self._thread.logic
            try:
                yield
            finally:
                if previous is not None:
                    Logic.tl.logic = previous

    # ---- given facts -------------------------------------------------------------------------

    def add_facts(self, facts: Mapping[str, Iterable[Iterable]]) -> int:
        """Assert given facts of declared input predicates; returns how many were new."""
        checked = [(name, self._check_fact(name, row)) for name, rows in sorted(facts.items()) for row in rows]
        added = 0
        with self._bound():
            for name, values in checked:
                key = (name, values)
                if key in self._given or key in self._kb_facts:
                    continue
                compiler.load_fact(*self._stored(name, values))
                self._given.add(key)
                added += 1
            self._cache.clear()
        return added

    def withdraw_facts(self) -> None:
        """Withdraw every given fact, leaving the KB as it was loaded."""
        with self._bound():
            for name, values in sorted(self._given, key=_fact_key):
                compiler.retract_fact(*self._stored(name, values))
            self._given.clear()
            self._cache.clear()

    @contextmanager
    def scenario(self, facts: Mapping[str, Iterable[Iterable]]) -> Iterator["KnowledgeBase"]:
        """Given facts for the duration of a `with` block."""
        self.add_facts(facts)
        try:
            yield self
        finally:
            self.withdraw_facts()

    def given_facts(self) -> list[tuple[str, tuple]]:
        return sorted(self._given, key=_fact_key)

    def _check_fact(self, name: str, row: Iterable) -> tuple:
        inputs = self.program.input_predicates
        if name not in inputs:
            raise InputError(
                f"'{name}' is not an input predicate of this KB; inputs are: {', '.join(sorted(inputs)) or 'none'}",
                code="unknown-input",
            )
        try:
            values = tuple(check_value(v) for v in row)
        except TypeError as error:
            raise InputError(f"fact {name}{tuple(row)!r}: {error}", code="bad-value") from None
        if len(values) != inputs[name]:
            raise InputError(
                f"{name} takes {inputs[name]} argument(s), not {len(values)}", code="arity-mismatch"
            )
        return values

    # ---- queries -----------------------------------------------------------------------------------

    def query(self, atom: str | Atom) -> list[Answer]:
        """Answers of a query atom such as `retention(R, N, U, T, B)`, sorted, without duplicates."""
        if isinstance(atom, str):
            atom = parse_atom(atom)
        self._check_query(atom)
        with self._bound():
            cached = self._cache.get(atom)
            if cached is None:
                try:
                    cached = self._cache[atom] = self._answers(atom)
                except EvaluationError as error:  # say which query it was
                    error.position = error.position or atom.position
                    raise
            return list(cached)

    def _check_query(self, atom: Atom) -> None:
        if INTERNAL in atom.predicate or atom.predicate not in self.arities:
            raise QueryError(
                unknown_predicate_message(atom.predicate, {p for p in self.arities if INTERNAL not in p}),
                atom.position,
                code="unknown-predicate",
            )
        if len(atom.args) != self.arities[atom.predicate]:
            raise QueryError(
                f"{atom.predicate} takes {self.arities[atom.predicate]} argument(s), not {len(atom.args)}",
                atom.position,
                code="arity-mismatch",
            )
        for arg in atom.args:
            if isinstance(arg, BinOp):
                raise QueryError("a query argument must be a variable or a value, not an expression", arg.position,
                                 code="bad-query")

    def _answers(self, atom: Atom) -> list[Answer]:
        args = [Var(fresh("any", i)) if isinstance(a, Var) and a.anonymous else a for i, a in enumerate(atom.args)]
        rows = sorted(set(self.ask(atom.predicate, args)), key=lambda vs: tuple(sort_key(v) for v in vs))
        shown = list(dict.fromkeys(a.name for a in atom.args if isinstance(a, Var) and not a.anonymous))
        answers: dict[tuple, Answer] = {}
        for values in rows:  # one answer per binding of the shown variables: `_` is not reported
            by_var = {a.name: v for a, v in zip(atom.args, values) if isinstance(a, Var)}
            bindings = tuple((n, by_var[n]) for n in shown)
            answers.setdefault(bindings, Answer(atom.predicate, values, bindings))
        return sorted(answers.values(), key=lambda a: tuple(sort_key(v) for _, v in a.bindings))

    def ask(self, predicate: str, args: list) -> list[tuple]:
        """Evaluate one literal in pyDatalog (the KB must be bound); returns full value tuples."""
        literal = pyEngine.Literal(predicate, [compiler.engine_term(a) for a in args])
        compiler.evaluation_errors()
        try:
            with collector.tuned(), limits.evaluation(self.limits):
                result = literal.ask()
        except TypeError as error:
            raise EvaluationError(f"while evaluating {predicate}: {error}", code="type-error") from None
        except RecursionError:
            raise EvaluationError(f"while evaluating {predicate}: recursion too deep",
                                  code="limit-exceeded") from None
        except limits.LimitExceeded as error:
            raise EvaluationError(f"while evaluating {predicate}: {error}", code="limit-exceeded") from None
        errors = compiler.evaluation_errors()
        if errors:
            raise EvaluationError(f"while evaluating {predicate}: {errors[0]}", code="type-error")
        if result is True:  # pyDatalog answers a fully ground query with True
            return [tuple(a.value for a in args)]
        return list(result or [])

    def relation(self, predicate: str) -> set[tuple]:
        """Every tuple of a predicate in the current model."""
        arity = self.arities[predicate]
        with self._bound():
            return set(self.ask(predicate, [Var(f"X{i}") for i in range(arity)]))

    # ---- provenance, for proofs -------------------------------------------------------------------

    def compiled_rules(self, predicate: str) -> list[CompiledRule]:
        return list(self._compiled.get(predicate, ()))

    def kb_fact_rules(self, predicate: str, values: tuple) -> list[Rule]:
        return list(self._kb_facts.get((predicate, values), ()))

    def is_given(self, predicate: str, values: tuple) -> bool:
        return (predicate, values) in self._given

    # ---- explanations -----------------------------------------------------------------------------

    def explain(self, query: str | Atom, depth: int | None = None) -> "Explanation":
        """Every answer of a query with its proof; renders as text, Markdown, HTML and JSON."""
        from .explain import explain

        return explain(self, query, depth)

    def why_not(self, query: str | Atom) -> "WhyNot":
        """Why a query has no answer: each rule that could give one, and what failed in it."""
        from .explain import why_not

        return why_not(self, query)

    @contextmanager
    def bound(self) -> Iterator["KnowledgeBase"]:
        """Bind this KB for a sequence of `ask` calls (used by the prover)."""
        with self._bound():
            yield self


def _fact_key(fact: tuple[str, tuple]) -> tuple:
    return (fact[0], tuple(sort_key(v) for v in fact[1]))

