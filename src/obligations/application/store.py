"""The eventsourcing Application over eventsourcing-sqlalchemy: one database, SQLite file or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from obligations.domain.errors import InvalidInputError


class EventLog(Application[UUID]):
    """Events live in table `obligations_events` (the application's name is the table prefix)."""

    name = "obligations"


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


def open_log(url: str, workdir: Path) -> EventLog:
    env: dict[str, Any] = {
        "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
        "SQLALCHEMY_URL": normalise_url(url, workdir),
        "IS_SNAPSHOTTING_ENABLED": "n",
    }
    return EventLog(env=env)
