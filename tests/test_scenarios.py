"""Scenario files (tests/scenarios/*.toml): facts and as-of dates → the payments, clocks, obligations, grants
and packages each shipped terms file gives, with the clause of each; readable by a lawyer (issue 13).

A scenario lists its facts (type, date, data as recorded) and expectations, each at an as-of date:

    [[scenarios.expect]]
    as_of = "2021-05-20"
    payments.severance_payment = { amount = "200000.00", status = "open_no_due_date", clause = "BC: ..." }
    absent_payments = ["severance_payment"]          # not in the report
    grants.options = { vested = 120000 }
    packages.coc_acceleration = { fired = true }
    clocks = ["exercise_window:options"]               # exactly the open clocks
    obligations.appoint_ceo = { status = "overdue" }
    employment = { status = "ended" }
    release = { status = "effective" }

Every field given must equal the report's (`""` stands for none: TOML has no null, in facts as in
expectations); fields not given are not checked.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from helpers import CONFIG, ROOT, facts
from obligations.rules.agreement import check_history
from obligations.rules.provisions.audit import dated_items
from obligations.rules.provisions.report import derive
from obligations.terms.loader import resolve_terms, terms_from_text
from obligations.terms.provisions import ProvisionTerms

FOLDER = Path(__file__).resolve().parent / "scenarios"
FILES = sorted(FOLDER.glob("*.toml"))


def load_terms(key: str) -> ProvisionTerms:
    """A shipped terms key, or a terms file of the repository by its path (a draft not shipped yet)."""
    _, text, file = resolve_terms(str(ROOT / key) if key.endswith(".toml") else key, CONFIG)
    terms = terms_from_text(text, file, CONFIG)
    assert isinstance(terms, ProvisionTerms)
    return terms


def cases() -> list[Any]:
    out = []
    for path in FILES:
        spec = tomllib.loads(path.read_text())
        for s in spec["scenarios"]:
            out.append(pytest.param(spec["terms"], s, id=f"{path.stem}: {s['name']}"))
    return out


def _sub(label: str, want: dict[str, Any], got: dict[str, Any] | None) -> list[str]:
    if got is None:
        return [f"{label}: missing"]
    want = {k: None if v == "" else v for k, v in want.items()}  # TOML has no null: "" stands for none
    return [f"{label}.{k}: expected {v!r}, got {got.get(k)!r}" for k, v in want.items() if got.get(k) != v]


def check(report: dict[str, Any], e: dict[str, Any]) -> list[str]:
    out: list[str] = []
    by = {
        "payments": {p["id"]: p for p in report["payments"]},
        "obligations": {o["id"]: o for o in report["obligations"]},
        "grants": {g["id"]: g for g in report["grants"]},
        "packages": report["packages"],
        "open_clocks": {c["clock"]: c for c in report["open_clocks"]},
    }
    for section in ("payments", "obligations", "grants", "packages"):
        for item, want in e.get(section, {}).items():
            out += _sub(f"{section}.{item}", want, by[section].get(item))
    for item, want in e.get("clock", {}).items():
        out += _sub(f"clock {item}", want, by["open_clocks"].get(item))
    for pid in e.get("absent_payments", []):
        if pid in by["payments"]:
            out.append(f"payment {pid} should be absent")
    if "clocks" in e and sorted(by["open_clocks"]) != sorted(e["clocks"]):
        out.append(f"open clocks: expected {sorted(e['clocks'])}, got {sorted(by['open_clocks'])}")
    for section in ("employment", "release"):
        if section in e:
            out += _sub(section, e[section], report[section])
    return out


def _nulls(data: dict[str, Any]) -> dict[str, Any]:
    """In the facts too, "" stands for null (TOML has none)."""
    return {k: None if v == "" else v for k, v in data.items()}


@pytest.mark.parametrize(("key", "scenario"), cases())
def test_scenario(key: str, scenario: dict[str, Any]) -> None:
    terms = load_terms(key)
    events = [{"type": f["type"], "date": str(f["date"]), "data": _nulls(f.get("data", {}))} for f in scenario["facts"]]
    fs = facts(*events)
    errors = check_history(terms, [], fs, {})
    if scenario.get("refused"):
        assert errors, "the facts should be refused"
        assert scenario["refused"] in "; ".join(str(x) for x in errors)
        return
    assert not errors, [str(x) for x in errors]
    problems = []
    for e in scenario.get("expect", []):
        # every section the rules derive: in the catalogue vocabulary too, where the report shows §10's alone
        report = derive(terms, fs, date.fromisoformat(str(e["as_of"]))).sections
        problems += [f"as of {e['as_of']}: {p}" for p in check(report, e)]
    assert not problems, "\n".join(problems)
    # the read models' items, derived only where the rules turn, are those of a derivation at every named date
    assert dated_items(terms, fs) == dated_items(terms, fs, thorough=True)


def test_every_shipped_provisions_file_has_a_scenario_file() -> None:
    shipped = {p.stem for p in (CONFIG / "agreements").glob("*.toml") if 'form = "provisions"' in p.read_text()}
    covered = {tomllib.loads(p.read_text())["terms"] for p in FILES}
    assert shipped and shipped <= covered, shipped - covered


def test_a_checker_that_finds_nothing_wrong_would_be_caught() -> None:
    report = {"payments": [{"id": "x", "amount": "1.00"}], "obligations": [], "grants": [], "packages": {},
              "open_clocks": [], "employment": {"status": "employed"}, "release": None}  # fmt: skip
    assert check(report, {"payments": {"x": {"amount": "2.00"}}}) == ["payments.x.amount: expected '2.00', got '1.00'"]
    assert check(report, {"clocks": ["c"]}) == ["open clocks: expected ['c'], got []"]
    assert check(report, {"absent_payments": ["x"]}) == ["payment x should be absent"]
