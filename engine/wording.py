"""How values read in English sentences: symbols, ordinals, articles."""

from __future__ import annotations

from .values import Date, Money


def word(value) -> str:
    """A value as it reads in a sentence: symbols lose their underscores; None reads 'anything'."""
    if value is None:
        return "anything"
    if isinstance(value, (Date, Money, int)):
        return str(value)
    return str(value).replace("_", " ")


def ordinal(number: int) -> str:
    """3 -> '3rd', 11 -> '11th', 22 -> '22nd'."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def with_article(value) -> str:
    """'an importer', 'a drawback claimant' (by the first letter: a heuristic, as in most style guides)."""
    text = word(value)
    return f"{'an' if text[:1].lower() in 'aeiou' else 'a'} {text}"


def listed(values) -> str:
    """'acme', 'acme and M-2', 'acme, M-2 and 2024-05-01'."""
    words = [word(v) for v in values]
    return " and ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + " and " + words[-1]
