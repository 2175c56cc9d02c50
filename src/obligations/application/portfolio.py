"""Portfolio questions answered from the read models (never by replaying streams).

`due` (and the vesting calendar) take each item as the report on its own due date shows it, on what is known
now: `rules.item.decides`, the rule the reminder planner uses; `_on_its_due_date` says it in SQL. `overdue`
and `agreement_items` take the reports as of one date.

A row holds for the as-of dates in [valid_from, valid_to); among those, clocks show while running and
grounds from the day they arise, and statuses come from the row's dates. `rules.items.visible` and
`item_status` say that in Python; the portfolio queries say the same in SQL (`_shown`, `_status`) so a
window over 100,000 agreements is filtered and labelled by the database. A test holds the two equal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Engine, String, and_, case, literal, or_, select, type_coerce

from obligations.application import tables
from obligations.application.projections import item_from_row
from obligations.domain.facts import PERSON_FIELDS
from obligations.rules.item import Item, decides, visible

t = tables.items.c
DUE_KINDS = ("payment", "clock", "obligation", "vesting")


def _valid(as_of: date) -> ColumnElement[bool]:
    return and_(t.valid_from <= as_of, or_(t.valid_to.is_(None), t.valid_to > as_of))


def _shown(as_of: date) -> ColumnElement[bool]:
    """`rules.items.visible` in SQL."""
    return and_(
        _valid(as_of),
        or_(t.kind != "clock", and_(t.started <= as_of, t.due_date >= as_of)),
        or_(t.kind != "ground", t.due_date <= as_of),
    )


def _by_due(as_of: date) -> Any:
    return case(
        (t.due_date.is_(None), "open_no_due_date"),
        (t.due_date > as_of, "not_yet_due"),
        (t.due_date == as_of, "due"),
        else_="overdue",
    )


def _status(as_of: date) -> Any:
    """`rules.items.item_status` in SQL."""
    return case(
        (
            t.kind == "payment",
            case((t.cancelled.is_(True), "cancelled"), (t.paid_on <= as_of, "paid"), else_=_by_due(as_of)),
        ),
        (
            t.kind == "obligation",
            case(
                (and_(t.fulfilled_on <= as_of, t.due_date.is_not(None), t.fulfilled_on > t.due_date), "fulfilled_late"),
                (t.fulfilled_on <= as_of, "fulfilled"),
                else_=_by_due(as_of),
            ),
        ),
        (
            t.kind == "clock",
            case(
                (t.started > as_of, "not_started"),
                (t.due_date >= as_of, "running"),
                (t.cured_on <= t.due_date, "cured"),
                else_="expired",
            ),
        ),
        (t.kind == "ground", literal("available")),
        (and_(t.fixed_status == "vested", t.due_date > as_of), "unvested"),
        (t.fixed_status.is_not(None), t.fixed_status),
        (t.due_date <= as_of, "vested"),
        else_="unvested",
    )


def _text(column: Any) -> Any:
    """A date column read without SQLAlchemy's per-row conversion (SQLite gives its ISO text as stored;
    PostgreSQL a date, made ISO text by `_iso`): most of the cost of a large answer."""
    return type_coerce(column, String)


COLUMNS = (
    t.agreement_id,
    t.company_id,
    t.kind,
    t.item_id,
    _text(t.due_date),
    t.owed_by,
    t.owed_to,
    t.amount,
    t.clause,
    _text(t.started),
    _text(t.paid_on),
    _text(t.fulfilled_on),
    _text(t.cured_on),
    t.why,
    t.fact_ids,
)


def _iso(value: Any) -> str | None:
    return value if value is None or isinstance(value, str) else value.isoformat()


def _rows(as_of: date, *cond: ColumnElement[bool]) -> Any:
    return select(*COLUMNS, _status(as_of).label("status")).where(_shown(as_of), *cond)


def _on_its_due_date() -> ColumnElement[bool]:
    """`rules.item.decides(kind, valid_from, valid_to, due_date, due_date)` in SQL: the run of an item that
    the report on its own due date shows, on what is known now (facts dated later included)."""
    return and_(
        t.valid_from <= t.due_date,
        or_(t.valid_to.is_(None), t.valid_to > t.due_date, and_(t.kind == "clock", t.valid_to == t.due_date)),
    )


def _out(r: Any, as_of: date, today: str) -> dict[str, Any]:
    (agreement, company, kind, item, due_date, owed_by, owed_to, amount, clause, started, paid_on, fulfilled_on,
     cured_on, why, fact_ids, status) = r  # fmt: skip
    due_date = _iso(due_date)
    out: dict[str, Any] = {
        "agreement": agreement,
        "company": company,
        "kind": kind,
        "item": item,
        "date": due_date,
        "status": status,
        "owed_by": owed_by,
        "owed_to": owed_to,
        "amount": amount,
        "clause": clause,
    }
    if started is not None:
        out["started"] = _iso(started)
    if due_date is not None:
        out["days"] = (date.fromisoformat(due_date) - as_of).days  # negative: past
    for key, value in (("paid_on", paid_on), ("fulfilled_on", fulfilled_on), ("cured_on", cured_on)):
        text = _iso(value)
        if text is not None and text <= today:
            out[key] = text
    out["why"] = why
    out["fact_ids"] = json.loads(fact_ids)
    return out


def _fetch(engine: Engine, query: Any, as_of: date) -> list[dict[str, Any]]:
    """The rows as dicts; those of a quarantined agreement (its last good state) carry `"stale": true`, those
    of an agreement whose employee's name is recorded carry `employee`."""
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(t.due_key, t.agreement_id, t.kind, t.item_id)).all()
        stale = set(conn.execute(select(tables.quarantine.c.agreement_id)).scalars()) if rows else set()
    today = as_of.isoformat()
    out = [_out(r, as_of, today) for r in rows]
    names = employee_names(engine, as_of, {row["agreement"] for row in out}) if out else {}
    for row in out:
        if row["agreement"] in stale:
            row["stale"] = True
        if row["agreement"] in names:
            row["employee"] = names[row["agreement"]]
    return out


def people(engine: Engine, as_of: date, agreement_ids: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """Who the employee of each agreement is on `as_of`, from rm_people: the details in effect that day, or,
    for an agreement whose details all take effect later (a hire not yet started), the first ones. Only
    agreements with details recorded; all of them, or those of `agreement_ids`."""
    p = tables.people.c
    query = select(tables.people).order_by(p.agreement_id, p.valid_from)
    found: list[Any] = []
    with engine.connect() as conn:
        if agreement_ids is None:
            found = list(conn.execute(query).all())
        else:
            ids = sorted(agreement_ids)
            for k in range(0, len(ids), 500):  # bounded IN lists
                found += conn.execute(query.where(p.agreement_id.in_(ids[k : k + 500]))).all()
    out: dict[str, dict[str, Any]] = {}
    for row in found:
        if row.agreement_id not in out or row.valid_from <= as_of:
            out[row.agreement_id] = {k: getattr(row, k) for k in PERSON_FIELDS}
    return out


def companies(engine: Engine) -> list[str]:
    """The companies with at least one agreement, sorted."""
    s = tables.streams.c
    with engine.connect() as conn:
        found = conn.execute(select(s.company_id).where(s.kind == "agreement").distinct().order_by(s.company_id))
        return list(found.scalars())


def employee_names(engine: Engine, as_of: date, agreement_ids: Iterable[str] | None = None) -> dict[str, str]:
    """Agreement id -> the employee's recorded name (those with a name only)."""
    return {a: p["name"] for a, p in people(engine, as_of, agreement_ids).items() if p["name"]}


def due(
    engine: Engine,
    start: date,
    end: date,
    as_of: date,
    company: str | None = None,
    kinds: Sequence[str] = DUE_KINDS,
    owed_by: str | None = None,
) -> list[dict[str, Any]]:
    """Every item falling due in [start, end] on what is known now, ordered by date: each item as the report
    on its own due date shows it (`rules.item.decides`, the rule the reminder planner uses), so a payment
    that a recorded resignation effective tomorrow makes due is in, and a tranche that a recorded acceleration
    vests earlier is not. Its status is as of `as_of`. Forfeited tranches and cancelled payments never fall
    due: they are left out."""
    cond = [
        _on_its_due_date(),
        t.due_key >= start,  # the clustered key: a contiguous range
        t.due_key <= end,
        t.kind.in_(list(kinds)),
        or_(t.fixed_status.is_(None), t.fixed_status != "forfeited"),
        t.cancelled.is_(False),
    ]
    if company:
        cond.append(t.company_id == company)
    if owed_by:
        cond.append(t.owed_by == owed_by)
    query = select(*COLUMNS, _status(as_of).label("status")).where(*cond)
    return _fetch(engine, query, as_of)


def overdue(engine: Engine, as_of: date, company: str | None = None) -> list[dict[str, Any]]:
    """Unpaid payments and unfulfilled obligations past due, and grounds that an expired clock made available."""
    payment = and_(
        t.kind == "payment", t.cancelled.is_(False), t.due_date < as_of, or_(t.paid_on.is_(None), t.paid_on > as_of)
    )
    obligation = and_(t.kind == "obligation", t.due_date < as_of, or_(t.fulfilled_on.is_(None), t.fulfilled_on > as_of))
    cond = [t.due_key <= as_of, or_(payment, obligation, t.kind == "ground")]
    if company:
        cond.append(t.company_id == company)
    return _fetch(engine, _rows(as_of, *cond), as_of)


def vesting_calendar(
    engine: Engine, start: date, end: date, as_of: date, company: str | None = None
) -> list[dict[str, Any]]:
    """Tranches by date across agreements: scheduled (vested or not yet) and accelerations."""
    return due(engine, start, end, as_of, company, kinds=("vesting",))


def agreement_items(engine: Engine, agreement_id: str, as_of: date) -> list[Item]:
    """One agreement's items as its report as of `as_of` shows them (statuses: `rules.items.item_status`)."""
    with engine.connect() as conn:
        rows = conn.execute(select(tables.items).where(t.agreement_id == agreement_id, _valid(as_of))).all()
    return [i for i in map(item_from_row, rows) if visible(i, as_of)]


def dated_runs(
    engine: Engine,
    as_of: date,
    agreement_id: str | None = None,
    company: str | None = None,
    start: date | None = None,
    end: date | None = None,
    keep_forfeited: bool = False,
    falling_due: bool = True,
) -> list[tuple[str, Item, int]]:
    """Dated items, with how many earlier runs each item had: (company, item, revision). Cancelled payments
    and forfeited tranches are left out. For calendar feeds: an item keeps its identity while its date or
    amount changes.

    `falling_due` (calendars): each item as the report on its own due date shows it, on what is known now
    (`rules.item.decides`, the rule of `due` and of the reminder planner). Otherwise (an agreement's
    timeline as of a date): the run valid on `as_of`, past or future dates alike."""
    cond: list[ColumnElement[bool]] = [t.kind.in_(list(DUE_KINDS)), t.due_date.is_not(None)]
    if not falling_due:
        cond.append(t.valid_from <= as_of)
    if agreement_id:
        cond.append(t.agreement_id == agreement_id)
    if company:
        cond.append(t.company_id == company)
    if start:
        cond.append(t.due_key >= start)
    if end:
        cond.append(t.due_key <= end)
    with engine.connect() as conn:
        rows = conn.execute(
            select(tables.items).where(*cond).order_by(t.agreement_id, t.kind, t.item_id, t.valid_from)
        ).all()
    revisions: dict[tuple[str, str, str], int] = {}
    out: list[tuple[str, Item, int]] = []
    for row in rows:
        key = (row.agreement_id, row.kind, row.item_id)
        revisions[key] = revisions.get(key, -1) + 1
        if falling_due:
            if not decides(row.kind, row.valid_from, row.valid_to, row.due_date, row.due_date):
                continue
        elif row.valid_to is not None and row.valid_to <= as_of:
            continue
        item = item_from_row(row)
        if not item.cancelled and (keep_forfeited or item.fixed_status != "forfeited"):
            out.append((row.company_id, replace(item, detail={**item.detail, "agreement_id": row.agreement_id}),
                        revisions[key]))  # fmt: skip
    return out
