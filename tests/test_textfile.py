"""Reading the files a user hands over (engine/textfile.py): only regular files, within the size
limit, with every kind of line end counted as an editor counts it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import LAW, ROUTES_KB, diagnostics_of, run_python

import citelog
from citelog.errors import CheckError
from citelog.textfile import read_text

TWO_PROVISIONS = """\
source law = "sources/law.txt".
input imports(Party, Entry) means "Party imports under Entry".
provision "19 U.S.C. 1508(a)" {
  quote law "Every importer shall keep entry records."
  first(x).
}
% a comment between two provisions
provision "19 U.S.C. 1508(b)" {
  reconstructed "for the test"
  second(X) :- nowhere(X).
}
"""


@pytest.mark.parametrize("end", ["\r", "\r\n"])
def test_old_mac_and_windows_line_ends_read_as_line_ends(make_kb, end):
    """A CR alone used to be no line end for the comment, which then ran to the end of the file
    and silently swallowed the second provision."""
    root = make_kb(TWO_PROVISIONS.replace("\n", end))
    (found,) = diagnostics_of(root)
    assert (found.code, found.position.line, found.position.column) == ("unknown-predicate", 10, 16)
    fixed = make_kb(TWO_PROVISIONS.replace("nowhere", "first").replace("\n", end), folder="fixed")
    kb = citelog.load(fixed)
    assert [a["X"] for a in kb.query("second(X)")] == ["x"]
    assert [p.citation for p in kb.program.provisions] == ["19 U.S.C. 1508(a)", "19 U.S.C. 1508(b)"]


def test_a_bad_byte_is_placed_on_its_line_whatever_the_line_ends(tmp_path):
    path = tmp_path / "rules.clog"
    path.write_bytes(b"p(a).\rq(b).\r\nr(\xff).\n")
    with pytest.raises(CheckError) as raised:
        read_text(path, "rules.clog")
    (found,) = raised.value.diagnostics
    assert (found.code, found.position.line, found.position.column) == ("bad-encoding", 3, 3)


def _kb_with(tmp_path: Path, make) -> Path:
    """A KB folder whose second rule file is made by `make(path)`."""
    root = tmp_path / "kb"
    (root / "sources").mkdir(parents=True)
    (root / "sources" / "law.txt").write_text(LAW, encoding="utf-8")
    (root / "a.clog").write_text(ROUTES_KB, encoding="utf-8")
    make(root / "b.clog")
    return root


# Run in a fresh interpreter with a memory limit and a timeout: before the fix, a FIFO blocked the
# read for ever and /dev/zero was read until memory ran out.
PROBE = """
import resource, citelog
resource.setrlimit(resource.RLIMIT_AS, (2_000_000_000, 2_000_000_000))
try:
    citelog.load({root!r})
except citelog.CheckError as error:
    print("\\n".join(str(d) for d in error.diagnostics))
"""


@pytest.mark.parametrize("make, kind", [
    (os.mkfifo, "a named pipe"),
    (lambda path: path.symlink_to("/dev/zero"), "a device"),
])
def test_a_rule_file_that_is_no_regular_file_is_refused_at_once(tmp_path, make, kind):
    root = _kb_with(tmp_path, make)
    out = run_python(PROBE.format(root=str(root)), timeout=30)
    assert out.splitlines() == [f"{root / 'b.clog'}: error[unreadable-file]: {kind}, not a regular file: citelog "
                                "reads only regular files"]


@pytest.mark.parametrize("make", [os.mkfifo, lambda path: path.symlink_to("/dev/zero")])
def test_a_scenario_that_is_no_regular_file_is_refused_at_once(tmp_path, make):
    make(tmp_path / "facts.yaml")
    code = (f"import citelog\nfrom citelog.scenario import load_scenario\nkb = citelog.load()\n"
            f"try:\n    load_scenario({str(tmp_path / 'facts.yaml')!r}, kb.program)\n"
            "except citelog.CheckError as error:\n    print(error.code)\n")
    assert run_python(code, timeout=30) == "bad-scenario\n"


def test_a_file_that_grows_past_the_limit_while_read_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "rules.clog"
    path.write_text("p(a).\n" * 10, encoding="utf-8")
    with pytest.raises(CheckError) as raised:
        read_text(path, "rules.clog", max_bytes=20)
    assert raised.value.code == "file-too-large"
