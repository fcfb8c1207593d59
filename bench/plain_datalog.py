"""A plain-Python semi-naive Datalog evaluator: the floor the engine benchmark compares against.

It reads the same core program (citelog's front end parses and checks it, and gives each rule
body the same join order) but evaluates it on its own, with nothing of citelog's engine: strata
by Tarjan's algorithm, each rule body compiled into steps over variable slots and joined with
hash indexes, recursive strata in semi-naive rounds, negation by lookup, comparisons and
arithmetic with the rule language's typed operators. No provenance, no limits: the fastest
honest Python, to say what an evaluation costs at least.
"""

from __future__ import annotations

import operator
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from citelog.compiler import compile_rule, compute, join_order  # noqa: E402  (join order, typed arithmetic)
from citelog.core import Atom, Const, Negation, Var  # noqa: E402
from citelog.program import Program  # noqa: E402

_COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
            ">=": operator.ge}


class Index:
    """Facts of one predicate with hash indexes by bound positions."""

    def __init__(self):
        self.rows: set[tuple] = set()
        self.by: dict[tuple[int, ...], dict[tuple, list[tuple]]] = {}

    def add(self, row: tuple) -> bool:
        if row in self.rows:
            return False
        self.rows.add(row)
        for positions, index in self.by.items():
            index.setdefault(tuple(row[i] for i in positions), []).append(row)
        return True

    def match(self, positions: tuple[int, ...], key: tuple):
        if not positions:
            return self.rows
        index = self.by.get(positions)
        if index is None:
            index = self.by[positions] = defaultdict(list)
            for row in self.rows:
                index[tuple(row[i] for i in positions)].append(row)
        return index.get(key, ())


def _term(term, slots: dict[str, int]):
    """A function of the environment that gives a term's value."""
    if isinstance(term, Var):
        slot = slots[term.name]
        return lambda env: env[slot]
    if isinstance(term, Const):
        value = term.value
        return lambda env: value
    left, right, op = _term(term.left, slots), _term(term.right, slots), term.op
    return lambda env: compute(op, left(env), right(env))


def _compile(body, head, delta_first: bool):
    """A body as steps over an environment of slots, and a function that builds the head."""
    slots: dict[str, int] = {}
    steps = []
    for number, literal in enumerate(body):
        if isinstance(literal, Atom):
            bound, free = [], []
            for position, arg in enumerate(literal.args):
                if isinstance(arg, Const):
                    bound.append((position, None, arg.value))
                elif arg.name in slots:
                    bound.append((position, slots[arg.name], None))
                else:
                    slots[arg.name] = len(slots)
                    free.append((position, slots[arg.name]))
            positions = tuple(p for p, _, _ in bound)
            slots_ = tuple(s for _, s, _ in bound)
            consts = tuple(v for _, _, v in bound)
            steps.append(("atom", literal.predicate, number == 0 and delta_first, positions, slots_, consts,
                          tuple(free)))
        elif isinstance(literal, Negation):
            bound = tuple((p, _term(a, slots)) for p, a in enumerate(literal.atom.args)
                          if isinstance(a, Const) or a.name in slots)
            steps.append(("not", literal.atom.predicate, bound))
        elif literal.op == "==" and isinstance(literal.left, Var) and literal.left.name not in slots:
            value = _term(literal.right, slots)
            slots[literal.left.name] = len(slots)
            steps.append(("let", slots[literal.left.name], value))
        else:
            steps.append(("test", _COMPARE[literal.op], _term(literal.left, slots), _term(literal.right, slots)))
    builders = [_term(a, slots) for a in head.args]
    return steps, len(slots), lambda env: tuple(build(env) for build in builders)


def _run(steps, size, relations, delta, emit):
    """Every binding of a compiled body, depth first, each passed to `emit`."""
    env = [None] * size

    def step(k: int) -> None:
        if k == len(steps):
            emit(env)
            return
        kind = steps[k][0]
        if kind == "atom":
            _, predicate, reads_delta, positions, slots, consts, free = steps[k]
            source = delta if reads_delta else relations[predicate]
            key = tuple([env[s] if s is not None else v for s, v in zip(slots, consts)])
            following = k + 1
            for row in source.match(positions, key):  # (compile_rule names a repeated variable apart)
                for position, slot in free:
                    env[slot] = row[position]
                step(following)
            for _, slot in free:
                env[slot] = None
        elif kind == "not":
            _, predicate, bound = steps[k]
            positions = tuple(p for p, _ in bound)
            if not any(True for _ in relations[predicate].match(positions, tuple(f(env) for _, f in bound))):
                step(k + 1)
        elif kind == "let":
            _, slot, value = steps[k]
            env[slot] = value(env)
            step(k + 1)
            env[slot] = None
        else:
            _, compare, left, right = steps[k]
            if compare(left(env), right(env)):
                step(k + 1)

    step(0)


def _components(program: Program) -> list[list[str]]:
    """Strongly connected components of head -> body predicates, dependencies first."""
    graph: dict[str, set[str]] = defaultdict(set)
    for rule in program.rules:
        graph[rule.head.predicate]
        for literal in rule.body:
            atom = literal.atom if isinstance(literal, Negation) else literal
            if isinstance(atom, Atom):
                graph[rule.head.predicate].add(atom.predicate)
                graph[atom.predicate]
    index, low, on, stack, order, counter = {}, {}, set(), [], [], [0]
    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on.add(node)
        for child in sorted(graph[node]):
            if child not in index:
                visit(child)
                low[node] = min(low[node], low[child])
            elif child in on:
                low[node] = min(low[node], index[child])
        if low[node] == index[node]:
            members = []
            while True:
                member = stack.pop()
                on.discard(member)
                members.append(member)
                if member == node:
                    break
            order.append(members)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return order


def evaluate(program: Program, facts: dict[str, list[tuple]]) -> dict[str, set[tuple]]:
    """The model of a checked core program over given facts: every relation."""
    relations: dict[str, Index] = defaultdict(Index)
    for name, rows in facts.items():
        for row in rows:
            relations[name].add(tuple(row))
    rules = defaultdict(list)
    for number, rule in enumerate(program.rules):
        if not rule.body and all(isinstance(a, Const) for a in rule.head.args):
            relations[rule.head.predicate].add(tuple(a.value for a in rule.head.args))
        else:
            compiled = compile_rule(rule, number)
            rules[rule.head.predicate].append(compiled)
    for members in _components(program):
        group = set(members)
        mine = [c for p in members for c in rules[p]]
        plain = [c for c in mine if not any(isinstance(a, Atom) and a.predicate in group for a in c.body)]
        for compiled in plain:
            steps, size, head = _compile(compiled.body, compiled.head, False)
            target = relations[compiled.head.predicate]
            _run(steps, size, relations, None, lambda env, t=target, h=head: t.add(h(env)))
        variants = []
        for compiled in mine:
            atoms = [a for a in compiled.body if isinstance(a, Atom) and a.predicate in group]
            for atom in atoms:
                marked = Atom("delta:" + atom.predicate, atom.args, atom.position)
                body = join_order(tuple(marked if lit is atom else lit for lit in compiled.body), marked)
                body = tuple(atom if lit is marked else lit for lit in body)
                steps, size, head = _compile(body, compiled.head, True)
                variants.append((atom.predicate, compiled.head.predicate, steps, size, head))
        delta = {p: relations[p] for p in members}
        while variants and any(delta[p].rows for p in members):
            found: dict[str, Index] = defaultdict(Index)
            for reads, target, steps, size, head in variants:
                full, new = relations[target], found[target]

                def emit(env, full=full, new=new, head=head):
                    row = head(env)
                    if row not in full.rows:
                        new.add(row)

                _run(steps, size, relations, delta[reads], emit)
            for p, index in found.items():
                for row in index.rows:
                    relations[p].add(row)
            delta = {p: found[p] for p in members}
    return {name: index.rows for name, index in relations.items()}
