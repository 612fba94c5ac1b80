"""Input from others (issue 18): the one home of its rules.

- **Who asks**: the person (about themselves), or someone above them in the chart
  (`may_ask`), about an active person. A request names 1 to 8 active skills
  (`MAX_SKILLS`), 1 to 15 respondents (`MAX_RESPONDENTS`: active people, never the
  person themselves, no one twice), a message and a due date not in the past. It goes
  to each respondent as a response (open, answered or declined) and each is notified.
- **Who answers**: each respondent, per skill of the request: a level on the scale with
  an example (required), or "can't say" (no level). They may decline the whole
  request. Answers and declining are open until the end of the due date in the site's
  time zone (settings.TIME_ZONE, not the viewer's); then they are frozen. When every
  respondent has answered or declined, the requester is notified, once.
- **Who sees what**: a respondent sees the requests made of them and their own answers,
  never anyone else's. The requester, and everyone who may see the person (the person,
  their manager chain, HR: people.visibility), see the request, whom it was asked of,
  how many answered or declined (never who), and per skill only the aggregate
  (`others_for`): the number of answers with a level, the median, the min and max,
  and the examples sorted by their text (never in answer order, never with names);
  only once at least settings.CAREERMAP_FEEDBACK_MIN_ANSWERS people gave a level for
  that skill. Below it, the count alone: "not enough answers yet". Anyone else: 404.
- **What counts**: each respondent's latest answered request about the person counts
  once per skill (an answer to a newer request replaces theirs to an older one), so
  the threshold counts people, not answers.
- **Nobody reads who answered what**: no page, API, CSV or admin pairs a respondent
  with an answer's content. The audit trail records that an answer was given, by whom
  and to which request, never its levels or examples.

Pages, the API, and the "others" figures of maps and reports go through this module.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from assessments.models import FeedbackAnswer, FeedbackRequest, FeedbackResponse
from core import audit
from core.errors import Conflict
from people.models import Notification, Person
from people.notifications import notify
from people.visibility import manages, visible_ids
from skills.models import Scale, Skill

logger = logging.getLogger(__name__)

Kind = Notification.Kind

MAX_SKILLS = 8
MAX_RESPONDENTS = 15
MESSAGE_MAX = FeedbackRequest._meta.get_field("message").max_length or 2000
EXAMPLE_MAX = FeedbackAnswer._meta.get_field("example").max_length or 2000

Status = FeedbackResponse.Status


def min_answers() -> int:
    return int(settings.CAREERMAP_FEEDBACK_MIN_ANSWERS)


def site_today() -> date:
    """Today in the site's time zone: due dates end at its midnight, for everyone."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def is_open(request: FeedbackRequest) -> bool:
    """Answers may be given, changed or declined until the end of the due date."""
    return site_today() <= request.due


def may_ask(user: Person, person: Person) -> bool:
    """The person themselves, or someone above them; about an active person."""
    if not (user.is_active and person.is_active):
        return False
    return user.pk == person.pk or manages(user, person)


# --- Reads ------------------------------------------------------------------------------


def _oversees(user: Person) -> Q:
    """The requests whose aggregate `user` sees: made by them, or about someone they may
    see (themselves, anyone below, everyone for HR)."""
    ids = visible_ids(user)
    about = Q(pk__isnull=False) if ids is None else Q(person__in=ids)
    return Q(requester=user) | about


def visible_requests(user: Person, *, role: str = "") -> QuerySet[FeedbackRequest]:
    """The requests `user` may open, newest first: asked of them (`role="asked"`), made
    by them or about someone they see (`role="made"`), or both (no role). Each carries
    `oversees` (True: they see counts, respondents and the aggregate), the counts
    `asked`, `answered`, `declined`, and `mine` (their own response, with its answers,
    in a one-item list, or an empty one)."""
    if not user.is_authenticated or not user.is_active:
        return FeedbackRequest.objects.none()
    oversees = _oversees(user)
    asked = Q(pk__in=FeedbackResponse.objects.filter(respondent=user).values("request_id"))
    found = {"asked": asked, "made": oversees}.get(role, asked | oversees)
    return (
        FeedbackRequest.objects.filter(found)
        .select_related("person", "requester")
        .annotate(
            oversees=ExpressionWrapper(oversees, output_field=BooleanField()),
            asked=Count("responses", distinct=True),
            answered=Count("responses", filter=Q(responses__status=Status.ANSWERED), distinct=True),
            declined=Count("responses", filter=Q(responses__status=Status.DECLINED), distinct=True),
        )
        .prefetch_related(
            Prefetch("skills", Skill.objects.order_by("name")),
            Prefetch(
                "responses",
                FeedbackResponse.objects.filter(respondent=user).prefetch_related(
                    Prefetch("answers", FeedbackAnswer.objects.select_related("skill"))
                ),
                to_attr="mine",
            ),
        )
        .order_by("-created_at", "-id")
    )


def respondents_of(requests: Sequence[FeedbackRequest]) -> dict[int, list[Person]]:
    """Whom each request was asked of, by name, for the requests the viewer oversees
    (the others are left out: a respondent never learns who else was asked). One
    query."""
    ids = [r.pk for r in requests if getattr(r, "oversees", False)]
    found: dict[int, list[Person]] = {pk: [] for pk in ids}
    if not ids:
        return found
    rows = FeedbackResponse.objects.filter(request_id__in=ids).select_related("respondent")
    for row in rows.order_by("respondent__name", "respondent__username"):
        found[row.request_id].append(row.respondent)
    return found


def my_open_count(user: Person) -> int:
    """How many requests wait for `user`'s input: open, not past the due date."""
    return FeedbackResponse.objects.filter(
        respondent=user, status=Status.OPEN, request__due__gte=site_today()
    ).count()


@dataclass(frozen=True)
class Aggregate:
    """Others' view of one skill of one person. Below the threshold only `answers` is
    set: the levels and examples stay unseen."""

    answers: int  # people who gave a level (can't-say not counted)
    median: float | None = None
    min: int | None = None
    max: int | None = None
    examples: tuple[str, ...] = ()

    @property
    def enough(self) -> bool:
        return self.answers >= min_answers()


def _aggregate(levels: list[int], examples: list[str]) -> Aggregate:
    if len(levels) < min_answers():
        return Aggregate(answers=len(levels))
    return Aggregate(
        answers=len(levels),
        median=float(statistics.median(levels)),
        min=min(levels),
        max=max(levels),
        # Sorted by text: nothing of the order people answered in (or their ids) shows.
        examples=tuple(sorted(examples)),
    )


def others_for_many(
    person_ids: Iterable[int], skill_ids: Iterable[int] | None = None
) -> dict[int, dict[int, Aggregate]]:
    """{person id: {skill id: Aggregate}} for every (person, skill) someone answered,
    can't-say included (answers 0). One query, whatever the number of answers.

    Each respondent counts once per (person, skill): their answer in their latest
    answered request about the person."""
    answers = FeedbackAnswer.objects.filter(
        response__person_id__in=list(person_ids), response__status=Status.ANSWERED
    )
    if skill_ids is not None:
        answers = answers.filter(skill_id__in=list(skill_ids))
    latest: dict[tuple[int, int, int], tuple[int | None, str]] = {}
    rows = answers.order_by("response__request__created_at", "response__request_id").values_list(
        "response__person_id", "skill_id", "response__respondent_id", "level", "example"
    )
    for person_id, skill_id, respondent_id, level, example in rows:
        latest[(person_id, skill_id, respondent_id)] = (level, example)
    grouped: dict[tuple[int, int], tuple[list[int], list[str]]] = {}
    for (person_id, skill_id, _), (level, example) in latest.items():
        levels, examples = grouped.setdefault((person_id, skill_id), ([], []))
        if level is not None:
            levels.append(level)
            examples.append(example)
    found: dict[int, dict[int, Aggregate]] = {}
    for (person_id, skill_id), (levels, examples) in grouped.items():
        found.setdefault(person_id, {})[skill_id] = _aggregate(levels, examples)
    return found


def others_for(person: Person, skill_ids: Iterable[int] | None = None) -> dict[int, Aggregate]:
    """{skill id: Aggregate} of others' answers about `person` (see others_for_many)."""
    return others_for_many([person.pk], skill_ids).get(person.pk, {})


@dataclass(frozen=True)
class SkillSummary:
    skill: Skill
    aggregate: Aggregate


def feedback_summary(person: Person) -> list[SkillSummary]:
    """Per active skill anyone was asked about `person`, by name: others' aggregate.
    Two queries."""
    skills = list(
        Skill.objects.active()
        .filter(
            pk__in=FeedbackRequest.skills.through.objects.filter(
                feedbackrequest__person=person
            ).values("skill_id")
        )
        .order_by("name")
    )
    found = others_for(person, [s.pk for s in skills])
    return [SkillSummary(s, found.get(s.pk, Aggregate(answers=0))) for s in skills]


# --- Writes -----------------------------------------------------------------------------


def _text(value: Any, *, limit: int, missing: str) -> str:
    text = value.strip() if isinstance(value, str) else None
    if text is None:
        raise ValidationError("Give it as text.")
    if not text:
        raise ValidationError(missing)
    if len(text) > limit:
        raise ValidationError(f"Keep it under {limit} characters.")
    return text


def _skills(keys: Any) -> list[Skill]:
    if not isinstance(keys, list | tuple) or not all(isinstance(k, str) for k in keys):
        raise ValidationError("Give a list of skill slugs.")
    keys = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
    if not keys:
        raise ValidationError("Choose at least one skill.")
    if len(keys) > MAX_SKILLS:
        raise ValidationError(f"Choose at most {MAX_SKILLS} skills ({len(keys)} chosen).")
    found = {s.key: s for s in Skill.objects.active().filter(key__in=keys)}
    missing = [k for k in keys if k not in found]
    if missing:
        raise ValidationError("No active skill " + ", ".join(repr(k) for k in missing) + ".")
    return [found[k] for k in keys]


def _respondents(ids: Any, person: Person) -> list[Person]:
    if not isinstance(ids, list | tuple) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise ValidationError("Give a list of people's ids.")
    if not ids:
        raise ValidationError("Choose at least one person to ask.")
    if len(set(ids)) != len(ids):
        raise ValidationError("Name each person once.")
    if len(ids) > MAX_RESPONDENTS:
        raise ValidationError(f"Ask at most {MAX_RESPONDENTS} people ({len(ids)} chosen).")
    if person.pk in ids:
        raise ValidationError(
            f"{person.get_full_name()} cannot be asked about themselves: "
            "their own view is their self-assessment."
        )
    found = {p.pk: p for p in Person.objects.filter(pk__in=ids, is_active=True)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError("No active person with id " + ", ".join(map(str, missing)) + ".")
    return [found[i] for i in ids]


def _due(value: Any) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError("Give the due date as YYYY-MM-DD.") from None
    if not isinstance(value, date):
        raise ValidationError("Give the due date as YYYY-MM-DD.")
    if value < site_today():
        raise ValidationError("The due date cannot be in the past.")
    return value


@transaction.atomic
def feedback_request_create(
    *,
    by: Person,
    person: Person,
    skills: Any,
    respondents: Any,
    message: Any,
    due: Any,
) -> FeedbackRequest:
    """Ask `respondents` (ids) for input on `person`'s `skills` (slugs); notify each
    (people.notifications) with a link to their answer page. ValidationError naming
    each bad field."""
    if not may_ask(by, person):
        raise PermissionDenied("Only the person, or someone above them, asks for input on them.")
    errors: dict[str, str] = {}
    checks = {
        "skills": lambda: _skills(skills),
        "respondents": lambda: _respondents(respondents, person),
        "message": lambda: _text(
            message, limit=MESSAGE_MAX, missing="Say what you would like input on."
        ),
        "due": lambda: _due(due),
    }
    clean: dict[str, Any] = {}
    for name, check in checks.items():
        try:
            clean[name] = check()
        except ValidationError as exc:
            errors[name] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    made = FeedbackRequest.objects.create(
        person=person, requester=by, message=clean["message"], due=clean["due"]
    )
    made.skills.set(clean["skills"])
    responses = FeedbackResponse.objects.bulk_create(
        FeedbackResponse(request=made, person=person, respondent=r) for r in clean["respondents"]
    )
    if not all(r.pk for r in responses):  # backends that return no ids from bulk_create
        responses = list(made.responses.all())
    _notify_asked(made, clean["skills"], clean["respondents"])
    audit.record_on_commit(
        by=by,
        action="feedback.request",
        summary=f"Asked {len(responses)} people for input on {person} "
        f"({len(clean['skills'])} skills, due {clean['due'].isoformat()}).",
        target=f"feedback request {made.pk}",
    )
    return made


def response_of(user: Person, request: FeedbackRequest) -> FeedbackResponse:
    """`user`'s own response to `request`, locked; PermissionDenied if they were not
    asked."""
    found = (
        FeedbackResponse.objects.select_for_update()
        .filter(request=request, respondent=user)
        .first()
    )
    if found is None:
        raise PermissionDenied("Only the people asked answer a request.")
    return found


def _frozen(request: FeedbackRequest) -> None:
    if not is_open(request):
        raise Conflict(f"The due date ({request.due.isoformat()}) has passed: answers are frozen.")


def _answers(request: FeedbackRequest, answers: Any) -> list[FeedbackAnswer]:
    """The answers checked: each skill of the request exactly once, a level on the scale
    or None, an example for any level. Errors keyed `answers[i].field`."""
    if not isinstance(answers, list | tuple):
        raise ValidationError({"answers": "Give a list of answers, one per skill."})
    skills = {s.key: s for s in request.skills.all()}
    scale = Scale.current()
    errors: dict[str, str] = {}
    clean: list[FeedbackAnswer] = []
    seen: set[str] = set()
    for i, item in enumerate(answers):
        item = item if isinstance(item, dict) else {}
        key, level = item.get("skill"), item.get("level")
        example = item.get("example", "")
        if not isinstance(key, str) or key not in skills:
            errors[f"answers[{i}].skill"] = "Answer the skills of this request only."
            continue
        if key in seen:
            errors[f"answers[{i}].skill"] = f"{skills[key].name} is answered twice."
            continue
        seen.add(key)
        if level is not None and (
            isinstance(level, bool) or not isinstance(level, int) or not scale.contains(level)
        ):
            errors[f"answers[{i}].level"] = (
                f"Choose a level on the scale {scale}, or can't say (null)."
            )
            continue
        if not isinstance(example, str):
            errors[f"answers[{i}].example"] = "Give the example as text."
            continue
        example = example.strip()
        if level is not None and not example:
            errors[f"answers[{i}].example"] = (
                f"{skills[key].name}: give an example of what you saw, or choose can't say."
            )
            continue
        if len(example) > EXAMPLE_MAX:
            errors[f"answers[{i}].example"] = f"Keep the example under {EXAMPLE_MAX} characters."
            continue
        # "Can't say" keeps no example: only examples behind a level are ever shown.
        clean.append(
            FeedbackAnswer(
                skill=skills[key], level=level, example=example if level is not None else ""
            )
        )
    missing = [s.name for k, s in skills.items() if k not in seen]
    if missing and not errors:
        errors["answers"] = (
            "Answer every skill (a level, or can't say): " + ", ".join(sorted(missing)) + "."
        )
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def feedback_answer(*, by: Person, request: FeedbackRequest, answers: Any) -> FeedbackResponse:
    """Give (or change) `by`'s answers to `request`, replacing any earlier ones. Each
    answer is {"skill": slug, "level": int or None, "example": text}."""
    response = response_of(by, request)
    _frozen(request)
    clean = _answers(request, answers)
    response.answers.all().delete()
    for answer in clean:
        answer.response = response
    FeedbackAnswer.objects.bulk_create(clean)
    response.status = Status.ANSWERED
    response.save(update_fields=["status", "updated_at"])
    # That an answer was given, never what it says.
    audit.record_on_commit(
        by=by,
        action="feedback.answer",
        summary=f"Gave input on a request about {request.person}.",
        target=f"feedback request {request.pk}",
    )
    _complete(request)
    return response


@transaction.atomic
def feedback_decline(*, by: Person, request: FeedbackRequest) -> FeedbackResponse:
    """`by` declines the whole request (any answers they gave are withdrawn)."""
    response = response_of(by, request)
    _frozen(request)
    response.answers.all().delete()
    response.status = Status.DECLINED
    response.save(update_fields=["status", "updated_at"])
    audit.record_on_commit(
        by=by,
        action="feedback.decline",
        summary=f"Declined a request for input about {request.person}.",
        target=f"feedback request {request.pk}",
    )
    _complete(request)
    return response


def _complete(request: FeedbackRequest) -> None:
    """Tell the requester, once, when nobody's answer is still open."""
    locked = FeedbackRequest.objects.select_for_update().get(pk=request.pk)
    if locked.completed_at is not None or locked.responses.filter(status=Status.OPEN).exists():
        return
    locked.completed_at = timezone.now()
    locked.save(update_fields=["completed_at"])
    request.completed_at = locked.completed_at
    _notify_complete(request)


# --- Notifications ----------------------------------------------------------------------


def _about(request: FeedbackRequest, *, you: bool = False) -> str:
    """Whose skills a request is about, as its notifications say it."""
    if request.requester_id == request.person_id:
        return "your skills" if you else "their skills"
    return f"{request.person.get_full_name()}'s skills"


def _notify_asked(request: FeedbackRequest, skills: Sequence[Skill], respondents: Any) -> None:
    """Each respondent is told what is asked of them, by whom, by when, and why."""
    names = ", ".join(skill.name for skill in sorted(skills, key=lambda s: s.name))
    notify(
        recipients=respondents,
        kind=Kind.FEEDBACK_ASKED,
        title=f"{request.requester.get_full_name()} asks for your input on {_about(request)}",
        body=(
            f"By {request.due:%-d %b %Y}, on: {names}. Their message: {request.message}\n"
            f"Your answers are never shown with your name: only the number of answers, "
            f"the median, the range and the examples, once {min_answers()} people have "
            f"answered a skill."
        ),
        link=reverse("assessments:feedback_answer", args=[request.pk]),
    )


def _notify_complete(request: FeedbackRequest) -> None:
    """The requester is told, once, that everyone answered or declined."""
    if request.requester_id == request.person_id:
        link = reverse("assessments:feedback_mine")
    else:
        link = reverse("assessments:feedback_about", args=[request.person_id])
    notify(
        recipients=[request.requester],
        kind=Kind.FEEDBACK_COMPLETE,
        title=f"Everyone you asked about {_about(request, you=True)} has responded",
        body=f"The input you asked for (due {request.due:%-d %b %Y}) is in: per skill, "
        f"without names.",
        link=link,
    )


# --- Others against self and manager: self-awareness, calibration -----------------------


def against_others(
    pairs: Iterable[tuple[int | None, Aggregate | None]], *, absolute: bool
) -> float | None:
    """The mean of (level - others' median) over `pairs` of (a level, others' aggregate
    of that skill) whose aggregate has enough answers (and a level to compare); with
    `absolute`, of |level - median|. None when no pair counts.

    Self-awareness is this with the self levels, absolute (0: one sees oneself as
    others do); calibration's `mean_vs_others`, with a manager's levels, signed (above
    0: the manager rates higher than others do)."""
    differences = [
        level - aggregate.median
        for level, aggregate in pairs
        if level is not None and aggregate is not None and aggregate.median is not None
    ]
    if not differences:
        return None
    if absolute:
        differences = [abs(d) for d in differences]
    return sum(differences) / len(differences)


def self_awareness_many(
    person_ids: Iterable[int], others: dict[int, dict[int, Aggregate]] | None = None
) -> dict[int, float | None]:
    """{person id: self-awareness} for each of `person_ids`: the mean absolute
    difference between their current self level and others' median, over the active
    skills with both (against_others); None when there is none. Two queries: the self
    levels of those with answers (none when nobody has any), and the answers unless
    `others` (others_for_many of them) is given."""
    # The gap module's projection of current levels (imported here: appended part).
    from assessments.models import CurrentLevel

    ids = list(person_ids)
    if others is None:
        others = others_for_many(ids)
    levels: dict[int, list[tuple[int | None, Aggregate | None]]] = {pk: [] for pk in ids}
    # Only the people others answered about can have a figure: at 50,000 people, the
    # self levels of everyone in scope would be most of a million rows for nothing.
    answered = [pk for pk in ids if others.get(pk)]
    rows = CurrentLevel.objects.filter(
        person_id__in=answered, self_level__isnull=False, skill__retired=False
    ).values_list("person_id", "skill_id", "self_level")
    for person_id, skill_id, level in rows:
        levels[person_id].append((level, others.get(person_id, {}).get(skill_id)))
    return {pk: against_others(pairs, absolute=True) for pk, pairs in levels.items()}


def self_awareness(person: Person, others: dict[int, Aggregate] | None = None) -> float | None:
    """`person`'s self-awareness (self_awareness_many); `others`: others_for(person),
    if read already. Two queries, or one with `others`."""
    given = None if others is None else {person.pk: others}
    return self_awareness_many([person.pk], given)[person.pk]
