"""Quotes as a lawyer reads them (engine/quotes.py): a quote matches its source across line wraps
and words split by a line-end hyphen, and every match maps back to the span of the source it
covers. (A quote that is not in its source is a check: test_checks.py.)"""

from __future__ import annotations

import random
import re

from citelog.quotes import NormalizedText, normalize

from conftest import HEADER, diagnostics_of


class TestMatching:
    def test_quote_wrapped_across_lines_matches(self, make_kb):
        text = HEADER + (
            'provision "19 U.S.C. 1508(a)" {\n'
            '  quote law "An agent of an importer\n'
            '    is also\n'
            '          an importer."\n'
            "}\n"
        )
        assert diagnostics_of(make_kb(text)) == []

    def test_word_split_by_line_end_hyphen_in_source_matches(self, make_kb):
        text = HEADER + (
            'provision "19 U.S.C. 1508(b)" {\n'
            '  quote law "and records of Compliance shall be kept\n    for the same period."\n'
            "}\n"
        )
        assert diagnostics_of(make_kb(text)) == []

    def test_split_word_in_small_source(self, make_kb):
        source = {"s.txt": "Recordkeeping Com-\npliance Program: a party that is certified\nmay keep records."}
        text = (
            'source s = "sources/s.txt".\n'
            'provision "19 U.S.C. 1508(g)" {\n  quote s "Recordkeeping Compliance Program: a party that is\n'
            '    certified may keep records."\n}\n'
        )
        assert diagnostics_of(make_kb(text, sources=source)) == []

    def test_spans_of_quotes_map_back_to_the_original_text(self):
        """The normalised text keeps only where its stretches start: every span found must be the
        one a character-by-character fold of the original gives (split words, runs of white space
        of every kind, white space at both ends)."""

        def reference(original: str, quote: str) -> list[tuple[int, int]]:
            chars, offsets = [], []
            for match in re.finditer(r"(?P<split>(?<=\w)-[ \t]*\r?\n\s*(?=\w))|(?P<space>\s+)|.", original, re.S):
                if match.lastgroup == "split" or (match.lastgroup == "space" and (not chars or match.end() == len(original))):
                    continue
                chars.append(" " if match.lastgroup == "space" else match.group())
                offsets.append(match.start())
            text, needle = "".join(chars), normalize(quote)
            starts = [i for i in range(len(text)) if needle and text.startswith(needle, i)]
            return [(offsets[i], offsets[i + len(needle) - 1] + 1) for i in starts]

        pieces = ["keep", "re-\n  cords", "x", " ", "  ", "\n", "\t \n ", "-", "\u00a0", "\u2003 ", "Com-\npliance", ".", "a"]
        chooser = random.Random(13)
        for _ in range(300):
            original = "".join(chooser.choice(pieces) for _ in range(chooser.randint(0, 30)))
            normalized = NormalizedText.of(original)
            quotes = ["keep records", "records x", "x", "keep", "a keep", "compliance", "Compliance keep"]
            start, end = sorted(chooser.randint(0, len(original)) for _ in range(2))
            quotes.append(original[start:end])
            for quote in quotes:
                assert normalized.find(quote) == reference(original, quote), (original, quote)
