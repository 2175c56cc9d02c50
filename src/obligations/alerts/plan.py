"""PURE: which reminders an agreement's dated items call for, and when each goes out.

A reminder is (item, due date, offset). Its send day is due date + offset; it is wanted when the item, as
known for that day (the read-model run `rules.item.decides` names), still has that due
date and is still open then: a payment not paid or cancelled, an obligation not fulfilled, a clock not
cured, a tranche not forfeited. Escalations (positive offsets) of a clock concern the day after a cure
deadline passed without a cure, so a clock is judged on its deadline. The window query `due` applies the
same rule to the due date itself. Everything is recomputed from the items whenever the projector touches
the agreement: a moved due date is a new key (and the old one is withdrawn), a settled item wants nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from obligations.alerts.policy import Policy
from obligations.rules.item import decides

DETAIL_KEYS = ("payer", "payee", "notice_id", "on_expiry", "coverage_month", "ground")


@dataclass(frozen=True)
class Reminder:
    key: str
    agreement_id: str
    company_id: str
    kind: str
    item_id: str
    due_date: date
    offset_days: int
    send_at: datetime  # UTC
    payload: dict[str, Any]


def idempotency_key(agreement_id: str, kind: str, item_id: str, due_date: date, offset_days: int) -> str:
    raw = "\x1f".join((agreement_id, kind, item_id, due_date.isoformat(), str(offset_days)))
    return hashlib.sha256(raw.encode()).hexdigest()


def send_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`at` local time on `day` in the company's zone, as a UTC instant (a DST gap resolves forwards)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def _on_or_before(value: date | None, day: date) -> bool:
    return value is not None and value <= day


def is_open(row: Mapping[str, Any], day: date, offset: int) -> bool:
    """Whether the item still calls for a reminder sent on `day`."""
    kind = row["kind"]
    if kind == "payment":
        return not row["cancelled"] and not _on_or_before(row["paid_on"], day)
    if kind == "obligation":
        return not _on_or_before(row["fulfilled_on"], day)
    if kind == "clock":
        if offset <= 0:
            return not _on_or_before(row["cured_on"], day)
        cure_clock = "notice_id" in _detail(row)
        return cure_clock and not _on_or_before(row["cured_on"], row["due_date"])
    if kind == "vesting":
        return offset <= 0 and row["fixed_status"] is None
    return True  # a ground, when the policy asks for one


def _detail(row: Mapping[str, Any]) -> dict[str, Any]:
    detail = row["detail"]
    return json.loads(detail) if isinstance(detail, str) else dict(detail)


def plan(
    rows: Iterable[Mapping[str, Any]],
    policy: Policy,
    zones: Mapping[str, ZoneInfo],
    not_before: datetime | None = None,
) -> list[Reminder]:
    """The reminders the read-model rows call for (rows of any agreements; `zones` by company id), leaving
    out those to be sent before `not_before`."""
    runs: dict[tuple[str, str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["due_date"] is not None:
            runs[(row["agreement_id"], row["kind"], row["item_id"])].append(row)
    out: list[Reminder] = []
    for (_agreement, kind, item_id), item_runs in runs.items():
        item_policy = policy.for_item(kind, item_id)
        if item_policy is None:
            continue
        for offset in item_policy.offsets():
            for row in item_runs:
                reminder = _reminder(row, offset, policy, zones, not_before)
                if reminder is not None:
                    out.append(reminder)
    return out


def _reminder(
    row: Mapping[str, Any],
    offset: int,
    policy: Policy,
    zones: Mapping[str, ZoneInfo],
    not_before: datetime | None,
) -> Reminder | None:
    due: date = row["due_date"]
    day = due + timedelta(days=offset)
    if not_before is not None and day < not_before.date() - timedelta(days=1):
        return None  # before the floor in any time zone: skip the work (the exact test follows)
    if not decides(row["kind"], row["valid_from"], row["valid_to"], due, day) or not is_open(row, day, offset):
        return None  # the runs of an item never overlap: at most one is valid on a day
    zone = zones.get(row["company_id"], ZoneInfo("UTC"))
    send_at = send_instant(day, policy.schedule.send_time, zone)
    if not_before is not None and send_at < not_before:
        return None
    detail = _detail(row)
    payload = {
        "agreement_id": row["agreement_id"],
        "company_id": row["company_id"],
        "kind": row["kind"],
        "item_id": row["item_id"],
        "due_date": due.isoformat(),
        "offset_days": offset,
        "send_on": day.isoformat(),
        "time_zone": zone.key,
        "owed_by": row["owed_by"],
        "owed_to": row["owed_to"],
        "amount": row["amount"],
        "started": row["started"].isoformat() if row["started"] else None,
        "clause": row["clause"],
        "why": row["why"],
        "detail": {k: detail[k] for k in DETAIL_KEYS if k in detail},
        "fact_ids": json.loads(row["fact_ids"]) if isinstance(row["fact_ids"], str) else list(row["fact_ids"]),
    }
    return Reminder(
        idempotency_key(row["agreement_id"], row["kind"], row["item_id"], due, offset),
        row["agreement_id"],
        row["company_id"],
        row["kind"],
        row["item_id"],
        due,
        offset,
        send_at,
        payload,
    )
