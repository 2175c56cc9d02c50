"""Readable rendering of reports with rich: tables and plain words, no computation."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from obligations.domain.names import amount_of, money, named, person_line
from obligations.domain.values import count_str
from obligations.rules.item import item_status

console = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160)  # files and pipes: wide tables


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", show_lines=False, expand=False)
    for c in columns:
        table.add_column(c, overflow="fold")
    return table


def _head(agreement_id: str, r: dict[str, Any]) -> None:
    console.rule(f"[bold]{agreement_id}[/] as of {r['as_of']}")
    if line := person_line(r.get("person")):
        console.print(f"[bold]Employee[/]: {escape(line)}")


def status(agreement_id: str, r: dict[str, Any]) -> None:
    if r["employment"]["status"] == "not_started":
        _head(agreement_id, r)
        console.print("[bold]Employment[/]: not started")
        console.print(f"  {r['employment']['why']}", style="dim")
        _payments(r["payments"])
        _obligations(r["obligations"])
        console.print()
        return
    if r.get("form") == "provisions":
        _provisions_status(agreement_id, r)
        return
    _head(agreement_id, r)
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
        f"[bold]Options[/]: {count_str(o['vested'])} vested, {count_str(o['unvested'])} unvested, "
        f"{count_str(o['forfeited'])} forfeited of {count_str(o['granted'])} at "
        f"{o['exercise_price'] or 'price not recorded'}"
        + (f"; next {count_str(nxt['amount'])} on {nxt['date']} ({nxt['kind']})" if nxt else "")
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
        f"[bold]Bonus target[/]: {money(b['annual_target'])} a year, {money(b['quarterly_target'])} a quarter"
    )
    if r["dispute_resolution"]:
        console.print(f"[bold]Disputes[/]: arbitration in {r['dispute_resolution']['venue_county']}")
    console.print()


def _provisions_status(agreement_id: str, r: dict[str, Any]) -> None:
    """A report of the provisions form: its sections as the terms file names them."""
    _head(agreement_id, r)
    e = r["employment"]
    line = e["status"].replace("_", " ")
    if e["termination_date"]:
        line += f" on {e['termination_date']} ({(e['how'] or '').replace('_', ' ')})"
    console.print(f"[bold]Employment[/]: {line}")
    console.print(f"  {e['why']}", style="dim")
    for g in r["grants"]:
        known = g["vested"] is not None
        console.print(
            f"[bold]Grant {g['id']}[/] ({g['kind'].replace('_', ' ')}): "
            + (
                f"{count_str(g['vested'])} vested, {count_str(g['unvested'])} unvested, {count_str(g['forfeited'])} "
                f"forfeited of {count_str(g['granted'])}"
                if known
                else "vesting not known"
            )
        )
        console.print(f"  {g['why']}", style="dim")
    for pid, p in r["packages"].items():
        state = (
            f"fired on {p['fired_on']}"
            if p["fired"]
            else f"waiting until {p['waiting_until']}"
            if p["waiting_until"]
            else "not fired"
        )
        console.print(f"[bold]Package {pid}[/]: {state}")
        console.print(f"  {p['why']}", style="dim")
    if r["release"]:
        console.print(f"[bold]Release[/]: {r['release']['status'].replace('_', ' ')}")
    _payments(r["payments"])
    _clocks([{**c, "on_expiry": c.get("owed_by", "")} for c in r["open_clocks"]])
    _obligations(r["obligations"])
    for u in r["unknown"]:
        console.print(f"[bold]Not in the clauses at hand[/]: {u}", style="dim")
    console.print()


def _payments(items: list[dict[str, Any]]) -> None:
    if not items:
        console.print("[bold]Payments[/]: none owed")
        return
    table = _table("Payments", "payment", "amount", "due", "status")
    for p in items:
        status = p["status"].replace("_", " ") + (f" {p['paid_on']}" if p.get("paid_on") else "")
        table.add_row(named(p["id"]), money(p["amount"]), p["due_date"] or "-", status)
    console.print(table)
    for p in items:
        console.print(f"  {p['id']}: {p['why']}", style="dim")


def _clocks(items: list[dict[str, Any]]) -> None:
    if not items:
        return
    table = _table("Open clocks", "clock", "started", "deadline", "on expiry")
    for c in items:
        table.add_row(
            named(c["clock"]) + (f" {c['notice_id']}" if c.get("notice_id") else ""),
            c["started"],
            c["deadline"],
            c["on_expiry"],
        )
    console.print(table)


def _obligations(items: list[dict[str, Any]]) -> None:
    table = _table("Obligations", "obligation", "owed by", "due", "status")
    for o in items:
        table.add_row(
            named(o["id"]),
            o["owed_by"],
            o["due_date"] or "-",
            o["status"].replace("_", " ") + (f" {o['fulfilled_on']}" if o.get("fulfilled_on") else ""),
        )
    console.print(table)


def history(title: str, rows: list[dict[str, Any]]) -> None:
    columns = ["id", "date", "type", "recorded at", "by", "source", "state"]
    if rows and "agreement" in rows[0]:
        columns.insert(0, "agreement")
    table = _table(f"History of {title}", *columns)
    for f in rows:
        state = f["state"].replace("_", " ")
        if "corrects" in f:
            verb = "corrects" if f["type"] == "FactCorrected" else "retracts"
            state = f"{verb} {f['corrects']}: {f['data'].get('reason', '')}"
            if f["type"] == "FactCorrected":
                rep = f["data"]["replacement"]
                state += f" → {rep['type']} {rep['date']}"
        for key in ("retracted_by", "corrected_by"):
            if key in f:
                state += f" by {f[key]}"
        cells = [f["id"], f["date"], f["type"], f["recorded_at"][:19], f["recorded_by"], f["source"] or "", state]
        if "agreement" in f:
            cells.insert(0, f["agreement"] or "(company)")
        style = "dim strike" if f["state"] in ("retracted", "corrected") else None
        table.add_row(*cells, style=style)
    console.print(table)


def what_if(agreement_id: str, answer: dict[str, Any]) -> None:
    console.rule(f"[bold]{agreement_id}[/] as of {answer['as_of']}: what if (nothing recorded)")
    if not answer["diff"]:
        console.print("No change to the report.")
    table = _table("Changes", "section", "item", "change", "before → after")
    for c in answer["diff"]:
        if c["change"] == "changes":
            text = "; ".join(f"{k}: {_short(b)} → {_short(a)}" for k, (b, a) in c["fields"].items())
        else:
            text = _short(c.get("after") or c.get("before") or "")
        table.add_row(c["section"], c.get("item", ""), c["change"], text)
    if answer["diff"]:
        console.print(table)
    status(f"{agreement_id} (what if)", answer["what_if"])
    others = answer.get("other_agreements")
    if others is not None:
        console.print(
            f"[bold]A company fact[/]: it would reach every agreement of company {answer['company']} "
            f"({len(others)} other(s))"
        )
        for other in others:
            changes = "; ".join(
                f"{c['section']} {c.get('item', '')} {c['change']}".replace("  ", " ") for c in other["diff"]
            )
            console.print(f"  {other['agreement']}: {changes or 'no change to the report'}")


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_short(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return "-" if value is None else str(value)


def explanation(x: dict[str, Any]) -> None:
    item = x["item"]
    console.rule(f"[bold]{x['agreement']}[/] {item['kind']} {item['id']} as of {x['as_of']}")
    value = x["value"]
    if isinstance(value, dict):
        console.print(_short({k: v for k, v in value.items() if k not in ("why", "fact_ids", "ground_facts")}))
    console.print(f"[bold]Clauses:[/] {', '.join(x['clauses']) or '-'}")
    if x["interpretations"]:
        table = _table("Interpretations applied", "id", "setting", "value", "default", "configured in")
        for i in x["interpretations"]:
            table.add_row(i["id"], i["setting"], str(i["value"]), str(i["default"]), i["configured_in"])
        console.print(table)
    table = _table("Facts it rests on", "id", "type", "date", "recorded at", "by", "source", "correction")
    for f in x["facts"]:
        c = f.get("corrects")
        note = f"corrects {c['id']} ({c['type']} {c['date']}): {c['reason']}" if c else ""
        table.add_row(f["id"], f["type"], f["date"], f["recorded_at"][:19], f["recorded_by"], f["source"] or "", note)
    console.print(table)
    console.print("[bold]Steps:[/]")
    for n, step in enumerate(x["steps"], start=1):
        console.print(f"  {n}. {step}")


def agreements(rows: list[dict[str, Any]], today: Any) -> None:
    table = _table(
        f"Agreements (employment status as of {today}): {len(rows)}",
        "agreement",
        "employee",
        "title",
        "company",
        "terms",
        "status",
        "termination date",
        "overdue",
        "facts",
    )
    for a in rows:
        table.add_row(
            a["agreement"],
            escape(a["name"] or ""),
            escape(", ".join(x for x in (a["title"], a["department"]) if x)),
            a["company"],
            a["terms"],
            a["employment_status"].replace("_", " "),
            a["termination_date"] or "",
            str(a["overdue"] or ""),
            "" if a["facts"] is None else str(a["facts"]),
        )
    console.print(table)
    for a in rows:
        if a.get("error"):
            console.print(f"{a['agreement']}: cannot be read: {escape(a['error'])}")


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
            r["agreement"] + (f" ({escape(r['employee'])})" if r.get("employee") else ""),
            r["kind"],
            named(r["item"]),
            r["status"].replace("_", " "),
            r["owed_by"] or "",
            amount_of(r["kind"], r["amount"]),
            r["clause"],
        )
    console.print(table)


def projection_status(s: dict[str, Any]) -> None:
    console.print(
        f"[bold]{s['projection']}[/]: position {s['position']:,} of {s['head']:,} (lag {s['lag']:,}); "
        f"{s['agreements']:,} agreement(s), {s['rows']:,} row(s); last run {s['last_run'] or 'never'}"
    )
    quarantined = s.get("quarantined") or []
    if not quarantined:
        return
    table = _table(
        f"Quarantined: {len(quarantined)} agreement(s), rows stale (last good state kept)",
        "agreement",
        "since",
        "fact",
        "error",
    )
    for q in quarantined:
        table.add_row(q["agreement"], q["since"][:19], q["fact_id"] or "-", q["error"])
    console.print(table)


def outbox(title: str, rows: list[dict[str, Any]], total: int | None = None) -> None:
    total = len(rows) if total is None else total
    shown = f"showing {len(rows)} of {total} reminders" if total > len(rows) else f"{total} reminder(s)"
    table = _table(
        f"{title}: {shown}",
        "send at (UTC)",
        "state",
        "agreement",
        "item",
        "due",
        "offset",
        "tries",
        "late",
        "last delivery or reason",
    )
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


def calendar(title: str, entries: list[tuple[str, Any, int]], as_of: Any, names: dict[str, str] | None = None) -> None:
    table = _table(
        f"{title} (as known for {as_of}): {len(entries)} event(s)",
        "date",
        "agreement",
        "kind",
        "item",
        "status",
        "amount",
        "clause",
    )
    for _company, item, _rev in sorted(entries, key=lambda e: (e[1].due_date, e[1].detail["agreement_id"])):
        table.add_row(
            item.due_date.isoformat(),
            item.detail["agreement_id"]
            + (f" ({escape(n)})" if (n := (names or {}).get(item.detail["agreement_id"])) else ""),
            item.kind,
            named(item.item_id),
            item_status(item, as_of).replace("_", " "),
            amount_of(item.kind, item.amount),
            item.clause,
        )
    console.print(table)


def fact_types(rows: list[dict[str, Any]]) -> None:
    table = _table(f"{len(rows)} fact types (obligations types TYPE: fields and an example)", "type", "stream",
                   "read by", "fields (* required)")  # fmt: skip
    for r in rows:
        fields = ", ".join(f["name"] + ("*" if f["required"] else "") for f in r["fields"] if f["name"] != "note")
        table.add_row(r["type"], r["stream"], r["read_by"], fields or "-")
    console.print(table)


def fact_type(r: dict[str, Any]) -> None:
    console.rule(f"[bold]{r['type']}[/] ({r['stream']} fact, read by {r['read_by']})")
    if r["about"]:
        console.print(r["about"])
    table = _table("Fields", "field", "type", "required")
    for f in r["fields"]:
        table.add_row(f["name"], f["type"], "yes" if f["required"] else "no")
    console.print(table)
    console.print("[bold]Example[/] (a line of an import file):")
    console.print(json.dumps(r["example"], ensure_ascii=False), markup=False, soft_wrap=True)
