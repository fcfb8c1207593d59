"""A knowledge base: a checked program, its model, and the given facts of each scenario.

The KB evaluates its program bottom-up (`evaluator.py`) into a model, on demand, and answers a
query by looking the model up. Given facts come in two ways. `with kb.scenario(facts):` gives
this thread, for the block, a model of its own with those facts added: another thread, inside a
scenario of its own or not, never sees them. `add_facts` and `withdraw_facts` change the facts
of the innermost scenario block of this thread, or, outside any block, the KB's own facts, which
every thread sees (a block started later starts from them). A model made for new facts shares
every stratum they do not reach with the model of the KB's stated facts alone.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from .checks import unknown_predicate_message
from .compiler import CompiledRule
from .core import Atom, BinOp, Const, Rule, Var
from .errors import EvaluationError, InputError, QueryError
from .evaluator import Engine, Model
from .limits import Limits
from .names import INTERNAL, fresh
from .parser import parse_atom
from .program import Program
from .quotes import SourceText
from .relations import Derivation
from .values import Value, check_value, sort_key


CACHED_QUERIES = 512  # answers kept per model, most recently asked first


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
        self.sources = dict(sources or {})
        self.engine = Engine(program, limits or Limits.from_environment())
        self.arities: dict[str, int] = dict(self.engine.plan.arities)
        self._inputs = program.input_predicates
        self._pristine = Model(self.engine.plan)  # the KB's own facts only
        self._shared = self._pristine  # with the facts of add_facts
        self._lock = threading.Lock()
        self._local = threading.local()  # this thread's scenario models, innermost last

    @property
    def limits(self) -> Limits:
        """The limits of each evaluation (docs/LIMITS.md); may be narrowed, e.g. per request."""
        return self.engine.limits

    @limits.setter
    def limits(self, limits: Limits) -> None:
        self.engine.limits = limits

    # ---- models --------------------------------------------------------------------------------

    def _frames(self) -> list[list[Model]]:
        """This thread's scenario blocks, innermost last: [model at the block's start, current]."""
        try:
            return self._local.frames
        except AttributeError:  # this thread's first
            self._local.frames = []
            return self._local.frames

    def _model(self) -> Model:
        frames = self._frames()
        return frames[-1][1] if frames else self._shared

    def _with_given(self, facts: Mapping[str, Iterable[Iterable]]) -> tuple[Model, int]:
        """A model of the current given facts plus these; and how many of these were new."""
        current = self._model()
        given = {p: set(rows) for p, rows in current.given.items()}
        added = 0
        for name, values in self._checked(facts):
            rows = given.setdefault(name, set())
            if values not in rows and values not in self.engine.plan.stated.get(name, {}):
                rows.add(values)
                added += 1
        if not added:
            return current, 0
        return Model(self.engine.plan, {p: frozenset(r) for p, r in given.items()}, self._pristine), added

    def add_facts(self, facts: Mapping[str, Iterable[Iterable]]) -> int:
        """Assert given facts of declared input predicates (see the module's docstring for who
        sees them); returns how many were new."""
        frames = self._frames()
        with self._lock:
            model, added = self._with_given(facts)
            if frames:
                frames[-1][1] = model
            else:
                self._shared = model
        return added

    def withdraw_facts(self) -> None:
        """Withdraw the facts `add_facts` gave: inside a scenario block, those added since it
        began; outside, all of them, leaving the KB as it was loaded."""
        frames = self._frames()
        with self._lock:
            if frames:
                frames[-1][1] = frames[-1][0]
            else:
                self._shared = self._pristine

    @contextmanager
    def scenario(self, facts: Mapping[str, Iterable[Iterable]]) -> Iterator["KnowledgeBase"]:
        """Given facts for the duration of a `with` block, in this thread only."""
        model, _ = self._with_given(facts)
        with self._pinned(model):
            yield self

    @contextmanager
    def bound(self) -> Iterator["KnowledgeBase"]:
        """Keep this thread on the current facts for a sequence of calls (a proof, a why-not),
        even if another thread adds or withdraws facts meanwhile."""
        with self._pinned(self._model()):
            yield self

    @contextmanager
    def _pinned(self, model: Model) -> Iterator[None]:
        frames = self._frames()
        frames.append([model, model])
        try:
            yield
        finally:
            frames.pop()

    def given_facts(self) -> list[tuple[str, tuple]]:
        given = self._model().given
        return sorted(((p, row) for p, rows in given.items() for row in rows), key=_fact_key)

    def _checked(self, facts: Mapping[str, Iterable[Iterable]]) -> list[tuple[str, tuple]]:
        return [(name, self._check_fact(name, row)) for name, rows in sorted(facts.items()) for row in rows]

    def _check_fact(self, name: str, row: Iterable) -> tuple:
        inputs = self._inputs
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
        model = self._model()
        cache = model.answers
        with self._lock:
            cached = cache.get(atom)
            if cached is not None:
                cache.move_to_end(atom)
                return list(cached)
        try:
            answers = self._answers_of(model, atom)
        except EvaluationError as error:  # say which query it was
            error.position = error.position or atom.position
            raise
        with self._lock:
            cache[atom] = answers
            if len(cache) > CACHED_QUERIES:
                cache.popitem(last=False)
        return list(answers)

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

    def _answers_of(self, model: Model, atom: Atom) -> list[Answer]:
        args = [Var(fresh("any", i)) if isinstance(a, Var) and a.anonymous else a for i, a in enumerate(atom.args)]
        rows = sorted(self._matching(model, atom.predicate, args), key=lambda vs: tuple(sort_key(v) for v in vs))
        shown = list(dict.fromkeys(a.name for a in atom.args if isinstance(a, Var) and not a.anonymous))
        answers: dict[tuple, Answer] = {}
        for values in rows:  # one answer per binding of the shown variables: `_` is not reported
            by_var = {a.name: v for a, v in zip(atom.args, values) if isinstance(a, Var)}
            bindings = tuple((n, by_var[n]) for n in shown)
            answers.setdefault(bindings, Answer(atom.predicate, values, bindings))
        return sorted(answers.values(), key=lambda a: tuple(sort_key(v) for _, v in a.bindings))

    def _matching(self, model: Model, predicate: str, args: list) -> list[tuple]:
        """The facts of a predicate that match a pattern of constants and variables."""
        relation = self.engine.evaluate(model, predicate)
        positions = tuple(i for i, a in enumerate(args) if isinstance(a, Const))
        key = tuple(args[i].value for i in positions)
        variables = [(i, a.name) for i, a in enumerate(args) if isinstance(a, Var)]
        if len({name for _, name in variables}) == len(variables):
            return list(relation.match(positions, key))
        found = []
        for row in relation.match(positions, key):  # a variable repeated must match one value
            by_var: dict[str, Value] = {}
            if all(by_var.setdefault(name, row[i]) == row[i] for i, name in variables):
                found.append(row)
        return found

    def ask(self, predicate: str, args: list) -> list[tuple]:
        """The facts of a predicate matching a pattern of `Const` and `Var` terms (for why-not)."""
        return self._matching(self._model(), predicate, args)

    def holds(self, predicate: str, values: tuple) -> bool:
        return values in self.engine.evaluate(self._model(), predicate)

    def relation(self, predicate: str) -> set[tuple]:
        """Every tuple of a predicate in the current model."""
        return set(self.engine.evaluate(self._model(), predicate))

    # ---- provenance, for proofs -------------------------------------------------------------------

    def compiled_rules(self, predicate: str) -> list[CompiledRule]:
        return list(self.engine.plan.rules_for(predicate))

    def compiled_rule(self, number: int) -> CompiledRule:
        return self.engine.plan.rules_by_number[number]

    def kb_fact_rules(self, predicate: str, values: tuple) -> list[Rule]:
        return list(self.engine.plan.stated.get(predicate, {}).get(values, ()))

    def is_given(self, predicate: str, values: tuple) -> bool:
        return self._model().is_given(predicate, values)

    def derivation(self, predicate: str, values: tuple) -> Derivation | None:
        """The firing that first derived a fact (rule number, instance row); None for a fact
        stated in the KB or given. The fact must hold."""
        model = self._model()
        self.engine.evaluate(model, predicate)
        return model.derivation(predicate, values)

    def firings(self, rule: CompiledRule, fixed: Mapping[str, Value]) -> list[tuple]:
        """Every firing of a rule (instance rows) with some of its variables fixed."""
        return self.engine.firings(self._model(), rule, dict(fixed))


def _fact_key(fact: tuple[str, tuple]) -> tuple:
    return (fact[0], tuple(sort_key(v) for v in fact[1]))
