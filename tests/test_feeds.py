"""Calendar subscription links (issue 14): a plain GET, without any header, on a real server returns the feed
its capability allows; a revoked, unknown or foreign link does not. The feed is read with a second,
independent iCalendar library (vobject) besides the one that writes it (icalendar)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import vobject

from helpers import CONFIG, ROOT
from obligations.application import feeds
from obligations.domain.errors import InvalidInputError
from obligations.domain.input import parse_fact
from obligations.interfaces.cli import main
from obligations.interfaces.http.app import create_app
from obligations.settings import Settings
from receivers import FakeClock, at, served

LIFE = [json.loads(x) for x in (ROOT / "examples" / "valence-vp-life.jsonl").read_text().splitlines()]


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    clock = FakeClock(at("2006-09-20T15:00:00"))
    app = create_app(Settings(database_url=database_url, config_dir=CONFIG, workdir=tmp_path), clock)
    app.state.service.record("dean", [parse_fact(e, n + 1) for n, e in enumerate(LIFE)], "hr", "valence-2004")
    hired = {"type": "EmploymentStarted", "date": "2006-09-01",
             "data": {"start_date": "2006-09-01", "annual_base_salary": "200000", "options": 220000}}  # fmt: skip
    app.state.service.record("other", [parse_fact(hired, 1)], "hr", "valence-2004")
    with served(app) as base:
        yield {"base": base, "engine": app.state.engine, "clock": clock, "url": database_url}


def plain_get(url: str) -> tuple[int, dict[str, str], bytes]:
    """What a calendar program does: a GET with no Authorization, no cookie (urllib adds only Host, Accept-Encoding
    identity, User-Agent and Connection)."""
    request = urllib.request.Request(url, method="GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), refused.read()


def summaries(body: bytes) -> list[str]:
    cal = vobject.readOne(body.decode())
    return [str(event.summary.value) for event in cal.vevent_list]


def test_a_link_is_a_plain_get_scoped_to_its_agreement_and_stops_when_revoked(server: dict[str, Any]) -> None:
    engine, clock = server["engine"], server["clock"]
    secret = feeds.create(engine, "dean's phone", "dean", None, clock())
    code, headers, body = plain_get(f"{server['base']}/feeds/{secret}.ics?as_of=2006-09-20")
    assert code == 200 and headers["content-type"].startswith("text/calendar")
    assert "no-referrer" in headers["referrer-policy"] and "private" in headers["cache-control"]
    titles = summaries(body)
    assert titles and all(t.lstrip("✓ ").startswith("dean: ") for t in titles)
    assert not any("other" in t for t in titles)  # the link shows its own agreement only
    # The same capability cannot read anything else: not the API, not the dashboard.
    assert plain_get(f"{server['base']}/v1/agreements/dean/status")[0] == 401
    assert plain_get(f"{server['base']}/v1/agreements?token={secret}")[0] == 401
    assert feeds.revoke(engine, "dean's phone", clock()) and not feeds.revoke(engine, "dean's phone", clock())
    assert plain_get(f"{server['base']}/feeds/{secret}.ics")[0] == 404


def test_unknown_and_malformed_links_are_not_found_and_say_nothing(server: dict[str, Any]) -> None:
    secret = feeds.create(server["engine"], "hr", None, "valence", server["clock"]())
    for bad in (secret[:-1] + ("A" if secret[-1] != "A" else "B"), "cal_", "obl_" + secret[4:], "x" * 300, "%00"):
        code, _, body = plain_get(f"{server['base']}/feeds/{bad}.ics")
        problem = json.loads(body)
        problem.pop("instance")  # the path asked for, echoed: a random secret may hold the letters "hr"
        assert code == 404 and secret.encode() not in body and "hr" not in json.dumps(problem)
    code, _, body = plain_get(f"{server['base']}/feeds/{secret}.ics?as_of=2006-09-20")
    titles = summaries(body)
    assert code == 200 and any(t.lstrip("✓ ").startswith("dean: ") for t in titles)
    assert any(t.lstrip("✓ ").startswith("other: ") for t in titles)  # the company's agreements, both


def test_links_are_created_listed_and_revoked_from_the_command_line(
    server: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--database", server["url"], "--config-dir", str(CONFIG)]
    code = main([*base, "feeds", "create", "--name", "dean", "--agreement", "dean", "--base-url", server["base"]])
    out, err = capsys.readouterr()
    assert code == 0 and out.startswith(server["base"] + "/feeds/cal_") and "shown once" in err
    url = out.strip()
    assert plain_get(url)[0] == 200
    assert main([*base, "feeds", "create", "--name", "dean", "--agreement", "dean"]) == 2  # the name is taken
    assert "exists" in capsys.readouterr().err
    assert main([*base, "feeds", "create", "--name", "x", "--agreement", "nobody"]) == 2  # unknown agreement
    capsys.readouterr()
    assert main([*base, "feeds", "create", "--name", "y", "--agreement", "dean", "--company", "valence"]) == 2
    capsys.readouterr()
    assert main([*base, "feeds", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["agreement_id"], r["revoked_at"]) for r in rows] == [("dean", "dean", None)]
    assert "cal_" not in json.dumps(rows)  # never the secret
    assert main([*base, "feeds", "revoke", "--name", "dean"]) == 0
    assert main([*base, "feeds", "revoke", "--name", "dean"]) == 2
    capsys.readouterr()
    assert plain_get(url)[0] == 404


def test_a_link_name_is_a_line() -> None:
    with pytest.raises(InvalidInputError):
        feeds.create(None, "bad\nname", None, None, None)  # type: ignore[arg-type]


def test_the_access_log_never_holds_a_link_secret() -> None:
    import logging

    from obligations.interfaces.http.security import redact_feed_secrets

    redact_feed_secrets()
    redact_feed_secrets()  # once per process, however often the app is made
    access = logging.getLogger("uvicorn.access")
    assert len(access.filters) == 1
    args = ("127.0.0.1:5", "GET", "/feeds/cal_s3cr3t-_x.ics?as_of=2006-01-01", "1.1", 200)
    record = access.makeRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', args, None)
    assert access.filters[0].filter(record)
    line = record.getMessage()
    assert "s3cr3t" not in line and '"GET /feeds/….ics?as_of=2006-01-01 HTTP/1.1" 200' in line
