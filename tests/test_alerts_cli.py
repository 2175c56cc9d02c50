"""Calendar feeds parsed back, and the `alerts` commands, end to end through the CLI (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from helpers import CONFIG, ROOT
from obligations.interfaces.cli import main

LIFE = ROOT / "examples" / "valence-vp-life.jsonl"


def run(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> tuple[int, str, str]:
    code = main(["--database", db, "--config-dir", str(CONFIG), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def life(database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("OBLIGATIONS_NOW", "2004-12-01T00:00:00+00:00")  # planning starts before the hire
    code, _, err = run(capsys, database_url, "import", str(LIFE), "--agreement", "valence-vp", "--terms",
                       "valence-2004")  # fmt: skip
    assert code == 0, err
    return database_url


def ics(capsys: pytest.CaptureFixture[str], db: str, tmp: Path, *args: str) -> Calendar:
    out = tmp / f"feed-{len(list(tmp.glob('feed-*')))}.ics"
    code, _, err = run(capsys, db, "calendar", *args, "--ics", "--out", str(out))
    assert code == 0, err
    return Calendar.from_ical(out.read_bytes())


def events(cal: Calendar) -> dict[str, Any]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_agreement_feed_has_one_event_per_dated_item_with_clause_why_and_alarms(
    life: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cal = ics(capsys, life, tmp_path, "valence-vp", "--as-of", "2006-09-20")
    got = events(cal)
    code, out, _ = run(capsys, life, "due", "--from", "2004-01-01", "--to", "2010-12-31", "--as-of", "2006-09-20",
                       "--json")  # fmt: skip
    assert code == 0
    lump = got["valence-vp/payment/lump_sum_5_1a@obligations"]
    assert lump.decoded("DTSTART") == date(2006, 9, 23)
    assert lump.decoded("DTEND") == date(2006, 9, 24)
    assert "$100,000.00" in str(lump["SUMMARY"])
    text = str(lump["DESCRIPTION"])
    assert "Clause: §5.1(a)" in text and "fifth day following the Termination Date" in text
    alarms = [a.decoded("TRIGGER") for a in lump.walk("VALARM")]
    assert alarms == [timedelta(days=-7, hours=9), timedelta(days=-1, hours=9), timedelta(hours=9)]
    tranche = got["valence-vp/vesting/installment_4@obligations"]
    assert tranche["SUMMARY"].startswith("✓ ") and not tranche.walk("VALARM"), "vested: nothing to remind"
    dated = {(r["kind"], r["item"], r["date"]) for r in json.loads(out) if r["kind"] != "clock"}
    in_feed = {
        (str(e["CATEGORIES"].cats[0]), str(e["UID"]).split("/")[2].split("@")[0], e.decoded("DTSTART").isoformat())
        for e in got.values()
        if e["CATEGORIES"].cats[0] != "clock"
    }
    assert dated <= in_feed


def test_uids_are_stable_so_a_reimport_updates_rather_than_duplicates(
    life: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    before = events(ics(capsys, life, tmp_path, "valence-vp", "--as-of", "2006-01-01"))
    again = events(ics(capsys, life, tmp_path, "valence-vp", "--as-of", "2006-01-01"))
    after = events(ics(capsys, life, tmp_path, "valence-vp", "--as-of", "2006-09-20"))
    assert before.keys() == again.keys() and len(before) == len(set(before))
    kept = before.keys() & after.keys()
    assert "valence-vp/vesting/installment_5@obligations" in kept
    # A feed lists what falls due on what is known now: the lump sum the recorded termination makes due is in
    # the feed of a date before the termination too, under the same UID.
    assert "valence-vp/payment/lump_sum_5_1a@obligations" in kept
    for uid in kept:
        assert int(after[uid]["SEQUENCE"]) >= int(before[uid]["SEQUENCE"])


def test_portfolio_feed_keeps_to_its_window_and_company(life: str, capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:  # fmt: skip
    cal = ics(capsys, life, tmp_path, "--company", "valence", "--from", "2006-06-01", "--to", "2006-09-30",
              "--as-of", "2006-09-20")  # fmt: skip
    days = sorted(e.decoded("DTSTART") for e in cal.walk("VEVENT"))
    assert days and days[0] >= date(2006, 6, 1) and days[-1] <= date(2006, 9, 30)
    assert ics(capsys, life, tmp_path, "--company", "nobody", "--as-of", "2006-09-20").walk("VEVENT") == []
    code, _, err = run(capsys, life, "calendar", "no-such-agreement", "--ics")
    assert code != 0 and "no-such-agreement" in err


def test_alerts_pending_sent_and_test_commands(
    life: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(capsys, life, "alerts", "pending", "--json")
    pending = json.loads(out)
    assert code == 0 and pending and all(r["state"] == "pending" for r in pending)
    assert pending == sorted(pending, key=lambda r: (r["send_at"], r["key"]))
    code, out, _ = run(capsys, life, "alerts", "pending", "--limit", "1")
    assert f"showing 1 of {len(pending)} reminders" in out
    code, out, _ = run(capsys, life, "alerts", "pending", "--limit", str(len(pending)))
    assert f"{len(pending)} reminder(s)" in out and "showing" not in out
    monkeypatch.setenv("OBLIGATIONS_NOW", "2005-01-06T00:00:00+00:00")  # the bonus program: 7 days before
    code, out, err = run(capsys, life, "alerts", "run", "--once")
    assert code == 0, err
    assert err.count("claimed 1, sent 1") == 1, err  # the tally, once
    logged = [json.loads(x) for x in out.splitlines()]
    assert [x["item_id"] for x in logged] == ["finalize_bonus_program"]
    code, out, _ = run(capsys, life, "alerts", "sent", "--json")
    sent = json.loads(out)
    assert [(r["item_id"], r["offset_days"], r["deliveries"][0]["channel"]) for r in sent] == [
        ("finalize_bonus_program", -7, "log")
    ]
    code, out, err = run(capsys, life, "alerts", "test", "--channel", "log")
    assert code == 0 and json.loads(out)["type"] == "obligations.test"
    code, _, err = run(capsys, life, "alerts", "test", "--channel", "pager")
    assert code == 2 and "no channel 'pager'" in err
