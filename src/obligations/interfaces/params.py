"""Command-line parameter types and output helpers shared by the command modules."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import click

from obligations.domain.values import parse_instant, parse_iso_date
from obligations.settings import clock_from_environment


class IsoDateParam(click.ParamType):  # type: ignore[type-arg]
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        try:
            return parse_iso_date(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


ISO_DATE = IsoDateParam()


class InstantParam(click.ParamType):  # type: ignore[type-arg]
    name = "INSTANT|YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        try:
            return parse_instant(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


INSTANT = InstantParam()


def known_at_option(f: Any) -> Any:
    return click.option(
        "--as-known-at",
        "known_at",
        type=INSTANT,
        help="Knowledge time: answer from the facts recorded up to this instant (a date: its end, UTC).",
    )(f)


def dump(obj: Any) -> None:
    click.echo(json.dumps(obj, indent=1, ensure_ascii=False))


def today() -> date:
    """Today in UTC, by the process clock (OBLIGATIONS_NOW moves it)."""
    return clock_from_environment()().date()


def shifted(day: date, days: int) -> date:
    """`day` moved by `days`, held within the calendar (a query window at 0001-01-01 or 9999-12-31)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min
