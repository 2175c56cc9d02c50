"""The employment section of the provisions form in the catalogue §10 vocabulary ([report] vocabulary =
"catalogue", issue 13): the same keys, in the same order, with the same termination types as the letter form's."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from helpers import ev, facts
from obligations.rules.provisions.report import status_report
from obligations.rules.provisions.validation import check_history
from obligations.terms.provisions import ProvisionTerms
from test_provisions_rules import FOR_CAUSE, MOVED, START, cause_terms, conviction, gr_terms, resign, terms

D = date.fromisoformat
ENDED = ["status", "termination_date", "termination_type", "for_good_cause", "for_good_reason", "grounds",
         "good_cause_claim_rejected", "why", "fact_ids"]  # fmt: skip


def catalogue(t: ProvisionTerms) -> ProvisionTerms:
    report = t.agreement.report.model_copy(update={"vocabulary": "catalogue"})
    return t.model_copy(update={"agreement": t.agreement.model_copy(update={"report": report})})


def employment(t: ProvisionTerms, as_of: str, *extra: dict[str, Any]) -> dict[str, Any]:
    e: dict[str, Any] = status_report(catalogue(t), facts(START, *extra), D(as_of))["employment"]
    return e


def test_active_then_a_termination_without_cause() -> None:
    t = cause_terms(kind="conviction")
    fired = ev("EmploymentTerminatedByCompany", "2024-12-10", stated_ground="without_cause")
    active = employment(t, "2024-12-09", fired)
    assert list(active) == ["status", "why", "fact_ids"] and active["status"] == "active"
    assert active["fact_ids"] == [facts(START)[0].id]
    e = employment(t, "2024-12-10", fired)
    assert list(e) == ENDED
    assert (e["termination_type"], e["for_good_cause"], e["grounds"], e["good_cause_claim_rejected"]) == (
        "termination_without_good_cause", False, [], False)  # fmt: skip


@pytest.mark.parametrize(
    ("convicted", "kind", "grounds", "rejected"),
    [
        ("2024-12-10", "termination_for_good_cause", ["g"], False),  # the ground is available on the day
        ("2024-12-11", "termination_without_good_cause", [], True),  # a day late: the claim is rejected (I-14)
    ],
)
def test_a_termination_stated_for_cause(convicted: str, kind: str, grounds: list[str], rejected: bool) -> None:
    e = employment(cause_terms(kind="conviction"), "2024-12-12", conviction("felony", False, convicted), FOR_CAUSE)
    assert (e["termination_type"], e["for_good_cause"], e["grounds"], e["good_cause_claim_rejected"]) == (
        kind, kind == "termination_for_good_cause", grounds, rejected)  # fmt: skip


def test_a_good_reason_resignation_pending_then_ended() -> None:
    t = gr_terms()
    pending = employment(t, "2024-12-09", MOVED, resign(None))
    assert list(pending) == ["status", "pending_termination_date", "pending_termination_type", "grounds", "why",
                             "fact_ids"]  # fmt: skip
    assert (pending["status"], pending["pending_termination_date"], pending["pending_termination_type"]) == (
        "resignation_notice_period", "2024-12-10", "resignation_for_good_reason")  # fmt: skip
    assert pending["grounds"] == ["moved"] and pending["why"].endswith("until the end of the effective date.")
    e = employment(t, "2024-12-10", MOVED, resign(None))
    assert (e["status"], e["termination_type"], e["for_good_reason"], e["grounds"]) == (
        "terminated", "resignation_for_good_reason", True, ["moved"])  # fmt: skip
    assert e["fact_ids"] == pending["fact_ids"]


@pytest.mark.parametrize("reason", ["death", "disability", "other"])
def test_an_end_other_than_by_the_parties_names_its_reason(reason: str) -> None:
    e = employment(gr_terms(), "2024-12-10", ev("EmploymentEndedOther", "2024-12-10", reason=reason))
    assert list(e) == [*ENDED[:3], "end_reason", *ENDED[3:]]
    assert (e["termination_type"], e["end_reason"]) == ("ended_other", reason)


GRANT = {"id": "o", "kind": "options", "clause": "G", "quantity": "1600", "exercise_price": "closing_price",
         "vesting": {"period_length": 3, "period_unit": "MONTHS", "installments": 16, "cliff_installment": 4,
                     "allocation_type": "CUMULATIVE_ROUND_DOWN"}}  # fmt: skip


def equity_terms(**grant: Any) -> ProvisionTerms:
    base = gr_terms()
    return terms(
        change_of_control={"clause": "C"},
        good_reason=base.agreement.good_reason.model_dump(exclude_none=True),  # type: ignore[union-attr]
        grounds=[g.model_dump(exclude_defaults=True) for g in base.agreement.grounds],
        grants=[{**GRANT, **grant}],
        triggers=[{"id": "t", "clause": "T", "events": ["change_of_control", "termination_without_cause",
                   "resignation_for_good_reason"], "on_or_after": "start_date", "before": "start_date + 24 months"}],
        packages=[{"id": "accel", "clause": "A", "triggers": ["t"],
                   "accelerations": [{"kind": "full", "clause": "A"}]}],
        report={"options": "o", "vocabulary": "catalogue", "sections": ["accel"]},
    )  # fmt: skip


def test_the_options_section_and_its_next_vesting_event() -> None:
    t = equity_terms()
    r = status_report(t, facts(START), D("2024-01-01"))
    o = r["options"]
    assert list(o) == ["granted", "exercise_price", "vested", "unvested", "forfeited", "accelerated",
                       "acceleration_date", "next_vesting", "why", "fact_ids"]  # fmt: skip
    assert (o["vested"], o["next_vesting"]) == (0, {"date": "2024-01-02", "amount": 400, "kind": "scheduled"})
    # a Good Reason resignation effective before the next tranche: the next event is the acceleration
    moved = ev("WorkplaceRelocated", "2024-02-01", new_location="Reno", distance_miles="60")
    notice = ev("ResignationNoticeGiven", "2024-02-05", sent_date="2024-02-05", good_reason_grounds_claimed=["moved"],
                requested_effective_date=None)  # fmt: skip
    o = status_report(t, facts(START, moved, notice), D("2024-02-05"))["options"]
    assert o["next_vesting"] == {"date": "2024-03-06", "amount": 1200, "kind": "acceleration"}
    plain = ev("ResignationNoticeGiven", "2024-02-05", sent_date="2024-02-05", good_reason_grounds_claimed=[],
               requested_effective_date="2024-03-01")  # fmt: skip
    o = status_report(t, facts(START, plain), D("2024-02-05"))["options"]
    assert o["next_vesting"] is None  # nothing more will vest
    coc = ev("ChangeOfControlDetermined", "2024-06-03")
    o = status_report(t, facts(START, coc), D("2024-06-03"))["options"]
    assert (o["vested"], o["accelerated"], o["acceleration_date"], o["next_vesting"]) == (
        1600,
        1100,
        "2024-06-03",
        None,
    )
    assert o["fact_ids"][-1] == facts(START, coc)[1].id


def test_an_acceleration_with_nothing_left_to_vest_has_no_acceleration_date() -> None:
    t = equity_terms(
        vesting={
            "period_length": 1,
            "period_unit": "MONTHS",
            "installments": 1,
            "allocation_type": "CUMULATIVE_ROUND_DOWN",
        }
    )
    coc = ev("ChangeOfControlDetermined", "2024-06-03")
    o = status_report(t, facts(START, coc), D("2024-06-03"))["options"]
    assert (o["vested"], o["accelerated"], o["acceleration_date"]) == (1600, 0, None)


def test_options_granted_records_the_grant_when_the_terms_say_so() -> None:
    t = equity_terms(made_by="OptionsGranted")
    granted = ev("OptionsGranted", "2023-01-02", grant_date="2023-01-02", quantity=1600)
    o = status_report(t, facts(START, granted), D("2023-02-01"))["options"]
    assert o["fact_ids"] == [f.id for f in facts(START, granted)]
    with pytest.raises(ValueError, match="only one grant"):
        terms(grants=[{**GRANT, "made_by": "OptionsGranted"}, {**GRANT, "id": "o2", "made_by": "OptionsGranted"}])


@pytest.mark.parametrize(
    ("coc", "triggered"),
    [("2025-01-01", True), ("2025-01-02", False)],  # the window's last day; start + 24 months is outside
)
def test_a_package_section_in_the_catalogue_shape(coc: str, triggered: bool) -> None:
    r = status_report(equity_terms(), facts(START, ev("ChangeOfControlDetermined", coc)), D("2025-02-01"))
    s = r["accel"]
    assert list(s) == ["window_start", "window_end", "triggered", "trigger", "termination_date", "why", "fact_ids"]
    assert (s["window_start"], s["window_end"], s["triggered"]) == ("2023-01-02", "2025-01-01", triggered)
    assert (s["trigger"], s["termination_date"]) == (("change_of_control", coc) if triggered else (None, None))
    assert s["fact_ids"][0] == facts(START)[0].id and len(s["fact_ids"]) == (2 if triggered else 1)
    fired = ev("EmploymentTerminatedByCompany", "2024-05-01", stated_ground="without_cause")
    s = status_report(equity_terms(), facts(START, fired), D("2024-05-01"))["accel"]
    assert (s["trigger"], s["termination_date"]) == ("termination_without_good_cause", "2024-05-01")


def test_a_package_section_may_not_take_a_key_of_the_report() -> None:
    with pytest.raises(ValueError, match="report.sections: unknown payments"):
        terms(
            triggers=[{"id": "t", "clause": "T", "events": ["termination_without_cause"]}],
            packages=[{"id": "payments", "clause": "P", "triggers": ["t"]}],
            report={"sections": ["payments"]},
        )


def clocks(t: ProvisionTerms, as_of: str, *extra: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["clock"]: c for c in status_report(t, facts(START, *extra), D(as_of))["open_clocks"]}


I9 = {"id": "i9", "clause": "§8", "owed_by": "Employee", "owed_to": "Company", "description": "I-9",
      "due": "start_date + 3 days", "fulfilled_by": "I9Submitted",
      "fulfilled_when": {"documentation_satisfactory": True}, "clock": "i9_submission"}  # fmt: skip


@pytest.mark.parametrize(
    ("as_of", "extra", "running"),
    [
        ("2023-01-05", (), True),  # the due day: still running
        ("2023-01-06", (), False),  # the day after: gone (the obligation is overdue)
        ("2023-01-04", ({"documentation_satisfactory": False},), True),  # an unsatisfactory I-9 fulfils nothing
        ("2023-01-04", ({"documentation_satisfactory": True},), False),
    ],
)
def test_an_obligation_runs_as_a_clock_until_due_or_fulfilled(
    as_of: str, extra: tuple[dict[str, Any], ...], running: bool
) -> None:
    t = catalogue(terms(obligations=[I9]))
    submitted = [ev("I9Submitted", "2023-01-03", **x) for x in extra]
    found = clocks(t, as_of, *submitted)
    assert ("i9_submission" in found) is running
    if running:
        c = found["i9_submission"]
        assert (c["started"], c["deadline"], c["clause"]) == ("2023-01-02", "2023-01-05", "§8")
        assert c["fact_ids"] == [f.id for f in facts(START, *submitted)]
    fired = ev("EmploymentTerminatedByCompany", "2023-01-03", stated_ground="without_cause")
    assert "i9_submission" not in clocks(t, "2023-01-04", fired)  # no clock once employment ended


def test_an_obligation_clock_needs_a_due_date_and_one_obligation() -> None:
    with pytest.raises(ValueError, match="only with a due date"):
        terms(obligations=[{**I9, "due": None}])


@pytest.mark.parametrize(("as_of", "running"), [("2025-01-01", True), ("2025-01-02", False)])
def test_a_package_window_runs_as_a_clock_until_it_closes_or_fires(as_of: str, running: bool) -> None:
    t = equity_terms()
    packages = [p.model_copy(update={"window_clock": True}) for p in t.agreement.packages]
    t = t.model_copy(update={"agreement": t.agreement.model_copy(update={"packages": packages})})
    found = clocks(t, as_of)
    assert ("accel_window" in found) is running
    if running:
        c = found["accel_window"]
        assert (c["started"], c["deadline"], c["fact_ids"]) == ("2023-01-02", "2025-01-01", [facts(START)[0].id])
    assert "accel_window" not in clocks(t, "2024-06-03", ev("ChangeOfControlDetermined", "2024-06-02"))


@pytest.mark.parametrize(("as_of", "running"), [("2025-06-10", True), ("2025-06-11", False)])
def test_cobra_health_continuation_runs_from_the_firing_day_as_the_letter_s_period(as_of: str, running: bool) -> None:
    t = terms(
        change_of_control={"clause": "C"},
        triggers=[{"id": "t", "clause": "T", "events": ["change_of_control"]}],
        packages=[{"id": "p", "clause": "P", "triggers": ["t"],
                   "health": {"months": 6, "clause": "H", "cobra_clause": "H s.2"}}],
        report={"vocabulary": "catalogue"},
    )  # fmt: skip
    found = clocks(t, as_of, ev("ChangeOfControlDetermined", "2024-12-10"))  # still employed (I-20)
    assert ("health_continuation_period" in found) is running
    if running:
        c = found["health_continuation_period"]
        assert (c["started"], c["deadline"], c["clause"]) == ("2024-12-10", "2025-06-10", "H")


def test_a_good_reason_resignation_s_clock_cites_the_good_reason_clause() -> None:
    c = clocks(catalogue(gr_terms()), "2024-11-20", MOVED, resign(None))["resignation_notice_period"]
    assert (c["started"], c["deadline"], c["clause"]) == ("2024-11-10", "2024-12-10", "GR")
    quit_ = ev("ResignationNoticeGiven", "2024-11-10", sent_date="2024-11-10", good_reason_grounds_claimed=[],
               requested_effective_date="2024-12-01")  # fmt: skip
    c = clocks(catalogue(gr_terms()), "2024-11-20", quit_)["resignation_notice_period"]
    assert c["clause"] == "T"


def valence_like(**good_reason: Any) -> ProvisionTerms:
    """Good Reason and Good Cause as the Valence letter has them, in the catalogue vocabulary."""
    return terms(
        change_of_control={"clause": "C"},
        good_reason={"clause": "GR", "resignation_notice": "30 days", "assessed": "deemed",
                     "termination_during_notice": "without_cause", **good_reason},
        grounds=[{"id": "5.4(a)", "clause": "GR(a)", "kind": "work_location"}],
        cause={"clause": "GC"},
        cause_grounds=[{"id": "5.2(b)", "clause": "GC(b)", "kind": "uncured_neglect", "cure": "30 days",
                        "stated_as": "good_cause_b"},
                       {"id": "5.2(c)", "clause": "GC(c)", "kind": "policy_violation", "stated_as": "good_cause_c"}],
        obligations=[{**I9, "stated_as": "offer_condition_failure_i9"}],
        report={"vocabulary": "catalogue"},
    )  # fmt: skip


MOVE = ev("WorkLocationChanged", "2024-03-01", new_location="Reno", in_austin_tx=False, employee_agreed=False)


def notice(day: str, requested: str | None = None) -> dict[str, Any]:
    return ev("ResignationNoticeGiven", day, sent_date=day, good_reason_grounds_claimed=[],
              requested_effective_date=requested)  # fmt: skip


@pytest.mark.parametrize(("noticed", "kind"), [("2024-03-01", "resignation_for_good_reason"),
                                               ("2024-02-29", "resignation_without_good_reason")])  # fmt: skip
def test_a_resignation_is_deemed_for_good_reason_when_a_ground_is_available_on_its_day(noticed: str, kind: str) -> None:
    """I-11: claimed or not; a ground arising the day after the notice does not count."""
    e = employment(valence_like(), "2024-06-01", MOVE, notice(noticed))
    assert e["termination_type"] == kind
    assert e["grounds"] == (["5.4(a)"] if kind == "resignation_for_good_reason" else [])
    claimed = employment(valence_like(assessed="claimed"), "2024-06-01", MOVE, notice("2024-03-01"))
    assert claimed["termination_type"] == "resignation_without_good_reason"  # nothing claimed


@pytest.mark.parametrize(("setting", "kind"), [("without_cause", "termination_without_good_cause"),
                                               ("as_stated", "termination_for_good_cause")])  # fmt: skip
def test_a_company_termination_during_a_good_reason_notice(setting: str, kind: str) -> None:
    """I-32: the Company's day ends the employment, as a termination without Cause when the terms say so."""
    policy = ev("PolicyViolationFound", "2024-03-05", policy="code", willful=True)
    fired = ev("EmploymentTerminatedByCompany", "2024-03-10", stated_ground="good_cause_c")
    e = employment(valence_like(termination_during_notice=setting), "2024-03-10", MOVE, notice("2024-03-01"), policy,
                   fired)  # fmt: skip
    assert (e["termination_date"], e["termination_type"]) == ("2024-03-10", kind)
    if kind == "termination_without_good_cause":
        assert len(e["fact_ids"]) == 3  # the termination, the resignation's notice and its ground


def test_a_termination_stating_a_ground_is_judged_on_that_ground_alone() -> None:
    policy = ev("PolicyViolationFound", "2024-03-05", policy="code", willful=True)
    fs = (policy, ev("EmploymentTerminatedByCompany", "2024-03-10", stated_ground="good_cause_b"))
    e = employment(valence_like(), "2024-03-10", *fs)
    assert (e["termination_type"], e["good_cause_claim_rejected"], len(e["fact_ids"])) == (
        "termination_without_good_cause", True, 1)  # fmt: skip
    fs = (policy, ev("EmploymentTerminatedByCompany", "2024-03-10", stated_ground="good_cause_c"))
    e = employment(valence_like(), "2024-03-10", *fs)
    assert (e["termination_type"], e["grounds"]) == ("termination_for_good_cause", ["5.2(c)"])


@pytest.mark.parametrize(
    ("submitted", "kind", "rejected"),
    [
        (None, "offer_condition_failure", False),
        ("2023-01-05", "termination_without_good_cause", True),  # on the due day: the condition was met
        ("2023-01-06", "offer_condition_failure", False),  # a day late
    ],
)
def test_a_condition_of_the_offer(submitted: str | None, kind: str, rejected: bool) -> None:
    """I-26: the I-9 within three days of the start."""
    i9 = [ev("I9Submitted", submitted, documentation_satisfactory=True)] if submitted else []
    fired = ev("EmploymentTerminatedByCompany", "2023-01-10", stated_ground="offer_condition_failure_i9")
    r = status_report(valence_like(), facts(START, *i9, fired), D("2023-01-10"))
    e = r["employment"]
    assert (e["termination_type"], e["good_cause_claim_rejected"]) == (kind, rejected)
    assert [p["id"] for p in r["payments"]] == ["final_prorated_salary"]


@pytest.mark.parametrize(
    ("withdrawn", "consented", "ended"),
    [
        ("2024-03-20", True, False),
        ("2024-03-20", False, True),  # without the Company's consent the notice stands
        ("2024-03-31", True, False),  # on the day it would take effect
    ],
)
def test_a_resignation_is_withdrawn_only_with_the_company_s_consent(
    withdrawn: str, consented: bool, ended: bool
) -> None:
    back = ev("ResignationNoticeWithdrawn", withdrawn, company_consented=consented)
    e = employment(valence_like(), "2024-04-30", notice("2024-03-01", "2024-03-31"), back)
    assert (e["status"] == "terminated") is ended


def test_the_grounds_section_in_the_catalogue_vocabulary() -> None:
    t = valence_like()
    neglect = ev("NeglectNoticeReceived", "2024-04-01", notice_id="N1", sent_date="2024-04-01", duties_specified="x",
                 cure_demanded=True)  # fmt: skip
    running = status_report(t, facts(START, MOVE, neglect), D("2024-04-15"))["grounds"]
    assert (running["good_cause_available"], running["good_reason_available"]) == ([], ["5.4(a)"])
    ids = [f.id for f in facts(START, MOVE, neglect)]
    assert running["fact_ids"] == [ids[1], ids[2]] and running["ground_facts"] == {"5.4(a)": [ids[1]]}
    later = status_report(t, facts(START, MOVE, neglect), D("2024-05-02"))["grounds"]
    assert later["good_cause_available"] == ["5.2(b)"]  # the day after the 30-day cure period
    fired = ev("EmploymentTerminatedByCompany", "2024-05-02", stated_ground="good_cause_b")
    ended = status_report(t, facts(START, MOVE, neglect, fired), D("2024-05-02"))["grounds"]
    assert (ended["good_cause_available"], ended["good_reason_available"]) == (None, None)


@pytest.mark.parametrize(("stated", "ok"), [("good_cause_b", True), ("good_cause_a", False), ("for_cause", True)])
def test_a_termination_may_state_only_the_grounds_the_terms_name(stated: str, ok: bool) -> None:
    fs = facts(START, ev("EmploymentTerminatedByCompany", "2024-03-10", stated_ground=stated))
    errors = check_history(valence_like(), fs[:1], fs[1:], {})
    assert (errors == []) is ok
    if not ok:
        assert errors[0].field == "data.stated_ground" and "good_cause_b" in str(errors[0])


def test_a_catalogue_report_has_only_the_catalogue_s_sections_in_its_order() -> None:
    r = status_report(valence_like(), facts(START), D("2024-01-01"))
    assert list(r) == ["as_of", "employment", "change_of_control", "grounds", "payments", "open_clocks", "obligations"]
    r = status_report(equity_terms(), facts(START), D("2024-01-01"))
    assert list(r) == ["as_of", "employment", "options", "exercise_price", "change_of_control", "grounds",
                       "payments", "open_clocks", "obligations", "accel"]  # fmt: skip
    plain = status_report(gr_terms(), facts(START), D("2024-01-01"))
    assert {"term", "grants", "packages", "covenants", "unknown"} <= set(plain)


@pytest.mark.parametrize(
    ("fact", "field", "words"),
    [
        (ev("SalaryChanged", "2022-12-30", new_annual_rate="1", amendment=None), "date", "before EmploymentStarted"),
        (
            ev(
                "ResignationNoticeGiven",
                "2024-03-10",
                sent_date="2024-03-10",
                requested_effective_date="2024-03-09",
                good_reason_grounds_claimed=[],
            ),
            "data.requested_effective_date",
            "before the notice date",
        ),  # fmt: skip
        (ev("SalaryChanged", "2024-04-01", new_annual_rate="1", amendment=None), "date", "after the Termination Date"),
        (ev("ResignationNoticeWithdrawn", "2024-03-01", company_consented=True), "type", "no resignation notice"),
    ],
)
def test_the_shared_checks_word_a_refusal_as_the_letter_form_does(fact: dict[str, Any], field: str, words: str) -> None:
    """Nothing before the start, no resignation asking for a date before its notice, nothing but the listed
    facts after the end: refused with the letter form's words (rules.validation's shared checks)."""
    ended = ev("EmploymentTerminatedByCompany", "2024-03-15", stated_ground="without_cause")
    everything = facts(START, *([ended] if fact["date"] == "2024-04-01" else []), fact)
    (error,) = check_history(terms(), everything[:-1], everything[-1:], {})
    assert error.field == field and words in str(error)
