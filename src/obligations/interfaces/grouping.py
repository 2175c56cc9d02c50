"""A portfolio file's lines grouped by agreement (issue 14): an agreement's lines may be anywhere in the file.

The (line, object) pairs are spooled to a temporary SQLite file and read back each agreement's together,
agreements in the order of their first line, each agreement's lines in file order: memory stays flat
whatever the size of the file. Same-date company facts are therefore recorded in the order of their
agreements' first lines (then file order), as if the file had been sorted that way. The spool is the
process's own temporary file, removed when the reading ends.
"""

from __future__ import annotations

import pickle
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

BATCH = 1000


def grouped_by_agreement(numbered: Iterable[tuple[int, Any]]) -> Iterator[tuple[int, Any]]:
    with tempfile.TemporaryDirectory(prefix="obligations-import-") as folder:
        db = sqlite3.connect(Path(folder) / "spool.db")
        try:
            db.execute("CREATE TABLE lines (seq INTEGER PRIMARY KEY, agreement TEXT, line INTEGER, obj BLOB)")
            db.execute("CREATE TABLE firsts (agreement TEXT PRIMARY KEY, seq INTEGER)")
            batch: list[tuple[int, str, int, bytes]] = []
            for seq, (line, obj) in enumerate(numbered):
                key = obj.get("agreement") if isinstance(obj, dict) else None
                batch.append((seq, key if isinstance(key, str) else "", line, pickle.dumps(obj)))
                if len(batch) >= BATCH:
                    _spool(db, batch)
            _spool(db, batch)
            rows = db.execute(
                "SELECT l.line, l.obj FROM lines l JOIN firsts f ON f.agreement = l.agreement ORDER BY f.seq, l.seq"
            )
            for line, blob in rows:
                yield line, pickle.loads(blob)  # noqa: S301 (our own spool, written above)
        finally:
            db.close()


def _spool(db: sqlite3.Connection, batch: list[tuple[int, str, int, bytes]]) -> None:
    db.executemany("INSERT INTO lines VALUES (?, ?, ?, ?)", batch)
    db.executemany("INSERT OR IGNORE INTO firsts VALUES (?, ?)", [(key, seq) for seq, key, _, _ in batch])
    batch.clear()
