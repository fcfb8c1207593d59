"""Shared helpers for the citelog test suite.

Most tests build a small KB folder in `tmp_path` (rule files plus a short source text), often a
copy of a fixture KB of `tests/fixtures/`, so that their assertions are exact and do not depend
on the bundled KB, which is being extended.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema
import pytest

import citelog
from citelog.core import Atom, BinOp, Const, Var
from citelog.explanations import Explainer
from citelog.parser import parse_module
from citelog.render import schema_path
from citelog.scenario import load_scenario

REPO = Path(__file__).resolve().parent.parent
BUNDLED_KB = REPO / "kb"
CITELOG = str(Path(sys.executable).with_name("citelog"))  # the console script of this environment

# The cache of builds (citelog.cache) of this test session, apart from the user's: every run starts
# cold, then reads what it built. test_cache.py points it elsewhere for its own tests.
os.environ["CITELOG_CACHE_DIR"] = tempfile.mkdtemp(prefix="citelog-test-cache-")

# The test KBs, as real KB folders in tests/fixtures/ (its README says what each is for): tests
# copy one, or write an edited copy of its text, so that their assertions are exact and do not
# depend on the bundled KB. `routes` is the small KB of the API, proof and CLI tests; its law text
# has a word split by a line-end hyphen ("Com-\npliance") and a sentence wrapped across lines.
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPLAIN_KB = FIXTURES / "explain"  # the invented law of the explanation tests, read in place

collect_ignore = ["fixtures"]  # data: the regression fixture's cases run only where a test runs them


def fixture_text(path: str) -> str:
    """The text of a fixture file (`routes/rules.clog`), for a test that writes an edited copy."""
    return (FIXTURES / path).read_text(encoding="utf-8")


LAW = fixture_text("routes/sources/law.txt")
ROUTES_KB = fixture_text("routes/rules.clog")
HEADER = "".join(ROUTES_KB.splitlines(keepends=True)[:2])  # its source and an input: the start of any small KB
FAILING_CASE = fixture_text("failing-case.yaml")  # a case the regression KB fails: the law says 5 years, not 6


def copy_fixture(name: str, root: Path, *, rules: str | None = None, cases: bool = True) -> Path:
    """A copy of a fixture KB at root (over whatever is there), its one rule file replaced by `rules`
    if given, without its regression cases (`tests/`) if `cases` is false. Returns root."""
    shutil.copytree(FIXTURES / name, root, ignore=None if cases else shutil.ignore_patterns("tests"),
                    copy_function=shutil.copyfile, dirs_exist_ok=True)
    if rules is not None:
        (rule_file,) = root.glob("*.clog")
        rule_file.write_text(rules, encoding="utf-8")
    return root


def one_case(query: str, expect: str, extra: str = "") -> str:
    """A case file of one case named c: its query, what it expects, and any other keys (`extra`)."""
    return f"cases:\n  - name: c\n    query: {query}\n{extra}    expect:{expect}\n"


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


# ---- rule texts and the nodes they parse to --------------------------------------------------------------------


def V(name: str) -> Var:
    """A variable, as a test writes an expected node."""
    return Var(name)


def C(value) -> Const:
    """A constant."""
    return Const(value)


def A(predicate: str, *args) -> Atom:
    """An atom; an argument that is not a node is a constant."""
    return Atom(predicate, tuple(a if isinstance(a, (Var, Const, BinOp)) else C(a) for a in args))


def in_provision(body: str) -> str:
    """A rule file of one (reconstructed) provision holding `body`."""
    return 'provision "19 U.S.C. 1508(a)" {\n  reconstructed "test"\n' + body + "\n}\n"


def only_form(text: str):
    """The form of the one statement of a text (outside any block)."""
    module = parse_module(text, "t.clog")
    assert len(module.loose) == 1, module
    return module.loose[0].form


def statements_of(text: str):
    """The statements of the one provision of a text."""
    module = parse_module(text, "t.clog")
    assert len(module.provisions) == 1
    return module.provisions[0].statements


# ---- the explain fixture: invented law, a scenario, and the golden files of its explanations ----------------------

EXPLAIN_SCENARIO = EXPLAIN_KB / "scenario.yaml"
EXPLAIN_GOLDEN = REPO / "tests" / "golden" / "explain"
MADE = "1798797600"  # SOURCE_DATE_EPOCH of the goldens' memos: 2027-01-01T10:00:00Z
SUFFIX = {"text": "txt", "md": "md", "html": "html", "json": "json"}  # of a golden file, by format

OBLIGATIONS = "person_must_keep(P, R, N, U, T, B)"
ELECTRONIC = "electronic_copy_required(P, E)"

# The fixture's provisions, as the explanations must quote them (the source wraps (b) and (d)
# and splits "com-\nmercial" at a line end: quotes are shown joined and on one line).
QUOTE_101_A = "(a) Every importer of widgets shall keep import records."
QUOTE_101_B = ("(b) An agent of an importer, or an agent of such an agent, is also an importer, unless the agent "
               "acts solely as a carrier.")
QUOTE_101_D = "(d) Subsection (a) does not apply to a person who imports only samples of no commercial value."
QUOTE_10_2_A = "(a) Import records shall be kept for at least 5 years from the date of entry."
INTERPRETATION_NOTE = ("The statute says who keeps which records and the regulation for how long; joining them with "
                       "the classes a person belongs to gives each person's obligations.")

with schema_path().open(encoding="utf-8") as _file:
    EXPLANATION_SCHEMA = json.load(_file)
EXPLANATION_VALIDATOR = jsonschema.Draft202012Validator(EXPLANATION_SCHEMA)


def validate_explanation(document: str | dict) -> dict:
    """Validate an explanation (JSON text or dict) against the shipped schema; return it parsed."""
    payload = json.loads(document) if isinstance(document, str) else document
    errors = sorted(EXPLANATION_VALIDATOR.iter_errors(payload), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
    return payload


def load_explain_kb(with_scenario: bool = True) -> citelog.KnowledgeBase:
    """The explain fixture KB, with its scenario's facts unless `with_scenario` is false."""
    kb = citelog.load(EXPLAIN_KB)
    if with_scenario:
        kb.add_facts(load_scenario(EXPLAIN_SCENARIO, kb.program).facts)
    return kb


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> Path:
    """A copy of the explain fixture KB outside any git work tree: its memo names no git commit, so
    the goldens do not change with every commit of this repository."""
    copy = tmp_path_factory.mktemp("outside") / "explain-kb"
    shutil.copytree(EXPLAIN_KB, copy)
    return copy


@pytest.fixture(scope="module")
def explain_kb() -> citelog.KnowledgeBase:
    """The explain fixture KB with its scenario's facts, shared by a module's tests: none may add or
    withdraw facts."""
    return load_explain_kb()


@pytest.fixture
def explainer(explain_kb) -> Explainer:
    return Explainer(explain_kb)


def proof_nodes(node: dict):
    """Every node of a proof as JSON (an explanation's answer's `proof`), depth first."""
    yield node
    for p in node["premises"]:
        yield from proof_nodes(p)


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
