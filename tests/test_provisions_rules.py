"""Table tests of the kinds of provision that no shipped agreement uses yet, each on both sides of its edges:
evergreen terms, pay in lieu of notice, lump sums within a period and the year-straddle rule, partial
acceleration in each order, pro-rata acceleration, covenants conditioning payments."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from helpers import CONFIG, ev, facts
from obligations.rules.provisions.report import status_report
from obligations.terms.loader import load_company
from obligations.terms.provisions import ProvisionsFile, ProvisionTerms

D = date.fromisoformat
COMPANY = load_company(CONFIG, "example")  # paydays every other Friday from 2024-01-19; California


def terms(**blocks: Any) -> ProvisionTerms:
    raw = {"form": "provisions", "key": "t", "company": "example", "title": "t", "document_date": "2023-01-01",
           "parties": {"employer": "E"}, "salary": {"clause": "S"}, "term": {"kind": "at_will", "clause": "T"},
           "bonus": {"target_pct_of_base_salary": "50", "clause": "B"}, **blocks}  # fmt: skip
    return ProvisionTerms(agreement=ProvisionsFile.model_validate(raw), company=COMPANY)


START = ev("EmploymentStarted", "2023-01-02", start_date="2023-01-02", annual_base_salary="365000", options=0)
FIRED = ev("EmploymentTerminatedByCompany", "2024-12-10", stated_ground="without_cause")


def one_package(
    payment: dict[str, Any] | None = None, acceleration: dict[str, Any] | None = None, **more: Any
) -> ProvisionTerms:
    package: dict[str, Any] = {"id": "p", "clause": "P", "triggers": ["t"]}
    if payment:
        package["payments"] = [{"id": "pay", "clause": "P", **payment}]
    if acceleration:
        package["accelerations"] = [{"clause": "A", **acceleration}]
    return terms(
        triggers=[{"id": "t", "clause": "T", "events": ["termination_without_cause"]}], packages=[package], **more
    )


def pay(t: ProvisionTerms, as_of: str, *extra: dict[str, Any]) -> dict[str, Any]:
    r = status_report(t, facts(START, FIRED, *extra), D(as_of))
    return {p["id"]: p for p in r["payments"]}


@pytest.mark.parametrize(
    ("termination", "due", "not_before"),
    [
        ("2024-10-31", "2024-12-30", None),  # 60 days inside 2024: no straddle
        ("2024-11-01", "2024-12-31", None),  # the period's last day is 31 December: still one year
        ("2024-11-02", "2025-01-01", "2025-01-01"),  # a day later it ends in 2025: paid in 2025
        ("2024-12-10", "2025-02-08", "2025-01-01"),
    ],
)
def test_a_lump_sum_within_60_days_and_the_year_straddle_rule(
    termination: str, due: str, not_before: str | None
) -> None:
    t = one_package({"amount": "100000", "within": "60 days", "year_straddle": True})
    fired = ev("EmploymentTerminatedByCompany", termination, stated_ground="without_cause")
    r = status_report(t, facts(START, fired), D(termination))
    p = next(p for p in r["payments"] if p["id"] == "pay")
    assert (p["due_date"], p.get("not_before")) == (due, not_before)


def test_installments_every_month_from_an_anchor_clamp_at_month_end_and_sum_to_the_total() -> None:
    t = one_package({"amount": "100000", "installments": 3, "every": "1 month", "first": "2025-01-31"})
    p = pay(t, "2024-12-10")
    assert [(p[f"pay_{k}"]["due_date"], p[f"pay_{k}"]["amount"]) for k in (1, 2, 3)] == [
        ("2025-01-31", "33333.33"), ("2025-02-28", "33333.33"), ("2025-03-31", "33333.34"),
    ]  # fmt: skip


def test_a_paid_installment_is_paid_and_a_short_payment_is_not() -> None:
    t = one_package({"amount": "100000", "installments": 2, "every": "1 month", "first": "2025-01-31"})
    paid = ev("PaymentMade", "2025-01-31", obligation="pay_1", amount="50000.00")
    short = ev("PaymentMade", "2025-02-28", obligation="pay_2", amount="49999.99")
    p = pay(t, "2025-03-01", paid, short)
    assert p["pay_1"]["status"] == "paid" and p["pay_1"]["paid_on"] == "2025-01-31"
    assert p["pay_2"]["status"] == "overdue" and "Partly paid" in p["pay_2"]["why"]


@pytest.mark.parametrize(
    ("notice", "short_days", "amount"),
    [
        (None, 90, "90000.00"),  # no notice at all: 90 days × $365,000 / 365
        ("2024-09-11", 0, None),  # notice 90 days before: nothing owed
        ("2024-09-12", 1, "1000.00"),  # a day late: one day's salary
    ],
)
def test_pay_in_lieu_of_the_notice_the_company_did_not_give(
    notice: str | None, short_days: int, amount: str | None
) -> None:
    t = terms(term={"kind": "at_will", "clause": "T", "notice_by_company": "90 days", "pay_in_lieu_of_notice": True})
    given = [ev("NoticeOfTerminationGiven", notice, by="company")] if notice else []
    r = status_report(t, facts(START, *given, FIRED), D("2024-12-10"))
    found = next((p for p in r["payments"] if p["id"] == "pay_in_lieu_of_notice"), None)
    assert (found["amount"] if found else None) == amount
    if found:
        assert (
            f"{short_days} day(s) short" in found["why"] and found["due_date"] == "2024-12-10"
        )  # California: at discharge


@pytest.mark.parametrize(
    ("as_of", "deadline", "term_end"),
    [
        ("2023-10-04", "2023-10-04", "2024-01-02"),  # 2 January 2024 - 90 days: the last day to give notice
        ("2023-10-05", "2024-10-04", "2025-01-02"),  # a day later: the next deadline, of the first renewal
        ("2024-01-02", "2024-10-04", "2025-01-02"),
    ],
)
def test_an_evergreen_term_and_its_non_renewal_deadline(as_of: str, deadline: str, term_end: str) -> None:
    t = terms(term={"kind": "evergreen", "length": "1 year", "renewal": "1 year", "non_renewal_notice": "90 days",
                    "clause": "T"})  # fmt: skip
    r = status_report(t, facts(START), D(as_of))
    clock = next(c for c in r["open_clocks"] if c["clock"] == "non_renewal_notice")
    assert clock["deadline"] == deadline and term_end in clock["why"]


GRANT = {"id": "g", "kind": "rsu", "clause": "G", "quantity": "4800",
         "vesting": {"period_length": 1, "period_unit": "MONTHS", "installments": 48, "cliff_installment": 12,
                     "allocation_type": "CUMULATIVE_ROUND_DOWN"}}  # fmt: skip


@pytest.mark.parametrize(
    ("acceleration", "vested"),
    [
        ({"kind": "full"}, 4800),
        # 23 months vested (2,300) by 10 December 2024; the next 6 months: 600 more
        ({"kind": "months", "months": 6, "order": "soonest"}, 2900),
        # the last 6 months of the schedule (after 2026-07-02): 600 more
        ({"kind": "months", "months": 6, "order": "last"}, 2900),
        # 6 of the 25 months left, of each remaining installment: 2,500 × 6/25 = 600
        ({"kind": "months", "months": 6, "order": "pro_rata"}, 2900),
        # installments deemed monthly: 23 whole months of 48 → 2,300: nothing more than the schedule
        ({"kind": "pro_rata"}, 2300),
    ],
)
def test_each_kind_and_order_of_acceleration(acceleration: dict[str, Any], vested: int) -> None:
    t = one_package(acceleration=acceleration, grants=[GRANT])
    g = status_report(t, facts(START, FIRED), D("2024-12-10"))["grants"][0]
    assert g["vested"] == vested and g["vested"] + g["unvested"] + g["forfeited"] == 4800
    assert g["forfeited"] == 4800 - vested


def test_a_cliff_before_the_acceleration_date_and_the_soonest_order_over_it() -> None:
    t = one_package(acceleration={"kind": "months", "months": 6, "order": "soonest"}, grants=[GRANT])
    fired = ev("EmploymentTerminatedByCompany", "2023-10-01", stated_ground="without_cause")  # before the cliff
    g = status_report(t, facts(START, fired), D("2023-10-01"))["grants"][0]
    assert g["vested"] == 1400  # nothing scheduled yet; the next 6 months (to 1 April 2024): the cliff and two months


@pytest.mark.parametrize(
    ("fiscal_year_end", "termination", "amount"),
    [
        # a target bonus of $182,500 (50% of $365,000), prorated by days of the fiscal year employed
        ("12-31", "2024-12-10", "172028.69"),  # 345 of 366 days of 2024
        ("09-30", "2024-12-10", "35500.00"),  # 71 of 365 days of 1 October 2024 - 30 September 2025
        ("09-30", "2024-09-30", "182500.00"),  # the fiscal year's last day: all of it
        ("09-30", "2024-10-01", "500.00"),  # its first day: one day of 365
    ],
)
def test_a_pro_rata_bonus_over_the_agreements_fiscal_year(fiscal_year_end: str, termination: str, amount: str) -> None:
    t = one_package({"amount": "target_bonus * proration"}, days={"fiscal_year_end": fiscal_year_end})
    fired = ev("EmploymentTerminatedByCompany", termination, stated_ground="without_cause")
    r = status_report(t, facts(START, fired), D(termination))
    assert next(p for p in r["payments"] if p["id"] == "pay")["amount"] == amount


def test_a_fiscal_year_end_must_be_a_day_of_every_year() -> None:
    with pytest.raises(ValueError, match="not a day of every year"):
        terms(days={"fiscal_year_end": "02-29"})


@pytest.mark.parametrize(
    ("coc", "remainder"),
    [
        (None, None),  # no Change of Control: the twelve installments run
        ("2025-03-31", ("2025-03-31", "90000.00")),  # the 31 March installment is due that day as scheduled: 9 left
        ("2025-03-30", ("2025-03-30", "100000.00")),  # a day earlier: the 31 March installment goes into it too
        ("2025-04-01", ("2025-04-01", "90000.00")),  # April to December: 9 × $10,000
    ],
)
def test_installments_turn_into_a_lump_sum_on_a_later_change_of_control(
    coc: str | None, remainder: tuple[str, str] | None
) -> None:
    t = one_package({"amount": "120000", "installments": 12, "every": "1 month", "first": "2025-01-31",
                     "remainder_on_change_of_control": True}, change_of_control={"clause": "C"})  # fmt: skip
    extra = [ev("ChangeOfControlDetermined", coc)] if coc else []
    p = pay(t, "2025-06-01", *extra)
    got = (p["pay_remainder"]["due_date"], p["pay_remainder"]["amount"]) if "pay_remainder" in p else None
    assert got == remainder
