"""Dated items (read models, reminders, calendars), explanations and what-if differences of a
provisions-form agreement, read from the typed items of its reports."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from obligations.domain.errors import InvalidInputError
from obligations.domain.facts import Fact
from obligations.rules.corrections import resolution, resolve
from obligations.rules.explain import VESTING_WORDS, cited, fact_record
from obligations.rules.item import Item, item_status
from obligations.rules.items import merge_checkpoints
from obligations.rules.provisions.report import PDerivation, catalogue_clock, derive, notice_cures
from obligations.rules.report import SECTIONS
from obligations.terms.agreement_terms import clause_citations
from obligations.terms.provisions import CauseGround, Ground, ProvisionTerms

_ISO = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
FAR = date(2999, 12, 31)
# Sections that describe a state and give no item: the dates they name (vacation's "days employed
# 2023-01-02..<as of>" and health continuation's "status as of <as of>" name the day itself) are no
# checkpoints, or every day would be one.
STATE_SECTIONS = frozenset(
    {"as_of", "exercise_price", "change_of_control", "vacation", "bonus_target", "dispute_resolution",
     "health_continuation"}
)  # fmt: skip


def dated_items(terms: ProvisionTerms, facts: Sequence[Fact]) -> list[Item]:
    """Every item of every report, each valid over the as-of range where it holds: the report is computed at
    each fact date and at each date a report names (and the day after), where it may change without a fact."""
    facts = resolve(facts)
    starts = [f.date for f in facts if f.type == "EmploymentStarted"]
    if not starts:
        return []
    first = min(starts)

    last: list[PDerivation] = []

    def at(day: date) -> tuple[list[Item], set[date]]:
        d = derive(terms, facts, day)
        last[:] = [d]
        sections = {k: v for k, v in d.sections.items() if k not in STATE_SECTIONS}
        named = {date.fromisoformat(m) for m in _ISO.findall(json.dumps(sections, default=str))}
        named |= {i.due_date for i in d.items if i.due_date} | {i.started for i in d.items if i.started}
        later = {x for n in named for x in (n, n + timedelta(days=1)) if day < x < FAR}
        return d.items, later

    out = merge_checkpoints(first, sorted({f.date for f in facts if f.date >= first}), at)
    if last:  # a cure-period clock's cure is known only after the clock closed: take it from the last history
        cured = notice_cures(last[0].h)
        out = [replace(i, cured_on=cured[i.item_id]) if i.kind == "clock" and i.item_id in cured else i for i in out]
    return sorted(out, key=lambda i: (i.valid_from, i.kind, i.item_id))


def explain_item(terms: ProvisionTerms, facts: Sequence[Fact], as_of: date, item_id: str) -> dict[str, Any]:
    """An item of the report as of `as_of` with the clause, the facts and the arithmetic that produced it."""
    effective, _ = resolution(facts)
    d = derive(terms, effective, as_of)
    item = next((i for i in d.items if i.item_id == item_id), None)
    recorded = {f.id: f for f in facts}
    in_effect = {f.id: f for f in effective}
    value: dict[str, Any]
    found = _catalogue(d, item_id) if terms.agreement.report.vocabulary == "catalogue" else None
    if found is not None:  # the item as the catalogue vocabulary writes it, as the letter's explain shows it
        kind, value, clause = found
        why, ids = str(value.get("why", "")), list(value.get("fact_ids") or [])
        clauses = list(dict.fromkeys(c for c in [clause, *cited(why, clause_citations(terms.agreement))] if c))
    elif item is not None:
        value = {
            "id": item.item_id,
            "owed_by": item.owed_by,
            "owed_to": item.owed_to,
            "amount": item.amount,
            "due_date": item.due_date.isoformat() if item.due_date else None,
            "started": item.started.isoformat() if item.started else None,
            "status": item_status(item, as_of),
            "clause": item.clause,
            "why": item.detail["why"],
            "fact_ids": list(item.fact_ids),
        }
        kind, clause, why, ids = item.kind, item.clause, item.detail["why"], list(item.fact_ids)
    else:
        kind, value = _section(d.sections, item_id, as_of)
        clause, why, ids = str(value.get("clause", "")), str(value.get("why", "")), list(value.get("fact_ids", []))
    if found is None:
        clauses = [c for c in [clause] if c]
    return {
        "as_of": as_of.isoformat(),
        "item": {"kind": kind, "id": item_id},
        "value": value,
        "clauses": clauses,
        "interpretations": [],
        "facts": [
            fact_record(in_effect.get(i) or recorded[i], recorded) for i in ids if i in in_effect or i in recorded
        ],
        "steps": [s.strip() for s in re.split(r";\s+", why) if s.strip()],
    }


def _catalogue(d: PDerivation, item_id: str) -> tuple[str, dict[str, Any], str] | None:
    """An item of a report in the catalogue vocabulary ([report] vocabulary = "catalogue"): its kind, its value
    as that report writes it (a clock by its catalogue name) and its clause; None when it is no such item."""
    s = d.sections
    for i in d.items:
        clock = catalogue_clock(i)["clock"] if i.kind == "clock" else None
        if i.item_id != item_id and clock != item_id:
            continue
        if i.kind in ("payment", "obligation"):
            listed = s["payments" if i.kind == "payment" else "obligations"]
            entry = next((x for x in listed if x["id"] == i.item_id), None)
            if entry is not None:
                return i.kind, entry, i.clause
        if i.kind == "clock":
            return "clock", catalogue_clock(i), i.clause
    held: list[tuple[Ground | CauseGround, date | None, tuple[str, ...], str]]
    held = [(c.ground, c.available_from, c.facts, c.why) for c in d.causes]
    held += [(g.ground, g.available_from or g.arose, g.facts, g.why) for g in d.grounds]
    available = [*(s["grounds"].get("good_cause_available") or []), *(s["grounds"].get("good_reason_available") or [])]
    for ground, since, facts, why in held:
        if ground.id == item_id and item_id in available:
            value = {"ground": item_id, "available_since": _iso(since), "why": why, "fact_ids": list(facts)}
            return "ground", value, ground.clause
    options = d.h.terms.agreement.report.options
    if item_id in VESTING_WORDS and options and isinstance(s.get("options"), dict):
        return "vesting", s["options"], next((g.clause for g in d.h.terms.agreement.grants if g.id == options), "")
    if item_id in SECTIONS and isinstance(s.get(item_id), dict):
        return "section", s[item_id], ""
    return None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _section(sections: dict[str, Any], item_id: str, as_of: date) -> tuple[str, dict[str, Any]]:
    for g in sections["grants"]:
        if g["id"] == item_id:
            return "grant", g
    if item_id in sections["packages"]:
        return "package", {"id": item_id, **sections["packages"][item_id]}
    if isinstance(sections.get(item_id), dict):
        return "section", sections[item_id]
    ids = [*(p["id"] for p in sections["payments"]), *(o["id"] for o in sections["obligations"])]
    ids += [c["clock"] for c in sections["open_clocks"]] + [g["id"] for g in sections["grants"]]
    ids += list(sections["packages"])
    raise InvalidInputError(
        f"no item {item_id!r} in the report as of {as_of}; items then: {', '.join(ids) or 'none'} (or a section: "
        "employment, term, release)"
    )


LISTS = {"payments": "id", "open_clocks": "clock", "obligations": "id", "grants": "id"}
DESCRIPTIVE = {"why", "fact_ids"}


def report_diff(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """What appears, disappears or changes, by section and item (free text and fact ids left out)."""
    out: list[dict[str, Any]] = []
    for section in ("employment", "term", "grants", "packages", "release", "payments", "open_clocks", "obligations"):
        b, a = before.get(section), after.get(section)
        if section in LISTS:
            key = LISTS[section]
            old = {x[key]: _bare(x) for x in b or []}
            new = {x[key]: _bare(x) for x in a or []}
        elif section == "packages":
            old, new = {k: _bare(v) for k, v in (b or {}).items()}, {k: _bare(v) for k, v in (a or {}).items()}
        else:
            old, new = {section: _bare(b)} if b else {}, {section: _bare(a)} if a else {}
        for k in sorted(old.keys() - new.keys()):
            out.append({"section": section, "item": k, "change": "disappears", "before": old[k]})
        for k in sorted(new.keys() - old.keys()):
            out.append({"section": section, "item": k, "change": "appears", "after": new[k]})
        for k in sorted(old.keys() & new.keys()):
            fields = {
                f: [old[k].get(f), new[k].get(f)]
                for f in old[k].keys() | new[k].keys()
                if old[k].get(f) != new[k].get(f)
            }
            if fields:
                out.append({"section": section, "item": k, "change": "changes", "fields": fields})
    return out


def _bare(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _bare(v) for k, v in x.items() if k not in DESCRIPTIVE}
    return x
