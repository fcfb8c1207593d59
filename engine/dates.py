"""Turn legal periods into concrete dates, showing the arithmetic.

Periods in years end on the corresponding date N years later ("5 years from 2019-03-14" ends on
2024-03-14); "until the Nth anniversary" ends on the same date. **29 February**: where the later
year has no 29 February, the period ends on the last day of February (28 February), the
corresponding-date convention used for periods "expressed in months or years" (for example EU
Regulation 1182/71, art. 3(2)(c); also `dateutil.relativedelta`). Periods in days (calendar days)
add that many days. A `Deadline` says whether its date is a minimum to keep records until, a
maximum, an exact date, or a time limit to act by, and carries a one-line account of the
arithmetic for explanations.
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
    last = calendar.monthrange(year, day.month)[1]
    return day.replace(year=year, day=min(day.day, last))


@dataclass(frozen=True)
class Deadline:
    start: Date
    end: Date
    meaning: str  # minimum | maximum | exact | deadline | prescribed
    arithmetic: str  # e.g. "2024-05-01 + 3 years (3rd anniversary) = 2027-05-01"


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
        end = start + amount
        label = f"{amount} {'calendar ' if unit == 'calendar_days' else ''}day{'s' if amount != 1 else ''}"
    else:
        raise ValueError(f"unknown unit of time '{unit}'")
    return Deadline(start, end, MEANING.get(bound, "exact"), f"{start} + {label} = {end}")
