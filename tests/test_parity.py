"""The Valence letter re-expressed in the provisions form (issue 13): the sections already re-expressed answer
as the letter form does on every report of a sample of the characterization lives (scripts/parity measures
all of them), and the measure sees a difference when the draft says something else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

import characterization as c
import parity as p
from helpers import ev, facts, first_day
from obligations.rules.agreement import status_report
from obligations.terms.provisions import Bonus

SAMPLE = p.default_lives(12)


@pytest.fixture(scope="module")
def tally() -> p.Tally:
    total = p.Tally()
    for n in SAMPLE:
        total.add(p.life_parity(n))
    return total


def test_the_draft_reports_on_every_life_without_a_crash(tally: p.Tally) -> None:
    assert tally.reports > 500 and tally.crashes == []


@pytest.mark.parametrize("section", p.PARITY_SECTIONS)
def test_a_re_expressed_section_answers_as_the_letter_on_every_report(tally: p.Tally, section: str) -> None:
    assert tally.agree[section] == tally.reports, tally.first_difference.get(section)


def test_the_whole_report_is_the_letter_s_text_free_text_left_out(tally: p.Tally) -> None:
    """The same keys in the same order, the same values: the catalogue §10 contract byte for byte."""
    assert tally.whole == tally.reports, tally.first_difference.get("(the whole report)")


@pytest.mark.parametrize("section", p.PARITY_SAME_END)
def test_a_section_answers_as_the_letter_wherever_the_end_agrees(tally: p.Tally, section: str) -> None:
    assert tally.same_end > 500
    assert tally.agree_same_end[section] == tally.same_end, tally.first_difference.get(section)


@pytest.mark.parametrize("kind", p.PARITY_PAYMENTS)
def test_a_re_expressed_payment_is_paid_as_the_letter_pays_it(tally: p.Tally, kind: str) -> None:
    """On every report where the end of employment agrees (the end is the employment section's step)."""
    assert tally.payments[kind] > 0
    assert tally.payments_agree[kind] == tally.payments[kind], tally.first_difference.get(f"payment {kind}")


def test_a_draft_that_says_otherwise_is_measured_as_different() -> None:
    d = p.draft()
    bonus = d.agreement.bonus
    assert isinstance(bonus, Bonus)
    monthly = d.agreement.model_copy(update={"bonus": bonus.model_copy(update={"payments_per_year": 12})})
    t = p.life_parity(SAMPLE[0], d.model_copy(update={"agreement": monthly}))
    assert t.agree["bonus_target"] == 0 and t.agree["exercise_price"] == t.reports
    sixth = [
        x.model_copy(update={"payments": [y.model_copy(update={"due": "fired_date + 6 days"}) for y in x.payments]})
        for x in d.agreement.packages
    ]
    late = d.model_copy(update={"agreement": d.agreement.model_copy(update={"packages": sixth})})
    t = p.life_parity(next(n for n in SAMPLE if p.life_parity(n).payments["lump_sum_5_1a"]), late)
    assert t.payments["lump_sum_5_1a"] and t.payments_agree["lump_sum_5_1a"] == 0


def _variant_lives(variant: int, count: int) -> list[int]:
    return [n for n in range(variant, variant + 9 * count, 9)]


def test_an_interpretation_is_a_setting_of_the_draft_i26_business_days() -> None:
    """I-26's alternative (the I-9 within three business days, variant 6 of the lives) is the duration the
    draft writes. (I-24's next close is a table test of test_provisions_sections: no life starts on a day
    without a close.)"""
    d = p.draft()
    i9 = next(o for o in d.agreement.obligations if o.id == "submit_i9")
    business = [
        o.model_copy(update={"due": "start_date + 3 business days"}) if o is i9 else o for o in d.agreement.obligations
    ]
    t = d.model_copy(update={"agreement": d.agreement.model_copy(update={"obligations": business})})
    assert all(c.VARIANTS[n % len(c.VARIANTS)]["i9_day_count"] == "business" for n in _variant_lives(6, 8))
    total = p.Tally()
    for n in _variant_lives(6, 8):
        total.add(p.life_parity(n, t))
    assert total.agree["obligations"] == total.reports, total.first_difference.get("obligations")
    calendar = p.Tally()
    for n in _variant_lives(6, 8):
        calendar.add(p.life_parity(n, d))
    assert calendar.agree["obligations"] < calendar.reports  # the setting matters on these lives


@pytest.mark.parametrize("variant", p.EXPRESSED_VARIANTS)
def test_a_variant_s_interpretations_are_settings_of_the_draft(variant: int) -> None:
    """The catalogue's alternatives the variant lives read (I-01, I-03, I-04-I-06, I-08, I-10-I-12, I-13,
    I-16, I-19, I-21, I-25, I-26 ...) written as the draft's block settings: the whole report is the letter form's."""
    t = p.variant_draft(c.VARIANTS[variant])
    total = p.Tally()
    for n in p.variant_lives(variant, 3):
        total.add(p.life_parity(n, t))
    assert total.reports > 100 and total.whole == total.reports, total.first_difference.get("(the whole report)")


def test_an_interpretation_the_draft_cannot_write_is_named() -> None:
    with pytest.raises(p.NotExpressed, match="an_unknown_setting"):
        p.variant_draft({"an_unknown_setting": True})


@pytest.mark.parametrize("conjunctive", [False, True])
@pytest.mark.parametrize("felony_only", [False, True])
def test_i16_s_readings_of_good_cause_a_are_the_draft_s_conviction_kinds(conjunctive: bool, felony_only: bool) -> None:
    """I-16: every kind of conviction (class, theft, company property, moral turpitude) under each reading of
    (a): a termination stated for Good Cause (a) is one for Good Cause in the draft exactly when it is in the
    letter (the lives rarely draw a moral-turpitude misdemeanor of theft of company property)."""
    settings = {"gc_a_conjunctive": conjunctive, "moral_turpitude_felony_only": felony_only}
    letter = c.valence()
    letter = letter.model_copy(
        update={"agreement": letter.agreement.model_copy(
            update={"interpretations": letter.agreement.interpretations.model_copy(update=settings)})}
    )  # fmt: skip
    draft = p.variant_draft(settings)
    seen = set()
    for offense in ("felony", "misdemeanor"):
        for theft in (False, True):
            for company in (False, True):
                for turpitude in (False, True):
                    conviction = ev("ConvictionEntered", "2005-03-01", plea="no_contest", offense_class=offense,
                                    theft_embezzlement_misappropriation=theft, company_property=company,
                                    moral_turpitude=turpitude)  # fmt: skip
                    fired = ev("EmploymentTerminatedByCompany", "2005-03-02", stated_ground="good_cause_a")
                    fs = facts(*first_day(conviction, fired))
                    want = c._strip(status_report(letter, fs, date(2005, 3, 2))["employment"])
                    assert c._strip(status_report(draft, fs, date(2005, 3, 2))["employment"]) == want
                    seen.add(want["termination_type"])
    assert len(seen) == 2  # some convictions count, some do not


def test_terms_show_states_the_draft_s_settings_in_words() -> None:
    from obligations.terms.describe import describe_provisions

    words = " | ".join(x.words for x in describe_provisions(p.draft()))
    for phrase in ("deemed for every ground available on the notice's day", "by COBRA premiums",
                   "reimburses the business expenses submitted, with no due date", "a condition of the offer",
                   "on a conviction (theft_of_company_property", "when stated as good_cause_b",
                   "the employee keeps paying the active contribution"):  # fmt: skip
        assert phrase in words, phrase


@pytest.mark.parametrize("n", p.default_lives(3))
def test_explain_and_what_if_answer_for_the_draft_as_for_the_letter(n: int) -> None:
    """Each item and section the letter's report lists is explained for the draft with the same kind and value,
    and what changes from one report to the next is the same (free text left out)."""
    assert p.explain_parity(n) == []


def test_the_explain_measure_sees_a_draft_that_answers_differently() -> None:
    d = p.draft()
    sixth = [
        x.model_copy(update={"payments": [y.model_copy(update={"due": "fired_date + 6 days"}) for y in x.payments]})
        for x in d.agreement.packages
    ]
    late = d.model_copy(update={"agreement": d.agreement.model_copy(update={"packages": sixth})})
    n = next(n for n in SAMPLE if p.life_parity(n).payments["lump_sum_5_1a"])
    assert any("lump_sum_5_1a value" in x for x in p.explain_parity(n, late, every=1))


def _all_equal(measure: Callable[..., p.ItemsTally], variant: int) -> p.ItemsTally:
    terms = p.variant_draft(c.VARIANTS[variant]) if variant else None
    total = p.ItemsTally()
    for n in p.variant_lives(variant, 6) if variant else SAMPLE[:6]:
        total.add(measure(n, terms))
    assert total.letter > 100 and total.equal == total.letter and not total.only, total.only
    return total


@pytest.mark.parametrize("variant", [0, 8])
def test_the_draft_s_dated_items_are_the_letter_s(variant: int) -> None:
    """The dated items the read models, reminders and calendars are built from: payments, obligations, clocks
    (over the days a report shows them), available grounds and tranches, equal in every field."""
    _all_equal(p.items_parity, variant)


@pytest.mark.parametrize("variant", [0, 4])
def test_the_draft_plans_the_letter_s_reminders_and_escalations(variant: int) -> None:
    """Every reminder and escalation the alert planner draws for the letter (the item, its due date, the
    offset, the send time, the parties, the amount, the clause) and no other; variant 4 reads notices on
    dispatch, where a breach cured on its last cure day must not be escalated."""
    _all_equal(p.reminders_parity, variant)
