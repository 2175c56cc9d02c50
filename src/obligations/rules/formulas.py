"""Compute the date expressions and amount formulas of a terms file (trees of `terms.expressions`).

Amounts are exact fractions until the end, then rounded once, half-up to the cent; each result comes with
the arithmetic in words, every name shown with the value it had, so a `why` is made of the numbers used.
A name whose value is not known yet (a release not signed, no termination) makes the result None, with the
words saying which name is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from obligations.domain.values import round_money
from obligations.rules.days import CALENDAR_DAYS_ONLY, BusinessCalendar, Feb29, add_duration
from obligations.terms.expressions import (
    AmountExpr,
    Anchor,
    BinOp,
    DateExpr,
    DateLiteral,
    Extreme,
    Neg,
    Number,
    Payday,
    Pick,
    Quantity,
    Shift,
    ordinal,
)

PaydayRule = Callable[[date, bool], date]  # (day, strictly after?) -> the first regular payday


class Unknown(Exception):
    """A name of the expression has no value yet."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)


@dataclass(frozen=True)
class DateContext:
    anchors: Mapping[str, date | None]
    calendar: BusinessCalendar = CALENDAR_DAYS_ONLY
    payday: PaydayRule | None = None
    feb29: Feb29 = "feb28"
    names: Mapping[str, str] = field(default_factory=dict)  # what the clause calls an anchor ("the Termination Date")


def date_value(expr: DateExpr, ctx: DateContext) -> tuple[date | None, str]:
    """(the date, the words) or (None, why it is not known yet)."""
    try:
        day, words = _date(expr, ctx)
    except Unknown as missing:
        return None, f"{missing.name} not known yet"
    return day, words


def _date(expr: DateExpr, ctx: DateContext) -> tuple[date, str]:
    if isinstance(expr, DateLiteral):
        return expr.value, expr.value.isoformat()
    if isinstance(expr, Anchor):
        value = ctx.anchors.get(expr.name)
        if value is None:
            raise Unknown(expr.name)
        return value, f"{ctx.names[expr.name]} {value}" if expr.name in ctx.names else f"{expr.name} {value}"
    if isinstance(expr, Shift):
        base, words = _date(expr.base, ctx)
        n = expr.by.n * expr.sign
        day = add_duration(base, type(expr.by)(n, expr.by.unit), ctx.calendar, ctx.feb29)
        shift = f"{'+' if expr.sign > 0 else '−'} {expr.by.words()} = {day}"
        named = ctx.names.get(expr.base.name) if isinstance(expr.base, Anchor) else None
        if named and n > 0 and expr.by.unit == "calendar_days":  # as a clause says it: "the fifth day following"
            return day, f"the {ordinal(n)} day following {named}: {base} + {n} days = {day}"
        return day, f"{words} {shift}"
    if isinstance(expr, Pick):
        values = [_date(a, ctx) for a in expr.args]
        day = max(v[0] for v in values) if expr.which == "later" else min(v[0] for v in values)
        return day, f"the {expr.which} of ({'; '.join(w for _, w in values)}) = {day}"
    return _payday(expr, ctx)


def _payday(expr: Payday, ctx: DateContext) -> tuple[date, str]:
    base, words = _date(expr.base, ctx)
    if ctx.payday is None:
        raise Unknown("the company's payroll calendar")
    day = ctx.payday(base, expr.strictly_after)
    relation = "after" if expr.strictly_after else "on or after"
    return day, f"the first regular payday {relation} ({words}) = {day}"


def amount_value(expr: AmountExpr, values: Mapping[str, Decimal | Fraction | None]) -> tuple[Decimal | None, str]:
    """(the amount rounded once to the cent, the arithmetic) or (None, which quantity is not known yet)."""
    try:
        exact, words = _amount(expr, values)
    except Unknown as missing:
        return None, f"{missing.name} not known yet"
    except ZeroDivisionError:
        return None, "a division by zero"
    rounded = round_money(Decimal(exact.numerator) / Decimal(exact.denominator))
    return rounded, f"{words} = ${rounded:,}"


def _amount(expr: AmountExpr, values: Mapping[str, Decimal | Fraction | None]) -> tuple[Fraction, str]:
    if isinstance(expr, Number):
        return expr.value, expr.text
    if isinstance(expr, Quantity):
        value = values.get(expr.name)
        if value is None:
            raise Unknown(expr.name)
        exact = Fraction(value)
        shown = _ratio(exact) if isinstance(value, Fraction) else f"${value:,}"
        return exact, f"{expr.name} {shown}"
    if isinstance(expr, Neg):
        v, w = _amount(expr.arg, values)
        return -v, f"−{w}"
    if isinstance(expr, Extreme):
        parts = [_amount(a, values) for a in expr.args]
        pick = min if expr.which == "min" else max
        return pick(p[0] for p in parts), f"{expr.which}({', '.join(w for _, w in parts)})"
    return _binop(expr, values)


def _ratio(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def _binop(expr: BinOp, values: Mapping[str, Decimal | Fraction | None]) -> tuple[Fraction, str]:
    a, wa = _amount(expr.left, values)
    b, wb = _amount(expr.right, values)
    wa = f"({wa})" if isinstance(expr.left, BinOp) and expr.op in "*/" and expr.left.op in "+-" else wa
    wb = f"({wb})" if isinstance(expr.right, BinOp) and (expr.op in "*/" or expr.op == "-") else wb
    result = {"+": a + b, "-": a - b, "*": a * b}.get(expr.op)
    if result is None:
        result = a / b  # ZeroDivisionError is reported by amount_value
    return result, f"{wa} {expr.op.replace('*', '×').replace('/', '÷')} {wb}"
