"""The date expressions and amount formulas of the terms language: parsed by a grammar, never by eval."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from obligations.rules.days import BusinessCalendar, calendar_of
from obligations.rules.formulas import DateContext, amount_value, date_value
from obligations.terms.expressions import ExpressionError, anchors_of, parse_amount, parse_date, quantities_of

D = date.fromisoformat
ANCHORS = {
    "start_date": D("2004-02-29"),
    "termination_date": D("2005-12-27"),
    "last_payment_date": D("2006-06-01"),
    "release_effective_date": None,
}


def paydays(day: date, strictly_after: bool) -> date:
    """Every other Friday from 2004-12-31."""
    first = D("2004-12-31")
    k = max(0, -(-((day - first).days + (1 if strictly_after else 0)) // 14))
    return date.fromordinal(first.toordinal() + 14 * k)


CTX = DateContext(ANCHORS, calendar_of("US", "TX", [], ["sat", "sun"]), paydays)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("termination_date", "2005-12-27"),
        ("termination_date + 5 days", "2006-01-01"),
        ("termination_date - 1 day", "2005-12-26"),
        ("termination_date + 3 business days", "2005-12-30"),
        ("start_date + 12 months", "2005-02-28"),
        ("start_date + 24 months - 1 day", "2006-02-27"),
        ("later(termination_date, last_payment_date) + 12 months", "2007-06-01"),
        ("earlier(termination_date + 90 days, 2006-01-15)", "2006-01-15"),
        ("earlier(termination_date + 9 days, 2006-01-15)", "2006-01-05"),
        ("first_payday_after(termination_date)", "2005-12-30"),
        ("first_payday_after(2006-01-13)", "2006-01-27"),  # strictly after a payday: the next one
        ("first_payday_on_or_after(2006-01-13)", "2006-01-13"),
        ("first_payday_after(termination_date + 60 days)", "2006-03-10"),
        ("2023-04-01", "2023-04-01"),
        ("(termination_date + 1 month) + 1 month", "2006-02-27"),  # chained on purpose: each step clamps
    ],
)
def test_date_expressions(text: str, expected: str) -> None:
    day, words = date_value(parse_date(text), CTX)
    assert day == D(expected), words
    assert expected in words


def test_a_date_that_needs_an_unknown_anchor_is_not_known_yet_and_says_which() -> None:
    assert date_value(parse_date("release_effective_date + 8 days"), CTX) == (
        None,
        "release_effective_date not known yet",
    )
    no_payroll = DateContext(ANCHORS, BusinessCalendar())
    assert date_value(parse_date("first_payday_after(termination_date)"), no_payroll)[0] is None


VALUES = {
    "base_salary_at_start": Decimal("1300000"),
    "target_bonus_at_start": Decimal("2600000"),
    "base_salary_at_termination": Decimal("200000"),
    "proration": Fraction(100, 365),
    "prior_year_bonus": None,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100000", "100000.00"),
        ("2 * (base_salary_at_start + target_bonus_at_start)", "7800000.00"),  # Starbucks: $7,800,000
        ("6/12 * base_salary_at_termination", "100000.00"),
        ("base_salary_at_termination * 6 / 12", "100000.00"),
        ("base_salary_at_termination / 365 * 5", "2739.73"),  # exact until the end: 2,739.726… → 2,739.73
        ("base_salary_at_termination / 3", "66666.67"),
        ("target_bonus_at_start * proration", "712328.77"),
        ("70% * base_salary_at_termination", "140000.00"),
        ("max(0, 50000 - base_salary_at_termination)", "0.00"),
        ("min(base_salary_at_termination, 150000.505)", "150000.51"),  # half-up, once
        ("-(-5)", "5.00"),
        ("1 - 2 - 3", "-4.00"),  # left-associative
        ("2 * 3 + 4", "10.00"),
    ],
)
def test_amount_formulas_are_exact_and_rounded_once(text: str, expected: str) -> None:
    amount, words = amount_value(parse_amount(text), VALUES)
    assert amount == Decimal(expected), words


def test_the_words_show_every_quantity_with_its_value() -> None:
    _, words = amount_value(parse_amount("2 * (base_salary_at_start + target_bonus_at_start)"), VALUES)
    assert words == "2 × (base_salary_at_start $1,300,000 + target_bonus_at_start $2,600,000) = $7,800,000.00"
    _, words = amount_value(parse_amount("target_bonus_at_start * proration"), VALUES)
    assert "proration 20/73" in words


def test_an_unknown_quantity_value_or_a_zero_divisor_gives_no_amount() -> None:
    assert amount_value(parse_amount("prior_year_bonus / 2"), VALUES) == (None, "prior_year_bonus not known yet")
    assert amount_value(parse_amount("100 / (base_salary_at_termination - 200000)"), VALUES)[0] is None


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("termination_dat + 5 days", "date", "unknown date 'termination_dat'"),
        ("termination_date + 5 dayz", "date", "unexpected 'dayz'"),
        ("termination_date +", "date", "ends too soon"),
        ("2005-02-30", "date", "not a calendar date"),
        ("salary * 2", "amount", "unknown quantity 'salary'"),
        ("2 ** 3", "amount", "unexpected '*'"),
        ("1 / 0", "amount", "division by zero"),
        ('__import__("os").system("true")', "amount", "unexpected"),
        ("base_salary_at_start; 1", "amount", "unexpected ';'"),
        ("", "amount", "empty"),
        ("1" * 501, "amount", "longer than 500"),
    ],
)
def test_bad_expressions_are_refused_with_the_reason(text: str, kind: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=None) as err:
        parse_date(text) if kind == "date" else parse_amount(text)
    assert message in str(err.value)


def test_the_names_an_expression_uses_are_listed() -> None:
    assert anchors_of(parse_date("later(termination_date, last_payment_date) + 12 months")) == {
        "termination_date",
        "last_payment_date",
    }
    assert quantities_of(parse_amount("2 * (base_salary_at_start + target_bonus_at_start)")) == {
        "base_salary_at_start",
        "target_bonus_at_start",
    }
