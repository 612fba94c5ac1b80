"""Text and dates from input, in one place: text is a string without NUL, stripped,
within a limit; a date typed in a form or sent to the API is ISO (YYYY-MM-DD) within a
sane range of years. Anything else is an error put under the field's name, never a 500
from the database. (Integers: core.numbers.)"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from core.limits import TEXT_MAX

FIRST_YEAR, LAST_YEAR = 2000, 2100  # dates outside are typing mistakes


def input_text(
    value: Any, field: str, errors: dict[str, str], *, required: bool, limit: int = TEXT_MAX
) -> str:
    """`value` stripped, else "" with the problem put in `errors[field]`. None is no
    text (an error when `required`)."""
    if value is None:
        value = ""
    if not isinstance(value, str) or "\x00" in value:
        errors[field] = "Give it as text."
        return ""
    text = value.strip()
    if required and not text:
        errors[field] = "Write something."
    elif len(text) > limit:
        errors[field] = f"Keep it under {limit} characters."
    return text


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
