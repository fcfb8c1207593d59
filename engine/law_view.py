"""The Law page's model: each source as it reads, cut into spans by the provisions that quote it.

A reader checks a transcription against the text, so the page shows the bundled text unchanged and
marks every span a provision quotes (found with the same matching as the quote check, so the marks
are exactly what the checker verified). Spans where quotes overlap are cut at every quote's start
and end; each piece knows all the provisions that cover it. Each provision and interpretation gets
an anchor, and each citation a link to the text it quotes, so that an explanation can send its
reader to the words a step rests on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from .coverage import coverage
from .knowledge_base import KnowledgeBase
from .semantic_diff import blocks

RANK = {"statute": 0, "regulation": 1, "interpretation": 2}


@dataclass(frozen=True)
class Entry:
    """A provision or an interpretation, as the Law page lists it."""

    key: str  # the citation, or the interpretation's name
    anchor: str  # its id on the Law page
    authority: str  # statute | regulation | interpretation
    reconstructed: str | None  # why it has no quote, for a provision missing from the bundled text
    notes: tuple[str, ...]
    spans: tuple[str, ...]  # ids of the spans its quotes cover, in text order
    text: str  # the block as the KB editor wrote it
    location: str  # rule file and line
    rules: tuple[str, ...]  # its core Datalog rules


@dataclass(frozen=True)
class Piece:
    """A run of source text covered by the same provisions (none: plain text)."""

    text: str
    anchor: str | None = None  # id of a quoted piece
    entries: tuple[int, ...] = ()  # indexes into Law.entries
    noise: str | None = None  # why declared noise is not law

    @property
    def panel(self) -> str:
        """The id of the panel that lists the provisions covering this piece."""
        return panel_id(self.entries)


@dataclass(frozen=True)
class Source:
    name: str
    file: str
    authority: str  # statute or regulation: what the provisions quoting it are
    pieces: tuple[Piece, ...]
    quoted: float  # share of its (non-space) characters that quotes cover
    noise: float


@dataclass(frozen=True)
class Law:
    sources: tuple[Source, ...]
    entries: tuple[Entry, ...]

    def link(self, citation: str | None) -> str | None:
        """Where a citation's text is: its first quoted span, else its entry in the list."""
        entry = self._by_key.get(citation or "")
        if entry is None:
            return None
        return f"/law#{entry.spans[0] if entry.spans else entry.anchor}"

    def entry(self, key: str) -> Entry | None:
        """The provision or interpretation of a citation (or name)."""
        return self._by_key.get(key)

    def authority(self, citation: str) -> str:
        """statute, regulation or interpretation ("" for a citation the KB does not have)."""
        entry = self._by_key.get(citation)
        return entry.authority if entry else ""

    @cached_property
    def _by_key(self) -> dict[str, Entry]:
        return {entry.key: entry for entry in self.entries}

    def groups(self) -> list[tuple[str, tuple[int, ...]]]:
        """Each distinct set of provisions covering a piece, with the id of its panel."""
        found: dict[tuple[int, ...], None] = {}
        for source in self.sources:
            for piece in source.pieces:
                if piece.entries:
                    found.setdefault(piece.entries)
        return [(panel_id(entries), entries) for entries in found]


def panel_id(entries: tuple[int, ...]) -> str:
    return "c-" + "-".join(str(i) for i in entries)


def build(kb: KnowledgeBase) -> Law:
    """The Law page of a loaded KB (read once: the KB does not change while it is served)."""
    program = kb.program
    written = blocks(program)
    items = [(p.citation, p.authority.kind, p.reconstructed, tuple(p.notes), p.quotes) for p in program.provisions]
    items += [(i.name, "interpretation", None, (i.note,), ()) for i in program.interpretations]
    marks: dict[str, list[tuple[int, int, int]]] = {}  # source -> (start, end, item index)
    for index, (_, _, _, _, quotes) in enumerate(items):
        for quote in quotes:
            source = kb.sources.get(quote.source)
            for start, end in source.normalized.find(quote.text) if source else ():
                marks.setdefault(quote.source, []).append((start, end, index))
    declared = [decl.name for decl in program.sources]
    order = sorted(range(len(items)), key=lambda i: (RANK[items[i][1]], _first(marks, declared, i), i))
    renumber = {old: new for new, old in enumerate(order)}
    shares = {c.source: c for c in coverage(program, kb.sources)}
    sources = []
    for decl in program.sources:
        if decl.name not in kb.sources:
            continue
        text = kb.sources[decl.name].original
        spans = [(s, e, renumber[i]) for s, e, i in marks.get(decl.name, ())]
        noise = [(s, e, n.note) for n in program.noise if n.source == decl.name
                 for s, e in kb.sources[decl.name].normalized.find(n.text)]
        share = shares.get(decl.name)
        total = share.characters if share and share.characters else 1
        kinds = [items[order[i]][1] for _, _, i in sorted(spans)]
        sources.append(Source(decl.name, kb.sources[decl.name].path.name, kinds[0] if kinds else "",
                              _pieces(decl.name, text, spans, noise),
                              share.quoted / total if share else 0.0, share.noise / total if share else 0.0))
    anchors = _anchors([items[i][0] for i in order])
    entries = []
    for new, old in enumerate(order):
        key, authority, reconstructed, notes, _ = items[old]
        block = written.get(key)
        covered = tuple(p.anchor for s in sources for p in s.pieces if new in p.entries)
        entries.append(Entry(key, anchors[new], authority, _fold(reconstructed), tuple(_fold(n) for n in notes),
                             covered, block.text if block else "", block.location if block else "",
                             block.rules if block else ()))
    return Law(tuple(sources), tuple(entries))


def _first(marks: dict, declared: list[str], index: int) -> tuple:
    """Where an item's first quote starts (sources in declaration order), for listing in text order;
    items without a quote (reconstructed provisions) come after the quoted ones."""
    starts = [(n, s) for n, name in enumerate(declared) for s, _, i in marks.get(name, ()) if i == index]
    return min(starts) if starts else (len(declared), 0)


def _pieces(source: str, text: str, spans: list, noise: list) -> tuple[Piece, ...]:
    cuts = sorted({0, len(text)} | {s for s, _, _ in spans} | {e for _, e, _ in spans}
                  | {s for s, _, _ in noise} | {e for _, e, _ in noise})
    pieces: list[Piece] = []
    for start, end in zip(cuts, cuts[1:]):
        covering = tuple(sorted({i for s, e, i in spans if s <= start and end <= e}))
        note = next((n for s, e, n in noise if s <= start and end <= e), None) if not covering else None
        piece = Piece(text[start:end], f"q-{source}-{start}" if covering else None, covering, note)
        if pieces and not covering and not pieces[-1].entries and pieces[-1].noise == note:
            piece = Piece(pieces.pop().text + piece.text, None, (), note)
        pieces.append(piece)
    return tuple(pieces)


def _anchors(keys: list[str]) -> list[str]:
    """A readable, unique id per citation: '19 CFR 163.12(b)(1)' -> 'p-19-cfr-163-12-b-1'."""
    seen: set[str] = set()
    anchors = []
    for key in keys:
        anchor = "p-" + (re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") or "x")
        while anchor in seen:
            anchor += "-"
        seen.add(anchor)
        anchors.append(anchor)
    return anchors


def _fold(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None
