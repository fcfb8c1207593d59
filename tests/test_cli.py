"""The `citelog query` command: text and JSON output, --kb, errors, and byte-identical output."""

from __future__ import annotations

import json
import re

import pytest

from conftest import BUNDLED_KB, run_cli

# a diagnostic without a position in a file (a missing KB folder) has no line and column
DIAGNOSTIC_LINE = re.compile(r"^(?P<path>[^:\n]+)(?::(?P<line>\d+):(?P<col>\d+))?: error\[(?P<code>[a-z-]+)\]: (?P<msg>.+)$")


def query(*args, env=None):
    return run_cli("query", *args, env=env)


class TestQueryText:
    def test_table_with_bindings_and_citations(self, routes_kb):
        result = query("route(X, Y)", "--kb", str(routes_kb))
        assert result.returncode == 0, result.stderr.decode()
        out = result.stdout.decode()
        rows = [line for line in out.splitlines() if "p1" in line or "p2" in line]
        assert [re.findall(r"p\d", row)[:2] for row in rows] == [["p1", "p2"], ["p1", "p3"], ["p2", "p3"]]
        assert all("19 U.S.C. 1508(c)" in row for row in rows)
        assert "3 answer(s)" in out
        assert result.stderr == b""

    def test_ground_query_says_yes(self, routes_kb):
        result = query("route(p1, p3)", "--kb", str(routes_kb))
        assert result.returncode == 0
        out = result.stdout.decode()
        assert out.startswith("yes")
        assert "19 U.S.C. 1508(c)" in out

    def test_no_answers(self, routes_kb):
        result = query("route(p3, X)", "--kb", str(routes_kb))
        assert result.returncode == 0
        assert "no answers" in result.stdout.decode()

    def test_single_rule_file_as_kb(self, routes_kb):
        result = query("must_keep(C, R, N, U, T, B)", "--kb", str(routes_kb / "rules.clog"))
        assert result.returncode == 0, result.stderr.decode()
        out = result.stdout.decode()
        assert "entry_records" in out and "at_least" in out
        assert "1 answer(s)" in out

    def test_bundled_kb_by_default(self):
        result = query("must_keep(C, R, N, U, T, B)")
        assert result.returncode == 0, result.stderr.decode()
        assert "answer(s)" in result.stdout.decode()


class TestQueryJson:
    def test_answers_bindings_and_citations(self, routes_kb):
        result = query("route(X, Y)", "--kb", str(routes_kb), "--format", "json")
        assert result.returncode == 0, result.stderr.decode()
        payload = json.loads(result.stdout)
        answers = payload["answers"]
        assert [a["bindings"] for a in answers] == [{"X": "p1", "Y": "p2"}, {"X": "p1", "Y": "p3"}, {"X": "p2", "Y": "p3"}]
        # the route rule, and the provision that states the links p1 -> p2 -> p3
        assert [set(a["citations"]) for a in answers] == [{"19 U.S.C. 1508(c)", "19 CFR 163.4(a)"}] * 3
        assert [len(a["citations"]) for a in answers] == [2, 2, 2]

    def test_numbers_stay_numbers(self, routes_kb):
        result = query("must_keep(C, R, N, U, T, B)", "--kb", str(routes_kb), "--format", "json")
        payload = json.loads(result.stdout)
        (answer,) = payload["answers"]
        assert answer["bindings"] == {
            "C": "importer", "R": "entry_records", "N": 5, "U": "years", "T": "entry", "B": "at_least",
        }
        assert set(answer["citations"]) == {"keeping", "19 U.S.C. 1508(a)", "19 U.S.C. 1508(b)"}

    def test_dates_and_money_are_strings(self, make_kb):
        root = make_kb(
            'provision "19 U.S.C. 1508(e)" {\n  reconstructed "values"\n'
            "  due(c1, 2024-02-29, $10,000.50).\n  due(c2, 2023-12-31, $12).\n}\n"
        )
        result = query("due(C, D, M)", "--kb", str(root), "--format", "json")
        assert result.returncode == 0, result.stderr.decode()
        assert json.loads(result.stdout)["answers"] == [
            {"bindings": {"C": "c1", "D": "2024-02-29", "M": "$10,000.50"}, "citations": ["19 U.S.C. 1508(e)"]},
            {"bindings": {"C": "c2", "D": "2023-12-31", "M": "$12"}, "citations": ["19 U.S.C. 1508(e)"]},
        ]

    def test_bundled_kb_json_shape(self):
        result = query("must_keep(C, R, N, U, T, B)", "--format", "json")
        assert result.returncode == 0, result.stderr.decode()
        payload = json.loads(result.stdout)
        assert payload["answers"]
        for answer in payload["answers"]:
            assert set(answer) == {"bindings", "citations"}
            assert set(answer["bindings"]) == {"C", "R", "N", "U", "T", "B"}
            assert isinstance(answer["bindings"]["N"], int)
            assert answer["citations"] and all(isinstance(c, str) for c in answer["citations"])

    def test_no_answers_is_an_empty_list(self, routes_kb):
        result = query("route(p3, X)", "--kb", str(routes_kb), "--format", "json")
        assert result.returncode == 0
        assert json.loads(result.stdout)["answers"] == []


class TestQueryErrors:
    def expect_diagnostic(self, result, code):
        assert result.returncode == 1
        err = result.stderr.decode()
        lines = err.splitlines()
        match = DIAGNOSTIC_LINE.match(lines[0])
        assert match, err
        assert match["code"] == code
        if code != "missing-file":
            assert match["line"] and match["col"]
        assert "Traceback" not in err and b"Traceback" not in result.stdout
        return match

    def test_unknown_predicate(self, routes_kb):
        match = self.expect_diagnostic(query("rout(X, Y)", "--kb", str(routes_kb)), "unknown-predicate")
        assert (int(match["line"]), int(match["col"])) == (1, 1)
        assert "did you mean 'route'?" in match["msg"]

    def test_unknown_predicate_in_json_mode(self, routes_kb):
        result = query("rout(X, Y)", "--kb", str(routes_kb), "--format", "json")
        self.expect_diagnostic(result, "unknown-predicate")
        assert result.stdout == b""

    def test_arity(self, routes_kb):
        self.expect_diagnostic(query("route(X)", "--kb", str(routes_kb)), "arity-mismatch")

    def test_malformed_query(self, routes_kb):
        match = self.expect_diagnostic(query("route(X, ", "--kb", str(routes_kb)), "syntax-error")
        assert "expected" in match["msg"]

    def test_bad_kb(self, make_kb):
        root = make_kb("p(X) :- q(X).\n")
        self.expect_diagnostic(query("p(X)", "--kb", str(root)), "orphan-rule")

    def test_missing_kb(self, tmp_path):
        match = self.expect_diagnostic(query("p(X)", "--kb", str(tmp_path / "absent")), "missing-file")
        assert match["path"] == str(tmp_path / "absent")


class TestDeterminism:
    @pytest.mark.parametrize("fmt", ["text", "json"])
    def test_same_bytes_across_runs_and_hash_seeds(self, routes_kb, fmt):
        args = ("route(X, Y)", "--kb", str(routes_kb), "--format", fmt)
        runs = [query(*args), query(*args)]
        runs += [query(*args, env={"PYTHONHASHSEED": seed}) for seed in ("0", "12345")]
        assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
        assert runs[0].stdout
        assert {r.stdout for r in runs} == {runs[0].stdout}

    @pytest.mark.parametrize("fmt", ["text", "json"])
    def test_bundled_kb_is_deterministic(self, fmt):
        args = ("must_keep(C, R, N, U, T, B)", "--kb", str(BUNDLED_KB), "--format", fmt)
        runs = [query(*args, env={"PYTHONHASHSEED": seed}) for seed in ("0", "12345")]
        assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
        assert {r.stdout for r in runs} == {runs[0].stdout}

    def test_error_output_is_deterministic(self, make_kb):
        root = make_kb(
            'provision "19 U.S.C. 1508(a)" {\n  reconstructed "x"\n'
            "  a(X) :- zzz(X).\n  b(X, Y) :- a(X).\n  c(X) :- a(X), not d(X).\n  d(X) :- c(X).\n}\n"
        )
        runs = [run_cli("check", str(root), env={"PYTHONHASHSEED": seed}) for seed in ("0", "12345")]
        assert all(r.returncode == 1 for r in runs)
        assert runs[0].stderr == runs[1].stderr
        assert runs[0].stderr.count(b"error[") == 3
