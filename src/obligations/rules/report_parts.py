"""Report sections of catalogue §10 that describe a state: employment, options, prices, CoC, grounds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from obligations.rules.change_of_control import change_of_control_report
from obligations.rules.employment import EmploymentState
from obligations.rules.grounds import cure_clocks, good_cause_grounds, good_reason_grounds
from obligations.rules.history import History, fact_ids
from obligations.rules.sections import (
    Section,
    VacationPlan,
    bonus_target,
    closing_price,
    dispute_resolution,
    exercise_price,
    vacation,
)
from obligations.rules.vesting import VestingState, count, count_text, schedule


def employment_section(h: History, emp: EmploymentState) -> Section:
    e, p = emp.ending, emp.pending
    if e is not None:
        out: dict[str, Any] = {
            "status": "terminated",
            "termination_date": e.date.isoformat(),
            "termination_type": e.type,
        }
        if e.end_reason:
            out["end_reason"] = e.end_reason
        out.update(
            for_good_cause=e.for_good_cause,
            for_good_reason=e.for_good_reason,
            grounds=e.grounds,
            good_cause_claim_rejected=e.good_cause_claim_rejected,
            why=e.why,
            fact_ids=e.basis,
        )
        return Section(out, e.interpretations)
    if p is not None:
        kind = "resignation_for_good_reason" if p.for_good_reason else "resignation_without_good_reason"
        pending = {
            "status": "resignation_notice_period",
            "pending_termination_date": p.effective.isoformat(),
            "pending_termination_type": kind,
            "grounds": p.grounds,
            "why": p.why + " Employee remains employed until the end of the effective date.",
            "fact_ids": p.basis,
        }
        return Section(pending, p.interpretations)
    active = {
        "status": "active",
        "why": f"Employment began {h.start}; no termination or resignation event "
        f"effective on or before {h.as_of} ({h.terms.agreement.onboarding.clause} at-will).",
        "fact_ids": fact_ids(h.start_fact),
    }
    return Section(active)


def first_day_close(h: History) -> tuple[Decimal, date] | None:
    """§3 s.2, I-24: the close on the first day; on a non-trading day the last close before (or the next)."""
    return closing_price(h.of("ClosingPriceRecorded"), h.start, h.terms.i.price_non_trading_day)


def exercise_price_section(h: History) -> Section:
    o = h.terms.agreement.options
    closes = h.of("ClosingPriceRecorded")
    return exercise_price(o.clause, o.exercise_price, h.start, closes, h.terms.i.price_non_trading_day, h.start_fact)


def _schedule_text(h: History) -> tuple[str, list[str]]:
    """The schedule in words, and the interpretations they apply."""
    v = h.terms.agreement.vesting
    plan = schedule(v, h.start)
    if not plan:
        return f"{v.clause} schedule: nothing to vest.", []
    first, rest = plan[0], plan[1:]
    unit = "months" if v.period_unit == "MONTHS" else "days"
    head = f"{v.clause} schedule: {count_text(first.amount)} on {first.date} ({first.label})"
    if not rest:
        return head + ".", []
    head += (
        f", then {count_text(sum((t.amount for t in rest), Fraction(0)))} over {len(rest)} tranche(s) every "
        f"{v.period_length} {unit} through {rest[-1].date} ({v.allocation_type}) [I-23]"
    )
    return head + ".", ["I-23"]


def vesting_basis(h: History, emp: EmploymentState, acceleration: tuple[date, str] | None) -> list[str]:
    """The start (and grants), and what ended or accelerated the vesting: a change of control or the end."""
    ids = fact_ids(h.start_fact, h.of("OptionsGranted"))
    coc = emp.first_coc_while_employed
    if acceleration is not None and coc is not None and coc.date == acceleration[0]:
        return fact_ids(ids, coc.facts)
    if emp.ending is not None:
        return fact_ids(ids, emp.ending.basis)
    return fact_ids(ids, emp.pending.basis if emp.pending else None)


def options_section(
    h: History, emp: EmploymentState, vs: VestingState, acceleration: tuple[date, str] | None, price: str | None
) -> Section:
    text, used = _schedule_text(h)
    why = [text]
    scheduled = [t for t in vs.vested_tranches if t.kind == "scheduled"]
    nxt: dict[str, Any] | None = None
    if acceleration is not None:
        a_date, cause = acceleration
        why.append(
            f"Scheduled vesting on or before {a_date}: {len(scheduled)} tranche(s) = "
            f"{count_text(vs.vested - vs.accelerated)}. {cause} on {a_date} → {h.terms.agreement.options.clause} "
            "acceleration: all options "
            f"granted before it vest that day: {count_text(vs.granted)} − {count_text(vs.vested - vs.accelerated)} "
            f"= {count_text(vs.accelerated)} accelerated; vested {count_text(vs.vested)}, "
            f"unvested {count_text(vs.unvested)}."
        )
    elif emp.ending is not None:
        why.append(
            f"Employment ended {emp.ending.date} ({emp.ending.type}): tranches dated on or before it vest "
            f"({count_text(vs.vested)}); the remaining {count_text(vs.forfeited)} are forfeited (I-09, I-39)."
        )
        used += ["I-09", "I-39"]
    else:
        why.append(f"As of {h.as_of}: {len(scheduled)} tranche(s) vested = {count_text(vs.vested)}.")
        if vs.next_tranche is not None:
            t = vs.next_tranche
            nxt = {"date": t.date.isoformat(), "amount": count(t.amount), "kind": "scheduled"}
            why.append(f"Next scheduled tranche {t.date} ({t.label}) {count_text(t.amount)}.")
        p = emp.pending
        if p is not None and (vs.next_tranche is None or p.effective < vs.next_tranche.date):
            if p.for_good_reason:
                nxt = {"date": p.effective.isoformat(), "amount": count(vs.unvested), "kind": "acceleration"}
                why.append(
                    f"Pending resignation for Good Reason effective {p.effective} precedes the next scheduled "
                    f"tranche, so the next vesting event is the {h.terms.agreement.options.clause} acceleration of "
                    f"{count_text(vs.granted)} − "
                    f"{count_text(vs.vested)} = {count_text(vs.unvested)} on {p.effective} [I-11]."
                )
                used.append("I-11")
            else:
                nxt = None
                why.append(
                    f"Pending resignation without Good Reason effective {p.effective} precedes the next "
                    f"tranche: nothing more will vest (I-39)."
                )
                used.append("I-39")
    out = {
        "granted": count(vs.granted),
        "exercise_price": price,
        "vested": count(vs.vested),
        "unvested": count(vs.unvested),
        "forfeited": count(vs.forfeited),
        "accelerated": count(vs.accelerated),
        "acceleration_date": vs.acceleration_date.isoformat() if vs.acceleration_date else None,
        "next_vesting": nxt,
        "why": " ".join(why),
        "fact_ids": vesting_basis(h, emp, acceleration),
    }
    return Section(out, tuple(used))


def change_of_control_section(h: History, emp: EmploymentState) -> Section:
    return change_of_control_report(emp.cocs, h.start, emp.ending.date if emp.ending else None)


def grounds_section(h: History, emp: EmploymentState) -> Section:
    if emp.ending is not None:
        ended = {
            "good_cause_available": None,
            "good_reason_available": None,
            "why": f"Employment ended {emp.ending.date}; grounds are only evaluated while employed.",
            "fact_ids": emp.ending.basis,
        }
        return Section(ended)
    coc = emp.first_coc_while_employed.date if emp.first_coc_while_employed else None
    gc, gr = good_cause_grounds(h, h.as_of), good_reason_grounds(h, h.as_of, coc)
    why = [g.why for g in gc + gr] or ["No Good Cause or Good Reason ground available."]
    basis = fact_ids(*(g.facts for g in gc + gr))
    a = h.terms.agreement
    for kind, ground, side, who in (
        ("breach_cure_period", a.good_reason.of_kind("uncured_breach"), "Good Reason", "Company's"),
        ("neglect_cure_period", a.good_cause.of_kind("uncured_neglect"), "Good Cause", "employee's"),
    ):
        if ground is None:
            continue
        for c in cure_clocks(h, kind):
            if c.ground_from > h.as_of and not (c.cured_on and c.cured_on <= h.as_of):
                why.append(
                    f"Notice {c.notice.data.notice_id} received {c.started}: {who} cure period runs to {c.deadline} "
                    f"(day {(c.deadline - c.started).days}); {side} {ground.id} cannot arise before {c.ground_from}."
                )
                basis = fact_ids(basis, c.notice)
    available = {
        "good_cause_available": [g.id for g in gc],
        "good_reason_available": [g.id for g in gr],
        "why": " ".join(why),
        "fact_ids": basis,
        "ground_facts": {g.id: list(g.facts) for g in gc + gr},
    }
    return Section(available, tuple(dict.fromkeys(i for g in gc + gr for i in g.interpretations)))


def vacation_section(h: History, emp: EmploymentState) -> Section:
    """§4 s.2, I-27: whole 14-day periods from the start, through min(as_of, TD)."""
    v, cap = h.terms.agreement.vacation, h.terms.i.vacation_cap_hours
    plan = VacationPlan(
        v.clause,
        v.weeks_per_year,
        v.hours_per_year,
        v.accrual_period_days,
        v.periods_per_year,
        Decimal(cap) if cap is not None and cap >= 0 else None,
    )
    last = min(h.as_of, emp.ending.date) if emp.ending else h.as_of
    basis = [h.start_fact, *(emp.ending.basis if emp.ending else ())]
    return vacation(plan, h.start, last, emp.ending is not None, basis, h.of("VacationTaken"))


def bonus_target_section(h: History, emp: EmploymentState) -> Section:
    b = h.terms.agreement.bonus
    day = min(h.as_of, emp.ending.date) if emp.ending else h.as_of
    rate_fact = [fact for since, _, fact in h.salary_timeline() if since <= day][-1]
    return bonus_target(b.clause, b.target_pct_of_base_salary, b.payments_per_year, h.rate_on(day), rate_fact)


def dispute_resolution_section(h: History) -> Section:
    d = h.terms.agreement.dispute_resolution
    return dispute_resolution(d.clause, d.forum, h.of("DisputeRaised"))
