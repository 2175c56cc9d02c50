"""API tokens: created with a role (and, for an employee, their agreement), stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from obligations.application import tables
from obligations.domain.errors import InvalidInputError
from obligations.domain.values import parse_line

ROLES = ("admin", "recorder", "viewer", "employee")
PREFIX = "obl_"
t = tables.api_tokens.c
SESSION_HOURS = 8


def is_valid_line(value: str) -> bool:
    try:
        parse_line(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    agreement_id: str | None

    def can_read(self, agreement_id: str | None = None) -> bool:
        if self.role == "employee":
            return agreement_id is not None and agreement_id == self.agreement_id
        return True

    @property
    def can_write(self) -> bool:
        return self.role in ("admin", "recorder")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(engine: Engine, name: str, role: str, agreement_id: str | None, now: datetime) -> str:
    """A new token (shown once); refuses an unknown role, a duplicate name, or an employee without agreement."""
    if role not in ROLES:
        raise InvalidInputError(f"role {role!r}: expected one of {', '.join(ROLES)}")
    if (role == "employee") != (agreement_id is not None):
        raise InvalidInputError("agreement: required for the employee role, and only for it")
    return issue(engine, tables.api_tokens, PREFIX, "a token", name, now, role=role, agreement_id=agreement_id)


def issue(engine: Engine, table: Table, prefix: str, what: str, name: str, now: datetime, **values: Any) -> str:
    """A new secret (returned once) stored as its SHA-256 in `table` under a unique, checked `name`: the API's
    tokens and the calendar links alike."""
    if not name.strip() or len(name) > 100 or not is_valid_line(name):
        raise InvalidInputError("name: 1 to 100 characters, no control characters")
    secret = prefix + secrets.token_urlsafe(32)
    try:
        with engine.begin() as conn:
            conn.execute(insert(table).values(name=name, token_hash=digest(secret), created_at=now.isoformat(),
                                              revoked_at=None, **values))  # fmt: skip
    except IntegrityError:
        raise InvalidInputError(f"name {name!r}: {what} with this name exists (revoke it first)") from None
    return secret


def revoke(engine: Engine, name: str, now: datetime) -> bool:
    return revoke_named(engine, tables.api_tokens, name, now)


def revoke_named(engine: Engine, table: Table, name: str, now: datetime) -> bool:
    """Revokes the active row `name` of `table`; False when there is none."""
    with engine.begin() as conn:
        done = conn.execute(
            update(table).where(table.c.name == name, table.c.revoked_at.is_(None)).values(revoked_at=now.isoformat())
        ).rowcount
    return bool(done)


def verify(engine: Engine, token: str) -> Principal | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(t.name, t.role, t.agreement_id).where(t.token_hash == digest(token), t.revoked_at.is_(None))
        ).one_or_none()
    return Principal(row.name, row.role, row.agreement_id) if row else None


def listing(engine: Engine) -> list[dict[str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(select(t.name, t.role, t.agreement_id, t.created_at, t.revoked_at).order_by(t.name))
        return [dict(r._mapping) for r in rows]


# -- dashboard sessions ----------------------------------------------------------------------------------------
sc = tables.sessions.c


def open_session(engine: Engine, principal: Principal, now: datetime) -> str:
    """A new sign-in session for the dashboard: a random value (only its hash is kept), valid SESSION_HOURS."""
    session = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(
            insert(tables.sessions).values(
                session_hash=digest(session),
                token_name=principal.name,
                created_at=now.isoformat(),
                expires_at=(now + timedelta(hours=SESSION_HOURS)).isoformat(),
                revoked_at=None,
            )
        )
    return session


def session_principal(engine: Engine, session: str, now: datetime) -> Principal | None:
    """Who a session belongs to, while neither it nor its token is revoked and it has not expired."""
    with engine.connect() as conn:
        row = conn.execute(
            select(t.name, t.role, t.agreement_id, sc.expires_at)
            .join(tables.api_tokens, t.name == sc.token_name)
            .where(sc.session_hash == digest(session), sc.revoked_at.is_(None), t.revoked_at.is_(None))
        ).one_or_none()
    if row is None or datetime.fromisoformat(row.expires_at) <= now:
        return None
    return Principal(row.name, row.role, row.agreement_id)


def close_session(engine: Engine, session: str, now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(tables.sessions)
            .where(sc.session_hash == digest(session), sc.revoked_at.is_(None))
            .values(revoked_at=now.isoformat())
        )
