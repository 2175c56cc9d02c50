"""A company fact reaches every agreement of its company (issue 14): recording one says which agreements it
affects, and `what-if` shows its effect on each of them. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import CONFIG, ev, start, write_jsonl
from obligations.interfaces.cli import main

MERGER = ev("MergerConsummated", "2005-06-01", counterparty="X", company_shareholders_voting_pct_after="40")


def run(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> tuple[int, str, str]:
    code = main(["--database", db, "--config-dir", str(CONFIG), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def two(database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    for agreement, day in (("dean", "2004-12-13"), ("ann", "2005-01-10")):
        path = write_jsonl(tmp_path / f"{agreement}.jsonl", [start(day)])
        code, _, err = run(
            capsys, database_url, "import", str(path), "--agreement", agreement, "--terms", "valence-2004"
        )
        assert code == 0, err
    return database_url


def test_what_if_a_merger_shows_its_effect_on_every_agreement_of_the_company(
    two: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, two, "what-if", "dean", "--as-of", "2005-06-10", "--fact", json.dumps(MERGER), "--json"
    )
    assert code == 0, err
    answer = json.loads(out)
    assert answer["company"] == "valence"
    assert [o["agreement"] for o in answer["other_agreements"]] == ["ann"]
    ann = {(c["section"], c.get("item")) for c in answer["other_agreements"][0]["diff"]}
    assert ("payments", "lump_sum_5_1a") in ann  # the single trigger pays Ann too (I-06)
    assert any(c.get("item") == "lump_sum_5_1a" for c in answer["diff"])
    code, out, _ = run(capsys, two, "what-if", "dean", "--as-of", "2005-06-10", "--fact", json.dumps(MERGER))
    assert code == 0 and "it would reach every agreement of company valence" in out and "ann:" in out
    # An agreement fact reaches only its own agreement: no other agreements are listed.
    own = ev("SalaryPaid", "2005-06-03", period_start="2005-05-21", period_end="2005-06-03", amount="7692.31")
    code, out, err = run(capsys, two, "what-if", "dean", "--as-of", "2005-06-10", "--fact", json.dumps(own), "--json")
    assert code == 0, err
    assert "other_agreements" not in json.loads(out)
    # Nothing was recorded by the what-ifs.
    code, out, _ = run(capsys, two, "status", "ann", "--as-of", "2005-06-10", "--json")
    assert json.loads(out)["change_of_control"]["occurred"] is False


def test_recording_a_company_fact_names_the_agreements_it_affects(two: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, two, "record", "dean", "MergerConsummated", "--date", "2005-06-01", "--data",
                         json.dumps(MERGER["data"]))  # fmt: skip
    assert code == 0, err
    assert "a company fact of company valence: it applies to all 2 agreement(s) of the company (ann, dean)" in out
    code, out, _ = run(capsys, two, "status", "ann", "--as-of", "2005-06-10", "--json")
    assert json.loads(out)["change_of_control"]["occurred"] is True
    paid = {"period_start": "2005-05-21", "period_end": "2005-06-03", "amount": "7692.31"}
    code, out, err = run(
        capsys, two, "record", "dean", "SalaryPaid", "--date", "2005-06-03", "--data", json.dumps(paid)
    )
    assert code == 0, err
    assert "company fact" not in out
