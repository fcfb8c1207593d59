"""Turn legal periods into concrete dates, showing the arithmetic.

Periods in years end on the corresponding date N years later ("5 years from 2019-03-14" ends on
2024-03-14); "until the Nth anniversary" ends on the same date. **29 February**: where the later
year has no 29 February, the period ends on the last day of February (28 February), the
corresponding-date convention used for periods "expressed in months or years" (for example EU
Regulation 1182/71, art. 3(2)(c); also `dateutil.relativedelta`). Periods in days (calendar days)
add that many days ("within 15 calendar days after receipt on 2024-03-01" ends on 2024-03-16:
the day of the event is not counted, the last day is). A `Deadline` says whether its date is a
minimum to keep records until, a maximum, an exact date, or a time limit to act by, and carries
a one-line account of the arithmetic for explanations.

Why 28 February: the corresponding-date rule keeps the end inside the month the period names
(February), which is how periods in years are counted when the day does not exist; the other
reading (1 March) would make a period "from 29 February" one day longer than the same period
from 28 February in a leap year. For a maximum (1508(c)(1)) 28 February is the safe side; for a
minimum it is one day earlier than the 1 March reading, which is why the arithmetic always says
so ("no 29 February that year: 28 February") and a compliance team can keep a margin.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from .values import Date
from .wording import ordinal

#  bound in the KB -> what the date means
MEANING = {
    "at_least": "minimum",  # keep at least until this date
    "until": "minimum",  # keep until this date
    "at_most": "maximum",  # no retention period may run past this date
    "exactly": "exact",
    "within": "deadline",  # act no later than this date
}


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The corresponding date `years` later; 29 February falls back to 28 February."""
    year = day.year + years
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise ValueError(f"the period ends after {datetime.date.max} (the last date citelog can compute)")
    last = calendar.monthrange(year, day.month)[1]
    return day.replace(year=year, day=min(day.day, last))


@dataclass(frozen=True)
class Deadline:
    start: Date
    end: Date
    meaning: str  # minimum | maximum | exact | deadline | prescribed
    arithmetic: str  # e.g. "2024-05-01 + 3 years (3rd anniversary) = 2027-05-01"

    @property
    def summary(self) -> str:
        """What the date means for the reader: 'keep at least until 2027-05-01 (a minimum)'."""
        return summary(self.meaning, self.end)


_SUMMARY = {
    "minimum": "keep at least until {end} (a minimum)",
    "maximum": "no period may run past {end} (a maximum)",
    "exact": "keep until {end} (exact)",
    "deadline": "act no later than {end} (a deadline)",
}


def summary(meaning: str, end: Date | None) -> str:
    if end is None:
        return "no date"
    return _SUMMARY.get(meaning, "{end}").format(end=end)


def meaning_of(bound: str) -> str:
    """What a period's end date means, from its bound: minimum, maximum, exact, deadline or prescribed."""
    if bound == "as_prescribed":
        return "prescribed"
    return MEANING.get(bound, "exact")


@dataclass(frozen=True)
class Period:
    """A period as the KB states it: an amount of a unit, from a trigger, with a bound (at_least,
    at_most, until, exactly, within, as_prescribed). The KB's unit `prescribed` (amount 0) is a
    period the Secretary prescribes, `reasonable_time` one the law does not count; neither has a
    date. A lifted duty (bound `lifted`, unit `none`) names in `trigger` the paragraph that no
    longer applies."""

    amount: int
    unit: str
    trigger: str
    bound: str

    @property
    def meaning(self) -> str:
        """What its end date means: minimum, maximum, exact, deadline or prescribed."""
        return "deadline" if self.bound == "within" else meaning_of(self.bound)

    @property
    def counted(self) -> bool:
        """Whether a start date gives it an end date."""
        return self.unit not in ("prescribed", "reasonable_time")

    def end(self, start: Date) -> Deadline | None:
        return period_end(start, self.amount, self.unit, self.bound)

    def until(self, start: Date | None) -> str:
        return until(start, self.amount, self.unit, self.bound)

    def describe(self, start: Date | None, event: str | None = None) -> str:
        return describe(start, self.amount, self.unit, self.bound, event)

    def conflicts_with(self, other: "Period") -> bool:
        return conflicting(self.bound, other.bound)

    def sort_key(self) -> tuple:
        """How a table sorts periods: by amount, unit and bound (the amount is a number)."""
        return (self.amount, self.unit, self.bound)


def conflicting(bound: str, other: str) -> bool:
    """Whether two periods for the same records may not both be met: a minimum against a maximum,
    or an exact period against any other. Two minima or two maxima only combine (the stricter
    governs); a period as prescribed is bounded by the others; a deadline is not a retention."""
    kinds = {MEANING.get(bound), MEANING.get(other)}
    if None in kinds or "deadline" in kinds:
        return False
    return kinds == {"minimum", "maximum"} or "exact" in kinds


def until(start: Date | None, amount: int, unit: str, bound: str) -> str:
    """A period's end date with what it means ('2027-05-01 (minimum)'), or why there is none."""
    if unit == "prescribed":
        return "as prescribed"
    if start is not None and unit == "reasonable_time":
        return "no fixed date"
    try:
        deadline = period_end(start, amount, unit, bound) if start is not None else None
    except ValueError:  # past 9999-12-31
        deadline = None
    if deadline is None:
        return "no date given"
    return f"{deadline.end} ({deadline.meaning})"


def describe(start: Date | None, amount: int, unit: str, bound: str, event: str | None = None) -> str:
    """The arithmetic of a period as one line, also where there is no date to compute.

    >>> describe(Date.parse("2024-05-01"), 3, "anniversary", "until", "liquidation")
    'liquidation 2024-05-01 + 3 years (3rd anniversary) = 2027-05-01: keep at least until 2027-05-01 (a minimum)'
    """
    if unit == "prescribed":
        return "no date: the period is the one the Secretary prescribes (not bundled)"
    if start is None:
        return "no date: the scenario gives no date for the event that starts this period"
    if unit == "reasonable_time":
        return f"{event + ' ' if event else ''}{start} + a reasonable time: no fixed date"
    deadline = period_end(start, amount, unit, bound)
    assert deadline is not None
    return f"{event + ' ' if event else ''}{deadline.arithmetic}: {deadline.summary}"


def period_end(start: Date, amount: int, unit: str, bound: str) -> Deadline | None:
    """The date a period ends; None for a period the KB leaves to the Secretary (no date)."""
    if unit == "prescribed" or unit == "reasonable_time":
        return None
    if unit in ("years", "anniversary"):
        end = Date(add_years(start.day, amount))
        label = f"{amount} year{'s' if amount != 1 else ''}"
        if unit == "anniversary":
            label += f" ({ordinal(amount)} anniversary)"
        if start.day.month == 2 and start.day.day == 29 and end.day.day == 28:
            label += ", no 29 February that year: 28 February"
    elif unit in ("days", "calendar_days"):
        try:
            end = start + amount
        except OverflowError:
            raise ValueError(f"the period ends after {datetime.date.max} (the last date citelog can compute)") from None
        label = f"{amount} {'calendar ' if unit == 'calendar_days' else ''}day{'s' if amount != 1 else ''}"
    else:
        raise ValueError(f"unknown unit of time '{unit}'")
    return Deadline(start, end, meaning_of(bound), f"{start} + {label} = {end}")
