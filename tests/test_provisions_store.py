"""Agreements of the provisions form in a real store (SQLite and PostgreSQL): recorded, validated,
reported, projected into the read models, explained and supposed (what-if), like the letter's (issue 13)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from helpers import CONFIG, ev, letter_config
from obligations import synthetic
from obligations.application import portfolio
from obligations.application.service import Obligations
from obligations.application.store import open_log
from obligations.domain.errors import InvalidFactsError
from obligations.domain.input import parse_fact, parse_portfolio_lines
from obligations.rules.item import visible

D = date.fromisoformat


def facts(*events: dict[str, object]) -> list[object]:
    return [parse_fact(e) for e in events]


@pytest.fixture
def svc(database_url: str, tmp_path: Path) -> Obligations:
    return Obligations(open_log(database_url, tmp_path), CONFIG)


START = ev("EmploymentStarted", "2023-01-02", start_date="2023-01-02", annual_base_salary="300000", options=0)


def test_a_composite_agreement_is_recorded_reported_and_projected(svc: Obligations) -> None:
    svc.record("x1", facts(START), "hr", terms="composite-executive")
    svc.record(
        "x1",
        facts(
            ev("EmploymentTerminatedByCompany", "2024-03-15", stated_ground="without_cause"),
            ev("ReleaseDelivered", "2024-03-20"),
            ev("ReleaseSigned", "2024-04-05"),
        ),
        "hr",
    )
    report = svc.status("x1", [D("2024-04-13")])[0]
    assert report["form"] == "provisions" and report["release"]["status"] == "effective"
    # what falls due in the read model is what the report shows, item by item
    rows = portfolio.due(svc.log.engine, D("2024-04-01"), D("2024-05-31"), D("2024-04-13"), kinds=("payment",))
    due = sorted((r["item"], r["date"], r["amount"]) for r in rows if r["agreement"] == "x1")
    expected = sorted(
        (p["id"], p["due_date"], p["amount"])
        for p in report["payments"]
        if p["due_date"] and "2024-04-01" <= p["due_date"] <= "2024-05-31"
    )
    assert due == expected and len(due) == 5  # three on 26 April (with the catch-up), 10 and 24 May
    items = portfolio.agreement_items(svc.log.engine, "x1", D("2024-04-13"))
    assert {i.item_id for i in items if i.kind == "clock"} == {c["clock"] for c in report["open_clocks"]}
    assert all(visible(i, D("2024-04-13")) for i in items)
    # explain reads the typed item: clause, arithmetic and facts
    x = svc.explain("x1", "salary_continuation_1", D("2024-04-13"))
    assert x["value"]["amount"] == "17307.69" and x["clauses"] == ["S1, S2, S11, S13"]
    assert {f["type"] for f in x["facts"]} >= {"EmploymentTerminatedByCompany", "ReleaseSigned"}
    assert any("base_salary_at_termination $300,000" in s for s in x["steps"])


def test_what_if_a_specified_employee_shows_the_409a_delay_and_stores_nothing(svc: Obligations) -> None:
    svc.record("x2", facts(START), "hr", terms="composite-executive")
    svc.record(
        "x2",
        facts(
            ev("EmploymentTerminatedByCompany", "2024-03-15", stated_ground="without_cause"),
            ev("ReleaseDelivered", "2024-03-20"),
            ev("ReleaseSigned", "2024-04-05"),
        ),
        "hr",
    )
    before = len(svc.history("x2"))
    answer = svc.what_if("x2", [D("2024-04-13")], facts(ev("SpecifiedEmployeeDetermined", "2024-03-15")), "hr")[0]
    change = next(c for c in answer["diff"] if c.get("item") == "salary_continuation_1")
    assert change["fields"]["due_date"] == ["2024-04-26", "2024-10-11"]
    assert len(svc.history("x2")) == before


def test_a_refused_batch_of_a_provisions_agreement_appends_nothing(svc: Obligations) -> None:
    svc.record("x3", facts(START), "hr", terms="composite-executive")
    with pytest.raises(InvalidFactsError) as err:
        svc.record(
            "x3",
            facts(
                ev("ObligationFulfilled", "2023-02-01", obligation="no_such_obligation"),
                ev(
                    "NeglectNoticeReceived",
                    "2023-02-01",
                    notice_id="N1",
                    sent_date="2023-02-01",
                    duties_specified="x",
                    cure_demanded=True,
                ),  # fmt: skip
            ),
            "hr",
        )
    text = str(err.value)
    assert "unknown obligation 'no_such_obligation'" in text and "a fact of the letter form" in text
    assert len(svc.history("x3")) == 1


def test_a_letter_agreement_refuses_the_provisions_facts(database_url: str, tmp_path: Path) -> None:
    svc = Obligations(open_log(database_url, tmp_path), letter_config(tmp_path))  # the letter form beside config/
    hired = ev("EmploymentStarted", "2004-12-13", start_date="2004-12-13", annual_base_salary="200000", options=220000)
    svc.record("v1", facts(hired), "hr", terms="valence-2004-letter")
    with pytest.raises(InvalidFactsError, match="read by terms of the provisions form"):
        svc.record("v1", facts(ev("ReleaseSigned", "2005-01-10")), "hr")
    with pytest.raises(InvalidFactsError, match="for_cause is for terms of the provisions form"):
        svc.record("v1", facts(ev("EmploymentTerminatedByCompany", "2005-01-10", stated_ground="for_cause")), "hr")


def test_a_synthetic_portfolio_mixing_the_forms_imports_and_projects_cleanly(database_url: str, tmp_path: Path) -> None:
    counts = synthetic.write(tmp_path, 30, seed=5, provisions_share=0.5)
    svc = Obligations(open_log(database_url, tmp_path), tmp_path / "config")
    with (tmp_path / "portfolio.jsonl").open(encoding="utf-8") as handle:
        n_agreements, n_facts = svc.record_portfolio(parse_portfolio_lines(handle), "bench")
    assert (n_agreements, n_facts) == (counts["agreements"], counts["facts"])
    status = svc.projector.status()
    assert status["lag"] == 0 and status["quarantined"] == []
    forms = {svc.status(a, [D("2016-01-01")])[0].get("form", "letter") for a in svc.agreement_ids()}
    assert forms == {"letter", "provisions"}


def test_the_http_api_and_the_dashboard_serve_an_agreement_of_the_provisions_form(api: Any) -> None:
    facts_json = [
        {"type": "EmploymentStarted", "date": "2020-08-03",
         "data": {"start_date": "2020-08-03", "annual_base_salary": "400000", "options": 0}},
        {"type": "GrantMade", "date": "2020-08-03", "data": {"grant": "options", "quantity": 120000}},
        {"type": "EmploymentTerminatedByCompany", "date": "2021-03-01", "data": {"stated_ground": "without_cause"}},
    ]  # fmt: skip
    created = api.call(
        "recorder", "POST", "/v1/agreements/bc/facts", json={"facts": facts_json, "terms": "bigcommerce-2020"}
    )
    assert created.status_code == 201, created.text
    status = api.call("viewer", "GET", "/v1/agreements/bc/status?as_of=2021-03-02").json()
    assert status["packages"]["severance"]["fired"] and status["payments"][0]["id"] == "severance_payment"
    explain = api.call("viewer", "GET", "/v1/agreements/bc/explain/exercise_window:options?as_of=2021-03-02")
    assert explain.status_code == 200 and explain.json()["value"]["due_date"] == "2021-05-30"
    due = api.call("viewer", "GET", "/v1/portfolio/due?from=2021-03-01&to=2021-06-30&as_of=2021-03-02").json()
    assert "exercise_window:options" in {row["item"] for row in due if row["agreement"] == "bc"}
    bad = api.call("recorder", "POST", "/v1/agreements/bc/facts",
                   json={"type": "ReleaseSigned", "date": "2021-03-05", "data": {}})  # fmt: skip
    assert bad.status_code == 422 and "no [release] block" in bad.text
    client = api.client
    assert client.post("/ui/login", data={"token": api.tokens["viewer"]}, follow_redirects=False).status_code == 303
    page = client.get("/ui/agreements/bc?as_of=2021-03-02")
    assert page.status_code == 200
    assert "Employment ended on <b>2021-03-01</b>" in page.text and "severance payment" in page.text.lower()
