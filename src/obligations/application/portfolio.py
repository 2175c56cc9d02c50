"""Portfolio questions answered from the read models (never by replaying streams).

A row holds for the as-of dates in [valid_from, valid_to); among those, clocks show while running and
statuses come from the row's dates (`rules.items.visible` / `item_status`), so nothing goes stale.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, or_, select

from obligations.application import tables
from obligations.application.projections import item_from_row
from obligations.rules.items import KINDS, Item, item_status, visible

t = tables.items.c


def _valid(as_of: date) -> ColumnElement[bool]:
    return and_(t.valid_from <= as_of, or_(t.valid_to.is_(None), t.valid_to > as_of))


def _out(row: Any, item: Item, as_of: date) -> dict[str, Any]:
    status = item_status(item, as_of)
    out: dict[str, Any] = {
        "agreement": row.agreement_id,
        "company": row.company_id,
        "kind": item.kind,
        "item": item.item_id,
        "date": item.due_date.isoformat() if item.due_date else None,
        "status": status,
        "owed_by": item.owed_by,
        "owed_to": item.owed_to,
        "amount": item.amount,
        "clause": item.clause,
    }
    if item.started:
        out["started"] = item.started.isoformat()
    if item.due_date is not None:
        out["days"] = (item.due_date - as_of).days  # negative: past
    for key in ("paid_on", "fulfilled_on", "cured_on"):
        value = getattr(item, key)
        if value is not None and value <= as_of:
            out[key] = value.isoformat()
    out["why"] = item.detail.get("why", "")
    out["fact_ids"] = list(item.fact_ids)
    return out


def _order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (r["date"] or "9999", r["agreement"], r["kind"], r["item"]))


def due(
    engine: Engine,
    start: date,
    end: date,
    as_of: date,
    company: str | None = None,
    kinds: Sequence[str] = ("payment", "clock", "obligation", "vesting"),
    owed_by: str | None = None,
) -> list[dict[str, Any]]:
    """Every item falling due in [start, end], as the reports as of `as_of` show it, ordered by date."""
    cond = [t.due_date >= start, t.due_date <= end, _valid(as_of), t.kind.in_(list(kinds))]
    if company:
        cond.append(t.company_id == company)
    if owed_by:
        cond.append(t.owed_by == owed_by)
    with engine.connect() as conn:
        rows = conn.execute(select(tables.items).where(*cond)).all()
    out = []
    for row in rows:
        item = item_from_row(row)
        if visible(item, as_of):
            out.append(_out(row, item, as_of))
    return _order(out)


def overdue(engine: Engine, as_of: date, company: str | None = None) -> list[dict[str, Any]]:
    """Unpaid payments and unfulfilled obligations past due, and grounds that an expired clock made available."""
    payment = and_(
        t.kind == "payment",
        t.cancelled.is_(False),
        t.due_date < as_of,
        or_(t.paid_on.is_(None), t.paid_on > as_of),
    )
    obligation = and_(t.kind == "obligation", t.due_date < as_of, or_(t.fulfilled_on.is_(None), t.fulfilled_on > as_of))
    ground = and_(t.kind == "ground", t.due_date <= as_of)
    cond = [_valid(as_of), or_(payment, obligation, ground)]
    if company:
        cond.append(t.company_id == company)
    with engine.connect() as conn:
        rows = conn.execute(select(tables.items).where(*cond)).all()
    return _order([_out(row, item_from_row(row), as_of) for row in rows])


def vesting_calendar(
    engine: Engine, start: date, end: date, as_of: date, company: str | None = None
) -> list[dict[str, Any]]:
    """Tranches by date across agreements (forfeited ones included, marked so)."""
    return due(engine, start, end, as_of, company, kinds=("vesting",))


def agreement_items(engine: Engine, agreement_id: str, as_of: date) -> list[Item]:
    with engine.connect() as conn:
        rows = conn.execute(select(tables.items).where(t.agreement_id == agreement_id, _valid(as_of))).all()
    return [i for i in map(item_from_row, rows) if visible(i, as_of)]


__all__ = ["KINDS", "agreement_items", "due", "overdue", "vesting_calendar"]
