"""The HTTP API as an attacker meets it (issue 12): terms are keys, the cookie cannot write, bodies must be JSON,
malformed headers and parameters are 4xx, a locked store is 503, reads flow during a write, and an
idempotency key survives a kill -9 after the commit."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from helpers import CONFIG, LIFE, ROOT, SALARY, Api
from obligations.application import tokens
from obligations.interfaces.http.app import create_app
from obligations.settings import Settings
from receivers import FakeClock, at

FACTS = "/v1/agreements/dean/facts"


@pytest.mark.parametrize(
    "terms", ["/etc/passwd.toml", "../companies/valence", str(CONFIG / "agreements" / "valence-2004.toml")]
)
def test_terms_over_http_are_keys_never_paths(api: Api, terms: str) -> None:
    for r in (
        api.call("admin", "POST", "/v1/agreements", json={"agreement_id": "x1", "terms": terms}),
        api.call("admin", "POST", "/v1/agreements/x2/facts", json={"facts": [LIFE[1]], "terms": terms}),
    ):
        assert r.status_code == 422, r.text
        said = r.text.replace(terms, "")  # the caller's own words may be quoted back, nothing of the server's
        assert str(ROOT) not in said and "/etc" not in said and "config/" not in said
    assert api.call("admin", "GET", "/v1/agreements/x2/status").status_code == 404


def test_terms_errors_and_explanations_name_no_server_path(api: Api) -> None:
    r = api.call("viewer", "GET", "/v1/agreements/dean/explain/vested?as_of=2006-09-20")
    assert r.status_code == 200 and str(CONFIG) not in r.text and str(ROOT) not in r.text


def test_the_dashboard_cookie_is_a_session_that_cannot_write(api: Api) -> None:
    client = api.client
    login = client.post("/ui/login", data={"token": api.tokens["admin"]}, follow_redirects=False)
    assert login.status_code == 303
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/ui" in cookie
    session = client.cookies.get("obligations_session")
    assert session and session != api.tokens["admin"] and api.tokens["admin"] not in cookie
    assert client.get("/ui/").status_code == 200  # the pages read with it
    # ... but the API does not: a cross-site form (text/plain) or a JSON write with the cookie alone is refused.
    cookies = {"obligations_session": session}
    form = client.post(FACTS, content=json.dumps(SALARY), headers={"Content-Type": "text/plain"}, cookies=cookies)
    assert form.status_code == 415
    as_json = client.post(FACTS, json=SALARY, cookies=cookies)
    assert as_json.status_code == 401
    assert client.get("/v1/agreements", cookies=cookies).status_code == 401
    # Sign-out is a POST from this origin, and it ends the session for good.
    assert client.get("/ui/logout").status_code == 405
    foreign = client.post("/ui/logout", headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert foreign.status_code == 403
    assert client.post("/ui/logout", follow_redirects=False).status_code == 303
    client.cookies.set("obligations_session", session, path="/ui")
    assert client.get("/ui/", follow_redirects=False).headers["location"] == "/ui/login"


def test_a_revoked_token_ends_its_dashboard_sessions(api: Api) -> None:
    client = api.client
    assert client.post("/ui/login", data={"token": api.tokens["viewer"]}, follow_redirects=False).status_code == 303
    assert client.get("/ui/", follow_redirects=False).status_code == 200
    assert api.call("admin", "DELETE", "/v1/tokens/viewer-token").status_code == 204
    assert client.get("/ui/", follow_redirects=False).status_code == 303


def test_the_session_cookie_is_secure_over_https(database_url: str, tmp_path: Path) -> None:
    clock = FakeClock(at("2026-11-01T12:00:00"))
    app = create_app(Settings(database_url=database_url, config_dir=CONFIG, workdir=tmp_path), clock)
    token = tokens.create(app.state.engine, "a", "admin", None, clock())
    with TestClient(app, base_url="https://testserver") as client:
        r = client.post("/ui/login", data={"token": token}, follow_redirects=False)
        assert "Secure" in r.headers["set-cookie"]


def test_security_headers_on_pages_and_api(api: Api) -> None:
    page = api.client.get("/ui/login")
    for r in (page, api.call("viewer", "GET", "/v1/agreements")):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("POST", FACTS, {"content": "[" * 20_000, "headers": {"Content-Type": "application/json"}}, 422),
        ("POST", FACTS, {"json": SALARY, "headers": {"If-Match": b'"\xb2"'}}, 422),
        (
            "POST",
            FACTS,
            {
                "content": '{"type": "\\ud800", "date": "2006-01-01", "data": {}}',
                "headers": {"Content-Type": "application/json"},
            },
            422,
        ),
        (
            "POST",
            FACTS,
            {
                "json": {
                    "type": "SalaryChanged",
                    "date": "2006-09-29",
                    "data": {"new_annual_rate": "1e400", "amendment": None},
                }
            },
            422,
        ),
        ("GET", "/v1/agreements/dean/status?as_known_at=0001-01-01T00:00:00%2B01:00", {}, 422),
        (
            "POST",
            "/v1/agreements/dean/what-if",
            {"content": '{"facts": ' + "[" * 20_000, "headers": {"Content-Type": "application/json"}},
            400,
        ),
    ],
    ids=["deep-json", "if-match-superscript", "lone-surrogate", "huge-number", "instant-before-year-1", "deep-what-if"],
)
def test_malformed_requests_get_a_4xx_problem_not_a_500(
    api: Api, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    r = api.call("admin", method, path, **kwargs)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"


def test_a_locked_sqlite_store_gives_503_with_retry_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "e.db"
    clock = FakeClock(at("2026-11-01T12:00:00"))
    settings = Settings(database_url=f"sqlite:///{db}", config_dir=CONFIG, workdir=tmp_path, lock_timeout_ms=200)
    app = create_app(settings, clock)
    token = tokens.create(app.state.engine, "r", "recorder", None, clock())
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        assert client.post(FACTS, json={"facts": LIFE[:2], "terms": "valence-2004"}, headers=auth).status_code == 201
        other = sqlite3.connect(db, timeout=0)  # another process holding the write lock
        other.execute("BEGIN EXCLUSIVE")
        try:
            r = client.post(FACTS, json=SALARY, headers=auth)
            assert r.status_code == 503, r.text
            assert r.headers["retry-after"] and "nothing was recorded" in r.json()["detail"]
        finally:
            other.rollback()
            other.close()
        assert client.post(FACTS, json=SALARY, headers=auth).status_code == 201


def test_reads_flow_while_a_write_runs(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """The write is held inside the service until released; /health and a status read must answer meanwhile (they
    could not if the write ran on the event loop). Ordered by events, not by timing."""
    service = api.client.app.state.service  # type: ignore[attr-defined]
    entered, release = threading.Event(), threading.Event()
    real = service.record

    def held(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        assert release.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "record", held)
    writer = threading.Thread(target=lambda: api.call("recorder", "POST", FACTS, json=SALARY))
    writer.start()
    assert entered.wait(30)
    answers: list[int] = []
    reader = threading.Thread(
        target=lambda: answers.extend(
            [api.call(None, "GET", "/health").status_code, api.call("viewer", "GET", "/v1/agreements").status_code]
        )
    )
    reader.start()
    reader.join(30)
    done_while_held = not reader.is_alive()
    release.set()
    writer.join(60)
    reader.join(60)
    assert done_while_held and answers == [200, 200]


CRASH = """
import os, signal, sys
from fastapi.testclient import TestClient
from obligations.application import tokens
from obligations.interfaces.http.app import create_app
from obligations.settings import Settings
from datetime import datetime, UTC
from pathlib import Path
app = create_app(Settings(database_url=sys.argv[1], config_dir=Path(sys.argv[2]), workdir=Path(sys.argv[3])))
service = app.state.service
service._read_your_writes = lambda what: os.kill(os.getpid(), signal.SIGKILL)  # right after the commit
with TestClient(app) as client:
    client.post("/v1/agreements/dean/facts", content=sys.argv[4],
                headers={"Authorization": "Bearer " + sys.argv[5], "Idempotency-Key": "k-1",
                         "Content-Type": "application/json"})
print("not killed")
"""


def test_an_idempotent_write_killed_after_its_commit_is_replayed_not_repeated(api: Api, tmp_path: Path) -> None:
    body = json.dumps(SALARY)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run(
        [sys.executable, "-c", CRASH, api.url, str(CONFIG), str(tmp_path), body, api.tokens["recorder"]],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == -9, run.stdout + run.stderr
    retry = api.call("recorder", "POST", FACTS, content=body,
                     headers={"Idempotency-Key": "k-1", "Content-Type": "application/json"})  # fmt: skip
    assert retry.status_code == 201 and retry.headers["idempotent-replayed"] == "true", retry.text
    history = api.call("viewer", "GET", "/v1/agreements/dean/history").json()
    assert sum(1 for h in history if h["type"] == "SalaryPaid" and h["date"] == "2006-09-29") == 1
    assert api.call(None, "GET", "/ready").json()["projection_lag"] == 0  # the replay finished the catch-up


def test_ready_says_degraded_with_the_quarantined_list(api: Api) -> None:
    assert api.call(None, "GET", "/ready").json()["status"] == "ready"
    engine = api.client.app.state.engine  # type: ignore[attr-defined]
    from obligations.application import tables

    with engine.begin() as conn:
        conn.execute(tables.quarantine.insert().values(agreement_id="other", fact_id="other#2", error="x",
                                                       since="2026-11-01T00:00:00+00:00",
                                                       checked_at="2026-11-01T00:00:00+00:00", position=1))  # fmt: skip
    ready = api.call(None, "GET", "/ready").json()
    assert ready["status"] == "degraded" and ready["quarantined"][0]["agreement"] == "other"


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_a_pooled_postgresql_connection_the_server_dropped_is_replaced(api: Api) -> None:
    import psycopg

    assert api.call("viewer", "GET", "/v1/agreements/dean/status").status_code == 200
    name = api.url.rsplit("/", 1)[1]
    with psycopg.connect(api.url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres",
                         autocommit=True) as conn:  # fmt: skip
        killed = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchone()
    assert killed and killed[0] >= 1
    assert api.call("viewer", "GET", "/v1/agreements/dean/status").status_code == 200
    assert api.call("recorder", "POST", FACTS, json=SALARY).status_code == 201


@pytest.mark.parametrize("bad", ["company:valence", "a%2Fb", "x" * 65, "-dash", "a%0Ab", "a%00b", "%C3%BC"])
def test_agreement_ids_over_http_follow_the_one_rule(api: Api, bad: str) -> None:
    plain = unquote(bad)
    created = api.call("admin", "POST", "/v1/agreements", json={"agreement_id": plain, "terms": "valence-2004"})
    assert created.status_code == 422, created.text
    with_facts = api.call(
        "admin", "POST", f"/v1/agreements/{bad}/facts", json={"facts": [LIFE[1]], "terms": "valence-2004"}
    )
    assert with_facts.status_code in (404, 422), with_facts.text
    assert {a["agreement_id"] for a in api.call("admin", "GET", "/v1/agreements").json()} == {"dean", "other"}


def test_a_nul_or_control_character_is_refused_and_later_writes_go_on(api: Api) -> None:
    for version in ("v2\u0000", "v2\u001b[31m", "v2\r\nX-Injected: 1"):
        fact = {"type": "ConfidentialityAgreementAmended", "date": "2006-09-01", "data": {"version": version}}
        r = api.call("recorder", "POST", FACTS, json=fact)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "data.version", r.text
    assert api.call("recorder", "POST", FACTS, json=SALARY).status_code == 201
    assert api.call(None, "GET", "/ready").json() == {"status": "ready", "projection_lag": 0}


def test_dashboard_forms_need_this_origin_and_the_callers_form_token(api: Api) -> None:
    client = api.client
    assert client.post("/ui/login", data={"token": api.tokens["employee"]}, follow_redirects=False).status_code == 303
    page = client.get("/ui/agreements/dean")
    csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
    assert csrf, "the agreement page carries the form token of the employee's session"
    path = "/ui/agreements/dean/calendar-links"
    assert client.post(path, data={}).status_code == 403  # no form token
    assert client.post(path, data={"csrf": "0" * 64}).status_code == 403  # a forged one
    foreign = client.post(path, data={"csrf": csrf[1]}, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    made = client.post(path, data={"csrf": csrf[1]})
    assert made.status_code == 201 and "/feeds/cal_" in made.text
    other = client.post("/ui/agreements/other/calendar-links", data={"csrf": csrf[1]})
    assert other.status_code == 403  # an employee links only their own agreement
    client.cookies.clear()
    assert client.post("/ui/login", data={"token": api.tokens["viewer"]}, follow_redirects=False).status_code == 303
    viewer_page = client.get("/ui/agreements/dean")
    assert 'name="csrf"' not in viewer_page.text  # a viewer may read, not make links
