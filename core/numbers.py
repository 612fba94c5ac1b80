"""Integers from text, in one place (issue 23): ASCII digits only. Python's str.isdigit()
is true for "²" (which int() refuses: a 500) and int() reads "١٢" (Arabic-Indic) as 12;
a level, a version or an id typed or posted is neither."""

from __future__ import annotations

import re

_ASCII_INT = re.compile(r"[0-9]+")


def ascii_int(text: object) -> int | None:
    """The non-negative integer `text` spells in ASCII digits, else None. Integers pass
    through (booleans do not)."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text if text >= 0 else None
    if isinstance(text, str) and len(text) <= 18 and _ASCII_INT.fullmatch(text):
        return int(text)
    return None


def ascii_int_or(text: str) -> int | str:
    """`ascii_int(text)`, else the text itself, for a service to name as a bad value."""
    found = ascii_int(text)
    return text if found is None else found
