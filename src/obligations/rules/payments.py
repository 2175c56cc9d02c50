"""Payment items of the `payments` section and their status (catalogue §6, §7.2-7.4, I-21, I-22, I-37)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

from obligations.domain.facts import Fact
from obligations.domain.values import money_str, round_money
from obligations.rules.calendar import add_days, next_payday_after
from obligations.rules.days import final_pay_calendar, roll
from obligations.rules.employment import Ending
from obligations.rules.history import History, fact_ids
from obligations.rules.item import Item
from obligations.terms.expressions import ordinal
from obligations.terms.models import Company


class Facts(Protocol):
    """What the payment rules read of a history, in either form of terms."""

    start: date
    start_fact: Fact

    def of(self, *types: str) -> list[Fact]: ...


def payment_item(
    h: Facts,
    pid: str,
    amount: Decimal,
    due: date | None,
    why: str,
    clause: str,
    interpretations: tuple[str, ...] = (),
    payer: str = "Company",
    payee: str = "Employee",
    cancelled: bool = False,
    basis: Sequence[str] = (),
    coverage_month: dict[str, str] | None = None,
) -> Item:
    """Paid once PaymentMade amounts reach the amount; else its status follows the due date (I-36 end of day).

    The amount is rounded once, here, before it is shown or compared: a payment of exactly the amount shown
    settles it (issue 12)."""
    amount = round_money(amount)
    paid, paid_on = Decimal(0), None
    paying = []
    for p in h.of("PaymentMade", "ExpenseReimbursed"):
        if paid_against(p) == pid:
            paying.append(p.id)
            paid += p.data.amount
            if paid >= amount and paid_on is None:
                paid_on = p.date
    if not cancelled and paid_on is not None and paid != amount:
        why += f" Paid ${money_str(paid)} against ${money_str(amount)} due: over-payment flagged (catalogue §8)."
    elif not cancelled and paid_on is None and paid:
        why += f" Partial payment ${money_str(paid)} of ${money_str(amount)} recorded (flagged, catalogue §8)."
    detail: dict[str, Any] = {"payer": payer, "payee": payee, "why": why}
    if coverage_month is not None:
        detail["coverage_month"] = coverage_month
    return Item(
        "payment",
        pid,
        payer,
        payee,
        money_str(amount),
        due,
        None,
        clause,
        cancelled=cancelled,
        paid_on=None if cancelled else paid_on,
        fact_ids=tuple(fact_ids(basis, paying)),
        detail=detail,
        interpretations=interpretations,
    )


def paid_against(fact: Fact) -> str | None:
    """The payment id a PaymentMade or ExpenseReimbursed pays (catalogue §8), None for any other fact."""
    if fact.type == "PaymentMade":
        return str(fact.data.obligation)
    if fact.type == "ExpenseReimbursed":
        return f"expense_{fact.data.expense_id}"
    return None


def contract_date(h: History, day: date) -> date:
    """I-01: contractual dates are not rolled unless configured."""
    return roll(day, "following", final_pay_calendar(h.terms.company)) if h.terms.i.roll_contract_dates else day


def salary_timeline(h: Facts) -> list[tuple[date, Decimal, Fact]]:
    """(effective from, annual rate, fact): the rate actually in effect (OB-10)."""
    rates = [(h.start, Decimal(h.start_fact.data.annual_base_salary), h.start_fact)]
    rates += [(f.date, Decimal(f.data.new_annual_rate), f) for f in h.of("SalaryChanged")]
    return rates


def prorated_salary(
    h: Facts, td: date, actual_days: bool, through: date | None = None
) -> tuple[Decimal, date, int, str]:
    """I-21: Σ over unpaid days of the rate in effect that day / 365 (or the year's days), exact and rounded
    once where it is shown. Paid through `through` (the end, or later when the terms pay to the end of the
    last week worked), at the rate in effect on the end for the days after it."""
    last = through or td
    paid_through = max((p.data.period_end for p in h.of("SalaryPaid")), default=add_days(h.start, -1))
    first, total, days = add_days(paid_through, 1), Fraction(0), 0
    used: dict[tuple[Decimal, int], int] = {}
    timeline = [t for t in salary_timeline(h) if t[0] <= td]
    day = first
    while day <= last:  # one step per run of days sharing a rate and a year (the sum is the same as day by day)
        rate = next((r for since, r, _ in reversed(timeline) if since <= min(day, td)), Decimal(0))
        changes = [since for since, _, _ in timeline if since > day]
        run_end = min([last, date(day.year, 12, 31), *(add_days(c, -1) for c in changes)])
        n = (run_end - day).days + 1
        basis = (date(day.year + 1, 1, 1) - date(day.year, 1, 1)).days if actual_days else 365
        total += Fraction(rate) * n / basis
        used[(rate, basis)] = used.get((rate, basis), 0) + n
        day, days = add_days(run_end, 1), days + n
    amount = Decimal(total.numerator) / Decimal(total.denominator)
    parts = " + ".join(f"{n} day(s) × ${rate:,}/{basis}" for (rate, basis), n in used.items()) or "nothing"
    text = (
        f"salary paid through {paid_through}; unpaid {days} day(s) {first}..{last}: {parts} = ${money_str(amount)} "
        "[I-21]"
    )
    return amount, paid_through, days, text


@dataclass(frozen=True)
class FinalPay:
    """How the salary unpaid at the end is paid (I-21, I-22), in either form of terms: the clause and its
    words, the proration, and when the company's final-pay law makes it due."""

    clause: str
    words: str  # the clause's words, quoted in the why ("" when the terms quote none)
    actual_days: bool  # I-21: divide by the year's days instead of 365
    discharge_days: int | None  # after a discharge (None: not configured, no due date)
    roll_discharge: bool  # a discharge due date moves past the weekend and the law's closed days
    other_days: int | None = None  # otherwise, days after the end (None: the next regular payday)
    through_last_week: bool = False  # paid to the end of the last week worked


def final_pay_due(
    rule: FinalPay, company: Company, td: date, discharge: bool, resigned: bool
) -> tuple[date | None, str]:
    """When the final pay is due under the company's final-pay law (I-22), and the words saying so."""
    payroll, law = company.payroll, company.final_pay
    due: date | None
    if discharge and rule.discharge_days is None:
        due = None
        words = f"no date: the discharge timing of {_cite(law.law, law.discharge_subsection)} is not configured"
    elif discharge:
        days = rule.discharge_days or 0
        raw = add_days(td, days)
        cal = final_pay_calendar(company)
        due = roll(raw, "following", cal) if rule.roll_discharge else raw
        moved = ""
        if due != raw and law.roll_calendar == "company":
            moved = f" ({cal.closed_reason(raw)}) moved to the next business day {due}"
        elif due != raw:
            moved = f" moved to the next weekday {due}"  # I-22: Saturdays, Sundays and the listed days
        when = (
            f"no later than the {ordinal(days)} day after discharge {td} + {days} = {raw}"
            if days
            else f"on the day of discharge {raw}"
        )
        words = f"discharge: {when}{moved} ({due.strftime('%a')}) ({_cite(law.law, law.discharge_subsection)})"
    elif rule.other_days is not None:
        due = add_days(td, rule.other_days)
        words = f"{rule.other_days} day(s) after the end {td} = {due} ({_cite(law.law, law.other_subsection)})"
    else:
        due = next_payday_after(
            td, payroll.first_period_start, payroll.period_days, payroll.payday_days_after_period_end
        )
        words = (
            f"{'resignation' if resigned else 'ended other than by discharge'}: "
            f"next regularly scheduled payday after {td} = {due} under the company payroll calendar "
            f"({_cite(law.law, law.other_subsection)})"
        )
    return due, words


def final_pay_item(
    h: Facts, rule: FinalPay, company: Company, td: date, discharge: bool, resigned: bool, basis: Sequence[str]
) -> Item | None:
    """The final prorated salary (catalogue §7.4): the unpaid days to the end, due under the company's
    final-pay law ([final_pay] of the company file)."""
    through = add_days(td, 6 - td.weekday()) if rule.through_last_week else None
    amount, _, days, text = prorated_salary(h, td, rule.actual_days, through)
    if days <= 0:
        return None
    due, rule_words = final_pay_due(rule, company, td, discharge, resigned)
    quoted = f" ('{rule.words}')" if rule.words else ""
    why = f"{rule.clause}{quoted}: {text}; due {rule_words}."
    return payment_item(h, "final_prorated_salary", amount, due, why, rule.clause, ("I-21", "I-22"), basis=basis)


def final_salary_item(h: History, ending: Ending) -> Item | None:
    i, salary = h.terms.i, h.terms.agreement.salary
    rule = FinalPay(salary.clause, salary.final_pay_words, i.proration_basis == "actual_days",
                    i.final_pay_discharge_days, True)  # fmt: skip
    resigned = ending.type.startswith("resignation")
    return final_pay_item(h, rule, h.terms.company, ending.date, ending.discharge, resigned, salary_basis(h, ending))


def _cite(law: str, subsection: str) -> str:
    """The company's final-pay law (company file, [final_pay]); no statute is named by the rules."""
    if not law:
        return "final-pay law of the company's jurisdiction not configured: I-22 default timing"
    return f"{law}{subsection}; external law, I-22"


def salary_basis(h: History, ending: Ending) -> list[str]:
    return final_pay_basis(h, ending.basis, ending.date)


def final_pay_basis(h: Facts, end_basis: Sequence[str], td: date) -> list[str]:
    """The end, the last salary payment (paid through) and every rate in effect until the end."""
    last_paid = sorted(h.of("SalaryPaid"), key=lambda p: p.data.period_end)[-1:]
    rates = [fact for since, _, fact in salary_timeline(h) if since <= td]
    return fact_ids(end_basis, last_paid, rates)


def expense_items(h: History) -> list[Item]:
    i = h.terms.i
    clause = h.terms.agreement.expenses.clause
    return reimbursements(h, clause, i.expense_reimbursement_due_days, i.expense_prompt_days, "the letter")


def reimbursements(
    h: Facts, clause: str, due_days: int | None, prompt_days: int | None, document: str = "the terms"
) -> list[Item]:
    """OB-18: each reasonable business expense submitted is owed back; no due date unless the terms give one
    (I-37), and flagged when submitted more than `prompt_days` after it was incurred."""
    items = []
    for e in h.of("ExpenseSubmitted"):
        x = e.data
        due = add_days(e.date, due_days) if due_days is not None and due_days >= 0 else None
        why = (
            f"{clause}: reasonable out-of-pocket business expense {x.expense_id} of "
            f"${money_str(x.amount)} incurred "
            f"{x.incurred_date}, submitted {e.date}{' with' if x.documented else ' WITHOUT'} supporting "
            f"documentation; " + (f"due {due} [I-37]." if due else f"no payment deadline in {document} [I-37].")
        )
        if prompt_days is not None and prompt_days >= 0 and (e.date - x.incurred_date).days > prompt_days:
            why += f" Submitted more than {prompt_days} days after it was incurred: not prompt (I-37)."
        items.append(payment_item(h, f"expense_{x.expense_id}", x.amount, due, why, clause, ("I-37",), basis=[e.id]))
    return items
