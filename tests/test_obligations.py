"""A scenario's dated obligations (engine/obligations.py), each part of the bundled KB as a scenario.

The shipped scenarios (kb/scenarios/*.yaml) are each pinned to their obligations: who, as what,
keeps or does what, for which subject, from which dated event, until which date, what the date
means, and the provisions cited. Parts of the law without a shipped file are covered by inline
scenarios here.
"""

from __future__ import annotations

import json

import jsonschema
import pytest
from conftest import BUNDLED_KB

import citelog
from citelog.explanations import Explainer
from citelog.obligations import obligations
from citelog.render import schema_path
from citelog.scenario import load_scenario

SCENARIOS = BUNDLED_KB / "scenarios"
USC = "19 U.S.C. 1508"
CFR = "19 CFR "


@pytest.fixture(scope="module")
def kb():
    return citelog.load()


def usc(*labels: str) -> list[str]:
    return [f"{USC}{label}" for label in labels]


def table(kb, facts: dict) -> list[tuple]:
    """The obligations of a scenario as (person, class, action, object, subject, event, start, end,
    meaning, statute and regulation citations)."""
    with kb.scenario(facts):
        rows = obligations(kb)
    return [
        (r.person, r.role, r.action, r.object, r.subject, r.event, str(r.start) if r.start else None,
         str(r.end) if r.end else None, r.meaning, [c for c in r.citations if "U.S.C." in c or "CFR" in c])
        for r in rows
    ]


def rows_of_file(kb, name: str) -> list[tuple]:
    return table(kb, load_scenario(SCENARIOS / name, kb.program).facts)


A_IMPORTER = usc("(a)(1)(A)", "(a)", "(a)(1)")
A_AGENT = usc("(a)(2)", "(a)(1)(A)", "(a)")
PRESCRIBED = usc("(c)")
CAP = usc("(c)(1)")

EXPECTED = {
    "1508a-importer.yaml": [
        ("acme", "importer", "keep", "activity_records", None, None, None, None, "prescribed", A_IMPORTER + PRESCRIBED),
        ("acme", "importer", "keep", "activity_records", "E-100", "entry", "2021-03-15", "2026-03-15", "maximum",
         A_IMPORTER + CAP),
        ("acme", "importer", "keep", "activity_records", "E-200", "entry", "2023-08-31", "2028-08-31", "maximum",
         A_IMPORTER + CAP),
        ("acme", "importer", "keep", "activity_records", "E-200", "reconciliation", "2024-02-29", "2029-02-28",
         "maximum", A_IMPORTER + CAP),
        ("swift", "agent_of_party", "keep", "activity_records", None, None, None, None, "prescribed",
         A_AGENT + PRESCRIBED),
        ("swift", "agent_of_party", "keep", "activity_records", "E-100", "entry", "2021-03-15", "2026-03-15",
         "maximum", A_AGENT + CAP),
        ("swift", "agent_of_party", "keep", "activity_records", "E-200", "entry", "2023-08-31", "2028-08-31",
         "maximum", A_AGENT + CAP),
        ("swift", "agent_of_party", "keep", "activity_records", "E-200", "reconciliation", "2024-02-29", "2029-02-28",
         "maximum", A_AGENT + CAP),
    ],
    "drawback-claim.yaml": [  # the (c)(1) cap of the claim records is displaced: (c)(3) prevails
        ("acme", "drawback_claimant", "keep", "activity_records", None, None, None, None, "prescribed",
         A_IMPORTER + PRESCRIBED),
        ("acme", "drawback_claimant", "keep", "activity_records", "C-7", "entry", "2021-03-15", "2026-03-15",
         "maximum", A_IMPORTER + CAP),
        ("acme", "drawback_claimant", "keep", "activity_records", "C-7", "exportation", "2022-01-31", "2027-01-31",
         "maximum", A_IMPORTER + CAP),
        ("acme", "drawback_claimant", "keep", "drawback_claim_records", "C-7", "liquidation", "2024-05-01",
         "2027-05-01", "minimum", A_IMPORTER + usc("(c)(3)")),
        ("acme", "drawback_claimant", "keep", "drawback_claim_records", None, None, None, None, "displaced",
         A_IMPORTER + usc("(c)(3)", "(c)(1)")),
        ("swift", "agent_of_drawback_claimant", "keep", "drawback_claim_records", "C-7", "liquidation", "2024-05-01",
         "2027-05-01", "minimum", A_AGENT + usc("(a)(1)", "(c)(3)")),
        ("swift", "agent_of_drawback_claimant", "keep", "drawback_claim_records", None, None, None, None, "displaced",
         A_AGENT + usc("(a)(1)", "(c)(3)", "(c)(1)")),
        ("swift", "agent_of_party", "keep", "activity_records", None, None, None, None, "prescribed",
         A_AGENT + PRESCRIBED),
        ("swift", "agent_of_party", "keep", "activity_records", "C-7", "entry", "2021-03-15", "2026-03-15",
         "maximum", A_AGENT + CAP),
        ("swift", "agent_of_party", "keep", "activity_records", "C-7", "exportation", "2022-01-31", "2027-01-31",
         "maximum", A_AGENT + CAP),
    ],
    "domestic-order.yaml": [  # M-2: ordered domestically without (d)(1) or (d)(2): no row
        ("buyer", "knowing_causer", "keep", "activity_records", None, None, None, None, "prescribed",
         usc("(a)(1)(B)", "(d)(1)", "(d)", "(a)", "(a)(1)", "(c)")),
        ("buyer", "knowing_causer", "keep", "activity_records", "M-1", "entry", "2022-06-01", "2027-06-01", "maximum",
         usc("(a)(1)(B)", "(d)(1)", "(d)", "(a)", "(a)(1)", "(c)(1)")),
    ],
    "nafta-failure-to-retain.yaml": [  # its liabilities are asked with `liable`; its periods are these
        ("maple", "nafta_certificate_signer", "keep", "associated_records", None, None, None, None, "prescribed",
         usc("(b)(2)(A)", "(c)")),
        ("maple", "nafta_certificate_signer", "keep", "associated_records", "G-3", "signature", "2020-03-02",
         "2025-03-02", "minimum", usc("(b)(2)(A)", "(c)(2)")),
        ("maple", "nafta_certificate_signer", "keep", "nafta_origin_records", None, None, None, None, "prescribed",
         usc("(b)(2)(A)", "(c)")),
        ("maple", "nafta_certificate_signer", "keep", "nafta_origin_records", "G-3", "signature", "2020-03-02",
         "2025-03-02", "minimum", usc("(b)(2)(A)", "(c)(2)")),
    ],
    "nafta-early-occurrence.yaml": [  # the occurrence inside the first 30 days starts no second deadline
        ("cedar", "waiver_refund_or_credit_claimant", "disclose", "whether_nafta_certificate_prepared", "A-4",
         "making_of_claim", "2024-01-31", "2024-03-01", "deadline",
         usc("(b)(2)(B)(i)", "(b)(2)(B)(i)(II)", "(b)(2)(B)(ii)")),
    ],
    "certification-removed.yaml": [  # its notices and appeal are asked with the catalogue queries
        ("ridge", "importer", "keep", "activity_records", None, None, None, None, "prescribed", A_IMPORTER + PRESCRIBED),
        ("ridge", "importer", "keep", "activity_records", "E-310", "entry", "2022-11-07", "2027-11-07", "maximum",
         A_IMPORTER + CAP),
    ],
    "nafta-certificate.yaml": [
        ("maple", "nafta_certificate_signer", "keep", "associated_records", None, None, None, None, "prescribed",
         usc("(b)(2)(A)", "(c)")),
        ("maple", "nafta_certificate_signer", "keep", "associated_records", "G-1", "signature", "2024-02-29",
         "2029-02-28", "minimum", usc("(b)(2)(A)", "(c)(2)")),
        ("maple", "nafta_certificate_signer", "keep", "nafta_origin_records", None, None, None, None, "prescribed",
         usc("(b)(2)(A)", "(c)")),
        ("maple", "nafta_certificate_signer", "keep", "nafta_origin_records", "G-1", "signature", "2024-02-29",
         "2029-02-28", "minimum", usc("(b)(2)(A)", "(c)(2)")),
        ("maple", "waiver_refund_or_credit_claimant", "disclose", "whether_nafta_certificate_prepared", "A-9",
         "making_of_claim", "2024-01-31", "2024-03-01", "deadline",
         usc("(b)(2)(B)(i)", "(b)(2)(B)(i)(II)", "(b)(2)(B)(ii)")),
    ],
    "canadian-export.yaml": [
        ("lakes", "canadian_agreement_exporter", "keep", "canadian_export_records", None, None, None, None,
         "prescribed", usc("(b)(3)", "(c)")),
        ("lakes", "canadian_agreement_exporter", "keep", "canadian_export_records", "L-1", "exportation",
         "1993-06-30", "1998-06-30", "maximum", usc("(b)(3)", "(c)(1)")),
    ],
    "chile-fta-certificate.yaml": [
        ("andes", "chile_certificate_issuer", "keep", "chile_origin_records", "G-7", "issuance", "2023-11-30",
         "2028-11-30", "minimum", usc("(f)(2)", "(f)(3)")),
    ],
    "panama-tpa-certificate.yaml": [
        ("canal", "panama_certification_issuer", "keep", "panama_origin_records", "G-8", "issuance", "2024-02-29",
         "2029-02-28", "minimum", usc("(k)(2)", "(k)(3)")),
    ],
    "conference.yaml": [
        ("director", "director", "provide_for", "audit_conference", "REQ-1", "receipt_of_request", "2024-12-20",
         "2025-01-04", "deadline", [CFR + "163.11(b)", CFR + "163.11(c)"]),
    ],
    "conference-investigation.yaml": [
        ("director", "director", "provide_for", "audit_conference", "REQ-2", None, None, None, "lifted",
         [CFR + "163.11(c)", CFR + "163.11(b)"]),
    ],
    "program-participant.yaml": [
        ("delta", "importer", "keep", "activity_records", None, None, None, None, "prescribed", A_IMPORTER + PRESCRIBED),
        ("delta", "importer", "keep", "activity_records", "E-900", "entry", "2023-04-03", "2028-04-03", "maximum",
         A_IMPORTER + CAP),
        ("delta", "notified_recordkeeper", "notify", "steps_taken_to_prevent_recurrence", "NOV-1", "receipt_of_notice",
         "2024-09-16", None, "deadline", [CFR + "163.12(d)(3)", CFR + "163.12(d)(1)", CFR + "163.12(a)",
                                          CFR + "163.13(a)(2)"]),
    ],
}


# ---- the shipped scenarios -------------------------------------------------------------------------


def test_every_shipped_scenario_is_pinned():
    assert sorted(p.name for p in SCENARIOS.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shipped_scenario_obligations(kb, name):
    assert rows_of_file(kb, name) == EXPECTED[name]


def test_drawback_cap_is_displaced_and_conflicts_with_nothing(kb):
    scenario = load_scenario(SCENARIOS / "drawback-claim.yaml", kb.program)
    with kb.scenario(scenario.facts):
        rows = obligations(kb)
    floor = next(r for r in rows if r.period.bound == "until" and r.person == "acme")
    assert floor.arithmetic == ("liquidation 2024-05-01 + 3 years (3rd anniversary) = 2027-05-01: keep at least "
                                "until 2027-05-01 (a minimum)")
    assert all(not r.conflicts for r in rows)
    displaced = [r for r in rows if r.displaced_by]
    assert [(r.person, r.role, r.wording, r.until) for r in displaced] == [
        ("acme", "drawback_claimant", "at most 5 years from the date of entry, filing of a reconciliation, or exportation", "not applicable"),
        ("swift", "agent_of_drawback_claimant", "at most 5 years from the date of entry, filing of a reconciliation, or exportation",
         "not applicable"),
    ]
    assert displaced[0].arithmetic == ("no date: the period does not apply; 19 U.S.C. 1508(c)(3) prevails over "
                                       "19 U.S.C. 1508(c)(1) (lex specialis: the specific provision prevails over "
                                       "the general one)")
    assert displaced[0].to_json(rows)["displaced_by"] == [{
        "prevails": "19 U.S.C. 1508(c)(3)", "over": "19 U.S.C. 1508(c)(1)",
        "because": "lex specialis: the specific provision prevails over the general one",
        "stated_by": "lex_specialis_for_drawback_claims"}]


def test_a_cap_against_a_floor_still_conflicts_where_no_superiority_is_stated(kb):
    facts = {"imports": [("acme", "E-1")], "entry_date": [("E-1", citelog.Date.parse("2024-01-10"))],
             "completes_and_signs_nafta_certificate": [("acme", "E-1")], "nafta_preference_claimed": [("E-1",)]}
    with kb.scenario(facts):
        rows = obligations(kb)
    # activity records (capped) and NAFTA records (a floor) are different records: nothing conflicts
    assert all(not r.conflicts for r in rows)


# ---- the other parts of the law, inline ----------------------------------------------------------------

D = citelog.Date.parse


@pytest.mark.parametrize(
    "letter, certificate, role, records",
    [
        ("g", "cafta_dr_certification_of_origin", "cafta_dr_certification_issuer", "cafta_dr_origin_records"),
        ("h", "ptpa_certification_of_origin", "peru_certification_issuer", "peru_origin_records"),
        ("i", "kfta_certification_of_origin", "korea_certification_issuer", "korea_origin_records"),
        ("j", "ctpa_certification_of_origin", "colombia_certification_issuer", "colombia_origin_records"),
    ],
)
def test_fta_certificates_g_to_j(kb, letter, certificate, role, records):
    facts = {
        "completes_and_issues_certificate": [("exp", certificate, "G"), ("exp", "chile_fta_certificate_of_origin", "H")],
        "exported_from_united_states": [("G",)],  # H is not exported: no Chile obligation
        "certificate_issued": [("exp", certificate, "G", D("2020-02-29")),
                               ("exp", "kfta_certification_of_origin" if letter != "i" else "ptpa_certification_of_origin",
                                "G", D("2021-01-01"))],  # another kind of certificate for G: not this class's event
    }
    assert table(kb, facts) == [
        ("exp", role, "keep", records, "G", "issuance", "2020-02-29", "2025-02-28", "minimum",
         usc(f"({letter})(2)", f"({letter})(3)")),
    ]


def test_transporter_under_bond_and_knowing_causer_under_bond(kb):
    facts = {
        "transports_or_stores_under_bond": [("haul", "B-1")],
        "causes_bonded_transport_or_storage": [("cause", "B-1")],
        "orders_from_importer_domestically": [("cause", "B-1")],  # 1508(d) limits importation only
        "exported_on": [("B-1", D("2022-12-31"))],
    }
    dated = [r for r in table(kb, facts) if r[4] is not None]
    assert dated == [
        ("cause", "knowing_causer", "keep", "activity_records", "B-1", "exportation", "2022-12-31", "2027-12-31",
         "maximum", usc("(a)(1)(B)", "(a)", "(a)(1)", "(c)(1)")),
        ("haul", "transporter_or_storer_under_bond", "keep", "activity_records", "B-1", "exportation", "2022-12-31",
         "2027-12-31", "maximum", usc("(a)(1)(A)", "(a)", "(a)(1)", "(c)(1)")),
    ]


def test_declarant_files_an_entry(kb):
    facts = {"activities_require_declaration_or_entry": [("dec",)], "files_entry": [("dec", "E-5"), ("other", "E-6")],
             "entry_date": [("E-5", D("2023-03-31")), ("E-6", D("2023-04-01"))]}
    assert [r for r in table(kb, facts) if r[4] is not None] == [
        ("dec", "declarant", "keep", "activity_records", "E-5", "entry", "2023-03-31", "2028-03-31", "maximum",
         usc("(a)(3)", "(a)", "(c)(1)")),
    ]


def test_later_certificate_occurrence_deadline(kb):
    facts = {"claims_refund_waiver_or_reduction": [("ann", "art1")],
             "prepares_nafta_certificate_after_period": [("ann", "art1")],
             "later_certificate_occurrence_on": [("ann", "art1", D("2024-12-15"))]}
    rows = [r for r in table(kb, facts) if r[1] == "claimant_with_later_certificate"]
    assert rows == [
        ("ann", "claimant_with_later_certificate", "disclose", "later_certificate_occurrence", "art1", "occurrence",
         "2024-12-15", "2025-01-14", "deadline",
         usc("(b)(2)(B)(ii)", "(b)(2)(B)(ii)(I)", "(b)(2)(B)(i)(III)")),
    ]


def test_duties_with_a_deadline_but_no_date_are_listed_undated(kb):
    notice = {"holds_program_certification": [("ann",)], "generally_in_compliance_with_program": [("ann",)],
              "fails_to_produce_demanded_record": [("ann", "d1")], "receives_notice_of_violation": [("ann", "n1")],
              "notice_concerns": [("n1", "d1")]}
    rows = table(kb, {"claims_bond_credit": [("ann", "art1")], **notice})
    assert [(r[1], r[2], r[4], r[6], r[7], r[8]) for r in rows] == [
        ("notified_recordkeeper", "notify", None, None, None, "deadline"),
        ("waiver_refund_or_credit_claimant", "disclose", None, None, None, "deadline"),
    ]
    with kb.scenario({"claims_bond_credit": [("ann", "art1")]}):
        (row,) = obligations(kb)
    assert row.arithmetic == "no date: the scenario gives no date for the event that starts this period"
    assert row.until == "no date given"


def test_a_period_without_its_event_date_stays_as_an_undated_row(kb):
    rows = table(kb, {"files_drawback_claim": [("acme", "C-9")], "claim_liquidated": [("C-9", D("2023-09-30"))]})
    assert [(r[3], r[5], r[7], r[8]) for r in rows] == [
        ("activity_records", None, None, "prescribed"),
        ("activity_records", None, None, "maximum"),  # no date of entry, reconciliation or exportation
        ("drawback_claim_records", "liquidation", "2026-09-30", "minimum"),
        ("drawback_claim_records", None, None, "displaced"),  # (c)(3) prevails over the cap of (c)(1)
    ]


def test_obligations_of_one_person(kb):
    scenario = load_scenario(SCENARIOS / "1508a-importer.yaml", kb.program)
    with kb.scenario(scenario.facts):
        assert {r.person for r in obligations(kb, "swift")} == {"swift"}
        assert len(obligations(kb, "swift")) == 4
        assert obligations(kb, "nobody") == []


def test_explanation_shows_the_date_arithmetic(kb):
    scenario = load_scenario(SCENARIOS / "drawback-claim.yaml", kb.program)
    with kb.scenario(scenario.facts):
        rows = obligations(kb)
        explanation = Explainer(kb).explain_answers("drawback", [r.source for r in rows])
        text, md, html, js = (explanation.to_text(), explanation.to_markdown(), explanation.to_html(),
                              explanation.to_json())
    line = ("date arithmetic: liquidation 2024-05-01 + 3 years (3rd anniversary) = 2027-05-01: keep at least until "
            "2027-05-01 (a minimum)")
    assert line in text and line in md
    assert "date arithmetic: <code>liquidation 2024-05-01 + 3 years (3rd anniversary) = 2027-05-01" in html
    payload = json.loads(js)
    jsonschema.Draft202012Validator(json.loads(schema_path().read_text(encoding="utf-8"))).validate(payload)
    tops = [a["proof"].get("arithmetic") for a in payload["answers"]]
    assert tops[0] is None  # the period the Secretary prescribes has no date
    assert tops[3] == line.removeprefix("date arithmetic: ")  # acme's claim records, until the 3rd anniversary
