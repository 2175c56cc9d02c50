"""A Change of Control defined by prongs (a merger, a sale of substantially all the assets, a person acquiring
voting control, a liquidation): when one is deemed to have occurred, from the company's facts. One rule for
both forms of terms: the letter's definition (I-17) and a provisions-form `[change_of_control]` with
`definition = "prongs"` each give the prongs' ids, clauses and thresholds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from obligations.domain.facts import Fact
from obligations.rules.history import History, fact_ids
from obligations.rules.sections import Section

PRONG_FACTS = ("MergerConsummated", "AssetTransferConsummated", "BeneficialOwnershipChanged", "LiquidationOccurred")


@dataclass(frozen=True)
class ChangeOfControl:
    date: date
    prong: str
    why: str
    facts: tuple[str, ...] = ()
    interpretations: tuple[str, ...] = ()  # the I-nn its why applies


@dataclass(frozen=True)
class Prong:
    id: str  # what a report names
    clause: str
    threshold: Decimal | None = None  # merger: shareholders retain less than (%); assets: at least (fraction);
    # beneficial ownership: more than (%)


@dataclass(frozen=True)
class Definition:
    merger: Prong | None
    asset_sale: Prong | None
    beneficial_ownership: Prong | None
    liquidation: Prong | None
    excluded_persons: tuple[str, ...]
    note: str = ""  # the interpretation a threshold rests on, cited after it (the letter's " (I-17)")
    note_ids: tuple[str, ...] = ()  # its id ("I-17",)


def letter_definition(h: History) -> Definition:
    """The letter's §5.3 with its I-17 threshold for a sale of substantially all the assets."""
    terms, i, p = h.terms.agreement.change_of_control, h.terms.i, h.terms.agreement.change_of_control.prongs
    return Definition(
        Prong(p.merger.id, p.merger.clause, terms.merger_shareholders_retain_less_than_pct),
        Prong(p.asset_sale.id, p.asset_sale.clause, i.substantially_all_threshold),
        Prong(p.beneficial_ownership.id, p.beneficial_ownership.clause, terms.beneficial_ownership_more_than_pct),
        Prong(p.liquidation.id, p.liquidation.clause),
        tuple(h.terms.company.change_of_control.excluded_persons),
        " (I-17)",
        ("I-17",),
    )


def changes_of_control(h: History) -> list[ChangeOfControl]:
    return prong_changes(h.of(*PRONG_FACTS), letter_definition(h))


def prong_changes(facts: Iterable[Fact], d: Definition) -> list[ChangeOfControl]:
    """Every Change of Control the facts (in order) make under the definition's prongs."""
    excluded = {p.casefold() for p in d.excluded_persons}
    names = d.excluded_persons
    not_excluded = f"not {' or '.join(names)} or affiliated" if names else "not an excluded person"
    found: list[ChangeOfControl] = []
    series_total: dict[str, Decimal] = {}
    series_facts: dict[str, tuple[str, ...]] = {}
    series_done: set[str] = set()
    holdings: dict[str, Decimal] = {}
    for f in facts:
        x = f.data
        if f.type == "MergerConsummated" and d.merger is not None:
            pct, limit = x.company_shareholders_voting_pct_after, d.merger.threshold
            if limit is not None and pct < limit:
                why = (
                    f"{d.merger.clause}: merger with {x.counterparty} consummated {f.date}; Company Shareholders "
                    f"own {pct}% < {limit}% of the survivor{d.note}."
                )
                found.append(ChangeOfControl(f.date, d.merger.id, why, (f.id,), d.note_ids))
        elif f.type == "AssetTransferConsummated" and d.asset_sale is not None:
            if x.series_id in series_done:
                continue
            total = series_total.get(x.series_id, Decimal(0)) + x.fraction_of_assets
            series_total[x.series_id] = total
            series_facts[x.series_id] = (*series_facts.get(x.series_id, ()), f.id)
            limit = d.asset_sale.threshold
            if (limit is not None and total >= limit) or x.substantially_all_determination:
                series_done.add(x.series_id)
                found_so = ", or determined substantially all" if x.substantially_all_determination else ""
                why = (
                    f"{d.asset_sale.clause}: asset transfers of series {x.series_id} reach {total} of the assets "
                    f"(threshold {limit}{found_so}) on {f.date}{d.note}."
                )
                found.append(ChangeOfControl(f.date, d.asset_sale.id, why, series_facts[x.series_id], d.note_ids))
        elif f.type == "BeneficialOwnershipChanged" and d.beneficial_ownership is not None:
            before = holdings.get(x.person, Decimal(0))
            holdings[x.person] = x.voting_pct
            affiliated = x.berg_affiliated or x.person.casefold() in excluded
            limit = d.beneficial_ownership.threshold
            if not affiliated and limit is not None and before <= limit < x.voting_pct:
                why = (
                    f"{d.beneficial_ownership.clause}: {x.person} ({not_excluded}) became beneficial owner of "
                    f"{x.voting_pct}% > {limit}% of the voting control on {f.date}."
                )
                found.append(ChangeOfControl(f.date, d.beneficial_ownership.id, why, (f.id,)))
        elif f.type == "LiquidationOccurred" and d.liquidation is not None:
            p = d.liquidation
            found.append(ChangeOfControl(f.date, p.id, f"{p.clause}: liquidation ({x.kind}) on {f.date}.", (f.id,)))
    return found


def change_of_control_report(cocs: list[ChangeOfControl], start: date, end: date | None) -> Section:
    """The report's change_of_control section: every Change of Control, each said to be while employed (from
    the start through the last day employed) or not; one after employment ended has no effect (I-18)."""
    events = [
        {
            "date": c.date.isoformat(),
            "prong": c.prong,
            "while_employed": start <= c.date and (end is None or c.date <= end),
            "fact_ids": list(c.facts),
        }
        for c in cocs
    ]
    if not events:
        return Section({"occurred": False, "events": [], "why": "No change-of-control event recorded.", "fact_ids": []})
    why = " ".join(c.why for c in cocs)
    used = [i for c in cocs for i in c.interpretations]
    if not any(e["while_employed"] for e in events):
        why += " None occurred while employed: no effect on this agreement (I-18)."
        used.append("I-18")
    occurred = {
        "occurred": True,
        "first_date": cocs[0].date.isoformat(),
        "events": events,
        "why": why,
        "fact_ids": fact_ids(*(c.facts for c in cocs)),
    }
    return Section(occurred, tuple(dict.fromkeys(used)))
