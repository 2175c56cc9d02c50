"""Table tests of the kinds of provision that no shipped agreement uses yet, each on both sides of its edges:
evergreen terms, pay in lieu of notice, lump sums within a period and the year-straddle rule, partial
acceleration in each order, pro-rata acceleration, covenants conditioning payments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from helpers import CONFIG, ev, facts
from obligations.rules.provisions.audit import dated_items
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


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        # 3 installments of 1,000.00 offset by: less than the last, exactly the last, a cent more, more than all
        ("999.99", {"s_1": ("1000.00", False), "s_2": ("1000.00", False), "s_3": ("0.01", False)}),
        ("1000.00", {"s_1": ("1000.00", False), "s_2": ("1000.00", False), "s_3": ("0.00", True)}),
        ("1000.01", {"s_1": ("1000.00", False), "s_2": ("999.99", False), "s_3": ("0.00", True)}),
        ("5000.00", {"s_1": ("0.00", True), "s_2": ("0.00", True), "s_3": ("0.00", True)}),
    ],
)
def test_a_package_offset_by_another_pays_its_total_less_from_the_last_payment_back(
    plan: str, expected: dict[str, tuple[str, bool]]
) -> None:
    t = terms(
        triggers=[{"id": "t", "clause": "T", "events": ["termination_without_cause"]}],
        packages=[
            {"id": "severance", "clause": "S1", "triggers": ["t"], "offset_by": ["plan"],
             "payments": [{"id": "s", "clause": "S1", "amount": "3000", "installments": 3, "every": "1 month",
                           "first": "termination_date + 1 month"}]},
            {"id": "plan", "clause": "Plan", "triggers": ["t"],
             "payments": [{"id": "plan_pay", "clause": "Plan", "amount": plan, "due": "termination_date + 10 days"}]},
        ],
    )  # fmt: skip
    r = status_report(t, facts(START, FIRED), D("2024-12-10"))
    got = {p["id"]: (p["amount"], p["status"] == "cancelled") for p in r["payments"] if p["id"].startswith("s_")}
    assert got == expected
    assert any(p["id"] == "plan_pay" and p["amount"] == plan for p in r["payments"])  # the plan pays in full
    last = next(p for p in r["payments"] if p["id"] == "s_3")
    assert f"Offset (S1): reduced by ${expected_cut(plan)} of ${plan} under plan" in last["why"]


def expected_cut(plan: str) -> str:
    """What comes off the last installment (1,000.00) for a plan paying `plan`."""
    return str(min(Decimal(plan), Decimal("1000.00")))


def test_an_offset_by_a_package_that_did_not_fire_changes_nothing_and_a_package_cannot_offset_itself() -> None:
    lump = {"id": "s", "clause": "S1", "amount": "3000", "due": "termination_date + 5 days"}
    base = {"id": "severance", "clause": "S1", "triggers": ["t"], "offset_by": ["plan"], "payments": [lump]}
    t = terms(
        triggers=[{"id": "t", "clause": "T", "events": ["termination_without_cause"]},
                  {"id": "gone", "clause": "T", "events": ["position_eliminated"]}],
        packages=[base, {"id": "plan", "clause": "Plan", "triggers": ["gone"], "payments": [
            {"id": "plan_pay", "clause": "Plan", "amount": "500", "due": "termination_date"}]}],
    )  # fmt: skip
    assert pay(t, "2024-12-10")["s"]["amount"] == "3000.00"
    with pytest.raises(ValueError, match="offset_by: unknown severance"):
        terms(triggers=[{"id": "t", "clause": "T", "events": ["termination_without_cause"]}],
              packages=[{**base, "offset_by": ["severance"]}])  # fmt: skip


def prongs_terms() -> ProvisionTerms:
    """A Change of Control defined by prongs, firing a lump sum on it (a single trigger)."""
    return terms(
        change_of_control={
            "definition": "prongs",
            "clause": "CoC",
            "merger": {"clause": "CoC(a)", "shareholders_retain_less_than_pct": "50"},
            "asset_sale": {"clause": "CoC(b)", "substantially_all_fraction": "0.90"},
            "beneficial_ownership": {"clause": "CoC(c)", "more_than_pct": "50"},
            "liquidation": {"clause": "CoC(d)"},
        },
        triggers=[{"id": "coc", "clause": "T", "events": ["change_of_control"]}],
        packages=[{"id": "bonus", "clause": "P", "triggers": ["coc"], "payments": [
            {"id": "coc_bonus", "clause": "P", "amount": "1000", "due": "change_of_control_date"}]}],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("events", "fires_on"),
    [
        ([ev("MergerConsummated", "2024-02-01", counterparty="X", company_shareholders_voting_pct_after="50")], None),
        ([ev("MergerConsummated", "2024-02-01", counterparty="X", company_shareholders_voting_pct_after="49.99")],
         "2024-02-01"),
        ([ev("BeneficialOwnershipChanged", "2024-02-01", person="Y", berg_affiliated=False, voting_pct="50")], None),
        ([ev("BeneficialOwnershipChanged", "2024-02-01", person="Y", berg_affiliated=False, voting_pct="50.01")],
         "2024-02-01"),
        ([ev("AssetTransferConsummated", "2024-02-01", series_id="s", kind="sale", fraction_of_assets="0.5"),
          ev("AssetTransferConsummated", "2024-03-01", series_id="s", kind="sale", fraction_of_assets="0.39")], None),
        ([ev("AssetTransferConsummated", "2024-02-01", series_id="s", kind="sale", fraction_of_assets="0.5"),
          ev("AssetTransferConsummated", "2024-03-01", series_id="s", kind="sale", fraction_of_assets="0.4")],
         "2024-03-01"),
        ([ev("LiquidationOccurred", "2024-04-01", kind="plan of dissolution")], "2024-04-01"),
    ],
)  # fmt: skip
def test_a_change_of_control_by_prongs_on_both_sides_of_each_threshold(
    events: list[dict[str, Any]], fires_on: str | None
) -> None:
    """Family 3 by prongs: the rule the letter form uses (rules.change_of_control), with the file's thresholds
    and clauses; the package on the Change of Control fires on the prong's day."""
    t = prongs_terms()
    r = status_report(t, facts(START, *events), D("2024-06-01"))
    got = {p["id"]: p for p in r["payments"]}
    if fires_on is None:
        assert "coc_bonus" not in got and not r["packages"]["bonus"]["fired"]
    else:
        assert got["coc_bonus"]["due_date"] == fires_on and r["packages"]["bonus"]["event_date"] == fires_on
        assert "CoC(" in r["packages"]["bonus"]["why"]


def test_prong_facts_are_read_only_by_a_definition_by_prongs() -> None:
    from obligations.rules.agreement import check_history

    merger = ev("MergerConsummated", "2024-02-01", counterparty="X", company_shareholders_voting_pct_after="10")
    assert not check_history(prongs_terms(), [], facts(START, merger), {})
    by_fact = one_package({"amount": "1", "due": "termination_date"}, change_of_control={"clause": "C"})
    errors = check_history(by_fact, [], facts(START, merger), {})
    assert errors and "a fact of the letter form" in str(errors[0])
    with pytest.raises(ValueError, match="at least one prong"):
        terms(change_of_control={"definition": "prongs", "clause": "C"})
    with pytest.raises(ValueError, match="prongs belong to definition"):
        terms(change_of_control={"clause": "C", "liquidation": {"clause": "L"}})


def test_terms_show_says_a_definition_by_prongs_in_words() -> None:
    from obligations.terms.describe import describe_provisions

    lines = [p.words for p in describe_provisions(prongs_terms())]
    assert any(
        "a merger leaving the shareholders less than 50% (CoC(a))" in x and "a liquidation (CoC(d))" in x for x in lines
    ), lines


@pytest.mark.parametrize(
    ("year_end", "amount"),
    [
        # a fixed 30 September: FY 2024-10-01..2025-09-30, 365 days; employed 71 of them through 10 December
        ("09-30", "35500.00"),
        # the Sunday nearest 30 September (52/53-week years): FY 2024-09-30..2025-09-28, 364 days; 72 employed
        ("sun nearest 09-30", "36098.90"),
    ],
)
def test_a_pro_rata_bonus_over_a_fiscal_year_that_ends_on_a_weekday(year_end: str, amount: str) -> None:
    t = one_package({"amount": "target_bonus * proration", "due": "termination_date + 30 days"},
                    days={"fiscal_year_end": year_end})  # fmt: skip
    p = pay(t, "2024-12-10")["pay"]
    assert p["amount"] == amount, p["why"]


def gr_terms(short_notice: str = "extend", **process: str) -> ProvisionTerms:
    """Good Reason as the Valence letter has it: a relocation is Good Reason from the day it happens (no notice
    or cure), and the resignation needs 30 days' advance notice."""
    return terms(
        good_reason={"clause": "GR", "resignation_notice": "30 days", "short_notice": short_notice, **process},
        grounds=[{"id": "moved", "clause": "GR(a)", "kind": "relocation", "more_than_miles": "50"}],
        triggers=[{"id": "t", "clause": "T", "events": ["resignation_for_good_reason"]}],
        packages=[{"id": "p", "clause": "P", "triggers": ["t"],
                   "payments": [{"id": "lump", "clause": "P", "amount": "1000", "due": "termination_date"}]}],
    )  # fmt: skip


MOVED = ev("WorkplaceRelocated", "2024-11-01", new_location="Reno", distance_miles="60")


def resign(requested: str | None) -> dict[str, Any]:
    return ev("ResignationNoticeGiven", "2024-11-10", sent_date="2024-11-10", good_reason_grounds_claimed=["moved"],
              requested_effective_date=requested)  # fmt: skip


@pytest.mark.parametrize(
    ("short_notice", "requested", "how", "effective"),
    [
        ("extend", "2024-12-10", "resignation_for_good_reason", "2024-12-10"),  # exactly 30 days
        ("extend", "2024-12-09", "resignation_for_good_reason", "2024-12-10"),  # a day short: extended
        ("lose_good_reason", "2024-12-10", "resignation_for_good_reason", "2024-12-10"),
        ("lose_good_reason", "2024-12-09", "resignation", "2024-12-09"),  # a day short: Good Reason lost
        ("lose_good_reason", None, "resignation_for_good_reason", "2024-12-10"),  # no date asked: the notice's
    ],
)
def test_a_good_reason_resignation_gives_its_advance_notice(
    short_notice: str, requested: str | None, how: str, effective: str
) -> None:
    r = status_report(gr_terms(short_notice), facts(START, MOVED, resign(requested)), D("2025-01-01"))
    assert (r["employment"]["how"], r["employment"]["termination_date"]) == (how, effective), r["employment"]["why"]
    assert ("lump" in {p["id"] for p in r["payments"]}) == (how == "resignation_for_good_reason")


def test_a_good_reason_step_left_out_is_not_required() -> None:
    # no notice and no cure: Good Reason from the day the condition arose, with no deadline to resign
    r = status_report(gr_terms(), facts(START, MOVED), D("2024-11-01"))
    g = r["grounds"][0]
    assert (g["available_from"], g["available_until"], g["notice"]) == ("2024-11-01", None, None)
    assert r["open_clocks"] == []
    # a cure period without a deadline for the notice: the cure runs from whenever the notice comes
    waiting = status_report(gr_terms(cure="30 days"), facts(START, MOVED), D("2025-06-01"))
    assert waiting["grounds"][0]["available_from"] is None
    noticed = ev("GoodReasonNoticeGiven", "2025-06-01", grounds=["moved"])
    r = status_report(gr_terms(cure="30 days"), facts(START, MOVED, noticed), D("2025-06-01"))
    assert r["grounds"][0]["available_from"] == "2025-07-02"
    assert [c["clock"] for c in r["open_clocks"]] == ["good_reason_cure:moved"]
    # a relocation of exactly 50 miles is no ground at all
    near = ev("WorkplaceRelocated", "2024-11-01", new_location="Reno", distance_miles="50")
    r = status_report(gr_terms(), facts(START, near, resign(None)), D("2025-01-01"))
    assert r["employment"]["how"] == "resignation" and r["grounds"][0]["arose"] is None


def cause_terms(**ground: Any) -> ProvisionTerms:
    return terms(
        cause={"clause": "C"},
        cause_grounds=[{"id": "g", "clause": "C(a)", **ground}],
        triggers=[{"id": "t", "clause": "T", "events": ["termination_without_cause"]}],
        packages=[{"id": "p", "clause": "P", "triggers": ["t"],
                   "payments": [{"id": "sev", "clause": "P", "amount": "1000", "due": "termination_date"}]}],
    )  # fmt: skip


FOR_CAUSE = ev("EmploymentTerminatedByCompany", "2024-12-10", stated_ground="for_cause")


def conviction(offense: str, turpitude: bool, day: str = "2024-12-10") -> dict[str, Any]:
    return ev("ConvictionEntered", day, plea="guilty", offense_class=offense, theft_embezzlement_misappropriation=False,
              company_property=False, moral_turpitude=turpitude)  # fmt: skip


@pytest.mark.parametrize(
    ("ground", "fact", "how"),
    [
        ({"kind": "conviction"}, conviction("felony", False), "termination_for_cause"),
        ({"kind": "conviction"}, conviction("misdemeanor", True), "termination_without_cause"),
        ({"kind": "conviction", "convictions": ["felony", "moral_turpitude"]}, conviction("misdemeanor", True),
         "termination_for_cause"),
        ({"kind": "conviction", "convictions": ["felony", "moral_turpitude"]}, conviction("misdemeanor", False),
         "termination_without_cause"),
        ({"kind": "conviction", "convictions": ["misdemeanor"]}, conviction("misdemeanor", False),
         "termination_for_cause"),
        ({"kind": "conviction"}, conviction("felony", False, "2024-12-11"), "termination_without_cause"),  # a day late
        ({"kind": "policy_violation"}, ev("PolicyViolationFound", "2024-12-01", policy="code", willful=True),
         "termination_for_cause"),
        ({"kind": "policy_violation"}, ev("PolicyViolationFound", "2024-12-01", policy="code", willful=False),
         "termination_without_cause"),
        ({"kind": "policy_violation", "wilful_only": False},
         ev("PolicyViolationFound", "2024-12-01", policy="code", willful=False), "termination_for_cause"),
    ],
)  # fmt: skip
def test_cause_grounds_read_from_the_facts_that_make_them(
    ground: dict[str, Any], fact: dict[str, Any], how: str
) -> None:
    """Family 6: a conviction of the kinds the ground lists, or a (wilful) policy violation found, is Cause from
    its day; a termination stated for Cause without one is a termination without Cause, and its package fires."""
    r = status_report(cause_terms(**ground), facts(START, fact, FOR_CAUSE), D("2024-12-12"))
    assert r["employment"]["how"] == how, r["employment"]["why"]
    assert ("sev" in {p["id"] for p in r["payments"]}) == (how == "termination_without_cause")


@pytest.mark.parametrize(
    ("notice", "in_lieu", "left"), [(None, "60000.00", "40000.00"), ("2024-10-11", None, "100000.00")]
)
def test_a_severance_offset_by_the_pay_in_lieu_of_notice(notice: str | None, in_lieu: str | None, left: str) -> None:
    """60 days' notice or pay in lieu of it; the severance is reduced by what is paid in lieu (none when the
    notice was given in full: 60 days from 11 October run to 10 December)."""
    t = terms(
        term={"kind": "at_will", "clause": "T", "notice_by_company": "60 days", "pay_in_lieu_of_notice": True},
        triggers=[{"id": "t", "clause": "T", "events": ["termination_without_cause"]}],
        packages=[{"id": "p", "clause": "P", "triggers": ["t"], "offset_by": ["pay_in_lieu_of_notice"],
                   "payments": [{"id": "sev", "clause": "P", "amount": "100000", "due": "termination_date"}]}],
    )  # fmt: skip
    given = [ev("NoticeOfTerminationGiven", notice, by="company")] if notice else []
    got = pay(t, "2024-12-10", *given)
    assert got.get("pay_in_lieu_of_notice", {}).get("amount") == in_lieu
    assert got["sev"]["amount"] == left


def test_a_cause_grounds_settings_belong_to_its_kind() -> None:
    with pytest.raises(ValueError, match="convictions belong"):
        cause_terms(kind="uncured_notice", cure="30 days", convictions=["felony"])
    with pytest.raises(ValueError, match="wilful_only belongs to a policy_violation ground"):
        cause_terms(kind="conviction", wilful_only=False)


@pytest.mark.parametrize(
    ("ended", "inclusive", "fires"),
    [
        ("2024-12-31", False, True),  # the last day before `before`: inside either way
        ("2025-01-02", False, False),  # the `before` day itself: outside by default (I-04) ...
        ("2025-01-02", True, True),  # ... inside with window_inclusive_end
        ("2025-01-03", True, False),  # the day after: outside either way
    ],
)
def test_a_window_end_is_exclusive_unless_the_trigger_says_inclusive(ended: str, inclusive: bool, fires: bool) -> None:
    trigger = {"id": "t", "clause": "T", "events": ["termination_without_cause"], "on_or_after": "start_date",
               "before": "start_date + 24 months", "window_inclusive_end": inclusive}  # fmt: skip
    package = {"id": "p", "clause": "P", "triggers": ["t"], "payments": [{"id": "pay", "clause": "P", "amount": "1000",
               "due": "fired_date + 5 days"}], "window_clock": True}  # fmt: skip
    t = terms(triggers=[trigger], packages=[package])
    fired = ev("EmploymentTerminatedByCompany", ended, stated_ground="without_cause")
    r = status_report(t, facts(START, fired), D(ended))
    assert any(p["id"] == "pay" for p in r["payments"]) is fires
    window = status_report(t, facts(START), D("2024-06-01"))["open_clocks"]
    assert [(c["clock"], c["deadline"]) for c in window] == [("p_window", "2025-01-02" if inclusive else "2025-01-01")]


def test_a_package_names_its_anchor_as_its_clause_does_in_the_words_of_its_due_date() -> None:
    named = one_package({"amount": "1000", "due": "fired_date + 5 days"})
    named.agreement.packages[0].names["fired_date"] = "the Termination Date"
    why = pay(named, "2024-12-10")["pay"]["why"]
    assert "due the fifth day following the Termination Date: 2024-12-10 + 5 days = 2024-12-15" in why
    plain = pay(one_package({"amount": "1000", "due": "fired_date + 5 days"}), "2024-12-10")["pay"]["why"]
    assert "fired_date 2024-12-10 + 5 calendar days = 2024-12-15" in plain
    with pytest.raises(ValueError, match="unknown date anchor 'fired_day'"):
        terms(triggers=[{"id": "t", "clause": "T", "events": ["termination_without_cause"]}],
              packages=[{"id": "p", "clause": "P", "triggers": ["t"], "names": {"fired_day": "x"}}])  # fmt: skip


def test_cobra_premiums_come_with_a_cobra_clause_alone_and_two_such_packages_name_theirs_apart() -> None:
    coverage = [ev("HealthCoverageChanged", "2023-01-03", tier="employee_only", dependents=0),
                ev("CarrierContinuationDecision", "2024-12-11", allowed=False,
                   cobra_monthly_premium={"employee_only": "300", "employee_plus_dependents": "800"}),
                ev("CobraElected", "2024-12-12", tier="employee_only")]  # fmt: skip

    def premiums(*health: dict[str, Any]) -> list[str]:
        packages = [{"id": f"p{n}", "clause": "P", "triggers": ["t"], "health": h} for n, h in enumerate(health)]
        t = terms(triggers=[{"id": "t", "clause": "T", "events": ["termination_without_cause"]}], packages=packages)
        r = status_report(t, facts(START, *coverage[:1], FIRED, *coverage[1:]), D("2024-12-12"))
        return sorted(p["id"] for p in r["payments"] if "cobra_premium" in p["id"])

    assert premiums({"months": 2, "clause": "H"}) == []
    assert premiums({"months": 2, "clause": "H", "cobra_clause": "H s.2"}) == ["cobra_premium_1", "cobra_premium_2"]
    both = premiums(
        {"months": 1, "clause": "H", "cobra_clause": "H s.2"}, {"months": 1, "clause": "K", "cobra_clause": "K"}
    )
    assert both == ["cobra_premium_1", "p1:cobra_premium_1"]


def test_explain_names_the_interpretation_settings_of_the_blocks_a_payment_came_from() -> None:
    from obligations.rules.provisions.audit import explain_item

    trigger = {"id": "t", "clause": "T", "events": ["termination_without_cause"], "before": "2030-01-01"}
    package = {"id": "p", "clause": "P", "triggers": ["t"],
               "payments": [{"id": "pay", "clause": "P", "amount": "1000", "due": "fired_date + 5 days"}]}  # fmt: skip
    for setting, configured in ((False, "default"), (True, "file")):
        t = terms(triggers=[{**trigger, **({"window_inclusive_end": False} if setting else {})}], packages=[package])
        x = explain_item(t, facts(START, FIRED), D("2024-12-10"), "pay", "agreements/t.toml")
        got = {(i["id"], i["setting"]): i for i in x["interpretations"]}
        assert {("I-01", "roll"), ("I-03", "feb29"), ("I-10", "notices"), ("I-04", "window_inclusive_end"),
                ("I-05", "tested_on"), ("I-07", "fires_once")} <= set(got)  # fmt: skip
        window = got[("I-04", "window_inclusive_end")]
        assert window["value"] is False and window["default"] is False
        assert window["configured_in"] == (
            "agreements/t.toml triggers.t.window_inclusive_end" if configured == "file"
            else "the default (not set in the terms)"
        )  # fmt: skip
    assert (
        explain_item(t, facts(START, FIRED), D("2024-12-10"), "final_prorated_salary")["interpretations"][0]["id"]
        == "I-01"
    )


def test_a_fulfilled_when_value_that_can_never_equal_the_facts_field_is_refused() -> None:
    i9 = {"id": "i9", "clause": "O", "owed_by": "Employee", "owed_to": "Company", "description": "I-9",
          "due": "start_date + 3 days", "fulfilled_by": "I9Submitted"}  # fmt: skip
    assert terms(obligations=[{**i9, "fulfilled_when": {"documentation_satisfactory": True}}])
    with pytest.raises(ValueError, match=r"fulfilled_when\.documentation_satisfactory: 'true' can never equal"):
        terms(obligations=[{**i9, "fulfilled_when": {"documentation_satisfactory": "true"}}])


def test_a_grant_made_by_options_granted_refuses_grant_made_saying_why() -> None:
    from obligations.rules.agreement import check_history

    grant = {"id": "options", "kind": "options", "clause": "G", "quantity": "100", "made_by": "OptionsGranted"}
    fs = facts(START, ev("GrantMade", "2023-01-03", grant="options", quantity=100))
    errors = check_history(terms(grants=[grant]), fs[:1], fs[1:], {})
    assert len(errors) == 1 and str(errors[0]) == (
        "field type: GrantMade: terms t (the provisions form) have no provision that reads it (their grants are "
        "made by OptionsGranted: [[grants]] made_by)"
    )
    assert not check_history(terms(grants=[{**grant, "made_by": "GrantMade"}]), fs[:1], fs[1:], {})


def test_an_obligation_counted_from_the_last_payment_moves_with_the_payments_in_the_dated_items() -> None:
    """Dated items take a part of the last derivation again when nothing it reads changed: an obligation due
    30 days after the last payment is computed after the payments, which a later Change of Control turns into
    one remainder. The dated items equal those of the reference walk (every date a whole report names)."""
    t = one_package(
        {
            "amount": "120000",
            "installments": 12,
            "every": "1 month",
            "first": "2025-01-31",
            "remainder_on_change_of_control": True,
        },
        change_of_control={"clause": "C"},
        obligations=[
            {
                "id": "return_property",
                "clause": "O",
                "owed_by": "Employee",
                "owed_to": "Company",
                "description": "return company property",
                "due": "last_payment_date + 30 days",
            }
        ],  # fmt: skip
    )
    fs = facts(START, FIRED, ev("ChangeOfControlDetermined", "2025-03-10"))
    items = dated_items(t, fs)
    assert items == dated_items(t, fs, thorough=True)
    duty = [(i.valid_from, i.valid_to, i.due_date) for i in items if i.item_id == "return_property"]
    assert duty == [
        (D("2024-12-10"), D("2025-03-10"), D("2025-12-31") + timedelta(days=30)),  # after the twelfth installment
        (D("2025-03-10"), None, D("2025-03-10") + timedelta(days=30)),  # after the remainder, paid on the day
    ]
