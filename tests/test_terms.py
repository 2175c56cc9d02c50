"""Terms files: every interpretation is a named setting; bad files are refused naming file, key and reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import CONFIG
from obligations.domain.errors import TermsError
from obligations.terms.interpretations import Interpretations
from obligations.terms.loader import resolve_terms, terms_from_text

TEXT = (CONFIG / "agreements" / "valence-2004.toml").read_text()


def test_every_interpretation_i01_to_i43_is_a_setting() -> None:
    described = {m for f in Interpretations.model_fields.values() for m in re.findall(r"I-\d\d", f.description or "")}
    assert described == {f"I-{n:02d}" for n in range(1, 44)}


def test_every_setting_is_in_the_valence_file() -> None:
    for name in Interpretations.model_fields:
        assert re.search(rf"^{name} = ", TEXT, re.M), name


def test_valence_terms_load_frozen() -> None:
    key, text, file = resolve_terms("valence-2004", CONFIG)
    terms = terms_from_text(text, file, CONFIG)
    assert key == "valence-2004" and terms.agreement.section_5_1.lump_sum == 100000
    assert (
        terms.company.time_zone == "America/Chicago" and "Carl Berg" in terms.company.change_of_control.excluded_persons
    )
    with pytest.raises(Exception, match="frozen"):
        terms.agreement.salary.annual_base_salary = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "key", "reason"),
    [
        (
            ("window_inclusive_end = false", "window_inclusve_end = false"),
            "interpretations.window_inclusve_end",
            "unknown key",
        ),
        (
            ("section51_pay_once = true", "section51_pay_once = false"),
            "interpretations.section51_pay_once",
            "Input should be True",
        ),
        (("installments = 16", "installments = 0"), "vesting.installments", "greater than 0"),
        (('company = "valence"', 'company = "acme"'), None, "no company file"),
    ],
)
def test_bad_terms_name_file_key_and_reason(
    tmp_path: Path, change: tuple[str, str], key: str | None, reason: str
) -> None:
    path = tmp_path / "t.toml"
    path.write_text(TEXT.replace(*change))
    with pytest.raises(TermsError) as info:
        terms_from_text(path.read_text(), str(path), CONFIG)
    if key:
        assert info.value.key == key and info.value.file == str(path)
    assert reason in str(info.value)
