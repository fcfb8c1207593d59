"""What every request of the web app shares: one loaded KB, its Law page, its bundled scenarios and
the scenarios uploaded to it.

The KB is loaded once and never written: a scenario's facts are given for one request and
withdrawn before the next one runs. pyDatalog holds one model per KB, so requests that give facts
take turns (`given`); a request that cannot have the KB within the time limit gets a clear error
rather than waiting for ever. Results that cannot change while the KB is served (the regression
cases, the KB's revision, the answers each provision rests under) are computed once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from .. import load
from ..errors import CitelogError, Position, QueryError
from ..hints import parse_question
from ..knowledge_base import KnowledgeBase
from ..limits import Limits
from ..memo import Fact, facts_of, in_git_work_tree, revision
from ..reading import Reader
from ..scenario import Scenario, parse_scenario
from ..syntax import Atom
from . import law
from .forms import Choice
from .uploads import StoreFull, Uploads

SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")
T = TypeVar("T")


class Busy(CitelogError):
    """Another request held the KB for the whole time limit."""

    code = "busy"


def status(error: CitelogError) -> int:
    """The HTTP status of a request that failed with this error: the server's fault or the request's."""
    return 503 if isinstance(error, (Busy, StoreFull)) else 400


class Library:
    def __init__(self, root: Path, time_limit: float):
        # each evaluation stops at the request's time limit too, so an abandoned one frees the KB
        self.kb: KnowledgeBase = load(root, Limits.from_environment().within(time_limit))
        self.root = root if root.is_dir() else root.parent
        self.time_limit = time_limit
        self.law = law.build(self.kb)
        folder = self.root / "scenarios"
        found = sorted(p for p in folder.iterdir() if p.suffix in SCENARIO_SUFFIXES) if folder.is_dir() else []
        self.scenarios: dict[str, Path] = {p.name: p for p in found}  # the only files a request may name
        self.uploads = Uploads()
        self.reader = Reader(self.kb.program)
        self.revision = revision(self.kb.program)
        self.in_git = in_git_work_tree(self.root)  # whether the diff against a git revision can work
        self._lock = threading.Lock()
        self._memo: dict[str, object] = {}

    # ---- questions ---------------------------------------------------------------------------------

    def question(self, name: str | None, query: str | None) -> Atom:
        """A catalogue query by NAME, or a query atom typed by the user (parsed, never executed)."""
        if name:
            return self.kb.program.catalogue_query(name).atom
        if not query or not query.strip():
            raise QueryError("type a query atom, such as duty(Class, Action, Records)", Position("<query>", 1, 1),
                             code="bad-query")
        return parse_question(query.strip())

    def meaning(self, atom: Atom) -> str | None:
        """What a catalogue query means, when the atom is one."""
        return next((q.meaning for q in self.kb.program.queries if str(q.atom) == str(atom)), None)

    # ---- scenarios ---------------------------------------------------------------------------------

    def scenario(self, choice: Choice) -> Scenario | None:
        """A bundled scenario picked by file name, or an uploaded one by its key (parsed in memory)."""
        if choice.upload:
            kept = self.uploads.get(choice.upload)
            if kept is None:
                raise QueryError(f"no uploaded scenario has the key '{choice.upload}': the server keeps uploads "
                                 "until it restarts; upload the file again", Position("<scenario>"),
                                 code="unknown-scenario")
            label, text = kept
            return parse_scenario(text, self.kb.program, label)
        name = choice.name
        if not name:
            return None
        path = self.scenarios.get(name)
        if path is None:
            known = ", ".join(self.scenarios) or "none"
            raise QueryError(f"no bundled scenario named '{name}' (the bundled ones: {known})",
                             Position("<scenario>"), code="unknown-scenario")
        return parse_scenario(path.read_text(encoding="utf-8"), self.kb.program, f"scenarios/{name}")

    def facts(self, scenario: Scenario) -> tuple[Fact, ...]:
        """A scenario's facts as sentences, for the page that asks under it."""
        return facts_of(scenario, self.reader)

    @contextmanager
    def given(self, scenario: Scenario | None) -> Iterator[KnowledgeBase]:
        """The KB, alone, with the scenario's facts given until the block ends."""
        if not self._lock.acquire(timeout=self.time_limit):
            raise Busy(f"the knowledge base was busy with another question for {self.time_limit:g} s; "
                       "try again", Position("<server>"))
        try:
            with self.kb.scenario(scenario.facts if scenario else {}):
                yield self.kb
        finally:
            self._lock.release()

    def once(self, key: str, compute: Callable[[KnowledgeBase], T]) -> T:
        """A result of the KB as loaded (no scenario), computed at the first request that needs it."""
        if key not in self._memo:
            with self.given(None) as kb:
                if key not in self._memo:
                    self._memo[key] = compute(kb)
        return self._memo[key]  # type: ignore[return-value]
