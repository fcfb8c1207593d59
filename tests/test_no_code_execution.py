"""Nothing a user writes is run as code.

The engine source must hold no path to eval, exec, compile, pyDatalog's text loader or any other
code loader (an AST scan, so a new one fails this test); and Python or template payloads in every
string and name position of rule files, queries, scenarios and CSV cells are refused or shown as
plain text (escaped in HTML), never run.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import citelog
from citelog.explanations import Explainer
from citelog.scenario import parse_scenario

from conftest import REPO, run_cli

ENGINE = REPO / "engine"

# calls that load or run code: by name, and by module.attribute
FORBIDDEN_NAMES = {"eval", "exec", "compile", "__import__", "breakpoint", "execfile"}
FORBIDDEN_ATTRIBUTES = {
    ("pyDatalog", "load"), ("pyDatalog", "create_terms"), ("pyDatalog", "ask"),
    ("yaml", "load"), ("yaml", "unsafe_load"), ("yaml", "full_load"), ("pickle", "loads"), ("pickle", "load"),
    ("marshal", "loads"), ("os", "system"), ("os", "popen"), ("importlib", "import_module"),
}
FORBIDDEN_METHODS = {"from_string"}  # jinja2: a template made from text


def code_loaders(source: str) -> list[str]:
    """Every call in a module's source that could run text as code."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Name) and function.id in FORBIDDEN_NAMES:
            found.append(f"{function.id}() at line {node.lineno}")
        elif isinstance(function, ast.Attribute):
            owner = function.value.id if isinstance(function.value, ast.Name) else None
            if (owner, function.attr) in FORBIDDEN_ATTRIBUTES or function.attr in FORBIDDEN_METHODS:
                found.append(f"{owner}.{function.attr}() at line {node.lineno}")
        if any(k.arg == "shell" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
               for k in node.keywords):
            found.append(f"a call with shell= at line {node.lineno}")
    return found


def test_the_scan_finds_code_loaders():
    sample = ("import re\nre.compile('x')\neval(text)\npyDatalog.load(text)\nenv.from_string(t)\n"
              "subprocess.run(c, shell=True)\nyaml.safe_load(t)\n")
    assert code_loaders(sample) == ["eval() at line 3", "pyDatalog.load() at line 4", "env.from_string() at line 5",
                                    "a call with shell= at line 6"]


def test_the_engine_has_no_code_loader():
    files = sorted(ENGINE.rglob("*.py"))
    assert len(files) > 20
    found = {str(f.relative_to(REPO)): code_loaders(f.read_text(encoding="utf-8")) for f in files}
    assert {f: calls for f, calls in found.items() if calls} == {}


# ---- payloads -------------------------------------------------------------------------------------------


@pytest.fixture
def marker(tmp_path) -> Path:
    """A file that only a payload that ran would create."""
    path = tmp_path / "pwned"
    yield path
    assert not path.exists(), "a payload ran"


def payloads(marker: Path) -> list[str]:
    return [
        f"__import__('os').system('touch {marker}')",
        f'"); import os; os.system("touch {marker}',
        f"{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}",
        "{{7*7}} <script>alert(1)</script> {0.__class__} %(x)s",
    ]


def kb_with(root: Path, payload: str) -> Path:
    """A KB with the payload in every string position that a valid KB may hold."""
    text = payload.replace("\\", "\\\\").replace('"', '\\"')
    plain = text.replace("{", "").replace("}", "")  # braces in a reading are placeholders: see below
    (root / "sources").mkdir(parents=True)
    (root / "sources" / "law.txt").write_text(f"(a) The law says: {payload} and no more.\n", encoding="utf-8")
    (root / "rules.clog").write_text(f"""\
source law = "sources/law.txt".
input says(Who, What) means "{text}" reads "{{Who}} says {plain} {{What}}".
predicate heard(Who, What) means "{text}" reads "{plain}: {{Who}} {{What}}".
provision "19 U.S.C. 1508(a)" {{
  quote law "{text}"
  note "{text}"
  [heard] heard(W, X) :- says(W, X).
  says(bob, "{text}").
  define records as "{text}" including entry_records.
}}
""", encoding="utf-8")
    return root


def test_payloads_in_rule_file_strings_are_plain_text(tmp_path, marker):
    for number, payload in enumerate(payloads(marker)):
        kb = citelog.load(kb_with(tmp_path / f"kb{number}", payload))
        with kb.scenario({"says": [(payload, payload)]}):
            assert {a["X"] for a in kb.query("heard(W, X)")} == {payload}
            explanation = Explainer(kb).explain("heard(W, X)")
            # Markdown escapes the characters it would read as markup: unescaped, the payload is there
            markdown = re.sub(r"\\(.)", r"\1", explanation.to_markdown())
            for text in (explanation.to_text(), markdown, explanation.to_json()):
                assert payload in text or json.dumps(payload)[1:-1] in text
            html = explanation.to_html()
            assert "<script>alert(1)" not in html
            if "{{7*7}}" in payload:
                assert "{{7*7}} &lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("template", [
    'source law = "{p}".',
    'provision "{p}" {{ reconstructed "x" }}',
    "{p}(a).",
    "p({p}).",
    'provision "19 U.S.C. 1508(a)" {{ reconstructed "x" \n p(X) :- q(X), X = {p}. \n q(1). }}',
    'input p({p}) means "x".',
    'query {p} means "x" asks p(X).',
    'interpretation {p} {{ note "x" }}',
    'input p(X) means "x" reads "{{X}} {{{{7*7}}}} {{0.__class__}}".',
])
def test_payloads_in_names_and_citations_are_errors(tmp_path, marker, template):
    for number, payload in enumerate(payloads(marker)):
        folder = tmp_path / f"kb{number}"
        folder.mkdir()
        (folder / "rules.clog").write_text(template.format(p=payload), encoding="utf-8")
        with pytest.raises(citelog.CheckError) as caught:
            citelog.load(folder)
        assert all(d.code and d.position.path for d in caught.value.diagnostics)


def test_payloads_in_queries(marker):
    kb = citelog.load()
    for payload in payloads(marker):
        quoted = payload.replace("\\", "\\\\").replace('"', '\\"')
        assert kb.query(f'is_a("{quoted}", C)') == []
        for text in (payload, f"is_a({payload}, C)", f"is_a(X, C) :- {payload}"):
            with pytest.raises(citelog.CitelogError):
                kb.query(text)


def test_payloads_in_scenarios(marker):
    kb = citelog.load()
    for payload in payloads(marker):
        value = json.dumps(payload)  # a YAML double-quoted scalar
        scenario = parse_scenario(f"scenario: {value}\nfacts:\n  imports:\n    - [{value}, {value}]\n", kb.program)
        assert scenario.title == payload and scenario.facts == {"imports": [(payload, payload)]}
        with kb.scenario(scenario.facts):
            assert [a["C"] for a in kb.query(f"is_a({value}, C)")] == ["importer"]
        with pytest.raises(citelog.CheckError) as caught:  # as a key: not an input
            parse_scenario(f"facts:\n  {value}: [[a, b]]\n", kb.program)
        assert caught.value.code == "unknown-input"
    tagged = f"facts:\n  imports:\n    - !!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(citelog.CheckError) as caught:  # read as a row of one value, never constructed
        parse_scenario(tagged, kb.program)
    assert caught.value.code == "arity-mismatch"


def test_payloads_through_the_cli(tmp_path, marker):
    payload = payloads(marker)[0]
    root = kb_with(tmp_path / "kb", "{{7*7}} <script>alert(1)</script>")
    html = run_cli("explain", "heard(W, X)", "--kb", str(root), "--format", "html")
    assert html.returncode == 0, html.stderr
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in html.stdout and b"<script>alert(1)" not in html.stdout
    query = run_cli("query", payload)
    assert query.returncode == 1 and query.stderr.startswith(b"<query>:1:1: error[syntax-error]")
    inventory = tmp_path / "inventory.csv"
    inventory.write_text("record_id,party,activity,subject,event,date\n"
                         f"r1,\"{payload}\",imports,\"{payload}\",entry,2020-01-10\n", encoding="utf-8")
    result = run_cli("schedule", str(inventory), "--out", str(tmp_path / "out.csv"))
    assert result.returncode == 0, result.stderr
    assert payload in (tmp_path / "out.csv").read_text(encoding="utf-8")
