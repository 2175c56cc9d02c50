"""Health continuation after a trigger, in either form of terms (catalogue §7.3, I-02, I-19, I-20): the months
of coverage following the trigger's day, the path it takes (active coverage, the carrier's continuation, COBRA
premiums) and the monthly premiums the Company pays on the COBRA path."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from obligations.domain.facts import Fact
from obligations.rules.calendar import add_days, add_months
from obligations.rules.history import fact_ids
from obligations.rules.item import Item
from obligations.rules.payments import payment_item
from obligations.rules.sections import Section
from obligations.terms.expressions import cardinal


class HealthFacts(Protocol):
    start: date
    start_fact: Fact
    as_of: date

    def of(self, *types: str) -> list[Fact]: ...


@dataclass(frozen=True)
class HealthPlan:
    """`months` of coverage following the trigger's day, at the Company's expense (`clause`), paid as COBRA
    premiums when the carrier refuses to continue it (`cobra_clause`)."""

    clause: str
    cobra_clause: str
    months: int
    feb29: str = "feb28"  # I-03: where a 29 February anniversary lands
    # I-19: who bears the active-employee contribution on the carrier's continuation; whether the COBRA premium
    # the Company pays includes the administrative charge. The report states them; no amount depends on them.
    employee_contribution: str = "active_terms"
    cobra_admin_fee_included: bool = True


@dataclass(frozen=True)
class HealthTrigger:
    """What the coverage follows: its day T (the end, or a Change of Control alone, I-20), the facts and the
    words naming it."""

    date: date
    facts: tuple[str, ...]
    words: str


def coverage_months(plan: HealthPlan, t: date) -> list[tuple[int, date, date]]:
    """Month k = [add_months(T, k − 1) + 1 day, add_months(T, k)] (I-02: from T, never chained)."""
    return [
        (k, add_days(add_months(t, k - 1, plan.feb29), 1), add_months(t, k, plan.feb29))
        for k in range(1, plan.months + 1)
    ]


def _until(h: HealthFacts, day: date, *types: str) -> list[Fact]:
    return [f for f in h.of(*types) if f.date <= day]


def tier_before(h: HealthFacts, t: date) -> tuple[str, int]:
    """I-19: the coverage in effect on T − 1 day (coverage added on or after T does not count)."""
    changes = _until(h, add_days(t, -1), "HealthCoverageChanged")
    return (changes[-1].data.tier, changes[-1].data.dependents) if changes else ("employee_only", 0)


def health_basis(h: HealthFacts, t: HealthTrigger) -> list[str]:
    """The facts health continuation rests on: the trigger, the coverage held before it, the carrier's
    decisions, the COBRA election and the end of eligibility."""
    coverage = _until(h, add_days(t.date, -1), "HealthCoverageChanged")[-1:]
    later = h.of("CarrierContinuationDecision", "CobraElected", "CobraEligibilityEnded")
    return fact_ids(t.facts, coverage, later)


def health_path(h: HealthFacts, plan: HealthPlan, t: date, end: date | None) -> str:
    period_end = coverage_months(plan, t)[-1][2]
    if end is None or end >= period_end:
        return "active_employment_coverage"
    decisions = h.of("CarrierContinuationDecision")
    if not decisions:
        return "pending_carrier_decision"
    if decisions[-1].data.allowed:
        return "carrier_continuation"
    return "cobra_premium_payment" if h.of("CobraElected") else "awaiting_cobra_election"


def cobra_items(h: HealthFacts, plan: HealthPlan, t: HealthTrigger, end: date | None) -> list[Item]:
    """§5.1 s.2, I-19, I-20: the monthly premiums once COBRA is elected; cancelled after eligibility ends."""
    if end is None or health_path(h, plan, t.date, end) != "cobra_premium_payment":
        return []
    decisions = h.of("CarrierContinuationDecision")
    refusal = decisions[-1]
    premiums = refusal.data.cobra_monthly_premium
    tier, _ = tier_before(h, t.date)
    amount = Decimal(getattr(premiums, tier)) if premiums else Decimal(0)
    elected = h.of("CobraElected")[0].date
    ended = min((e.date for e in h.of("CobraEligibilityEnded")), default=None)
    earlier_allowed = any(d.data.allowed for d in decisions[:-1])
    items = []
    for k, start, last in coverage_months(plan, t.date):
        if last <= end or (earlier_allowed and last < refusal.date):
            continue  # covered while employed (I-20) or by the carrier before it withdrew (I-19)
        due = max(start, elected, add_days(end, 1))
        cancelled = ended is not None and start >= ended
        why = (
            f"{plan.cobra_clause}: carrier refused continuation ({refusal.date}); COBRA "
            f"elected {elected}; coverage month "
            f"{k} = {start}..{last}; due max(month start, election date) = {due}; premium for tier '{tier}' "
            f"held on {add_days(t.date, -1)}, "
            + ("including" if plan.cobra_admin_fee_included else "excluding")
            + " the administrative charge [I-19]"
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
                plan.clause,
                ("I-19",),
                payee="carrier / COBRA administrator",
                cancelled=cancelled,
                basis=health_basis(h, t),
                coverage_month={"start": start.isoformat(), "end": last.isoformat()},
            )
        )
    return items


def _who_pays(plan: HealthPlan, path: str) -> str:
    """I-19's reading of "on the same terms as during your employment", for a human to confirm."""
    if path != "carrier_continuation":
        return ""
    if plan.employee_contribution == "company_pays_all":
        return " (the Company bears the whole premium, the employee's active contribution included [I-19])"
    return (
        " (the employee keeps paying the active-employee contribution [I-19]; "
        "flag: s.3 says 'at the Company's expense')"
    )


def health_section(h: HealthFacts, plan: HealthPlan, t: HealthTrigger, end: date | None) -> Section:
    """The catalogue §10 `health_continuation` section once a trigger occurred."""
    months = coverage_months(plan, t.date)
    period_start, period_end = months[0][1], months[-1][2]
    tier, dependents = tier_before(h, t.date)
    path = health_path(h, plan, t.date, end)
    status = "in_progress" if h.as_of <= period_end else "completed"
    covered = tier == "employee_plus_dependents"
    why = (
        f"{plan.clause}: Termination Date {t.date} ({t.words}); "
        f"{cardinal(plan.months)} months following it = "
        f"{period_start} .. {t.date} + {len(months)} months = {period_end} [I-02, I-19]; coverage on "
        f"{add_days(t.date, -1)} (immediately prior to the Termination Date) was '{tier}' with {dependents} "
        f"dependent(s)"
        + (f", so the dependents are also covered at the Company's expense [{plan.clause}, I-19]" if covered else "")
        + f"; path: {path.replace('_', ' ')}{_who_pays(plan, path)}; status as of {h.as_of}: {status}."
    )
    out = {
        "required": True,
        "trigger_date": t.date.isoformat(),
        "period_start": period_start.isoformat(),
        "period_end": period_end.isoformat(),
        "dependents_covered": covered,
        "tier": tier,
        "path": path,
        "status": status,
        "why": why,
        "fact_ids": health_basis(h, t),
    }
    return Section(out, ("I-02", "I-19"))


def no_health_section(why: str) -> Section:
    return Section({"required": False, "why": why, "fact_ids": []})
