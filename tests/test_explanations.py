"""Explanations: proofs with their provisions, why-not, the Python API and the CLI.

Most tests run on a small, fixed KB of invented law, `tests/fixtures/explain/` (a test fixture,
not law) with its scenario `scenario.yaml`, so that their expected values and the golden files
in `tests/golden/` do not move when the bundled KB is extended. A few run on the bundled KB
through `citelog.load()`: its headline query against the JSON Schema, a proof for every answer
of every predicate, and why-not for every exception it states. The four renderings (text,
Markdown, HTML, JSON), their golden files and the HTML in a browser are tested in test_render.py.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from itertools import count
from pathlib import Path

import jsonschema
import pytest
from conftest import (ELECTRONIC, EXPLAIN_GOLDEN, EXPLAIN_KB, EXPLAIN_SCENARIO, EXPLANATION_SCHEMA,
                      INTERPRETATION_NOTE, MADE, OBLIGATIONS, QUOTE_10_2_A, QUOTE_101_A, QUOTE_101_B, QUOTE_101_D,
                      REPO, SUFFIX, load_explain_kb, proof_nodes, run_cli, validate_explanation)

import citelog
from citelog import compiler
from citelog.core import Atom, Comparison, Const, Negation, Var
from citelog.errors import QueryError
from citelog.explanations import Explainer, Explanation, Step, WhyNot
from citelog.names import INTERNAL
from citelog.values import Date, Money

STEP_VALIDATOR = jsonschema.Draft202012Validator({"$defs": EXPLANATION_SCHEMA["$defs"], "$ref": "#/$defs/step"})


# ---- reading a proof ------------------------------------------------------------------------------


def only(explanation: Explanation) -> Step:
    assert len(explanation.answers) == 1, [a.answer for a in explanation.answers]
    return explanation.answers[0].proof


def premise(step: Step, statement: str) -> Step:
    found = [p for p in step.premises if p.statement == statement]
    assert len(found) == 1, f"{statement} among {[p.statement for p in step.premises]}"
    return found[0]


def paths(step: Step, above: tuple[str, ...] = ()):
    """Every root-to-leaf path of statements."""
    here = above + (step.statement,)
    if not step.premises:
        yield here
    for p in step.premises:
        yield from paths(p, here)


# ---- proofs ------------------------------------------------------------------------------------------


class TestProofShape:
    def test_interpretation_at_the_top_with_its_bindings_and_premises(self, explainer):
        top = only(explainer.explain("person_must_keep(acme, R, N, U, T, B)"))
        assert top.kind == "rule"
        assert top.statement == "person_must_keep(acme, import_records, 5, years, entry, at_least)"
        assert top.sentence == "acme must keep import records for at least 5 years from entry"
        assert top.rule == "person_duties#1"
        assert (top.authority, top.citation, top.quote) == ("interpretation", "person_duties", None)
        assert top.no_quote == f"the analyst's interpretation: {INTERPRETATION_NOTE}"
        assert top.bindings == (("P", "acme"), ("C", "importer"), ("R", "import_records"), ("N", 5),
                                ("U", "years"), ("T", "entry"), ("B", "at_least"))
        assert [p.statement for p in top.premises] == [
            "is_a(acme, importer)",
            "duty(importer, keep, import_records)",
            "retention(import_records, 5, years, entry, at_least)",
        ]
        assert top.alternatives == 0

    def test_statute_rule_with_given_leaf_and_absent_exception(self, explainer):
        top = only(explainer.explain("person_must_keep(acme, R, N, U, T, B)"))
        importer = premise(top, "is_a(acme, importer)")
        assert (importer.kind, importer.rule, importer.authority) == ("rule", "importer", "statute")
        assert (importer.citation, importer.quote, importer.no_quote) == ("99 U.S.C. 101(a)", QUOTE_101_A, None)
        assert importer.sentence == "acme is an importer"
        assert importer.bindings == (("P", "acme"),)  # the anonymous entry variable is not shown
        given, absent = importer.premises
        assert (given.kind, given.statement, given.sentence) == ("given", "imports(acme, e1)",
                                                                 "acme imported widgets under entry e1")
        assert (given.rule, given.citation, given.quote, given.no_quote) == (None, None, None, "given as a fact")
        assert given.premises == ()
        # the exception of 101(d) did not defeat 101(a): closed world, with the exception's provision
        assert absent.kind == "absent"
        assert absent.statement == "not exception(acme)"
        assert absent.sentence.startswith("there is no evidence that ")
        assert "99 U.S.C. 101(d)" in absent.sentence
        assert (absent.citation, absent.authority, absent.quote) == ("99 U.S.C. 101(d)", "statute", QUOTE_101_D)
        # and why it did not: the exception's own condition is false (citelog.absence)
        (reason,) = absent.premises
        assert (reason.kind, reason.statement) == ("absent", "not imports_samples_only(acme)")
        assert reason.sentence == "there is no evidence that acme imports only samples of no commercial value"
        assert (reason.rule, reason.citation, reason.premises) == (None, None, ())

    def test_provision_facts_are_leaves_with_their_quote(self, explainer):
        top = only(explainer.explain("person_must_keep(acme, R, N, U, T, B)"))
        duty = premise(top, "duty(importer, keep, import_records)")
        assert (duty.kind, duty.rule, duty.citation, duty.quote) == ("fact", "99 U.S.C. 101(a)#2", "99 U.S.C. 101(a)",
                                                                    QUOTE_101_A)
        assert duty.sentence == "an importer must keep import records"
        retention = premise(top, "retention(import_records, 5, years, entry, at_least)")
        assert (retention.kind, retention.authority, retention.citation) == ("fact", "regulation", "99 CFR 10.2(a)")
        assert retention.quote == QUOTE_10_2_A
        assert retention.premises == () and retention.bindings == ()

    def test_citations_statute_then_regulation_then_interpretation(self, explainer):
        explanation = explainer.explain(OBLIGATIONS)
        assert [a.answer.bindings[0] for a in explanation.answers] == [("P", "acme"), ("P", "bo"), ("P", "cy")]
        assert explanation.answers[0].citations == ["99 U.S.C. 101(a)", "99 U.S.C. 101(d)", "99 CFR 10.2(a)",
                                                    "person_duties"]
        # cy is an importer as an agent (101(b)); 101(d) is not in that derivation
        assert explanation.answers[2].citations == ["99 U.S.C. 101(b)", "99 U.S.C. 101(a)", "99 CFR 10.2(a)",
                                                    "person_duties"]
        assert explanation.provisions == (
            ("99 U.S.C. 101(a)", "statute", QUOTE_101_A, None),
            ("99 U.S.C. 101(d)", "statute", QUOTE_101_D, None),
            ("99 U.S.C. 101(b)", "statute", QUOTE_101_B, None),
            ("99 CFR 10.2(a)", "regulation", QUOTE_10_2_A, None),
            ("person_duties", "interpretation", None, f"the analyst's interpretation: {INTERPRETATION_NOTE}"),
        )

    def test_plain_negation_comparison_and_reconstructed_provision(self, explainer):
        top = only(explainer.explain(ELECTRONIC))
        assert top.statement == "electronic_copy_required(acme, e1)"
        assert (top.rule, top.authority, top.citation, top.quote) == ("99 U.S.C. 101(c)#1", "statute",
                                                                      "99 U.S.C. 101(c)", None)
        assert top.no_quote.startswith("reconstructed")
        assert "missing from the fixture's text" in top.no_quote
        assert top.bindings == (("P", "acme"), ("E", "e1"), ("D", Date.parse("2021-03-01")))
        kinds = [(p.kind, p.statement) for p in top.premises]
        assert kinds == [
            ("given", "imports(acme, e1)"),
            ("absent", "not imports_samples_only(acme)"),
            ("given", "entered_on(e1, 2021-03-01)"),
            ("comparison", "D=2021-03-01 >= 2020-01-01"),
        ]
        absent = top.premises[1]
        assert absent.sentence == "there is no evidence that acme imports only samples of no commercial value"
        assert (absent.rule, absent.citation, absent.quote) == (None, None, None)  # closed world, no provision
        assert top.premises[3].sentence == "the condition D=2021-03-01 >= 2020-01-01 holds"

    def test_unless_is_an_absent_step_citing_its_provision(self, explainer):
        top = only(explainer.explain("is_a(cy, importer)"))
        assert (top.rule, top.citation) == ("agent", "99 U.S.C. 101(b)")
        unless = [p for p in top.premises if p.kind == "absent"]
        assert len(unless) == 1
        assert unless[0].statement == "not unless(cy)"
        assert unless[0].sentence.startswith("there is no evidence that ")
        assert "99 U.S.C. 101(b)" in unless[0].sentence
        # an 'unless' is an exception, not a condition of the rule: it must not read as one
        assert "condition" not in unless[0].sentence
        assert "exception" in unless[0].sentence and "'unless'" in unless[0].sentence
        assert (unless[0].citation, unless[0].quote) == ("99 U.S.C. 101(b)", QUOTE_101_B)

    def test_every_step_of_every_answer_is_complete(self, explain_kb, explainer):
        """Rule and fact steps name their rule, provision and quote (or why there is none)."""
        for predicate in sorted(p for p in explain_kb.program.defined_predicates() if INTERNAL not in p):
            query = f"{predicate}({', '.join(f'X{i}' for i in range(explain_kb.arities[predicate]))})"
            explanation = explainer.explain(query)
            assert len(explanation.answers) == len(explain_kb.query(query))
            cited = {c[0] for c in explanation.provisions}
            given = {f"{p}({', '.join(str(Const(v)) for v in values)})" for p, values in explain_kb.given_facts()}
            for item in explanation.answers:
                assert item.proof.statement == f"{predicate}({', '.join(str(Const(v)) for v in item.answer.values)})"
                for step in item.proof.steps():
                    assert step.sentence and step.statement
                    assert INTERNAL not in step.statement, step.statement
                    if step.kind in ("rule", "fact"):
                        assert step.rule and step.citation and step.authority, step
                        assert (step.quote is None) != (step.no_quote is None), step
                        assert step.citation in cited
                    if step.kind == "given":
                        assert step.statement in given, step.statement
                        assert step.premises == () and step.no_quote == "given as a fact"


class TestAlternativesAndRecursion:
    def test_two_derivations_show_the_shortest_and_count_the_other(self, explainer):
        # bo imports herself (101(a)) and is acme's agent (101(b)): the direct one is shown
        top = only(explainer.explain("is_a(bo, importer)"))
        assert (top.rule, top.citation, top.alternatives) == ("importer", "99 U.S.C. 101(a)", 1)
        assert [p.statement for p in top.premises] == ["imports(bo, e2)", "not exception(bo)"]

    def test_the_shortest_is_shown_even_when_it_is_not_the_first_found(self, explainer):
        # cy acts for bo (one step) and for acme (two steps); acme sorts first, but bo is shorter
        top = only(explainer.explain("is_a(cy, importer)"))
        assert (top.rule, top.bindings, top.alternatives) == ("agent", (("P", "cy"), ("Q", "bo")), 1)
        assert [p.statement for p in top.premises] == ["agent_chain(cy, bo)", "not unless(cy)", "imports(bo, e2)"]

    def test_left_recursive_chain(self, explainer):
        top = only(explainer.explain("agent_chain(cy, acme)"))
        assert (top.rule, top.bindings) == ("99 U.S.C. 101(b)#3", (("A", "cy"), ("P", "bo"), ("Q", "acme")))
        assert [p.statement for p in top.premises] == ["agent_chain(cy, bo)", "agent_of(bo, acme)"]
        assert top.premises[0].rule == "99 U.S.C. 101(b)#2"
        assert [p.kind for p in top.premises[0].premises] == ["given"]

    def test_alternatives_are_said_in_every_format(self, explainer):
        explanation = explainer.explain("is_a(bo, importer)")
        assert "(1 other derivation(s) not shown)" in explanation.to_text()
        assert "1 other derivation(s)" in explanation.to_markdown()
        assert "1 other derivation(s) not shown" in explanation.to_html()
        assert json.loads(explanation.to_json())["answers"][0]["proof"]["alternatives"] == 1

    def test_recursion_terminates_on_a_cyclic_graph(self):
        kb = load_explain_kb(with_scenario=False)
        kb.add_facts({"agent_of": [("a", "b"), ("b", "c"), ("c", "a")], "imports": [("a", "e1")]})
        explanation = Explainer(kb).explain("is_a(X, importer)")
        assert [item.answer.values for item in explanation.answers] == [("a", "importer"), ("b", "importer"),
                                                                          ("c", "importer")]
        for item in explanation.answers:
            for path in paths(item.proof):
                assert len(path) == len(set(path)), f"a step repeats on its own path: {path}"
        a, b, c = (item.proof for item in explanation.answers)
        # a imports, and is also an agent (a -> b -> c -> a) of an importer: itself
        assert (a.rule, a.alternatives) == ("importer", 1)
        assert (b.rule, b.bindings, b.alternatives) == ("agent", (("P", "b"), ("Q", "a")), 0)
        assert [s.statement for s in premise(b, "agent_chain(b, a)").steps() if s.kind == "rule"] == [
            "agent_chain(b, a)", "agent_chain(b, c)"]
        assert (c.rule, c.bindings, c.alternatives) == ("agent", (("P", "c"), ("Q", "a")), 0)
        chain = only(Explainer(kb).explain("agent_chain(a, a)"))
        assert [s.statement for s in chain.steps() if s.kind == "rule"] == [
            "agent_chain(a, a)", "agent_chain(a, c)", "agent_chain(a, b)"]
        validate_explanation(explanation.to_json())

    def test_recursion_terminates_on_a_long_ring(self):
        kb = load_explain_kb(with_scenario=False)
        n = 25
        kb.add_facts({"agent_of": [(f"n{i}", f"n{(i + 1) % n}") for i in range(n)], "imports": [("n0", "e0")]})
        proof = only(Explainer(kb).explain("is_a(n1, importer)"))
        chain = premise(proof, "agent_chain(n1, n0)")
        assert len([s for s in chain.steps() if s.kind == "rule"]) == n - 1  # n1 -> n2 -> ... -> n0


class TestDepth:
    def test_depth_one_truncates_below_the_top(self, explain_kb):
        top = only(Explainer(explain_kb, depth=1).explain("person_must_keep(cy, R, N, U, T, B)"))
        assert top.kind == "rule" and len(top.premises) == 3
        truncated = top.premises[0]
        assert (truncated.kind, truncated.statement, truncated.rule) == ("truncated", "is_a(cy, importer)", "agent")
        assert (truncated.citation, truncated.quote, truncated.premises) == ("99 U.S.C. 101(b)", QUOTE_101_B, ())
        assert truncated.alternatives == 1
        assert [p.kind for p in top.premises[1:]] == ["fact", "fact"]  # leaves are not truncated

    def test_depth_two(self, explain_kb):
        top = only(Explainer(explain_kb, depth=2).explain("person_must_keep(cy, R, N, U, T, B)"))
        below = top.premises[0]
        assert below.kind == "rule"
        assert [(p.kind, p.statement) for p in below.premises] == [
            ("truncated", "agent_chain(cy, bo)"), ("absent", "not unless(cy)"), ("given", "imports(bo, e2)")]

    def test_truncation_is_said_in_every_format(self, explain_kb):
        explanation = Explainer(explain_kb, depth=1).explain("person_must_keep(cy, R, N, U, T, B)")
        assert "(deeper steps not shown)" in explanation.to_text()
        assert "deeper steps not shown" in explanation.to_markdown()
        assert "deeper steps not shown" in explanation.to_html()
        payload = validate_explanation(explanation.to_json())
        assert payload["answers"][0]["proof"]["premises"][0]["kind"] == "truncated"

    def test_without_depth_nothing_is_truncated(self, explainer):
        for item in explainer.explain(OBLIGATIONS).answers:
            assert all(step.kind != "truncated" for step in item.proof.steps())


# ---- why not ------------------------------------------------------------------------------------------


def attempt_paths(attempts, above=()):
    for attempt in attempts:
        here = above + ((attempt.rule.id if attempt.rule else None, attempt.condition),)
        yield here
        yield from attempt_paths(attempt.deeper, here)


class TestWhyNot:
    def test_exception_defeats_the_rule_and_names_its_provision(self, explainer):
        result = explainer.why_not("is_a(sam, importer)")
        assert (result.holds, result.statement, result.sentence) == (False, "is_a(sam, importer)",
                                                                     "sam is an importer")
        defeated, agent = result.attempts
        assert (defeated.rule.id, defeated.outcome) == ("importer", "defeated")
        assert (defeated.defeat.citation, defeated.defeat.rule, defeated.defeat.quote) == (
            "99 U.S.C. 101(d)", "99 U.S.C. 101(d)#1", QUOTE_101_D)
        assert defeated.defeat.bindings == (("P", "sam"),)
        assert [(p.kind, p.statement) for p in defeated.defeat.premises] == [("given", "imports_samples_only(sam)")]
        assert (agent.rule.id, agent.outcome, agent.condition) == ("agent", "missing", "agent_chain(sam, Q)")
        text = result.to_text()
        assert "rule importer [99 U.S.C. 101(a) (statute)]: defeated, because" in text
        assert "[99 U.S.C. 101(d) (statute)]" in text and QUOTE_101_D in text

    def test_unless_defeats_the_rule_and_names_its_provision(self, explainer):
        result = explainer.why_not("is_a(cole, importer)")
        assert not result.holds
        importer, agent = result.attempts
        assert (agent.rule.id, agent.outcome) == ("agent", "defeated")
        assert (agent.defeat.citation, agent.defeat.rule, agent.defeat.quote) == ("99 U.S.C. 101(b)", "agent/unless",
                                                                                  QUOTE_101_B)
        assert [(p.kind, p.statement) for p in agent.defeat.premises] == [("given", "carrier_only(cole)")]
        assert "condition" not in agent.sentence  # the unless clause is an exception, not a condition
        assert (importer.rule.id, importer.outcome) == ("importer", "missing")

    def test_missing_given_fact(self, explainer):
        result = explainer.why_not("imports(zed, e9)")
        assert not result.holds
        (attempt,) = result.attempts
        assert (attempt.rule, attempt.outcome, attempt.condition) == (None, "not-given", "imports(zed, e9)")
        assert attempt.sentence == "no such fact was given: zed imported widgets under entry e9"
        assert result.to_text() == ("Why not imports(zed, e9)?\n"
                                    "It does not follow that zed imported widgets under entry e9.\n"
                                    "  - no such fact was given: zed imported widgets under entry e9\n")

    def test_missing_given_fact_below_a_rule(self, explainer):
        result = explainer.why_not("is_a(cole, importer)")
        importer = result.attempts[0]
        assert importer.condition == "imports(cole, _)"  # the anonymous variable reads as written
        assert importer.sentence == "no evidence that cole imported widgets under any entry"
        (deeper,) = importer.deeper
        assert (deeper.rule, deeper.outcome, deeper.condition) == (None, "not-given", "imports(cole, _)")

    def test_failing_comparison(self, explainer):
        result = explainer.why_not("electronic_copy_required(bo, e2)")
        (attempt,) = result.attempts
        assert (attempt.rule.id, attempt.outcome) == ("99 U.S.C. 101(c)#1", "test-fails")
        assert attempt.condition == "D >= 2020-01-01"
        assert attempt.sentence == "it is not the case that 2019-11-15 >= 2020-01-01"
        assert "fails at D >= 2020-01-01: it is not the case that 2019-11-15 >= 2020-01-01" in result.to_text()

    def test_failing_negation(self, explainer):
        (attempt,) = explainer.why_not("electronic_copy_required(sam, e3)").attempts
        assert (attempt.outcome, attempt.condition) == ("negation-fails", "not imports_samples_only(sam)")
        assert attempt.sentence == "sam imports only samples of no commercial value"

    def test_atom_that_holds(self, explainer):
        result = explainer.why_not("is_a(acme, importer)")
        assert (result.holds, result.attempts) == (True, ())
        assert (result.proof.rule, result.proof.citation) == ("importer", "99 U.S.C. 101(a)")
        assert result.to_text().startswith("is_a(acme, importer) holds: acme is an importer\n")
        payload = json.loads(result.to_json())
        assert (payload["holds"], payload["attempts"], payload["proof"]["rule"]) == (True, [], "importer")
        assert not list(STEP_VALIDATOR.iter_errors(payload["proof"]))

    def test_no_rule_concludes_it(self, explainer):
        result = explainer.why_not("retention(import_records, 6, years, entry, at_least)")
        assert (result.holds, result.attempts) == (False, ())
        assert "No rule of the KB concludes it, and it is not an input that can be given." in result.to_text()

    def test_recursive_rules_are_not_expanded_twice(self, explainer):
        result = explainer.why_not("is_a(zed, importer)")
        agent = result.attempts[1]
        assert (agent.rule.id, agent.outcome, agent.condition) == ("agent", "missing", "agent_chain(zed, Q)")
        base, recursive = agent.deeper
        assert (base.rule.id, base.condition) == ("99 U.S.C. 101(b)#2", "agent_of(zed, P)")
        assert (recursive.rule.id, recursive.condition, recursive.deeper) == (
            "99 U.S.C. 101(b)#3", "agent_chain(zed, P)", ())
        for path in attempt_paths(result.attempts):
            assert len(path) == len(set(path)), path

    def test_assignment_in_a_rule_is_not_a_failing_test(self, make_kb):
        folder = make_kb(_DEADLINE_KB)
        kb = citelog.load(folder)
        kb.add_facts({"requested": [("r1", Date.parse("2024-01-02"))], "withdrawn": [("r1",)]})
        result = citelog.why_not(kb, "due(r1, D)")
        (attempt,) = result.attempts
        assert (attempt.outcome, attempt.defeat.citation) == ("defeated", "19 CFR 1.2(b)")
        # with the date given, the same rule is tested against it
        (wrong,) = citelog.why_not(kb, "due(r1, 2024-01-03)").attempts
        assert (wrong.outcome, wrong.sentence) == ("test-fails", "it is not the case that 2024-01-03 == (2024-01-02 + 15)")

    def test_json_is_stable_and_has_no_internal_names(self, explainer):
        for atom in ("is_a(sam, importer)", "is_a(cole, importer)", "electronic_copy_required(bo, e2)"):
            payload = json.loads(explainer.why_not(atom).to_json())
            assert payload["schema"] == "citelog.why-not/1"
            stack = list(payload["attempts"])
            while stack:
                attempt = stack.pop()
                assert set(attempt) == {"rule", "citation", "authority", "outcome", "condition", "sentence",
                                        "defeated_by", "because"}
                assert INTERNAL not in attempt["condition"] and "_anon" not in attempt["condition"], attempt
                if attempt["defeated_by"]:
                    assert not list(STEP_VALIDATOR.iter_errors(attempt["defeated_by"]))
                stack += attempt["because"]


_DEADLINE_KB = """\
source law = "sources/law.txt".
input requested(Request, Date: date) means "Request was received on Date".
input withdrawn(Request) means "Request was withdrawn".

provision "19 CFR 1.2(a)" {
  quote law "Every importer shall keep entry records."
  [due] due(R, D) :- requested(R, Received), D = Received + 15.
}

provision "19 CFR 1.2(b)" {
  quote law "An agent of an importer is also an importer."
  exception to due if withdrawn(R).
}
"""


# ---- the bundled KB --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> citelog.KnowledgeBase:
    return citelog.load()


def _all_variables(kb, predicate: str) -> str:
    return f"{predicate}({', '.join(f'X{i}' for i in range(kb.arities[predicate]))})"


class TestBundledKB:
    def test_headline_query_validates_against_the_schema(self, bundled):
        explanation = Explainer(bundled).explain("must_keep(C, R, N, U, T, B)")
        payload = validate_explanation(explanation.to_json())
        assert len(payload["answers"]) == len(bundled.query("must_keep(C, R, N, U, T, B)")) > 0
        quotes = {p.citation: " … ".join(" ".join(q.text.split()) for q in p.quotes)
                  for p in bundled.program.provisions}
        for answer in payload["answers"]:
            assert any(" U.S.C. " in c for c in answer["citations"]), answer["citations"]
            for node in proof_nodes(answer["proof"]):
                if node["quote"] is not None:
                    assert node["quote"] == quotes[node["citation"]]
        for provision in payload["provisions"]:
            if provision["authority"] in ("statute", "regulation"):
                assert provision["quote"] == (quotes[provision["citation"]] or None)

    def test_every_answer_of_every_predicate_has_a_proof(self, bundled):
        """Proofs for answers from each part of the KB: every derived predicate, every answer."""
        explainer = Explainer(bundled)
        cited: set[str] = set()
        for predicate in sorted(p for p in bundled.program.defined_predicates() if INTERNAL not in p):
            explanation = explainer.explain(_all_variables(bundled, predicate))  # raises if a proof is missing
            validate_explanation(explanation.to_json())
            for item in explanation.answers:
                for step in item.proof.steps():
                    if step.kind in ("rule", "fact"):
                        assert (step.quote is None) != (step.no_quote is None), step
                        cited.add(step.citation)
        # every provision that states something without conditions is cited by the proof of it
        by_file = defaultdict(set)
        for rule in bundled.program.rules:
            if not rule.body and INTERNAL not in rule.head.predicate and rule.authority.kind != "none":
                by_file[Path(rule.position.path).name].add(rule.authority.citation)
        assert len(by_file) >= 2, by_file  # the statute file(s) and the regulation file
        for file, citations in sorted(by_file.items()):
            assert citations <= cited, f"{file}: never cited: {sorted(citations - cited)}"

    def test_why_not_for_every_exception(self, bundled):
        """Each exception of the KB, in a scenario where it applies, defeats its rule in why-not."""
        pairs = _defeated_rules(bundled.program)
        assert pairs, "the bundled KB states no exception"
        problems = []
        for target, defeater in pairs:
            facts, bindings = _witness(bundled.program, target, defeater)
            if facts is None:
                problems.append(f"no scenario found where {defeater.id} defeats {target.id}")
                continue
            with bundled.scenario(facts):
                head = _ground_head(target, bindings)
                result = Explainer(bundled).why_not(head)
                found = [a for a in result.attempts if a.rule is not None and a.rule.id == target.id]
                if result.holds or not found or found[0].outcome != "defeated":
                    problems.append(f"{head}: {defeater.id} should defeat {target.id}; got "
                                    f"{[(a.rule.id if a.rule else None, a.outcome, a.sentence) for a in result.attempts]}"
                                    f" (holds={result.holds})")
                    continue
                defeat = found[0].defeat
                if (defeat.citation, defeat.rule) != (defeater.authority.citation, defeater.id):
                    problems.append(f"{head}: defeat names {defeat.citation} / {defeat.rule}")
                if f"[{defeater.authority.citation} (" not in result.to_text():
                    problems.append(f"{head}: the text does not cite {defeater.authority.citation}")
        assert not problems, "\n".join(problems)


def _defeated_rules(program):
    """(rule, the exception rule it negates), for `unless` clauses and `exception to` statements (the
    rules a defeasible theory generates are tested in test_defeasible.py)."""
    defeaters = {r.head.predicate: r for r in program.rules
                 if r.head.predicate.partition(INTERNAL)[0] in ("exception", "unless")}
    pairs = []
    for rule in program.rules:
        for literal in rule.body:
            if isinstance(literal, Negation) and literal.atom.predicate in defeaters:
                pairs.append((rule, defeaters[literal.atom.predicate]))
    return pairs


class _Witness:
    """Build given facts that make the conditions of rules hold (a small, bounded abduction)."""

    def __init__(self, program):
        self.rules = defaultdict(list)
        for rule in program.rules:
            self.rules[rule.head.predicate].append(rule)
        self.declarations = {d.name: d for d in program.declarations}
        self.inputs = program.input_predicates
        self.fresh = count()

    def value(self, predicate: str, index: int, name: str):
        decl = self.declarations.get(predicate)
        kind = decl.params[index].type if decl and index < len(decl.params) else None
        number = next(self.fresh)
        return {"date": Date.parse("2024-01-02"), "integer": 1, "money": Money.parse("$1.00")}.get(
            kind, f"w{number}_{name.strip('_').lower() or 'any'}")

    def term(self, term, bindings):
        if isinstance(term, Const):
            return term.value
        if isinstance(term, Var):
            return bindings.get(term.name)
        try:
            return compiler.evaluate_term(term, bindings)
        except (KeyError, TypeError):
            return None

    def body(self, literals, bindings, facts, depth) -> bool:
        for literal in literals:
            if isinstance(literal, Atom):
                if not self.atom(literal, bindings, facts, depth):
                    return False
            elif isinstance(literal, Comparison):
                if (literal.op == "==" and isinstance(literal.left, Var) and literal.left.name not in bindings):
                    value = self.term(literal.right, bindings)
                    if value is None:
                        return False
                    bindings[literal.left.name] = value
                else:
                    try:
                        if not compiler.holds(literal, bindings):
                            return False
                    except (KeyError, TypeError):
                        return False
        return True

    def atom(self, atom: Atom, bindings, facts, depth) -> bool:
        if atom.predicate in self.inputs:
            row = []
            for index, arg in enumerate(atom.args):
                value = self.term(arg, bindings)
                if value is None and isinstance(arg, Var):
                    value = self.value(atom.predicate, index, arg.name)
                    if arg.name != "_":
                        bindings[arg.name] = value
                if value is None:
                    return False
                row.append(value)
            facts.setdefault(atom.predicate, set()).add(tuple(row))
            return True
        if depth > 6:
            return False
        for rule in sorted(self.rules.get(atom.predicate, ()), key=lambda r: len(r.body)):
            local: dict = {}
            if not all(self._unify(head, arg, bindings, local) for head, arg in zip(rule.head.args, atom.args)):
                continue
            trial = {k: set(v) for k, v in facts.items()}
            if self.body(rule.body, local, trial, depth + 1):
                for arg, head in zip(atom.args, rule.head.args):
                    if isinstance(arg, Var) and arg.name != "_" and arg.name not in bindings:
                        value = self.term(head, local)
                        if value is not None:
                            bindings[arg.name] = value
                facts.clear()
                facts.update(trial)
                return True
        return False

    def _unify(self, head, arg, bindings, local) -> bool:
        value = self.term(arg, bindings)
        if isinstance(head, Const):
            return value is None or value == head.value
        if isinstance(head, Var) and value is not None:
            if head.name in local and local[head.name] != value:
                return False
            local[head.name] = value
        return True


def _witness(program, target, defeater):
    """Facts under which the target rule's conditions and its defeater's hold, and the bindings."""
    witness = _Witness(program)
    bindings: dict = {}
    facts: dict = {}
    if not witness.body(target.body, bindings, facts, 0) or not witness.body(defeater.body, bindings, facts, 0):
        return None, bindings
    return {name: sorted(rows, key=str) for name, rows in facts.items()}, bindings


def _ground_head(target, bindings) -> str:
    args = [str(Const(bindings[a.name])) if isinstance(a, Var) and a.name in bindings else str(a)
            for a in target.head.args]
    return f"{target.head.predicate}({', '.join(args)})"


# ---- the Python API ----------------------------------------------------------------------------------------------


class TestPythonAPI:
    def test_explainer_returns_an_explanation_that_renders_itself(self, explain_kb):
        explanation = Explainer(explain_kb).explain(OBLIGATIONS)
        assert isinstance(explanation, Explanation)
        assert explanation.query == OBLIGATIONS
        assert len(explanation.answers) == 3
        assert explanation.answers[0].answer == explain_kb.query(OBLIGATIONS)[0]
        assert explanation.to_text().startswith(f"Query: {OBLIGATIONS}\n3 answer(s)\n")
        assert explanation.to_markdown().startswith(f"# Explanation: `{OBLIGATIONS}`\n")
        assert explanation.to_html().startswith("<!DOCTYPE html>")
        assert explanation._repr_html_() == explanation.to_html()
        assert json.loads(explanation.to_json())["query"] == OBLIGATIONS

    def test_the_library_door_explains_and_says_why_not(self, explain_kb):
        assert citelog.explain(explain_kb, OBLIGATIONS).to_json() == Explainer(explain_kb).explain(OBLIGATIONS).to_json()
        assert citelog.explain(explain_kb, OBLIGATIONS, depth=1).to_text() == Explainer(explain_kb, 1).explain(OBLIGATIONS).to_text()
        result = citelog.why_not(explain_kb, "is_a(sam, importer)")
        assert isinstance(result, WhyNot) and not result.holds
        text = citelog.why_not(explain_kb, "is_a(nobody, importer)").to_text()
        assert "rule importer [99 U.S.C. 101(a) (statute)]: fails at imports(nobody, _)" in text

    def test_an_atom_object_is_accepted(self, explain_kb):
        from citelog.parser import parse_atom

        explanation = Explainer(explain_kb).explain(parse_atom("is_a(bo, C)"))
        assert explanation.query == "is_a(bo, C)"
        assert [item.answer.bindings for item in explanation.answers] == [(("C", "importer"),)]

    def test_no_answers(self, explain_kb):
        explanation = Explainer(explain_kb).explain("is_a(zed, C)")
        assert explanation.answers == () and explanation.provisions == ()
        assert explanation.to_text() == "Query: is_a(zed, C)\n0 answer(s)\n"
        validate_explanation(explanation.to_json())

    def test_errors_are_citelog_errors(self, explain_kb):
        with pytest.raises(QueryError) as error:
            Explainer(explain_kb).explain("nosuch(X)")
        assert error.value.code == "unknown-predicate"
        with pytest.raises(QueryError):
            Explainer(explain_kb).why_not("is_a(X)")


# ---- the CLI ------------------------------------------------------------------------------------------------------

FIXTURE_ARGS = ["--kb", str(EXPLAIN_KB), "--scenario", str(EXPLAIN_SCENARIO)]
OUTSIDE_ARGS = ["--kb", ".", "--scenario", "scenario.yaml"]  # run in the copy outside git, at time MADE


def in_copy(outside: Path, *args: str, env: dict | None = None):
    return run_cli(*args, env={"SOURCE_DATE_EPOCH": MADE, **(env or {})}, cwd=outside)


def _golden_bytes(name: str) -> bytes:
    path = EXPLAIN_GOLDEN / name
    assert path.exists(), f"no golden file {path}: run with CITELOG_UPDATE_GOLDEN=1, then read it"
    return path.read_bytes()


class TestCLI:
    @pytest.mark.parametrize("fmt", SUFFIX)
    def test_explain_each_format_with_the_scenario(self, outside, fmt):
        result = in_copy(outside, "explain", OBLIGATIONS, *OUTSIDE_ARGS, "--format", fmt)
        assert (result.returncode, result.stderr) == (0, b"")
        assert result.stdout == _golden_bytes(f"explain-obligations.{SUFFIX[fmt]}")

    def test_explain_a_catalogue_query_by_name(self, outside):
        result = in_copy(outside, "explain", "obligations", *OUTSIDE_ARGS, "--format", "json")
        assert result.returncode == 0, result.stderr
        assert result.stdout == _golden_bytes("explain-obligations.json")

    def test_out_writes_the_file(self, outside, tmp_path):
        out = tmp_path / "explanation.html"
        result = in_copy(outside, "explain", OBLIGATIONS, *OUTSIDE_ARGS, "--format", "html", "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert result.stdout == b""
        assert result.stderr.decode() == f"wrote {out}\n"
        assert out.read_bytes() == _golden_bytes("explain-obligations.html")

    def test_the_memo_names_the_git_commit_of_a_kb_in_git(self):
        result = run_cli("explain", OBLIGATIONS, *FIXTURE_ARGS, "--format", "json")
        revision = json.loads(result.stdout)["memo"]["kb_revision"]
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO, capture_output=True, text=True)
        assert revision["git_commit"] == head.stdout.strip() and revision["content"].startswith("sha256:")

    def test_depth(self):
        result = run_cli("explain", "person_must_keep(cy, R, N, U, T, B)", *FIXTURE_ARGS, "--depth", "1")
        assert result.returncode == 0, result.stderr
        text = result.stdout.decode()
        assert "cy is an importer  [1] 99 U.S.C. 101(b)" in text
        assert "(deeper steps not shown)" in text
        proof = text.split("answer(s)\n", 1)[1]
        assert "cy is an agent of bo" not in proof and "fact: cy is an agent of bo" in text  # only in the memo

    @pytest.mark.parametrize("fmt", ["text", "json"])
    def test_why_not(self, fmt):
        result = run_cli("why-not", "is_a(sam, importer)", *FIXTURE_ARGS, "--format", fmt)
        assert (result.returncode, result.stderr) == (0, b"")
        assert result.stdout == _golden_bytes(f"why-not-samples.{SUFFIX[fmt]}")

    def test_same_bytes_whatever_the_hash_seed(self, outside):
        outputs = [in_copy(outside, "explain", OBLIGATIONS, *OUTSIDE_ARGS, "--format", "json",
                           env={"PYTHONHASHSEED": seed}) for seed in ("0", "4242")]
        assert [o.returncode for o in outputs] == [0, 0]
        assert outputs[0].stdout == outputs[1].stdout == _golden_bytes("explain-obligations.json")

    def test_retention_explain_markdown_on_the_bundled_kb(self):
        result = run_cli("retention", "--explain", "--format", "md")
        assert result.returncode == 0, result.stderr
        text = result.stdout.decode()
        assert text.startswith("# Explanation: `must_keep(")
        answers = int(re.search(r"^(\d+) answer\(s\)\.$", text, re.M).group(1))
        assert answers == len(re.findall(r"^## Answer \d+: ", text, re.M)) > 0
        listed = text.split("## Provisions cited\n", 1)[1]
        numbered = re.findall(r"^(\d+)\. \*\*(.+?)\*\* \((statute|regulation|interpretation)\)$", listed, re.M)
        assert [int(n) for n, _, _ in numbered] == list(range(1, len(numbered) + 1))
        assert any(" U.S.C. " in citation for _, citation, _ in numbered)
        assert "19 U.S.C. 1508(c)(3)" in [citation for _, citation, _ in numbered]

    def test_retention_explain_json_validates(self):
        result = run_cli("retention", "--explain", "--format", "json")
        assert result.returncode == 0, result.stderr
        validate_explanation(result.stdout.decode())

    @pytest.mark.parametrize("command", ["explain", "why-not"])
    def test_unknown_predicate(self, command):
        result = run_cli(command, "nosuch(X)", "--kb", str(EXPLAIN_KB))
        assert result.returncode == 1 and result.stdout == b""
        assert result.stderr.decode() == ("<query>:1:1: error[unknown-predicate]: unknown predicate 'nosuch': "
                                          "no rule defines it and it is not declared as input\n")

    def test_unknown_catalogue_name(self):
        result = run_cli("explain", "nothing_like_this", "--kb", str(EXPLAIN_KB))
        assert result.returncode == 1
        assert re.fullmatch(r"<query>:1:1: error\[unknown-query\]: no query named 'nothing_like_this' .*\n",
                            result.stderr.decode())

    def test_bad_date_in_the_scenario(self, tmp_path):
        scenario = tmp_path / "bad.yaml"
        scenario.write_text("scenario: a bad date\nfacts:\n  entered_on:\n    - [e1, 2023-02-30]\n", encoding="utf-8")
        for command in (["explain", OBLIGATIONS], ["why-not", "is_a(acme, importer)"]):
            result = run_cli(*command, "--kb", str(EXPLAIN_KB), "--scenario", str(scenario))
            assert result.returncode == 1 and result.stdout == b""
            assert result.stderr.decode() == (f"{scenario}:4:12: error[bad-value]: invalid date 2023-02-30: "
                                              "no such day in the calendar\n")
            assert b"Traceback" not in result.stderr
