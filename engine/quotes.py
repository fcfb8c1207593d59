"""Verify quotes against the source texts, as a lawyer reads them.

The bundled texts are extractions: words are split by line-end hyphens ("Com-\\npliance"),
lines wrap anywhere and page breaks leave blank lines. A quote matches when it occurs in the
source after both are normalised the same way: words split by a line-end hyphen are joined and
every run of white space becomes one space. The normalised text keeps, for each character, its
offset in the original, so a match can be mapped back to the span of the source it covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

_SPLIT_WORD = re.compile(r"(?<=\w)-[ \t]*\r?\n\s*(?=\w)")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class NormalizedText:
    """A text with hyphenated line breaks joined and white space folded."""

    text: str
    offsets: tuple[int, ...]  # offsets[i] = index in the original of text[i]

    @classmethod
    def of(cls, original: str) -> "NormalizedText":
        chars: list[str] = []
        offsets: list[int] = []
        skip_until = -1
        splits = {m.start(): m.end() for m in _SPLIT_WORD.finditer(original)}
        for index, char in enumerate(original):
            if index < skip_until:
                continue
            if index in splits:
                skip_until = splits[index]
                continue
            if char.isspace():
                if not chars or chars[-1] == " ":
                    continue
                char = " "
            chars.append(char)
            offsets.append(index)
        while chars and chars[-1] == " ":
            chars.pop()
            offsets.pop()
        return cls("".join(chars), tuple(offsets))

    def find(self, quote: str) -> list[tuple[int, int]]:
        """Every span of the original text that the (normalised) quote matches."""
        needle = normalize(quote)
        if not needle:
            return []
        spans = []
        start = self.text.find(needle)
        while start >= 0:
            end = start + len(needle) - 1
            spans.append((self.offsets[start], self.offsets[end] + 1))
            start = self.text.find(needle, start + 1)
        return spans


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
        return self.path.read_text(encoding="utf-8")

    @cached_property
    def normalized(self) -> NormalizedText:
        return NormalizedText.of(self.original)

    def line_column(self, offset: int) -> tuple[int, int]:
        """1-based line and column of an offset in the original text."""
        line = self.original.count("\n", 0, offset) + 1
        return line, offset - (self.original.rfind("\n", 0, offset) + 1) + 1
