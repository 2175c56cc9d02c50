"""The small languages of a terms file: durations, date expressions and amount formulas (issue 13).

Parsed by one LALR grammar (lark), never evaluated by Python: a parse gives a tree of the frozen nodes
below, and `rules.formulas` computes it. Names come from closed vocabularies (`DATE_ANCHORS`,
`AMOUNT_QUANTITIES`); an unknown name, a misspelt unit or a stray character is refused with the column.

    duration   30 days | 30 calendar days | 10 business days | 2 weeks | 6 months | 1 year
    date       termination_date + 5 days
               later(termination_date, last_payment_date) + 12 months
               earlier(start_date + 24 months - 1 day, 2030-01-01)
               first_payday_after(termination_date + 60 days)
               first_payday_on_or_after(release_effective_date)
    amount     100000 | 6/12 * base_salary_at_termination | 2 * (base_salary_at_start + target_bonus_at_start)
               70% * base_salary_paid_in_year * proration | max(0, 50000 - prior_year_bonus)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Literal

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

DATE_ANCHORS: dict[str, str] = {
    "start_date": "the first day of employment (EmploymentStarted)",
    "effective_date": "the agreement's effective date: the start, or the day its last condition precedent is met",
    "acceptance_date": "the day the offer was accepted (OfferAccepted); the start when none is recorded",
    "termination_date": "the last day of employment",
    "notice_date": "the day the notice that opens the clock took effect",
    "condition_date": "the day the condition that opens the clock first arose",
    "cure_end_date": "the last day of the cure period that ran before the clock",
    "change_of_control_date": "the day of the first Change of Control",
    "fired_date": "the day the package fired: its trigger's event, or the Change of Control a trigger waited for",
    "release_delivered_date": "the day the release of claims was delivered to the employee",
    "release_signed_date": "the day the employee signed the release",
    "release_effective_date": "the day the release became irrevocable",
    "last_payment_date": "the due date of the package's last payment",
    "grant_date": "the grant's date",
    "fiscal_year_end": "the last day of the fiscal year in which employment ends ([days] fiscal_year_end)",
}
AMOUNT_QUANTITIES: dict[str, str] = {
    "base_salary_at_termination": "annual base salary in effect on the termination date",
    "base_salary_at_start": "annual base salary in effect on the start date",
    "base_salary_before_cut": "the highest annual base salary in effect before the termination date",
    "target_bonus": "target annual bonus at the termination date (the terms' target percent of that salary)",
    "target_bonus_at_start": "target annual bonus at the start date",
    "prior_year_bonus": "BonusPaid amounts paid in the fiscal year before the termination's",
    "base_salary_paid_in_year": "base salary earned in the termination's fiscal year, through the termination",
    "remaining_term_months": "whole months from the termination date to the end of a fixed term",
    "proration": "days employed in the termination's fiscal year / days in that fiscal year",
    "completed_months_proration": "completed months of service in that fiscal year / 12",
}

GRAMMAR = r"""
date: date_expr
amount: sum
duration: INT UNIT

?date_expr: date_atom
          | date_expr "+" duration_part -> plus
          | date_expr "-" duration_part -> minus
duration_part: INT UNIT
?date_atom: "later" "(" date_expr ("," date_expr)+ ")" -> later
          | "earlier" "(" date_expr ("," date_expr)+ ")" -> earlier
          | "first_payday_after" "(" date_expr ")" -> payday_after
          | "first_payday_on_or_after" "(" date_expr ")" -> payday_on_or_after
          | ISODATE -> literal
          | NAME -> anchor
          | "(" date_expr ")"

?sum: product
    | sum "+" product -> add
    | sum "-" product -> sub
?product: unary
        | product "*" unary -> mul
        | product "/" unary -> div
?unary: atom
      | "-" unary -> neg
?atom: NUMBER "%" -> percent
     | NUMBER -> number
     | "min" "(" sum ("," sum)+ ")" -> smallest
     | "max" "(" sum ("," sum)+ ")" -> largest
     | NAME -> quantity
     | "(" sum ")"

UNIT.2: /(calendar |business )?days?\b|weeks?\b|months?\b|years?\b/
ISODATE.3: /\d{4}-\d{2}-\d{2}/
NUMBER: /\d+(\.\d+)?/
NAME: /[a-z][a-z0-9_]*/
%import common.INT
%import common.WS
%ignore WS
"""

Kind = Literal["date", "amount", "duration"]
Unit = Literal["calendar_days", "business_days", "weeks", "months", "years"]
UNIT_WORDS: dict[str, str] = {
    "calendar_days": "calendar day",
    "business_days": "business day",
    "weeks": "week",
    "months": "month",
    "years": "year",
}


_ORDINALS = [
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
]


def ordinal(n: int) -> str:
    """'sixth' for 6, '45th' for 45: the words of "on the Nth day following"."""
    if 0 <= n < len(_ORDINALS):
        return _ORDINALS[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def cardinal(n: int) -> str:
    """'six' for 6, 'thirty' for 30, 'forty-five' for 45, digits from 100: a number as a letter writes it."""
    if 0 <= n < 20:
        return _ONES[n]
    if 20 <= n < 100:
        return _TENS[n // 10] + (f"-{_ONES[n % 10]}" if n % 10 else "")
    return str(n)


@dataclass(frozen=True)
class Duration:
    """N units: what a clock of a terms file runs for."""

    n: int
    unit: Unit

    def words(self) -> str:
        return f"{self.n} {UNIT_WORDS[self.unit]}{'' if self.n == 1 else 's'}"


class ExpressionError(ValueError):
    """A date expression, amount formula or duration that does not parse; says where and why."""


# -- the tree ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    name: str


@dataclass(frozen=True)
class DateLiteral:
    value: date


@dataclass(frozen=True)
class Shift:
    base: DateExpr
    sign: int
    by: Duration


@dataclass(frozen=True)
class Pick:
    """later(...) / earlier(...)"""

    which: Literal["later", "earlier"]
    args: tuple[DateExpr, ...]


@dataclass(frozen=True)
class Payday:
    base: DateExpr
    strictly_after: bool


DateExpr = Anchor | DateLiteral | Shift | Pick | Payday


@dataclass(frozen=True)
class Number:
    value: Fraction
    text: str


@dataclass(frozen=True)
class Quantity:
    name: str


@dataclass(frozen=True)
class BinOp:
    op: Literal["+", "-", "*", "/"]
    left: AmountExpr
    right: AmountExpr


@dataclass(frozen=True)
class Neg:
    arg: AmountExpr


@dataclass(frozen=True)
class Extreme:
    which: Literal["min", "max"]
    args: tuple[AmountExpr, ...]


AmountExpr = Number | Quantity | BinOp | Neg | Extreme


def _unit(text: str) -> Unit:
    word = text.split()[-1].rstrip("s")
    if text.startswith("business"):
        return "business_days"
    return {"day": "calendar_days", "week": "weeks", "month": "months", "year": "years"}[word]  # type: ignore[return-value]


def _duration(n: Token, unit: Token) -> Duration:
    return Duration(int(n), _unit(str(unit)))


@v_args(inline=True)
class _Build(Transformer[Token, object]):
    def date(self, x: DateExpr) -> DateExpr:
        return x

    def amount(self, x: AmountExpr) -> AmountExpr:
        return x

    def duration(self, n: Token, unit: Token) -> Duration:
        return _duration(n, unit)

    def duration_part(self, n: Token, unit: Token) -> Duration:
        return _duration(n, unit)

    def plus(self, base: DateExpr, by: Duration) -> Shift:
        return Shift(base, 1, by)

    def minus(self, base: DateExpr, by: Duration) -> Shift:
        return Shift(base, -1, by)

    def later(self, *args: DateExpr) -> Pick:
        return Pick("later", args)

    def earlier(self, *args: DateExpr) -> Pick:
        return Pick("earlier", args)

    def payday_after(self, base: DateExpr) -> Payday:
        return Payday(base, True)

    def payday_on_or_after(self, base: DateExpr) -> Payday:
        return Payday(base, False)

    def literal(self, token: Token) -> DateLiteral:
        try:
            return DateLiteral(date.fromisoformat(str(token)))
        except ValueError:
            raise ExpressionError(f"{token} is not a calendar date") from None

    def anchor(self, token: Token) -> Anchor:
        name = str(token)
        if name not in DATE_ANCHORS:
            raise ExpressionError(f"unknown date {name!r} (known: {', '.join(DATE_ANCHORS)})")
        return Anchor(name)

    def number(self, token: Token) -> Number:
        return Number(Fraction(Decimal(str(token))), str(token))

    def percent(self, token: Token) -> Number:
        return Number(Fraction(Decimal(str(token))) / 100, f"{token}%")

    def quantity(self, token: Token) -> Quantity:
        name = str(token)
        if name not in AMOUNT_QUANTITIES:
            raise ExpressionError(f"unknown quantity {name!r} (known: {', '.join(AMOUNT_QUANTITIES)})")
        return Quantity(name)

    def add(self, a: AmountExpr, b: AmountExpr) -> BinOp:
        return BinOp("+", a, b)

    def sub(self, a: AmountExpr, b: AmountExpr) -> BinOp:
        return BinOp("-", a, b)

    def mul(self, a: AmountExpr, b: AmountExpr) -> BinOp:
        return BinOp("*", a, b)

    def div(self, a: AmountExpr, b: AmountExpr) -> BinOp:
        if isinstance(b, Number) and b.value == 0:
            raise ExpressionError("division by zero")
        return BinOp("/", a, b)

    def neg(self, a: AmountExpr) -> Neg:
        return Neg(a)

    def smallest(self, *args: AmountExpr) -> Extreme:
        return Extreme("min", args)

    def largest(self, *args: AmountExpr) -> Extreme:
        return Extreme("max", args)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(GRAMMAR, start=["date", "amount", "duration"], parser="lalr")


MAX_LENGTH = 500


@lru_cache(maxsize=4096)
def parse(text: str, kind: Kind) -> object:
    """The tree of `text` read as a `kind`; ExpressionError says what is wrong and at which column."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(f"an empty {kind}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"longer than {MAX_LENGTH} characters")
    try:
        tree = _parser().parse(text, start=kind)
        return _Build().transform(tree)
    except VisitError as exc:
        raise ExpressionError(str(exc.orig_exc)) from None
    except UnexpectedCharacters as exc:
        raise ExpressionError(
            f"unexpected {text[exc.column - 1]!r} at column {exc.column} of {kind} {text!r}"
        ) from None
    except UnexpectedEOF:
        raise ExpressionError(f"{kind} {text!r} ends too soon") from None
    except UnexpectedInput as exc:
        token = getattr(exc, "token", "")
        if getattr(token, "type", "") == "$END":
            raise ExpressionError(f"{kind} {text!r} ends too soon") from None
        raise ExpressionError(f"unexpected {str(token)!r} at column {exc.column} of {kind} {text!r}") from None
    except LarkError as exc:
        raise ExpressionError(f"{kind} {text!r}: {exc}") from None


def parse_date(text: str) -> DateExpr:
    tree = parse(text, "date")
    assert isinstance(tree, Anchor | DateLiteral | Shift | Pick | Payday)
    return tree


def parse_amount(text: str) -> AmountExpr:
    tree = parse(text, "amount")
    assert isinstance(tree, Number | Quantity | BinOp | Neg | Extreme)
    return tree


def parse_duration(text: str) -> Duration:
    tree = parse(text, "duration")
    assert isinstance(tree, Duration)
    return tree


def anchors_of(expr: DateExpr) -> set[str]:
    if isinstance(expr, Anchor):
        return {expr.name}
    if isinstance(expr, Shift | Payday):
        return anchors_of(expr.base)
    if isinstance(expr, Pick):
        return set().union(*(anchors_of(a) for a in expr.args))
    return set()


def quantities_of(expr: AmountExpr) -> set[str]:
    if isinstance(expr, Quantity):
        return {expr.name}
    if isinstance(expr, BinOp):
        return quantities_of(expr.left) | quantities_of(expr.right)
    if isinstance(expr, Neg):
        return quantities_of(expr.arg)
    if isinstance(expr, Extreme):
        return set().union(*(quantities_of(a) for a in expr.args))
    return set()


# -- fiscal year ends ----------------------------------------------------------------------------------

_WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_YEAR_END = re.compile(
    r"^(?:(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12][0-9]|3[01])"
    r"|last (?P<lw>mon|tue|wed|thu|fri|sat|sun) of (?P<lm>0[1-9]|1[0-2])"
    r"|(?P<nw>mon|tue|wed|thu|fri|sat|sun) nearest (?P<nm>0[1-9]|1[0-2])-(?P<nd>0[1-9]|[12][0-9]|3[01]))$"
)


@dataclass(frozen=True)
class YearEnd:
    """A fiscal year end: a fixed day (`fixed`, month and day), the last weekday of a month (`last`), or the
    weekday nearest a day (`nearest`: a 52/53-week year)."""

    kind: Literal["fixed", "last", "nearest"]
    month: int
    day: int  # 0 for `last`
    weekday: int  # Monday 0; 0 for `fixed`


def parse_year_end(rule: str) -> YearEnd:
    """'MM-DD' (12-31), 'last WDAY of MM' (last sat of 09) or 'WDAY nearest MM-DD' (sun nearest 09-30)."""
    m = _YEAR_END.match(rule)
    if m is None:
        raise ExpressionError(
            f"{rule[:40]!r}: a fiscal year end is 'MM-DD', 'last WDAY of MM' or 'WDAY nearest MM-DD' (WDAY: mon … sun)"
        )
    if m["m"]:
        y = YearEnd("fixed", int(m["m"]), int(m["d"]), 0)
    elif m["lw"]:
        return YearEnd("last", int(m["lm"]), 0, _WEEKDAY_NAMES.index(m["lw"]))
    else:
        y = YearEnd("nearest", int(m["nm"]), int(m["nd"]), _WEEKDAY_NAMES.index(m["nw"]))
    if y.day > (28 if y.month == 2 else 30 if y.month in (4, 6, 9, 11) else 31):
        raise ExpressionError(f"{rule!r}: {y.month:02d}-{y.day:02d} is not a day of every year")
    return y
