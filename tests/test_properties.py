"""Invariants over generated histories (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import ev, facts, start, strip_free_text, valence_terms
from obligations.domain.errors import InvalidFactError
from obligations.rules.report import status_report
from obligations.rules.validation import check_history

TERMS = valence_terms()
S = date(2004, 12, 13)


def event_for(kind: int, day: date, n: int) -> dict[str, Any]:
    d = day.isoformat()
    return [
        ev("NeglectNoticeReceived", d, notice_id=f"N{n}", sent_date=d, duties_specified="x", cure_demanded=True),
        ev("BreachNoticeReceived", d, notice_id=f"B{n}", sent_date=d, provision="x", material=True),
        ev("SalaryChanged", d, new_annual_rate=str(150000 + 10000 * (n % 8)), amendment=None),
        ev("MergerConsummated", d, counterparty="X", company_shareholders_voting_pct_after=40 + n % 20),
        ev("ResignationNoticeGiven", d, sent_date=d, requested_effective_date=None, good_reason_grounds_claimed=[]),
        ev("EmploymentTerminatedByCompany", d, stated_ground=["without_cause", "good_cause_b", "good_cause_c"][n % 3]),
        ev("PolicyViolationFound", d, policy="p", willful=n % 2 == 0),
        ev("HealthCoverageChanged", d, tier="employee_plus_dependents", dependents=1),
        ev("VacationTaken", d, hours=8, **{"from": d}, to=d),
    ][kind]


lives = st.lists(st.tuples(st.integers(0, 8), st.integers(1, 1800)), min_size=0, max_size=8, unique_by=lambda t: t[1])


def valid_life(raw: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """Keep the generated facts that the §8 rules accept, in date order."""
    kept = [start()]
    for n, (kind, offset) in enumerate(sorted(raw, key=lambda t: t[1])):
        candidate = kept + [event_for(kind, S + timedelta(days=offset), n)]
        fs = facts(*candidate)
        if not check_history(TERMS, fs[:-1], fs[-1:], {}):
            kept = candidate
    return kept


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lives, st.integers(0, 2200))
def test_vested_unvested_forfeited_add_up_to_granted(raw: list[tuple[int, int]], offset: int) -> None:
    r = status_report(TERMS, facts(*valid_life(raw)), S + timedelta(days=offset))
    o = r["options"]
    assert o["vested"] + o["unvested"] + o["forfeited"] == o["granted"] == 220000
    assert o["accelerated"] <= o["vested"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lives, st.randoms(use_true_random=False), st.integers(0, 2200))
def test_recording_order_does_not_change_a_report(raw: list[tuple[int, int]], rnd: Any, offset: int) -> None:
    life = valid_life(raw)  # dates are distinct (unique offsets), so only recording order differs
    shuffled = life[:1] + rnd.sample(life[1:], len(life) - 1)
    as_of = S + timedelta(days=offset)
    a = status_report(TERMS, facts(*life), as_of)
    b = status_report(TERMS, facts(*shuffled), as_of)
    assert strip_free_text(a) == strip_free_text(b)


def test_invalid_fact_error_names_line_and_field() -> None:
    fs = facts(start(), ev("NeglectCured", "2005-01-01", notice_id="none"))
    errors = check_history(TERMS, fs[:1], fs[1:], {fs[1].id: 7})
    assert errors and isinstance(errors[0], InvalidFactError)
    assert str(errors[0]).startswith("line 7, field data.notice_id:")
