"""Parse one fact as submitted ({"type", "date", "data", "source"?}) into validated parts, naming field and rule."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from obligations.domain.csv_facts import read_rows
from obligations.domain.errors import InvalidFactError, InvalidFactsError
from obligations.domain.facts import CORRECTION_TYPES, FACT_TYPES, FactCorrected, FactData, data_as_json
from obligations.domain.values import check_id, parse_iso_date, parse_line

_LINE_KEYS = {"type", "date", "data", "source"}


@dataclass(frozen=True)
class SubmittedFact:
    """A fact that passed the shape checks, not yet checked against the history."""

    type: str
    date: date | None  # None only for a correction: it is dated the day it is recorded
    data: FactData
    source: str | None
    line: int | None = None


def _location(loc: tuple[Any, ...]) -> str:
    return "data." + ".".join(str(p) for p in loc) if loc else "data"


def parse_data(fact_type: str, data: Any) -> FactData:
    model = FACT_TYPES[fact_type]
    if not isinstance(data, dict):
        raise InvalidFactError("must be a JSON object", field="data")
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        rule = first["msg"]
        if first["type"] == "extra_forbidden":
            rule = f"unknown field for {fact_type}"
        elif first["type"] == "missing":
            rule = f"required field of {fact_type} is missing"
        raise InvalidFactError(rule, field=_location(first["loc"])) from None
    if isinstance(parsed, FactCorrected):
        return _checked_replacement(parsed)
    return parsed


def _checked_replacement(corrected: FactCorrected) -> FactCorrected:
    """The replacement is a whole fact of catalogue §8, checked as a new one is; its data kept canonical."""
    rep = corrected.replacement
    if rep.type not in FACT_TYPES or rep.type in CORRECTION_TYPES:
        raise InvalidFactError(
            f"unknown event type {rep.type!r} (a replacement is a fact of catalogue §8)", field="data.replacement.type"
        )
    try:
        data = parse_data(rep.type, rep.data)
    except InvalidFactError as exc:
        raise InvalidFactError(exc.rule, field=f"data.replacement.{exc.field or 'data'}") from None
    canonical = rep.model_copy(update={"data": data_as_json(data)})
    return corrected.model_copy(update={"replacement": canonical})


def parse_fact(obj: Any, line: int | None = None) -> SubmittedFact:
    """Validate one fact object; raises InvalidFactError naming the line, the field and the rule."""
    try:
        if not isinstance(obj, dict):
            raise InvalidFactError('a fact must be a JSON object {"type", "date", "data"}')
        unknown = sorted(set(obj) - _LINE_KEYS)
        if unknown:
            raise InvalidFactError("unknown key (allowed: type, date, data, source)", field=unknown[0])
        for key in ("type", "data"):
            if key not in obj:
                raise InvalidFactError("required key is missing", field=key)
        fact_type = obj["type"]
        if not isinstance(fact_type, str) or fact_type not in FACT_TYPES:
            raise InvalidFactError(f"unknown event type {fact_type!r} (see catalogue §8)", field="type")
        effective: date | None = None
        if "date" not in obj and fact_type not in CORRECTION_TYPES:
            raise InvalidFactError("required key is missing", field="date")
        if obj.get("date") is not None or fact_type not in CORRECTION_TYPES:
            try:
                effective = parse_iso_date(obj["date"])
            except ValueError as exc:
                raise InvalidFactError(str(exc), field="date") from None
        source = obj.get("source")
        if source is not None:
            source = checked_line(source, "source", "a document reference")
        data = parse_data(fact_type, obj["data"])
        return SubmittedFact(fact_type, effective, data, source, line)
    except InvalidFactError as exc:
        raise exc.at_line(line) if line is not None else exc from None


def checked_line(value: Any, field: str, what: str) -> str:
    """A one-line string given beside the facts (a source, a recorder's name), by the rule of `Line`."""
    try:
        return parse_line(value)
    except ValueError as exc:
        raise InvalidFactError(f"{what}: {exc}", field=field) from None


def checked_id(value: Any, field: str = "agreement", what: str = "agreement id") -> str:
    try:
        return check_id(value, what)
    except ValueError as exc:
        raise InvalidFactError(str(exc), field=field) from None


def loads_exact(text: str) -> Any:
    """JSON with every non-integer number read as Decimal, so 0.3 + 0.6 == 0.9. Nesting deeper than
    Python's recursion limit is a JSON error like any other, not a crash."""
    try:
        return json.loads(text, parse_float=Decimal)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text[:0], 0) from None


def parse_json_lines(text: str) -> list[SubmittedFact]:
    """Every line of a JSON-lines file, all validated; any error refuses the whole batch."""
    return _all_or_nothing(_json_objects(text.splitlines()))


def _json_objects(lines: Iterable[str]) -> Iterator[tuple[int, Any]]:
    """(line, object, or the error of a line that is not JSON) for each line that is not blank."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            yield number, loads_exact(raw)
        except json.JSONDecodeError as exc:
            yield number, InvalidFactError(f"corrupt JSON: {exc.msg} at column {exc.colno}", line=number)


def _all_or_nothing(numbered: Iterable[tuple[int, Any]]) -> list[SubmittedFact]:
    """The facts of (line, object or error) pairs, every one checked; all the errors at once, or the facts."""
    facts: list[SubmittedFact] = []
    errors: list[InvalidFactError] = []
    for number, obj in numbered:
        if isinstance(obj, InvalidFactError):
            errors.append(obj)
            continue
        try:
            facts.append(parse_fact(obj, number))
        except InvalidFactError as exc:
            errors.append(exc)
    if errors:
        raise InvalidFactsError(errors)
    return facts


def _raising(numbered: Iterable[tuple[int, Any]]) -> Iterator[tuple[int, Any]]:
    """The pairs, the first error raised (a portfolio stops at it)."""
    for number, obj in numbered:
        if isinstance(obj, InvalidFactError):
            raise obj
        yield number, obj


Grouping = Callable[[Iterable[tuple[int, Any]]], Iterable[tuple[int, Any]]]


def parse_portfolio_lines(
    lines: Iterable[str], group: Grouping | None = None
) -> Iterator[tuple[str, str | None, list[SubmittedFact]]]:
    """A portfolio file: JSON lines {"agreement", "terms"?, "type", "date", "data", "source"?}. Yields
    (agreement, terms, facts) per agreement; the first error stops it, naming the line. Each agreement's lines
    must be together unless `group` brings them together (the command line spools the file to do so)."""
    numbered = _raising(_json_objects(lines))
    return parse_portfolio_objects(group(numbered) if group else numbered)


def parse_portfolio_csv(
    text: str | Iterable[str], group: Grouping | None = None
) -> Iterator[tuple[str, str | None, list[SubmittedFact]]]:
    """A portfolio spreadsheet (`csv_facts`): every row names its agreement; grouped as `parse_portfolio_lines`."""
    numbered = _raising(read_rows(text))
    return parse_portfolio_objects(group(numbered) if group else numbered)


def parse_csv(text: str, agreement_id: str) -> list[SubmittedFact]:
    """One agreement's spreadsheet (`csv_facts`), all rows validated; any error refuses the whole batch. An
    `agreement` column may repeat the agreement's id, never name another."""

    def own(numbered: Iterable[tuple[int, Any]]) -> Iterator[tuple[int, Any]]:
        for number, row in numbered:
            if not isinstance(row, InvalidFactError):
                if row.pop("agreement", agreement_id) != agreement_id:
                    row = InvalidFactError(f"this file is for {agreement_id!r}", field="agreement", line=number)
                elif "terms" in row:
                    row = InvalidFactError("a single agreement's file takes --terms", field="terms", line=number)
            yield number, row

    return _all_or_nothing(own(read_rows(text)))


def parse_portfolio_objects(
    numbered: Iterable[tuple[int, Any]],
) -> Iterator[tuple[str, str | None, list[SubmittedFact]]]:
    """(line, object) pairs of a portfolio, each naming its "agreement" (and "terms" for a new one), each
    agreement's lines together: (agreement, terms, facts) per agreement; the first error stops it."""
    current: str | None = None
    terms: str | None = None
    facts: list[SubmittedFact] = []
    finished: set[str] = set()
    for number, obj in numbered:
        if not isinstance(obj, dict):
            raise InvalidFactError("a portfolio line must be a JSON object", line=number)
        agreement = obj.pop("agreement", None)
        line_terms = obj.pop("terms", None)
        if not isinstance(agreement, str) or not agreement:
            raise InvalidFactError("required key is missing or not a string", field="agreement", line=number)
        try:
            checked_id(agreement)
        except InvalidFactError as exc:
            raise exc.at_line(number) from None
        if line_terms is not None and not isinstance(line_terms, str):
            raise InvalidFactError("must be a string (a terms key)", field="terms", line=number)
        if agreement != current:
            if current is not None:
                yield current, terms, facts
                finished.add(current)
            if agreement in finished:
                raise InvalidFactError(
                    f"agreement {agreement!r} appeared before: an agreement's lines must be together",
                    field="agreement",
                    line=number,
                )
            current, terms, facts = agreement, None, []
        if line_terms is not None:
            if terms is not None and terms != line_terms:
                raise InvalidFactError(f"agreement {agreement!r} has terms {terms!r}", field="terms", line=number)
            terms = line_terms
        facts.append(parse_fact(obj, number))
    if current is not None:
        yield current, terms, facts
