"""Regression cases: what a KB must answer, written by analysts in YAML (see docs/REGRESSION.md).

    about: 19 U.S.C. 1508(c)(3): records for a drawback claim   # optional: what the file covers
    cases:
      - name: a drawback claimant keeps claim records until the 3rd anniversary
        scenario:                                # optional: inline facts, or the path of a scenario file
          facts:
            files_drawback_claim: [[acme, C-7]]
        query: person_must_keep(acme, Class, drawback_claim_records, N, U, T, B)   # or a catalogue name
        expect:                                  # the answers, or `none`
          - answer: {Class: drawback_claimant, N: 3, U: anniversary, T: liquidation_of_claim, B: until}
            citations: [19 U.S.C. 1508(c)(3)]

A case file is read like a scenario file (engine/scenario.py): with PyYAML's composer, so every
value keeps its line and column and no implicit typing applies, and an inline scenario is read by
the scenario reader itself. Every problem of a file is reported at once, as a `Diagnostic` with
its file, line and column. Cases are checked against the KB they test: the scenario's facts
against its inputs, the query against its predicates and catalogue, the expected answers against
the query's variables and the types of the predicate's parameters.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .core import Atom, Var
from .errors import CheckError, CitelogError, Diagnostic, Position
from .knowledge_base import KnowledgeBase
from .parser import parse_atom
from .scenario import _Reader, compose_yaml, entries, load_scenario, place
from .textfile import read_text
from .values import Value

CASE_SUFFIXES = (".yaml", ".yml")
TESTS_FOLDER = "tests"

ANSWER_MODES = ("exactly", "include")  # `answers:` the actual answers equal / include the expected
CITATION_MODES = ("include", "exactly")  # `citations:` each answer's citations include / equal the listed
DEFAULT_ANSWERS, DEFAULT_CITATIONS = "exactly", "include"

_CASE_KEYS = ("name", "note", "scenario", "query", "expect", "answers", "citations")
_NAME = re.compile(r"[a-z][a-zA-Z0-9_]*")
_NONE = ("none", "nothing")


@dataclass(frozen=True)
class ExpectedAnswer:
    """One answer a case expects: the query's variables bound to values, and citations it must rest on."""

    bindings: tuple[tuple[str, Value], ...]
    citations: tuple[str, ...]
    position: Position


@dataclass(frozen=True)
class Case:
    name: str
    path: str  # the case file, as shown to the user
    position: Position  # where the case starts
    question: str  # as written: a catalogue name or an atom
    query: Atom  # the atom asked
    expected: tuple[ExpectedAnswer, ...]
    answers: str = DEFAULT_ANSWERS
    citations: str = DEFAULT_CITATIONS
    facts: dict[str, list[tuple]] = field(default_factory=dict, compare=False, hash=False)
    scenario: str | None = None  # the scenario's title, or its file
    note: str = ""
    scenario_file: Path | None = None  # the scenario file read, if the case names one

    @property
    def id(self) -> str:
        return f"{self.path}::{self.name}"

    @property
    def variables(self) -> list[str]:
        """The query's reported variables, in order (`_` is not reported)."""
        return list(dict.fromkeys(a.name for a in self.query.args if isinstance(a, Var) and not a.anonymous))


# ---- finding case files and their KB --------------------------------------------------------------


def kb_root_for(path: str | Path) -> Path | None:
    """The KB a case file tests: the folder above the nearest enclosing `tests/` folder, if that
    folder holds rule files (`<kb>/tests/**/*.yaml`); None otherwise."""
    path = Path(path).resolve()
    for folder in path.parents:
        if folder.name == TESTS_FOLDER:
            kb = folder.parent
            return kb if any(kb.glob("*.clog")) else None
    return None


def case_files(paths: list[Path]) -> list[Path]:
    """The case files named or found (recursively, sorted) under the given paths."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in CASE_SUFFIXES and p.is_file()
                            and not any(part.startswith(".") for part in p.relative_to(path).parts))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def display(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# ---- reading ---------------------------------------------------------------------------------------


def load_case_file(path: str | Path, kb: KnowledgeBase, shown: str | None = None) -> list[Case]:
    """Read and check one case file against a loaded KB; raises CheckError with every problem."""
    path = Path(path)
    shown = shown or display(path)
    text = read_text(path, shown, unreadable="bad-case", encoding="bad-case")
    return parse_cases(text, kb, shown, path.parent)


def kb_cases(kb: KnowledgeBase, root: Path, shown: Callable[[Path], str] = display
             ) -> tuple[list[Case], dict[Path, list[Diagnostic]]]:
    """Every case of a KB folder's regression cases (ROOT/tests) read against the loaded KB, and
    the problems of each file that does not load (such a file is left out whole)."""
    folder = (root if root.is_dir() else root.parent) / "tests"
    cases: list[Case] = []
    problems: dict[Path, list[Diagnostic]] = {}
    for path in case_files([folder]) if folder.is_dir() else []:
        try:
            cases += load_case_file(path, kb, shown(path))
        except CheckError as error:
            problems[path] = list(error.diagnostics)
    return cases, problems


def parse_cases(text: str, kb: KnowledgeBase, path: str = "<cases>", folder: Path | None = None) -> list[Case]:
    root = compose_yaml(text, path, "bad-case", "YAML")
    reader = _CaseReader(path, kb, folder or Path.cwd())
    cases = reader.file(root)
    if reader.problems:
        raise CheckError(reader.problems)
    return cases


class _CaseReader:
    def __init__(self, path: str, kb: KnowledgeBase, folder: Path):
        self.path = path
        self.kb = kb
        self.program = kb.program
        self.folder = folder
        self.values = _Reader(path, kb.program)  # the scenario reader: facts and typed values
        self.problems: list[Diagnostic] = []

    def _at(self, node) -> Position:
        return place(self.path, node.start_mark)

    def problem(self, node, message: str, code: str = "bad-case") -> None:
        self.problems.append(Diagnostic(self._at(node) if node is not None else Position(self.path), code, message))

    def _take(self, diagnostics: list[Diagnostic]) -> None:
        self.problems += diagnostics

    def mapping(self, node, what: str, keys: tuple[str, ...]) -> dict[str, tuple]:
        """A mapping's entries by key, as (key node, value node); unknown and doubled keys are reported."""
        found, again = entries(node)
        for key, _ in again:
            self.problem(key, f"'{key.value}' is given twice in {what}", "duplicate-id")
        self.unknown_keys = False
        for name, (key, _) in list(found.items()):
            if name not in keys:
                close = difflib.get_close_matches(str(name), keys, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                self.problem(key, f"unknown key '{name}' in {what}: the keys are {', '.join(keys)}{hint}")
                self.unknown_keys = True
                del found[name]
        return found

    # ---- the file ---------------------------------------------------------------------------------

    def file(self, root) -> list[Case]:
        if root is None:
            self.problem(None, "empty case file: it needs a list of cases under 'cases'")
            return []
        if isinstance(root, yaml.MappingNode):
            entries = self.mapping(root, "a case file", ("about", "cases"))
            if "about" in entries and not self.text(entries["about"][1]):
                self.problem(entries["about"][1], "'about' is a line of text")
            if "cases" not in entries:
                if not self.unknown_keys:  # a misspelt key was reported already
                    self.problem(root, "missing 'cases': a case file has a list of cases under 'cases'")
                return []
            items = entries["cases"][1]
        else:
            items = root
        if not isinstance(items, yaml.SequenceNode) or not items.value:
            self.problem(items, "'cases' is a list of cases, each a mapping with name, query and expect")
            return []
        cases, names = [], {}
        for item in items.value:
            case = self.case(item)
            if case is None:
                continue
            if case.name in names:
                self.problem(item, f"a case named '{case.name}' is already defined at line {names[case.name]}",
                             "duplicate-id")
                continue
            names[case.name] = case.position.line
            cases.append(case)
        return cases

    @staticmethod
    def text(node) -> str | None:
        if isinstance(node, yaml.ScalarNode) and node.value.strip():
            return node.value
        return None

    # ---- one case ---------------------------------------------------------------------------------

    def case(self, node) -> Case | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, "a case is a mapping with the keys name, query and expect "
                               "(and optionally note, scenario, answers, citations)")
            return None
        before = len(self.problems)
        entries = self.mapping(node, "a case", _CASE_KEYS)
        for required in ("name", "query", "expect"):
            if required not in entries and not self.unknown_keys:
                self.problem(node, f"missing '{required}': a case has a name, a query and what it expects")
        name = self.name(entries["name"][1]) if "name" in entries else None
        note = ""
        if "note" in entries:
            note = self.text(entries["note"][1]) or ""
            if not note:
                self.problem(entries["note"][1], "'note' is a line of text")
        answers = self.mode(entries, "answers", ANSWER_MODES, DEFAULT_ANSWERS)
        citations = self.mode(entries, "citations", CITATION_MODES, DEFAULT_CITATIONS)
        facts, title, file = self.scenario(entries["scenario"][1]) if "scenario" in entries else ({}, None, None)
        question, atom = self.query(entries["query"][1]) if "query" in entries else (None, None)
        expected = ()
        if "expect" in entries and atom is not None:
            expected = self.expect(entries["expect"][1], atom)
        if answers == "include" and "expect" in entries and not expected and len(self.problems) == before:
            self.problem(entries["answers"][1], "with 'answers: include', a case must expect at least one answer "
                                                "(expect: none with include would accept anything)")
        if len(self.problems) > before or name is None or atom is None:
            return None
        return Case(name, self.path, self._at(node), question, atom, expected, answers, citations, facts, title, note,
                    file)

    def name(self, node) -> str | None:
        name = self.text(node)
        if name is None or "\n" in name.strip() or "::" in name:
            self.problem(node, "a case's name is one line of text (without '::')")
            return None
        return " ".join(name.split())

    def mode(self, entries: dict, key: str, allowed: tuple[str, ...], default: str) -> str:
        if key not in entries:
            return default
        node = entries[key][1]
        value = node.value if isinstance(node, yaml.ScalarNode) else None
        if value not in allowed:
            self.problem(node, f"'{key}' is {' or '.join(allowed)}")
            return default
        return value

    def scenario(self, node) -> tuple[dict, str | None, Path | None]:
        """Inline facts (a scenario mapping, read by the scenario reader) or a scenario file:
        (facts, title, the file)."""
        if isinstance(node, yaml.ScalarNode) and node.value.strip():
            file = self.folder / node.value.strip()
            if not file.is_file():
                self.problem(node, f"no scenario file {node.value.strip()} (paths are relative to the case file)",
                             "missing-file")
                return {}, None, None
            try:
                scenario = load_scenario(file, self.program)
            except CheckError as error:
                self._take(error.diagnostics)
                return {}, None, None
            return scenario.facts, scenario.title or node.value.strip(), file
        if isinstance(node, yaml.MappingNode):
            reader = _Reader(self.path, self.program)  # a fresh reader: nothing of one scenario leaks into the next
            scenario = reader.scenario(node)
            self._take(reader.problems)
            return scenario.facts, scenario.title or None, None
        self.problem(node, "'scenario' is a mapping with 'facts' (and an optional title under 'scenario'), "
                           "or the path of a scenario file")
        return {}, None, None

    def query(self, node) -> tuple[str | None, Atom | None]:
        if not isinstance(node, yaml.ScalarNode) or not node.value.strip():
            self.problem(node, "'query' is the name of a catalogue query or an atom such as is_a(acme, C)")
            return None, None
        text = node.value.strip()
        if _NAME.fullmatch(text):
            named = self.program.named_query(text)
            if named is None:
                names = [q.name for q in self.program.queries]
                close = difflib.get_close_matches(text, names, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"the catalogue has: {', '.join(names) or 'none'}"
                self.problem(node, f"no query named '{text}' in the catalogue; {hint}", "unknown-query")
                return None, None
            return text, named.atom
        try:
            atom = parse_atom(text, self.path)
            self.kb._check_query(atom)
        except CitelogError as error:
            for diagnostic in error.diagnostics:
                self.problems.append(Diagnostic(self._inside(node, diagnostic.position), diagnostic.code,
                                                diagnostic.message))
            return None, None
        return text, atom

    def _inside(self, node, position: Position | None) -> Position:
        """A position in the atom's text, as a position in the case file (exact for one-line scalars)."""
        start = self._at(node)
        if position is None or position.line != 1 or "\n" in node.value or node.style in ("|", ">"):
            return start
        quote = 1 if node.style in ("'", '"') else 0
        return Position(self.path, start.line, start.column + quote + max(position.column, 1) - 1)

    def expect(self, node, atom: Atom) -> tuple[ExpectedAnswer, ...]:
        if isinstance(node, yaml.ScalarNode) and node.value.strip().lower() in _NONE and not node.style:
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, "'expect' is a list of answers (each with 'answer' and 'citations'), or none")
            return ()
        variables = list(dict.fromkeys(a.name for a in atom.args if isinstance(a, Var) and not a.anonymous))
        types = self._types(atom)
        found: list[ExpectedAnswer] = []
        seen: dict[tuple, int] = {}
        for item in node.value:
            expected = self.answer(item, atom, variables, types)
            if expected is None:
                continue
            if expected.bindings in seen:
                self.problem(item, f"this answer is already expected at line {seen[expected.bindings]}",
                             "duplicate-id")
                continue
            seen[expected.bindings] = expected.position.line
            found.append(expected)
        return tuple(found)

    def _types(self, atom: Atom) -> dict[str, str | None]:
        decl = self.program.declaration(atom.predicate)
        types: dict[str, str | None] = {}
        for index, arg in enumerate(atom.args):
            if isinstance(arg, Var) and decl is not None and index < len(decl.params):
                types.setdefault(arg.name, decl.params[index].type)
        return types

    def answer(self, node, atom: Atom, variables: list[str], types: dict) -> ExpectedAnswer | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, "an expected answer is a mapping with 'answer' (the variables' values) "
                               "and 'citations'")
            return None
        before = len(self.problems)
        entries = self.mapping(node, "an expected answer", ("answer", "citations"))
        bindings: dict[str, Value] = {}
        if "answer" in entries:
            value_node = entries["answer"][1]
            if isinstance(value_node, yaml.MappingNode):
                for key, cell in value_node.value:
                    name = key.value if isinstance(key, yaml.ScalarNode) else ""
                    if name not in variables:
                        shown = ", ".join(variables) or "none: it asks a yes/no question"
                        self.problem(key, f"'{name}' is not a variable of the query {atom} (its variables: {shown})",
                                     "unknown-variable")
                    elif name in bindings:
                        self.problem(key, f"'{name}' is given twice", "duplicate-id")
                    else:
                        value = self.values.value(cell, types.get(name), "answer", name)
                        self._take(self.values.problems)
                        self.values.problems = []
                        if value is not None:
                            bindings[name] = value
            elif not (isinstance(value_node, yaml.ScalarNode) and value_node.value == "" and not variables):
                self.problem(value_node, "'answer' maps each variable of the query to its value")
            missing = [v for v in variables if v not in bindings]
            if missing and len(self.problems) == before:
                self.problem(value_node, f"the answer lacks a value for {', '.join(missing)}", "missing-field")
        elif variables:
            self.problem(node, f"missing 'answer': give the values of {', '.join(variables)}", "missing-field")
        citations: list[str] = []
        if "citations" not in entries:
            self.problem(node, "missing 'citations': the provisions this answer must rest on", "missing-field")
        else:
            cited = entries["citations"][1]
            if not isinstance(cited, yaml.SequenceNode) or not cited.value:
                self.problem(cited, "'citations' is a list of citations such as 19 U.S.C. 1508(c)(3)")
            else:
                for item in cited.value:
                    text = self.text(item)
                    if text is None:
                        self.problem(item, "a citation is one line of text")
                    elif " ".join(text.split()) in citations:
                        self.problem(item, f"'{text}' is listed twice", "duplicate-id")
                    else:
                        citations.append(" ".join(text.split()))
        if len(self.problems) > before:
            return None
        return ExpectedAnswer(tuple((v, bindings[v]) for v in variables), tuple(citations), self._at(node))
