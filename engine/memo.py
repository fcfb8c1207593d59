"""What an exported explanation says about itself: the facts it rests on, when and from what it was made.

A memo handed to someone else must stand alone: it carries its factual basis (the scenario's
title, parties and facts, each fact as given and as a sentence), when it was made, the revision
of the KB it was made from, and citelog's version. The KB's revision is a content hash of its
rule files and source texts, plus the git commit where the KB is in a git work tree (and whether
its files differ from that commit, since the hash then describes what the commit does not).

The time is now, in UTC, unless SOURCE_DATE_EPOCH is set (the reproducible-builds convention):
then the same question makes the same bytes twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import datetime
import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .knowledge_base import KnowledgeBase
from .pipeline import rule_files
from .program import Program
from .reading import Reader
from .values import Value

if TYPE_CHECKING:  # read only for a scenario given: YAML is not loaded for the law alone
    from .scenario import Scenario


@dataclass(frozen=True)
class Revision:
    content: str  # "sha256:" and the first 16 hex digits of the hash of the KB's files
    commit: str | None = None  # the git commit (12 hex digits), when the KB is in a git work tree
    modified: bool = False  # whether the KB's files differ from that commit

    def __str__(self) -> str:
        if self.commit is None:
            return self.content
        return f"{self.content} (git {self.commit}{', with changes not committed' if self.modified else ''})"

    def to_json(self) -> dict:
        return {"content": self.content, "git_commit": self.commit, "git_modified": self.modified}


@dataclass(frozen=True)
class Fact:
    predicate: str
    values: tuple[Value, ...]
    sentence: str


@dataclass(frozen=True)
class Memo:
    made: str  # ISO 8601, UTC
    revision: Revision
    version: str  # citelog's
    scenario: str | None = None  # the scenario's title (None: the law alone, no facts given)
    source: str | None = None  # the scenario's file, as the reader named it
    parties: tuple[tuple[str, str], ...] = ()  # (id, name)
    facts: tuple[Fact, ...] = ()


def revision(program: Program) -> Revision:
    """The revision of the KB a program was built from (its folder's rule files and source texts)."""
    root = program.root
    if root is None:
        return Revision("sha256:" + hashlib.sha256(b"").hexdigest()[:16])
    files = sorted({*rule_files(root), *(root / s.path for s in program.sources)})
    digest = hashlib.sha256()
    for path in files:
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")
    commit = _git(root, "rev-parse", "--short=12", "HEAD")
    modified = commit is not None and bool(_git(root, "status", "--porcelain", "--", "."))
    return Revision("sha256:" + digest.hexdigest()[:16], commit, modified)


def _git(root: Path, *args: str) -> str | None:
    """git's answer in the KB folder, or None where there is no git or no work tree."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=30,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode("utf-8", "replace").strip() if done.returncode == 0 else None


def in_git_work_tree(root: Path) -> bool:
    """Whether a KB folder is inside a git work tree (so that it has versions to compare)."""
    return _git(root, "rev-parse", "--is-inside-work-tree") == "true"


def now() -> str:
    """The time a memo is made: SOURCE_DATE_EPOCH if set (seconds since 1970, UTC), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = (datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc) if epoch.isdigit()
              else datetime.datetime.now(datetime.timezone.utc))
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def version() -> str:
    try:
        from importlib import metadata  # slow to import: only when a memo is made

        return metadata.version("citelog")
    except ImportError:
        return "unknown"


def memo(kb: KnowledgeBase, scenario: Scenario | None = None, of: Revision | None = None) -> Memo:
    """The memo of an explanation made now over the KB, with the scenario's facts (given to the KB)."""
    made, kb_revision = now(), of or revision(kb.program)
    if scenario is None:
        return Memo(made, kb_revision, version())
    parties = tuple((p.id, p.name) for p in scenario.parties.values())
    return Memo(made, kb_revision, version(), scenario.title or scenario.path, scenario.path, parties,
                facts_of(scenario, Reader(kb.program)))


def facts_of(scenario: Scenario, reader: Reader) -> tuple[Fact, ...]:
    """A scenario's facts, in the order of its file, each as given and as a sentence."""
    return tuple(Fact(predicate, tuple(row), reader.sentence(predicate, tuple(row)))
                 for predicate, rows in scenario.facts.items() for row in rows)
