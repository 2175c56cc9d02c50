"""Payments on one rule for both forms (issue 13, Valence re-expressed): the final prorated salary (I-21, I-22)
and expense reimbursements (I-37) of the provisions form, a trigger's window on a Change of Control, the
`fired_date` anchor and payments written in the catalogue §10 vocabulary; each edge on both sides."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from helpers import ev, facts
from obligations.domain.errors import InvalidFactError
from obligations.rules.provisions.report import status_report
from obligations.rules.provisions.validation import check_history, readable_types
from obligations.terms.provisions import ProvisionTerms
from test_provisions_rules import START, terms

D = date.fromisoformat
# paid through Sunday 2024-11-17: the unpaid days run from Monday 2024-11-18
PAID = ev("SalaryPaid", "2024-11-22", period_start="2024-11-04", period_end="2024-11-17", amount="14000")


def with_law(t: ProvisionTerms, **final_pay: Any) -> ProvisionTerms:
    company = t.company.model_copy(update={"final_pay": t.company.final_pay.model_copy(update=final_pay)})
    return t.model_copy(update={"company": company})


def final(t: ProvisionTerms, *extra: dict[str, Any], as_of: str = "2024-12-31") -> dict[str, Any]:
    r = status_report(t, facts(START, PAID, *extra), D(as_of))
    return next(p for p in r["payments"] if p["id"] == "final_prorated_salary")


def fired(day: str) -> dict[str, Any]:
    return ev("EmploymentTerminatedByCompany", day, stated_ground="without_cause")


@pytest.mark.parametrize(
    ("termination", "roll", "due"),
    [
        ("2024-11-30", "none", "2024-12-06"),  # Saturday + 6 = Friday: nothing to move
        ("2024-11-30", "following", "2024-12-06"),
        ("2024-12-01", "none", "2024-12-07"),  # Sunday + 6 = Saturday: kept without a roll
        ("2024-12-01", "following", "2024-12-09"),  # moved to Monday
    ],
)
def test_a_discharge_is_paid_on_the_law_s_day_moved_past_a_weekend_when_the_company_says_so(
    termination: str, roll: str, due: str
) -> None:
    t = with_law(terms(), discharge_days=6, discharge_roll=roll)
    p = final(t, fired(termination))
    assert p["due_date"] == due, p["why"]
    days = (D(termination) - D("2024-11-17")).days
    assert p["amount"] == f"{days * 1000}.00"  # $365,000 / 365 a day
    assert p["fact_ids"][0].endswith("#2") and "final_prorated_salary" not in p["why"]


@pytest.mark.parametrize(("basis", "amount"), [("calendar_365", "14000.00"), ("actual_days", "13961.75")])
def test_the_proration_divides_by_365_or_by_the_days_of_the_year(basis: str, amount: str) -> None:
    t = terms(salary={"clause": "S", "proration_basis": basis, "final_pay_words": "prorated"})
    p = final(t, fired("2024-12-01"))  # 14 unpaid days of 2024, a leap year
    assert p["amount"] == amount and "S ('prorated')" in p["why"]


def test_a_discharge_without_the_law_s_timing_has_no_due_date_and_a_resignation_waits_for_the_payday() -> None:
    t = with_law(terms(), discharge_days=None)
    p = final(t, fired("2024-12-01"))
    assert p["due_date"] is None and "not configured" in p["why"]
    quit_ = ev("ResignationNoticeGiven", "2024-12-02", sent_date="2024-12-02", requested_effective_date="2024-12-02",
               good_reason_grounds_claimed=[])  # fmt: skip
    p = final(with_law(terms(), other_days=None), quit_)
    assert p["due_date"] == "2024-12-06", p["why"]  # the next payday after the end (every other Friday)
    p = final(terms(), quit_)
    assert p["due_date"] == "2024-12-05", p["why"]  # the company's other_days = 3


EXPENSES = {"clause": "§6"}


def submitted(expense: str = "E1", day: str = "2024-03-10", incurred: str = "2024-03-01") -> dict[str, Any]:
    return ev("ExpenseSubmitted", day, expense_id=expense, amount="120.50", incurred_date=incurred, documented=True)


@pytest.mark.parametrize(
    ("block", "due", "prompt_flag"),
    [
        ({}, None, False),
        ({"reimbursement_due_days": 30}, "2024-04-09", False),
        ({"prompt_days": 9}, None, False),  # submitted 9 days after: prompt
        ({"prompt_days": 8}, None, True),  # more than 8 days: flagged
    ],
)
def test_an_expense_submitted_is_owed_back(block: dict[str, Any], due: str | None, prompt_flag: bool) -> None:
    t = terms(expenses={**EXPENSES, **block})
    r = status_report(t, facts(START, submitted()), D("2024-03-10"))
    (p,) = r["payments"]
    assert (p["id"], p["amount"], p["due_date"], p["clause"]) == ("expense_E1", "120.50", due, "§6")
    assert p["status"] == ("not_yet_due" if due else "open_no_due_date")
    assert ("not prompt" in p["why"]) is prompt_flag
    paid = ev("ExpenseReimbursed", "2024-03-20", expense_id="E1", amount="120.50")
    r = status_report(t, facts(START, submitted(), paid), D("2024-03-20"))
    assert (r["payments"][0]["status"], r["payments"][0]["paid_on"]) == ("paid", "2024-03-20")


def test_expenses_are_read_only_with_the_block_and_checked_as_the_letter_checks_them() -> None:
    fs = facts(START, submitted())
    without = terms()
    assert "ExpenseSubmitted" not in readable_types(without)
    (error,) = check_history(without, fs[:1], fs[1:], {})
    assert isinstance(error, InvalidFactError) and error.field == "type"
    t = terms(expenses=EXPENSES)
    assert check_history(t, fs[:1], fs[1:], {}) == []
    again = facts(START, submitted(), submitted(day="2024-03-11"))
    (error,) = check_history(t, again[:2], again[2:], {})
    assert error.field == "data.expense_id" and "already submitted" in str(error)
    stray = facts(START, ev("ExpenseReimbursed", "2024-03-20", expense_id="E9", amount="1"))
    (error,) = check_history(t, stray[:1], stray[1:], {})
    assert error.field == "data.expense_id"
    late = facts(START, fired("2024-03-15"), submitted(day="2024-03-20", incurred="2024-03-16"))
    (error,) = check_history(t, late[:2], late[2:], {})
    assert error.field == "data.incurred_date"
    on_time = facts(START, fired("2024-03-15"), submitted(day="2024-03-20", incurred="2024-03-15"))
    assert check_history(t, on_time[:2], on_time[2:], {}) == []


def coc_terms(**report: Any) -> ProvisionTerms:
    return terms(
        change_of_control={"clause": "C"},
        triggers=[{"id": "t", "clause": "T", "events": ["change_of_control", "termination_without_cause"],
                   "on_or_after": "start_date", "before": "start_date + 24 months"}],  # fmt: skip
        packages=[{"id": "p", "clause": "P", "triggers": ["t"],
                   "payments": [{"id": "lump", "clause": "P(a)", "amount": "100000", "due": "fired_date + 5 days"}]}],
        **report,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("coc", "due"),
    [
        ("2025-01-01", "2025-01-06"),  # the last day of the 24 months: fires, due on the fifth day after
        ("2025-01-02", None),  # start + 24 months: outside the window
    ],
)
def test_a_window_bounds_a_change_of_control_as_it_bounds_a_termination(coc: str, due: str | None) -> None:
    determined = ev("ChangeOfControlDetermined", coc, plan="2019 Plan")
    r = status_report(coc_terms(), facts(START, determined), D("2025-01-10"))
    lump = [p for p in r["payments"] if p["id"] == "lump"]
    assert [p["due_date"] for p in lump] == ([due] if due else [])
    if due:
        assert lump[0]["fact_ids"][0] == r["employment"]["fact_ids"][0]  # the window from the start rests on it
    later = status_report(coc_terms(), facts(START, determined, fired("2025-01-20")), D("2025-01-30"))
    assert [p["id"] for p in later["payments"] if p["id"] == "lump"] == (["lump"] if due else [])


def test_payments_written_in_the_catalogue_vocabulary() -> None:
    determined = ev("ChangeOfControlDetermined", "2024-06-03", plan="2019 Plan")
    plain = status_report(coc_terms(), facts(START, determined), D("2024-06-03"))
    catalogue = status_report(coc_terms(report={"vocabulary": "catalogue"}), facts(START, determined), D("2024-06-03"))
    (a,), (b,) = plain["payments"], catalogue["payments"]
    assert (a["clause"], a["package"]) == ("P(a)", "p") and "clause" not in b and "package" not in b
    assert list(b) == ["id", "payer", "payee", "amount", "due_date", "status", "why", "fact_ids"]
    assert {k: v for k, v in a.items() if k not in ("clause", "package")} == b


HEALTH = {"months": 6, "clause": "H", "cobra_clause": "H s.2"}


def health_terms(health: dict[str, Any] | None = None) -> ProvisionTerms:
    return terms(
        triggers=[{"id": "t", "clause": "T", "events": ["termination_without_cause"]}],
        packages=[{"id": "p", "clause": "P", "triggers": ["t"], "health": health or HEALTH}],
        report={"health": "p"},
    )


def coverage(day: str, tier: str) -> dict[str, Any]:
    return ev("HealthCoverageChanged", day, tier=tier, dependents=2 if tier == "employee_plus_dependents" else 0)


REFUSED = ev("CarrierContinuationDecision", "2024-12-12", allowed=False,
             cobra_monthly_premium={"employee_only": "400", "employee_plus_dependents": "1100.50"})  # fmt: skip
ELECTED = ev("CobraElected", "2024-12-20", tier="employee_plus_dependents")


@pytest.mark.parametrize(
    ("changed", "tier", "amount"),
    [
        ("2024-12-09", "employee_plus_dependents", "1100.50"),  # the day before the end: held then (I-19)
        ("2024-12-10", "employee_only", "400.00"),  # on the end's day: does not count
    ],
)
def test_cobra_premiums_for_the_coverage_held_the_day_before(changed: str, tier: str, amount: str) -> None:
    fs = facts(START, coverage(changed, "employee_plus_dependents"), fired("2024-12-10"), REFUSED, ELECTED)
    r = status_report(health_terms(), fs, D("2025-01-15"))
    premiums = [p for p in r["payments"] if p["id"].startswith("cobra_premium_")]
    assert [p["id"] for p in premiums] == [f"cobra_premium_{k}" for k in range(1, 7)]
    assert {p["amount"] for p in premiums} == {amount} and premiums[0]["payee"] == "carrier / COBRA administrator"
    # month k = [add_months(T, k - 1) + 1 day, add_months(T, k)]; due max(month start, election)
    assert premiums[0]["coverage_month"] == {"start": "2024-12-11", "end": "2025-01-10"}
    assert (premiums[0]["due_date"], premiums[1]["due_date"]) == ("2024-12-20", "2025-01-11")
    assert premiums[5]["coverage_month"]["end"] == "2025-06-10"
    h = r["health_continuation"]
    assert (h["required"], h["tier"], h["path"], h["period_end"]) == (True, tier, "cobra_premium_payment", "2025-06-10")


@pytest.mark.parametrize(
    ("extra", "path"),
    [
        ((), "pending_carrier_decision"),
        ((REFUSED,), "awaiting_cobra_election"),
        ((REFUSED, ELECTED), "cobra_premium_payment"),
        ((ev("CarrierContinuationDecision", "2024-12-12", allowed=True),), "carrier_continuation"),
    ],
)
def test_the_health_continuation_section_follows_the_path(extra: tuple[dict[str, Any], ...], path: str) -> None:
    t = health_terms()
    before = status_report(t, facts(START), D("2024-12-09"))["health_continuation"]
    assert before["required"] is False and before["fact_ids"] == []
    r = status_report(t, facts(START, fired("2024-12-10"), *extra), D("2024-12-31"))
    assert (r["health_continuation"]["path"], r["health_continuation"]["status"]) == (path, "in_progress")
    assert any(p["id"] == "cobra_premium_1" for p in r["payments"]) is (path == "cobra_premium_payment")
    done = status_report(t, facts(START, fired("2024-12-10"), *extra), D("2025-06-11"))["health_continuation"]
    assert done["status"] == "completed"  # the day after the period's last day


def test_cobra_facts_are_read_only_with_a_package_paying_cobra_and_are_checked() -> None:
    plain = health_terms({"months": 6, "clause": "H"})
    assert "CobraElected" not in readable_types(plain) and "health_continuation" in status_report(
        plain, facts(START), D("2024-01-01")
    )
    t = health_terms()
    ok = facts(START, fired("2024-12-10"), REFUSED, ELECTED)  # after the end: accepted
    assert check_history(t, ok[:2], ok[2:], {}) == []
    no_premium = facts(START, fired("2024-12-10"), ev("CarrierContinuationDecision", "2024-12-12", allowed=False))
    (error,) = check_history(t, no_premium[:2], no_premium[2:], {})
    assert error.field == "data.cobra_monthly_premium"
    backwards = facts(START, ev("SalaryPaid", "2024-02-02", period_start="2024-01-20", period_end="2024-01-19",
                                amount="1"))  # fmt: skip
    (error,) = check_history(t, backwards[:1], backwards[1:], {})
    assert error.field == "data.period_end"


@pytest.mark.parametrize(
    ("blocks", "message"),
    [
        ({"report": {"health": "nope"}}, "report.health: unknown nope"),
        ({"packages": [{"id": "p", "clause": "P", "triggers": [], "health": {"months": 121, "clause": "H"}}]}, "120"),
    ],
)
def test_a_health_block_out_of_bounds_is_refused(blocks: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        terms(**blocks)


def test_a_payment_s_own_words_head_its_why() -> None:
    from test_provisions_rules import one_package, pay

    words = "on the fifth day following the Termination Date, a lump sum of $100,000"
    quoted = pay(one_package({"amount": "100000", "due": "termination_date + 5 days", "words": words}), "2024-12-11")
    plain = pay(one_package({"amount": "100000", "due": "termination_date + 5 days"}), "2024-12-11")
    assert quoted["pay"]["why"].startswith(f'P: "{words}"; package p') and words not in plain["pay"]["why"]
    assert {k: v for k, v in quoted["pay"].items() if k != "why"} == {
        k: v for k, v in plain["pay"].items() if k != "why"
    }
