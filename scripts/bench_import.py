"""Portfolio import: the same synthetic portfolio imported as generated (each agreement's lines together, the
baseline) and interleaved (one line of each agreement in turn: grouped by the command line's spool). Prints
time and peak memory of each import, each in a fresh child process. Not a test. Usage: bench-import [N]"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from obligations import synthetic

CHILD = """
import resource, sys, time
from obligations.interfaces.cli import main
t0 = time.perf_counter()
code = main(["--database", sys.argv[1], "--config-dir", sys.argv[2], "import", sys.argv[3]])
print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, code)
"""


def interleave(source: Path, target: Path) -> None:
    """One line of each agreement in turn (the lines held in memory here, not in the import measured)."""
    by: dict[str, list[str]] = {}
    for line in source.open():
        by.setdefault(json.loads(line)["agreement"], []).append(line)
    queues = list(by.values())
    with target.open("w") as out:
        depth = max(len(q) for q in queues)
        for n in range(depth):
            for q in queues:
                if n < len(q):
                    out.write(q[n])


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        counts = synthetic.write(work / "pf", size, 7)
        grouped = work / "pf" / "portfolio.jsonl"
        mixed = work / "mixed.jsonl"
        interleave(grouped, mixed)
        print(f"{counts['facts']:,} facts for {counts['agreements']:,} agreements")
        for label, path in (("together (baseline)", grouped), ("interleaved", mixed)):
            db = f"sqlite:///{work / (label.split()[0] + '.db')}"
            t0 = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", CHILD, db, str(work / "pf" / "config"), str(path)],
                                 capture_output=True, text=True, check=True)  # fmt: skip
            seconds, peak, code = out.stdout.strip().splitlines()[-1].split()
            assert code == "0", out.stderr
            print(
                f"  {label:20} import {float(seconds):6.1f} s   peak memory {float(peak):6.0f} MiB   "
                f"(process {time.perf_counter() - t0:5.1f} s)"
            )
    print(f"this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
