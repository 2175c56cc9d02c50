"""Readable rendering of reports with rich: tables and plain words, no computation."""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from obligations.rules.items import item_status

console = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160)  # files and pipes: wide tables


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", show_lines=False, expand=False)
    for c in columns:
        table.add_column(c, overflow="fold")
    return table


def status(agreement_id: str, r: dict[str, Any]) -> None:
    console.rule(f"[bold]{agreement_id}[/] as of {r['as_of']}")
    e = r["employment"]
    line = e["status"].replace("_", " ")
    if e["status"] == "terminated":
        line += f" on {e['termination_date']} ({e['termination_type'].replace('_', ' ')})"
    elif e["status"] == "resignation_notice_period":
        line += f": ends {e['pending_termination_date']} ({e['pending_termination_type'].replace('_', ' ')})"
    console.print(f"[bold]Employment[/]: {line}")
    console.print(f"  {e['why']}", style="dim")
    o = r["options"]
    nxt = o["next_vesting"]
    console.print(
        f"[bold]Options[/]: {o['vested']:,} vested, {o['unvested']:,} unvested, {o['forfeited']:,} forfeited "
        f"of {o['granted']:,} at {o['exercise_price'] or 'price not recorded'}"
        + (f"; next {nxt['amount']:,} on {nxt['date']} ({nxt['kind']})" if nxt else "")
    )
    console.print(f"  {o['why']}", style="dim")
    s = r["section_5_1"]
    console.print(
        f"[bold]§5.1[/]: window {s['window_start']} .. {s['window_end']}; "
        + (
            f"triggered by {s['trigger'].replace('_', ' ')} on {s['termination_date']}"
            if s["triggered"]
            else "not triggered"
        )
    )
    g = r["grounds"]
    if g["good_cause_available"] is not None:
        console.print(
            f"[bold]Grounds[/]: Good Cause {', '.join(g['good_cause_available']) or 'none'}; "
            f"Good Reason {', '.join(g['good_reason_available']) or 'none'}"
        )
    _payments(r["payments"])
    _clocks(r["open_clocks"])
    _obligations(r["obligations"])
    h = r["health_continuation"]
    if h["required"]:
        console.print(
            f"[bold]Health continuation[/]: {h['period_start']} .. {h['period_end']}, {h['tier']}, "
            f"{h['path'].replace('_', ' ')} ({h['status'].replace('_', ' ')})"
        )
    v, b = r["vacation"], r["bonus_target"]
    console.print(
        f"[bold]Vacation[/]: {v['accrued_hours']} h accrued ({v['completed_periods']} periods)   "
        f"[bold]Bonus target[/]: ${b['annual_target']} a year, ${b['quarterly_target']} a quarter"
    )
    if r["dispute_resolution"]:
        console.print(f"[bold]Disputes[/]: arbitration in {r['dispute_resolution']['venue_county']}")
    console.print()


def _payments(items: list[dict[str, Any]]) -> None:
    if not items:
        console.print("[bold]Payments[/]: none owed")
        return
    table = _table("Payments", "id", "amount", "due", "status")
    for p in items:
        status = p["status"] + (f" {p['paid_on']}" if p.get("paid_on") else "")
        table.add_row(p["id"], p["amount"], p["due_date"] or "-", status)
    console.print(table)
    for p in items:
        console.print(f"  {p['id']}: {p['why']}", style="dim")


def _clocks(items: list[dict[str, Any]]) -> None:
    if not items:
        return
    table = _table("Open clocks", "clock", "started", "deadline", "on expiry")
    for c in items:
        table.add_row(
            c["clock"] + (f" {c['notice_id']}" if c.get("notice_id") else ""),
            c["started"],
            c["deadline"],
            c["on_expiry"],
        )
    console.print(table)


def _obligations(items: list[dict[str, Any]]) -> None:
    table = _table("Obligations", "id", "owed by", "due", "status")
    for o in items:
        table.add_row(
            o["id"],
            o["owed_by"],
            o["due_date"] or "-",
            o["status"] + (f" {o['fulfilled_on']}" if o.get("fulfilled_on") else ""),
        )
    console.print(table)


def history(agreement_id: str, rows: list[dict[str, Any]]) -> None:
    table = _table(f"History of {agreement_id} (effective order)", "id", "date", "type", "recorded at", "by", "source")
    for f in rows:
        table.add_row(f["id"], f["date"], f["type"], f["recorded_at"][:19], f["recorded_by"], f["source"] or "")
    console.print(table)


def agreements(rows: list[dict[str, Any]], today: Any) -> None:
    table = _table(
        f"Agreements (employment status as of {today})",
        "agreement",
        "company",
        "terms",
        "status",
        "termination date",
        "facts",
    )
    for a in rows:
        table.add_row(
            a["agreement"],
            a["company"],
            a["terms"],
            a["employment_status"],
            a["termination_date"] or "",
            str(a["facts"]),
        )
    console.print(table)


def portfolio_items(title: str, rows: list[dict[str, Any]], as_of: Any) -> None:
    table = _table(
        f"{title} (as of {as_of}): {len(rows)} item(s)",
        "date",
        "days",
        "agreement",
        "kind",
        "item",
        "status",
        "owed by",
        "amount",
        "clause",
    )
    for r in rows:
        days = r.get("days")
        when = "" if days is None else ("today" if days == 0 else f"in {days}" if days > 0 else f"{-days} ago")
        table.add_row(
            r["date"] or "—",
            when,
            r["agreement"],
            r["kind"],
            r["item"],
            r["status"].replace("_", " "),
            r["owed_by"] or "",
            r["amount"] or "",
            r["clause"],
        )
    console.print(table)


def projection_status(s: dict[str, Any]) -> None:
    console.print(
        f"[bold]{s['projection']}[/]: position {s['position']:,} of {s['head']:,} (lag {s['lag']:,}); "
        f"{s['agreements']:,} agreement(s), {s['rows']:,} row(s); last run {s['last_run'] or 'never'}"
    )


def outbox(title: str, rows: list[dict[str, Any]]) -> None:
    table = _table(
        f"{title}: {len(rows)} reminder(s)", "send at (UTC)", "state", "agreement", "item", "due", "offset", "tries",
        "late", "last delivery or reason",
    )  # fmt: skip
    for r in rows:
        last = r["deliveries"][-1] if r["deliveries"] else None
        note = f"{last['channel']} {last['at'][:19]}: {last['result']}" if last else (r["reason"] or "")
        offset = r["offset_days"]
        table.add_row(
            r["send_at"][:16].replace("T", " "),
            r["state"],
            r["agreement_id"],
            f"{r['kind']} {r['item_id']}",
            r["due_date"],
            "on the day" if offset == 0 else f"{-offset} before" if offset < 0 else f"{offset} after",
            str(r["attempts"]),
            "late" if r["late"] else "",
            note,
        )
    console.print(table)


def calendar(title: str, entries: list[tuple[str, Any, int]], as_of: Any) -> None:
    table = _table(f"{title} (as known for {as_of}): {len(entries)} event(s)", "date", "agreement", "kind", "item",
                   "status", "amount", "clause")  # fmt: skip
    for _company, item, _rev in sorted(entries, key=lambda e: (e[1].due_date, e[1].detail["agreement_id"])):
        table.add_row(
            item.due_date.isoformat(), item.detail["agreement_id"], item.kind, item.item_id,
            item_status(item, as_of).replace("_", " "), item.amount or "", item.clause,
        )  # fmt: skip
    console.print(table)
