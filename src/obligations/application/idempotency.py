"""Idempotency keys for writes: the same key and body replay the first response; another body is refused.

The key is reserved (a row with no status) before the write runs, so two identical requests racing on one
key cannot both append: the second is told the first is in progress. A reservation left by a crash is
taken over after `STALE_SECONDS`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from obligations.application import tables
from obligations.domain.errors import InvalidInputError, ObligationsError

STALE_SECONDS = 120
c = tables.idempotency.c


class IdempotencyConflict(InvalidInputError):
    """The key was used with another request."""


class IdempotencyInProgress(ObligationsError):
    """The first request with this key has not finished."""


@dataclass(frozen=True)
class Stored:
    status: int
    body: Any


def request_hash(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\x1f".join((method.encode(), path.encode(), body))).hexdigest()


def begin(engine: Engine, principal: str, key: str, digest: str, now: datetime) -> Stored | None:
    """Reserve the key (None: go ahead), or the first response to replay."""
    with engine.begin() as conn:
        try:
            fields = {"principal": principal, "key": key, "request_hash": digest, "created_at": now.isoformat()}
            conn.execute(insert(tables.idempotency).values(status=None, response=None, **fields))
            return None
        except IntegrityError:
            pass
    with engine.begin() as conn:
        row = conn.execute(
            select(c.request_hash, c.status, c.response, c.created_at).where(c.principal == principal, c.key == key)
        ).one()
        if row.request_hash != digest:
            raise IdempotencyConflict(f"Idempotency-Key {key!r} was used with a different request")
        if row.status is not None:
            return Stored(int(row.status), json.loads(row.response))
        if datetime.fromisoformat(row.created_at) > now - timedelta(seconds=STALE_SECONDS):
            raise IdempotencyInProgress(f"a request with Idempotency-Key {key!r} is in progress")
        conn.execute(
            update(tables.idempotency).where(c.principal == principal, c.key == key).values(created_at=now.isoformat())
        )
        return None


def finish(engine: Engine, principal: str, key: str, status: int, body: Any) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(tables.idempotency)
            .where(and_(c.principal == principal, c.key == key))
            .values(status=status, response=json.dumps(body))
        )


def abandon(engine: Engine, principal: str, key: str) -> None:
    """The request failed before any effect (a 5xx): free the key for a retry."""
    with engine.begin() as conn:
        conn.execute(delete(tables.idempotency).where(c.principal == principal, c.key == key, c.status.is_(None)))
