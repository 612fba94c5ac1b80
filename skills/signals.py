"""Signals through which other apps take part in framework rules without `skills`
knowing them (the framework knows no people)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent before an import changes the scale, with `minimum`, `maximum`, `replaced_roles`
# and `replaced_skills` (keys the document redefines). A receiver returns a list of
# messages, one per stored thing the new scale would strand; any message refuses the
# import.
scale_change_requested = Signal()
