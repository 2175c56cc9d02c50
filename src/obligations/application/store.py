"""The eventsourcing Application over eventsourcing-sqlalchemy: one database, SQLite file or PostgreSQL.

Events, read models and (later) the reminder outbox live in the same database (notes/dependencies.md:
eventsourcing-sqlalchemy keeps one transaction per context, and exactly-once needs rows and position in one
transaction). The schema is created once per process under a lock (PostgreSQL: an advisory lock, so two
processes starting together do not race on CREATE TABLE); connections get a lock timeout and a busy timeout
so a stuck writer is an error, not a hang.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from sqlalchemy import Engine, event, text

from obligations.application import tables
from obligations.domain.errors import InvalidInputError

SCHEMA_LOCK = 7_300_001  # pg advisory lock key for schema creation
LOCK_TIMEOUT_MS = 30_000


class EventLog(Application[UUID]):
    """Events live in table `obligations_events` (the application's name is the table prefix)."""

    name = "obligations"

    @property
    def engine(self) -> Engine:
        engine = self.recorder.datastore.engine  # type: ignore[attr-defined]
        assert isinstance(engine, Engine)
        return engine


def normalise_url(url: str, workdir: Path) -> str:
    """A SQLite URL's relative path is taken under the working directory; its folder is created."""
    if url.startswith("sqlite"):
        prefix, _, path = url.partition(":///")
        if not path:
            raise InvalidInputError(f"database URL {url!r}: a SQLite URL is sqlite:///PATH")
        file = Path(path)
        if not file.is_absolute():
            file = workdir / file
        file.parent.mkdir(parents=True, exist_ok=True)
        return f"{prefix}:///{file}"
    if url.startswith("postgresql"):
        return url
    raise InvalidInputError(f"database URL {url!r}: expected sqlite:///PATH or postgresql+psycopg://...")


def sqlite_file(url: str) -> Path | None:
    return Path(url.partition(":///")[2]) if url.startswith("sqlite") else None


def _on_connect(dialect: str) -> Any:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if dialect == "postgresql":
            cursor.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
            cursor.execute("SET idle_in_transaction_session_timeout = 600000")
            dbapi_connection.commit()
        else:
            cursor.execute(f"PRAGMA busy_timeout = {LOCK_TIMEOUT_MS}")
            cursor.execute("PRAGMA cache_size = -65536")  # 64 MiB of pages per connection (default 2 MiB)
            cursor.execute("PRAGMA mmap_size = 268435456")  # reads from the OS page cache; bounded, as it counts in RSS
        cursor.close()

    return configure


def open_log(url: str, workdir: Path) -> EventLog:
    env: dict[str, Any] = {
        "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
        "SQLALCHEMY_URL": normalise_url(url, workdir),
        "IS_SNAPSHOTTING_ENABLED": "n",
        "CREATE_TABLE": "n",
    }
    log = EventLog(env=env)
    engine = log.engine
    event.listen(engine, "connect", _on_connect(engine.dialect.name))
    engine.dispose()
    migrate(log)
    return log


def migrate(log: EventLog) -> None:
    """Create the event table and the read-model tables if missing: idempotent, serialised on PostgreSQL."""
    engine = log.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": SCHEMA_LOCK})
            conn.commit()
            try:
                log.recorder.create_table()  # type: ignore[attr-defined]
                _read_models(engine)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SCHEMA_LOCK})
                conn.commit()
    else:
        log.recorder.create_table()  # type: ignore[attr-defined]
        _read_models(engine)


def _read_models(engine: Engine) -> None:
    """Create the read-model tables; when their version changed, drop them first (the projector rebuilds
    them from the log: nothing in them is original)."""
    version = tables.schema_version
    version.create(engine, checkfirst=True)
    with engine.begin() as conn:
        found = conn.execute(version.select()).scalar()
        if found != tables.VERSION:
            tables.metadata.drop_all(conn)
            conn.execute(version.delete())
            conn.execute(version.insert().values(version=tables.VERSION))
        tables.metadata.create_all(conn)
        tables.durable.create_all(conn)
