"""Shared helpers for the citelog test suite.

Most tests build a small KB folder in `tmp_path` (rule files plus a short source text), so that
their assertions are exact and do not depend on the bundled KB, which is being extended.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import citelog

REPO = Path(__file__).resolve().parent.parent
BUNDLED_KB = REPO / "kb"
CITELOG = str(Path(sys.executable).with_name("citelog"))  # the console script of this environment

# The cache of builds (citelog.cache) of this test session, apart from the user's: every run starts
# cold, then reads what it built. test_cache.py points it elsewhere for its own tests.
os.environ["CITELOG_CACHE_DIR"] = tempfile.mkdtemp(prefix="citelog-test-cache-")

# A short "statute" whose sentences the test KBs quote. Note the word split by a line-end
# hyphen ("Com-\npliance") and the sentence wrapped across lines.
LAW = """\
(a) Every importer shall keep entry records. An agent of an importer
is also an importer.
(b) Entry records shall be kept for at least 5 years from the date of entry,
and records of Com-
pliance shall be kept for the same period.
(c) A route exists between any two connected ports.
"""

HEADER = """\
source law = "sources/law.txt".
input imports(Party, Entry) means "Party imports under Entry" reads "{Party} imports under {Entry}".
"""

# A complete small KB used by the API, proof and CLI tests.
ROUTES_KB = HEADER + """\
input agent_of(Agent, Principal) means "Agent acts for Principal".
input link(From, To) means "there is a direct link From To".

provision "19 U.S.C. 1508(a)" {
  quote law "Every importer shall keep entry records."
  [importer] P is an importer if imports(P, _).
  importer must keep entry_records.
}

provision "19 U.S.C. 1508(a)(2)" {
  quote law "An agent of an importer is also an importer."
  [agent] P is an importer if agent_of(P, Q), is_a(Q, importer).
}

provision "19 U.S.C. 1508(b)" {
  quote law "Entry records shall be kept for at least 5 years from the date of entry"
  keep entry_records for at least 5 years from entry.
}

provision "19 U.S.C. 1508(c)" {
  quote law "A route exists between any two connected ports."
  route(X, Y) :- link(X, Y).
  route(X, Z) :- route(X, Y), link(Y, Z).
}

provision "19 CFR 163.4(a)" {
  reconstructed "facts stated by the KB itself, for the tests"
  imports(kbco, e0).
  link(p1, p2).
  link(p2, p3).
}

interpretation keeping {
  note "joins duties and periods"
  must_keep(C, R, N, U, T, B) :- duty(C, keep, R), retention(R, N, U, T, B).
}
"""


@pytest.fixture(autouse=True)
def _restore_gc_threshold():
    """Keep each test hermetic: evaluation tunes the (process-wide) garbage collector."""
    threshold = gc.get_threshold()
    yield
    gc.set_threshold(*threshold)


def write_kb(root: Path, rules: str, *, name: str = "rules.clog", sources: dict[str, str] | None = None) -> Path:
    """Write a KB folder: one rule file and its sources. Returns the folder."""
    (root / "sources").mkdir(parents=True, exist_ok=True)
    for file, text in (sources if sources is not None else {"law.txt": LAW}).items():
        (root / "sources" / file).write_text(text, encoding="utf-8")
    (root / name).write_text(rules, encoding="utf-8")
    return root


@pytest.fixture
def make_kb(tmp_path):
    """make_kb(rules, name=..., sources=..., folder=...) -> path of a fresh KB folder."""

    def make(rules: str, *, name: str = "rules.clog", sources: dict[str, str] | None = None,
             folder: str = "kb") -> Path:
        return write_kb(tmp_path / folder, rules, name=name, sources=sources)

    return make


@pytest.fixture
def routes_kb(make_kb) -> Path:
    return make_kb(ROUTES_KB)


def diagnostics_of(path: Path) -> list[citelog.Diagnostic]:
    """Every diagnostic of a KB, through the public API (empty when it loads)."""
    try:
        citelog.load(path)
    except citelog.CheckError as error:
        return error.diagnostics
    return []


def locate(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the n-th occurrence of needle in text."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed `citelog` command, capturing bytes."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([CITELOG, *args], capture_output=True, env=full_env, cwd=cwd or REPO, timeout=120)


def run_python(code: str, timeout: float = 10) -> str:
    """Run Python code in a fresh interpreter and return its stdout; fail if it does not end.

    For programs that must terminate: a non-terminating evaluation fails the test instead of
    hanging the whole suite. The limit is far above the time a correct run needs (about 1 s).
    """
    try:
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"evaluation did not terminate within {timeout} s")
    assert result.returncode == 0, result.stderr
    return result.stdout


# ---- a real browser -------------------------------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package, which .ci/run installs; Playwright drives it
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def browser_or_skip(what: str):
    """Playwright's `sync_playwright`; skip when it or chromium is missing, but fail under CI."""
    missing = []
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
        missing.append("the playwright package")
    if not CHROMIUM.exists():
        missing.append(str(CHROMIUM))
    if missing:
        message = f"{what} need(s) {' and '.join(missing)}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run them: .ci/run installs Debian's chromium)")
        pytest.skip(message)
    return sync_playwright
