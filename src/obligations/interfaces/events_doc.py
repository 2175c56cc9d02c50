"""docs/events.md, written from the fact models (scripts/events-doc; tests/test_docs.py checks it)."""

from __future__ import annotations

import types
import typing
from typing import Any

from obligations.domain.facts import (
    AGREEMENT_FACT_TYPES,
    COMPANY_FACT_TYPES,
    CORRECTION_TYPES,
    PROVISIONS_FACT_TYPES,
    SHARED_FACT_TYPES,
)
from obligations.rules.change_of_control import PRONG_FACTS
from obligations.terms.provisions import COBRA_FACTS, FACTS_OF_BLOCKS, GROUND_FACTS

NAMES = {
    "parse_money": "money (decimal text, ≥ 0, < 10^12, ≤ 6 places)",
    "parse_number": "number (decimal text)",
    "parse_count": "count (whole number ≥ 0)",
    "parse_iso_date": "date YYYY-MM-DD",
    "parse_line": "text line (≤ 500 characters)",
    "parse_email": "email address (≤ 254 characters)",
    "parse_text": "text (≤ 10,000 characters)",
}


def describe(a: Any, metadata: Any = ()) -> str:
    for m in metadata:
        fn = getattr(getattr(m, "func", None), "__name__", None)
        if fn in NAMES:
            return NAMES[fn]
    origin = typing.get_origin(a)
    if origin is typing.Annotated:
        base, *meta = typing.get_args(a)
        return describe(base, meta)
    if origin in (typing.Union, types.UnionType):
        args = [x for x in typing.get_args(a) if x is not type(None)]
        return " or ".join(describe(x) for x in args)
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{x}`" for x in typing.get_args(a))
    if origin is list:
        return "list of " + describe(typing.get_args(a)[0])
    if a is bool:
        return "true / false"
    if isinstance(a, type):
        return a.__name__
    return str(a)


def form_of(name: str) -> str:
    """Which form of terms reads a fact type (a few, the provisions form only with the block that reads them)."""
    kinds = [k for k, types in GROUND_FACTS.items() if name in types]
    if kinds or name == "ReportingLineChanged":
        what = " or ".join(f"`{k}`" for k in kinds) if kinds else "`duties_diminution` with `reporting_line`"
        return f"the letter form, and the provisions form with a ground of kind {what}"
    if name in COBRA_FACTS:
        return "the letter form, and the provisions form with a package's `health` that has `cobra_clause`"
    if name in FACTS_OF_BLOCKS:
        return f"the letter form, and the provisions form with its `[{FACTS_OF_BLOCKS[name]}]` block"
    if name in SHARED_FACT_TYPES or name in CORRECTION_TYPES:
        return "both forms"
    if name in PROVISIONS_FACT_TYPES:
        return "the provisions form"
    if name in PRONG_FACTS:
        return "the letter form, and the provisions form whose `[change_of_control]` definition is `prongs`"
    if name == "OptionsGranted":
        return 'the letter form, and the provisions form for a grant with `made_by = "OptionsGranted"`'
    return "the letter form, and the provisions form when an obligation names it (`fulfilled_by`, `for_each`)"


def section(title: str, types_: dict[str, Any], intro: str) -> str:
    out = [f"## {title}\n", intro + "\n"]
    for name, cls in types_.items():
        doc = (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        if doc.startswith("Base of every") or not cls.__doc__ or cls.__doc__ == cls.__mro__[1].__doc__:
            doc = ""
        forms = form_of(name)
        out.append(f"### {name}\n")
        out.append(f"Read by {forms}." + (f" {doc}" if doc else "") + "\n")
        fields = [(n, f) for n, f in cls.model_fields.items() if n != "note"]
        if fields:
            out.append("| field | type | required |\n|---|---|---|")
            for n, f in fields:
                required = "yes" if f.is_required() else "no"
                out.append(f"| `{f.alias or n}` | {describe(f.annotation, f.metadata)} | {required} |")
        else:
            out.append("No fields but the optional `note`: the fact and its date say it all.")
        out.append("")
    return "\n".join(out)


def events_doc() -> str:
    text = """# Event types

Every fact recorded is one of these types, with the date it took legal effect (`date`) and its `data`.
The letter form's facts are those of `../shared/spec/event-fields.md` (catalogue §8), whose exact rules
(the §8 checks) still apply; the provisions form's facts (issue 13) are read by the kinds of provision of
`docs/terms.md`. A fact a form does not read is refused for an agreement of that form, naming the type.
Every `data` also accepts an optional `note` (text). Unknown fields are refused; values have one canonical
form (`src/obligations/domain/values.py`). Generated from the fact models by `scripts/events-doc`;
`tests/test_docs.py` checks that it is current.

"""
    text += section("Agreement facts", dict(AGREEMENT_FACT_TYPES), "In the agreement's own stream.") + "\n"
    text += (
        section(
            "Company facts",
            COMPANY_FACT_TYPES,
            "In the company's stream: they apply to every agreement of the company.",
        )
        + "\n"
    )
    text += section(
        "Corrections", CORRECTION_TYPES, "In the stream of the fact they name; nothing is ever overwritten."
    )

    return text
