"""Property (issue 12): every event type fed generated data, the wild with the plausible. Whatever is accepted
has one canonical form that reads back equal; in a real store (SQLite and PostgreSQL) it is stored, read back,
reported, explained, projected and exported, and no agreement is quarantined."""

from __future__ import annotations

import csv
import io
import json
import typing
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from helpers import CONFIG, start
from obligations.application.service import Obligations
from obligations.application.store import open_log
from obligations.domain.errors import InvalidFactError, InvalidFactsError
from obligations.domain.facts import CORRECTION_TYPES, FACT_TYPES, PROVISIONS_FACT_TYPES, data_as_json
from obligations.domain.input import loads_exact, parse_data, parse_fact
from obligations.domain.values import parse_count, parse_iso_date, parse_line, parse_money, parse_number, parse_text
from obligations.interfaces.export import history_csv

ANY_CHAR = st.characters(codec=None, categories=None)  # control characters and lone surrogates included
WILD = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(ANY_CHAR, max_size=30),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)  # fmt: skip


def decimals() -> st.SearchStrategy[Any]:
    """Decimals as clients write them: strings in plain or exponent form, JSON numbers, huge and tiny ones."""
    exact = st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15, places=8)
    exponent = st.builds(lambda m, e: f"{m}E{e}", st.integers(-(10**6), 10**6), st.integers(-12, 40))
    return st.one_of(
        exact.map(str), exact.map(lambda d: format(d, "E")), exact.map(lambda d: loads_exact(str(d))),
        exponent, exponent.map(loads_exact), st.integers(-(10**14), 10**14),
        st.sampled_from(["0.0000001", "1e400", "99999999999999999999999999999999999", "-0", "0.000001"]),
    )  # fmt: skip


def for_field(annotation: Any, metadata: list[Any]) -> st.SearchStrategy[Any]:
    funcs = {getattr(m, "func", None) for m in metadata}
    if parse_money in funcs or parse_number in funcs:
        return st.one_of(decimals(), WILD)
    if parse_count in funcs:
        return st.one_of(st.integers(-5, 10**13), st.integers(0, 300_000), WILD)
    if parse_iso_date in funcs:
        return st.one_of(st.dates(date(2004, 12, 13), date(2007, 12, 31)).map(date.isoformat), WILD)
    if parse_line in funcs or parse_text in funcs:
        return st.one_of(st.text(ANY_CHAR, max_size=40), st.text(max_size=600), st.sampled_from(["N1", "E1"]))
    return for_type(annotation)


def for_type(annotation: Any) -> st.SearchStrategy[Any]:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return for_field(args[0], list(args[1:]))
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return st.one_of(*(for_type(a) for a in args))
    if origin is typing.Literal:
        return st.one_of(st.sampled_from(args), WILD)
    if origin is list:
        return st.lists(for_type(args[0]), max_size=3)
    if annotation is type(None):
        return st.none()
    if annotation is bool:
        return st.one_of(st.booleans(), WILD)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_data(annotation)
    return WILD


def model_data(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    fields = {(f.alias or name): for_field(f.annotation, list(f.metadata)) for name, f in model.model_fields.items()}
    optional = {(f.alias or name) for name, f in model.model_fields.items() if not f.is_required()}
    return st.fixed_dictionaries(
        {k: v for k, v in fields.items() if k not in optional},
        optional={k: v for k, v in fields.items() if k in optional},
    )


TYPES = sorted(set(FACT_TYPES) - set(CORRECTION_TYPES))


@st.composite
def submitted(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    kind = draw(st.sampled_from(TYPES))
    return kind, draw(model_data(FACT_TYPES[kind]))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(submitted())
def test_whatever_is_accepted_reads_back_equal_in_one_canonical_form(case: tuple[str, dict[str, Any]]) -> None:
    kind, data = case
    try:
        parsed = parse_data(kind, data)  # Python values as a JSON parser gives them (Decimal for non-integers)
    except InvalidFactError as exc:
        assert exc.field and exc.rule  # refused, naming the field and the rule
        return
    stored = data_as_json(parsed)
    text = json.dumps(stored, ensure_ascii=False)
    text.encode("utf-8")  # no lone surrogate survives
    assert "\x00" not in text
    again = parse_data(kind, json.loads(text))  # what a read of the stored fact does
    assert again == parsed and data_as_json(again) == stored


def _jsonable(data: Any) -> bool:
    try:
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Obligations:
    svc = Obligations(open_log(database_url, tmp_path), CONFIG)
    svc.record("a1", [parse_fact(start("2004-12-13"))], "test", terms="valence-2004")
    svc.record("p1", [parse_fact(start("2004-12-13", "250000"))], "test", terms="composite-executive")
    return svc


def test_accepted_facts_of_every_type_are_stored_reported_projected_and_exported(store: Obligations) -> None:
    """Each generated fact the history accepts is recorded; then every command reads the store."""
    recorded: dict[str, int] = {}
    examples: list[tuple[str, dict[str, Any]]] = []

    @settings(max_examples=400, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(submitted(), st.dates(date(2004, 12, 13), date(2006, 12, 31)))
    def collect(case: tuple[str, dict[str, Any]], day: date) -> None:
        kind, data = case
        if _jsonable(data):
            examples.append((kind, {"type": kind, "date": day.isoformat(), "data": data}))

    collect()
    endings = {"EmploymentTerminatedByCompany", "EmploymentEndedOther", "ResignationNoticeGiven"}
    examples.sort(key=lambda e: e[0] in endings)  # an early end of employment would refuse most of the rest
    for kind, raw in examples:
        try:
            fact = parse_fact(json.loads(json.dumps(raw)))
            store.record("p1" if kind in PROVISIONS_FACT_TYPES else "a1", [fact], "property")  # the form that reads it
        except (InvalidFactError, InvalidFactsError):
            continue
        recorded[kind] = recorded.get(kind, 0) + 1
    assert len(recorded) >= 10, recorded  # many kinds of fact got through the history's own checks
    history = store.history("a1")
    for row in [*history, *store.history("p1")]:
        assert parse_data(row["type"], json.loads(json.dumps(row["data"]))) is not None
    for day in (date(2005, 6, 1), date(2007, 1, 1)):
        report = store.status("a1", [day])[0]
        json.dumps(report)
        store.explain("a1", "vested", day)
        json.dumps(store.status("p1", [day])[0])
    status = store.projector.status()
    assert status["lag"] == 0 and status["quarantined"] == []
    rows = list(csv.DictReader(io.StringIO(history_csv(history, "a1"))))
    assert len(rows) == len(history)
