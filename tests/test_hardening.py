"""Issue 12, the rest: one id rule everywhere, CSV cells that stay text, channels that fail alone and leak no
secret, encryption at rest that every command reads through, exact payments, and the smaller findings."""

from __future__ import annotations

import csv
import io
import json
import time
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from helpers import CONFIG, LETTER, ROOT, ev, start, write_jsonl
from obligations.alerts.channels import BrokenSender, header_value, open_senders, redacted
from obligations.alerts.message import Message
from obligations.alerts.policy import Dispatch, LogChannel, PartyRoute, Policy, SmtpChannel, WebhookChannel
from obligations.application import tokens
from obligations.domain.errors import TermsError
from obligations.interfaces.cli import main
from obligations.interfaces.export import history_csv
from obligations.interfaces.http.app import create_app
from obligations.settings import Settings
from obligations.terms.loader import terms_from_text
from obligations.terms.models import AllocationType
from receivers import HOOK_SECRET, FakeClock, WebhookReceiver, at
from test_alerts import first_day, open_alerts, record


def run(capsys: pytest.CaptureFixture[str], db: str, *args: str, config: Path = CONFIG) -> tuple[int, str, str]:
    code = main(["--database", db, "--config-dir", str(config), *args])
    out, err = capsys.readouterr()
    return code, out, err


# -- 12. ids ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["", "a/b", "x" * 5000, "a\r\nb", "company:valence", "-dash", "a b", "ü"])
def test_one_id_rule_in_the_cli_the_portfolio_import_and_http(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    path = write_jsonl(tmp_path / "one.jsonl", [start()])
    code, _, err = run(capsys, db, "import", str(path), "--agreement", bad, "--terms", "valence-2004")
    assert code == 2, err
    portfolio = write_jsonl(tmp_path / "many.jsonl", [{"agreement": bad, "terms": "valence-2004", **start()}])
    code, _, err = run(capsys, db, "import", str(portfolio))
    assert code == 2 and "line 1" in err, err
    code, out, err = run(capsys, db, "agreements", "--json")
    assert code == 0 and json.loads(out) == []


@pytest.mark.parametrize(("option", "value"), [("--by", "hr\nadmin"), ("--by", "x" * 501), ("--source", "memo\x00")])
def test_who_records_and_the_source_are_one_line_of_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    path = write_jsonl(tmp_path / "one.jsonl", [start()])
    code, _, err = run(capsys, db, "import", str(path), "--agreement", "a1", "--terms", "valence-2004", option, value)
    assert code == 2 and option.strip("-") in err, err


def test_fact_ids_of_an_agreement_and_a_company_can_never_collide(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'company:valence' is refused as an agreement id: ':' is not in the rule, so '<agreement>#n' and
    'company:<c>#n' are disjoint."""
    db = f"sqlite:///{tmp_path / 'e.db'}"
    path = write_jsonl(tmp_path / "one.jsonl", [start()])
    code, _, err = run(capsys, db, "import", str(path), "--agreement", "company:valence", "--terms", "valence-2004")
    assert code == 2 and "letters, digits" in err


# -- 8. CSV ---------------------------------------------------------------------------------------------------------


def test_csv_cells_that_would_start_a_formula_are_kept_as_text() -> None:
    rows = [
        {"id": "a#1", "type": "FactRetracted", "date": "2006-01-01", "recorded_at": "2026-01-01T00:00:00+00:00",
         "recorded_by": "=cmd|' /C calc'!A0", "source": "+SUM(1,2)", "state": "correction", "corrects": "a#0",
         "stream": "agreement", "data": {"fact_id": "a#0", "reason": "@HYPERLINK(\"http://x\")"}},
        {"id": "a#2", "type": "SalaryPaid", "date": "2006-01-02", "recorded_at": "2026-01-01T00:00:00+00:00",
         "recorded_by": "-2+3", "source": "\t=1", "state": "in_effect", "stream": "agreement", "data": {}},
    ]  # fmt: skip
    parsed = list(csv.DictReader(io.StringIO(history_csv(rows, "a"))))
    cells = [parsed[0]["recorded_by"], parsed[0]["source"], parsed[0]["reason"], parsed[1]["recorded_by"],
             parsed[1]["source"]]  # fmt: skip
    assert all(c.startswith("'") for c in cells), cells
    assert parsed[0]["recorded_by"] == "'=cmd|' /C calc'!A0" and parsed[1]["date"] == "2006-01-02"


# -- 9 and 10. channels -------------------------------------------------------------------------------------------


def test_header_values_lose_line_breaks() -> None:
    assert header_value("due\r\nBcc: victim@example.com") == "due  Bcc: victim@example.com"


def test_channel_configuration_errors_belong_to_their_channel_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UNSET_SECRET", raising=False)
    monkeypatch.setenv("WEAK_SECRET", "s3cret")
    channels: dict[str, Any] = {
        "log": LogChannel(type="log", path="-"),
        "clear": SmtpChannel(type="smtp", host="127.0.0.1", sender="a@b.test", username="u", password_env="P"),
        "nopass": SmtpChannel(
            type="smtp", host="127.0.0.1", sender="a@b.test", username="u", starttls=True, password_env="UNSET_SECRET"
        ),  # fmt: skip
        "unsigned": WebhookChannel(type="webhook", url="http://127.0.0.1:9/h"),
        "nosecret": WebhookChannel(type="webhook", url="http://127.0.0.1:9/h", secret_env="UNSET_SECRET"),
        "weak": WebhookChannel(type="webhook", url="http://127.0.0.1:9/h", secret_env="WEAK_SECRET"),
        "on-purpose": WebhookChannel(type="webhook", url="http://127.0.0.1:9/h", unsigned=True),
    }
    senders, errors = open_senders(channels, lambda: 0.0)
    assert set(errors) == {"clear", "nopass", "unsigned", "nosecret", "weak"}
    assert "in clear" in errors["clear"] and "UNSET_SECRET" in errors["nopass"] and "secret_env" in errors["unsigned"]
    assert "whsec_" in errors["weak"]
    assert isinstance(senders["clear"], BrokenSender) and not isinstance(senders["log"], BrokenSender)
    assert not isinstance(senders["on-purpose"], BrokenSender)


def test_alerts_test_on_one_channel_works_while_another_is_misconfigured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    for sub in ("agreements", "companies"):
        (config / sub).mkdir(parents=True)
        for f in (CONFIG / sub).glob("*.toml"):
            (config / sub / f.name).write_text(f.read_text())
    (config / "alerts.toml").write_text(
        '[channels.log]\ntype = "log"\npath = "-"\n\n[channels.hook]\ntype = "webhook"\nurl = "http://127.0.0.1:9/"\n'
        'secret_env = "NOT_SET_ANYWHERE"\n\n[parties.Company]\nchannels = ["log", "hook"]\n'
    )
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    db = f"sqlite:///{tmp_path / 'e.db'}"
    code, _, err = run(capsys, db, "alerts", "test", "--channel", "log", config=config)
    assert code == 0, err
    code, _, err = run(capsys, db, "alerts", "test", "--channel", "hook", config=config)
    assert code == 1 and "NOT_SET_ANYWHERE" in err


def test_the_readme_receiver_verifies_a_real_delivery_and_refuses_a_forged_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    readme = (ROOT / "README.md").read_text()
    snippet = next(b for b in readme.split("```python")[1:] if "standardwebhooks" in b).split("```")[0]
    monkeypatch.setenv("OBLIGATIONS_WEBHOOK_SECRET", HOOK_SECRET)
    monkeypatch.setenv("HOOK_SECRET_R", HOOK_SECRET)
    receiver: dict[str, Any] = {}
    exec(compile(snippet, "README.md", "exec"), receiver)  # the documented receiver, as a reader would copy it
    hook = WebhookReceiver()
    senders, errors = open_senders(
        {"h": WebhookChannel(type="webhook", url=hook.url, secret_env="HOOK_SECRET_R")}, time.time
    )
    try:
        message = Message("k" * 64, "subject", "text", "<p>html</p>", {"key": "k" * 64, "item": "x"})
        assert senders["h"].send(message, ()) == "HTTP 204" and not errors
        hit = hook.first_hit()
        assert receiver["receive"](hit.raw, hit.headers)["item"] == "x"
        assert receiver["receive"](hit.raw, hit.headers) is None  # the same delivery again
        with pytest.raises(Exception, match="signature"):
            receiver["receive"](hit.raw.replace(b'"x"', b'"y"'), hit.headers)
    finally:
        senders["h"].close()
        hook.close()


def test_credentials_in_a_webhook_url_are_redacted() -> None:
    shown = redacted("https://user:pa55@hooks.example.com:8443/path?api_key=SECRET&x=1")
    assert shown == "https://***@hooks.example.com:8443/path?api_key=%2A%2A%2A&x=%2A%2A%2A"
    assert "pa55" not in shown and "SECRET" not in shown


def test_a_failing_reminder_never_aborts_its_batch_and_stored_results_hold_no_credentials(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = WebhookReceiver()
    url = hook.url.replace("http://", "http://alice:pa55w0rd@") + "?api_key=SECRET"
    bad_url = "http://alice:pa55w0rd@127.0.0.1:9/closed?api_key=SECRET"
    monkeypatch.setenv("HOOK_SECRET_X", HOOK_SECRET)
    policy = Policy(
        channels={"hook": WebhookChannel(type="webhook", url=url, secret_env="HOOK_SECRET_X"),
                  "dead": WebhookChannel(type="webhook", url=bad_url, secret_env="HOOK_SECRET_X", timeout_seconds=2)},
        parties={"Company": PartyRoute(channels=("hook", "dead")), "Employee": PartyRoute()},
        dispatch=Dispatch(backoff_seconds=10, expire_after_hours=24 * 365),
    )  # fmt: skip
    clock = FakeClock(at("2004-12-01T12:00:00"))
    a = open_alerts(database_url, tmp_path, clock, policy)
    original = a.dispatcher.senders["hook"].send
    broken_once: list[str] = []

    def flaky(message: Message, recipients: tuple[str, ...]) -> str:
        if not broken_once:  # one reminder hits a bug of a channel (not a DeliveryFailed)
            broken_once.append(message.key)
            raise ValueError("a channel bug")
        return original(message, recipients)

    monkeypatch.setattr(a.dispatcher.senders["hook"], "send", flaky)
    try:
        record(a, *first_day(), terms="valence-2004")
        clock.now = at("2005-01-30T00:00:00")
        tally = a.dispatcher.run_once()
        assert tally.claimed >= 4 and tally.failed == tally.claimed  # "dead" fails every one; none aborts the batch
        delivered = {h.key for h in hook.delivered()}
        assert len(delivered) == tally.claimed - 1 and broken_once[0] not in delivered
        assert all(h.signature_ok for h in hook.delivered())
        with a.obligations.log.engine.connect() as conn:
            stored = " ".join(r for (r,) in conn.execute(text("SELECT result FROM alert_deliveries")))
            reasons = " ".join(r or "" for (r,) in conn.execute(text("SELECT reason FROM alert_outbox")))
        assert "a channel bug" in stored and "pa55w0rd" not in stored + reasons and "SECRET" not in stored + reasons
    finally:
        a.dispatcher.close()
        hook.close()


# -- 11. encryption at rest ---------------------------------------------------------------------------------------


def test_encrypted_events_are_unreadable_in_the_table_and_every_command_reads_them(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, key, _ = run(capsys, database_url, "cipher-key")
    monkeypatch.setenv("OBLIGATIONS_CIPHER_KEY", key.strip())
    life = [start(), ev("ConfidentialityAgreementExecuted", "2004-12-13", version="SECRET-VERSION-7"),
            ev("ExpenseSubmitted", "2005-01-10", expense_id="E1", amount="4321.98", incurred_date="2005-01-05",
               documented=True)]  # fmt: skip
    path = write_jsonl(tmp_path / "life.jsonl", life)
    code, out, err = run(capsys, database_url, "import", str(path), "--agreement", "dean", "--terms", "valence-2004",
                         "--by", "NAME-OF-RECORDER")  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, database_url, "projections", "status", "--json")
    assert json.loads(out)["lag"] == 0 and json.loads(out)["quarantined"] == []
    from obligations.application.store import open_log

    log = open_log(database_url, tmp_path, cipher_key=key.strip())
    with log.engine.connect() as conn:
        states = [bytes(s) for (s,) in conn.execute(text("SELECT state FROM obligations_events"))]
    blob = b"".join(states)
    for secret in (b"SECRET-VERSION-7", b"4321.98", b"NAME-OF-RECORDER", b"2005-01-10", b"valence-2004"):
        assert secret not in blob
    for command in (["status", "dean", "--as-of", "2005-02-01", "--json"], ["history", "dean", "--json"],
                    ["agreements", "--json"], ["due", "--from", "2005-01-01", "--to", "2005-03-01", "--as-of",
                    "2005-01-15"], ["explain", "dean", "expense_E1", "--as-of", "2005-02-01"],
                    ["history", "dean", "--format", "csv", "--as-known-at", "2100-01-01"]):  # fmt: skip
        code, out, err = run(capsys, database_url, *command)
        assert code == 0, (command, err)
    assert "4321.98" in out
    monkeypatch.delenv("OBLIGATIONS_CIPHER_KEY")
    code, out, err = run(capsys, database_url, "status", "dean", "--as-of", "2005-02-01")
    assert code == 1 and "encrypted" in err


# -- 13. exactness ------------------------------------------------------------------------------------------------


def test_a_payment_of_exactly_the_amount_shown_on_its_due_date_settles_every_kind_of_payment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    life = [start(), ev("SalaryChanged", "2005-03-07", new_annual_rate="213457.77", amendment=None),
            ev("HealthCoverageChanged", "2005-03-07", tier="employee_plus_dependents", dependents=2),
            ev("ExpenseSubmitted", "2005-04-01", expense_id="E7", amount="1234.567", incurred_date="2005-03-30",
               documented=True),
            ev("EmploymentTerminatedByCompany", "2005-06-17", stated_ground="without_cause"),
            ev("CarrierContinuationDecision", "2005-06-17", allowed=False,
               cobra_monthly_premium={"employee_only": "333.333", "employee_plus_dependents": "987.6549"}),
            ev("CobraElected", "2005-06-20", tier="employee_plus_dependents")]  # fmt: skip
    path = write_jsonl(tmp_path / "life.jsonl", life)
    assert run(capsys, db, "import", str(path), "--agreement", "dean", "--terms", "valence-2004")[0] == 0
    code, out, err = run(capsys, db, "status", "dean", "--as-of", "2006-01-31", "--json")
    payments = [p for p in json.loads(out)["payments"] if p["status"] != "cancelled"]
    kinds = {p["id"].rstrip("0123456789") for p in payments}
    assert {"final_prorated_salary", "lump_sum_5_1a", "cobra_premium_", "expense_E"} <= kinds, kinds
    paid = [ev("PaymentMade", p["due_date"] or "2005-06-17", obligation=p["id"], amount=p["amount"]) for p in payments]
    assert run(capsys, db, "import", str(write_jsonl(tmp_path / "paid.jsonl", paid)), "--agreement", "dean")[0] == 0
    code, out, err = run(capsys, db, "status", "dean", "--as-of", "2006-01-31", "--json")
    after = {p["id"]: p for p in json.loads(out)["payments"]}
    for p in payments:
        got = after[p["id"]]
        assert (got["status"], got["paid_late"], got["amount"]) == ("paid", False, p["amount"]), got
        assert "flagged" not in got["why"]
    code, out, err = run(capsys, db, "overdue", "--as-of", "2006-01-31", "--json")
    assert [r for r in json.loads(out) if r["kind"] == "payment"] == []


ALLOCATION_TYPES = typing.get_args(AllocationType)


def _config_with(tmp_path: Path, allocation: str, quantity: int) -> Path:
    config = tmp_path / "config"
    for sub in ("agreements", "companies"):
        (config / sub).mkdir(parents=True)
        for f in (CONFIG / sub).glob("*.toml"):
            (config / sub / f.name).write_text(f.read_text())
    terms = config / "agreements" / "valence-2004.toml"
    text_ = terms.read_text().replace('allocation_type = "CUMULATIVE_ROUND_DOWN"', f'allocation_type = "{allocation}"')
    assert allocation in text_
    terms.write_text(text_.replace('quantity = "220000"', f'quantity = "{quantity}"', 1))  # the grant (provisions form)
    return config


@pytest.mark.parametrize("allocation", ALLOCATION_TYPES)
def test_every_allocation_type_reports_explains_shows_and_projects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], allocation: str
) -> None:
    """220,003 options in 16 quarters leave remainders every type allocates its own way (FRACTIONAL: decimals)."""
    config = _config_with(tmp_path, allocation, 220003)
    db = f"sqlite:///{tmp_path / 'e.db'}"
    hire = dict(start(), data={**start()["data"], "options": 220003})
    path = write_jsonl(tmp_path / "life.jsonl", [hire])
    code, _, err = run(capsys, db, "import", str(path), "--agreement", "dean", "--terms", "valence-2004", config=config)
    assert code == 0, err
    day = "2006-06-13"
    code, out, err = run(capsys, db, "status", "dean", "--as-of", day, "--json", config=config)
    assert code == 0, err
    options = json.loads(out)["options"]
    vested = Decimal(str(options["vested"]))
    assert Decimal(str(options["vested"])) + Decimal(str(options["unvested"])) == 220003
    code, out, err = run(capsys, db, "status", "dean", "--as-of", day, config=config)
    assert code == 0 and f"{vested:,f} vested" in out, out
    code, out, err = run(capsys, db, "explain", "dean", "vested", "--as-of", day, config=config)
    assert code == 0 and f"= {vested:,f}" in out, out
    code, out, err = run(capsys, db, "vesting-calendar", "--from", "2004-01-01", "--to", "2010-01-01", "--as-of", day,
                         "--json", config=config)  # fmt: skip
    rows = json.loads(out)
    assert sum(Decimal(str(r["amount"])) for r in rows) == 220003
    assert sum(Decimal(str(r["amount"])) for r in rows if r["status"] == "vested") == vested
    clock = FakeClock(at("2026-11-01T12:00:00"))
    app = create_app(Settings(database_url=db, config_dir=config, workdir=tmp_path), clock)
    token = tokens.create(app.state.engine, "v", "viewer", None, clock())
    with TestClient(app) as client:
        page = client.get(f"/ui/agreements/dean?as_of={day}", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200 and f"{vested:,f}" in page.text


# -- 14. the smaller findings ---------------------------------------------------------------------------------


def test_a_read_command_on_a_missing_store_says_so_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "nowhere" / "e.db"
    for command in (["agreements"], ["status", "dean", "--as-of", "2005-01-01"], ["history", "dean"],
                    ["projections", "status"], ["overdue"]):  # fmt: skip
        code, _, err = run(capsys, f"sqlite:///{db}", *command)
        assert code == 2 and "no event store" in err, (command, err)
    assert not db.parent.exists()


def test_options_and_vesting_quantities_must_agree_in_a_terms_file() -> None:
    text_ = LETTER.read_text().replace("quantity = 220000", "quantity = 1", 1)  # the letter form's [options]
    with pytest.raises(TermsError, match="vesting.quantity|options.quantity"):
        terms_from_text(text_, "x.toml", CONFIG)


def test_the_salary_on_employment_started_is_checked_against_the_terms(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    path = write_jsonl(tmp_path / "one.jsonl", [start(salary="250000")])
    code, _, err = run(capsys, db, "import", str(path), "--agreement", "dean", "--terms", "valence-2004")
    assert code == 2 and "data.annual_base_salary" in err and "200000" in err


def test_what_if_shows_a_change_in_the_amount_paid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    life = [start(), ev("EmploymentTerminatedByCompany", "2005-06-17", stated_ground="without_cause")]
    assert run(capsys, db, "import", str(write_jsonl(tmp_path / "l.jsonl", life)), "--agreement", "dean",
               "--terms", "valence-2004")[0] == 0  # fmt: skip
    partial = json.dumps({"type": "PaymentMade", "date": "2005-06-20",
                          "data": {"obligation": "lump_sum_5_1a", "amount": "1000.00"}})  # fmt: skip
    code, out, err = run(capsys, db, "what-if", "dean", "--as-of", "2005-06-21", "--fact", partial, "--json")
    assert code == 0, err
    answer = json.loads(out)
    diff = (answer[0] if isinstance(answer, list) else answer)["diff"]
    assert {"section": "payments", "item": "lump_sum_5_1a", "change": "changes",
            "fields": {"amount_paid": ["0.00", "1000.00"]}} in diff  # fmt: skip
