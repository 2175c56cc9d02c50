"""The projector: the read models of `tables`, caught up from the event log in batches, exactly once.

Each batch reads notifications after the committed position, recomputes the dated items of every
agreement they touch (a company event touches all the company's agreements), replaces those agreements'
rows, and moves the position, all in one transaction: a crash leaves the previous batch's state, and a
restart resumes from it. One projector runs at a time: a PostgreSQL advisory lock or a file lock beside
the SQLite file. A second one waits (or, asked not to, exits with a clear message).
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from eventsourcing.persistence import Notification
from sqlalchemy import Connection, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from obligations.application import tables
from obligations.application.store import EventLog, decode_state, sqlite_file
from obligations.domain.errors import ObligationsError, UnreadableFactError
from obligations.domain.facts import PERSON_FIELDS, Fact
from obligations.rules.agreement import AnyTerms, dated_items
from obligations.rules.item import Item
from obligations.rules.person import person_runs

NAME = "items"
REBUILD_BATCH = 20_000  # events to a transaction in a rebuild (a catch-up takes the projector's batch_size)
PARALLEL_MIN = 40  # agreements in a batch before a worker process is worth its start
AHEAD = 3  # chunks of 20 agreements queued per worker process while this one writes the rows of the first
NO_DUE_DATE = date(9999, 12, 31)
PG_LOCK = 7_300_002
AGREEMENT_OPENED = "obligations.domain.aggregates:Agreement.Opened"
COMPANY_OPENED = "obligations.domain.aggregates:Company.Opened"
COMPANY_PREFIX = "obligations.domain.aggregates:Company."

QUARANTINE_RETRIES = 100  # quarantined agreements tried again per catch-up (oldest try first)
QUARANTINE_PAUSE = timedelta(minutes=1)  # between two automatic tries of one quarantined agreement


@dataclass(frozen=True)
class Failed:
    """An agreement whose rows could not be computed: it is quarantined, its last good rows kept (issue 12)."""

    agreement_id: str
    error: str
    fact_id: str | None = None

    @classmethod
    def of(cls, agreement_id: str, exc: BaseException) -> Failed:
        fact_id = exc.fact_id if isinstance(exc, UnreadableFactError) else None
        text = str(exc) if isinstance(exc, ObligationsError) else f"{type(exc).__name__}: {exc}"
        return cls(agreement_id, _clean(text)[:2000], fact_id)


# (agreement ids) -> (agreement id, terms, facts) for each, or Failed; company streams read once per call.
Loader = Callable[[list[str]], Iterable[tuple[str, AnyTerms, list[Fact]] | Failed]]
Progress = Callable[[int, int], None]
# Called in the batch's transaction with the agreements recomputed and their new rows (the reminder outbox).
BatchHook = Callable[[Session, Sequence[str], Sequence[Mapping[str, Any]]], None]


class ProjectorBusy(ObligationsError):
    """Another projector holds the lock and we were asked not to wait."""


@dataclass(frozen=True)
class Batch:
    first: int
    last: int
    events: int
    agreements: int


class Projector:
    def __init__(self, log: EventLog, load: Loader, batch_size: int = 2000, hook: BatchHook | None = None) -> None:
        self.log = log
        self.load = load
        self.hook = hook
        self.batch_size = batch_size
        self.engine = log.engine
        self.trace = os.environ.get("OBLIGATIONS_PROJECTOR_TRACE")
        configured = os.environ.get("OBLIGATIONS_PROJECTOR_WORKERS")
        cores = os.cpu_count() or 1
        self.workers = int(configured) if configured else (min(cores, 4) if cores > 1 else 0)
        self._pool: ProcessPoolExecutor | None = None
        self._retry_all = False

    # -- the lock ----------------------------------------------------------------------------------

    @contextmanager
    def lock(self, wait: bool = True, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as conn:
                if not self._pg_try(conn):
                    if not wait:
                        raise ProjectorBusy("another projector is running (PostgreSQL advisory lock held)")
                    if on_wait:
                        on_wait()
                    conn.execute(text("SET lock_timeout = 0"))
                    conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_LOCK})
                    conn.commit()
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_LOCK})
                    conn.commit()
            return
        db = sqlite_file(str(self.engine.url))
        assert db is not None
        with open(f"{db}.projector.lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not wait:
                    raise ProjectorBusy(f"another projector is running (lock file {db}.projector.lock)") from None
                if on_wait:
                    on_wait()
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @staticmethod
    def _pg_try(conn: Connection) -> bool:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": PG_LOCK}).scalar()
        conn.commit()
        return bool(got)

    # -- catching up ------------------------------------------------------------------------------

    def catch_up(
        self,
        wait: bool = True,
        on_wait: Callable[[], None] | None = None,
        progress: Progress | None = None,
        retry_all: bool = False,
    ) -> int:
        """Apply every event after the committed position; returns how many were applied. Quarantined
        agreements are tried again first: all of them with `retry_all` (`projections catch-up`), else those
        not tried for a minute (so a write or a tick pays for a few at most)."""
        self._retry_all = retry_all
        with self.lock(wait, on_wait):
            return self._run(progress)

    def rebuild(
        self, on_wait: Callable[[], None] | None = None, progress: Progress | None = None, batch: int = 0
    ) -> int:
        """Drop the read models and apply the whole log again (events appended meanwhile included), `batch`
        events to a transaction (default REBUILD_BATCH: the workers idle while a batch commits and the next is
        read, so a rebuild takes larger batches than a catch-up).

        The hook is not called while the rows are partial (an agreement's facts may span batches, and a
        reminder planned from half a history could be sent before the other half withdrew it): it runs once
        over every agreement when the rows are complete."""
        with self.lock(True, on_wait):
            with self.log.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
                self._claim(session)
                session.execute(delete(tables.items))
                session.execute(delete(tables.people))
                session.execute(delete(tables.streams))
                session.execute(delete(tables.quarantine))
                session.execute(update(tables.positions).where(tables.positions.c.name == NAME).values(position=0))
            hook, self.hook = self.hook, None
            size, self.batch_size = self.batch_size, batch or REBUILD_BATCH
            try:
                applied = self._run(progress)
            finally:
                self.hook, self.batch_size = hook, size
            self._replan_all()
            return applied

    def _run(self, progress: Progress | None) -> int:
        try:
            return self._batches(progress)
        finally:
            self.close()

    def _batches(self, progress: Progress | None) -> int:
        applied = 0
        self._streams: dict[str, tuple[str, str]] = {}  # stream -> (kind, name); valid while we hold the lock
        self._members: dict[str, list[str]] = {}  # company -> its agreements
        self._opened: list[dict[str, Any]] = []  # rm_streams rows not yet written (_save_opened)
        if self.hook is not None:  # not during a rebuild (its rows are partial until the end)
            self._retry_quarantined()
        while True:
            batch = self._apply_batch()
            if batch is None:
                return applied
            applied += batch.events
            if self.trace:
                with open(self.trace, "a") as out:
                    out.write(f"{os.getpid()} {batch.first} {batch.last}\n")
            if progress:
                progress(batch.last, self.max_position())

    def _claim(self, session: Session) -> int:
        """Write first, so a SQLite transaction holds the write lock before it reads (no stale snapshot)."""
        now = datetime.now(UTC).isoformat()
        done = session.execute(
            update(tables.positions).where(tables.positions.c.name == NAME).values(updated_at=now)
        ).rowcount  # type: ignore[attr-defined]
        if not done:
            session.execute(insert(tables.positions).values(name=NAME, position=0, updated_at=now))
        position = session.execute(select(tables.positions.c.position).where(tables.positions.c.name == NAME))
        return int(position.scalar_one())

    def _apply_batch(self) -> Batch | None:
        recorder: Any = self.log.recorder
        with recorder.transaction(commit=True) as session:
            position = self._claim(session)
            notes = self._notifications(session, position + 1)
            if not notes:
                return None
            affected: dict[str, None] = {}
            self._opened = []
            for n in notes:
                for agreement_id in self._touched(session, n):
                    affected[agreement_id] = None
            self._save_opened(session)
            last = notes[-1].id
            self._replace(session, list(affected), last)
            session.execute(update(tables.positions).where(tables.positions.c.name == NAME).values(position=last))
            return Batch(notes[0].id, last, len(notes), len(affected))

    def _replace(self, session: Session, ids: list[str], position: int) -> None:
        """Replace the rows of the agreements computed; quarantine those that fail, keeping their last good
        rows (marked stale by the quarantine) so one bad fact or terms file holds up nothing else."""
        ok: list[str] = []
        written: list[dict[str, Any]] = []
        for done in self._computed(ids):
            for k in range(0, len(done.ok), 500):  # bounded IN lists
                part = done.ok[k : k + 500]
                session.execute(delete(tables.items).where(tables.items.c.agreement_id.in_(part)))
                session.execute(delete(tables.people).where(tables.people.c.agreement_id.in_(part)))
                session.execute(delete(tables.quarantine).where(tables.quarantine.c.agreement_id.in_(part)))
            if done.rows:
                session.execute(insert(tables.items), done.rows)
            if done.people:
                session.execute(insert(tables.people), done.people)
            for failed in done.failed:
                self._quarantine(session, failed, position)
            ok += done.ok
            if self.hook:
                written += done.rows
        if self.hook:
            self.hook(session, ok, written)

    def _quarantine(self, session: Session, failed: Failed, position: int) -> None:
        q = tables.quarantine.c
        now = datetime.now(UTC).isoformat()
        values = {"fact_id": failed.fact_id, "error": failed.error, "checked_at": now, "position": position}
        found = session.execute(update(tables.quarantine).where(q.agreement_id == failed.agreement_id).values(values))
        if not found.rowcount:  # type: ignore[attr-defined]
            session.execute(insert(tables.quarantine).values(agreement_id=failed.agreement_id, since=now, **values))

    def _retry_quarantined(self) -> None:
        """Quarantined agreements are computed again at each catch-up (a fixed terms file lifts it; a
        correction does so by touching the agreement), the longest untried first, a bounded number a time."""
        q = tables.quarantine.c
        due = select(q.agreement_id).order_by(q.checked_at).limit(QUARANTINE_RETRIES)
        if not self._retry_all:
            due = due.where(q.checked_at < (datetime.now(UTC) - QUARANTINE_PAUSE).isoformat())
        with self.engine.connect() as conn:
            ids = list(conn.execute(due).scalars())
        if not ids:
            return
        with self.log.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
            position = self._claim(session)
            self._replace(session, ids, position)

    def _computed(self, ids: list[str]) -> Iterator[Computed]:
        """Rows of the agreements, in chunks. A large batch is computed by the worker processes, a few chunks
        ahead, while this one reads the next streams and writes the rows of the chunks done (the rules are pure
        and CPU-bound; the database work stays here)."""
        loaded = self.load(ids)
        if self.workers < 1 or len(ids) < PARALLEL_MIN:
            chunk = Computed([], [], [])
            for job in loaded:
                chunk.add(computed([job]))
                if len(chunk.rows) >= 5000:
                    yield chunk
                    chunk = Computed([], [], [])
            yield chunk
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("fork"), initializer=_die_with_parent
            )
        pending: deque[Future[Computed]] = deque()  # at most AHEAD chunks in flight: memory stays flat
        part: list[Job | Failed] = []
        for job in loaded:
            part.append(job)
            if len(part) == 20:
                pending.append(self._pool.submit(computed, part))
                part = []
                while len(pending) > AHEAD * self.workers:
                    yield pending.popleft().result()  # written while the workers compute the next chunks
        if part:
            pending.append(self._pool.submit(computed, part))
        while pending:
            yield pending.popleft().result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def _notifications(self, session: Session, start: int) -> list[Notification]:
        """The log's next events from notification id `start` on, as the recorder's select_notifications reads
        them, in one Core query (no ORM object per event)."""
        t = self.log.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
        query = select(t.c.id, t.c.originator_id, t.c.originator_version, t.c.topic, t.c.state)
        query = query.where(t.c.id >= start).order_by(t.c.id).limit(self.batch_size)
        return [
            Notification(id=i, originator_id=o, originator_version=v, topic=topic,
                         state=bytes(state) if isinstance(state, memoryview) else state)
            for i, o, v, topic, state in session.execute(query)
        ]  # fmt: skip

    def _save_opened(self, session: Session) -> None:
        """The streams opened by the notifications read so far, in one statement."""
        if self._opened:
            session.execute(insert(tables.streams), self._opened)
            self._opened = []

    def _touched(self, session: Session, n: Any) -> list[str]:
        """The agreements a notification touches; a stream it opens is kept for _save_opened."""
        stream = str(n.originator_id)
        if n.topic == AGREEMENT_OPENED:
            state = decode_state(self.log, n.state)
            agreement, company = state["agreement_id"], state["company_id"]
            self._opened.append(
                {"stream_id": stream, "kind": "agreement", "name": agreement, "company_id": company,
                 "terms_key": state["terms_key"]}
            )  # fmt: skip
            self._streams[stream] = ("agreement", agreement)
            if company in self._members:
                self._members[company].append(agreement)
            return [agreement]
        if n.topic == COMPANY_OPENED:
            company = decode_state(self.log, n.state)["company_id"]
            self._opened.append(
                {"stream_id": stream, "kind": "company", "name": company, "company_id": company, "terms_key": None}
            )
            self._streams[stream] = ("company", company)
            return []
        s = tables.streams.c
        known = self._streams.get(stream)
        if known is None:
            self._save_opened(session)
            row = session.execute(select(s.kind, s.name).where(s.stream_id == stream)).one_or_none()
            if row is None:
                raise ObligationsError(f"event {n.id} belongs to stream {stream}, which was never opened")
            known = self._streams[stream] = (row.kind, row.name)
        kind, name = known
        if kind == "agreement":
            return [name]
        if name not in self._members:
            self._save_opened(session)
            members = session.execute(select(s.name).where(s.company_id == name, s.kind == "agreement"))
            self._members[name] = [m for (m,) in members]
        return list(self._members[name])

    def replan(self, wait: bool = True, on_wait: Callable[[], None] | None = None, chunk: int = 500) -> int:
        """Run the hook again over every agreement's current rows (after a change of reminder policy)."""
        with self.lock(wait, on_wait):
            return self._replan_all(chunk)

    def _replan_all(self, chunk: int = 500) -> int:
        if self.hook is None:
            return 0
        with self.engine.connect() as conn:
            s = tables.streams.c
            ids = [a for (a,) in conn.execute(select(s.name).where(s.kind == "agreement").order_by(s.name))]
        for k in range(0, len(ids), chunk):
            part = ids[k : k + chunk]
            with self.log.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
                self._claim(session)
                found = session.execute(select(tables.items).where(tables.items.c.agreement_id.in_(part)))
                self.hook(session, part, [dict(r._mapping) for r in found])
        return len(ids)

    # -- observing -------------------------------------------------------------------------------

    def max_position(self) -> int:
        return int(self.log.recorder.max_notification_id() or 0)

    def position(self) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(tables.positions.c.position).where(tables.positions.c.name == NAME)
            ).scalar_one_or_none()
        return int(value or 0)

    def status(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            p = tables.positions.c
            row = conn.execute(select(p.position, p.updated_at).where(p.name == NAME)).one_or_none()
            n_items = conn.execute(select(func.count()).select_from(tables.items)).scalar_one()
            n_agreements = conn.execute(
                select(func.count()).select_from(tables.streams).where(tables.streams.c.kind == "agreement")
            ).scalar_one()
            quarantined = quarantine_list(conn)
        position = int(row.position) if row else 0
        head = self.max_position()
        return {
            "projection": NAME,
            "position": position,
            "head": head,
            "lag": head - position,
            "last_run": row.updated_at if row else None,
            "agreements": int(n_agreements),
            "rows": int(n_items),
            "quarantined": quarantined,
        }


def quarantine_list(conn: Connection, limit: int = 1000) -> list[dict[str, Any]]:
    """The quarantined agreements: which, since when, the fact at fault (if one is) and the error."""
    q = tables.quarantine.c
    found = conn.execute(select(tables.quarantine).order_by(q.since, q.agreement_id).limit(limit))
    return [
        {
            "agreement": r.agreement_id,
            "fact_id": r.fact_id,
            "error": r.error,
            "since": r.since,
            "checked_at": r.checked_at,
        }  # fmt: skip
        for r in found
    ]


def _die_with_parent() -> None:
    """A worker must not outlive a projector killed mid-batch (Linux: PR_SET_PDEATHSIG)."""
    with suppress(OSError, AttributeError):  # not Linux: nothing to set
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


Job = tuple[str, AnyTerms, list[Fact]]


@dataclass
class Computed:
    """The rows of the agreements that computed, and those that failed."""

    rows: list[dict[str, Any]]
    ok: list[str]
    failed: list[Failed]
    people: list[dict[str, Any]] = field(default_factory=list)  # rm_people rows of the agreements that computed

    def add(self, other: Computed) -> None:
        self.rows += other.rows
        self.ok += other.ok
        self.failed += other.failed
        self.people += other.people


def computed(jobs: Sequence[Job | Failed]) -> Computed:
    """Rows of some agreements, each computed on its own: one that fails is reported, not raised (a bug of the
    rules or an unreadable fact quarantines that agreement only). Runs in workers too."""
    out = Computed([], [], [])
    for job in jobs:
        if isinstance(job, Failed):
            out.failed.append(job)
            continue
        agreement_id, terms, facts = job
        try:
            rows = [_row(agreement_id, terms.agreement.company, item) for item in dated_items(terms, facts)]
            people = [_person_row(agreement_id, day, person) for day, person in person_runs(facts)]
        except Exception as exc:
            out.failed.append(Failed.of(agreement_id, exc))
            continue
        out.rows += rows
        out.people += people
        out.ok.append(agreement_id)
    return out


def rows_of(jobs: list[tuple[str, str, AnyTerms, list[Fact]]]) -> list[dict[str, Any]]:
    """The read-model rows of some agreements: (agreement, company, terms, facts) each; raises on a failure."""
    return [_row(agreement_id, company, item) for agreement_id, company, terms, facts in jobs
            for item in dated_items(terms, facts)]  # fmt: skip


def _person_row(agreement_id: str, day: date, person: dict[str, Any]) -> dict[str, Any]:
    return {"agreement_id": agreement_id, "valid_from": day,
            **{k: None if person[k] is None else _clean(person[k]) for k in PERSON_FIELDS}}  # fmt: skip


def _clean(text: str) -> str:
    """No NUL reaches a text column (PostgreSQL refuses it): input refuses it, and a fact stored before that
    rule existed must not stall the projector."""
    return text.replace("\x00", "\ufffd")


def _row(agreement_id: str, company_id: str, item: Item) -> dict[str, Any]:
    return {
        "due_key": item.due_date or NO_DUE_DATE,
        "agreement_id": agreement_id,
        "company_id": company_id,
        "kind": item.kind,
        "item_id": _clean(item.item_id),
        "owed_by": item.owed_by,
        "owed_to": item.owed_to,
        "amount": item.amount,
        "due_date": item.due_date,
        "started": item.started,
        "clause": item.clause,
        "cancelled": item.cancelled,
        "fixed_status": item.fixed_status,
        "paid_on": item.paid_on,
        "fulfilled_on": item.fulfilled_on,
        "cured_on": item.cured_on,
        "valid_from": item.valid_from,
        "valid_to": item.valid_to,
        "why": _clean(item.detail.get("why", "")),
        "fact_ids": json.dumps(list(item.fact_ids)),
        "detail": json.dumps({k: v for k, v in item.detail.items() if k != "why"}),
    }


def item_from_row(row: Any) -> Item:
    return Item(
        row.kind,
        row.item_id,
        row.owed_by,
        row.owed_to,
        row.amount,
        row.due_date,
        row.started,
        row.clause,
        cancelled=bool(row.cancelled),
        fixed_status=row.fixed_status,
        paid_on=row.paid_on,
        fulfilled_on=row.fulfilled_on,
        cured_on=row.cured_on,
        fact_ids=tuple(json.loads(row.fact_ids)),
        detail={**json.loads(row.detail), "why": row.why},
        valid_from=row.valid_from,
        valid_to=row.valid_to,
    )
