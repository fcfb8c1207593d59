"""The semantic diff: deliberate edits of a small KB, each with its expected report.

Each edit is made to a copy of the fixture KB tests/fixtures/regression (its law, catalogue and
one scenario case); the diff compares it with the unedited KB and must report exactly what the
edit changed: the provisions, the answers that moved, and which edited provision caused each.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import citelog
from citelog.cases import load_case_file
from citelog.semantic_diff import diff_kbs
from conftest import copy_fixture, fixture_text, run_cli

USC = "19 U.S.C. 1508"
RULES = fixture_text("regression/law.clog")

AGENT = '''provision "19 U.S.C. 1508(a)(2)" {
  quote law "An agent of an importer is also an importer."
  [agent] P is an importer if agent_of(P, Q), is_a(Q, importer).
}

'''

EDITS = {
    "add a provision": RULES.replace("interpretation keeping", '''provision "19 U.S.C. 1508(b)(2)" {
  quote law "records of Compliance shall be kept for the same period"
  importer must keep compliance_records.
  keep compliance_records for at least 5 years from entry.
}

interpretation keeping'''),
    "remove a provision": RULES.replace(AGENT, ""),
    "change a period": RULES.replace("keep entry_records for at least 5 years from entry.",
                                     "keep entry_records for at least 6 years from entry."),
    "change a citation": RULES.replace('provision "19 U.S.C. 1508(b)"', 'provision "19 U.S.C. 1508(b)(1)"'),
    "add an exception": RULES.replace("interpretation keeping", '''input exempt_entry(Entry) means "Entry is exempt" reads "{Entry} is exempt".

provision "19 U.S.C. 1508(c)" {
  quote law "No person shall be liable where the entry is exempt."
  exception to importer if imports(P, E), exempt_entry(E).
}

interpretation keeping'''),
}

EXPECTED = {
    "add a provision": """\
citelog diff: head against base

provisions: 1 added, 0 removed, 0 edited; answers: 1 added, 0 removed, 0 changed

Provisions

added: 19 U.S.C. 1508(b)(2) (statute, law.clog:25)
    + provision "19 U.S.C. 1508(b)(2)" {
    +   quote law "records of Compliance shall be kept for the same period"
    +   importer must keep compliance_records.
    +   keep compliance_records for at least 5 years from entry.
    + }

Answers changed by 19 U.S.C. 1508(b)(2)

  headline: must_keep(Who, What, Amount, Unit, Trigger, Bound)
    + Who=importer, What=compliance_records, Amount=5, Unit=years, Trigger=entry, Bound=at_least
      cites 19 U.S.C. 1508(b)(2); keeping
""",
    "remove a provision": """\
citelog diff: head against base

provisions: 0 added, 1 removed, 0 edited; answers: 0 added, 1 removed, 0 changed

Provisions

removed: 19 U.S.C. 1508(a)(2) (statute, law.clog:15)
    - provision "19 U.S.C. 1508(a)(2)" {
    -   quote law "An agent of an importer is also an importer."
    -   [agent] P is an importer if agent_of(P, Q), is_a(Q, importer).
    - }

Answers changed by 19 U.S.C. 1508(a)(2)

  case law.yaml::the agent of an importer is an importer: is_a(broker, Class)
    - Class=importer
      cites 19 U.S.C. 1508(a)(2); 19 U.S.C. 1508(a)
""",
    "change a period": """\
citelog diff: head against base

provisions: 0 added, 0 removed, 1 edited; answers: 1 added, 1 removed, 0 changed

Provisions

edited: 19 U.S.C. 1508(b) (statute, law.clog:20)
      provision "19 U.S.C. 1508(b)" {
        quote law "Entry records shall be kept for at least 5 years from the date of entry"
    -   keep entry_records for at least 5 years from entry.
    +   keep entry_records for at least 6 years from entry.
      }

Answers changed by 19 U.S.C. 1508(b)

  headline: must_keep(Who, What, Amount, Unit, Trigger, Bound)
    - Who=importer, What=entry_records, Amount=5, Unit=years, Trigger=entry, Bound=at_least
      cites 19 U.S.C. 1508(a); 19 U.S.C. 1508(b); keeping
    + Who=importer, What=entry_records, Amount=6, Unit=years, Trigger=entry, Bound=at_least
      cites 19 U.S.C. 1508(a); 19 U.S.C. 1508(b); keeping
""",
    "change a citation": """\
citelog diff: head against base

provisions: 1 added, 1 removed, 0 edited; answers: 0 added, 0 removed, 1 changed

Provisions

added: 19 U.S.C. 1508(b)(1) (statute, law.clog:20)
    + provision "19 U.S.C. 1508(b)(1)" {
    +   quote law "Entry records shall be kept for at least 5 years from the date of entry"
    +   keep entry_records for at least 5 years from entry.
    + }

removed: 19 U.S.C. 1508(b) (statute, law.clog:20)
    - provision "19 U.S.C. 1508(b)" {
    -   quote law "Entry records shall be kept for at least 5 years from the date of entry"
    -   keep entry_records for at least 5 years from entry.
    - }

Answers changed by 19 U.S.C. 1508(b)(1); 19 U.S.C. 1508(b)

  headline: must_keep(Who, What, Amount, Unit, Trigger, Bound)
    ~ Who=importer, What=entry_records, Amount=5, Unit=years, Trigger=entry, Bound=at_least
      no longer cites 19 U.S.C. 1508(b), now cites 19 U.S.C. 1508(b)(1)
""",
    "add an exception": """\
citelog diff: head against base

provisions: 1 added, 0 removed, 1 edited; answers: 0 added, 0 removed, 1 changed

Provisions

edited: 19 U.S.C. 1508(a) (statute, law.clog:9) — its text is unchanged: its rules changed through an \
exception stated in another provision
    - [importer] is_a(P, importer) :- imports(P, _).
    + [importer] is_a(P, importer) :- imports(P, _), not exception[19 U.S.C. 1508(c)#1](P).
      duty(importer, keep, entry_records).

added: 19 U.S.C. 1508(c) (statute, law.clog:27)
    + provision "19 U.S.C. 1508(c)" {
    +   quote law "No person shall be liable where the entry is exempt."
    +   exception to importer if imports(P, E), exempt_entry(E).
    + }

Answers changed by 19 U.S.C. 1508(a); 19 U.S.C. 1508(c)

  case law.yaml::the agent of an importer is an importer: is_a(broker, Class)
    ~ Class=importer
      now cites 19 U.S.C. 1508(c)
""",
}


@pytest.fixture
def base_dir(tmp_path):
    return copy_fixture("regression", tmp_path / "base")


def diff_of(base_dir: Path, head_dir: Path):
    head = citelog.load(head_dir)
    cases = load_case_file(head_dir / "tests" / "law.yaml", head)
    return diff_kbs(citelog.load(base_dir), head, cases, base_label="base", head_label="head")


@pytest.mark.parametrize("edit", list(EDITS))
def test_each_deliberate_edit_gives_its_expected_report(edit, base_dir, tmp_path):
    assert EDITS[edit] != RULES  # the edit applies
    head_dir = copy_fixture("regression", tmp_path / "head", rules=EDITS[edit])
    assert diff_of(base_dir, head_dir).to_text() == EXPECTED[edit]


def test_the_json_report_groups_answers_by_cause(base_dir, tmp_path):
    head_dir = copy_fixture("regression", tmp_path / "head", rules=EDITS["change a period"])
    report = json.loads(diff_of(base_dir, head_dir).to_json())
    assert report["schema"] == "citelog.diff/1" and report["changed"] is True
    assert report["summary"] == {"provisions_added": 0, "provisions_removed": 0, "provisions_edited": 1,
                                 "answers_added": 1, "answers_removed": 1, "answers_changed": 0}
    [edited] = report["provisions"]
    assert (edited["provision"], edited["kind"], edited["rules_changed"]) == (f"{USC}(b)", "edited", True)
    assert "at least 5 years" in edited["before"]["text"] and "at least 6 years" in edited["after"]["text"]
    assert edited["before"]["rules"] == ["retention(entry_records, 5, years, entry, at_least)."]
    [group] = report["answers"]
    assert group["caused_by"] == [f"{USC}(b)"]
    assert [(c["kind"], c["bindings"]["Amount"], c["section"]) for c in group["changes"]] == [
        ("removed", 5, "headline"), ("added", 6, "headline")]


def test_a_text_only_edit_changes_a_provision_but_no_answer(base_dir, tmp_path):
    rules = RULES.replace('  keep entry_records for at least 5 years from entry.\n',
                          '  note "the period runs from the date of entry"\n  keep entry_records for at least 5 years from entry.\n')
    report = diff_of(base_dir, copy_fixture("regression", tmp_path / "head", rules=rules))
    assert [(p.key, p.kind, p.rules_changed) for p in report.provisions] == [(f"{USC}(b)", "edited", False)]
    assert report.answers == []
    assert "its rules are unchanged (text, quotes or notes only)" in report.to_text()


def test_an_answer_without_an_edited_provision_in_its_proof_has_other_causes(tmp_path):
    # A negated condition that is not an exception is shown as "no evidence that ..." and cites
    # nothing: editing the provision that defines it moves answers whose proofs do not name it.
    negated = RULES.replace("[importer] P is an importer if imports(P, _).",
                            "[importer] P is an importer if imports(P, _), not exempt(P).")
    negated = negated.replace("interpretation keeping", '''provision "19 U.S.C. 1508(c)" {
  quote law "No person shall be liable where the entry is exempt."
  exempt(P) :- imports(P, E), E = e9.
}

interpretation keeping''')
    base_dir = copy_fixture("regression", tmp_path / "base", rules=negated)
    head_dir = copy_fixture("regression", tmp_path / "head", rules=negated.replace("E = e9", "E = e1"))
    report = diff_of(base_dir, head_dir)
    assert [(p.key, p.kind) for p in report.provisions] == [(f"{USC}(c)", "edited")]
    [(causes, [change])] = report.groups()
    assert causes == () and change.kind == "removed" and change.bindings == (("Class", "importer"),)
    assert "Answers changed by other causes (no edited provision in their proofs)" in report.to_text()
    assert json.loads(report.to_json())["answers"][0]["caused_by"] == ["other causes"]


def test_a_question_added_to_the_catalogue_is_reported(base_dir, tmp_path):
    rules = RULES.replace("query classes means", "query importers means \"Who imports\" asks is_a(P, importer).\n"
                                                 "query classes means")
    report = diff_of(base_dir, copy_fixture("regression", tmp_path / "head", rules=rules))
    assert [(s.section, s.kind, s.detail) for s in report.sections] == [
        ("query:importers", "added", "is_a(P, importer) (0 answer(s))")]
    assert report.changed


def test_no_change_says_so(base_dir, tmp_path):
    report = diff_of(base_dir, copy_fixture("regression", tmp_path / "head"))
    assert not report.changed
    assert report.to_text() == "citelog diff: head against base\n\nno change: the same provisions and the same answers\n"


def test_markdown_puts_the_rule_text_in_diff_blocks(base_dir, tmp_path):
    md = diff_of(base_dir, copy_fixture("regression", tmp_path / "head", rules=EDITS["change a period"])).to_markdown()
    assert md.startswith("# citelog diff: head against base\n")
    assert "### edited: 19 U.S.C. 1508(b) (statute, law.clog:20)\n\n```diff\n" in md
    assert "+   keep entry_records for at least 6 years from entry.\n" in md
    assert "## Answers changed by 19 U.S.C. 1508(b)" in md


# ---- citelog diff ---------------------------------------------------------------------------------------------


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=cwd, check=True,
                   capture_output=True)


class TestCommand:
    def test_exit_0_without_change_and_1_with_changes(self, base_dir, tmp_path):
        same = copy_fixture("regression", tmp_path / "same")
        result = run_cli("diff", "--kb", str(same), "--base-kb", str(base_dir), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stdout.decode().endswith("no change: the same provisions and the same answers\n")
        head = copy_fixture("regression", tmp_path / "head", rules=EDITS["change a period"])
        changed = run_cli("diff", "--kb", str(head), "--base-kb", str(base_dir), cwd=tmp_path)
        assert changed.returncode == 1
        assert changed.stdout.decode() == EXPECTED["change a period"]

    def test_formats(self, base_dir, tmp_path):
        head = copy_fixture("regression", tmp_path / "head", rules=EDITS["add a provision"])
        as_json = run_cli("diff", "--kb", str(head), "--base-kb", str(base_dir), "--format", "json", cwd=tmp_path)
        assert as_json.returncode == 1
        assert json.loads(as_json.stdout)["summary"]["provisions_added"] == 1
        as_md = run_cli("diff", "--kb", str(head), "--base-kb", str(base_dir), "--format", "md", cwd=tmp_path)
        assert as_md.stdout.decode().startswith("# citelog diff: head against base\n")

    def test_base_git_rev_reads_the_kb_of_that_revision(self, tmp_path):
        repo = tmp_path / "repo"
        kb = copy_fixture("regression", repo / "kb")
        git("init", "-q", cwd=repo)
        git("add", ".", cwd=repo)
        git("commit", "-q", "-m", "law", cwd=repo)
        (kb / "law.clog").write_text(EDITS["change a period"], encoding="utf-8")
        result = run_cli("diff", "--kb", "kb", cwd=repo)  # --base HEAD by default
        out = result.stdout.decode()
        assert result.returncode == 1, result.stderr
        assert out.startswith("citelog diff: kb against kb at HEAD\n")
        assert out.split("\n", 1)[1] == EXPECTED["change a period"].split("\n", 1)[1]
        git("commit", "-q", "-am", "six years", cwd=repo)
        assert run_cli("diff", "--kb", "kb", "--base", "HEAD", cwd=repo).returncode == 0
        back = run_cli("diff", "--kb", "kb", "--base", "HEAD~1", cwd=repo)
        assert back.returncode == 1 and "+   keep entry_records for at least 6 years" in back.stdout.decode()

    @pytest.mark.parametrize("args, message", [
        (["--base", "no-such-rev"], "<base>:1:1: error[bad-revision]: unknown git revision 'no-such-rev'"),
        (["--base", "--help"], "<base>:1:1: error[bad-revision]: unknown git revision '--help'"),
        (["--base-kb", "missing"], "missing: error[missing-file]: no such file or folder"),
        (["--base", "HEAD", "--base-kb", "x"], "<base>:1:1: error[bad-option]: give --base GIT_REV or --base-kb PATH, not both"),
    ])
    def test_errors_exit_2_with_a_diagnostic(self, tmp_path, args, message):
        repo = tmp_path / "repo"
        copy_fixture("regression", repo / "kb")
        git("init", "-q", cwd=repo)
        git("add", ".", cwd=repo)
        git("commit", "-q", "-m", "law", cwd=repo)
        result = run_cli("diff", "--kb", "kb", *args, cwd=repo)
        err = result.stderr.decode()
        assert result.returncode == 2
        assert err.startswith(message), err
        assert "Traceback" not in err

    def test_not_a_git_repository_exits_2(self, tmp_path):
        kb = copy_fixture("regression", tmp_path / "kb")
        result = run_cli("diff", "--kb", str(kb), cwd=tmp_path, env={"GIT_CEILING_DIRECTORIES": str(tmp_path)})
        assert result.returncode == 2
        assert "error[not-git]: " in result.stderr.decode()
        assert "is not in a git repository" in result.stderr.decode()

    @pytest.mark.parametrize("target", ["/etc/passwd", "../../../outside.txt"])
    def test_a_revision_holding_a_link_out_of_the_kb_is_a_bad_revision(self, tmp_path, target):
        repo = tmp_path / "repo"
        kb = copy_fixture("regression", repo / "kb")
        (kb / "sources" / "evil.txt").symlink_to(target)
        git("init", "-q", cwd=repo)
        git("add", ".", cwd=repo)
        git("commit", "-q", "-m", "law", cwd=repo)
        result = run_cli("diff", "--kb", "kb", cwd=repo)
        assert result.returncode == 2
        assert result.stderr.decode().startswith(
            "<base>:1:1: error[bad-revision]: the KB at revision 'HEAD' holds a file citelog does not unpack "
            "('kb/sources/evil.txt' "), result.stderr.decode()

    def test_a_revision_without_the_kb_folder_exits_2(self, tmp_path):
        repo = tmp_path / "repo"
        repo.mkdir()
        (repo / "README").write_text("x", encoding="utf-8")
        git("init", "-q", cwd=repo)
        git("add", ".", cwd=repo)
        git("commit", "-q", "-m", "first", cwd=repo)
        copy_fixture("regression", repo / "kb")
        result = run_cli("diff", "--kb", "kb", cwd=repo)
        assert result.returncode == 2
        assert "error[bad-revision]: kb does not exist at revision 'HEAD'" in result.stderr.decode()
