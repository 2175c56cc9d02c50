"""§5.1 and §3 s.4: the 24-month window, the first trigger, acceleration, the lump sum and health continuation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from obligations.rules.calendar import add_days, add_months
from obligations.rules.employment import EmploymentState
from obligations.rules.health import HealthPlan, HealthTrigger
from obligations.rules.history import History, fact_ids
from obligations.rules.item import Item
from obligations.rules.payments import contract_date, payment_item
from obligations.terms.expressions import ordinal

TRIGGER_WORDS = {
    "change_of_control": "Change of Control",
    "termination_without_good_cause": "termination for other than Good Cause",
    "resignation_for_good_reason": "resignation for Good Reason",
}


Day = date


@dataclass(frozen=True)
class Trigger:
    kind: str
    date: date  # the §5 Termination Date T
    tested: Day  # the date tested against the window (I-05)
    facts: tuple[str, ...] = ()  # the facts of the event (and of the grounds it rests on)


def window(h: History) -> tuple[date, date]:
    """I-04: [S, add_months(S, 24) − 1], or including add_months(S, 24) when configured."""
    s51, i = h.terms.agreement.section_5_1, h.terms.i
    end = add_months(h.start, s51.window_months, i.feb29_anniversary)
    return h.start, end if i.window_inclusive_end else add_days(end, -1)


def candidates(h: History, emp: EmploymentState) -> list[Trigger]:
    found = []
    if emp.first_coc_while_employed and h.terms.i.coc_single_trigger:
        c = emp.first_coc_while_employed.date
        found.append(Trigger("change_of_control", c, c, emp.first_coc_while_employed.facts))
    e = emp.ending
    if e and e.type == "termination_without_good_cause":
        found.append(Trigger(e.type, e.date, e.date, tuple(e.basis)))
    if e and e.type == "resignation_for_good_reason":
        tested = e.fact.date if h.terms.i.window_test_date == "notice_date" else e.date
        found.append(Trigger(e.type, e.date, tested, tuple(e.basis)))
    return sorted(found, key=lambda t: t.date)


def first_trigger(h: History, emp: EmploymentState) -> Trigger | None:
    """The first qualifying event inside the window; §5.1 pays once (I-07)."""
    start, end = window(h)
    return next((t for t in candidates(h, emp) if start <= t.tested <= end), None)


def acceleration_date(h: History, emp: EmploymentState) -> tuple[date, str] | None:
    """§3 s.4: the first CoC while employed, a termination without Good Cause, a Good Reason resignation."""
    events = []
    if emp.first_coc_while_employed:
        events.append((emp.first_coc_while_employed.date, "Change of Control"))
    if emp.ending and emp.ending.accelerates:
        events.append((emp.ending.date, TRIGGER_WORDS[emp.ending.type][0].upper() + TRIGGER_WORDS[emp.ending.type][1:]))
    if not h.terms.i.acceleration_after_window:  # I-08 alternative
        start, end = window(h)
        events = [e for e in events if start <= e[0] <= end]
    return min(events, default=None)


def lump_sum_item(h: History, t: Trigger) -> Item:
    s51 = h.terms.agreement.section_5_1
    days = s51.lump_sum_due_days_after_termination_date
    raw = add_days(t.date, days)
    due = contract_date(h, raw)
    _, end = window(h)
    roll = f"rolled to {due}" if due != raw else "no business-day roll"
    why = (
        f"{s51.lump_sum_clause}: {TRIGGER_WORDS[t.kind]} on {t.date} within the window ending {end}; due on the "
        f"{ordinal(days)} day following the Termination Date: {t.date} + {days} days = "
        f"{raw} ({raw.strftime('%a')}; calendar days, {roll}, I-01); amount ${s51.lump_sum:,}; paid once (I-07)."
    )
    return payment_item(
        h,
        "lump_sum_5_1a",
        Decimal(s51.lump_sum),
        due,
        why,
        s51.lump_sum_clause,
        ("I-01", "I-07"),
        basis=fact_ids(h.start_fact, t.facts),
    )


def health_plan(h: History) -> HealthPlan:
    s51 = h.terms.agreement.section_5_1
    i = h.terms.i
    return HealthPlan(
        s51.health_clause,
        s51.cobra_clause,
        s51.health_continuation_months,
        i.feb29_anniversary,
        i.continuation_employee_contribution,
        i.cobra_admin_fee_included,
    )


def health_trigger(t: Trigger) -> HealthTrigger:
    return HealthTrigger(t.date, t.facts, TRIGGER_WORDS[t.kind])
