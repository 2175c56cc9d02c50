"""Recording facts from the dashboard (issue 14): forms made from the fact models, read by the same parser as
every other input, a preview before recording, what was previewed is what is recorded, corrections and
retractions from the timeline, and cross-site forms refused. The browser flow is in test_dashboard.py."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import CONFIG, ROOT, ev, first_day, submitted
from obligations.application import tokens
from obligations.domain.facts import CORRECTION_TYPES, FACT_TYPES
from obligations.domain.input import parse_fact
from obligations.interfaces.fact_types import example_data
from obligations.interfaces.http.app import create_app
from obligations.interfaces.web import forms
from obligations.settings import Settings
from receivers import FakeClock, at

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

BASE = "http://testserver"
LIFE = [json.loads(x) for x in (ROOT / "examples" / "valence-vp-life.jsonl").read_text().splitlines()]


class Site:
    def __init__(self, app: Any, toks: dict[str, str]) -> None:
        self.app, self.tokens = app, toks
        self.client = TestClient(app, base_url=BASE)

    def get(self, path: str, role: str = "recorder") -> Any:
        return self.client.get(path, headers={"Authorization": f"Bearer {self.tokens[role]}"})

    def csrf(self, role: str = "recorder") -> str:
        """The form token the dashboard puts in a form for this caller (what a page of another site lacks)."""
        return tokens.digest("csrf:" + self.tokens[role])

    def post(self, agreement: str, form: dict[str, str], role: str = "recorder", origin: str = BASE) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[role]}", "Origin": origin}
        body = {"csrf": self.csrf(role), "as_of": "2006-09-20", **form}
        return self.client.post(f"/ui/agreements/{agreement}/record", data=body, headers=headers,
                                follow_redirects=False)  # fmt: skip

    def history(self, agreement: str = "dean") -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.app.state.service.history(agreement)
        return rows


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    clock = FakeClock(at("2006-09-20T15:00:00"))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'e.db'}", config_dir=CONFIG, workdir=tmp_path)
    app = create_app(settings, clock)
    app.state.service.record("dean", [parse_fact(e, n + 1) for n, e in enumerate(LIFE[:9])], "hr", "valence-2004")
    app.state.service.record("ann", submitted(first_day()), "hr", "valence-2004")
    engine = app.state.engine
    toks = {
        role: tokens.create(engine, role, role, "dean" if role == "employee" else None, clock())
        for role in ("recorder", "viewer", "employee", "admin")
    }
    yield Site(app, toks)


def preview_digest(page: Any) -> str:
    found = re.search(r'name="previewed" value="([^"]+)"', page.text)
    assert found is not None, "a preview carries its digest to the record button"
    return found.group(1)


@pytest.mark.parametrize("fact_type", [t for t in FACT_TYPES if t not in CORRECTION_TYPES])
def test_every_fact_types_form_reads_back_as_its_json_line_does(fact_type: str) -> None:
    model = FACT_TYPES[fact_type]
    data = example_data(model)
    line = parse_fact({"type": fact_type, "date": "2005-01-15", "data": data})
    values = {"date": "2005-01-15", **forms.values_of(json.loads(json.dumps(data)))}
    names = {f.name for f in _flat(forms.fields_of(model))}
    assert set(values) - {"date"} <= names, "every field of the example has its input"
    from_form = parse_fact(forms.fact_from_form(fact_type, values))
    assert from_form == line


def _flat(fields: list[forms.FormField]) -> list[forms.FormField]:
    return [x for f in fields for x in ([f] if not f.children else _flat(f.children))]


def test_inputs_follow_the_field_types() -> None:
    fields = {f.name: f for f in _flat(forms.fields_of(FACT_TYPES["EmploymentStarted"]))}
    assert fields["data.start_date"].widget == "date" and fields["data.start_date"].required
    assert fields["data.annual_base_salary"].widget == "decimal"
    assert fields["data.options"].widget == "count"
    assert fields["data.position"].widget == "text" and not fields["data.position"].required
    assert list(fields)[-1] == "data.note", "the note comes last"
    ended = {f.name: f for f in forms.fields_of(FACT_TYPES["EmploymentEndedOther"])}
    assert ended["data.reason"].widget == "choice" and ended["data.reason"].choices == ["death", "disability", "other"]
    salary = {f.name: f for f in forms.fields_of(FACT_TYPES["SalaryChanged"])}
    group = salary["data.amendment"]
    assert group.widget == "group" and not group.required and "empty for none" in group.help
    assert [c.widget for c in group.children] == ["yesno", "yesno", "text"]
    vacation = {f.name for f in forms.fields_of(FACT_TYPES["VacationTaken"])}
    assert "data.from" in vacation, "a field's alias is its input's name"


def test_a_nested_model_left_empty_is_null_and_a_part_filled_is_checked() -> None:
    empty = forms.fact_from_form("SalaryChanged", {"date": "2006-01-16", "data.new_annual_rate": "179,000"})
    assert empty["data"] == {"new_annual_rate": "179000", "amendment": None}
    part = forms.fact_from_form(
        "SalaryChanged", {"date": "2006-01-16", "data.new_annual_rate": "1", "data.amendment.signed_by_employee": "yes"}
    )
    assert part["data"]["amendment"] == {"signed_by_employee": True}
    with pytest.raises(Exception, match="signed_by_chairman_ceo_president"):
        parse_fact(part)
    with pytest.raises(Exception, match="true or false") as bad:
        forms.fact_from_form("I9Submitted", {"data.documentation_satisfactory": "perhaps"})
    assert getattr(bad.value, "field", None) == "data.documentation_satisfactory"


def test_a_recorder_previews_then_records_and_the_page_says_so(site: Site) -> None:
    before = len(site.history())
    form = {"mode": "new", "fact_type": "ExpenseSubmitted", "date": "2006-09-19", "data.expense_id": "EXP-7",
            "data.amount": "1,250.00", "data.incurred_date": "2006-09-12", "data.documented": "yes",
            "action": "preview"}  # fmt: skip
    page = site.post("dean", form)
    assert page.status_code == 200
    assert 'id="preview"' in page.text and 'id="record"' in page.text
    assert len(site.history()) == before, "a preview records nothing"
    done = site.post("dean", {**form, "action": "record", "previewed": preview_digest(page)})
    assert done.status_code == 303
    assert done.headers["location"].startswith("/ui/agreements/dean?")
    assert "recorded=ExpenseSubmitted" in done.headers["location"]
    rows = site.history()
    assert len(rows) == before + 1
    last = max(rows, key=lambda r: r["recorded_at"])
    assert (last["type"], last["date"], last["recorded_by"]) == ("ExpenseSubmitted", "2006-09-19", "recorder")
    assert (last["data"]["amount"], last["data"]["documented"]) == ("1250.00", True)
    banner = site.get(done.headers["location"])
    assert "ExpenseSubmitted was recorded." in banner.text


def test_a_bad_value_is_named_beside_its_input_and_nothing_is_recorded(site: Site) -> None:
    before = len(site.history("ann"))
    form = {"mode": "new", "fact_type": "SalaryChanged", "date": "2005-02-01", "data.new_annual_rate": "a lot",
            "action": "preview"}  # fmt: skip
    page = site.post("ann", form)
    assert page.status_code == 422
    assert "Nothing was recorded" in page.text
    field = re.search(r'<div class="field invalid" id="field-data.new_annual_rate">.*?</div>', page.text, re.S)
    assert field is not None and 'aria-invalid="true"' in field.group(0) and 'value="a lot"' in field.group(0)
    assert 'id="record"' not in page.text, "no record button without a preview"
    refused = site.post("ann", {**form, "action": "record", "previewed": "x"})
    assert refused.status_code == 422
    assert len(site.history("ann")) == before


def test_a_fact_the_history_refuses_says_why_and_records_nothing(site: Site) -> None:
    before = len(site.history("ann"))
    form = {"mode": "new", "fact_type": "ResignationNoticeWithdrawn", "date": "2005-02-01",
            "data.company_consented": "yes", "action": "preview"}  # fmt: skip
    page = site.post("ann", form)
    assert page.status_code == 422
    assert "no resignation notice is pending" in page.text
    assert len(site.history("ann")) == before


def test_record_is_what_was_previewed(site: Site) -> None:
    form = {"mode": "new", "fact_type": "PersonDetailsRecorded", "date": "2004-12-13", "data.name": "Ann Example",
            "action": "preview"}  # fmt: skip
    page = site.post("ann", form)
    digest = preview_digest(page)
    edited = site.post("ann", {**form, "data.name": "Ann Other", "action": "record", "previewed": digest})
    assert edited.status_code == 409 and "not what you previewed" in edited.text
    assert not [r for r in site.history("ann") if r["type"] == "PersonDetailsRecorded"]
    # someone else records meanwhile: the same form's preview changes, so it is shown again, not recorded
    site.app.state.service.record("ann", submitted([ev("PersonDetailsRecorded", "2004-12-13", name="Ann E.")]), "hr")
    stale = site.post("ann", {**form, "action": "record", "previewed": digest})
    assert stale.status_code == 409
    fresh = preview_digest(stale)
    assert site.post("ann", {**form, "action": "record", "previewed": fresh}).status_code == 303
    names = [r["data"]["name"] for r in site.history("ann") if r["type"] == "PersonDetailsRecorded"]
    assert names == ["Ann E.", "Ann Example"]


def test_a_company_fact_preview_shows_every_agreement_it_reaches(site: Site) -> None:
    form = {"mode": "new", "fact_type": "MergerConsummated", "date": "2006-09-18", "data.counterparty": "Lithium plc",
            "data.company_shareholders_voting_pct_after": "42", "action": "preview"}  # fmt: skip
    page = site.post("dean", form)
    assert page.status_code == 200, page.text
    reach = re.search(r'id="company-reach">(.*?)</p>', page.text, re.S)
    assert reach is not None and "1 other" in reach.group(1)
    assert "<b>ann</b>" in page.text
    done = site.post("dean", {**form, "action": "record", "previewed": preview_digest(page)})
    assert done.status_code == 303 and "reached=2" in done.headers["location"]
    assert "reaches 2 agreements of the company" in site.get(done.headers["location"]).text


def test_correct_and_retract_from_the_timeline(site: Site) -> None:
    page = site.get("/ui/agreements/dean?as_of=2006-09-20")
    bonus = next(r for r in site.history() if r["type"] == "BonusProgramFinalized")
    link = f"/ui/agreements/dean/record?correct={bonus['id'].replace('#', '%23')}"
    assert link in page.text, "every fact in effect has a correct link"
    form_page = site.get(link)
    assert form_page.status_code == 200
    assert 'value="2005-01-07"' in form_page.text and "quarterly sales incentive plan FY2005" in form_page.text
    form = {"mode": "correct", "target": bonus["id"], "date": "2005-01-10", "data.summary": "FY2005 plan",
            "action": "preview"}  # fmt: skip
    no_reason = site.post("dean", form)
    assert no_reason.status_code == 422
    assert re.search(r'<div class="field invalid" id="field-reason">', no_reason.text)
    form["reason"] = "the board approved it on the 10th"
    page = site.post("dean", form)
    assert page.status_code == 200
    assert page.text.count("No change to the report on this day.") == 2, "fulfilled on time either way"
    assert site.post("dean", {**form, "action": "record", "previewed": preview_digest(page)}).status_code == 303
    rows = {r["id"]: r for r in site.history()}
    assert rows[bonus["id"]]["state"] == "corrected"
    correction = rows[rows[bonus["id"]]["corrected_by"]]
    assert correction["data"]["replacement"] == {"type": "BonusProgramFinalized", "date": "2005-01-10",
                                                 "data": {"summary": "FY2005 plan", "note": None}}  # fmt: skip
    timeline = site.get("/ui/agreements/dean?as_of=2006-09-20").text
    assert link not in timeline, "a corrected fact cannot be corrected again"
    assert site.get(link).status_code == 404
    # the correction is now the fact in effect: it is retracted in its turn
    retract = {"mode": "retract", "target": correction["id"], "reason": "no program was finalized", "action": "preview"}
    page = site.post("dean", retract)
    assert page.status_code == 200
    assert site.post("dean", {**retract, "action": "record", "previewed": preview_digest(page)}).status_code == 303
    assert {r["id"]: r for r in site.history()}[correction["id"]]["state"] == "correction_retracted"


def test_only_recorders_and_admins_record_and_only_from_this_site(site: Site) -> None:
    form = {"mode": "new", "fact_type": "ExpenseSubmitted", "date": "2006-09-19", "data.expense_id": "EXP-8",
            "data.amount": "1.00", "data.incurred_date": "2006-09-12", "data.documented": "no",
            "action": "preview"}  # fmt: skip
    before = len(site.history())
    assert site.post("dean", form, origin="https://evil.example").status_code == 403
    headers = {"Authorization": f"Bearer {site.tokens['recorder']}", "Origin": BASE}
    forged = site.client.post("/ui/agreements/dean/record", data={**form, "csrf": "guess"}, headers=headers)
    assert forged.status_code == 403
    assert site.get("/ui/agreements/dean/record", "viewer").status_code == 403
    assert site.get("/ui/agreements/dean/record", "employee").status_code == 403
    assert site.post("dean", form, role="viewer").status_code == 403
    assert site.post("dean", form, role="admin").status_code == 200
    assert len(site.history()) == before
    assert "Record a fact" not in site.get("/ui/agreements/dean", "viewer").text
    assert "Record a fact" in site.get("/ui/agreements/dean").text
    assert site.get("/ui/agreements/nobody/record").status_code == 404
    assert site.get("/ui/agreements/dean/record?type=GrantMade").status_code == 404, "the letter does not read it"
    assert site.get("/ui/agreements/dean/record?correct=dean%23999").status_code == 404
    bad_day = site.post("dean", {**form, "as_of": "2006-02-30"})
    assert bad_day.status_code == 422 and "expected a date YYYY-MM-DD; nothing was recorded" in bad_day.text
    assert site.post("dean", {**form, "mode": "rewrite"}).status_code == 400
    assert len(site.history()) == before


def test_a_recorder_makes_a_company_calendar_link_from_the_dashboard_and_a_viewer_cannot(site: Site) -> None:
    page = site.get("/ui/calendar-links")
    assert 'id="wide-link"' in page.text and '<option value="valence">company valence</option>' in page.text
    assert 'id="wide-link"' not in site.get("/ui/calendar-links", "employee").text

    def make(company: str, role: str = "recorder", origin: str = BASE) -> Any:
        headers = {"Authorization": f"Bearer {site.tokens[role]}", "Origin": origin}
        body = {"csrf": site.csrf(role), "company": company}
        return site.client.post("/ui/calendar-links", data=body, headers=headers, follow_redirects=False)

    made = make("valence")
    assert made.status_code == 201 and "Calendar link for company valence" in made.text
    found = re.search(r'id="feed-url"[^>]*value="([^"]+)"', made.text)
    assert found is not None
    feed = site.client.get(found.group(1).removeprefix(BASE))
    assert feed.status_code == 200 and "BEGIN:VCALENDAR" in feed.text
    assert "dean" in feed.text and "ann" in feed.text, "both agreements of the company"
    assert make("").status_code == 201 and "every agreement" in make("").text
    assert make("nowhere").status_code == 404
    assert make("valence", role="viewer").status_code == 403
    assert make("valence", role="employee").status_code == 403
    assert make("valence", origin="https://evil.example").status_code == 403
