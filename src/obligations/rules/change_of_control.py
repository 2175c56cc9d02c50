"""The letter's Change of Control definition: when a Change of Control is deemed to have occurred, by prong (I-17)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from obligations.rules.history import History


@dataclass(frozen=True)
class ChangeOfControl:
    date: date
    prong: str
    why: str
    facts: tuple[str, ...] = ()


def changes_of_control(h: History) -> list[ChangeOfControl]:
    terms, i = h.terms.agreement.change_of_control, h.terms.i
    prongs = terms.prongs
    names = h.terms.company.change_of_control.excluded_persons
    excluded = {p.casefold() for p in names}
    not_excluded = f"not {' or '.join(names)} or affiliated" if names else "not an excluded person"
    found: list[ChangeOfControl] = []
    series_total: dict[str, Decimal] = {}
    series_facts: dict[str, tuple[str, ...]] = {}
    series_done: set[str] = set()
    holdings: dict[str, Decimal] = {}
    for f in h.of("MergerConsummated", "AssetTransferConsummated", "BeneficialOwnershipChanged", "LiquidationOccurred"):
        x = f.data
        if f.type == "MergerConsummated":
            pct = x.company_shareholders_voting_pct_after
            if pct < terms.merger_shareholders_retain_less_than_pct:
                found.append(
                    ChangeOfControl(
                        f.date,
                        prongs.merger.id,
                        (
                            f"{prongs.merger.clause}: merger with {x.counterparty} consummated {f.date}; "
                            "Company Shareholders "
                            f"own {pct}% < {terms.merger_shareholders_retain_less_than_pct}% of the survivor (I-17)."
                        ),
                        (f.id,),
                    )
                )
        elif f.type == "AssetTransferConsummated":
            if x.series_id in series_done:
                continue
            total = series_total.get(x.series_id, Decimal(0)) + x.fraction_of_assets
            series_total[x.series_id] = total
            series_facts[x.series_id] = (*series_facts.get(x.series_id, ()), f.id)
            if total >= i.substantially_all_threshold or x.substantially_all_determination:
                series_done.add(x.series_id)
                found.append(
                    ChangeOfControl(
                        f.date,
                        prongs.asset_sale.id,
                        (
                            f"{prongs.asset_sale.clause}: asset transfers of series {x.series_id} reach {total} "
                            "of the assets "
                            f"(threshold {i.substantially_all_threshold}"
                            f"{', or determined substantially all' if x.substantially_all_determination else ''}) "
                            f"on {f.date} (I-17)."
                        ),
                        series_facts[x.series_id],
                    )
                )
        elif f.type == "BeneficialOwnershipChanged":
            before = holdings.get(x.person, Decimal(0))
            holdings[x.person] = x.voting_pct
            berg = x.berg_affiliated or x.person.casefold() in excluded
            limit = terms.beneficial_ownership_more_than_pct
            if not berg and before <= limit < x.voting_pct:
                found.append(
                    ChangeOfControl(
                        f.date,
                        prongs.beneficial_ownership.id,
                        (
                            f"{prongs.beneficial_ownership.clause}: {x.person} ({not_excluded}) became beneficial "
                            "owner of "
                            f"{x.voting_pct}% > {limit}% of the voting control on {f.date}."
                        ),
                        (f.id,),
                    )
                )
        else:
            p = prongs.liquidation
            found.append(ChangeOfControl(f.date, p.id, f"{p.clause}: liquidation ({x.kind}) on {f.date}.", (f.id,)))
    return found
