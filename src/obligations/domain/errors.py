"""One error hierarchy for the whole package.

ObligationsError
 ├── InvalidInputError            user mistake: exit 2, HTTP 4xx
 │    ├── InvalidFactError        a fact (a line, a field, a rule) is refused
 │    ├── TermsError              a terms or company file is wrong (file, key, reason)
 │    ├── UnknownAgreementError   no such agreement
 │    └── NotStartedError         a report asked for before employment began
 ├── UnreadableFactError          a stored fact cannot be read back: fix it by retracting or correcting it
 ├── VersionMismatchError         a write expected another stream version: HTTP 412
 └── StoreError                   the event store failed: exit 1
"""

from __future__ import annotations


class ObligationsError(Exception):
    """Base of every error this package raises on purpose."""


class InvalidInputError(ObligationsError):
    """The input is wrong; nothing was recorded."""


class InvalidFactError(InvalidInputError):
    """A fact is refused: names the line (if any), the field and the rule."""

    def __init__(self, rule: str, *, field: str | None = None, line: int | None = None) -> None:
        self.rule = rule
        self.field = field
        self.line = line
        super().__init__(self.describe())

    def describe(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field {self.field}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.rule}" if prefix else self.rule

    def at_line(self, line: int) -> InvalidFactError:
        return InvalidFactError(self.rule, field=self.field, line=line)


class InvalidFactsError(InvalidInputError):
    """Several facts of one batch are refused; all are listed."""

    def __init__(self, errors: list[InvalidFactError]) -> None:
        self.errors = errors
        super().__init__("\n".join(e.describe() for e in errors))


class TermsError(InvalidInputError):
    """A terms or company configuration file is invalid."""

    def __init__(self, file: str, key: str | None, reason: str) -> None:
        self.file, self.key, self.reason = file, key, reason
        where = f"{file}: key {key}" if key else file
        super().__init__(f"{where}: {reason}")


class UnknownAgreementError(InvalidInputError):
    """No agreement with that id has been recorded."""


class NotStartedError(InvalidInputError):
    """The agreement has no EmploymentStarted on or before the requested date."""


class StoreError(ObligationsError):
    """The event store could not be read or written."""


class ReadModelsBehindError(ObligationsError):
    """The facts were recorded, but bringing the read models up to date failed: a catch-up will finish it."""


class UnreadableFactError(ObligationsError):
    """A stored fact in effect cannot be read back (its state does not decode, or a value no longer passes
    validation): the agreement is quarantined until the fact is retracted or corrected."""

    def __init__(self, fact_id: str, fact_type: str, reason: str) -> None:
        self.fact_id, self.fact_type, self.reason = fact_id, fact_type, reason
        super().__init__(
            f"fact {fact_id} ({fact_type}) cannot be read back: {reason}; retract it (FactRetracted) or correct it "
            f"(FactCorrected) to go on"
        )


class VersionMismatchError(ObligationsError):
    """A conditional write (If-Match) found the agreement at another version; nothing was appended."""
