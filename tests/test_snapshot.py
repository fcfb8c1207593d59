"""The snapshot (engine/snapshot.py): every answer of a KB's headline, catalogue and scenario
cases with its citations and a digest of its proof, the record that `citelog diff` compares."""

from __future__ import annotations

import json

import pytest

import citelog
from citelog.cases import load_case_file
from citelog.snapshot import dumps, proof_digest, snapshot
from conftest import copy_fixture, fixture_text, run_cli

USC = "19 U.S.C. 1508"


@pytest.fixture
def base_dir(tmp_path):
    return copy_fixture("regression", tmp_path / "base")


class TestSnapshot:
    def test_it_records_the_headline_the_catalogue_and_the_scenario_cases(self, base_dir):
        kb = citelog.load(base_dir)
        cases = load_case_file(base_dir / "tests" / "law.yaml", kb)
        snap = snapshot(kb, cases)
        assert snap["schema"] == "citelog.snapshot/1"
        ids = [s["id"] for s in snap["sections"]]
        assert ids == ["headline", "query:who_keeps_what", "query:classes",
                       "case:law.yaml::the agent of an importer is an importer"]
        headline, who, classes, case = snap["sections"]
        assert who["same_as"] == "headline" and "answers" not in who  # the same question, recorded once
        [answer] = headline["answers"]
        assert answer["bindings"] == {"Who": "importer", "What": "entry_records", "Amount": 5, "Unit": "years",
                                      "Trigger": "entry", "Bound": "at_least"}
        assert answer["citations"] == [f"{USC}(a)", f"{USC}(b)", "keeping"]
        assert answer["proof"].startswith("sha256:") and len(answer["proof"]) == 71
        assert classes["answers"] == []
        assert case["answers"][0]["bindings"] == {"Class": "importer"}
        assert kb.given_facts() == []

    def test_it_is_deterministic(self, base_dir):
        first = run_cli("snapshot", "--kb", str(base_dir), cwd=base_dir.parent)
        second = run_cli("snapshot", "--kb", str(base_dir), cwd=base_dir.parent)
        assert first.returncode == 0 and first.stdout == second.stdout
        assert json.loads(first.stdout)["sections"][0]["id"] == "headline"

    def test_out_writes_a_file(self, base_dir, tmp_path):
        result = run_cli("snapshot", "--kb", str(base_dir), "--out", str(tmp_path / "snap.json"), cwd=tmp_path)
        assert result.returncode == 0
        kb = citelog.load(base_dir)
        cases = load_case_file(base_dir / "tests" / "law.yaml", kb)
        assert (tmp_path / "snap.json").read_text(encoding="utf-8") == dumps(snapshot(kb, cases))

    def test_a_case_file_that_does_not_load_stops_a_snapshot_and_is_left_out_of_a_diff(self, tmp_path):
        kb_dir = copy_fixture("regression", tmp_path / "kb")
        (kb_dir / "tests" / "broken.yaml").write_text("- name: no query\n", encoding="utf-8")
        (kb_dir / "tests" / "worse.yaml").write_text("[unclosed\n", encoding="utf-8")
        snap = run_cli("snapshot", "--kb", str(kb_dir), cwd=tmp_path)
        assert snap.returncode == 1 and snap.stdout == b""
        errors = snap.stderr.decode().splitlines()
        assert {line.split(":")[0] for line in errors} == {"kb/tests/broken.yaml", "kb/tests/worse.yaml"}, errors
        diff = run_cli("diff", "--kb", str(kb_dir), "--base-kb", str(kb_dir), cwd=tmp_path)
        assert diff.returncode == 0, diff.stderr
        warned = diff.stderr.decode()
        assert "warning: the cases of" in warned and "broken.yaml are left out" in warned and "worse.yaml" in warned

    def test_the_digest_follows_the_proof(self, base_dir, tmp_path):
        kb = citelog.load(base_dir)
        edited = fixture_text("regression/law.clog").replace("[importer] P is an importer if imports(P, _).",
                                                             "[importer] P is an importer if imports(P, E).")
        other = citelog.load(copy_fixture("regression", tmp_path / "other", rules=edited))
        digests = []
        for each in (kb, other):
            with each.scenario({"imports": [("acme", "e1")]}):
                digests.append(proof_digest(citelog.Prover(each).prove("is_a", ("acme", "importer"))))
        assert digests[0] != digests[1]  # the rule text changed, so the proof did
        with kb.scenario({"imports": [("acme", "e1")]}):
            again = proof_digest(citelog.Prover(kb).prove("is_a", ("acme", "importer")))
        assert again == digests[0]
