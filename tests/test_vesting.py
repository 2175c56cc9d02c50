"""vesting-rules.md: dates, the seven allocation types, cliffs, fractions, weights and as-of events."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any, get_args

import pytest

from obligations.rules.vesting import schedule, vesting_state
from obligations.terms.models import AllocationType, Vesting

TYPES = list(get_args(AllocationType))
EXPECTED = [[5, 4, 5, 4], [4, 5, 4, 5], [5, 5, 4, 4], [4, 4, 5, 5], [6, 4, 4, 4], [4, 4, 4, 6], [Fraction(9, 2)] * 4]
CLIFF = [9, 9, 10, 8, 10, 8, 9]


def v(**kw: Any) -> Vesting:
    base: dict[str, Any] = {
        "quantity": 18,
        "period_length": 1,
        "period_unit": "MONTHS",
        "installments": 4,
        "allocation_type": "CUMULATIVE_ROUND_DOWN",
    }
    return Vesting(**{**base, **kw})


@pytest.mark.parametrize(("kind", "amounts"), list(zip(TYPES, EXPECTED, strict=True)))
def test_eighteen_over_four(kind: str, amounts: list[Any]) -> None:
    assert [t.amount for t in schedule(v(allocation_type=kind), date(2021, 1, 1))] == amounts


@pytest.mark.parametrize(("kind", "cliff"), list(zip(TYPES, CLIFF, strict=True)))
def test_cliff_of_two(kind: str, cliff: int) -> None:
    plan = schedule(v(allocation_type=kind, cliff_installment=2), date(2021, 1, 1))
    assert plan[0].amount == cliff and plan[0].date == date(2021, 3, 1) and len(plan) == 3


def test_valence_schedule() -> None:
    plan = schedule(v(quantity=220000, period_length=3, installments=16, cliff_installment=4), date(2004, 12, 13))
    assert [(t.date, t.amount) for t in plan[:2]] == [(date(2005, 12, 13), 55000), (date(2006, 3, 13), 13750)]
    assert plan[-1].date == date(2008, 12, 13) and len(plan) == 13 and sum(t.amount for t in plan) == 220000


def test_month_end_clamp_never_carries_over() -> None:
    plan = schedule(v(installments=4), date(2021, 1, 30))
    assert [t.date for t in plan] == [date(2021, 2, 28), date(2021, 3, 30), date(2021, 4, 30), date(2021, 5, 30)]
    jan31 = schedule(v(quantity=220000, period_length=3, installments=16, cliff_installment=4), date(2005, 1, 31))
    assert [t.date for t in jan31[:4]] == [date(2006, 1, 31), date(2006, 4, 30), date(2006, 7, 31), date(2006, 10, 31)]


@pytest.mark.parametrize(
    ("dom", "expected"),
    [
        ("15", date(2021, 2, 15)),
        ("29_OR_LAST_DAY_OF_MONTH", date(2021, 2, 28)),
        ("31_OR_LAST_DAY_OF_MONTH", date(2021, 2, 28)),
    ],
)
def test_day_of_month_rules(dom: str, expected: date) -> None:
    assert schedule(v(day_of_month=dom), date(2021, 1, 10))[0].date == expected


def test_days_periods() -> None:
    plan = schedule(v(period_unit="DAYS", period_length=365, installments=4), date(2020, 1, 1))
    assert plan[0].date == date(2020, 12, 31)


def test_cliff_fraction_and_weights() -> None:
    plan = schedule(v(quantity=100, installments=4, cliff_installment=1, cliff_fraction="1/4"), date(2021, 1, 1))
    assert [t.amount for t in plan] == [25, 25, 25, 25]
    plan = schedule(v(quantity=100, installments=5, cliff_installment=2, cliff_fraction="0.4"), date(2021, 1, 1))
    assert [t.amount for t in plan] == [40, 20, 20, 20]
    weights = schedule(v(quantity=20, installment_weights=["1/20", "3/20", "2/5", "2/5"]), date(2021, 1, 1))
    assert [t.amount for t in weights] == [1, 3, 8, 8]


def test_zero_share_installments_produce_no_tranche() -> None:
    assert len(schedule(v(quantity=2, installments=4, allocation_type="BACK_LOADED"), date(2021, 1, 1))) == 2


def test_bad_vesting_tables_are_refused() -> None:
    with pytest.raises(ValueError, match="sum to exactly 1"):
        v(installment_weights=["1/2", "1/4", "1/8", "1/16"])
    with pytest.raises(ValueError, match="cumulative type"):
        v(allocation_type="FRONT_LOADED", cliff_installment=2, cliff_fraction="1/2")


def test_acceleration_and_forfeiture_same_day_as_a_tranche() -> None:
    valence = v(quantity=220000, period_length=3, installments=16, cliff_installment=4)
    s = date(2004, 12, 13)
    acc = vesting_state(valence, s, date(2006, 1, 1), date(2005, 12, 13), None)
    assert [t.kind for t in acc.vested_tranches] == ["scheduled", "acceleration"]
    assert (acc.vested, acc.accelerated) == (220000, 165000)
    gone = vesting_state(valence, s, date(2006, 1, 1), None, date(2005, 12, 13))
    assert (gone.vested, gone.forfeited, gone.unvested) == (55000, 165000, 0)
