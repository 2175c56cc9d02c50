"""Knowledge time and corrections on a real store (SQLite and PostgreSQL): late facts, retractions,
corrections, and what the read models and the reminder outbox make of them.

Recording time is injected (`FakeClock`), so "as known at" instants are exact.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from helpers import CONFIG, ev, start, strip_free_text
from obligations.alerts.outbox import listing
from obligations.application import portfolio, tables
from obligations.application.service import Obligations
from obligations.bootstrap import build
from obligations.domain.errors import InvalidInputError
from obligations.domain.input import parse_fact
from obligations.domain.values import parse_instant as known
from obligations.settings import Settings
from receivers import FakeClock, at

A = "dean"


def service(url: str, tmp: Path, clock: FakeClock) -> Obligations:
    return build(Settings(database_url=url, config_dir=CONFIG, workdir=tmp), clock)


def record(
    s: Obligations, *events: dict[str, Any], terms: str | None = None, by: str = "hr", agreement: str = A
) -> None:
    submitted = [parse_fact(json.loads(json.dumps(e)), n + 1) for n, e in enumerate(events)]
    s.record(agreement, submitted, by, terms=terms)


def retract(fact_id: str, reason: str = "recorded in error") -> dict[str, Any]:
    return {"type": "FactRetracted", "data": {"fact_id": fact_id, "reason": reason}}


def correct(fact_id: str, replacement: dict[str, Any], reason: str = "wrong date") -> dict[str, Any]:
    return {"type": "FactCorrected", "data": {"fact_id": fact_id, "replacement": replacement, "reason": reason}}


def neglect(day: str, notice: str = "N1") -> dict[str, Any]:
    return ev(
        "NeglectNoticeReceived", day, notice_id=notice, sent_date=day, duties_specified="forecasts", cure_demanded=True
    )


def breach(day: str, notice: str = "B1") -> dict[str, Any]:
    return ev("BreachNoticeReceived", day, notice_id=notice, sent_date=day, provision="§2 bonus", material=True)


def first_days() -> list[dict[str, Any]]:
    return [
        start(),
        ev("OptionsGranted", "2004-12-13", grant_date="2004-12-13", quantity=220000),
        ev("ConfidentialityAgreementExecuted", "2004-12-13", version="2004"),
        ev("I9Submitted", "2004-12-14", documentation_satisfactory=True),
        ev("BonusProgramFinalized", "2005-01-05"),
    ]


def clocks(report: dict[str, Any]) -> list[str]:
    return [c["clock"] for c in report["open_clocks"]]


def one(s: Obligations, day: str, known_at: Any = None) -> dict[str, Any]:
    return s.status(A, [date.fromisoformat(day)], known_at)[0]


@pytest.fixture
def hired(database_url: str, tmp_path: Path) -> tuple[Obligations, FakeClock]:
    clock = FakeClock(at("2004-12-13T15:00:00"))
    s = service(database_url, tmp_path, clock)
    record(s, *first_days(), terms="valence-2004")
    return s, clock


def test_a_late_cure_changes_the_report_as_of_now_not_as_known_before_it(hired: tuple[Obligations, FakeClock]) -> None:
    """Notice received 2005-03-01: the employee may cure through 2005-03-31; Good Cause (b) from 2005-04-01.
    The cure, made on 2005-03-30, is recorded only on 2005-04-05 at 10:00."""
    s, clock = hired
    clock.now = at("2005-03-01T16:00:00")
    record(s, neglect("2005-03-01"))
    clock.now = at("2005-04-05T10:00:00")
    record(s, ev("NeglectCured", "2005-03-30", notice_id="N1"), by="counsel")
    recorded = clock.now

    now = one(s, "2005-04-02")
    assert now["grounds"]["good_cause_available"] == []
    assert (
        "5.2(b)" in one(s, "2005-04-02", known("2005-04-04"))["grounds"]["good_cause_available"]
    )  # the 4th, end of day
    before = one(s, "2005-04-02", recorded - timedelta(microseconds=1))
    assert before["grounds"]["good_cause_available"] == ["5.2(b)"]  # both sides of the recording instant
    assert one(s, "2005-04-02", recorded) == now
    assert one(s, "2005-04-02", known("2005-04-05")) == now  # a date is its end
    # The past as-of date itself: on 2005-03-31 the clock was still running, as known then and now.
    assert "neglect_cure_period" in clocks(one(s, "2005-03-31", known("2005-04-04")))
    assert "neglect_cure_period" not in clocks(one(s, "2005-03-31"))  # cured on the 30th, as known now

    history = s.history(A, known("2005-04-04"))
    assert [r["type"] for r in history][-1] == "NeglectNoticeReceived"
    with pytest.raises(InvalidInputError, match="nothing was recorded for agreement 'dean' at or before"):
        s.status(A, [date(2005, 1, 1)], known("2004-12-01"))


def test_due_as_known_at_replays_the_log_as_it_stood(hired: tuple[Obligations, FakeClock]) -> None:
    s, clock = hired
    clock.now = at("2005-03-01T16:00:00")
    record(s, neglect("2005-03-01"))
    clock.now = at("2005-04-05T10:00:00")
    record(s, ev("NeglectCured", "2005-03-30", notice_id="N1"))

    def clocks(engine: Any) -> list[tuple[str, str | None]]:
        rows = portfolio.due(engine, date(2005, 3, 1), date(2005, 4, 30), date(2005, 3, 31), kinds=("clock",))
        return [(r["item"], r.get("cured_on")) for r in rows]

    assert clocks(s.items_as_known_at(known("2005-04-04"))) == [("neglect_cure_period:N1", None)]
    assert clocks(s.log.engine) == []  # as known now: cured on the 30th, so not running on the 31st
    assert clocks(s.items_as_known_at(clock.now)) == clocks(s.log.engine)
    assert clocks(s.items_as_known_at(known("2004-12-01"))) == []  # before anything was recorded


DAYS = ["2005-03-15", "2005-03-31", "2005-04-01", "2005-04-09", "2005-04-30", "2005-06-01"]


def s_id(s: Obligations, fact_type: str) -> str:
    return next(r["id"] for r in s.history(A) if r["type"] == fact_type and r["state"] == "in_effect")


@pytest.mark.parametrize("how", ["correct", "retract and record again"])
def test_fixing_a_wrong_fact_equals_recording_it_right_the_first_time(
    hired: tuple[Obligations, FakeClock], how: str
) -> None:
    """A breach notice recorded with the wrong date (2005-03-01, not 2005-03-20) and fixed a week later, beside
    an agreement where it was recorded right: the same reports, read-model rows and pending reminders."""
    s, clock = hired
    record(s, *first_days(), agreement="right", terms="valence-2004")
    clock.now = at("2005-03-01T12:00:00")
    record(s, breach("2005-03-01"))
    record(s, breach("2005-03-20"), agreement="right")
    clock.now = at("2005-03-08T12:00:00")
    wrong = s_id(s, "BreachNoticeReceived")
    if how == "correct":
        record(s, correct(wrong, breach("2005-03-20")), by="counsel")
    else:
        record(s, retract(wrong), breach("2005-03-20"), by="counsel")
    days = [date.fromisoformat(d) for d in DAYS]
    assert [strip_free_text(r) for r in s.status(A, days)] == [strip_free_text(r) for r in s.status("right", days)]
    t = tables.items.c
    keep = [c for c in tables.items.c if c.name not in ("fact_ids", "why", "detail", "agreement_id")]
    with s.log.engine.connect() as conn:
        mine = sorted(tuple(r) for r in conn.execute(select(*keep).where(t.agreement_id == A)))
        theirs = sorted(tuple(r) for r in conn.execute(select(*keep).where(t.agreement_id == "right")))
    assert mine == theirs
    rows = listing(s.log.engine, ("pending",))
    pending = {a: sorted((r["item_id"], r["due_date"], r["offset_days"]) for r in rows if r["agreement_id"] == a)
               for a in (A, "right")}  # fmt: skip
    assert pending[A] == pending["right"] and pending[A]
    if how != "correct":
        return
    # The correction leads back to both: the replacement's id is the correction's, and it names the original.
    clock_item = next(c for c in one(s, "2005-03-25")["open_clocks"] if c["clock"] == "breach_cure_period")
    assert clock_item["started"] == "2005-03-20"
    history = {r["id"]: r for r in s.history(A)}
    (correction,) = [r for r in history.values() if r["type"] == "FactCorrected"]
    assert clock_item["fact_ids"] == [correction["id"]]
    original = history[correction["corrects"]]
    assert original["state"] == "corrected" and original["corrected_by"] == correction["id"]
    assert correction["recorded_by"] == "counsel" and original["recorded_by"] == "hr"


def test_a_retracted_notice_takes_its_clock_and_reminders_with_it(hired: tuple[Obligations, FakeClock]) -> None:
    s, clock = hired
    clock.now = at("2005-03-01T12:00:00")
    record(s, breach("2005-03-01"))
    notice = s_id(s, "BreachNoticeReceived")
    before = [r for r in listing(s.log.engine, ("pending",)) if r["item_id"] == "breach_cure_period:B1"]
    assert before, "the cure clock has reminders"
    assert "breach_cure_period" in clocks(one(s, "2005-03-15"))
    clock.now = at("2005-03-05T09:00:00")
    record(s, retract(notice, "the letter was never delivered"), by="counsel")

    assert "breach_cure_period" not in clocks(one(s, "2005-03-15"))
    assert one(s, "2005-04-15")["grounds"]["good_reason_available"] == []
    rows = portfolio.due(s.log.engine, date(2005, 3, 1), date(2005, 4, 30), date(2005, 3, 15), kinds=("clock",))
    assert rows == []
    keys = {r["key"] for r in before}
    after = {r["key"]: r for r in listing(s.log.engine, ("pending", "withdrawn")) if r["key"] in keys}
    assert {r["state"] for r in after.values()} == {"withdrawn"}
    # As known before the retraction, the clock was running and Good Reason (f) was coming.
    assert "breach_cure_period" in clocks(one(s, "2005-03-15", known("2005-03-04")))
    assert one(s, "2005-04-15", known("2005-03-04"))["grounds"]["good_reason_available"] == ["5.4(f)"]
    rows = {r["id"]: r for r in s.history(A)}
    assert rows[notice]["state"] == "retracted"
    (retraction,) = [r for r in rows.values() if r["type"] == "FactRetracted"]
    assert retraction["corrects"] == notice and retraction["data"]["reason"] == "the letter was never delivered"
    assert retraction["date"] == "2005-03-05"  # dated the day it was recorded


def test_corrections_are_checked_like_new_facts_and_refused_whole(hired: tuple[Obligations, FakeClock]) -> None:
    s, clock = hired
    clock.now = at("2005-03-01T12:00:00")
    record(s, neglect("2005-03-01"))
    clock.now = at("2005-03-10T12:00:00")
    record(s, ev("NeglectCured", "2005-03-09", notice_id="N1"))
    notice, cure = s_id(s, "NeglectNoticeReceived"), s_id(s, "NeglectCured")
    start_id = s_id(s, "EmploymentStarted")
    before = s.history(A)

    def refused(*events: dict[str, Any]) -> str:
        with pytest.raises(InvalidInputError) as info:
            record(s, *events)
        assert s.history(A) == before, "nothing appended"
        return str(info.value)

    assert "no fact 'dean#99'" in refused(retract("dean#99"))
    assert f"recorded fact {cure} (NeglectCured" in refused(retract(notice))  # its cure would name no notice
    assert "data.replacement.data.notice_id" in refused(correct(cure, ev("NeglectCured", "2005-03-09", notice_id="N2")))
    assert "field data.replacement.data.sent_date" in refused(
        correct(
            notice,
            ev(
                "NeglectNoticeReceived",
                "2005-03-01",
                notice_id="N1",
                sent_date="2005-02-30",
                duties_specified="x",
                cure_demanded=True,
            ),
        )  # fmt: skip
    )
    assert "replacement must be an agreement fact" in refused(
        correct(notice, ev("LiquidationOccurred", "2005-03-01", kind="plan"))
    )
    text = refused(retract(start_id))
    assert "invalid" in text and "EmploymentStarted" in text
    # Line numbers in a batch: the second line is the bad one.
    assert "line 2" in refused(retract(cure), retract(cure))
    # Retracting the cure and then the notice in one batch is a valid history.
    record(s, retract(cure), retract(notice), by="counsel")
    before = s.history(A)
    assert "already retracted by" in refused(retract(notice))
    retraction = next(r["id"] for r in s.history(A) if r["type"] == "FactRetracted")
    assert "is a retraction" in refused(retract(retraction))
    assert "neglect_cure_period" not in clocks(one(s, "2005-03-05"))


def test_a_corrected_company_fact_changes_every_agreement_of_the_company(
    hired: tuple[Obligations, FakeClock],
) -> None:
    """A merger recorded at 42% (a Change of Control) that was in fact 58% (none): the correction goes to the
    company stream, and both agreements lose the acceleration and the lump sum."""
    s, clock = hired
    record(s, *first_days(), agreement="other", terms="valence-2004")
    clock.now = at("2005-06-02T12:00:00")
    record(s, ev("MergerConsummated", "2005-06-01", counterparty="X", company_shareholders_voting_pct_after="42"))
    assert one(s, "2005-07-01")["options"]["accelerated"] > 0
    merger = next(r["id"] for r in s.history(A) if r["type"] == "MergerConsummated")
    assert merger.startswith("company:valence#")
    clock.now = at("2005-06-09T12:00:00")
    fixed = ev("MergerConsummated", "2005-06-01", counterparty="X", company_shareholders_voting_pct_after="58")
    record(s, correct(merger, fixed, "the proxy statement says 58%"), agreement="other")
    for agreement in (A, "other"):
        r = s.status(agreement, [date(2005, 7, 1)])[0]
        assert r["change_of_control"]["occurred"] is False and r["options"]["accelerated"] == 0
        assert r["payments"] == []
        assert portfolio.due(s.log.engine, date(2005, 6, 1), date(2005, 6, 30), date(2005, 7, 1),
                             kinds=("payment",)) == []  # fmt: skip
    assert s.status(A, [date(2005, 7, 1)], known("2005-06-08"))[0]["change_of_control"]["occurred"] is True
    company = s.company_history("valence")
    assert [r["type"] for r in company if r["agreement"] is None] == ["MergerConsummated", "FactCorrected"]
    assert {r["agreement"] for r in company} == {None, A, "other"}
