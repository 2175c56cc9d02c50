"""The dashboard in a real headless browser (Debian's chromium, driven by Playwright): pages load, links work,
the as-of control changes what is shown. Screenshots of each page go to test-artifacts/."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import CONFIG, ROOT
from obligations.application import tables, tokens
from obligations.domain.input import parse_fact
from obligations.interfaces.http.app import create_app
from obligations.settings import Settings
from receivers import FakeClock, at, served

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and os.environ.get("OBLIGATIONS_REQUIRE_BROWSER") != "1",
    reason="Debian's chromium is not installed (apt-get install chromium)",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    work = tmp_path_factory.mktemp("dashboard")
    clock = FakeClock(at("2006-09-20T15:00:00"))
    app = create_app(Settings(database_url=f"sqlite:///{work / 'e.db'}", config_dir=CONFIG, workdir=work), clock)
    life = [json.loads(x) for x in (ROOT / "examples" / "valence-vp-life.jsonl").read_text().splitlines()]
    dean = {"name": "Dean S. Bogues", "title": "VP Sales and Marketing", "manager": "Stephan Godevais"}
    life.append({"type": "PersonDetailsRecorded", "date": "2004-12-13", "data": dean})
    app.state.service.record("valence-vp", [parse_fact(e, n + 1) for n, e in enumerate(life)], "hr", "valence-2004")
    app.state.service.record("other", [], "hr", "valence-2004")
    engine = app.state.engine
    toks = {
        "viewer": tokens.create(engine, "viewer", "viewer", None, clock()),
        "employee": tokens.create(engine, "dean", "employee", "valence-vp", clock()),
        "recorder": tokens.create(engine, "hr-lead", "recorder", None, clock()),
    }
    with served(app) as base:
        yield {"base": base, "tokens": toks, "engine": engine}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()


def login(browser: Any, site: dict[str, Any], role: str, **viewport: int) -> Any:
    page = browser.new_page(viewport=viewport or {"width": 1280, "height": 900})
    page.goto(site["base"] + "/ui/login")
    page.fill("#token", site["tokens"][role])
    page.click("button[type=submit]")
    return page


def test_login_refuses_a_bad_token(browser: Any, site: dict[str, Any]) -> None:
    page = browser.new_page()
    page.goto(site["base"] + "/ui/")
    assert page.url.endswith("/ui/login")
    page.fill("#token", "obl_not-a-token")
    page.click("button[type=submit]")
    assert page.locator(".error").inner_text() == "That token is not valid."
    page.screenshot(path=str(ARTIFACTS / "login.png"))


def test_portfolio_links_to_an_agreement_and_the_as_of_control_changes_it(browser: Any, site: dict[str, Any]) -> None:
    page = login(browser, site, "viewer")
    assert page.url.endswith("/ui/")
    assert page.locator("h1").inner_text().startswith("Portfolio")
    assert page.locator("#due tbody tr").count() >= 1, "the lump sum falls due on 2006-09-23"
    assert "lump sum 5 1a" in page.locator("#due").inner_text()
    assert page.locator("#clocks tbody tr").count() == 1
    page.screenshot(path=str(ARTIFACTS / "portfolio.png"), full_page=True)
    page.locator("#due a", has_text="valence-vp").first.click()
    page.wait_for_url("**/ui/agreements/valence-vp*")
    summary = page.locator("#summary .lead").inner_text()
    assert "220,000 of 220,000 options have vested" in summary and "123,750 by acceleration" in summary
    assert page.locator("#vesting rect.bar.accelerated").count() == 1
    ticks = page.locator("#vesting text.tick").all_text_contents()
    assert {"0", "55,000", "110,000", "165,000", "220,000", "2006"} <= set(ticks), ticks
    assert "options vested (cumulative)" in ticks and "2005-12-13" in ticks, ticks
    assert "lump sum 5 1a" in page.locator("#payments").inner_text()
    assert page.locator("#timeline li").count() > 15
    page.screenshot(path=str(ARTIFACTS / "agreement-2006-09-20.png"), full_page=True)
    page.fill("#as_of", "2005-12-20")
    page.click(".asof button")
    page.wait_for_url("**as_of=2005-12-20")
    summary = page.locator("#summary .lead").inner_text()
    assert "55,000 of 220,000 options have vested" in summary and "Next: 13,750 on 2006-03-13" in summary
    assert page.locator("#vesting rect.bar.vested").count() == 1
    assert page.locator("#vesting rect.bar.unvested").count() == 12
    assert "No payment is owed" in page.locator("#payments").inner_text()
    page.screenshot(path=str(ARTIFACTS / "agreement-2005-12-20.png"), full_page=True)


def test_an_employee_sees_only_their_own_agreement_and_it_reads_on_a_phone(browser: Any, site: dict[str, Any]) -> None:
    page = login(browser, site, "employee", width=390, height=844)
    assert page.url.endswith("/ui/agreements/valence-vp")
    page.screenshot(path=str(ARTIFACTS / "agreement-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no sideways scrolling of the page on a phone (tables scroll inside their cards)"
    page.goto(site["base"] + "/ui/")
    assert page.url.endswith("/ui/agreements/valence-vp")
    response = page.goto(site["base"] + "/ui/agreements/other")
    assert response is not None and response.status == 403
    assert "Not yours" in page.locator("h1").inner_text()


def test_quarantined_agreements_are_shown_and_signing_out_ends_the_session(browser: Any, site: dict[str, Any]) -> None:
    quarantine = tables.quarantine
    row = {"agreement_id": "other", "fact_id": "other#7", "error": "fact other#7 (SalaryPaid) cannot be read back",
           "since": "2006-09-19T10:00:00+00:00", "checked_at": "2006-09-19T10:00:00+00:00", "position": 1}  # fmt: skip
    with site["engine"].begin() as conn:
        conn.execute(quarantine.insert().values(row))
    try:
        page = login(browser, site, "viewer")
        banner = page.locator("#quarantine").inner_text()
        assert "other#7" in banner and "last good state" in banner
        page.screenshot(path=str(ARTIFACTS / "portfolio-quarantine.png"), full_page=True)
        page.click("form.signout button")
        page.wait_for_url("**/ui/login")
        page.goto(site["base"] + "/ui/")
        assert page.url.endswith("/ui/login"), "the session ended: the cookie no longer signs in"
    finally:
        with site["engine"].begin() as conn:
            conn.execute(quarantine.delete())


def test_the_api_docs_work_without_internet(browser: Any, site: dict[str, Any]) -> None:
    """/docs renders with every request to another host refused: its scripts and styles come from the package."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    elsewhere: list[str] = []

    def only_here(route: Any) -> None:
        if route.request.url.startswith(site["base"]):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_here)
    page.goto(site["base"] + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert "obligations" in page.inner_text(".swagger-ui .info .title")
    spec = json.loads(urllib.request.urlopen(site["base"] + "/openapi.json", timeout=10).read())
    operations = sum(len(methods) for methods in spec["paths"].values())
    assert page.locator(".opblock").count() == operations and elsewhere == []
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
    page.close()


def test_people_are_listed_and_filtered_and_the_list_reads_on_a_phone(browser: Any, site: dict[str, Any]) -> None:
    page = login(browser, site, "viewer")
    page.click("nav.nav a:has-text('People')")
    page.wait_for_url("**/ui/people")
    assert page.locator("#people tbody tr").count() == 2
    assert "Dean S. Bogues" in page.locator("#people").inner_text()
    page.fill("input[name=q]", "BOGUES")
    page.click("form.filters button")
    page.wait_for_url("**q=BOGUES**")
    rows = page.locator("#people tbody tr")
    assert rows.count() == 1 and "VP Sales and Marketing" in rows.inner_text()
    page.screenshot(path=str(ARTIFACTS / "people.png"), full_page=True)
    page.fill("input[name=q]", "")
    page.select_option("select[name=status]", "not_started")
    page.click("form.filters button")
    page.wait_for_url("**status=not_started**")
    assert page.locator("#people tbody tr").count() == 1 and "other" in page.locator("#people").inner_text()
    page.select_option("select[name=status]", "")
    page.check("input[name=overdue]")
    page.click("form.filters button")
    page.wait_for_url("**overdue=1**")
    assert "No agreement matches" in page.locator("main").inner_text()  # the life's duties are all met
    bad = page.goto(site["base"] + "/ui/people?status=retired")
    assert bad is not None and bad.status == 422
    phone = login(browser, site, "viewer", width=390, height=844)
    phone.goto(site["base"] + "/ui/people")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(ARTIFACTS / "people-phone.png"), full_page=True)


def test_an_employee_makes_a_calendar_link_subscribes_and_revokes_it(browser: Any, site: dict[str, Any]) -> None:
    page = login(browser, site, "employee")
    page.click("#calendar form button")
    url = page.input_value("#feed-url")
    assert url.startswith(site["base"] + "/feeds/cal_") and url.endswith(".ics")
    page.screenshot(path=str(ARTIFACTS / "calendar-link.png"))
    with urllib.request.urlopen(url, timeout=10) as answer:  # a plain GET, as a calendar program makes it
        body = answer.read().decode()
    assert answer.status == 200 and "BEGIN:VCALENDAR" in body and "SUMMARY:" in body and "other" not in body
    page.goto(site["base"] + "/ui/calendar-links")
    assert page.locator("#links tbody tr").count() == 1  # only the links of the employee's own agreement
    page.click("#links button.danger")
    page.wait_for_url("**/ui/calendar-links")
    assert "revoked" in page.locator("#links").inner_text()
    try:
        urllib.request.urlopen(url, timeout=10)
        raise AssertionError("a revoked link still answers")
    except urllib.error.HTTPError as gone:
        assert gone.code == 404


def test_a_recorder_records_a_fact_after_its_preview_and_retracts_it_from_the_timeline(
    browser: Any, site: dict[str, Any]
) -> None:
    """Runs last: it records on the agreement `other` (the earlier tests read it as not started)."""
    page = login(browser, site, "recorder")
    page.goto(site["base"] + "/ui/agreements/other")
    page.click("#record-link a")
    page.wait_for_url("**/ui/agreements/other/record**")
    page.select_option("#type", "EmploymentStarted")
    page.click("form.pick button")
    page.wait_for_url("**type=EmploymentStarted**")
    page.fill("#date", "2006-09-18")
    page.fill("[id='data.start_date']", "2006-09-18")
    page.fill("[id='data.annual_base_salary']", "not money")
    page.fill("[id='data.options']", "220,000")
    page.click("button[value=preview]")
    assert "Nothing was recorded" in page.locator("#errors").inner_text()
    assert page.get_attribute("[id='data.annual_base_salary']", "aria-invalid") == "true"
    assert page.locator("#record").count() == 0
    page.fill("[id='data.annual_base_salary']", "200,000.00")
    page.click("button[value=preview]")
    preview = page.locator("#preview").inner_text()
    assert "As of 2006-09-18" in preview and "As of 2006-09-20" in preview and "appears" in preview
    assert _history(site, "other") == [], "a preview records nothing"
    page.screenshot(path=str(ARTIFACTS / "record-a-fact-preview.png"), full_page=True)
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.context.add_cookies(page.context.cookies())
    phone.goto(page.url.split("/record")[0] + "/record?type=EmploymentStarted")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "the form fits a phone"
    phone.screenshot(path=str(ARTIFACTS / "record-a-fact-phone.png"), full_page=True)
    page.click("#record")
    page.wait_for_url("**/ui/agreements/other?**recorded=EmploymentStarted**")
    assert "EmploymentStarted was recorded." in page.locator("#recorded").inner_text()
    assert "Employed." in page.locator("#summary").inner_text()
    [started] = _history(site, "other")
    assert (started["type"], started["recorded_by"], started["data"]["options"]) == (
        "EmploymentStarted",
        "hr-lead",
        220000,
    )
    page.locator("#timeline li.fact", has_text="EmploymentStarted").locator(".fix a", has_text="retract").click()
    page.wait_for_url("**retract=**")
    page.fill("#reason", "entered on the wrong agreement")
    page.click("button[value=preview]")
    assert "disappears" in page.locator("#preview").inner_text()
    page.click("#record")
    page.wait_for_url("**recorded=FactRetracted**")
    assert "The retraction was recorded." in page.locator("#recorded").inner_text()
    assert page.locator("#timeline li.void").count() == 1
    assert {r["state"] for r in _history(site, "other")} == {"retracted", "correction"}


def _history(site: dict[str, Any], agreement: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(
        urllib.request.Request(
            f"{site['base']}/v1/agreements/{agreement}/history",
            headers={"Authorization": f"Bearer {site['tokens']['viewer']}"},
        ),
        timeout=10,
    ) as answer:
        rows: list[dict[str, Any]] = json.loads(answer.read())
    return [r for r in rows if r["stream"] == "agreement"]  # the company's facts apart
