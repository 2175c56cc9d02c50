"""Fixtures: a fresh event store on SQLite and on PostgreSQL (a new database per test)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """The HTTP app on a fresh store with Dean's life recorded, an empty agreement `other`, and a token per role."""
    from fastapi.testclient import TestClient

    from helpers import CONFIG, LIFE, Api
    from obligations.application import tokens
    from obligations.interfaces.http.app import create_app
    from obligations.settings import Settings
    from receivers import FakeClock, at

    clock = FakeClock(at("2026-11-01T12:00:00"))
    app = create_app(Settings(database_url=database_url, config_dir=CONFIG, workdir=tmp_path), clock, max_body=65536)
    engine = app.state.engine
    toks = {
        role: tokens.create(engine, f"{role}-token", role, None, clock()) for role in ("admin", "recorder", "viewer")
    }
    with TestClient(app) as client:
        a = Api(client, toks, database_url)
        created = a.call("recorder", "POST", "/v1/agreements/dean/facts", json={"facts": LIFE, "terms": "valence-2004"})
        assert created.status_code == 201, created.text
        a.call("recorder", "POST", "/v1/agreements", json={"agreement_id": "other", "terms": "valence-2004"})
        toks["employee"] = tokens.create(engine, "dean-self", "employee", "dean", clock())
        toks["other-employee"] = tokens.create(engine, "other-self", "employee", "other", clock())
        yield a
