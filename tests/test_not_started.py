"""A report before employment begins (issue 14): it says employment has not started and lists what the
recorded first day already makes each side owe; the CLI, the HTTP API and the dashboard show it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from helpers import CONFIG, ev, facts, start
from obligations.interfaces.cli import main
from obligations.rules.agreement import status_report
from obligations.terms.loader import resolve_terms, terms_from_text

D = "2026-12-14"


def load_terms(key: str) -> Any:
    _, text, file = resolve_terms(key, CONFIG)
    return terms_from_text(text, file, CONFIG)


# the first day, recorded in advance


def hire() -> list[dict[str, Any]]:
    return [ev("OfferAccepted", "2026-11-20", offer_date="2026-11-18", signed_by=["Dean Bogues"]), start(D)]


def test_before_the_first_day_the_report_says_not_started_and_lists_what_is_owed() -> None:
    terms = load_terms("valence-2004")
    before = status_report(terms, facts(*hire()), date(2026, 12, 1))
    e = before["employment"]
    assert (e["status"], e["start_date"], e["offer_accepted_on"]) == ("not_started", D, "2026-11-20")
    assert "Employment has not started: it begins on 2026-12-14" in e["why"]
    owed = {o["id"]: (o["due_date"], o["status"]) for o in before["obligations"]}
    assert owed["submit_i9"] == ("2026-12-17", "not_yet_due")  # start + 3
    assert owed["grant_stock_options"] == (D, "not_yet_due")
    assert before["payments"] == [] and before["open_clocks"] == []
    # Both sides of the first day: the day before is not started; the first day is a full report.
    day_before = status_report(terms, facts(*hire()), date(2026, 12, 13))
    assert day_before["employment"]["status"] == "not_started"
    assert {o["id"]: o["status"] for o in day_before["obligations"]}["grant_stock_options"] == "not_yet_due"
    first = status_report(terms, facts(*hire()), date(2026, 12, 14))
    assert first["employment"]["status"] == "active"
    assert {o["id"]: o["status"] for o in first["obligations"]}["grant_stock_options"] == "due"
    # An offer accepted, no first day recorded: not started, nothing dated yet.
    offer_only = status_report(terms, facts(hire()[0]), date(2026, 12, 1))
    assert offer_only["employment"]["start_date"] is None and offer_only["obligations"] == []
    assert "no EmploymentStarted is recorded" in offer_only["employment"]["why"]


def test_the_provisions_form_says_not_started_too() -> None:
    terms = load_terms("composite-executive")
    r = status_report(terms, facts(start("2024-02-01")), date(2024, 1, 15))
    assert r["form"] == "provisions" and r["employment"]["status"] == "not_started"
    assert r["employment"]["start_date"] == "2024-02-01"


def test_status_before_the_start_on_the_command_line(database_url: str, tmp_path: Any,
                                                     capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from helpers import write_jsonl

    path = write_jsonl(tmp_path / "hire.jsonl", hire())
    base = ["--database", database_url, "--config-dir", str(CONFIG)]
    assert main([*base, "import", str(path), "--agreement", "dean", "--terms", "valence-2004"]) == 0
    capsys.readouterr()
    assert main([*base, "status", "dean", "--as-of", "2026-12-01"]) == 0
    out = capsys.readouterr().out
    assert "not started" in out and "2026-12-14" in out and "submit i9" in out.replace("_", " ").lower()
