"""Table tests of the provisions form's blocks that give catalogue §10 sections (issue 13, Valence
re-expressed): [vacation], [bonus] payments_per_year, a grant priced at a closing price with [report] options,
[dispute_resolution]; each edge on both sides, and the facts each block makes readable."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from helpers import CONFIG, ev, facts, letter_terms, start
from obligations.domain.errors import InvalidFactError
from obligations.rules.agreement import check_history as check_any
from obligations.rules.provisions import audit
from obligations.rules.provisions.report import status_report
from obligations.rules.provisions.validation import check_history, readable_types
from obligations.terms.loader import resolve_terms, terms_from_text
from test_provisions_rules import START, terms

D = date.fromisoformat
VACATION = {"clause": "V", "hours_per_year": "160", "weeks_per_year": 4}
OPTIONS = {"id": "o", "kind": "options", "clause": "G", "quantity": "1000", "exercise_price": "closing_price"}


def close(day: str, price: str) -> dict[str, Any]:
    return ev("ClosingPriceRecorded", day, trading_date=day, closing_price=price)


@pytest.mark.parametrize(
    ("as_of", "periods", "hours"),
    [
        ("2023-01-14", 0, "0.00"),  # day 13 of employment: no period completed
        ("2023-01-15", 1, "6.15"),  # day 14: the first period (160/26 h)
        ("2023-01-28", 1, "6.15"),
        ("2023-01-29", 2, "12.31"),  # day 28
        ("2024-01-01", 26, "160.00"),  # 365 days: 26 periods
    ],
)
def test_vacation_accrues_by_completed_periods_from_the_start(as_of: str, periods: int, hours: str) -> None:
    r = status_report(terms(vacation=VACATION), facts(START), D(as_of))
    assert (r["vacation"]["completed_periods"], r["vacation"]["accrued_hours"]) == (periods, hours)


def test_vacation_stops_at_the_last_day_employed_and_at_its_cap() -> None:
    fired = ev("EmploymentTerminatedByCompany", "2023-01-29", stated_ground="without_cause")
    r = status_report(terms(vacation=VACATION), facts(START, fired), D("2023-12-31"))
    assert (r["vacation"]["completed_periods"], r["vacation"]["accrued_hours"]) == (2, "12.31")
    assert fired["type"] and "stops at the Termination Date" in r["vacation"]["why"]
    capped = terms(vacation={**VACATION, "cap_hours": "12"})
    r = status_report(capped, facts(START), D("2023-01-28"))
    assert r["vacation"]["accrued_hours"] == "6.15"  # under the cap
    r = status_report(capped, facts(START), D("2023-01-29"))
    assert r["vacation"]["accrued_hours"] == "12.00" and "capped at 12 h" in r["vacation"]["why"]


def test_vacation_taken_is_read_only_with_the_block() -> None:
    taken = ev("VacationTaken", "2023-03-01", **{"from": "2023-03-01", "to": "2023-03-03", "hours": "24"})
    with_block = terms(vacation=VACATION)
    assert "VacationTaken" in readable_types(with_block)
    fs = facts(START, taken)
    assert check_history(with_block, fs[:1], fs[1:], {}) == []
    r = status_report(with_block, fs, D("2023-03-10"))
    assert "Taken 24 h" in r["vacation"]["why"] and r["vacation"]["fact_ids"][-1] == fs[1].id
    without = terms()
    assert "VacationTaken" not in readable_types(without) and "vacation" not in status_report(
        without, fs, D("2023-03-10")
    )
    errors = check_history(without, fs[:1], fs[1:], {})
    assert len(errors) == 1 and isinstance(errors[0], InvalidFactError) and errors[0].field == "type"


@pytest.mark.parametrize(("per_year", "each"), [(4, "45625.00"), (12, "15208.33"), (1, "182500.00")])
def test_the_bonus_target_on_the_salary_in_effect(per_year: int, each: str) -> None:
    t = terms(bonus={"target_pct_of_base_salary": "50", "clause": "B", "payments_per_year": per_year})
    r = status_report(t, facts(START), D("2023-06-01"))
    assert r["bonus_target"]["annual_base_salary"] == "365000.00"
    assert (r["bonus_target"]["annual_target"], r["bonus_target"]["quarterly_target"]) == ("182500.00", each)
    raise_ = ev("SalaryChanged", "2023-06-02", new_annual_rate="400000", amendment=None)
    fs = facts(START, raise_)
    assert status_report(t, fs, D("2023-06-01"))["bonus_target"]["annual_target"] == "182500.00"  # the day before
    after = status_report(t, fs, D("2023-06-02"))["bonus_target"]
    assert after["annual_target"] == "200000.00" and after["fact_ids"] == [fs[1].id]
    assert "bonus_target" not in status_report(terms(), fs, D("2023-06-02"))


def test_payments_per_year_needs_the_target() -> None:
    with pytest.raises(ValidationError, match="payments_per_year needs target_pct_of_base_salary"):
        terms(bonus={"clause": "B", "payments_per_year": 4})


@pytest.mark.parametrize(
    ("setting", "closes", "price", "on"),
    [
        ("previous_close", [("2023-01-02", "3.15")], "3.15", "2023-01-02"),  # a close on the grant date
        ("previous_close", [("2022-12-30", "3.10"), ("2023-01-03", "3.20")], "3.10", "2022-12-30"),
        ("next_close", [("2022-12-30", "3.10"), ("2023-01-03", "3.20")], "3.20", "2023-01-03"),
        ("next_close", [("2022-12-30", "3.10")], None, None),  # none after yet
        ("previous_close", [], None, None),
    ],
)
def test_an_exercise_price_at_the_close_on_the_grant_date(
    setting: str, closes: list[tuple[str, str]], price: str | None, on: str | None
) -> None:
    t = terms(grants=[{**OPTIONS, "price_non_trading_day": setting}], report={"options": "o"})
    fs = facts(START, *(close(d, p) for d, p in closes))
    r = status_report(t, fs, D("2023-02-01"))
    assert r["exercise_price"]["exercise_price"] == price
    assert r["grants"][0].get("exercise_price") == price
    if on is not None:
        closing = next(f.id for f in fs if f.type == "ClosingPriceRecorded" and str(f.data.trading_date) == on)
        assert closing in r["exercise_price"]["fact_ids"]
        assert ("[I-24]" in r["exercise_price"]["why"]) == (on != "2023-01-02")


def test_report_options_names_a_priced_options_grant() -> None:
    with pytest.raises(ValidationError, match=r"report.options: unknown x"):
        terms(grants=[OPTIONS], report={"options": "x"})
    with pytest.raises(ValidationError, match="exercise_price is for options, not rsu"):
        terms(grants=[{**OPTIONS, "kind": "rsu"}])
    assert "exercise_price" not in status_report(terms(grants=[OPTIONS]), facts(START), D("2023-02-01"))


def test_dispute_resolution_names_the_county_of_the_last_dispute() -> None:
    t = terms(dispute_resolution={"forum": "arbitration", "clause": "§7"})
    one = ev("DisputeRaised", "2023-05-01", subject="bonus", principal_executive_office_county="Travis")
    two = ev("DisputeRaised", "2023-08-01", subject="options", principal_executive_office_county="Clark")
    fs = facts(START, one, two)
    assert status_report(t, fs[:1], D("2023-05-01"))["dispute_resolution"] is None
    assert status_report(t, fs, D("2023-05-01"))["dispute_resolution"]["venue_county"] == "Travis"
    assert status_report(t, fs, D("2023-07-31"))["dispute_resolution"]["venue_county"] == "Travis"
    last = status_report(t, fs, D("2023-08-01"))["dispute_resolution"]
    assert (last["forum"], last["venue_county"], len(last["fact_ids"])) == ("arbitration", "Clark", 2)
    assert "DisputeRaised" not in readable_types(terms())


def test_the_change_of_control_section_names_each_prong_and_whether_it_came_while_employed() -> None:
    prongs = {
        "definition": "prongs",
        "clause": "C",
        "merger": {"id": "C(a)(i)", "clause": "C(a)", "shareholders_retain_less_than_pct": "50"},
        "liquidation": {"clause": "C(b)"},
    }
    t = terms(change_of_control=prongs)
    merger = ev("MergerConsummated", "2023-06-01", counterparty="Z", company_shareholders_voting_pct_after="49.99")
    fired = ev("EmploymentTerminatedByCompany", "2023-09-01", stated_ground="without_cause")
    wound_up = ev("LiquidationOccurred", "2023-09-02", kind="plan of complete liquidation")
    fs = facts(START, merger, fired, wound_up)
    assert status_report(t, fs, D("2023-05-31"))["change_of_control"]["occurred"] is False
    r = status_report(t, fs, D("2023-09-02"))["change_of_control"]
    assert [(e["date"], e["prong"], e["while_employed"]) for e in r["events"]] == [
        ("2023-06-01", "C(a)(i)", True),
        ("2023-09-02", "liquidation", False),  # the day after the last day employed
    ]
    alone = status_report(t, facts(START, fired, wound_up), D("2023-09-02"))["change_of_control"]
    assert alone["occurred"] and "None occurred while employed" in alone["why"]
    by_plan = terms(change_of_control={"clause": "C", "plan": "the 2020 Plan"})
    r = status_report(by_plan, facts(START, ev("ChangeOfControlDetermined", "2023-06-01")), D("2023-06-01"))
    assert [(e["prong"], e["while_employed"]) for e in r["change_of_control"]["events"]] == [("the 2020 Plan", True)]
    assert "change_of_control" not in status_report(terms(), facts(START), D("2023-06-01"))


def duty(**more: Any) -> dict[str, Any]:
    return {"id": "i9", "clause": "§8", "owed_by": "Employee", "owed_to": "Company", "description": "I-9", **more}


def owed(t: Any, as_of: str, *events: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["id"]: o for o in status_report(t, facts(START, *events), D(as_of))["obligations"]}


@pytest.mark.parametrize(
    ("satisfactory", "day", "status"),
    [
        (True, "2023-01-05", "fulfilled"),  # the third day after the start: in time
        (True, "2023-01-06", "fulfilled_late"),  # the day after
        (False, "2023-01-05", "overdue"),  # a fact without the value asked for does not fulfil it
    ],
)
def test_an_obligation_fulfilled_by_a_fact_with_the_values_asked_for(satisfactory: bool, day: str, status: str) -> None:
    t = terms(obligations=[duty(due="start_date + 3 calendar days", fulfilled_by="I9Submitted",
                                fulfilled_when={"documentation_satisfactory": True})])  # fmt: skip
    i9 = ev("I9Submitted", day, documentation_satisfactory=satisfactory)
    o = owed(t, "2023-02-01", i9)["i9"]
    assert (o["due_date"], o["status"]) == ("2023-01-05", status)
    assert o.get("fulfilled_on") == (day if satisfactory else None)
    assert "I9Submitted" in readable_types(t) and "I9Submitted" not in readable_types(terms())


def test_an_obligation_owed_for_each_fact_is_fulfilled_by_the_matching_one() -> None:
    t = terms(obligations=[duty(id="sign", for_each="ConfidentialityAgreementAmended", for_each_key="version",
                                fulfilled_by="ConfidentialityAgreementExecuted", matching=["version"])])  # fmt: skip
    amended = ev("ConfidentialityAgreementAmended", "2023-03-01", version="rev2")
    old = ev("ConfidentialityAgreementExecuted", "2023-03-02", version="rev1")
    new = ev("ConfidentialityAgreementExecuted", "2023-03-09", version="rev2")
    assert owed(t, "2023-02-28", amended) == {}  # not owed before the amendment
    o = owed(t, "2023-03-05", amended, old)["sign_rev2"]
    assert (o["status"], o["due_date"]) == ("open_no_due_date", None)  # the old version does not fulfil it
    o = owed(t, "2023-03-09", amended, old, new)["sign_rev2"]
    assert (o["status"], o["fulfilled_on"]) == ("fulfilled", "2023-03-09")


@pytest.mark.parametrize(
    ("more", "message"),
    [
        ({"fulfilled_by": "NoSuchFact"}, "'NoSuchFact' is not a fact type of an agreement"),
        ({"fulfilled_when": {"documentation_satisfactory": True}}, "fulfilled_when needs fulfilled_by"),
        ({"fulfilled_by": "I9Submitted", "fulfilled_when": {"colour": "red"}}, "I9Submitted has no field colour"),
        ({"for_each": "ConfidentialityAgreementAmended"}, "for_each and for_each_key go together"),
        (
            {"for_each": "ConfidentialityAgreementAmended", "for_each_key": "version", "due": "start_date"},
            "arises on that fact's day, with no due date",
        ),  # fmt: skip
        (
            {
                "for_each": "IndemnificationClaimMade",
                "for_each_key": "matter_id",
                "matching": ["version"],
                "fulfilled_by": "ConfidentialityAgreementExecuted",
            },
            "version is not a field of both",
        ),  # fmt: skip
    ],
)
def test_an_obligation_names_real_facts_and_fields(more: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        terms(obligations=[duty(**more)])


def test_the_descriptive_sections_add_no_checkpoint_to_the_read_models() -> None:
    """Vacation's why names the report's own day: were its dates checkpoints, every day would be one (the
    read models of an agreement with [vacation] once walked to the year 2999)."""
    health = {  # health continuation's why names the report's own day too
        "change_of_control": {"clause": "C"},
        "triggers": [{"id": "t", "clause": "T", "events": ["change_of_control"]}],
        "packages": [{"id": "p", "clause": "P", "triggers": ["t"], "health": {"months": 6, "clause": "H"}}],
    }
    plain = terms(obligations=[duty(due="start_date + 3 days")], **health)
    full = terms(
        obligations=[duty(due="start_date + 3 days")],
        vacation=VACATION,
        bonus={"target_pct_of_base_salary": "50", "clause": "B", "payments_per_year": 4},
        dispute_resolution={"forum": "arbitration", "clause": "§7"},
        grants=[OPTIONS],
        report={"options": "o", "health": "p", "vocabulary": "catalogue"},
        **health,
    )
    fs = facts(START, close("2023-01-02", "3.15"), ev("ChangeOfControlDetermined", "2023-05-01"))
    calls: list[date] = []
    real = audit.derive

    def counting(t: Any, f: Any, day: date, **kw: Any) -> Any:
        calls.append(day)
        return real(t, f, day, **kw)

    for thorough in (False, True):  # the derivation at named dates (the reference) skips them too
        calls.clear()
        audit.derive = counting  # type: ignore[assignment]
        try:
            items = audit.dated_items(full, fs, thorough=thorough)
        finally:
            audit.derive = real  # type: ignore[assignment]
        assert len(calls) < 20, calls[:30]
        assert [(i.kind, i.item_id, i.valid_from) for i in items] == [
            (i.kind, i.item_id, i.valid_from) for i in audit.dated_items(plain, fs)
        ]


@pytest.mark.parametrize(
    ("block", "message"),
    [({"hours_per_year": "0"}, "hours_per_year must be more than 0"), ({"cap_hours": "-1"}, "cap_hours must be 0")],
)
def test_vacation_hours_are_positive_and_a_cap_is_not_negative(block: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        terms(vacation={**VACATION, **block})


def test_a_second_fact_with_the_key_of_an_obligation_owed_per_fact_is_refused() -> None:
    """An obligation owed per fact is named by the fact's key (`<id>_<key>`): a second fact with the same key
    would give two items of one id (the read models would keep one of them), so it is refused naming the field."""
    t = terms(obligations=[duty(id="answer", for_each="DisputeRaised", for_each_key="subject")])
    county = {"principal_executive_office_county": "Travis"}
    first = ev("DisputeRaised", "2023-03-01", subject="bonus", **county)
    fs = facts(START, first, ev("DisputeRaised", "2023-04-03", subject="bonus", **county))
    errors = check_history(t, fs[:2], fs[2:], {})
    assert [e.field for e in errors] == ["data.subject"]
    assert "obligation answer is owed once per subject (answer_bonus)" in str(errors[0])
    other = ev("DisputeRaised", "2023-04-03", subject="title", **county)
    fs = facts(START, first, other)
    assert check_history(t, fs[:2], fs[2:], {}) == []
    assert set(owed(t, "2023-04-03", first, other)) == {"answer_bonus", "answer_title"}


@pytest.mark.parametrize("form", ["letter", "provisions"])
def test_a_version_of_the_confidentiality_agreement_is_amended_once_in_either_form(form: str) -> None:
    t = letter_terms() if form == "letter" else terms_from_text(*resolve_terms("valence-2004", CONFIG)[1:], CONFIG)
    amended = ev("ConfidentialityAgreementAmended", "2005-03-01", version="v2")
    fs = facts(start(), amended, ev("ConfidentialityAgreementAmended", "2005-06-01", version="v2"))
    errors = check_any(t, fs[:2], fs[2:], {})
    assert [e.field for e in errors] == ["data.version"]
    assert "already recorded as amended on 2005-03-01" in str(errors[0])
    fs = facts(start(), amended, ev("ConfidentialityAgreementAmended", "2005-06-01", version="v3"))
    assert check_any(t, fs[:2], fs[2:], {}) == []
