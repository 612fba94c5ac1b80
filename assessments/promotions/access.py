"""Who sees which promotion case (issue 20), in SQL, on people.visibility's rule.

- the person: their own case once submitted (never a draft, never the votes);
- whoever opened a case: that case;
- everyone above the person in the org chart, and HR: every case of theirs;
- a round's reviewers: the cases of that round;
- anyone else: nothing (pages and API answer 404).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from assessments.models import PromotionCase, ReviewRound
from people.models import Person
from people.visibility import below_ids


def cases_visible_to(user: Person) -> QuerySet[PromotionCase]:
    """The cases `user` may see (the module's rule). No Python loop: one SQL filter."""
    cases = PromotionCase.objects.all()
    if not (user.is_authenticated and user.is_active):
        return cases.none()
    if user.is_hr:
        return cases
    rounds = ReviewRound.objects.filter(reviewers=user).values("pk")
    return cases.filter(
        Q(person=user, submitted_at__isnull=False)
        | Q(opened_by=user)
        | Q(person_id__in=below_ids(user.pk))
        | Q(round_id__in=rounds)
    )


def get_case_or_404(user: Person, pk: int) -> PromotionCase:
    """One case `user` may see, with its person, role and opener; 404 otherwise."""
    found = (
        cases_visible_to(user)
        .filter(pk=pk)
        .select_related(
            "person", "person__role", "person__manager", "target_role", "opened_by", "decided_by"
        )
        .first()
    )
    if found is None:
        raise Http404("No such promotion case.")
    return found


def is_subject(user: Person, case: PromotionCase) -> bool:
    """True if `case` is about `user`: they see the packet and decision, not the votes."""
    return bool(case.person_id == user.pk)


def sees_everything(user: Person, case: PromotionCase) -> bool:
    """HR and the person's manager chain see everything of a case (votes included)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_hr:
        return True
    return bool(Person.objects.below(user.pk, person_id=case.person_id).exists())
