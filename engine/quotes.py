"""Verify quotes against the source texts, as a lawyer reads them.

The bundled texts are extractions: words are split by line-end hyphens ("Com-\\npliance"),
lines wrap anywhere and page breaks leave blank lines. A quote matches when it occurs in the
source after both are normalised the same way: words split by a line-end hyphen are joined and
every run of white space becomes one space. The normalised text keeps, for each character, its
offset in the original, so a match can be mapped back to the span of the source it covers.
"""

from __future__ import annotations

import re
from array import array
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .textfile import read_text

MAX_SOURCE_BYTES = 20_000_000  # a source is not parsed, only searched: ten times a rule file

_SPLIT_WORD = re.compile(r"(?<=\w)-[ \t]*\r?\n\s*(?=\w)")
_SPACE = re.compile(r"\s+")
_FOLD = re.compile(rf"(?P<split>{_SPLIT_WORD.pattern})|(?P<space>\s+)")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, eq=False)
class NormalizedText:
    """A text with hyphenated line breaks joined and white space folded."""

    text: str
    offsets: array  # offsets[i] = index in the original of text[i]

    @classmethod
    def of(cls, original: str) -> "NormalizedText":
        chunks: list[str] = []
        offsets = array("q")
        copied = 0  # the original is copied up to here
        for match in _FOLD.finditer(original):
            chunks.append(original[copied:match.start()])
            offsets.extend(range(copied, match.start()))
            if match.lastgroup == "space" and offsets and match.end() < len(original):
                chunks.append(" ")
                offsets.append(match.start())
            copied = match.end()
        chunks.append(original[copied:])
        offsets.extend(range(copied, len(original)))
        return cls("".join(chunks), offsets)

    @cached_property
    def _words(self) -> dict[str, list[int]]:
        """Where each word of the text starts."""
        index: dict[str, list[int]] = defaultdict(list)
        for match in _WORD.finditer(self.text):
            index[match.group()].append(match.start())
        return index

    def find(self, quote: str) -> list[tuple[int, int]]:
        """Every span of the original text that the (normalised) quote matches."""
        needle = normalize(quote)
        if not needle:
            return []
        return [(self.offsets[start], self.offsets[start + len(needle) - 1] + 1) for start in self._starts(needle)]

    def _starts(self, needle: str) -> list[int]:
        """Where the needle occurs: located through its rarest inner word, which a match must
        contain whole (the needle's first and last words may be parts of the text's words)."""
        inner = list(_WORD.finditer(needle))[1:-1]
        if not inner:
            starts, start = [], self.text.find(needle)
            while start >= 0:
                starts.append(start)
                start = self.text.find(needle, start + 1)
            return starts
        word = min(inner, key=lambda m: len(self._words.get(m.group(), ())))
        candidates = (at - word.start() for at in self._words.get(word.group(), ()))
        return [start for start in candidates if start >= 0 and self.text.startswith(needle, start)]


def normalize(text: str) -> str:
    """The comparison form of a text: split words joined, white space folded."""
    return _SPACE.sub(" ", _SPLIT_WORD.sub("", text)).strip()


@dataclass
class SourceText:
    """A source file of the KB, read once."""

    name: str
    path: Path

    @cached_property
    def original(self) -> str:
        """The text as the file holds it (read as rule files are: a regular file, UTF-8, line ends as LF)."""
        return read_text(self.path, str(self.path), max_bytes=MAX_SOURCE_BYTES)

    @cached_property
    def normalized(self) -> NormalizedText:
        return NormalizedText.of(self.original)

    def line_column(self, offset: int) -> tuple[int, int]:
        """1-based line and column of an offset in the original text."""
        line = self.original.count("\n", 0, offset) + 1
        return line, offset - (self.original.rfind("\n", 0, offset) + 1) + 1
