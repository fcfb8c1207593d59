"""The evaluation plan of a program: its strata, in the order they must be evaluated.

A stratum is a strongly connected component of the dependency graph (head -> body predicate,
negated or not): the predicates defined in terms of each other. The checker has made sure no
stratum negates itself, so evaluating the strata in topological order, each to its fixed point,
gives the program's (stratified) model. A stratum remembers the input predicates it depends on:
a change of given facts re-evaluates only the strata that depend on what changed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .checks import dependency_components
from .compiler import CompiledRule, compile_rule
from .core import Atom, Const, Negation, Rule
from .program import Program


@dataclass(frozen=True)
class Stratum:
    number: int  # its place in the evaluation order
    predicates: tuple[str, ...]
    rules: tuple[CompiledRule, ...]  # the rules that conclude its predicates, in program order
    reads: tuple[int, ...]  # the strata its rules read, directly
    inputs: frozenset[str]  # the input predicates it depends on, its own included

    @property
    def recursive(self) -> bool:
        return any(rule.recursive for rule in self.rules)


class Plan:
    """Compiled rules, stated facts and strata of a program."""

    def __init__(self, program: Program):
        self.arities: dict[str, int] = {}
        for decl in program.declarations:
            self.arities.setdefault(decl.name, len(decl.params))
        self.stated: dict[str, dict[tuple, list[Rule]]] = defaultdict(dict)  # facts a provision states
        component = dependency_components(program.rules)
        self.compiled: list[CompiledRule] = []
        for number, rule in enumerate(program.rules):
            self.arities.setdefault(rule.head.predicate, len(rule.head.args))
            for literal in rule.body:
                atom = literal.atom if isinstance(literal, Negation) else literal
                if isinstance(atom, Atom):
                    self.arities.setdefault(atom.predicate, len(atom.args))
            if rule.is_fact and all(isinstance(a, Const) for a in rule.head.args):
                values = tuple(a.value for a in rule.head.args)
                self.stated[rule.head.predicate].setdefault(values, []).append(rule)
            else:
                self.compiled.append(compile_rule(rule, number, component))
        self.rules_by_number = {c.number: c for c in self.compiled}
        self.strata = _strata(self.arities, self.compiled, component, set(program.input_predicates))
        self.stratum_of = {p: s for s in self.strata for p in s.predicates}
        self._needed: dict[int, tuple[int, ...]] = {}

    def rules_for(self, predicate: str) -> tuple[CompiledRule, ...]:
        stratum = self.stratum_of.get(predicate)
        return tuple(r for r in stratum.rules if r.head.predicate == predicate) if stratum else ()

    def needed(self, predicate: str) -> tuple[Stratum, ...]:
        """The strata a predicate depends on, its own last, in evaluation order."""
        top = self.stratum_of[predicate].number
        found = self._needed.get(top)
        if found is None:
            seen, stack = {top}, [top]
            while stack:
                for read in self.strata[stack.pop()].reads:
                    if read not in seen:
                        seen.add(read)
                        stack.append(read)
            found = self._needed[top] = tuple(sorted(seen))
        return tuple(self.strata[n] for n in found)


def _strata(arities: dict[str, int], compiled: list[CompiledRule], component: dict[str, int],
            inputs: set[str]) -> list[Stratum]:
    """Components in topological order (what a stratum reads comes before it)."""
    members: dict[int, list[str]] = defaultdict(list)
    for predicate in sorted(arities):
        members[component.get(predicate, -1 - len(members))].append(predicate)
    group_of = {p: key for key, ps in members.items() for p in ps}
    reads: dict[int, set[int]] = defaultdict(set)
    rules: dict[int, list[CompiledRule]] = defaultdict(list)
    for rule in compiled:
        key = group_of[rule.head.predicate]
        rules[key].append(rule)
        for literal in rule.written:
            atom = literal.atom if isinstance(literal, Negation) else literal
            if isinstance(atom, Atom) and group_of[atom.predicate] != key:
                reads[key].add(group_of[atom.predicate])
    order: list[int] = []
    placed: set[int] = set()
    for root in sorted(members, key=lambda k: members[k]):  # depth first, dependencies first
        stack = [(root, iter(sorted(reads[root], key=lambda k: members[k])))]
        if root in placed:
            continue
        placed.add(root)
        while stack:
            key, pending = stack[-1]
            child = next(pending, None)
            if child is None:
                stack.pop()
                order.append(key)
            elif child not in placed:
                placed.add(child)
                stack.append((child, iter(sorted(reads[child], key=lambda k: members[k]))))
    number = {key: n for n, key in enumerate(order)}
    strata: list[Stratum] = []
    for key in order:
        own_inputs = {p for p in members[key] if p in inputs}
        depends = own_inputs.union(*(strata[number[r]].inputs for r in reads[key]))
        strata.append(Stratum(number[key], tuple(members[key]), tuple(rules[key]),
                              tuple(sorted(number[r] for r in reads[key])), frozenset(depends)))
    return strata
