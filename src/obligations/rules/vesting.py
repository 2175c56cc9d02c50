"""Vesting schedules of vesting-rules.md (OCF vocabulary) and the vested state as of a date."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from math import floor

from obligations.domain.values import count_str
from obligations.terms.models import Vesting


@dataclass(frozen=True)
class Tranche:
    date: date
    amount: Fraction
    installment: int  # 1-based; for a cliff, the cliff installment
    kind: str  # "scheduled" | "acceleration"
    label: str


def round_half_up(value: Fraction) -> int:
    return floor(value + Fraction(1, 2))


def installment_date(v: Vesting, start: date, k: int) -> date:
    """Installment k always counted from the start, so a month-end clamp never carries over."""
    if v.period_unit == "DAYS":
        return start + timedelta(days=k * v.period_length)
    months = start.month - 1 + k * v.period_length
    year, month = start.year + months // 12, months % 12 + 1
    last = calendar.monthrange(year, month)[1]
    dom = v.day_of_month
    if dom == "VESTING_START_DAY_OR_LAST_DAY_OF_MONTH":
        day = min(start.day, last)
    elif dom.endswith("_OR_LAST_DAY_OF_MONTH"):
        day = min(int(dom[:2]), last)
    else:
        day = int(dom)
    return date(year, month, day)


def _cumulative_fractions(v: Vesting) -> list[Fraction]:
    n, c = v.installments, v.cliff_installment
    if v.installment_weights is not None:
        out, total = [], Fraction(0)
        for w in v.installment_weights:
            total += w
            out.append(total)
        return out
    if v.cliff_fraction is not None:
        f = v.cliff_fraction
        rest = n - c
        return [
            Fraction(0) if i < c else f if i == c or rest == 0 else f + (1 - f) * Fraction(i - c, rest)
            for i in range(1, n + 1)
        ]
    return [Fraction(i, n) for i in range(1, n + 1)]


@lru_cache(maxsize=256)
def _amounts(v: Vesting) -> tuple[Fraction, ...]:
    """Each installment's amount (the same for every start date of the same grant)."""
    return tuple(_allocate(v))


def _allocate(v: Vesting) -> list[Fraction]:
    q, n = Fraction(v.quantity), v.installments
    kind = v.allocation_type
    if kind in ("CUMULATIVE_ROUNDING", "CUMULATIVE_ROUND_DOWN", "FRACTIONAL"):

        def rounded(x: Fraction) -> Fraction:
            if kind == "FRACTIONAL":
                return x
            return Fraction(floor(x) if kind == "CUMULATIVE_ROUND_DOWN" else round_half_up(x))

        cumulative = [rounded(q * f) for f in _cumulative_fractions(v)]
        return [cur - prev for prev, cur in zip([Fraction(0), *cumulative[:-1]], cumulative, strict=True)]
    base = Fraction(floor(q / n))
    r = int(q - n * base)
    if kind == "FRONT_LOADED":
        return [base + 1 if i <= r else base for i in range(1, n + 1)]
    if kind == "BACK_LOADED":
        return [base + 1 if i > n - r else base for i in range(1, n + 1)]
    if kind == "FRONT_LOADED_TO_SINGLE_TRANCHE":
        return [base + r if i == 1 else base for i in range(1, n + 1)]
    return [base + r if i == n else base for i in range(1, n + 1)]  # BACK_LOADED_TO_SINGLE_TRANCHE


def schedule(v: Vesting, start: date) -> list[Tranche]:
    """Allocate the whole grid, then sum installments 1..c onto the cliff date; drop zero tranches."""
    return list(_schedule(v, start))


@lru_cache(maxsize=1024)
def _schedule(v: Vesting, start: date) -> tuple[Tranche, ...]:
    amounts = _amounts(v)
    c = v.cliff_installment if v.cliff_installment >= 2 else 0
    tranches: list[Tranche] = []
    if c:
        tranches.append(
            Tranche(
                installment_date(v, start, c),
                sum(amounts[:c], Fraction(0)),
                c,
                "scheduled",
                f"cliff (installments 1-{c})",
            )
        )
    for k in range(c + 1 if c else 1, v.installments + 1):
        tranches.append(Tranche(installment_date(v, start, k), amounts[k - 1], k, "scheduled", f"installment {k}"))
    return tuple(t for t in tranches if t.amount != 0)


@dataclass(frozen=True)
class VestingState:
    granted: Fraction
    vested: Fraction
    unvested: Fraction
    forfeited: Fraction
    accelerated: Fraction
    acceleration_date: date | None
    vested_tranches: list[Tranche]
    next_tranche: Tranche | None


def vesting_state(
    v: Vesting, start: date, as_of: date, acceleration: date | None, forfeiture: date | None
) -> VestingState:
    """Scheduled tranches dated on or before an event vest first; a tranche dated D counts on D.

    `acceleration` (vests everything left that day) and `forfeiture` (the Termination Date of any other
    end: the rest is forfeited after it) are only passed when they are on or before `as_of`.
    """
    plan = schedule(v, start)
    granted = Fraction(v.quantity)
    cutoff = min(d for d in (as_of, acceleration, forfeiture) if d is not None)
    vested_tranches = [t for t in plan if t.date <= cutoff]
    scheduled = sum((t.amount for t in vested_tranches), Fraction(0))
    accelerated = forfeited = Fraction(0)
    if acceleration is not None:
        accelerated = granted - scheduled
        if accelerated:
            vested_tranches.append(Tranche(acceleration, accelerated, 0, "acceleration", "acceleration"))
    elif forfeiture is not None:
        forfeited = granted - scheduled
    vested = scheduled + accelerated
    ended = acceleration is not None or forfeiture is not None
    upcoming = None if ended else next((t for t in plan if t.date > as_of), None)
    return VestingState(
        granted,
        vested,
        granted - vested - forfeited,
        forfeited,
        accelerated,
        acceleration if accelerated else None,
        vested_tranches,
        upcoming,
    )


def count(value: Fraction) -> int | str:
    """Option counts are integers; a decimal string only where FRACTIONAL allocation yields fractions."""
    if value.denominator == 1:
        return int(value)
    return str((Decimal(value.numerator) / Decimal(value.denominator)).normalize())


def count_text(value: Fraction) -> str:
    """An option count for a sentence, with thousands separators: whole, or a decimal for FRACTIONAL."""
    return count_str(count(value))
