"""Idempotency keys for writes: the same key and body replay the first answer; another body is refused.

The key, the request's hash and the answer are written in the SAME transaction as the facts (issue 12): a
crash leaves both or neither, so a retry after a crash finds either the answer (and replays it) or nothing
(and records the facts once). Two requests racing on one key: the one that commits second fails on the
key's unique index, its facts roll back, and it replays the first one's answer. A refusal (4xx) records no
fact, so it is remembered on its own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from obligations.application import tables
from obligations.domain.errors import InvalidInputError, ObligationsError

c = tables.idempotency.c


class IdempotencyConflict(InvalidInputError):
    """The key was used with another request."""


class IdempotencyInProgress(ObligationsError):
    """The first request with this key has not finished (kept for stores written by older versions)."""


class IdempotencyRace(ObligationsError):
    """Another request with the same key committed first: replay its answer."""


@dataclass(frozen=True)
class Stored:
    status: int
    body: Any


def request_hash(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\x1f".join((method.encode(), path.encode(), body))).hexdigest()


def replay(engine: Engine, principal: str, key: str, digest: str) -> Stored | None:
    """The first answer given to this key, or None when the key is new."""
    with engine.connect() as conn:
        row = conn.execute(
            select(c.request_hash, c.status, c.response).where(c.principal == principal, c.key == key)
        ).one_or_none()
    if row is None or row.status is None:  # None: a reservation of an older version, never finished
        return None
    if row.request_hash != digest:
        raise IdempotencyConflict(f"Idempotency-Key {key[:80]!r} was used with a different request")
    return Stored(int(row.status), json.loads(row.response))


def _row(principal: str, key: str, digest: str, status: int, body: Any, now: datetime) -> dict[str, Any]:
    return {
        "principal": principal,
        "key": key,
        "request_hash": digest,
        "status": status,
        "response": json.dumps(body),
        "created_at": now.isoformat(),
    }


def remembering(
    principal: str, key: str, digest: str, now: datetime, answer: Callable[[Any], tuple[int, Any]]
) -> Callable[[Session, Any], None]:
    """What the write runs inside its transaction, after saving the facts: the key and its answer."""

    def remember(session: Session, recorded: Any) -> None:
        status, body = answer(recorded)
        found = session.execute(select(c.status).where(c.principal == principal, c.key == key)).one_or_none()
        if found is not None and found.status is not None:  # on PostgreSQL event writes are serialised: seen
            raise IdempotencyRace(f"Idempotency-Key {key[:80]!r} was answered meanwhile")
        if found is not None:
            session.execute(delete(tables.idempotency).where(c.principal == principal, c.key == key))
        # A racing twin that slipped past the check fails here on the key's unique index: rolled back whole.
        session.execute(insert(tables.idempotency).values(_row(principal, key, digest, status, body, now)))

    return remember


def remember_refusal(
    engine: Engine, principal: str, key: str, digest: str, status: int, body: Any, now: datetime
) -> None:
    """A refused request recorded nothing: its answer is kept on its own, for a retry to get the same."""
    with suppress(IntegrityError), engine.begin() as conn:  # already answered by the same request sent twice
        conn.execute(insert(tables.idempotency).values(_row(principal, key, digest, status, body, now)))
