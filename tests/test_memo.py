"""What an export says about itself (citelog.memo): the KB's revision, the time, the scenario's facts."""

from __future__ import annotations

import datetime
import shutil
import subprocess

import citelog
from citelog.memo import in_git_work_tree, memo, now, revision
from citelog.scenario import load_scenario
from conftest import BUNDLED_KB

GIT = ["git", "-c", "user.name=citelog", "-c", "user.email=citelog@example.org", "-c", "commit.gpgsign=false"]


def test_the_revision_of_a_kb_outside_git_is_its_content(tmp_path):
    shutil.copytree(BUNDLED_KB, tmp_path / "kb")
    copy = revision(citelog.load(tmp_path / "kb").program)
    assert copy.commit is None and not copy.modified and str(copy) == copy.content
    assert copy.content == revision(citelog.load(BUNDLED_KB).program).content  # the same files, the same hash
    assert not in_git_work_tree(tmp_path / "kb")
    terms = tmp_path / "kb" / "terms.clog"
    terms.write_text(terms.read_text(encoding="utf-8") + "% an edit\n", encoding="utf-8")
    assert revision(citelog.load(tmp_path / "kb").program).content != copy.content


def test_the_revision_of_a_kb_in_git_names_its_commit_and_says_when_it_is_edited(tmp_path):
    shutil.copytree(BUNDLED_KB, tmp_path / "kb")
    for command in (["init", "-q"], ["add", "kb"], ["commit", "-q", "-m", "the KB"]):
        subprocess.run(GIT + command, cwd=tmp_path, check=True, capture_output=True)
    head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=tmp_path, capture_output=True, text=True)
    clean = revision(citelog.load(tmp_path / "kb").program)
    assert (clean.commit, clean.modified) == (head.stdout.strip(), False) and in_git_work_tree(tmp_path / "kb")
    assert str(clean) == f"{clean.content} (git {clean.commit})"
    terms = tmp_path / "kb" / "terms.clog"
    terms.write_text(terms.read_text(encoding="utf-8") + "% an edit\n", encoding="utf-8")
    edited = revision(citelog.load(tmp_path / "kb").program)
    assert edited.modified and edited.content != clean.content
    assert str(edited).endswith(", with changes not committed)")


def test_the_time_is_now_unless_source_date_epoch_says_otherwise(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    made = datetime.datetime.fromisoformat(now().replace("Z", "+00:00"))
    assert abs((datetime.datetime.now(datetime.timezone.utc) - made).total_seconds()) < 60
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798797600")
    assert now() == "2027-01-01T10:00:00Z"


def test_a_scenario_s_facts_as_given_and_as_sentences():
    kb = citelog.load()
    scenario = load_scenario(BUNDLED_KB / "scenarios" / "1508a-importer.yaml", kb.program)
    written = memo(kb, scenario)
    assert written.scenario == scenario.title and written.source == scenario.path
    assert written.parties == (("acme", "Acme Imports Inc."), ("swift", "Swift Customs Brokers"))
    assert [(f.predicate, f.values) for f in written.facts] == [(p, row) for p, rows in scenario.facts.items()
                                                                for row in rows]
    assert "swift is an agent of acme" in [f.sentence for f in written.facts]
    assert memo(kb).scenario is None and memo(kb).facts == ()
