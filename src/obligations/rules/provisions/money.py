"""Payments of a provisions-form agreement: package payments on their schedules, the final salary, pay in
lieu of notice (families 7-10). Amounts are exact until rounded once; every `why` shows the numbers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from obligations.domain.values import money_str, round_money
from obligations.rules.days import add_duration
from obligations.rules.formulas import amount_value
from obligations.rules.item import Item
from obligations.rules.payments import FinalPay, final_pay_basis, final_pay_due, final_pay_item
from obligations.rules.provisions.base import DISCHARGES, End, PHistory
from obligations.rules.provisions.packages import Fired, ReleaseState
from obligations.terms.expressions import Duration, parse_amount
from obligations.terms.provisions import Payment

Quantities = Mapping[str, Decimal | Fraction | None]


def settle(h: PHistory, item: Item) -> Item:
    """Paid once PaymentMade amounts against the id reach the amount (the day they do)."""
    if item.amount is None:
        return item
    total, ids, on = Decimal(0), [], None
    for f in h.of("PaymentMade"):
        if f.data.obligation == item.item_id:
            total += f.data.amount
            ids.append(f.id)
            if on is None and total >= Decimal(item.amount):
                on = f.date
    if not ids:
        return item
    why = item.detail["why"] + (f" Paid ${total:,} by {on}." if on else f" Partly paid: ${total:,}.")
    return replace(item, paid_on=on, fact_ids=(*item.fact_ids, *ids), detail={**item.detail, "why": why})


def _item(
    pid: str, amount: Decimal | None, due: date | None, clause: str, why: str, facts: tuple[str, ...], **detail: object
) -> Item:
    shown = money_str(amount) if amount is not None else None
    return Item(
        "payment", pid, "Company", "Employee", shown, due, None, clause, fact_ids=facts, detail={"why": why, **detail}
    )


def package_payments(
    h: PHistory,
    fired: Fired,
    end: End | None,
    release: ReleaseState | None,
    dates: Mapping[str, date | None],
    values: Quantities,
) -> list[Item]:
    out: list[Item] = []
    dates = {**dates, "fired_date": fired.hit.fires}
    for p in fired.package.payments:
        total, amount_words = amount_value(parse_amount(p.amount), values)
        for item in _scheduled(h, p, total, amount_words, fired, end, dates):
            out.append(settle(h, _held(fired, p, item, release)))
    return out


def _scheduled(
    h: PHistory,
    p: Payment,
    total: Decimal | None,
    amount_words: str,
    fired: Fired,
    end: End | None,
    dates: Mapping[str, date | None],
) -> list[Item]:
    quoted = f'"{p.words}"; ' if p.words else ""
    base = (
        f"{p.clause}: {quoted}package {fired.package.id} ({fired.package.clause}) fired on {fired.hit.fires} by "
        f"{fired.hit.words}; amount {p.amount}: {amount_words}"
    )
    facts = tuple(dict.fromkeys((*fired.hit.window_facts, *fired.hit.facts)))  # a window from the start rests on it
    if p.installments == 1:
        due, due_words = _lump_due(h, p, end, dates, fired.package.names)
        not_before = _straddle(h, p, end, due)
        if not_before:
            due_words += f"; the period spans two calendar years, so not before {not_before}"
        return [
            _item(
                p.id,
                total,
                due,
                p.clause,
                f"{base}; due {due_words}.",
                facts,
                package=fired.package.id,
                not_before=not_before.isoformat() if not_before else None,
            )
        ]
    parts = _split(total, p.installments)
    first, first_words = (
        h.date_of(p.first, dates, names=fired.package.names)
        if p.first
        else (None, "the first installment's date is not stated")
    )
    if first is None:
        unknown = f" ({p.unknown})" if p.unknown else ""
        return [
            _item(
                f"{p.id}_{k + 1}",
                parts[k],
                None,
                p.clause,
                f"{base}; installment {k + 1} of {p.installments} ({p.every}): {first_words}{unknown}.",
                facts,
                package=fired.package.id,
                installment=k + 1,
            )
            for k in range(p.installments)
        ]
    nominal_from, catch = first, ""
    if p.catch_up_from:
        start, words = h.date_of(p.catch_up_from, dates)
        if start is not None:
            nominal_from, catch = (
                start,
                f"; the schedule runs from {words}, and what falls before {first} is paid on it (catch-up)",
            )
    delay = _delay_409a(h, p, end)
    out = []
    for k in range(p.installments):
        nominal = _nth(h, p, nominal_from, k)
        due = max(nominal, first)
        words = f"installment {k + 1} of {p.installments} ({p.every}) from {first_words}{catch}: {due}"
        if delay and due < delay[0]:
            due, words = delay[1], words + f"; delayed to {delay[1]} ({delay[2]})"
        out.append(
            _item(
                f"{p.id}_{k + 1}",
                parts[k],
                due,
                p.clause,
                f"{base}; {words}.",
                facts,
                package=fired.package.id,
                installment=k + 1,
            )
        )
    coc = dates.get("change_of_control_date")
    if p.remainder_on_change_of_control and coc is not None and coc > fired.hit.fires:
        out = _remainder(p, out, coc)
    return out


def _remainder(p: Payment, installments: list[Item], coc: date) -> list[Item]:
    """S3: installments begun before a Change of Control; on it, the remainder is payable in a lump sum."""
    later = [i for i in installments if i.due_date is None or i.due_date > coc]
    if not later:
        return installments
    total = sum((Decimal(i.amount or 0) for i in later), Decimal(0))
    first = later[0]
    words = (
        f"{p.clause}: a Change of Control on {coc} after the payments began: the remainder of {p.id} (installments "
        f"{later[0].detail['installment']}..{later[-1].detail['installment']}, ${total:,}) is payable in a lump sum "
        "on that day"
    )
    lump = replace(first, item_id=f"{p.id}_remainder", amount=money_str(total), due_date=coc,
                   detail={**first.detail, "why": words, "installment": None})  # fmt: skip
    return [i for i in installments if i not in later] + [lump]


def _lump_due(
    h: PHistory, p: Payment, end: End | None, dates: Mapping[str, date | None], names: Mapping[str, str]
) -> tuple[date | None, str]:
    if p.due:
        return h.date_of(p.due, dates, p.roll, names)
    if p.within and end is not None:
        last = h.add(end.date, p.within)
        return last, f"within {p.within} of the termination date {end.date}: by {last}"
    return None, "no date stated" + (f" ({p.unknown})" if p.unknown else "")


def _straddle(h: PHistory, p: Payment, end: End | None, due: date | None) -> date | None:
    if not (p.year_straddle and end and due) or due.year == end.date.year:
        return None
    return date(due.year, 1, 1)


def _nth(h: PHistory, p: Payment, first: date, k: int) -> date:
    if p.every == "payroll":
        day = h.payday(first, strictly_after=False)
        for _ in range(k):
            day = h.payday(day, strictly_after=True)
        return day
    return h.add(first, p.every or "", k)


def _split(total: Decimal | None, n: int) -> list[Decimal | None]:
    """Equal installments rounded once each; the last takes the cents left, so they sum to the total."""
    if total is None:
        return [None] * n
    each = round_money(total / n)
    return [*([each] * (n - 1)), total - each * (n - 1)]


def _delay_409a(h: PHistory, p: Payment, end: End | None) -> tuple[date, date, str] | None:
    """Installments due before the first day of the seventh month after the termination are paid on the
    first payday after it (Code §409A(a)(2)(B)(i)), when the employee is a specified employee."""
    if not (p.delay_if_specified_employee and end and h.of("SpecifiedEmployeeDetermined")):
        return None
    seventh = add_duration(date(end.date.year, end.date.month, 1), Duration(7, "months"), h.calendar)
    payday = h.payday(seventh, strictly_after=True)
    return seventh, payday, f"specified employee: the 409A delay to the first payday after {seventh}"


def _held(fired: Fired, p: Payment, item: Item, release: ReleaseState | None) -> Item:
    if not (fired.package.release and p.after_release) or release is None:
        return item
    why = item.detail["why"] + f" Conditioned on the release: {release.words}."
    if release.status in ("revoked", "lapsed"):
        return replace(
            item, cancelled=True, fact_ids=(*item.fact_ids, *release.facts), detail={**item.detail, "why": why}
        )
    if release.effective is None:
        return replace(item, due_date=None, detail={**item.detail, "why": why + " Held until it is effective."})
    due = max(item.due_date, release.effective) if item.due_date else None
    return replace(item, due_date=due, fact_ids=(*item.fact_ids, *release.facts), detail={**item.detail, "why": why})


def final_pay_rule(h: PHistory) -> FinalPay:
    """The final salary of [salary] (I-21) due under the company's final-pay law ([final_pay], I-22)."""
    s, law = h.terms.agreement.salary, h.terms.company.final_pay
    return FinalPay(
        s.clause,
        s.final_pay_words,
        s.proration_basis == "actual_days",
        law.discharge_days,
        law.discharge_roll == "following",
        law.other_days,
        s.final_pay == "through_last_week_worked",
    )


def final_salary(h: PHistory, end: End) -> Item | None:
    """Salary earned and unpaid at the end (the shared rule of both forms, catalogue §7.4)."""
    basis = final_pay_basis(h, end.facts, end.date)
    resigned = end.kind.startswith("resignation")
    return final_pay_item(h, final_pay_rule(h), h.terms.company, end.date, end.kind in DISCHARGES, resigned, basis)


def pay_in_lieu(h: PHistory, end: End) -> Item | None:
    """A company termination on shorter notice than the term requires, when the terms pay in lieu of it."""
    term = h.terms.agreement.term
    if not (term.pay_in_lieu_of_notice and term.notice_by_company) or end.kind not in (
        "termination_without_cause",
        "position_eliminated",
    ):
        return None
    notices = [f for f in h.of("NoticeOfTerminationGiven") if f.data.by == "company" and f.date <= end.date]
    given_from = notices[0].date if notices else end.date
    required = h.add(given_from, term.notice_by_company)
    short = (required - end.date).days
    if short <= 0:
        return None
    rate = h.rate_on(end.date)
    amount = round_money(rate * short / 365)
    why = (
        f"{term.clause}: {term.notice_by_company} notice from {given_from} runs to {required}; employment ended "
        f"{end.date}, {short} day(s) short: {short} × ${rate:,}/365 = ${amount:,}, due with the final salary."
    )
    due, _ = final_pay_due(final_pay_rule(h), h.terms.company, end.date, end.kind in DISCHARGES, False)
    return _item("pay_in_lieu_of_notice", amount, due, term.clause, why, (*end.facts, *(f.id for f in notices)))
