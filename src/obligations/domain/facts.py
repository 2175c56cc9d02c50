"""The data of every fact type of catalogue §8, exactly as event-fields.md gives it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from obligations.domain.values import Count, Email, IsoDate, Line, Money, Number, Text


class FactData(BaseModel):
    """Base of every `data` model: unknown fields refused, strict types, an optional note."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    note: Text | None = None


Tier = Literal["employee_only", "employee_plus_dependents"]
# A Good Reason ground's id: the letter's 5.4(a)-(f), or a ground of a provisions-form terms file (issue 13);
# the agreement's terms decide which ids are known (rules.validation).
GoodReasonId = Annotated[Line, Field(min_length=1, max_length=64)]
Pct = Annotated[Number, Field(ge=0, le=100)]
NonNegInt = Count


class OfferAccepted(FactData):
    offer_date: IsoDate
    signed_by: list[Line]


class PersonDetailsRecorded(FactData):
    """Who the employee is, from the fact's date on: any of name, work email, title, department and manager
    (a name or the manager's agreement id). A field not given keeps its earlier value; a correction of the fact
    corrects it. Read by no rule: listings, reports, reminders and calendars show it, and the employee's
    reminders go to the work email."""

    name: Line | None = None
    work_email: Email | None = None
    title: Line | None = None
    department: Line | None = None
    manager: Line | None = None

    @model_validator(mode="after")
    def _something(self) -> PersonDetailsRecorded:
        if all(getattr(self, f) is None for f in PERSON_FIELDS):
            raise ValueError(f"give at least one of {', '.join(PERSON_FIELDS)}")
        return self


PERSON_FIELDS = ("name", "work_email", "title", "department", "manager")


class EmploymentStarted(FactData):
    start_date: IsoDate
    position: Line | None = None
    reports_to: Line | None = None
    work_location: Line | None = None
    annual_base_salary: Money
    options: NonNegInt


class OptionsGranted(FactData):
    grant_date: IsoDate
    quantity: NonNegInt
    exercise_price: Money | None = None


class I9Submitted(FactData):
    documentation_satisfactory: StrictBool


class ConfidentialityAgreementExecuted(FactData):
    version: Line


class ConfidentialityAgreementAmended(FactData):
    version: Line


class ArbitrationAgreementExecuted(FactData):
    pass


class BonusProgramFinalized(FactData):
    summary: Text | None = None


class BonusDetermined(FactData):
    quarter: Line
    amount: Money


class BonusPaid(FactData):
    quarter: Line
    amount: Money


class SalaryPaid(FactData):
    period_start: IsoDate
    period_end: IsoDate
    amount: Money


class Amendment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    signed_by_chairman_ceo_president: StrictBool
    signed_by_employee: StrictBool
    signed_by_other: Line | None = None


class SalaryChanged(FactData):
    new_annual_rate: Money
    amendment: Amendment | None


class VacationTaken(FactData):
    hours: Annotated[Number, Field(gt=0)]
    from_: IsoDate = Field(alias="from")
    to: IsoDate
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=False)


class HealthCoverageChanged(FactData):
    tier: Tier
    dependents: NonNegInt


class CompensationOrBenefitsChanged(FactData):
    description: Text
    below_pre_coc_level: StrictBool
    substantially_diminishes_overall_benefits: StrictBool
    equitable_arrangement_approved_by_employee: StrictBool
    notified: StrictBool


class LetterAmended(FactData):
    changes: Text
    signed_by_chairman_ceo_president: StrictBool
    signed_by_employee: StrictBool


class WorkLocationChanged(FactData):
    new_location: Line
    in_austin_tx: StrictBool
    employee_agreed: StrictBool


class DutiesChanged(FactData):
    description: Text
    inconsistent_with_position: StrictBool
    substantial_diminution: StrictBool
    employee_agreed_in_signed_amendment: StrictBool


class ReportingLineChanged(FactData):
    new_manager: Line
    new_manager_holds_ceo_chair_president: StrictBool


class NeglectNoticeReceived(FactData):
    notice_id: Annotated[Line, Field(min_length=1)]
    sent_date: IsoDate
    duties_specified: Text
    cure_demanded: StrictBool


class NeglectCured(FactData):
    notice_id: Line


class BreachNoticeReceived(FactData):
    notice_id: Annotated[Line, Field(min_length=1)]
    sent_date: IsoDate
    provision: Line
    material: StrictBool


class BreachCured(FactData):
    notice_id: Line


class PolicyViolationFound(FactData):
    policy: Line
    willful: StrictBool


class ConvictionEntered(FactData):
    plea: Literal["guilty", "no_contest", "convicted_at_trial"]
    offense_class: Literal["felony", "misdemeanor"]
    theft_embezzlement_misappropriation: StrictBool
    company_property: StrictBool
    moral_turpitude: StrictBool


class ResignationNoticeGiven(FactData):
    sent_date: IsoDate
    requested_effective_date: IsoDate | None = None
    good_reason_grounds_claimed: list[GoodReasonId]


class ResignationNoticeWithdrawn(FactData):
    company_consented: StrictBool


class EmploymentTerminatedByCompany(FactData):
    stated_ground: Literal[
        "without_cause", "good_cause_a", "good_cause_b", "good_cause_c", "offer_condition_failure_i9", "for_cause"
    ]  # for_cause: an agreement of the provisions form (its Cause is not the letter's Good Cause (a)-(c))


class EmploymentEndedOther(FactData):
    reason: Literal["death", "disability", "other"]


class CobraPremiums(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    employee_only: Money
    employee_plus_dependents: Money


class CarrierContinuationDecision(FactData):
    allowed: StrictBool
    cobra_monthly_premium: CobraPremiums | None = None


class CobraElected(FactData):
    tier: Tier


class CobraEligibilityEnded(FactData):
    reason: Text


class PaymentMade(FactData):
    obligation: Annotated[Line, Field(min_length=1)]
    amount: Money


class ExpenseSubmitted(FactData):
    expense_id: Annotated[Line, Field(min_length=1)]
    amount: Money
    incurred_date: IsoDate
    documented: StrictBool


class ExpenseReimbursed(FactData):
    expense_id: Line
    amount: Money


class IndemnificationClaimMade(FactData):
    matter_id: Annotated[Line, Field(min_length=1)]
    matter: Text


class DisputeRaised(FactData):
    principal_executive_office_county: Line
    subject: Text


# Company facts: one stream per company, applying to every agreement of that company.


class ClosingPriceRecorded(FactData):
    trading_date: IsoDate
    closing_price: Money


class MergerConsummated(FactData):
    counterparty: Line
    company_shareholders_voting_pct_after: Pct


class AssetTransferConsummated(FactData):
    series_id: Line
    kind: Literal["sale", "lease", "other"]
    fraction_of_assets: Annotated[Number, Field(gt=0, le=1)]
    substantially_all_determination: StrictBool | None = None


class BeneficialOwnershipChanged(FactData):
    person: Line
    berg_affiliated: StrictBool
    voting_pct: Pct


class LiquidationOccurred(FactData):
    kind: Line


# Facts of the provisions form of terms (issue 13): the events its kinds of provision read.


class PositionEliminated(FactData):
    """The Company eliminated the employee's position; employment ends on this date."""


class NoticeOfTerminationGiven(FactData):
    """Written notice ending the employment or not renewing the term, by either side (the term's notice)."""

    by: Literal["company", "employee"]
    effective_date: IsoDate | None = None
    non_renewal: StrictBool = False


class ReleaseDelivered(FactData):
    """The Company delivered the release of claims to the employee."""


class ReleaseSigned(FactData):
    """The employee signed and returned the release."""


class ReleaseRevoked(FactData):
    """The employee revoked the signed release within the revocation period."""


class SpecifiedEmployeeDetermined(FactData):
    """The employee is a specified employee (Code §409A(a)(2)(B)(i)) as of the termination."""


class NewCoverageObtained(FactData):
    """The employee became covered by another employer's group health plan (health continuation ends)."""


class CovenantBreachFound(FactData):
    covenant: Annotated[Line, Field(min_length=1)]
    description: Text | None = None


class ObligationFulfilled(FactData):
    """An obligation or condition precedent of the terms (its id) was met on this date."""

    obligation: Annotated[Line, Field(min_length=1)]


class GrantMade(FactData):
    """An equity grant of the terms (its id) was made: its quantity when the terms give only a value."""

    grant: Annotated[Line, Field(min_length=1)]
    quantity: Count
    exercise_price: Money | None = None


class OptionsExercised(FactData):
    grant: Annotated[Line, Field(min_length=1)]
    quantity: Count


class GoodReasonConditionArose(FactData):
    """A condition the terms name as a Good Reason ground (its id) arose on this date."""

    ground: Annotated[Line, Field(min_length=1)]
    description: Text | None = None


class GoodReasonNoticeGiven(FactData):
    """The employee's written notice to the Company of the Good Reason conditions (ground ids) it names."""

    grounds: Annotated[list[Annotated[Line, Field(min_length=1)]], Field(min_length=1)]


class GoodReasonConditionCured(FactData):
    """The Company cured the condition of a Good Reason ground (its id)."""

    ground: Annotated[Line, Field(min_length=1)]


class WorkplaceRelocated(FactData):
    """The employee's principal place of work moved: where to, how far from where it was (in miles), and
    whether the employee agreed. A Good Reason ground of kind `relocation` reads it."""

    new_location: Line
    distance_miles: Annotated[Number, Field(ge=0)]
    employee_agreed: StrictBool = False


class CauseConditionArose(FactData):
    """A condition the terms name as a Cause ground (its id) arose or was found on this date (a conviction
    entered, misconduct found)."""

    ground: Annotated[Line, Field(min_length=1)]
    description: Text | None = None


class CauseNoticeGiven(FactData):
    """The Company's written notice to the employee of the Cause conditions (ground ids) it names, demanding a
    cure: the notice day starts each named ground's cure period."""

    grounds: Annotated[list[Annotated[Line, Field(min_length=1)]], Field(min_length=1)]
    description: Text | None = None


class CauseConditionCured(FactData):
    """The employee cured the condition of a Cause ground (its id)."""

    ground: Annotated[Line, Field(min_length=1)]


class ChangeOfControlDetermined(FactData):
    """A Change of Control as a plan defines it (terms that define it by reference), determined to occur."""

    plan: Line | None = None
    description: Text | None = None


PROVISIONS_FACT_TYPES = frozenset(
    {
        "PositionEliminated",
        "NoticeOfTerminationGiven",
        "ReleaseDelivered",
        "ReleaseSigned",
        "ReleaseRevoked",
        "SpecifiedEmployeeDetermined",
        "NewCoverageObtained",
        "CovenantBreachFound",
        "ObligationFulfilled",
        "GrantMade",
        "OptionsExercised",
        "ChangeOfControlDetermined",
        "GoodReasonConditionArose",
        "GoodReasonNoticeGiven",
        "GoodReasonConditionCured",
        "CauseConditionArose",
        "CauseNoticeGiven",
        "CauseConditionCured",
        "WorkplaceRelocated",
    }
)
# The letter's own facts, and those both forms read.
SHARED_FACT_TYPES = frozenset(
    {
        "OfferAccepted",
        "PersonDetailsRecorded",
        "EmploymentStarted",
        "SalaryPaid",
        "SalaryChanged",
        "BonusDetermined",
        "BonusPaid",
        "ResignationNoticeGiven",
        "ResignationNoticeWithdrawn",
        "EmploymentTerminatedByCompany",
        "EmploymentEndedOther",
        "PaymentMade",
        "ExpenseSubmitted",
        "ExpenseReimbursed",
        "ClosingPriceRecorded",
        "DutiesChanged",
        "ConvictionEntered",
        "PolicyViolationFound",
    }
)


AGREEMENT_FACT_TYPES: dict[str, type[FactData]] = {
    cls.__name__: cls
    for cls in (
        OfferAccepted,
        PersonDetailsRecorded,
        EmploymentStarted,
        OptionsGranted,
        I9Submitted,
        ConfidentialityAgreementExecuted,
        ConfidentialityAgreementAmended,
        ArbitrationAgreementExecuted,
        BonusProgramFinalized,
        BonusDetermined,
        BonusPaid,
        SalaryPaid,
        SalaryChanged,
        VacationTaken,
        HealthCoverageChanged,
        CompensationOrBenefitsChanged,
        LetterAmended,
        WorkLocationChanged,
        DutiesChanged,
        ReportingLineChanged,
        NeglectNoticeReceived,
        NeglectCured,
        BreachNoticeReceived,
        BreachCured,
        PolicyViolationFound,
        ConvictionEntered,
        ResignationNoticeGiven,
        ResignationNoticeWithdrawn,
        EmploymentTerminatedByCompany,
        EmploymentEndedOther,
        CarrierContinuationDecision,
        CobraElected,
        CobraEligibilityEnded,
        PaymentMade,
        ExpenseSubmitted,
        ExpenseReimbursed,
        IndemnificationClaimMade,
        DisputeRaised,
        PositionEliminated,
        NoticeOfTerminationGiven,
        ReleaseDelivered,
        ReleaseSigned,
        ReleaseRevoked,
        SpecifiedEmployeeDetermined,
        NewCoverageObtained,
        CovenantBreachFound,
        ObligationFulfilled,
        GrantMade,
        OptionsExercised,
        GoodReasonConditionArose,
        GoodReasonNoticeGiven,
        GoodReasonConditionCured,
        CauseConditionArose,
        CauseNoticeGiven,
        CauseConditionCured,
        WorkplaceRelocated,
    )
}
COMPANY_FACT_TYPES: dict[str, type[FactData]] = {
    cls.__name__: cls
    for cls in (
        ClosingPriceRecorded,
        MergerConsummated,
        AssetTransferConsummated,
        BeneficialOwnershipChanged,
        LiquidationOccurred,
        ChangeOfControlDetermined,
    )
}


# Corrections (issue 6): a recorded fact is never rewritten; a later fact retracts it or replaces it. They go to
# the stream of the fact they name and are resolved before the rules read the history (`rules.corrections`).


class Replacement(BaseModel):
    """What a corrected fact should have said: a whole fact, checked as a new one would be."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    type: Line
    date: IsoDate
    data: dict[str, Any]


class FactRetracted(FactData):
    fact_id: Annotated[Line, Field(min_length=1)]
    reason: Annotated[Text, Field(min_length=1)]


class FactCorrected(FactData):
    fact_id: Annotated[Line, Field(min_length=1)]
    replacement: Replacement
    reason: Annotated[Text, Field(min_length=1)]


CORRECTION_TYPES: dict[str, type[FactData]] = {cls.__name__: cls for cls in (FactRetracted, FactCorrected)}
FACT_TYPES: dict[str, type[FactData]] = {**AGREEMENT_FACT_TYPES, **COMPANY_FACT_TYPES, **CORRECTION_TYPES}
# The letter's §5.3 Change of Control facts (a plan's determination is the provisions form's).
CHANGE_OF_CONTROL_TYPES = frozenset(COMPANY_FACT_TYPES) - {"ClosingPriceRecorded", "ChangeOfControlDetermined"}

# §8: after the Termination Date only these agreement facts are accepted.
ALLOWED_AFTER_TERMINATION = frozenset(
    {
        "PaymentMade",
        "SalaryPaid",
        "BonusDetermined",
        "BonusPaid",
        "HealthCoverageChanged",
        "CarrierContinuationDecision",
        "CobraElected",
        "CobraEligibilityEnded",
        "ExpenseSubmitted",
        "ExpenseReimbursed",
        "IndemnificationClaimMade",
        "DisputeRaised",
    }
)
ENDING_TYPES = frozenset({"EmploymentTerminatedByCompany", "EmploymentEndedOther"})


@dataclass(frozen=True)
class Fact:
    """One recorded fact: what (type, data), when it took effect (date), and when/by whom it was recorded."""

    id: str
    type: str
    date: date
    data: Any  # a FactData subclass instance
    recorded_at: datetime
    recorded_by: str
    source: str | None
    order: tuple[Any, ...]  # recording order: (recorded_at, batch position)
    corrects: str | None = None  # a replacement: the id of the fact it corrected (its own id is the correction's)

    @property
    def is_company_fact(self) -> bool:
        return self.type in COMPANY_FACT_TYPES

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return (self.date, *self.order)


@dataclass(frozen=True)
class Unreadable:
    """The data of a stored fact that cannot be read back: its state failed to decode, or no longer passes
    validation (a value an older version accepted). The fact keeps its place, its id and its type, so it can
    be shown, retracted or corrected; a report that would read it refuses, naming it (issue 12)."""

    raw: Any
    reason: str


def data_as_json(data: FactData | Unreadable) -> dict[str, Any]:
    """The canonical stored form: JSON values only, decimals and dates as strings, aliases kept."""
    if isinstance(data, Unreadable):
        return {"unreadable": data.reason, "stored": data.raw if isinstance(data.raw, dict) else None}
    return data.model_dump(mode="json", by_alias=True, exclude_none=False)
