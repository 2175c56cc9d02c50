"""Property (issue 13): terms drawn from the vocabulary of the provisions form and random lives. Nothing
crashes; per grant, vested + unvested + forfeited = granted; every payment has a due date or says why not;
explain answers for every item; the dated items of the read models agree with the report on every date."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import CONFIG, facts
from obligations.rules.item import item_status, visible
from obligations.rules.provisions.audit import dated_items, explain_item
from obligations.rules.provisions.report import catalogue_clock, derive, status_report
from obligations.rules.provisions.validation import check_history
from obligations.terms.loader import load_company
from obligations.terms.provisions import ProvisionsFile, ProvisionTerms

COMPANY = load_company(CONFIG, "example")
S = date(2023, 1, 2)
EVENTS = [
    "termination_without_cause",
    "termination_for_cause",
    "resignation",
    "resignation_for_good_reason",
    "position_eliminated",
    "change_of_control",
]
DURATIONS = st.sampled_from(["30 days", "10 business days", "3 months", "1 year", "45 calendar days"])


@st.composite
def terms(draw: st.DrawFn) -> ProvisionTerms:
    grants = [
        {
            "id": f"g{k}",
            "kind": draw(st.sampled_from(["options", "rsu", "restricted_stock"])),
            "clause": f"G{k}",
            "quantity": str(draw(st.integers(1, 100_000))),
            "exercise_window": draw(st.none() | DURATIONS),
            "exercise_price": draw(st.none() | st.just("closing_price")),
            "price_non_trading_day": draw(st.sampled_from(["previous_close", "next_close"])),
            "vesting": draw(
                st.none()
                | st.fixed_dictionaries(
                    {
                        "period_length": st.integers(1, 12),
                        "period_unit": st.just("MONTHS"),
                        "installments": st.integers(1, 48),
                        "allocation_type": st.sampled_from(
                            ["CUMULATIVE_ROUND_DOWN", "CUMULATIVE_ROUNDING", "FRACTIONAL"]
                        ),
                    }
                )
            ),
        }
        for k in range(draw(st.integers(0, 2)))
    ]
    triggers = []
    for k in range(draw(st.integers(1, 2))):
        t: dict[str, Any] = {
            "id": f"t{k}",
            "clause": f"T{k}",
            "events": draw(st.lists(st.sampled_from(EVENTS), min_size=1, max_size=3, unique=True)),
        }
        if draw(st.booleans()):
            t["change_of_control"] = {"before": draw(DURATIONS), "after": draw(DURATIONS)}
        if draw(st.booleans()):
            t["before"] = (S + timedelta(days=draw(st.integers(0, 900)))).isoformat()
            t["tested_on"] = draw(st.sampled_from(["event_date", "notice_date"]))
        triggers.append(t)
    acceleration = st.sampled_from(
        [
            {"kind": "full", "clause": "A"},
            {"kind": "months", "months": 6, "order": "soonest", "clause": "A"},
            {"kind": "months", "months": 12, "order": "last", "clause": "A"},
            {"kind": "months", "months": 3, "order": "pro_rata", "clause": "A"},
            {"kind": "pro_rata", "clause": "A"},
        ]
    )
    payment = st.sampled_from(
        [
            {"amount": "6/12 * base_salary_at_termination", "due": "termination_date + 5 days"},
            {"amount": "100000", "due": "fired_date + 5 days", "roll": "following"},
            {
                "amount": "base_salary_at_termination + target_bonus",
                "installments": 12,
                "every": "1 month",
                "first": "first_payday_after(release_effective_date)",
                "catch_up_from": "first_payday_after(termination_date)",
                "delay_if_specified_employee": True,
                "remainder_on_change_of_control": True,
            },
            {"amount": "100000", "within": "60 days", "year_straddle": True},
            {
                "amount": "2 * target_bonus_at_start * proration",
                "installments": 6,
                "every": "payroll",
                "first": "termination_date + 1 month",
            },
            {"amount": "prior_year_bonus"},
        ]
    )
    release = draw(st.booleans())
    packages = [
        {
            "id": f"p{k}",
            "clause": f"P{k}",
            "triggers": [draw(st.sampled_from([t["id"] for t in triggers]))],
            "payments": [{"id": f"pay{k}_{n}", "clause": "X", **draw(payment)} for n in range(draw(st.integers(0, 2)))],
            "accelerations": draw(st.lists(acceleration, max_size=1)),
            "release": release,
            "health": draw(
                st.none()
                | st.just({"months": 6, "clause": "H"})
                | st.just(HEALTH_COBRA)
                | st.just(
                    {**HEALTH_COBRA, "employee_contribution": "company_pays_all", "cobra_admin_fee_included": False}
                )
            ),  # fmt: skip
            "window_clock": draw(st.booleans()),
        }
        for k in range(draw(st.integers(1, 2)))
    ]
    if len(packages) == 2 and draw(st.booleans()):  # one package offset by the other
        packages[0]["offset_by"] = ["p1"]
    raw = {
        "form": "provisions",
        "key": "drawn",
        "company": "example",
        "title": "drawn",
        "document_date": "2023-01-01",
        "parties": {"employer": "E"},
        "salary": {"clause": "S"},
        "days": {"notices": draw(st.sampled_from(["receipt", "dispatch"]))},
        "bonus": {
            "target_pct_of_base_salary": "40",
            "clause": "B",
            "payments_per_year": draw(st.none() | st.integers(1, 12)),
        },
        "vacation": draw(
            st.none()
            | st.fixed_dictionaries(
                {
                    "clause": st.just("V"),
                    "hours_per_year": st.sampled_from(["160", "120.5"]),
                    "accrual_period_days": st.integers(1, 31),
                    "periods_per_year": st.integers(1, 52),
                    "cap_hours": st.none() | st.sampled_from(["80", "0"]),
                }
            )
        ),
        "dispute_resolution": draw(st.none() | st.just({"forum": "arbitration", "clause": "D"})),
        "expenses": draw(st.none() | st.just({"clause": "E"}) | st.just({"clause": "E", "reimbursement_due_days": 30})),
        "term": draw(
            st.sampled_from(
                [
                    {"kind": "at_will", "clause": "T", "notice_by_employee": "30 days"},
                    {"kind": "fixed", "length": "2 years", "clause": "T"},
                    {
                        "kind": "evergreen",
                        "length": "1 year",
                        "renewal": "1 year",
                        "non_renewal_notice": "90 days",
                        "clause": "T",
                    },
                ]
            )
        ),
        "change_of_control": draw(
            st.sampled_from(
                [
                    {"clause": "C"},
                    {
                        "definition": "prongs",
                        "clause": "C",
                        "merger": {"clause": "C(a)", "shareholders_retain_less_than_pct": "50"},
                        "liquidation": {"clause": "C(b)"},
                    },
                ]
            )
        ),  # fmt: skip
        "grants": grants,
        "triggers": triggers,
        "packages": packages,
        "release": {
            "clause": "R",
            "deliver_within": "7 days",
            "consider": "21 days",
            "revoke": "7 days",
            "effective_day_after_signing": 8,
            "outer_deadline": "60 days",
        }
        if release
        else None,
        "covenants": [
            {
                "id": "nc",
                "kind": "non_compete",
                "clause": "NC",
                "period": "12 months",
                "runs_from": "later(termination_date, last_payment_date)",
            }
        ],
        "obligations": [
            {
                "id": "o1",
                "clause": "O",
                "owed_by": "Employee",
                "owed_to": "Company",
                "description": "d",
                "due": draw(st.sampled_from(["start_date + 30 days", "acceptance_date + 30 days"])),  # I-25
                "clock": draw(st.none() | st.just("bonus_program_finalization")),
            },
            {
                "id": "i9",
                "clause": "O",
                "owed_by": "Employee",
                "owed_to": "Company",
                "description": "I-9",
                "due": draw(st.sampled_from(["start_date + 3 days", "start_date + 3 business days"])),
                "fulfilled_by": "I9Submitted",
                "fulfilled_when": {"documentation_satisfactory": True},
                "clock": draw(st.none() | st.just("i9_submission")),
                "stated_as": draw(st.none() | st.just("offer_condition_failure_i9")),
            },
            {
                "id": "sign",
                "clause": "O",
                "owed_by": "Employee",
                "owed_to": "Company",
                "description": "sign",
                "for_each": "ConfidentialityAgreementAmended",
                "for_each_key": "version",
                "fulfilled_by": "ConfidentialityAgreementExecuted",
                "matching": ["version"],
            },
        ],
    }
    if draw(st.booleans()):  # grounds as data and the Good Reason process
        raw["good_reason"] = {"clause": "GR", "assessed": draw(st.sampled_from(["claimed", "deemed"])),
                              "lapse": None,  # I-12: table tests (a drawn lapse made one example cost 28 s of explains)
                              "termination_during_notice": draw(st.sampled_from(["as_stated", "without_cause"])),
                              **draw(st.sampled_from([
            {"notice_within": draw(DURATIONS), "cure": "30 days", "resign_within": draw(DURATIONS)},
            {"resignation_notice": "30 days"},  # the Valence shape: Good Reason from the condition
            {"cure": "30 days", "resignation_notice": "30 days", "short_notice": "lose_good_reason"},
            {"resignation_notice": "30 days", "short_notice": draw(st.sampled_from(["strict", "accept"]))},
        ]))}  # fmt: skip
        raw["grounds"] = [
            {"id": "cut", "clause": "GR", "kind": "salary_reduction", "threshold_pct": "10",
             "baseline": draw(st.sampled_from(["start", "peak", "previous"]))},
            {"id": "breach", "clause": "GR", "kind": "recorded"},
            {"id": "moved", "clause": "GR", "kind": "relocation", "more_than_miles": "50"},
            {"id": "duties", "clause": "GR", "kind": "duties_diminution", "reporting_line": draw(st.booleans())},
            {"id": "5.4(f)", "clause": "GR", "kind": "uncured_breach", "cure": "30 days"},
            {"id": "loc", "clause": "GR", "kind": "work_location"},
        ]  # fmt: skip
    if draw(st.booleans()):  # Cause as grounds, one with a cure period (family 6)
        raw["cause"] = {"clause": "C", "unsupported": draw(st.sampled_from(["without_cause", "as_stated"]))}
        raw["cause_grounds"] = [
            {"id": "neglect", "clause": "C(b)", "kind": "uncured_notice", "cure": draw(DURATIONS)},
            {"id": "conviction", "clause": "C(a)", "kind": "recorded"},
            {"id": "5.2(a)", "clause": "C(a)", "kind": "conviction", "convictions": draw(CONVICTIONS)},  # I-16
            {"id": "5.2(b)", "clause": "C(b)", "kind": "uncured_neglect", "cure": draw(DURATIONS)},
        ]
    priced = [g["id"] for g in grants if g["exercise_price"] and g["kind"] == "options"]
    for g in grants:
        if g["kind"] != "options":
            g["exercise_price"] = None
    report: dict[str, Any] = {"vocabulary": draw(st.sampled_from(["provisions", "catalogue"]))}
    if priced and draw(st.booleans()):
        report["options"] = priced[0]
    health = [p["id"] for p in packages if p["health"]]
    if health and draw(st.booleans()):
        report["health"] = health[0]
    report["sections"] = draw(st.lists(st.sampled_from([p["id"] for p in packages]), max_size=1))
    raw["report"] = report
    return ProvisionTerms(agreement=ProvisionsFile.model_validate(raw), company=COMPANY)


HEALTH_COBRA = {"months": 6, "clause": "H", "cobra_clause": "H s.2"}
KINDS = st.sampled_from(["felony", "moral_turpitude", "felony_involving_moral_turpitude", "misdemeanor",
                         "theft_of_company_property", "felony_involving_theft"])  # fmt: skip
CONVICTIONS = st.lists(KINDS | st.lists(KINDS, min_size=2, max_size=3), min_size=1, max_size=3)


def written_notice(
    draw: st.DrawFn, on: Callable[[int], str], what: str, data: dict[str, Any], within: int
) -> list[dict[str, Any]]:
    """A letter-form written notice (BreachNoticeReceived, NeglectNoticeReceived), cured now and then."""
    day = draw(st.integers(1, within))
    out = [{"type": f"{what}NoticeReceived", "date": on(day), "data": {"notice_id": what[0] + "1",
            "sent_date": on(day), **data}}]  # fmt: skip
    if draw(st.booleans()):
        out.append({"type": f"{what}Cured", "date": on(day + draw(st.integers(0, 60))),
                    "data": {"notice_id": what[0] + "1"}})  # fmt: skip
    return out


def life(draw: st.DrawFn, t: ProvisionTerms) -> list[dict[str, Any]]:
    def on(offset: int) -> str:
        return (S + timedelta(days=offset)).isoformat()

    events: list[dict[str, Any]] = [
        {
            "type": "EmploymentStarted",
            "date": on(0),
            "data": {"start_date": on(0), "annual_base_salary": "250000", "options": 0},
        }
    ]
    if draw(st.booleans()):  # I-25: the offer accepted before the start
        events.append({"type": "OfferAccepted", "date": on(-draw(st.integers(0, 20))),
                       "data": {"offer_date": on(-30), "signed_by": ["E"]}})  # fmt: skip
    for g in t.agreement.grants:
        events.append({"type": "GrantMade", "date": on(0), "data": {"grant": g.id, "quantity": int(g.quantity or 1)}})
    if draw(st.booleans()):
        day = on(draw(st.integers(1, 900)))
        if t.agreement.change_of_control and t.agreement.change_of_control.definition == "prongs":
            pct = draw(st.sampled_from(["49.99", "50", "80"]))
            events.append({"type": "MergerConsummated", "date": day,
                           "data": {"counterparty": "Z", "company_shareholders_voting_pct_after": pct}})  # fmt: skip
        else:
            events.append({"type": "ChangeOfControlDetermined", "date": day, "data": {}})
    if draw(st.booleans()):
        events.append({"type": "SpecifiedEmployeeDetermined", "date": on(1), "data": {}})
    for k in range(draw(st.integers(0, 2))):  # closes around the first day (a weekend start has none)
        day = on(draw(st.integers(-3, 3)))
        events.append({"type": "ClosingPriceRecorded", "date": day,
                       "data": {"trading_date": day, "closing_price": f"{k + 3}.15"}})  # fmt: skip
    if draw(st.booleans()):
        events.append({"type": "I9Submitted", "date": on(draw(st.integers(0, 6))),
                       "data": {"documentation_satisfactory": draw(st.booleans())}})  # fmt: skip
    if draw(st.booleans()):
        events.append({"type": "ConfidentialityAgreementAmended", "date": on(50), "data": {"version": "v2"}})
        events.append({"type": "ConfidentialityAgreementExecuted", "date": on(draw(st.integers(40, 90))),
                       "data": {"version": draw(st.sampled_from(["v1", "v2"]))}})  # fmt: skip
    if t.agreement.vacation is not None and draw(st.booleans()):
        events.append({"type": "VacationTaken", "date": on(draw(st.integers(20, 400))),
                       "data": {"from": on(20), "to": on(24), "hours": "40"}})  # fmt: skip
    if t.agreement.dispute_resolution is not None and draw(st.booleans()):
        events.append({"type": "DisputeRaised", "date": on(draw(st.integers(1, 900))),
                       "data": {"subject": "pay", "principal_executive_office_county": "Travis"}})  # fmt: skip
    end = draw(st.integers(30, 1000))
    if t.agreement.expenses is not None:
        for k in range(draw(st.integers(0, 2))):
            day = draw(st.integers(1, end + 30))
            events.append({"type": "ExpenseSubmitted", "date": on(day), "data": {"expense_id": f"E{k}",
                           "amount": "99.99", "incurred_date": on(day - 1), "documented": True}})  # fmt: skip
            if draw(st.booleans()):
                events.append({"type": "ExpenseReimbursed", "date": on(day + draw(st.integers(0, 45))),
                               "data": {"expense_id": f"E{k}", "amount": "99.99"}})  # fmt: skip
    if any(p.health and p.health.cobra_clause for p in t.agreement.packages):
        events.append({"type": "HealthCoverageChanged", "date": on(draw(st.integers(1, end))),
                       "data": {"tier": "employee_plus_dependents", "dependents": 1}})  # fmt: skip
        if draw(st.booleans()):
            events.append(
                {
                    "type": "CarrierContinuationDecision",
                    "date": on(end + 2),
                    "data": {
                        "allowed": False,
                        "cobra_monthly_premium": {"employee_only": "300", "employee_plus_dependents": "800"},
                    },
                }
            )
            if draw(st.booleans()):
                events.append({"type": "CobraElected", "date": on(end + draw(st.integers(3, 60))),
                               "data": {"tier": "employee_plus_dependents"}})  # fmt: skip
    claimed = ["g"]
    if t.agreement.grounds:
        cut = draw(st.integers(1, 400))
        rate = draw(st.sampled_from(["225000", "224999", "200000"]))  # 10% exactly, a cent more, 20%
        events.append({"type": "SalaryChanged", "date": on(cut), "data": {"new_annual_rate": rate, "amendment": None}})
        notice = cut + draw(st.integers(0, 120))
        events.append({"type": "GoodReasonNoticeGiven", "date": on(notice), "data": {"grounds": ["cut"]}})
        if draw(st.booleans()):
            events.append({"type": "GoodReasonConditionCured", "date": on(notice + draw(st.integers(0, 40))),
                           "data": {"ground": "cut"}})  # fmt: skip
        claimed = ["cut"]
        if draw(st.booleans()):
            events += written_notice(draw, on, "Breach", {"provision": "§2", "material": True}, 400)
            claimed = draw(st.sampled_from([["5.4(f)"], ["cut", "5.4(f)"]]))
        if draw(st.booleans()):
            miles = draw(st.sampled_from(["50", "50.01", "400"]))
            events.append({"type": "WorkplaceRelocated", "date": on(draw(st.integers(1, 400))),
                           "data": {"new_location": "X", "distance_miles": miles}})  # fmt: skip
            claimed = draw(st.sampled_from([["moved"], ["cut", "moved"]]))
    if t.agreement.cause is not None:
        notice = draw(st.integers(1, 900))
        events.append({"type": "CauseNoticeGiven", "date": on(notice), "data": {"grounds": ["neglect"]}})
        if draw(st.booleans()):
            events.append({"type": "CauseConditionCured", "date": on(notice + draw(st.integers(0, 60))),
                           "data": {"ground": "neglect"}})  # fmt: skip
        if draw(st.booleans()):
            events.append({"type": "CauseConditionArose", "date": on(draw(st.integers(1, 900))),
                           "data": {"ground": "conviction"}})  # fmt: skip
        if draw(st.booleans()):
            events += written_notice(draw, on, "Neglect", {"duties_specified": "plan", "cure_demanded": True}, 900)
        if draw(st.booleans()):  # I-16: the kinds of conviction the grounds name
            events.append({"type": "ConvictionEntered", "date": on(draw(st.integers(1, 900))), "data": {
                "plea": "guilty", "offense_class": draw(st.sampled_from(["felony", "misdemeanor"])),
                "theft_embezzlement_misappropriation": draw(st.booleans()), "company_property": draw(st.booleans()),
                "moral_turpitude": draw(st.booleans())}})  # fmt: skip
    kind = draw(st.sampled_from(["company", "cause", "resign", "gr", "eliminated", "offer", "none"]))
    ending = {
        "company": ("EmploymentTerminatedByCompany", {"stated_ground": "without_cause"}),
        "cause": ("EmploymentTerminatedByCompany", {"stated_ground": "for_cause"}),
        "offer": ("EmploymentTerminatedByCompany", {"stated_ground": "offer_condition_failure_i9"}),
        "resign": ("ResignationNoticeGiven", {"sent_date": on(end), "good_reason_grounds_claimed": []}),
        "gr": (
            "ResignationNoticeGiven",
            {"sent_date": on(end), "good_reason_grounds_claimed": claimed, "requested_effective_date": on(end + 10)},
        ),
        "eliminated": ("PositionEliminated", {}),
    }.get(kind)
    if ending:
        events.append({"type": ending[0], "date": on(end), "data": ending[1]})
        if t.agreement.release and draw(st.booleans()):
            events.append({"type": "ReleaseDelivered", "date": on(end + 40), "data": {}})
            events.append({"type": "ReleaseSigned", "date": on(end + 40 + draw(st.integers(0, 30))), "data": {}})
    return sorted(events, key=lambda e: e["date"])


# The reference derives whole reports at every date they name (a hundred or more per life): more examples by hand
# (OBLIGATIONS_TURN_EXAMPLES=2000) when the rules change how they compare dates.
EXAMPLES = int(os.environ.get("OBLIGATIONS_TURN_EXAMPLES", "60"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(st.data())
def test_dated_items_derive_only_where_the_rules_turn(data: st.DataObject) -> None:
    """The dated items derived at the fact dates and the days the rules' comparisons with the as-of date turn
    on (PHistory.turns) are those derived at every date any whole report names and the day after each."""
    t = data.draw(terms())
    fs = facts(*life(data.draw, t))
    fs = [f for n, f in enumerate(fs) if not check_history(t, fs[:n], [f], {})]
    assert dated_items(t, fs) == dated_items(t, fs, thorough=True)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(st.data())
def test_drawn_terms_and_lives_report_explain_and_project(data: st.DataObject) -> None:
    t = data.draw(terms())
    fs = facts(*life(data.draw, t))
    fs = [f for n, f in enumerate(fs) if not check_history(t, fs[:n], [f], {})]  # keep what a store would accept
    days = sorted(d for d in {f.date for f in fs} | {f.date + timedelta(days=k) for f in fs for k in (1, 45)} if d >= S)
    items = dated_items(t, fs)
    for day in days:
        d = derive(t, fs, day)
        r = status_report(t, fs, day)
        keys = [i.key for i in d.items]
        assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)  # one item per kind and id
        for g in d.grants:  # exact counts (the JSON shows FRACTIONAL ones as decimals)
            if g.vested is not None:
                assert g.vested + (g.unvested or 0) + (g.forfeited or 0) == g.granted, g.why
        if "vacation" in r:
            assert r["vacation"]["completed_periods"] >= 0 and Decimal(r["vacation"]["accrued_hours"]) >= 0
        for p in r["payments"]:
            assert p["due_date"] or p["status"] in ("open_no_due_date", "cancelled", "paid")
            why_not = ("not stated", "not known", "Held", "no date", "no payment deadline")
            assert p["due_date"] or any(w in p["why"] for w in why_not), p
        for i in d.items:
            if visible(i, day):
                value = explain_item(t, fs, day, i.item_id)["value"]
                # in the catalogue vocabulary a clock or a ground is shown as that report writes it
                shown_as = catalogue_clock(i)["clock"] if i.kind == "clock" else i.item_id
                named = value.get("id") or value.get("clock") or value.get("ground")
                assert named in (i.item_id, shown_as), (i.item_id, value)
        shown = {(i.kind, i.item_id, item_status(i, day)) for i in items if visible(i, day)}
        now = {(i.kind, i.item_id, item_status(i, day)) for i in d.items if visible(i, day)}
        assert shown == now, (day, shown ^ now)
