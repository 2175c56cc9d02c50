"""The letter's grounds as provisions-form kinds on one rule for both forms (issue 13, Valence re-expressed):
a move of the place of work (I-30), a reporting line (I-38), an agreed salary cut (I-13(3)), benefits cut after
a Change of Control and the Change of Control itself (I-31), a breach or a neglect left uncured after written
notice (I-14, I-15) with their cure periods as clocks, and the letter's kinds of conviction (I-16); each edge
on both sides, and the facts each kind makes readable."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from helpers import ev, facts
from obligations.rules.provisions.report import status_report
from obligations.rules.provisions.validation import check_history, readable_types
from obligations.terms.provisions import ProvisionTerms
from test_provisions_rules import START, conviction, terms

D = date.fromisoformat


def gr(**ground: Any) -> ProvisionTerms:
    return terms(good_reason={"clause": "GR"}, grounds=[{"id": "5.4(x)", "clause": "GR(x)", **ground}],
                 change_of_control={"clause": "C"})  # fmt: skip


def ground(t: ProvisionTerms, as_of: str, *extra: dict[str, Any]) -> dict[str, Any]:
    g: dict[str, Any] = status_report(t, facts(START, *extra), D(as_of))["grounds"][0]
    return g


@pytest.mark.parametrize(
    ("inside", "agreed", "arose"),
    [(False, False, "2024-03-01"), (True, False, None), (False, True, None)],
)
def test_a_move_of_the_place_of_work(inside: bool, agreed: bool, arose: str | None) -> None:
    moved = ev("WorkLocationChanged", "2024-03-01", new_location="Reno", in_austin_tx=inside, employee_agreed=agreed)
    assert ground(gr(kind="work_location"), "2024-04-01", moved)["arose"] == arose


@pytest.mark.parametrize(("reporting_line", "arose"), [(True, "2024-03-01"), (False, None)])
def test_a_reporting_line_counts_only_when_the_ground_says_so(reporting_line: bool, arose: str | None) -> None:
    line = ev("ReportingLineChanged", "2024-03-01", new_manager="VP", new_manager_holds_ceo_chair_president=False)
    t = gr(kind="duties_diminution", reporting_line=reporting_line)
    assert ("ReportingLineChanged" in readable_types(t)) is reporting_line
    assert ground(t, "2024-04-01", line)["arose"] == arose


AGREED = {"signed_by_chairman_ceo_president": True, "signed_by_employee": True}


@pytest.mark.parametrize(
    ("resets", "second", "arose"),
    [
        (True, "294000", None),  # 2% below the agreed 300,000: no ground
        (True, "269999", "2024-06-01"),  # more than 10% below the agreed 300,000
        (False, "294000", "2024-03-01"),  # the agreed cut itself is more than 10% below 365,000
    ],
)
def test_an_agreed_cut_is_the_new_baseline_when_the_ground_says_so(
    resets: bool, second: str, arose: str | None
) -> None:
    t = gr(kind="salary_reduction", threshold_pct="10", agreed_cut_resets_baseline=resets)
    cut = ev("SalaryChanged", "2024-03-01", new_annual_rate="300000", amendment=AGREED)
    again = ev("SalaryChanged", "2024-06-01", new_annual_rate=second, amendment=None)
    assert ground(t, "2024-07-01", cut, again)["arose"] == arose


def test_benefits_cut_after_a_change_of_control_and_the_change_itself() -> None:
    cut = ev("CompensationOrBenefitsChanged", "2024-03-01", description="plan", below_pre_coc_level=True,
             substantially_diminishes_overall_benefits=False, equitable_arrangement_approved_by_employee=False,
             notified=True)  # fmt: skip
    coc = ev("ChangeOfControlDetermined", "2024-03-01")
    t = gr(kind="benefits_after_change_of_control")
    assert ground(t, "2024-04-01", cut)["arose"] is None  # no Change of Control
    g = ground(t, "2024-04-01", coc, cut)
    assert g["arose"] == "2024-03-01" and len(g["fact_ids"]) == 2
    later = ev("ChangeOfControlDetermined", "2024-03-02")
    assert ground(t, "2024-04-01", cut, later)["arose"] is None  # the cut came the day before
    assert ground(gr(kind="change_of_control"), "2024-04-01", later)["arose"] == "2024-03-02"


def breach(day: str, material: bool = True) -> dict[str, Any]:
    return ev("BreachNoticeReceived", day, notice_id="B1", sent_date=day, provision="§2", material=material)


@pytest.mark.parametrize(
    ("as_of", "cured", "arose", "clock"),
    [
        ("2024-03-31", None, None, True),  # day 30: the last cure day
        ("2024-04-01", None, "2024-04-01", False),  # day 31: Good Reason, the clock is gone
        ("2024-04-01", "2024-03-31", None, False),  # cured on the last day
        ("2024-04-02", "2024-04-01", "2024-04-01", False),  # cured a day late: the ground stays (I-14)
    ],
)
def test_a_breach_left_uncured_after_written_notice(
    as_of: str, cured: str | None, arose: str | None, clock: bool
) -> None:
    t = gr(kind="uncured_breach", cure="30 days")
    cure = [ev("BreachCured", cured, notice_id="B1")] if cured else []
    r = status_report(t, facts(START, breach("2024-03-01"), *cure), D(as_of))
    assert r["grounds"][0]["arose"] == arose
    clocks = {c["clock"]: c for c in r["open_clocks"]}
    assert ("breach_cure_period:B1" in clocks) is clock
    if clock:
        assert (clocks["breach_cure_period:B1"]["deadline"], clocks["breach_cure_period:B1"]["owed_by"]) == (
            "2024-03-31", "Company")  # fmt: skip
    assert ground(t, "2024-05-01", breach("2024-03-01", material=False))["arose"] is None  # I-15


def cause(**ground: Any) -> ProvisionTerms:
    return terms(cause={"clause": "C"}, cause_grounds=[{"id": "5.2(x)", "clause": "C(x)", **ground}])


def neglect(day: str, demanded: bool = True) -> dict[str, Any]:
    return ev("NeglectNoticeReceived", day, notice_id="N1", sent_date=day, duties_specified="the plan",
              cure_demanded=demanded)  # fmt: skip


@pytest.mark.parametrize(
    ("fired", "how"), [("2024-03-31", "termination_without_cause"), ("2024-04-01", "termination_for_cause")]
)
def test_neglect_left_uncured_after_written_notice(fired: str, how: str) -> None:
    t = cause(kind="uncured_neglect", cure="30 days")
    end = ev("EmploymentTerminatedByCompany", fired, stated_ground="for_cause")
    r = status_report(t, facts(START, neglect("2024-03-01"), end), D(fired))
    assert r["employment"]["how"] == how, r["employment"]["why"]
    running = status_report(t, facts(START, neglect("2024-03-01")), D("2024-03-15"))
    (c,) = [c for c in running["open_clocks"] if c["clock"] == "neglect_cure_period:N1"]
    assert (c["started"], c["deadline"], c["owed_by"]) == ("2024-03-01", "2024-03-31", "Employee")
    no_demand = status_report(t, facts(START, neglect("2024-03-01", demanded=False), end), D(fired))
    assert no_demand["employment"]["how"] == "termination_without_cause"


@pytest.mark.parametrize(
    ("offense", "theft", "company", "turpitude", "counts"),
    [
        ("misdemeanor", True, True, False, True),  # (i) theft of company property, whatever the class
        ("felony", True, False, False, True),  # (ii) a felony involving theft
        ("misdemeanor", True, False, False, False),
        ("misdemeanor", False, False, True, True),  # (ii) moral turpitude
        ("felony", False, False, False, False),  # a felony of no listed kind
    ],
)
def test_the_letter_s_kinds_of_conviction(
    offense: str, theft: bool, company: bool, turpitude: bool, counts: bool
) -> None:
    t = cause(kind="conviction", convictions=["theft_of_company_property", "felony_involving_theft", "moral_turpitude"])
    c = ev("ConvictionEntered", "2024-03-01", plea="guilty", offense_class=offense,
           theft_embezzlement_misappropriation=theft, company_property=company, moral_turpitude=turpitude)  # fmt: skip
    end = ev("EmploymentTerminatedByCompany", "2024-03-02", stated_ground="for_cause")
    r = status_report(t, facts(START, c, end), D("2024-03-02"))
    assert (r["employment"]["how"] == "termination_for_cause") is counts
    assert conviction  # the shared helper of the other conviction tests


def test_the_notices_are_read_only_with_a_ground_that_reads_them() -> None:
    fs = facts(START, breach("2024-03-01"))
    (error,) = check_history(gr(kind="change_of_control"), fs[:1], fs[1:], {})
    assert error.field == "type" and "(a ground of kind uncured_breach would)" in str(error)
    assert check_history(gr(kind="uncured_breach", cure="30 days"), fs[:1], fs[1:], {}) == []


@pytest.mark.parametrize(("gid", "ok"), [("5.4(f)", True), ("good_reason-1", True), ("a:b", False), ("(x)", False)])
def test_a_ground_id_may_be_a_citation(gid: str, ok: bool) -> None:
    if ok:
        assert gr(id=gid, kind="change_of_control").agreement.grounds[0].id == gid
    else:
        with pytest.raises(ValueError, match="id"):
            terms(good_reason={"clause": "GR"}, grounds=[{"id": gid, "clause": "GR", "kind": "recorded"}])


@pytest.mark.parametrize(("cured", "escalated"), [("2024-03-31", False), ("2024-04-01", True), (None, True)])
def test_a_breach_cured_on_the_last_cure_day_is_not_escalated(cured: str | None, escalated: bool) -> None:
    """The cure-period clock's dated item learns its cure from the facts as now known (as the letter form's
    does), so the alert planner sends no escalation for a notice cured on day 30; cured on day 31, or never, it
    does."""
    from pathlib import Path

    from obligations.alerts.plan import plan
    from obligations.alerts.policy import load_policy
    from obligations.application.projections import _row
    from obligations.rules.provisions.audit import dated_items

    t = gr(kind="uncured_breach", cure="30 days")
    extra = [ev("BreachCured", cured, notice_id="B1")] if cured else []
    items = dated_items(t, facts(START, breach("2024-03-01"), *extra))
    (clock,) = [i for i in items if i.item_id == "breach_cure_period:B1"]
    assert clock.cured_on == (D(cured) if cured else None)
    policy = load_policy(Path(__file__).resolve().parents[1] / "config")
    after = [r for r in plan([_row("a", "c", clock)], policy, {}) if r.offset_days > 0]
    assert bool(after) is escalated


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ([ev("BreachCured", "2024-03-05", notice_id="B9")], "data.notice_id", "no BreachNoticeReceived"),
        ([breach("2024-03-05")], "data.notice_id", "already used"),
        ([ev("PaymentMade", "2024-03-05", obligation="lump_sum", amount="10.00")], "data.obligation", "no payment"),
    ],
)
def test_a_cure_a_notice_or_a_payment_that_names_nothing_known_is_refused(
    extra: list[dict[str, Any]], field: str, words: str
) -> None:
    """As in the letter form (the shared checks of rules.validation): a cure names a notice recorded before it,
    a notice id is used once, and a payment is made against a payment the report of its day lists."""
    t = gr(kind="uncured_breach", cure="30 days")
    fs = facts(START, breach("2024-03-01"), *extra)
    assert check_history(t, fs[:2], [], {}) == []
    (error,) = check_history(t, fs[:2], fs[2:], {})
    assert error.field == field and words in str(error)


def test_a_payment_the_report_lists_is_accepted() -> None:
    t = gr(kind="uncured_breach", cure="30 days")
    end = ev("EmploymentTerminatedByCompany", "2024-03-01", stated_ground="without_cause")
    paid = ev("PaymentMade", "2024-03-05", obligation="final_prorated_salary", amount="10.00")
    fs = facts(START, end, paid)
    assert check_history(t, fs[:2], fs[2:], {}) == []
