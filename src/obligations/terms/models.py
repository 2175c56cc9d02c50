"""Frozen models of a terms file (config/agreements/*.toml) and a company file (config/companies/*.toml)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from obligations.domain.values import parse_decimal
from obligations.terms.holidays import holiday_calendar_problem

Dec = Annotated[Decimal, BeforeValidator(parse_decimal)]
PosInt = Annotated[int, Field(gt=0)]
NoneIfNegative = Annotated[int, Field(ge=-1, description="-1 means none")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_fraction(value: object) -> Fraction:
    """A fraction written "1/4" or "0.25"; exact."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError(f'must be a fraction like "1/4" or "0.25", got {value!r}')
    try:
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{value!r} is not a fraction") from None


Frac = Annotated[Fraction, BeforeValidator(parse_fraction)]

DayOfMonth = Literal[
    "01",
    "02",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "19",
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
    "26",
    "27",
    "28",
    "29_OR_LAST_DAY_OF_MONTH",
    "30_OR_LAST_DAY_OF_MONTH",
    "31_OR_LAST_DAY_OF_MONTH",
    "VESTING_START_DAY_OR_LAST_DAY_OF_MONTH",
]
AllocationType = Literal[
    "CUMULATIVE_ROUNDING",
    "CUMULATIVE_ROUND_DOWN",
    "FRONT_LOADED",
    "BACK_LOADED",
    "FRONT_LOADED_TO_SINGLE_TRANCHE",
    "BACK_LOADED_TO_SINGLE_TRANCHE",
    "FRACTIONAL",
]
CUMULATIVE_TYPES = ("CUMULATIVE_ROUNDING", "CUMULATIVE_ROUND_DOWN", "FRACTIONAL")


class Vesting(Strict):
    """vesting-rules.md: an OCF-style time-based schedule."""

    clause: str = "§3"
    quantity: Dec
    period_length: PosInt
    period_unit: Literal["MONTHS", "DAYS"]
    installments: PosInt
    cliff_installment: Annotated[int, Field(ge=0)] = 0
    cliff_fraction: Frac | None = None
    installment_weights: tuple[Frac, ...] | None = None
    day_of_month: DayOfMonth = "VESTING_START_DAY_OR_LAST_DAY_OF_MONTH"
    allocation_type: AllocationType

    @model_validator(mode="after")
    def _consistent(self) -> Vesting:
        if self.quantity < 0:
            raise ValueError("quantity must not be negative")
        if self.allocation_type != "FRACTIONAL" and self.quantity != self.quantity.to_integral_value():
            raise ValueError("quantity must be whole unless allocation_type is FRACTIONAL")
        if self.cliff_installment > self.installments:
            raise ValueError("cliff_installment must not exceed installments")
        special = self.cliff_fraction is not None or self.installment_weights is not None
        if special and self.allocation_type not in CUMULATIVE_TYPES:
            raise ValueError("cliff_fraction and installment_weights need a cumulative type or FRACTIONAL")
        if self.cliff_fraction is not None:
            if self.cliff_installment < 1:
                raise ValueError("cliff_fraction needs cliff_installment")
            if not 0 <= self.cliff_fraction <= 1:
                raise ValueError("cliff_fraction must be between 0 and 1")
        if self.installment_weights is not None:
            if len(self.installment_weights) != self.installments:
                raise ValueError("installment_weights must have one weight per installment")
            if sum(self.installment_weights, Fraction(0)) != 1:
                raise ValueError("installment_weights must sum to exactly 1")
        return self


class Parties(Strict):
    employer: str
    employee: str
    company_signatory: str
    company_signatory_offices: str


class Position(Strict):
    title: str
    reports_to: str
    work_location: str
    clause: str = "§1"


class Salary(Strict):
    annual_base_salary: Dec
    clause: str = "§2"
    # The words of the clause that owe the final salary, quoted in its `why`.
    final_pay_words: str = "for any reason ... base salary prorated to the date of termination"


class Bonus(Strict):
    target_pct_of_base_salary: Dec
    payments_per_year: PosInt
    program_finalization_days: PosInt
    clause: str = "§2"


class Options(Strict):
    quantity: PosInt
    exercise_price: str
    grant_due: Literal["first_day"]
    clause: str = "§3"
    quantity_clause: str = "§3 s.1"
    price_clause: str = "§3 s.2"


class Vacation(Strict):
    weeks_per_year: PosInt
    hours_per_year: Dec
    accrual_period_days: PosInt
    periods_per_year: PosInt
    clause: str = "§4"


class Section51(Strict):
    window_months: PosInt
    lump_sum: Dec
    lump_sum_due_days_after_termination_date: PosInt
    health_continuation_months: PosInt
    clause: str = "§5.1"
    lump_sum_clause: str = "§5.1(a)"
    health_clause: str = "§5.1(b)"
    cobra_clause: str = "§5.1 s.2"
    indemnification_clauses: str = "§5.1 s.4, §5.2 s.2"


# The kinds of Good Cause and Good Reason ground the letter form's rules know (rules.grounds), each a
# condition on facts of the letter's vocabulary; the id, the clause and the stated ground come from the file.
CauseKind = Literal["conviction", "uncured_neglect", "wilful_policy_violation"]
ReasonKind = Literal[
    "relocation", "diminution", "salary_reduction", "benefits_after_change_of_control", "change_of_control",
    "uncured_breach",
]  # fmt: skip


class CauseGround(Strict):
    id: str
    kind: CauseKind
    clause: str
    stated_as: str  # EmploymentTerminatedByCompany.stated_ground naming it


class ReasonGround(Strict):
    id: str
    kind: ReasonKind
    clause: str


def _unique_ids(grounds: tuple[CauseGround, ...] | tuple[ReasonGround, ...], what: str) -> None:
    ids = [g.id for g in grounds]
    kinds = [g.kind for g in grounds]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{what}: ground ids must be unique")
    if len(set(kinds)) != len(kinds):
        raise ValueError(f"{what}: one ground per kind")


VALENCE_CAUSE = (
    CauseGround(id="5.2(a)", kind="conviction", clause="§5.2(a)", stated_as="good_cause_a"),
    CauseGround(id="5.2(b)", kind="uncured_neglect", clause="§5.2(b)", stated_as="good_cause_b"),
    CauseGround(id="5.2(c)", kind="wilful_policy_violation", clause="§5.2(c)", stated_as="good_cause_c"),
)
VALENCE_REASON = (
    ReasonGround(id="5.4(a)", kind="relocation", clause="§5.4(a)"),
    ReasonGround(id="5.4(b)", kind="diminution", clause="§5.4(b)"),
    ReasonGround(id="5.4(c)", kind="salary_reduction", clause="§5.4(c)"),
    ReasonGround(id="5.4(d)", kind="benefits_after_change_of_control", clause="§5.4(d)"),
    ReasonGround(id="5.4(e)", kind="change_of_control", clause="§5.4(e)"),
    ReasonGround(id="5.4(f)", kind="uncured_breach", clause="§5.4(f)"),
)


class GoodCause(Strict):
    neglect_cure_days: PosInt
    clause: str = "§5.2"
    grounds: tuple[CauseGround, ...] = VALENCE_CAUSE

    @model_validator(mode="after")
    def _grounds(self) -> GoodCause:
        _unique_ids(self.grounds, "good_cause.grounds")
        return self

    def of_kind(self, kind: CauseKind) -> CauseGround | None:
        return next((g for g in self.grounds if g.kind == kind), None)


class Prong(Strict):
    id: str  # the id a report names (`change_of_control.events[].prong`)
    clause: str


class Prongs(Strict):
    """The prongs of the letter's Change of Control definition, by the facts that meet them."""

    merger: Prong = Prong(id="5.3(a)(i)", clause="§5.3(a)(i)")
    asset_sale: Prong = Prong(id="5.3(a)(ii)", clause="§5.3(a)(ii)")
    beneficial_ownership: Prong = Prong(id="5.3(b)", clause="§5.3(b)")
    liquidation: Prong = Prong(id="5.3(c)", clause="§5.3(c)")


class ChangeOfControl(Strict):
    merger_shareholders_retain_less_than_pct: Dec
    beneficial_ownership_more_than_pct: Dec
    clause: str = "§5.3"
    prongs: Prongs = Prongs()


class GoodReason(Strict):
    resignation_notice_days: PosInt
    breach_cure_days: PosInt
    clause: str = "§5.4"
    grounds: tuple[ReasonGround, ...] = VALENCE_REASON

    @model_validator(mode="after")
    def _grounds(self) -> GoodReason:
        _unique_ids(self.grounds, "good_reason.grounds")
        return self

    def of_kind(self, kind: ReasonKind) -> ReasonGround | None:
        return next((g for g in self.grounds if g.kind == kind), None)


class Onboarding(Strict):
    i9_days_after_start: PosInt
    confidentiality_standard_version: str
    clause: str = "§8"
    at_will_clause: str = "§8 s.4"


class Expenses(Strict):
    clause: str = "§6"


class DisputeResolution(Strict):
    forum: Literal["arbitration"]
    clause: str = "§7"


class CompanyChangeOfControl(Strict):
    excluded_persons: list[str]
    clause: str = "§5.3(b)"


class Payroll(Strict):
    """I-22: regular paydays = first_period_start + k·period_days + (period_days − 1) + payday offset."""

    first_period_start: date
    period_days: PosInt
    payday_days_after_period_end: Annotated[int, Field(ge=0)]


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class CompanyCalendar(Strict):
    """The company's business days: not a weekend day, not a public holiday of `country`/`subdivision`
    (ISO 3166 codes of the holidays package; none when absent), not one of its own `holidays`."""

    country: str | None = None
    subdivision: str | None = None
    holidays: list[date] = Field(default_factory=list)
    weekend: list[Weekday] = Field(default_factory=lambda: list[Weekday](("sat", "sun")))

    @model_validator(mode="after")
    def _known(self) -> CompanyCalendar:
        if self.subdivision is not None and self.country is None:
            raise ValueError("a subdivision needs its country")
        if self.country is not None:
            problem = holiday_calendar_problem(self.country, self.subdivision)
            if problem:
                raise ValueError(problem)
        if len(set(self.weekend)) >= 7:
            raise ValueError("a week needs at least one business day")
        return self


class FinalPay(Strict):
    """The final-pay law of the company's jurisdiction (I-22): its citation, and the days a discharge due
    date moves past besides the weekend (`roll_calendar = "company"`: the company calendar's closed days)."""

    law: str = ""
    discharge_subsection: str = ""
    other_subsection: str = ""
    # The timing, read by terms of the provisions form (the letter form keeps I-22's settings): a discharged
    # employee is paid within `discharge_days` (None: not configured); one who leaves otherwise on the next
    # regular payday, or within `other_days` when given.
    discharge_days: Annotated[int, Field(ge=0)] | None = None
    other_days: Annotated[int, Field(ge=0)] | None = None
    holidays: list[date] = Field(default_factory=list)
    roll_calendar: Literal["weekend_and_listed", "company"] = "weekend_and_listed"
    # Whether a discharge due date falling on a closed day moves to the next open one (the provisions form;
    # the letter form's I-22 always moves it).
    discharge_roll: Literal["none", "following"] = "none"


class Company(Strict):
    company_id: str
    name: str
    time_zone: str
    change_of_control: CompanyChangeOfControl
    payroll: Payroll
    final_pay: FinalPay
    calendar: CompanyCalendar = Field(default_factory=CompanyCalendar)
