"""Terms files: every interpretation is a named setting; bad files are refused naming file, key and reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import CONFIG, LETTER
from obligations.domain.errors import TermsError
from obligations.terms.interpretations import Interpretations
from obligations.terms.loader import resolve_terms, terms_from_text

TEXT = LETTER.read_text()  # the letter form (tests/letter): its own checks


def test_every_interpretation_i01_to_i43_is_a_setting() -> None:
    described = {m for f in Interpretations.model_fields.values() for m in re.findall(r"I-\d\d", f.description or "")}
    assert described == {f"I-{n:02d}" for n in range(1, 44)}


def test_every_setting_is_in_the_valence_file() -> None:
    for name in Interpretations.model_fields:
        assert re.search(rf"^{name} = ", TEXT, re.M), name


def test_valence_terms_load_frozen() -> None:
    key, text, file = resolve_terms(str(LETTER), CONFIG)
    terms = terms_from_text(text, file, CONFIG)
    assert key == "valence-2004-letter" and terms.agreement.section_5_1.lump_sum == 100000
    shipped = terms_from_text(*resolve_terms("valence-2004", CONFIG)[1:], CONFIG)  # the provisions form
    assert shipped.agreement.form == "provisions" and shipped.agreement.key == "valence-2004"
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
            "section_5_1.window_inclusve_end",
            "unknown key (misspelt?); did you mean window_inclusive_end?",
        ),
        (
            ("section51_pay_once = true", "section51_pay_once = false"),
            "section_5_1.section51_pay_once",
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


def _renumbered() -> str:
    """The letter with other numbers, other clause numbers and other ground ids: a second letter-form agreement."""
    text = TEXT
    for old, new in (
        ('work_location = "Austin, Texas"', 'work_location = "Denver, Colorado"'),
        ('exercise_price = "closing value of Valence stock', 'exercise_price = "closing value of Acme stock'),
        ("window_months = 24", "window_months = 18"),
        ("lump_sum_due_days_after_termination_date = 5", "lump_sum_due_days_after_termination_date = 10"),
        ("health_continuation_months = 6", "health_continuation_months = 12"),
        ("resignation_notice_days = 30", "resignation_notice_days = 45"),
        ("i9_days_after_start = 3", "i9_days_after_start = 5"),
        ('"§5.1(a)"', '"Art. 4.1"'),
        ('"§5.1(b)"', '"Art. 4.2"'),
        ('"§5.1 s.2"', '"Art. 4.3"'),
        ('"§5.1"', '"Art. 4"'),
        ('"§8 s.4"', '"Art. 9.4"'),
        ('"§8"', '"Art. 9"'),
        ('"§5.4"', '"Art. 6"'),
        ('"§2"', '"Art. 2"'),
        ('"§3"', '"Art. 3"'),
        ('"§4"', '"Art. 5"'),
        ('"§6"', '"Art. 7"'),
        ('"§7"', '"Art. 8"'),
    ):
        assert old in text, old
        text = text.replace(old, new)
    for letter in "abcdef":
        text = text.replace(f'id = "5.4({letter})", kind', f'id = "GR-{letter}", kind')
        text = text.replace(f'clause = "§5.4({letter})"', f'clause = "Art. 6({letter})"')
    return text


def test_a_letter_with_other_numbers_clauses_and_grounds_is_told_in_its_own_words() -> None:
    """Issue 13: the letter form's `why` texts, clauses and ground ids come from the terms file, so a second
    agreement with other numbers is never told the Valence letter's ("thirty (30) days", "the fifth day",
    "six months", "§5.4(f)", "Austin, Texas")."""
    import json

    from helpers import ev, report, start

    terms = terms_from_text(_renumbered(), "renumbered.toml", CONFIG)
    life = [
        start(),
        ev("BreachNoticeReceived", "2005-03-01", notice_id="B1", sent_date="2005-03-01", provision="bonus",
           material=True),
        ev("ResignationNoticeGiven", "2005-04-01", sent_date="2005-04-01", good_reason_grounds_claimed=[]),
        ev("WorkLocationChanged", "2005-03-15", new_location="Austin", in_austin_tx=False, employee_agreed=False),
    ]  # fmt: skip
    # The cure period of 30 days runs through 2005-03-31: the ground is available from the next day, both sides.
    before, on = report(life[:2], "2005-03-31", terms), report(life[:2], "2005-04-01", terms)
    assert "GR-f" not in before["grounds"]["good_reason_available"]
    assert on["grounds"]["good_reason_available"] == ["GR-f"]
    cure = report(life[:2], "2005-03-02", terms)["open_clocks"][-1]
    assert cure["clause"] == "Art. 6(f)" and "Good Reason GR-f available from 2005-04-01" in cure["on_expiry"]
    # The resignation gives the agreement's 45 days' notice, then its lump sum falls due on the tenth day.
    pending = report(life[:3], "2005-04-02", terms)
    notice = next(c for c in pending["open_clocks"] if c["clock"] == "resignation_notice_period")
    assert notice["deadline"] == "2005-05-16" and notice["clause"] == "Art. 6"
    assert "forty-five (45) days advance written notice" in notice["why"]
    after = report(life[:3], "2005-05-17", terms)
    lump = next(p for p in after["payments"] if p["id"] == "lump_sum_5_1a")
    assert lump["due_date"] == "2005-05-26" and "Art. 4.1: " in lump["why"] and "tenth day following" in lump["why"]
    assert after["health_continuation"]["period_end"] == "2006-05-16"
    assert "twelve months following" in after["health_continuation"]["why"]
    assert after["employment"]["grounds"] == ["GR-f"]
    # A relocation names the agreement's place.
    moved = report([life[0], life[3]], "2005-03-16", terms)
    assert "outside Denver, Colorado" in moved["grounds"]["why"] and moved["grounds"]["good_reason_available"] == [
        "GR-a"
    ]
    for r in (before, on, pending, after, moved, report([start()], "2004-12-14", terms)):
        text = json.dumps(r, ensure_ascii=False)
        for valence in ("Valence", "Austin, Texas", "thirty", "fifth day", "six months", "24-month", "5.4("):
            assert valence not in text, valence
        assert not re.search(r"§[1-8](?!\d)", text), re.search(r".{40}§[1-8](?!\d).{20}", text)


def test_ground_ids_are_unique_and_one_per_kind() -> None:
    doubled = TEXT.replace('id = "5.4(b)", kind = "diminution"', 'id = "5.4(a)", kind = "diminution"')
    with pytest.raises(TermsError, match="ground ids must be unique"):
        terms_from_text(doubled, "doubled.toml", CONFIG)
    twice = TEXT.replace('kind = "diminution"', 'kind = "relocation"')
    with pytest.raises(TermsError, match="one ground per kind"):
        terms_from_text(twice, "twice.toml", CONFIG)
    unknown = TEXT.replace('kind = "diminution"', 'kind = "boredom"')
    with pytest.raises(TermsError, match="good_reason.grounds"):
        terms_from_text(unknown, "unknown.toml", CONFIG)


def test_each_interpretation_is_a_setting_of_its_block() -> None:
    """Issue 13: the interpretations are named settings of the blocks they belong to; the earlier flat
    [interpretations] spelling still loads to the same terms; a setting in the wrong block or set twice is
    refused naming the key."""
    from obligations.terms.interpretations import HOME

    terms = terms_from_text(TEXT, "valence-2004-letter.toml", CONFIG)
    assert terms.agreement.settings_in == HOME  # every setting stated, each in its home block
    assert "[interpretations]" not in TEXT
    # The flat spelling: every setting moved to [interpretations] gives the same interpretations.
    lines = [ln for ln in TEXT.splitlines() if ln.split("=")[0].strip() not in HOME]
    settings = [ln for ln in TEXT.splitlines() if ln.split("=")[0].strip() in HOME]
    flat = "\n".join(lines) + "\n[interpretations]\n" + "\n".join(settings) + "\n"
    flat_terms = terms_from_text(flat, "flat.toml", CONFIG)
    assert flat_terms.i == terms.i and set(flat_terms.agreement.settings_in.values()) == {"interpretations"}
    # Wrong block, set twice, an unknown setting in a block of settings only.
    wrong = TEXT.replace("gr_lapse_days = -1", "").replace("\n[vacation]", "\n[vacation]\ngr_lapse_days = 90", 1)
    with pytest.raises(TermsError) as info:
        terms_from_text(wrong, "wrong.toml", CONFIG)
    assert info.value.key == "vacation.gr_lapse_days" and "a setting of [good_reason]" in info.value.reason
    twice = TEXT + "\n[interpretations]\ngr_lapse_days = 90\n"
    with pytest.raises(TermsError) as info:
        terms_from_text(twice, "twice.toml", CONFIG)
    assert info.value.key == "good_reason.gr_lapse_days" and "also set in [interpretations]" in info.value.reason
    odd = TEXT.replace("\n[notices]", '\n[notices]\nnotice_by = "post"', 1)
    with pytest.raises(TermsError) as info:
        terms_from_text(odd, "odd.toml", CONFIG)
    assert info.value.key == "notices.notice_by" and "notice_effective" in info.value.reason
    # An alternative the rules know, set in its block, is read; one they do not know is refused there.
    alt = TEXT.replace('notice_effective = "receipt"', 'notice_effective = "dispatch"')
    assert terms_from_text(alt, "alt.toml", CONFIG).i.notice_effective == "dispatch"
    with pytest.raises(TermsError) as info:
        terms_from_text(TEXT.replace('ca_due = "first_day"', 'ca_due = "reasonable_time"'), "x.toml", CONFIG)
    assert info.value.key == "onboarding.ca_due"
