"""Run regression cases: one loaded KB per KB folder, each case's facts added, queried, withdrawn.

Rules are compiled once per KB (loading the bundled KB costs ~150 ms); a case only asserts its
scenario's facts into the loaded program, asks its query, proves each answer and withdraws the
facts (a few milliseconds). A case passes when

- every expected answer is among the actual answers (answers compare as bindings of the query's
  variables), and, with `answers: exactly` (the default), there is no other answer;
- each expected answer's proof cites every citation listed (`citations: include`, the default),
  or exactly those (`citations: exactly`).

A provision is *exercised* by a case when one of its rules appears in the proof of an expected
answer that the KB gives (`citelog test --coverage`).
"""

from __future__ import annotations

import json
import textwrap
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from .cases import Case, case_files, display, kb_root_for, load_case_file
from .errors import CheckError, CitelogError, Diagnostic, Position
from .knowledge_base import KnowledgeBase
from .proofs import Prover
from .values import Value

LAW = ("statute", "regulation")


@dataclass(frozen=True)
class ActualAnswer:
    bindings: tuple[tuple[str, Value], ...]
    citations: tuple[str, ...]
    provisions: frozenset[str]  # citations of the provisions (statute, regulation) whose rules the proof uses


@dataclass(frozen=True)
class Row:
    """One line of the comparison: an expected answer, the actual one, or both."""

    bindings: tuple[tuple[str, Value], ...]
    expected: tuple[str, ...] | None  # expected citations; None: not expected
    actual: tuple[str, ...] | None  # actual citations; None: not given
    verdict: str  # ok | missing | unexpected | citations

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"


@dataclass
class CaseResult:
    case: Case
    rows: list[Row] = field(default_factory=list)
    error: Diagnostic | None = None  # the case could not run (its facts or query were refused)
    exercised: frozenset[str] = frozenset()
    known: frozenset[str] = frozenset()  # citations a rule of the KB carries (to flag a misspelt one)

    @property
    def passed(self) -> bool:
        return self.error is None and all(row.ok for row in self.rows)

    def report(self, width: int = 112) -> str:
        return failure_report(self, width)


def run_case(kb: KnowledgeBase, case: Case) -> CaseResult:
    """Run one case on a loaded KB: add its facts, ask, prove, compare, withdraw."""
    result = CaseResult(case, known=known_citations(kb))
    try:
        kb.add_facts(case.facts)
        try:
            answers = kb.query(case.query)
            prover = Prover(kb)
            actual: dict[tuple, ActualAnswer] = {}
            for answer in answers:
                cited = prover.cite(answer)
                actual[answer.bindings] = ActualAnswer(
                    answer.bindings, cited.citations, frozenset(c for c in cited.citations if c.authority in LAW))
        finally:
            kb.withdraw_facts()
    except CitelogError as error:
        first = error.diagnostics[0]
        where = first.position if first.position.line else case.position
        result.error = Diagnostic(where, first.code, first.message)
        return result
    result.rows, exercised = compare(case, actual)
    result.exercised = frozenset(exercised)
    return result


def compare(case: Case, actual: dict[tuple, ActualAnswer]) -> tuple[list[Row], set[str]]:
    rows: list[Row] = []
    exercised: set[str] = set()
    for expected in case.expected:
        got = actual.get(expected.bindings)
        if got is None:
            rows.append(Row(expected.bindings, expected.citations, None, "missing"))
            continue
        exercised |= got.provisions
        wanted, have = set(expected.citations), set(got.citations)
        fine = wanted <= have if case.citations == "include" else wanted == have
        rows.append(Row(expected.bindings, expected.citations, got.citations, "ok" if fine else "citations"))
    wanted_keys = {e.bindings for e in case.expected}
    for bindings, got in actual.items():
        if bindings not in wanted_keys:
            verdict = "unexpected" if case.answers == "exactly" else "ok"
            if verdict == "unexpected":
                rows.append(Row(bindings, None, got.citations, verdict))
    return rows, exercised


# ---- running many cases ----------------------------------------------------------------------------


class Runner:
    """Loads each KB once and runs cases on it."""

    def __init__(self, kb_path: Path | None = None):
        self.kb_path = Path(kb_path) if kb_path else None  # every case file tests this KB, if given
        self._kbs: dict[Path, KnowledgeBase] = {}

    def kb_for_file(self, path: Path) -> KnowledgeBase:
        root = self.kb_path or kb_root_for(path)
        if root is None:
            raise CheckError([Diagnostic(Position(display(path)), "unknown-kb",
                                         "cannot tell which KB this case file tests: put it in the tests/ "
                                         "folder of a KB (KB/tests/*.yaml) or name the KB with --kb")])
        return self.kb(root)

    def kb(self, root: Path) -> KnowledgeBase:
        from . import load

        key = Path(root).resolve()
        if key not in self._kbs:
            self._kbs[key] = load(root)
        return self._kbs[key]

    def load(self, paths: list[Path]) -> tuple[list[tuple[KnowledgeBase, Case]], list[Diagnostic]]:
        """Every case of the files named or found under paths, with its KB; every problem found."""
        found: list[tuple[KnowledgeBase, Case]] = []
        problems: list[Diagnostic] = []
        for path in case_files(paths):
            if not path.exists():
                problems.append(Diagnostic(Position(display(path)), "missing-file", "no such file or folder"))
                continue
            try:
                kb = self.kb_for_file(path)
                found += [(kb, case) for case in load_case_file(path, kb)]
            except CheckError as error:
                problems += error.diagnostics
        return found, problems


_KNOWN: "weakref.WeakKeyDictionary[KnowledgeBase, frozenset[str]]" = weakref.WeakKeyDictionary()


def known_citations(kb: KnowledgeBase) -> frozenset[str]:
    """Every citation (and interpretation name) a rule of the KB carries."""
    if kb not in _KNOWN:
        _KNOWN[kb] = frozenset(r.authority.citation for r in kb.program.rules if r.authority.citation)
    return _KNOWN[kb]


@dataclass(frozen=True)
class Coverage:
    provisions: tuple[tuple[str, Position], ...]  # every provision that has rules, in KB order
    exercised: frozenset[str]

    @property
    def uncovered(self) -> list[tuple[str, Position]]:
        return [(c, p) for c, p in self.provisions if c not in self.exercised]


def coverage(kb: KnowledgeBase, results: list[CaseResult]) -> Coverage:
    """Which provisions with rules the cases exercise (one of their rules in an expected answer's proof)."""
    with_rules = {r.authority.citation for r in kb.program.rules if r.authority.kind in LAW}
    provisions = tuple((p.citation, p.position) for p in kb.program.provisions if p.citation in with_rules)
    exercised = frozenset(c for result in results for c in result.exercised)
    return Coverage(provisions, exercised)


# ---- the side-by-side report ------------------------------------------------------------------------


def _value(value: Value) -> str:
    """A value as the report shows it; a string with line breaks or runs of spaces is quoted, escaped."""
    if isinstance(value, str) and (value != " ".join(value.split()) or not value):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _answer_lines(bindings, citations, marks: set[str] | None = None) -> list[str]:
    text = ", ".join(f"{k}={_value(v)}" for k, v in bindings) or "yes (the query holds)"
    lines = [text]
    for citation in citations:
        lines.append(f"  cites {citation}" + (" <" if marks and citation in marks else ""))
    return lines


def failure_report(result: CaseResult, width: int = 112) -> str:
    """Expected and actual answers side by side, with the file and line of the case."""
    case = result.case
    head = [f"{case.position}: case '{case.name}' failed",
            f"  query: {case.question}" + (f"  (asks {case.query})" if case.question != str(case.query) else "")]
    if case.scenario:
        head.append(f"  scenario: {case.scenario}")
    if result.error is not None:
        return "\n".join(head + [f"  {result.error}"]) + "\n"
    column = max(30, (width - 7) // 2)
    left_title = "expected" + (" (citations must include)" if case.citations == "include" else " (exact citations)")
    right_title = "actual"
    lines = head + ["", f"  {'':2} {left_title:<{column}} | {right_title}", f"  {'':2} {'-' * column} | {'-' * column}"]
    if not result.rows:
        lines.append(f"  {'':2} {'(no answer)':<{column}} | (no answer)")
    for mark, left, right in _entries(result):
        left = [w for line in left for w in _wrap(line, column)]
        right = [w for line in right for w in _wrap(line, column)]
        for index in range(max(len(left), len(right))):
            l_text = left[index] if index < len(left) else ""
            r_text = right[index] if index < len(right) else ""
            lines.append(f"  {mark if index == 0 else '  '} {l_text:<{column}} | {r_text}".rstrip())
    lines.append("")
    counts = {v: sum(1 for r in result.rows if r.verdict == v) for v in ("missing", "unexpected", "citations")}
    summary = [f"{n} {label}" for label, n in (("missing answer(s) (-)", counts["missing"]),
                                               ("unexpected answer(s) (+)", counts["unexpected"]),
                                               ("answer(s) with other citations (~; < marks the difference)",
                                                counts["citations"])) if n]
    lines.append("  " + "; ".join(summary))
    if any(mark == "-+" for mark, _, _ in _entries(result)):
        lines.append("  -+ puts a missing answer beside the unexpected one that shares most of its values")
    unknown = sorted({c for row in result.rows for c in (row.expected or ()) if c not in result.known})
    if unknown and result.known:
        lines.append(f"  note: no rule of this KB is cited {', '.join(repr(c) for c in unknown)}")
    return "\n".join(lines) + "\n"


def _entries(result: CaseResult) -> list[tuple[str, list[str], list[str]]]:
    """The lines of the comparison: failing rows first; a missing answer sits beside the unexpected
    answer that shares most of its values (an edited period: the same answer but for its amount)."""
    case = result.case
    rows = sorted(result.rows, key=lambda r: (r.ok, result.rows.index(r)))
    unexpected = [r for r in rows if r.verdict == "unexpected"]
    partner: dict[int, Row] = {}
    for index, row in enumerate(rows):
        if row.verdict != "missing" or not unexpected:
            continue
        shared = lambda other: sum(1 for pair in row.bindings if pair in other.bindings)  # noqa: E731
        best = max(unexpected, key=shared)
        if shared(best) >= max(1, (len(row.bindings) + 1) // 2):
            partner[index] = best
            unexpected.remove(best)
    paired = {id(r) for r in partner.values()}
    entries = []
    for index, row in enumerate(rows):
        if id(row) in paired:
            continue
        if index in partner:
            other = partner[index]
            entries.append(("-+", _answer_lines(row.bindings, row.expected),
                            _answer_lines(other.bindings, other.actual)))
            continue
        differs = row.verdict == "citations"
        missing = set(row.expected or ()) - set(row.actual or ()) if differs else set()
        extra = set(row.actual or ()) - set(row.expected or ()) if differs and case.citations == "exactly" else set()
        left = _answer_lines(row.bindings, row.expected, missing) if row.expected is not None else ["(not expected)"]
        right = _answer_lines(row.bindings, row.actual, extra) if row.actual is not None else ["(no such answer)"]
        entries.append(({"ok": "  ", "missing": "- ", "unexpected": "+ ", "citations": "~ "}[row.verdict], left, right))
    return entries


def _wrap(line: str, width: int) -> list[str]:
    return textwrap.wrap(line, width, subsequent_indent="    ", replace_whitespace=False, drop_whitespace=True) or [""]
