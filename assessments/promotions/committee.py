"""The calibration committee (issue 20): review rounds, votes, comments.

- **Rounds**: HR forms a round (a name, a date, submitted cases, reviewers: any active
  people HR names). Each case put into it moves submitted -> in review through
  rules.transition (a CaseEvent and an audit line each).
- **Who sees a round**: HR, and its reviewers; anyone else gets 404.
- **Votes**: a reviewer of the round records support / do not support / abstain on a
  case in review in it, with a reason (required for "do not support"); a vote may be
  changed until HR decides. Never on their own case, on a case of one of their direct
  reports, or on a case whose manager they are (that manager may comment instead).
- **Who sees votes**: HR all; a reviewer, the others' only once they voted on that case;
  the person never (their view is CASES' case page, which shows no votes).
- **Comments**: HR, the round's reviewers and the case's own manager: a CaseEvent with a
  blank to_status (rules.case_comment).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from assessments.models import CaseEvent, PromotionCase, ReviewRound, Vote
from assessments.promotions.rules import case_comment, transition
from assessments.promotions.rules import may_comment as rules_may_comment
from core import audit
from core.inputs import input_date, input_text
from people.models import Person

Status = PromotionCase.Status
NAME_MAX = ReviewRound._meta.get_field("name").max_length or 200
MAX_CASES = 100
MAX_REVIEWERS = 50


# --- Reads ----------------------------------------------------------------------------


def rounds_visible_to(user: Person) -> QuerySet[ReviewRound]:
    """HR: every round; anyone else: the rounds they review."""
    rounds = ReviewRound.objects.all()
    if not (user.is_authenticated and user.is_active):
        return rounds.none()
    if user.is_hr:
        return rounds
    return rounds.filter(reviewers=user)


def get_round_or_404(user: Person, pk: int) -> ReviewRound:
    found = rounds_visible_to(user).filter(pk=pk).select_related("created_by").first()
    if found is None:
        raise Http404("No such review round.")
    return found


def is_reviewer(user: Person, round_: ReviewRound) -> bool:
    return bool(round_.reviewers.filter(pk=user.pk).exists())


def vote_refusal(user: Person, case: PromotionCase) -> str:
    """Why `user` may not vote on `case` (as a reviewer of its round), or "" if they may."""
    if case.person_id == user.pk:
        return "You cannot vote on your own case."
    if case.manager_id == user.pk:
        return "You are this person's manager: you may comment on the case but not vote."
    if case.person.manager_id == user.pk:
        return "You cannot vote on the case of one of your direct reports."
    return ""


def votes_shown(
    user: Person, case: PromotionCase, votes: Sequence[Vote]
) -> tuple[list[Vote], bool]:
    """(the votes of `case` that `user` may see, whether the others' are hidden): HR all;
    a reviewer, their own, and the others' only once they voted on the case."""
    if user.is_hr:
        return list(votes), False
    mine = [v for v in votes if v.reviewer_id == user.pk]
    if mine:
        return list(votes), False
    return [], any(v.reviewer_id != user.pk for v in votes)


# --- Writes ---------------------------------------------------------------------------


def _ids(value: Any, name: str, errors: dict[str, str], *, limit: int) -> list[int]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        errors[name] = "A list of ids, please."
        return []
    found: list[int] = []
    for item in value:
        pk = getattr(item, "pk", item)
        if isinstance(pk, bool) or not isinstance(pk, int) or not 0 < pk < 2**63:
            errors[name] = "A list of ids, please."
            return []
        if pk not in found:
            found.append(pk)
    if not found:
        errors[name] = "Choose at least one."
    elif len(found) > limit:
        errors[name] = f"At most {limit}."
    return found


@transaction.atomic
def round_create(
    *, by: Person, name: str, date: Any, cases: Iterable[Any], reviewers: Iterable[Any]
) -> ReviewRound:
    """HR forms a round of submitted cases (each moves to in review) and its reviewers
    (active people). Bad input: ValidationError naming the field, nothing written."""
    if not (by.is_authenticated and by.is_active and by.is_hr):
        raise PermissionDenied("Only HR admins form review rounds.")
    errors: dict[str, str] = {}
    name = input_text(name, "name", errors, required=True, limit=NAME_MAX)
    when = input_date(date, "date", errors, required=True)
    case_ids = _ids(cases, "cases", errors, limit=MAX_CASES)
    reviewer_ids = _ids(reviewers, "reviewers", errors, limit=MAX_REVIEWERS)
    found_cases: list[PromotionCase] = []
    if case_ids:
        by_id = PromotionCase.objects.select_for_update().in_bulk(case_ids)
        missing = [pk for pk in case_ids if pk not in by_id]
        if missing:
            errors["cases"] = f"No such case: {', '.join(map(str, missing))}."
        else:
            found_cases = [by_id[pk] for pk in case_ids]
            not_ready = [c.pk for c in found_cases if c.status != Status.SUBMITTED]
            if not_ready:
                errors["cases"] = (
                    "Only submitted cases (not yet in a round) may be reviewed: case "
                    f"{', '.join(map(str, not_ready))} is not."
                )
    people: list[Person] = []
    if reviewer_ids:
        people = list(Person.objects.filter(pk__in=reviewer_ids, is_active=True))
        if len(people) != len(reviewer_ids):
            known = {p.pk for p in people}
            missing = [pk for pk in reviewer_ids if pk not in known]
            errors["reviewers"] = f"No such active person: {', '.join(map(str, missing))}."
    if errors:
        raise ValidationError(errors)
    assert when is not None
    round_ = ReviewRound.objects.create(name=name, date=when, created_by=by)
    round_.reviewers.set(people)
    for case in found_cases:
        case.round = round_
        case.save(update_fields=["round", "updated_at"])
        transition(case=case, to=Status.IN_REVIEW, by=by, note=f"Put into the round “{name}”.")
    audit.record_on_commit(
        by=by,
        action="promotion.round",
        summary=(
            f"Formed the review round “{name}” ({when.isoformat()}): "
            f"{len(found_cases)} case(s), {len(people)} reviewer(s)."
        ),
        target=f"review_round:{round_.pk}",
    )
    return round_


def _case_in(round_: ReviewRound, case: Any) -> PromotionCase:
    pk = getattr(case, "pk", case)
    if isinstance(pk, bool) or not isinstance(pk, int) or not 0 < pk < 2**63:
        raise ValidationError({"case": "The id of a case in this round, please."})
    found = PromotionCase.objects.select_related("person").filter(pk=pk, round=round_).first()
    if found is None:
        raise ValidationError({"case": f"Case {pk} is not in this round."})
    return found


@transaction.atomic
def vote_record(*, by: Person, round_: ReviewRound, case: Any, vote: str, reason: str = "") -> Vote:
    """A reviewer's vote on a case in review in their round (a second vote replaces the
    first). Refused: not a reviewer (PermissionDenied), their own case, a direct
    report's, their own report's as the case's manager, a decided case, a bad choice, a
    missing reason to not support (ValidationError)."""
    if not (by.is_authenticated and by.is_active and is_reviewer(by, round_)):
        raise PermissionDenied("Only the round's reviewers vote.")
    found = _case_in(round_, case)
    errors: dict[str, str] = {}
    if vote not in Vote.Choice.values:
        errors["vote"] = "One of: support, do_not_support, abstain."
    reason = input_text(reason, "reason", errors, required=False)
    if vote == Vote.Choice.DO_NOT_SUPPORT and not reason and "reason" not in errors:
        errors["reason"] = "Say why you do not support this case."
    if errors:
        raise ValidationError(errors)
    refusal = vote_refusal(by, found)
    if refusal:
        raise ValidationError({"case": refusal})
    locked = PromotionCase.objects.select_for_update().get(pk=found.pk)
    if locked.status != Status.IN_REVIEW:
        raise ValidationError({"case": "This case is no longer in review: votes are closed."})
    made, _ = Vote.objects.update_or_create(
        case=locked, reviewer=by, defaults={"round": round_, "vote": vote, "reason": reason}
    )
    audit.record_on_commit(
        by=by,
        action="promotion.vote",
        summary=f"Voted on promotion case {locked.pk} in the round “{round_.name}”.",
        target=f"promotion_case:{locked.pk}",
    )
    return made


def may_comment(user: Person, round_: ReviewRound, case: PromotionCase) -> bool:
    """HR, the case's own manager (rules.may_comment) and the round's reviewers."""
    if not (user.is_authenticated and user.is_active):
        return False
    return rules_may_comment(user, case) or is_reviewer(user, round_)


@transaction.atomic
def comment_add(*, by: Person, round_: ReviewRound, case: Any, note: str) -> CaseEvent:
    """A comment on a case of the round (see may_comment)."""
    found = _case_in(round_, case)
    if not may_comment(by, round_, found):
        raise PermissionDenied("Only HR, the reviewers and the person's manager comment here.")
    return case_comment(case=found, by=by, note=note)


# --- The round, side by side ------------------------------------------------------------


def evidence_of(packet: dict[str, Any]) -> tuple[int, float | None]:
    """(distinct items of evidence the packet cites, the share of the target role's skills
    with at least one), from the packet: nothing recounted against the live log."""
    skills = packet.get("skills") or []
    items = {e.get("id") for s in skills for e in (s.get("evidence") or [])}
    covered = sum(1 for s in skills if s.get("evidence"))
    return len(items), (covered / len(skills) if skills else None)


def board(*, user: Person, round_: ReviewRound) -> dict[str, Any]:
    """What a round's page and API show `user` (who may see the round): per case, its
    packet's readiness and gaps, its evidence, its manager's calibration figures, the
    votes `user` may see, `user`'s own vote and whether they may vote or comment."""
    from assessments.promotions import packet as packets
    from assessments.promotions.calibration import for_managers

    cases = list(
        round_.cases.select_related("person", "person__manager", "target_role", "manager")
        .prefetch_related("votes__reviewer")
        .order_by("person__name", "person__username", "pk")
    )
    reviewers = list(round_.reviewers.order_by("name", "username"))
    reviewing = any(r.pk == user.pk for r in reviewers)
    figures = for_managers(c.manager_id for c in cases)
    comments: dict[int, list[CaseEvent]] = {}
    for event in (
        CaseEvent.objects.filter(case__round=round_, to_status="")
        .select_related("actor")
        .order_by("at", "id")
    ):
        comments.setdefault(event.case_id, []).append(event)
    entries = []
    for case in cases:
        packet = packets.of(case)
        count, coverage = evidence_of(packet)
        votes = list(case.votes.all())
        shown, hidden = votes_shown(user, case, votes)
        mine = next((v for v in votes if v.reviewer_id == user.pk), None)
        refusal = vote_refusal(user, case) if reviewing else ""
        entries.append(
            {
                "case": case,
                "packet": packet,
                "gaps": packets.gaps_that_mattered(packet),
                "evidence_count": count,
                "evidence_coverage": coverage,
                "figures": figures.get(case.manager_id) if case.manager_id else None,
                "votes": shown,
                "votes_hidden": hidden,
                "tally": {
                    choice: sum(1 for v in shown if v.vote == choice)
                    for choice in Vote.Choice.values
                },
                "mine": mine,
                "may_vote": reviewing and not refusal and case.status == Status.IN_REVIEW,
                "refusal": refusal,
                "may_comment": reviewing or rules_may_comment(user, case),
                "comments": comments.get(case.pk, []),
            }
        )
    return {"round": round_, "reviewers": reviewers, "reviewing": reviewing, "entries": entries}
