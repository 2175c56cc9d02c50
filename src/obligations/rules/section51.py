"""§5.1 and §3 s.4: the 24-month window, the first trigger, acceleration, the lump sum and health continuation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from obligations.rules.calendar import add_days, add_months
from obligations.rules.employment import EmploymentState
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


def coverage_months(h: History, t: Trigger) -> list[tuple[int, date, date]]:
    months = h.terms.agreement.section_5_1.health_continuation_months
    f = h.terms.i.feb29_anniversary
    return [(k, add_days(add_months(t.date, k - 1, f), 1), add_months(t.date, k, f)) for k in range(1, months + 1)]


def tier_before(h: History, t: Trigger) -> tuple[str, int]:
    """I-19: the coverage in effect on T − 1 day (coverage added on or after T does not count)."""
    changes = h.of_until(add_days(t.date, -1), "HealthCoverageChanged")
    return (changes[-1].data.tier, changes[-1].data.dependents) if changes else ("employee_only", 0)


def health_basis(h: History, t: Trigger) -> list[str]:
    """The facts health continuation rests on: the trigger, the coverage held before it, the carrier's
    decisions, the COBRA election and the end of eligibility."""
    coverage = h.of_until(add_days(t.date, -1), "HealthCoverageChanged")[-1:]
    later = h.of("CarrierContinuationDecision", "CobraElected", "CobraEligibilityEnded")
    return fact_ids(t.facts, coverage, later)


def health_path(h: History, t: Trigger, emp: EmploymentState) -> str:
    period_end = coverage_months(h, t)[-1][2]
    if emp.ending is None or emp.ending.date >= period_end:
        return "active_employment_coverage"
    decisions = h.of("CarrierContinuationDecision")
    if not decisions:
        return "pending_carrier_decision"
    if decisions[-1].data.allowed:
        return "carrier_continuation"
    return "cobra_premium_payment" if h.of("CobraElected") else "awaiting_cobra_election"


def cobra_items(h: History, t: Trigger, emp: EmploymentState) -> list[Item]:
    """§5.1 s.2, I-19, I-20: six monthly premiums once COBRA is elected; cancelled after eligibility ends."""
    if health_path(h, t, emp) != "cobra_premium_payment" or emp.ending is None:
        return []
    decisions = h.of("CarrierContinuationDecision")
    refusal = decisions[-1]
    premiums = refusal.data.cobra_monthly_premium
    tier, _ = tier_before(h, t)
    amount = Decimal(getattr(premiums, tier)) if premiums else Decimal(0)
    elected = h.of("CobraElected")[0].date
    ended = min((e.date for e in h.of("CobraEligibilityEnded")), default=None)
    earlier_allowed = any(d.data.allowed for d in decisions[:-1])
    items = []
    for k, start, end in coverage_months(h, t):
        if end <= emp.ending.date or (earlier_allowed and end < refusal.date):
            continue  # covered while employed (I-20) or by the carrier before it withdrew (I-19)
        due = max(start, elected, add_days(emp.ending.date, 1))
        cancelled = ended is not None and start >= ended
        why = (
            f"{h.terms.agreement.section_5_1.cobra_clause}: carrier refused continuation ({refusal.date}); COBRA "
            f"elected {elected}; coverage month "
            f"{k} = {start}..{end}; due max(month start, election date) = {due}; premium for tier '{tier}' "
            f"held on {add_days(t.date, -1)} [I-19]"
            + (f"; cancelled: COBRA eligibility ended {ended}, on or before the month start" if cancelled else "")
            + "."
        )
        items.append(
            payment_item(
                h,
                f"cobra_premium_{k}",
                amount,
                due,
                why,
                h.terms.agreement.section_5_1.health_clause,
                ("I-19",),
                payee="carrier / COBRA administrator",
                cancelled=cancelled,
                basis=health_basis(h, t),
                coverage_month={"start": start.isoformat(), "end": end.isoformat()},
            )
        )
    return items
