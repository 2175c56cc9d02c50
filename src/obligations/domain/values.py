"""Exact value types of event-fields.md: ISO dates, money and numbers held as Decimal, strict ints."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


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
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def parse_decimal(value: Any) -> Decimal:
    """A number held exactly: a decimal string, a JSON integer or a JSON number parsed as Decimal."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str) and _DECIMAL.match(value.strip()):
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


def parse_money(value: Any) -> Decimal:
    amount = parse_decimal(value)
    if amount < 0:
        raise ValueError("an amount of money must not be negative")
    return amount


IsoDate = Annotated[date, BeforeValidator(parse_iso_date), PlainSerializer(lambda d: d.isoformat())]
Money = Annotated[Decimal, BeforeValidator(parse_money), PlainSerializer(lambda d: str(d))]
Number = Annotated[Decimal, BeforeValidator(parse_decimal), PlainSerializer(lambda d: str(d))]

CENT = Decimal("0.01")


def money_str(amount: Decimal) -> str:
    """Two places, rounded once, half up."""
    return str(amount.quantize(CENT, rounding=ROUND_HALF_UP))
