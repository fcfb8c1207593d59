"""Scenario files (engine/scenario.py): the format and every error, and the shipped scenarios'
parties. The obligations each scenario gives are tested in test_obligations.py. The CLI tests
check `retention --scenario` (text, JSON, --person, --explain) and that every bad scenario gives
one `path:line:col: error[code]: message` line and exit status 1.
"""

from __future__ import annotations

import json

import pytest
from conftest import BUNDLED_KB, locate, run_cli

import citelog
from citelog.errors import CheckError
from citelog.scenario import load_scenario, parse_scenario

SCENARIOS = BUNDLED_KB / "scenarios"
D = citelog.Date.parse


@pytest.fixture(scope="module")
def kb():
    return citelog.load()


# ---- the shipped scenarios -------------------------------------------------------------------------


def test_shipped_scenarios_declare_parties_with_roles_that_follow(kb):
    for path in sorted(SCENARIOS.glob("*.yaml")):
        scenario = load_scenario(path, kb.program)
        with kb.scenario(scenario.facts):
            for party in scenario.parties.values():
                derived = {a.values[1] for a in kb.query(f'is_a("{party.id}", C)')}
                assert set(party.roles) <= derived, (path.name, party)


# ---- the format -------------------------------------------------------------------------------------


def parse(kb, text: str):
    return parse_scenario(text, kb.program, "case.yaml")


def test_rows_as_lists_or_mappings_and_typed_values(kb):
    scenario = parse(kb, """\
scenario: typed
facts:
  conference_request_received:
    - [r1, "2024", 2024-03-01]
    - {Request: r2, Issue: i2, Received: 2024-03-02}
""")
    assert scenario.title == "typed" and scenario.parties == {}
    assert scenario.facts["conference_request_received"] == [
        ("r1", "2024", D("2024-03-01")), ("r2", "i2", D("2024-03-02"))]


def test_parties_short_and_long_forms(kb):
    scenario = parse(kb, """\
parties:
  acme: Acme Imports Inc.
  swift: {name: Swift Brokers, roles: [agent_of_party]}
  solo: {}
facts:
  imports: [[acme, e1]]
  agent_of: [[swift, acme]]
""")
    assert [(p.id, p.name, p.roles) for p in scenario.parties.values()] == [
        ("acme", "Acme Imports Inc.", ()), ("swift", "Swift Brokers", ("agent_of_party",)), ("solo", "solo", ())]
    assert scenario.party_name("acme") == "Acme Imports Inc." and scenario.party_name("zed") == "zed"
    assert scenario.parties["swift"].position.line == 3


def test_a_json_scenario(kb, tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"scenario": "json", "parties": {"acme": "Acme"},
                                "facts": {"imports": [["acme", "e1"]], "entry_date": [["e1", "2022-05-05"]]}}),
                    encoding="utf-8")
    scenario = load_scenario(path, kb.program)
    assert scenario.facts == {"imports": [("acme", "e1")], "entry_date": [("e1", D("2022-05-05"))]}


# ---- every error, with its place ------------------------------------------------------------------------------

# (name, text, [(where, code, message)]): `where` is the text at the reported place (its first
# occurrence, or (text, n) for the n-th), so the expected line and column come from the text itself.
ERRORS = [
    ("not YAML", "facts: [unclosed\n", [(("", 0), "bad-scenario", "not valid YAML or JSON")]),
    ("not a mapping", "- a\n- b\n", [("- a", "bad-scenario", "a scenario is a mapping")]),
    ("unknown key", "scenario: x\nfact:\n  imports: [[a, e]]\n",
     [("scenario", "bad-scenario", "missing 'facts'"), ("fact:", "bad-scenario", "unknown key 'fact'")]),
    ("missing facts", "scenario: x\n", [("scenario", "bad-scenario", "missing 'facts'")]),
    ("key twice", "facts:\n  imports: [[a, e]]\nfacts:\n  imports: [[b, e]]\n",
     [(("facts", 2), "duplicate-id", "'facts' is given twice (first at line 1)")]),
    ("facts not a mapping", "facts: [imports]\n", [("[imports]", "bad-scenario", "'facts' maps each input predicate")]),
    ("unknown input", "facts:\n  importz: [[a, e]]\n",
     [("importz", "unknown-input", "'importz' is not an input of this KB")]),
    ("predicate twice", "facts:\n  imports: [[a, e]]\n  imports: [[b, e]]\n",
     [(("imports", 2), "duplicate-id", "'imports' is listed twice")]),
    ("rows not a list", "facts:\n  imports: a\n",
     [("a\n", "bad-scenario", "the facts of 'imports' are a list of rows")]),
    ("wrong arity", "facts:\n  imports:\n    - [a, e, x]\n",
     [("[a, e, x]", "arity-mismatch", "imports takes 2 value(s) (Party, Entry), not 3")]),
    ("missing field", "facts:\n  entry_date:\n    - {Subject: e1}\n",
     [("{Subject", "missing-field", "entry_date row: missing field(s) Date (fields: Subject, Date)")]),
    ("unknown field", "facts:\n  entry_date:\n    - {Subject: e1, Date: 2024-01-01, When: x}\n",
     [("{Subject", "missing-field", "entry_date row: unknown field(s) When")]),
    ("row neither", "facts:\n  imports:\n    - a\n", [("a\n", "bad-scenario", "a row of imports is a list")]),
    ("bad date", "facts:\n  entry_date:\n    - [e1, 2023-02-30]\n",
     [("2023-02-30", "bad-value", "invalid date 2023-02-30: no such day in the calendar")]),
    ("not a date", "facts:\n  entry_date:\n    - [e1, soon]\n",
     [("soon", "bad-value", "entry_date.Date must be a date, not the string 'soon'")]),
    ("integer for a date", "facts:\n  claim_liquidated:\n    - [c1, 2024]\n",
     [("2024", "bad-value", "claim_liquidated.Date must be a date, not the integer '2024'")]),
    ("empty value", "facts:\n  imports:\n    - [a, '']\n",
     [("''", "bad-scenario", "imports.Entry must be a single value")]),
    ("parties not a mapping", "parties: [acme]\nfacts:\n  imports: [[acme, e]]\n",
     [("[acme]", "bad-scenario", "'parties' maps each party id")]),
    ("party twice", "parties:\n  acme: A\n  acme: B\nfacts:\n  imports: [[acme, e]]\n",
     [(("acme", 2), "duplicate-id", "party 'acme' is declared twice (first at line 2)")]),
    ("undeclared party", "parties:\n  acme: A\nfacts:\n  imports: [[acme, e1], [acne, e2]]\n  agent_of: [[bob, acme]]\n",
     [("acne", "unknown-party", "imports.Party: 'acne' is not a declared party (parties: acme)"),
      ("bob", "unknown-party", "agent_of.Agent: 'bob' is not a declared party")]),
    ("unknown role", "parties:\n  acme: {name: A, roles: [importer, smuggler]}\nfacts:\n  imports: [[acme, e]]\n",
     [("smuggler", "unknown-role", "unknown role 'smuggler' of party 'acme'")]),
    ("unknown party field", "parties:\n  acme: {name: A, role: importer}\nfacts:\n  imports: [[acme, e]]\n",
     [("role:", "bad-scenario", "unknown field 'role' of party 'acme' (fields: name, roles)")]),
    ("party not a name", "parties:\n  acme: [A]\nfacts:\n  imports: [[acme, e]]\n",
     [("[A]", "bad-scenario", "party 'acme' maps to its name")]),
    # issue 15: YAML keeps the last of a doubled key, and a date was silently lost
    ("field twice in a row", "facts:\n  entry_date:\n    - {Subject: e1, Date: 2024-01-01, Date: 2024-02-01}\n",
     [(("Date", 2), "duplicate-id", "'Date' is given twice in a row of entry_date (first at line 3)")]),
    ("party field twice", "parties:\n  acme: {name: A, roles: [importer], name: B}\nfacts:\n  imports: [[acme, e]]\n",
     [(("name", 2), "duplicate-id", "'name' is given twice for party 'acme' (first at line 2)")]),
    ("loose date", "facts:\n  entry_date:\n    - [e1, 2024-1-5]\n",
     [("2024-1-5", "bad-value", "entry_date.Date must be a date, not the string '2024-1-5'")]),
    ("number too long", f"facts:\n  conference_request_received:\n    - [r1, i1, {'9' * 4301}]\n",
     [("9999", "bad-value", "a number of 4,301 digits: numbers have at most 4,300 digits")]),
]


def _place(text: str, where) -> tuple[int, int]:
    needle, occurrence = where if isinstance(where, tuple) else (where, 1)
    if not needle:  # the end of the text
        return text.count("\n") + 1, 1
    return locate(text, needle, occurrence)


@pytest.mark.parametrize("text, expected", [(t, e) for _, t, e in ERRORS], ids=[n for n, _, _ in ERRORS])
def test_scenario_errors(kb, text, expected):
    with pytest.raises(CheckError) as raised:
        parse(kb, text)
    found = sorted((d.position.line, d.position.column, d.code, d.message) for d in raised.value.diagnostics)
    assert [f[:3] for f in found] == [(*_place(text, where), code) for where, code, _ in expected], found
    for (_, _, _, message), (_, _, want) in zip(found, expected):
        assert want in message, (message, want)


LOOK_ALIKES = """\
parties:
  socie\u0301te\u0301: Société Générale
  acme: Acme
facts:
  imports: [[soci\u00e9t\u00e9, e1], [ac\u200bme, e2]]
"""


def test_text_is_read_in_nfc_and_an_invisible_character_is_shown(kb):
    with pytest.raises(CheckError) as raised:
        parse(kb, LOOK_ALIKES)  # the composed société is the declared decomposed one; ac<ZWSP>me is not acme
    assert [str(d) for d in raised.value.diagnostics] == [
        "case.yaml:5:29: error[unknown-party]: imports.Party: 'ac\\u200bme' is not a declared party (parties: acme, "
        "soci\u00e9t\u00e9)"]
    scenario = parse(kb, LOOK_ALIKES.replace("parties:\n  socie\u0301te\u0301: Société Générale\n  acme: Acme\n", ""))
    assert scenario.facts["imports"] == [("soci\u00e9t\u00e9", "e1"), ("ac\u200bme", "e2")]
    (warned,) = scenario.warnings
    assert (str(warned.position), warned.code, warned.severity) == ("case.yaml:2:29", "invisible-character", "warning")


def test_every_problem_of_a_file_is_reported_at_once(kb):
    with pytest.raises(CheckError) as raised:
        parse(kb, "facts:\n  importz: [[a]]\n  entry_date: [[e1, 2023-02-30], [e2]]\n")
    assert [d.code for d in raised.value.diagnostics] == ["unknown-input", "bad-value", "arity-mismatch"]


def test_unreadable_file(kb, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("scenario: caf\xe9\n".encode("latin-1"))
    with pytest.raises(CheckError) as raised:
        load_scenario(path, kb.program)
    assert [(d.code, d.message) for d in raised.value.diagnostics] == [("bad-scenario", "file is not valid UTF-8")]


# ---- the CLI -------------------------------------------------------------------------------------------


def test_cli_retention_with_a_scenario_text():
    result = run_cli("retention", "--scenario", str(SCENARIOS / "drawback-claim.yaml"), env={"COLUMNS": "200"})
    assert (result.returncode, result.stderr) == (0, b"")
    text = result.stdout.decode()
    assert text.startswith("Scenario: Acme's drawback claim C-7, liquidated on 1 May 2024, filed through Swift "
                           "Brokers\n")
    assert "│ 2027-05-01 " in text and "│ 2026-03-15 " in text and "(minimum)" in text and "(maximum)" in text
    assert "Acme Imports Inc." in text and "(acme)" in text
    assert "conflicts with" not in text
    assert "│ 5† " in text and "│ 7† " in text
    assert ("† row 5 does not apply: 19 U.S.C. 1508(c)(3) prevails over 19 U.S.C. 1508(c)(1) (lex specialis: the "
            "specific provision prevails over the general one; stated by lex_specialis_for_drawback_claims)") in " ".join(
        text.split())
    assert text.endswith("10 row(s)\n")


def test_cli_retention_with_a_scenario_warns_of_contradicting_facts():
    result = run_cli("retention", "--scenario", str(SCENARIOS / "nafta-early-occurrence.yaml"), "--format", "json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["warnings"] == [
        "the occurrence of 2024-02-20 for cedar and A-4 is within the 30 days after the claim, not after them (19 "
        "U.S.C. 1508(b)(2)(B)(ii)): no second disclosure is due; the disclosure due within 30 days of the claim "
        "covers it"]
    assert [row["object"] for row in payload["rows"]] == ["whether_nafta_certificate_prepared"]
    text = run_cli("retention", "--scenario", str(SCENARIOS / "nafta-early-occurrence.yaml")).stdout.decode()
    assert "warning: the occurrence of 2024-02-20 for cedar and A-4 is within the 30 days" in text


def test_cli_retention_with_a_scenario_json():
    result = run_cli("retention", "--scenario", str(SCENARIOS / "nafta-certificate.yaml"), "--format", "json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["scenario"] == "Maple Exports signs a NAFTA certificate and claims a bond credit"
    assert payload["parties"] == [{"id": "maple", "name": "Maple Exports LLC",
                                   "roles": ["nafta_certificate_signer", "waiver_refund_or_credit_claimant"]}]
    assert payload["role_notes"] == []
    row = payload["rows"][1]
    assert row == {
        "person": "maple", "class": "nafta_certificate_signer", "action": "keep", "object": "associated_records",
        "subject": "G-1", "event": "signature", "start": "2024-02-29",
        "period": "at least 5 years from signature of the NAFTA Certificate of Origin",
        "amount": 5, "unit": "years", "trigger": "signature", "bound": "at_least", "end": "2029-02-28",
        "meaning": "minimum",
        "arithmetic": "signature 2024-02-29 + 5 years, no 29 February that year: 28 February = 2029-02-28: keep at "
                      "least until 2029-02-28 (a minimum)",
        "citations": ["19 U.S.C. 1508(b)(2)(A)", "19 U.S.C. 1508(c)(2)", "records_and_events", "duties_of_persons",
                      "retention_of_duties"],
        "conflicts_with": [],
        "displaced_by": [],
    }
    assert (payload["warnings"], payload["unresolved_conflicts"]) == ([], [])


def test_cli_retention_person_filter_and_role_notes(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("parties:\n  acme: {name: Acme, roles: [importer, drawback_claimant]}\n  bob: Bob\n"
                        "facts:\n  imports: [[acme, e1], [bob, e2]]\n", encoding="utf-8")
    result = run_cli("retention", "--scenario", str(scenario), "--person", "acme", "--format", "json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert {row["person"] for row in payload["rows"]} == {"acme"}
    assert payload["role_notes"] == [
        "note: acme is declared as drawback_claimant, which does not follow from the facts (citelog why-not "
        "'is_a(\"acme\", drawback_claimant)' --scenario ... says why)"]
    unknown = run_cli("retention", "--scenario", str(scenario), "--person", "carol")
    assert unknown.returncode == 1 and unknown.stdout == b""
    assert unknown.stderr.decode() == f"{scenario}: error[unknown-party]: no party 'carol' in the scenario (acme, bob)\n"
    # a person the KB itself names has obligations without being declared (19 CFR 163.11(b): the director)
    conference = run_cli("retention", "--scenario", str(SCENARIOS / "conference.yaml"), "--person", "director",
                         "--format", "json")
    assert conference.returncode == 0, conference.stderr
    assert {row["person"] for row in json.loads(conference.stdout)["rows"]} == {"director"}
    alone = run_cli("retention", "--person", "acme")
    assert alone.returncode == 2 and b"--person needs --scenario" in alone.stderr and b"Traceback" not in alone.stderr


@pytest.mark.parametrize("fmt", ["text", "md", "html", "json"])
def test_cli_retention_explain_with_a_scenario(fmt):
    result = run_cli("retention", "--explain", "--format", fmt, "--scenario", str(SCENARIOS / "conference.yaml"))
    assert result.returncode == 0, result.stderr
    assert "receipt of request 2024-12-20 + 15 calendar days = 2025-01-04: act no later than 2025-01-04" in \
        result.stdout.decode()


def test_cli_explain_and_why_not_with_a_scenario():
    scenario = str(SCENARIOS / "domestic-order.yaml")
    explained = run_cli("explain", "keeps(buyer, C, R, S, N, U, T, B, E, D)", "--scenario", scenario)
    assert explained.returncode == 0, explained.stderr
    assert "date arithmetic: entry 2022-06-01 + 5 years = 2027-06-01" in explained.stdout.decode()
    why = run_cli("why-not", "acts_for(buyer, knowing_causer, \"M-2\")", "--scenario", scenario)
    assert why.returncode == 0, why.stderr
    # the buyer neither controls the terms nor furnishes assistance for M-2: neither (d)(1) nor (d)(2) holds
    assert "fails at domestic_order_may_cause_importation(buyer, \"M-2\")" in why.stdout.decode()
    assert "[19 U.S.C. 1508(d)(1) (statute)]" in why.stdout.decode()
    assert "[19 U.S.C. 1508(d)(2) (statute)]" in why.stdout.decode()
    query = run_cli("query", "dated_obligations", "--scenario", scenario, "--format", "json")
    assert [a["bindings"]["Subject"] for a in json.loads(query.stdout)["answers"]] == ["M-1"]


@pytest.mark.parametrize("command", [["retention"], ["retention", "--explain"], ["query", "dated_obligations"],
                                     ["explain", "dated_obligations"], ["why-not", "is_a(acme, importer)"]])
def test_cli_bad_scenario_is_one_line_and_exit_1(tmp_path, command):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("parties:\n  acme: A\nfacts:\n  imports: [[acme, e1]]\n  entry_date: [[e1, 2023-02-30]]\n"
                        "  agent_of: [[bob, acme]]\n", encoding="utf-8")
    result = run_cli(*command, "--scenario", str(scenario))
    assert result.returncode == 1 and result.stdout == b""
    assert result.stderr.decode() == (
        f"{scenario}:5:21: error[bad-value]: invalid date 2023-02-30: no such day in the calendar\n"
        f"{scenario}:6:15: error[unknown-party]: agent_of.Agent: 'bob' is not a declared party (parties: acme)\n")


def test_cli_missing_scenario_file(tmp_path):
    result = run_cli("retention", "--scenario", str(tmp_path / "none.yaml"))
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert result.stderr.decode() == f"{tmp_path / 'none.yaml'}: error[bad-scenario]: No such file or directory\n"


def test_a_scenario_too_large_to_read_says_where_its_records_can_go(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("facts:\n  imports:\n" + "".join(f"    - [p{i}, E-{i}]\n" for i in range(120_000)), encoding="utf-8")
    result = run_cli("retention", "--scenario", str(big))
    assert result.returncode == 1 and result.stdout == b""
    message = result.stderr.decode()
    assert message.startswith(f"{big}: error[file-too-large]: the file is ") and "citelog schedule" in message, message
