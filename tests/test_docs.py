"""The documents of the terms language and the events say what the code does (issue 13)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from obligations.domain.facts import FACT_TYPES
from obligations.interfaces.events_doc import events_doc
from obligations.terms import provisions
from obligations.terms.expressions import AMOUNT_QUANTITIES, DATE_ANCHORS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_events_md_is_current_and_lists_every_type_and_field() -> None:
    text = (DOCS / "events.md").read_text()
    assert text == events_doc(), "docs/events.md is out of date: run scripts/events-doc"
    for name, cls in FACT_TYPES.items():
        assert f"### {name}\n" in text
        for field, info in cls.model_fields.items():
            if field != "note":
                assert f"`{info.alias or field}`" in text, (name, field)


def test_terms_md_documents_every_block_key_anchor_and_quantity() -> None:
    text = (DOCS / "terms.md").read_text()
    models: list[type[BaseModel]] = [
        m for m in vars(provisions).values()
        if isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ == provisions.__name__
        and m not in (provisions.Strict, provisions.ProvisionTerms)
    ]  # fmt: skip
    documented = [lambda k: f"`{k}`", lambda k: f"{k} =", lambda k: f"[{k}]"]
    missing = [f"{m.__name__}.{k}" for m in models for k in m.model_fields if not any(d(k) in text for d in documented)]
    assert not missing, missing
    for name in [*DATE_ANCHORS, *AMOUNT_QUANTITIES]:
        assert f"`{name}`" in text, name


def test_terms_md_places_every_letter_setting_in_its_block() -> None:
    from obligations.terms.interpretations import HOME

    rows = {line.split("|")[1].strip(): line for line in (DOCS / "terms.md").read_text().splitlines() if "| `[" in line}
    for name, block in HOME.items():
        assert f"`{name}`" in rows.get(f"`[{block}]`", ""), (block, name)
