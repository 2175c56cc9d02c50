"""Dated items (read models, reminders, calendars), explanations and what-if differences of a
provisions-form agreement, read from the typed items of its reports."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel

from obligations.domain.errors import InvalidInputError
from obligations.domain.facts import Fact
from obligations.rules.calendar import add_months
from obligations.rules.corrections import resolution, resolve
from obligations.rules.explain import VESTING_WORDS, cited, fact_record, plain, tranche_steps
from obligations.rules.item import Item, item_status
from obligations.rules.items import merge_checkpoints
from obligations.rules.provisions.report import PDerivation, Reuse, catalogue_clock, derive, notice_cures
from obligations.rules.report import SECTIONS
from obligations.terms.agreement_terms import clause_citations
from obligations.terms.provisions import CauseGround, Ground, ProvisionTerms

_ISO = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
# Dated items cover the as-of dates of the first 60 years from the start: a clock that recurs without end (an
# evergreen term's next non-renewal deadline) would otherwise ask for a derivation every term until 2999. A
# report of a later day is still derived in full (status).
HORIZON_YEARS = 60
# Sections that describe a state and give no item: the dates they name (vacation's "days employed
# 2023-01-02..<as of>" and health continuation's "status as of <as of>" name the day itself) are no
# checkpoints, or every day would be one.
STATE_SECTIONS = frozenset(
    {"as_of", "exercise_price", "change_of_control", "vacation", "bonus_target", "dispute_resolution",
     "health_continuation"}
)  # fmt: skip


def dated_items(terms: ProvisionTerms, facts: Sequence[Fact], thorough: bool = False) -> list[Item]:
    """Every item of every report, each valid over the as-of range where it holds: the items are derived at
    each fact date and at each day on which a comparison of the rules with the as-of date turns (PHistory.turns),
    the only days they may change without a fact; visibility and status are the query's (rules.item).

    `thorough` derives instead at every date any whole report names and the day after each: many more
    derivations, the reference a test holds the turns equal to."""
    facts = resolve(facts)
    starts = [f.date for f in facts if f.type == "EmploymentStarted"]
    if not starts:
        return []
    first = min(starts)
    far = add_months(first, 12 * HORIZON_YEARS)

    last: list[PDerivation] = []
    types_on: dict[date, set[str]] = {}
    for f in facts:
        types_on.setdefault(f.date, set()).add(f.type)

    pure: dict[object, object] = {}
    reuse = None if thorough else Reuse(types_on)

    def at(day: date) -> tuple[list[Item], set[date]]:
        d = derive(terms, facts, day, full=thorough, pure=pure, reuse=reuse)
        last[:] = [d]
        if not thorough:
            return d.items, {x for x in d.h.turns if x < far}
        sections = {k: v for k, v in d.sections.items() if k not in STATE_SECTIONS}
        named = {date.fromisoformat(m) for m in _ISO.findall(json.dumps(sections, default=str))}
        named |= {i.due_date for i in d.items if i.due_date} | {i.started for i in d.items if i.started}
        later = {x for n in named for x in (n, n + timedelta(days=1)) if day < x < far}
        return d.items, later

    def needed(day: date) -> bool:
        """A fact of a type the last derivation did not read cannot change what it derived."""
        return bool(types_on.get(day, set()) & last[0].h.read)

    dates = sorted({f.date for f in facts if f.date >= first})
    out = merge_checkpoints(first, dates, at, None if thorough else needed)
    if last:  # a cure-period clock's cure is known only after the clock closed: take it from the last history
        cured = notice_cures(last[0].h)
        out = [replace(i, cured_on=cured[i.item_id]) if i.kind == "clock" and i.item_id in cured else i for i in out]
    return sorted(out, key=lambda i: (i.valid_from, i.kind, i.item_id))


def explain_item(
    terms: ProvisionTerms, facts: Sequence[Fact], as_of: date, item_id: str, terms_source: str = "terms"
) -> dict[str, Any]:
    """An item of the report as of `as_of` with the clause, the facts and the arithmetic that produced it, and
    the settings of the blocks it came from that decide an interpretation (I-nn)."""
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
        "interpretations": interpretations_used(d, item, terms_source),
        "facts": [
            fact_record(in_effect.get(i) or recorded[i], recorded) for i in ids if i in in_effect or i in recorded
        ],
        "steps": [s.strip() for s in re.split(r";\s+", why) if s.strip()] + _vesting_steps(d, kind, as_of),
    }


_INTERPRETATION = re.compile(r"(I-\d\d)\s+(.*)", re.S)


def interpretations_used(d: PDerivation, item: Item | None, terms_source: str) -> list[dict[str, Any]]:
    """The interpretation settings (a field whose description opens with its I-nn) of the blocks the item came
    from: [days], and the package, payment and trigger that fired it, the grant, the ground, the obligation or
    the Good Reason process; each with its value, default and where it is set."""
    out: list[dict[str, Any]] = []
    for path, block in [("days", d.h.terms.agreement.days), *(_blocks(d, item) if item else [])]:
        for name, info in type(block).model_fields.items():
            m = _INTERPRETATION.match(info.description or "")
            if m is None:
                continue
            default = info.get_default(call_default_factory=True)
            out.append(
                {
                    "id": m[1],
                    "setting": name,
                    "meaning": m[2],
                    "value": plain(getattr(block, name)),
                    "default": plain(default),
                    "configured_in": f"{terms_source} {path}.{name}"
                    if name in block.model_fields_set
                    else "the default (not set in the terms)",
                }
            )
    return out


def _blocks(d: PDerivation, item: Item) -> list[tuple[str, BaseModel]]:
    """The blocks of the terms an item came from, with their key paths."""
    a = d.h.terms.agreement
    out: list[tuple[str, BaseModel]] = []
    package = item.detail.get("package")
    fired = next((f for f in d.fired if f.package.id == package), None)
    if fired is not None:
        p = fired.package
        out.append((f"packages.{p.id}", p))
        stem = item.item_id.split(":")[-1]
        out += [
            (f"packages.{p.id}.payments.{x.id}", x) for x in p.payments if stem == x.id or stem.startswith(f"{x.id}_")
        ]
        out += [(f"triggers.{t.id}", t) for t in a.triggers if t.id == fired.hit.trigger]
    grant = item.detail.get("grant")
    out += [(f"grants.{g.id}", g) for g in a.grants if g.id == grant]
    if item.kind == "obligation":
        mine = [
            o for o in a.obligations if item.item_id == o.id or (o.for_each and item.item_id.startswith(f"{o.id}_"))
        ]
        out += [(f"obligations.{o.id}", o) for o in mine]
    named = item.item_id.split(":")[-1]
    out += [(f"grounds.{g.id}", g) for g in a.grounds if g.id in (item.item_id, named)]
    out += [(f"cause_grounds.{g.id}", g) for g in a.cause_grounds if g.id in (item.item_id, named)]
    if a.good_reason and (
        item.detail.get("ground") == "good_reason" or item.item_id.startswith(("good_reason", "resignation"))
    ):
        out.append(("good_reason", a.good_reason))
    return out


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


def _vesting_steps(d: PDerivation, kind: str, as_of: date) -> list[str]:
    """For the options of a catalogue-vocabulary report: each tranche of its grant and their vested sum."""
    options = d.h.terms.agreement.report.options
    if kind != "vesting" or not options:
        return []
    return tranche_steps((i for i in d.items if i.kind == "vesting" and i.detail.get("grant") == options), as_of)


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
