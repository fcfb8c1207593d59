"""The batch schedule: good rows, every kind of bad row, nothing lost, and the law from the KB.

The schedule is computed policy-first (one inference per activity, then plain Python per row);
these tests check that it gives the same obligations as the KB asked row by row (through a
scenario), that an edited copy of the KB changes the dates, and that every row of the input is
either scheduled or rejected with its row number and reason.
"""

from __future__ import annotations

import csv
import os
import resource
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import BUNDLED_KB, CITELOG, run_cli

import citelog
from citelog import schedule as schedule_module
from citelog.obligations import obligations
from citelog.outputs import OutputError
from citelog.activities import activities
from citelog.schedule import OUTPUT, REQUIRED, ScheduleError, schedule

HEADER = "record_id,party,activity,subject,event,date,certificate\n"

GOOD = """\
r1,acme,imports,E-1,entry,2020-01-10,
r2,acme,files_drawback_claim,C-7,liquidation,2024-05-01,
r3,acme,files_drawback_claim,C-7,entry,2020-01-10,
r4,maple,completes_and_signs_nafta_certificate,G-1,signature,2024-02-29,
r5,andes,completes_and_issues_certificate,G-2,issuance,2023-06-30,chile_fta_certificate_of_origin
r6,lakes,exports_to_canada,M-1,exportation,1993-06-30,
r7,buyer,ordered_domestically,M-2,entry,2021-01-01,
r8,buyer,ordered_domestically_controlling_terms,M-3,entry,2021-01-01,
r9,ann,claims_bond_credit,A-1,making_of_claim,2024-01-31,
r10,delta,receives_notice_of_violation,N-1,receipt_of_notice,2024-06-03,
r11,acme,imports,E-9,reconciliation,2022-12-31,
"""

BAD = """\
r1,dup,imports,E-1,entry,2020-01-10,
r12,acme,imports,E-1,entry,2023-02-30,
r13,acme,smuggles,E-1,entry,2023-02-03,
r14,,imports,E-1,entry,2023-02-03,
r15,acme,imports,E-1,liquidation,2023-02-03,
r16,acme,completes_and_issues_certificate,G-2,issuance,2023-06-30,moon_certificate
r17,acme,imports
,,,,,,

r18,acme,completes_and_issues_certificate,G-3,issuance,2023-06-30,
r19,acme,imports,E-1,entry,2023/02/03,
"""

# (row, code, reason): the row is the line where it starts (the header is line 1)
REJECTED = [
    (13, "duplicate-id", "record_id 'r1' already used at row 2"),
    (14, "bad-date", "invalid date '2023-02-30': write an existing day as YYYY-MM-DD"),
    (15, "unknown-activity", "unknown activity 'smuggles' (activities: "),
    (16, "missing-field", "empty party"),
    (17, "unknown-event", "event 'liquidation' starts no period for activity imports (events that do: entry, "
                          "exportation, reconciliation)"),
    (18, "unknown-certificate", "unknown certificate 'moon_certificate' (certificates: cafta_dr_certification_of_origin, "),
    (19, "bad-row", "the row has 3 value(s) but the header names 7 column(s)"),
    (20, "missing-field", "empty record_id, party, activity, subject, event, date"),
    (22, "missing-field", "activity completes_and_issues_certificate needs the column 'certificate'"),
    (23, "bad-date", "invalid date '2023/02/03': write an existing day as YYYY-MM-DD"),
]


@pytest.fixture(scope="module")
def kb():
    return citelog.load()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def short(rows: list[dict]) -> list[tuple]:
    return [(r["record_id"], r["class"], r["what"], r["event"], r["start"], r["until"], r["meaning"]) for r in rows]


# ---- good rows --------------------------------------------------------------------------------------


def test_good_rows(kb, tmp_path):
    result = schedule(kb, write(tmp_path / "in.csv", HEADER + GOOD), tmp_path / "out.csv")
    assert (result.rows, result.scheduled, result.rejected) == (11, 11, [])
    rows = read(tmp_path / "out.csv")
    assert list(rows[0]) == list(OUTPUT)
    assert short(rows) == [
        ("r1", "importer", "activity_records", "entry", "2020-01-10", "2025-01-10", "maximum"),
        ("r1", "importer", "activity_records", "", "", "", "prescribed"),
        ("r2", "drawback_claimant", "drawback_claim_records", "liquidation", "2024-05-01", "2027-05-01", "minimum"),
        ("r2", "drawback_claimant", "activity_records", "", "", "", "prescribed"),
        ("r3", "drawback_claimant", "activity_records", "entry", "2020-01-10", "2025-01-10", "maximum"),
        # no (c)(1) cap for the claim records: (c)(3) prevails over it (lex specialis)
        ("r3", "drawback_claimant", "activity_records", "", "", "", "prescribed"),
        ("r4", "nafta_certificate_signer", "associated_records", "signature", "2024-02-29", "2029-02-28", "minimum"),
        ("r4", "nafta_certificate_signer", "nafta_origin_records", "signature", "2024-02-29", "2029-02-28", "minimum"),
        ("r4", "nafta_certificate_signer", "associated_records", "", "", "", "prescribed"),
        ("r4", "nafta_certificate_signer", "nafta_origin_records", "", "", "", "prescribed"),
        ("r5", "chile_certificate_issuer", "chile_origin_records", "issuance", "2023-06-30", "2028-06-30", "minimum"),
        ("r6", "canadian_agreement_exporter", "canadian_export_records", "exportation", "1993-06-30", "1998-06-30",
         "maximum"),
        ("r6", "canadian_agreement_exporter", "canadian_export_records", "", "", "", "prescribed"),
        ("r7", "", "", "entry", "2021-01-01", "", "none"),  # 1508(d): a domestic order alone brings nothing
        ("r8", "knowing_causer", "activity_records", "entry", "2021-01-01", "2026-01-01", "maximum"),
        ("r8", "knowing_causer", "activity_records", "", "", "", "prescribed"),
        ("r9", "waiver_refund_or_credit_claimant", "whether_nafta_certificate_prepared", "making_of_claim",
         "2024-01-31", "2024-03-01", "deadline"),
        ("r10", "notified_recordkeeper", "steps_taken_to_prevent_recurrence", "receipt_of_notice", "2024-06-03", "",
         "deadline"),
        ("r11", "importer", "activity_records", "reconciliation", "2022-12-31", "2027-12-31", "maximum"),
        ("r11", "importer", "activity_records", "", "", "", "prescribed"),
    ]
    first = rows[0]
    assert first["row"] == "2" and first["party"] == "acme" and first["activity"] == "imports"
    assert first["period"] == "at most 5 years from the date of entry, filing of a reconciliation, or exportation"
    assert first["bound"] == "at_most"
    assert first["citations"] == ("19 U.S.C. 1508(a)(1)(A); 19 U.S.C. 1508(a); 19 U.S.C. 1508(a)(1); "
                                  "19 U.S.C. 1508(c)(1); records_and_events; duties_of_persons; retention_of_duties")
    assert "19 U.S.C. 1508(d)" in rows[15]["citations"]  # r8: the exception was checked
    assert (tmp_path / "out.rejects.csv").read_text(encoding="utf-8").splitlines() == [
        "row,code,reason,record_id,party,activity,subject,event,date,certificate"]


def test_the_schedule_agrees_with_the_kb_asked_row_by_row(kb, tmp_path):
    """Policy first gives what a scenario with the same facts gives (same dates, same citations)."""
    D = citelog.Date.parse
    schedule(kb, write(tmp_path / "in.csv", HEADER + GOOD), tmp_path / "out.csv")
    scheduled = {(r["class"], r["what"], r["event"], r["until"], r["citations"])
                 for r in read(tmp_path / "out.csv") if r["record_id"] in ("r2", "r4", "r5") and r["event"]}
    facts = {
        "files_drawback_claim": [("acme", "C-7")], "claim_liquidated": [("C-7", D("2024-05-01"))],
        "completes_and_signs_nafta_certificate": [("maple", "G-1")], "nafta_preference_claimed": [("G-1",)],
        "certificate_signed": [("maple", "G-1", D("2024-02-29"))],
        "completes_and_issues_certificate": [("andes", "chile_fta_certificate_of_origin", "G-2")],
        "exported_from_united_states": [("G-2",)],
        "certificate_issued": [("andes", "chile_fta_certificate_of_origin", "G-2", D("2023-06-30"))],
    }
    with kb.scenario(facts):
        direct = {(o.role, o.object, o.event, str(o.end), "; ".join(o.citations)) for o in obligations(kb) if o.end}
    assert scheduled == direct and len(direct) == 4


def test_activities_are_documented_and_checked_against_the_kb(kb):
    found = activities(kb.program)
    for name in ("imports", "files_drawback_claim", "completes_and_signs_nafta_certificate", "files_entry",
                 "completes_and_issues_certificate", "ordered_domestically_controlling_terms"):
        assert name in found and found[name].description
    assert found["completes_and_issues_certificate"].needs_certificate


def test_the_kb_is_asked_once_per_activity_not_once_per_row(kb, tmp_path, monkeypatch):
    calls = []
    real = schedule_module.infer_policy
    monkeypatch.setattr(schedule_module, "infer_policy", lambda *a, **k: calls.append(a[1].name) or real(*a, **k))
    lines = [f"id{i},p{i % 7},{'imports' if i % 2 else 'files_drawback_claim'},S{i},"
             f"{'entry' if i % 2 else 'liquidation'},2020-{1 + i % 12:02d}-{1 + i % 28:02d}," for i in range(500)]
    result = schedule(kb, write(tmp_path / "in.csv", HEADER + "\n".join(lines) + "\n"), tmp_path / "out.csv")
    assert result.scheduled == 500
    assert sorted(calls) == ["files_drawback_claim", "imports"]


# ---- bad rows -----------------------------------------------------------------------------------------


def test_bad_rows_are_rejected_with_row_and_reason_and_good_rows_still_go_through(kb, tmp_path):
    reported = []
    result = schedule(kb, write(tmp_path / "in.csv", HEADER + GOOD + BAD), tmp_path / "out.csv",
                      report=reported.append)
    assert (result.rows, result.scheduled, len(result.rejected)) == (21, 11, 10)
    assert [(r.row, r.code) for r in result.rejected] == [(row, code) for row, code, _ in REJECTED]
    for rejected, (_, _, reason) in zip(result.rejected, REJECTED):
        assert rejected.reason.startswith(reason), rejected
    where = str(tmp_path / "in.csv")
    assert reported == [f"{where}:{r.row}: error[{r.code}]: {r.reason}" for r in result.rejected]
    rejects = read(tmp_path / "out.rejects.csv")
    assert [(int(r["row"]), r["code"]) for r in rejects] == [(row, code) for row, code, _ in REJECTED]
    assert rejects[1]["record_id"] == "r12" and rejects[1]["date"] == "2023-02-30"  # the row as it was given
    assert {r["record_id"] for r in read(tmp_path / "out.csv")} == {f"r{i}" for i in range(1, 12)}


def test_nothing_is_dropped_silently(kb, tmp_path):
    text = HEADER + GOOD + BAD
    result = schedule(kb, write(tmp_path / "in.csv", text), tmp_path / "out.csv", tmp_path / "bad.csv")
    data_lines = [n for n, line in enumerate(text.splitlines(), start=1) if n > 1 and line.strip()]
    scheduled_rows = {int(r["row"]) for r in read(tmp_path / "out.csv")}
    rejected_rows = {int(r["row"]) for r in read(tmp_path / "bad.csv")}
    assert not scheduled_rows & rejected_rows
    assert sorted(scheduled_rows | rejected_rows) == data_lines
    assert result.rows == len(data_lines) == result.scheduled + len(result.rejected)


def test_a_period_past_the_last_date(kb, tmp_path):
    result = schedule(kb, write(tmp_path / "in.csv", HEADER + "r1,acme,imports,E-1,entry,9998-01-01,\n"),
                      tmp_path / "out.csv")
    assert [(r.code, r.reason) for r in result.rejected] == [
        ("bad-date", "date 9998-01-01: the period ends after 9999-12-31 (the last date citelog can compute)")]


# ---- the file itself ------------------------------------------------------------------------------------


def test_missing_columns_is_one_error(kb, tmp_path):
    inventory = write(tmp_path / "in.csv", "record_id,party,activity,subject,when\nr1,a,imports,E,2020-01-01\n")
    with pytest.raises(ScheduleError) as raised:
        schedule(kb, inventory, tmp_path / "out.csv")
    (diagnostic,) = raised.value.diagnostics
    assert str(diagnostic) == (f"{inventory}:1: error[missing-column]: missing column(s) event, date: the first line "
                               f"must name the columns {', '.join(REQUIRED)} (and optionally certificate)")
    assert not (tmp_path / "out.csv").exists()


def test_header_columns_in_any_order_with_extra_columns_and_a_bom(kb, tmp_path):
    text = "\ufeffnote,date,event,subject,activity,party,record_id\nhello,2020-01-10,entry,E-1,imports,acme,r1\n"
    result = schedule(kb, write(tmp_path / "in.csv", text), tmp_path / "out.csv")
    assert result.scheduled == 1 and short(read(tmp_path / "out.csv"))[0][-2] == "2025-01-10"


@pytest.mark.parametrize(
    "content, code",
    [(b"", "missing-column"), (b"record_id,party,activity,subject,event,date\nr1,caf\xe9,imports,E,entry,2020-01-01\n",
                                "bad-csv")],
)
def test_unreadable_inventories(kb, tmp_path, content, code):
    inventory = tmp_path / "in.csv"
    inventory.write_bytes(content)
    with pytest.raises(ScheduleError) as raised:
        schedule(kb, inventory, tmp_path / "out.csv")
    assert raised.value.code == code


def test_outputs_must_not_overwrite_the_inventory(kb, tmp_path):
    inventory = write(tmp_path / "in.csv", HEADER + GOOD)
    with pytest.raises(OutputError) as raised:
        schedule(kb, inventory, inventory)
    assert raised.value.code == "bad-output"
    assert inventory.read_text(encoding="utf-8") == HEADER + GOOD


# ---- the law comes from the KB -----------------------------------------------------------------------------


def test_an_edited_copy_of_the_kb_changes_the_schedule(tmp_path):
    edited = tmp_path / "kb"
    shutil.copytree(BUNDLED_KB, edited, ignore=shutil.ignore_patterns("tests", "scenarios"))
    rules = edited / "usc-1508.clog"
    text = rules.read_text(encoding="utf-8")
    old = "keep nafta_origin_records for at least 5 years from signature."
    assert text.count(old) == 1
    rules.write_text(text.replace(old, "keep nafta_origin_records for at least 7 years from signature."),
                     encoding="utf-8")
    inventory = write(tmp_path / "in.csv", HEADER + GOOD)
    schedule(citelog.load(), inventory, tmp_path / "before.csv")
    schedule(citelog.load(edited), inventory, tmp_path / "after.csv")
    before = {(r["record_id"], r["what"], r["until"], r["period"]) for r in read(tmp_path / "before.csv")}
    after = {(r["record_id"], r["what"], r["until"], r["period"]) for r in read(tmp_path / "after.csv")}
    signature = "from signature of the NAFTA Certificate of Origin"
    assert before - after == {("r4", "nafta_origin_records", "2029-02-28", f"at least 5 years {signature}")}
    assert after - before == {("r4", "nafta_origin_records", "2031-02-28", f"at least 7 years {signature}")}


# ---- the command ----------------------------------------------------------------------------------------------


def test_cli_good_file_exits_0(tmp_path):
    inventory = write(tmp_path / "in.csv", HEADER + GOOD)
    result = run_cli("schedule", str(inventory), "--out", str(tmp_path / "out.csv"))
    assert result.returncode == 0, result.stderr
    assert result.stdout == b""
    assert result.stderr.decode() == (f"11 row(s): 11 scheduled (20 line(s) in {tmp_path / 'out.csv'}), 0 rejected "
                                      f"({tmp_path / 'out.rejects.csv'})\n")  # no progress bar: not a terminal


def test_cli_bad_rows_exit_1_with_one_line_each(tmp_path):
    inventory = write(tmp_path / "in.csv", HEADER + GOOD + BAD)
    result = run_cli("schedule", str(inventory), "--out", str(tmp_path / "out.csv"),
                     "--rejects", str(tmp_path / "rejected.csv"))
    assert result.returncode == 1
    lines = result.stderr.decode().splitlines()
    assert [line.split(": error[")[0] for line in lines[:-1]] == [f"{inventory}:{row}" for row, _, _ in REJECTED]
    assert lines[-1].startswith("21 row(s): 11 scheduled") and lines[-1].endswith("10 rejected "
                                                                                  f"({tmp_path / 'rejected.csv'})")
    assert len(read(tmp_path / "rejected.csv")) == 10 and len(read(tmp_path / "out.csv")) == 20
    assert b"Traceback" not in result.stderr


def test_cli_missing_column_and_missing_file(tmp_path):
    inventory = write(tmp_path / "in.csv", "a,b\n1,2\n")
    result = run_cli("schedule", str(inventory), "--out", str(tmp_path / "out.csv"))
    assert result.returncode == 1 and result.stderr.decode().startswith(f"{inventory}:1: error[missing-column]: ")
    assert result.stderr.count(b"\n") == 1
    missing = run_cli("schedule", str(tmp_path / "none.csv"), "--out", str(tmp_path / "out.csv"))
    assert missing.returncode == 1
    assert missing.stderr.decode().startswith(f"{tmp_path / 'none.csv'}: error[missing-file]: cannot read")


def test_cli_uses_the_kb_option(tmp_path):
    edited = tmp_path / "kb"
    shutil.copytree(BUNDLED_KB, edited, ignore=shutil.ignore_patterns("tests", "scenarios"))
    rules = edited / "usc-1508.clog"
    rules.write_text(rules.read_text(encoding="utf-8").replace(
        "keep activity_records for at most 5 years from entry_reconciliation_or_exportation.",
        "keep activity_records for at most 6 years from entry_reconciliation_or_exportation."), encoding="utf-8")
    inventory = write(tmp_path / "in.csv", HEADER + "r1,acme,imports,E-1,entry,2020-01-10,\n")
    result = run_cli("schedule", str(inventory), "--out", str(tmp_path / "out.csv"), "--kb", str(edited))
    assert result.returncode == 0, result.stderr
    assert short(read(tmp_path / "out.csv"))[0][-2] == "2026-01-10"


def test_progress_bar_on_a_terminal_does_not_change_the_schedule(kb, tmp_path):
    inventory = write(tmp_path / "in.csv", HEADER + GOOD)
    schedule(kb, inventory, tmp_path / "plain.csv")
    schedule(kb, inventory, tmp_path / "bar.csv", progress=True)
    assert (tmp_path / "plain.csv").read_bytes() == (tmp_path / "bar.csv").read_bytes()


def test_a_period_that_no_dated_event_starts_is_listed_undated_not_lost(tmp_path):
    edited = tmp_path / "kb"
    shutil.copytree(BUNDLED_KB, edited, ignore=shutil.ignore_patterns("tests", "scenarios"))
    rules = edited / "usc-1508.clog"
    old = "keep drawback_claim_records until the 3rd anniversary of liquidation_of_claim."
    text = rules.read_text(encoding="utf-8")
    assert text.count(old) == 1
    rules.write_text(text.replace(old, "keep drawback_claim_records until the 3rd anniversary of payment_of_claim."),
                     encoding="utf-8")
    inventory = write(tmp_path / "in.csv", HEADER + "r1,acme,files_drawback_claim,C-7,entry,2020-01-10,\n"
                                                    "r2,acme,files_drawback_claim,C-7,liquidation,2024-05-01,\n")
    result = schedule(citelog.load(edited), inventory, tmp_path / "out.csv")
    assert [(r.row, r.code) for r in result.rejected] == [(3, "unknown-event")]  # liquidation starts nothing now
    rows = read(tmp_path / "out.csv")
    assert [(r["what"], r["period"], r["until"], r["meaning"]) for r in rows if r["bound"] == "until"] == [
        ("drawback_claim_records", "until the 3rd anniversary of payment of claim", "", "minimum")]


def test_the_schedule_needs_a_kb_without_given_facts(tmp_path):
    kb = citelog.load()
    kb.add_facts({"imports": [("acme", "e1")]})
    with pytest.raises(citelog.InputError) as raised:
        schedule(kb, write(tmp_path / "in.csv", HEADER + GOOD), tmp_path / "out.csv")
    assert raised.value.code == "bad-kb"


# ---- hostile and broken inventories (issue 15) -----------------------------------------------------------

FORMULAS = """\
"=HYPERLINK(""http://evil.example"",""x"")",acme,imports,E-1,entry,2020-01-10,
r2,+cmd|' /C calc'!A0,imports,E-2,entry,2020-01-10,
r3,acme,imports,-2+3,entry,2020-01-10,
r4,@SUM(1),imports,E-4,entry,2020-01-10,
r5,acme,smuggles,"\t=1+1",entry,2020-01-10,
"""


def test_cells_a_spreadsheet_would_run_are_neutralised(kb, tmp_path):
    inventory = write(tmp_path / "in.csv", HEADER + FORMULAS)
    schedule(kb, inventory, tmp_path / "out.csv")
    rows = read(tmp_path / "out.csv")
    assert {(r["record_id"], r["party"], r["subject"]) for r in rows} == {
        ("'=HYPERLINK(\"http://evil.example\",\"x\")", "acme", "E-1"), ("r2", "'+cmd|' /C calc'!A0", "E-2"),
        ("r3", "acme", "'-2+3"), ("r4", "'@SUM(1)", "E-4")}
    assert {r["start"] for r in rows} == {"2020-01-10", ""}  # the dates citelog writes are left as they are
    assert not any(r["until"].startswith("'") for r in rows)
    (rejected,) = read(tmp_path / "out.rejects.csv")
    assert (rejected["row"], rejected["code"], rejected["subject"]) == ("6", "unknown-activity", "'\t=1+1")


def test_raw_cells_keep_the_values(kb, tmp_path):
    inventory = write(tmp_path / "in.csv", HEADER + FORMULAS)
    schedule(kb, inventory, tmp_path / "out.csv", raw_cells=True)
    assert {r["party"] for r in read(tmp_path / "out.csv")} >= {"+cmd|' /C calc'!A0", "@SUM(1)"}
    assert read(tmp_path / "out.rejects.csv")[0]["subject"] == "\t=1+1"
    result = run_cli("schedule", str(inventory), "--out", str(tmp_path / "cli.csv"), "--raw-cells")
    assert result.returncode == 1  # the row of an unknown activity is rejected
    assert read(tmp_path / "cli.csv") == read(tmp_path / "out.csv")


def test_a_run_that_stops_half_way_leaves_the_previous_schedule(kb, tmp_path):
    good = write(tmp_path / "in.csv", HEADER + GOOD)
    schedule(kb, good, tmp_path / "out.csv")
    before = {name: (tmp_path / name).read_bytes() for name in ("out.csv", "out.rejects.csv")}
    broken = tmp_path / "broken.csv"
    broken.write_bytes((HEADER + GOOD * 500).encode() + b"r9999,caf\xe9,imports,E,entry,2020-01-01,\n")
    with pytest.raises(ScheduleError) as raised:
        schedule(kb, broken, tmp_path / "out.csv")
    assert (raised.value.code, raised.value.position.line) == ("bad-csv", 5502)
    assert {name: (tmp_path / name).read_bytes() for name in before} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.csv", "in.csv", "out.csv", "out.rejects.csv"]


def test_a_full_disk_is_a_clear_error_and_leaves_the_previous_schedule(tmp_path):
    inventory = write(tmp_path / "in.csv", HEADER + "".join(f"r{i},acme,imports,E-{i},entry,2020-01-10,\n"
                                                            for i in range(2000)))
    (tmp_path / "out.csv").write_text("previous\n", encoding="utf-8")

    def small_files():  # writing past 100 KB fails as a full disk does (Python ignores SIGXFSZ)
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    result = subprocess.run([CITELOG, "schedule", str(inventory), "--out", str(tmp_path / "out.csv")],
                            capture_output=True, preexec_fn=small_files, timeout=120)
    assert result.returncode == 1
    assert result.stderr.decode() == (f"{tmp_path / 'out.csv'}: error[bad-output]: cannot write {tmp_path / 'out.csv'}: "
                                      "File too large; the previous file, if any, is unchanged\n")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_an_output_linked_to_the_inventory_is_refused(kb, tmp_path):
    inventory = write(tmp_path / "in.csv", HEADER + GOOD)
    os.link(inventory, tmp_path / "out.csv")
    for out, rejects in ((tmp_path / "out.csv", None), (tmp_path / "new.csv", tmp_path / "out.csv")):
        with pytest.raises(OutputError) as raised:
            schedule(kb, inventory, out, rejects)
        assert raised.value.code == "bad-output"
    assert inventory.read_text(encoding="utf-8") == HEADER + GOOD


def test_an_inventory_that_is_a_named_pipe_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "in.csv")
    result = run_cli("schedule", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out.csv"))
    assert result.returncode == 1
    assert result.stderr.decode() == (f"{tmp_path / 'in.csv'}: error[missing-file]: cannot read the inventory: a named "
                                      "pipe, not a regular file: citelog reads only regular files\n")


def test_look_alike_ids_are_one_and_invisible_characters_are_warned(kb, tmp_path):
    inventory = write(tmp_path / "in.csv", HEADER + "socie\u0301te\u0301,acme,imports,E-1,entry,2020-01-10,\n"
                      "soci\u00e9t\u00e9,acme,imports,E-2,entry,2020-01-10,\n"
                      "r3,ac\u200bme,imports,E-3,entry,2020-01-10,\n")
    reported = []
    result = schedule(kb, inventory, tmp_path / "out.csv", report=reported.append)
    assert [(r.row, r.code) for r in result.rejected] == [(3, "duplicate-id")]
    assert [str(w) for w in result.warnings] == reported[1:] and len(reported) == 2
    assert reported[1].startswith(f"{inventory}:4: warning[invisible-character]: party: 'ac\\u200bme' holds")


def test_reports_above_the_progress_bar_are_escaped_too(kb, tmp_path, capsys):
    inventory = write(tmp_path / "in.csv", HEADER + "r1,acme,\x1b]0;owned\x07,E-1,entry,2020-01-10,\n")
    schedule(kb, inventory, tmp_path / "out.csv", report=print, progress=True)  # as on a terminal
    err = capsys.readouterr().err
    assert "unknown activity '\\x1b]0;owned\\x07'" in err and "\x1b]0;owned" not in err
