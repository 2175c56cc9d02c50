"""Facts from a spreadsheet (issue 14): CSV (RFC 4180, UTF-8, a byte-order mark allowed), one row per fact.

Columns: `type` and `date` (required), `source`, `agreement` and `terms` (a portfolio file: which agreement a
row is for, and the terms of a new one) and one column per data field, named as the field (`start_date`,
`annual_base_salary`, `name`, `work_email`, …: `obligations types TYPE` lists them). An empty cell is a field
not given. A cell is read as the field's type says: a whole number for counts, `true`/`false` (also `yes`/`no`,
`1`/`0`) for yes-or-no fields, `;` between the items of a list (`signed_by`, `grounds`), money and numbers as
in JSON or with US thousands separators (`210,000.00`), the text itself for everything else. An empty cell of
a field that must be given but may be null (`amendment`) is null. A fact with nested data (a
correction's replacement) cannot be a row: use JSON lines. Every row is checked as the JSON importer checks a
line; an error names the line, the column and the rule, and nothing is recorded.
"""

from __future__ import annotations

import csv
import io
import re
import types
import typing
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from obligations.domain.errors import InvalidFactError
from obligations.domain.facts import FACT_TYPES

META = ("agreement", "terms", "type", "date", "source")
FIELDS = frozenset(name for model in FACT_TYPES.values() for name in model.model_fields)
TRUE, FALSE = {"true", "yes", "1"}, {"false", "no", "0"}
MAX_CELL = 100_000
GROUPED = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")


def cell_kind(annotation: Any) -> str:
    """ "bool", "int", "list", "nested" or "text": how a cell becomes a value of this annotation."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return cell_kind(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        kinds = {cell_kind(a) for a in typing.get_args(annotation) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else "text"
    if origin is list:
        return "list"
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if annotation is Decimal:
        return "decimal"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) or origin is dict:
        return "nested"
    return "text"


def cell_value(kind: str, cell: str) -> Any:
    if kind == "bool":
        word = cell.strip().lower()
        if word in TRUE or word in FALSE:
            return word in TRUE
        raise ValueError(f"must be true or false, got {cell!r}"[:120])
    if kind == "int":
        digits = cell.strip().replace(",", "")
        if not digits.isdigit() or not digits.isascii():
            raise ValueError(f"must be a whole number, got {cell!r}"[:120])
        return int(digits)
    if kind == "list":
        return [item.strip() for item in cell.split(";") if item.strip()]
    if kind == "decimal" and GROUPED.fullmatch(cell.strip()):
        return cell.strip().replace(",", "")  # 210,000.00 as a spreadsheet shows it: US grouping only
    return cell


def read_rows(source: str | Iterable[str]) -> Iterator[tuple[int, dict[str, Any] | InvalidFactError]]:
    """(line, {"type", "date"?, "source"?, "agreement"?, "terms"?, "data"}) per row that is not empty, or
    (line, the error) for a row that cannot be read (a cell that does not fit its field); raises
    InvalidFactError for a header that cannot be read and for a file that is not CSV. `source`: the whole text,
    or its lines as a file yields them (read row by row: memory stays flat)."""
    lines = io.StringIO(source.removeprefix("\ufeff"), newline="") if isinstance(source, str) else source
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InvalidFactError(f"not CSV: {exc}", line=1) from None
    if header is None:
        return
    header = [h.strip() for h in header]
    for column in header:
        if column not in META and column not in FIELDS:
            why = "unknown column: neither type, date, source, agreement, terms nor a fact field (`obligations types`)"
            raise InvalidFactError(why, field=column or "(empty)", line=1)
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise InvalidFactError("the column appears twice", field=repeated[0], line=1)
    for column in ("type", "date"):
        if column not in header:
            raise InvalidFactError("required column is missing", field=column, line=1)
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidFactError(f"not CSV: {exc}", line=line) from None
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            yield line, InvalidFactError(f"{len(cells)} cells for {len(header)} columns", line=line)
            continue
        try:
            yield line, _row(dict(zip(header, cells, strict=True)), line)
        except InvalidFactError as exc:
            yield line, exc


def _row(cells: dict[str, str], line: int) -> dict[str, Any]:
    fact_type = cells["type"].strip()
    model = FACT_TYPES.get(fact_type)
    if model is None:
        raise InvalidFactError(f"unknown event type {fact_type!r} (`obligations types` lists them)", field="type",
                               line=line)  # fmt: skip
    obj: dict[str, Any] = {"type": fact_type}
    for key in ("date", "source", "agreement", "terms"):
        if cells.get(key, "").strip():
            obj[key] = cells[key].strip()
    data: dict[str, Any] = {}
    for column, cell in cells.items():
        if column in META or cell == "":
            continue
        if len(cell) > MAX_CELL:
            raise InvalidFactError(f"a cell of at most {MAX_CELL:,} characters", field=column, line=line)
        info = model.model_fields.get(column)
        if info is None:
            raise InvalidFactError(f"not a field of {fact_type} (leave the cell empty)", field=column, line=line)
        kind = cell_kind(info.annotation)
        if kind == "nested":
            raise InvalidFactError("nested data cannot be given in a CSV: use JSON lines", field=column, line=line)
        try:
            data[column] = cell_value(kind, cell)
        except ValueError as exc:
            raise InvalidFactError(str(exc), field=f"data.{column}", line=line) from None
    for name, info in model.model_fields.items():  # a required field that may be null: an empty cell is null
        if name not in data and info.is_required() and _nullable(info.annotation):
            data[name] = None
    obj["data"] = data
    return obj


def _nullable(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in typing.get_args(
        annotation
    )
