"""Bottom-up evaluation, one stratum at a time: citelog drives the rounds, pyDatalog joins.

pyDatalog alone answers each query top-down from scratch: a negated or repeated call derives
its predicate again for every binding, and recursion is slow or does not end (PYDATALOG-NOTES
13, 18). So the evaluator materialises the model instead. The strata of the program (`strata.py`)
are evaluated in order, each once, when a query first needs them: pyDatalog joins the body of
each rule (its instance clause, `compiler.py`) over the stored relations, which it reads through
resolvers, and the evaluator adds the head facts to the relations. A recursive stratum runs in
semi-naive rounds: each round asks the rule variants whose recursive call reads only the facts
new in the last round (the delta), until a round finds nothing new. A negated or repeated call
is then a lookup.

When a fact is first derived, the evaluator records the firing that derived it (the rule and its
bindings): proofs and citations read that record. Among the firings that first derive a fact in
one round, the one with the smallest proof is kept (then the first rule, then the smallest
bindings), so proofs are deterministic and as short as the round allows.

A `Model` is the state of the facts for one set of given facts. A model made for a scenario
shares with the KB's own model every stratum that does not depend on the scenario's inputs, and
evaluates only the others: a change of given facts costs only what it touches.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from pyDatalog import pyEngine
from pyDatalog.Logic import Logic

from . import collector, compiler, limits
from .compiler import CompiledRule
from .errors import EvaluationError
from .limits import Limits
from .names import INTERNAL, fresh
from .program import Program
from .relations import Derivation, Relation
from .strata import Plan, Stratum
from .values import sort_key

Given = Mapping[str, frozenset[tuple]]  # given facts by predicate
PULSE_VARIABLE = fresh("pulse", 0)
DELTA_CHUNK = 20_000  # delta facts joined in one question to pyDatalog: its tables grow with them


class Model:
    """The facts of a KB for one set of given facts: what is stated, given and derived."""

    def __init__(self, plan: Plan, given: Given | None = None, base: "Model | None" = None):
        self.plan = plan
        self.given: dict[str, frozenset[tuple]] = {p: frozenset(rows) for p, rows in (given or {}).items() if rows}
        self.base = base  # the model without given facts, whose unaffected strata this one shares
        self.relations: dict[str, Relation] = {}
        self.deltas: dict[str, Relation] = {}
        self.done: set[int] = set()
        self.step = 0  # rounds committed so far: a derivation records the step that made it
        self.answers: OrderedDict = OrderedDict()  # the answers of the queries asked, most recent last
        self._sizes: dict[tuple[str, tuple], int] = {}

    def is_given(self, predicate: str, values: tuple) -> bool:
        return values in self.given.get(predicate, ())

    def derivation(self, predicate: str, values: tuple) -> Derivation | None:
        return self.relations[predicate].derivation(values)

    def size(self, predicate: str, values: tuple) -> int:
        """The number of steps in the recorded proof of a fact (1 for a stated or given fact)."""
        stack = [(predicate, values)]
        while stack:
            key = stack[-1]
            if key in self._sizes:
                stack.pop()
                continue
            derivation = self.derivation(*key)
            if derivation is None:
                self._sizes[key] = 1
                stack.pop()
                continue
            rule = self.plan.rules_by_number[derivation[0]]
            premises = rule.premise_facts(derivation[1])
            missing = [p for p in premises if p not in self._sizes]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            self._sizes[key] = 1 + sum(self._sizes[p] for p in premises) + rule.other_steps
        return self._sizes[(predicate, values)]


_serving = threading.local()  # the model pyDatalog's resolvers read in this thread


def _resolver(predicate: str, delta: bool):
    """What pyDatalog calls to search a stored relation: the facts that match its bound terms."""
    def resolve(*terms):
        limits.check_clock()
        model = _serving.model
        relation = model.deltas[predicate] if delta else model.relations[predicate]
        positions = tuple(i for i, term in enumerate(terms) if term.is_const())
        return relation.match(positions, tuple(terms[i].id for i in positions))

    return resolve


class Engine:
    """A program loaded into its own pyDatalog logic, evaluating models of it on demand.

    pyDatalog keeps one global, thread-local store: the engine owns a `Logic` object and binds
    it (a per-thread copy that shares the clauses) around each evaluation, under a lock, so two
    KBs in one process never see each other's rules, and every thread can evaluate.
    """

    def __init__(self, program: Program, limits_: Limits):
        self.limits = limits_
        self._lock = threading.RLock()
        self._thread = threading.local()  # this engine's logic as bound in each thread
        with self._lock, collector.tuned(young=0):
            self.plan = program.plan or Plan(program)
            self._logic = Logic()  # a fresh logic, current in this thread while we load
            self._logics = [self._logic]  # and its copy in each thread that evaluates
            self._loaded: set[int] = set()  # strata whose clauses pyDatalog has (loaded when first run)
            self._patterns: set[str] = set()  # clauses made for proofs (see _clause_for)
            self._pulsed = not limits_.unlimited
            # pyDatalog tells predicates apart by identity, and a thread's logic is a copy: every
            # predicate a thread may name must be one object, made here before any copy is
            # (those of clauses loaded later are given to every thread's logic: `_publish`)
            self._predicates = []
            for predicate, arity in self.plan.arities.items():
                pyEngine.Python_resolvers[f"{predicate}/{arity}"] = _resolver(predicate, False)
                pyEngine.Python_resolvers[f"{compiler.delta(predicate)}/{arity}"] = _resolver(predicate, True)
                self._predicates += [pyEngine.Pred(predicate, arity), pyEngine.Pred(compiler.delta(predicate), arity)]

    @contextmanager
    def _bound(self, model: Model) -> Iterator[None]:
        """This engine's logic current in this thread, its resolvers reading `model`."""
        with self._lock:
            previous = getattr(Logic.tl, "logic", None), getattr(_serving, "model", None)
            if not hasattr(self._thread, "logic"):
                # pyDatalog's per-thread copy rebuilds a registry of every predicate (100 ms for
                # 10,000 provisions), so each thread makes it once; it shares the stored clauses
                Logic(self._logic)
                self._thread.logic = Logic.tl.logic
                self._logics.append(Logic.tl.logic)
            Logic.tl.logic = self._thread.logic
            _serving.model = model
            try:
                yield
            finally:
                if previous[0] is not None:
                    Logic.tl.logic = previous[0]
                _serving.model = previous[1]

    # ---- evaluation ------------------------------------------------------------------------

    def evaluate(self, model: Model, predicate: str) -> Relation:
        """The relation of a predicate in a model, evaluating the strata it needs first (a
        stratum is marked done only once its relations are complete: then no lock is needed)."""
        if self.plan.stratum_of[predicate].number not in model.done:
            with self._lock:
                needed = [s for s in self.plan.needed(predicate) if s.number not in model.done]
                if needed:
                    with self._reporting(predicate), limits.evaluation(self.limits), collector.tuned():
                        for stratum in needed:
                            self._ensure(model, stratum)
        return model.relations[predicate]

    def firings(self, model: Model, rule: CompiledRule, fixed: dict[str, object]) -> list[tuple]:
        """Every firing of a rule in a model (its instance rows), with some variables fixed: a
        clause of its own joins the body in the order best for what is fixed."""
        self.evaluate(model, rule.head.predicate)
        args = [pyEngine.Const(fixed[v]) if v in fixed else pyEngine.Var(v) for v in rule.variables]
        with self._reporting(rule.head.predicate), limits.evaluation(self.limits), self._bound(model):
            return self._ask(self._clause_for(rule, frozenset(fixed)), args)

    def _clause_for(self, rule: CompiledRule, fixed: frozenset[str]) -> str:
        """The instance clause of a rule joined in the best order for these fixed variables,
        made on first use and made known to the logic of every thread."""
        if not fixed:
            return rule.instance
        name = rule.instance + INTERNAL + "".join("b" if v in fixed else "f" for v in rule.variables)
        if name not in self._patterns:
            self._publish(compiler.load_clause(name, rule, compiler.join_order(rule.body, bound=fixed), self._pulsed))
            self._patterns.add(name)
        return name

    def _load(self, stratum: Stratum) -> None:
        """Give pyDatalog the clauses of a stratum, the first time it is run: a KB of thousands of
        provisions starts at once, and only what its questions need is ever loaded."""
        if stratum.number in self._loaded:
            return
        for rule in stratum.rules:
            for instance, body in [(rule.instance, rule.body)] + [(v.instance, v.body) for v in rule.variants]:
                self._publish(compiler.load_clause(instance, rule, body, self._pulsed))
        self._loaded.add(stratum.number)

    def _publish(self, predicates: list) -> None:
        """Make the predicates of a clause asserted in this thread's logic (its head first) the
        same objects in the logic of every thread, and keep them alive (the registry is weak)."""
        head = predicates[0]
        for logic in self._logics:
            logic.Db[head.id] = head
            for pred in predicates:
                logic.Pred_registry[pred.id] = pred
        self._predicates += predicates

    @contextmanager
    def _reporting(self, predicate: str) -> Iterator[None]:
        """What stops an evaluation becomes an EvaluationError naming the query's predicate."""
        try:
            yield
        except limits.LimitExceeded as error:
            raise EvaluationError(f"while evaluating {predicate}: {error}", code="limit-exceeded") from None
        except compiler.ArithmeticFailure as error:
            raise EvaluationError(f"while evaluating {predicate}: {error}", code="type-error") from None
        except TypeError as error:  # pyDatalog comparing values of two types
            raise EvaluationError(f"while evaluating {predicate}: {error}", code="type-error") from None
        except RecursionError:
            raise EvaluationError(f"while evaluating {predicate}: recursion too deep", code="limit-exceeded") from None

    def _ensure(self, model: Model, stratum: Stratum) -> None:
        if stratum.number in model.done:
            return
        if model.base is not None and not stratum.inputs & model.given.keys():
            self._ensure(model.base, stratum)  # what it reads is shared already (evaluation order)
            for predicate in stratum.predicates:
                model.relations[predicate] = model.base.relations[predicate]
        else:
            with self._bound(model):
                self._run(model, stratum)
        model.done.add(stratum.number)

    def _run(self, model: Model, stratum: Stratum) -> None:
        self._load(stratum)
        for predicate in stratum.predicates:
            relation = Relation(self.plan.arities[predicate], self.plan.stated.get(predicate, ()))
            for row in model.given.get(predicate, ()):
                relation.add(row)
            model.relations[predicate] = relation
        found: dict = {}
        for rule in stratum.rules:
            if not rule.recursive:
                self._fire(model, rule, rule.instance, found)
        self._commit(model, found)
        if not stratum.recursive:
            return
        arity = self.plan.arities
        # the first round's delta is every fact so far: stated, given and derived by the
        # non-recursive rules; then each round's delta is what the last one found
        delta = {p: list(model.relations[p]) for p in stratum.predicates}
        variants = [(rule, variant) for rule in stratum.rules for variant in rule.variants]
        try:
            while any(delta.values()):
                found = {}
                for rule, variant in variants:
                    rows = delta[variant.reads]
                    for start in range(0, len(rows), DELTA_CHUNK):  # bounds pyDatalog's tables
                        model.deltas[variant.reads] = Relation(arity[variant.reads], rows[start:start + DELTA_CHUNK])
                        self._fire(model, rule, variant.instance, found)
                new = self._commit(model, found)
                delta = {p: new.get(p, []) for p in stratum.predicates}
        finally:
            model.deltas = {}

    def _fire(self, model: Model, rule: CompiledRule, instance: str, found: dict) -> None:
        """Ask an instance clause; add the firings that derive a fact not known yet to `found`."""
        relation = model.relations[rule.head.predicate]
        for row in self._ask(instance, [pyEngine.Var(v) for v in rule.variables]):
            fact = rule.head_values(row)
            if fact not in relation:
                key = (rule.head.predicate, fact)
                firings = found.get(key)
                if firings is None:
                    found[key] = [(rule.number, row)]
                else:
                    firings.append((rule.number, row))

    def _commit(self, model: Model, found: dict) -> dict[str, list[tuple]]:
        """Add the facts found in a round, each with the firing that has the smallest proof."""
        model.step += 1
        new: dict[str, list[tuple]] = {}
        for (predicate, fact), firings in found.items():
            if len(firings) > 1:
                firings = [self._smallest(model, firings)]
            model.relations[predicate].add(fact, firings[0] + (model.step,))
            new.setdefault(predicate, []).append(fact)
        return new

    def _smallest(self, model: Model, firings: list[tuple[int, tuple]]) -> tuple[int, tuple]:
        """The firing with the smallest proof; then the first rule; then the smallest bindings."""
        def size(firing) -> int:
            rule = self.plan.rules_by_number[firing[0]]
            return 1 + rule.other_steps + sum(model.size(*p) for p in rule.premise_facts(firing[1]))

        ranked = [(size(f), f[0], f) for f in set(firings)]
        best = min(ranked, key=lambda r: r[:2])[:2]
        tied = [f for s, n, f in ranked if (s, n) == best]
        if len(tied) == 1:
            return tied[0]
        try:
            return min(tied, key=lambda f: f[1])  # rows of one rule: their values mostly compare as they are
        except TypeError:  # values of different types in one column
            return min(tied, key=lambda f: tuple(sort_key(v) for v in f[1]))

    def _ask(self, instance: str, args: list) -> list[tuple]:
        """The rows of an instance clause (without the pulse's column)."""
        with limits.restoring_engine():
            if not self._pulsed:
                return list(pyEngine.Literal(instance, args).ask() or ())
            result = pyEngine.Literal(instance, args + [pyEngine.Var(PULSE_VARIABLE)]).ask()
        return [row[:-1] for row in result or ()]
