"""How ids, money and option counts read to a person: shared by the command line, the dashboard, reminders
and calendar entries (presentation only: nothing here computes an amount)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from obligations.domain.values import count_str

# The employment statuses a report can give: the letter form's, the provisions form's, and before the first day.
EMPLOYMENT_STATUSES = ("active", "resignation_notice_period", "terminated", "employed", "resignation_pending",
                       "ended", "not_started")  # fmt: skip
CURRENCY = "$"  # the agreements served are in US dollars (catalogue §0); amounts carry no currency of their own


def readable(item_id: str) -> str:
    """An item id as words: `lump_sum_5_1a` → "Lump sum 5 1a", `breach_cure_period:B1` → "Breach cure period
    (B1)", `rsu_2024:installment_12` → "Rsu 2024 installment 12"."""
    head, _, tail = str(item_id).partition(":")
    words = head.replace("_", " ").strip()
    if tail:
        rest = tail.replace("_", " ")
        words = (
            f"{words} {rest}" if tail.startswith(("installment", "acceleration", "forfeited")) else f"{words} ({rest})"
        )
    return words[:1].upper() + words[1:]


def named(item_id: str) -> str:
    """The readable name with the id beside it, for tables: "Final prorated salary (final_prorated_salary)"."""
    return f"{readable(item_id)} ({item_id})"


def money(amount: str | Decimal | None) -> str:
    """Money with its currency and thousands separators, as stored (two places): "$97,054.79"."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    return f"-{CURRENCY}{-value:,}" if value < 0 else f"{CURRENCY}{value:,}"


def options(count: str | int | Decimal | None) -> str:
    return "" if count is None or count == "" else f"{count_str(count)} options"


def amount_of(kind: str, amount: str | None) -> str:
    """An item's amount in its unit: money for a payment, options for a tranche, nothing else."""
    if not amount:
        return ""
    if kind == "vesting":
        return options(amount)
    return money(amount) if kind == "payment" else str(amount)


def person_line(p: dict[str, Any] | None) -> str:
    """ "Jane Roe, VP Sales (Sales), manager: CEO, jane@example.com": what is recorded, in that order."""
    if not p:
        return ""
    who = ", ".join(x for x in (p.get("name"), p.get("title")) if x)
    if p.get("department"):
        who += f" ({p['department']})"
    extra = [f"manager: {p['manager']}" if p.get("manager") else "", p.get("work_email") or ""]
    return ", ".join(x for x in (who.strip(), *extra) if x)


def matches(values: Iterable[str | None], search: str) -> bool:
    """Whether any of the values contains `search`, in any case (a listing's --search)."""
    needle = search.casefold()
    return any(needle in value.casefold() for value in values if value)
