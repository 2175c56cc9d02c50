"""Every interpretation I-01 … I-43 of catalogue §9 as a named setting; the description names its id.

Where only the catalogue's default is implemented, the setting accepts only that value, so a file that
asks for an alternative the rules do not know is refused instead of silently ignored.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from obligations.terms.models import Dec, NoneIfNegative


class Interpretations(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    day_count: Literal["calendar"] = Field("calendar", description="I-01 day counting")
    roll_contract_dates: bool = Field(False, description="I-01 roll contractual dates off weekends")
    month_end: Literal["clamp"] = Field("clamp", description="I-02 month arithmetic from the anchor, clamped")
    feb29_anniversary: Literal["feb28", "mar1"] = Field("feb28", description="I-03 anniversary of a 29 February start")
    window_inclusive_end: bool = Field(False, description="I-04 the window includes add_months(S, 24)")
    window_test_date: Literal["termination_date", "notice_date"] = Field(
        "termination_date", description="I-05 date tested against the window"
    )
    coc_single_trigger: bool = Field(True, description="I-06 a Change of Control alone pays")
    section51_pay_once: Literal[True] = Field(True, description="I-07 §5.1 pays once")
    acceleration_after_window: bool = Field(True, description="I-08 acceleration applies after the window")
    employed_through_td: Literal[True] = Field(True, description="I-09 employed through the end of TD")
    notice_effective: Literal["receipt", "dispatch"] = Field("receipt", description="I-10 when a notice takes effect")
    gr_assessed_at: Literal["notice"] = Field("notice", description="I-11(1) Good Reason assessed on the notice date")
    gr_requires_claim: bool = Field(False, description="I-11(2) the ground must be named in the notice")
    gr_short_notice: Literal["extend", "lose_good_reason", "accept"] = Field(
        "extend", description="I-11(3) short notice"
    )
    gr_lapse_days: NoneIfNegative = Field(
        -1, description="I-12 days after which a Good Reason ground lapses (-1: never)"
    )
    gr_requires_ongoing: Literal[False] = Field(False, description="I-12 reversal does not remove a ground")
    salary_cut_baseline: Literal["peak", "original", "previous"] = Field(
        "peak", description="I-13(1) baseline of the 10% test"
    )
    salary_cut_threshold: Dec = Field(Decimal("0.10"), description="I-13(2) 'more than' this fraction (strict)")
    agreed_cut_excluded: bool = Field(True, description="I-13(3) a cut agreed in a signed amendment is excluded")
    late_cure_removes_ground: bool = Field(False, description="I-14 a late cure removes Good Cause (b)")
    reclassify_unsupported_good_cause: bool = Field(True, description="I-14 unsupported Good Cause -> without")
    breach_materiality: Literal["notice"] = Field("notice", description="I-15 materiality taken from the notice")
    gc_a_conjunctive: bool = Field(False, description="I-16 (a)(i) and (ii) both required")
    moral_turpitude_felony_only: bool = Field(False, description="I-16 moral turpitude only for felonies")
    substantially_all_threshold: Dec = Field(Decimal("0.90"), description="I-17 (a)(ii) cumulative threshold")
    liquidation_date: Literal["plan_effective"] = Field("plan_effective", description="I-17 (c) date of a liquidation")
    merger_voting_measured_at: Literal["ultimate_parent"] = Field(
        "ultimate_parent", description="I-17 (a)(i) triangular mergers (an input of the event)"
    )
    group_excluded_only_if_all_berg: Literal[True] = Field(
        True, description="I-17 (b) a group is excluded only if all Berg"
    )
    coc_after_employment_counts: Literal[False] = Field(False, description="I-18 a CoC after employment ended")
    continuation_employee_contribution: Literal["active_terms", "company_pays_all"] = Field(
        "active_terms", description="I-19 carrier path contribution"
    )
    cobra_admin_fee_included: bool = Field(True, description="I-19 COBRA premium includes the 2% fee")
    coc_health_anchor: Literal["coc_date"] = Field("coc_date", description="I-20 CoC-only trigger anchors health")
    proration_basis: Literal["calendar_365", "actual_days"] = Field("calendar_365", description="I-21 proration")
    final_pay_rule: Literal["texas"] = Field("texas", description="I-22 final-pay due date")
    final_pay_discharge_days: int = Field(6, description="I-22 days after a discharge")
    vesting_quarters: Literal["from_start"] = Field("from_start", description="I-23 quarterly vesting from the start")
    price_non_trading_day: Literal["previous_close", "next_close"] = Field(
        "previous_close", description="I-24 exercise price on a non-trading first day"
    )
    date_of_hire: Literal["first_day", "acceptance"] = Field("first_day", description="I-25 date of hire")
    i9_day_count: Literal["calendar", "business"] = Field("calendar", description="I-26 I-9 day count")
    i9_termination_class: Literal["offer_condition_failure", "termination_without_good_cause"] = Field(
        "offer_condition_failure", description="I-26 class of a termination for a failed I-9"
    )
    vacation_accrual: Literal["completed_period"] = Field("completed_period", description="I-27 vacation accrual")
    vacation_cap_hours: NoneIfNegative = Field(-1, description="I-27 accrual cap in hours (-1: none)")
    ca_due: Literal["first_day"] = Field("first_day", description="I-28 Confidentiality Agreement due")
    arbitration_agreement_due_days: NoneIfNegative = Field(
        -1, description="I-29 days after the start the arbitration agreement is due (-1: no deadline)"
    )
    relocation_test: Literal["event_flag"] = Field("event_flag", description="I-30 relocation from Austin")
    good_reason_d_after_coc_only: Literal[True] = Field(True, description="I-31 (d) only after a CoC")
    good_reason_e_enabled: bool = Field(True, description="I-31 (e) a CoC is Good Reason")
    company_termination_during_gr_notice: Literal["termination_without_good_cause"] = Field(
        "termination_without_good_cause", description="I-32 Company ends employment during a GR notice period"
    )
    resignation_without_gr_min_notice_days: Literal[0] = Field(0, description="I-33 no minimum notice")
    death_disability: Literal["prorated_salary_only"] = Field(
        "prorated_salary_only", description="I-34 death and disability"
    )
    section51_survives_good_cause: Literal[True] = Field(True, description="I-35 accrued §5.1 survives Good Cause")
    query_time: Literal["end_of_day"] = Field("end_of_day", description="I-36 as of the end of the day")
    same_day_order: Literal["recording"] = Field("recording", description="I-36 same-day facts in recording order")
    expense_prompt_days: NoneIfNegative = Field(-1, description="I-37 promptness flag in days (-1: none)")
    expense_reimbursement_due_days: NoneIfNegative = Field(
        -1, description="I-37 reimbursement due days after submission (-1: no due date)"
    )
    reporting_line_change_is_diminution: bool = Field(True, description="I-38 reporting line")
    forfeit_unvested_on_td: Literal[True] = Field(True, description="I-39 forfeiture on TD")
    clock_per_notice: Literal[True] = Field(True, description="I-40 one clock per notice")
    indemnification_survives: Literal[True] = Field(True, description="I-41 indemnification survives")
    at_will_change_requires_signed_amendment: Literal[True] = Field(True, description="I-42 at-will status")
    amendment_requires_both_signatures: Literal[True] = Field(True, description="I-43 valid amendment")


# The block of a letter-form terms file each setting belongs to: an interpretation is a named setting of the
# provision it reads (issue 13). `[days]`, `[notices]` and `[employment]` hold settings only. A file may
# still list them all under `[interpretations]` (the earlier spelling); a setting is given once.
HOME: dict[str, str] = {
    "day_count": "days",
    "roll_contract_dates": "days",
    "month_end": "days",
    "feb29_anniversary": "days",
    "query_time": "days",
    "same_day_order": "days",
    "window_inclusive_end": "section_5_1",
    "window_test_date": "section_5_1",
    "coc_single_trigger": "section_5_1",
    "section51_pay_once": "section_5_1",
    "continuation_employee_contribution": "section_5_1",
    "cobra_admin_fee_included": "section_5_1",
    "coc_health_anchor": "section_5_1",
    "section51_survives_good_cause": "section_5_1",
    "indemnification_survives": "section_5_1",
    "acceleration_after_window": "options",
    "employed_through_td": "options",
    "price_non_trading_day": "options",
    "forfeit_unvested_on_td": "options",
    "vesting_quarters": "vesting",
    "notice_effective": "notices",
    "clock_per_notice": "notices",
    "gr_assessed_at": "good_reason",
    "gr_requires_claim": "good_reason",
    "gr_short_notice": "good_reason",
    "gr_lapse_days": "good_reason",
    "gr_requires_ongoing": "good_reason",
    "salary_cut_baseline": "good_reason",
    "salary_cut_threshold": "good_reason",
    "agreed_cut_excluded": "good_reason",
    "breach_materiality": "good_reason",
    "relocation_test": "good_reason",
    "good_reason_d_after_coc_only": "good_reason",
    "good_reason_e_enabled": "good_reason",
    "reporting_line_change_is_diminution": "good_reason",
    "company_termination_during_gr_notice": "good_reason",
    "late_cure_removes_ground": "good_cause",
    "reclassify_unsupported_good_cause": "good_cause",
    "gc_a_conjunctive": "good_cause",
    "moral_turpitude_felony_only": "good_cause",
    "substantially_all_threshold": "change_of_control",
    "liquidation_date": "change_of_control",
    "merger_voting_measured_at": "change_of_control",
    "group_excluded_only_if_all_berg": "change_of_control",
    "coc_after_employment_counts": "change_of_control",
    "proration_basis": "salary",
    "final_pay_rule": "salary",
    "final_pay_discharge_days": "salary",
    "date_of_hire": "bonus",
    "i9_day_count": "onboarding",
    "i9_termination_class": "onboarding",
    "ca_due": "onboarding",
    "vacation_accrual": "vacation",
    "vacation_cap_hours": "vacation",
    "arbitration_agreement_due_days": "dispute_resolution",
    "expense_prompt_days": "expenses",
    "expense_reimbursement_due_days": "expenses",
    "resignation_without_gr_min_notice_days": "employment",
    "death_disability": "employment",
    "at_will_change_requires_signed_amendment": "employment",
    "amendment_requires_both_signatures": "employment",
}
SETTINGS_ONLY = ("days", "notices", "employment")
