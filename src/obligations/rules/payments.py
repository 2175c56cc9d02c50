"""Payment items of the `payments` section and their status (catalogue §6, §7.2-7.4, I-21, I-22, I-37)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from obligations.domain.facts import Fact
from obligations.domain.values import money_str, round_money
from obligations.rules.calendar import add_days, next_payday_after
from obligations.rules.days import final_pay_calendar, roll
from obligations.rules.employment import Ending
from obligations.rules.history import History, fact_ids
from obligations.rules.item import Item
from obligations.terms.expressions import ordinal


def payment_item(
    h: History,
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


def prorated_salary(h: History, td: date) -> tuple[Decimal, date, int, str]:
    """I-21: Σ over unpaid days of the rate in effect that day / 365 (or the year's days), rounded once."""
    paid_through = max((p.data.period_end for p in h.of("SalaryPaid")), default=add_days(h.start, -1))
    first, total, days = add_days(paid_through, 1), Decimal(0), 0
    used: dict[tuple[Decimal, int], int] = {}
    actual = h.terms.i.proration_basis == "actual_days"
    timeline = h.salary_timeline()
    day = first
    while day <= td:  # one step per run of days sharing a rate and a year (the sum is the same as day by day)
        rate = h.rate_on(day)
        changes = [since for since, _, _ in timeline if since > day]
        run_end = min([td, date(day.year, 12, 31), *(add_days(c, -1) for c in changes)])
        n = (run_end - day).days + 1
        basis = (date(day.year + 1, 1, 1) - date(day.year, 1, 1)).days if actual else 365
        total += rate * n / basis
        used[(rate, basis)] = used.get((rate, basis), 0) + n
        day, days = add_days(run_end, 1), days + n
    parts = " + ".join(f"{n} day(s) × ${rate:,}/{basis}" for (rate, basis), n in used.items()) or "nothing"
    text = (
        f"salary paid through {paid_through}; unpaid {days} day(s) {first}..{td}: {parts} = ${money_str(total)} [I-21]"
    )
    return total, paid_through, days, text


def final_salary_item(h: History, ending: Ending) -> Item | None:
    amount, _, days, text = prorated_salary(h, ending.date)
    if days <= 0:
        return None
    payroll = h.terms.company.payroll
    law = h.terms.company.final_pay
    if ending.discharge:
        days = h.terms.i.final_pay_discharge_days
        raw = add_days(ending.date, days)
        cal = final_pay_calendar(h.terms.company)
        due = roll(raw, "following", cal)
        moved = ""
        if due != raw and law.roll_calendar == "company":
            moved = f" ({cal.closed_reason(raw)}) moved to the next business day {due}"
        elif due != raw:
            moved = f" moved to the next weekday {due}"  # I-22: Saturdays, Sundays and the listed days
        when = (
            f"no later than the {ordinal(days)} day after discharge {ending.date} + {days} = {raw}"
            if days
            else f"on the day of discharge {raw}"
        )
        rule = f"discharge: {when}{moved} ({due.strftime('%a')}) ({_cite(law.law, law.discharge_subsection)})"
    else:
        due = next_payday_after(
            ending.date, payroll.first_period_start, payroll.period_days, payroll.payday_days_after_period_end
        )
        rule = (
            f"{'resignation' if ending.type.startswith('resignation') else 'ended other than by discharge'}: "
            f"next regularly scheduled payday after {ending.date} = {due} under the company payroll calendar "
            f"({_cite(law.law, law.other_subsection)})"
        )
    salary = h.terms.agreement.salary
    why = f"{salary.clause} ('{salary.final_pay_words}'): {text}; due {rule}."
    return payment_item(
        h, "final_prorated_salary", amount, due, why, salary.clause, ("I-21", "I-22"), basis=salary_basis(h, ending)
    )


def _cite(law: str, subsection: str) -> str:
    """The company's final-pay law (company file, [final_pay]); no statute is named by the rules."""
    if not law:
        return "final-pay law of the company's jurisdiction not configured: I-22 default timing"
    return f"{law}{subsection}; external law, I-22"


def salary_basis(h: History, ending: Ending) -> list[str]:
    """The end, the last salary payment (paid through) and every rate in effect until the end."""
    last_paid = sorted(h.of("SalaryPaid"), key=lambda p: p.data.period_end)[-1:]
    rates = [fact for since, _, fact in h.salary_timeline() if since <= ending.date]
    return fact_ids(ending.basis, last_paid, rates)


def expense_items(h: History) -> list[Item]:
    """OB-18: reimbursable expenses, no due date by default (I-37)."""
    items = []
    due_days = h.terms.i.expense_reimbursement_due_days
    for e in h.of("ExpenseSubmitted"):
        x = e.data
        due = add_days(e.date, due_days) if due_days >= 0 else None
        why = (
            f"{h.terms.agreement.expenses.clause}: reasonable out-of-pocket business expense {x.expense_id} of "
            f"${money_str(x.amount)} incurred "
            f"{x.incurred_date}, submitted {e.date}{' with' if x.documented else ' WITHOUT'} supporting "
            f"documentation; " + (f"due {due} [I-37]." if due else "no payment deadline in the letter [I-37].")
        )
        prompt = h.terms.i.expense_prompt_days
        if prompt >= 0 and (e.date - x.incurred_date).days > prompt:
            why += f" Submitted more than {prompt} days after it was incurred: not prompt (I-37)."
        clause = h.terms.agreement.expenses.clause
        items.append(payment_item(h, f"expense_{x.expense_id}", x.amount, due, why, clause, ("I-37",), basis=[e.id]))
    return items
