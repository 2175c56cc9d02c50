"""No fact can break the store (issue 12): one canonical form for stored values, refused values named at the
edge, and an agreement whose stored facts no longer read back quarantined without holding up any other."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from helpers import CONFIG, start, write_jsonl
from obligations.application.service import Obligations
from obligations.application.store import open_log
from obligations.domain.aggregates import agreement_uuid
from obligations.interfaces.cli import main


def run(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> tuple[int, str, str]:
    code = main(["--database", db, "--config-dir", str(CONFIG), *args])
    out, err = capsys.readouterr()
    return code, out, err


def hired(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, agreement: str) -> None:
    path = write_jsonl(tmp_path / f"{agreement}.jsonl", [start("2005-01-03")])
    code, _, err = run(capsys, db, "import", str(path), "--agreement", agreement, "--terms", "valence-2004")
    assert code == 0, err


def record(
    capsys: pytest.CaptureFixture[str], db: str, agreement: str, kind: str, day: str, **data: Any
) -> tuple[int, str]:
    code, out, err = run(capsys, db, "record", agreement, kind, "--date", day, "--data", json.dumps(data))
    return code, out + err


@pytest.mark.parametrize(
    ("kind", "data", "field", "rule"),
    [
        (
            "SalaryPaid",
            {"period_start": "2005-01-03", "period_end": "2005-01-16", "amount": "0.0000001"},
            "data.amount",
            "at most 6 decimal places",
        ),
        (
            "SalaryChanged",
            {"new_annual_rate": "99999999999999999999999999999999999", "amendment": None},
            "data.new_annual_rate",
            "below 10^12",
        ),
        (
            "SalaryChanged",
            {"new_annual_rate": "1000000000000", "amendment": None},
            "data.new_annual_rate",
            "below 10^12",
        ),
        ("ConfidentialityAgreementAmended", {"version": "v2\u0000"}, "data.version", "NUL"),
        ("ConfidentialityAgreementAmended", {"version": "v2\nv3"}, "data.version", "U+000A"),
        ("ConfidentialityAgreementAmended", {"version": "\ud800"}, "data.version", "surrogate"),
        ("ConfidentialityAgreementAmended", {"version": "x" * 501}, "data.version", "at most 500"),
        ("VacationTaken", {"hours": "1E-7", "from": "2005-02-01", "to": "2005-02-01"}, "data.hours", "decimal"),
        (
            "SalaryPaid",
            {"period_start": "2005-01-03", "period_end": "2005-01-16", "amount": "\u0661\u0662\u0663"},
            "data.amount",
            "decimal",
        ),
    ],
)
def test_values_outside_the_canonical_form_are_refused_naming_field_and_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, data: dict[str, Any], field: str, rule: str
) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    hired(capsys, db, tmp_path, "a1")
    code, said = record(capsys, db, "a1", kind, "2005-02-01", **data)
    assert code == 2
    assert field in said and rule in said
    assert len(Obligations(open_log(db, tmp_path), CONFIG).facts_of("a1")[2]) == 1


def test_json_numbers_in_exponent_form_are_stored_plain_and_read_back_equal(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    hired(capsys, database_url, tmp_path, "a1")
    lines = [  # JSON numbers as a client may write them: exponent form
        '{"type": "VacationTaken", "date": "2005-02-01", "data": {"hours": 1E-7, "from": "2005-02-01", '
        '"to": "2005-02-01"}}',
        '{"type": "SalaryChanged", "date": "2005-03-01", "data": {"new_annual_rate": 2.1E+5, "amendment": null}}',
        '{"type": "SalaryPaid", "date": "2005-03-15", "data": {"period_start": "2005-03-01", '
        '"period_end": "2005-03-14", "amount": "0.000001"}}',
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines))
    code, _, err = run(capsys, database_url, "import", str(path), "--agreement", "a1")
    assert code == 0, err
    code, out, err = run(capsys, database_url, "history", "a1", "--json")
    assert code == 0, err
    stored = {r["type"]: r["data"] for r in json.loads(out)}
    assert stored["VacationTaken"]["hours"] == "0.0000001"
    assert stored["SalaryChanged"]["new_annual_rate"] == "210000"
    assert stored["SalaryPaid"]["amount"] == "0.000001"
    for command in (["status", "a1", "--as-of", "2005-04-01", "--json"], ["projections", "status", "--json"]):
        code, out, err = run(capsys, database_url, *command)
        assert code == 0, err
    assert json.loads(out)["quarantined"] == []


def test_the_largest_amounts_accepted_report_after_a_termination(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    hired(capsys, db, tmp_path, "a1")
    hired(capsys, db, tmp_path, "a2")
    assert record(capsys, db, "a1", "SalaryChanged", "2005-02-01", new_annual_rate="999999999999.999999",
                  amendment=None)[0] == 0  # fmt: skip
    assert (
        record(capsys, db, "a1", "EmploymentTerminatedByCompany", "2005-06-01", stated_ground="without_cause")[0] == 0
    )
    code, out, err = run(capsys, db, "status", "a1", "--as-of", "2005-07-01", "--json")
    assert code == 0, err
    pay = {p["id"]: p for p in json.loads(out)["payments"]}["final_prorated_salary"]
    assert pay["amount"].endswith(".41") or "." in pay["amount"]
    assert record(capsys, db, "a2", "I9Submitted", "2005-01-04", documentation_satisfactory=True)[0] == 0


def _tamper(url: str, agreement: str, version: int, new_state: Any) -> None:
    """Rewrite one stored event's state in place, as an older version or a damaged disk would have left it."""
    log = open_log(url, Path("."))
    uid = agreement_uuid(agreement)
    key = uid.bytes if log.engine.dialect.name == "sqlite" else uid
    with log.engine.begin() as conn:
        where = "originator_id = :id AND originator_version = :v"
        old = conn.execute(text(f"SELECT state FROM obligations_events WHERE {where}"), {"id": key, "v": version})
        state = bytes(old.scalar_one())
        changed = new_state(state)
        done = conn.execute(text(f"UPDATE obligations_events SET state = :s WHERE {where}"),
                            {"s": changed, "id": key, "v": version})  # fmt: skip
        assert done.rowcount == 1


def _exponent_form(state: bytes) -> bytes:
    return state.replace(b'"amount":"5.00"', b'"amount":"1E-7"').replace(b'"amount": "5.00"', b'"amount": "1E-7"')


def _garbage(state: bytes) -> bytes:
    return b"\xff\xfe not an event \x00"


@pytest.mark.parametrize("damage", [_exponent_form, _garbage], ids=["legacy-value", "undecodable"])
def test_an_unreadable_fact_quarantines_its_agreement_until_it_is_retracted(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str], damage: Any
) -> None:
    db = database_url
    hired(capsys, db, tmp_path, "bad")
    hired(capsys, db, tmp_path, "good")
    code, said = record(capsys, db, "bad", "ExpenseSubmitted", "2005-02-01", expense_id="E1", amount="5.00",
                        incurred_date="2005-01-20", documented=True)  # fmt: skip
    assert code == 0, said
    _tamper(db, "bad", 3, damage)  # version 1 opened the stream, 2 the start, 3 the expense
    # Its own reports name the fact and the way out; its history still lists it.
    code, out, err = run(capsys, db, "status", "bad", "--as-of", "2005-03-01")
    assert code == 1 and "bad#3" in err and "FactRetracted" in err
    code, out, err = run(capsys, db, "history", "bad", "--json")
    assert code == 0, err
    rows = {r["id"]: r for r in json.loads(out)}
    assert "cannot" in rows["bad#3"]["data"]["unreadable"] or "decimal" in rows["bad#3"]["data"]["unreadable"]
    # Writes elsewhere succeed, and the projector quarantines only that agreement.
    code, said = record(capsys, db, "good", "I9Submitted", "2005-01-04", documentation_satisfactory=True)
    assert code == 0, said
    code, out, err = run(capsys, db, "projections", "rebuild")  # reads every stored fact again
    assert code == 0, err
    code, said = record(capsys, db, "good", "ConfidentialityAgreementExecuted", "2005-01-05", version="v1")
    assert code == 0, said
    code, out, err = run(capsys, db, "projections", "status", "--json")
    status = json.loads(out)
    assert status["lag"] == 0
    assert [(q["agreement"], q["fact_id"]) for q in status["quarantined"]] == [("bad", "bad#3")]
    # Any other fact for it is refused, naming the fact to fix; a retraction of that fact lifts the quarantine.
    code, said = record(capsys, db, "bad", "I9Submitted", "2005-01-04", documentation_satisfactory=True)
    assert code == 1 and "bad#3" in said
    code, said = record(capsys, db, "bad", "FactRetracted", "2005-03-01", fact_id="bad#3", reason="damaged")
    assert code == 0, said
    code, out, err = run(capsys, db, "projections", "status", "--json")
    assert json.loads(out)["quarantined"] == []
    code, out, err = run(capsys, db, "status", "bad", "--as-of", "2005-03-01", "--json")
    assert code == 0, err
    assert json.loads(out)["payments"] == []


def test_a_failing_database_is_not_a_quarantine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the agreement's own data quarantines it: an error of the database fails the batch, which is retried."""
    from eventsourcing.persistence import PersistenceError
    from sqlalchemy.exc import OperationalError

    from obligations.domain.input import parse_fact

    svc = Obligations(open_log(f"sqlite:///{tmp_path / 'e.db'}", tmp_path), CONFIG)
    svc.record("a1", [parse_fact(start())], "test", terms="valence-2004")

    def down(*_: Any) -> Any:
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(svc, "_select_streams", down)
    with svc.log.engine.begin() as conn:  # the projector has everything still to do
        conn.execute(text("DELETE FROM rm_items"))
        conn.execute(text("DELETE FROM rm_streams"))
        conn.execute(text("UPDATE projection_positions SET position = 0"))
    with pytest.raises((OperationalError, PersistenceError)):  # eventsourcing wraps it on the way out
        svc.projector.catch_up()
    monkeypatch.undo()
    assert svc.projector.status()["quarantined"] == []
    svc.projector.catch_up()
    assert svc.projector.status()["lag"] == 0
