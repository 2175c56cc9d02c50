"""People, not ids (issue 14): PersonDetailsRecorded says who the employee is (name, work email, title,
department, manager); listings, reports, `due`, calendars, the dashboard and reminders show the name, and the
employee's reminders go to the recorded work email. No obligation depends on it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import icalendar
import pytest

from helpers import CONFIG, ROOT, ev, facts, first_day, start, submitted, valence_terms
from obligations.alerts.policy import Dispatch, PartyRoute, Policy, Recipients, SmtpChannel
from obligations.bootstrap import build_alerts
from obligations.domain.errors import InvalidInputError
from obligations.domain.input import parse_fact
from obligations.interfaces.cli import main
from obligations.rules.agreement import status_report
from obligations.rules.person import person_as_of, person_runs
from obligations.settings import Settings
from receivers import FakeClock, SmtpSink, at, smtp_server

LIFE = ROOT / "examples" / "valence-vp-life.jsonl"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def history(capsys: pytest.CaptureFixture[str], base: list[str], agreement: str) -> list[dict[str, Any]]:
    code, out, _ = run(capsys, *base, "history", agreement, "--json")
    assert code == 0
    rows: list[dict[str, Any]] = json.loads(out)
    return rows


def person(day: str, **data: Any) -> dict[str, Any]:
    return ev("PersonDetailsRecorded", day, **data)


def test_details_take_effect_on_their_date_field_by_field_and_a_correction_replaces_them() -> None:
    known = facts(
        start(),
        person("2004-12-13", name="Dana Roe", title="VP Sales", work_email="dana@valence.test"),
        person("2006-01-01", title="SVP Sales"),
    )
    before = person_as_of(known, date_of("2005-12-31"))
    on = person_as_of(known, date_of("2006-01-01"))
    assert before["title"] == "VP Sales" and on["title"] == "SVP Sales"  # the boundary day, both sides
    assert on["name"] == "Dana Roe" and on["since"] == {"name": "2004-12-13", "work_email": "2004-12-13",
                                                        "title": "2006-01-01"}  # fmt: skip
    assert person_as_of(known, date_of("2004-12-12"))["name"] is None
    assert [d.isoformat() for d, _ in person_runs(known)] == ["2004-12-13", "2006-01-01"]
    corrected = facts(
        start(),
        person("2004-12-13", name="Dana Roe", title="VP Sales", work_email="dana@valence.test"),
        person("2006-01-01", title="SVP Sales"),
        ev("FactCorrected", "2007-01-01", fact_id=known[1].id, reason="typo",
           replacement={"type": "PersonDetailsRecorded", "date": "2004-12-13", "data": {"name": "Dana Rowe"}}),
    )  # fmt: skip
    assert person_as_of(corrected, date_of("2006-06-01"))["name"] == "Dana Rowe"
    assert person_as_of(corrected, date_of("2006-06-01"))["work_email"] is None  # the correction replaced it


def date_of(text: str) -> Any:
    from datetime import date

    return date.fromisoformat(text)


def test_the_report_carries_the_person_only_where_recorded_and_no_obligation_moves() -> None:
    life = [start(), ev("OptionsGranted", "2004-12-13", grant_date="2004-12-13", quantity=220000)]

    def report(events: list[dict[str, Any]], day: str) -> dict[str, Any]:
        return status_report(valence_terms(), facts(*events), date_of(day))

    plain = report(life, "2005-06-01")
    named = report([*life, person("2004-12-13", name="Dana Roe", manager="CEO")], "2005-06-01")
    assert "person" not in plain
    assert named["person"]["name"] == "Dana Roe" and named["person"]["manager"] == "CEO"
    assert {k: v for k, v in named.items() if k != "person"} == plain
    early = report([*life, person("2004-12-13", name="Dana Roe")], "2004-12-01")  # before the first day
    assert early["employment"]["status"] == "not_started" and early["person"]["name"] is None


@pytest.mark.parametrize(
    "data, field, words",
    [
        ({}, None, "give at least one of name, work_email"),
        ({"work_email": "dana at valence"}, "work_email", "must be an email address"),
        ({"work_email": "dana@valence.test, ceo@valence.test"}, "work_email", "must be an email address"),
        ({"work_email": "dana@valence.test\nBcc: x@y.test"}, "work_email", ""),
        ({"name": "Dana\x07"}, "name", ""),
        ({"nickname": "D"}, "nickname", ""),
    ],
)
def test_bad_details_are_refused_naming_the_field(data: dict[str, Any], field: str | None, words: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        parse_fact({"type": "PersonDetailsRecorded", "date": "2004-12-13", "data": data}, 7)
    message = str(refused.value)
    assert "line 7" in message and words in message
    if field:
        assert field in message


def test_people_in_the_listing_status_due_and_calendar(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--database", database_url, "--config-dir", str(CONFIG)]
    assert run(capsys, *base, "import", str(LIFE), "--agreement", "vp", "--terms", "valence-2004")[0] == 0
    assert run(capsys, *base, "import", str(LIFE), "--agreement", "other", "--terms", "valence-2004")[0] == 0
    data = json.dumps({"name": "Dana Roe", "title": "VP Sales", "department": "Sales",
                       "work_email": "dana@valence.test"})  # fmt: skip
    code, out, err = run(capsys, *base, "record", "vp", "PersonDetailsRecorded", "--date", "2004-12-13", "--data", data)
    assert code == 0, err
    code, _, err = run(capsys, *base, "record", "vp", "PersonDetailsRecorded", "--date", "2004-12-13",
                       "--data", '{"work_email": "not an address"}')  # fmt: skip
    assert code == 2 and "work_email" in err and "email address" in err

    code, out, _ = run(capsys, *base, "agreements", "--json", "--search", "ROE", "--as-of", "2005-06-01")
    rows = json.loads(out)
    assert code == 0 and [r["agreement"] for r in rows] == ["vp"] and rows[0]["title"] == "VP Sales"
    code, out, _ = run(capsys, *base, "agreements", "--json", "--as-of", "2005-06-01")
    assert {r["agreement"]: r["name"] for r in json.loads(out)} == {"other": None, "vp": "Dana Roe"}
    code, out, _ = run(capsys, *base, "agreements", "--json", "--search", "nobody", "--as-of", "2005-06-01")
    assert json.loads(out) == []
    code, out, _ = run(capsys, *base, "agreements", "--json", "--status", "not_started", "--as-of", "2004-12-01")
    assert sorted(r["agreement"] for r in json.loads(out)) == ["other", "vp"]
    code, out, _ = run(capsys, *base, "agreements", "--json", "--status", "not_started", "--as-of", "2005-06-01")
    assert json.loads(out) == []
    code, out, _ = run(capsys, *base, "agreements", "--as-of", "2005-06-01")
    assert "Dana Roe" in out and "VP Sales, Sales" in out
    # Something overdue: `other` never submits its I-9 (its life's I9Submitted retracted), `vp` did.
    i9 = next(r for r in history(capsys, base, "other") if r["type"] == "I9Submitted")
    retract = json.dumps({"fact_id": i9["id"], "reason": "never received"})
    assert run(capsys, *base, "record", "other", "FactRetracted", "--data", retract)[0] == 0
    code, out, _ = run(capsys, *base, "agreements", "--json", "--overdue", "--as-of", "2005-06-01")
    assert [(r["agreement"], r["overdue"]) for r in json.loads(out)] == [("other", 1)]
    code, out, _ = run(capsys, *base, "agreements", "--json", "--overdue", "--as-of", "2004-12-16")  # its due day
    assert json.loads(out) == []

    code, out, _ = run(capsys, *base, "status", "vp", "--as-of", "2005-06-01")
    assert "Employee: Dana Roe, VP Sales (Sales), dana@valence.test" in out
    code, out, _ = run(capsys, *base, "status", "vp", "--as-of", "2005-06-01", "--json")
    assert json.loads(out)["person"]["work_email"] == "dana@valence.test"

    code, out, _ = run(capsys, *base, "due", "--from", "2005-12-01", "--to", "2006-03-31", "--as-of", "2005-12-01",
                       "--json")  # fmt: skip
    due = json.loads(out)
    assert due and all(r.get("employee") == ("Dana Roe" if r["agreement"] == "vp" else None) for r in due)
    code, out, _ = run(capsys, *base, "calendar", "vp", "--as-of", "2005-06-01", "--ics")
    cal = icalendar.Calendar.from_ical(out)
    summaries = [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
    assert summaries and all(s.lstrip("✓ ").startswith("vp (Dana Roe): ") for s in summaries)


def test_the_employee_reminder_goes_to_the_recorded_work_email(database_url: str, tmp_path: Path) -> None:
    sink = SmtpSink()
    server = smtp_server(sink)
    policy = Policy(
        channels={"mail": SmtpChannel(type="smtp", host="127.0.0.1", port=server.port, sender="alerts@o.test")},
        parties={"Company": PartyRoute(channels=("mail",)), "Employee": PartyRoute(channels=("mail",))},
        recipients=Recipients(companies={"valence": ("hr@valence.test",)}),
        dispatch=Dispatch(backoff_seconds=30),
    )
    clock = FakeClock(at("2004-12-01T12:00:00"))
    a = build_alerts(Settings(database_url=database_url, config_dir=CONFIG, workdir=tmp_path), clock, policy)
    try:
        events = first_day(person("2004-12-13", name="Dana Roe", title="VP Sales", work_email="dana@valence.test"))
        a.obligations.record("dean", submitted(events), "test", terms="valence-2004")
        clock.now = at("2004-12-15T15:00:00")
        assert a.dispatcher.run_once().sent == 1
        assert sink.envelopes[0][1] == ["dana@valence.test", "hr@valence.test"]  # the I-9 is the employee's
        mail = sink.messages[0]
        assert "dean (Dana Roe):" in mail["Subject"]
        text = next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
        assert "Employee: Dana Roe, VP Sales" in text
    finally:
        a.dispatcher.close()
        server.stop()


def test_over_http_the_page_the_report_and_due_show_who_it_is(api: Any) -> None:
    fact = {"type": "PersonDetailsRecorded", "date": "2004-12-13",
            "data": {"name": "Dean <b>Smith</b>", "title": "VP Sales", "manager": "CEO"}}  # fmt: skip
    r = api.call("recorder", "POST", "/v1/agreements/dean/facts", json={"facts": [fact]})
    assert r.status_code == 201, r.text
    bad = {**fact, "data": {"work_email": "dean@"}}
    r = api.call("recorder", "POST", "/v1/agreements/dean/facts", json={"facts": [bad]})
    assert r.status_code == 422 and "work_email" in r.text
    r = api.call("viewer", "GET", "/v1/agreements/dean/status?as_of=2026-11-01")
    assert r.json()["person"]["name"] == "Dean <b>Smith</b>" and "person" not in api.call(
        "viewer", "GET", "/v1/agreements/other/status?as_of=2026-11-01").json()  # fmt: skip
    page = api.call("viewer", "GET", "/ui/agreements/dean?as_of=2026-11-01")
    assert page.status_code == 200
    assert "Dean &lt;b&gt;Smith&lt;/b&gt;, VP Sales, manager: CEO" in page.text and "<b>Smith</b>" not in page.text
    feed = api.call("viewer", "GET", "/v1/agreements/dean/calendar.ics?as_of=2026-11-01")
    events = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    assert events and all("dean (Dean <b>Smith</b>): " in str(e["SUMMARY"]) for e in events)
    listed = api.call("viewer", "GET", "/v1/agreements?search=smith&as_of=2026-11-01").json()
    assert [(r["agreement_id"], r["title"]) for r in listed] == [("dean", "VP Sales")]
    everyone = api.call("viewer", "GET", "/v1/agreements").json()
    assert {r["agreement_id"]: r["name"] for r in everyone} == {"dean": "Dean <b>Smith</b>", "other": None}
    mine = api.call("employee", "GET", "/v1/agreements?search=o").json()  # an employee's token reads its own only
    assert [r["agreement_id"] for r in mine] == ["dean"]


def test_payment_balances_count_what_was_paid_by_the_day_on_both_sides_of_a_payment() -> None:
    from obligations.rules.agreement import payment_balances

    end = ev("EmploymentTerminatedByCompany", "2005-05-20", stated_ground="without_cause")
    part = ev("PaymentMade", "2005-05-25", obligation="lump_sum_5_1a", amount="40000.01")
    known = facts(start(), end, part)
    terms = valence_terms()
    before = status_report(terms, known, date_of("2005-05-24"))
    on = status_report(terms, known, date_of("2005-05-25"))
    assert payment_balances(before, known, date_of("2005-05-24"))["lump_sum_5_1a"] == {
        "paid": "0.00", "outstanding": "100000.00"}  # fmt: skip
    assert payment_balances(on, known, date_of("2005-05-25"))["lump_sum_5_1a"] == {
        "paid": "40000.01", "outstanding": "59999.99"}  # fmt: skip
    over = facts(start(), end, {**part, "data": {**part["data"], "amount": "100000.50"}})
    report_over = status_report(terms, over, date_of("2005-06-01"))
    assert payment_balances(report_over, over, date_of("2005-06-01"))["lump_sum_5_1a"]["outstanding"] == "0.00"
