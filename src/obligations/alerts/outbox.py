"""The reminder outbox: planned from the read-model rows inside the projector's batch transaction, and read.

`OutboxPlanner` is the projector's hook. For the agreements a batch recomputed it diffs the reminders the
items now call for against the outbox: new ones are inserted (pending), moved or changed pending ones are
re-planned, pending ones no longer called for are withdrawn (with the reason), and withdrawn ones called for
again return to pending. Sent and expired rows are history and never change. Reminders planned for before
the outbox's *floor* (the instant planning was first enabled on this store) are not planned at all: an
imported past does not flood anyone, and every reminder after the floor is in the table, with its state.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from obligations.alerts.plan import Reminder, plan
from obligations.alerts.policy import Policy
from obligations.application import tables
from obligations.domain.errors import ObligationsError
from obligations.terms.loader import load_company

o = tables.outbox.c
OPEN_STATES = ("pending", "claimed")


def instant(moment: datetime) -> str:
    """The fixed-width UTC text of an instant: text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


class OutboxPlanner:
    """Called by the projector with the rows it just wrote for some agreements, in its transaction."""

    def __init__(self, policy: Policy, config_dir: Path, clock: Callable[[], datetime]) -> None:
        self.policy = policy
        self.config_dir = config_dir
        self.clock = clock
        self._zones: dict[str, ZoneInfo] = {}
        self._floor: str | None = None

    def __call__(self, session: Session, agreement_ids: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> None:
        now = instant(self.clock())
        floor = self.floor(session, now)
        companies = {r["company_id"] for r in rows}
        zones = {c: self.zone(c) for c in companies}
        wanted = {r.key: r for r in plan(rows, self.policy, zones, parse_instant(floor))}
        existing: dict[str, Any] = {}
        for k in range(0, len(agreement_ids), 500):
            chunk = list(agreement_ids[k : k + 500])
            query = select(o.key, o.state, o.send_at, o.payload).where(o.agreement_id.in_(chunk))
            existing.update({row.key: row for row in session.execute(query)})
        self._apply(session, wanted, existing, now)

    def _apply(self, session: Session, wanted: dict[str, Reminder], existing: dict[str, Any], now: str) -> None:
        new, replan, withdraw = [], [], []
        for key, r in wanted.items():
            old = existing.get(key)
            payload = json.dumps(r.payload, ensure_ascii=False, sort_keys=True)
            if old is None:
                new.append(_new_row(r, payload, now))
            elif old.state in ("pending", "claimed", "withdrawn") and (
                old.state == "withdrawn" or old.send_at != instant(r.send_at) or old.payload != payload
            ):
                state = "pending" if old.state == "withdrawn" else old.state
                replan.append({"k": key, "send_at": instant(r.send_at), "payload": payload, "state": state})
        for key, old in existing.items():
            if key not in wanted and old.state in OPEN_STATES:
                withdraw.append({"k": key})
        if new:
            session.execute(insert(tables.outbox), new)
        if replan:
            session.execute(
                update(tables.outbox)
                .where(o.key == bindparam("k"))
                .values(
                    send_at=bindparam("send_at"),
                    next_attempt_at=bindparam("send_at"),
                    payload=bindparam("payload"),
                    state=bindparam("state"),
                    reason=None,
                    updated_at=now,
                ),
                replan,
            )
        if withdraw:
            reason = f"withdrawn at {now}: the item was settled, moved or removed by a recorded fact"
            session.execute(
                update(tables.outbox)
                .where(and_(o.key == bindparam("k"), or_(o.state == "pending", o.state == "claimed")))
                .values(state="withdrawn", reason=reason, updated_at=now),
                withdraw,
            )

    def floor(self, session: Session, now: str) -> str:
        if self._floor is None:
            m = tables.alert_meta.c
            found = session.execute(select(m.value).where(m.name == "floor")).scalar_one_or_none()
            if found is None:
                session.execute(insert(tables.alert_meta).values(name="floor", value=now))
                found = now
            self._floor = str(found)
        return self._floor

    def zone(self, company_id: str) -> ZoneInfo:
        if company_id not in self._zones:
            name = load_company(self.config_dir, company_id).time_zone
            try:
                self._zones[company_id] = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                raise ObligationsError(f"company {company_id!r}: unknown time_zone {name!r}") from None
        return self._zones[company_id]


def _new_row(r: Reminder, payload: str, now: str) -> dict[str, Any]:
    at = instant(r.send_at)
    return {
        "key": r.key,
        "agreement_id": r.agreement_id,
        "kind": r.kind,
        "item_id": r.item_id,
        "due_date": r.due_date,
        "offset_days": r.offset_days,
        "company_id": r.company_id,
        "send_at": at,
        "state": "pending",
        "next_attempt_at": at,
        "attempts": 0,
        "lease_until": None,
        "claim_token": None,
        "late": False,
        "sent_at": None,
        "planned_at": now,
        "updated_at": now,
        "reason": None,
        "payload": payload,
    }


# -- reading -----------------------------------------------------------------------------------------------


def count(engine: Engine, states: Sequence[str], agreement_id: str | None = None) -> int:
    """How many outbox rows are in the given states (of one agreement)."""
    query = select(func.count()).select_from(tables.outbox).where(o.state.in_(list(states)))
    if agreement_id:
        query = query.where(o.agreement_id == agreement_id)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def listing(engine: Engine, states: Sequence[str], limit: int | None = None,
            agreement_id: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """Outbox rows in the given states, by send time (sent ones newest first), with their deliveries."""
    query = select(tables.outbox).where(o.state.in_(list(states)))
    if agreement_id:
        query = query.where(o.agreement_id == agreement_id)
    query = query.order_by(o.send_at.desc() if "sent" in states else o.send_at, o.key).limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        d = tables.deliveries.c
        keys = [r.key for r in rows]
        attempts: dict[str, list[dict[str, Any]]] = {}
        for k in range(0, len(keys), 500):
            found = conn.execute(
                select(d.key, d.channel, d.attempt, d.at, d.ok, d.late, d.result)
                .where(d.key.in_(keys[k : k + 500]))
                .order_by(d.id)
            )
            for x in found:
                attempts.setdefault(x.key, []).append(
                    {"channel": x.channel, "attempt": x.attempt, "at": x.at, "ok": bool(x.ok), "result": x.result}
                )
    return [_out(r, attempts.get(r.key, [])) for r in rows]


def _out(r: Any, attempts: list[dict[str, Any]]) -> dict[str, Any]:
    payload = json.loads(r.payload)
    return {
        "key": r.key,
        "agreement_id": r.agreement_id,
        "kind": r.kind,
        "item_id": r.item_id,
        "due_date": payload["due_date"],
        "offset_days": r.offset_days,
        "send_at": r.send_at,
        "state": r.state,
        "attempts": r.attempts,
        "late": bool(r.late),
        "sent_at": r.sent_at,
        "reason": r.reason,
        "amount": payload.get("amount"),
        "clause": payload.get("clause"),
        "why": payload.get("why"),
        "deliveries": attempts,
    }
