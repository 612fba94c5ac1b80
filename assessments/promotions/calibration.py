"""Each case's manager's calibration figures, beside the case on a round's page (issue 20).

Nothing is recomputed here: the figures are assessments.rollups' (calibration_of over
the managers' team tallies: mean self - manager, evidence coverage, manager - others),
and `words` says them so that a lenient or a harsh manager is visible at a glance
("rates 0.8 above their reports' own view").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from assessments.models import TeamTally
from assessments.rollups import (
    CALIBRATION_LEAN,
    CALIBRATION_MIN_REPORTS,
    EVIDENCE_COVERAGE_DAYS,
    Calibration,
    calibration_of,
)


@dataclass(frozen=True)
class Figures:
    """A manager's calibration, and the same in words."""

    calibration: Calibration | None  # None: no team tally (no active reports)
    lean: str  # self - manager, in words
    coverage: str  # evidence coverage, in words
    others: str  # manager - others, in words

    @property
    def mean_delta(self) -> float | None:
        return self.calibration.mean_delta if self.calibration else None

    @property
    def evidence_coverage(self) -> float | None:
        return self.calibration.evidence_coverage if self.calibration else None

    @property
    def mean_vs_others(self) -> float | None:
        return self.calibration.mean_vs_others if self.calibration else None

    @property
    def direction(self) -> str:
        return self.calibration.direction if self.calibration else "none"


def lean_words(c: Calibration | None) -> str:
    """The manager's lean against their reports' own view. mean_delta is self - manager:
    above 0, the manager rates below what the reports say of themselves (harsh)."""
    if c is None or c.mean_delta is None:
        return "no ratings to compare with their reports' own yet"
    delta = c.mean_delta
    if abs(delta) < 0.05:
        said = "rates level with their reports' own view"
    else:
        side = "below" if delta > 0 else "above"
        said = f"rates {abs(delta):.1f} {side} their reports' own view"
    if c.direction == "too few":
        return f"{said} (too few to say: fewer than {CALIBRATION_MIN_REPORTS} reports compared)"
    if c.direction == "even":
        return f"{said}: no clear lean (within {CALIBRATION_LEAN} of a level)"
    if c.direction == "higher":
        return f"{said}: harsher than their reports"
    if c.direction == "lower":
        return f"{said}: more lenient than their reports"
    return said


def coverage_words(c: Calibration | None) -> str:
    if c is None or c.evidence_coverage is None:
        return f"no ratings submitted in the last {EVIDENCE_COVERAGE_DAYS} days"
    return (
        f"{round(c.evidence_coverage * 100)}% of their ratings in the last "
        f"{EVIDENCE_COVERAGE_DAYS} days cite evidence"
    )


def others_words(c: Calibration | None) -> str:
    """mean_vs_others is manager - others' median: above 0, the manager rates higher."""
    if c is None or c.mean_vs_others is None:
        return "no input from others to compare with yet"
    value = c.mean_vs_others
    if abs(value) < 0.05:
        return "rates as colleagues see their reports"
    side = "above" if value > 0 else "below"
    return f"rates {abs(value):.1f} {side} what colleagues see"


def figures_of(c: Calibration | None) -> Figures:
    return Figures(c, lean_words(c), coverage_words(c), others_words(c))


def for_managers(managers: Iterable[int | None]) -> dict[int, Figures]:
    """Manager id -> their figures, for each manager given (None ignored). Four queries
    at most (none for no manager): the team tallies, then calibration_of's three."""
    ids = {pk for pk in managers if pk is not None}
    if not ids:
        return {}
    # calibration_managers' columns, for these managers rather than a viewer's scope.
    rows = (
        TeamTally.objects.filter(team_id__in=ids)
        .order_by("team__name", "team__username")
        .values_list(
            "team_id", "team__name", "team__username", "compared", "pairs", "delta_sum", "divergent"
        )
    )
    found = {c.manager.pk: c for c in calibration_of(rows)}
    return {pk: figures_of(found.get(pk)) for pk in ids}
