"""scripts/snapshots: check, regenerate or show the characterization snapshots (see tests/characterization.py)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import characterization as c  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(prog="snapshots")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--show", type=int, metavar="N")
    p.add_argument("--lives", type=int, default=c.LIVES)
    p.add_argument("--jobs", type=int, default=None)
    a = p.parse_args()
    if a.show is not None:
        terms = c.terms_of(a.show)
        for f in c.life_facts(a.show, terms):
            print(json.dumps({"fact": f.id, "type": f.type, "date": f.date.isoformat()}))
        for day, report in c.reports(a.show, terms):
            print(json.dumps({"as_of": day, "report": report}, default=str))
        return 0
    t0 = time.perf_counter()
    with ProcessPoolExecutor(a.jobs) as pool:
        got = list(pool.map(c.snapshot_of, range(a.lives), chunksize=20))
    took = time.perf_counter() - t0
    dates = sum(s["dates"] for s in got)
    if a.write:
        c.SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        c.write(got)
        print(f"wrote {a.lives} lives, {dates} reports to {c.SNAPSHOT} in {took:.1f} s")
        return 0
    expected = c.load()
    if expected["generator"] != c.GENERATOR:
        print(f"the snapshot was made by generator {expected['generator']}, this is {c.GENERATOR}: --write it")
        return 1
    diffs = [d for e, s in zip(expected["entries"], got, strict=False) for d in c.compare(e, s)]
    for d in diffs[:50]:
        print(d)
    print(f"checked {len(got)} lives, {dates} reports in {took:.1f} s: {len(diffs)} difference(s)")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
