"""Parity of the Valence letter re-expressed in the provisions form (issue 13), section by section.

`config/agreements/valence-2004.toml` (the draft, now shipped) is the letter written in the provisions form's
blocks. Over the characterization lives (tests/characterization.py) read under the catalogue's defaults, each
report of the letter form is set beside the draft's report on the same facts and day, and each catalogue §10 section is
compared with its free text left out (as the `contract` digest compares). `scripts/parity` prints the share of
reports on which each section agrees; `tests/test_parity.py` holds the sections already equal at 100% on a
sample, so a step of the migration can only add sections.
"""

from __future__ import annotations

import json
import re
import tomllib
import traceback
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import characterization as c
from obligations.rules.agreement import status_report
from obligations.rules.report import SECTIONS  # the catalogue §10 sections of a letter report, in order
from obligations.terms.loader import terms_from_text
from obligations.terms.provisions import ProvisionsFile, ProvisionTerms

DRAFT = c.CONFIG / "agreements" / "valence-2004.toml"
# The sections the draft already answers as the letter does on every report: only ever added to.
PARITY_SECTIONS = SECTIONS  # every one, since step 9
# The sections the draft answers as the letter does on every report where the end of employment agrees (the end
# itself is the employment section's step).
PARITY_SAME_END = ("health_continuation", "section_5_1", "open_clocks")
# The kinds of payment (an id, or the family of `expense_<id>`, `cobra_premium_<k>`) the draft already pays as the
# letter does on every report where the end of employment agrees; `final_prorated_salary` is held on all but
# its fact_ids (which name the facts the end rests on, the employment section's step).
PARITY_PAYMENTS = ("expense", "lump_sum_5_1a", "final_prorated_salary", "cobra_premium")
WITHOUT_FACT_IDS = ("final_prorated_salary",)


def draft() -> ProvisionTerms:
    terms = terms_from_text(DRAFT.read_text(), str(DRAFT), c.CONFIG)
    assert isinstance(terms, ProvisionTerms)
    return terms


class NotExpressed(Exception):
    """Interpretation settings the draft cannot express yet."""


def _grounds(raw: dict[str, Any], gid: str) -> dict[str, Any]:
    return next(g for g in [*raw.get("grounds", []), *raw.get("cause_grounds", [])] if g["id"] == gid)


def _obligation(raw: dict[str, Any], oid: str) -> dict[str, Any]:
    return next(o for o in raw["obligations"] if o["id"] == oid)


def _triggers(raw: dict[str, Any], *ids: str) -> list[dict[str, Any]]:
    return [t for t in raw["triggers"] if t["id"] in ids]


def _lump_sum(raw: dict[str, Any]) -> dict[str, Any]:
    s51 = next(p for p in raw["packages"] if p["id"] == "section_5_1")
    return next(x for x in s51["payments"] if x["id"] == "lump_sum_5_1a")


def _inclusive(raw: dict[str, Any], on: bool) -> None:
    for t in _triggers(raw, "section_5_1_termination", "section_5_1_change_of_control"):
        t["window_inclusive_end"] = on


def _single(raw: dict[str, Any], on: bool) -> None:
    if not on:
        s51 = next(p for p in raw["packages"] if p["id"] == "section_5_1")
        s51["triggers"] = ["section_5_1_termination"]


def _after_window(raw: dict[str, Any], on: bool) -> None:
    if not on:
        (t,) = _triggers(raw, "section_3_acceleration")
        t.update(on_or_after="start_date", before="start_date + 24 months")


def _health(raw: dict[str, Any]) -> dict[str, Any]:
    health: dict[str, Any] = next(p for p in raw["packages"] if p["id"] == "section_5_1")["health"]
    return health


def _conjunctive(raw: dict[str, Any], on: bool) -> None:
    """I-16: (a)(i) and (ii) both required: each of (ii)'s convictions together with (i)'s."""
    g = _grounds(raw, "5.2(a)")
    if on:
        limb_i, *limb_ii = g["convictions"]
        g["convictions"] = [[limb_i, x] for x in limb_ii]


def _felony_only(raw: dict[str, Any], on: bool) -> None:
    """I-16: a crime of moral turpitude counts only when it is a felony."""
    g = _grounds(raw, "5.2(a)")
    if on:
        swap = {"moral_turpitude": "felony_involving_moral_turpitude"}
        g["convictions"] = [
            swap.get(x, x) if isinstance(x, str) else [swap.get(k, k) for k in x] for x in g["convictions"]
        ]


def _hired_on_acceptance(raw: dict[str, Any], value: str) -> None:
    """I-25: the date of hire is the day the offer was accepted: the bonus program is due 30 days after it."""
    if value == "acceptance":
        _obligation(raw, "finalize_bonus_program").update(due="acceptance_date + 30 days", arises="acceptance_date")


# Each interpretation setting of the catalogue (the variants of tests/characterization.py) as what it changes
# in the draft's blocks: the I-nn are named settings of the blocks they belong to.
SETTINGS: dict[str, Any] = {
    "window_inclusive_end": _inclusive,  # I-04
    "coc_single_trigger": _single,  # I-06
    "acceleration_after_window": _after_window,  # I-08
    "gr_short_notice": lambda raw, v: raw["good_reason"].update(
        short_notice={"lose_good_reason": "strict"}.get(v, v)
    ),  # I-11(3): the letter's reading loses Good Reason for a notice asking no date too
    "gr_requires_claim": lambda raw, v: raw["good_reason"].update(assessed="claimed" if v else "deemed"),  # I-11(2)
    "salary_cut_baseline": lambda raw, v: _grounds(raw, "5.4(c)").update(baseline={"original": "start"}.get(v, v)),
    "agreed_cut_excluded": lambda raw, v: _grounds(raw, "5.4(c)").update(agreed_cut_resets_baseline=v),  # I-13(3)
    "reporting_line_change_is_diminution": lambda raw, v: _grounds(raw, "5.4(b)").update(reporting_line=v),  # I-38
    "good_reason_e_enabled": lambda raw, v: v or raw.update(grounds=[g for g in raw["grounds"] if g["id"] != "5.4(e)"]),
    "proration_basis": lambda raw, v: raw["salary"].update(proration_basis=v),  # I-21
    "feb29_anniversary": lambda raw, v: raw["days"].update(feb29=v),  # I-03
    "i9_day_count": lambda raw, v: _obligation(raw, "submit_i9").update(due=f"start_date + 3 {v} days"),  # I-26
    "price_non_trading_day": lambda raw, v: raw["grants"][0].update(price_non_trading_day=v),  # I-24
    "expense_reimbursement_due_days": lambda raw, v: raw["expenses"].update(reimbursement_due_days=v),  # I-37
    "expense_prompt_days": lambda raw, v: raw["expenses"].update(prompt_days=v),  # I-37
    "vacation_cap_hours": lambda raw, v: raw["vacation"].update(cap_hours=str(v)),  # I-27
    "arbitration_agreement_due_days": lambda raw, v: _obligation(raw, "execute_arbitration_agreement").update(
        due=f"start_date + {v} days"
    ),  # I-29
    "window_test_date": lambda raw, v: _triggers(raw, "section_5_1_termination")[0].update(tested_on=v),  # I-05
    "notice_effective": lambda raw, v: raw["days"].update(notices="dispatch" if v == "dispatch" else "receipt"),
    "gr_lapse_days": lambda raw, v: v < 0 or raw["good_reason"].update(lapse=f"{v} days"),  # I-12
    "roll_contract_dates": lambda raw, v: v and _lump_sum(raw).update(roll="following"),  # I-01
    "late_cure_removes_ground": lambda raw, v: [
        _grounds(raw, g).update(late_cure_removes=v) for g in ("5.2(b)", "5.4(f)")
    ],
    "i9_termination_class": lambda raw, v: _obligation(raw, "submit_i9").update(
        failure_ends_as={"termination_without_good_cause": "termination_without_cause"}.get(v, v)
    ),  # I-26
    "continuation_employee_contribution": lambda raw, v: _health(raw).update(employee_contribution=v),  # I-19
    "cobra_admin_fee_included": lambda raw, v: _health(raw).update(cobra_admin_fee_included=v),  # I-19
    "gc_a_conjunctive": _conjunctive,  # I-16
    "moral_turpitude_felony_only": _felony_only,  # I-16
    "date_of_hire": _hired_on_acceptance,  # I-25
    "reclassify_unsupported_good_cause": lambda raw, v: raw["cause"].update(
        unsupported="without_cause" if v else "as_stated"
    ),
}


def variant_draft(update: dict[str, Any]) -> ProvisionTerms:
    """The draft with a variant's interpretation settings written as its blocks' settings (NotExpressed
    names those it cannot write yet)."""
    missing = sorted(k for k in update if k not in SETTINGS)
    if missing:
        raise NotExpressed(", ".join(missing))
    raw = tomllib.loads(DRAFT.read_text())
    for key, value in update.items():
        SETTINGS[key](raw, value)
    base = draft()
    return ProvisionTerms(agreement=ProvisionsFile.model_validate(raw), company=base.company)


# The variants of tests/characterization.py whose every setting the draft expresses (test_parity holds them).
EXPRESSED_VARIANTS = (3, 4, 5, 6, 7, 8)


def variant_lives(variant: int, count: int) -> list[int]:
    return [variant + k * len(c.VARIANTS) for k in range(count)]


def default_lives(count: int) -> list[int]:
    """The first `count` lives read under the catalogue's defaults (the variants pin the alternatives)."""
    out, n = [], 0
    while len(out) < count:
        if not c.VARIANTS[n % len(c.VARIANTS)]:
            out.append(n)
        n += 1
    return out


@dataclass
class Tally:
    reports: int = 0
    agree: Counter[str] = field(default_factory=Counter)
    # the same, counted only on the reports whose end of employment agrees (the day, or none on both)
    same_end: int = 0
    agree_same_end: Counter[str] = field(default_factory=Counter)
    first_difference: dict[str, tuple[int, str, Any, Any]] = field(default_factory=dict)
    crashes: list[str] = field(default_factory=list)
    # payments by kind, on the reports where the end of employment agrees: how many, how many equal
    payments: Counter[str] = field(default_factory=Counter)
    payments_agree: Counter[str] = field(default_factory=Counter)
    # reports whose whole JSON, free text left out, is the same text: the same keys in the same order
    whole: int = 0

    def add(self, other: Tally) -> None:
        self.reports += other.reports
        self.agree.update(other.agree)
        self.same_end += other.same_end
        self.agree_same_end.update(other.agree_same_end)
        for k, v in other.first_difference.items():
            self.first_difference.setdefault(k, v)
        self.crashes += other.crashes
        self.payments.update(other.payments)
        self.payments_agree.update(other.payments_agree)
        self.whole += other.whole


def life_parity(n: int, terms: ProvisionTerms | None = None) -> Tally:
    letter = c.terms_of(n)
    provisions = terms or draft()
    facts = c.life_facts(n, letter)
    out = Tally()
    for day in c.as_of_dates(letter, facts):
        expected = status_report(letter, facts, day)
        try:
            got = status_report(provisions, facts, day)
        except Exception:  # a crash is a finding of the harness, reported with the life and the day
            out.crashes.append(f"life {n} as of {day}: {traceback.format_exc(limit=-3)}")
            got = {}
        out.reports += 1
        same_end = last_day(expected) == last_day(got)
        out.same_end += same_end
        for s in SECTIONS:
            want, have = c._strip(expected.get(s)), c._strip(got.get(s, "(absent)"))
            if want == have:
                out.agree[s] += 1
                out.agree_same_end[s] += same_end
            else:
                out.first_difference.setdefault(s, (n, day.isoformat(), want, have))
        if same_end:
            _payments(out, n, day.isoformat(), expected.get("payments") or [], got.get("payments") or [])
        if json.dumps(c._strip(expected), default=str) == json.dumps(c._strip(got), default=str):
            out.whole += 1
        else:
            out.first_difference.setdefault("(the whole report)", (n, day.isoformat(), list(expected), list(got)))
    return out


def payment_kind(pid: str) -> str:
    return re.sub(r"_[^_]*\d+$", "", pid) if pid.startswith(("expense_", "cobra_premium_")) else pid


def _payments(out: Tally, n: int, day: str, expected: list[dict[str, Any]], got: list[dict[str, Any]]) -> None:
    want, have = ({p["id"]: c._strip(p) for p in side} for side in (expected, got))
    for pid in want.keys() | have.keys():
        kind = payment_kind(pid)
        a, b = want.get(pid), have.get(pid)
        if kind in WITHOUT_FACT_IDS:
            a, b = ({k: v for k, v in x.items() if k != "fact_ids"} if x else x for x in (a, b))
        out.payments[kind] += 1
        if a == b:
            out.payments_agree[kind] += 1
        else:
            out.first_difference.setdefault(f"payment {kind}", (n, day, a, b))


def last_day(report: dict[str, Any]) -> str | None:
    """The last day employed a report names (the termination date, or a pending resignation's), or None."""
    e = report.get("employment") or {}
    return e.get("termination_date") or e.get("pending_termination_date") or e.get("pending_date")


def explain_parity(n: int, terms: ProvisionTerms | None = None, every: int = 4) -> list[str]:
    """What explain and what-if answer differently for the draft on life n (every `every`-th as-of day): each
    item the letter's report lists and each section, by kind and value (free text left out), and the
    difference between consecutive reports. Empty when they agree."""
    from obligations.rules.agreement import explain_item, report_diff
    from obligations.rules.explain import available_items

    letter = c.terms_of(n)
    provisions = terms or draft()
    facts = c.life_facts(n, letter)
    out: list[str] = []
    previous: tuple[dict[str, Any], dict[str, Any]] | None = None
    for day in c.as_of_dates(letter, facts)[::every]:
        want, got = status_report(letter, facts, day), status_report(provisions, facts, day)
        for item in [*available_items(want), *(s for s in SECTIONS if isinstance(want.get(s), dict))]:
            a = explain_item(letter, facts, day, item)
            try:
                b = explain_item(provisions, facts, day, item)
            except Exception as e:  # an item the draft cannot explain is a finding
                out.append(f"life {n} as of {day}: {item}: {e}")
                continue
            for key in ("item", "value"):
                if c._strip(a[key]) != c._strip(b[key]):
                    out.append(f"life {n} as of {day}: {item} {key}: {c._strip(a[key])} != {c._strip(b[key])}")
        if previous is not None:
            a_diff = report_diff(letter, previous[0], want, facts, facts, day)
            b_diff = report_diff(provisions, previous[1], got, facts, facts, day)
            if c._strip(a_diff) != c._strip(b_diff):
                out.append(f"life {n} to {day}: what changes: {c._strip(a_diff)} != {c._strip(b_diff)}")
        previous = (want, got)
    return out


ITEM_FIELDS = ("kind", "item_id", "due_date", "started", "amount", "cancelled", "fixed_status", "paid_on",
               "fulfilled_on", "cured_on", "owed_by", "owed_to", "valid_from", "valid_to")  # fmt: skip


@dataclass
class ItemsTally:
    """The dated items (what the read models, reminders and calendars are built from) of both forms: how many
    the letter has, how many the draft has equal in every field, and those only one side has, by family."""

    letter: int = 0
    equal: int = 0
    only: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    example: dict[tuple[str, str, str], tuple[int, tuple[str, ...]]] = field(default_factory=dict)

    def add(self, other: ItemsTally) -> None:
        self.letter += other.letter
        self.equal += other.equal
        self.only.update(other.only)
        for k, v in other.example.items():
            self.example.setdefault(k, v)


def _shown_span(i: Any) -> Any:
    """A clock item with its validity cut to the days a report shows it ([started, deadline]): the forms
    checkpoint differently (the letter at the dates its rules derive, the provisions form at every date a report
    names), so a clock's run may end at its deadline or at the next fact; what a report, the portfolio or a
    reminder reads is the same (reminders_parity compares those exactly)."""
    if i.kind != "clock":
        return i
    start = max(i.valid_from, i.started)
    end = i.due_date + timedelta(days=1) if i.valid_to is None else min(i.valid_to, i.due_date + timedelta(days=1))
    return replace(i, valid_from=start, valid_to=end)


def items_parity(n: int, terms: ProvisionTerms | None = None) -> ItemsTally:
    from obligations.rules.agreement import dated_items

    letter = c.terms_of(n)
    facts = c.life_facts(n, letter)

    def rows(items: Any) -> set[tuple[str, ...]]:
        return {tuple(str(getattr(i, f)) for f in ITEM_FIELDS) for i in map(_shown_span, items)}

    want, got = rows(dated_items(letter, facts)), rows(dated_items(terms or draft(), facts))
    out = ItemsTally(len(want), len(want & got))
    for side, extra in (("letter only", want - got), ("draft only", got - want)):
        for row in extra:
            key = (side, row[0], row[1].split(":")[0] if row[0] == "clock" else re.sub(r"_?\d+$", "", row[1]))
            out.only[key] += 1
            out.example.setdefault(key, (n, row))
    return out


REMINDER_FIELDS = ("kind", "item_id", "due_date", "offset_days", "send_at", "owed_by", "owed_to", "amount", "clause",
                   "started")  # fmt: skip


def reminders_parity(n: int, terms: ProvisionTerms | None = None) -> ItemsTally:
    """The reminders and escalations the alert planner draws from the dated items of both forms on life n
    (config/alerts policy), with what a reminder carries: the item, its due date, the offset, when it is sent,
    the parties, the amount, the clause and the clock's start."""
    from obligations.alerts.plan import plan
    from obligations.alerts.policy import load_policy
    from obligations.application.projections import _row
    from obligations.rules.agreement import dated_items

    letter = c.terms_of(n)
    facts = c.life_facts(n, letter)
    policy = load_policy(c.CONFIG)

    def rows(t: Any) -> set[tuple[str, ...]]:
        out = set()
        for r in plan([_row("a", "valence", i) for i in dated_items(t, facts)], policy, {}):
            x = r.payload
            values = (r.kind, r.item_id, r.due_date, r.offset_days, r.send_at, *(x[k] for k in REMINDER_FIELDS[5:]))
            out.add(tuple(str(v) for v in values))
        return out

    want, got = rows(letter), rows(terms or draft())
    out = ItemsTally(len(want), len(want & got))
    for side, extra in (("letter only", want - got), ("draft only", got - want)):
        for row in extra:
            key = (side, row[0], row[1].split(":")[0])
            out.only[key] += 1
            out.example.setdefault(key, (n, row))
    return out
