"""The bundled KB's law: the headline query and the exceptions, with their citations.

These tests pin what the transcription of 19 U.S.C. 1508 and 19 CFR 163.11-163.13 must answer.
They read the bundled KB (kb/), loaded once per module; scenarios add facts and withdraw them.
"""

from __future__ import annotations

import pytest

import citelog

USC = "19 U.S.C. 1508"
CFR = "19 CFR "


def usc(label: str) -> str:
    return f"{USC}{label}"


@pytest.fixture(scope="module")
def kb():
    return citelog.load()


def rows(kb, query: str) -> set[tuple]:
    return {answer.values for answer in kb.query(query)}


def citations(kb, predicate: str, values: tuple) -> set[str]:
    proof = citelog.Prover(kb).prove(predicate, values)
    assert proof is not None, f"no proof of {predicate}{values}"
    return set(proof.citations())


# ---- the headline query -------------------------------------------------------------------------

CAP = (5, "years", "entry_reconciliation_or_exportation", "at_most")
PRESCRIBED = (0, "prescribed", "secretary", "as_prescribed")
JOIN = "retention_of_duties"

# (class, how it comes under 1508(a)): the provisions that make the class bear the (a) duty
A_CLASSES = {
    "importer": [usc("(a)(1)"), usc("(a)(1)(A)")],
    "drawback_claimant": [usc("(a)(1)"), usc("(a)(1)(A)")],
    "transporter_or_storer_under_bond": [usc("(a)(1)"), usc("(a)(1)(A)")],
    "knowing_causer": [usc("(a)(1)"), usc("(a)(1)(B)")],
    "agent_of_party": [usc("(a)(2)")],
    "declarant": [usc("(a)(3)")],
}

FTAS = {  # subsection: (class, records)
    "f": ("chile_certificate_issuer", "chile_origin_records"),
    "g": ("cafta_dr_certification_issuer", "cafta_dr_origin_records"),
    "h": ("peru_certification_issuer", "peru_origin_records"),
    "i": ("korea_certification_issuer", "korea_origin_records"),
    "j": ("colombia_certification_issuer", "colombia_origin_records"),
    "k": ("panama_certification_issuer", "panama_origin_records"),
}


def expected_must_keep() -> dict[tuple, set[str]]:
    """Every row of must_keep(C, R, N, U, T, B) over the KB, with the citations of its proof."""
    expected: dict[tuple, set[str]] = {}
    for person_class, labels in A_CLASSES.items():
        via_a = {usc("(a)"), *labels, JOIN}
        expected[(person_class, "activity_records", *CAP)] = via_a | {usc("(c)(1)")}
        expected[(person_class, "activity_records", *PRESCRIBED)] = via_a | {usc("(c)")}
    drawback = {usc("(a)"), usc("(a)(1)"), usc("(a)(1)(A)"), JOIN, "drawback_claim_records_under_a"}
    expected[("drawback_claimant", "drawback_claim_records", 3, "anniversary", "liquidation_of_claim", "until")] = (
        drawback | {usc("(c)(3)")}
    )
    # (a)(2): the agent of a drawback claimant keeps its principal's claim records; no (c)(1) cap (lex specialis)
    expected[("agent_of_drawback_claimant", "drawback_claim_records", 3, "anniversary", "liquidation_of_claim",
              "until")] = drawback | {usc("(a)(2)"), usc("(c)(3)")}
    for records in ("nafta_origin_records", "associated_records"):
        expected[("nafta_certificate_signer", records, 5, "years", "signature", "at_least")] = {
            usc("(b)(2)(A)"), usc("(c)(2)"), JOIN
        }
        expected[("nafta_certificate_signer", records, *PRESCRIBED)] = {usc("(b)(2)(A)"), usc("(c)"), JOIN}
    expected[("canadian_agreement_exporter", "canadian_export_records", 5, "years", "exportation", "at_most")] = {
        usc("(b)(3)"), usc("(c)(1)"), JOIN
    }
    expected[("canadian_agreement_exporter", "canadian_export_records", *PRESCRIBED)] = {
        usc("(b)(3)"), usc("(c)"), JOIN
    }
    for letter, (person_class, records) in FTAS.items():
        expected[(person_class, records, 5, "years", "issuance", "at_least")] = {
            usc(f"({letter})(2)"), usc(f"({letter})(3)"), JOIN
        }
    return expected


def test_headline_rows_are_exactly_the_expected_ones(kb):
    assert rows(kb, "must_keep(C, R, N, U, T, B)") == set(expected_must_keep())


@pytest.mark.parametrize("row", sorted(expected_must_keep()), ids=lambda row: f"{row[0]}-{row[1]}-{row[5]}")
def test_headline_row_cites_its_provisions(kb, row):
    assert citations(kb, "must_keep", row) == expected_must_keep()[row]


def test_every_class_of_1508_a_makes_keeps_and_renders_the_records(kb):
    for action in ("make", "keep", "render"):
        assert rows(kb, f"duty(C, {action}, activity_records)") == {(c, action, "activity_records") for c in A_CLASSES}


def test_c_3_prevails_over_c_1_for_drawback_records_so_no_conflict_is_left(kb):
    assert rows(kb, "must_keep(drawback_claimant, drawback_claim_records, N, U, T, B)") == {
        ("drawback_claimant", "drawback_claim_records", 3, "anniversary", "liquidation_of_claim", "until"),
    }
    displaced = ("drawback_claimant", "drawback_claim_records", *CAP)
    assert rows(kb, "displaced_period(drawback_claimant, R, N, U, T, B)") == {displaced}
    assert {usc("(c)(1)"), usc("(c)(3)"), "lex_specialis_for_drawback_claims"} <= citations(
        kb, "displaced_period", displaced)
    assert rows(kb, "conflicting_periods(R, T1, T2, B)") == set()


def test_without_the_superiority_the_conflict_is_flagged_not_silently_dropped(tmp_path):
    """Remove the statement that (c)(3) prevails: both sides are blocked (ambiguity) and flagged."""
    import shutil

    from citelog.conflicts import unresolved
    from conftest import BUNDLED_KB

    copy = shutil.copytree(BUNDLED_KB, tmp_path / "kb")
    rules = copy / "usc-1508.clog"
    text = rules.read_text(encoding="utf-8")
    statement = '"19 U.S.C. 1508(c)(3)" prevails over "19 U.S.C. 1508(c)(1)" because lex_specialis.'
    assert statement in text
    rules.write_text(text.replace(statement, ""), encoding="utf-8")
    kb = citelog.load(copy)
    assert rows(kb, "displaced_period(C, R, N, U, T, B)") == set()
    (conflict,) = unresolved(kb)
    assert (conflict.predicate, conflict.values) == ("retention", ("drawback_claim_records", *CAP))
    assert conflict.citations == (usc("(c)(1)"), usc("(c)(3)"))


def test_the_nafta_period_is_a_floor_not_capped_by_c_1(kb):
    assert rows(kb, "retention(nafta_origin_records, N, U, T, B)") == {
        ("nafta_origin_records", 5, "years", "signature", "at_least"),
        ("nafta_origin_records", *PRESCRIBED),
    }


# ---- definitions, disclosure and powers of 1508(b) ------------------------------------------------


def test_associated_records_cite_their_clauses(kb):
    parts = {
        "records_on_good_purchase_cost_value_payment": usc("(b)(1)(A)(i)"),
        "records_on_materials_purchase_cost_value_payment": usc("(b)(1)(A)(ii)"),
        "records_on_good_production": usc("(b)(1)(A)(iii)"),
    }
    assert rows(kb, "includes(associated_records, P)") == {("associated_records", p) for p in parts}
    for part, label in parts.items():
        assert citations(kb, "includes", ("associated_records", part)) == {label}


def test_chile_materials_and_production_are_only_if_applicable(kb):
    assert rows(kb, "included_if_applicable(chile_origin_records, P)") == {
        ("chile_origin_records", "records_on_materials_incl_recovered_goods"),
        ("chile_origin_records", "records_on_production_of_good_as_exported"),
    }
    assert rows(kb, "included_if_applicable(peru_origin_records, P)") == set()


def test_disclosure_deadlines_of_b_2_B_ii(kb):
    assert rows(kb, "deadline(C, disclose, O, N, U, T)") == {
        ("waiver_refund_or_credit_claimant", "disclose", "whether_nafta_certificate_prepared", 30, "days",
         "making_of_claim"),
        ("claimant_with_later_certificate", "disclose", "later_certificate_occurrence", 30, "days", "occurrence"),
    }


def test_later_certificate_makes_the_claimant_disclose_the_occurrence(kb):
    facts = {
        "claims_bond_credit": [("ann", "art1")],
        "learns_of_nafta_certificate_after_period": [("ann", "art1")],
        "prepares_nafta_certificate_after_period": [("bob", "art2")],  # bob made no claim
    }
    with kb.scenario(facts):
        assert rows(kb, "is_a(P, claimant_with_later_certificate)") == {("ann", "claimant_with_later_certificate")}
        assert citations(kb, "is_a", ("ann", "claimant_with_later_certificate")) == {
            usc("(b)(2)(B)(ii)"), usc("(b)(2)(B)(ii)(II)"), usc("(b)(2)(B)(i)(II)")
        }


def test_customs_may_adjust_treatment_only_of_claimed_articles(kb):
    facts = {
        "claims_waiver_or_reduction_of_duty": [("ann", "art1")],
        "customs_determines_nafta_certificate_prepared": [("art1",), ("art9",)],
    }
    with kb.scenario(facts):
        assert rows(kb, "treatment_adjustment_permitted(A)") == {("art1",)}
    assert rows(kb, "power(customs_service, A, O)") == {("customs_service", "adjust", "previous_customs_treatment")}


def test_canadian_agreement_exporters_need_the_agreement_in_force(kb):
    facts = {
        "exports_to_canada": [("exp", "m1"), ("late", "m2")],
        "knowingly_causes_export_to_canada": [("cause", "m1")],
        "cfta_in_force_at_exportation": [("m1",)],
    }
    with kb.scenario(facts):
        assert rows(kb, "is_a(P, canadian_agreement_exporter)") == {
            ("exp", "canadian_agreement_exporter"),
            ("cause", "canadian_agreement_exporter"),
        }


# ---- 1508(d): domestic orders --------------------------------------------------------------------

ORDER = {
    "causes_importation": [("buyer", "m1")],
    "orders_from_importer_domestically": [("buyer", "m1")],
}


def test_1508_d_a_domestic_order_alone_does_not_knowingly_cause_importation(kb):
    with kb.scenario(ORDER):
        assert rows(kb, "is_a(buyer, C)") == set()
        assert rows(kb, "person_duty(buyer, C, A, O)") == set()


@pytest.mark.parametrize(
    "extra, clause",
    [
        ({"controls_terms_of_importation": [("buyer", "m1")]}, "(d)(1)"),
        ({"furnishes_production_assistance": [("buyer", "m1")]}, "(d)(2)"),
    ],
)
def test_1508_d_unless_clauses_keep_the_knowing_causer(kb, extra, clause):
    with kb.scenario({**ORDER, **extra}):
        assert rows(kb, "is_a(buyer, C)") == {("buyer", "knowing_causer")}
        assert rows(kb, "domestic_order_may_cause_importation(buyer, M)") == {("buyer", "m1")}
        assert citations(kb, "domestic_order_may_cause_importation", ("buyer", "m1")) == {usc(clause)}
        assert ("buyer", "knowing_causer", "activity_records", *CAP) in rows(
            kb, "person_must_keep(buyer, C, R, N, U, T, B)"
        )
        # the answer survives the exception of (d) because (d)(1) or (d)(2) holds: cited, and shown
        assert {usc("(a)(1)(B)"), usc("(d)"), usc(clause)} <= citations(kb, "is_a", ("buyer", "knowing_causer"))
        (answer,) = citelog.explain(kb, "is_a(buyer, knowing_causer)").answers
        absent = next(s for s in answer.proof.steps() if s.kind == "absent" and s.citation == usc("(d)"))
        (lifted,) = absent.premises
        assert (lifted.kind, lifted.citation, lifted.statement) == (
            "rule", usc(clause), "domestic_order_may_cause_importation(buyer, m1)")


@pytest.mark.parametrize("extra", [{"controls_terms_of_importation": [("buyer", "m1")]},
                                   {"furnishes_production_assistance": [("buyer", "m1")]}])
def test_1508_d_the_facts_of_the_order_decide_without_causes_importation(kb, extra):
    with kb.scenario({"orders_from_importer_domestically": [("buyer", "m1")], **extra}):
        assert rows(kb, "is_a(buyer, C)") == {("buyer", "knowing_causer")}
        assert "domestic_orders_under_d" in citations(kb, "is_a", ("buyer", "knowing_causer"))
    with kb.scenario({"orders_from_importer_domestically": [("buyer", "m1")]}):
        assert rows(kb, "is_a(buyer, C)") == set()


def test_1508_d_limits_only_importation_per_merchandise(kb):
    facts = {
        **ORDER,
        "causes_importation": [("buyer", "m1"), ("buyer", "m2")],  # m2 not ordered domestically
    }
    with kb.scenario(facts):
        assert rows(kb, "is_a(buyer, C)") == {("buyer", "knowing_causer")}
    with kb.scenario({**ORDER, "causes_bonded_transport_or_storage": [("buyer", "m1")]}):
        assert rows(kb, "is_a(buyer, C)") == {("buyer", "knowing_causer")}


def test_agents_of_listed_parties_bear_the_duty(kb):
    with kb.scenario({"imports": [("acme", "e1")], "agent_of": [("broker", "acme"), ("clerk", "nobody")]}):
        assert rows(kb, "is_a(P, agent_of_party)") == {("broker", "agent_of_party")}
        assert ("broker", "agent_of_party", "keep", "activity_records") in rows(kb, "person_duty(broker, C, A, O)")


# ---- penalties -------------------------------------------------------------------------------------


def test_penalty_caps_and_greater_of(kb):
    capped = rows(kb, "penalty_cap(retain, R, civil_penalty, M)")
    expected_records = {
        "nafta_origin_records", "associated_records", "nafta_regulation_records",
        "canadian_export_records", "cfta_regulation_records", "fta_regulation_records",
    } | {records for _, records in FTAS.values()}
    assert {r for _, r, _, _ in capped} == expected_records
    assert {m for _, _, _, m in capped} == {citelog.Money.parse("$10,000")}
    greater = {r for _, r, _ in rows(kb, "penalty_rule(retain, R, greater_of)")}
    assert greater == expected_records - {"canadian_export_records", "cfta_regulation_records"}
    assert citations(kb, "penalty_rule", ("retain", "nafta_origin_records", "greater_of")) == {usc("(e)(1)")}
    assert citations(kb, "penalty_rule", ("retain", "chile_origin_records", "greater_of")) == {usc("(l)")}
    assert rows(kb, "penalty(retain, canadian_export_records, K)") == {
        ("retain", "canadian_export_records", "civil_penalty")
    }
    assert citations(kb, "penalty", ("retain", "korea_origin_records", "general_recordkeeping_penalty")) == {
        usc("(l)(2)")
    }


def test_reconstructed_provisions_carry_no_quote(kb):
    for citation in (usc("(a)"), usc("(e)(1)")):
        provision = kb.program.provision(citation)
        assert provision is not None and provision.reconstructed and not provision.quotes


# ---- 19 CFR 163.11: the conference and its exception ------------------------------------------------

RECEIVED = citelog.Date.parse("2024-03-01")
DUE = citelog.Date.parse("2024-03-16")


def test_163_11_b_conference_within_15_calendar_days(kb):
    assert rows(kb, "deadline(director, provide_for, audit_conference, N, U, T)") == {
        ("director", "provide_for", "audit_conference", 15, "calendar_days", "receipt_of_request")
    }
    with kb.scenario({"conference_request_received": [("r1", "issue1", RECEIVED)]}):
        assert rows(kb, "conference_due_by(R, I, D)") == {("r1", "issue1", DUE)}
        # 163.11(c) was checked (no formal investigation has begun), so it is cited beside (b)
        assert citations(kb, "conference_due_by", ("r1", "issue1", DUE)) == {CFR + "163.11(b)", CFR + "163.11(c)"}


def test_163_11_c_formal_investigation_removes_the_conference_duty(kb):
    facts = {
        "conference_request_received": [("r1", "issue1", RECEIVED), ("r2", "issue2", RECEIVED)],
        "formal_investigation_commenced": [("issue1",)],
    }
    with kb.scenario(facts):
        assert rows(kb, "conference_due_by(R, I, D)") == {("r2", "issue2", DUE)}
    assert rows(kb, "inapplicable_after_formal_investigation(P)") == {
        ("cfr_163_11_a_5",), ("cfr_163_11_a_6",), ("cfr_163_11_b",)
    }


# ---- 19 CFR 163.12: certification -----------------------------------------------------------------

REQUIREMENTS = {
    "understands_recordkeeping_requirements": "(i)",
    "employee_instruction_procedures": "(ii)",
    "record_preparation_maintenance_production_procedures": "(iii)",
    "designated_compliance_individual": "(iv)",
    "record_maintenance_procedure": "(v)",
    "variance_and_violation_procedures": "(vi)",
}


def applicant(name: str, *, skip: str | None = None, route: str = "meets_general_recordkeeping_requirements") -> dict:
    return {
        "applies_for_certification": [(name,)],
        route: [(name,)],
        "in_compliance_with_customs_laws": [(name,)],
        "meets_handbook_requirements": [(name,)],
        "demonstrates": [(name, r) for r in REQUIREMENTS if r != skip],
    }


def test_163_12_b_3_requirements_each_at_its_clause(kb):
    assert rows(kb, "certification_requirement(R)") == {(r,) for r in REQUIREMENTS}
    for requirement, clause in REQUIREMENTS.items():
        assert citations(kb, "certification_requirement", (requirement,)) == {CFR + f"163.12(b)(3){clause}"}
    with kb.scenario(applicant("full")):
        assert rows(kb, "meets_certification_requirements(P)") == {("full",)}
        assert citations(kb, "meets_certification_requirements", ("full",)) == {CFR + "163.12(b)(3)"} | {
            CFR + f"163.12(b)(3){clause}" for clause in REQUIREMENTS.values()
        }
        assert rows(kb, "denial_ground(full, G)") == set()


def test_163_12_b_3_alternative_program_route(kb):
    with kb.scenario(applicant("alt", route="negotiated_alternative_program")):
        assert rows(kb, "certification_route(alt, R)") == {("alt", "negotiated_alternative_program")}
        assert rows(kb, "meets_certification_requirements(P)") == {("alt",)}


def test_163_13_b_1_i_missing_requirement_is_a_ground_for_denial(kb):
    with kb.scenario(applicant("short", skip="designated_compliance_individual")):
        assert rows(kb, "meets_certification_requirements(P)") == set()
        assert rows(kb, "denial_ground(short, G)") == {("short", "fails_certification_requirements")}
        assert rows(kb, "customs_may_deny_application(P)") == {("short",)}
        assert citations(kb, "customs_may_deny_application", ("short",)) == {
            CFR + "163.13(b)(1)", CFR + "163.13(b)(1)(i)", CFR + "163.12(b)(2)"
        }


def test_163_13_b_1_ii_circumstance_justifying_removal(kb):
    with kb.scenario({**applicant("risky"), "circumstance_justifying_removal_action": [("risky",)]}):
        assert rows(kb, "denial_ground(risky, G)") == {("risky", "circumstance_justifying_removal")}


def test_163_12_b_3_vi_variance_and_violation(kb):
    facts = {"program_deviation": [("p", "late_binder"), ("p", "lost_invoice")],
             "deviation_involves_failure": [("lost_invoice",)]}
    with kb.scenario(facts):
        assert rows(kb, "deviation_kind(D, K)") == {("late_binder", "variance"), ("lost_invoice", "violation")}


def test_163_13_a_appealable_decisions(kb):
    assert rows(kb, "power(program_applicant, appeal, D)") == {
        ("program_applicant", "appeal", "denial_of_certification"),
        ("program_applicant", "appeal", "removal_of_certification"),
    }
    assert citations(kb, "power", ("certified_participant", "appeal", "removal_of_certification")) == {
        CFR + "163.13(a)", CFR + "163.13(a)(2)"
    }


def test_163_12_b_1_who_may_apply_refers_to_163_2_a(kb):
    facts = {"described_in_163_2_a": [("a",), ("b",)], "required_to_maintain_and_produce_entry_records": [("a",)]}
    with kb.scenario(facts):
        assert rows(kb, "is_a(P, eligible_program_applicant)") == {("a", "eligible_program_applicant")}
    declaration = kb.program.declaration("described_in_163_2_a")
    assert declaration.is_input and "not bundled" in declaration.meaning


# ---- 19 CFR 163.12(d): alternatives to penalties ----------------------------------------------------

FAILURE = {"holds_program_certification": [("acme",)], "fails_to_produce_demanded_record": [("acme", "d1")]}
COMPLIANT = {"generally_in_compliance_with_program": [("acme",)]}


def outcome(kb) -> tuple[set, set, set]:
    return (
        rows(kb, "notice_of_violation_in_lieu_of_penalty(P, D)"),
        rows(kb, "penalty_under_163_6_b_may_result(P, D)"),
        rows(kb, "removal_of_certification_may_result(P, D)"),
    )


def test_163_12_d_1_notice_instead_of_penalty(kb):
    with kb.scenario({**FAILURE, **COMPLIANT}):
        assert outcome(kb) == ({("acme", "d1")}, set(), set())
        assert citations(kb, "notice_of_violation_in_lieu_of_penalty", ("acme", "d1")) == {
            CFR + "163.12(a)", CFR + "163.12(d)(1)", CFR + "163.13(a)(2)", "certification_when_demanded"
        }
        # a negative conclusion: not liable to the monetary penalty, (d)(1) prevailing "in lieu of" it
        assert rows(kb, "~penalty_under_163_6_b_may_result(P, D)") == {("acme", "d1")}


@pytest.mark.parametrize("fact", ["willful_failure", "repeat_failure"])
def test_163_12_d_1_willful_or_repeat_failure_may_bring_penalty_and_removal(kb, fact):
    with kb.scenario({**FAILURE, **COMPLIANT, fact: [("d1",)]}):
        assert outcome(kb) == (set(), {("acme", "d1")}, {("acme", "d1")})


def test_163_12_d_1_not_generally_in_compliance_gets_no_notice(kb):
    with kb.scenario(FAILURE):
        assert outcome(kb) == (set(), {("acme", "d1")}, set())


def test_163_12_d_1_applies_only_to_certified_participants(kb):
    with kb.scenario({"fails_to_produce_demanded_record": [("other", "d2")],
                      "generally_in_compliance_with_program": [("other",)]}):
        assert outcome(kb) == (set(), set(), set())


def test_163_12_d_2_and_d_3_notice_contents_and_response(kb):
    contents = {"statement_of_violation": "(i)", "identification_of_record_not_produced": "(ii)",
                "warning_of_penalties_and_removal": "(iii)"}
    assert rows(kb, "must_contain(written_notice_of_violation, C)") == {
        ("written_notice_of_violation", c) for c in contents
    }
    for content, clause in contents.items():
        assert citations(kb, "must_contain", ("written_notice_of_violation", content)) == {
            CFR + "163.12(d)(2)", CFR + f"163.12(d)(2){clause}"
        }
    assert rows(kb, "deadline(notified_recordkeeper, notify, O, N, U, T)") == {
        ("notified_recordkeeper", "notify", "steps_taken_to_prevent_recurrence", 0, "reasonable_time",
         "receipt_of_notice")
    }
