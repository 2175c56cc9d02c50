"""The provisions form of a terms file (`form = "provisions"`): an agreement as typed blocks (issue 13).

Each block is one kind of provision with its clause citation; `rules.provisions` has one rule per kind. A
new agreement made of these kinds is a new TOML file and no code. Durations, dates and amounts are written
in the small languages of `terms.expressions` and checked when the file loads. `docs/terms.md` documents
every block, key and default with an example.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from obligations.domain.facts import AGREEMENT_FACT_TYPES
from obligations.domain.values import ID_RULE, is_valid_id
from obligations.terms.expressions import (
    DATE_ANCHORS,
    ExpressionError,
    anchors_of,
    parse_amount,
    parse_date,
    parse_duration,
    parse_year_end,
)
from obligations.terms.models import AllocationType, Company, DayOfMonth, Dec, Frac, Vesting

# Facts of the letter form the provisions form reads (and accepts) only with the block that reads them.
FACTS_OF_BLOCKS: dict[str, str] = {
    "VacationTaken": "vacation",
    "DisputeRaised": "dispute_resolution",
    "ExpenseSubmitted": "expenses",
    "ExpenseReimbursed": "expenses",
}
# The top-level keys of a provisions report, which a package's section may not take ([report] sections).
REPORT_KEYS = frozenset(
    {"as_of", "form", "employment", "term", "grants", "packages", "release", "grounds", "cause_grounds", "payments",
     "open_clocks", "obligations", "covenants", "unknown", "person", "change_of_control", "exercise_price",
     "options", "vacation", "bonus_target", "dispute_resolution", "health_continuation"}
)  # fmt: skip
# The letter's facts a ground of these kinds reads (and makes accepted).
GROUND_FACTS = {
    "work_location": ("WorkLocationChanged",),
    "benefits_after_change_of_control": ("CompensationOrBenefitsChanged",),
    "uncured_breach": ("BreachNoticeReceived", "BreachCured"),
    "uncured_neglect": ("NeglectNoticeReceived", "NeglectCured"),
}
# The letter's health-continuation facts, read with a package's `health` that pays COBRA premiums.
COBRA_FACTS = ("HealthCoverageChanged", "CarrierContinuationDecision", "CobraElected", "CobraEligibilityEnded")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _duration(text: str) -> str:
    try:
        parse_duration(text)
    except ExpressionError as exc:
        raise ValueError(f"a duration such as '30 days', '10 business days' or '6 months': {exc}") from None
    return text


def _date_expr(text: str) -> str:
    try:
        parse_date(text)
    except ExpressionError as exc:
        raise ValueError(f"a date expression such as 'termination_date + 5 days': {exc}") from None
    return text


def _amount(text: str) -> str:
    try:
        parse_amount(text)
    except ExpressionError as exc:
        raise ValueError(f"an amount formula such as '6/12 * base_salary_at_termination': {exc}") from None
    return text


def _id(text: str) -> str:
    if not is_valid_id(text):
        raise ValueError(f"{text[:80]!r}: {ID_RULE}")
    return text


DurationText = Annotated[str, AfterValidator(_duration)]
DateText = Annotated[str, AfterValidator(_date_expr)]
AmountText = Annotated[str, AfterValidator(_amount)]
Id = Annotated[str, AfterValidator(_id)]
Party = Literal["Company", "Employee"]
Event = Literal[
    "termination_without_cause",
    "termination_for_cause",
    "resignation",
    "resignation_for_good_reason",
    "position_eliminated",
    "death",
    "disability",
    "change_of_control",
]


class Parties(Strict):
    employer: str
    employee: str = "the Employee"


class Days(Strict):
    """The agreement's default day counting; a clock may say otherwise."""

    count: Literal["calendar", "business"] = "calendar"
    roll: Literal["none", "following", "preceding", "modified_following"] = Field(
        "none", description="I-01 a due date on a weekend or a company holiday moves, or not"
    )
    feb29: Literal["feb28", "mar1"] = Field("feb28", description="I-03 where a 29 February anniversary lands")
    notices: Literal["receipt", "dispatch"] = Field(
        "receipt", description="I-10 a written notice takes effect on receipt (the fact's date) or on dispatch"
    )
    # "MM-DD", "last WDAY of MM" or "WDAY nearest MM-DD" (a 52/53-week year), rules.days.year_end_in
    fiscal_year_end: str = "12-31"

    @model_validator(mode="after")
    def _real_day(self) -> Days:
        try:
            parse_year_end(self.fiscal_year_end)
        except ExpressionError as exc:
            raise ValueError(f"fiscal_year_end {exc}") from None
        return self


class Salary(Strict):
    annual_base_salary: Dec | None = None  # None: not stated in the clauses at hand
    clause: str
    final_pay: Literal["law", "through_termination_date", "through_last_week_worked"] = "law"
    final_pay_words: str = ""  # the clause's words owing the final salary, quoted in its why
    proration_basis: Literal["calendar_365", "actual_days"] = Field(
        "calendar_365", description="I-21 the day basis of a prorated salary"
    )


class Expenses(Strict):
    """Business expenses reimbursed (catalogue OB-18): each ExpenseSubmitted is a payment `expense_<id>`,
    due `reimbursement_due_days` after it is submitted (none: no due date, I-37) and flagged when submitted
    more than `prompt_days` after it was incurred."""

    clause: str
    reimbursement_due_days: Annotated[int, Field(ge=0, le=3660)] | None = None
    prompt_days: Annotated[int, Field(ge=0, le=3660)] | None = None


class Bonus(Strict):
    target_pct_of_base_salary: Dec | None = None
    clause: str
    # How many payments a year the target is paid in: with it the report has a bonus_target section.
    payments_per_year: Annotated[int, Field(ge=1, le=366)] | None = None

    @model_validator(mode="after")
    def _shape(self) -> Bonus:
        if self.payments_per_year is not None and self.target_pct_of_base_salary is None:
            raise ValueError("payments_per_year needs target_pct_of_base_salary (the target it divides)")
        return self


class Vacation(Strict):
    """Vacation accrued by whole periods counted from the start (I-27 "completed_period"): hours_per_year /
    periods_per_year for each completed period of accrual_period_days days, no partial period, up to
    cap_hours. Read with VacationTaken facts; the report's `vacation` section."""

    clause: str
    hours_per_year: Dec
    weeks_per_year: Annotated[int, Field(ge=1, le=52)] | None = None  # words only: "four weeks per year"
    accrual_period_days: Annotated[int, Field(ge=1, le=366)] = 14
    periods_per_year: Annotated[int, Field(ge=1, le=366)] = 26
    accrual: Literal["completed_period"] = "completed_period"  # I-27
    cap_hours: Dec | None = None

    @model_validator(mode="after")
    def _positive(self) -> Vacation:
        if self.hours_per_year <= 0:
            raise ValueError("hours_per_year must be more than 0")
        if self.cap_hours is not None and self.cap_hours < 0:
            raise ValueError("cap_hours must be 0 or more")
        return self


class DisputeResolution(Strict):
    """Where disputes are settled (I-29): read with DisputeRaised facts; the report's `dispute_resolution`."""

    forum: Literal["arbitration"]
    clause: str


class Report(Strict):
    """Which provisions the catalogue §10 sections describe, for an agreement whose report keeps them:
    `options` names the grant whose exercise price is the `exercise_price` section."""

    options: Id | None = None
    # The package whose health continuation is the `health_continuation` section.
    health: Id | None = None
    # Packages whose section is a top-level key of the report named by the package's id, in the catalogue's
    # shape (the letter's `section_5_1`): the window of its triggers, whether and by what it was triggered.
    sections: list[Id] = Field(default_factory=list)
    # How the report is written: "provisions" (docs/report.md) or "catalogue" (the catalogue §10 vocabulary of
    # the letter form, for an agreement whose report keeps it): payments, open clocks and employment so far.
    vocabulary: Literal["provisions", "catalogue"] = "provisions"


class Term(Strict):
    """The term and its notice periods (family 1)."""

    kind: Literal["at_will", "fixed", "evergreen"]
    clause: str
    length: DurationText | None = None  # fixed and evergreen: from the start (effective) date
    renewal: DurationText | None = None  # evergreen: each renewal's length
    non_renewal_notice: DurationText | None = None  # evergreen: notice before the term's end
    notice_by_company: DurationText | None = None
    notice_by_employee: DurationText | None = None
    pay_in_lieu_of_notice: bool = False

    @model_validator(mode="after")
    def _shape(self) -> Term:
        if self.kind == "at_will" and (self.length or self.renewal):
            raise ValueError("an at-will term has no length or renewal")
        if self.kind != "at_will" and not self.length:
            raise ValueError(f"a {self.kind} term needs its length")
        if self.kind == "evergreen" and not self.renewal:
            raise ValueError("an evergreen term needs its renewal length")
        return self


# A prong's id in the report: free words of a citation such as "5.3(a)(i)" (never part of an item id).
ProngId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")]
# A ground's id: a letter, digit, _, ., -, or parentheses, so a citation such as "5.4(f)" can name it.
GroundId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.()\-]*$")]


class MergerProng(Strict):
    clause: str
    id: ProngId | None = None  # what the report's change_of_control section names it (default: the prong's key)
    shareholders_retain_less_than_pct: Dec  # the Company's shareholders own less than this of the survivor


class AssetSaleProng(Strict):
    clause: str
    id: ProngId | None = None  # what the report's change_of_control section names it (default: the prong's key)
    substantially_all_fraction: Dec = Decimal("0.90")  # transfers of one series reach this fraction (or so found)


class OwnershipProng(Strict):
    clause: str
    id: ProngId | None = None  # what the report's change_of_control section names it (default: the prong's key)
    more_than_pct: Dec  # a person (not an excluded one, [change_of_control] of the company) comes to hold more


class LiquidationProng(Strict):
    clause: str
    id: ProngId | None = None  # what the report's change_of_control section names it (default: the prong's key)


class ChangeOfControl(Strict):
    """Family 3: a Change of Control by reference (`by_fact`: a plan's definition, so it is a recorded company
    fact, ChangeOfControlDetermined) or by prongs (`prongs`: a merger, a sale of substantially all the
    assets, a person acquiring voting control, a liquidation, each read from the company's facts; a prong
    left out is not part of the definition)."""

    definition: Literal["by_fact", "prongs"] = "by_fact"
    plan: str | None = None
    clause: str
    merger: MergerProng | None = None
    asset_sale: AssetSaleProng | None = None
    beneficial_ownership: OwnershipProng | None = None
    liquidation: LiquidationProng | None = None

    @model_validator(mode="after")
    def _shape(self) -> ChangeOfControl:
        prongs = (self.merger, self.asset_sale, self.beneficial_ownership, self.liquidation)
        if self.definition == "prongs" and not any(prongs):
            raise ValueError("a definition by prongs needs at least one prong")
        if self.definition == "by_fact" and any(prongs):
            raise ValueError("prongs belong to definition = 'prongs'")
        return self


class Schedule(Strict):
    """A grant's vesting schedule: the fields of the letter form's [vesting] block but its quantity, which is
    the grant's (vesting-rules.md, OCF vocabulary)."""

    clause: str = ""
    period_length: Annotated[int, Field(gt=0)]
    period_unit: Literal["MONTHS", "DAYS"]
    installments: Annotated[int, Field(gt=0)]
    cliff_installment: Annotated[int, Field(ge=0)] = 0
    cliff_fraction: Frac | None = None
    installment_weights: tuple[Frac, ...] | None = None
    day_of_month: DayOfMonth = "VESTING_START_DAY_OR_LAST_DAY_OF_MONTH"
    allocation_type: AllocationType

    @model_validator(mode="after")
    def _consistent(self) -> Schedule:
        Vesting(quantity=Decimal(1000), **self.model_dump())  # the letter form's checks, on a whole quantity
        return self


class Grant(Strict):
    """One equity grant with its own schedule (family 11). `vesting` is the [vesting] block of the Valence
    form; the schedule counts from `grant_date` (a date expression, the start by default)."""

    id: Id
    kind: Literal["options", "restricted_stock", "rsu"]
    clause: str
    quantity: Dec | None = None  # None: not stated (a value instead): the GrantMade fact gives it
    grant_date: DateText = "start_date"
    vesting: Schedule | None = None  # None: the schedule is not in the clauses at hand
    exercise_window: DurationText | None = None  # options: exercisable for this long after employment ends
    # options: "closing_price": the close on the grant date, on a day with none the one before (or after)
    exercise_price: Literal["closing_price"] | None = None
    price_non_trading_day: Literal["previous_close", "next_close"] = Field(
        "previous_close", description="I-24 the exercise price of a grant made on a day without a close"
    )
    forfeit_unvested_on_termination: bool = True
    # The fact type recording the grant: GrantMade (naming the grant), or OptionsGranted (the letter's, for an
    # agreement with one options grant); its facts are what the grant rests on.
    made_by: Literal["GrantMade", "OptionsGranted"] = "GrantMade"

    def schedule_for(self, quantity: Decimal) -> Vesting | None:
        """The [vesting] block of the letter form for this many shares (checked as that block is)."""
        if self.vesting is None:
            return None
        return Vesting(quantity=quantity, **self.vesting.model_dump())


class WindowAroundChangeOfControl(Strict):
    before: DurationText  # e.g. "3 months" before the Change of Control
    after: DurationText  # e.g. "12 months" after it
    wait_for_change_of_control: bool = True  # a termination in the window before waits for the CoC


class Unless(Strict):
    """A date passing without a fact (family 4): the trigger needs `obligation` unfulfilled on `by`."""

    obligation: Id
    by: DateText


class Trigger(Strict):
    """Family 4: the events that fire a package, with the conditions on them."""

    id: Id
    clause: str
    events: list[Event] = Field(min_length=1)
    change_of_control: WindowAroundChangeOfControl | None = None  # a double trigger
    on_or_after: DateText | None = None  # the event's date must be on or after this date
    before: DateText | None = None  # ... and before this one
    unless_fulfilled: Unless | None = None
    tested_on: Literal["event_date", "notice_date"] = Field(
        "event_date", description="I-05 the day of a resignation the window tests: it takes effect, or its notice"
    )
    window_inclusive_end: bool = Field(False, description="I-04 the window includes its `before` day")


def _every(text: str) -> str:
    return text if text == "payroll" else _duration(text)


class GoodReason(Strict):
    """Family 5: the Good Reason process. The employee gives notice within `notice_within` of a ground's
    condition first arising; the Company may cure it within `cure` of the notice; the employee resigns within
    `resign_within` after the cure period ends (and, with `resign_by`, within that of the condition), giving
    `resignation_notice` in advance. A step left out is not required: without `notice_within` and `cure` a
    ground is Good Reason from the day its condition arises (a notice still starts a cure period when `cure`
    is given); without `resign_within` or `resign_by` the resignation has no deadline."""

    clause: str
    notice_within: DurationText | None = None
    cure: DurationText | None = None
    resign_within: DurationText | None = None
    resign_by: DurationText | None = None
    resignation_notice: DurationText | None = None  # the resignation takes effect no earlier than this after it
    # A Good Reason resignation on less notice (I-11(3)): "extend" it to the notice; "lose_good_reason" when it
    # asks for an earlier date (one asking for none is extended); "strict": also when it asks for none (then
    # it takes effect on its day, as a plain resignation); "accept" the earlier date it asks for.
    short_notice: Literal["extend", "lose_good_reason", "strict", "accept"] = Field(
        "extend", description="I-11 a Good Reason resignation on less notice than resignation_notice"
    )
    # How a resignation is judged (I-11): "claimed" (for the grounds its notice claims) or "deemed" (for every
    # ground available on the notice's day, claimed or not: "deemed to have resigned for Good Reason").
    assessed: Literal["claimed", "deemed"] = Field(
        "claimed", description="I-11 a resignation is for the grounds its notice claims, or for every one available"
    )
    lapse: DurationText | None = Field(
        None, description="I-12 a notice of resignation may rely on a ground for this long after it became available"
    )
    # A Company termination while a Good Reason resignation's notice runs (I-32): "as_stated", or
    # "without_cause" (the Company's day ends the employment, as a termination without Cause).
    termination_during_notice: Literal["as_stated", "without_cause"] = Field(
        "as_stated", description="I-32 a Company termination while a Good Reason resignation's notice runs"
    )


class Ground(Strict):
    """A Good Reason ground as a typed condition: `salary_reduction` (a cut of more than `threshold_pct`
    percent from the `baseline` rate, read from SalaryChanged facts), `relocation` (a WorkplaceRelocated
    more than `more_than_miles` away, not agreed), `work_location` (a WorkLocationChanged outside the work
    location, not agreed, I-30), `duties_diminution` (a DutiesChanged that substantially diminishes the
    duties or is inconsistent with the position, not agreed in a signed amendment; with `reporting_line`, a
    ReportingLineChanged away from the Chairman/CEO/President too, I-38), `benefits_after_change_of_control`
    (a CompensationOrBenefitsChanged below the level before the first Change of Control, I-31),
    `change_of_control` (the first Change of Control itself), `uncured_breach` (the employee's written notice
    of a material breach, BreachNoticeReceived, not cured by the Company within `cure`; from the day after,
    I-15) or `recorded` (GoodReasonConditionArose)."""

    id: GroundId
    clause: str
    kind: Literal[
        "salary_reduction",
        "relocation",
        "work_location",
        "duties_diminution",
        "benefits_after_change_of_control",
        "change_of_control",
        "uncured_breach",
        "recorded",
    ]
    description: str = ""
    threshold_pct: Dec | None = None
    baseline: Literal["start", "peak", "previous"] = Field(
        "peak", description="I-13 the salary a salary_reduction ground measures a cut from"
    )
    agreed_cut_resets_baseline: bool = Field(
        False, description="I-13 a cut agreed in a signed amendment is the new baseline"
    )
    more_than_miles: Dec | None = None
    reporting_line: bool = Field(
        False, description="I-38 duties_diminution: a reporting line moved away is a diminution"
    )
    cure: DurationText | None = None  # uncured_breach
    late_cure_removes: bool = Field(
        False, description="I-14 uncured_breach: a cure after the cure period removes the ground"
    )

    @model_validator(mode="after")
    def _shape(self) -> Ground:
        if (self.kind == "salary_reduction") != (self.threshold_pct is not None):
            raise ValueError("a salary_reduction ground needs threshold_pct, and only it has one")
        if (self.kind == "relocation") != (self.more_than_miles is not None):
            raise ValueError("a relocation ground needs more_than_miles, and only it has one")
        if (self.kind == "uncured_breach") != (self.cure is not None):
            raise ValueError("an uncured_breach ground needs its cure period, and only it has one")
        if self.late_cure_removes and self.kind != "uncured_breach":
            raise ValueError(f"late_cure_removes belongs to an uncured_breach ground, not a {self.kind} one")
        for key, kind in (("reporting_line", "duties_diminution"), ("agreed_cut_resets_baseline", "salary_reduction")):
            if key in self.model_fields_set and self.kind != kind:
                raise ValueError(f"{key} belongs to a {kind} ground, not a {self.kind} one")
        return self


class Cause(Strict):
    """Family 6: Cause as grounds. A termination stated for Cause is one only when a ground of
    [[cause_grounds]] is available on its date; with `unsupported = "without_cause"` (the default) one that
    has none is a termination without Cause, and the packages it triggers fire; with "as_stated" it stays a
    termination for Cause, flagged."""

    clause: str
    unsupported: Literal["without_cause", "as_stated"] = "without_cause"


ConvictionKind = Literal[
    "felony",
    "moral_turpitude",
    "felony_involving_moral_turpitude",
    "misdemeanor",
    "theft_of_company_property",
    "felony_involving_theft",
]
# One entry of a conviction ground's `convictions`: a kind, or a list of kinds one conviction must all be (the
# letter's (i) and (ii) read together, I-16).
ConvictionEntry = ConvictionKind | Annotated[list[ConvictionKind], Field(min_length=2)]


def conviction_words(entries: Sequence[ConvictionEntry]) -> str:
    """A ground's `convictions` in words: the entries are alternatives, a list's kinds all required."""
    return ", or ".join(x if isinstance(x, str) else " and ".join(x) for x in entries)


class CauseGround(Strict):
    """A Cause ground as a typed condition: `recorded` (available from its CauseConditionArose),
    `uncured_notice` (after the Company's written notice naming it, CauseNoticeGiven, the employee may cure
    it within `cure`; available from the day after the cure period ends uncured), `uncured_neglect` (the
    letter's: a NeglectNoticeReceived specifying the neglected duties and demanding a cure, not cured by the
    employee within `cure`; from the day after, I-14), `conviction` (a ConvictionEntered of a kind
    `convictions` lists) or `policy_violation` (a PolicyViolationFound, wilful unless `wilful_only = false`)."""

    id: GroundId
    clause: str
    kind: Literal["recorded", "uncured_notice", "uncured_neglect", "conviction", "policy_violation"]
    description: str = ""
    cure: DurationText | None = None
    late_cure_removes: bool = Field(
        False, description="I-14 uncured_neglect: a cure after the cure period removes the ground"
    )
    # The stated_ground of an EmploymentTerminatedByCompany naming this ground alone (the letter's).
    stated_as: Literal["good_cause_a", "good_cause_b", "good_cause_c"] | None = None
    # conviction: which count (any one entry; an entry that is a list, when one conviction is all its kinds)
    convictions: list[ConvictionEntry] = Field(
        default_factory=lambda: list[ConvictionEntry](["felony"]),
        min_length=1,
        description="I-16 conviction: the kinds of conviction that count",
    )
    wilful_only: bool = True  # policy_violation

    @model_validator(mode="after")
    def _shape(self) -> CauseGround:
        if (self.kind in ("uncured_notice", "uncured_neglect")) != (self.cure is not None):
            raise ValueError(f"an {self.kind} ground needs its cure period, and only such a ground has one")
        if self.late_cure_removes and self.kind != "uncured_neglect":
            raise ValueError(f"late_cure_removes belongs to an uncured_neglect ground, not a {self.kind} one")
        for key, kind in (("convictions", "conviction"), ("wilful_only", "policy_violation")):
            if key in self.model_fields_set and self.kind != kind:
                raise ValueError(f"{key} belongs to a {kind} ground, not a {self.kind} one")
        return self


class Payment(Strict):
    """A payment of a package (families 7-9).

    * a lump sum on `due` (a date expression), or by the last day of `within` after the termination date
      (with `year_straddle`: not before 1 January when that period spans two calendar years);
    * or `installments` equal payments every `every` (a duration, or "payroll": the company's paydays)
      from `first`; with `catch_up_from`, the schedule runs from that date and the installments it puts
      before `first` are paid together on `first` (the catch-up payment);
    * `delay_if_specified_employee`: the Code §409A six-month delay: installments due before the first day
      of the seventh month after the termination date are paid on the first payday after it.

    Without `due`, `within` or `first` its date is not stated: it is shown with no due date."""

    id: Id
    clause: str
    amount: AmountText
    due: DateText | None = None
    within: DurationText | None = None
    year_straddle: bool = False
    installments: Annotated[int, Field(ge=1, le=600)] = 1
    every: Annotated[str, AfterValidator(_every)] | None = None
    first: DateText | None = None
    catch_up_from: DateText | None = None
    delay_if_specified_employee: bool = False
    remainder_on_change_of_control: bool = False  # S3: installments left at a later Change of Control: a lump sum
    after_release: bool = True  # held until the release is effective when the package needs one
    roll: Literal["none", "following", "preceding", "modified_following"] | None = Field(
        None, description="I-01 the due date moves off a weekend or a company holiday, or not (none: [days] roll)"
    )
    unknown: str = ""
    words: str = ""  # the clause's own words for it, quoted in its why ("on the fifth day following ...")

    @model_validator(mode="after")
    def _shape(self) -> Payment:
        if self.installments > 1 and not self.every:
            raise ValueError("installments need 'every' (a duration or 'payroll'); without 'first' they have no dates")
        if self.installments > 1 and (self.due or self.within):
            raise ValueError("'due' and 'within' are for a lump sum; installments use 'first' and 'every'")
        if self.due and self.within:
            raise ValueError("give 'due' or 'within', not both")
        if self.year_straddle and not self.within:
            raise ValueError("year_straddle needs 'within' (the payment period)")
        if (self.catch_up_from or self.remainder_on_change_of_control) and self.installments == 1:
            raise ValueError("catch_up_from and remainder_on_change_of_control are for installments")
        return self


class Acceleration(Strict):
    """Family 11: what vests early when the package fires."""

    grants: list[Id] = Field(default_factory=list)  # empty: every grant
    kind: Literal["full", "months", "pro_rata"] = "full"
    months: Annotated[int, Field(ge=1)] | None = None  # kind "months": this many more months of vesting
    order: Literal["soonest", "last", "pro_rata"] | None = None  # kind "months": which tranches it takes
    clause: str

    @model_validator(mode="after")
    def _shape(self) -> Acceleration:
        if self.kind == "months" and self.months is None:
            raise ValueError("a partial acceleration ('months') needs months")
        if self.kind != "months" and (self.months is not None or self.order is not None):
            raise ValueError("months and order belong to kind = 'months'")
        return self


class Health(Strict):
    """`months` of health continuation following the day the package fires. With `cobra_clause`, the letter's
    path (catalogue §7.3, I-19, I-20): the coverage held the day before, the carrier's decision to continue it
    or not, and when it refuses, the monthly COBRA premiums (`cobra_premium_<k>`) once COBRA is elected."""

    months: Annotated[int, Field(ge=1, le=120)]
    clause: str
    cobra_clause: str | None = None
    # I-19: on the carrier's continuation "on the same terms as during your employment", the employee keeps
    # paying the active-employee contribution, or the Company bears all of it; the COBRA premium it pays
    # includes the administrative charge (up to 2%) or not. Stated in the report's words; no amount changes.
    employee_contribution: Literal["active_terms", "company_pays_all"] = Field(
        "active_terms", description="I-19 who bears the active-employee contribution on the carrier's continuation"
    )
    cobra_admin_fee_included: bool = Field(
        True, description="I-19 the COBRA premium the Company pays includes the administrative charge"
    )

    @model_validator(mode="after")
    def _shape(self) -> Health:
        for key in ("employee_contribution", "cobra_admin_fee_included"):
            if key in self.model_fields_set and self.cobra_clause is None:
                raise ValueError(f"{key} belongs to the letter's COBRA path: it needs cobra_clause")
        return self


class Package(Strict):
    """A package of benefits that fires once (families 4, 7-12) when one of its triggers occurs."""

    id: Id
    clause: str
    triggers: list[Id] = Field(min_length=1)
    payments: list[Payment] = Field(default_factory=list)
    accelerations: list[Acceleration] = Field(default_factory=list)
    health: Health | None = None
    # An open clock `<id>_window` while employed and before it fires, over the window of its first trigger with one.
    window_clock: bool = False
    release: bool = False  # needs the [release] block: payments wait for it and lapse without it
    excludes: list[Id] = Field(default_factory=list)  # packages this one shuts out when it fires first
    # Packages whose payments, when they fire too, reduce this one's: the total they pay (before their own
    # offsets) comes off this package's payments, from its last payment back; "pay_in_lieu_of_notice" names
    # the pay in lieu of notice of [term].
    offset_by: list[Id] = Field(default_factory=list)
    # What the package's clause calls a date anchor, for the words of its payments' dates: Valence §5 calls the
    # day it fires "the Termination Date" ({ fired_date = "the Termination Date" }).
    names: dict[str, Annotated[str, Field(min_length=1, max_length=80)]] = Field(default_factory=dict)
    fires_once: Literal[True] = Field(True, description="I-07 the package fires once, on its earliest trigger")

    @model_validator(mode="after")
    def _known_anchors(self) -> Package:
        unknown = sorted(set(self.names) - set(DATE_ANCHORS))
        if unknown:
            raise ValueError(f"names: unknown date anchor {unknown[0]!r}; known: {', '.join(DATE_ANCHORS)}")
        return self


class Release(Strict):
    """Family 12: a release of claims as a condition of the packages that say `release = true`."""

    clause: str
    deliver_within: DurationText | None = None  # the Company delivers it within this after termination
    consider: DurationText | None = None  # from delivery (or termination); None: not stated, no deadline
    revoke: DurationText | None = None  # after signing; None: not stated
    effective_day_after_signing: Annotated[int, Field(ge=0)] | None = None  # None: the day after `revoke` ends
    outer_deadline: DurationText | None = None  # effective no later than this after termination


class Covenant(Strict):
    """Family 13: a restrictive covenant running for `period` from `runs_from`."""

    id: Id
    kind: Literal["non_compete", "non_solicit", "no_hire", "confidentiality", "other"]
    clause: str
    period: DurationText
    runs_from: DateText = "termination_date"
    condition_of: list[Id] = Field(default_factory=list)  # packages whose payments stop on a breach


def _fact_type(name: str) -> str:
    if name not in AGREEMENT_FACT_TYPES:
        raise ValueError(f"{name[:60]!r} is not a fact type of an agreement (obligations types lists them)")
    return name


FactTypeName = Annotated[str, AfterValidator(_fact_type)]


def _fields_of(type_name: str) -> set[str]:
    return set(AGREEMENT_FACT_TYPES[type_name].model_fields) - {"note"}


class Obligation(Strict):
    """Families 2 and 15: a duty with a clock (or none). It is fulfilled by an ObligationFulfilled naming it,
    or with `fulfilled_by` by the first fact of that type whose fields have the values of `fulfilled_when`
    (the letter's I9Submitted with documentation_satisfactory = true). With `for_each` it is owed once per
    fact of that type, from that fact's day, as `<id>_<the fact's for_each_key>`; `matching` names fields
    the fulfilling fact must share with it (an amended agreement's version)."""

    id: Id
    clause: str
    owed_by: Literal["Company", "Employee", "Company and Employee"]
    owed_to: Literal["Company", "Employee", "each other"]
    description: str
    due: DateText | None = None  # None: an open obligation with no date
    arises: DateText | None = None  # when it arises (default: the start, or when `due` can be computed)
    condition_precedent: bool = False
    fulfilled_by: FactTypeName | None = None
    fulfilled_when: dict[str, bool | str] = Field(default_factory=dict)
    for_each: FactTypeName | None = None
    for_each_key: str | None = None
    matching: list[str] = Field(default_factory=list)
    # The open clock it runs as while employed and unfulfilled, from when it arises to its due date.
    clock: Id | None = None
    # A condition of the offer (I-26): a termination stating this ground ends the employment as an
    # offer_condition_failure when the obligation was not fulfilled by its due date; when it was, the claim is
    # rejected and it is a termination without Cause.
    stated_as: Literal["offer_condition_failure_i9"] | None = None
    # What such a termination is when the condition failed (I-26): an offer_condition_failure, or a
    # termination without Cause.
    failure_ends_as: Literal["offer_condition_failure", "termination_without_cause"] = Field(
        "offer_condition_failure", description="I-26 what a termination for the failed condition is"
    )

    @model_validator(mode="after")
    def _shape(self) -> Obligation:
        if self.fulfilled_when and self.fulfilled_by is None:
            raise ValueError("fulfilled_when needs fulfilled_by (the fact type whose fields it tests)")
        if self.fulfilled_by is not None:
            unknown = set(self.fulfilled_when) - _fields_of(self.fulfilled_by)
            if unknown:
                raise ValueError(f"fulfilled_when: {self.fulfilled_by} has no field {', '.join(sorted(unknown))}")
            fields = AGREEMENT_FACT_TYPES[self.fulfilled_by].model_fields
            for name, value in self.fulfilled_when.items():  # compared with ==: a value of another type never is
                try:
                    TypeAdapter(fields[name].annotation or Any).validate_python(value, strict=True)
                except ValidationError as exc:
                    raise ValueError(
                        f"fulfilled_when.{name}: {value!r} can never equal {self.fulfilled_by}.{name} "
                        f"({exc.errors()[0]['msg']})"
                    ) from None
        if (self.for_each is None) != (self.for_each_key is None):
            raise ValueError("for_each and for_each_key go together (the fact type and the field naming each one)")
        if self.for_each is not None and self.for_each_key not in _fields_of(self.for_each):
            raise ValueError(f"for_each_key: {self.for_each} has no field {self.for_each_key}")
        if self.matching and (self.for_each is None or self.fulfilled_by is None):
            raise ValueError("matching needs for_each and fulfilled_by")
        for name in self.matching:
            if (
                self.for_each
                and self.fulfilled_by
                and not {name} <= _fields_of(self.for_each) & _fields_of(self.fulfilled_by)
            ):
                raise ValueError(f"matching: {name} is not a field of both {self.for_each} and {self.fulfilled_by}")
        if self.for_each is not None and (self.due or self.arises):
            raise ValueError("an obligation owed for each fact arises on that fact's day, with no due date")
        if self.clock is not None and (self.due is None or self.for_each is not None):
            raise ValueError("clock: an obligation runs as a clock only with a due date, owed once")
        if self.stated_as is not None and (self.due is None or self.for_each is not None or self.owed_by != "Employee"):
            raise ValueError("stated_as: a condition of the offer is the employee's, with a due date, owed once")
        return self


class ProvisionsFile(Strict):
    form: Literal["provisions"]
    key: str
    company: str
    title: str
    document_date: date
    unknown: list[str] = Field(default_factory=list)  # what the clauses at hand leave unknown
    parties: Parties
    days: Days = Field(default_factory=Days)
    salary: Salary
    bonus: Bonus | None = None
    term: Term
    change_of_control: ChangeOfControl | None = None
    grants: list[Grant] = Field(default_factory=list)
    triggers: list[Trigger] = Field(default_factory=list)
    packages: list[Package] = Field(default_factory=list)
    release: Release | None = None
    good_reason: GoodReason | None = None
    grounds: list[Ground] = Field(default_factory=list)
    cause: Cause | None = None
    cause_grounds: list[CauseGround] = Field(default_factory=list)
    covenants: list[Covenant] = Field(default_factory=list)
    obligations: list[Obligation] = Field(default_factory=list)
    vacation: Vacation | None = None
    dispute_resolution: DisputeResolution | None = None
    expenses: Expenses | None = None
    report: Report = Field(default_factory=Report)

    @model_validator(mode="after")
    def _references(self) -> ProvisionsFile:
        if not is_valid_id(self.company):
            raise ValueError(f"company {self.company[:80]!r}: {ID_RULE}")
        _unique("grants", [g.id for g in self.grants])
        _unique("triggers", [t.id for t in self.triggers])
        _unique("packages", [p.id for p in self.packages])
        _unique("payments", [x.id for p in self.packages for x in p.payments])
        _unique("obligations", [o.id for o in self.obligations])
        _unique("grounds", [g.id for g in self.grounds])
        if self.grounds and self.good_reason is None:
            raise ValueError("grounds need the [good_reason] block (the notice, cure and resignation periods)")
        _unique("cause_grounds", [g.id for g in self.cause_grounds])
        stated = [g.stated_as for g in self.cause_grounds if g.stated_as]
        _unique("stated_as", stated + [o.stated_as for o in self.obligations if o.stated_as])
        if self.cause_grounds and self.cause is None:
            raise ValueError("cause_grounds need the [cause] block")
        if self.cause is not None and not self.cause_grounds:
            raise ValueError("the [cause] block needs its [[cause_grounds]]")
        triggers, grants = {t.id for t in self.triggers}, {g.id for g in self.grants}
        packages, obligations = {p.id for p in self.packages}, {o.id for o in self.obligations}
        for p in self.packages:
            _known(f"packages.{p.id}.triggers", p.triggers, triggers)
            _known(f"packages.{p.id}.excludes", p.excludes, packages)
            _known(f"packages.{p.id}.offset_by", p.offset_by, packages - {p.id} | {"pay_in_lieu_of_notice"})
            for a in p.accelerations:
                _known(f"packages.{p.id}.accelerations.grants", a.grants, grants)
            if p.release and self.release is None:
                raise ValueError(f"package {p.id} needs a release but the file has no [release] block")
        for t in self.triggers:
            if t.unless_fulfilled:
                _known(f"triggers.{t.id}.unless_fulfilled", [t.unless_fulfilled.obligation], obligations)
            if ("change_of_control" in t.events or t.change_of_control) and self.change_of_control is None:
                raise ValueError(f"trigger {t.id} needs a [change_of_control] block")
        for c in self.covenants:
            _known(f"covenants.{c.id}.condition_of", c.condition_of, packages)
        by_options = [g.id for g in self.grants if g.made_by == "OptionsGranted"]
        if len(by_options) > 1 or any(g.kind != "options" for g in self.grants if g.made_by == "OptionsGranted"):
            raise ValueError(f"made_by = OptionsGranted: only one grant, of options, may use it ({by_options})")
        for g in self.grants:
            if g.exercise_price is not None and g.kind != "options":
                raise ValueError(f"grant {g.id}: exercise_price is for options, not {g.kind}")
        if self.report.options is not None:
            _known("report.options", [self.report.options], {g.id for g in self.grants if g.exercise_price})
        if self.report.health is not None:
            _known("report.health", [self.report.health], {p.id for p in self.packages if p.health})
        _known("report.sections", self.report.sections, {p.id for p in self.packages} - REPORT_KEYS)
        for g in self.grants:
            if g.vesting is not None and g.quantity is not None:
                g.schedule_for(g.quantity)
            if g.vesting is not None and anchors_of(parse_date(g.grant_date)) - {"start_date", "effective_date"}:
                raise ValueError(f"grant {g.id}: grant_date may use only start_date or effective_date")
        return self


def _unique(what: str, ids: list[str]) -> None:
    seen = {i for i in ids if ids.count(i) > 1}
    if seen:
        raise ValueError(f"{what}: ids must be unique, repeated: {', '.join(sorted(seen))}")


def _known(where: str, names: list[str], known: set[str]) -> None:
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"{where}: unknown {', '.join(unknown)} (known: {', '.join(sorted(known)) or 'none'})")


class ProvisionTerms(BaseModel):
    """A provisions-form terms file with its company resolved: everything `rules.provisions` reads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agreement: ProvisionsFile
    company: Company
