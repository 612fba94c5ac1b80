"""Dates from input, in one place: a date typed in a form or sent to the API is ISO
(YYYY-MM-DD) and within a sane range of years; anything else is an error naming the
field, never a 500 from the database."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

FIRST_YEAR, LAST_YEAR = 2000, 2100  # dates outside are typing mistakes


def input_date(
    value: Any, field: str, errors: dict[str, str], *, required: bool = False
) -> date | None:
    """The date `value` gives (a date, a datetime or ISO text), else None with the
    problem put in `errors[field]`. Empty is None, and an error when `required`."""
    if value is None or value == "":
        if required:
            errors[field] = "Give a date (YYYY-MM-DD)."
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            value = None
        if value is None:
            errors[field] = "Give a date as YYYY-MM-DD."
            return None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        errors[field] = f"Give a date between {FIRST_YEAR} and {LAST_YEAR}."
        return None
    return value
