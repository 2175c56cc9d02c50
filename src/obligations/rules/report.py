"""The status report of catalogue §10 for one agreement as of the end of a day: a pure function."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from obligations.domain.facts import Fact
from obligations.rules.clocks import open_clocks
from obligations.rules.employment import EmploymentState, employment_state
from obligations.rules.health import cobra_items, no_health_section
from obligations.rules.health import health_section as health_continuation
from obligations.rules.history import History, fact_ids
from obligations.rules.item import Item, clock_json, obligation_json, payment_json
from obligations.rules.obligations import obligations
from obligations.rules.payments import expense_items, final_salary_item
from obligations.rules.report_parts import (
    bonus_target_section,
    change_of_control_section,
    dispute_resolution_section,
    employment_section,
    exercise_price_section,
    grounds_section,
    options_section,
    vacation_section,
)
from obligations.rules.section51 import (
    TRIGGER_WORDS,
    Trigger,
    acceleration_date,
    first_trigger,
    health_plan,
    health_trigger,
    lump_sum_item,
    window,
)
from obligations.rules.sections import Section
from obligations.rules.vesting import VestingState, vesting_state
from obligations.terms.agreement_terms import Terms

SECTIONS = (
    "employment",
    "options",
    "exercise_price",
    "change_of_control",
    "grounds",
    "section_5_1",
    "payments",
    "health_continuation",
    "open_clocks",
    "obligations",
    "vacation",
    "bonus_target",
    "dispute_resolution",
)


@dataclass(frozen=True)
class Derivation:
    """What a report is computed from: the history as of a day, the states derived from it and the typed
    items (payments, open clocks, obligations) its lists are made of."""

    h: History
    emp: EmploymentState
    trigger: Trigger | None
    accel: tuple[date, Any] | None
    vesting: VestingState
    items: list[Item]
    report: dict[str, Any]
    interpretations: dict[str, tuple[str, ...]] = field(default_factory=dict)  # per section, for explain


def status_report(terms: Terms, facts: Iterable[Fact], as_of: date) -> dict[str, Any]:
    """Everything the agreement makes each side owe, as of the end of `as_of` (I-36)."""
    return derive(terms, facts, as_of).report


def derive(terms: Terms, facts: Iterable[Fact], as_of: date, full: bool = True) -> Derivation:
    """The report and what it rests on; `full=False` computes only the typed items (payments, clocks,
    obligations): what `rules.items` reads, at a fraction of the cost."""
    h = History.build(terms, facts, as_of)
    emp = employment_state(h)
    trigger = first_trigger(h, emp)
    accel = acceleration_date(h, emp)
    forfeit = emp.ending.date if emp.ending and not accel else None
    vs = vesting_state(terms.agreement.vesting, h.start, as_of, accel[0] if accel else None, forfeit)
    payments = [lump_sum_item(h, trigger)] if trigger else []
    final = final_salary_item(h, emp.ending) if emp.ending else None
    end = emp.ending.date if emp.ending else None
    cobra = cobra_items(h, health_plan(h), health_trigger(trigger), end) if trigger else []
    payments += ([final] if final else []) + cobra + expense_items(h)
    clocks, duties = open_clocks(h, emp, trigger), obligations(h)
    items = [*payments, *clocks, *duties]
    if not full:
        return Derivation(h, emp, trigger, accel, vs, items, {"as_of": as_of.isoformat()})
    price = exercise_price_section(h)
    assert price.json is not None
    sections = {
        "employment": employment_section(h, emp),
        "options": options_section(h, emp, vs, accel, price.json["exercise_price"]),
        "exercise_price": price,
        "change_of_control": change_of_control_section(h, emp),
        "grounds": grounds_section(h, emp),
        "section_5_1": section_5_1_section(h, emp, trigger),
        "health_continuation": health_section(h, emp, trigger),
        "vacation": vacation_section(h, emp),
        "bonus_target": bonus_target_section(h, emp),
        "dispute_resolution": dispute_resolution_section(h),
    }
    lists = {
        "payments": [payment_json(i, as_of) for i in payments],
        "open_clocks": [clock_json(i) for i in clocks],
        "obligations": [obligation_json(i, as_of) for i in duties],
    }
    report = {"as_of": as_of.isoformat()} | {
        name: lists[name] if name in lists else sections[name].json for name in SECTIONS
    }
    used = {name: s.interpretations for name, s in sections.items()}
    return Derivation(h, emp, trigger, accel, vs, items, report, used)


def section_5_1_section(h: History, emp: Any, trigger: Trigger | None) -> Section:
    start, end = window(h)
    c = h.terms.agreement.section_5_1.clause
    why = f"{c} window {start}..{end} (start + {h.terms.agreement.section_5_1.window_months} months − 1 day) [I-04]."
    if trigger is not None:
        why += (
            f" First qualifying event: {TRIGGER_WORDS[trigger.kind]} on {trigger.date}, inside the window → "
            f"{c} Termination Date {trigger.date} [I-05]."
        )
    elif emp.pending is not None and emp.pending.for_good_reason:
        inside = start <= emp.pending.effective <= end
        why += (
            f" Resignation for Good Reason pending; it occurs on its effective date {emp.pending.effective} "
            f"({f'inside the window → {c} will trigger then' if inside else f'after the window → no {c} benefits'})."
        )
    else:
        why += " No Change of Control, termination for other than Good Cause or resignation for Good Reason"
        why += " inside the window." if h.as_of > end or emp.ending else " yet."
    out = {
        "window_start": start.isoformat(),
        "window_end": end.isoformat(),
        "triggered": trigger is not None,
        "trigger": trigger.kind if trigger else None,
        "termination_date": trigger.date.isoformat() if trigger else None,
        "why": why,
        "fact_ids": fact_ids(h.start_fact, trigger.facts if trigger else None),
    }
    return Section(out, ("I-04", "I-05") if trigger is not None else ("I-04",))


def health_section(h: History, emp: Any, trigger: Trigger | None) -> Section:
    s51 = h.terms.agreement.section_5_1
    if trigger is None:
        return no_health_section(
            f"{s51.health_clause} health continuation arises only from a {s51.clause} trigger inside the "
            f"{s51.window_months}-month window; none has occurred."
        )
    end = emp.ending.date if emp.ending else None
    return health_continuation(h, health_plan(h), health_trigger(trigger), end)
