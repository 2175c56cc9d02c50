"""Explanations name the right facts, clauses and interpretations for each kind of item (pure rules, no store),
and every item of a report carries the ids of the facts it rests on."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from helpers import ev, facts, report, start, valence_terms
from obligations.domain.errors import InvalidInputError
from obligations.rules.explain import explain_item, report_diff
from obligations.rules.report import status_report

HIRE = [
    start(),  # t#0, 2004-12-13
    ev("OptionsGranted", "2004-12-13", grant_date="2004-12-13", quantity=220000),  # t#1
    ev("I9Submitted", "2004-12-17", documentation_satisfactory=True),  # t#2: a day late
]


def explain(events: list[dict[str, Any]], as_of: str, item: str, **i: Any) -> dict[str, Any]:
    return explain_item(valence_terms(**i), facts(*events), date.fromisoformat(as_of), item, "valence-2004.toml")


def ids(x: dict[str, Any]) -> list[str]:
    return [f["id"] for f in x["facts"]]


def interpretations(x: dict[str, Any]) -> set[str]:
    return {i["id"] for i in x["interpretations"]}


def test_an_obligation_rests_on_the_start_and_the_fact_that_met_it() -> None:
    x = explain(HIRE, "2005-01-01", "submit_i9")
    assert x["item"] == {"kind": "obligation", "id": "submit_i9"}
    assert x["value"]["status"] == "fulfilled_late" and ids(x) == ["t#0", "t#2"]
    assert x["clauses"] == ["§8"] and "I-26" in interpretations(x)
    assert any("2004-12-13 + 3 = 2004-12-16" in s for s in x["steps"])


def test_a_cure_clock_rests_on_its_notice_and_its_ground_on_the_same() -> None:
    notice = ev("NeglectNoticeReceived", "2005-03-01", notice_id="N1", sent_date="2005-02-28",
                duties_specified="forecasts", cure_demanded=True)  # fmt: skip
    events = [*HIRE, notice]  # t#3
    x = explain(events, "2005-03-10", "neglect_cure_period:N1")
    assert x["item"]["kind"] == "clock" and ids(x) == ["t#3"]
    assert "§5.2(b)" in x["clauses"] and {"I-10", "I-14"} <= interpretations(x)
    assert x["value"]["deadline"] == "2005-03-31"
    # Configured to take effect on dispatch (I-10), the clock starts a day earlier and says where that is set.
    y = explain(events, "2005-03-10", "neglect_cure_period:N1", notice_effective="dispatch")
    assert y["value"]["deadline"] == "2005-03-30"
    setting = next(i for i in y["interpretations"] if i["setting"] == "notice_effective")
    assert setting["value"] == "dispatch" and setting["default"] == "receipt"
    assert setting["configured_in"] == "valence-2004.toml [notices] notice_effective"
    g = explain(events, "2005-04-01", "5.2(b)")
    assert g["item"]["kind"] == "ground" and ids(g) == ["t#3"] and g["value"]["available_since"] == "2005-04-01"
    cured = explain([*events, ev("NeglectCured", "2005-03-20", notice_id="N1")], "2005-03-19", "neglect_cure_period:N1")
    assert ids(cured) == ["t#3"]  # the cure is in the future of 2005-03-19


def test_a_salary_cut_ground_rests_on_the_baseline_and_the_cut() -> None:
    events = [
        *HIRE,
        ev("SalaryChanged", "2005-06-01", new_annual_rate="210000", amendment=None),  # t#3: the peak
        ev("SalaryChanged", "2005-09-01", new_annual_rate="185000", amendment=None),  # t#4: −11.9% from the peak
    ]
    x = explain(events, "2005-09-02", "5.4(c)")
    assert ids(x) == ["t#3", "t#4"] and "I-13" in interpretations(x)
    assert {i["setting"] for i in x["interpretations"]} >= {"salary_cut_baseline", "salary_cut_threshold"}
    with pytest.raises(InvalidInputError, match="no item '5.4\\(c\\)'"):  # −7.5% from the original 200,000
        explain(events, "2005-09-02", "5.4(c)", salary_cut_baseline="original")


def test_the_lump_sum_rests_on_the_start_and_the_change_of_control() -> None:
    merger = ev("MergerConsummated", "2006-09-18", counterparty="L", company_shareholders_voting_pct_after="42")
    x = explain([*HIRE, merger], "2006-09-30", "lump_sum_5_1a")
    assert ids(x) == ["t#0", "t#3"] and x["clauses"][0] == "§5.1(a)"
    assert {"I-01", "I-04", "I-07"} <= interpretations(x)
    assert any("2006-09-18 + 5 days = 2006-09-23" in s for s in x["steps"])


def test_the_vested_count_adds_up_its_tranches_and_names_the_end() -> None:
    resign = ev("ResignationNoticeGiven", "2006-04-03", sent_date="2006-04-03", good_reason_grounds_claimed=[])
    x = explain([*HIRE, resign], "2006-06-30", "vested")
    assert x["item"]["kind"] == "vesting"
    assert ids(x) == ["t#0", "t#1", "t#3"]
    vested = [s for s in x["steps"] if s.endswith(" vested")]
    assert len(vested) == 2  # the cliff (2005-12-13) and 2006-03-13
    assert x["steps"][-1] == f"vested = sum of the vested tranches = {x['value']['vested']:,}"
    forfeited = [s for s in x["steps"] if s.endswith("forfeited")]
    assert forfeited and x["value"]["forfeited"] > 0
    tranche = explain([*HIRE, resign], "2006-06-30", "installment_9")
    assert tranche["value"]["status"] == "forfeited" and ids(tranche) == ["t#0", "t#1", "t#3"]


def test_every_item_and_section_of_a_report_carries_the_ids_of_its_facts() -> None:
    events = [
        *HIRE,
        ev(
            "BreachNoticeReceived", "2005-05-02", notice_id="B1", sent_date="2005-05-02", provision="§2", material=True
        ),  # fmt: skip
        ev("ResignationNoticeGiven", "2005-06-10", sent_date="2005-06-10", good_reason_grounds_claimed=["5.4(f)"]),
        ev(
            "ExpenseSubmitted",
            "2005-06-12",
            expense_id="E1",
            amount="120.50",
            incurred_date="2005-06-01",
            documented=True,
        ),  # fmt: skip
    ]
    known = {f"t#{n}" for n in range(len(events))}
    for day in ("2005-05-10", "2005-06-20", "2005-08-01"):
        r = report(events, day)
        for section in ("employment", "options", "exercise_price", "change_of_control", "grounds", "section_5_1",
                        "health_continuation", "vacation", "bonus_target"):  # fmt: skip
            assert isinstance(r[section]["fact_ids"], list), (day, section)
            assert set(r[section]["fact_ids"]) <= known
        for key in ("payments", "open_clocks", "obligations"):
            for item in r[key]:
                assert item["fact_ids"] and set(item["fact_ids"]) <= known, (day, key, item)
    after = report(events, "2005-08-01")
    assert after["employment"]["fact_ids"] == ["t#4", "t#3"]  # the notice, and the breach notice behind 5.4(f)
    assert next(p for p in after["payments"] if p["id"] == "lump_sum_5_1a")["fact_ids"] == ["t#0", "t#4", "t#3"]
    assert next(p for p in after["payments"] if p["id"] == "expense_E1")["fact_ids"] == ["t#5"]


def test_the_diff_says_what_appears_disappears_and_changes() -> None:
    terms = valence_terms()
    base = facts(*HIRE)
    fired = facts(*HIRE, ev("EmploymentTerminatedByCompany", "2005-03-01", stated_ground="without_cause"))
    day = date(2005, 3, 10)
    diff = report_diff(status_report(terms, base, day), status_report(terms, fired, day))
    by = {(c["section"], c.get("item")): c["change"] for c in diff}
    assert by[("payments", "lump_sum_5_1a")] == "appears"
    assert by[("open_clocks", "section_5_1_window")] == "disappears"
    assert by[("employment", None)] == "changes" and by[("options", None)] == "changes"
    assert report_diff(status_report(terms, base, day), status_report(terms, base, day)) == []


def test_every_typed_item_names_the_interpretations_its_why_cites_and_explain_reads_them() -> None:
    """Issue 13, a typed report: payments, clocks, obligations and grounds are typed items that carry their
    clause, fact ids and the interpretations their rule applied as fields, and every section the
    interpretations its why applies. The `why` is composed by the same rule, so the I-nn it cites are exactly
    those; and `explain` names them (it reads no why for them)."""
    import re
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from characterization import as_of_dates, life_facts, terms_of
    from obligations.rules.items import report_items
    from obligations.rules.report import derive

    seen: set[str] = set()
    for n in range(0, 2000, 40):
        terms = terms_of(n)
        fs = life_facts(n, terms)
        for day in as_of_dates(terms, fs)[::3]:
            d = derive(terms, fs, day)
            for item in report_items(d):
                if item.kind == "vesting":
                    continue
                text = f"{item.detail.get('why', '')} {item.detail.get('on_expiry', '')}"
                assert set(re.findall(r"\bI-\d\d\b", text)) == set(item.interpretations), (n, day, item)
                assert item.clause and item.clause in terms.citations(), (n, day, item)
                seen.add(item.kind)
            for name, used in d.interpretations.items():
                section = d.report[name]
                why = section.get("why", "") if isinstance(section, dict) else ""
                assert set(re.findall(r"\bI-\d\d\b", why)) == set(used), (n, day, name)
                seen.add(f"section {name}" if used else "")
            for item in report_items(d)[:4]:
                x = explain_item(terms, fs, day, item.item_id)
                assert set(item.interpretations) <= {i["id"] for i in x["interpretations"]}
                assert x["clauses"][0] == item.clause
    assert {"payment", "clock", "obligation", "ground"} <= seen
    # (the sampled lives hold no dispute and no first day off the market: those sections cite nothing here)
    sections = {"employment", "options", "change_of_control", "grounds", "section_5_1", "health_continuation",
                "vacation"}  # fmt: skip
    assert {f"section {x}" for x in sections} <= seen, sorted(seen)


def test_a_section_names_the_interpretations_its_why_applies() -> None:
    """The exercise price of a first day off the market (I-24) and a dispute's venue (I-29), from the sections'
    fields."""
    events = [
        start("2004-12-11"),  # a Saturday
        ev("ClosingPriceRecorded", "2004-12-10", trading_date="2004-12-10", closing_price="2.50"),
        ev("DisputeRaised", "2005-03-01", subject="bonus", principal_executive_office_county="Travis"),
    ]
    price = explain(events, "2005-03-01", "exercise_price")
    assert "I-24" in interpretations(price) and price["value"]["exercise_price"] == "2.50"
    assert "I-29" in interpretations(explain(events, "2005-03-01", "dispute_resolution"))
