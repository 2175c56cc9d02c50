"""Reminder planning from dated items (pure): lead times, escalations, settlement and both sides of each day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from helpers import ev, facts, start, valence_terms
from obligations.alerts.plan import Reminder, idempotency_key, plan
from obligations.alerts.policy import KindPolicy, Policy, load_policy
from obligations.application.projections import rows_of
from obligations.domain.errors import TermsError

CHICAGO = {"valence": ZoneInfo("America/Chicago")}


def planned(*events: dict[str, object], policy: Policy | None = None) -> list[Reminder]:
    rows = rows_of([("a1", "valence", valence_terms(), facts(*events))])
    return plan(rows, policy or Policy(), CHICAGO)


def offsets(reminders: list[Reminder], item_id: str) -> list[tuple[str, int]]:
    return sorted((r.due_date.isoformat(), r.offset_days) for r in reminders if r.item_id == item_id)


def test_i9_reminded_before_on_and_after_its_day_while_not_submitted() -> None:
    got = planned(start())
    # Due 2004-12-16 (start + 3); 7 days before is before the item existed (2004-12-13): not planned.
    assert offsets(got, "submit_i9") == [("2004-12-16", -1), ("2004-12-16", 0), ("2004-12-16", 1), ("2004-12-16", 7)]
    assert not [r for r in got if r.item_id == "i9_submission"], "the I-9 clock shares the obligation's deadline"


@pytest.mark.parametrize(
    ("submitted", "left"),
    [
        ("2004-12-15", []),  # the day before: nothing left to say
        ("2004-12-16", [-1]),  # on the due day: the day-before reminder stood; the day's and later ones do not
        ("2004-12-17", [-1, 0]),  # on day +1: met that day (before 09:00 or not, the facts say the day)
        ("2004-12-23", [-1, 0, 1]),  # on day +7 itself: fulfilled that day, no escalation that day
        ("2004-12-24", [-1, 0, 1, 7]),
    ],
)
def test_fulfilment_withdraws_the_reminders_from_its_day_on(submitted: str, left: list[int]) -> None:
    got = planned(start(), ev("I9Submitted", submitted, documentation_satisfactory=True))
    assert [o for _, o in offsets(got, "submit_i9")] == left


def test_send_time_is_nine_in_chicago_through_daylight_saving() -> None:
    got = planned(start())
    vest = {r.offset_days: r.send_at for r in got if r.item_id == "installment_4"}  # 2005-12-13, winter
    assert vest[0] == datetime(2005, 12, 13, 15, 0, tzinfo=UTC)
    summer = {r.offset_days: r.send_at for r in got if r.item_id == "installment_6"}  # 2006-06-13, summer
    assert summer[0] == datetime(2006, 6, 13, 14, 0, tzinfo=UTC)
    assert vest.keys() == {-7, -1, 0}, "a tranche has no escalation: once its date passes it has vested"


def test_cure_clock_reminded_before_its_deadline_and_escalated_the_day_after_unless_cured() -> None:
    notice = ev(
        "NeglectNoticeReceived",
        "2005-03-10",
        notice_id="n1",
        sent_date="2005-03-10",
        duties_specified="x",
        cure_demanded=True,
    )
    got = planned(start(), notice)
    clock = [(r.due_date, r.offset_days) for r in got if r.item_id.startswith("neglect_cure_period")]
    assert sorted(clock) == [(date(2005, 4, 9), o) for o in (-7, -1, 0, 1)]  # day 30 = 2005-04-09
    on_time = planned(start(), notice, ev("NeglectCured", "2005-04-09", notice_id="n1"))
    assert [r.offset_days for r in on_time if r.item_id.startswith("neglect_cure")] == [-7, -1]
    late = planned(start(), notice, ev("NeglectCured", "2005-04-10", notice_id="n1"))
    assert sorted(r.offset_days for r in late if r.item_id.startswith("neglect_cure")) == [-7, -1, 0, 1]


def test_lump_sum_paid_on_its_due_day_calls_for_nothing_from_that_day() -> None:
    end = ev("EmploymentTerminatedByCompany", "2005-05-20", stated_ground="without_cause")
    unpaid = planned(start(), end)
    assert offsets(unpaid, "lump_sum_5_1a") == [("2005-05-25", o) for o in (-1, 0, 1, 7)]  # T + 5, no roll
    paid = planned(start(), end, ev("PaymentMade", "2005-05-25", obligation="lump_sum_5_1a", amount="100000.00"))
    assert offsets(paid, "lump_sum_5_1a") == [("2005-05-25", -1)]


def test_forfeited_tranches_are_not_reminded() -> None:
    got = planned(start(), ev("EmploymentEndedOther", "2006-01-20", reason="death"))
    tranches = {r.item_id for r in got if r.kind == "vesting"}
    assert tranches == {"installment_4"}  # vested 2005-12-13; everything after the ending is forfeited


def test_policy_chooses_offsets_per_kind_and_item() -> None:
    policy = Policy(
        kinds={**Policy().kinds, "vesting": KindPolicy(lead_days=(3,), escalate_days=())},
        items={"obligation:submit_i9": KindPolicy(lead_days=(0,), escalate_days=(2,))},
    )
    got = planned(start(), policy=policy)
    assert offsets(got, "submit_i9") == [("2004-12-16", 0), ("2004-12-16", 2)]
    assert {r.offset_days for r in got if r.kind == "vesting"} == {-3}


def test_keys_are_stable_and_distinct_per_item_date_and_offset() -> None:
    a, b = planned(start()), planned(start())
    assert [r.key for r in a] == [r.key for r in b]
    assert len({r.key for r in a}) == len(a)
    assert a[0].key == idempotency_key("a1", a[0].kind, a[0].item_id, a[0].due_date, a[0].offset_days)


def test_policy_file_errors_name_the_file_key_and_rule(tmp_path: Path) -> None:
    (tmp_path / "alerts.toml").write_text("[kinds.payment]\nlead_dayz = [3]\n")
    with pytest.raises(TermsError, match=r"kinds.payment.lead_dayz.*unknown key"):
        load_policy(tmp_path)
    (tmp_path / "alerts.toml").write_text('[parties.Company]\nchannels = ["pager"]\n')
    with pytest.raises(TermsError, match=r"parties.Company.channels.*no channel named 'pager'"):
        load_policy(tmp_path)
    (tmp_path / "alerts.toml").write_text("[kinds.clock]\nlead_days = [2]\n")
    clock = load_policy(tmp_path).kinds["clock"]
    assert clock.lead_days == (2,) and clock.escalate_days == (1,), "unset fields keep the kind's defaults"
    assert load_policy(tmp_path / "missing") == Policy()
