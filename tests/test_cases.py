"""Regression cases (engine/cases.py): the YAML format, its errors, and `citelog test`; the runner
that compares a case with its answers is tested in test_runner.py.

The tests use a copy of the fixture KB tests/fixtures/regression (its own law, catalogue and
tests/ folder); the last ones run the bundled KB's own cases (kb/tests).
"""

from __future__ import annotations

import pytest

import citelog
from citelog.cases import kb_root_for, load_case_file, parse_cases
from conftest import BUNDLED_KB, FAILING_CASE, copy_fixture, fixture_text, one_case, run_cli

USC = "19 U.S.C. 1508"


@pytest.fixture
def kb_dir(tmp_path):
    return copy_fixture("regression", tmp_path / "kb")


@pytest.fixture
def kb(kb_dir):
    return citelog.load(kb_dir)


def cases_of(kb, text: str, path: str = "cases.yaml"):
    return parse_cases(text, kb, path)


def errors_of(kb, text: str, path: str = "cases.yaml") -> list[str]:
    with pytest.raises(citelog.CheckError) as caught:
        parse_cases(text, kb, path)
    return [str(d) for d in caught.value.diagnostics]


# ---- the format -------------------------------------------------------------------------------------


class TestFormat:
    def test_a_case_file_reads_into_cases_with_their_positions(self, kb, kb_dir):
        cases = load_case_file(kb_dir / "tests" / "law.yaml", kb, "law.yaml")
        assert [c.name for c in cases] == [
            "an importer keeps entry records at least 5 years",
            "the agent of an importer is an importer",
            "nobody is in a class without facts",
        ]
        first, second, third = cases
        assert (first.position.path, first.position.line, first.position.column) == ("law.yaml", 3, 5)
        assert first.question == "who_keeps_what"  # a catalogue name, resolved to its atom
        assert str(first.query) == "must_keep(Class, Records, Amount, Unit, Trigger, Bound)"
        assert first.expected[0].bindings == (("Class", "importer"), ("Records", "entry_records"), ("Amount", 5),
                                              ("Unit", "years"), ("Trigger", "entry"), ("Bound", "at_least"))
        assert first.expected[0].citations == (f"{USC}(a)", f"{USC}(b)")
        assert (first.answers, first.citations) == ("exactly", "include")  # the defaults
        assert second.facts == {"imports": [("acme", "e1")], "agent_of": [("broker", "acme")]}
        assert third.expected == ()  # expect: none

    def test_a_list_of_cases_is_a_case_file_too(self, kb):
        cases = cases_of(kb, "- name: c\n  query: is_a(x, C)\n  expect: none\n")
        assert [c.name for c in cases] == ["c"]

    def test_a_yes_no_query_expects_an_answer_without_bindings(self, kb):
        text = one_case("retention(entry_records, 5, years, entry, at_least)",
                        f"\n      - citations: [{USC}(b)]\n")
        [case] = cases_of(kb, text)
        assert case.expected[0].bindings == ()

    def test_values_are_typed_by_the_predicate_declaration(self, kb):
        text = one_case("retention(R, N, U, T, B)", "\n      - answer: {R: entry_records, N: 5, U: years, T: entry, "
                        "B: at_least}\n        citations: [x]\n")
        [case] = cases_of(kb, text)
        assert dict(case.expected[0].bindings)["N"] == 5

    def test_a_scenario_file_is_read_relative_to_the_case_file(self, kb, kb_dir):
        (kb_dir / "tests" / "acme.yaml").write_text("scenario: Acme\nfacts:\n  imports: [[acme, e9]]\n",
                                                     encoding="utf-8")
        (kb_dir / "tests" / "uses.yaml").write_text(
            "cases:\n  - name: c\n    scenario: acme.yaml\n    query: is_a(acme, C)\n    expect: none\n",
            encoding="utf-8")
        [case] = load_case_file(kb_dir / "tests" / "uses.yaml", kb)
        assert case.facts == {"imports": [("acme", "e9")]}
        assert case.scenario == "Acme"

    def test_modes_are_read(self, kb):
        [case] = cases_of(kb, one_case("is_a(x, C)", "\n      - answer: {C: importer}\n        citations: [x]\n",
                                       "    answers: include\n    citations: exactly\n"))
        assert (case.answers, case.citations) == ("include", "exactly")

    def test_kb_of_a_case_file_is_the_folder_above_tests(self, kb_dir, tmp_path):
        assert kb_root_for(kb_dir / "tests" / "law.yaml") == kb_dir.resolve()
        (tmp_path / "elsewhere").mkdir()
        assert kb_root_for(tmp_path / "elsewhere" / "x.yaml") is None


# ---- errors: one clear diagnostic at file:line:col each -------------------------------------------


class TestErrors:
    @pytest.mark.parametrize("text, expected", [
        ("cases: [\n", "cases.yaml:2:1: error[bad-case]: not valid YAML"),
        ("", "cases.yaml: error[bad-case]: empty case file"),
        ("case:\n  - name: c\n", "cases.yaml:1:1: error[bad-case]: unknown key 'case' in a case file"),
        ("cases:\n  - name: c\n    query: is_a(x, C)\n",
         "cases.yaml:2:5: error[bad-case]: missing 'expect'"),
        (one_case("who_keep", " none"),
         "cases.yaml:3:12: error[unknown-query]: no query named 'who_keep' in the catalogue"),
        (one_case("is_b(x, C)", " none"),
         "cases.yaml:3:12: error[unknown-predicate]: unknown predicate 'is_b'"),
        (one_case("is_a(x C)", " none"), "cases.yaml:3:19: error[syntax-error]: unexpected"),
        (one_case('"is_a(x, C, D)"', " none"),
         "cases.yaml:3:13: error[arity-mismatch]: is_a takes 2 argument(s), not 3"),
        (one_case("is_a(x, C)", " none", "    scenario:\n      facts:\n        importz: [[a, b]]\n"),
         "cases.yaml:6:9: error[unknown-input]: 'importz' is not an input of this KB"),
        (one_case("is_a(x, C)", " none", "    scenario:\n      facts:\n        imports: [[a]]\n"),
         "cases.yaml:6:19: error[arity-mismatch]: imports takes 2 value(s)"),
        (one_case("is_a(x, C)", " none", "    scenario: nowhere.yaml\n"),
         "cases.yaml:4:15: error[missing-file]: no scenario file nowhere.yaml"),
        (one_case("is_a(x, C)", "\n      - answer: {K: importer}\n        citations: [x]\n"),
         "cases.yaml:5:18: error[unknown-variable]: 'K' is not a variable of the query is_a(x, C)"),
        (one_case("must_keep(C, R, N, U, T, B)", "\n      - answer: {C: importer}\n        citations: [x]\n"),
         "cases.yaml:5:17: error[missing-field]: the answer lacks a value for R, N, U, T, B"),
        (one_case("retention(R, N, U, T, B)", "\n      - answer: {R: r, N: five, U: u, T: t, B: b}\n"
                                               "        citations: [x]\n"),
         "cases.yaml:5:27: error[bad-value]: answer.N must be a integer, not the string 'five'"),
        (one_case("is_a(x, C)", "\n      - answer: {C: importer}\n"),
         "cases.yaml:5:9: error[missing-field]: missing 'citations'"),
        (one_case("is_a(x, C)", " none", "    answers: sometimes\n"),
         "cases.yaml:4:14: error[bad-case]: 'answers' is exactly or include"),
        (one_case("is_a(x, C)", " maybe"), "cases.yaml:4:13: error[bad-case]: 'expect' is a list of answers"),
        (one_case("is_a(x, C)", " none", "    answers: include\n"),
         "cases.yaml:4:14: error[bad-case]: with 'answers: include', a case must expect at least one answer"),
        ("cases:\n  - name: c\n    name: d\n    query: is_a(x, C)\n    expect: none\n",
         "cases.yaml:3:5: error[duplicate-id]: 'name' is given twice in a case"),
        ("cases:\n  - {name: c, query: 'is_a(x, C)', expect: none}\n  - {name: c, query: 'is_a(y, C)', expect: none}\n",
         "cases.yaml:3:5: error[duplicate-id]: a case named 'c' is already defined at line 2"),
        (one_case("is_a(x, C)", "\n      - answer: {C: a}\n        citations: [x]\n"
                                "      - answer: {C: a}\n        citations: [y]\n"),
         "cases.yaml:7:9: error[duplicate-id]: this answer is already expected at line 5"),
    ])
    def test_bad_input_gets_one_clear_diagnostic(self, kb, text, expected):
        errors = errors_of(kb, text)
        assert len(errors) == 1, errors
        assert errors[0].startswith(expected), errors[0]

    def test_every_problem_of_a_file_is_reported_at_once(self, kb):
        text = ("cases:\n  - name: a\n    query: nope\n    expect: none\n"
                "  - name: b\n    query: is_a(x, C)\n    expect: none\n    colour: red\n")
        errors = errors_of(kb, text)
        assert [e.split(": error")[0] for e in errors] == ["cases.yaml:3:12", "cases.yaml:8:5"]

    @pytest.mark.parametrize("content, expected", [
        (b"cases:\n  - name: caf\xe9\n", "big.yaml:2:14: error[bad-case]: file is not valid UTF-8"),
        (b"#" * 2_000_001, "big.yaml: error[file-too-large]: the file is 2.0 MB"),
    ])
    def test_a_case_file_that_cannot_be_read(self, kb, tmp_path, content, expected):
        (tmp_path / "big.yaml").write_bytes(content)
        with pytest.raises(citelog.CheckError) as raised:
            load_case_file(tmp_path / "big.yaml", kb, "big.yaml")
        assert str(raised.value.diagnostics[0]).startswith(expected), raised.value.diagnostics


# ---- citelog test -----------------------------------------------------------------------------------------


class TestCommand:
    def test_all_pass(self, kb_dir):
        result = run_cli("test", str(kb_dir / "tests"), cwd=kb_dir.parent)
        assert result.returncode == 0, result.stderr
        assert result.stdout.decode().splitlines()[-1] == "3 passed, 0 failed"

    def test_a_failure_is_shown_side_by_side_and_exits_1(self, kb_dir):
        (kb_dir / "tests" / "z-fail.yaml").write_text(FAILING_CASE, encoding="utf-8")
        result = run_cli("test", "kb/tests", cwd=kb_dir.parent)
        out = result.stdout.decode()
        assert result.returncode == 1
        assert out.splitlines()[-1] == "3 passed, 1 failed"
        assert "kb/tests/z-fail.yaml:2:5: case 'an importer keeps entry records 6 years' failed" in out
        assert ("-+ Class=importer, Records=entry_records, Amount=6,     | Class=importer, Records=entry_records, "
                "Amount=5,") in out  # the edited amount, side by side
        assert "1 missing answer(s) (-); 1 unexpected answer(s) (+)" in out

    def test_k_selects_cases_by_file_and_name(self, kb_dir):
        result = run_cli("test", "kb/tests", "-k", "AGENT", cwd=kb_dir.parent)
        assert result.stdout.decode().splitlines()[-1] == "1 passed, 0 failed"
        none = run_cli("test", "kb/tests", "-k", "nothing-like-this", cwd=kb_dir.parent)
        assert none.returncode == 1
        assert "error[no-cases]: no regression case found matching 'nothing-like-this'" in none.stderr.decode()

    def test_coverage_lists_unexercised_provisions_and_exits_1(self, kb_dir):
        result = run_cli("test", "kb/tests", "-k", "agent", "--coverage", cwd=kb_dir.parent)
        out = result.stdout.decode()
        assert result.returncode == 1
        assert "coverage of kb: 2 of 3 provision(s) with rules exercised by a case" in out
        assert "  not exercised: 19 U.S.C. 1508(b) (kb/law.clog:20:1)" in out
        assert out.splitlines()[-1] == "1 passed, 0 failed"
        full = run_cli("test", "kb/tests", "--coverage", cwd=kb_dir.parent)
        assert full.returncode == 0 and "3 of 3 provision(s)" in full.stdout.decode()

    def test_a_bad_case_file_is_a_diagnostic_not_a_traceback(self, kb_dir):
        (kb_dir / "tests" / "bad.yaml").write_text(one_case("who_keep", " none"), encoding="utf-8")
        result = run_cli("test", "kb/tests", cwd=kb_dir.parent)
        err = result.stderr.decode()
        assert result.returncode == 1
        assert err.startswith("kb/tests/bad.yaml:3:12: error[unknown-query]: no query named 'who_keep'")
        assert "Traceback" not in err

    def test_a_case_file_outside_a_kb_needs_kb(self, kb_dir, tmp_path):
        loose = tmp_path / "loose.yaml"
        loose.write_text(fixture_text("regression/tests/law.yaml"), encoding="utf-8")
        result = run_cli("test", str(loose), cwd=tmp_path)
        assert result.returncode == 1
        assert "error[unknown-kb]: cannot tell which KB this case file tests" in result.stderr.decode()
        named = run_cli("test", str(loose), "--kb", str(kb_dir), cwd=tmp_path)
        assert named.returncode == 0 and named.stdout.decode().endswith("3 passed, 0 failed\n")

    def test_the_bundled_kb_passes_its_cases_and_every_provision_is_exercised(self):
        result = run_cli("test", "--coverage")
        out = result.stdout.decode()
        assert result.returncode == 0, out[-3000:]
        assert "not exercised" not in out
        assert out.splitlines()[-1].endswith(" passed, 0 failed")


def test_the_bundled_cases_are_organised_by_part_of_the_law():
    files = sorted(p.name for p in (BUNDLED_KB / "tests").glob("*.yaml"))
    assert files == ["1508-a.yaml", "1508-b.yaml", "1508-c.yaml", "1508-d.yaml", "1508-e-l.yaml", "1508-f-k.yaml",
                     "163-11.yaml", "163-12.yaml", "163-13.yaml"]
