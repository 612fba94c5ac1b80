"""manage.py check_current_levels: prove that the projection of current levels equals a
recomputation from the submitted ratings, and the team tallies a recomputation from the
projection. Exits 1, listing the first differences, if not."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from assessments import rollups
from assessments.gaps import current_levels_check


class Command(BaseCommand):
    help = "Check the current levels against the ratings they are derived from."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        rows, differences = current_levels_check()
        differences += rollups.check()
        seconds = time.monotonic() - started
        for difference in differences:
            self.stderr.write(" ".join(str(value) for value in difference))
        if differences:
            raise CommandError(
                f"The current levels or team tallies differ from their recomputation "
                f"({len(differences)} shown): run `manage.py rebuild_current_levels`."
            )
        self.stdout.write(
            f"{rows} current levels match the ratings and the team tallies match them "
            f"({seconds:.1f} s)."
        )
