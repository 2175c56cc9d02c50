"""How ids, money and option counts read to a person: shared by the command line, the dashboard, reminders
and calendar entries (presentation only: nothing here computes an amount)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from obligations.domain.values import count_str

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
