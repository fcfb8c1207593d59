"""What every request of the web app shares: one loaded KB, its Law page, its bundled scenarios and
the scenarios uploaded to it.

The KB is loaded once and never written: a scenario's facts are given for one request and
withdrawn before the next one runs. pyDatalog holds one model per KB, so requests that give facts
take turns (`given`); a request that cannot have the KB within its time gets a clear error rather
than waiting for ever, and every evaluation it starts stops at its deadline (`until`). A scenario
larger than the web app evaluates is refused before its evaluation starts. Results that cannot
change while the KB is served (the regression cases, the KB's revision, the answers each provision
rests under) are computed once. Messages name files relative to the KB: a page shows no path of
the server's (`shown`).
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

from .. import load
from ..core import Atom
from ..errors import CitelogError, Position, QueryError
from ..hints import parse_question
from ..knowledge_base import KnowledgeBase
from ..limits import Limits
from ..memo import Fact, facts_of, in_git_work_tree, revision
from ..reading import Reader
from ..scenario import Scenario, parse_scenario
from ..semantic_diff import BASE_PREFIX
from ..textfile import read_text
from .. import law_view
from .forms import Choice
from .uploads import StoreFull, Uploads

SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")
MAX_FACTS = 20_000  # facts of a scenario the web app evaluates (a bundled one has a dozen; 10,000 answer in seconds)
MAX_PARTIES = 2_000  # parties it declares
T = TypeVar("T")

_deadline: ContextVar[float] = ContextVar("citelog_deadline", default=math.inf)


@contextmanager
def until(deadline: float) -> Iterator[None]:
    """Work done in this block (one request's) stops at `deadline` (time.monotonic())."""
    token = _deadline.set(deadline)
    try:
        yield
    finally:
        _deadline.reset(token)


class Busy(CitelogError):
    """Another request held the KB for the whole time limit."""

    code = "busy"


def status(error: CitelogError) -> int:
    """The HTTP status of a request that failed with this error: the server's fault or the request's."""
    return 503 if isinstance(error, (Busy, StoreFull)) else 400


class Library:
    def __init__(self, root: Path, time_limit: float):
        # each evaluation stops at the request's time limit too, so an abandoned one frees the KB
        self.limits = Limits.from_environment().within(time_limit)
        self.kb: KnowledgeBase = load(root, self.limits)
        self.root = root if root.is_dir() else root.parent
        self.time_limit = time_limit
        self._places = _places(self.root.resolve())
        self.law = law_view.build(self.kb)
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
            return _bounded(parse_scenario(text, self.kb.program, label))
        name = choice.name
        if not name:
            return None
        path = self.scenarios.get(name)
        if path is None:
            known = ", ".join(self.scenarios) or "none"
            raise QueryError(f"no bundled scenario named '{name}' (the bundled ones: {known})",
                             Position("<scenario>"), code="unknown-scenario")
        shown = f"scenarios/{name}"
        text = read_text(path, shown, unreadable="bad-scenario", encoding="bad-scenario")
        return _bounded(parse_scenario(text, self.kb.program, shown))

    def request_limits(self) -> Limits:
        """The limits of an evaluation started now: the served KB's, cut to the time the request has left."""
        return self.limits.within(max(min(_deadline.get() - time.monotonic(), self.time_limit), 0.01))

    def facts(self, scenario: Scenario) -> tuple[Fact, ...]:
        """A scenario's facts as sentences, for the page that asks under it."""
        return facts_of(scenario, self.reader)

    @contextmanager
    def given(self, scenario: Scenario | None) -> Iterator[KnowledgeBase]:
        """The KB, alone, with the scenario's facts given until the block ends, its evaluations
        stopping at the request's deadline."""
        if not self._lock.acquire(timeout=self.request_limits().seconds):
            raise Busy(f"the knowledge base was busy with another question for the whole time of this request "
                       f"(at most {self.time_limit:g} s); try again", Position("<server>"))
        try:
            self.kb.limits = self.request_limits()
            with self.kb.scenario(scenario.facts if scenario else {}):
                yield self.kb
        finally:
            self.kb.limits = self.limits
            self._lock.release()

    def shown(self, error: CitelogError) -> list[str]:
        """An error's diagnostics as a page shows them: paths relative to the KB, none of the server's."""
        texts = []
        for diagnostic in error.diagnostics:
            text = _BASE.sub("", str(diagnostic))  # the KB at a git revision, unpacked in a temporary folder
            for place, name in self._places:
                text = place.sub(name, text)
            texts.append(text)
        return texts

    def once(self, key: str, compute: Callable[[KnowledgeBase], T]) -> T:
        """A result of the KB as loaded (no scenario), computed at the first request that needs it."""
        if key not in self._memo:
            with self.given(None) as kb:
                if key not in self._memo:
                    self._memo[key] = compute(kb)
        return self._memo[key]  # type: ignore[return-value]


def _bounded(scenario: Scenario) -> Scenario:
    """The scenario, if it is small enough for the web app to evaluate within a request."""
    if scenario.size > MAX_FACTS or len(scenario.parties) > MAX_PARTIES:
        raise QueryError(f"the scenario gives {scenario.size:,} facts and declares {len(scenario.parties):,} parties; "
                         f"the web app evaluates scenarios of at most {MAX_FACTS:,} facts and {MAX_PARTIES:,} "
                         "parties: run `citelog retention --scenario FILE` for a larger one",
                         Position(scenario.path), code="limit-exceeded")
    return scenario


_BASE = re.compile(rf"[^\s'\"]*/{re.escape(BASE_PREFIX)}[^/\s'\"]*/")


def _places(root: Path) -> list[tuple[re.Pattern, str]]:
    """The KB folder and the folders above it, each with the name a page gives it (nearest first)."""
    end = r"(?=[/\s:'\",;)]|$)"
    places = [(re.compile(re.escape(f"{root}/")), ""), (re.compile(re.escape(str(root)) + end), "the KB folder")]
    for number, folder in enumerate(root.parents, start=1):
        if folder != folder.parent:  # not the file system's root
            places.append((re.compile(re.escape(str(folder)) + end), "/".join([".."] * number)))
    return places
