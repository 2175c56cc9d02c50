"""Test helpers: build facts and reports without a store."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from obligations.domain.facts import Fact
from obligations.domain.input import parse_fact
from obligations.rules.report import status_report
from obligations.terms.agreement_terms import Terms
from obligations.terms.loader import terms_from_text

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config"
# The Valence letter in the letter form: the reference model of the shipped provisions form, not shipped itself.
LETTER = ROOT / "tests" / "letter" / "valence-2004-letter.toml"
FREE_TEXT = {"why", "on_expiry", "clause", "payer", "payee", "note"}
PROVENANCE = {"fact_ids", "ground_facts"}  # which facts an item rests on: checked by test_explain, not by the example


def valence_terms(**interpretations: Any) -> Terms:
    """The Valence letter in the letter form (tests/letter), with these interpretation settings."""
    terms = letter_terms()
    if interpretations:
        i = terms.agreement.interpretations.model_copy(update=interpretations)
        terms = terms.model_copy(update={"agreement": terms.agreement.model_copy(update={"interpretations": i})})
    return terms


def letter_terms(config: Path = CONFIG) -> Terms:
    terms = terms_from_text(LETTER.read_text(), str(LETTER), config)
    assert isinstance(terms, Terms)
    return terms


def letter_config(tmp_path: Path, text: str | None = None) -> Path:
    """A copy of config/ that also holds the letter form (key valence-2004-letter), as `text` when given."""
    import shutil

    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    (config / "agreements" / "valence-2004-letter.toml").write_text(text or LETTER.read_text())
    return config


def ev(fact_type: str, day: str, **data: Any) -> dict[str, Any]:
    return {"type": fact_type, "date": day, "data": data}


def start(day: str = "2004-12-13", salary: str = "200000") -> dict[str, Any]:
    return ev("EmploymentStarted", day, start_date=day, annual_base_salary=salary, options=220000)


def first_day(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    """The hire on 2004-12-13 with the first day's duties met (options granted, confidentiality agreement
    signed), then `extra`: the I-9 is left open, due 2004-12-16."""
    return [
        start(),
        ev("OptionsGranted", "2004-12-13", grant_date="2004-12-13", quantity=220000),
        ev("ConfidentialityAgreementExecuted", "2004-12-13", version="2004"),
        *extra,
    ]


def submitted(events: list[dict[str, Any]]) -> list[Any]:
    """The events as the importer parses them, line by line."""
    return [parse_fact(json.loads(json.dumps(e)), n + 1) for n, e in enumerate(events)]


def facts(*events: dict[str, Any]) -> list[Fact]:
    out = []
    for n, e in enumerate(events):
        s = parse_fact(json.loads(json.dumps(e)), n + 1)
        out.append(Fact(f"t#{n}", s.type, s.date, s.data, datetime(2026, 1, 1, tzinfo=UTC), "test", None, (n,)))
    return out


def report(events: list[dict[str, Any]], as_of: str, terms: Terms | None = None) -> dict[str, Any]:
    return status_report(terms or valence_terms(), facts(*events), date.fromisoformat(as_of))


def strip_free_text(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: strip_free_text(v) for k, v in obj.items() if k not in FREE_TEXT and k not in PROVENANCE}
    if isinstance(obj, list):
        return [strip_free_text(v) for v in obj]
    return obj


def payment(r: dict[str, Any], pid: str) -> dict[str, Any] | None:
    return next((p for p in r["payments"] if p["id"] == pid), None)


def clock(r: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((c for c in r["open_clocks"] if c["clock"] == name), None)


def obligation(r: dict[str, Any], oid: str) -> dict[str, Any]:
    return next(o for o in r["obligations"] if o["id"] == oid)


def write_jsonl(path: Path, events: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


LIFE = [json.loads(x) for x in (ROOT / "examples" / "valence-vp-life.jsonl").read_text().splitlines()]
HIRE = LIFE[1]
SALARY = {
    "type": "SalaryPaid",
    "date": "2006-09-29",
    "data": {"period_start": "2006-09-11", "period_end": "2006-09-24", "amount": "7692.31"},
}


class Api:
    """The HTTP API through its test client, with a token per role (the `api` fixture of conftest.py)."""

    def __init__(self, client: Any, toks: dict[str, str], url: str) -> None:
        self.client, self.tokens, self.url = client, toks, url

    def call(self, role: str | None, method: str, path: str, **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}))
        if role:
            headers["Authorization"] = f"Bearer {self.tokens[role]}"
        return self.client.request(method, path, headers=headers, **kw)
