"""The `citelog query` command: text and JSON output, --kb, errors, and byte-identical output."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time

import pytest

from conftest import BUNDLED_KB, CITELOG, REPO, run_cli

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


# ---- values printed as written, files written whole, the conventions of a command (issue 15) ------------

HOSTILE_KB = """\
source law = "sources/law.txt".
input imports(Party, Entry) means "Party imports under Entry".
provision "19 U.S.C. 1508(a)" {
  quote law "Every importer shall keep entry records."
  link("x[/bold]", y).
  link("[red]R", z).
  link("T\x1b[2J\x1b]0;x\x9b", w).
}
"""
SHOWN = ("x[/bold]", "[red]R", "T\\x1b[2J\\x1b]0;x\\x9b")
CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


class TestValuesAsWritten:
    def test_markup_and_escapes_in_a_table(self, make_kb):
        result = query("link(X, Y)", "--kb", str(make_kb(HOSTILE_KB)))
        assert result.returncode == 0, result.stderr.decode()
        out = result.stdout.decode()
        assert all(value in out for value in SHOWN) and "3 answer(s)" in out
        assert not CONTROLS.search(out)

    def test_markup_and_escapes_in_a_ground_answer_and_in_json(self, make_kb):
        root = str(make_kb(HOSTILE_KB))
        yes = query('link("x[/bold]", y)', "--kb", root)
        assert yes.returncode == 0 and yes.stdout.decode().startswith('yes: link("x[/bold]", y) holds')
        result = query("link(X, Y)", "--kb", root, "--format", "json")
        assert not CONTROLS.search(result.stdout.decode())
        values = {a["bindings"]["X"] for a in json.loads(result.stdout)["answers"]}
        assert values == {"x[/bold]", "[red]R", "T\x1b[2J\x1b]0;x\x9b"}  # the JSON values are unchanged

    def test_in_an_explanation_and_a_diagnostic(self, make_kb):
        root = str(make_kb(HOSTILE_KB))
        explained = run_cli("explain", "link(X, Y)", "--kb", root)
        assert explained.returncode == 0 and not CONTROLS.search(explained.stdout.decode())
        assert "T\\x1b[2J" in explained.stdout.decode()
        failed = query('nolink("\x1b]0;owned\x07")', "--kb", root)
        assert failed.returncode == 1 and not CONTROLS.search(failed.stderr.decode().replace("\n", ""))

    def test_a_scenario_title(self, tmp_path):
        scenario = tmp_path / "s.yaml"
        scenario.write_text('scenario: "[/i] T\\e[2J"\nfacts:\n  imports: [[acme, e1]]\n', encoding="utf-8")
        result = run_cli("retention", "--scenario", str(scenario))
        assert result.returncode == 0, result.stderr.decode()
        assert result.stdout.decode().startswith("Scenario: [/i] T\\x1b[2J\n")


class TestCommandConventions:
    @pytest.mark.parametrize("args", [["retention"], ["test", "-v"], ["retention", "--format", "json"]])
    def test_a_reader_that_stops_early_ends_the_command_quietly(self, args):
        command = " ".join([CITELOG, *args]) + " | head -1"
        result = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, cwd=REPO, timeout=120)
        assert (result.returncode, result.stderr) == (0, b"")
        assert result.stdout.count(b"\n") == 1

    def test_ctrl_c_prints_one_line_and_exits_130(self, tmp_path):
        inventory = tmp_path / "in.csv"
        with inventory.open("w", encoding="utf-8") as out:
            out.write("record_id,party,activity,subject,event,date\n")
            out.writelines(f"r{i},acme,imports,E-{i},entry,2020-01-10\n" for i in range(400_000))
        process = subprocess.Popen([CITELOG, "schedule", str(inventory), "--out", str(tmp_path / "out.csv")],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while not any(p.suffix == ".tmp" for p in tmp_path.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)  # until it writes the schedule
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
        assert (process.returncode, err) == (130, b"interrupted\n")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]  # nothing half-written left

    @pytest.mark.parametrize("command", [[], ["query"], ["schedule"], ["test"], ["serve"]])
    def test_dash_h_is_help(self, command):
        short, long = run_cli(*command, "-h"), run_cli(*command, "--help")
        assert short.returncode == long.returncode == 0
        assert short.stdout == long.stdout and b"Usage: citelog" in short.stdout


class TestOutputFiles:
    def test_explain_out_writes_the_file_whole(self, routes_kb, tmp_path):
        target = tmp_path / "memo.md"
        result = run_cli("explain", "route(X, Y)", "--kb", str(routes_kb), "--format", "md", "--out", str(target))
        assert result.returncode == 0 and result.stderr.decode() == f"wrote {target}\n"
        assert target.read_text(encoding="utf-8").startswith("# ")
        assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []

    def test_out_over_the_scenario_is_refused(self, tmp_path):
        scenario = tmp_path / "v.yaml"
        scenario.write_text("facts:\n  imports: [[acme, e1]]\n", encoding="utf-8")
        before = scenario.read_bytes()
        result = run_cli("retention", "--scenario", str(scenario), "--explain", "--out", str(scenario))
        assert result.returncode == 1
        assert result.stderr.decode().startswith(f"{scenario}: error[bad-output]: the output is the same file as "
                                                 f"the input {scenario}")
        assert scenario.read_bytes() == before

    def test_out_over_a_rule_file_through_a_hard_link_is_refused(self, routes_kb, tmp_path):
        alias = tmp_path / "alias.json"
        os.link(routes_kb / "rules.clog", alias)
        before = (routes_kb / "rules.clog").read_bytes()
        for command in (["snapshot", "--kb", str(routes_kb), "--out", str(routes_kb / "rules.clog")],
                        ["snapshot", "--kb", str(routes_kb), "--out", str(alias)],
                        ["explain", "route(X, Y)", "--kb", str(routes_kb), "--out", str(routes_kb / "sources/law.txt")]):
            result = run_cli(*command)
            assert result.returncode == 1 and b"error[bad-output]" in result.stderr, command
        assert (routes_kb / "rules.clog").read_bytes() == before

    def test_check_prints_warnings_and_passes(self, make_kb):
        root = make_kb(HOSTILE_KB.replace('link("[red]R", z)', 'link("ac\u200bme", z)'))
        result = run_cli("check", str(root))
        assert result.returncode == 0
        assert result.stdout.decode().endswith("no errors, 2 warning(s)\n")
        hidden, escape = result.stderr.decode().splitlines()
        assert hidden.startswith(f"{root / 'rules.clog'}:6:8: warning[invisible-character]: 'ac\\u200bme' holds")
        assert escape.startswith(f"{root / 'rules.clog'}:7:8: warning[invisible-character]: 'T\\u001b[2J")
