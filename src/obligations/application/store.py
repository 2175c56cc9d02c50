"""The eventsourcing Application over eventsourcing-sqlalchemy: one database, SQLite file or PostgreSQL.

Events, read models and (later) the reminder outbox live in the same database (notes/dependencies.md:
eventsourcing-sqlalchemy keeps one transaction per context, and exactly-once needs rows and position in one
transaction). The schema is created once per process under a lock (PostgreSQL: an advisory lock, so two
processes starting together do not race on CREATE TABLE); connections get a lock timeout and a busy timeout
so a stuck writer is an error, not a hang.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from sqlalchemy import Engine, event, insert, select, text
from sqlalchemy.exc import IntegrityError

from obligations.application import tables
from obligations.domain.errors import InvalidInputError, StoreError

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


def decode_state(log: EventLog, state: bytes) -> dict[str, Any]:
    """A stored event's state as the mapper reads it (decrypted and decompressed when configured): every
    raw read of the log goes through here, so an encrypted store reads like a plain one."""
    mapper = log.mapper
    if mapper.cipher:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor:
        state = mapper.compressor.decompress(state)
    decoded = mapper.transcoder.decode(state)
    if not isinstance(decoded, dict):
        raise ValueError("a stored event's state is not an object")
    return decoded


def normalise_url(url: str, workdir: Path, create: bool = True) -> str:
    """A SQLite URL's relative path is taken under the working directory; its folder is created (with
    `create=False`, a missing file is an error: a read never leaves an empty store behind)."""
    if url.startswith("sqlite"):
        prefix, _, path = url.partition(":///")
        if not path:
            raise InvalidInputError(f"database URL {url!r}: a SQLite URL is sqlite:///PATH")
        file = Path(path)
        if not file.is_absolute():
            file = workdir / file
        if not create and not file.is_file():
            raise InvalidInputError(f"no event store at {file}: nothing has been recorded there (check --database)")
        file.parent.mkdir(parents=True, exist_ok=True)
        return f"{prefix}:///{file}"
    if url.startswith("postgresql"):
        return url
    raise InvalidInputError(f"database URL {url!r}: expected sqlite:///PATH or postgresql+psycopg://...")


def sqlite_file(url: str) -> Path | None:
    return Path(url.partition(":///")[2]) if url.startswith("sqlite") else None


def _on_connect(dialect: str, timeout_ms: int = LOCK_TIMEOUT_MS) -> Any:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if dialect == "postgresql":
            cursor.execute(f"SET lock_timeout = {int(timeout_ms)}")
            cursor.execute("SET idle_in_transaction_session_timeout = 600000")
            dbapi_connection.commit()
        else:
            cursor.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")
            cursor.execute("PRAGMA cache_size = -65536")  # 64 MiB of pages per connection (default 2 MiB)
            cursor.execute("PRAGMA mmap_size = 268435456")  # reads from the OS page cache; bounded, as it counts in RSS
        cursor.close()

    return configure


def open_log(
    url: str, workdir: Path, create: bool = True, cipher_key: str | None = None, lock_timeout_ms: int = LOCK_TIMEOUT_MS
) -> EventLog:
    """The event log over the database at `url`. With `cipher_key` (base64 of 16, 24 or 32 bytes) every
    event's state is encrypted with AES-GCM by eventsourcing's cipher, and read back through the mapper."""
    env: dict[str, Any] = {
        "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
        "SQLALCHEMY_URL": normalise_url(url, workdir, create),
        "IS_SNAPSHOTTING_ENABLED": "n",
        "CREATE_TABLE": "n",
    }
    if cipher_key:
        _check_key(cipher_key)
        env |= {"CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher", "CIPHER_KEY": cipher_key}
    log = EventLog(env=env)
    engine = log.engine
    event.listen(engine, "connect", _on_connect(engine.dialect.name, lock_timeout_ms))
    if engine.dialect.name == "postgresql":
        # pool_pre_ping: a pooled connection the server dropped (a restart) is replaced, not failed once. The
        # datastore creates the engine without our keywords, so the pool's setting is made here.
        engine.pool._pre_ping = True
    engine.dispose()
    migrate(log)
    _check_cipher(log, encrypted=bool(cipher_key))
    return log


def _check_key(key: str) -> None:
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) not in (16, 24, 32):
        raise InvalidInputError(
            "OBLIGATIONS_CIPHER_KEY: expected the base64 of 16, 24 or 32 random bytes "
            "(`obligations cipher-key` prints a new one)"
        )


def _check_cipher(log: EventLog, encrypted: bool) -> None:
    """A store is encrypted or not from its first event on: opening it the other way is refused (its events
    would not read back, or new ones would be stored in clear beside encrypted ones)."""
    meta = tables.store_meta
    wanted = "aes-gcm" if encrypted else "none"
    with log.engine.begin() as conn:
        found = conn.execute(select(meta.c.value).where(meta.c.name == "cipher")).scalar_one_or_none()
    if found is None:
        if encrypted and log.recorder.max_notification_id() is not None:
            raise StoreError("this store holds events written without encryption; OBLIGATIONS_CIPHER_KEY "
                             "can only be turned on for a new store")  # fmt: skip
        try:
            with log.engine.begin() as conn:
                conn.execute(insert(meta).values(name="cipher", value=wanted))
            return
        except IntegrityError:  # another process opened it first: check against what it wrote
            with log.engine.begin() as conn:
                found = conn.execute(select(meta.c.value).where(meta.c.name == "cipher")).scalar_one()
    if found != wanted:
        raise StoreError(
            "this store's events are encrypted: set OBLIGATIONS_CIPHER_KEY to its key"
            if found == "aes-gcm"
            else "this store's events are not encrypted: unset OBLIGATIONS_CIPHER_KEY to open it"
        )


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
