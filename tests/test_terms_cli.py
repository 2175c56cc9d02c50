"""`obligations terms check` and `terms show`: tools for the people who write terms files (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import letter_config
from obligations.interfaces.cli import main


def run(capsys: pytest.CaptureFixture[str], config: Path, *args: str) -> tuple[int, str]:
    code = main(["--config-dir", str(config), "terms", *args])
    out, err = capsys.readouterr()
    return code, out + err


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """config/ with the letter form of Valence beside it (key valence-2004-letter): the checks of that form."""
    return letter_config(tmp_path)


def test_the_shipped_terms_check_clean_but_for_the_deadlines_they_leave_open(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    code, out = run(capsys, config, "check", "valence-2004-letter")
    assert code == 0
    assert "loads; 0 error(s), 2 warning(s)" in out
    assert (
        "dispute_resolution.arbitration_agreement_due_days: -1: the arbitration agreement (§7) has no deadline" in out
    )
    assert run(capsys, config, "check", "--strict", "valence-2004-letter")[0] == 2
    code, out = run(capsys, config, "check", "valence-2004")  # the shipped provisions form
    assert code == 0 and "loads; 0 error(s)" in out, out


def test_every_error_is_listed_with_file_key_and_rule(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    text = (config / "agreements" / "valence-2004-letter.toml").read_text()
    text = text.replace("installments = 16", "installments = 0").replace("lump_sum = ", "lump_sun = ")
    text = text.replace('day_count = "calendar"', 'day_count = "lunar"')
    bad = config.parent / "bad.toml"
    bad.write_text(text)
    code, out = run(capsys, config, "check", str(bad))
    assert code == 2
    assert f"error: {bad}: vesting.installments: Input should be greater than 0" in out
    assert f"error: {bad}: section_5_1.lump_sun: unknown key (misspelt?)" in out
    assert f"error: {bad}: section_5_1.lump_sum: Field required" in out
    assert f"error: {bad}: days.day_count: Input should be 'calendar'" in out
    assert f"error: {bad}: onboarding.i9_day_count: Input should be" in out  # "day_count = " matched it too
    assert "does not load; 5 error(s)" in out


def test_a_company_file_error_is_named_with_its_own_file(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    company = config / "companies" / "valence.toml"
    company.write_text(company.read_text().replace("[calendar]\n", '[calendar]\ncountry = "ZZ"\n'))
    code, out = run(capsys, config, "check", "valence-2004-letter")
    assert code == 2
    assert f"error: {company}: calendar: Value error, unknown country 'ZZ'" in out


def test_a_setting_left_to_its_default_is_a_warning_that_names_the_default(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    path = config / "agreements" / "valence-2004-letter.toml"
    path.write_text(path.read_text().replace("window_inclusive_end = false\n", ""))
    code, out = run(capsys, config, "check", "valence-2004-letter")
    assert code == 0
    assert (
        "warning: " + str(path) + ": section_5_1.window_inclusive_end: not set: whether the last day of the §5.1 "
        "window is inside it is decided by the catalogue default False" in out
    )
    company = config / "companies" / "valence.toml"
    company.write_text(company.read_text().replace('law = "Tex. Lab. Code §61.014"', 'law = ""'))
    assert "final_pay.law: no final-pay law" in run(capsys, config, "check", "valence-2004-letter")[1]


def test_an_unknown_key_or_file_exits_2(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    code, out = run(capsys, config, "check", "no-such-terms")
    assert code == 2 and "unknown terms key or file" in out
    bad = config.parent / "broken.toml"
    bad.write_text("key = [")
    code, out = run(capsys, config, "check", str(bad))
    assert code == 2 and "not valid TOML" in out


def test_show_says_what_each_side_owes_from_the_numbers_of_the_file(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    code, out = run(capsys, config, "show", "valence-2004-letter")
    assert code == 0
    assert "§5.1  Company   within 24 months of the start" in out
    assert "a lump sum of $100,000 on the fifth day after the Termination Date" in out
    assert "submits the I-9 within 3 days of the start" in out
    path = config / "agreements" / "valence-2004-letter.toml"
    text = path.read_text().replace(
        "lump_sum_due_days_after_termination_date = 5", "lump_sum_due_days_after_termination_date = 10"
    )
    path.write_text(
        text.replace("window_months = 24", "window_months = 18").replace(
            'i9_day_count = "calendar"', 'i9_day_count = "business"'
        )
    )
    out = run(capsys, config, "show", "valence-2004-letter")[1]
    assert "within 18 months of the start" in out and "on the tenth day after" in out
    assert "within 3 business days of the start" in out
    code, out = run(capsys, config, "show", "--json", "valence-2004-letter")
    assert code == 0 and '"clause": "§5.1"' in out
