"""A synthetic portfolio: realistic, valid lives under the Valence terms, a few agreements per company.

Used by `scripts/generate-portfolio`, the tests and the benchmarks. Deterministic for a seed. Each company
gets its own terms and company files (copies of valence-2004 / valence with the company's id), written
under `<out>/config`, and its agreements' lines are together in `<out>/portfolio.jsonl`.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"
FIRST = date(2004, 12, 13)


def _d(x: date) -> str:
    return x.isoformat()


class Life:
    def __init__(self, rng: random.Random, agreement: str, terms: str, start: date) -> None:
        self.rng, self.agreement, self.terms, self.start = rng, agreement, terms, start
        self.lines: list[dict[str, Any]] = []
        self.last = start
        self.ended: date | None = None
        self.tier = "employee_only"
        self.salary = 200000
        self.form = "letter"

    def ev(self, fact_type: str, day: date, **data: Any) -> None:
        line: dict[str, Any] = {"agreement": self.agreement}
        if not self.lines:
            line["terms"] = self.terms
        line.update(type=fact_type, date=_d(day), data=data)
        self.lines.append(line)
        self.last = max(self.last, day)


def life(rng: random.Random, agreement: str, terms: str, start: date, salary: int = 200000) -> Life:
    """About 20 facts: hire, onboarding, payroll, notices and cures, salary changes, expenses, often an exit.
    `salary`: the base salary of the company's terms (EmploymentStarted must agree with it)."""
    x = Life(rng, agreement, terms, start)
    x.salary = salary
    s = start
    x.ev(
        "OfferAccepted",
        s - timedelta(days=rng.randrange(5, 30)),
        offer_date=_d(s - timedelta(days=30)),
        signed_by=["employee", "company"],
    )
    x.ev("EmploymentStarted", s, start_date=_d(s), annual_base_salary=str(salary), options=220000)
    tier = x.tier = rng.choice(["employee_only", "employee_plus_dependents"])
    x.ev("HealthCoverageChanged", s, tier=tier, dependents=0 if tier == "employee_only" else rng.randrange(1, 4))
    x.ev("ConfidentialityAgreementExecuted", s, version="standard-2004")
    if rng.random() < 0.9:
        x.ev("ArbitrationAgreementExecuted", s + timedelta(days=rng.randrange(0, 20)))
    x.ev("OptionsGranted", s, grant_date=_d(s), quantity=220000)
    if rng.random() < 0.92:
        x.ev("I9Submitted", s + timedelta(days=rng.randrange(0, 6)), documentation_satisfactory=True)
    if rng.random() < 0.85:
        x.ev("BonusProgramFinalized", s + timedelta(days=rng.randrange(5, 45)))
    horizon = s + timedelta(days=rng.randrange(120, 1500))  # when this life's story stops (or ends)
    periods = min(8, max(1, (horizon - s).days // 14 - 1))
    for k in range(periods):
        end = s + timedelta(days=14 * k + 13)
        x.ev(
            "SalaryPaid",
            end + timedelta(days=5),
            period_start=_d(end - timedelta(days=13)),
            period_end=_d(end),
            amount=f"{salary * 14 / 365:.2f}",
        )
    paid_to = s + timedelta(days=14 * periods - 1)
    last_pay = horizon - timedelta(days=rng.randrange(7, 20))
    if last_pay > paid_to + timedelta(days=14):  # the payroll since, as one summary record
        x.ev("SalaryPaid", last_pay, period_start=_d(paid_to + timedelta(days=1)),
             period_end=_d(last_pay - timedelta(days=5)),
             amount=f"{salary * ((last_pay - paid_to).days - 5) / 365:.2f}")  # fmt: skip
    if rng.random() < 0.4:
        x.ev(
            "SalaryChanged",
            s + timedelta(days=rng.randrange(60, max(61, (horizon - s).days - 10))),
            new_annual_rate=str(salary + rng.choice([-15000, 10000, 20000])),
            amendment=None,
        )
    ground_from: dict[str, date] = {}
    neglect = {"duties_specified": "quarterly sales plan", "cure_demanded": True}
    _notice(x, horizon, 0.3, 0.6, ("NeglectNoticeReceived", "NeglectCured", "N1", "5.2(b)"), neglect, ground_from)
    breach = {"provision": "§2 bonus program", "material": True}
    _notice(x, horizon, 0.2, 0.5, ("BreachNoticeReceived", "BreachCured", "B1", "5.4(f)"), breach, ground_from)
    _workplace(x, horizon, ground_from)
    for e in range(rng.choice([0, 0, 1, 2])):
        inc = s + timedelta(days=rng.randrange(10, max(11, (horizon - s).days - 20)))
        amount = f"{rng.randrange(50, 3000)}.{rng.randrange(0, 100):02d}"
        sub = inc + timedelta(days=rng.randrange(1, 20))
        x.ev(
            "ExpenseSubmitted",
            sub,
            expense_id=f"E{e + 1}",
            amount=amount,
            incurred_date=_d(inc),
            documented=rng.random() < 0.9,
        )
        if rng.random() < 0.7:
            x.ev("ExpenseReimbursed", sub + timedelta(days=rng.randrange(3, 40)), expense_id=f"E{e + 1}", amount=amount)
    if rng.random() < 0.7:
        _exit(x, horizon, ground_from)
    return x


def _workplace(x: Life, horizon: date, ground_from: dict[str, date]) -> None:
    """Now and then: a move, new duties or a new manager (Good Reason unless agreed), a policy finding, a
    conviction, an amended confidentiality agreement, an indemnification claim, vacation and bonuses."""
    rng, s = x.rng, x.start
    span = max(31, (horizon - s).days - 40)

    def when() -> date:
        return s + timedelta(days=rng.randrange(30, span))

    if rng.random() < 0.05:
        d, agreed = when(), rng.random() < 0.4
        x.ev("WorkLocationChanged", d, new_location="Dallas, Texas", in_austin_tx=False, employee_agreed=agreed)
        if not agreed:
            ground_from.setdefault("5.4(a)", d)
    if rng.random() < 0.05:
        d, agreed = when(), rng.random() < 0.3
        x.ev("DutiesChanged", d, description="territory halved", inconsistent_with_position=True,
             substantial_diminution=rng.random() < 0.5, employee_agreed_in_signed_amendment=agreed)  # fmt: skip
        if not agreed:
            ground_from.setdefault("5.4(b)", d)
    if rng.random() < 0.04:
        d = when()
        x.ev("ReportingLineChanged", d, new_manager="VP Operations", new_manager_holds_ceo_chair_president=False)
        ground_from.setdefault("5.4(b)", d)
    if rng.random() < 0.03:
        d, willful = when(), rng.random() < 0.6
        x.ev("PolicyViolationFound", d, policy="travel and expense", willful=willful)
        if willful:
            ground_from.setdefault("5.2(c)", d)
    if rng.random() < 0.01:
        x.ev("ConvictionEntered", when(), plea="guilty", offense_class="felony",
             theft_embezzlement_misappropriation=False, company_property=False, moral_turpitude=True)  # fmt: skip
    if rng.random() < 0.03:
        d = when()
        x.ev("ConfidentialityAgreementAmended", d, version="2006-rev")
        if rng.random() < 0.6:
            x.ev("ConfidentialityAgreementExecuted", d + timedelta(days=rng.randrange(1, 30)), version="2006-rev")
    if rng.random() < 0.03:
        x.ev("IndemnificationClaimMade", when(), matter_id="M1", matter="customer lawsuit")
    if rng.random() < 0.2:
        d = when()
        x.ev("VacationTaken", d, hours="16", **{"from": _d(d)}, to=_d(d + timedelta(days=1)))
    if rng.random() < 0.2:
        d = when()
        x.ev("BonusDetermined", d, quarter="Q1", amount="5000.00")
        x.ev("BonusPaid", d + timedelta(days=rng.randrange(1, 20)), quarter="Q1", amount="5000.00")


def _notice(
    x: Life,
    horizon: date,
    p_notice: float,
    p_cure: float,
    names: tuple[str, str, str, str],
    data: dict[str, Any],
    ground_from: dict[str, date],
) -> None:
    """A written notice with a 30-day cure period: cured in time, late or never (then a ground arises)."""
    rng, s = x.rng, x.start
    notice, cured, notice_id, ground = names
    if rng.random() >= p_notice:
        return
    n = s + timedelta(days=rng.randrange(30, max(31, (horizon - s).days - 60)))
    x.ev(notice, n, notice_id=notice_id, sent_date=_d(n - timedelta(days=rng.randrange(0, 3))), **data)
    if rng.random() < p_cure:
        x.ev(cured, n + timedelta(days=rng.randrange(1, 40)), notice_id=notice_id)
    else:
        ground_from[ground] = n + timedelta(days=31)


def _exit(x: Life, horizon: date, ground_from: dict[str, date]) -> None:
    rng = x.rng
    day = max(horizon, x.last + timedelta(days=1))
    kind = rng.choice(["without_cause", "without_cause", "good_cause", "resign", "resign_good_reason", "other"])
    good_reason = sorted((d, g) for g, d in ground_from.items() if g.startswith("5.4"))
    good_cause = sorted((d, g) for g, d in ground_from.items() if g in ("5.2(b)", "5.2(c)"))
    if kind == "resign_good_reason" and good_reason:
        since, ground = good_reason[0]
        sent = max(day, since + timedelta(days=rng.randrange(0, 30)))
        x.ev("ResignationNoticeGiven", sent, sent_date=_d(sent), good_reason_grounds_claimed=[ground])
        end = sent + timedelta(days=30)
        _after(x, end, triggered=end < x.start + relativedelta(months=24), company_discharge=False)
    elif kind in ("resign", "resign_good_reason"):
        x.ev(
            "ResignationNoticeGiven",
            day,
            sent_date=_d(day),
            good_reason_grounds_claimed=[],
            requested_effective_date=_d(day + timedelta(days=rng.choice([14, 14, 30]))),
        )
    elif kind == "good_cause" and good_cause:
        since, ground = good_cause[0]
        end = max(day, since)
        x.ev("EmploymentTerminatedByCompany", end, stated_ground="good_cause_" + ground[4])
        x.ended = end
    elif kind == "good_cause" and not any(line["type"] == "I9Submitted" for line in x.lines):
        x.ev("EmploymentTerminatedByCompany", day, stated_ground="offer_condition_failure_i9")
        x.ended = day
    elif kind == "other":
        x.ev("EmploymentEndedOther", day, reason=rng.choice(["death", "disability", "other"]))
        x.ended = day
    else:
        x.ev("EmploymentTerminatedByCompany", day, stated_ground="without_cause")
        _after(x, day, triggered=day < x.start + relativedelta(months=24), company_discharge=True)


def _after(x: Life, end: date, triggered: bool, company_discharge: bool) -> None:
    """Payments after a §5.1 trigger: the lump sum (often on time), COBRA with premiums paid."""
    rng = x.rng
    x.ended = end
    if not triggered:
        return
    if rng.random() < 0.8:
        x.ev("PaymentMade", end + timedelta(days=rng.randrange(1, 9)), obligation="lump_sum_5_1a", amount="100000.00")
    if rng.random() < 0.5:
        decided = end + timedelta(days=rng.randrange(1, 10))
        x.ev(
            "CarrierContinuationDecision",
            decided,
            allowed=False,
            cobra_monthly_premium={"employee_only": "412.50", "employee_plus_dependents": "1180.00"},
        )
        elected = decided + timedelta(days=rng.randrange(1, 20))
        x.ev("CobraElected", elected, tier="employee_plus_dependents")
        premium = "412.50" if x.tier == "employee_only" else "1180.00"
        for k in range(1, 7):  # coverage month k starts the day after T + (k - 1) months (§5.1(b), I-02)
            due = max(end + relativedelta(months=k - 1) + timedelta(days=1), elected)
            if rng.random() < 0.85:
                paid = due + timedelta(days=rng.randrange(0, 6))
                x.ev("PaymentMade", paid, obligation=f"cobra_premium_{k}", amount=premium)


def provisions_life(rng: random.Random, agreement: str, terms: str, start: date, salary: int) -> Life:
    """A life under the composite terms of the provisions form: payroll, a raise, now and then a
    specified-employee determination, an exit (often without cause, with a release delivered and signed,
    sometimes late) and payments of the salary continuation."""
    x = Life(rng, agreement, terms, start)
    x.salary, x.form = salary, "provisions"
    x.ev("EmploymentStarted", start, start_date=_d(start), annual_base_salary=str(salary), options=0)
    horizon = start + timedelta(days=rng.randrange(200, 1400))
    for k in range(min(6, (horizon - start).days // 14 - 1)):
        end = start + timedelta(days=14 * k + 13)
        x.ev("SalaryPaid", end + timedelta(days=5), period_start=_d(end - timedelta(days=13)), period_end=_d(end),
             amount=f"{salary * 14 / 365:.2f}")  # fmt: skip
    if rng.random() < 0.4:
        x.ev("SalaryChanged", start + timedelta(days=rng.randrange(100, 180)), new_annual_rate=str(salary + 15000),
             amendment=None)  # fmt: skip
    if rng.random() < 0.1:
        x.ev("SpecifiedEmployeeDetermined", start + timedelta(days=190))
    if rng.random() < 0.7:
        day = max(horizon, x.last + timedelta(days=1))
        kind = rng.choice(["without_cause", "without_cause", "for_cause", "eliminated", "resign"])
        if kind == "eliminated":
            x.ev("PositionEliminated", day)
        elif kind == "resign":
            x.ev("ResignationNoticeGiven", day, sent_date=_d(day), good_reason_grounds_claimed=[],
                 requested_effective_date=_d(day + timedelta(days=14)))  # fmt: skip
            day += timedelta(days=14)
        else:
            x.ev("EmploymentTerminatedByCompany", day, stated_ground=kind)
        x.ended = day
        if kind in ("without_cause", "eliminated") and rng.random() < 0.8:
            x.ev("ReleaseDelivered", day + timedelta(days=rng.randrange(0, 8)))
            x.ev("ReleaseSigned", day + timedelta(days=rng.randrange(8, 30)))
    return x


def portfolio(
    agreements: int, seed: int, first: date = FIRST, years: int = 10, provisions_share: float = 0.0
) -> Iterator[tuple[str, list[Life]]]:
    """(company id, lives) per company, 1 to 6 agreements each, starts spread over `years`. A share of the
    companies (`provisions_share`) use the composite terms instead of the Valence letter's."""
    rng = random.Random(seed)
    form = random.Random(seed + 1)  # drawn apart, so a share of 0 leaves the Valence portfolio as it was
    made, c = 0, 0
    while made < agreements:
        c += 1
        company = f"c{c:06d}"
        n = min(agreements - made, rng.randrange(1, 7))
        salary = rng.choice([180000, 200000, 200000, 215000, 240000])  # the company's terms
        provisions = form.random() < provisions_share
        make = provisions_life if provisions else life
        lives = []
        for k in range(n):
            start = first + timedelta(days=rng.randrange(0, 365 * years))
            lives.append(make(rng, f"{company}-a{k + 1}", f"gen-{company}", start, salary))
        made += n
        if not provisions and rng.random() < 0.2:
            _change_of_control(rng, lives)
        yield company, lives


def _change_of_control(rng: random.Random, lives: list[Life]) -> None:
    """A merger recorded with (the last lines of) an agreement still employed, after its last fact."""
    open_lives = [
        x for x in lives if x.ended is None and not any(line["type"] == "ResignationNoticeGiven" for line in x.lines)
    ]
    if not open_lives:
        return
    host = open_lives[-1]
    day = host.last + timedelta(days=rng.randrange(1, 200))
    host.ev("MergerConsummated", day, counterparty="Acme Holdings", company_shareholders_voting_pct_after="40")
    lives.remove(host)
    lives.append(host)  # its lines come last, so the company fact is recorded after its other agreements


def write(out: Path, agreements: int, seed: int, years: int = 10, provisions_share: float = 0.0) -> dict[str, int]:
    """Write `<out>/config/{agreements,companies}/*.toml` and `<out>/portfolio.jsonl`; returns counts."""
    letter = ((REPO_CONFIG / "agreements" / "valence-2004.toml").read_text(),
              (REPO_CONFIG / "companies" / "valence.toml").read_text())  # fmt: skip
    provisions = ((REPO_CONFIG / "agreements" / "composite-executive.toml").read_text(),
                  (REPO_CONFIG / "companies" / "example.toml").read_text())  # fmt: skip
    (out / "config" / "agreements").mkdir(parents=True, exist_ok=True)
    (out / "config" / "companies").mkdir(parents=True, exist_ok=True)
    counts = {"companies": 0, "agreements": 0, "facts": 0}
    with (out / "portfolio.jsonl").open("w", encoding="utf-8") as f:
        for company, lives in portfolio(agreements, seed, years=years, provisions_share=provisions_share):
            key = f"gen-{company}"
            terms_text, company_text = provisions if lives[0].form == "provisions" else letter
            terms = re.sub(r'(?m)^key = ".*"$', f'key = "{key}"', terms_text)
            terms = re.sub(r'(?m)^company = ".*"$', f'company = "{company}"', terms)
            terms = re.sub(r'(?m)^annual_base_salary = ".*"$', f'annual_base_salary = "{lives[0].salary}"', terms)
            (out / "config" / "agreements" / f"{key}.toml").write_text(terms)
            comp = re.sub(r'(?m)^company_id = ".*"$', f'company_id = "{company}"', company_text)
            comp = re.sub(r'(?m)^name = ".*"$', f'name = "Company {company}"', comp)
            (out / "config" / "companies" / f"{company}.toml").write_text(comp)
            counts["companies"] += 1
            for x in lives:
                counts["agreements"] += 1
                for line in x.lines:
                    f.write(json.dumps(line) + "\n")
                    counts["facts"] += 1
    return counts
