"""The semantic diff of two versions of a KB: which provisions were edited, and which answers moved.

Provisions are matched by citation (interpretations by name). One is *edited* when the text of its
block changed or when its core rules changed (an exception stated in another provision changes the
rules it defeats, not their text). Answers are compared section by section between the two
snapshots (engine/snapshot.py), keyed by their bindings: *added*, *removed*, or *changed* (the same
answer with other citations or another proof). Each answer that moved is attributed to the edited
provisions whose citation appears in its proof before or after the edit; an answer with none is
listed under "other causes" (a changed input declaration, a catalogue query, a scenario).
"""

from __future__ import annotations

import difflib
import io
import json
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .core import Atom, Negation
from .errors import CitelogError, Position
from .knowledge_base import KnowledgeBase
from .names import INTERNAL
from .program import Program

SCHEMA = "citelog.diff/1"
OTHER = "other causes"


class DiffError(CitelogError):
    code = "diff"


# ---- provisions ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    key: str  # citation, or the interpretation's name
    authority: str  # statute | regulation | interpretation
    text: str  # the block's source text, from `provision` to its closing brace
    location: str  # file (relative to the KB folder) and line
    rules: tuple[str, ...]  # its core rules, as text


@dataclass(frozen=True)
class ProvisionChange:
    key: str
    kind: str  # added | removed | edited
    authority: str
    before: Block | None
    after: Block | None

    @property
    def text_changed(self) -> bool:
        return _norm(self.before.text if self.before else "") != _norm(self.after.text if self.after else "")

    @property
    def rules_changed(self) -> bool:
        return (self.before.rules if self.before else ()) != (self.after.rules if self.after else ())

    def text_diff(self, whole: int = 40, context: int = 2) -> list[str]:
        """Lines of the block before (-) and after (+): all of it when it has at most `whole` lines
        (so that a reviewer sees the quoted text beside the edited rules), else the changes with a
        little context, '…' between hunks."""
        before = (self.before.text if self.before else "").splitlines()
        after = (self.after.text if self.after else "").splitlines()
        if max(len(before), len(after)) <= whole:
            context = max(len(before), len(after))
        if self.kind != "edited" or not self.text_changed:
            if self.kind == "edited":  # rules changed through another provision: show the core rules
                before, after = list(self.before.rules), list(self.after.rules)
            else:
                return [("+ " if self.kind == "added" else "- ") + line for line in (after or before)]
        lines: list[str] = []
        for line in difflib.unified_diff(before, after, lineterm="", n=context):
            if line.startswith(("---", "+++")):
                continue
            if line.startswith("@@"):
                if lines:
                    lines.append("  …")
                else:  # the block's first line, to say where the hunk is
                    start = int(line.split()[1].lstrip("-").split(",")[0])
                    if start > 1 and before:
                        lines += [f"  {before[0]}"] + (["  …"] if start > 2 else [])
                continue
            if line[:1] not in "+-" and not line[1:].strip() and context < len(before):
                continue  # a blank line of partial context says nothing
            lines.append((f"{line[0]} {line[1:]}" if line[:1] in "+-" else f"  {line[1:]}").rstrip())
        return lines

    def to_json(self) -> dict:
        return {
            "provision": self.key,
            "kind": self.kind,
            "authority": self.authority,
            "text_changed": self.text_changed,
            "rules_changed": self.rules_changed,
            "before": _block_json(self.before),
            "after": _block_json(self.after),
        }


def _block_json(block: Block | None) -> dict | None:
    if block is None:
        return None
    return {"location": block.location, "text": block.text, "rules": list(block.rules)}


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _atom(atom) -> str:
    name = atom.predicate
    if INTERNAL in name:  # a generated defeater: exception[19 U.S.C. 1508(d)#1](P, M)
        kind, _, rule_id = name.partition(INTERNAL)
        name = f"{kind}[{rule_id.replace('·', '.')}]"
    return f"{name}({', '.join(str(a) for a in atom.args)})"


def _shown(rule) -> str:
    """A core rule as text, generated defeaters named by the rule that states them."""
    body = [f"not {_atom(lit.atom)}" if isinstance(lit, Negation) else _atom(lit) if isinstance(lit, Atom)
            else str(lit) for lit in rule.body]
    text = f"{_atom(rule.head)} :- {', '.join(body)}." if body else f"{_atom(rule.head)}."
    return f"[{rule.id}] {text}" if rule.labelled else text


def blocks(program: Program) -> dict[str, Block]:
    """Every provision and interpretation of a program, by citation or name, with its text and rules."""
    rules: dict[str, list[str]] = {}
    for rule in program.rules:
        text = _shown(rule)
        rules.setdefault(rule.authority.citation, []).append(text)
    found: dict[str, Block] = {}
    items = [(p.citation, p.authority.kind, p.position) for p in program.provisions]
    items += [(i.name, "interpretation", i.position) for i in program.interpretations]
    for key, authority, position in items:
        found[key] = Block(key, authority, _block_text(position), _location(position, program.root),
                           tuple(sorted(rules.get(key, ()))))
    return found


def _location(position: Position, root: Path | None) -> str:
    path = Path(position.path)
    if root is not None:
        try:
            path = path.resolve().relative_to(Path(root).resolve())
        except (ValueError, OSError):
            pass
    return f"{path.as_posix()}:{position.line}"


def _block_text(position: Position) -> str:
    """The text of a block from its start to its closing brace (strings and comments skipped)."""
    try:
        text = Path(position.path).read_text(encoding="utf-8")
    except OSError:
        return ""
    lines = text.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: position.line - 1]) + max(position.column, 1) - 1
    depth, index, in_string = 0, start, False
    while index < len(text):
        char = text[index]
        if in_string:
            if char == "\\":
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "%":
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
            continue
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start: index + 1]
        index += 1
    return text[start:]


def provision_changes(base: Program, head: Program) -> list[ProvisionChange]:
    """Provisions added, removed or edited, in the order of the head KB (removed ones last)."""
    old, new = blocks(base), blocks(head)
    changes = []
    for key, block in new.items():
        before = old.get(key)
        if before is None:
            changes.append(ProvisionChange(key, "added", block.authority, None, block))
        else:
            change = ProvisionChange(key, "edited", block.authority, before, block)
            if change.text_changed or change.rules_changed:
                changes.append(change)
    changes += [ProvisionChange(k, "removed", b.authority, b, None) for k, b in old.items() if k not in new]
    return changes


# ---- answers ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerChange:
    section: str
    query: str
    kind: str  # added | removed | changed
    bindings: tuple[tuple[str, object], ...]
    before: dict | None  # the answer in the base snapshot: bindings, citations, proof
    after: dict | None
    causes: tuple[str, ...]  # edited provisions in its proof (before or after); () for other causes

    @property
    def citations_changed(self) -> bool:
        return bool(self.before and self.after and self.before["citations"] != self.after["citations"])

    def to_json(self) -> dict:
        return {
            "section": self.section,
            "query": self.query,
            "kind": self.kind,
            "bindings": dict(self.bindings),
            "citations_before": self.before["citations"] if self.before else None,
            "citations_after": self.after["citations"] if self.after else None,
            "proof_before": self.before["proof"] if self.before else None,
            "proof_after": self.after["proof"] if self.after else None,
            "causes": list(self.causes),
        }


@dataclass(frozen=True)
class SectionChange:
    section: str
    kind: str  # added | removed | query-changed | error
    detail: str

    def to_json(self) -> dict:
        return {"section": self.section, "kind": self.kind, "detail": self.detail}


def _key(bindings: dict) -> tuple:
    return tuple((name, json.dumps(value, ensure_ascii=False)) for name, value in bindings.items())


def _order(key: tuple) -> tuple:
    """Answers in the order of their values (numbers by value), so an edited period's old and new
    answers sit side by side."""
    shown = []
    for _, value in key:
        value = json.loads(value)
        shown.append((0, value, "") if isinstance(value, int) and not isinstance(value, bool) else (1, 0, str(value)))
    return tuple(shown)


def answer_changes(base_snap: dict, head_snap: dict, edited: list[str]) -> tuple[list[AnswerChange], list[SectionChange]]:
    old = {s["id"]: s for s in base_snap["sections"]}
    new = {s["id"]: s for s in head_snap["sections"]}
    answers: list[AnswerChange] = []
    sections: list[SectionChange] = []
    order = list(new) + [s for s in old if s not in new]
    for section_id in order:
        before, after = old.get(section_id), new.get(section_id)
        if before is None or after is None:
            present = after or before
            count = len(present.get("answers") or [])
            kind = "added" if before is None else "removed"
            sections.append(SectionChange(section_id, kind, f"{present['query']} ({count} answer(s))"))
            continue
        if before["query"] != after["query"]:
            sections.append(SectionChange(section_id, "query-changed", f"{before['query']} -> {after['query']}"))
            continue
        errors = [(side, s["error"]) for side, s in (("base", before), ("head", after)) if "error" in s]
        if errors:
            if [e for _, e in errors] != [before.get("error"), after.get("error")] or len(errors) == 1:
                sections.append(SectionChange(section_id, "error",
                                              "; ".join(f"could not run on the {side} KB: {e}" for side, e in errors)))
            continue
        if "answers" not in before or "answers" not in after:
            continue  # the same question as another section (same_as)
        old_answers = {_key(a["bindings"]): a for a in before["answers"]}
        new_answers = {_key(a["bindings"]): a for a in after["answers"]}
        for key in sorted(set(new_answers) | set(old_answers), key=_order):
            a, b = old_answers.get(key), new_answers.get(key)
            if a is not None and b is not None and a["citations"] == b["citations"] and a["proof"] == b["proof"]:
                continue
            kind = "added" if a is None else "removed" if b is None else "changed"
            cited = set((a or {}).get("citations", ())) | set((b or {}).get("citations", ()))
            causes = tuple(c for c in edited if c in cited)
            bindings = tuple((b or a)["bindings"].items())
            answers.append(AnswerChange(section_id, after["query"], kind, bindings, a, b, causes))
    return answers, sections


# ---- the whole diff ---------------------------------------------------------------------------------


@dataclass
class SemanticDiff:
    base: str
    head: str
    provisions: list[ProvisionChange] = field(default_factory=list)
    answers: list[AnswerChange] = field(default_factory=list)
    sections: list[SectionChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.provisions or self.answers or self.sections)

    def groups(self) -> list[tuple[tuple[str, ...], list[AnswerChange]]]:
        """Answer changes grouped by the edited provisions that caused them (other causes last)."""
        order = [p.key for p in self.provisions]
        found: dict[tuple[str, ...], list[AnswerChange]] = {}
        for change in self.answers:
            found.setdefault(change.causes, []).append(change)
        keys = sorted(found, key=lambda k: (not k, [order.index(c) for c in k]))
        return [(k, found[k]) for k in keys]

    def counts(self) -> dict[str, int]:
        count = {f"provisions_{k}": sum(1 for p in self.provisions if p.kind == k) for k in ("added", "removed", "edited")}
        count.update({f"answers_{k}": sum(1 for a in self.answers if a.kind == k) for k in ("added", "removed", "changed")})
        return count

    def summary(self) -> str:
        c = self.counts()
        return (f"provisions: {c['provisions_added']} added, {c['provisions_removed']} removed, "
                f"{c['provisions_edited']} edited; answers: {c['answers_added']} added, "
                f"{c['answers_removed']} removed, {c['answers_changed']} changed")

    def to_json(self) -> str:
        payload = {
            "schema": SCHEMA,
            "base": self.base,
            "head": self.head,
            "changed": self.changed,
            "summary": self.counts(),
            "provisions": [p.to_json() for p in self.provisions],
            "answers": [
                {"caused_by": list(causes) or [OTHER], "changes": [a.to_json() for a in changes]}
                for causes, changes in self.groups()
            ],
            "sections": [s.to_json() for s in self.sections],
        }
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"

    def to_text(self) -> str:
        return _render(self, markdown=False)

    def to_markdown(self) -> str:
        return _render(self, markdown=True)


def compare(base_kb: KnowledgeBase, base_snap: dict, head_kb: KnowledgeBase, head_snap: dict,
            base_label: str, head_label: str) -> SemanticDiff:
    provisions = provision_changes(base_kb.program, head_kb.program)
    answers, sections = answer_changes(base_snap, head_snap, [p.key for p in provisions])
    return SemanticDiff(base_label, head_label, provisions, answers, sections)


def diff_kbs(base_kb: KnowledgeBase, head_kb: KnowledgeBase, cases=(), base_label: str = "base",
             head_label: str = "head") -> SemanticDiff:
    """Snapshot both KBs (the same scenario cases on each) and compare them."""
    from .snapshot import snapshot

    cases = list(cases)
    return compare(base_kb, snapshot(base_kb, cases), head_kb, snapshot(head_kb, cases), base_label, head_label)


# ---- rendering -------------------------------------------------------------------------------------------


def _answer_text(bindings) -> str:
    return ", ".join(f"{k}={v}" for k, v in bindings) or "yes (the query holds)"


def _section_title(section: str, query: str) -> str:
    if section.startswith("query:"):
        return f"{section[6:]}: {query}"
    if section.startswith("case:"):
        return f"case {section[5:]}: {query}"
    return f"{section}: {query}"


def _render(diff: SemanticDiff, markdown: bool) -> str:
    out: list[str] = []
    h1, h2 = ("## ", "### ") if markdown else ("", "")
    out.append(f"{'# ' if markdown else ''}citelog diff: {diff.head} against {diff.base}")
    out.append("")
    out.append(diff.summary() if diff.changed else "no change: the same provisions and the same answers")
    if not diff.changed:
        return "\n".join(out) + "\n"
    if diff.provisions:
        out += ["", f"{h1}Provisions"]
        for change in diff.provisions:
            block = change.after or change.before
            where = block.location if change.kind != "edited" else change.after.location
            note = ""
            if change.kind == "edited" and not change.text_changed:
                note = " — its text is unchanged: its rules changed through an exception stated in another provision"
            elif change.kind == "edited" and not change.rules_changed:
                note = " — its rules are unchanged (text, quotes or notes only)"
            title = f"{change.kind}: {change.key} ({change.authority}, {where}){note}"
            out += ["", f"{h2}{title}" if markdown else title]
            lines = change.text_diff()
            if markdown:
                out += ["", "```diff", *lines, "```"]
            else:
                out += [f"    {line}".rstrip() for line in lines]
    for causes, changes in diff.groups():
        what = "; ".join(causes) if causes else OTHER + " (no edited provision in their proofs)"
        out += ["", f"{h1}Answers changed by {what}" if causes else f"{h1}Answers changed by {what}"]
        current = None
        for change in changes:
            if change.section != current:
                current = change.section
                title = _section_title(change.section, change.query)
                out += ["", f"{h2}{title}" if markdown else f"  {title}"]
            out += _answer_lines(change, markdown)
    if diff.sections:
        out += ["", f"{h1}Questions"]
        for section in diff.sections:
            out.append(f"{'- ' if markdown else '  '}{section.section}: {section.kind}: {section.detail}")
    return "\n".join(out).rstrip() + "\n"


def _answer_lines(change: AnswerChange, markdown: bool) -> list[str]:
    mark = {"added": "+", "removed": "-", "changed": "~"}[change.kind]
    pad = "  " if markdown else "      "
    first = f"- `{mark}` {_answer_text(change.bindings)}" if markdown else f"    {mark} {_answer_text(change.bindings)}"
    lines = [first]
    if change.kind == "changed":
        if change.citations_changed:
            removed = [c for c in change.before["citations"] if c not in change.after["citations"]]
            added = [c for c in change.after["citations"] if c not in change.before["citations"]]
            parts = ([f"no longer cites {'; '.join(removed)}"] if removed else []) + (
                [f"now cites {'; '.join(added)}"] if added else [])
            lines.append(f"{pad}{', '.join(parts) or 'citations reordered'}")
        else:
            lines.append(f"{pad}same citations, another proof")
    else:
        answer = change.after or change.before
        lines.append(f"{pad}cites {'; '.join(answer['citations']) or 'nothing (given facts only)'}")
    return lines


# ---- the base version from git ---------------------------------------------------------------------------


BASE_PREFIX = "citelog-base-"  # the temporary folders of kb_at


def materialise(kb_path: Path, rev: str, into: Path) -> Path:
    """Write the KB folder as it is at git revision `rev` into a folder; return the KB's path there.

    The KB folder must be inside a git work tree; its path relative to the top of the work tree is
    read from the revision with `git archive`.
    """
    kb = Path(kb_path).resolve()
    folder = kb if kb.is_dir() else kb.parent
    where = Position("<base>", 1, 1)

    def git(*args: str, cwd: Path) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise DiffError(f"cannot run git: {error}", where, code="git") from None

    top = git("rev-parse", "--show-toplevel", cwd=folder)
    if top.returncode != 0:
        raise DiffError(f"{folder} is not in a git repository, so --base {rev} has no meaning "
                        "(use --base-kb PATH to compare with another KB folder)", Position(str(folder)), code="not-git")
    root = Path(top.stdout.decode().strip()).resolve()
    if rev.startswith("-") or git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", cwd=root).returncode != 0:
        raise DiffError(f"unknown git revision '{rev}' in {root}", where, code="bad-revision")
    prefix = kb.relative_to(root).as_posix()
    archive = git("archive", "--format=tar", rev, "--", prefix, cwd=root)
    if archive.returncode != 0:
        raise DiffError(f"{prefix} does not exist at revision '{rev}' of {root}", where, code="bad-revision")
    try:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(into, filter="data")
    except tarfile.TarError as error:  # a link out of the KB, a device: refused by the "data" filter
        raise DiffError(f"the KB at revision '{rev}' holds a file citelog does not unpack ({error}): only plain files "
                        "and links inside the KB are compared", where, code="bad-revision") from None
    return into / prefix


@contextmanager
def kb_at(kb_path: Path, rev: str) -> Iterator[Path]:
    """The KB as it was at a git revision, written into a temporary folder deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix=BASE_PREFIX) as folder:
        yield materialise(kb_path, rev, Path(folder))
