"""Day counting of the terms language (rules.days): every duration and boundary word, both sides of each edge."""

from __future__ import annotations

from datetime import date

import pytest

from obligations.rules.days import (
    CALENDAR_DAYS_ONLY,
    BusinessCalendar,
    add_duration,
    calendar_of,
    check_country,
    reckon,
    roll,
)
from obligations.terms.expressions import Duration, parse_duration

D = date.fromisoformat
TX = calendar_of("US", "TX", [], ["sat", "sun"])
# A company closed on its own day (Friday 2005-03-11) and on no public holiday.
OWN = BusinessCalendar(own_holidays=frozenset({D("2005-03-11")}))


@pytest.mark.parametrize(
    ("anchor", "duration", "expected"),
    [
        # "the fifth day following D" is D + 5: D is day 0
        ("2005-03-01", "5 days", "2005-03-06"),
        ("2005-03-01", "0 days", "2005-03-01"),
        ("2005-12-27", "5 calendar days", "2006-01-01"),  # across a year
        ("2004-02-25", "4 days", "2004-02-29"),  # into a 29 February
        ("2004-02-25", "5 days", "2004-03-01"),
        ("2005-02-25", "4 days", "2005-03-01"),  # no 29 February in 2005
        ("2005-03-01", "2 weeks", "2005-03-15"),
        # months and years: from the anchor, clamped to the month's last day
        ("2005-01-31", "1 month", "2005-02-28"),
        ("2004-01-31", "1 month", "2004-02-29"),
        ("2005-01-31", "3 months", "2005-04-30"),
        ("2005-01-30", "1 month", "2005-02-28"),
        ("2005-01-28", "1 month", "2005-02-28"),
        ("2004-02-29", "12 months", "2005-02-28"),
        ("2004-02-29", "1 year", "2005-02-28"),
        ("2004-02-29", "4 years", "2008-02-29"),
        ("2004-12-13", "24 months", "2006-12-13"),
    ],
)
def test_calendar_durations(anchor: str, duration: str, expected: str) -> None:
    assert add_duration(D(anchor), parse_duration(duration), CALENDAR_DAYS_ONLY) == D(expected)


def test_a_29_february_anniversary_is_28_february_or_1_march_as_set() -> None:
    assert add_duration(D("2004-02-29"), Duration(12, "months"), CALENDAR_DAYS_ONLY, "feb28") == D("2005-02-28")
    assert add_duration(D("2004-02-29"), Duration(12, "months"), CALENDAR_DAYS_ONLY, "mar1") == D("2005-03-01")
    assert add_duration(D("2004-02-29"), Duration(48, "months"), CALENDAR_DAYS_ONLY, "mar1") == D("2008-02-29")


@pytest.mark.parametrize(
    ("anchor", "n", "expected"),
    [
        ("2005-03-07", 1, "2005-03-08"),  # Monday + 1 = Tuesday
        ("2005-03-10", 1, "2005-03-14"),  # Thursday + 1: Friday 11 is the company's own holiday
        ("2005-03-09", 1, "2005-03-10"),
        ("2005-03-09", 2, "2005-03-14"),
        ("2005-03-12", 1, "2005-03-14"),  # from a Saturday: the count starts after the anchor
        ("2005-03-04", 3, "2005-03-09"),  # Friday + 3 = Wednesday
        ("2005-03-14", -1, "2005-03-10"),  # backwards skips the holiday and the weekend
    ],
)
def test_business_days_skip_weekends_and_the_companys_own_days(anchor: str, n: int, expected: str) -> None:
    assert add_duration(D(anchor), Duration(n, "business_days"), OWN) == D(expected)


def test_business_days_skip_the_public_holidays_of_the_country_and_subdivision() -> None:
    # Thanksgiving 2005 is Thursday 24 November (US); Texas also closes on Friday 25 (Day after Thanksgiving).
    assert TX.holiday(D("2005-11-24")) == "Thanksgiving Day"
    assert TX.holiday(D("2005-11-25")) is not None
    assert add_duration(D("2005-11-23"), Duration(1, "business_days"), TX) == D("2005-11-28")
    us = calendar_of("US", None, [], ["sat", "sun"])
    assert us.holiday(D("2005-11-25")) is None  # not a federal holiday
    assert add_duration(D("2005-11-23"), Duration(1, "business_days"), us) == D("2005-11-25")
    # Texas Independence Day is not a holiday in California
    ca = calendar_of("US", "CA", [], ["sat", "sun"])
    assert TX.holiday(D("2005-03-02")) == "Texas Independence Day" and ca.holiday(D("2005-03-02")) is None


def test_a_weekend_can_be_another_pair_of_days() -> None:
    fri_sat = calendar_of(None, None, [], ["fri", "sat"])
    assert add_duration(D("2005-03-09"), Duration(2, "business_days"), fri_sat) == D("2005-03-13")  # Sunday


@pytest.mark.parametrize(
    ("day", "rule", "expected"),
    [
        ("2005-11-24", "none", "2005-11-24"),
        ("2005-11-24", "following", "2005-11-28"),  # Thanksgiving, then the Texas day after, then a weekend
        ("2005-11-24", "preceding", "2005-11-23"),
        ("2005-11-23", "following", "2005-11-23"),  # an open day does not move
        ("2005-04-30", "following", "2005-05-02"),  # Saturday 30 April
        ("2005-04-30", "modified_following", "2005-04-29"),  # ... but not into May
        ("2005-04-16", "modified_following", "2005-04-18"),
        ("2005-12-31", "following", "2006-01-03"),  # Saturday; New Year's Day observed on Monday 2 January
    ],
)
def test_rolling_a_date_off_a_closed_day(day: str, rule: str, expected: str) -> None:
    assert roll(D(day), rule, TX) == D(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("counting", "duration", "first", "due"),
    [
        ("on", "5 days", "2005-03-06", "2005-03-06"),  # "on the fifth day following 1 March"
        ("within", "5 days", "2005-03-01", "2005-03-06"),  # "within five days of 1 March": last day 6 March
        ("after", "60 days", "2005-05-01", "2005-05-01"),  # "more than 60 days following 1 March"
        ("within", "21 days", "2005-03-01", "2005-03-22"),
        ("on", "1 month", "2005-04-01", "2005-04-01"),
    ],
)
def test_on_within_and_after(counting: str, duration: str, first: str, due: str) -> None:
    r = reckon(D("2005-03-01"), parse_duration(duration), counting)  # type: ignore[arg-type]
    assert (r.first, r.due) == (D(first), D(due))


def test_a_due_date_on_a_holiday_rolls_when_the_clock_says_so_and_says_why() -> None:
    r = reckon(D("2005-11-18"), Duration(6, "calendar_days"), "on", TX, "following")
    assert (r.unrolled, r.due) == (D("2005-11-24"), D("2005-11-28"))
    assert "Thanksgiving Day" in r.words and "2005-11-28" in r.words
    # the day before the holiday does not move; the same clock without a roll stays on the holiday
    assert reckon(D("2005-11-17"), Duration(6, "calendar_days"), "on", TX, "following").due == D("2005-11-23")
    assert reckon(D("2005-11-18"), Duration(6, "calendar_days"), "on", TX, "none").due == D("2005-11-24")


def test_an_unknown_country_is_named() -> None:
    assert check_country("US", "TX") is None
    assert "ZZ" in (check_country("ZZ", None) or "")
    assert check_country("US", "XX") is not None


# -- fiscal years that do not end on a fixed day (52/53-week years) -----------------------------------------


@pytest.mark.parametrize(
    ("rule", "day", "first", "last"),
    [
        # The Sunday nearest 30 September (Starbucks' fiscal year): FY2021 had 53 weeks, FY2022 52.
        ("sun nearest 09-30", "2021-10-03", "2020-09-28", "2021-10-03"),  # the last day of a 53-week year
        ("sun nearest 09-30", "2021-10-04", "2021-10-04", "2022-10-02"),  # the first day of the next
        ("sun nearest 09-30", "2023-10-01", "2022-10-03", "2023-10-01"),  # 30 Sep 2023 a Saturday: 1 Oct
        ("sun nearest 09-30", "2024-09-29", "2023-10-02", "2024-09-29"),  # 30 Sep 2024 a Monday: 29 Sep
        ("sun nearest 09-30", "2024-09-30", "2024-09-30", "2025-09-28"),
        # The Saturday nearest 31 December: the year ending 3 January 2026 holds 2 January 2026.
        ("sat nearest 12-31", "2026-01-03", "2024-12-29", "2026-01-03"),
        ("sat nearest 12-31", "2026-01-04", "2026-01-04", "2027-01-02"),
        ("sat nearest 12-31", "2024-12-28", "2023-12-31", "2024-12-28"),
        # The last Saturday of September.
        ("last sat of 09", "2024-09-28", "2023-10-01", "2024-09-28"),
        ("last sat of 09", "2024-09-29", "2024-09-29", "2025-09-27"),
        # A fixed day, on both sides.
        ("06-30", "2024-06-30", "2023-07-01", "2024-06-30"),
        ("06-30", "2024-07-01", "2024-07-01", "2025-06-30"),
    ],
)
def test_a_fiscal_year_by_its_end_rule(rule: str, day: str, first: str, last: str) -> None:
    from obligations.rules.days import fiscal_year

    assert fiscal_year(rule, date.fromisoformat(day)) == (date.fromisoformat(first), date.fromisoformat(last))


@pytest.mark.parametrize("rule", ["sun nearest 02-30", "13-01", "last sat of 13", "sunday nearest 09-30", "09/30"])
def test_a_fiscal_year_end_that_is_not_a_rule_is_refused(rule: str) -> None:
    from obligations.terms.expressions import ExpressionError, parse_year_end

    with pytest.raises(ExpressionError, match="fiscal year end|not a day of every year"):
        parse_year_end(rule)
