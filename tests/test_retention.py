"""The headline rows (engine/retention.py): who must keep what, for how long, with citations, on the
bundled KB; periods that conflict, and periods displaced by a provision that prevails."""

from __future__ import annotations

import pytest

import citelog
from citelog.retention import retention_rows
from conftest import ROUTES_KB

USC = "19 U.S.C. 1508"


@pytest.fixture(scope="module")
def kb():
    return citelog.load()


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
