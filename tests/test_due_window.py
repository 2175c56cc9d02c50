""" "What falls due" on what is known now (issue 14): the window query takes each item as the report on its
own due date shows it, the rule the reminder planner uses; a test holds the two equal."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from helpers import CONFIG, ev, start
from obligations import synthetic
from obligations.alerts.plan import plan
from obligations.alerts.policy import KindPolicy, Policy
from obligations.application import portfolio, tables
from obligations.application.service import Obligations
from obligations.application.store import open_log
from obligations.bootstrap import build
from obligations.domain.input import parse_fact
from obligations.interfaces.cli import main
from obligations.settings import Settings
from receivers import FakeClock, at

A = "dean"
D = date.fromisoformat


def record(s: Obligations, *events: dict[str, Any]) -> None:
    s.record(A, [parse_fact(json.loads(json.dumps(e)), n + 1) for n, e in enumerate(events)], "hr",
             terms="valence-2004")  # fmt: skip


@pytest.fixture
def resigning(database_url: str, tmp_path: Path) -> Obligations:
    """Hired 2025-03-03; the Company's breach went uncured (Good Reason (f) from 2026-10-02); the employee's
    notice of 2026-11-02 resigns for Good Reason with effect on 2026-12-02 (thirty days' notice)."""
    s = build(
        Settings(database_url=database_url, config_dir=CONFIG, workdir=tmp_path), FakeClock(at("2026-11-25T15:00:00"))
    )
    record(
        s,
        start("2025-03-03"),
        ev("OptionsGranted", "2025-03-03", grant_date="2025-03-03", quantity=220000),
        ev("ConfidentialityAgreementExecuted", "2025-03-03", version="2004"),
        ev("I9Submitted", "2025-03-04", documentation_satisfactory=True),
        ev("BonusProgramFinalized", "2025-03-20"),
        ev("BreachNoticeReceived", "2026-09-01", notice_id="B1", sent_date="2026-09-01", provision="§2", material=True),
        ev("ResignationNoticeGiven", "2026-11-02", sent_date="2026-11-02", good_reason_grounds_claimed=["5.4(f)"]),
    )
    return s


def by_item(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["item"]: r for r in rows}


def test_the_window_shows_what_a_resignation_effective_tomorrow_makes_due(resigning: Obligations) -> None:
    engine = resigning.log.engine
    rows = by_item(portfolio.due(engine, D("2026-11-25"), D("2026-12-31"), D("2026-12-01")))
    assert set(rows) == {"resignation_notice_period", "acceleration", "final_prorated_salary", "lump_sum_5_1a"}
    # Each as the report on its own due date shows it, with its status as of the query's date.
    for item in ("final_prorated_salary", "lump_sum_5_1a"):
        row = rows[item]
        on_its_day = resigning.status(A, [D(row["date"])])[0]
        shown = next(p for p in on_its_day["payments"] if p["id"] == item)
        assert (row["amount"], row["date"], row["clause"]) == (shown["amount"], shown["due_date"], row["clause"])
        assert row["status"] == "not_yet_due" and row["days"] == (D(row["date"]) - D("2026-12-01")).days
    assert (rows["lump_sum_5_1a"]["date"], rows["lump_sum_5_1a"]["amount"]) == ("2026-12-07", "100000.00")
    assert rows["final_prorated_salary"]["date"] == "2026-12-04"
    # The notice period is reported through its deadline, the day the resignation takes effect.
    assert (rows["resignation_notice_period"]["date"], rows["resignation_notice_period"]["status"]) == (
        "2026-12-02", "running",
    )  # fmt: skip
    # The window's edges, both sides: the lump sum falls due on the 7th.
    assert "lump_sum_5_1a" not in by_item(portfolio.due(engine, D("2026-11-25"), D("2026-12-06"), D("2026-12-01")))
    assert "lump_sum_5_1a" in by_item(portfolio.due(engine, D("2026-12-07"), D("2026-12-07"), D("2026-12-01")))
    # As of the day after the resignation, the clock has run out and the lump sum is still to come.
    later = by_item(portfolio.due(engine, D("2026-11-25"), D("2026-12-31"), D("2026-12-03")))
    assert later["resignation_notice_period"]["status"] == "expired"
    assert later["acceleration"]["status"] == "vested" and later["lump_sum_5_1a"]["status"] == "not_yet_due"


def test_the_vesting_calendar_leaves_out_the_tranches_an_acceleration_vests_earlier(resigning: Obligations) -> None:
    rows = portfolio.vesting_calendar(resigning.log.engine, D("2026-11-25"), D("2029-12-31"), D("2026-12-01"))
    assert [(r["item"], r["date"], r["status"]) for r in rows] == [("acceleration", "2026-12-02", "unvested")]
    accelerated = resigning.status(A, [D("2026-12-02")])[0]["options"]["accelerated"]
    assert rows[0]["amount"] == str(accelerated) and accelerated > 0
    # Before the acceleration's day, the scheduled tranches of the months before it are still listed.
    before = portfolio.vesting_calendar(resigning.log.engine, D("2026-06-01"), D("2026-12-01"), D("2026-12-01"))
    assert [r["date"] for r in before] == ["2026-06-03", "2026-09-03"]


def open_on_its_day(row: dict[str, Any], fixed: dict[tuple[str, str, str], str | None]) -> bool:
    """`alerts.plan.is_open` at offset 0 read from a window row (its settle dates shown: as of far ahead)."""
    day = row["date"]
    settled = {"payment": "paid_on", "obligation": "fulfilled_on", "clock": "cured_on"}.get(row["kind"])
    if settled is not None:
        return not (row.get(settled) is not None and row[settled] <= day)
    return fixed[(row["agreement"], row["item"], day)] is None


def test_the_window_query_and_the_reminder_planner_take_the_same_items(database_url: str, tmp_path: Path) -> None:
    """One rule (`rules.item.decides`): what `due` lists for a window is what the planner reminds of on the
    due dates, over a generated portfolio of both forms of terms."""
    pf = tmp_path / "portfolio"
    synthetic.write(pf, 40, 61, years=3)
    assert main(["--database", database_url, "--config-dir", str(pf / "config"), "import",
                 str(pf / "portfolio.jsonl")]) == 0  # fmt: skip
    engine = Obligations(open_log(database_url, pf), pf / "config").log.engine
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(tables.items))]
    on_the_day = KindPolicy(lead_days=(0,), escalate_days=())
    policy = Policy(kinds={k: on_the_day for k in portfolio.DUE_KINDS}, items={})
    planned = {(r.agreement_id, r.kind, r.item_id, r.due_date.isoformat()) for r in plan(rows, policy, {})}
    fixed = {(r["agreement_id"], r["item_id"], r["due_date"].isoformat()): r["fixed_status"] for r in rows
             if r["kind"] == "vesting" and r["due_date"] is not None}  # fmt: skip
    window = portfolio.due(engine, date(1990, 1, 1), date(2100, 1, 1), date(2100, 1, 1))
    listed = {(r["agreement"], r["kind"], r["item"], r["date"]) for r in window if open_on_its_day(r, fixed)}
    assert listed == planned
    kinds = {k for _, k, _, _ in planned}
    assert kinds == set(portfolio.DUE_KINDS), kinds


def test_the_calendar_feed_lists_what_falls_due_on_what_is_known(resigning: Obligations) -> None:
    entries = portfolio.dated_runs(resigning.log.engine, D("2026-12-01"), A, start=D("2026-11-25"))
    assert {(i.item_id, i.due_date.isoformat() if i.due_date else None) for _, i, _ in entries} == {
        ("resignation_notice_period", "2026-12-02"),
        ("acceleration", "2026-12-02"),
        ("final_prorated_salary", "2026-12-04"),
        ("lump_sum_5_1a", "2026-12-07"),
        ("health_continuation_period", "2027-06-02"),
    }
    window = {r["item"] for r in portfolio.due(resigning.log.engine, D("2026-11-25"), D("2099-12-31"), D("2026-12-01"))}
    assert window == {i.item_id for _, i, _ in entries}


def test_due_on_the_command_line_defaults_to_the_next_thirty_days(
    resigning: Obligations, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def due(*args: str) -> list[tuple[str, str]]:
        capsys.readouterr()
        assert main(["--database", database_url, "--config-dir", str(CONFIG), "due", *args, "--json"]) == 0
        return [(r["item"], r["date"]) for r in json.loads(capsys.readouterr().out)]

    assert due("--as-of", "2026-12-01") == [
        ("resignation_notice_period", "2026-12-02"),
        ("acceleration", "2026-12-02"),
        ("final_prorated_salary", "2026-12-04"),
        ("lump_sum_5_1a", "2026-12-07"),
    ]
    # The window's last day is --from + 30: the lump sum due 12-07 is in from 11-07, not from 11-06.
    assert ("lump_sum_5_1a", "2026-12-07") in due("--as-of", "2026-12-01", "--from", "2026-11-07")
    assert ("lump_sum_5_1a", "2026-12-07") not in due("--as-of", "2026-12-01", "--from", "2026-11-06")
    assert main(["--database", database_url, "--config-dir", str(CONFIG), "due", "--from", "2026-12-02",
                 "--to", "2026-12-01"]) == 2  # fmt: skip
