"""Read-model tables, in the events' database: positions, streams, agreements and dated items."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# Bump when a read-model table changes: the tables are then dropped and rebuilt from the log on next open.
VERSION = 5

schema_version = Table("read_model_schema", MetaData(), Column("version", Integer, nullable=False))

positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", String(40), nullable=False),
)

# Which stream an event belongs to: agreement streams by id, company streams by company.
streams = Table(
    "rm_streams",
    metadata,
    Column("stream_id", String(36), primary_key=True),
    Column("kind", String(16), nullable=False),  # "agreement" | "company"
    Column("name", String(200), nullable=False),  # the agreement id or the company id
    Column("company_id", String(200), nullable=False),
    Column("terms_key", String(200)),
    Index("rm_streams_company", "company_id", "kind"),
)

# Who the employee of an agreement is (PersonDetailsRecorded), one row per date a detail takes effect: names
# in listings, `due`, calendars and reminders without reading the log.
people = Table(
    "rm_people",
    metadata,
    Column("agreement_id", String(200), primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("name", String(500)),
    Column("work_email", String(254)),
    Column("title", String(500)),
    Column("department", String(500)),
    Column("manager", String(500)),
)

# One row per item run. Clustered by due date on SQLite (WITHOUT ROWID, the primary key first): a window of
# due dates is one contiguous range of pages, which is what makes `due` over 100,000 agreements fast.
items = Table(
    "rm_items",
    metadata,
    Column("due_key", Date, primary_key=True),  # due_date, or 9999-12-31 for items with none
    Column("agreement_id", String(200), primary_key=True),
    Column("kind", String(16), primary_key=True),  # payment | clock | obligation | vesting | ground
    Column("item_id", String(200), primary_key=True),
    Column("valid_from", Date, primary_key=True),  # the first as-of date the row holds for
    Column("valid_to", Date),  # exclusive; NULL: holds from valid_from on
    Column("company_id", String(200), nullable=False),
    Column("owed_by", String(40)),
    Column("owed_to", String(40)),
    Column("amount", String(40)),
    Column("due_date", Date),  # due date, deadline, vesting date, or the date a ground became available
    Column("started", Date),
    Column("clause", String(40), nullable=False),
    Column("cancelled", Boolean, nullable=False),
    Column("fixed_status", String(20)),
    Column("paid_on", Date),
    Column("fulfilled_on", Date),
    Column("cured_on", Date),
    Column("why", Text, nullable=False),  # the clause and arithmetic that produced the item
    Column("fact_ids", Text, nullable=False),  # JSON array
    Column("detail", Text, nullable=False),  # JSON object: payer, payee, notice_id, on_expiry, coverage_month, ...
    Index("rm_items_agreement", "agreement_id"),
    Index("rm_items_company_due", "company_id", "due_key"),
    sqlite_with_rowid=False,
)


# Agreements whose rows could not be computed (issue 12): their rows keep the last good state, stale until the
# cause is fixed (a correction of the fact, a fixed terms file) and the next catch-up computes them again.
quarantine = Table(
    "rm_quarantine",
    metadata,
    Column("agreement_id", String(200), primary_key=True),
    Column("fact_id", String(300)),  # the fact that cannot be read, when that is the cause
    Column("error", Text, nullable=False),
    Column("since", String(40), nullable=False),
    Column("checked_at", String(40), nullable=False),
    Column("position", BigInteger, nullable=False),  # the log position of the last failed try
)


# -- the reminder outbox (issue 4) ---------------------------------------------------------------------------
# Durable: never dropped on a read-model version change (it holds what was sent). Instants are ISO-8601 UTC text
# of one fixed width ("2005-03-01T15:00:00.000000+00:00"), so text order is time order on SQLite and PostgreSQL.
durable = MetaData()

outbox = Table(
    "alert_outbox",
    durable,
    Column("key", String(64), primary_key=True),  # the idempotency key: a hash of the five fields below
    Column("agreement_id", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("item_id", String(200), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("offset_days", Integer, nullable=False),  # negative: a reminder before the date; positive: an escalation
    Column("company_id", String(200), nullable=False),
    Column("send_at", String(40), nullable=False),
    Column("state", String(12), nullable=False),  # pending | claimed | sent | withdrawn | expired
    Column("next_attempt_at", String(40), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("lease_until", String(40)),
    Column("claim_token", String(40)),
    Column("late", Boolean, nullable=False),
    Column("sent_at", String(40)),
    Column("planned_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("reason", Text),  # why it was withdrawn or expired, or the last failure
    Column("payload", Text, nullable=False),  # JSON: the item as planned (amount, clause, why, parties, ...)
    Index("alert_outbox_due", "state", "next_attempt_at"),
    Index("alert_outbox_agreement", "agreement_id"),
)

deliveries = Table(
    "alert_deliveries",
    durable,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("at", String(40), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("late", Boolean, nullable=False),
    Column("result", Text, nullable=False),
    Column("dispatcher", String(80), nullable=False),
    Index("alert_deliveries_key", "key", "channel"),
)

alert_meta = Table(
    "alert_meta",
    durable,
    Column("name", String(40), primary_key=True),
    Column("value", String(80), nullable=False),
)

# What the store is: whether its events are encrypted (issue 12), so a store is never opened with the wrong key.
store_meta = Table(
    "store_meta",
    durable,
    Column("name", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
)

# -- the HTTP API (issue 5) ------------------------------------------------------------------------------
api_tokens = Table(
    "api_tokens",
    durable,
    Column("name", String(100), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the token; the token is never kept
    Column("role", String(16), nullable=False),  # admin | recorder | viewer | employee
    Column("agreement_id", String(200)),  # the employee's own agreement
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
)

# The dashboard's sign-in sessions (issue 12): a random value of their own in the cookie, never the API token;
# stored as a SHA-256, expiring, revoked on sign-out or with the token they were opened with.
# Calendar subscription links (issue 14): a capability in the URL, for programs that cannot send a header.
feed_links = Table(
    "feed_links",
    durable,
    Column("name", String(100), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the link's secret, never the secret
    Column("agreement_id", String(200)),  # one agreement (an employee's own) …
    Column("company_id", String(200)),  # … or one company's agreements; neither: every agreement
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
)

sessions = Table(
    "dashboard_sessions",
    durable,
    Column("session_hash", String(64), primary_key=True),
    Column("token_name", String(100), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
)

idempotency = Table(
    "http_idempotency",
    durable,
    Column("principal", String(100), primary_key=True),  # the token's name: keys are per caller
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),  # method, path and body
    Column("status", Integer),  # NULL while the first request is in progress
    Column("response", Text),
    Column("created_at", String(40), nullable=False),
)
