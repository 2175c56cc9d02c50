"""The company's jurisdiction is configuration (issue 13): its final-pay law, its holiday calendar. No rule
names a state's statute: a company in California is not told the Texas Labor Code."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from helpers import CONFIG, LETTER, ev, facts, payment, start
from obligations.domain.errors import TermsError
from obligations.rules.employment import i9_deadline
from obligations.rules.history import History
from obligations.rules.report import status_report
from obligations.terms.agreement_terms import Terms
from obligations.terms.loader import terms_from_text

VALENCE_COMPANY = (CONFIG / "companies" / "valence.toml").read_text()
TERMS_TEXT = LETTER.read_text()  # the letter form


def terms_with(tmp_path: Path, company_text: str, **interpretations: Any) -> Terms:
    config = tmp_path / "config"
    (config / "companies").mkdir(parents=True)
    (config / "agreements").mkdir()
    (config / "companies" / "valence.toml").write_text(company_text)
    text = TERMS_TEXT
    for name, value in interpretations.items():
        text = re.sub(rf"(?m)^{name} = .*$", f"{name} = {json.dumps(value)}", text)
    return terms_from_text(text, str(config / "agreements" / "valence-2004-letter.toml"), config)


def final_pay(terms: Terms, ending: dict[str, Any], as_of: str) -> dict[str, Any]:
    r = status_report(terms, facts(start(), ending), date.fromisoformat(as_of))
    p = payment(r, "final_prorated_salary")
    assert p is not None
    return p


DISCHARGE = ev("EmploymentTerminatedByCompany", "2005-11-18", stated_ground="without_cause")
RESIGNATION = ev(
    "ResignationNoticeGiven", "2005-11-18", sent_date="2005-11-18", good_reason_grounds_claimed=[],
    requested_effective_date="2005-11-18",
)  # fmt: skip


def test_the_valence_company_cites_the_texas_payday_law_from_its_company_file(tmp_path: Path) -> None:
    p = final_pay(terms_with(tmp_path, VALENCE_COMPANY), DISCHARGE, "2005-11-18")
    assert p["due_date"] == "2005-11-24"  # day 6; Thanksgiving is not in the listed days
    assert "Tex. Lab. Code §61.014(a)" in p["why"] and "sixth day" in p["why"]


def test_a_california_company_is_cited_its_own_law_and_never_texas(tmp_path: Path) -> None:
    text = (
        VALENCE_COMPANY.replace('law = "Tex. Lab. Code §61.014"', 'law = "Cal. Lab. Code §§201-202"')
        .replace('discharge_subsection = "(a)"', 'discharge_subsection = " (§201)"')
        .replace('other_subsection = "(b)"', 'other_subsection = " (§202)"')
    )
    terms = terms_with(tmp_path, text, final_pay_discharge_days=0)
    p = final_pay(terms, DISCHARGE, "2005-11-18")
    assert p["due_date"] == "2005-11-18"  # paid on the day of discharge
    assert "Cal. Lab. Code §§201-202 (§201)" in p["why"] and "on the day of discharge 2005-11-18" in p["why"]
    assert "Tex." not in p["why"]
    q = final_pay(terms, RESIGNATION, "2005-11-18")
    assert "Cal. Lab. Code §§201-202 (§202)" in q["why"] and "Tex." not in q["why"]


def test_a_company_without_a_final_pay_law_is_told_so(tmp_path: Path) -> None:
    text = VALENCE_COMPANY.replace('law = "Tex. Lab. Code §61.014"', 'law = ""')
    p = final_pay(terms_with(tmp_path, text), DISCHARGE, "2005-11-18")
    assert "not configured" in p["why"] and "Tex." not in p["why"]


def test_the_final_pay_date_rolls_past_the_companys_public_holidays_when_configured(tmp_path: Path) -> None:
    text = VALENCE_COMPANY.replace(
        "holidays = []\n\n[calendar]", 'holidays = []\nroll_calendar = "company"\n\n[calendar]'
    )
    text = text.replace("[calendar]\n", '[calendar]\ncountry = "US"\nsubdivision = "TX"\n')
    p = final_pay(terms_with(tmp_path, text), DISCHARGE, "2005-11-18")
    # day 6 is Thanksgiving (Thursday 24), Texas closes on Friday 25 too, then a weekend
    assert p["due_date"] == "2005-11-28"
    assert "Thanksgiving Day" in p["why"]
    # the day before: day 6 is Wednesday 23, an open day
    earlier = ev("EmploymentTerminatedByCompany", "2005-11-17", stated_ground="without_cause")
    assert final_pay(terms_with(tmp_path / "b", text), earlier, "2005-11-17")["due_date"] == "2005-11-23"


def test_an_i9_counted_in_business_days_skips_the_companys_holidays(tmp_path: Path) -> None:
    # start Tuesday 2005-11-22: three business days are Wed 23, Mon 28, Tue 29 in Texas (24 and 25 closed)
    text = VALENCE_COMPANY.replace("[calendar]\n", '[calendar]\ncountry = "US"\nsubdivision = "TX"\n')
    terms = terms_with(tmp_path, text, i9_day_count="business")
    h = History.build(terms, facts(start("2005-11-22")), date(2005, 11, 22))
    assert i9_deadline(h).isoformat() == "2005-11-29"
    plain = terms_with(tmp_path / "b", VALENCE_COMPANY, i9_day_count="business")
    h = History.build(plain, facts(start("2005-11-22")), date(2005, 11, 22))
    assert i9_deadline(h).isoformat() == "2005-11-25"  # weekdays only: Wed, Thu, Fri


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("[calendar]\n", '[calendar]\ncountry = "ZZ"\n'), "unknown country 'ZZ'"),
        (("[calendar]\n", '[calendar]\ncountry = "US"\nsubdivision = "XX"\n'), "subdivision 'XX'"),
        (("[calendar]\n", '[calendar]\nsubdivision = "TX"\n'), "needs its country"),
        (('weekend = ["sat", "sun"]', 'weekend = ["sat", "sunday"]'), "Input should be"),
        (('roll_calendar = "x"\n', ""), None),
    ],
)
def test_a_bad_calendar_is_refused_naming_the_key(tmp_path: Path, change: tuple[str, str], reason: str | None) -> None:
    if reason is None:
        text = VALENCE_COMPANY.replace(
            "holidays = []\n\n[calendar]", 'holidays = []\nroll_calendar = "x"\n\n[calendar]'
        )
        reason = "Input should be"
    else:
        text = VALENCE_COMPANY.replace(*change)
    with pytest.raises(TermsError) as err:
        terms_with(tmp_path, text)
    assert reason in str(err.value)
    assert "valence.toml" in str(err.value)
