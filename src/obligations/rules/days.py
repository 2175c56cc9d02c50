"""Day counting for any agreement: durations, business calendars, the boundary words, rolling (issue 13).

Every clock of a terms file names a `Duration` and a `Counting` convention; this module is the only place
that turns them into dates. The words and their dates, for an anchor D and a duration of N days:

| counting | words in agreements | result |
|---|---|---|
| `on` | "on the Nth day following D", "N days after D" | the due date D + N (D is day 0) |
| `within` | "within N days of D", "no later than N days after D" | the window D .. D + N, last day included |
| `after` | "more than N days following D", "after the end of N days" | the first day strictly after D + N |

Business days are the days that are neither a weekend day nor a holiday of the calendar; "N business days
after D" is the Nth such day strictly after D. Months and years are added to the anchor, never chained,
and clamped to the month's last day (2005-01-31 + 1 month = 2005-02-28), with the 29 February setting of
I-03. A date is rolled off a closed day only when the clock says so (`following`, `preceding`,
`modified_following`), never by default (catalogue §0.3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from obligations.rules.calendar import add_months
from obligations.terms.expressions import Duration, parse_year_end
from obligations.terms.holidays import holiday_calendar_problem, public_holidays
from obligations.terms.models import Company

Counting = Literal["on", "within", "after"]
Roll = Literal["none", "following", "preceding", "modified_following"]
Feb29 = Literal["feb28", "mar1"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


check_country = holiday_calendar_problem


@dataclass(frozen=True)
class BusinessCalendar:
    """The days a company is open: weekdays that are not a public holiday of its country and subdivision
    (from the `holidays` package) nor one of its own days off."""

    country: str | None = None
    subdivision: str | None = None
    own_holidays: frozenset[date] = field(default_factory=frozenset)
    weekend: frozenset[int] = frozenset({5, 6})

    def holiday(self, day: date) -> str | None:
        """The holiday's name, or None on a day that is not one."""
        if day in self.own_holidays:
            return "company holiday"
        if self.country is None:
            return None
        return public_holidays(self.country, self.subdivision, day.year).get(day)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() not in self.weekend and self.holiday(day) is None

    def closed_reason(self, day: date) -> str | None:
        if day.weekday() in self.weekend:
            return day.strftime("%A")
        return self.holiday(day)


CALENDAR_DAYS_ONLY = BusinessCalendar()


@lru_cache(maxsize=1024)
def _calendar(
    country: str | None, subdivision: str | None, own: frozenset[date], weekend: frozenset[int]
) -> BusinessCalendar:
    return BusinessCalendar(country, subdivision, own, weekend)


def calendar_of(
    country: str | None, subdivision: str | None, own: Iterable[date], weekend: Iterable[str]
) -> BusinessCalendar:
    return _calendar(country, subdivision, frozenset(own), frozenset(WEEKDAYS.index(w) for w in weekend))


def company_calendar(company: Company) -> BusinessCalendar:
    """The company's business days (company file, [calendar])."""
    c = company.calendar
    return calendar_of(c.country, c.subdivision, c.holidays, c.weekend)


def final_pay_calendar(company: Company) -> BusinessCalendar:
    """The days a final-pay due date moves past (I-22): the weekend and the listed days, or the company's
    whole calendar when `final_pay.roll_calendar = "company"`."""
    if company.final_pay.roll_calendar == "company":
        own = [*company.calendar.holidays, *company.final_pay.holidays]
        return calendar_of(company.calendar.country, company.calendar.subdivision, own, company.calendar.weekend)
    return calendar_of(None, None, company.final_pay.holidays, ["sat", "sun"])


def add_duration(anchor: date, duration: Duration, cal: BusinessCalendar, feb29: Feb29 = "feb28") -> date:
    """anchor + duration: calendar days and weeks exactly; business days counted strictly after the
    anchor; months and years from the anchor, clamped."""
    n = duration.n
    if duration.unit == "calendar_days":
        return anchor + timedelta(days=n)
    if duration.unit == "weeks":
        return anchor + timedelta(weeks=n)
    if duration.unit == "months":
        return add_months(anchor, n, feb29)
    if duration.unit == "years":
        return add_months(anchor, 12 * n, feb29)
    return _add_business_days(anchor, n, cal)


def _add_business_days(anchor: date, n: int, cal: BusinessCalendar) -> date:
    step = 1 if n >= 0 else -1
    day, left = anchor, abs(n)
    while left > 0:
        day += timedelta(days=step)
        if cal.is_business_day(day):
            left -= 1
    return day


def roll(day: date, rule: Roll, cal: BusinessCalendar) -> date:
    """Move a date that falls on a closed day: to the next open day, the previous one, or the next one
    unless that is in another month (then the previous one)."""
    if rule == "none" or cal.is_business_day(day):
        return day
    if rule == "preceding":
        return _step_open(day, -1, cal)
    later = _step_open(day, 1, cal)
    if rule == "modified_following" and later.month != day.month:
        return _step_open(day, -1, cal)
    return later


def _step_open(day: date, step: int, cal: BusinessCalendar) -> date:
    for _ in range(370):  # a calendar closed for a whole year is refused by the terms check
        day += timedelta(days=step)
        if cal.is_business_day(day):
            return day
    raise ValueError("the business calendar has no open day within a year")


@dataclass(frozen=True)
class Reckoned:
    """A clock reckoned from its anchor: the first and last day it allows (`first` is the anchor for
    `within`), the due date, and the words that produced it."""

    anchor: date
    first: date
    due: date
    unrolled: date
    words: str


def reckon(
    anchor: date,
    duration: Duration,
    counting: Counting = "on",
    cal: BusinessCalendar = CALENDAR_DAYS_ONLY,
    roll_rule: Roll = "none",
    feb29: Feb29 = "feb28",
) -> Reckoned:
    """The date a clock of `duration` from `anchor` falls due, under its counting and roll conventions."""
    end = add_duration(anchor, duration, cal, feb29)
    if counting == "after":
        end = end + timedelta(days=1)
    due = roll(end, roll_rule, cal)
    phrase = {
        "on": f"the day {duration.words()} after {anchor}",
        "within": f"within {duration.words()} of {anchor} (last day included)",
        "after": f"the first day more than {duration.words()} after {anchor}",
    }[counting]
    words = f"{phrase} = {end}"
    if due != end:
        words += f" ({cal.closed_reason(end)}), moved {roll_rule.replace('_', ' ')} to {due}"
    return Reckoned(anchor, anchor if counting == "within" else due, due, end, words)


# -- fiscal years --------------------------------------------------------------------------------------


def year_end_in(rule: str, year: int) -> date:
    """The fiscal year end the rule (terms.expressions.parse_year_end) puts in, or for "nearest" around,
    calendar year `year`."""
    y = parse_year_end(rule)
    if y.kind == "fixed":
        return date(year, y.month, y.day)
    if y.kind == "last":
        last = date(year + y.month // 12, y.month % 12 + 1, 1) - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - y.weekday) % 7)
    anchor = date(year, y.month, y.day)
    shift = (y.weekday - anchor.weekday()) % 7  # 0..6 days forward to that weekday
    return anchor + timedelta(days=shift if shift <= 3 else shift - 7)


def fiscal_year(rule: str, day: date) -> tuple[date, date]:
    """The first and last day of the fiscal year that holds `day`."""
    ends = [year_end_in(rule, y) for y in (day.year - 1, day.year, day.year + 1)]
    end = min(e for e in ends if e >= day)
    before = max((e for e in ends if e < day), default=None) or year_end_in(rule, day.year - 2)
    return before + timedelta(days=1), end
