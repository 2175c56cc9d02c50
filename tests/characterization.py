"""Characterization snapshots of the Valence rules (issue 13): what today's rules answer, pinned.

Before the rules are rewritten as provisions in a terms language, the answers they give now are captured
over a few thousand generated lives of the letter, at every fact date and every boundary date (each date a
report names, the day before and the day after), and the rewrite is held equal to them.

For each life the snapshot keeps three digests (SHA-256 of canonical JSON, 16 hex digits):

* `contract`: every report with its free text (`why`, `on_expiry`, `note`) left out: the catalogue §10
  keys, dates, amounts, statuses, clauses and fact ids. A difference here is a change of answer: a bug.
* `full`: the same reports whole, `why` texts included. A difference here alone is a change of wording,
  which a rewrite may make on purpose (then regenerate, saying so in the commit).
* `items`: the dated items the read models are built from (`rules.items.dated_items`).

`scripts/snapshots` regenerates (`--write`) or checks all lives in parallel; `test_characterization.py`
checks a fixed sample of them in the suite. The generator is deterministic: life `n` is drawn from
`random.Random(n)`, so a mismatch names the life to replay (`scripts/snapshots --show N`).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from obligations.domain.errors import InvalidFactError
from obligations.domain.facts import Fact
from obligations.domain.input import parse_fact
from obligations.rules.items import dated_items
from obligations.rules.report import status_report
from obligations.rules.validation import check_history
from obligations.synthetic import life
from obligations.terms.agreement_terms import Terms
from obligations.terms.loader import terms_from_text

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config"
LETTER = ROOT / "tests" / "letter" / "valence-2004-letter.toml"  # the letter form: not shipped
SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "valence-lives.json"
GENERATOR = 1  # bump when the generator changes (the snapshot must then be regenerated)
LIVES = 2000
FREE_TEXT = {"why", "on_expiry", "note"}
ISO = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")


# Life n is read under VARIANTS[n % len(VARIANTS)]: the catalogue's defaults for most, and every
# alternative interpretation the rules implement for the others, so each named setting is pinned too.
VARIANTS: tuple[dict[str, Any], ...] = (
    {},
    {},
    {},
    {"window_inclusive_end": True, "coc_single_trigger": False, "window_test_date": "notice_date"},
    {"notice_effective": "dispatch", "gr_short_notice": "lose_good_reason", "gr_lapse_days": 90},
    {"salary_cut_baseline": "original", "proration_basis": "actual_days", "roll_contract_dates": True},
    {"i9_day_count": "business", "feb29_anniversary": "mar1", "acceleration_after_window": False},
    {
        "continuation_employee_contribution": "company_pays_all",
        "cobra_admin_fee_included": False,
        "expense_reimbursement_due_days": 30,
        "expense_prompt_days": 60,
        "arbitration_agreement_due_days": 10,
        "vacation_cap_hours": 80,
        "gr_requires_claim": True,
        "gr_short_notice": "accept",
    },
    {
        "late_cure_removes_ground": True,
        "reclassify_unsupported_good_cause": False,
        "gc_a_conjunctive": True,
        "moral_turpitude_felony_only": True,
        "good_reason_e_enabled": False,
        "salary_cut_baseline": "previous",
        "agreed_cut_excluded": False,
        "reporting_line_change_is_diminution": False,
        "price_non_trading_day": "next_close",
        "date_of_hire": "acceptance",
        "i9_termination_class": "termination_without_good_cause",
    },
)


def valence(variant: int = 0) -> Terms:
    terms = terms_from_text(LETTER.read_text(), str(LETTER), CONFIG)  # the letter form: the reference model
    assert isinstance(terms, Terms)
    update = VARIANTS[variant]
    if update:
        i = terms.agreement.interpretations.model_copy(update=update)
        terms = terms.model_copy(update={"agreement": terms.agreement.model_copy(update={"interpretations": i})})
    return terms


def terms_of(n: int) -> Terms:
    return valence(n % len(VARIANTS))


def _fact(line: dict[str, Any], n: int) -> Fact:
    s = parse_fact(json.loads(json.dumps({k: line[k] for k in ("type", "date", "data")})), n + 1)
    return Fact(f"t#{n}", s.type, s.date, s.data, datetime(2026, 1, 1, tzinfo=UTC), "snapshot", None, (n,))


def _company_events(rng: random.Random, start: date, last: date) -> list[dict[str, Any]]:
    """Now and then a Change of Control of each kind of §5.3, at any point of the life."""
    out: list[dict[str, Any]] = []
    roll = rng.random()
    day = (start + timedelta(days=rng.randrange(-30, max(1, (last - start).days + 400)))).isoformat()
    if roll < 0.12:
        pct = rng.choice(["40", "49.99", "50", "60"])
        out.append({"type": "MergerConsummated", "date": day,
                    "data": {"counterparty": "Acme", "company_shareholders_voting_pct_after": pct}})  # fmt: skip
    elif roll < 0.18:
        out.append({"type": "BeneficialOwnershipChanged", "date": day,
                    "data": {"person": "Acme Fund", "berg_affiliated": rng.random() < 0.3,
                             "voting_pct": rng.choice(["50", "50.01", "75"])}})  # fmt: skip
    elif roll < 0.20:
        fraction = rng.choice(["0.5", "0.95"])
        out.append({"type": "AssetTransferConsummated", "date": day,
                    "data": {"series_id": "S1", "kind": "sale", "fraction_of_assets": fraction}})  # fmt: skip
    elif roll < 0.22:
        out.append({"type": "LiquidationOccurred", "date": day, "data": {"kind": "plan of complete liquidation"}})
    return out


def life_facts(n: int, terms: Terms) -> list[Fact]:
    """Life n: a synthetic life of the letter plus, sometimes, a Change of Control; every line the §8 rules
    refuse (given the lines kept before it, in date order) is left out, so the history is one a store holds."""
    rng = random.Random(n)
    start = date(2004, 12, 13) + timedelta(days=rng.randrange(0, 365 * 6))
    x = life(rng, f"life-{n}", "valence-2004", start)
    lines = sorted(x.lines + _company_events(rng, start, x.last), key=lambda line: line["date"])
    kept: list[Fact] = []
    for line in lines:
        try:
            fact = _fact(line, len(kept))
        except InvalidFactError:
            continue
        if not check_history(terms, kept, [fact], {}):
            kept.append(fact)
    return kept


def as_of_dates(terms: Terms, facts: list[Fact]) -> list[date]:
    """Every fact date, then every date the reports at those dates name, each with the days either side."""
    first = min(f.date for f in facts if f.type == "EmploymentStarted")  # no report before the start
    last = max(f.date for f in facts)
    lo, hi = first, last + timedelta(days=1200)
    named: set[date] = {f.date for f in facts if f.date >= first}
    for day in sorted(named):
        text = json.dumps(status_report(terms, facts, day), default=str)
        named |= {date.fromisoformat(m) for m in ISO.findall(text)}
    out: set[date] = set()
    for day in named:
        out |= {day - timedelta(days=1), day, day + timedelta(days=1)}
    return sorted(d for d in out if lo <= d <= hi)


def _strip(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in obj.items() if k not in FREE_TEXT}
    if isinstance(obj, list):
        return [_strip(v) for v in obj]
    return obj


def _digest(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def reports(n: int, terms: Terms) -> list[tuple[str, dict[str, Any]]]:
    fs = life_facts(n, terms)
    return [(d.isoformat(), status_report(terms, fs, d)) for d in as_of_dates(terms, fs)]


def snapshot_of(n: int) -> dict[str, Any]:
    terms = terms_of(n)
    rs = reports(n, terms)
    # What the read models store: the interpretations an item names are for explain, not stored.
    items = [
        {k: v for k, v in asdict(i).items() if k != "interpretations"} for i in dated_items(terms, life_facts(n, terms))
    ]
    return {
        "life": n,
        "dates": len(rs),
        "contract": _digest([(d, _strip(r)) for d, r in rs]),
        "full": _digest(rs),
        "items": _digest(items),
    }


def write(entries: list[dict[str, Any]]) -> None:
    """One life per line, so a diff of the file names the lives that changed."""
    lines = [json.dumps(e, separators=(",", ":")) for e in entries]
    head = f'{{"generator":{GENERATOR},"lives":{len(entries)},"entries":[\n'
    SNAPSHOT.write_text(head + ",\n".join(lines) + "\n]}\n")


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SNAPSHOT.read_text())
    return data


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """The digests that differ, in words; empty when the life answers as it did."""
    n = expected["life"]
    out = []
    if expected["dates"] != actual["dates"]:
        out.append(f"life {n}: {actual['dates']} as-of dates, snapshot has {expected['dates']}")
    for key, words in (("contract", "answers (contract keys)"), ("items", "dated items"), ("full", "why texts")):
        if expected[key] != actual[key]:
            out.append(f"life {n}: {words} differ")
    return out
