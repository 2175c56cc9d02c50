"""One dated item of a report (a payment, clock, obligation, ground or vesting tranche) and what its dates
alone decide: whether it shows on a day and its status. The rules of both forms of terms build these typed
items; JSON is made from them at the edge (`payment_json`, `clock_json`, `obligation_json`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


def status_by_due(due: date | None, as_of: date) -> str:
    if due is None:
        return "open_no_due_date"
    return "not_yet_due" if as_of < due else "due" if as_of == due else "overdue"


@dataclass(frozen=True)
class Item:
    """One dated item. `due_date` is the payment's or obligation's due date, a clock's deadline, a tranche's
    vesting date or the date a ground became available; `started` is a clock's start."""

    kind: str
    item_id: str
    owed_by: str | None
    owed_to: str | None
    amount: str | None  # money with two places (payments) or an option count (vesting)
    due_date: date | None
    started: date | None
    clause: str
    cancelled: bool = False
    fixed_status: str | None = None  # vesting after the grant ended: "forfeited" or "vested" (acceleration)
    paid_on: date | None = None
    fulfilled_on: date | None = None
    cured_on: date | None = None
    fact_ids: tuple[str, ...] = ()
    detail: dict[str, Any] = field(default_factory=dict)  # descriptive keys: why, payer, notice_id, ...
    valid_from: date = date.min
    valid_to: date | None = None  # exclusive; None: still valid
    # The interpretations (I-nn) the rule applied to compute it: what `explain` names. Not stored.
    interpretations: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.item_id

    def same_shape(self, other: Item) -> bool:
        """Equal but for what settles it (paid, fulfilled, cured) and the free text."""
        return self._shape() == other._shape()

    def _shape(self) -> tuple[Any, ...]:
        return (
            self.kind,
            self.item_id,
            self.owed_by,
            self.owed_to,
            self.amount,
            self.due_date,
            self.started,
            self.clause,
            self.cancelled,
            self.fixed_status,
            self.detail.get("coverage_month"),
            self.detail.get("notice_id"),
        )


def visible(item: Item, as_of: date) -> bool:
    """Whether the item is in the status report as of the end of `as_of`."""
    if as_of < item.valid_from or (item.valid_to is not None and as_of >= item.valid_to):
        return False
    if item.kind == "clock":
        assert item.started is not None and item.due_date is not None
        return item.started <= as_of <= item.due_date
    if item.kind == "ground":
        return item.due_date is not None and item.due_date <= as_of
    return True


def decides(kind: str, valid_from: date, valid_to: date | None, due: date, day: date) -> bool:
    """Whether an item run (holding for the as-of dates [valid_from, valid_to)) dated `due` is the one that
    decides something done on `day`, on what is known now (facts recorded with later dates included).

    The reminder planner asks it for each send day; the window query ("what falls due from … to …") asks it
    for the due date itself, so it takes each item as the report on its own due date shows it: a payment that
    a resignation recorded to take effect tomorrow makes due is in, a tranche that a recorded acceleration
    vests earlier is not. A test holds the window query equal to the reminders of the due dates.

    A run decides for the day its report holds; a clock is judged on its deadline when `day` is after it (it
    is gone from the reports after its deadline; its escalation concerns the deadline), and a clock whose
    run ends on its deadline (the report of that day no longer shows it because what it counted down to
    happened: the resignation took effect, the cure was made) decides for its deadline too."""
    if kind == "clock":
        day = min(day, due)
        return valid_from <= day and (valid_to is None or valid_to > day or valid_to == due)
    return valid_from <= day and (valid_to is None or valid_to > day)


def item_status(item: Item, as_of: date) -> str:
    """The §10 status as of the end of `as_of`, from the item's dates alone."""
    if item.kind == "payment":
        if item.cancelled:
            return "cancelled"
        if item.paid_on is not None and item.paid_on <= as_of:
            return "paid"
        return status_by_due(item.due_date, as_of)
    if item.kind == "obligation":
        done = item.fulfilled_on
        if done is not None and done <= as_of:
            return "fulfilled_late" if item.due_date is not None and done > item.due_date else "fulfilled"
        return status_by_due(item.due_date, as_of)
    if item.kind == "clock":
        return clock_status(item.started, item.due_date, item.cured_on, as_of)
    if item.kind == "ground":
        return "available"
    if item.fixed_status == "vested" and item.due_date is not None and as_of < item.due_date:
        return "unvested"  # an acceleration recorded to take effect later (a window query shows it early)
    if item.fixed_status is not None:
        return item.fixed_status
    return "vested" if item.due_date is not None and item.due_date <= as_of else "unvested"


def clock_status(started: date | None, deadline: date | None, cured_on: date | None, as_of: date) -> str:
    """A clock in a report is running (it shows from its start to its deadline); a window query also shows
    clocks that start later (`not_started`) and those whose deadline has passed, `cured` in time or
    `expired`."""
    if started is not None and as_of < started:
        return "not_started"
    if deadline is None or as_of <= deadline:
        return "running"
    return "cured" if cured_on is not None and cured_on <= deadline else "expired"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def payment_json(i: Item, as_of: date) -> dict[str, Any]:
    """A letter-form payment in the catalogue §10 vocabulary."""
    status = item_status(i, as_of)
    out: dict[str, Any] = {
        "id": i.item_id,
        "payer": i.owed_by,
        "payee": i.owed_to,
        "amount": i.amount,
        "due_date": _iso(i.due_date),
        "status": status,
    }
    if status == "paid":
        out.update(paid_on=_iso(i.paid_on), paid_late=bool(i.due_date and i.paid_on and i.paid_on > i.due_date))
    out.update(why=i.detail["why"], fact_ids=list(i.fact_ids))
    if "coverage_month" in i.detail:
        out["coverage_month"] = i.detail["coverage_month"]
    return out


def clock_name(i: Item) -> str:
    return i.item_id.split(":", 1)[0]


def clock_json(i: Item) -> dict[str, Any]:
    """A letter-form open clock in the catalogue §10 vocabulary."""
    out: dict[str, Any] = {"clock": clock_name(i)}
    if "notice_id" in i.detail:
        out["notice_id"] = i.detail["notice_id"]
    out.update(
        started=_iso(i.started),
        deadline=_iso(i.due_date),
        clause=i.clause,
        on_expiry=i.detail.get("on_expiry"),
        why=i.detail["why"],
        fact_ids=list(i.fact_ids),
    )
    return out


def obligation_json(i: Item, as_of: date) -> dict[str, Any]:
    """An obligation in the catalogue §10 vocabulary (both forms)."""
    status = item_status(i, as_of)
    out: dict[str, Any] = {
        "id": i.item_id,
        "owed_by": i.owed_by,
        "owed_to": i.owed_to,
        "due_date": _iso(i.due_date),
        "clause": i.clause,
        "status": status,
    }
    if status.startswith("fulfilled"):
        out["fulfilled_on"] = _iso(i.fulfilled_on)
    out.update(why=i.detail["why"], fact_ids=list(i.fact_ids))
    return out
