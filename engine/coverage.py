"""How much of each source text the KB's verified quotes cover, and what they leave out.

Every character of a source is either quoted by a provision, declared `noise` by the KB (text
that is not law: doubled lines, a source credit), or uncovered. White space is not counted.
Uncovered text is reported as spans with their line and column, so that a KB editor can see at
once which sentence of the law nobody has transcribed.
"""

from __future__ import annotations

from dataclasses import dataclass

from .program import Program
from .quotes import SourceText

QUOTED, NOISE = 1, 2


@dataclass(frozen=True)
class Span:
    kind: str  # "uncovered" or "noise"
    start: tuple[int, int]  # line, column (1-based) of the first character
    end: tuple[int, int]  # line, column of the last character
    text: str  # the span's text, white space folded
    note: str = ""  # for noise: why it is not law

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "start": {"line": self.start[0], "column": self.start[1]},
            "end": {"line": self.end[0], "column": self.end[1]},
            "text": self.text,
            "note": self.note,
        }


@dataclass(frozen=True)
class SourceCoverage:
    source: str
    file: str
    characters: int  # non-white-space characters in the source
    quoted: int
    noise: int
    spans: tuple[Span, ...]  # uncovered and noise spans, in order

    @property
    def share(self) -> float:
        """Share of the text covered by quotes, counting declared noise as accounted for."""
        return (self.quoted + self.noise) / self.characters if self.characters else 1.0

    @property
    def uncovered(self) -> list[Span]:
        return [s for s in self.spans if s.kind == "uncovered"]

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "file": self.file,
            "characters": self.characters,
            "quoted": self.quoted,
            "noise": self.noise,
            "quoted_share": round(self.quoted / self.characters, 4) if self.characters else 1.0,
            "accounted_share": round(self.share, 4),
            "spans": [s.to_json() for s in self.spans],
        }


def coverage(program: Program, sources: dict[str, SourceText]) -> list[SourceCoverage]:
    """Coverage of every declared source, in declaration order."""
    return [_cover(program, sources[decl.name]) for decl in program.sources if decl.name in sources]


def _cover(program: Program, source: SourceText) -> SourceCoverage:
    text = source.original
    marks = bytearray(len(text))
    notes: dict[int, str] = {}
    for provision in program.provisions:
        for quote in provision.quotes:
            if quote.source == source.name:
                for start, end in source.normalized.find(quote.text):
                    marks[start:end] = bytes([QUOTED]) * (end - start)
    for noise in program.noise:
        if noise.source == source.name:
            for start, end in source.normalized.find(noise.text):
                for i in range(start, end):
                    if marks[i] != QUOTED:
                        marks[i] = NOISE
                        notes[i] = noise.note
    counted = [i for i, char in enumerate(text) if not char.isspace()]
    spans = _spans(source, counted, marks, notes)
    return SourceCoverage(
        source=source.name,
        file=source.path.name,
        characters=len(counted),
        quoted=sum(1 for i in counted if marks[i] == QUOTED),
        noise=sum(1 for i in counted if marks[i] == NOISE),
        spans=tuple(spans),
    )


def _spans(source: SourceText, counted: list[int], marks: bytearray, notes: dict[int, str]) -> list[Span]:
    """Runs of non-quoted characters of one kind (and one note), joined across white space."""
    spans: list[Span] = []
    run: list[int] = []
    for index in counted:
        if marks[index] != QUOTED and run and _same_kind(run[-1], index, marks, notes):
            run.append(index)
            continue
        if run:
            spans.append(_span(source, run, marks, notes))
        run = [index] if marks[index] != QUOTED else []
    if run:
        spans.append(_span(source, run, marks, notes))
    return spans


def _span(source: SourceText, run: list[int], marks: bytearray, notes: dict[int, str]) -> Span:
    first, last = run[0], run[-1]
    return Span(
        "noise" if marks[first] == NOISE else "uncovered",
        source.line_column(first),
        source.line_column(last),
        " ".join(source.original[first : last + 1].split()),
        notes.get(first, ""),
    )


def _same_kind(previous: int, index: int, marks: bytearray, notes: dict[int, str]) -> bool:
    return marks[previous] == marks[index] and notes.get(previous) == notes.get(index)
