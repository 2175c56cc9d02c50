"""The OpenAPI document fuzzed with schemathesis: no 5xx, and every response matches the document."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from helpers import CONFIG, ROOT
from obligations.application import tokens
from obligations.interfaces.http.app import create_app
from obligations.settings import Settings
from receivers import FakeClock, at

# schemathesis loads the schema when the module is collected: the app (on a throwaway SQLite file) exists then.
WORK = Path(tempfile.mkdtemp(prefix="obligations-fuzz-"))
CLOCK = FakeClock(at("2026-11-01T12:00:00"))
APP = create_app(Settings(database_url=f"sqlite:///{WORK / 'e.db'}", config_dir=CONFIG, workdir=WORK), CLOCK)
TOKEN = tokens.create(APP.state.engine, "fuzz", "admin", None, CLOCK())
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
# What the issue asks: no 5xx, and every response (status, content type, body) as the document says.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module", autouse=True)
def seeded() -> Iterator[None]:
    life = (ROOT / "examples" / "valence-vp-life.jsonl").read_text().splitlines()
    with TestClient(APP) as client:
        body = '{"terms": "valence-2004", "facts": [' + ",".join(life) + "]}"
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        r = client.post("/v1/agreements/dean/facts", content=body, headers=headers)
        assert r.status_code == 201, r.text
    yield
    APP.state.engine.dispose()
    shutil.rmtree(WORK, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_every_response_matches_the_document(case: Any) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS)
