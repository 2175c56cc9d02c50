"""Exact value types of event-fields.md, and the one canonical form every stored value takes.

Whatever is accepted is written by the serialisers here and read back by the parsers here, so a stored fact
always reads back equal (issue 12):

* decimals are plain fixed-point text, never exponent form (`0.0000001`, not `1E-7`), and bounded: money
  is 0 <= x < 10^12 with at most 6 places; other numbers have |x| < 10^12 and at most 10 places;
* counts (options, dependents) are integers 0 <= n < 10^12;
* strings are Unicode without control characters or lone surrogates: a `Line` (names, ids, references;
  at most 500 characters) has none at all, a `Text` (notes, descriptions, reasons; at most 10,000) may
  hold tabs and newlines;
* dates are YYYY-MM-DD, a real calendar day.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?\Z")  # ASCII digits only
BOUND = Decimal(10) ** 12  # every amount, count and number is below this in magnitude
MONEY_PLACES = 6
NUMBER_PLACES = 10
LINE_MAX = 500
TEXT_MAX = 10_000
ID_MAX = 64
ID_RULE = "1-64 of letters, digits, '.', '_' and '-', starting with a letter or a digit"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_ID = re.compile(ID_PATTERN)


def parse_iso_date(value: Any) -> date:
    """A date is an ISO string YYYY-MM-DD that names a real calendar day."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError(f"must be a date written YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a calendar date") from None


def parse_instant(value: Any) -> datetime:
    """A knowledge time: an ISO instant (UTC when it has no offset), or a date meaning the end of that day, UTC."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        return datetime.combine(parse_iso_date(value), time.max, UTC)
    if not isinstance(value, str):
        raise ValueError(f"must be an ISO instant or a date YYYY-MM-DD, got {value!r}")
    try:
        instant = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"must be an ISO instant (2024-06-01T12:00:00Z) or a date YYYY-MM-DD, got {value!r}") from None
    try:
        return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value!r} is outside the calendar once moved to UTC") from None


def parse_decimal(value: Any) -> Decimal:
    """A number held exactly: a decimal string, a JSON integer or a JSON number parsed as Decimal."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str) and len(value) <= 64 and _DECIMAL.match(value.strip()):
        result = Decimal(value.strip())
    elif isinstance(value, float):
        # A float only reaches here from Python callers; go through its shortest repr, never binary.
        result = Decimal(repr(value))
    else:
        raise ValueError(f"must be a decimal number or decimal string, got {value!r}")
    try:
        if not result.is_finite():
            raise ValueError("must be finite")
    except InvalidOperation:
        raise ValueError("must be a finite number") from None
    return result


def _bounded(value: Decimal, places: int) -> Decimal:
    if abs(value) >= BOUND:
        raise ValueError(f"must be below 10^12 in magnitude, got {canonical_decimal(value)[:40]}")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise ValueError(f"at most {places} decimal places, got {canonical_decimal(value)[:40]}")
    return value


def parse_number(value: Any) -> Decimal:
    """A bounded decimal: |x| < 10^12, at most 10 places."""
    return _bounded(parse_decimal(value), NUMBER_PLACES)


def parse_money(value: Any) -> Decimal:
    """An amount of money: 0 <= x < 10^12, at most 6 places."""
    amount = _bounded(parse_decimal(value), MONEY_PLACES)
    if amount < 0:
        raise ValueError("an amount of money must not be negative")
    return amount


def canonical_decimal(value: Decimal) -> str:
    """Plain fixed-point text, never exponent form: what `parse_decimal` reads back equal."""
    return format(value, "f")


def parse_count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a whole number, got {value!r}"[:120])
    if not 0 <= value < BOUND:
        raise ValueError("must be a whole number from 0 to 10^12 - 1")
    return value


def _check_chars(value: str, allowed: str) -> str:
    for index, char in enumerate(value):
        code = ord(char)
        if (code < 32 or 127 <= code < 160) and char not in allowed:
            what = "a NUL" if code == 0 else f"control character U+{code:04X}"
            raise ValueError(f"{what} at position {index} is not allowed" + ("" if allowed else " in this field"))
        if 0xD800 <= code <= 0xDFFF:
            raise ValueError(f"a lone surrogate U+{code:04X} at position {index} is not text")
    return value


def _string(value: Any, limit: int, allowed: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, got {type(value).__name__}")
    if len(value) > limit:
        raise ValueError(f"at most {limit} characters, got {len(value)}")
    return _check_chars(value, allowed)


def parse_line(value: Any) -> str:
    """One line of text: a name, an id, a reference. No control characters at all."""
    return _string(value, LINE_MAX, "")


EMAIL = re.compile(
    r"[^@\s\"<>,;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)


def parse_email(value: Any) -> str:
    """An email address (a work address reminders go to): local@domain, at most 254 characters, no spaces,
    quotes, angle brackets, commas or semicolons (nothing that could add a recipient or a header)."""
    text = _string(value, 254, "")
    if not EMAIL.fullmatch(text):
        raise ValueError("must be an email address such as name@example.com")
    return text


def parse_text(value: Any) -> str:
    """Free text: tabs and newlines allowed, no other control character."""
    return _string(value, TEXT_MAX, "\t\n\r")


def check_id(value: Any, what: str = "agreement id") -> str:
    """The one rule for agreement and company ids, everywhere: the CLI, imports, HTTP, terms files."""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        shown = repr(value)[:80] if isinstance(value, str) else type(value).__name__
        raise ValueError(f"{what} {shown}: {ID_RULE}")
    return value


def is_valid_id(value: str) -> bool:
    return bool(_ID.fullmatch(value))


IsoDate = Annotated[date, BeforeValidator(parse_iso_date), PlainSerializer(lambda d: d.isoformat())]
Money = Annotated[Decimal, BeforeValidator(parse_money), PlainSerializer(canonical_decimal)]
Number = Annotated[Decimal, BeforeValidator(parse_number), PlainSerializer(canonical_decimal)]
Count = Annotated[int, BeforeValidator(parse_count)]
Line = Annotated[str, BeforeValidator(parse_line)]
Email = Annotated[str, BeforeValidator(parse_email)]
Text = Annotated[str, BeforeValidator(parse_text)]

CENT = Decimal("0.01")


def round_money(amount: Decimal) -> Decimal:
    """To the cent, half up: the one rounding of an amount (catalogue I-21), before it is compared or shown."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money_str(amount: Decimal) -> str:
    """Two places, rounded once, half up."""
    return canonical_decimal(round_money(amount))


def count_str(value: int | str | Decimal) -> str:
    """An option count as shown to a person: thousands separators; a decimal only under FRACTIONAL."""
    return f"{Decimal(str(value)):,f}"
