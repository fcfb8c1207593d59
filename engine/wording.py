"""How values read in English: a KB's terms in their own words, periods as the law states them.

A value of the KB is an id (`agent_of_party`, `entry_reconciliation_or_exportation`); the KB says
how it reads with `term ID reads "words".` (docs/LANGUAGE.md), and an id without words reads as
itself with spaces for underscores. Every sentence, table cell and export takes its words from
here, so that the CLI, the web pages and the downloads say the same thing the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .values import Date, Money

_ARTICLE = re.compile(r"(the|a|an) ", re.I)
_BOUND = {"at_least": "at least ", "at_most": "at most ", "exactly": "", "within": "within ", "until": "until "}


def ordinal(number: int) -> str:
    """3 -> '3rd', 11 -> '11th', 22 -> '22nd'."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def joined(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " and " + parts[-1]


class Wording:
    """The words of one KB's values (its `term` declarations)."""

    def __init__(self, terms: Mapping[str, str] | None = None):
        self.terms = dict(terms or {})

    @classmethod
    def of(cls, program) -> "Wording":
        return cls({term.name: term.words for term in program.terms})

    def word(self, value) -> str:
        """A value as it reads in a sentence; None (any value) reads 'anything'."""
        if value is None:
            return "anything"
        if isinstance(value, (Date, Money, int)):
            return str(value)
        text = str(value)
        return self.terms.get(text, text.replace("_", " "))

    def a(self, value) -> str:
        """'an importer', 'a drawback claimant', 'the Secretary' (words with their own article stay
        as they are; otherwise by the first letter, a heuristic, as in most style guides)."""
        text = self.word(value)
        if _ARTICLE.match(text):
            return text
        return f"{'an' if text[:1].lower() in 'aeiou' else 'a'} {text}"

    # ---- periods -------------------------------------------------------------------------------

    def how_long(self, amount: int, unit: str, trigger: str, bound: str) -> str:
        """The length of a period: 'at least 5 years', 'until the 3rd anniversary', 'as prescribed
        by the Secretary', 'within a reasonable time'."""
        if unit == "prescribed":
            return f"as prescribed by {self.word(trigger)}"
        if unit == "anniversary":
            return f"until the {ordinal(amount)} anniversary"
        if unit == "reasonable_time":
            return "within a reasonable time"
        name = self.word(unit)
        if amount == 1:
            name = name.removesuffix("s")
        return f"{_BOUND.get(bound, self.word(bound) + ' ')}{amount} {name}"

    def starts(self, unit: str, trigger: str) -> str:
        """What a period runs from, in the law's words ('' for one the Secretary prescribes)."""
        return "" if unit == "prescribed" else self.word(trigger)

    def period(self, amount: int, unit: str, trigger: str, bound: str) -> str:
        """A whole period: 'at most 5 years from the date of entry, filing of a reconciliation, or
        exportation', 'until the 3rd anniversary of the date of liquidation of the claim'."""
        length = self.how_long(amount, unit, trigger, bound)
        if unit == "prescribed":
            return length
        joint = "of" if unit == "anniversary" else "after" if bound == "within" or unit == "reasonable_time" else "from"
        return f"{length} {joint} {self.word(trigger)}"


word = Wording().word  # a value of no KB in particular (an event's own name, a date)
