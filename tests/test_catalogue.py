"""The headline query and every catalogue query of the bundled KB, pinned with their citations.

Each named query's answers (bindings and citations) are compared with a reviewed golden file in
tests/golden/catalogue/; set CITELOG_UPDATE_GOLDEN=1 to rewrite them after a deliberate change
to the KB, then read the diff as the review of that change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import citelog
from citelog.proofs import Prover
from citelog.retention import retention_rows
from citelog.values import to_json

GOLDEN = Path(__file__).parent / "golden" / "catalogue"
UPDATE = os.environ.get("CITELOG_UPDATE_GOLDEN") == "1"
USC, CFR = "19 U.S.C. 1508", "19 CFR 163."


@pytest.fixture(scope="module")
def kb():
    return citelog.load()


def answers_with_citations(kb, atom) -> list[dict]:
    prover = Prover(kb)
    return [
        {
            "bindings": {name: to_json(value) for name, value in answer.bindings},
            "citations": prover.prove(answer.predicate, answer.values).citations(),
        }
        for answer in kb.query(atom)
    ]


def test_catalogue_is_listed_and_documented(kb):
    names = [q.name for q in kb.program.queries]
    assert len(names) == len(set(names))
    for required in ("who_keeps_what", "deadlines", "penalties", "program_applicants", "certification_requirements",
                     "notices_instead_of_penalties", "appealable_decisions", "denial_grounds"):
        assert required in names
    assert all(q.meaning.strip() for q in kb.program.queries)


@pytest.mark.parametrize("name", [q.name for q in citelog.load().program.queries])
def test_catalogue_query_answers_and_citations(kb, name):
    found = answers_with_citations(kb, kb.program.named_query(name).atom)
    path = GOLDEN / f"{name}.json"
    text = json.dumps(found, indent=2, ensure_ascii=False) + "\n"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file for {name}: run with CITELOG_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8")
    for answer in found:  # every answer of the law rests on at least one provision
        assert answer["citations"], answer


def test_deadlines_include_the_disclosures_the_conference_and_the_response(kb):
    rows = {tuple(a["bindings"].values()): a["citations"] for a in answers_with_citations(
        kb, "deadline(Class, Action, Object, Amount, Unit, Trigger)")}
    amounts = {(row[0], row[3], row[4]) for row in rows}
    assert ("director", 15, "calendar_days") in amounts  # 163.11(b)
    assert sum(1 for row in rows if row[3] == 30 and row[4] == "days") >= 2  # 1508(b)(2)(B)(ii), twice
    assert any(row[4] == "reasonable_time" for row in rows)  # 163.12(d)(3)


class TestRetention:
    def test_required_rows(self, kb):
        rows = retention_rows(kb)
        by = {(r.who, r.what, r.how_long, r.period.trigger): set(r.citations) for r in rows}
        assert {USC + "(c)(3)"} <= by[("drawback_claimant", "drawback_claim_records", "until the 3rd anniversary",
                                       "liquidation_of_claim")]
        assert {USC + "(b)(2)(A)", USC + "(c)(2)"} <= by[("nafta_certificate_signer", "nafta_origin_records",
                                                          "at least 5 years", "signature")]
        for letter in "fghijk":
            matching = [c for (who, what, period, trigger), c in by.items()
                        if period == "at least 5 years" and trigger == "issuance" and USC + f"({letter})(3)" in c]
            assert matching, f"no (x)(3) row for 1508({letter})"
        capped = {who for (who, what, period, trigger), c in by.items()
                  if period == "at most 5 years" and USC + "(c)(1)" in c}
        assert {"importer", "drawback_claimant", "canadian_agreement_exporter"} <= capped

    def test_the_drawback_cap_is_displaced_not_in_conflict(self, kb):
        rows = retention_rows(kb)
        assert [r for r in rows if r.conflicts] == []
        displaced = [r for r in rows if r.displaced_by]
        assert {(r.who, r.what, r.how_long) for r in displaced} == {
            ("drawback_claimant", "drawback_claim_records", "at most 5 years"),
            ("agent_of_drawback_claimant", "drawback_claim_records", "at most 5 years"),
        }
        for row in displaced:
            (prevails,) = row.displaced_by
            assert (prevails.superior, prevails.inferior) == (USC + "(c)(3)", USC + "(c)(1)")
            assert prevails.because.startswith("lex specialis")
            assert prevails.stated_by == "lex_specialis_for_drawback_claims"
            assert {USC + "(c)(1)", USC + "(c)(3)"} <= set(row.citations)
            assert row.to_json(rows)["displaced_by"][0]["prevails"] == USC + "(c)(3)"

    def test_periods_that_may_pull_apart_are_still_flagged(self, make_kb):
        """Without a superiority, a cap against a floor for the same records is flagged as before."""
        from conftest import ROUTES_KB

        cap = 'provision "19 CFR 163.4(b)" {\n  reconstructed "a cap, for the test"\n' \
              "  keep entry_records for at most 3 years from entry.\n}\n"
        rows = retention_rows(citelog.load(make_kb(ROUTES_KB + cap)))
        assert [(r.how_long, [rows[i].how_long for i in r.conflicts]) for r in rows] == [
            ("at most 3 years", ["at least 5 years"]), ("at least 5 years", ["at most 3 years"])]

    def test_json_rows_carry_the_documented_fields(self, kb):
        rows = retention_rows(kb)
        for row in rows:
            data = row.to_json(rows)
            assert set(data) >= {"who", "what", "period", "trigger", "bound", "citations", "conflicts_with"}
            assert data["bound"] in ("exactly", "at_least", "at_most", "until", "as_prescribed")
