"""The whole terms of one agreement: fixed terms, vesting, interpretations and its company."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator

from obligations.domain.values import ID_RULE, is_valid_id
from obligations.terms.interpretations import Interpretations
from obligations.terms.models import (
    Bonus,
    ChangeOfControl,
    Company,
    DisputeResolution,
    Expenses,
    GoodCause,
    GoodReason,
    Onboarding,
    Options,
    Parties,
    Position,
    Salary,
    Section51,
    Vacation,
    Vesting,
)


class TermsFile(BaseModel):
    """What a terms file holds; `company` names a file under config/companies/."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    company: str
    title: str
    document_date: date
    parties: Parties
    position: Position
    salary: Salary
    bonus: Bonus
    options: Options
    vesting: Vesting
    vacation: Vacation
    section_5_1: Section51
    good_cause: GoodCause
    change_of_control: ChangeOfControl
    good_reason: GoodReason
    onboarding: Onboarding
    dispute_resolution: DisputeResolution
    expenses: Expenses = Expenses()
    interpretations: Interpretations
    # Where each interpretation was set: the block it belongs to, or "interpretations" (the loader's).
    settings_in: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_grant(self) -> TermsFile:
        """The options granted (§3) and the options the schedule vests are the same grant: they must agree."""
        if self.vesting.quantity != self.options.quantity:
            raise ValueError(
                f"vesting.quantity {self.vesting.quantity} differs from options.quantity {self.options.quantity}: "
                "the schedule vests the grant, so they must be equal"
            )
        if not is_valid_id(self.company):
            raise ValueError(f"company {self.company[:80]!r}: {ID_RULE}")
        return self


class Terms(BaseModel):
    """Terms with their company resolved: everything the rules read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agreement: TermsFile
    company: Company

    @property
    def i(self) -> Interpretations:
        return self.agreement.interpretations

    def citations(self) -> list[str]:
        """Every clause citation the terms name: each block's `clause`, its provisions' `*_clause(s)`, each
        ground's and prong's, and the company's."""
        return clause_citations(self)


def clause_citations(model: object) -> list[str]:
    """Every clause citation a terms model names, in either form: each `clause` and `*_clause(s)` key (a
    comma-separated list splits), in the blocks, lists and tuples it holds (not the interpretation settings)."""
    out: list[str] = []

    def walk(value: object, name: str = "") -> None:
        if isinstance(value, str):
            if name == "clause" or name.endswith(("_clause", "_clauses")):
                out.extend(c.strip() for c in value.split(",") if c.strip())
        elif isinstance(value, BaseModel) and not isinstance(value, Interpretations):
            for field in type(value).model_fields:
                walk(getattr(value, field), field)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    walk(model)
    return list(dict.fromkeys(out))
