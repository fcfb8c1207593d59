"""The Law page's reading view: each source as an outline of its labelled provisions.

The source view shows the bundled text as it is, for checking quotes; this one is for reading. Its
structure comes from the KB's provisions: a citation's labels (`19 U.S.C. 1508(c)(3)` is (c), then
(3), of section 1508) place it in the outline, with a heading for a label that no provision of
its own transcribes (`(b)(2)`); siblings come in the order their text has in the source. Each
provision's paragraphs are the source spans its quotes match, reflowed (line-end hyphens joined,
white space folded; a heading run into its text, as in "In generalAny", is set apart), and beside
them are the English sentences of its rules (`citelog.reading`), its rules as written behind a
toggle, and links to the answers that rest on it (the headline and the catalogue, no scenario).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..core import Var
from ..knowledge_base import KnowledgeBase
from ..parser import parse_atom
from ..proofs import Prover
from ..quotes import normalize
from ..reading import Reader
from ..report import headline
from ..retention import HEADLINE
from .forms import address
from ..law_view import Entry, Law
from .library import Library

CITATION = re.compile(r"^(?P<base>.+?\d[\w.\-]*)(?P<labels>(?:\([0-9A-Za-z]+\))*)$")
_RUN_IN = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")  # "In generalAny person": a heading run into its text
_LAST = 10 ** 12  # the place of a part with no text in the source: after its siblings


@dataclass
class Part:
    """A labelled part of a source: a provision, or a heading for a label no provision transcribes."""

    citation: str
    label: str  # its own label, "(3)", or the section for the top of the outline
    anchor: str
    place: int = _LAST  # where its text (or its first part's) starts in the source
    entry: Entry | None = None
    paragraphs: tuple[str, ...] = ()
    sentences: tuple[str, ...] = ()
    answers: tuple[tuple[str, tuple[tuple[int, str], ...]], ...] = ()  # (question, ((number, address), ...))
    parts: list["Part"] = field(default_factory=list)

    @property
    def gist(self) -> str:
        """Its first words (or its first part's), for the contents list."""
        if self.paragraphs:
            return self.paragraphs[0]
        return next((part.gist for part in self.parts if part.gist), "")


@dataclass(frozen=True)
class Book:
    """One source, read: its sections as outlines."""

    name: str
    file: str
    authority: str
    sections: tuple[Part, ...]


@dataclass(frozen=True)
class Outline:
    books: tuple[Book, ...]
    interpretations: tuple[Part, ...]  # the analyst's readings, which quote no text


def of(library: Library) -> Outline:
    return library.once("outline", lambda kb: build(kb, library.law))


def build(kb: KnowledgeBase, law: Law) -> Outline:
    program, reader = kb.program, Reader(kb.program)
    cited = _answers(kb)
    sentences: dict[str, list[str]] = {}
    for rule in program.rules:
        found = sentences.setdefault(rule.authority.citation, [])
        text = reader.rule(rule)
        if text not in found:
            found.append(text)

    def part(citation: str, label: str) -> Part:
        entry = law.entry(citation)
        return Part(citation, label, "r-" + (entry.anchor[2:] if entry else _slug(citation)), entry=entry,
                    sentences=tuple(sentences.get(citation, ())), answers=cited.get(citation, ()))

    books = []
    for decl in program.sources:
        source = kb.sources.get(decl.name)
        if source is None:
            continue
        parts: dict[str, Part] = {}
        roots: list[Part] = []
        cursor = 0  # where the last quote placed was found: a text the source repeats is the next copy
        # reconstructed provisions (no quotes) last: they join a section that quoted ones have placed
        for provision in sorted(program.provisions, key=lambda p: not p.quotes):
            places = []
            for quote in provision.quotes:
                found = source.normalized.find(quote.text) if quote.source == decl.name else []
                if found:
                    places.append(next((span for span in found if span[0] >= cursor), found[0]))
                    cursor = places[-1][0]
            if not places and (provision.quotes or not _same_section(provision.citation, parts)):
                continue
            node = _place(provision.citation, parts, roots, part)
            node.paragraphs = tuple(p for start, end in places for p in _paragraphs(source.original[start:end]))
            node.place = min([start for start, _ in places] + [node.place])
        for root in roots:
            _order(root)
        roots.sort(key=lambda p: p.place)
        authority = next((p.entry.authority for p in parts.values() if p.entry), "")
        books.append(Book(decl.name, source.path.name, authority, tuple(roots)))
    interpretations = tuple(part(i.name, i.name) for i in program.interpretations)
    return Outline(tuple(books), interpretations)


def _same_section(citation: str, parts: dict) -> bool:
    """Whether a provision without quotes (reconstructed) belongs to a section this source has."""
    match = CITATION.match(citation)
    return bool(match) and match.group("base") in parts


def _place(citation: str, parts: dict[str, Part], roots: list[Part], make) -> Part:
    """The part of a citation in the outline, with a part for each label above it."""
    match = CITATION.match(citation)
    if match is None:
        key, chain = citation, [citation]
    else:
        labels = re.findall(r"\([0-9A-Za-z]+\)", match.group("labels"))
        key = match.group("base")
        chain = [key] + [key + "".join(labels[:n]) for n in range(1, len(labels) + 1)]
    parent = None
    for depth, step in enumerate(chain):
        node = parts.get(step)
        if node is None:
            label = step if depth == 0 else step[len(chain[depth - 1]):]
            node = parts[step] = make(step, label)
            (parent.parts if parent else roots).append(node)
        parent = node
    return parent


def _order(part: Part) -> int:
    """Order each part's parts by where their text starts; a part starts where its first text does."""
    for child in part.parts:
        part.place = min(part.place, _order(child))
    part.parts.sort(key=lambda p: p.place)
    return part.place


def _paragraphs(span: str) -> list[str]:
    """A quoted span reflowed; a heading run into its text ('In generalAny') makes a new paragraph."""
    return [p for p in _RUN_IN.split(normalize(span)) if p.strip()]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _answers(kb: KnowledgeBase) -> dict[str, tuple]:
    """For each citation, the answers (the headline's rows, the catalogue's answers) that rest on it."""
    found: dict[str, dict[str, list[tuple[int, str]]]] = {}

    def note(question: str, number: int, where: str, citations) -> None:
        for citation in citations:
            found.setdefault(citation, {}).setdefault(question, []).append((number, where))

    for row in headline(kb).rows:
        note("Who must keep what, for how long?", row.number,
             address("/explain", {"headline": "1"}, answer=str(row.number)), row.citations)
    prover = Prover(kb)
    asked = parse_atom(HEADLINE)
    for named in kb.program.queries:
        if named.atom.predicate == asked.predicate and all(isinstance(a, Var) for a in named.atom.args):
            continue  # the headline again
        for number, one in enumerate(prover.cited(named.atom), start=1):
            note(named.meaning, number, address("/explain", {"name": named.name}, answer=str(number)), one.citations)
    return {citation: tuple((q, tuple(links)) for q, links in by_question.items())
            for citation, by_question in found.items()}
