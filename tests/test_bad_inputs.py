"""The bad-input catalogue: every case of tests/bad_inputs/README.md through the real CLI.

Each case must exit with status 1, print no traceback, and print exactly the diagnostics its row
lists (codes and places, in order), the first containing the row's words. The large cases are
generated into tmp_path here, never committed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import run_cli

HERE = Path(__file__).parent / "bad_inputs"
KINDS = ("rules", "queries", "scenarios", "csv")
ROW = re.compile(r"^\| (?P<case>[a-z]+/\S+)(?P<generated> \(generated[^)]*\))? \| (?P<codes>[^|]+) \| "
                 r"(?P<at>[^|]+) \| `(?P<says>.*)` \|$")
DIAGNOSTIC = re.compile(r"^(?P<path>.+?)(?::(?P<line>\d+)(?::(?P<col>\d+))?)?: error\[(?P<code>[a-z-]+)\]: "
                        r"(?P<message>.+)$")
HEADER = 'source law = "sources/law.txt".\ninput imports(Party, Entry) means "Party imports under Entry".\n'
PROVISION = 'provision "19 U.S.C. 1508(a)" {\n  quote law "Every importer shall keep entry records."\n'
CSV_HEADER = "record_id,party,activity,subject,event,date,certificate\n"
FIFTY_MB = 50_000_000


@dataclass(frozen=True)
class Case:
    name: str  # kind/file, as in the table
    generated: bool
    codes: tuple[str, ...]
    places: tuple[str, ...]  # line:col, a CSV row, or - for a whole file
    says: str

    @property
    def kind(self) -> str:
        return self.name.split("/")[0]


def _items(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(","))


def catalogue() -> list[Case]:
    rows = map(ROW.match, (HERE / "README.md").read_text(encoding="utf-8").splitlines())
    return [Case(row["case"], bool(row["generated"]), _items(row["codes"]), _items(row["at"]), row["says"])
            for row in rows if row]


CASES = catalogue()


# ---- the generated cases -----------------------------------------------------------------------------


def _repeat_to(path: Path, head: str, line: str, size: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        out.write(line * (size // len(line) + 1))
    return path


def _long_line(path: Path) -> Path:
    path.write_text('p("' + "x" * 1_000_000 + '", @).\n', encoding="utf-8")  # the '@' at column 1,000,007
    return path


def _deep_expression(path: Path) -> Path:
    path.write_text(HEADER + PROVISION + "  deep(X) :- imports(_, E), X = E" + " + 1" * 150 + ".\n}\n",
                    encoding="utf-8")
    return path


def _huge_cell(path: Path) -> Path:
    path.write_text(CSV_HEADER + "r1,acme,imports,E-1,entry,2020-01-10,\n" + "r2,acme," + "x" * 1_000_000 + "\n",
                    encoding="utf-8")
    return path


def _huge_csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write(CSV_HEADER)
        out.writelines(f"r{i},acme,imports,E-{i},entry,2020-01-10,\n" for i in range(200_000))
        out.write("bad,acme,imports,E-x,entry,2023-02-30,\n")
    return path


def _wide_header(path: Path) -> Path:
    extra = [f"note{i}" for i in range(100_000)]
    path.write_text(",".join([*CSV_HEADER.strip().split(","), *extra, "note77"]) + "\n", encoding="utf-8")
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _dev_zero(path: Path) -> Path:
    path.symlink_to("/dev/zero")
    return path


GENERATORS = {
    "rules/huge.clog": lambda path: _repeat_to(path, "", "p(a, b, 1, 2024-01-01).\n", FIFTY_MB),
    "rules/long-line.clog": _long_line,
    "rules/deep-expression.clog": _deep_expression,
    "scenarios/huge.yaml": lambda path: _repeat_to(path, "facts:\n  imports:\n", "    - [acme, entry-1]\n",
                                                   FIFTY_MB),
    "scenarios/fifo.yaml": _fifo,
    "scenarios/dev-zero.yaml": _dev_zero,
    "csv/huge-cell.csv": _huge_cell,
    "csv/huge.csv": _huge_csv,
    "csv/wide-header.csv": _wide_header,
    "csv/fifo.csv": _fifo,
}


# ---- running a case ----------------------------------------------------------------------------------


def command(case: Case, path: str, tmp_path: Path) -> list[str]:
    if case.kind == "rules":
        return ["check", path]
    if case.kind == "queries":
        return ["query", (HERE / path).read_text(encoding="utf-8").rstrip("\n")]
    if case.kind == "scenarios":
        return ["retention", "--scenario", path]
    return ["schedule", path, "--out", str(tmp_path / "schedule.csv")]


def place(diagnostic: re.Match) -> str:
    if not diagnostic["line"]:
        return "-"
    return f"{diagnostic['line']}:{diagnostic['col']}" if diagnostic["col"] else diagnostic["line"]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path):
    if case.generated:
        path = str(GENERATORS[case.name](tmp_path / Path(case.name).name))
    else:
        path = case.name  # relative to HERE, where the command runs
    result = run_cli(*command(case, path, tmp_path), cwd=HERE)
    out, err = result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace")
    assert result.returncode == 1, (out, err)
    assert "Traceback" not in out + err
    found = [m for m in map(DIAGNOSTIC.match, err.splitlines()) if m]
    assert [(m["code"], place(m)) for m in found] == list(zip(case.codes, case.places)), err
    assert case.says in found[0]["message"], err
    assert {m["path"] for m in found} == {"<query>" if case.kind == "queries" else path}


def test_the_catalogue_lists_every_case_file_once():
    files = {str(p.relative_to(HERE)) for kind in KINDS for p in (HERE / kind).glob("*.*")}
    listed = [c.name for c in CASES if not c.generated]
    assert sorted(listed) == sorted(files)
    assert {c.name for c in CASES if c.generated} == set(GENERATORS)
    assert all(len(c.codes) == len(c.places) for c in CASES)
