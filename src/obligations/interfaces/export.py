"""The audit export of recorded facts as CSV: one row per recorded fact, originals and corrections alike."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

CSV_COLUMNS = (
    "agreement",
    "id",
    "stream",
    "type",
    "date",
    "recorded_at",
    "recorded_by",
    "source",
    "state",
    "corrects",
    "corrected_by",
    "retracted_by",
    "reason",
    "data",
)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A cell a spreadsheet reads as text: one that would start a formula (= + - @, or a tab or CR before
    one) is prefixed with an apostrophe (OWASP's CSV injection advice). Numbers and empty cells unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def history_csv(rows: list[dict[str, Any]], agreement: str | None = None) -> str:
    """RFC 4180 CSV (CRLF line ends, a header row); `data` is the fact's data as canonical JSON. Every text
    cell is guarded against formula injection (`cell`)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        values = {
            **row,
            "agreement": row.get("agreement", agreement),
            "reason": row["data"].get("reason") if "corrects" in row else None,
            "data": json.dumps(row["data"], ensure_ascii=False, sort_keys=True),
        }
        writer.writerow({k: cell(v) for k, v in values.items()})
    return buffer.getvalue()
