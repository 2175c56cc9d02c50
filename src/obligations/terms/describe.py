"""`obligations terms show`: what an agreement makes each side owe and when, one line per provision, in
plain words made from the numbers of the terms file (so the words change when a number does)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from obligations.terms.agreement_terms import Terms
from obligations.terms.expressions import ordinal
from obligations.terms.provisions import ProvisionTerms, conviction_words


@dataclass(frozen=True)
class Provision:
    clause: str
    owed_by: str
    words: str


def _money(x: Decimal) -> str:
    return f"${x:,.2f}".replace(".00", "") if x == x.to_integral_value() else f"${x:,.2f}"


def _days(n: int, count: str = "calendar") -> str:
    return f"{n} {'business ' if count == 'business' else ''}day{'s' if n != 1 else ''}"


def _period(length: int, unit: str) -> str:
    word = {"MONTHS": "month", "DAYS": "day"}[unit]
    return f"{length} {word}{'s' if length != 1 else ''}"


def describe(terms: Terms) -> list[Provision]:
    a, i, c = terms.agreement, terms.i, terms.company
    v, s51 = a.vesting, a.section_5_1
    neglect, breach = a.good_cause.of_kind("uncured_neglect"), a.good_reason.of_kind("uncured_breach")
    cliff = f"; installments 1-{v.cliff_installment} vest together on the cliff" if v.cliff_installment else ""
    window_end = "included" if i.window_inclusive_end else "excluded"
    triggers = "a termination without Good Cause or a resignation for Good Reason"
    triggers += " or a Change of Control alone" if i.coc_single_trigger else " (a Change of Control alone does not)"
    law = c.final_pay.law or "the final-pay law of the company's jurisdiction (not configured)"
    out = [
        Provision(
            a.position.clause,
            "Employee",
            f"serves as {a.position.title}, reporting to {a.position.reports_to}, at {a.position.work_location}",
        ),
        Provision(
            a.salary.clause,
            "Company",
            f"pays a base salary of {_money(a.salary.annual_base_salary)} a year "
            f"on {c.name}'s payroll ({c.payroll.period_days}-day periods); on any termination the salary "
            f"prorated to the Termination Date, due under {law}",
        ),
        Provision(
            a.bonus.clause,
            "Company",
            f"finalizes the bonus program within "
            f"{_days(a.bonus.program_finalization_days)} of the start; target "
            f"{a.bonus.target_pct_of_base_salary}% of base salary in {a.bonus.payments_per_year} payments "
            "a year",
        ),
        Provision(
            a.options.clause,
            "Company",
            f"grants {a.options.quantity:,} options on the first day at "
            f"{a.options.exercise_price}; they vest in {v.installments} installments of "
            f"{_period(v.period_length, v.period_unit)}{cliff} ({v.allocation_type})",
        ),
        Provision(
            a.vacation.clause,
            "Company",
            f"{a.vacation.weeks_per_year} weeks ({a.vacation.hours_per_year} "
            f"hours) of vacation a year, accrued per {a.vacation.accrual_period_days}-day period",
        ),
        Provision(
            s51.clause,
            "Company",
            f"within {s51.window_months} months of the start (last day "
            f"{window_end}, I-04), on {triggers}: a lump sum of {_money(s51.lump_sum)} on the "
            f"{ordinal(s51.lump_sum_due_days_after_termination_date)} day after the Termination Date, "
            f"{s51.health_continuation_months} months of health coverage or COBRA premiums, and every "
            "unvested option vests",
        ),
        Provision(
            a.good_cause.clause,
            "Employee",
            f"may cure a neglect of duties within "
            f"{_days(a.good_cause.neglect_cure_days)} of the Company's written notice, or it is Good Cause "
            f"{neglect.id if neglect else ''}",
        ),
        Provision(
            a.change_of_control.clause,
            "—",
            f"a Change of Control: a merger leaving shareholders less than "
            f"{a.change_of_control.merger_shareholders_retain_less_than_pct}% of the vote, a person other "
            f"than {', '.join(c.change_of_control.excluded_persons) or 'an excluded person'} holding more "
            f"than {a.change_of_control.beneficial_ownership_more_than_pct}%, a sale of substantially all "
            "assets, or a liquidation",
        ),
        Provision(
            a.good_reason.clause,
            "Company",
            f"may cure a material breach within "
            f"{_days(a.good_reason.breach_cure_days)} of the Employee's written notice, or it is Good Reason "
            f"{breach.id if breach else ''}; a Good Reason resignation takes effect "
            f"{_days(a.good_reason.resignation_notice_days)} after its notice",
        ),
        Provision(a.dispute_resolution.clause, "both", f"disputes go to {a.dispute_resolution.forum}"),
        Provision(
            a.onboarding.clause,
            "Employee",
            f"submits the I-9 within "
            f"{_days(a.onboarding.i9_days_after_start, i.i9_day_count)} of the start and signs the "
            f"Confidentiality Agreement ({a.onboarding.confidentiality_standard_version}) on the first "
            "day",
        ),
    ]
    return out


SHORT_NOTICE = {
    "extend": "extended to the notice",
    "lose_good_reason": "a plain resignation on the date asked",
    "strict": "a plain resignation on the date asked, or on its day",
    "accept": "accepted",
}


def describe_provisions(terms: ProvisionTerms) -> list[Provision]:
    """One line per provision of a provisions-form file, in words made from its blocks."""
    a, out = terms.agreement, []
    t = a.term
    notice = ", ".join(
        f"{who} gives {d} notice"
        for who, d in (("the Company", t.notice_by_company), ("the Employee", t.notice_by_employee))
        if d
    )
    kind = {
        "at_will": "at will",
        "fixed": f"a fixed term of {t.length}",
        "evergreen": f"{t.length}, renewing for {t.renewal}",
    }[t.kind]
    out.append(Provision(t.clause, "both", f"employment is {kind}" + (f"; {notice}" if notice else "")))
    if a.salary.annual_base_salary is not None:
        out.append(
            Provision(a.salary.clause, "Company", f"pays a base salary of {_money(a.salary.annual_base_salary)} a year")
        )
    b = a.bonus
    if b is not None and b.target_pct_of_base_salary is not None:
        paid = f", paid in {b.payments_per_year} payments a year" if b.payments_per_year else ""
        out.append(
            Provision(
                b.clause, "Company", f"sets a target bonus of {b.target_pct_of_base_salary}% of base salary{paid}"
            )
        )
    if a.vacation is not None:
        v = a.vacation
        cap = f", up to {v.cap_hours} h" if v.cap_hours is not None else ""
        out.append(
            Provision(
                v.clause,
                "Company",
                f"grants {v.hours_per_year} h of vacation a year, {v.hours_per_year}/{v.periods_per_year} h for each "
                f"completed {v.accrual_period_days}-day period from the start{cap}",
            )
        )
    if a.dispute_resolution is not None:
        out.append(
            Provision(
                a.dispute_resolution.clause,
                "both",
                f"settle disputes by {a.dispute_resolution.forum} in the county of the Company's principal "
                "executive offices",
            )
        )
    for g in a.grants:
        size = f"{g.quantity:,}" if g.quantity is not None else "(a number not stated)"
        sched = (
            f", vesting in {g.vesting.installments} installments of "
            f"{_period(g.vesting.period_length, g.vesting.period_unit)}"
            if g.vesting
            else ", schedule not stated"
        )
        window = f"; exercisable for {g.exercise_window} after employment ends" if g.exercise_window else ""
        if g.exercise_price == "closing_price":
            other = "the last close before" if g.price_non_trading_day == "previous_close" else "the next close"
            window += f"; exercise price: the close on the grant date ({other} on a day with none)"
        out.append(
            Provision(
                g.clause,
                "Company",
                f"grants {g.id}: {g.kind.replace('_', ' ')} {size} on {g.grant_date}{sched}{window}",
            )
        )
    coc = a.change_of_control
    if coc is not None:
        if coc.definition == "prongs":
            parts = [
                f"a merger leaving the shareholders less than {coc.merger.shareholders_retain_less_than_pct}% "
                f"({coc.merger.clause})" if coc.merger else "",
                f"a sale of {coc.asset_sale.substantially_all_fraction} of the assets ({coc.asset_sale.clause})"
                if coc.asset_sale else "",
                f"a person holding more than {coc.beneficial_ownership.more_than_pct}% of the vote "
                f"({coc.beneficial_ownership.clause})" if coc.beneficial_ownership else "",
                f"a liquidation ({coc.liquidation.clause})" if coc.liquidation else "",
            ]  # fmt: skip
            words = "a Change of Control is " + "; or ".join(x for x in parts if x)
        else:
            words = "a Change of Control as " + (coc.plan or "a plan") + " defines it, when determined"
        out.append(Provision(coc.clause, "—", words))
    triggers = {x.id: x for x in a.triggers}
    for p in a.packages:
        events = []
        for tid in p.triggers:
            x = triggers[tid]
            words = " or ".join(e.replace("_", " ") for e in x.events)
            if x.change_of_control:
                w = x.change_of_control
                words += f" from {w.before} before to {w.after} after a Change of Control"
            if x.on_or_after or x.before:
                words += f" (on or after {x.on_or_after or 'any date'}, before {x.before or 'any date'}"
                words += ", a resignation tested on its notice's day)" if x.tested_on == "notice_date" else ")"
            if x.unless_fulfilled:
                words += f" unless {x.unless_fulfilled.obligation} is fulfilled by {x.unless_fulfilled.by}"
            events.append(words)
        gives = [
            f"{x.id}: {x.amount}"
            + (
                f" on {x.due}"
                if x.due
                else f" within {x.within}"
                if x.within
                else f" in {x.installments} installments every {x.every} from {x.first}"
                if x.first
                else " (date not stated)"
            )
            for x in p.payments
        ]
        gives += [
            f"{x.kind} acceleration" + (f" of {x.months} months ({x.order or 'soonest'})" if x.months else "")
            for x in p.accelerations
        ]
        gives += (
            [
                f"{p.health.months} months of health continuation"
                + (f", by COBRA premiums when the carrier will not continue it ({p.health.cobra_clause})"
                   + ("; the employee keeps paying the active contribution on the carrier's continuation"
                      if p.health.employee_contribution == "active_terms" else "; the Company pays all of it")
                   + ("" if p.health.cobra_admin_fee_included else "; premiums without the administrative charge")
                   if p.health.cobra_clause else "")
            ]
            if p.health
            else []
        )  # fmt: skip
        cond = "; conditioned on a release of claims" if p.release else ""
        cond += f"; less what {' and '.join(p.offset_by)} pay" if p.offset_by else ""
        out.append(
            Provision(p.clause, "Company", f"on {'; or '.join(events)}: {', '.join(gives) or 'nothing stated'}{cond}")
        )
    if a.release:
        r = a.release
        out.append(
            Provision(
                r.clause,
                "Employee",
                f"signs the release within {r.consider or '(not stated)'} of its delivery"
                + (f" (delivered within {r.deliver_within})" if r.deliver_within else "")
                + (f"; revocable for {r.revoke}" if r.revoke else "")
                + (
                    f"; effective on day {r.effective_day_after_signing} after signing"
                    if r.effective_day_after_signing is not None
                    else ""
                )
                + (f"; no later than {r.outer_deadline} after termination" if r.outer_deadline else ""),
            )
        )
    if a.good_reason:
        gr = a.good_reason
        out.append(
            Provision(
                gr.clause,
                "Employee",
                f"resigns for Good Reason ({', '.join(x.id for x in a.grounds) or 'grounds as claimed'})"
                + (f"; notice within {gr.notice_within} of the condition" if gr.notice_within else "")
                + (f"; the Company may cure within {gr.cure} of the notice" if gr.cure else "")
                + (f"; the resignation takes effect within {gr.resign_within} after" if gr.resign_within else "")
                + (f", and within {gr.resign_by} of the condition" if gr.resign_by else "")
                + (f"; giving {gr.resignation_notice} notice" if gr.resignation_notice else "")
                + (f" (on shorter notice: {SHORT_NOTICE[gr.short_notice]})" if gr.resignation_notice else "")
                + ("; deemed for every ground available on the notice's day" if gr.assessed == "deemed" else "")
                + (f"; a ground lapses {gr.lapse} after it became available" if gr.lapse else "")
                + (
                    "; a Company termination during the notice is one without Cause"
                    if gr.termination_during_notice == "without_cause"
                    else ""
                ),
            )
        )
    if a.cause:
        kept = "kept as stated" if a.cause.unsupported == "as_stated" else "a termination without Cause"
        out.append(
            Provision(
                a.cause.clause,
                "Company",
                "terminates for Cause only on an available ground, else it is "
                + kept
                + ": "
                + "; ".join(
                    f"{x.id} ({x.clause}) "
                    + (
                        f"after written notice, if not cured within {x.cure}"
                        if x.cure
                        else f"on a conviction ({conviction_words(x.convictions)})"
                        if x.kind == "conviction"
                        else "on a " + ("wilful " if x.wilful_only else "") + "policy violation found"
                        if x.kind == "policy_violation"
                        else "once recorded"
                    )
                    + (f", when stated as {x.stated_as}" if x.stated_as else "")
                    for x in a.cause_grounds
                ),
            )
        )
    for c in a.covenants:
        out.append(Provision(c.clause, "Employee", f"{c.kind.replace('_', ' ')} for {c.period} from {c.runs_from}"))
    for o in a.obligations:
        words = o.description + (f", for each {o.for_each}" if o.for_each else "")
        words += f", due {o.due}" if o.due else ", no date stated"
        if o.fulfilled_by:
            when = ", ".join(f"{k} = {v}" for k, v in o.fulfilled_when.items())
            words += f"; fulfilled by {o.fulfilled_by}" + (f" with {when}" if when else "")
        if o.stated_as:
            words += "; a condition of the offer: a termination for its failure ends the employment as such"
        out.append(Provision(o.clause, o.owed_by, words))
    if a.expenses is not None:
        e = a.expenses
        due = (
            f"within {e.reimbursement_due_days} days of submission"
            if e.reimbursement_due_days is not None
            else "with no due date"
        )
        out.append(Provision(e.clause, "Company", f"reimburses the business expenses submitted, {due}"))
    return out
