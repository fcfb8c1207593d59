"""The case runner (engine/runner.py): a case runs on its own facts, its answers and citations are
compared with what it expects and shown side by side when they differ, and the coverage of
provisions by cases."""

from __future__ import annotations

import pytest

import citelog
from citelog.cases import load_case_file, parse_cases
from citelog.runner import coverage, run_case
from conftest import copy_fixture, one_case

USC = "19 U.S.C. 1508"


@pytest.fixture
def kb(tmp_path):
    """The regression fixture KB, whose own cases are in its folder (kb.program.root)."""
    return citelog.load(copy_fixture("regression", tmp_path / "kb"))


def run(kb, text: str):
    [case] = parse_cases(text, kb, "cases.yaml")
    return run_case(kb, case)


class TestRunner:
    def test_the_bundled_cases_of_the_small_kb_pass_and_exercise_every_provision(self, kb):
        results = [run_case(kb, c) for c in load_case_file(kb.program.root / "tests" / "law.yaml", kb)]
        assert [r.passed for r in results] == [True, True, True]
        assert results[1].exercised == {f"{USC}(a)", f"{USC}(a)(2)"}
        assert coverage(kb, results).uncovered == []

    def test_a_case_runs_on_its_facts_only_and_withdraws_them(self, kb):
        result = run(kb, one_case("is_a(acme, C)", "\n      - answer: {C: importer}\n        citations: [x]\n",
                                  "    scenario:\n      facts:\n        imports: [[acme, e1]]\n"))
        assert kb.given_facts() == []
        assert [r.verdict for r in result.rows] == ["citations"]  # 'x' is not cited
        assert kb.query("is_a(acme, C)") == []

    def test_a_missing_answer_fails_and_is_shown_beside_nothing(self, kb):
        result = run(kb, one_case("is_a(acme, C)", f"\n      - answer: {{C: importer}}\n"
                                                   f"        citations: [{USC}(a)]\n"))
        assert not result.passed
        assert [r.verdict for r in result.rows] == ["missing"]
        report = result.report()
        assert report.startswith("cases.yaml:2:5: case 'c' failed\n  query: is_a(acme, C)\n")
        assert "expected (citations must include)" in report and "| actual" in report
        assert "-  C=importer" in report and "| (no such answer)" in report
        assert "1 missing answer(s) (-)" in report

    def test_an_unexpected_answer_fails_unless_answers_include(self, kb):
        facts = "    scenario:\n      facts:\n        imports: [[acme, e1]]\n"
        strict = run(kb, one_case("is_a(P, C)", " none", facts))
        assert [r.verdict for r in strict.rows] == ["unexpected"]
        assert "+  (not expected)" in strict.report() and "P=acme, C=importer" in strict.report()
        lenient = run(kb, one_case("must_keep(C, R, N, U, T, B)", f"\n      - answer: {{C: importer, R: entry_records, "
                                   f"N: 5, U: years, T: entry, B: at_least}}\n        citations: [{USC}(b)]\n",
                                   "    answers: include\n"))
        assert lenient.passed

    def test_citations_must_include_the_listed_ones_by_default(self, kb):
        answer = "\n      - answer: {C: importer, R: entry_records, N: 5, U: years, T: entry, B: at_least}\n"
        subset = run(kb, one_case("must_keep(C, R, N, U, T, B)", answer + f"        citations: [{USC}(b)]\n"))
        assert subset.passed
        wrong = run(kb, one_case("must_keep(C, R, N, U, T, B)", answer + f"        citations: [{USC}(a)(2)]\n"))
        assert [r.verdict for r in wrong.rows] == ["citations"]
        assert f"cites {USC}(a)(2) <" in wrong.report()

    def test_citations_exactly_compares_the_whole_set(self, kb):
        answer = "\n      - answer: {C: importer, R: entry_records, N: 5, U: years, T: entry, B: at_least}\n"
        exact = "    citations: exactly\n"
        short = run(kb, one_case("must_keep(C, R, N, U, T, B)", answer + f"        citations: [{USC}(b)]\n", exact))
        assert not short.passed
        full = run(kb, one_case("must_keep(C, R, N, U, T, B)",
                                answer + f"        citations: [{USC}(a), {USC}(b), keeping]\n", exact))
        assert full.passed

    def test_a_citation_no_rule_carries_is_pointed_out(self, kb):
        result = run(kb, one_case("is_a(acme, C)", "\n      - answer: {C: importer}\n        citations: [19 USC 1508]\n",
                                  "    scenario:\n      facts:\n        imports: [[acme, e1]]\n"))
        assert "note: no rule of this KB is cited '19 USC 1508'" in result.report()

    def test_coverage_lists_the_provisions_no_case_exercises(self, kb):
        result = run(kb, one_case("is_a(acme, C)", f"\n      - answer: {{C: importer}}\n"
                                                   f"        citations: [{USC}(a)]\n",
                                  "    scenario:\n      facts:\n        imports: [[acme, e1]]\n"))
        assert result.passed
        assert [c for c, _ in coverage(kb, [result]).uncovered] == [f"{USC}(a)(2)", f"{USC}(b)"]
