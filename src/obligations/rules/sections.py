"""Report sections both forms of terms build with the same rule (issue 13): vacation accrual, the bonus
target, an exercise price taken from a closing price, dispute resolution. Each takes the numbers of its block
(the letter form's sections or the provisions form's blocks) and the facts; none names a clause or a value of
its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from obligations.domain.facts import Fact
from obligations.domain.values import money_str
from obligations.rules.history import fact_ids


@dataclass(frozen=True)
class Section:
    """A descriptive section of a report: its JSON, or None when the section is absent, and the
    interpretations (I-nn) its `why` applies, for `explain`."""

    json: dict[str, Any] | None
    interpretations: tuple[str, ...] = ()


# -- vacation ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VacationPlan:
    """Vacation accrued by whole periods counted from the start (I-27 `completed_period`), capped or not."""

    clause: str
    weeks_per_year: int | None
    hours_per_year: Decimal
    accrual_period_days: int
    periods_per_year: int
    cap_hours: Decimal | None = None


def vacation(plan: VacationPlan, start: date, last: date, ended: bool, basis: Sequence[Fact | str],
             taken: Sequence[Fact]) -> Section:  # fmt: skip
    """Hours accrued over the completed periods of `start`..`last` (the report day, or the last day employed
    when `ended`): hours_per_year / periods_per_year each, no partial period, up to the cap."""
    days = (last - start).days + 1
    periods = max(0, days // plan.accrual_period_days)
    per_period = Fraction(plan.hours_per_year) / plan.periods_per_year
    hours = per_period * periods
    if plan.cap_hours is not None:
        hours = min(hours, Fraction(plan.cap_hours))
    accrued = money_str(Decimal(hours.numerator) / Decimal(hours.denominator))
    spent = sum((f.data.hours for f in taken), Decimal(0))
    per_year = f"{plan.weeks_per_year} weeks per year" if plan.weeks_per_year else f"{plan.hours_per_year} h per year"
    how = "bi-weekly" if plan.accrual_period_days == 14 else f"every {plan.accrual_period_days} days"
    why = (
        f"{plan.clause}: {per_year} accrued {how} = {plan.hours_per_year} h / {plan.periods_per_year} "
        f"periods per completed {plan.accrual_period_days}-day period counted from {start} (I-27); days employed "
        f"{start}..{last} = {days}; completed periods = floor({days}/{plan.accrual_period_days}) = {periods}; "
        f"{periods} × {plan.hours_per_year}/{plan.periods_per_year} = {accrued} h"
    )
    if plan.cap_hours is not None and hours == Fraction(plan.cap_hours):
        why += f", capped at {plan.cap_hours} h"
    why += " (accrual stops at the Termination Date; no partial-period accrual)." if ended else "."
    if spent:
        cap = f"a cap of {plan.cap_hours} h" if plan.cap_hours is not None else "no cap"
        why += f" Taken {spent} h; balance {money_str(Decimal(accrued) - spent)} h ({cap}, no payout in the terms)."
    out = {
        "accrued_hours": accrued,
        "completed_periods": periods,
        "why": why,
        "fact_ids": fact_ids(*basis, taken),
    }
    return Section(out, ("I-27",))


# -- bonus target -----------------------------------------------------------------------------------------


def bonus_target(clause: str, pct: Decimal, payments_per_year: int, rate: Decimal, rate_fact: Fact) -> Section:
    """The annual target (pct of the annual base salary in effect) and each payment's share of it."""
    annual = rate * pct / 100
    each = annual / payments_per_year
    per = {4: "quarter", 12: "month", 2: "half-year", 1: "year"}.get(payments_per_year, "payment")
    paid = {4: "quarterly", 12: "monthly", 2: "half-yearly", 1: "yearly"}.get(
        payments_per_year, f"in {payments_per_year} payments a year"
    )
    out = {
        "annual_base_salary": money_str(rate),
        "annual_target": money_str(annual),
        "quarterly_target": money_str(each),
        "why": f"{clause}: target {pct}% of annual base salary, paid {paid}: "
        f"{pct}% × ${money_str(rate)} = ${money_str(annual)} per year; / "
        f"{payments_per_year} = ${money_str(each)} per {per} (a target, not a guaranteed amount).",
        "fact_ids": fact_ids(rate_fact),
    }
    return Section(out)


# -- exercise price ---------------------------------------------------------------------------------------

NonTradingDay = Literal["previous_close", "next_close"]


def closing_price(closes: Sequence[Fact], day: date, non_trading_day: NonTradingDay) -> tuple[Decimal, date] | None:
    """The close on `day`; on a day with no close, the last close before it or the next after (I-24)."""
    prices = {f.data.trading_date: f.data.closing_price for f in closes}
    if day in prices:
        return prices[day], day
    if non_trading_day == "previous_close":
        before = [d for d in prices if d < day]
        return (prices[max(before)], max(before)) if before else None
    after = [d for d in prices if d > day]
    return (prices[min(after)], min(after)) if after else None


def exercise_price(clause: str, words: str, day: date, closes: Sequence[Fact], non_trading_day: NonTradingDay,
                   basis: Fact) -> Section:  # fmt: skip
    """The exercise price `words` (e.g. the closing value on the first day) = the close on `day` (I-24)."""
    close = closing_price(closes, day, non_trading_day)
    if close is None:
        none = {
            "exercise_price": None,
            "why": f"{clause}: exercise price = {words} {day}; no closing price recorded yet.",
            "fact_ids": fact_ids(basis),
        }
        return Section(none)
    price, on = close
    where = f"= {price}" if on == day else f"not a trading day: close of {on} = {price} [I-24]"
    found = {
        "exercise_price": str(price),
        "why": f"{clause}: exercise price = {words} {day} {where}.",
        "fact_ids": fact_ids(basis, [f for f in closes if f.data.trading_date == on]),
    }
    return Section(found, () if on == day else ("I-24",))


# -- dispute resolution -----------------------------------------------------------------------------------


def dispute_resolution(clause: str, forum: str, disputes: Sequence[Fact]) -> Section:
    """Where the disputes raised are settled: by arbitration in the county of the Company's principal
    executive offices when the dispute arises (I-29); absent until a dispute is raised."""
    if not disputes:
        return Section(None)
    last = disputes[-1]
    listed = "; ".join(f"{f.date}: {f.data.subject} ({f.data.principal_executive_office_county})" for f in disputes)
    out = {
        "forum": forum,
        "venue_county": last.data.principal_executive_office_county,
        "why": f"{clause}: all disputes are settled by arbitration in the county of the Company's principal "
        f"executive offices when the dispute arises. Disputes raised: {listed} (I-29).",
        "fact_ids": fact_ids(disputes),
    }
    return Section(out, ("I-29",))
