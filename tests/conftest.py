"""Fixtures: a fresh event store on SQLite and on PostgreSQL (a new database per test)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_URL = os.environ.get("OBLIGATIONS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("OBLIGATIONS_REQUIRE_POSTGRES") == "1"


def _pg_admin_conninfo() -> str:
    return PG_URL.replace("postgresql+psycopg://", "postgresql://")


def _pg_reachable() -> str | None:
    import psycopg

    try:
        with psycopg.connect(_pg_admin_conninfo(), connect_timeout=3):
            return None
    except Exception as exc:  # any failure to connect means unreachable
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


@pytest.fixture(scope="session")
def postgres_available() -> None:
    problem = _pg_reachable()
    if problem is None:
        return
    if REQUIRE_PG:
        pytest.fail(f"PostgreSQL required (OBLIGATIONS_REQUIRE_POSTGRES=1) but unreachable at {PG_URL}: {problem}")
    pytest.skip(f"PostgreSQL unreachable at {PG_URL}: {problem}")


@pytest.fixture
def postgres_url(postgres_available: None) -> Iterator[str]:
    import psycopg

    name = f"obligations_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = PG_URL.rpartition("/")
    yield f"{base}/{name}"
    from sqlalchemy import create_engine

    create_engine("postgresql+psycopg://").dispose()
    with psycopg.connect(_pg_admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'events.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url
