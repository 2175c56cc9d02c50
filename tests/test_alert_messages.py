"""What a reminder says about its date, sent on time or late, and the log's timestamps under OBLIGATIONS_NOW."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from obligations.alerts.message import render
from obligations.settings import LOG_FORMAT, ClockFormatter, clock_from_environment


def payload(offset: int, send_on: str, kind: str = "payment") -> dict[str, Any]:
    return {
        "agreement_id": "dean",
        "company_id": "valence",
        "kind": kind,
        "item_id": "final_prorated_salary",
        "due_date": "2026-12-04",
        "offset_days": offset,
        "send_on": send_on,
        "time_zone": "America/Chicago",
        "owed_by": "Company",
        "owed_to": "Employee",
        "amount": "97054.79",
        "clause": "§2",
        "why": "…",
        "fact_ids": [],
    }


def headline(offset: int, send_on: str, now: str, late: bool) -> str:
    return render("k", payload(offset, send_on), f"{send_on}T15:00:00+00:00", late, now).document["headline"]


def test_a_reminder_on_time_counts_from_its_day() -> None:
    assert headline(-1, "2026-12-03", "2026-12-03T15:00:01+00:00", False) == (
        "payment final prorated salary of $97,054.79 due 2026-12-04 (in 1 day)"
    )
    assert headline(1, "2026-12-05", "2026-12-05T15:00:01+00:00", False) == (
        "OVERDUE: payment final prorated salary of $97,054.79 was due 2026-12-04 (1 day ago, still open)"
    )


def test_a_late_reminder_says_how_late_and_counts_from_the_day_it_is_sent() -> None:
    # Planned for the 3rd (the day before); sent on the 6th, Chicago time: two days after the due date.
    assert headline(-1, "2026-12-03", "2026-12-06T16:00:00+00:00", True) == (
        "OVERDUE: payment final prorated salary of $97,054.79 was due 2026-12-04 (2 days ago, still open; "
        "reminder 3 days late, planned for 2026-12-03)"
    )
    # Late by an hour on its own day (Chicago): the day is the same, so it reads as on time.
    assert headline(-1, "2026-12-03", "2026-12-03T17:00:00+00:00", True).endswith("(in 1 day)")
    # Sent on the due date itself, a day late.
    assert headline(-1, "2026-12-03", "2026-12-04T16:00:00+00:00", True).endswith(
        "due 2026-12-04 (today; reminder 1 day late, planned for 2026-12-03)"
    )
    # 01:00 UTC on the 4th is still the 3rd in Chicago: not late by a day.
    assert headline(-1, "2026-12-03", "2026-12-04T01:00:00+00:00", True).endswith("(in 1 day)")


def test_log_lines_carry_the_processs_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OBLIGATIONS_NOW", "2005-01-06T00:00:00+00:00")
    formatter = ClockFormatter(LOG_FORMAT, clock_from_environment())
    record = logging.LogRecord("obligations.alerts", logging.INFO, __file__, 1, "hello", None, None)
    line = formatter.format(record)
    assert line.startswith("2005-01-06T00:00:") and line.endswith("Z INFO hello"), line
    monkeypatch.delenv("OBLIGATIONS_NOW")
    line = ClockFormatter(LOG_FORMAT, clock_from_environment()).format(record)
    assert line.startswith(datetime.now(UTC).date().isoformat()), line
