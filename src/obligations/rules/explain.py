"""Explanations of one item of a report, and the difference between two reports (pure).

An explanation says how an item came to be: the clauses it applies, the interpretations (I-nn) its
arithmetic used with the option chosen, the facts it rests on (with who recorded them, when and from what,
and what a correction changed) and the arithmetic step by step. It is computed from the same derivation
as the report, so it cannot say something the report does not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from obligations.domain.errors import InvalidInputError
from obligations.domain.facts import Fact, data_as_json
from obligations.domain.values import money_str
from obligations.rules.corrections import resolution, resolve
from obligations.rules.item import Item, clock_json, clock_name, item_status
from obligations.rules.items import report_items
from obligations.rules.payments import paid_against
from obligations.rules.report import SECTIONS, derive
from obligations.terms.agreement_terms import Terms
from obligations.terms.interpretations import HOME, Interpretations

DESCRIPTIVE = {"why", "fact_ids", "ground_facts", "on_expiry", "clause", "payer", "payee", "note"}
VESTING_WORDS = {"vested", "unvested", "forfeited", "accelerated", "options", "granted"}
# The sections whose reasoning an item's rests on (their interpretations apply to it too).
RELATED = {
    "lump_sum_5_1a": ("section_5_1",),
    "cobra_premium": ("section_5_1", "health_continuation"),
    "health_continuation_period": ("section_5_1", "health_continuation"),
    "resignation_notice_period": ("employment",),
    "final_prorated_salary": ("employment",),
    "vesting": ("options",),
    "ground": ("grounds",),
}


def explain_item(
    terms: Terms, facts: Sequence[Fact], as_of: date, item_id: str, terms_source: str = "terms"
) -> dict[str, Any]:
    """`facts` as recorded (corrections included): the explanation names originals and corrections."""
    effective, _ = resolution(facts)
    d = derive(terms, effective, as_of)
    kind, value, item, extra_steps = _find(terms, d, item_id, as_of)
    section = "options" if kind == "vesting" and item is None else item_id if kind == "section" else None
    why = str(value.get("why", "")) if isinstance(value, dict) else ""
    # A typed item names its clause and the interpretations its rule applied, a section the interpretations
    # its why applies; the sections an item's reasoning rests on add theirs.
    related = next((v for k, v in RELATED.items() if item_id.startswith(k) or kind == k), ())
    own = item.interpretations if item else d.interpretations.get(section or "", ())
    used = [*own, *(i for s in related for i in d.interpretations.get(s, ()))]
    ids = list(value.get("fact_ids") or []) if isinstance(value, dict) else []
    clauses = _unique([item.clause if item else "", *cited(why, terms.citations())])
    recorded = {f.id: f for f in facts}
    in_effect = {f.id: f for f in effective}
    return {
        "as_of": as_of.isoformat(),
        "item": {"kind": kind, "id": item_id},
        "value": value,
        "clauses": clauses,
        "interpretations": interpretations_used(terms, used, terms_source),
        "facts": [
            _fact_record(in_effect.get(i) or recorded[i], recorded) for i in ids if i in in_effect or i in recorded
        ],
        "steps": [*_steps(why), *extra_steps],
    }


def _find(terms: Terms, d: Any, item_id: str, as_of: date) -> tuple[str, Any, Item | None, list[str]]:
    """The item's kind, its value as the report shows it, the typed item (None for a section) and steps."""
    r = d.report
    items = report_items(d)
    for i in items:
        if i.item_id != item_id and not (i.kind == "clock" and clock_name(i) == item_id):
            continue
        if i.kind == "payment":
            return "payment", next(p for p in r["payments"] if p["id"] == i.item_id), i, []
        if i.kind == "obligation":
            return "obligation", next(o for o in r["obligations"] if o["id"] == i.item_id), i, []
        if i.kind == "clock":
            return "clock", clock_json(i), i, []
        if i.kind == "ground":
            value = {
                "ground": item_id,
                "available_since": i.due_date.isoformat() if i.due_date else None,
                "why": i.detail["why"],
                "fact_ids": list(i.fact_ids),
            }
            return "ground", value, i, []
        if i.kind == "vesting":
            value = {
                "tranche": item_id,
                "date": i.due_date.isoformat() if i.due_date else None,
                "amount": int(i.amount or 0),
                "status": item_status(i, as_of),
                "why": i.detail["why"],
                "fact_ids": list(i.fact_ids),
            }
            return "vesting", value, i, []
    if item_id in VESTING_WORDS:
        return "vesting", r["options"], None, tranche_steps(report_items(d), as_of)
    if item_id in SECTIONS and isinstance(r.get(item_id), dict):
        return "section", r[item_id], None, []
    raise InvalidInputError(
        f"no item {item_id!r} in the report as of {as_of}; items then: " + ", ".join(available_items(r)) + " (or a "
        "section: " + ", ".join(s for s in SECTIONS if isinstance(r.get(s), dict)) + ")"
    )


def available_items(report: dict[str, Any]) -> list[str]:
    ids = [p["id"] for p in report["payments"]] + [o["id"] for o in report["obligations"]]
    ids += [f"{c['clock']}:{c['notice_id']}" if "notice_id" in c else c["clock"] for c in report["open_clocks"]]
    g = report["grounds"]
    ids += (g.get("good_cause_available") or []) + (g.get("good_reason_available") or [])
    return [*ids, "vested"]


def tranche_steps(items: Iterable[Item], as_of: date) -> list[str]:
    """Each vesting tranche on the day with its status, and what is vested: their sum (both forms)."""
    steps, total = [], Decimal(0)
    for item in items:
        if item.kind != "vesting":
            continue
        status = item_status(item, as_of)
        amount = Decimal(item.amount or 0)  # whole, or a decimal under FRACTIONAL allocation
        if status == "vested":
            total += amount
        steps.append(f"{item.item_id} {item.due_date}: {amount:,f} {status}")
    steps.append(f"vested = sum of the vested tranches = {total:,f}")
    return steps


def interpretations_used(terms: Terms, refs: Iterable[str], terms_source: str) -> list[dict[str, Any]]:
    """Each interpretation named, with every setting of it: the option chosen, the default, where it is set."""
    i, where = terms.i, terms.agreement.settings_in
    out = []
    for ref in _unique(refs):
        for name, info in Interpretations.model_fields.items():
            description = info.description or ""
            if not re.match(rf"{ref}(?!\d)", description):
                continue
            value = getattr(i, name)
            explicit = name in i.model_fields_set
            out.append(
                {
                    "id": ref,
                    "setting": name,
                    "meaning": description[len(ref) :].strip(),
                    "value": plain(value),
                    "default": plain(info.default),
                    "configured_in": f"{terms_source} [{where.get(name, HOME[name])}] {name}"
                    if explicit
                    else "the catalogue's default (not set in the terms)",
                }
            )
    return out


def plain(value: Any) -> Any:
    """A setting's value as JSON shows it (both forms' explain)."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value if isinstance(value, (bool, int, str)) or value is None else str(value)


def _fact_record(f: Fact, recorded: dict[str, Fact]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": f.id,
        "type": f.type,
        "date": f.date.isoformat(),
        "recorded_at": f.recorded_at.isoformat(),
        "recorded_by": f.recorded_by,
        "source": f.source,
        "data": data_as_json(f.data),
    }
    if f.corrects is not None:  # a replacement: the original as recorded, and the correction's reason
        original, correction = recorded[f.corrects], recorded[f.id]
        was = original.data.replacement if original.type == "FactCorrected" else original
        record["corrects"] = {
            "id": original.id,
            "type": was.type,
            "date": str(was.date),
            "data": was.data if original.type == "FactCorrected" else data_as_json(original.data),
            "recorded_at": original.recorded_at.isoformat(),
            "recorded_by": original.recorded_by,
            "source": original.source,
            "reason": correction.data.reason,
        }
    return record


def _steps(why: str) -> list[str]:
    """The `why` cut into its steps: at '; ' and '. ' outside parentheses and brackets."""
    steps, depth, current = [], 0, ""
    for index, ch in enumerate(why):
        depth += ch in "([" and 1 or (-1 if ch in ")]" else 0)
        current += ch
        boundary = ch in ";." and depth == 0 and why[index + 1 : index + 2] in (" ", "")
        if boundary and not re.search(r"(\bs|\bNo|\be\.g|\bi\.e|\bvs|\d)\.$", current):
            if current.strip(" ;"):
                steps.append(current.strip(" ;"))
            current = ""
    if current.strip(" ;"):
        steps.append(current.strip(" ;"))
    return steps


def cited(text: str, citations: Sequence[str]) -> list[str]:
    """The citations of the terms that `text` names, in order; at each place the longest ("§5.1(a)", not "§5.1")."""
    if not citations:
        return []
    pattern = re.compile("|".join(re.escape(c) for c in sorted(citations, key=len, reverse=True)) + r"(?!\d|\.\d)")
    return [m.group(0) for m in pattern.finditer(text)]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


# -- what changes between two reports ---------------------------------------------------------------------


def _clock_key(x: dict[str, Any]) -> str:
    return f"{x['clock']}:{x['notice_id']}" if "notice_id" in x else str(x["clock"])


def _id_key(x: dict[str, Any]) -> str:
    return str(x["id"])


LISTS: dict[str, Callable[[dict[str, Any]], str]] = {
    "payments": _id_key,
    "obligations": _id_key,
    "open_clocks": _clock_key,
}


def paid_amounts(facts: Sequence[Fact], as_of: date) -> dict[str, Decimal]:
    """How much has been paid against each payment id on or before `as_of` (PaymentMade, ExpenseReimbursed)."""
    out: dict[str, Decimal] = {}
    for f in resolve(facts):
        key = paid_against(f)
        if key is not None and f.date <= as_of:
            out[key] = out.get(key, Decimal(0)) + f.data.amount
    return out


def report_diff(
    before: dict[str, Any], after: dict[str, Any], paid: tuple[dict[str, Decimal], dict[str, Decimal]] | None = None
) -> list[dict[str, Any]]:
    """What appears, disappears or changes from `before` to `after`, by section and item (free text and
    fact ids left out: a change is a change of the machine contract). With `paid` (the amounts paid per
    payment before and after), a payment whose amount paid changes shows `amount_paid` even when its status
    does not (a partial payment)."""
    out = _diff(before, after)
    if paid is not None:
        _paid_changes(out, after, *paid)
    return sorted(out, key=lambda c: (SECTIONS.index(c["section"]), c.get("item") or ""))


def _paid_changes(
    out: list[dict[str, Any]], after: dict[str, Any], old: dict[str, Decimal], new: dict[str, Decimal]
) -> None:
    shown = {p["id"] for p in after.get("payments") or []}
    for pid in sorted((old.keys() | new.keys()) & shown):
        was, now = old.get(pid, Decimal(0)), new.get(pid, Decimal(0))
        if was == now:
            continue
        change = [money_str(was), money_str(now)]
        entry = next((c for c in out if c["section"] == "payments" and c.get("item") == pid), None)
        if entry is None:
            out.append({"section": "payments", "item": pid, "change": "changes", "fields": {"amount_paid": change}})
        elif entry["change"] == "changes":
            entry["fields"]["amount_paid"] = change


def _diff(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for section in SECTIONS:
        b, a = before.get(section), after.get(section)
        if section in LISTS:
            key = LISTS[section]
            old, new = {key(x): _bare(x) for x in b or []}, {key(x): _bare(x) for x in a or []}
            for k in old.keys() - new.keys():
                out.append({"section": section, "item": k, "change": "disappears", "before": old[k]})
            for k in new.keys() - old.keys():
                out.append({"section": section, "item": k, "change": "appears", "after": new[k]})
            for k in old.keys() & new.keys():
                fields = _fields(old[k], new[k])
                if fields:
                    out.append({"section": section, "item": k, "change": "changes", "fields": fields})
        elif section == "grounds":
            for side in ("good_cause_available", "good_reason_available"):
                old_g, new_g = set((b or {}).get(side) or []), set((a or {}).get(side) or [])
                out += [{"section": section, "item": g, "change": "disappears"} for g in sorted(old_g - new_g)]
                out += [{"section": section, "item": g, "change": "appears"} for g in sorted(new_g - old_g)]
        else:
            fields = _fields(_bare(b or {}), _bare(a or {}))
            if fields:
                out.append({"section": section, "change": "changes", "fields": fields})
    return out


def _bare(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _bare(v) for k, v in x.items() if k not in DESCRIPTIVE}
    if isinstance(x, list):
        return [_bare(v) for v in x]
    return x


def _fields(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [old.get(k), new.get(k)] for k in sorted(old.keys() | new.keys()) if old.get(k) != new.get(k)}


fact_record = _fact_record  # read by rules.provisions.audit
