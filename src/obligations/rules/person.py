"""PURE: who the employee of an agreement is on a day, from its PersonDetailsRecorded facts (corrections
applied): each field as the latest fact dated on or before the day gave it. No obligation depends on it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from obligations.domain.facts import PERSON_FIELDS, Fact
from obligations.rules.corrections import resolve


def person_as_of(facts: Iterable[Fact], day: date) -> dict[str, Any]:
    """{name, work_email, title, department, manager, since: {field: date}, fact_ids}; None where unknown."""
    out: dict[str, Any] = dict.fromkeys(PERSON_FIELDS)
    since: dict[str, str] = {}
    ids: dict[str, str] = {}
    for f in sorted(resolve(list(facts)), key=lambda f: f.sort_key):
        if f.type != "PersonDetailsRecorded" or f.date > day:
            continue
        for field in PERSON_FIELDS:
            value = getattr(f.data, field)
            if value is not None:
                out[field], since[field], ids[field] = value, f.date.isoformat(), f.id
    return {**out, "since": since, "fact_ids": sorted(set(ids.values()))}


def person_runs(facts: Iterable[Fact]) -> list[tuple[date, dict[str, Any]]]:
    """The person as of each date a PersonDetailsRecorded fact takes effect: (from, person) in date order,
    each holding until the next one's date. Empty when no such fact is recorded."""
    known = [f for f in resolve(list(facts)) if f.type == "PersonDetailsRecorded"]
    days = sorted({f.date for f in known})
    return [(d, person_as_of(known, d)) for d in days]
