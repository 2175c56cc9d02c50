"""Figures for the questions of issue 6 on SQLite, each beside a baseline measured in the same run. Not a test.

1. `status` as known at an earlier instant, beside `status` as known now (the same agreement, the same dates).
2. `what-if` with one fact (check + two reports + diff), beside `status` of the same date.
3. `explain` of the lump sum and of the vested count, beside `status` of the same date.
4. `due --as-known-at` (a scratch read model replayed from the log), beside `due` from the read models, and
   beside `projections rebuild` of the same portfolio: the replay costs what a rebuild costs.
5. The audit export (`history --format csv`) of the whole company.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from obligations import synthetic
from obligations.application import portfolio
from obligations.bootstrap import build
from obligations.domain.input import parse_fact, parse_portfolio_lines
from obligations.interfaces.export import history_csv
from obligations.settings import Settings


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of `repeat` runs (ms), and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        counts = synthetic.write(work, args.agreements, seed=11)
        settings = Settings(database_url=f"sqlite:///{work / 'bench.db'}", config_dir=work / "config", workdir=work)
        clock_at = [datetime(2026, 1, 1, tzinfo=UTC)]
        s = build(settings, clock=lambda: clock_at[0])
        s.record_portfolio(parse_portfolio_lines((work / "portfolio.jsonl").read_text().splitlines()), "bench")
        first = s.agreement_ids()[0]
        company = s.agreement(first).company_id
        start = next(f for f in s.facts_of(first)[2] if f.type == "EmploymentStarted").date
        day = start + timedelta(days=400)
        everything = clock_at[0] + timedelta(seconds=1)  # known at: after every fact, so both answers agree
        print(f"portfolio: {counts['agreements']} agreements, {counts['facts']} facts, {counts['companies']} companies")
        print(f"agreement {first}: {len(s.facts_of(first)[2])} facts; as-of {day}")

        base, _ = timed(lambda: s.status(first, [day]), args.repeat)
        known, _ = timed(lambda: s.status(first, [day], clock_at[0]), args.repeat)
        print(f"status as known now            {base:8.2f} ms  (baseline)")
        print(f"status --as-known-at           {known:8.2f} ms  ({known / base:.2f}x)")
        ended = {"stated_ground": "without_cause"}
        fired = parse_fact({"type": "EmploymentTerminatedByCompany", "date": day.isoformat(), "data": ended})
        what, answer = timed(lambda: s.what_if(first, [day], [fired], "bench"), args.repeat)
        changes = len(answer[0]["diff"])
        print(f"what-if, one fact              {what:8.2f} ms  ({what / base:.2f}x status; {changes} changes)")
        for item in ("vested", "section_5_1"):

            def explained(item: str = item) -> Any:
                return s.explain(first, item, day)

            x, _ = timed(explained, args.repeat)
            print(f"explain {item:<22} {x:8.2f} ms  ({x / base:.2f}x status)")
        window = (date(2008, 1, 1), date(2008, 12, 31))
        due_now, rows = timed(lambda: portfolio.due(s.log.engine, *window, date(2008, 6, 30)), 5)
        print(f"due from the read models       {due_now:8.2f} ms  (baseline; {len(rows)} items)")
        replay, engine = timed(lambda: s.items_as_known_at(everything), 1)
        due_then, rows_then = timed(lambda: portfolio.due(engine, *window, date(2008, 6, 30)), 5)
        assert rows_then == rows, "the replayed read model answers as the real one does"
        print(f"due --as-known-at: replay      {replay:8.0f} ms  + query {due_then:.2f} ms ({len(rows_then)} items)")
        rebuild, _ = timed(lambda: s.projector.rebuild(), 1)
        print(f"projections rebuild            {rebuild:8.0f} ms  (baseline for the replay: {replay / rebuild:.2f}x)")
        export, text = timed(lambda: history_csv(s.company_history(company)), 3)
        print(f"history --company {company} csv  {export:8.0f} ms  ({text.count(chr(10)) - 1} rows)")


if __name__ == "__main__":
    main()
