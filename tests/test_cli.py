"""The command line end to end, on SQLite and PostgreSQL: the example reports, bad input, concurrency."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from helpers import CONFIG, LETTER, ROOT, ev, start, strip_free_text, write_jsonl
from obligations.interfaces.cli import main

EXAMPLE = json.loads((Path(__file__).parent / "example-status.json").read_text())


def run(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> tuple[int, str, str]:
    code = main(["--database", db, "--config-dir", str(CONFIG), *args])
    out, err = capsys.readouterr()
    return code, out, err


def history(capsys: pytest.CaptureFixture[str], db: str, agreement: str) -> list[dict[str, Any]]:
    code, out, err = run(capsys, db, "history", agreement, "--json")
    assert code == 0, err
    rows: list[dict[str, Any]] = json.loads(out)
    return rows


@pytest.fixture
def example(tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    path = write_jsonl(tmp_path / "example.jsonl", EXAMPLE["events"])
    code, out, err = run(
        capsys,
        database_url,
        "import",
        str(path),
        "--agreement",
        "example-vp",
        "--terms",
        "valence-2004",
        "--by",
        "tester",
    )
    assert code == 0, err
    assert "11 agreement fact(s) and 1 company fact(s)" in out
    return database_url


def test_status_reproduces_the_three_example_reports(example: str, capsys: pytest.CaptureFixture[str]) -> None:
    dates = [r["as_of"] for r in EXAMPLE["reports"]]
    code, out, err = run(capsys, example, "status", "example-vp", *sum((["--as-of", d] for d in dates), []), "--json")
    assert code == 0, err
    got = json.loads(out)
    assert [strip_free_text(r) for r in got] == [strip_free_text(r) for r in EXAMPLE["reports"]]
    assert all(set(r) == set(e) for r, e in zip(got, EXAMPLE["reports"], strict=True))


def test_single_date_prints_one_object_and_readable_report(example: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, example, "status", "example-vp", "--as-of", "2006-02-20", "--json")
    assert code == 0 and json.loads(out)["as_of"] == "2006-02-20"
    code, out, _ = run(capsys, example, "status", "example-vp", "--as-of", "2006-02-20")
    assert code == 0 and "lump_sum_5_1a" in out and "resignation for good reason" in out


def test_history_lists_facts_with_recorder_and_company_stream(example: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows = history(capsys, example, "example-vp")
    assert len(rows) == 12
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    assert {r["recorded_by"] for r in rows} == {"tester"}
    price = next(r for r in rows if r["type"] == "ClosingPriceRecorded")
    assert price["stream"] == "company" and price["id"].startswith("company:valence#")


def test_agreements_lists_status(example: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, example, "agreements", "--json", "--as-of", "2006-01-20")
    assert code == 0
    assert json.loads(out) == [
        {
            "agreement": "example-vp",
            "company": "valence",
            "terms": "valence-2004",
            "facts": 12,
            "name": None,  # who the employee is: no PersonDetailsRecorded in this life
            "work_email": None,
            "title": None,
            "department": None,
            "manager": None,
            "employment_status": "resignation_notice_period",
            "termination_date": None,
            "overdue": 0,  # payments and obligations past due, unpaid or unfulfilled
        }
    ]


def test_company_facts_apply_to_every_agreement_of_the_company(
    example: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    other = write_jsonl(tmp_path / "other.jsonl", [start("2005-03-07")])
    assert run(capsys, example, "import", str(other), "--agreement", "second", "--terms", "valence-2004")[0] == 0
    code, out, _ = run(capsys, example, "status", "second", "--as-of", "2005-04-01", "--json")
    assert json.loads(out)["exercise_price"]["exercise_price"] == "3.15"
    merger = json.dumps({"counterparty": "X", "company_shareholders_voting_pct_after": 40})
    assert (
        run(capsys, example, "record", "second", "MergerConsummated", "--date", "2005-06-01", "--data", merger)[0] == 0
    )
    code, out, _ = run(capsys, example, "status", "example-vp", "--as-of", "2005-06-01", "--json")
    assert json.loads(out)["change_of_control"]["first_date"] == "2005-06-01"


BAD_LINES: list[tuple[str, dict[str, Any], str]] = [
    ("unknown type", ev("Promoted", "2005-06-01"), "unknown event type"),
    ("unknown field", ev("I9Submitted", "2005-03-08", documentation_satisfactory=True, extra=1), "data.extra"),
    (
        "missing field",
        ev("BreachNoticeReceived", "2005-06-01", notice_id="N", sent_date="2005-06-01", provision="x"),
        "data.material",
    ),
    ("impossible date", ev("BonusProgramFinalized", "2005-02-30"), "not a calendar date"),
    ("malformed date", ev("BonusProgramFinalized", "1/3/2005"), "YYYY-MM-DD"),
    ("before start", ev("I9Submitted", "2005-03-01", documentation_satisfactory=True), "before EmploymentStarted"),
    ("second start", start("2005-04-07"), "second EmploymentStarted"),
    (
        "requested before notice",
        ev(
            "ResignationNoticeGiven",
            "2005-06-10",
            sent_date="2005-06-09",
            requested_effective_date="2005-06-01",
            good_reason_grounds_claimed=[],
        ),
        "requested_effective_date",
    ),
    (
        "pct above 100",
        ev("MergerConsummated", "2005-06-01", counterparty="X", company_shareholders_voting_pct_after=100.5),
        "less than or equal to 100",
    ),
    (
        "fraction zero",
        ev("AssetTransferConsummated", "2005-06-01", series_id="s", kind="sale", fraction_of_assets=0),
        "greater than 0",
    ),
    (
        "fraction above one",
        ev("AssetTransferConsummated", "2005-06-01", series_id="s", kind="sale", fraction_of_assets="1.01"),
        "less than or equal to 1",
    ),
    ("cure of unknown notice", ev("NeglectCured", "2005-06-01", notice_id="nope"), "notice_id"),
    (
        "payment of unknown obligation",
        ev("PaymentMade", "2005-06-01", obligation="lump_sum_5_1a", amount=1),
        "no payment 'lump_sum_5_1a'",
    ),
    (
        "fact after termination",
        ev("SalaryChanged", "2006-03-01", new_annual_rate=1, amendment=None),
        "after the Termination Date",
    ),
]


@pytest.mark.parametrize(("case", "bad", "message"), BAD_LINES, ids=[c[0] for c in BAD_LINES])
def test_bad_line_refuses_the_whole_batch(
    example: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str, bad: dict[str, Any], message: str
) -> None:
    before = history(capsys, example, "example-vp")
    good = ev(
        "ExpenseSubmitted", "2005-05-01", expense_id="E1", amount="10.00", incurred_date="2005-04-30", documented=True
    )
    path = write_jsonl(tmp_path / "bad.jsonl", [good, bad])
    code, out, err = run(capsys, example, "import", str(path), "--agreement", "example-vp")
    assert code == 2, (out, err)
    assert "line 2" in err and message in err and "Traceback" not in err
    assert history(capsys, example, "example-vp") == before


def test_corrupt_json_line_is_named(example: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "corrupt.jsonl"
    path.write_text(json.dumps(ev("BonusProgramFinalized", "2005-04-01")) + '\n{"type": oops\n')
    code, _, err = run(capsys, example, "import", str(path), "--agreement", "example-vp")
    assert code == 2 and "line 2" in err and "corrupt JSON" in err


def test_unknown_agreement_and_terms(example: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "s.jsonl", [start()])
    code, _, err = run(capsys, example, "import", str(path), "--agreement", "new-one")
    assert code == 2 and "unknown agreement 'new-one'" in err and "--terms" in err
    code, _, err = run(capsys, example, "import", str(path), "--agreement", "new-one", "--terms", "valence-1999")
    assert code == 2 and "unknown terms key" in err
    code, _, err = run(capsys, example, "status", "nobody", "--as-of", "2006-01-01")
    assert code == 2 and "unknown agreement" in err


def test_misspelt_terms_file_is_refused(example: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad-terms.toml"
    bad.write_text(LETTER.read_text().replace("lump_sum =", "lump_summ ="))  # the letter form's own key
    path = write_jsonl(tmp_path / "s.jsonl", [start()])
    code, _, err = run(capsys, example, "import", str(path), "--agreement", "x", "--terms", str(bad))
    assert code == 2 and "bad-terms.toml" in err and "section_5_1.lump_summ" in err and "unknown key" in err


def test_record_one_fact_and_usage_errors(example: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        example,
        "record",
        "example-vp",
        "BreachCured",
        "--date",
        "2005-11-20",
        "--data",
        '{"notice_id": "N-1"}',
        "--by",
        "hr@valence",
        "--source",
        "letter 17",
    )
    assert code == 0, out
    last = [r for r in history(capsys, example, "example-vp") if r["type"] == "BreachCured"][0]
    assert last["recorded_by"] == "hr@valence" and last["source"] == "letter 17"
    assert run(capsys, example, "record", "example-vp", "BreachCured", "--date", "2005-13-01")[0] == 2
    assert (
        run(capsys, example, "record", "example-vp", "BreachCured", "--date", "2005-11-21", "--data", "{notice")[0] == 2
    )
    assert run(capsys, example, "status", "example-vp", "--as-of", "2005-02-30")[0] == 2  # no such day


def test_concurrent_writers_lose_no_fact(example: str, capsys: pytest.CaptureFixture[str]) -> None:
    from obligations.bootstrap import build
    from obligations.domain.input import parse_fact
    from obligations.settings import Settings

    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            service = build(Settings.load(example, str(CONFIG)))
            for k in range(5):
                fact = parse_fact(
                    ev(
                        "ExpenseSubmitted",
                        "2005-05-01",
                        expense_id=f"w{n}-{k}",
                        amount="1",
                        incurred_date="2005-05-01",
                        documented=True,
                    )
                )
                service.record("example-vp", [fact], f"writer-{n}")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    ids = [r["data"]["expense_id"] for r in history(capsys, example, "example-vp") if r["type"] == "ExpenseSubmitted"]
    assert sorted(ids) == sorted(f"w{n}-{k}" for n in range(4) for k in range(5))


def test_console_script_exit_codes(tmp_path: Path) -> None:
    import subprocess
    import sys

    exe = Path(sys.executable).parent / "obligations"
    db = f"sqlite:///{tmp_path / 'x.db'}"
    done = subprocess.run(
        [str(exe), "--database", db, "status", "nobody", "--as-of", "2006-01-01"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 2 and "no event store" in done.stderr and "Traceback" not in done.stderr


def test_import_accepts_a_utf8_byte_order_mark(tmp_path: Path, database_url: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """Spreadsheet programs and some HR systems write a BOM first (issue 14): one file and a portfolio."""
    one = tmp_path / "one.jsonl"
    one.write_bytes(b"\xef\xbb\xbf" + (json.dumps(start("2004-12-13")) + "\n").encode())
    code, out, err = run(capsys, database_url, "import", str(one), "--agreement", "dean", "--terms", "valence-2004")
    assert code == 0, err
    line = {"agreement": "ann", "terms": "valence-2004", **start("2005-01-10")}
    many = tmp_path / "many.jsonl"
    many.write_bytes(b"\xef\xbb\xbf" + (json.dumps(line) + "\n").encode())
    code, out, err = run(capsys, database_url, "import", str(many))
    assert code == 0 and "1 agreement(s)" in out, err
    # A BOM inside the file is not a BOM: that line is refused, naming it, and nothing is recorded.
    bad = tmp_path / "bad.jsonl"
    other = {"agreement": "bob", "terms": "valence-2004", **start("2005-01-10")}
    bad.write_bytes((json.dumps(other) + "\n").encode() + b"\xef\xbb\xbf" + (json.dumps(other) + "\n").encode())
    code, _, err = run(capsys, database_url, "import", str(bad))
    assert code == 2 and "line 2" in err
    code, _, err = run(capsys, database_url, "status", "bob", "--as-of", "2005-02-01")
    assert code != 0 and "bob" in err
