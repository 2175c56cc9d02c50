"""The outbox and the dispatcher on a real store (SQLite and PostgreSQL), delivering to real local servers.

Time is injected (`FakeClock`): tests move it across deadlines without sleeping.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import CONFIG, ev, start
from obligations.alerts.outbox import listing
from obligations.alerts.policy import (
    Dispatch,
    KindPolicy,
    LogChannel,
    PartyRoute,
    Policy,
    Recipients,
    SmtpChannel,
    WebhookChannel,
)
from obligations.bootstrap import Alerts, build_alerts
from obligations.domain.input import parse_fact
from obligations.settings import Settings
from receivers import HOOK_SECRET, FakeClock, SmtpSink, WebhookReceiver, at, smtp_server

AGREEMENT = "dean"


def first_day() -> list[dict[str, Any]]:
    """The hire with the first day's duties met (options granted, confidentiality agreement signed)."""
    return [
        start(),
        ev("OptionsGranted", "2004-12-13", grant_date="2004-12-13", quantity=220000),
        ev("ConfidentialityAgreementExecuted", "2004-12-13", version="2004"),
    ]


def open_alerts(url: str, tmp: Path, clock: FakeClock, policy: Policy) -> Alerts:
    return build_alerts(Settings(database_url=url, config_dir=CONFIG, workdir=tmp), clock, policy)


def record(a: Alerts, *events: dict[str, Any], terms: str | None = None) -> None:
    submitted = [parse_fact(json.loads(json.dumps(e)), n + 1) for n, e in enumerate(events)]
    a.obligations.record(AGREEMENT, submitted, "test", terms=terms)


def log_policy(path: Path, **dispatch: Any) -> Policy:
    return Policy(
        channels={"log": LogChannel(type="log", path=str(path))},
        dispatch=Dispatch(**dispatch),
    )


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def states(a: Alerts) -> dict[tuple[str, str, int], str]:
    rows = listing(a.obligations.log.engine, ("pending", "claimed", "sent", "withdrawn", "expired"))
    return {(r["item_id"], r["due_date"], r["offset_days"]): r["state"] for r in rows}


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    return tmp_path / "reminders.jsonl"


@pytest.fixture
def hired(database_url: str, tmp_path: Path, log_file: Path) -> Iterator[tuple[Alerts, FakeClock]]:
    """Dean hired on Monday 2004-12-13, recorded on 2004-12-01 (planning starts then)."""
    clock = FakeClock(at("2004-12-01T12:00:00"))
    a = open_alerts(database_url, tmp_path, clock, log_policy(log_file))
    record(a, *first_day(), terms="valence-2004")
    yield a, clock
    a.dispatcher.close()


def test_the_i9_reminders_go_out_at_nine_chicago_on_their_days_once_each(hired: tuple[Alerts, FakeClock],
                                                                         log_file: Path) -> None:  # fmt: skip
    a, clock = hired
    i9 = {k: v for k, v in states(a).items() if k[0] == "submit_i9"}
    assert i9 == {("submit_i9", "2004-12-16", o): "pending" for o in (-1, 0, 1, 7)}
    clock.now = at("2004-12-15T14:59:59")  # one second before 09:00 CST on the day before
    assert a.dispatcher.run_once().sent == 0
    clock.now = at("2004-12-15T15:00:00")
    tally = a.dispatcher.run_once()
    assert (tally.sent, tally.late) == (1, 0)
    sent = lines(log_file)
    assert [(s["item_id"], s["offset_days"], s["late"]) for s in sent] == [("submit_i9", -1, False)]
    assert "Clause: §8" not in sent[0]["headline"] and sent[0]["clause"] == "§8" and "2004-12-16" in sent[0]["why"]
    assert a.dispatcher.run_once().sent == 0, "sent once per key"
    clock.now = at("2004-12-16T15:00:00")
    assert a.dispatcher.run_once().sent == 1
    assert states(a)[("submit_i9", "2004-12-16", 0)] == "sent"


def test_a_fact_recorded_late_withdraws_what_should_no_longer_be_sent(hired: tuple[Alerts, FakeClock],
                                                                      log_file: Path) -> None:  # fmt: skip
    a, clock = hired
    clock.now = at("2004-12-16T16:00:00")
    assert a.dispatcher.run_once().sent == 2  # the day before and the day itself
    # Recorded on the 18th, after the day +1 escalation went out: the I-9 was in on the 17th.
    clock.now = at("2004-12-17T16:00:00")
    assert a.dispatcher.run_once().sent == 1
    clock.now = at("2004-12-18T10:00:00")
    record(a, ev("I9Submitted", "2004-12-17", documentation_satisfactory=True))
    got = {k[2]: v for k, v in states(a).items() if k[0] == "submit_i9"}
    assert got == {-1: "sent", 0: "sent", 1: "sent", 7: "withdrawn"}
    clock.now = at("2004-12-30T00:00:00")
    assert a.dispatcher.run_once().sent == 0
    # reminders of one run are delivered concurrently: their lines may come in any order
    assert sorted(x["offset_days"] for x in lines(log_file) if x["item_id"] == "submit_i9") == [-1, 0, 1]


def test_a_cure_recorded_late_withdraws_the_escalation_and_a_retraction_of_payment_replans(
    hired: tuple[Alerts, FakeClock],
) -> None:
    a, clock = hired
    notice = ev("NeglectNoticeReceived", "2005-03-10", notice_id="n1", sent_date="2005-03-10", duties_specified="x",
                cure_demanded=True)  # fmt: skip
    clock.now = at("2005-03-11T00:00:00")
    record(a, ev("I9Submitted", "2004-12-14", documentation_satisfactory=True), notice)
    clock_keys = {k: v for k, v in states(a).items() if k[0].startswith("neglect_cure_period")}
    assert sorted(k[2] for k in clock_keys) == [-7, -1, 0, 1]
    clock.now = at("2005-04-11T00:00:00")  # recorded two days after the deadline, dated on it: cured in time
    record(a, ev("NeglectCured", "2005-04-09", notice_id="n1"))
    got = {k[2]: v for k, v in states(a).items() if k[0].startswith("neglect_cure_period")}
    assert got == {-7: "pending", -1: "pending", 0: "withdrawn", 1: "withdrawn"}


def test_down_for_three_days_every_missed_reminder_goes_out_once_marked_late(database_url: str, tmp_path: Path,
                                                                              log_file: Path) -> None:  # fmt: skip
    clock = FakeClock(at("2005-05-01T00:00:00"))
    a = open_alerts(database_url, tmp_path, clock, log_policy(log_file))
    record(a, *first_day(), ev("I9Submitted", "2004-12-14", documentation_satisfactory=True), terms="valence-2004")
    record(a, ev("EmploymentTerminatedByCompany", "2005-05-20", stated_ground="without_cause"))
    # Lump sum due 2005-05-25; final pay 2005-05-26; first COBRA premium; all pending now.
    clock.now = at("2005-05-23T12:00:00")
    before = a.dispatcher.run_once()
    assert before.late == 0
    clock.now = at("2005-05-26T20:00:00")  # down from the 23rd at noon to the 26th in the evening
    tally = a.dispatcher.run_once()
    sent = lines(log_file)[before.sent :]
    assert tally.sent == len(sent) > 3 and tally.late == tally.sent
    assert all(x["late"] for x in sent)
    lump = sorted(x["offset_days"] for x in sent if x["item_id"] == "lump_sum_5_1a")
    assert lump == [-1, 0, 1]
    assert len({x["key"] for x in sent}) == len(sent)
    assert a.dispatcher.run_once().sent == 0
    assert "LATE" in next(x for x in sent if x["item_id"] == "lump_sum_5_1a")["headline"] or sent[0]["late"]
    a.dispatcher.close()


def test_past_the_limit_a_reminder_is_expired_and_reported_not_sent(hired: tuple[Alerts, FakeClock],
                                                                    log_file: Path) -> None:  # fmt: skip
    a, clock = hired
    clock.now = at("2004-12-29T15:00:01")  # the I-9's day-before reminder is 14 days and a second old: the limit
    tally = a.dispatcher.run_once()
    got = {k[2]: v for k, v in states(a).items() if k[0] == "submit_i9"}
    assert got == {-1: "expired", 0: "sent", 1: "sent", 7: "sent"}
    assert tally.expired >= 1
    expired = listing(a.obligations.log.engine, ("expired",))
    assert any("not delivered within 336 h" in (r["reason"] or "") for r in expired)


def test_webhook_500_then_success_is_retried_with_backoff_and_recorded_once(database_url: str,
                                                                            tmp_path: Path) -> None:  # fmt: skip
    hook = WebhookReceiver(respond=lambda key, n: (500, 0.0) if n <= 2 else (204, 0.0))
    policy = Policy(
        channels={"hook": WebhookChannel(type="webhook", url=hook.url, secret_env="TEST_HOOK_SECRET")},
        parties={"Company": PartyRoute(channels=("hook",)), "Employee": PartyRoute()},
        dispatch=Dispatch(backoff_seconds=60),
    )
    clock = FakeClock(at("2004-12-01T12:00:00"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TEST_HOOK_SECRET", HOOK_SECRET)
        a = open_alerts(database_url, tmp_path, clock, policy)
    try:
        record(a, *first_day(), terms="valence-2004")
        clock.now = at("2004-12-15T15:00:00")
        assert a.dispatcher.run_once().failed == 1
        clock.advance(seconds=59)
        assert a.dispatcher.run_once().claimed == 0, "backoff: not before 60 s"
        clock.advance(seconds=1)
        assert a.dispatcher.run_once().failed == 1
        clock.advance(seconds=119)
        assert a.dispatcher.run_once().claimed == 0, "backoff doubles"
        clock.advance(seconds=1)
        assert a.dispatcher.run_once().sent == 1
        row = listing(a.obligations.log.engine, ("sent",))[0]
        assert [d["ok"] for d in row["deliveries"]] == [False, False, True]
        assert "HTTP 500" in row["deliveries"][0]["result"]
        ok = hook.delivered()
        assert len(ok) == 1 and ok[0].signature_ok and ok[0].key == row["key"] and ok[0].body["key"] == row["key"]
    finally:
        a.dispatcher.close()
        hook.close()


def test_a_hanging_webhook_times_out_and_holds_up_no_other_reminder(database_url: str, tmp_path: Path) -> None:
    stuck: dict[str, str] = {}
    others: set[str] = set()
    others_arrived = threading.Event()
    while_stuck: list[bool] = []

    def respond(key: str, n: int) -> tuple[int, float]:
        stuck.setdefault("key", key)
        if key == stuck["key"] and n == 1:  # hang until the others arrived (a barrier, not a race), then
            while_stuck.append(others_arrived.wait(60))  # outlast the client's timeout
            return 204, 3.0
        others.add(key)
        if len(others) >= 4:
            others_arrived.set()
        return 204, 0.0

    hook = WebhookReceiver(respond=respond)
    policy = Policy(
        channels={"hook": WebhookChannel(type="webhook", url=hook.url, timeout_seconds=2.5, unsigned=True)},
        parties={"Company": PartyRoute(channels=("hook",)), "Employee": PartyRoute()},
        dispatch=Dispatch(backoff_seconds=10, expire_after_hours=24 * 365),
    )
    clock = FakeClock(at("2004-12-01T12:00:00"))
    a = open_alerts(database_url, tmp_path, clock, policy)
    try:
        record(a, *first_day(), terms="valence-2004")
        clock.now = at("2005-01-30T00:00:00")  # several reminders due at once (I-9, bonus program)
        tally = a.dispatcher.run_once()
        assert tally.failed == 1 and tally.sent == tally.claimed - 1 >= 4
        assert while_stuck == [True], "the others were delivered while the stuck one hung, not after it"
        clock.advance(seconds=10)
        assert a.dispatcher.run_once().sent == 1
        assert len({h.key for h in hook.delivered()}) == tally.claimed
    finally:
        a.dispatcher.close()
        hook.close()


def test_email_refused_then_accepted_has_text_and_html_parts(database_url: str, tmp_path: Path) -> None:
    sink = SmtpSink(refuse=1)
    server = smtp_server(sink)
    policy = Policy(
        channels={
            "mail": SmtpChannel(type="smtp", host="127.0.0.1", port=server.port, sender="alerts@obligations.test")
        },
        parties={"Company": PartyRoute(channels=("mail",)), "Employee": PartyRoute(channels=("mail",))},
        recipients=Recipients(companies={"valence": ("hr@valence.test",)}, agreements={AGREEMENT: ("dean@home.test",)}),
        dispatch=Dispatch(backoff_seconds=30),
    )
    clock = FakeClock(at("2004-12-01T12:00:00"))
    a = open_alerts(database_url, tmp_path, clock, policy)
    try:
        record(a, *first_day(), terms="valence-2004")
        clock.now = at("2004-12-15T15:00:00")
        assert a.dispatcher.run_once().failed == 1
        clock.advance(seconds=30)
        assert a.dispatcher.run_once().sent == 1
        assert len(sink.messages) == 1
        mail = sink.messages[0]
        assert sink.envelopes[0][1] == ["dean@home.test", "hr@valence.test"]  # the I-9 is the employee's to do
        assert "submit i9" in mail["Subject"] and mail["X-Obligations-Key"]
        parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in mail.walk() if not p.is_multipart()}
        assert set(parts) == {"text/plain", "text/html"}
        assert "Clause: §8" in parts["text/plain"] and "2004-12-16" in parts["text/plain"]
        assert "<p>Clause: §8</p>" in parts["text/html"]
        row = listing(a.obligations.log.engine, ("sent",))[0]
        assert [d["ok"] for d in row["deliveries"]] == [False, True] and "451" in row["deliveries"][0]["result"]
    finally:
        a.dispatcher.close()
        server.stop()


def test_email_over_starttls_with_login(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ssl
    import subprocess

    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days",
         "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"pw-from-env")

    sink = SmtpSink()
    server = smtp_server(sink, tls_context=context, require_starttls=True, authenticator=authenticator,
                         auth_require_tls=True)  # fmt: skip
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "pw-from-env")
    mail = SmtpChannel(
        type="smtp",
        host="127.0.0.1",
        port=server.port,
        sender="alerts@obligations.test",
        starttls=True,
        ca_file=str(cert),
        username="alerts",
        password_env="TEST_SMTP_PASSWORD",
    )
    policy = Policy(
        channels={"mail": mail},
        parties={"Company": PartyRoute(channels=("mail",)), "Employee": PartyRoute()},
        recipients=Recipients(companies={"valence": ("hr@valence.test",)}),
    )
    clock = FakeClock(at("2004-12-01T12:00:00"))
    a = open_alerts(database_url, tmp_path, clock, policy)
    try:
        record(a, *first_day(), terms="valence-2004")
        clock.now = at("2004-12-15T15:00:00")
        assert a.dispatcher.run_once().sent == 1
        assert logins == [(b"alerts", b"pw-from-env")] and len(sink.messages) == 1
    finally:
        a.dispatcher.close()
        server.stop()


def test_planning_fact_by_fact_ends_where_planning_all_at_once_does(database_url: str, tmp_path: Path) -> None:
    """Each record re-plans the agreement; after the last, the outbox equals a plan made from the whole life."""
    life = [json.loads(x) for x in (CONFIG.parent / "examples" / "valence-vp-life.jsonl").read_text().splitlines()]
    company = {"ClosingPriceRecorded", "MergerConsummated", "AssetTransferConsummated", "BeneficialOwnershipChanged",
               "LiquidationOccurred"}  # fmt: skip
    clock = FakeClock(at("2004-12-01T00:00:00"))
    a = open_alerts(database_url, tmp_path, clock, Policy())
    try:
        bulk = [parse_fact(e, n + 1) for n, e in enumerate(life)]
        a.obligations.record("bulk", bulk, "test", terms="valence-2004")
        own = [e for e in life if e["type"] not in company]  # the company's facts are in its stream already
        for n, e in enumerate(own):
            clock.advance(minutes=1)
            a.obligations.record("step", [parse_fact(e, n + 1)], "test", terms="valence-2004" if n == 0 else None)
        rows = listing(a.obligations.log.engine, ("pending", "withdrawn"))

        def view(agreement: str, state: str) -> set[tuple[Any, ...]]:
            return {(r["kind"], r["item_id"], r["due_date"], r["offset_days"], r["send_at"], r["amount"], r["why"])
                    for r in rows if r["agreement_id"] == agreement and r["state"] == state}  # fmt: skip

        assert view("step", "pending") == view("bulk", "pending") and len(view("bulk", "pending")) > 10
        assert view("step", "withdrawn"), "recording fact by fact planned reminders that later facts withdrew"
    finally:
        a.dispatcher.close()


def test_replan_after_a_policy_change_and_a_rebuild_keep_the_outbox_whole(
    hired: tuple[Alerts, FakeClock], database_url: str, tmp_path: Path, log_file: Path
) -> None:
    a, clock = hired
    before = {k: v for k, v in states(a).items() if v == "pending"}
    a.obligations.projector.rebuild()
    assert {k: v for k, v in states(a).items() if v == "pending"} == before, "a rebuild re-plans the same"
    clock.now = at("2004-12-02T00:00:00")
    fewer = Policy(
        channels={"log": LogChannel(type="log", path=str(log_file))},
        kinds={**Policy().kinds, "obligation": KindPolicy(lead_days=(2,), escalate_days=())},
    )
    b = open_alerts(database_url, tmp_path, clock, fewer)
    try:
        b.obligations.projector.replan()
        i9 = {k[2]: v for k, v in states(b).items() if k[0] == "submit_i9"}
        assert i9 == {-2: "pending", -1: "withdrawn", 0: "withdrawn", 1: "withdrawn", 7: "withdrawn"}
    finally:
        b.dispatcher.close()
