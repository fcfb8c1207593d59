"""The evaluation plan (engine/strata.py): strata in dependency order, recursive components as one
stratum, and one variant of a recursive rule per recursive call (semi-naive evaluation)."""

from __future__ import annotations

from citelog.pipeline import build_plain
from citelog.strata import Plan


def plan(rules: list[str], inputs: dict[str, int]) -> Plan:
    return Plan(build_plain(rules, inputs))


class TestStrata:
    def test_strata_come_in_dependency_order(self):
        strata = plan(["b(X) :- a(X).", "c(X) :- b(X), not a2(X).", "a2(X) :- a(X), X > 1."], {"a": 1}).strata
        order = {p: s.number for s in strata for p in s.predicates}
        assert order["a"] < order["b"] < order["c"] and order["a"] < order["a2"] < order["c"]

    def test_mutual_recursion_is_one_recursive_stratum(self):
        built = plan(["even(X) :- zero(X).", "even(Y) :- odd(X), succ(X, Y).", "odd(Y) :- even(X), succ(X, Y)."],
                     {"zero": 1, "succ": 2})
        stratum = built.stratum_of["even"]
        assert stratum is built.stratum_of["odd"] and stratum.recursive
        assert {r.head.predicate for r in stratum.rules} == {"even", "odd"}
        assert stratum.inputs == {"zero", "succ"}

    def test_a_recursive_rule_gets_one_variant_per_recursive_call(self):
        built = plan(["p(X, Z) :- p(X, Y), p(Y, Z), e(Y, Z).", "p(X, Y) :- e(X, Y)."], {"e": 2})
        recursive, plain = built.rules_for("p")
        assert len(recursive.variants) == 2 and not plain.variants
        for variant in recursive.variants:  # each reads the delta of one call, first
            assert variant.body[0].predicate == "delta:p"
