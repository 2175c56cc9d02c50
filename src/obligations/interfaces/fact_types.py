"""`obligations types [TYPE]`: every fact type with its fields, types and an example, from the fact models
(the same source as docs/events.md). An example is made from the field types and checked by the tests to
parse as a real recording would."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel

from obligations.domain.errors import InvalidInputError
from obligations.domain.facts import (
    COMPANY_FACT_TYPES,
    CORRECTION_TYPES,
    FACT_TYPES,
)
from obligations.interfaces.events_doc import describe, form_of

EXAMPLES = {
    "parse_money": "1000.00",
    "parse_number": "8",
    "parse_count": 1000,
    "parse_iso_date": "2025-01-15",
    "parse_line": "text",
    "parse_email": "name@example.com",
    "parse_text": "text",
}
# Values an example cannot make from a type alone (the id of a fact to retract, a fraction), by model and field.
FIELD_EXAMPLES: dict[tuple[str, str], Any] = {
    ("FactRetracted", "fact_id"): "dean#3",
    ("FactRetracted", "reason"): "entered in error",
    ("FactCorrected", "fact_id"): "dean#3",
    ("FactCorrected", "reason"): "the letter says the 14th",
    ("FactCorrected", "replacement"): {
        "type": "OfferAccepted",
        "date": "2025-01-14",
        "data": {"offer_date": "2025-01-10", "signed_by": ["the Executive"]},
    },
    ("AssetTransferConsummated", "fraction_of_assets"): "0.95",
}


def _example(annotation: Any, metadata: Any = ()) -> Any:
    for m in metadata:
        fn = getattr(getattr(m, "func", None), "__name__", None)
        if fn in EXAMPLES:
            return EXAMPLES[fn]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *meta = typing.get_args(annotation)
        return _example(base, meta)
    if origin in (typing.Union, types.UnionType):
        args = [x for x in typing.get_args(annotation) if x is not type(None)]
        return _example(args[0])
    if origin is typing.Literal:
        return typing.get_args(annotation)[0]
    if origin is list:
        return [_example(typing.get_args(annotation)[0])]
    if annotation is bool:
        return False
    if annotation is int:
        return 1
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return example_data(annotation)
    return "text"


def example_data(model: type[BaseModel]) -> dict[str, Any]:
    """The data of an example fact: every field, required or not but `note`, with a value of its type."""
    fields = [(n, f) for n, f in model.model_fields.items() if n != "note"]
    return {
        (f.alias or n): FIELD_EXAMPLES.get((model.__name__, n)) or _example(f.annotation, f.metadata) for n, f in fields
    }


def describe_type(name: str) -> dict[str, Any]:
    """One fact type: where it goes, who reads it, its fields and an example line for `import`."""
    cls = FACT_TYPES[name]
    doc = (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    if not cls.__doc__ or cls.__doc__ == cls.__mro__[1].__doc__ or doc.startswith("Base of every"):
        doc = ""
    fields = [
        {"name": f.alias or n, "type": describe(f.annotation, f.metadata), "required": f.is_required()}
        for n, f in cls.model_fields.items()
    ]
    return {
        "type": name,
        "stream": "company"
        if name in COMPANY_FACT_TYPES
        else "correction"
        if name in CORRECTION_TYPES
        else "agreement",
        "read_by": form_of(name),
        "about": doc,
        "fields": fields,
        "example": {"type": name, "date": "2025-01-15", "data": example_data(cls)},
    }


def lookup(name: str) -> dict[str, Any]:
    """`describe_type`, or an error that suggests the closest names (case does not matter)."""
    by_lower = {t.lower(): t for t in FACT_TYPES}
    found = by_lower.get(name.lower())
    if found is None:
        close = difflib.get_close_matches(name, list(FACT_TYPES), n=3, cutoff=0.5)
        close += [t for t in FACT_TYPES if name.lower() in t.lower() and t not in close][: 3 - len(close)]
        hint = f"; did you mean {', '.join(close)}?" if close else "; `obligations types` lists them all"
        raise InvalidInputError(f"unknown fact type {name!r}{hint}")
    return describe_type(found)


def all_types() -> list[dict[str, Any]]:
    return [describe_type(name) for name in FACT_TYPES]
