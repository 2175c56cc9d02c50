"""The HTTP API through its test client, on SQLite and PostgreSQL: roles, problems, idempotency, If-Match."""

from __future__ import annotations

import json
import logging
import re
import threading

import pytest
from icalendar import Calendar

from helpers import CONFIG, LIFE, SALARY, Api
from obligations.interfaces.cli import main

JSON = {"Content-Type": "application/json"}
READS = [
    ("GET", "/v1/agreements/dean/status?as_of=2006-09-20", "own"),
    ("GET", "/v1/agreements/dean/history", "own"),
    ("GET", "/v1/agreements/dean/calendar.ics?as_of=2006-09-20", "own"),
    ("GET", "/v1/agreements", "list"),
    ("GET", "/v1/portfolio/due?from=2006-09-01&to=2006-10-01&as_of=2006-09-20", "portfolio"),
    ("GET", "/v1/portfolio/overdue?as_of=2006-09-20", "portfolio"),
    ("GET", "/v1/portfolio/vesting-calendar?from=2005-01-01&to=2007-01-01", "portfolio"),
    ("GET", "/v1/portfolio/calendar.ics?as_of=2006-09-20", "portfolio"),
    ("GET", "/v1/agreements/dean/status?as_of=2006-09-20&as_known_at=2026-11-01", "own"),
    ("GET", "/v1/agreements/dean/history?format=csv", "own"),
    ("GET", "/v1/agreements/dean/explain/vested?as_of=2006-09-20", "own"),
    ("GET", "/v1/companies/valence/history", "portfolio"),
    ("GET", "/v1/portfolio/due?from=2006-09-01&to=2006-10-01&as_of=2006-09-20&as_known_at=2026-11-01", "portfolio"),
]


@pytest.mark.parametrize("role", ["admin", "recorder", "viewer", "employee", "other-employee", None])
def test_every_role_against_every_endpoint(api: Api, role: str | None) -> None:
    for method, path, scope in READS:
        r = api.call(role, method, path)
        if role is None:
            assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer", path
        elif role == "employee" and scope == "portfolio" or role == "other-employee" and scope in ("own", "portfolio"):
            assert r.status_code == 403, (role, path, r.text)
            assert r.headers["content-type"] == "application/problem+json"
        else:
            assert r.status_code == 200, (role, path, r.text)
    listed = api.call(role, "GET", "/v1/agreements")
    if role == "employee":
        assert [x["agreement_id"] for x in listed.json()] == ["dean"]
    what_if = api.call(role, "POST", "/v1/agreements/dean/what-if", json={"as_of": ["2006-09-20"], "facts": [SALARY]})
    assert what_if.status_code == {None: 401, "other-employee": 403}.get(role, 200), (role, what_if.text)
    write = api.call(role, "POST", "/v1/agreements/dean/facts", json=SALARY)
    assert write.status_code == {None: 401, "admin": 201, "recorder": 201}.get(role, 403), (role, write.text)
    create = api.call(role, "POST", "/v1/agreements", json={"agreement_id": f"n-{role}", "terms": "valence-2004"})
    assert create.status_code == {None: 401, "admin": 201, "recorder": 201}.get(role, 403)
    token_list = api.call(role, "GET", "/v1/tokens")
    assert token_list.status_code == {None: 401, "admin": 200}.get(role, 403)
    made = api.call(role, "POST", "/v1/tokens", json={"name": f"t-{role}", "role": "viewer"})
    assert made.status_code == {None: 401, "admin": 201}.get(role, 403)
    gone = api.call(role, "DELETE", "/v1/tokens/viewer-token")
    assert gone.status_code == {None: 401, "admin": 204}.get(role, 403)


def test_facts_carry_the_token_name_and_tokens_are_never_logged(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    assert api.call("admin", "POST", "/v1/agreements/dean/facts", json=SALARY).status_code == 201
    history = api.call("viewer", "GET", "/v1/agreements/dean/history").json()
    assert history[-1]["recorded_by"] == "admin-token" and history[0]["recorded_by"] == "recorder-token"
    api.call("viewer", "GET", "/v1/agreements/dean/status")
    text = caplog.text
    assert all(token not in text for token in api.tokens.values())
    engine_rows = api.call("admin", "GET", "/v1/tokens").json()
    assert all("token" not in row and "token_hash" not in row for row in engine_rows)


def test_revoked_token_is_refused_from_the_next_request(api: Api) -> None:
    assert api.call("admin", "DELETE", "/v1/tokens/viewer-token").status_code == 204
    assert api.call("viewer", "GET", "/v1/agreements").status_code == 401
    assert api.call("admin", "DELETE", "/v1/tokens/viewer-token").status_code == 404


def test_status_is_identical_to_the_cli(api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    got = api.call("viewer", "GET", "/v1/agreements/dean/status?as_of=2006-09-20")
    assert got.headers["etag"] == '"' + str(len([e for e in LIFE if e["type"] not in COMPANY]) + 1) + '"'
    assert (
        main(["--database", api.url, "--config-dir", str(CONFIG), "status", "dean", "--as-of", "2006-09-20", "--json"])
        == 0
    )
    assert got.json() == json.loads(capsys.readouterr().out)


COMPANY = {
    "ClosingPriceRecorded",
    "MergerConsummated",
    "AssetTransferConsummated",
    "BeneficialOwnershipChanged",
    "LiquidationOccurred",
}


def test_problems_name_the_field_the_rule_and_the_line(api: Api) -> None:
    before = len(api.call("viewer", "GET", "/v1/agreements/dean/history").json())
    bad = {"facts": [SALARY, {"type": "SalaryPaid", "date": "2006-13-01", "data": {}}]}
    r = api.call("recorder", "POST", "/v1/agreements/dean/facts", json=bad)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["errors"][0]["line"] == 2 and problem["errors"][0]["field"] == "date"
    assert len(api.call("viewer", "GET", "/v1/agreements/dean/history").json()) == before, "all or nothing"
    r = api.call(
        "recorder", "POST", "/v1/agreements/dean/facts", json={"type": "NoSuchFact", "date": "2006-01-01", "data": {}}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "type"
    r = api.call("recorder", "POST", "/v1/agreements/dean/facts", content=b"{not json", headers=JSON)
    assert r.status_code == 422 and "not valid JSON" in r.json()["detail"]
    assert api.call("viewer", "GET", "/v1/agreements/nobody/status").status_code == 404
    assert api.call("recorder", "POST", "/v1/agreements/nobody/facts", json=SALARY).status_code == 404
    r = api.call("viewer", "GET", "/v1/portfolio/due?from=2006-01-01")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.to"
    r = api.call("recorder", "POST", "/v1/agreements/dean/facts", content=b"[" + b" " * 70000 + b"]", headers=JSON)
    assert r.status_code == 413 and r.json()["status"] == 413
    assert len(api.call("viewer", "GET", "/v1/agreements/dean/history").json()) == before


def test_idempotency_key_replays_and_refuses_another_body(api: Api) -> None:
    key = {"Idempotency-Key": "pay-2006-09-29"}
    first = api.call("recorder", "POST", "/v1/agreements/dean/facts", json=SALARY, headers=key)
    again = api.call("recorder", "POST", "/v1/agreements/dean/facts", json=SALARY, headers=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    history = api.call("viewer", "GET", "/v1/agreements/dean/history").json()
    assert sum(1 for h in history if h["type"] == "SalaryPaid" and h["date"] == "2006-09-29") == 1
    other = dict(SALARY, date="2006-09-30")
    r = api.call("recorder", "POST", "/v1/agreements/dean/facts", json=other, headers=key)
    assert r.status_code == 422 and "different request" in r.json()["detail"]
    refused = {"Idempotency-Key": "bad-one"}
    bad = {"type": "SalaryPaid", "date": "2006-10-01", "data": {}}
    assert api.call("recorder", "POST", "/v1/agreements/dean/facts", json=bad, headers=refused).status_code == 422
    assert api.call("recorder", "POST", "/v1/agreements/dean/facts", json=bad, headers=refused).status_code == 422


def test_one_key_racing_from_threads_appends_once(api: Api) -> None:
    key = {"Idempotency-Key": "race"}
    codes: list[int] = []

    def post() -> None:
        codes.append(api.call("recorder", "POST", "/v1/agreements/dean/facts", json=SALARY, headers=key).status_code)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(codes) <= {201, 409} and 201 in codes
    history = api.call("viewer", "GET", "/v1/agreements/dean/history").json()
    assert sum(1 for h in history if h["type"] == "SalaryPaid" and h["date"] == "2006-09-29") == 1


def test_if_match_stale_gets_412_and_appends_nothing(api: Api) -> None:
    etag = api.call("viewer", "GET", "/v1/agreements/dean/status").headers["etag"]
    ok = api.call("recorder", "POST", "/v1/agreements/dean/facts", json=SALARY, headers={"If-Match": etag})
    assert ok.status_code == 201 and ok.headers["etag"] == f'"{int(etag.strip(chr(34))) + 1}"'
    later = dict(SALARY, date="2006-10-13")
    stale = api.call("recorder", "POST", "/v1/agreements/dean/facts", json=later, headers={"If-Match": etag})
    assert stale.status_code == 412 and stale.json()["type"].endswith("version-mismatch")
    history = api.call("viewer", "GET", "/v1/agreements/dean/history").json()
    assert not [h for h in history if h["date"] == "2006-10-13"]


def test_calendars_health_and_readiness(api: Api) -> None:
    cal = Calendar.from_ical(api.call("employee", "GET", "/v1/agreements/dean/calendar.ics?as_of=2006-09-20").content)
    assert any(str(e["UID"]) == "dean/payment/lump_sum_5_1a@obligations" for e in cal.walk("VEVENT"))
    assert api.call(None, "GET", "/health").json() == {"status": "ok"}
    assert api.call(None, "GET", "/ready").json() == {"status": "ready", "projection_lag": 0}


def test_found_by_fuzzing_extreme_dates_names_with_line_breaks_and_ids(api: Api) -> None:
    for query in ("as_of=0001-01-01", "as_of=9999-12-31", "company=%0A"):
        r = api.call("viewer", "GET", f"/v1/portfolio/calendar.ics?{query}")
        assert r.status_code == 200 and r.text.startswith("BEGIN:VCALENDAR"), (query, r.text[:200])
    r = api.call("recorder", "POST", "/v1/agreements/a%0Ab/facts", json={"facts": [LIFE[1]], "terms": "valence-2004"})
    assert r.status_code == 422 and "letters, digits" in r.json()["detail"]


def test_knowledge_time_what_if_explain_and_export_over_http(api: Api) -> None:
    """The same answers as the command line: a correction, the report as known before it, what-if, explain, CSV."""
    history = api.call("viewer", "GET", "/v1/agreements/dean/history").json()
    merger = next(r for r in history if r["type"] == "MergerConsummated")
    fix = {"type": "FactRetracted", "data": {"fact_id": merger["id"], "reason": "the merger was called off"}}
    assert api.call("recorder", "POST", "/v1/agreements/dean/facts", json=fix).status_code == 201
    now = api.call("viewer", "GET", "/v1/agreements/dean/status?as_of=2006-09-30").json()
    then = api.call(
        "viewer",
        "GET",
        f"/v1/agreements/dean/status?as_of=2006-09-30&as_known_at={history[-1]['recorded_at'].replace('+', '%2B')}",
    ).json()  # noqa: E501
    assert now["change_of_control"]["occurred"] is False and then["change_of_control"]["occurred"] is True
    bad = api.call("viewer", "GET", "/v1/agreements/dean/status?as_known_at=last+week")
    assert bad.status_code == 422 and "as_known_at" in bad.json()["detail"]
    body = {"as_of": ["2006-09-30"], "facts": [{**fix, "type": "FactRetracted"}]}
    again = api.call("viewer", "POST", "/v1/agreements/dean/what-if", json=body)
    assert again.status_code == 422 and "already retracted" in again.json()["detail"]
    fired = {"type": "EmploymentTerminatedByCompany", "date": "2006-09-20", "data": {"stated_ground": "without_cause"}}
    answer = api.call("viewer", "POST", "/v1/agreements/dean/what-if", json={"as_of": ["2006-09-30"], "facts": [fired]})
    assert answer.status_code == 200
    (one,) = answer.json()
    assert {"section": "payments", "item": "lump_sum_5_1a", "change": "appears"}.items() <= next(
        c for c in one["diff"] if c.get("item") == "lump_sum_5_1a"
    ).items()
    assert api.call("viewer", "GET", "/v1/agreements/dean/history").json()[-1]["type"] == "FactRetracted"
    x = api.call("viewer", "GET", "/v1/agreements/dean/explain/vested?as_of=2006-09-30").json()
    assert x["item"]["kind"] == "vesting" and x["facts"][0]["type"] == "EmploymentStarted"
    unknown = api.call("viewer", "GET", "/v1/agreements/dean/explain/nothing?as_of=2006-09-30")
    assert unknown.status_code == 422 and "no item 'nothing'" in unknown.json()["detail"]
    exported = api.call("viewer", "GET", "/v1/agreements/dean/history?format=csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines()[0].startswith("agreement,id,stream,type")
    assert f"{merger['id']},company,MergerConsummated" in exported.text and "the merger was called off" in exported.text
    company = api.call("viewer", "GET", "/v1/companies/valence/history").json()
    assert {r["agreement"] for r in company} >= {None, "dean"}
    assert api.call("viewer", "GET", "/v1/companies/nope/history").status_code == 422


def test_an_agreement_not_started_has_a_report_and_a_page(api: Api) -> None:
    """`other` has no EmploymentStarted: a report that says so, not an error (issue 14)."""
    r = api.call("viewer", "GET", "/v1/agreements/other/status?as_of=2026-11-01")
    assert r.status_code == 200, r.text
    e = r.json()["employment"]
    assert e["status"] == "not_started" and e["start_date"] is None and "has not started" in e["why"]
    page = api.call("viewer", "GET", "/ui/agreements/other?as_of=2026-11-01")
    assert page.status_code == 200 and "Employment has not started" in page.text
    assert 'class="card notice"' not in page.text  # no error banner


def test_a_company_fact_written_over_http_names_the_agreements_it_reaches(api: Api) -> None:
    merger = {"type": "MergerConsummated", "date": "2006-10-02",
              "data": {"counterparty": "X", "company_shareholders_voting_pct_after": "40"}}  # fmt: skip
    r = api.call("recorder", "POST", "/v1/agreements/dean/facts", json={"facts": [merger]})
    assert r.status_code == 201, r.text
    assert r.json()["company_facts"] == 1 and r.json()["affects"] == ["dean", "other"]


def test_docs_load_nothing_from_elsewhere(api: Api) -> None:
    for path in ("/docs", "/redoc"):
        page = api.client.get(path)
        assert page.status_code == 200
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert sources and all(s.startswith("/docs-assets/") for s in sources), (path, sources)
        assert "cdn" not in page.text.lower() and "fonts.googleapis" not in page.text
    script = api.client.get("/docs-assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "no-store" not in script.headers.get("cache-control", "")
