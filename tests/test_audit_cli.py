"""what-if, explain, corrections and the audit export through the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import gc
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from helpers import CONFIG, ROOT
from obligations.interfaces.cli import main

LIFE = ROOT / "examples" / "valence-vp-life.jsonl"


def run(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> tuple[int, str, str]:
    code = main(["--database", db, "--config-dir", str(CONFIG), *args])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> str:
    code, out, err = run(capsys, db, *args)
    assert code == 0, err
    return out


@pytest.fixture
def life(database_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    ok(capsys, database_url, "import", str(LIFE), "--agreement", "dean", "--terms", "valence-2004", "--by", "hr")
    return database_url


def snapshot(url: str) -> Any:
    """Every byte of a SQLite store (the database file and its write-ahead log; the -shm file is SQLite's
    shared-memory index, which every reader writes to), or every row of every PostgreSQL table."""
    if url.startswith("sqlite"):
        # A command's last SQLite connection checkpoints the write-ahead log into the file (and removes the log)
        # when it is collected: collect them first, so no checkpoint lands between two snapshots (one did, now
        # and then); whatever a command wrote is then in the file itself.
        gc.collect()
        db = Path(url.removeprefix("sqlite:///"))
        files = [p for p in sorted(db.parent.iterdir()) if p.name.startswith(db.name) and not p.name.endswith("-shm")]
        assert db in files
        return {p.name: p.read_bytes() for p in files}
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            out = {}
            for table in sorted(inspect(conn).get_table_names()):
                rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
                out[table] = sorted(repr(tuple(r)) for r in rows)
            return out
    finally:
        engine.dispose()


def test_what_if_answers_and_leaves_the_store_byte_for_byte_unchanged(
    life: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """'If we terminate him without cause on 1 May 2006, what do we owe and when?'"""
    before = snapshot(life)
    fact = {"type": "EmploymentTerminatedByCompany", "date": "2006-05-01", "data": {"stated_ground": "without_cause"}}
    out = ok(capsys, life, "what-if", "dean", "--as-of", "2006-05-10", "--fact", json.dumps(fact), "--json")
    answer = json.loads(out)
    assert snapshot(life) == before
    changes = {(c["section"], c.get("item")): c for c in answer["diff"]}
    lump = changes[("payments", "lump_sum_5_1a")]
    assert lump["change"] == "appears" and lump["after"]["due_date"] == "2006-05-06"
    assert lump["after"]["amount"] == "100000.00" and lump["after"]["status"] == "overdue"
    assert changes[("payments", "final_prorated_salary")]["change"] == "appears"
    employment = changes[("employment", None)]["fields"]
    assert employment["status"] == ["active", "terminated"]
    assert employment["termination_type"] == [None, "termination_without_good_cause"]
    assert changes[("options", None)]["fields"]["acceleration_date"] == [None, "2006-05-01"]
    assert answer["what_if"]["options"]["vested"] == 220000
    assert answer["actual"] == json.loads(ok(capsys, life, "status", "dean", "--as-of", "2006-05-10", "--json"))
    # The readable form, and again nothing changed.
    text_out = ok(capsys, life, "what-if", "dean", "--as-of", "2006-05-10", "--fact", json.dumps(fact))
    assert "nothing recorded" in text_out and "lump_sum_5_1a" in text_out
    assert snapshot(life) == before


def test_what_if_a_resignation_after_the_merger(life: str, capsys: pytest.CaptureFixture[str]) -> None:
    """'If he resigns on 30 days notice after our merger, is it for Good Reason, and what vests?'"""
    notice = {
        "type": "ResignationNoticeGiven",
        "date": "2006-10-02",
        "data": {"sent_date": "2006-10-02", "good_reason_grounds_claimed": ["5.4(e)"]},
    }
    out = ok(capsys, life, "what-if", "dean", "--as-of", "2006-10-20", "--as-of", "2006-11-02", "--fact",
             json.dumps(notice), "--json")  # fmt: skip
    during, after = json.loads(out)
    employment = during["what_if"]["employment"]
    assert employment["status"] == "resignation_notice_period"
    assert employment["pending_termination_type"] == "resignation_for_good_reason"
    assert employment["pending_termination_date"] == "2006-11-01"
    assert "5.4(e)" in employment["grounds"]
    assert after["what_if"]["employment"]["termination_type"] == "resignation_for_good_reason"
    assert after["what_if"]["options"]["vested"] == 220000 and after["what_if"]["options"]["forfeited"] == 0


def test_what_if_refuses_facts_the_history_would_refuse(life: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(life)
    code, _, err = run(capsys, life, "what-if", "dean", "--fact", '{"type": "NeglectCured", "date": "2006-01-01", '
                       '"data": {"notice_id": "none"}}', "--fact", "{nope")  # fmt: skip
    assert code == 2 and "--fact 2: corrupt JSON" in err
    code, _, err = run(capsys, life, "what-if", "dean", "--fact",
                       '{"type": "NeglectCured", "date": "2006-01-01", "data": {"notice_id": "none"}}')  # fmt: skip
    assert code == 2 and "data.notice_id" in err and "no NeglectNoticeReceived" in err
    assert snapshot(life) == before


def test_retraction_from_the_command_line_and_the_audit_export(
    life: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = json.loads(ok(capsys, life, "history", "dean", "--format", "json"))
    salary = next(r for r in rows if r["type"] == "SalaryChanged")
    recorded_before = rows[-1]["recorded_at"]
    ok(capsys, life, "record", "dean", "FactCorrected", "--by", "payroll", "--source", "memo 2006-01-20", "--data",
       json.dumps({"fact_id": salary["id"], "reason": "the cut was 8%, not 10.5%", "replacement": {
           "type": "SalaryChanged", "date": "2006-01-16",
           "data": {"new_annual_rate": "184000", "amendment": None}}}))  # fmt: skip
    out = tmp_path / "dean.csv"
    ok(capsys, life, "history", "dean", "--format", "csv", "--out", str(out))
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    by_id = {r["id"]: r for r in table}
    assert by_id[salary["id"]]["state"] == "corrected"
    correction = by_id[by_id[salary["id"]]["corrected_by"]]
    assert correction["type"] == "FactCorrected" and correction["corrects"] == salary["id"]
    assert correction["recorded_by"] == "payroll" and correction["source"] == "memo 2006-01-20"
    assert correction["reason"] == "the cut was 8%, not 10.5%"
    assert json.loads(correction["data"])["replacement"]["data"]["new_annual_rate"] == "184000"
    assert all(r["recorded_at"] and r["recorded_by"] for r in table)
    # As known before the correction: the original alone, in effect; the 5.4(c) ground stood then, not now.
    old = json.loads(ok(capsys, life, "history", "dean", "--json", "--as-known-at", recorded_before))
    assert [r["state"] for r in old] == ["in_effect"] * len(old) and len(old) == len(table) - 1
    then = json.loads(ok(capsys, life, "status", "dean", "--as-of", "2006-02-01", "--as-known-at", recorded_before,
                         "--json"))  # fmt: skip
    now = json.loads(ok(capsys, life, "status", "dean", "--as-of", "2006-02-01", "--json"))
    assert then["grounds"]["good_reason_available"] == ["5.4(c)"] and now["grounds"]["good_reason_available"] == []
    # The company export: the company's facts and the agreement's, in recording order.
    company = json.loads(ok(capsys, life, "history", "--company", "valence", "--format", "json"))
    assert {r["agreement"] for r in company} == {None, "dean"}
    assert [r["recorded_at"] for r in company] == sorted(r["recorded_at"] for r in company)
    assert sum(r["type"] == "FactCorrected" for r in company) == 1
    company_csv = ok(capsys, life, "history", "--company", "valence", "--format", "csv")
    assert company_csv.splitlines()[0].startswith("agreement,id,stream,type,date,recorded_at,recorded_by")
    readable = ok(capsys, life, "history", "dean")
    assert "corrects" in readable and "corrected by" in readable
    code, _, err = run(capsys, life, "history")
    assert code == 2 and "AGREEMENT_ID or --company" in err
    code, _, err = run(capsys, life, "status", "dean", "--as-of", "2006-02-01", "--as-known-at", "yesterday")
    assert code == 2 and "ISO instant" in err


def test_explain_from_the_command_line(life: str, capsys: pytest.CaptureFixture[str]) -> None:
    x = json.loads(ok(capsys, life, "explain", "dean", "lump_sum_5_1a", "--as-of", "2006-09-30", "--json"))
    history = {r["id"]: r for r in json.loads(ok(capsys, life, "history", "dean", "--json"))}
    merger = next(i for i, r in history.items() if r["type"] == "MergerConsummated")
    start = next(i for i, r in history.items() if r["type"] == "EmploymentStarted")
    assert [f["id"] for f in x["facts"]] == [start, merger]
    assert x["facts"][1]["source"] == history[merger]["source"] and x["facts"][1]["recorded_by"] == "hr"
    assert "§5.1(a)" in x["clauses"]
    assert {"I-01", "I-04", "I-07"} <= {i["id"] for i in x["interpretations"]}
    window = next(i for i in x["interpretations"] if i["setting"] == "window_inclusive_end")
    assert window["value"] is False and "valence-2004.toml" in window["configured_in"]
    assert any("2006-09-18 + 5 days = 2006-09-23" in s for s in x["steps"])
    readable = ok(capsys, life, "explain", "dean", "lump_sum_5_1a", "--as-of", "2006-09-30")
    assert "Facts it rests on" in readable and merger in readable
    code, _, err = run(capsys, life, "explain", "dean", "nothing", "--as-of", "2006-09-30")
    assert code == 2 and "no item 'nothing'" in err and "lump_sum_5_1a" in err


def test_what_if_errors_name_the_option_not_a_line() -> None:
    from obligations.interfaces.audit_cli import _by_option

    assert _by_option("line 2, field date: the deadline 2005-03-31 passed") == (
        "--fact 2, field date: the deadline 2005-03-31 passed"
    )
