"""Typed values that pass through pyDatalog unchanged.

pyDatalog stores any hashable Python object as a constant and compares with Python operators, so
dates and money are small value classes: their equality never confuses them with integers or
strings, they refuse to compare across types (raising `TypeError`, which the engine turns into
an `EvaluationError`), and their arithmetic stays exact. Floats are refused everywhere because
pyDatalog rounds them to 8 significant digits.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import total_ordering

from .characters import nfc


@total_ordering
@dataclass(frozen=True, slots=True)
class Date:
    """A calendar date; `Date + int` adds days, `Date - Date` gives days."""

    day: datetime.date

    @classmethod
    def parse(cls, text: str) -> "Date":
        """Parse a date written YYYY-MM-DD; raises ValueError, saying why, on any other text."""
        if not DATE_FORMAT.fullmatch(text):
            parts = text.split("-")
            hint = (f" ({parts[0]}-{parts[1]:0>2}-{parts[2]:0>2})"
                    if len(parts) == 3 and len(parts[0]) == 4 and all(0 < len(p) <= 2 for p in parts[1:]) else "")
            raise ValueError(f"'{text}' is not a date: write a date as YYYY-MM-DD{hint}")
        try:
            return cls(datetime.date.fromisoformat(text))
        except ValueError:
            raise ValueError(f"invalid date {text}: no such day in the calendar") from None

    def __add__(self, days: object) -> "Date":
        if type(days) is not int:
            raise TypeError(f"cannot add {type_name(days)} to a date (only a number of days)")
        return Date(self.day + datetime.timedelta(days=days))

    __radd__ = __add__

    def __sub__(self, other: object) -> "Date | int":
        if type(other) is int:
            return self + (-other)
        if isinstance(other, Date):
            return (self.day - other.day).days
        raise TypeError(f"cannot subtract {type_name(other)} from a date")

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Date):
            raise TypeError(f"cannot compare a date with {type_name(other)}")
        return self.day < other.day

    def __str__(self) -> str:
        return self.day.isoformat()


# Python converts no longer integers between text and numbers (its int_max_str_digits default):
# a longer number could be read by no one and printed by nothing
MAX_DIGITS = 4300
DATE_FORMAT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_int(digits: str) -> int:
    """An integer written in decimal; ValueError, saying why, if it has more than MAX_DIGITS digits."""
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"a number of {len(digits.lstrip('-')):,} digits: numbers have at most {MAX_DIGITS:,} digits")
    return int(digits)


# whole dollars, with a comma between every group of three digits or none, and optional cents
MONEY_FORMAT = re.compile(r"\$([0-9]{1,3}(?:,[0-9]{3})*|[0-9]+)(?:\.([0-9]{2}))?")
MONEY_HINT = ("write whole dollars with commas between groups of three digits (or none) and cents as two "
              "digits, as $10,000, $1234 or $12.50")


@total_ordering
@dataclass(frozen=True, slots=True)
class Money:
    """An amount in US dollars, held as integer cents so that nothing is rounded."""

    cents: int

    @classmethod
    def parse(cls, text: str) -> "Money":
        match = MONEY_FORMAT.fullmatch(text)
        if not match:
            raise ValueError(f"malformed amount {text}: {MONEY_HINT}")
        dollars = parse_int(match.group(1).replace(",", ""))
        return cls(dollars * 100 + int(match.group(2) or 0))

    def __add__(self, other: object) -> "Money":
        if not isinstance(other, Money):
            raise TypeError(f"cannot add {type_name(other)} to money")
        return Money(self.cents + other.cents)

    def __sub__(self, other: object) -> "Money":
        if not isinstance(other, Money):
            raise TypeError(f"cannot subtract {type_name(other)} from money")
        return Money(self.cents - other.cents)

    def __mul__(self, factor: object) -> "Money":
        if type(factor) is not int:
            raise TypeError(f"cannot multiply money by {type_name(factor)}")
        return Money(self.cents * factor)

    __rmul__ = __mul__

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            raise TypeError(f"cannot compare money with {type_name(other)}")
        return self.cents < other.cents

    def __str__(self) -> str:
        sign = "-" if self.cents < 0 else ""
        dollars, cents = divmod(abs(self.cents), 100)
        return f"{sign}${dollars:,}" + (f".{cents:02d}" if cents else "")


Value = str | int | Date | Money | Decimal | bool


def type_name(value: object) -> str:
    """The name of a value's type as the rule language calls it."""
    if isinstance(value, bool):
        return "boolean"
    return {str: "string", int: "integer", Date: "date", Money: "money", Decimal: "decimal"}.get(
        type(value), type(value).__name__
    )


def check_value(value: object) -> Value:
    """Accept a Python value as a Datalog constant, refusing anything pyDatalog would distort."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return Date(value)
    if isinstance(value, bool):  # an int to pyDatalog: True would be the same constant as 1
        raise TypeError(f"{value!r} is not a value of the rule language (pyDatalog would take it for "
                        f"{int(value)}): use a string such as \"yes\" or \"no\", or the integer {int(value)}")
    if isinstance(value, float):
        raise TypeError(
            f"float {value!r} is not exact (pyDatalog rounds floats to 8 digits): "
            "use int, decimal.Decimal or citelog.Money"
        )
    if isinstance(value, Decimal) and not value.is_finite():  # NaN is not even equal to itself
        raise TypeError(f"decimal {value} is not a number")
    if isinstance(value, str):
        return nfc(value)  # as the rule language and scenarios read text: one spelling of a word
    if isinstance(value, (int, Date, Money, Decimal)):
        return value
    raise TypeError(f"unsupported value {value!r} of type {type(value).__name__}")


def to_json(value: Value) -> object:
    """The JSON form of a value: numbers stay numbers, dates and money become strings."""
    if isinstance(value, (bool, int, str)):
        return value
    return str(value)


_RANK = {bool: 0, int: 1, Decimal: 1, Money: 2, Date: 3, str: 4}


def sort_key(value: Value) -> tuple:
    """A total order over mixed values, so every answer list sorts deterministically."""
    if type(value) is str:  # most values: a sort of thousands of answers makes hundreds of thousands of keys
        return (4, 0, value)
    rank = _RANK.get(type(value), 5)
    if isinstance(value, Date):
        return (rank, value.day.toordinal(), "")
    if isinstance(value, Money):
        return (rank, value.cents, "")
    if isinstance(value, (int, Decimal)):
        return (rank, value, "")
    return (rank, 0, str(value))
