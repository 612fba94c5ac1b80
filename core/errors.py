"""Errors that services raise; pages and API turn them into responses.

Services also raise Django's `ValidationError` (bad input, with field names) and
`PermissionDenied` (a write the user may not make).
"""

from __future__ import annotations


class Conflict(Exception):
    """The write contradicts the current state (e.g. editing a submitted assessment)."""
