"""The dashboard's recording forms, made from the fact models (issue 14): one input per data field, of the
field's type (a date picker, a choice, a yes/no, a number, money, a `;` list, text), with whether it must be
given and what it takes. A sent form is read back cell by cell as a CSV row is (`domain.csv_facts`), into the
same fact object a JSON line is, and `domain.input.parse_fact` checks it: one parser for every way in.

Input names: `date`, `source`, and `data.<field>` (a nested model: `data.<field>.<subfield>`), so that an
error's field (`data.annual_base_salary`) names the input it belongs to.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from obligations.domain.csv_facts import MAX_CELL, cell_kind, cell_value
from obligations.domain.errors import InvalidFactError
from obligations.domain.facts import FACT_TYPES
from obligations.domain.names import money
from obligations.interfaces.events_doc import describe

PREFIX = "data."
MONEY = re.compile(r"-?\d+\.\d{2}")
WIDGETS = {
    "parse_iso_date": "date",
    "parse_money": "decimal",
    "parse_number": "decimal",
    "parse_count": "count",
    "parse_email": "email",
    "parse_text": "textarea",
    "parse_line": "text",
}


@dataclass
class FormField:
    """One input of a form (or a group of inputs: a nested model)."""

    name: str  # the input's name: "data.start_date", "data.amendment.signed_by_employee"
    label: str
    widget: str  # date, decimal, count, email, textarea, text, yesno, choice, list, group
    required: bool
    help: str
    choices: list[str] = field(default_factory=list)
    value: str = ""
    error: str | None = None
    children: list[FormField] = field(default_factory=list)


def _unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
    """(the base type, its validators' metadata, whether None is allowed)."""
    metadata: list[Any] = []
    nullable = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *meta = typing.get_args(annotation)
            metadata += meta
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            nullable = nullable or len(args) < len(typing.get_args(annotation))
            if len(args) != 1:
                return annotation, metadata, nullable
            annotation = args[0]
        else:
            return annotation, metadata, nullable


def _widget(annotation: Any, metadata: list[Any]) -> tuple[str, list[str]]:
    for m in metadata:
        name = getattr(getattr(m, "func", None), "__name__", None)
        if name in WIDGETS:
            return WIDGETS[name], []
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "choice", [str(x) for x in typing.get_args(annotation)]
    if origin is list:
        return "list", []
    if annotation is bool:
        return "yesno", []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "group", []
    return "text", []


def fields_of(
    model: type[BaseModel], values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None,
    prefix: str = PREFIX,
) -> list[FormField]:  # fmt: skip
    """The inputs of a model's fields (its `note` last), filled from `values`, with `errors` by input name."""
    values, errors = values or {}, errors or {}
    out: list[FormField] = []
    named = sorted(model.model_fields.items(), key=lambda item: item[0] == "note")
    for name, info in named:
        key = prefix + (info.alias or name)
        base, metadata, nullable = _unwrap(info.annotation)
        widget, choices = _widget(base, [*metadata, *info.metadata])
        words = describe(info.annotation, info.metadata)
        if widget == "list":
            words += "; separate the items with ;"
        if widget == "group" and nullable:
            words = "leave every box empty for none"
        f = FormField(
            name=key,
            label=(info.alias or name).replace("_", " "),
            widget=widget,
            required=info.is_required() and not nullable,
            help=words,
            choices=choices,
            value=values.get(key, "")[:MAX_CELL],
            error=errors.get(key),
        )
        if widget == "group":
            f.children = fields_of(base, values, errors, key + ".")
        out.append(f)
    return out


def data_from_form(model: type[BaseModel], form: Mapping[str, str], prefix: str = PREFIX) -> dict[str, Any]:
    """The `data` object of a sent form: an empty input is a field not given (null where the field must be
    given but may be null, as in a CSV row); a cell that does not fit its field raises InvalidFactError."""
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = prefix + (info.alias or name)
        base, _, nullable = _unwrap(info.annotation)
        if isinstance(base, type) and issubclass(base, BaseModel):
            nested = data_from_form(base, form, key + ".")
            if nested:
                data[info.alias or name] = nested
            elif info.is_required() and nullable:
                data[info.alias or name] = None
            continue
        cell = form.get(key, "")
        if len(cell) > MAX_CELL:
            raise InvalidFactError(f"at most {MAX_CELL:,} characters", field=key)
        if cell.strip() == "":
            if info.is_required() and nullable:
                data[info.alias or name] = None
            continue
        try:
            data[info.alias or name] = cell_value(cell_kind(info.annotation), cell)
        except ValueError as exc:
            raise InvalidFactError(str(exc), field=key) from None
    return data


def fact_from_form(fact_type: str, form: Mapping[str, str]) -> dict[str, Any]:
    """The fact object (as a JSON line gives it) of a form for `fact_type`."""
    obj: dict[str, Any] = {"type": fact_type, "data": data_from_form(FACT_TYPES[fact_type], form)}
    for key in ("date", "source"):
        if form.get(key, "").strip():
            obj[key] = form[key].strip()
    return obj


def values_of(data: Mapping[str, Any], prefix: str = PREFIX) -> dict[str, str]:
    """The form's values showing recorded data (a correction starts from what the fact says)."""
    out: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(values_of(value, f"{prefix}{key}."))
        elif isinstance(value, bool):
            out[prefix + key] = "yes" if value else "no"
        elif isinstance(value, list):
            out[prefix + key] = "; ".join(str(v) for v in value)
        elif value is not None:
            out[prefix + key] = str(value)
    return out


def form_error_field(error: InvalidFactError, correcting: bool) -> str | None:
    """The input an error belongs to: a correction's replacement fields are the form's own fields."""
    name = error.field
    if name and correcting and name.startswith("data.replacement."):
        return name.removeprefix("data.replacement.")
    return name


def short(value: Any) -> str:
    """A value of a report in one line (a change's before and after)."""
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {short(v)}" for k, v in value.items() if k not in ("why", "fact_ids"))
    if isinstance(value, list):
        return "[" + ", ".join(short(v) for v in value) + "]"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and MONEY.fullmatch(value):
        return money(value)  # a report's amounts are decimal text with two places; counts are whole numbers
    return "—" if value is None else str(value)
