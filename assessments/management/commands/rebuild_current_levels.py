"""manage.py rebuild_current_levels: derive the projection of current levels again from
the submitted ratings, and the team tallies from it (after a bulk load that went around
the services, or to repair)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from assessments.models import TeamTally
from assessments.rollups import rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the current levels (latest self and manager level per person and skill) "
        "and the team tallies counted from them."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        with transaction.atomic():
            rows = rebuild()
        seconds = time.monotonic() - started
        teams = TeamTally.objects.count()
        self.stdout.write(
            f"Rebuilt {rows} current levels and {teams} team tallies in {seconds:.1f} s."
        )
