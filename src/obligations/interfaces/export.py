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


def history_csv(rows: list[dict[str, Any]], agreement: str | None = None) -> str:
    """RFC 4180 CSV (CRLF line ends, a header row); `data` is the fact's data as canonical JSON."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                **row,
                "agreement": row.get("agreement", agreement),
                "reason": row["data"].get("reason") if "corrects" in row else None,
                "data": json.dumps(row["data"], ensure_ascii=False, sort_keys=True),
            }
        )
    return buffer.getvalue()
