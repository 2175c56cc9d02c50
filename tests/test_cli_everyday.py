"""The command line for everyday use (issue 14): help grouped by job, `types`, defaults, money and names."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from helpers import CONFIG, ROOT
from obligations.domain.facts import FACT_TYPES
from obligations.domain.input import parse_fact
from obligations.domain.names import amount_of, money, named, readable
from obligations.interfaces.cli import main
from obligations.interfaces.fact_types import all_types

LIFE = ROOT / "examples" / "valence-vp-life.jsonl"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_the_commands_grouped_by_job_and_points_inside_the_repository(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    sections = re.findall(r"^([A-Z][a-z ]+):$", out, flags=re.M)
    assert sections[:3] == ["Options", "Record facts", "Ask about one agreement"]
    assert "Ask across agreements" in sections and "Run and administer" in sections and "Other" not in sections
    record = out.index("Record facts:")
    ask = out.index("Ask about one agreement:")
    assert record < out.index("  record ", record) < ask < out.index("  status ", ask)
    assert "../" not in out and "shared/" not in out


def test_types_lists_every_fact_type_and_shows_one_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "types", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["type"] for r in rows] == list(FACT_TYPES)
    code, out, _ = run(capsys, "types", "resignationnoticegiven")  # case does not matter
    assert code == 0 and "ResignationNoticeGiven" in out and "good_reason_grounds_claimed" in out
    example = json.loads(out[out.index('{"type"') :].replace("\n", ""))
    assert parse_fact(example).type == "ResignationNoticeGiven"
    code, _, err = run(capsys, "types", "Merger")
    assert code == 2 and "unknown fact type 'Merger'; did you mean MergerConsummated" in err
    code, _, err = run(capsys, "types", "zzzz")
    assert code == 2 and "`obligations types` lists them all" in err


def test_every_types_example_is_a_fact_the_importer_accepts() -> None:
    for t in all_types():
        fact = parse_fact(t["example"])
        assert fact.type == t["type"]
        required = {f["name"] for f in t["fields"] if f["required"]}
        assert required <= set(t["example"]["data"]), t["type"]


def test_money_and_counts_read_with_their_units() -> None:
    assert money("97054.79") == "$97,054.79" and money("100000.00") == "$100,000.00" and money("0.50") == "$0.50"
    assert money("-1234.50") == "-$1,234.50" and money(None) == ""
    assert amount_of("vesting", "55000") == "55,000 options" and amount_of("payment", "1000000.00") == "$1,000,000.00"
    assert amount_of("clock", None) == ""
    assert readable("breach_cure_period:B1") == "Breach cure period (B1)"
    assert readable("rsu_2024:installment_12") == "Rsu 2024 installment 12"
    assert named("submit_i9") == "Submit i9 (submit_i9)"


def test_status_defaults_to_today_and_due_shows_money_and_options_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    base = ["--database", db, "--config-dir", str(CONFIG)]
    code, _, err = run(capsys, *base, "import", str(LIFE), "--agreement", "vp", "--terms", "valence-2004")
    assert code == 0, err
    code, out, _ = run(capsys, *base, "status", "vp", "--json")
    assert code == 0 and json.loads(out)["as_of"] == date.today().isoformat()
    code, out, _ = run(capsys, *base, "due", "--from", "2006-09-01", "--to", "2007-03-31", "--as-of", "2006-09-20")
    assert code == 0
    assert "$100,000.00" in out and "Lump sum 5 1a (lump_sum_5_1a)" in out
    assert re.search(r"\b\d{1,3}(,\d{3})* options\b", out), out
    assert not re.search(r"\$\d{1,3}(,\d{3})* options", out)
