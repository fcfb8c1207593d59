"""citelog.activities: what a row of an inventory may name as its activity, read from the KB."""

from __future__ import annotations

import pytest

import citelog
from citelog.activities import Activity, activities

from conftest import copy_fixture, run_cli


@pytest.fixture(scope="module")
def bundled():
    return activities(citelog.load().program)


def test_the_bundled_kb_states_its_activities_beside_its_rules(bundled):
    assert bundled["files_entry"] == Activity(
        "files_entry", (("activities_require_declaration_or_entry", ("party",)), ("files_entry", ("party", "subject"))),
        "the party, whose activities require the filing of a declaration or entry, filed the entry (subject)")
    assert bundled["completes_and_issues_certificate"].needs_certificate
    assert not bundled["files_entry"].needs_certificate
    assert bundled["imports"].facts == (("imports", ("party", "subject")),)  # a two-place input of a party
    assert list(bundled) == sorted(bundled)


def test_an_activity_states_its_facts_about_one_row():
    notice = Activity("n", (("receives_notice_of_violation", ("party", "subject")), ("notice_concerns",
                                                                                     ("subject", "subject"))))
    assert notice.instantiate("acme", "D-1", "") == {"receives_notice_of_violation": [("acme", "D-1")],
                                                     "notice_concerns": [("D-1", "D-1")]}


def test_a_kb_without_the_file_offers_its_inputs_of_a_party(tmp_path):
    kb = citelog.load(copy_fixture("regression", tmp_path / "kb", cases=False))
    assert {name: a.facts for name, a in activities(kb.program).items()} == {
        "agent_of": (("agent_of", ("party", "subject")),), "imports": (("imports", ("party", "subject")),)}


BAD = """\
importing_agent:
  description: an agent that imports
  facts:
    - agent_of(party, subject)
    - imports(party, subject)
no_words:
  facts:
    - imports(party, subject)
wrong:
  description: every way to get a fact wrong
  facts:
    - imports(party)
    - is_a(party, importer)
    - imports(party, entry)
    - imports(party,
    - nosuch(party)
importing_agent:
  description: again
  facts:
    - imports(party, subject)
flow:
  description: facts in a flow list, where YAML splits an atom at its comma
  facts: [imports(party, subject)]
twice:
  description: one
  description: two
  facts:
    - imports(party, subject)
"""


def test_every_problem_of_the_file_is_reported_at_once_with_its_place(tmp_path):
    root = copy_fixture("regression", tmp_path / "kb", cases=False)
    (root / "activities.yaml").write_text(BAD, encoding="utf-8")
    with pytest.raises(citelog.CheckError) as raised:
        activities(citelog.load(root).program)
    found = [(d.position.line, d.position.column, d.code, d.message) for d in raised.value.diagnostics]
    assert all(code == "bad-activities" for _, _, code, _ in found)
    assert [(line, column) for line, column, _, _ in found] == [(6, 1), (12, 7), (13, 7), (14, 7), (15, 7), (16, 7),
                                                                (17, 1), (23, 11), (23, 26), (26, 3)]
    messages = [message for *_, message in found]
    assert "activity no_words needs a description" in messages[0]
    assert messages[1] == "imports takes 2 argument(s), not 1"
    assert messages[2] == "'is_a' is not an input of the KB (an activity states given facts)"
    assert messages[3] == "the arguments of imports(party, entry) are the row's party, subject or certificate"
    assert messages[4].startswith("'imports(party,' is not an atom: ")
    assert messages[5] == "'nosuch' is not an input of the KB (an activity states given facts)"
    assert messages[6] == "activity 'importing_agent' is given twice (first on line 1)"
    assert messages[7].startswith("'imports(party' is not an atom: ")
    assert messages[7].endswith("(a comma inside [ ] separates items: write one fact per line, after '- ')")
    assert messages[9] == "activity twice: 'description' is given twice (first on line 25)"


def test_the_schedule_stops_with_the_file_s_errors(tmp_path):
    root = copy_fixture("regression", tmp_path / "kb", cases=False)
    (root / "activities.yaml").write_text("files: [unclosed\n", encoding="utf-8")
    inventory = tmp_path / "in.csv"
    inventory.write_text("record_id,party,activity,subject,event,date\nr1,acme,imports,E1,entry,2020-01-02\n",
                         encoding="utf-8")
    result = run_cli("schedule", str(inventory), "--out", str(tmp_path / "out.csv"), "--kb", str(root))
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert result.stderr.decode().startswith(f"{root / 'activities.yaml'}:2:1: error[bad-activities]: not valid YAML")
    assert not (tmp_path / "out.csv").exists()


def test_the_schedule_never_writes_over_the_activities_it_reads(tmp_path):
    root = copy_fixture("regression", tmp_path / "kb", cases=False)
    activities_file = root / "activities.yaml"
    activities_file.write_text("importing:\n  description: imports\n  facts:\n    - imports(party, subject)\n",
                               encoding="utf-8")
    before = activities_file.read_bytes()
    inventory = tmp_path / "in.csv"
    inventory.write_text("record_id,party,activity,subject,event,date\nr1,acme,imports,E1,entry,2020-01-02\n",
                         encoding="utf-8")
    result = run_cli("schedule", str(inventory), "--out", str(activities_file), "--kb", str(root))
    assert result.returncode == 1 and b"error[bad-output]" in result.stderr, result.stderr
    assert activities_file.read_bytes() == before


def test_check_reports_the_activities_file_with_the_rules(tmp_path):
    root = copy_fixture("regression", tmp_path / "kb", cases=False)
    (root / "activities.yaml").write_text("importing:\n  description: imports\n  facts:\n    - imports(party)\n",
                                          encoding="utf-8")
    result = run_cli("check", str(root))
    assert result.returncode == 1 and result.stdout == b""
    assert result.stderr.decode().splitlines() == [
        f"{root / 'activities.yaml'}:4:7: error[bad-activities]: imports takes 2 argument(s), not 1", "1 error(s)"]
    assert run_cli("check").returncode == 0  # the bundled KB's activities agree with its declarations
