"""Table-driven rule tests on both sides of every boundary the catalogue names (§0.3, §5, §6, §7)."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import clock, ev, obligation, payment, report, start, valence_terms

S = "2004-12-13"


def neglect(day: str, nid: str = "NN-1", demanded: bool = True) -> dict[str, Any]:
    return ev(
        "NeglectNoticeReceived", day, notice_id=nid, sent_date=day, duties_specified="pipeline", cure_demanded=demanded
    )


def breach(day: str, nid: str = "B-1", material: bool = True) -> dict[str, Any]:
    return ev("BreachNoticeReceived", day, notice_id=nid, sent_date=day, provision="§6", material=material)


def resign(day: str, requested: str | None = None) -> dict[str, Any]:
    return ev(
        "ResignationNoticeGiven", day, sent_date=day, requested_effective_date=requested, good_reason_grounds_claimed=[]
    )


def fire(day: str, ground: str = "without_cause") -> dict[str, Any]:
    return ev("EmploymentTerminatedByCompany", day, stated_ground=ground)


def cut(day: str, rate: str, agreed: bool = False) -> dict[str, Any]:
    amendment = {"signed_by_chairman_ceo_president": True, "signed_by_employee": True} if agreed else None
    return ev("SalaryChanged", day, new_annual_rate=rate, amendment=amendment)


def merger(day: str, pct: Any) -> dict[str, Any]:
    return ev("MergerConsummated", day, counterparty="Acquirer", company_shareholders_voting_pct_after=pct)


# §5.2(b): neglect notice received 2005-03-10, day 30 = 2005-04-09, Good Cause (b) from 2005-04-10.
@pytest.mark.parametrize(
    ("cure_day", "as_of", "available"),
    [
        (None, "2005-04-09", False),
        (None, "2005-04-10", True),
        ("2005-04-09", "2005-04-10", False),
        ("2005-04-10", "2005-04-10", True),
        ("2005-04-10", "2005-05-01", True),
    ],
)
def test_neglect_cure_day_30_stops_the_clock_day_31_does_not(cure_day: str | None, as_of: str, available: bool) -> None:
    events = [start(), neglect("2005-03-10")]
    if cure_day:
        events.append(ev("NeglectCured", cure_day, notice_id="NN-1"))
    r = report(events, as_of)
    assert ("5.2(b)" in r["grounds"]["good_cause_available"]) is available


def test_neglect_clock_is_open_through_day_30() -> None:
    events = [start(), neglect("2005-03-10")]
    c = clock(report(events, "2005-04-09"), "neglect_cure_period")
    assert c and c["notice_id"] == "NN-1" and c["started"] == "2005-03-10" and c["deadline"] == "2005-04-09"
    assert clock(report(events, "2005-04-10"), "neglect_cure_period") is None


def test_notice_without_a_cure_demand_starts_no_clock() -> None:
    r = report([start(), neglect("2005-03-10", demanded=False)], "2005-06-01")
    assert r["grounds"]["good_cause_available"] == [] and clock(r, "neglect_cure_period") is None


# §5.4(f): breach notice received 2005-11-15, day 30 = 2005-12-15, Good Reason (f) from 2005-12-16.
@pytest.mark.parametrize(("as_of", "available"), [("2005-12-15", False), ("2005-12-16", True)])
def test_breach_ground_from_day_31(as_of: str, available: bool) -> None:
    r = report([start(), breach("2005-11-15")], as_of)
    assert ("5.4(f)" in r["grounds"]["good_reason_available"]) is available


def test_immaterial_breach_is_no_ground() -> None:
    assert (
        report([start(), breach("2005-11-15", material=False)], "2006-01-01")["grounds"]["good_reason_available"] == []
    )


# §5.4(c): more than 10%, strict, cumulative from the peak (I-13).
@pytest.mark.parametrize(
    ("rates", "ground"),
    [
        (["180000"], False),
        (["179000"], True),
        (["188000", "178600"], True),
        (["188000", "180000"], False),
        (["220000", "197000"], True),
        (["220000", "198000"], False),
    ],
)
def test_salary_cut_more_than_ten_percent(rates: list[str], ground: bool) -> None:
    events = [start()] + [cut(f"2005-0{3 + n}-01", rate) for n, rate in enumerate(rates)]
    assert ("5.4(c)" in report(events, "2005-12-01")["grounds"]["good_reason_available"]) is ground


def test_agreed_cut_is_excluded_and_resets_the_baseline() -> None:
    agreed = [start(), cut("2005-03-01", "150000", agreed=True)]
    assert report(agreed, "2005-04-01")["grounds"]["good_reason_available"] == []
    later = agreed + [cut("2005-05-01", "135000")]  # exactly 10% of the new baseline
    assert report(later, "2005-06-01")["grounds"]["good_reason_available"] == []
    unsigned = [
        start(),
        ev(
            "SalaryChanged",
            "2005-03-01",
            new_annual_rate="150000",
            amendment={"signed_by_chairman_ceo_president": True, "signed_by_employee": False},
        ),
    ]
    assert report(unsigned, "2005-04-01")["grounds"]["good_reason_available"] == ["5.4(c)"]


# §5.3(a)(i) strictly below 50%, §5.3(b) strictly above 50%, Berg excluded.
@pytest.mark.parametrize(("pct", "coc"), [("50", False), ("60", False), ("49.99", True)])
def test_merger_threshold(pct: str, coc: bool) -> None:
    assert report([start(), merger("2005-06-01", pct)], "2005-07-01")["change_of_control"]["occurred"] is coc


@pytest.mark.parametrize(
    ("person", "berg", "pct", "coc"),
    [
        ("Fund A", False, "50", False),
        ("Fund A", False, "50.1", True),
        ("Fund A", False, 55, True),
        ("Carl Berg", False, 80, False),
        ("Berg Holdings", True, 90, False),
    ],
)
def test_beneficial_ownership_threshold(person: str, berg: bool, pct: Any, coc: bool) -> None:
    e = ev("BeneficialOwnershipChanged", "2005-06-01", person=person, berg_affiliated=berg, voting_pct=pct)
    assert report([start(), e], "2005-07-01")["change_of_control"]["occurred"] is coc


def test_asset_transfers_sum_within_a_series_to_ninety_percent() -> None:
    def t(day: str, series: str, f: str) -> dict[str, Any]:
        return ev("AssetTransferConsummated", day, series_id=series, kind="sale", fraction_of_assets=f)

    assert not report([start(), t("2005-05-01", "A", "0.5"), t("2005-06-01", "B", "0.45")], "2005-07-01")[
        "change_of_control"
    ]["occurred"]
    r = report([start(), t("2005-05-01", "A", "0.5"), t("2005-06-01", "A", "0.4")], "2005-07-01")
    # the event rests on both transfers of the series: the second completed what the first began
    assert r["change_of_control"]["events"] == [
        {"date": "2005-06-01", "prong": "5.3(a)(ii)", "while_employed": True, "fact_ids": ["t#1", "t#2"]}
    ]


# §5.1 window: last day 2006-12-12 for a 2004-12-13 start (I-04).
@pytest.mark.parametrize(("day", "pays"), [("2006-12-12", True), ("2006-12-13", False)])
def test_window_last_day_and_day_after(day: str, pays: bool) -> None:
    r = report([start(), fire(day)], "2007-01-31")
    assert (payment(r, "lump_sum_5_1a") is not None) is pays
    assert r["options"]["accelerated"] > 0  # §3 acceleration has no time limit (I-08)


def test_catalogue_termination_without_cause_example() -> None:
    r = report([start(), fire("2005-05-20")], "2005-05-24")
    lump, final = payment(r, "lump_sum_5_1a"), payment(r, "final_prorated_salary")
    assert lump and lump["due_date"] == "2005-05-25" and lump["status"] == "not_yet_due"
    assert final and final["due_date"] == "2005-05-26"  # Thursday: TD + 6, a weekday
    h = r["health_continuation"]
    assert (h["period_start"], h["period_end"], h["path"]) == ("2005-05-21", "2005-11-20", "pending_carrier_decision")
    assert r["employment"]["termination_type"] == "termination_without_good_cause"


@pytest.mark.parametrize(
    ("as_of", "status"), [("2005-05-24", "not_yet_due"), ("2005-05-25", "due"), ("2005-05-26", "overdue")]
)
def test_payment_status_around_its_due_date(as_of: str, status: str) -> None:
    assert payment(report([start(), fire("2005-05-20")], as_of), "lump_sum_5_1a")["status"] == status  # type: ignore[index]


def test_lump_sum_paid_late_and_partial() -> None:
    base = [start(), fire("2005-05-20")]
    on_time = report(
        base + [ev("PaymentMade", "2005-05-25", obligation="lump_sum_5_1a", amount="100000")], "2005-06-01"
    )
    assert payment(on_time, "lump_sum_5_1a") == {
        **payment(on_time, "lump_sum_5_1a"),
        "status": "paid",  # type: ignore[dict-item]
        "paid_on": "2005-05-25",
        "paid_late": False,
    }
    late = report(
        base + [ev("PaymentMade", "2005-05-26", obligation="lump_sum_5_1a", amount="100000.00")], "2005-06-01"
    )
    assert payment(late, "lump_sum_5_1a")["paid_late"] is True  # type: ignore[index]
    part = report(base + [ev("PaymentMade", "2005-05-25", obligation="lump_sum_5_1a", amount="40000")], "2005-06-01")
    assert payment(part, "lump_sum_5_1a")["status"] == "overdue"  # type: ignore[index]


def test_coc_lump_sum_due_on_a_saturday_is_not_rolled() -> None:
    r = report([start(), merger("2006-02-13", 40)], "2006-02-14")
    assert payment(r, "lump_sum_5_1a")["due_date"] == "2006-02-18"  # type: ignore[index]
    assert r["employment"] == {"status": "active", "why": r["employment"]["why"], "fact_ids": ["t#0"]}
    assert r["health_continuation"]["path"] == "active_employment_coverage"
    assert r["options"]["acceleration_date"] == "2006-02-13" and r["options"]["vested"] == 220000


def test_final_pay_on_a_weekend_moves_to_monday() -> None:
    r = report([start(), fire("2005-05-21")], "2005-05-22")  # Saturday + 6 = Friday 05-27: no move
    assert payment(r, "final_prorated_salary")["due_date"] == "2005-05-27"  # type: ignore[index]
    r = report([start(), fire("2005-05-16")], "2005-05-22")  # Monday + 6 = Sunday 05-22 → Monday 05-23
    assert payment(r, "final_prorated_salary")["due_date"] == "2005-05-23"  # type: ignore[index]


@pytest.mark.parametrize(
    ("days", "amount"),
    [
        (5, "2739.73"),
        (8, "4383.56"),
        (10, "5479.45"),
        (11, "6027.40"),
        (12, "6575.34"),
        (15, "8219.18"),
        (16, "8767.12"),
        (17, "9315.07"),
        (18, "9863.01"),
    ],
)
def test_prorated_salary_table(days: int, amount: str) -> None:
    paid = ev("SalaryPaid", "2005-04-29", period_start="2005-04-11", period_end="2005-04-24", amount="7671.23")
    td = f"2005-04-{24 + days:02d}" if 24 + days <= 30 else f"2005-05-{24 + days - 30:02d}"
    r = report([start(), paid, fire(td)], "2005-06-30")
    assert payment(r, "final_prorated_salary")["amount"] == amount  # type: ignore[index]


@pytest.mark.parametrize(
    ("rate", "days", "amount"), [("179000", 12, "5884.93"), ("179000", 18, "8827.40"), ("180000", 12, "5917.81")]
)
def test_prorated_salary_at_other_rates(rate: str, days: int, amount: str) -> None:
    paid = ev("SalaryPaid", "2005-04-29", period_start="2005-04-11", period_end="2005-04-24", amount="1")
    td = f"2005-05-{24 + days - 30:02d}" if days > 6 else f"2005-04-{24 + days}"
    r = report([start(), cut("2005-01-01", rate), paid, fire(td)], "2005-06-30")
    assert payment(r, "final_prorated_salary")["amount"] == amount  # type: ignore[index]


def test_good_reason_resignation_effective_after_30_days_and_next_payday() -> None:
    events = [start(), breach("2005-11-15"), resign("2006-03-01")]
    r = report(events, "2006-03-30")
    assert r["employment"]["status"] == "resignation_notice_period"
    assert r["employment"]["pending_termination_date"] == "2006-03-31"
    r = report(events, "2006-03-31")
    assert r["employment"]["termination_type"] == "resignation_for_good_reason"
    assert payment(r, "lump_sum_5_1a")["due_date"] == "2006-04-05"  # type: ignore[index]
    # paydays: 2004-12-31 + 14k; the next one strictly after 2006-03-31 is 2006-04-07
    assert payment(r, "final_prorated_salary")["due_date"] == "2006-04-07"  # type: ignore[index]


def test_notice_near_window_end_takes_effect_after_it_i05() -> None:
    events = [start(), breach("2005-11-15"), resign("2006-11-25")]
    r = report(events, "2006-12-26")
    assert r["employment"]["termination_date"] == "2006-12-25" and r["section_5_1"]["triggered"] is False
    assert r["options"]["acceleration_date"] == "2006-12-25"
    alt = report(events, "2006-12-26", valence_terms(window_test_date="notice_date"))
    assert alt["section_5_1"]["triggered"] is True


def test_resignation_without_good_reason_forfeits_and_is_immediate() -> None:
    r = report([start(), resign("2006-01-10")], "2006-01-10")
    assert r["employment"]["termination_type"] == "resignation_without_good_reason"
    assert (r["options"]["vested"], r["options"]["forfeited"]) == (55000, 165000)
    assert r["payments"][0]["id"] == "final_prorated_salary" and len(r["payments"]) == 1


def test_tranche_on_the_termination_date_vests_i09() -> None:
    r = report(
        [
            start(),
            fire("2005-12-13", "good_cause_c"),
        ],
        "2006-01-01",
    )
    assert r["employment"]["good_cause_claim_rejected"] is True  # no ground available: reclassified (I-14)
    ok = report(
        [
            start(),
            ev("PolicyViolationFound", "2005-12-01", policy="expenses", willful=True),
            fire("2005-12-13", "good_cause_c"),
        ],
        "2006-01-01",
    )
    assert ok["employment"]["termination_type"] == "termination_for_good_cause"
    assert (ok["options"]["vested"], ok["options"]["forfeited"]) == (55000, 165000)
    day_before = report(
        [
            start(),
            ev("PolicyViolationFound", "2005-12-01", policy="x", willful=True),
            fire("2005-12-12", "good_cause_c"),
        ],
        "2006-01-01",
    )
    assert day_before["options"]["vested"] == 0


@pytest.mark.parametrize(
    ("plea", "cls", "theft", "company", "moral", "ground"),
    [
        ("guilty", "misdemeanor", True, True, False, True),
        ("no_contest", "misdemeanor", True, False, False, False),
        ("convicted_at_trial", "felony", True, False, False, True),
        ("guilty", "misdemeanor", False, False, True, True),
    ],
)
def test_good_cause_a_conviction(plea: str, cls: str, theft: bool, company: bool, moral: bool, ground: bool) -> None:
    c = ev(
        "ConvictionEntered",
        "2005-06-01",
        plea=plea,
        offense_class=cls,
        theft_embezzlement_misappropriation=theft,
        company_property=company,
        moral_turpitude=moral,
    )
    assert ("5.2(a)" in report([start(), c], "2005-06-01")["grounds"]["good_cause_available"]) is ground


def test_i9_deadline_and_offer_condition_failure() -> None:
    assert obligation(report([start()], "2004-12-16"), "submit_i9")["status"] == "due"
    assert obligation(report([start()], "2004-12-17"), "submit_i9")["status"] == "overdue"
    late = report([start(), ev("I9Submitted", "2004-12-17", documentation_satisfactory=True)], "2004-12-20")
    assert obligation(late, "submit_i9")["status"] == "fulfilled_late"
    assert clock(report([start()], "2004-12-16"), "i9_submission") is not None
    assert clock(report([start()], "2004-12-17"), "i9_submission") is None
    r = report([start(), fire("2004-12-20", "offer_condition_failure_i9")], "2004-12-21")
    assert r["employment"]["termination_type"] == "offer_condition_failure" and not payment(r, "lump_sum_5_1a")


def test_bonus_program_deadline_within_30_days() -> None:
    assert obligation(report([start()], "2005-01-12"), "finalize_bonus_program")["status"] == "due"
    assert obligation(report([start()], "2005-01-13"), "finalize_bonus_program")["status"] == "overdue"


def test_feb29_start() -> None:
    r = report([start("2008-02-29")], "2009-02-28")
    assert r["section_5_1"]["window_end"] == "2010-02-27"
    assert r["options"]["vested"] == 55000
    assert report([start("2008-02-29")], "2009-02-27")["options"]["vested"] == 0
    assert report([start("2008-02-29")], "2012-02-29")["options"]["vested"] == 220000
    assert report([start("2008-02-29")], "2012-02-28")["options"]["vested"] == 206250


@pytest.mark.parametrize(
    ("as_of", "periods", "hours"),
    [("2004-12-25", 0, "0.00"), ("2004-12-26", 1, "6.15"), ("2005-12-12", 26, "160.00"), ("2006-06-13", 39, "240.00")],
)
def test_vacation_table(as_of: str, periods: int, hours: str) -> None:
    v = report([start()], as_of)["vacation"]
    assert (v["completed_periods"], v["accrued_hours"]) == (periods, hours)


def test_vacation_stops_at_the_termination_date() -> None:
    v = report([start(), fire("2005-10-07")], "2006-06-01")["vacation"]
    assert (v["completed_periods"], v["accrued_hours"]) == (21, "129.23")


def test_cobra_worked_example() -> None:
    events = [
        start(),
        ev("HealthCoverageChanged", S, tier="employee_plus_dependents", dependents=2),
        fire("2005-08-19"),
        ev(
            "CarrierContinuationDecision",
            "2005-08-22",
            allowed=False,
            cobra_monthly_premium={"employee_only": "400", "employee_plus_dependents": "950"},
        ),
        ev("CobraElected", "2005-08-29", tier="employee_plus_dependents"),
    ]
    r = report(events, "2005-09-01")
    premiums = [p for p in r["payments"] if p["id"].startswith("cobra_premium_")]
    assert [p["due_date"] for p in premiums] == [
        "2005-08-29",
        "2005-09-20",
        "2005-10-20",
        "2005-11-20",
        "2005-12-20",
        "2006-01-20",
    ]
    assert {p["amount"] for p in premiums} == {"950.00"}
    assert premiums[0]["coverage_month"] == {"start": "2005-08-20", "end": "2005-09-19"}
    assert r["health_continuation"]["path"] == "cobra_premium_payment"
    ended = report(events + [ev("CobraEligibilityEnded", "2005-11-20", reason="other coverage")], "2005-12-01")
    assert [p["status"] for p in ended["payments"] if p["id"].startswith("cobra")][-3:] == ["cancelled"] * 3


def test_dependents_added_on_the_termination_date_do_not_count() -> None:
    events = [
        start(),
        fire("2005-08-19"),
        ev("HealthCoverageChanged", "2005-08-19", tier="employee_plus_dependents", dependents=1),
    ]
    h = report(events, "2005-08-20")["health_continuation"]
    assert (h["tier"], h["dependents_covered"]) == ("employee_only", False)


def test_second_trigger_pays_no_second_lump_sum() -> None:
    r = report([start(), merger("2005-08-01", 40), fire("2006-01-05")], "2006-02-01")
    assert [p["id"] for p in r["payments"]].count("lump_sum_5_1a") == 1
    assert r["section_5_1"]["trigger"] == "change_of_control"


def test_coc_after_employment_ended_has_no_effect_i18() -> None:
    r = report([start(), resign("2005-06-01"), merger("2005-08-01", 40)], "2005-09-01")
    assert r["change_of_control"]["events"][0]["while_employed"] is False
    assert r["options"]["accelerated"] == 0 and not r["section_5_1"]["triggered"]


def test_company_termination_during_good_reason_notice_i32() -> None:
    r = report(
        [start(), merger("2005-08-01", 40), resign("2005-09-01"), fire("2005-09-10", "good_cause_c")], "2005-09-30"
    )
    assert r["employment"]["termination_type"] == "termination_without_good_cause"
    assert r["employment"]["termination_date"] == "2005-09-10"


def test_withdrawn_resignation_closes_the_clock() -> None:
    events = [
        start(),
        breach("2005-01-03"),
        resign("2005-03-01"),
        ev("ResignationNoticeWithdrawn", "2005-03-10", company_consented=True),
    ]
    r = report(events, "2005-04-15")
    assert r["employment"]["status"] == "active" and clock(r, "resignation_notice_period") is None


def test_expenses_have_no_due_date_until_reimbursed() -> None:
    sub = ev(
        "ExpenseSubmitted", "2005-03-01", expense_id="E7", amount="120.50", incurred_date="2005-02-27", documented=True
    )
    assert payment(report([start(), sub], "2005-04-01"), "expense_E7")["status"] == "open_no_due_date"  # type: ignore[index]
    paid = report([start(), sub, ev("ExpenseReimbursed", "2005-03-15", expense_id="E7", amount="120.50")], "2005-04-01")
    assert payment(paid, "expense_E7")["status"] == "paid"  # type: ignore[index]


def test_exercise_price_on_a_non_trading_first_day_i24() -> None:
    price = ev("ClosingPriceRecorded", "2005-03-04", trading_date="2005-03-04", closing_price="3.01")
    r = report([start("2005-03-06"), price], "2005-03-07")  # a Sunday start
    assert r["exercise_price"]["exercise_price"] == "3.01"


def test_dispute_resolution_venue_from_the_event() -> None:
    r = report(
        [
            start(),
            ev("DisputeRaised", "2005-06-01", principal_executive_office_county="Travis County", subject="bonus"),
        ],
        "2005-06-02",
    )
    assert r["dispute_resolution"]["forum"] == "arbitration"
    assert r["dispute_resolution"]["venue_county"] == "Travis County"


def test_unsupported_good_cause_kept_as_disputed_when_configured_i14() -> None:
    terms = valence_terms(reclassify_unsupported_good_cause=False)
    r = report([start(), fire("2005-06-01", "good_cause_c")], "2005-06-02", terms)
    assert r["employment"]["termination_type"] == "termination_for_good_cause"
    assert r["employment"]["good_cause_claim_rejected"] is False and not payment(r, "lump_sum_5_1a")
