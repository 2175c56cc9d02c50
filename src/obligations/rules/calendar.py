"""Date arithmetic of the letter, each boundary word written once (catalogue §0.3, I-01..I-03, I-22).

Business days, holiday calendars and rolling are in `rules.days`."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from dateutil.relativedelta import relativedelta


def add_days(anchor: date, days: int) -> date:
    """'Day N' after X is X + N; 'the fifth day following D' is D + 5."""
    return anchor + timedelta(days=days)


@lru_cache(maxsize=16384)
def add_months(anchor: date, months: int, feb29: str = "feb28") -> date:
    """Always from the anchor, never chained; clamped to the month's last day (I-02).

    I-03: a 29 February anchor lands on 28 February in common years ("feb28") or on 1 March ("mar1").
    """
    result = anchor + relativedelta(months=months)
    if feb29 == "mar1" and anchor.month == 2 and anchor.day == 29 and result.month == 2 and result.day == 28:
        return result + timedelta(days=1)
    return result


def within_days(anchor: date, days: int) -> date:
    """'Within N days of D' / 'no later than N days after D': the last day is D + N (inclusive)."""
    return add_days(anchor, days)


def next_payday_after(day: date, first_period_start: date, period_days: int, offset_after_end: int) -> date:
    """The first regular payday strictly after `day` on a fixed payroll cycle (I-22)."""
    first_payday = first_period_start + timedelta(days=period_days - 1 + offset_after_end)
    if day < first_payday:
        return first_payday
    periods = (day - first_payday).days // period_days + 1
    return first_payday + timedelta(days=periods * period_days)


def days_inclusive(first: date, last: date) -> int:
    return (last - first).days + 1
