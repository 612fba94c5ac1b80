"""Signals people sends for what sits above it (derived data in assessments)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent, in the writer's transaction, after a write to people that goes around save()
# (a bulk update): what was derived from people must be derived again.
people_changed = Signal()
