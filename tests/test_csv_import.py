"""CSV import (issue 14): one row per fact, a column per field, for HR systems that export spreadsheets; the
same checks, line-numbered errors and all-or-nothing rule as JSON lines."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from helpers import CONFIG, ROOT
from obligations.domain.csv_facts import read_rows
from obligations.domain.errors import InvalidFactError, InvalidFactsError
from obligations.domain.input import parse_csv
from obligations.interfaces.cli import main

LIFE = [json.loads(x) for x in (ROOT / "examples" / "valence-vp-life.jsonl").read_text().splitlines()]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def cell(value: Any) -> str:
    """How a spreadsheet holds a JSON value."""
    assert not isinstance(value, dict), "nested data has no CSV form"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as a spreadsheet exports it
    if isinstance(value, list):
        return "; ".join(value)
    return "" if value is None else str(value)


def as_csv(path: Path, events: list[dict[str, Any]], *meta: str) -> Path:
    fields = sorted({k for e in events for k in e["data"]})
    with path.open("w", newline="", encoding="utf-8-sig") as handle:  # with a byte-order mark, as Excel writes
        out = csv.writer(handle)
        out.writerow(["type", "date", *meta, *fields])
        for e in events:
            out.writerow(
                [e["type"], e["date"], *(e.get(m, "") for m in meta), *(cell(e["data"].get(f)) for f in fields)]
            )
    return path


def test_a_life_from_a_spreadsheet_reports_exactly_as_from_json_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two stores, the same life: one imported from JSON lines, one from the CSV a spreadsheet would hold."""
    jsonl, sheet = f"sqlite:///{tmp_path / 'j.db'}", f"sqlite:///{tmp_path / 'c.db'}"
    config = ["--config-dir", str(CONFIG)]
    path = as_csv(tmp_path / "life.csv", LIFE, "source")
    assert run(capsys, "--database", jsonl, *config, "import", str(ROOT / "examples" / "valence-vp-life.jsonl"),
               "--agreement", "vp", "--terms", "valence-2004")[0] == 0  # fmt: skip
    code, out, err = run(capsys, "--database", sheet, *config, "import", str(path), "--agreement", "vp",
                         "--terms", "valence-2004")  # fmt: skip
    assert code == 0, err
    assert "recorded 13 agreement fact(s) and 2 company fact(s)" in out
    days = ["2004-12-14", "2005-03-20", "2006-01-20", "2006-09-20", "2007-06-01"]
    both = [run(capsys, "--database", db, *config, "status", "vp", *sum((["--as-of", d] for d in days), []),
                "--json")[1] for db in (jsonl, sheet)]  # fmt: skip
    assert json.loads(both[0]) == json.loads(both[1])
    code, out, _ = run(capsys, "--database", sheet, *config, "history", "vp", "--json")
    assert [r["source"] for r in json.loads(out)][:1] == ["offer letter 2004-12-02"]


def test_a_portfolio_sheet_names_each_rows_agreement_and_quotes_survive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--database", f"sqlite:///{tmp_path / 'p.db'}", "--config-dir", str(CONFIG)]
    rows = [
        {"agreement": "roe", "terms": "valence-2004", "type": "EmploymentStarted", "date": "2025-03-03",
         "data": {"start_date": "2025-03-03", "annual_base_salary": "200,000.00", "options": 220000}},
        {"agreement": "roe", "type": "PersonDetailsRecorded", "date": "2025-03-03",
         "data": {"name": "Roe, Dana \"DJ\"", "title": "VP Sales", "work_email": "dana@valence.test"}},
        {"agreement": "poe", "terms": "valence-2004", "type": "EmploymentStarted", "date": "2025-04-07",
         "data": {"start_date": "2025-04-07", "annual_base_salary": "200000", "options": 220000}},
    ]  # fmt: skip
    path = as_csv(tmp_path / "hires.csv", rows, "agreement", "terms")
    code, out, err = run(capsys, *db, "import", str(path))
    assert code == 0, err
    assert "recorded 3 fact(s) for 2 agreement(s)" in out
    code, out, _ = run(capsys, *db, "agreements", "--json", "--as-of", "2025-05-01")
    listed = {r["agreement"]: r for r in json.loads(out)}
    assert listed["roe"]["name"] == 'Roe, Dana "DJ"' and listed["poe"]["employment_status"] == "active"
    code, out, _ = run(capsys, *db, "status", "roe", "--as-of", "2025-05-01", "--json")
    report = json.loads(out)
    assert report["person"]["name"] == 'Roe, Dana "DJ"' and report["employment"]["status"] == "active"


def test_every_bad_row_is_named_and_nothing_is_recorded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--database", f"sqlite:///{tmp_path / 'b.db'}", "--config-dir", str(CONFIG)]
    sheet = tmp_path / "bad.csv"
    sheet.write_text(
        "type,date,start_date,annual_base_salary,options,documentation_satisfactory\n"
        "EmploymentStarted,2025-03-03,2025-03-03,210000,100000,\n"
        "I9Submitted,2025-03-04,,,,perhaps\n"
        "I9Submitted,2025-03-04,,,1000,\n"
        "I9Submitted,2025-13-04,,,,yes\n"
    )
    code, _, err = run(capsys, *db, "import", str(sheet), "--agreement", "x", "--terms", "valence-2004")
    assert code == 2
    assert "line 3, field data.documentation_satisfactory: must be true or false" in err
    assert "line 4, field options: not a field of I9Submitted" in err
    assert "line 5, field date" in err
    assert run(capsys, *db, "agreements", "--json")[1].strip() in ("[]", "")  # nothing recorded, not even x
    sheet.write_text("type,date,nickname\nI9Submitted,2025-03-04,D\n")
    code, _, err = run(capsys, *db, "import", str(sheet), "--agreement", "x", "--terms", "valence-2004")
    assert code == 2 and "line 1, field nickname: unknown column" in err


@pytest.mark.parametrize(
    "text, words",
    [
        ("date\n2025-01-01\n", "line 1, field type: required column is missing"),
        ("type,date,type\nX,2025-01-01,X\n", "line 1, field type: the column appears twice"),
        ('type,date\n"I9Submitted,2025-01-01\n', "not CSV"),
        ("type,date\nI9Submitted\n", "line 2: 1 cells for 2 columns"),
        ("type,date,replacement\nFactCorrected,,x\n", "line 2, field replacement: nested data"),
        ("type,date,agreement\nI9Submitted,2025-01-01,other\n", "line 2, field agreement: this file is for 'x'"),
    ],
)
def test_sheet_errors_name_the_line_and_column(text: str, words: str) -> None:
    with pytest.raises((InvalidFactError, InvalidFactsError)) as refused:
        parse_csv(text, "x")
    assert words in str(refused.value)


def test_blank_rows_are_skipped_and_lists_split_on_semicolons() -> None:
    text = "type,date,offer_date,signed_by\n\n,,,\nOfferAccepted,2025-01-02,2025-01-02,A. Person;  B. Person ;\n"
    ((line, row),) = list(read_rows(text))
    data = {"offer_date": "2025-01-02", "signed_by": ["A. Person", "B. Person"]}
    assert line == 4 and row == {"type": "OfferAccepted", "date": "2025-01-02", "data": data}


def test_a_portfolio_accepts_an_agreements_lines_anywhere(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from obligations.interfaces.grouping import grouped_by_agreement

    pairs = [(1, {"agreement": "b", "n": 1}), (2, {"agreement": "a", "n": 2}), (3, {"agreement": "b", "n": 3}),
             (4, "not an object"), (5, {"agreement": "a", "n": 5})]  # fmt: skip
    assert [line for line, _ in grouped_by_agreement(pairs)] == [1, 3, 2, 5, 4], "first-line order, then file order"
    lives = {
        name: [{"agreement": name, **({"terms": "valence-2004"} if n == 0 else {}), **e} for n, e in enumerate(LIFE)]
        for name in ("dean", "dana", "drew")
    }
    together = [line for name in lives for line in lives[name]]
    mixed = [lives[name][n] for n in range(len(LIFE)) for name in lives]  # one line of each in turn
    reports = []
    for label, lines in (("together", together), ("mixed", mixed)):
        db = ["--database", f"sqlite:///{tmp_path / (label + '.db')}", "--config-dir", str(CONFIG)]
        path = tmp_path / f"{label}.jsonl"
        path.write_text("".join(json.dumps(x) + "\n" for x in lines))
        code, out, err = run(capsys, *db, "import", str(path))
        assert code == 0, err
        assert "for 3 agreement(s)" in out
        answers = [run(capsys, *db, "status", name, "--as-of", day, "--json")[1] for name in lives
                   for day in ("2005-06-01", "2006-09-20", "2007-01-01")]  # fmt: skip
        reports.append([json.loads(a) for a in answers])
    assert reports[0] == reports[1]
    bad = [*mixed[:-1], {**mixed[-1], "date": "2006-02-30"}]
    db = ["--database", f"sqlite:///{tmp_path / 'bad.db'}", "--config-dir", str(CONFIG)]
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in bad))
    code, _, err = run(capsys, *db, "import", str(path))
    assert code == 2 and f"line {len(bad)}" in err
    assert run(capsys, *db, "agreements", "--json")[1].strip() in ("[]", "")
