"""A plain-Python semi-naive Datalog evaluator: the floor the engine benchmark compares against.

It reads the same core program (citelog's front end parses and checks it) but evaluates it on
its own, with nothing of citelog's engine: strata by Tarjan's algorithm, rules joined left to
right with hash indexes, recursive strata in semi-naive rounds, negation by lookup, comparisons
and arithmetic with the rule language's typed operators. No provenance, no limits: the fastest
honest Python, to say what an evaluation costs at least.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from citelog.compiler import compile_rule, compute, join_order  # noqa: E402  (join order, typed arithmetic)
from citelog.program import Program  # noqa: E402
from citelog.syntax import Atom, Const, Negation, Var  # noqa: E402

_COMPARE = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def _value(term, env):
    if isinstance(term, Var):
        return env[term.name]
    if isinstance(term, Const):
        return term.value
    return compute(term.op, _value(term.left, env), _value(term.right, env))


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


def _join(body, relations, env, delta_at=None, delta=None):
    """Every binding of a body, left to right; atom number `delta_at` reads `delta`."""
    if not body:
        yield env
        return
    literal, rest = body[0], body[1:]
    if isinstance(literal, Atom):
        source = delta if delta_at == 0 else relations[literal.predicate]
        positions, key, free = [], [], []
        for i, arg in enumerate(literal.args):
            if isinstance(arg, Const):
                positions.append(i)
                key.append(arg.value)
            elif arg.name in env:
                positions.append(i)
                key.append(env[arg.name])
            else:
                free.append((i, arg.name))
        shift = None if delta_at is None else delta_at - 1
        for row in source.match(tuple(positions), tuple(key)):
            extended = dict(env)
            if all(extended.setdefault(name, row[i]) == row[i] for i, name in free):
                yield from _join(rest, relations, extended, shift, delta)
    elif isinstance(literal, Negation):
        atom = literal.atom
        positions = tuple(i for i, a in enumerate(atom.args) if isinstance(a, Const) or a.name in env)
        key = tuple(_value(atom.args[i], env) for i in positions)
        if not any(True for _ in relations[atom.predicate].match(positions, key)):
            yield from _join(rest, relations, env, delta_at, delta)
    else:
        if literal.op == "==" and isinstance(literal.left, Var) and literal.left.name not in env:
            yield from _join(rest, relations, {**env, literal.left.name: _value(literal.right, env)}, delta_at, delta)
        elif _COMPARE[literal.op](_value(literal.left, env), _value(literal.right, env)):
            yield from _join(rest, relations, env, delta_at, delta)


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
            rules[rule.head.predicate].append((compiled.head, compiled.body))
    for members in _components(program):
        group = set(members)
        mine = [(head, body) for p in members for head, body in rules[p]]
        recursive = [(head, body, [i for i, lit in enumerate(a for a in body if isinstance(a, Atom))
                                   if lit.predicate in group]) for head, body in mine]
        recursive = [r for r in recursive if r[2]]
        delta: dict[str, Index] = defaultdict(Index)
        for head, body in mine:
            if any(isinstance(lit, Atom) and lit.predicate in group for lit in body):
                continue
            for env in _join(body, relations, {}):
                row = tuple(_value(a, env) for a in head.args)
                relations[head.predicate].add(row)
        for p in members:
            for row in relations[p].rows:
                delta[p].add(row)
        while recursive and any(delta[p].rows for p in members):
            found: dict[str, Index] = defaultdict(Index)
            for head, body, positions in recursive:
                atoms = [lit for lit in body if isinstance(lit, Atom)]
                for position in positions:
                    # the atom reading the delta goes first; the rest keep their order
                    reordered = _delta_first(body, atoms[position])
                    for env in _join(reordered, relations, {}, 0, delta[atoms[position].predicate]):
                        row = tuple(_value(a, env) for a in head.args)
                        if row not in relations[head.predicate].rows:
                            found[head.predicate].add(row)
            for p, index in found.items():
                for row in index.rows:
                    relations[p].add(row)
            delta = found
    return {name: index.rows for name, index in relations.items()}


def _delta_first(body, atom):
    """The body in the join order citelog gives a semi-naive variant: the delta atom first."""
    marked = Atom("delta:" + atom.predicate, atom.args, atom.position)
    ordered = join_order(tuple(marked if lit is atom else lit for lit in body), marked)
    return tuple(atom if lit is marked else lit for lit in ordered)
