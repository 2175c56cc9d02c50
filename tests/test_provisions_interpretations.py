"""The catalogue's alternative interpretations as settings of the provisions form's blocks (issue 13): a
payment's roll (I-01), a window tested on a resignation's notice (I-05), the notice a Good Reason resignation
must give (I-11(3)), a ground's lapse (I-12) and notices effective on dispatch (I-10); each on both sides."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from helpers import ev, facts
from obligations.rules.provisions.report import status_report
from obligations.terms.provisions import ProvisionTerms
from test_provisions_rules import START, terms

D = date.fromisoformat
MOVE = ev("WorkLocationChanged", "2024-03-01", new_location="Reno", in_austin_tx=False, employee_agreed=False)


def gr_terms(good_reason: dict[str, Any] | None = None, **more: Any) -> ProvisionTerms:
    return terms(
        good_reason={"clause": "GR", "resignation_notice": "30 days", "assessed": "deemed", **(good_reason or {})},
        grounds=[{"id": "5.4(a)", "clause": "GR(a)", "kind": "work_location"}],
        **more,
    )


def resign(day: str, requested: str | None = None, sent: str | None = None) -> dict[str, Any]:
    return ev("ResignationNoticeGiven", day, sent_date=sent or day, good_reason_grounds_claimed=[],
              requested_effective_date=requested)  # fmt: skip


@pytest.mark.parametrize(("roll", "due"), [(None, "2024-06-08"), ("following", "2024-06-10")])
def test_a_payment_due_on_a_weekend_moves_when_it_says_so(roll: str | None, due: str) -> None:
    payment = {
        "id": "lump",
        "clause": "P",
        "amount": "100",
        "due": "termination_date + 5 days",
        **({"roll": roll} if roll else {}),
    }
    t = terms(triggers=[{"id": "t", "clause": "T", "events": ["termination_without_cause"]}],
              packages=[{"id": "p", "clause": "P", "triggers": ["t"], "payments": [payment]}])  # fmt: skip
    fired = ev("EmploymentTerminatedByCompany", "2024-06-03", stated_ground="without_cause")  # + 5 = Saturday
    (lump,) = [p for p in status_report(t, facts(START, fired), D("2024-06-03"))["payments"] if p["id"] == "lump"]
    assert lump["due_date"] == due, lump["why"]


@pytest.mark.parametrize(("tested_on", "fired"), [("event_date", False), ("notice_date", True)])
def test_a_window_tests_a_resignation_on_its_notice_when_it_says_so(tested_on: str, fired: bool) -> None:
    """I-05: noticed on the window's last day, effective 30 days later, after the window."""
    t = gr_terms(
        triggers=[{"id": "t", "clause": "T", "events": ["resignation_for_good_reason"], "on_or_after": "start_date",
                   "before": "start_date + 15 months", "tested_on": tested_on}],
        packages=[{"id": "p", "clause": "P", "triggers": ["t"],
                   "payments": [{"id": "lump", "clause": "P", "amount": "100", "due": "termination_date"}]}],
    )  # fmt: skip
    r = status_report(t, facts(START, MOVE, resign("2024-04-01")), D("2024-06-01"))
    assert r["employment"]["termination_date"] == "2024-05-01"
    assert any(p["id"] == "lump" for p in r["payments"]) is fired


@pytest.mark.parametrize(
    ("short_notice", "requested", "how", "effective"),
    [
        ("strict", None, "resignation", "2024-04-01"),  # no date asked: a plain resignation on its day
        ("lose_good_reason", None, "resignation_for_good_reason", "2024-05-01"),  # no date asked: extended
        ("strict", "2024-05-01", "resignation_for_good_reason", "2024-05-01"),  # the full 30 days
        ("accept", "2024-04-15", "resignation_for_good_reason", "2024-04-15"),  # the earlier date, accepted
        ("extend", "2024-04-15", "resignation_for_good_reason", "2024-05-01"),
    ],
)
def test_a_good_reason_resignation_on_short_notice(
    short_notice: str, requested: str | None, how: str, effective: str
) -> None:
    t = gr_terms({"short_notice": short_notice})
    r = status_report(t, facts(START, MOVE, resign("2024-04-01", requested)), D("2024-06-01"))
    assert (r["employment"]["how"], r["employment"]["termination_date"]) == (how, effective), r["employment"]["why"]


@pytest.mark.parametrize(
    ("noticed", "how"), [("2024-05-30", "resignation_for_good_reason"), ("2024-05-31", "resignation")]
)
def test_a_ground_lapses_for_a_notice_given_too_late(noticed: str, how: str) -> None:
    """I-12: 90 days from the day it became available (2024-03-01 + 90 days = 2024-05-30)."""
    t = gr_terms({"lapse": "90 days"})
    r = status_report(t, facts(START, MOVE, resign(noticed)), D("2024-08-01"))
    assert r["employment"]["how"] == how, r["employment"]["why"]


@pytest.mark.parametrize(("notices", "deadline", "effective"), [("receipt", "2024-04-04", "2024-05-05"),
                                                                 ("dispatch", "2024-03-31", "2024-05-01")])  # fmt: skip
def test_notices_take_effect_on_receipt_or_on_dispatch(notices: str, deadline: str, effective: str) -> None:
    """I-10: a cure period and a resignation's notice count from the day the notice takes effect."""
    t = terms(
        days={"notices": notices},
        good_reason={"clause": "GR", "resignation_notice": "30 days", "assessed": "deemed"},
        grounds=[{"id": "5.4(f)", "clause": "GR(f)", "kind": "uncured_breach", "cure": "30 days"}],
    )
    breach = ev("BreachNoticeReceived", "2024-03-05", notice_id="B1", sent_date="2024-03-01", provision="§2",
                material=True)  # fmt: skip
    r = status_report(t, facts(START, breach), D("2024-03-20"))
    (clock,) = [c for c in r["open_clocks"] if c["clock"] == "breach_cure_period:B1"]
    assert clock["deadline"] == deadline
    # sent 2024-04-01, received 2024-04-05: the breach is Good Reason from the day after its cure period
    quit_ = resign("2024-04-05", sent="2024-04-01")
    r = status_report(t, facts(START, breach, quit_), D("2024-04-10"))
    assert r["employment"]["status"] == "resignation_pending", r["employment"]["why"]
    later = status_report(t, facts(START, breach, quit_), D("2024-06-01"))["employment"]
    assert (later["how"], later["termination_date"]) == ("resignation_for_good_reason", effective), later["why"]


@pytest.mark.parametrize(("removes", "arose"), [(False, "2024-04-01"), (True, None)])
def test_a_late_cure_removes_the_ground_when_it_says_so(removes: bool, arose: str | None) -> None:
    """I-14: cured a day after the 30-day cure period."""
    t = terms(
        good_reason={"clause": "GR"},
        grounds=[{"id": "5.4(f)", "clause": "GR(f)", "kind": "uncured_breach", "cure": "30 days",
                  "late_cure_removes": removes}],
    )  # fmt: skip
    breach = ev("BreachNoticeReceived", "2024-03-01", notice_id="B1", sent_date="2024-03-01", provision="§2",
                material=True)  # fmt: skip
    cured = ev("BreachCured", "2024-04-01", notice_id="B1")
    assert status_report(t, facts(START, breach, cured), D("2024-04-02"))["grounds"][0]["arose"] == arose
    with pytest.raises(ValueError, match="late_cure_removes belongs"):
        terms(
            good_reason={"clause": "GR"},
            grounds=[{"id": "x", "clause": "GR", "kind": "change_of_control", "late_cure_removes": True}],
        )


@pytest.mark.parametrize(("ends_as", "how"), [("offer_condition_failure", "offer_condition_failure"),
                                              ("termination_without_cause", "termination_without_cause")])  # fmt: skip
def test_a_failed_condition_of_the_offer_ends_as_the_terms_say(ends_as: str, how: str) -> None:
    """I-26: the I-9 never submitted."""
    t = terms(obligations=[{"id": "i9", "clause": "§8", "owed_by": "Employee", "owed_to": "Company",
                            "description": "I-9", "due": "start_date + 3 days", "fulfilled_by": "I9Submitted",
                            "stated_as": "offer_condition_failure_i9", "failure_ends_as": ends_as}])  # fmt: skip
    fired = ev("EmploymentTerminatedByCompany", "2023-01-10", stated_ground="offer_condition_failure_i9")
    assert status_report(t, facts(START, fired), D("2023-01-10"))["employment"]["how"] == how


def test_a_termination_kept_as_stated_keeps_the_ground_it_named() -> None:
    """I-14's alternative: disputed only, for the ground the termination names."""
    t = terms(
        cause={"clause": "C", "unsupported": "as_stated"},
        cause_grounds=[{"id": "5.2(c)", "clause": "C(c)", "kind": "policy_violation", "stated_as": "good_cause_c"}],
    )
    fired = ev("EmploymentTerminatedByCompany", "2024-03-10", stated_ground="good_cause_c")
    e = status_report(t, facts(START, fired), D("2024-03-10"))["employment"]
    assert e["how"] == "termination_for_cause" and "kept as stated" in e["why"]
