"""The employment section of the provisions form in the catalogue §10 vocabulary ([report] vocabulary =
"catalogue", issue 13): the same keys, in the same order, with the same termination types as the letter form's."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from helpers import ev, facts
from obligations.rules.provisions.report import status_report
from obligations.terms.provisions import ProvisionTerms
from test_provisions_rules import FOR_CAUSE, MOVED, START, cause_terms, conviction, gr_terms, resign

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
