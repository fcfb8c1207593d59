"""The stratum-driven evaluator (engine/evaluator.py): rounds, derivation records, models shared
between scenarios, and limits that hold inside any join. Its plan (the strata) is tested in
test_strata.py, its indexed relations in test_relations.py."""

from __future__ import annotations

import datetime
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import citelog
from citelog import EvaluationError, Limits

from conftest import HEADER
from test_semantics import _closure

CLOSURE = ["path(X, Y) :- edge(X, Y).", "path(X, Z) :- path(X, Y), edge(Y, Z)."]


LINKS = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]  # a cycle a -> b -> c -> a, and c -> d


@pytest.fixture
def kb(routes_kb):
    return citelog.load(routes_kb)


class TestRounds:
    @pytest.mark.parametrize("rules", [
        CLOSURE,
        ["path(X, Y) :- edge(X, Y).", "path(X, Z) :- edge(X, Y), path(Y, Z)."],
        ["path(X, Y) :- edge(X, Y).", "path(X, Z) :- path(X, Y), path(Y, Z)."],
    ], ids=["left", "right", "double"])
    def test_every_recursive_shape_reaches_the_closure(self, rules):
        edges = {(i, (i * 7 + 3) % 40) for i in range(40)} | {(i, i + 1) for i in range(0, 40, 3)}
        assert citelog.evaluate({"edge": edges}, rules)["path"] == _closure(edges)

    def test_mutual_recursion(self):
        succ = [(i, i + 1) for i in range(30)]
        model = citelog.evaluate({"zero": [(0,)], "succ": succ},
                                 ["even(X) :- zero(X).", "even(Y) :- odd(X), succ(X, Y).",
                                  "odd(Y) :- even(X), succ(X, Y)."])
        assert model["even"] == {(i,) for i in range(0, 31, 2)}
        assert model["odd"] == {(i,) for i in range(1, 31, 2)}

    def test_negation_over_a_recursive_stratum(self):
        edges = [(0, 1), (1, 2), (2, 0), (3, 4), (5, 5)]
        model = citelog.evaluate({"node": [(n,) for n in range(7)], "edge": edges}, [
            "reach(Y) :- edge(0, Y).", "reach(Y) :- reach(X), edge(X, Y).",
            "unreachable(X) :- node(X), not reach(X)."])
        assert model["unreachable"] == {(3,), (4,), (5,), (6,)}

    def test_arithmetic_in_a_recursion_stops_where_its_condition_says(self):
        model = citelog.evaluate({}, ["count(0).", "count(N) :- count(M), M < 50, N = M + 1."])
        assert model["count"] == {(n,) for n in range(51)}

    def test_dates_in_a_recursion(self):
        start = datetime.date(2024, 2, 28)
        model = citelog.evaluate({"start": [(start,)]},
                                 ["day(D) :- start(D).", "day(E) :- day(D), E = D + 1, E < 2024-03-03."])
        assert sorted(str(d) for (d,) in model["day"]) == ["2024-02-28", "2024-02-29", "2024-03-01", "2024-03-02"]

    def test_facts_and_rules_of_one_recursive_predicate(self):
        model = citelog.evaluate({"edge": [(2, 3)]}, ["path(1, 2).", *CLOSURE])
        assert model["path"] == {(1, 2), (2, 3), (1, 3)}


class TestDerivations:
    def test_each_derived_fact_records_the_firing_of_its_first_round(self, kb):
        kb.add_facts({"link": LINKS})
        number, row, step = kb.derivation("route", ("a", "c"))  # a -> b -> c: two links, a later round
        rule = kb.compiled_rule(number)
        assert rule.rule.id != "19 U.S.C. 1508(c)#1" and dict(zip(rule.variables, row)) == {"X": "a", "Y": "b", "Z": "c"}
        base, _, first = kb.derivation("route", ("a", "b"))  # one link: the base rule, the first round
        assert base != number and first < step
        assert kb.derivation("link", ("a", "b")) is None  # given

    def test_citations_are_read_from_the_record_without_asking_pydatalog(self, kb, monkeypatch):
        kb.add_facts({"link": LINKS})
        kb.query("route(X, Y)")  # evaluated once
        asked = []
        monkeypatch.setattr(kb.engine, "_ask", lambda *args: asked.append(args) or [])
        cited = citelog.Prover(kb).cited("route(a, Y)")
        assert [one.answer["Y"] for one in cited] == ["a", "b", "c", "d"]
        assert {one.citations for one in cited} == {("19 U.S.C. 1508(c)",)}
        assert asked == []

    def test_a_proof_through_a_long_chain_needs_no_recursion(self, make_kb):
        kb = citelog.load(make_kb(HEADER + 'input link(From, To) means "a direct link".\n'
                                  'provision "19 U.S.C. 1508(c)" {\n  reconstructed "reach"\n'
                                  '  reached(Y) :- link(n0, Y).\n  reached(Y) :- reached(X), link(X, Y).\n}\n'))
        kb.add_facts({"link": [(f"n{i}", f"n{i + 1}") for i in range(5000)]})
        proof = citelog.Prover(kb).prove("reached", ("n5000",))
        depth, node = 0, proof
        while node.premises:
            node, depth = node.premises[0], depth + 1
        assert depth == 5000 and proof.citations() == ["19 U.S.C. 1508(c)"]


class TestModels:
    def test_a_scenario_re_evaluates_only_what_its_facts_reach(self, kb):
        must_keep = kb.engine.evaluate(kb._pristine, "must_keep")
        with kb.scenario({"link": LINKS}):
            model = kb._model()
            assert kb.engine.evaluate(model, "must_keep") is must_keep  # shared: no link reaches it
            assert kb.engine.evaluate(model, "route") is not kb.engine.evaluate(kb._pristine, "route")

    def test_scenarios_in_threads_see_only_their_own_facts(self, routes_kb):
        kb = citelog.load(routes_kb)
        kb.add_facts({"imports": [("shared", "e0")]})
        barrier = threading.Barrier(8)

        def work(k: int) -> list[str]:
            barrier.wait()
            if k % 2:
                return [a["P"] for a in kb.query("is_a(P, importer)")]
            with kb.scenario({"imports": [(f"mine{k}", "e1")], "agent_of": [(f"agent{k}", f"mine{k}")]}):
                time.sleep(0.01)  # let the other threads run inside the block
                return [a["P"] for a in kb.query("is_a(P, importer)")]

        for _ in range(5):
            with ThreadPoolExecutor(max_workers=8) as pool:
                results = list(pool.map(work, range(8)))
            for k, found in enumerate(results):
                expected = ["kbco", "shared"] if k % 2 else sorted([f"agent{k}", "kbco", f"mine{k}", "shared"])
                assert found == expected, k

    def test_add_facts_inside_a_scenario_changes_that_scenario_only(self, kb):
        with kb.scenario({"imports": [("one", "e1")]}):
            kb.add_facts({"imports": [("two", "e2")]})
            assert {a["P"] for a in kb.query("is_a(P, importer)")} == {"kbco", "one", "two"}
            kb.withdraw_facts()
            assert {a["P"] for a in kb.query("is_a(P, importer)")} == {"kbco", "one"}
        assert {a["P"] for a in kb.query("is_a(P, importer)")} == {"kbco"}


class TestLimits:
    """A limit holds inside any join: pyDatalog calls the pulse at each step of it."""

    SECONDS = 1.0

    @pytest.mark.parametrize("rules, facts", [
        # partial matches never complete (f needs a value computed from all four: no join order helps)
        (["p(A, B, C, D) :- a(A), b(B), c(C), d(D), S = A + B + C + D, f(S)."],
         {n: [(i,) for i in range(100)] for n in "abcd"} | {"f": [(-1,)]}),
        # f(T) is searched once per value of T, then replayed from pyDatalog's tables for every A
        (["p(B, C) :- a(A), b(B), c(C), T = B * 1000 + C, f(T)."],
         {n: [(i,) for i in range(300)] for n in "abc"} | {"f": [(-1,)]}),
        (["p(X, Z) :- e(X, Y), e(Y, Z), e(Z, W), X > W + 1000."],  # a dense join whose firings all fail a test
         {"e": [(i, j) for i in range(120) for j in range(0, 120, 2)]}),
    ], ids=["never-complete", "replayed", "dense"])
    def test_the_time_limit_stops_any_join(self, rules, facts):
        started = time.monotonic()
        with pytest.raises(EvaluationError) as caught:
            citelog.evaluate(facts, rules, limits=Limits(seconds=self.SECONDS, firings=None))
        elapsed = time.monotonic() - started
        assert caught.value.code == "limit-exceeded" and "time limit" in caught.value.message
        assert elapsed < self.SECONDS * 4  # the exact figure is bench/bench_limits.py's: a test only bounds it

    def test_firings_are_counted_inside_one_join(self):
        facts = {"e": [(i, j) for i in range(200) for j in range(200)]}  # 8,000,000 firings in one question
        with pytest.raises(EvaluationError) as caught:
            citelog.evaluate(facts, ["p(X, Z) :- e(X, Y), e(Y, Z)."], limits=Limits(seconds=None, firings=50_000))
        assert "50,000 rule firings" in caught.value.message

    def test_a_type_error_in_a_recursion_is_reported_at_once(self):
        started = time.monotonic()
        with pytest.raises(EvaluationError) as caught:
            citelog.evaluate({"n": [(1,)]}, ["m(X) :- n(X).", 'm(X) :- m(Y), X = Y + "a".'],
                             limits=Limits(seconds=30, firings=None))
        assert caught.value.code == "type-error" and "integer + string" in caught.value.message
        assert time.monotonic() - started < 5

    def test_a_date_past_9999_is_an_error_not_a_value(self):
        with pytest.raises(EvaluationError) as caught:
            citelog.evaluate({"d": [(datetime.date(9999, 12, 1),)]}, ["v(E) :- d(D), E = D + 100."])
        assert caught.value.code == "type-error" and "9999-12-01 + 100" in caught.value.message


def test_a_variable_only_inside_an_expression_of_an_atom_is_unsafe():
    with pytest.raises(citelog.CheckError) as caught:
        citelog.evaluate({"f": [(1, "a")]}, ["g(N, X) :- f(N - 1, X)."])
    assert caught.value.code == "unsafe-variable"
    assert (caught.value.position.line, caught.value.position.column) == (1, 14)
    assert citelog.evaluate({"f": [(1, "a")], "n": [(2,)]}, ["g(N, X) :- n(N), f(N - 1, X)."])["g"] == {(2, "a")}
