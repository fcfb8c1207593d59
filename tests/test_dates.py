"""Date rules: periods in years, anniversaries, days; leap years and month ends; what a date means.

The rule for 29 February (engine/dates.py): where the later year has no 29 February, a period in
years (or an anniversary) ends on 28 February.
"""

from __future__ import annotations

import datetime

import pytest

from citelog import Date
from citelog.dates import Deadline, Period, add_years, conflicting, describe, meaning_of, period_end, summary


def d(text: str) -> Date:
    return Date.parse(text)


# ---- years and anniversaries ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, years, end",
    [
        ("2019-03-14", 5, "2024-03-14"),  # the corresponding date
        ("2024-02-29", 1, "2025-02-28"),  # no 29 February in 2025: 28 February
        ("2024-02-29", 3, "2027-02-28"),
        ("2024-02-29", 4, "2028-02-29"),  # a leap year again: 29 February
        ("2024-02-29", 5, "2029-02-28"),
        ("2023-02-28", 1, "2024-02-28"),  # 28 February stays 28 February, even in a leap year
        ("2020-02-29", 100, "2120-02-29"),
        ("2000-02-29", 100, "2100-02-28"),  # 2100 is not a leap year (divisible by 100, not by 400)
        ("1996-02-29", 4, "2000-02-29"),  # 2000 is (divisible by 400)
        ("2023-01-31", 1, "2024-01-31"),  # month ends other than February are unaffected
        ("2023-04-30", 2, "2025-04-30"),
        ("2023-12-31", 5, "2028-12-31"),
        ("2024-03-01", 5, "2029-03-01"),
        ("2024-06-15", 0, "2024-06-15"),
    ],
)
def test_add_years(start, years, end):
    assert add_years(datetime.date.fromisoformat(start), years) == datetime.date.fromisoformat(end)


def test_add_years_agrees_with_an_independent_rule_for_every_day_of_four_years():
    """Every day of 2023-2026 plus 1 to 8 years, against: same day and month, else 28 February."""
    day = datetime.date(2023, 1, 1)
    while day.year < 2027:
        for years in range(1, 9):
            try:
                expected = day.replace(year=day.year + years)
            except ValueError:
                assert (day.month, day.day) == (2, 29)
                expected = datetime.date(day.year + years, 2, 28)
            assert add_years(day, years) == expected, (day, years)
        day += datetime.timedelta(days=1)


def test_past_the_last_computable_date_is_a_clear_error():
    with pytest.raises(ValueError, match="after 9999-12-31"):
        add_years(datetime.date(9998, 6, 1), 5)
    with pytest.raises(ValueError, match="after 9999-12-31"):
        period_end(d("9999-12-20"), 30, "days", "within")


@pytest.mark.parametrize(
    "start, amount, unit, bound, end, meaning, arithmetic",
    [
        ("2024-05-01", 3, "anniversary", "until", "2027-05-01", "minimum",
         "2024-05-01 + 3 years (3rd anniversary) = 2027-05-01"),
        ("2024-02-29", 3, "anniversary", "until", "2027-02-28", "minimum",
         "2024-02-29 + 3 years (3rd anniversary), no 29 February that year: 28 February = 2027-02-28"),
        ("2019-03-14", 5, "years", "at_least", "2024-03-14", "minimum", "2019-03-14 + 5 years = 2024-03-14"),
        ("2021-03-15", 5, "years", "at_most", "2026-03-15", "maximum", "2021-03-15 + 5 years = 2026-03-15"),
        ("2024-02-29", 5, "years", "at_most", "2029-02-28", "maximum",
         "2024-02-29 + 5 years, no 29 February that year: 28 February = 2029-02-28"),
        ("2022-07-01", 1, "years", "exactly", "2023-07-01", "exact", "2022-07-01 + 1 year = 2023-07-01"),
        ("2024-12-20", 15, "calendar_days", "within", "2025-01-04", "deadline",
         "2024-12-20 + 15 calendar days = 2025-01-04"),  # across a year end
        ("2024-01-31", 30, "days", "within", "2024-03-01", "deadline",
         "2024-01-31 + 30 days = 2024-03-01"),  # through 29 February 2024
        ("2023-01-31", 30, "days", "within", "2023-03-02", "deadline", "2023-01-31 + 30 days = 2023-03-02"),
        ("2024-02-28", 1, "days", "within", "2024-02-29", "deadline", "2024-02-28 + 1 day = 2024-02-29"),
        ("2024-04-30", 1, "calendar_days", "within", "2024-05-01", "deadline",
         "2024-04-30 + 1 calendar day = 2024-05-01"),
    ],
)
def test_period_end(start, amount, unit, bound, end, meaning, arithmetic):
    deadline = period_end(d(start), amount, unit, bound)
    assert deadline == Deadline(d(start), d(end), meaning, arithmetic)


@pytest.mark.parametrize("unit", ["prescribed", "reasonable_time"])
def test_periods_without_a_date(unit):
    assert period_end(d("2024-01-01"), 0, unit, "as_prescribed") is None


def test_unknown_unit():
    with pytest.raises(ValueError, match="unknown unit of time 'fortnights'"):
        period_end(d("2024-01-01"), 2, "fortnights", "at_least")


@pytest.mark.parametrize(
    "bound, meaning",
    [("at_least", "minimum"), ("until", "minimum"), ("at_most", "maximum"), ("exactly", "exact"),
     ("within", "deadline"), ("as_prescribed", "prescribed")],
)
def test_every_bound_says_what_its_date_means(bound, meaning):
    assert meaning_of(bound) == meaning


@pytest.mark.parametrize(
    "meaning, text",
    [("minimum", "keep at least until 2027-05-01 (a minimum)"),
     ("maximum", "no period may run past 2027-05-01 (a maximum)"),
     ("exact", "keep until 2027-05-01 (exact)"),
     ("deadline", "act no later than 2027-05-01 (a deadline)")],
)
def test_summary(meaning, text):
    assert summary(meaning, d("2027-05-01")) == text


def test_describe_shows_the_event_the_arithmetic_and_the_meaning():
    assert describe(d("2024-05-01"), 3, "anniversary", "until", "liquidation") == (
        "liquidation 2024-05-01 + 3 years (3rd anniversary) = 2027-05-01: keep at least until 2027-05-01 "
        "(a minimum)")
    assert describe(d("2024-03-01"), 15, "calendar_days", "within", "receipt of request") == (
        "receipt of request 2024-03-01 + 15 calendar days = 2024-03-16: act no later than 2024-03-16 (a deadline)")
    assert describe(d("2024-06-03"), 0, "reasonable_time", "within", "receipt of notice") == (
        "receipt of notice 2024-06-03 + a reasonable time: no fixed date")
    assert describe(None, 5, "years", "at_most") == (
        "no date: the scenario gives no date for the event that starts this period")
    assert describe(d("2024-06-03"), 0, "prescribed", "as_prescribed").startswith("no date: the period is the one")


@pytest.mark.parametrize("bound, other, expected", [
    ("at_least", "at_most", True),  # a minimum against a maximum
    ("until", "at_most", True),
    ("exactly", "at_least", True),  # an exact period against any other
    ("exactly", "exactly", True),
    ("at_least", "until", False),  # two minima combine: the stricter governs
    ("at_most", "at_most", False),
    ("as_prescribed", "at_most", False),  # bounded by the others, not opposed to them
    ("within", "at_most", False),  # a deadline to act is not a retention
])
def test_which_periods_may_not_both_be_met(bound, other, expected):
    assert conflicting(bound, other) is expected and conflicting(other, bound) is expected


def test_a_period_is_one_value_with_its_meaning_its_end_and_its_words_of_arithmetic():
    floor = Period(3, "anniversary", "liquidation_of_claim", "until")
    cap = Period(5, "years", "entry", "at_most")
    start = Date(datetime.date(2020, 2, 29))
    assert (floor.meaning, cap.meaning, Period(30, "days", "receipt", "within").meaning) == ("minimum", "maximum",
                                                                                          "deadline")
    assert floor.end(start) == period_end(start, 3, "anniversary", "until")
    assert floor.until(start) == "2023-02-28 (minimum)" and floor.until(None) == "no date given"
    assert floor.describe(start, "liquidation") == describe(start, 3, "anniversary", "until", "liquidation")
    assert floor.conflicts_with(cap) and not floor.conflicts_with(floor)
    prescribed = Period(0, "prescribed", "secretary", "as_prescribed")
    assert not prescribed.counted and prescribed.end(start) is None and prescribed.meaning == "prescribed"
    assert prescribed.until(start) == "as prescribed"
    assert sorted([cap, floor], key=Period.sort_key) == [floor, cap]
