"""`obligations terms show`: what an agreement makes each side owe and when, one line per provision, in
plain words made from the numbers of the terms file (so the words change when a number does)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from obligations.terms.agreement_terms import Terms
from obligations.terms.expressions import ordinal


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
        ),  # fmt: skip
        Provision(
            a.salary.clause,
            "Company",
            f"pays a base salary of {_money(a.salary.annual_base_salary)} a year "
            f"on {c.name}'s payroll ({c.payroll.period_days}-day periods); on any termination the salary "
            f"prorated to the Termination Date, due under {law}",
        ),  # fmt: skip
        Provision(
            a.bonus.clause,
            "Company",
            f"finalizes the bonus program within "
            f"{_days(a.bonus.program_finalization_days)} of the start; target "
            f"{a.bonus.target_pct_of_base_salary}% of base salary in {a.bonus.payments_per_year} payments "
            "a year",
        ),  # fmt: skip
        Provision(
            a.options.clause,
            "Company",
            f"grants {a.options.quantity:,} options on the first day at "
            f"{a.options.exercise_price}; they vest in {v.installments} installments of "
            f"{_period(v.period_length, v.period_unit)}{cliff} ({v.allocation_type})",
        ),  # fmt: skip
        Provision(
            a.vacation.clause,
            "Company",
            f"{a.vacation.weeks_per_year} weeks ({a.vacation.hours_per_year} "
            f"hours) of vacation a year, accrued per {a.vacation.accrual_period_days}-day period",
        ),  # fmt: skip
        Provision(
            s51.clause,
            "Company",
            f"within {s51.window_months} months of the start (last day "
            f"{window_end}, I-04), on {triggers}: a lump sum of {_money(s51.lump_sum)} on the "
            f"{ordinal(s51.lump_sum_due_days_after_termination_date)} day after the Termination Date, "
            f"{s51.health_continuation_months} months of health coverage or COBRA premiums, and every "
            "unvested option vests",
        ),  # fmt: skip
        Provision(
            a.good_cause.clause,
            "Employee",
            f"may cure a neglect of duties within "
            f"{_days(a.good_cause.neglect_cure_days)} of the Company's written notice, or it is Good Cause "
            "(b)",
        ),  # fmt: skip
        Provision(
            a.change_of_control.clause,
            "—",
            f"a Change of Control: a merger leaving shareholders less than "
            f"{a.change_of_control.merger_shareholders_retain_less_than_pct}% of the vote, a person other "
            f"than {', '.join(c.change_of_control.excluded_persons) or 'an excluded person'} holding more "
            f"than {a.change_of_control.beneficial_ownership_more_than_pct}%, a sale of substantially all "
            "assets, or a liquidation",
        ),  # fmt: skip
        Provision(
            a.good_reason.clause,
            "Company",
            f"may cure a material breach within "
            f"{_days(a.good_reason.breach_cure_days)} of the Employee's written notice, or it is Good Reason "
            f"(f); a Good Reason resignation takes effect {_days(a.good_reason.resignation_notice_days)} "
            "after its notice",
        ),  # fmt: skip
        Provision(a.dispute_resolution.clause, "both", f"disputes go to {a.dispute_resolution.forum}"),
        Provision(
            a.onboarding.clause,
            "Employee",
            f"submits the I-9 within "
            f"{_days(a.onboarding.i9_days_after_start, i.i9_day_count)} of the start and signs the "
            f"Confidentiality Agreement ({a.onboarding.confidentiality_standard_version}) on the first "
            "day",
        ),  # fmt: skip
    ]
    return out
