"""Parity of the Valence letter re-expressed in the provisions form (issue 13), section by section.

`tests/parity/valence-2004.toml` is the draft: the letter written in the provisions form's blocks. Over the
characterization lives (tests/characterization.py) read under the catalogue's defaults, each report of the
letter form is set beside the draft's report on the same facts and day, and each catalogue §10 section is
compared with its free text left out (as the `contract` digest compares). `scripts/parity` prints the share of
reports on which each section agrees; `tests/test_parity.py` holds the sections already equal at 100% on a
sample, so a step of the migration can only add sections.
"""

from __future__ import annotations

import json
import re
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import characterization as c
from obligations.rules.agreement import status_report
from obligations.rules.report import SECTIONS  # the catalogue §10 sections of a letter report, in order
from obligations.terms.loader import terms_from_text
from obligations.terms.provisions import ProvisionTerms

DRAFT = Path(__file__).resolve().parent / "parity" / "valence-2004.toml"
# The sections the draft already answers as the letter does on every report: only ever added to.
PARITY_SECTIONS = SECTIONS  # every one, since step 9
# The sections the draft answers as the letter does on every report where the end of employment agrees (the end
# itself is the employment section's step).
PARITY_SAME_END = ("health_continuation", "section_5_1", "open_clocks")
# The kinds of payment (an id, or the family of `expense_<id>`, `cobra_premium_<k>`) the draft already pays as the
# letter does on every report where the end of employment agrees; `final_prorated_salary` is held on all but
# its fact_ids (which name the facts the end rests on, the employment section's step).
PARITY_PAYMENTS = ("expense", "lump_sum_5_1a", "final_prorated_salary", "cobra_premium")
WITHOUT_FACT_IDS = ("final_prorated_salary",)


def draft() -> ProvisionTerms:
    terms = terms_from_text(DRAFT.read_text(), str(DRAFT), c.CONFIG)
    assert isinstance(terms, ProvisionTerms)
    return terms


def default_lives(count: int) -> list[int]:
    """The first `count` lives read under the catalogue's defaults (the variants pin the alternatives)."""
    out, n = [], 0
    while len(out) < count:
        if not c.VARIANTS[n % len(c.VARIANTS)]:
            out.append(n)
        n += 1
    return out


@dataclass
class Tally:
    reports: int = 0
    agree: Counter[str] = field(default_factory=Counter)
    # the same, counted only on the reports whose end of employment agrees (the day, or none on both)
    same_end: int = 0
    agree_same_end: Counter[str] = field(default_factory=Counter)
    first_difference: dict[str, tuple[int, str, Any, Any]] = field(default_factory=dict)
    crashes: list[str] = field(default_factory=list)
    # payments by kind, on the reports where the end of employment agrees: how many, how many equal
    payments: Counter[str] = field(default_factory=Counter)
    payments_agree: Counter[str] = field(default_factory=Counter)
    # reports whose whole JSON, free text left out, is the same text: the same keys in the same order
    whole: int = 0

    def add(self, other: Tally) -> None:
        self.reports += other.reports
        self.agree.update(other.agree)
        self.same_end += other.same_end
        self.agree_same_end.update(other.agree_same_end)
        for k, v in other.first_difference.items():
            self.first_difference.setdefault(k, v)
        self.crashes += other.crashes
        self.payments.update(other.payments)
        self.payments_agree.update(other.payments_agree)
        self.whole += other.whole


def life_parity(n: int, terms: ProvisionTerms | None = None) -> Tally:
    letter = c.terms_of(n)
    provisions = terms or draft()
    facts = c.life_facts(n, letter)
    out = Tally()
    for day in c.as_of_dates(letter, facts):
        expected = status_report(letter, facts, day)
        try:
            got = status_report(provisions, facts, day)
        except Exception:  # a crash is a finding of the harness, reported with the life and the day
            out.crashes.append(f"life {n} as of {day}: {traceback.format_exc(limit=-3)}")
            got = {}
        out.reports += 1
        same_end = last_day(expected) == last_day(got)
        out.same_end += same_end
        for s in SECTIONS:
            want, have = c._strip(expected.get(s)), c._strip(got.get(s, "(absent)"))
            if want == have:
                out.agree[s] += 1
                out.agree_same_end[s] += same_end
            else:
                out.first_difference.setdefault(s, (n, day.isoformat(), want, have))
        if same_end:
            _payments(out, n, day.isoformat(), expected.get("payments") or [], got.get("payments") or [])
        if json.dumps(c._strip(expected), default=str) == json.dumps(c._strip(got), default=str):
            out.whole += 1
        else:
            out.first_difference.setdefault("(the whole report)", (n, day.isoformat(), list(expected), list(got)))
    return out


def payment_kind(pid: str) -> str:
    return re.sub(r"_[^_]*\d+$", "", pid) if pid.startswith(("expense_", "cobra_premium_")) else pid


def _payments(out: Tally, n: int, day: str, expected: list[dict[str, Any]], got: list[dict[str, Any]]) -> None:
    want, have = ({p["id"]: c._strip(p) for p in side} for side in (expected, got))
    for pid in want.keys() | have.keys():
        kind = payment_kind(pid)
        a, b = want.get(pid), have.get(pid)
        if kind in WITHOUT_FACT_IDS:
            a, b = ({k: v for k, v in x.items() if k != "fact_ids"} if x else x for x in (a, b))
        out.payments[kind] += 1
        if a == b:
            out.payments_agree[kind] += 1
        else:
            out.first_difference.setdefault(f"payment {kind}", (n, day, a, b))


def last_day(report: dict[str, Any]) -> str | None:
    """The last day employed a report names (the termination date, or a pending resignation's), or None."""
    e = report.get("employment") or {}
    return e.get("termination_date") or e.get("pending_termination_date") or e.get("pending_date")
