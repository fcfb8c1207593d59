"""`citelog retention` in a terminal: it fits the width (COLUMNS), a table when the terminal is wide,
one block per row when it is narrow, with the same words as the library's report (`citelog.report`)."""

from __future__ import annotations

import re

import pytest

import citelog
from citelog.obligations import obligations
from citelog.report import headline, obligations_report
from citelog.scenario import load_scenario
from conftest import BUNDLED_KB, run_cli

DRAWBACK = BUNDLED_KB / "scenarios" / "drawback-claim.yaml"
CASES = [([], "headline"), (["--scenario", str(DRAWBACK)], "drawback")]


@pytest.fixture(scope="module")
def reports():
    kb = citelog.load()
    plain = headline(kb)
    scenario = load_scenario(DRAWBACK, kb.program)
    with kb.scenario(scenario.facts):
        dated = obligations_report(kb, scenario, obligations(kb))
    return {"headline": plain, "drawback": dated}


def retention(columns: int, *args: str) -> list[str]:
    result = run_cli("retention", *args, env={"COLUMNS": str(columns)})
    assert (result.returncode, result.stderr) == (0, b"")
    return result.stdout.decode().splitlines()


@pytest.mark.parametrize("args, name", CASES)
def test_narrow_terminal_one_block_per_row(reports, args, name):
    lines = retention(80, *args)
    assert max(map(len, lines)) <= 80
    assert not any(ch in "".join(lines) for ch in "┏│┃")  # no table
    report = reports[name]
    starts = [int(m.group(1)) for line in lines if (m := re.match(r"^(\d+)[*†]* +" + report.columns[0] + " ", line))]
    assert starts == [row.number for row in report.rows]
    text = " ".join(" ".join(line.split()) for line in lines)
    for row in report.rows:
        for cell in row.cells:
            assert " ".join(cell.split()) in text, cell
    # a citation is never broken: each stands on a line of its own
    cited = {c for row in report.rows for c in row.citations}
    for citation in cited:
        assert any(line.strip().removeprefix("citations").strip().startswith(citation) for line in lines), citation
    assert lines[-1] == f"{len(report.rows)} row(s)"


@pytest.mark.parametrize("args, name", CASES)
def test_wide_terminal_one_table(reports, args, name):
    lines = retention(200, *args)
    assert max(map(len, lines)) <= 200
    report = reports[name]
    header = next(line for line in lines if line.startswith("┃"))
    assert [h.strip() for h in header.strip("┃").split("┃")] == ["", *report.columns, "citations"]
    marks = [line.split("│")[1].strip() for line in lines if line.startswith("│") and line.split("│")[1].strip()]
    assert marks == [f"{row.number}" + ("*" if row.conflicts else "") + ("†" if row.displaced else "")
                     for row in report.rows]
    cells = {cell.strip() for line in lines if line.startswith("│") for cell in line.split("│")}
    for row in report.rows:
        for citation in row.citations:
            assert (citation + (" (interpretation)" if citation.authority == "interpretation" else "")) in cells


def test_the_headline_in_the_law_s_words(reports):
    rows = reports["headline"].rows
    cells = [row.cells for row in rows]
    assert ("agent of a party described in 19 U.S.C. 1508(a)(1)", "records which pertain to the activity "
            "(19 U.S.C. 1508(a))", "as prescribed by the Secretary", "") in cells
    assert ("drawback claimant", "records for the drawback claim", "until the 3rd anniversary",
            "the date of liquidation of the claim") in cells
    assert any(c[2] == "at most 5 years" and c[3] == "the date of entry, filing of a reconciliation, or exportation"
               for c in cells)
    # statute, then regulation, then the analyst's interpretations, each in label order
    for row in rows:
        kinds = [c.authority for c in row.citations]
        assert kinds == sorted(kinds, key=["statute", "regulation", "interpretation"].index)


def test_scenario_rows_name_parties_and_dates(reports):
    report = reports["drawback"]
    assert {row.cells[0] for row in report.rows} == {"Acme Imports Inc. (acme)", "Swift Customs Brokers (swift)"}
    assert {row.cells[-1] for row in report.rows} >= {"2027-05-01 (minimum)", "2026-03-15 (maximum)", "as prescribed",
                                                      "not applicable"}
    # (c)(3) prevails over the cap of (c)(1) for the claim's records: displaced, not in conflict
    assert [row.number for row in report.rows if row.conflicts] == []
    assert [row.number for row in report.rows if row.displaced] == [5, 7]
    assert report.notes[0].startswith("† row 5 does not apply: 19 U.S.C. 1508(c)(3) prevails over "
                                      "19 U.S.C. 1508(c)(1) (lex specialis")


def test_piped_output_without_columns_is_the_same_bytes():
    first, second = (run_cli("retention", env={"COLUMNS": ""}) for _ in range(2))
    assert first.stdout == second.stdout and max(map(len, first.stdout.decode().splitlines())) <= 160
