"""Signals through which other apps take part in framework rules without `skills`
knowing them (the framework knows no people)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent before an import changes the scale, with `minimum`, `maximum`, `replaced_roles`
# and `replaced_skills` (keys the document redefines). A receiver returns a list of
# messages, one per stored thing the new scale would strand; any message refuses the
# import.
scale_change_requested = Signal()

# Sent inside the transaction of a framework import that is not a dry run, once it has
# succeeded, with `by` (the person, or None), `result` (the ImportResult) and `reason`
# (the change reason that every history record of this write carries).
framework_imported = Signal()
