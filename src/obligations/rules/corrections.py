"""Corrections and knowledge time: which facts a report reads (pure).

Nothing recorded is ever rewritten. `FactRetracted {fact_id, reason}` takes a fact out of the history and
`FactCorrected {fact_id, replacement, reason}` puts another in its place. Both are facts too, in the stream
of the fact they name, so a report "as known at" an instant reads the facts recorded up to that instant and
applies the corrections recorded up to it, and no later ones.

A replacement takes its original's place in the same-day recording order (I-36): a correction says what
the original should have said, not that something new happened. Its id is the correction's own id, and
`corrects` names the original, so the facts a report rests on lead back to both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from obligations.domain.errors import InvalidFactError, UnreadableFactError
from obligations.domain.facts import COMPANY_FACT_TYPES, CORRECTION_TYPES, Fact, Unreadable
from obligations.domain.input import parse_data
from obligations.domain.values import parse_iso_date


@dataclass(frozen=True)
class Fate:
    """What became of a recorded fact: retracted or corrected, by which correction."""

    state: str  # "retracted" | "corrected"
    by: Fact


def known_at(facts: Iterable[Fact], instant: datetime | None) -> list[Fact]:
    """The facts recorded at or before `instant` (all of them when it is None)."""
    return list(facts) if instant is None else [f for f in facts if f.recorded_at <= instant]


def resolve(facts: Iterable[Fact]) -> list[Fact]:
    """The history the rules read: corrections applied, in effective order (date, recording order).
    Raises UnreadableFactError if a fact in effect cannot be read back."""
    facts = list(facts)
    if not any(f.type in CORRECTION_TYPES for f in facts):
        return readable(sorted(facts, key=lambda f: f.sort_key))
    return readable(resolution(facts)[0])


def readable(facts: list[Fact]) -> list[Fact]:
    for f in facts:
        if isinstance(f.data, Unreadable):
            raise UnreadableFactError(f.corrects or f.id, f.type, f.data.reason)
    return facts


def resolution(facts: Iterable[Fact]) -> tuple[list[Fact], dict[str, Fate]]:
    """The corrected history, and the fate of every fact a correction named."""
    current: dict[str, Fact] = {}
    fates: dict[str, Fate] = {}
    for f in sorted(facts, key=lambda f: f.order):
        if f.type not in CORRECTION_TYPES or isinstance(f.data, Unreadable):
            current[f.id] = f  # an unreadable correction stays in effect, so that reading it is refused
            continue
        target = current.pop(f.data.fact_id, None)
        if target is None:
            continue  # refused when recorded; an older store cannot hold one
        if f.type == "FactRetracted":
            fates[target.id] = Fate("retracted", f)
        else:
            fates[target.id] = Fate("corrected", f)
            current[f.id] = replacement_fact(f, target)
    return sorted(current.values(), key=lambda f: f.sort_key), fates


def replacement_fact(correction: Fact, original: Fact) -> Fact:
    rep = correction.data.replacement
    try:
        data: object = parse_data(rep.type, rep.data)
    except InvalidFactError as exc:  # recorded by a version that accepted it: kept, and refused when read
        data = Unreadable(rep.data, exc.describe())
    return Fact(
        correction.id,
        rep.type,
        parse_iso_date(rep.date),
        data,
        correction.recorded_at,
        correction.recorded_by,
        correction.source,
        original.order,
        corrects=original.id,
    )


def check_targets(
    existing: Sequence[Fact], new: Sequence[Fact], lines: dict[str, int | None]
) -> list[InvalidFactError]:
    """Each correction names a fact in effect when it is recorded, of the same kind of stream."""
    effective, fates = resolution(existing)
    current = {f.id: f for f in effective}
    done = {fact_id: fate.by for fact_id, fate in fates.items()}
    corrections = {f.id: f for f in existing if f.type in CORRECTION_TYPES}
    errors: list[InvalidFactError] = []
    for f in new:
        if f.type not in CORRECTION_TYPES:
            continue
        line = lines.get(f.id)
        target_id = f.data.fact_id
        try:
            found = current.get(target_id)
            if found is None:
                raise InvalidFactError(_why_not(target_id, done, corrections), field="data.fact_id")
            if f.type == "FactCorrected":
                _check_same_stream(found, f.data.replacement.type)
                current[f.id] = replace(found, id=f.id, type=f.data.replacement.type)
            del current[target_id]
            done[target_id] = f
        except InvalidFactError as exc:
            errors.append(exc.at_line(line) if line is not None else exc)
    return errors


def _why_not(target_id: str, done: dict[str, Fact], corrections: dict[str, Fact]) -> str:
    by = done.get(target_id)
    if by is not None and by.type == "FactRetracted":
        return f"fact {target_id} was already retracted by {by.id} ({by.recorded_at:%Y-%m-%d}, {by.recorded_by})"
    if by is not None:
        return (
            f"fact {target_id} was already corrected by {by.id} ({by.recorded_at:%Y-%m-%d}, {by.recorded_by}); "
            f"correct or retract {by.id} instead"
        )
    if target_id in corrections and corrections[target_id].type == "FactRetracted":
        return f"{target_id} is a retraction; to restore the fact it retracted, record that fact again"
    return f"no fact {target_id!r} in this agreement or its company (ids are shown by `history`)"


def _check_same_stream(target: Fact, new_type: str) -> None:
    if (target.type in COMPANY_FACT_TYPES) != (new_type in COMPANY_FACT_TYPES):
        kind = "a company" if target.type in COMPANY_FACT_TYPES else "an agreement"
        raise InvalidFactError(
            f"{target.id} is {kind} fact ({target.type}): its replacement must be {kind} fact too, not {new_type}",
            field="data.replacement.type",
        )
