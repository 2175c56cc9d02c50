"""The facts of one agreement and its company as of a date, ordered by (date, recording order) (I-36)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from obligations.domain.errors import NotStartedError
from obligations.domain.facts import Fact
from obligations.rules.corrections import resolve
from obligations.terms.agreement_terms import Terms


@dataclass(frozen=True)
class Ground:
    """A Good Cause or Good Reason ground, available from `since`."""

    id: str
    since: date
    why: str
    facts: tuple[str, ...] = ()  # the ids of the facts it rests on
    interpretations: tuple[str, ...] = ()  # the I-nn its rule applied


def index_facts(facts: Iterable[Fact], by_type: dict[str, list[Fact]], as_of: date) -> Fact:
    """Index the facts by type, in order, into `by_type`; the EmploymentStarted they hold (NotStartedError
    when there is none on or before `as_of`). Both forms' histories are built on it."""
    for f in facts:
        by_type.setdefault(f.type, []).append(f)
    started = by_type.get("EmploymentStarted")
    if not started:
        raise NotStartedError(f"no EmploymentStarted on or before {as_of.isoformat()}")
    return started[0]


@dataclass
class History:
    terms: Terms
    as_of: date
    facts: list[Fact]  # every fact dated on or before as_of, in order
    _by_type: dict[str, list[Fact]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.start_fact = index_facts(self.facts, self._by_type, self.as_of)
        self.start: date = self.start_fact.data.start_date

    @classmethod
    def build(cls, terms: Terms, facts: Iterable[Fact], as_of: date) -> History:
        """From facts as recorded: corrections are applied before the date cut (a correction recorded
        today of a 2005 fact changes 2005)."""
        ordered = [f for f in resolve(facts) if f.date <= as_of]
        return cls(terms, as_of, ordered)

    def of(self, *types: str) -> list[Fact]:
        if len(types) == 1:
            return self._by_type.get(types[0], [])
        return [f for f in self.facts if f.type in types]

    def of_until(self, day: date, *types: str) -> list[Fact]:
        return [f for f in self.of(*types) if f.date <= day]

    def notice_date(self, fact: Fact) -> date:
        """I-10: a notice takes effect on receipt (the fact's date) or, configured, on dispatch."""
        if self.terms.i.notice_effective == "dispatch":
            sent: date = fact.data.sent_date
            return sent
        return fact.date

    def salary_timeline(self) -> list[tuple[date, Decimal, Fact]]:
        """(effective from, annual rate, fact): the rate actually in effect (OB-10)."""
        rates = [(self.start, Decimal(self.start_fact.data.annual_base_salary), self.start_fact)]
        rates += [(f.date, Decimal(f.data.new_annual_rate), f) for f in self.of("SalaryChanged")]
        return rates

    def rate_on(self, day: date) -> Decimal:
        rate = Decimal(0)
        for since, value, _ in self.salary_timeline():
            if since <= day:
                rate = value
        return rate


def fact_ids(*groups: Fact | str | Iterable[Fact | str] | None) -> list[str]:
    """The ids of the facts something rests on, each once, in the order given."""
    out: dict[str, None] = {}
    for group in groups:
        if group is None:
            continue
        for x in [group] if isinstance(group, (Fact, str)) else group:
            out[x if isinstance(x, str) else x.id] = None
    return list(out)


def is_valid_amendment(amendment: Any) -> bool:
    """I-43: a writing signed by the Chairman/CEO/President and by the employee."""
    return bool(amendment and amendment.signed_by_chairman_ceo_president and amendment.signed_by_employee)
