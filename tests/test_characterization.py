"""The Valence rules answer as the characterization snapshot says (issue 13): a sample of its lives here,
all of them with `scripts/snapshots --check`. Regenerate on purpose with `scripts/snapshots --write`."""

from __future__ import annotations

import pytest

import characterization as c

SNAP = c.load()
SAMPLE = [e for e in SNAP["entries"] if e["life"] % 8 == 0]


def test_the_snapshot_is_of_this_generator_and_covers_a_few_thousand_lives() -> None:
    assert SNAP["generator"] == c.GENERATOR, "the generator changed: run scripts/snapshots --write"
    assert SNAP["lives"] == len(SNAP["entries"]) >= 2000
    assert sum(e["dates"] for e in SNAP["entries"]) > 100_000


@pytest.mark.parametrize("chunk", range(10))
def test_a_sample_of_lives_answers_as_the_snapshot(chunk: int) -> None:
    lives = SAMPLE[chunk::10]
    diffs = [d for e in lives for d in c.compare(e, c.snapshot_of(e["life"]))]
    assert not diffs, "\n".join(diffs) + "\n(replay one with scripts/snapshots --show N)"


def test_the_lives_cover_every_kind_of_ending_and_change_of_control() -> None:
    kinds: set[str] = set()
    for n in range(0, 400, 4):
        kinds |= {f.type for f in c.life_facts(n, c.terms_of(n))}
    needed = {
        "EmploymentTerminatedByCompany", "EmploymentEndedOther", "ResignationNoticeGiven", "MergerConsummated",
        "BeneficialOwnershipChanged", "AssetTransferConsummated", "NeglectNoticeReceived", "BreachNoticeReceived",
        "PaymentMade", "CobraElected", "SalaryChanged",
    }  # fmt: skip
    assert needed <= kinds, needed - kinds


def test_a_changed_answer_is_reported_by_the_check() -> None:
    e = SAMPLE[0]
    now = c.snapshot_of(e["life"])
    assert c.compare(e, now) == []
    changed = dict(now, contract="0" * 16, dates=now["dates"] + 1)
    assert c.compare(e, changed) == [
        f"life {e['life']}: {now['dates'] + 1} as-of dates, snapshot has {e['dates']}",
        f"life {e['life']}: answers (contract keys) differ",
    ]
