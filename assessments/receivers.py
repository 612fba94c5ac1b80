from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.dispatch import receiver

from assessments.models import Rating
from skills.signals import scale_change_requested


@receiver(scale_change_requested, dispatch_uid="assessments_ratings_fit_scale")
def ratings_fit_new_scale(*, minimum: int, maximum: int, **_: Any) -> list[str]:
    """Ratings, drafts included, are never stranded outside the scale."""
    stranded = (
        Rating.objects.filter(Q(level__lt=minimum) | Q(level__gt=maximum))
        .values("skill__key", "level")
        .annotate(count=Count("id"))
        .order_by("skill__key", "level")
    )
    return [
        f'{row["count"]} stored rating(s) of skill "{row["skill__key"]}" at level '
        f"{row['level']} would fall outside the new scale {minimum}-{maximum}"
        for row in stranded
    ]
