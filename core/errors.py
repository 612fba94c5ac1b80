"""Errors that services raise; pages and API turn them into responses.

Services also raise Django's `ValidationError` (bad input, with field names) and
`PermissionDenied` (a write the user may not make).
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class Conflict(Exception):
    """The write contradicts the current state (e.g. editing a submitted assessment)."""


def named_problems(exc: ValidationError) -> list[str]:
    """Each problem of a ValidationError after the field it is about ("Note: Write
    something."), for a page's messages; problems of no field as they are."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    return [
        " ".join(problems)
        if field == NON_FIELD_ERRORS
        else f"{field.replace('_', ' ').capitalize()}: {' '.join(problems)}"
        for field, problems in exc.message_dict.items()
    ]
