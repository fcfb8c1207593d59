"""Verify quotes against the source texts, as a lawyer reads them.

The bundled texts are extractions: words are split by line-end hyphens ("Com-\\npliance"),
lines wrap anywhere and page breaks leave blank lines. A quote matches when it occurs in the
source after both are normalised the same way: words split by a line-end hyphen are joined and
every run of white space becomes one space. The normalised text keeps where each of its stretches
copied one to one from the original starts in both (a few per page: only joined words and runs of
white space shorten the text), so a match can be mapped back to the span of the source it covers.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from itertools import islice
from pathlib import Path

from .textfile import read_text

RARE_WORD_CANDIDATES = 12  # how many inner words of a quote are looked up for the rarest
MAX_SOURCE_BYTES = 20_000_000  # a source is not parsed, only searched: ten times a rule file

_SPLIT_WORD = re.compile(r"-(?<=\w-)[ \t]*\r?\n\s*(?=\w)")  # "-" first: found by a fast scan
_SPACE = re.compile(r"\s+")
_SHORTENING = re.compile(rf"(?P<split>{_SPLIT_WORD.pattern})|\s{{2,}}")  # a lone white space stays one
_OTHER_SPACE = re.compile(r"[^\S ]")  # white space that is not a plain space
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, eq=False)
class NormalizedText:
    """A text with hyphenated line breaks joined and white space folded."""

    text: str
    starts: array  # where each stretch copied one to one starts in the text...
    origins: array  # ...and in the original

    @classmethod
    def of(cls, original: str) -> "NormalizedText":
        copied = len(original) - len(original.lstrip())  # the original is copied up to here
        end = max(copied, len(original.rstrip()))  # (str.strip and re's \s agree on white space)
        chunks: list[str] = []
        starts, origins = array("q", [0]), array("q", [copied])
        length = 0
        for match in _SHORTENING.finditer(original, copied, end):
            chunks.append(original[copied:match.start()])
            length += match.start() - copied
            if match.lastgroup != "split":
                chunks.append(" ")  # it stands where the run of white space starts
                length += 1
            copied = match.end()
            starts.append(length)
            origins.append(copied)
        chunks.append(original[copied:end])
        return cls(_OTHER_SPACE.sub(" ", "".join(chunks)), starts, origins)

    def _original(self, index: int) -> int:
        """The index in the original of text[index]."""
        stretch = bisect_right(self.starts, index) - 1
        return self.origins[stretch] + index - self.starts[stretch]

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
        return [(self._original(start), self._original(start + len(needle) - 1) + 1) for start in self._starts(needle)]

    def _starts(self, needle: str) -> list[int]:
        """Where the needle occurs: located through the rarest of its first inner words, which a
        match must contain whole (the needle's first and last words may be parts of the text's
        words; a few words are enough to find a rare one, and a long quote has hundreds)."""
        inner = list(islice(_WORD.finditer(needle), 1, 1 + RARE_WORD_CANDIDATES))
        if inner and inner[-1].end() == len(needle):
            inner.pop()  # the last word
        if not inner:
            starts, start = [], self.text.find(needle)
            while start >= 0:
                starts.append(start)
                start = self.text.find(needle, start + 1)
            return starts
        index = self._words
        counts = [len(index.get(m.group(), ())) for m in inner]
        word = inner[counts.index(min(counts))]
        candidates = (at - word.start() for at in index.get(word.group(), ()))
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
