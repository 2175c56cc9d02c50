"""Dated items (rules/items.py) against fresh status reports, in memory: the contract the read models rest on."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest

from helpers import ev, facts, start, valence_terms
from obligations import synthetic
from obligations.rules.calendar import add_days
from obligations.rules.item import Item, item_status, visible
from obligations.rules.items import dated_items, items_view, report_view
from obligations.rules.report import status_report
from obligations.terms.agreement_terms import Terms


def lives(n: int, seed: int) -> list[list[dict[str, Any]]]:
    """Generated lives as plain events (the company's merger kept with the life that records it)."""
    out = []
    for _, group in synthetic.portfolio(n, seed, years=4):
        for life in group:
            out.append([{k: v for k, v in line.items() if k not in ("agreement", "terms")} for line in life.lines])
    return out[:n]


def compare(terms: Terms, events: list[dict[str, Any]], rng: random.Random, extra: int = 8) -> int:
    fs = facts(*events)
    items = dated_items(terms, fs)
    first = min(f.date for f in fs if f.type == "EmploymentStarted")
    days = {f.date for f in fs} | {
        add_days(d, k) for i in items for d in (i.due_date, i.started) if d for k in (-1, 0, 1)
    }
    days |= {first + timedelta(days=rng.randrange(0, 2500)) for _ in range(extra)}
    n = 0
    for day in sorted(d for d in days if d >= first):
        assert items_view(items, day) == report_view(status_report(terms, fs, day)), day
        n += 1
    return n


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_lives_default_interpretations(seed: int) -> None:
    terms, rng = valence_terms(), random.Random(seed)
    assert sum(compare(terms, life, rng) for life in lives(120, seed)) > 3000


@pytest.mark.parametrize(
    "interpretations",
    [
        {"gr_lapse_days": 45},  # I-12: Good Reason grounds lapse (disappear without a fact)
        {"notice_effective": "dispatch"},  # I-10: clocks start on the sent date, before the fact's date
        {"date_of_hire": "acceptance"},  # I-25
    ],
)
def test_generated_lives_alternative_interpretations(interpretations: dict[str, Any]) -> None:
    terms, rng = valence_terms(**interpretations), random.Random(7)
    assert sum(compare(terms, life, rng) for life in lives(80, 7)) > 1500


def test_lapsing_ground_disappears_on_the_day_after_it_lapses() -> None:
    terms = valence_terms(gr_lapse_days=30)
    events = [
        start("2005-01-03"),
        ev("WorkLocationChanged", "2005-03-01", new_location="Dallas", in_austin_tx=False, employee_agreed=False),
    ]
    items = [i for i in dated_items(terms, facts(*events)) if i.kind == "ground"]
    shown = {d: [i.item_id for i in items if visible(i, date.fromisoformat(d))] for d in ("2005-03-31", "2005-04-01")}
    assert shown == {"2005-03-31": ["5.4(a)"], "2005-04-01": []}
    assert compare(terms, events, random.Random(1)) > 5


def test_statuses_come_from_dates_on_both_sides_of_each_boundary() -> None:
    pay = Item("payment", "p", "Company", "Employee", "10.00", date(2005, 6, 10), None, "§5.1(a)",
               paid_on=date(2005, 6, 12))  # fmt: skip
    assert [item_status(pay, date(2005, 6, d)) for d in (9, 10, 11, 12)] == ["not_yet_due", "due", "overdue", "paid"]
    ob = Item(
        "obligation", "o", "Employee", "Company", None, date(2005, 1, 6), None, "§8", fulfilled_on=date(2005, 1, 7)
    )
    assert [item_status(ob, date(2005, 1, d)) for d in (5, 6, 7)] == ["not_yet_due", "due", "fulfilled_late"]
    clock = Item("clock", "c", "Company", "Employee", None, date(2005, 2, 1), date(2005, 1, 2), "§5.4(f)",
                 valid_from=date(2005, 1, 2))  # fmt: skip
    assert [visible(clock, d) for d in (date(2005, 1, 1), date(2005, 1, 2), date(2005, 2, 1), date(2005, 2, 2))] == [
        False,
        True,
        True,
        False,
    ]
    tranche = Item("vesting", "installment_1", "Company", "Employee", "55000", date(2005, 12, 13), None, "§3")
    assert [item_status(tranche, date(2005, 12, d)) for d in (12, 13)] == ["unvested", "vested"]
