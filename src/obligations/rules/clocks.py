"""Open clocks on a date (catalogue §6): open from start through deadline inclusive, unless stopped."""

from __future__ import annotations

from datetime import date
from typing import Any

from obligations.rules.calendar import add_days
from obligations.rules.employment import EmploymentState, i9_deadline
from obligations.rules.grounds import cure_clocks
from obligations.rules.health import coverage_months
from obligations.rules.history import History, fact_ids
from obligations.rules.item import Item, clock_name
from obligations.rules.section51 import Trigger, health_plan, window
from obligations.terms.expressions import cardinal

ORDER = [
    "i9_submission",
    "bonus_program_finalization",
    "section_5_1_window",
    "neglect_cure_period",
    "breach_cure_period",
    "resignation_notice_period",
    "health_continuation_period",
]


def hire_date(h: History) -> date:
    """I-25: the date of hire is the first day of employment, or configured, the acceptance date."""
    accepted = h.of("OfferAccepted")
    if h.terms.i.date_of_hire == "acceptance" and accepted:
        return accepted[0].date
    return h.start


# Who owes what a clock runs for (the party who must act before its deadline), and to whom.
_OWED_BY_EMPLOYEE = ("i9_submission", "neglect_cure_period")


def _clock(
    clock: str,
    started: date,
    deadline: date,
    clause: str,
    on_expiry: str,
    why: str,
    basis: list[str],
    interpretations: tuple[str, ...],
    notice_id: str | None = None,
    cured_on: date | None = None,
) -> Item:
    by, to = ("Employee", "Company") if clock in _OWED_BY_EMPLOYEE else ("Company", "Employee")
    detail: dict[str, Any] = {"notice_id": notice_id} if notice_id is not None else {}
    detail.update(on_expiry=on_expiry, why=why)
    return Item(
        "clock",
        f"{clock}:{notice_id}" if notice_id is not None else clock,
        by,
        to,
        None,
        deadline,
        started,
        clause,
        cured_on=cured_on,
        fact_ids=tuple(basis),
        detail=detail,
        interpretations=interpretations,
    )


def hire_basis(h: History) -> list[str]:
    accepted = h.of("OfferAccepted")
    return fact_ids(accepted[:1] if h.terms.i.date_of_hire == "acceptance" and accepted else h.start_fact)


def open_clocks(h: History, emp: EmploymentState, trigger: Trigger | None) -> list[Item]:
    d, a = h.as_of, h.terms.agreement
    employed = emp.ending is None
    out: list[Item] = []
    i9 = i9_deadline(h)
    if employed and h.start <= d <= i9 and not any(x.data.documentation_satisfactory for x in h.of("I9Submitted")):
        out.append(
            _clock(
                "i9_submission",
                h.start,
                i9,
                a.onboarding.clause,
                "obligation overdue; the offer condition has failed (the Company may end the employment, I-26)",
                f"{a.onboarding.clause}: no later than {a.onboarding.i9_days_after_start} days after employment "
                "begins: "
                f"{h.start} + {a.onboarding.i9_days_after_start} = {i9} [I-26].",
                fact_ids(h.start_fact, h.of("I9Submitted")),
                ("I-26",),
            )
        )
    hire = hire_date(h)
    bonus = add_days(hire, a.bonus.program_finalization_days)
    breach = a.good_reason.of_kind("uncured_breach")
    if employed and hire <= d <= bonus and not h.of("BonusProgramFinalized"):
        remedy = f" ({breach.clause}, I-25)" if breach else " (I-25)"
        out.append(
            _clock(
                "bonus_program_finalization",
                hire,
                bonus,
                a.bonus.clause,
                "Company obligation overdue; the employee may give written notice of a material breach" + remedy,
                f"{a.bonus.clause}: within {a.bonus.program_finalization_days} days of the date of hire: {hire} + "
                f"{a.bonus.program_finalization_days} = {bonus} [I-25].",
                hire_basis(h),
                ("I-25",),
            )
        )
    start, end = window(h)
    s51 = a.section_5_1
    if employed and trigger is None and start <= d <= end:
        out.append(
            _clock(
                "section_5_1_window",
                start,
                end,
                s51.clause,
                f"later triggers get no {s51.lump_sum_clause} or {s51.health_clause} benefits "
                f"({a.options.clause} acceleration still applies)",
                f"{s51.clause}: {start} + {a.section_5_1.window_months} months − 1 day = {end} [I-04].",
                fact_ids(h.start_fact),
                ("I-04",),
            )
        )
    for kind, ground, side in (
        ("neglect_cure_period", a.good_cause.of_kind("uncured_neglect"), "Good Cause"),
        ("breach_cure_period", a.good_reason.of_kind("uncured_breach"), "Good Reason"),
    ):
        if ground is None:
            continue
        clause, expiry = ground.clause, f"{side} {ground.id} available from"
        for c in cure_clocks(h, kind):
            cured = c.cured_on is not None and c.cured_on <= d
            if employed and c.started <= d <= c.deadline and not cured:
                who = "employee" if kind == "neglect_cure_period" else "Company"
                out.append(
                    _clock(
                        kind,
                        c.started,
                        c.deadline,
                        clause,
                        f"if not cured by {c.deadline}: {expiry} {c.ground_from}",
                        f"{clause}: the {who} may cure within {(c.deadline - c.started).days} days of "
                        f"the written notice (received {c.started}): last cure day {c.started} + "
                        f"{(c.deadline - c.started).days} = {c.deadline} (I-10, "
                        f"{'I-14' if who == 'employee' else 'I-15'}).",
                        fact_ids(c.notice, c.cure_ids),
                        ("I-10", "I-14" if who == "employee" else "I-15"),
                        c.notice.data.notice_id,
                        c.cured_on,
                    )
                )
    p = emp.pending
    if p is not None:
        days = (p.effective - p.notice_date).days
        notice = a.good_reason.resignation_notice_days
        kind = "resignation for Good Reason" if p.for_good_reason else "resignation without Good Reason"
        out.append(
            _clock(
                "resignation_notice_period",
                p.notice_date,
                p.effective,
                a.good_reason.clause if p.for_good_reason else a.onboarding.clause,
                f"employment ends; {kind}",
                f"{a.good_reason.clause}: {cardinal(notice)} ({notice}) days advance written notice: "
                f"{p.notice_date} + {days} = "
                f"{p.effective}; effective {p.effective} (I-11)."
                if p.for_good_reason
                else f"At-will resignation effective {p.effective} (I-33).",
                p.basis,
                ("I-11",) if p.for_good_reason else ("I-33",),
            )
        )
    if trigger is not None:
        period_end = coverage_months(health_plan(h), trigger.date)[-1][2]
        months = s51.health_continuation_months
        if trigger.date <= d <= period_end:
            out.append(
                _clock(
                    "health_continuation_period",
                    trigger.date,
                    period_end,
                    s51.health_clause,
                    "Company's health-continuation / COBRA-premium obligation ends",
                    f"{s51.health_clause}: {cardinal(months)} months following the Termination Date {trigger.date}: "
                    f"through {trigger.date} + {months} months = {period_end} (I-19).",
                    fact_ids(trigger.facts),
                    ("I-19",),
                )
            )
    return sorted(out, key=lambda c: (c.started or c.due_date, ORDER.index(clock_name(c))))
