"""The streams of the event log: one Agreement stream per agreement, one Company stream per company.

Each fact type of catalogue §8 is its own event class, named exactly as the spec names it. Class paths
are stored with every event, so these names and this module are part of the stored format: never move
or rename them (catalogue §8, notes/dependencies.md).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

NAMESPACE = UUID("6f1c2d7e-4b0a-4c55-9a53-0b1f7d2c8e11")


def agreement_uuid(agreement_id: str) -> UUID:
    return uuid5(NAMESPACE, f"agreement:{agreement_id}")


def company_uuid(company_id: str) -> UUID:
    return uuid5(NAMESPACE, f"company:{company_id}")


class FactRecorded(Aggregate.Event):
    """Base of every fact event: effective date, validated data, and who recorded it when, from what."""

    date: str
    data: dict[str, Any]
    recorded_at: str
    recorded_by: str
    source: str | None
    batch_position: int

    def apply(self, aggregate: Aggregate) -> None:
        aggregate.facts.append(self)  # type: ignore[attr-defined]


class Agreement(Aggregate):
    """One employment agreement: its terms reference and its facts, in recording order."""

    @event("Opened")
    def __init__(self, agreement_id: str, company_id: str, terms_key: str, terms_toml: str | None) -> None:
        self.agreement_id = agreement_id
        self.company_id = company_id
        self.terms_key = terms_key
        self.terms_toml = terms_toml
        self.facts: list[FactRecorded] = []

    @staticmethod
    def create_id(agreement_id: str, **_: Any) -> UUID:
        return agreement_uuid(agreement_id)


class Company(Aggregate):
    """One company: its changes of control and closing prices apply to every agreement it is party to."""

    @event("Opened")
    def __init__(self, company_id: str) -> None:
        self.company_id = company_id
        self.facts: list[FactRecorded] = []

    @staticmethod
    def create_id(company_id: str, **_: Any) -> UUID:
        return company_uuid(company_id)


# Agreement facts (catalogue §8.1-8.3, 8.5).
class OfferAccepted(FactRecorded): ...


class EmploymentStarted(FactRecorded): ...


class OptionsGranted(FactRecorded): ...


class I9Submitted(FactRecorded): ...


class ConfidentialityAgreementExecuted(FactRecorded): ...


class ConfidentialityAgreementAmended(FactRecorded): ...


class ArbitrationAgreementExecuted(FactRecorded): ...


class BonusProgramFinalized(FactRecorded): ...


class BonusDetermined(FactRecorded): ...


class BonusPaid(FactRecorded): ...


class SalaryPaid(FactRecorded): ...


class SalaryChanged(FactRecorded): ...


class VacationTaken(FactRecorded): ...


class HealthCoverageChanged(FactRecorded): ...


class CompensationOrBenefitsChanged(FactRecorded): ...


class LetterAmended(FactRecorded): ...


class WorkLocationChanged(FactRecorded): ...


class DutiesChanged(FactRecorded): ...


class ReportingLineChanged(FactRecorded): ...


class NeglectNoticeReceived(FactRecorded): ...


class NeglectCured(FactRecorded): ...


class BreachNoticeReceived(FactRecorded): ...


class BreachCured(FactRecorded): ...


class PolicyViolationFound(FactRecorded): ...


class ConvictionEntered(FactRecorded): ...


class ResignationNoticeGiven(FactRecorded): ...


class ResignationNoticeWithdrawn(FactRecorded): ...


class EmploymentTerminatedByCompany(FactRecorded): ...


class EmploymentEndedOther(FactRecorded): ...


class CarrierContinuationDecision(FactRecorded): ...


class CobraElected(FactRecorded): ...


class CobraEligibilityEnded(FactRecorded): ...


class PaymentMade(FactRecorded): ...


class ExpenseSubmitted(FactRecorded): ...


class ExpenseReimbursed(FactRecorded): ...


class IndemnificationClaimMade(FactRecorded): ...


class DisputeRaised(FactRecorded): ...


# Facts of the provisions form of terms (issue 13).
class PositionEliminated(FactRecorded): ...


class NoticeOfTerminationGiven(FactRecorded): ...


class ReleaseDelivered(FactRecorded): ...


class ReleaseSigned(FactRecorded): ...


class ReleaseRevoked(FactRecorded): ...


class SpecifiedEmployeeDetermined(FactRecorded): ...


class NewCoverageObtained(FactRecorded): ...


class CovenantBreachFound(FactRecorded): ...


class ObligationFulfilled(FactRecorded): ...


class GrantMade(FactRecorded): ...


class OptionsExercised(FactRecorded): ...


class GoodReasonConditionArose(FactRecorded): ...


class GoodReasonNoticeGiven(FactRecorded): ...


class GoodReasonConditionCured(FactRecorded): ...


class CauseConditionArose(FactRecorded): ...


class CauseNoticeGiven(FactRecorded): ...


class CauseConditionCured(FactRecorded): ...


class WorkplaceRelocated(FactRecorded): ...


class PersonDetailsRecorded(FactRecorded): ...


# Company facts (catalogue §8.4 and ClosingPriceRecorded).
class ClosingPriceRecorded(FactRecorded): ...


class MergerConsummated(FactRecorded): ...


class AssetTransferConsummated(FactRecorded): ...


class BeneficialOwnershipChanged(FactRecorded): ...


class LiquidationOccurred(FactRecorded): ...


class ChangeOfControlDetermined(FactRecorded): ...


# Corrections (issue 6): in the stream of the fact they name.
class FactRetracted(FactRecorded): ...


class FactCorrected(FactRecorded): ...


def event_class(fact_type: str) -> type[FactRecorded]:
    cls = globals()[fact_type]
    if not (isinstance(cls, type) and issubclass(cls, FactRecorded)):
        raise KeyError(fact_type)
    return cls
