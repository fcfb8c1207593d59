"""The knowledge-base API: loading, queries, isolation, scenarios, threads and proofs."""

from __future__ import annotations

import gc
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import citelog
from citelog.checks import CITATION
from citelog.core import Atom, Var
from citelog.names import INTERNAL
from citelog.values import sort_key

from conftest import ROUTES_KB, run_python, write_kb

LINKS = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]  # a cycle a -> b -> c -> a, and c -> d


def values(answers):
    return [a.values for a in answers]


def bindings(answers):
    return [a.bindings for a in answers]


# ---- the bundled KB (only what will stay: is_a, duty, retention, must_keep, imports/2 and three labels)


@pytest.fixture(scope="module")
def bundled():
    return citelog.load()


class TestBundledKb:
    def test_loads(self, bundled):
        assert isinstance(bundled, citelog.KnowledgeBase)
        assert bundled.program.input_predicates["imports"] == 2
        labels = {r.id for r in bundled.program.rules if r.labelled}
        assert {"importer", "drawback_claimant", "knowing_causer"} <= labels

    @pytest.mark.parametrize(
        "query, arity",
        [("is_a(P, C)", 2), ("duty(C, A, R)", 3), ("retention(R, N, U, T, B)", 5), ("must_keep(C, R, N, U, T, B)", 6)],
    )
    def test_core_predicates_answer_sorted(self, bundled, query, arity):
        answers = bundled.query(query)
        assert all(len(a.values) == arity for a in answers)
        assert len(set(values(answers))) == len(answers)  # no duplicates
        assert answers == sorted(answers, key=lambda a: tuple(sort_key(v) for v in a.values))
        assert bundled.query(query) == answers  # stable

    def test_headline_question_has_cited_answers(self, bundled):
        answers = bundled.query("must_keep(C, R, N, U, T, B)")
        assert answers
        prover = citelog.Prover(bundled)
        for answer in answers:
            assert set(answer.as_dict()) == {"C", "R", "N", "U", "T", "B"}
            assert type(answer["N"]) is int
            proof = prover.prove("must_keep", answer.values)
            assert proof is not None
            assert any(CITATION.fullmatch(c) for c in proof.citations())

    def test_retention_periods_have_a_known_bound(self, bundled):
        answers = bundled.query("retention(R, N, U, T, B)")
        assert answers
        assert {a["B"] for a in answers} <= {"exactly", "at_least", "at_most", "until", "as_prescribed"}
        assert all(type(a["N"]) is int for a in answers)

    def test_no_one_is_anything_without_a_scenario(self, bundled):
        assert bundled.query("is_a(P, C)") == []

    def test_importer_scenario(self, bundled):
        with bundled.scenario({"imports": [("acme", "entry-1")]}):
            answers = bundled.query("is_a(acme, C)")
            assert answers
            prover = citelog.Prover(bundled)
            rule_ids = {
                proof.rule.id
                for proof in (prover.prove("is_a", a.values) for a in answers)
                if proof is not None and proof.rule is not None
            }
            assert "importer" in rule_ids
        assert bundled.query("is_a(acme, C)") == []


# ---- queries on a small KB ----------------------------------------------------------------------------


@pytest.fixture
def kb(routes_kb):
    return citelog.load(routes_kb)


class TestQueries:
    def test_answers_with_bindings_in_sorted_order(self, kb):
        kb.add_facts({"link": [("z", "c"), ("a", "c"), ("m", "c"), ("a", "b")]})
        answers = kb.query('link(X, "c")')
        assert values(answers) == [("a", "c"), ("m", "c"), ("z", "c")]
        assert bindings(answers) == [(("X", "a"),), (("X", "m"),), (("X", "z"),)]
        assert [a["X"] for a in answers] == ["a", "m", "z"]
        assert answers[0].as_dict() == {"X": "a"}
        assert {a.predicate for a in answers} == {"link"}

    def test_bare_name_and_string_query_the_same_constant(self, kb):
        assert kb.query("link(X, p2)") == kb.query('link(X, "p2")') != []

    def test_sorted_by_type_then_value(self, kb):
        kb.add_facts({"imports": [("n", 10), ("n", 9), ("n", "10"), ("n", "9")]})
        assert [a["E"] for a in kb.query("imports(n, E)")] == [9, 10, "10", "9"]

    def test_variables_in_order_of_first_appearance(self, kb):
        (answer,) = kb.query("must_keep(C, R, N, U, T, B)")
        assert answer.bindings == (
            ("C", "importer"), ("R", "entry_records"), ("N", 5), ("U", "years"), ("T", "entry"), ("B", "at_least"),
        )

    def test_ground_query(self, kb):
        (answer,) = kb.query("route(p1, p3)")
        assert answer.bindings == ()
        assert answer.values == ("p1", "p3")
        assert kb.query("route(p3, p1)") == []

    def test_repeated_variable(self, kb):
        kb.add_facts({"link": LINKS})
        assert bindings(kb.query("route(X, X)")) == [(("X", "a"),), (("X", "b"),), (("X", "c"),)]

    def test_anonymous_variable_is_not_reported_and_gives_no_duplicates(self, kb):
        kb.add_facts({"link": LINKS})
        answers = kb.query("route(_, X)")
        assert bindings(answers) == [(("X", "a"),), (("X", "b"),), (("X", "c"),), (("X", "d"),), (("X", "p2"),), (("X", "p3"),)]

    def test_anonymous_variable_is_apart_from_underscore_variables(self, kb):
        answers = kb.query("route(_, _q0)")
        assert {a.values[1] for a in answers} == {"p2", "p3"}

    def test_query_with_only_anonymous_variables(self, kb):
        answers = kb.query("route(_, _)")
        assert bindings(answers) == [()]

    def test_unknown_predicate_with_hint(self, kb):
        with pytest.raises(citelog.QueryError) as caught:
            kb.query("rout(X, Y)")
        error = caught.value
        assert isinstance(error, citelog.CitelogError)
        assert error.code == "unknown-predicate"
        assert "did you mean 'route'?" in error.message
        assert (error.position.line, error.position.column) == (1, 1)

    def test_generated_predicates_cannot_be_queried(self, kb):
        compiled = kb.compiled_rules("route")[0]
        assert INTERNAL in compiled.instance
        atom = Atom(compiled.instance, tuple(Var(f"V{i}") for i in range(len(compiled.variables))))
        with pytest.raises(citelog.QueryError) as caught:
            kb.query(atom)
        assert caught.value.code == "unknown-predicate"

    def test_arity_mismatch(self, kb):
        with pytest.raises(citelog.QueryError) as caught:
            kb.query("route(X)")
        assert caught.value.code == "arity-mismatch"
        assert "route takes 2 argument(s), not 1" in caught.value.message

    def test_expression_in_query(self, kb):
        with pytest.raises(citelog.QueryError) as caught:
            kb.query("route(X, Y + 1)")
        assert caught.value.code == "bad-query"
        assert caught.value.position.column == 10

    @pytest.mark.parametrize("text", ["route(X", "route(X, Y) extra", "X", "route(X,, Y)", ""])
    def test_malformed_atom(self, kb, text):
        with pytest.raises(citelog.CheckError) as caught:
            kb.query(text)
        (diagnostic,) = caught.value.diagnostics
        assert diagnostic.code == "syntax-error"
        assert diagnostic.position.line == 1 and diagnostic.position.column >= 1
        assert "expected" in diagnostic.message

    def test_bad_date_in_query(self, kb):
        with pytest.raises(citelog.CheckError) as caught:
            kb.query("route(X, 2023-02-30)")
        assert caught.value.code == "bad-value"


# ---- isolation and scenarios --------------------------------------------------------------------------


class TestIsolation:
    def test_two_kbs_do_not_share_facts(self, routes_kb):
        first = citelog.load(routes_kb)
        second = citelog.load(routes_kb)
        first.add_facts({"link": [("x", "y")], "imports": [("only_first", "e1")]})
        assert ("x", "y") in values(first.query("route(X, Y)"))
        assert values(second.query("route(X, Y)")) == [("p1", "p2"), ("p1", "p3"), ("p2", "p3")]
        assert values(second.query("imports(P, E)")) == [("kbco", "e0")]
        second.add_facts({"imports": [("only_second", "e2")]})
        assert values(first.query("imports(P, E)")) == [("kbco", "e0"), ("only_first", "e1")]
        assert values(second.query("imports(P, E)")) == [("kbco", "e0"), ("only_second", "e2")]

    def test_kbs_with_different_rules(self, routes_kb, tmp_path):
        other_root = write_kb(
            tmp_path / "other",
            ROUTES_KB.replace("route(X, Z) :- route(X, Y), link(Y, Z).", "route(X, X) :- link(X, _)."),
        )
        full = citelog.load(routes_kb)
        other = citelog.load(other_root)
        assert values(full.query("route(p1, X)")) == [("p1", "p2"), ("p1", "p3")]
        assert values(other.query("route(p1, X)")) == [("p1", "p1"), ("p1", "p2")]
        assert values(full.query("route(p1, X)")) == [("p1", "p2"), ("p1", "p3")]

    def test_evaluate_does_not_disturb_a_loaded_kb(self, kb):
        before = kb.query("route(X, Y)")
        assert citelog.evaluate({"link": [("p3", "p4")]}, ["route(X, Y) :- link(X, Y)."])["route"] == {("p3", "p4")}
        assert kb.query("route(X, Y)") == before


class TestScenarios:
    def test_add_and_withdraw_restores_the_answers(self, kb):
        queries = ["route(X, Y)", "is_a(P, C)", "imports(P, E)", "must_keep(C, R, N, U, T, B)"]
        original = {q: kb.query(q) for q in queries}
        compiled = {p: kb.compiled_rules(p) for p in ("route", "is_a", "must_keep")}
        added = kb.add_facts({"link": LINKS, "imports": [("acme", "e1")], "agent_of": [("zed", "acme")]})
        assert added == len(LINKS) + 2
        assert values(kb.query("is_a(P, C)")) == [("acme", "importer"), ("kbco", "importer"), ("zed", "importer")]
        assert len(kb.query("route(X, Y)")) == 3 + 9 + 3  # p1..p3, the cycle, the cycle to d
        assert sorted(kb.given_facts()) == sorted(
            [("link", link) for link in LINKS] + [("imports", ("acme", "e1")), ("agent_of", ("zed", "acme"))]
        )
        kb.withdraw_facts()
        assert {q: kb.query(q) for q in queries} == original
        assert kb.given_facts() == []
        # the rules were not recompiled
        for predicate, rules in compiled.items():
            now = kb.compiled_rules(predicate)
            assert len(now) == len(rules) and all(a is b for a, b in zip(now, rules))

    def test_scenario_fact_equal_to_a_kb_fact(self, kb):
        assert kb.add_facts({"imports": [("kbco", "e0"), ("new", "e9")], "link": [("p1", "p2")]}) == 1
        assert values(kb.query("imports(P, E)")) == [("kbco", "e0"), ("new", "e9")]
        kb.withdraw_facts()
        assert values(kb.query("imports(P, E)")) == [("kbco", "e0")]
        assert values(kb.query("route(X, Y)")) == [("p1", "p2"), ("p1", "p3"), ("p2", "p3")]
        assert values(kb.query("is_a(P, C)")) == [("kbco", "importer")]

    def test_adding_a_fact_twice_counts_once(self, kb):
        assert kb.add_facts({"imports": [("a", "e"), ("a", "e")]}) == 1
        assert kb.add_facts({"imports": [("a", "e")]}) == 0
        kb.withdraw_facts()
        assert values(kb.query("imports(P, E)")) == [("kbco", "e0")]

    def test_scenario_context_manager(self, kb):
        with kb.scenario({"imports": [("s", "e")]}) as same:
            assert same is kb
            assert values(kb.query("is_a(P, importer)")) == [("kbco", "importer"), ("s", "importer")]
        assert values(kb.query("is_a(P, importer)")) == [("kbco", "importer")]

    def test_scenario_withdrawn_after_an_error(self, kb):
        with pytest.raises(RuntimeError):
            with kb.scenario({"imports": [("s", "e")]}):
                raise RuntimeError("boom")
        assert values(kb.query("imports(P, E)")) == [("kbco", "e0")]

    def test_successive_scenarios(self, kb):
        for person in ("one", "two", "three"):
            with kb.scenario({"imports": [(person, "e")]}):
                assert values(kb.query("is_a(P, importer)")) == sorted([("kbco", "importer"), (person, "importer")])

    @pytest.mark.parametrize(
        "facts, code",
        [
            ({"route": [("a", "b")]}, "unknown-input"),
            ({"nope": [(1,)]}, "unknown-input"),
            ({"imports": [("a",)]}, "arity-mismatch"),
            ({"imports": [("a", 1.5)]}, "bad-value"),
        ],
    )
    def test_bad_facts(self, kb, facts, code):
        before = kb.query("imports(P, E)")
        with pytest.raises(citelog.InputError) as caught:
            kb.add_facts(facts)
        assert caught.value.code == code
        assert kb.query("imports(P, E)") == before
        assert kb.given_facts() == []


    def test_given_text_is_read_in_nfc_like_a_rule_file(self, kb):
        kb.add_facts({"imports": [("socie\u0301te\u0301", "e1")]})
        assert values(kb.query('imports("soci\u00e9t\u00e9", E)')) == [("soci\u00e9t\u00e9", "e1")]
        assert values(kb.query('imports("socie\u0301te\u0301", E)')) == [("soci\u00e9t\u00e9", "e1")]
        kb.withdraw_facts()


class TestValuesOfTheApi:
    """Issue 15: a number too long to convert, a loose date: diagnostics with a place and a code."""

    @pytest.mark.parametrize("rule, column", [("p(" + "9" * 5000 + ").", 3), ("p(X) :- q(X), X = 2024-1-5.", 19)])
    def test_evaluate(self, rule, column):
        with pytest.raises(citelog.CheckError) as caught:
            citelog.evaluate({"q": [(1,)]}, [rule])
        (found,) = caught.value.diagnostics
        assert (found.code, str(found.position)) == ("bad-value", f"<rule 1>:1:{column}")

    @pytest.mark.parametrize("atom", ["imports(P, " + "9" * 5000 + ")", "imports(P, 2024-1-5)"])
    def test_query(self, kb, atom):
        with pytest.raises(citelog.CheckError) as caught:
            kb.query(atom)
        assert (caught.value.code, str(caught.value.position)) == ("bad-value", "<query>:1:12")


# ---- threads -----------------------------------------------------------------------------------------


class TestThreads:
    def test_eight_threads_answer_like_serial_queries(self, routes_kb):
        facts = {"link": [(f"n{i}", f"n{i + 1}") for i in range(25)] + LINKS, "imports": [("acme", "e1")],
                 "agent_of": [("zed", "acme")]}
        queries = [f"route(n{i}, X)" for i in range(0, 25, 3)] + [
            "route(X, Y)", "is_a(P, C)", "must_keep(C, R, N, U, T, B)", "route(X, X)", "route(n3, n20)",
        ]
        serial_kb = citelog.load(routes_kb)
        serial_kb.add_facts(facts)
        expected = {q: serial_kb.query(q) for q in queries}
        assert len(expected["route(X, Y)"]) == 3 + 12 + 25 * 26 // 2

        shared = citelog.load(routes_kb)
        shared.add_facts(facts)
        start = threading.Barrier(8)

        def work(k):
            start.wait()
            mine = queries[k:] + queries[:k]
            return [(q, shared.query(q)) for q in mine] + [
                ("proof", citelog.Prover(shared).prove("route", ("n0", f"n{10 + k}")).citations())
            ]

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(work, range(8)))
        for result in results:
            for query, answers in result:
                if query == "proof":
                    assert answers == ["19 U.S.C. 1508(c)"]
                else:
                    assert answers == expected[query], query

    def test_two_kbs_in_threads(self, routes_kb):
        kbs = [citelog.load(routes_kb), citelog.load(routes_kb)]
        kbs[0].add_facts({"imports": [("first", "e")]})
        kbs[1].add_facts({"imports": [("second", "e")]})

        def work(k):
            return values(kbs[k % 2].query("is_a(P, importer)"))

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(work, range(16)))
        for k, result in enumerate(results):
            assert result == sorted([("kbco", "importer"), (("first", "second")[k % 2], "importer")])


    def test_threads_leave_the_garbage_collector_as_they_found_it(self, routes_kb):
        # evaluation tunes the collector (a process-wide setting) around each query; queries on
        # different KBs run at the same time, so the tuning must not leak out of them
        kbs = [citelog.load(routes_kb) for _ in range(8)]
        for kb in kbs:
            kb.add_facts({"link": [(f"n{i}", f"n{i + 1}") for i in range(30)]})
        original = gc.get_threshold()
        switch = sys.getswitchinterval()
        gc.set_threshold(700, 10, 10)  # a known setting (an earlier test may have changed it)
        sys.setswitchinterval(1e-5)  # switch threads often, so that queries overlap
        start = threading.Barrier(8)

        def work(k):
            start.wait()
            return [len(kbs[k].query(f"route(n{j}, X)")) for j in range(30)]

        try:
            with ThreadPoolExecutor(max_workers=8) as pool:
                results = list(pool.map(work, range(8)))
            after = gc.get_threshold()
        finally:
            sys.setswitchinterval(switch)
            gc.set_threshold(*original)
        assert results == [list(range(30, 0, -1))] * 8
        assert after == (700, 10, 10)
        assert gc.get_freeze_count() == 0


# ---- proofs ------------------------------------------------------------------------------------------


class TestProofs:
    @pytest.fixture
    def scenario_kb(self, kb):
        kb.add_facts(
            {
                "imports": [("acme", "e1"), ("acme", "e2"), ("solo", "e3")],
                "agent_of": [("zed", "solo"), ("acme", "solo")],
                "link": LINKS + [("a", "x"), ("x", "d")],
            }
        )
        return kb

    def test_proof_cites_the_provisions_used(self, scenario_kb):
        proof = citelog.Prover(scenario_kb).prove("is_a", ("zed", "importer"))
        assert proof.kind == "rule"
        assert proof.rule.id == "agent"
        assert dict(proof.bindings) == {"P": "zed", "Q": "solo"}
        assert set(proof.citations()) == {"19 U.S.C. 1508(a)(2)", "19 U.S.C. 1508(a)"}
        assert [r.id for r in proof.rules()] == ["agent", "importer"]
        given, derived = proof.premises
        assert (given.kind, given.predicate, given.values) == ("given", "agent_of", ("zed", "solo"))
        assert (derived.kind, derived.predicate, derived.values) == ("rule", "is_a", ("solo", "importer"))
        assert derived.premises[0].kind == "given"
        assert derived.premises[0].values == ("solo", "e3")

    def test_proof_through_an_interpretation(self, kb):
        proof = citelog.Prover(kb).prove("must_keep", ("importer", "entry_records", 5, "years", "entry", "at_least"))
        assert set(proof.citations()) == {"keeping", "19 U.S.C. 1508(a)", "19 U.S.C. 1508(b)"}
        assert {r.authority.kind for r in proof.rules()} == {"interpretation", "statute"}

    def test_proof_of_a_kb_fact(self, kb):
        proof = citelog.Prover(kb).prove("imports", ("kbco", "e0"))
        assert proof.kind == "fact"
        assert proof.citations() == ["19 CFR 163.4(a)"]

    def test_proof_of_a_given_fact_has_no_citation(self, scenario_kb):
        proof = citelog.Prover(scenario_kb).prove("imports", ("solo", "e3"))
        assert proof.kind == "given"
        assert proof.citations() == []

    def test_no_proof_for_a_non_answer(self, scenario_kb):
        prover = citelog.Prover(scenario_kb)
        assert prover.prove("route", ("d", "a")) is None
        assert prover.prove("is_a", ("nobody", "importer")) is None

    def test_recursion_on_a_cyclic_graph_terminates(self, scenario_kb):
        prover = citelog.Prover(scenario_kb)
        for start in "abc":
            for end in "abcd":
                proof = prover.prove("route", (start, end))
                assert proof is not None, (start, end)
                assert proof.citations() == ["19 U.S.C. 1508(c)"]
        loop = prover.prove("route", ("a", "a"))
        # a -> b -> c -> a: the smallest derivation has three links
        links = []
        stack = [loop]
        while stack:
            node = stack.pop()
            if node.predicate == "link":
                links.append(node.values)
            stack.extend(node.premises)
        assert sorted(links) == [("a", "b"), ("b", "c"), ("c", "a")]

    def test_query_and_proof_on_a_cycle_of_agents_terminate(self, routes_kb):
        # [agent] P is an importer if agent_of(P, Q), is_a(Q, importer): a recursion through a
        # cycle of agents (a acts for b, b for c, c for a) must end, with every agent an importer
        code = (
            "import citelog\n"
            f"kb = citelog.load({str(routes_kb)!r})\n"
            "kb.add_facts({'agent_of': [('a', 'b'), ('b', 'c'), ('c', 'a')], 'imports': [('a', 'e1')]})\n"
            "print([a.values for a in kb.query('is_a(X, importer)')])\n"
            "proof = citelog.Prover(kb).prove('is_a', ('b', 'importer'))\n"
            "print(proof.rule.id, dict(proof.bindings), sorted(proof.citations()))\n"
        )
        answers, proof = run_python(code).splitlines()
        assert answers == repr([("a", "importer"), ("b", "importer"), ("c", "importer"), ("kbco", "importer")])
        assert proof == "agent {'P': 'b', 'Q': 'c'} ['19 U.S.C. 1508(a)', '19 U.S.C. 1508(a)(2)']"

    def test_a_derivation_through_itself_is_not_an_alternative(self, scenario_kb):
        # route(a, b) follows from link(a, b); route(a, a), link(a, b) would need route(a, b) itself
        proof = citelog.Prover(scenario_kb).prove("route", ("a", "b"))
        assert proof.rule.id == "19 U.S.C. 1508(c)#1"
        assert proof.alternatives == 0

    def test_alternatives_count_other_derivations(self, scenario_kb):
        prover = citelog.Prover(scenario_kb)
        # a -> c -> d and a -> x -> d
        assert prover.prove("route", ("a", "d")).alternatives == 1
        # acme imports under two entries and is an agent of an importer
        assert prover.prove("is_a", ("acme", "importer")).alternatives == 2
        assert prover.prove("is_a", ("solo", "importer")).alternatives == 0

    def test_smallest_derivation_is_kept(self, scenario_kb):
        proof = citelog.Prover(scenario_kb).prove("is_a", ("acme", "importer"))
        assert proof.rule.id == "importer"
        assert proof.size == 2

    def test_negated_premise_is_shown_as_absent(self, make_kb):
        text = ROUTES_KB.replace(
            "  route(X, Y) :- link(X, Y).\n",
            "  route(X, Y) :- link(X, Y).\n  dead_end(X) :- link(_, X), not link(X, _).\n",
        )
        kb = citelog.load(make_kb(text))
        proof = citelog.Prover(kb).prove("dead_end", ("p3",))
        kinds = [(p.kind, p.predicate, p.values) for p in proof.premises]
        assert ("absent", "link", ("p3", None)) in kinds

    EXCEPTION = (
        'provision "19 U.S.C. 1508(d)" {\n'
        '  reconstructed "an exception"\n'
        "  exception to importer if imports(P, E), agent_of(P, _).\n"
        "}\n"
    )

    def test_exception_defeats_only_the_labelled_rule(self, make_kb):
        kb = citelog.load(make_kb(ROUTES_KB + self.EXCEPTION))
        kb.add_facts({"imports": [("plain", "e1"), ("agent", "e2"), ("boss", "e3")], "agent_of": [("agent", "boss")]})
        assert values(kb.query("is_a(P, importer)")) == [
            ("agent", "importer"), ("boss", "importer"), ("kbco", "importer"), ("plain", "importer"),
        ]
        prover = citelog.Prover(kb)
        proof = prover.prove("is_a", ("agent", "importer"))
        assert proof.rule.id == "agent"  # the rule [importer] is defeated for "agent"
        assert proof.alternatives == 0
        plain = prover.prove("is_a", ("plain", "importer"))
        assert plain.rule.id == "importer"
        absent = [p for p in plain.premises if p.kind == "absent"]
        assert len(absent) == 1 and INTERNAL in absent[0].predicate

    def test_exception_removes_an_answer(self, make_kb):
        text = ROUTES_KB.replace("[agent] P is an importer", "[agent] P is an agent_importer") + self.EXCEPTION
        kb = citelog.load(make_kb(text))
        kb.add_facts({"imports": [("plain", "e1"), ("agent", "e2")], "agent_of": [("agent", "boss")]})
        assert values(kb.query("is_a(P, importer)")) == [("kbco", "importer"), ("plain", "importer")]
        assert citelog.Prover(kb).prove("is_a", ("agent", "importer")) is None
