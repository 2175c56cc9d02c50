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
VERSION = 3

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
