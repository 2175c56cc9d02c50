"""Calendar subscription links (issue 14): calendar programs subscribe to a URL and cannot send a header, so
a feed is read with a capability in its path: a long random value, stored only as its SHA-256, read-only,
scoped to one agreement (an employee's own), one company, or every agreement, and revocable by name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from obligations.application import tables
from obligations.application.tokens import digest, issue, revoke_named
from obligations.domain.errors import InvalidInputError

PREFIX = "cal_"
c = tables.feed_links.c


@dataclass(frozen=True)
class FeedScope:
    """What a link shows: one agreement, one company's agreements, or (neither) the whole portfolio."""

    name: str
    agreement_id: str | None
    company_id: str | None

    @property
    def title(self) -> str:
        return f"obligations: {self.agreement_id or self.company_id or 'portfolio'}"


def create(engine: Engine, name: str, agreement_id: str | None, company_id: str | None, now: datetime) -> str:
    """A new link's secret (shown once). At most one of `agreement_id` and `company_id`."""
    if agreement_id is not None and company_id is not None:
        raise InvalidInputError("a feed shows one agreement, one company or every agreement: not both")
    return issue(engine, tables.feed_links, PREFIX, "a feed link", name, now, agreement_id=agreement_id,
                 company_id=company_id)  # fmt: skip


def revoke(engine: Engine, name: str, now: datetime) -> bool:
    return revoke_named(engine, tables.feed_links, name, now)


def scope(engine: Engine, secret: str) -> FeedScope | None:
    """What the link may show; None for an unknown, malformed or revoked one (told apart to no one)."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(c.name, c.agreement_id, c.company_id).where(c.token_hash == digest(secret), c.revoked_at.is_(None))
        ).one_or_none()
    return FeedScope(row.name, row.agreement_id, row.company_id) if row else None


def listing(engine: Engine) -> list[dict[str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(select(c.name, c.agreement_id, c.company_id, c.created_at, c.revoked_at).order_by(c.name))
        return [dict(r._mapping) for r in rows]
