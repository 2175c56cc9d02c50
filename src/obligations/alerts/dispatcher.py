"""The dispatcher: claims due reminders with a lease, delivers them on every channel, records each delivery.

At least once, and once per key after success: a reminder is marked sent only after every channel of its
route accepted it; a channel that already accepted it is not tried again; a dispatcher killed mid-batch
leaves its rows claimed until the lease runs out (PostgreSQL) or until the next dispatcher takes the file
lock (SQLite, one dispatcher at a time), and they are delivered again; receivers deduplicate on the key
(the webhook's Idempotency-Key header, the email's X-Obligations-Key). On PostgreSQL several dispatchers
share the outbox: rows are claimed with FOR UPDATE SKIP LOCKED, so no row is held by two at once.
A failure is retried with exponential backoff; a reminder not delivered `expire_after_hours` after its
time is marked expired and logged, never silently dropped; one delivered after `late_after_minutes` is
marked late, and says so.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, bindparam, insert, or_, select, update

from obligations.alerts.channels import Sender
from obligations.alerts.message import render
from obligations.alerts.outbox import instant, parse_instant
from obligations.alerts.policy import Party, Policy, SmtpChannel
from obligations.application import tables
from obligations.application.store import sqlite_file
from obligations.domain.errors import ObligationsError

log = logging.getLogger("obligations.alerts")
o = tables.outbox.c


class DispatcherBusy(ObligationsError):
    """Another dispatcher holds the SQLite outbox's lock."""


@dataclass
class Tally:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    late: int = 0
    expired: int = 0

    def __str__(self) -> str:
        return (
            f"claimed {self.claimed}, sent {self.sent} ({self.late} late), "
            f"failed {self.failed} (to retry), expired {self.expired}"
        )


@dataclass(frozen=True)
class Attempt:
    channel: str
    at: str
    ok: bool
    late: bool
    result: str


class Dispatcher:
    def __init__(
        self,
        engine: Engine,
        policy: Policy,
        senders: dict[str, Sender],
        clock: Callable[[], datetime],
        people: Callable[[str, date], dict[str, Any]] | None = None,
    ) -> None:
        self.engine = engine
        self.people = people  # agreement id, day -> who the employee is (name, work email …), as recorded
        self.policy = policy
        self.senders = senders
        self.clock = clock
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.limits = policy.dispatch
        self._pool = ThreadPoolExecutor(self.limits.threads, thread_name_prefix="deliver")

    # -- the SQLite guard ------------------------------------------------------------------------------

    @contextmanager
    def lock(self, wait: bool = False) -> Iterator[None]:
        """SQLite: one dispatcher per store (a file lock); rows a dead one claimed are released at once."""
        db = sqlite_file(str(self.engine.url))
        if db is None:
            yield
            return
        with open(f"{db}.dispatcher.lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                raise DispatcherBusy(f"another dispatcher is running (lock file {db}.dispatcher.lock)") from None
            try:
                with self.engine.begin() as conn:
                    conn.execute(update(tables.outbox).where(o.state == "claimed").values(state="pending"))
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- one pass ------------------------------------------------------------------------------------

    def run_once(self, limit: int | None = None) -> Tally:
        """Expire what is too old, then claim and deliver due reminders until none is due (or `limit`)."""
        tally = Tally()
        tally.expired = self._expire()
        while limit is None or tally.claimed < limit:
            size = self.limits.batch if limit is None else min(self.limits.batch, limit - tally.claimed)
            rows = self._claim(size)
            if not rows:
                break
            tally.claimed += len(rows)
            self._deliver(rows, tally)
        return tally

    def _expire(self) -> int:
        now = self.clock()
        cutoff = instant(now - timedelta(hours=self.limits.expire_after_hours))
        reason = f"expired at {instant(now)}: not delivered within {self.limits.expire_after_hours:g} h of its time"
        stale = or_(o.state == "pending", and_(o.state == "claimed", o.lease_until < instant(now)))
        with self.engine.begin() as conn:
            gone = conn.execute(
                update(tables.outbox)
                .where(and_(stale, o.send_at < cutoff))
                .values(state="expired", reason=reason, updated_at=instant(now), lease_until=None)
                .returning(o.key, o.agreement_id, o.item_id, o.send_at, o.reason)
            ).all()
        for row in gone:
            log.warning("reminder expired: %s %s planned %s (key %s): %s", row.agreement_id, row.item_id,
                        row.send_at, row.key, row.reason)  # fmt: skip
        return len(gone)

    def _claim(self, size: int) -> list[Any]:
        now = self.clock()
        due = or_(
            and_(o.state == "pending", o.next_attempt_at <= instant(now)),
            and_(o.state == "claimed", o.lease_until < instant(now)),
        )
        pick = select(o.key).where(due).order_by(o.next_attempt_at).limit(size)
        if self.engine.dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        token = uuid.uuid4().hex
        lease = instant(now + timedelta(seconds=self.limits.lease_seconds))
        with self.engine.begin() as conn:
            return list(
                conn.execute(
                    update(tables.outbox)
                    .where(o.key.in_(pick.scalar_subquery()))
                    .values(state="claimed", lease_until=lease, claim_token=token, attempts=o.attempts + 1)
                    .returning(*tables.outbox.c)
                ).all()
            )

    # -- delivering ----------------------------------------------------------------------------------

    def _deliver(self, rows: list[Any], tally: Tally) -> None:
        done = self._done_channels([r.key for r in rows])
        futures = [self._pool.submit(self._send_row, row, done.get(row.key, set())) for row in rows]
        results = [(row, future.result()) for row, future in zip(rows, futures, strict=True)]
        now = self.clock()
        attempts_rows, sent, retry = [], [], []
        for row, (attempts, error) in results:
            attempts_rows += [
                {
                    "key": row.key,
                    "channel": a.channel,
                    "attempt": row.attempts,
                    "at": a.at,
                    "ok": a.ok,
                    "late": a.late,
                    "result": a.result,
                    "dispatcher": self.name,
                }  # fmt: skip
                for a in attempts
            ]
            if error is None:
                late = any(a.late for a in attempts)
                sent.append({"k": row.key, "t": row.claim_token, "sent_at": _last(attempts, now), "late": late})
                tally.sent += 1
                tally.late += late
            else:
                wait = min(self.limits.backoff_seconds * 2 ** max(row.attempts - 1, 0), self.limits.backoff_max_seconds)
                retry.append({"k": row.key, "t": row.claim_token, "next": instant(now + timedelta(seconds=wait)),
                              "reason": error})  # fmt: skip
                tally.failed += 1
                log.warning("delivery failed, retry in %ss: %s (key %s): %s", wait, row.item_id, row.key, error)
        self._complete(attempts_rows, sent, retry, instant(now))

    def _complete(self, attempts: list[dict[str, Any]], sent: list[dict[str, Any]], retry: list[dict[str, Any]],
                  now: str) -> None:  # fmt: skip
        mine = and_(o.key == bindparam("k"), o.claim_token == bindparam("t"))
        with self.engine.begin() as conn:
            if attempts:
                conn.execute(insert(tables.deliveries), attempts)
            if sent:
                conn.execute(
                    update(tables.outbox)
                    .where(mine)
                    .values(
                        state="sent",
                        sent_at=bindparam("sent_at"),
                        late=bindparam("late"),
                        lease_until=None,
                        reason=None,
                        updated_at=now,
                    ),
                    sent,
                )
            if retry:
                conn.execute(
                    update(tables.outbox)
                    .where(mine)
                    .values(
                        state="pending",
                        next_attempt_at=bindparam("next"),
                        reason=bindparam("reason"),
                        lease_until=None,
                        updated_at=now,
                    ),
                    retry,
                )

    def _done_channels(self, keys: list[str]) -> dict[str, set[str]]:
        d = tables.deliveries.c
        with self.engine.connect() as conn:
            found = conn.execute(select(d.key, d.channel).where(and_(d.key.in_(keys), d.ok.is_(True))))
            out: dict[str, set[str]] = {}
            for key, channel in found:
                out.setdefault(key, set()).add(channel)
        return out

    def _send_row(self, row: Any, done: set[str]) -> tuple[list[Attempt], str | None]:
        """Deliver one reminder on each channel of its route not yet done; (attempts, first error or None).
        Never raises: a reminder that cannot be sent fails alone and is retried; its batch goes on."""
        try:
            return self._send_row_once(row, done)
        except Exception as exc:  # a bug or a bad row: this reminder fails, the batch is completed
            log.exception("reminder %s could not be sent", row.key)
            return [], f"{type(exc).__name__}: {exc}"

    def _send_row_once(self, row: Any, done: set[str]) -> tuple[list[Attempt], str | None]:
        payload = self._with_person(json.loads(row.payload))
        routes = self.routes(payload)
        if not routes:
            return [], f"no channel with a recipient is configured for {self._parties(payload) or 'any party'}"
        attempts, error = [], None
        for channel, recipients in routes.items():
            if channel in done:
                continue
            now = self.clock()
            late = now > parse_instant(row.send_at) + timedelta(minutes=self.limits.late_after_minutes)
            message = render(row.key, payload, row.send_at, late, instant(now))
            try:
                result = self.senders[channel].send(message, recipients)
                attempts.append(Attempt(channel, instant(self.clock()), True, late, result))
            except Exception as exc:  # DeliveryFailed, or anything a channel raised: this channel failed
                attempts.append(Attempt(channel, instant(self.clock()), False, late, str(exc)))
                error = error or f"{channel}: {exc}"
        return attempts, error

    def _with_person(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload with `employee` (name, title, work email as recorded today) when any is recorded. The
        lookup failing (an agreement that no longer reads) leaves the payload as planned: it never stops a send."""
        if self.people is None:
            return payload
        try:
            person = self.people(payload["agreement_id"], self.clock().date())
        except Exception:
            log.warning("who the employee of %s is could not be read", payload.get("agreement_id"), exc_info=True)
            return payload
        known = {k: person.get(k) for k in ("name", "title", "work_email") if person.get(k)}
        return {**payload, "employee": known} if known else payload

    def _parties(self, payload: dict[str, Any]) -> list[Party]:
        return list(self.policy.parties_for(payload["kind"], payload["item_id"], payload["owed_by"],
                                            payload["owed_to"]))  # fmt: skip

    def routes(self, payload: dict[str, Any]) -> dict[str, tuple[str, ...]]:
        """Channel -> recipient addresses, over the parties the policy notifies (an email channel without an
        address for a party does not count for it). The employee's addresses: those `recipients.agreements`
        configures, else the work email recorded by PersonDetailsRecorded."""
        out: dict[str, tuple[str, ...]] = {}
        rec = self.policy.recipients
        recorded = (payload.get("employee") or {}).get("work_email")
        for party in self._parties(payload):
            addresses = (
                rec.companies.get(payload["company_id"], ())
                if party == "Company"
                else rec.agreements.get(payload["agreement_id"], ()) or ((recorded,) if recorded else ())
            )
            route = self.policy.parties.get(party)
            for channel in route.channels if route else ():
                if isinstance(self.policy.channels[channel], SmtpChannel):
                    if addresses:
                        out[channel] = tuple(dict.fromkeys(out.get(channel, ()) + addresses))
                else:
                    out.setdefault(channel, ())
        return out

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for sender in self.senders.values():
            sender.close()


def _last(attempts: list[Attempt], now: datetime) -> str:
    return attempts[-1].at if attempts else instant(now)
