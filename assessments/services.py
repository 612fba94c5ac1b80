"""Writes to assessments. Rules of docs/product.md held here, whatever the caller:

- a self-assessment is written only by the person; a manager assessment only by one of
  the person's managers (direct or indirect);
- one open draft per (person, kind, author); a new draft starts from the author's last
  submitted assessment of the same person and kind;
- submitted assessments never change;
- every level lies on the framework's scale;
- every write is one transaction, and bad input writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from assessments import cycles
from assessments.models import (
    DIVERGENCE,
    Action,
    Assessment,
    CurrentLevel,
    Evidence,
    FocusSkill,
    GrowthPlan,
    Rating,
)
from assessments.rollups import submitted
from core.access import Actor
from core.errors import Conflict
from core.limits import TEXT_MAX
from core.numbers import ascii_int
from people.models import Person
from people.visibility import manages
from skills import services as framework
from skills.models import Scale, Skill
from skills.openformat import (
    FrameworkError,
    FrameworkInvalid,
    requested_scale,
    scale_change_errors,
)
from skills.services import ImportResult

RatingInput = Mapping[str, Any]  # {"skill": key, "level": int | None, "evidence": str}


class DraftExists(Conflict):
    def __init__(self, draft: Assessment) -> None:
        super().__init__(f"An open draft already exists (assessment {draft.pk}).")
        self.draft = draft


class StaleDraft(Conflict):
    def __init__(self, draft: Assessment) -> None:
        super().__init__(
            "This draft was changed elsewhere (another window or client) since you read it, "
            "so this change was not saved. Reload to see the latest answers, then try again."
        )
        self.draft = draft


def _check_author(*, by: Person, person: Person, kind: str) -> None:
    if kind == Assessment.Kind.SELF:
        if by.pk != person.pk:
            raise PermissionDenied("A self-assessment is written only by the person.")
    elif kind == Assessment.Kind.MANAGER:
        if not manages(by, person):
            raise PermissionDenied("Only one of the person's managers may assess them.")
    else:
        raise ValidationError({"kind": f'Unknown kind "{kind}": use "self" or "manager".'})


@transaction.atomic
def assessment_start(
    *,
    by: Person,
    person: Person,
    kind: str,
    ratings: Iterable[RatingInput] = (),
    editor: str = "",
) -> Assessment:
    """Open a draft, pre-filled from the author's last submitted one, `ratings` merged over it.
    `editor` names the page or client writing (see assessment_rate)."""
    _check_author(by=by, person=person, kind=kind)
    # Lock the person's row so that two concurrent starts cannot both open a draft.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    open_drafts = {"person": person, "kind": kind, "author": by, "status": "draft"}
    existing = Assessment.objects.filter(**open_drafts).first()
    if existing is not None:
        raise DraftExists(existing)
    try:
        with transaction.atomic():
            draft = Assessment.objects.create(
                person=person, author=by, kind=kind, version=1, editor=editor
            )
    except IntegrityError:
        # Another start won the race (the constraint assessment_one_open_draft decides).
        raise DraftExists(Assessment.objects.get(**open_drafts)) from None
    last = (
        Assessment.objects.filter(
            person=person, kind=kind, author=by, status=Assessment.Status.SUBMITTED
        )
        .order_by("-submitted_at", "-id")
        .first()
    )
    if last is not None:
        kept = list(last.ratings.filter(skill__retired=False).prefetch_related("evidence_items"))
        copies = Rating.objects.bulk_create(
            Rating(assessment=draft, skill_id=r.skill_id, level=r.level, evidence=r.evidence)
            for r in kept
        )
        _cite(
            (copy, [e.pk for e in r.evidence_items.all()])
            for copy, r in zip(copies, kept, strict=True)
        )
    # Bad ratings raise here and the transaction takes the new draft away with them.
    _merge(draft, _validated_ratings(list(ratings), assessment=draft))
    return draft


@transaction.atomic
def assessment_rate(
    *,
    by: Person,
    assessment: Assessment,
    ratings: Iterable[RatingInput],
    version: int | None = None,
    editor: str = "",
) -> Assessment:
    """Merge ratings into a draft by skill. `level: None` removes the skill's rating;
    leaving out `evidence` keeps the evidence already there.

    Optimistic concurrency: `version` is the draft's version the writer last read. If the
    draft changed since, and not by the same `editor` (a page's successive autosaves),
    StaleDraft is raised and nothing is written. Without `version`, the write merges.
    """
    assessment = _locked_draft(by=by, assessment=assessment)
    _check_version(assessment, version, editor)
    _merge(assessment, _validated_ratings(list(ratings), assessment=assessment))
    assessment.version += 1
    assessment.editor = editor
    assessment.save(update_fields=["version", "editor"])
    return assessment


@transaction.atomic
def assessment_submit(
    *, by: Person, assessment: Assessment, version: int | None = None, editor: str = ""
) -> Assessment:
    """Freeze a draft. It never changes again. `version` and `editor` as for
    assessment_rate: nobody freezes answers changed elsewhere that they have not seen.
    The projection of current levels follows in the same transaction."""
    assessment = _locked_draft(by=by, assessment=assessment)
    _check_version(assessment, version, editor)
    if not assessment.ratings.exists():
        raise ValidationError({"ratings": "Rate at least one skill before submitting."})
    _check_divergences_cited(assessment)
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=["status", "submitted_at"])
    submitted(assessment=assessment)
    cycles.assessment_submitted(assessment=assessment)
    return assessment


class UncitedDivergence(ValidationError):
    """A manager assessment's ratings far from the person's own that cite nothing.
    `skills` holds each one's message by skill key, for the page to show beside it."""

    def __init__(self, errors: dict[str, str], skills: dict[str, str]) -> None:
        super().__init__(errors)
        self.skills = skills


def _check_divergences_cited(assessment: Assessment) -> None:
    """A manager's rating DIVERGENCE levels or more from the person's latest submitted
    self rating is a judgement against their own: it must cite evidence (a note or an
    item of their log). Errors are keyed ratings[i].evidence, i as the API lists them."""
    if assessment.kind != Assessment.Kind.MANAGER:
        return
    own = dict(
        CurrentLevel.objects.filter(
            person_id=assessment.person_id, self_level__isnull=False
        ).values_list("skill_id", "self_level")
    )
    ratings = assessment.ratings.select_related("skill").annotate(items=Count("evidence_items"))
    errors, skills = {}, {}
    name = assessment.person.get_short_name()
    for i, rating in enumerate(sorted(ratings, key=lambda r: r.skill.key)):
        self_level = own.get(rating.skill_id)
        if self_level is None or abs(rating.level - self_level) < DIVERGENCE:
            continue
        if rating.evidence.strip() or rating.items:
            continue
        message = (
            f"{rating.skill.name}: you rate {rating.level}, {name} rated {self_level}. "
            f"Two levels or more apart: cite evidence (a note or an item of {name}'s "
            "evidence log) before submitting."
        )
        errors[f"ratings[{i}].evidence"], skills[rating.skill.key] = message, message
    if errors:
        raise UncitedDivergence(errors, skills)


def _check_version(assessment: Assessment, version: int | None, editor: str) -> None:
    stale = version is not None and version != assessment.version
    if stale and not (editor and editor == assessment.editor):
        raise StaleDraft(assessment)


def _locked_draft(*, by: Person, assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_related("person").select_for_update().get(pk=assessment.pk)
    if locked.author_id != by.pk:
        raise PermissionDenied("Only the author may change an assessment.")
    if locked.status != Assessment.Status.DRAFT:
        raise Conflict("This assessment was submitted; submitted assessments never change.")
    # The org chart may have changed since the draft opened: a manager moved away from
    # the person may no longer write about them.
    _check_author(by=by, person=locked.person, kind=locked.kind)
    return locked


def _validated_ratings(
    ratings: list[RatingInput], *, assessment: Assessment | None = None
) -> list[tuple[Skill, Any, Any, Any]]:
    """Check every rating; raise one ValidationError naming each bad field, or return
    (skill, level, evidence, evidence item ids) tuples, where any but the skill may be
    `...` for "keep"."""
    errors: dict[str, str] = {}
    scale = Scale.current()
    keys = [r.get("skill") for r in ratings if isinstance(r, Mapping)]
    skills = Skill.objects.in_bulk([k for k in keys if isinstance(k, str)], field_name="key")
    rated = set(assessment.ratings.values_list("skill__key", flat=True)) if assessment else set()
    seen: set[str] = set()
    out = []
    cited: list[tuple[int, list[int]]] = []
    for i, rating in enumerate(ratings):
        if not isinstance(rating, Mapping):
            errors[f"ratings[{i}]"] = 'Each rating is a mapping: {"skill", "level", "evidence"}.'
            continue
        key, level = rating.get("skill"), rating.get("level", ...)
        evidence = rating.get("evidence", ...)
        skill = skills.get(key) if isinstance(key, str) else None
        if skill is None:
            errors[f"ratings[{i}].skill"] = f'Unknown skill "{key}".'
            continue
        if skill.retired:
            errors[f"ratings[{i}].skill"] = f'Skill "{key}" is retired.'
            continue
        if key in seen:
            errors[f"ratings[{i}].skill"] = f'Skill "{key}" appears twice in one request.'
            continue
        seen.add(skill.key)  # `key`, found in `skills` by it
        if level is ...:
            if key not in rated:
                errors[f"ratings[{i}].level"] = f'Choose a level for "{skill.name}".'
        elif level is not None and (
            not isinstance(level, int) or isinstance(level, bool) or not scale.contains(level)
        ):
            errors[f"ratings[{i}].level"] = (
                f"Level {level!r} is not on the scale {scale.minimum}-{scale.maximum}."
            )
        if evidence is not ... and not isinstance(evidence, str):
            errors[f"ratings[{i}].evidence"] = "Evidence must be text."
        elif isinstance(evidence, str) and len(evidence) > TEXT_MAX:
            errors[f"ratings[{i}].evidence"] = f"Keep the evidence under {TEXT_MAX} characters."
        items = rating.get("evidence_items", ...)
        if items is not ...:
            if not isinstance(items, list) or not all(
                isinstance(n, int) and not isinstance(n, bool) for n in items
            ):
                errors[f"ratings[{i}].evidence_items"] = "Give a list of evidence item ids."
            else:
                cited.append((i, items))
        out.append(
            (skill, level, evidence.strip() if isinstance(evidence, str) else evidence, items)
        )
    if cited and assessment is not None:
        # Only items of the assessed person's log: one query for every rating's ids.
        asked = {n for _, items in cited for n in items}
        theirs = set(
            Evidence.objects.filter(pk__in=asked, person_id=assessment.person_id).values_list(
                "pk", flat=True
            )
        )
        for i, items in cited:
            if foreign := [n for n in items if n not in theirs]:
                errors[f"ratings[{i}].evidence_items"] = (
                    f"Not in this person's evidence log: {', '.join(map(str, foreign))}."
                )
    if errors:
        raise ValidationError(errors)
    return out


def _merge(assessment: Assessment, changes: list[tuple[Skill, Any, Any, Any]]) -> None:
    """Apply the changes in at most four statements (read, delete, update, insert),
    however many skills they touch, and two more when citations change."""
    current = {r.skill_id: r for r in assessment.ratings.all()}
    removed, changed, added = [], [], []
    citations: list[tuple[Rating, list[int]]] = []
    for skill, level, evidence, items in changes:
        rating = current.get(skill.pk)
        if level is None:
            if rating is not None:
                removed.append(rating.pk)
            continue
        if items is not ...:
            citations.append((rating or Rating(assessment=assessment, skill=skill), items))
            rating = citations[-1][0]
        if rating is None or rating.pk is None:
            rating = rating or Rating(assessment=assessment, skill=skill)
            added.append(rating)
        elif (level is ... or level == rating.level) and evidence in (..., rating.evidence):
            continue  # nothing to write
        else:
            changed.append(rating)
        if level is not ...:
            rating.level = level
        if evidence is not ...:
            rating.evidence = evidence
    if removed:
        Rating.objects.filter(pk__in=removed).delete()
    if changed:
        Rating.objects.bulk_update(changed, ["level", "evidence"])
    if added:
        Rating.objects.bulk_create(added)
    _cite(citations, replace=True)


def _cite(citations: Iterable[tuple[Rating, list[int]]], *, replace: bool = False) -> None:
    """Set each rating's cited evidence items: one delete and one insert for them all."""
    citations = list(citations)
    if not citations:
        return
    through = Rating.evidence_items.through
    if replace:
        through.objects.filter(rating__in=[r.pk for r, _ in citations]).delete()
    through.objects.bulk_create(
        through(rating_id=r.pk, evidence_id=n) for r, items in citations for n in set(items)
    )


# --- Growth plans ---------------------------------------------------------------------
# The person and their managers (direct or indirect) work on a plan; nobody else sees it.
# The page and the API (assessments.growth_api) both write through these.


def _check_plan_editor(*, by: Person, person: Person) -> None:
    if by.pk != person.pk and not manages(by, person):
        raise PermissionDenied("Only the person and their managers work on a growth plan.")


def _plan_of(person: Person) -> GrowthPlan:
    plan, _ = GrowthPlan.objects.get_or_create(person=person)
    return plan


def _locked(model: type[FocusSkill] | type[Action], pk: int) -> Any:
    """The row, locked until the write commits: a focus skill or an action that another
    request (a second tab, a client) removed meanwhile is gone, not a database error."""
    found = model.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise Http404(f"This {model._meta.verbose_name} was removed meanwhile.")
    return found


def _target_level_error(target_level: Any) -> str | None:
    """None for a level on the scale; else what to say. The page posts text ("3")."""
    scale = Scale.current()
    if isinstance(target_level, str) and ascii_int(target_level) is not None:
        target_level = ascii_int(target_level)
    whole = isinstance(target_level, int) and not isinstance(target_level, bool)
    if whole and scale.contains(target_level):
        return None
    return f"Choose a target level on the scale {scale}."


@transaction.atomic
def growth_plan_set_status(*, by: Person, person: Person, status: str) -> GrowthPlan:
    _check_plan_editor(by=by, person=person)
    if status not in GrowthPlan.Status.values:
        raise ValidationError({"status": "Choose not started, in progress or done."})
    plan = _plan_of(person)
    plan.status = status
    plan.save(update_fields=["status", "updated_at"])
    return plan


@transaction.atomic
def focus_skill_save(
    *, by: Person, person: Person, skill_key: str, target_level: Any
) -> tuple[FocusSkill, bool]:
    """Add a focus skill, or change its target level if it is one already; True if
    added. The first focus skill moves a plan that has not started to in progress."""
    _check_plan_editor(by=by, person=person)
    errors: dict[str, str] = {}
    skill = (
        Skill.objects.active().filter(key=skill_key).first() if "\x00" not in skill_key else None
    )
    if skill is None:
        errors["skill"] = "Choose one of the listed skills."
    if (target_error := _target_level_error(target_level)) is not None:
        errors["target_level"] = target_error
    if errors:
        raise ValidationError(errors)
    plan = _plan_of(person)
    focus, created = FocusSkill.objects.update_or_create(
        plan=plan, skill=skill, defaults={"target_level": int(target_level)}
    )
    if plan.status == GrowthPlan.Status.NOT_STARTED:
        plan.status = GrowthPlan.Status.IN_PROGRESS
        plan.save(update_fields=["status", "updated_at"])
    return focus, created


def focus_skill_add(*, by: Person, person: Person, skill_key: str, target_level: Any) -> FocusSkill:
    """Add a focus skill, or change its target level if it is one already."""
    focus, _ = focus_skill_save(
        by=by, person=person, skill_key=skill_key, target_level=target_level
    )
    return focus


@transaction.atomic
def focus_skill_set_target(*, by: Person, focus: FocusSkill, target_level: Any) -> FocusSkill:
    _check_plan_editor(by=by, person=focus.plan.person)
    if (target_error := _target_level_error(target_level)) is not None:
        raise ValidationError({"target_level": target_error})
    locked = _locked(FocusSkill, focus.pk)
    locked.target_level = int(target_level)
    locked.save(update_fields=["target_level"])
    focus.target_level = locked.target_level
    return focus


@transaction.atomic
def focus_skill_remove(*, by: Person, focus: FocusSkill) -> None:
    _check_plan_editor(by=by, person=focus.plan.person)
    focus.delete()


class Unchanged:
    """An argument left out, where None means something ("no due date")."""


UNCHANGED: Final = Unchanged()


def _action_text(text: str, errors: dict[str, str]) -> str:
    text = (text or "").strip()
    if not text:
        errors["text"] = "Describe the action."
    elif len(text) > 300:
        errors["text"] = "Keep the action under 300 characters."
    return text


def _action_due(due_date: Any, errors: dict[str, str]) -> date | None:
    if isinstance(due_date, str):
        try:
            return date.fromisoformat(due_date) if due_date else None
        except ValueError:
            errors["due_date"] = "Give the date as YYYY-MM-DD."
    return due_date


@transaction.atomic
def action_add(*, by: Person, focus: FocusSkill, text: str, due_date: Any = None) -> Action:
    _check_plan_editor(by=by, person=focus.plan.person)
    errors: dict[str, str] = {}
    text = _action_text(text, errors)
    due_date = _action_due(due_date, errors)
    if errors:
        raise ValidationError(errors)
    _locked(FocusSkill, focus.pk)  # not removed until the action is in
    return Action.objects.create(focus=focus, text=text, due_date=due_date)


@transaction.atomic
def action_add_once(*, by: Person, focus: FocusSkill, text: str) -> tuple[Action, bool]:
    """action_add, unless the focus skill has an action of that text already (two
    clicks of "Add to my growth plan", two tabs): (the action, whether it is new). The
    focus skill's row lock makes the check and the insert one step."""
    _check_plan_editor(by=by, person=focus.plan.person)
    _locked(FocusSkill, focus.pk)
    found = Action.objects.filter(focus=focus, text=text.strip()).first()
    if found is not None:
        return found, False
    return action_add(by=by, focus=focus, text=text), True


@transaction.atomic
def action_update(
    *,
    by: Person,
    action: Action,
    text: str | Unchanged = UNCHANGED,
    due_date: date | str | Unchanged | None = UNCHANGED,
    done: bool | Unchanged = UNCHANGED,
    evidence_id: int | Unchanged | None = UNCHANGED,
) -> Action:
    """Change what is given. Done stamps `done_at` (kept if it was done already); not
    done clears it. `evidence_id` links an item of the plan's person's evidence log, or
    None unlinks it, whether the action is done yet or not; reopening keeps the link."""
    person = action.focus.plan.person
    _check_plan_editor(by=by, person=person)
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    if not isinstance(text, Unchanged):
        changes["text"] = _action_text(text, errors)
    if not isinstance(due_date, Unchanged):
        changes["due_date"] = _action_due(due_date, errors)
    if not isinstance(evidence_id, Unchanged):
        theirs = Evidence.objects.filter(person_id=person.pk)
        if evidence_id is not None and not theirs.filter(pk=evidence_id).exists():
            errors["evidence"] = f"Choose an item of {person.get_short_name()}'s evidence."
        changes["evidence_id"] = evidence_id
    if errors:
        raise ValidationError(errors)
    locked = _locked(Action, action.pk)
    if not isinstance(done, Unchanged):
        changes["done"] = done
        changes["done_at"] = (locked.done_at or timezone.now()) if done else None
    for field, value in changes.items():
        setattr(locked, field, value)
    if changes:
        locked.save(update_fields=list(changes))
    locked.focus = action.focus
    return locked


def action_set_done(*, by: Person, action: Action, done: bool) -> Action:
    return action_update(by=by, action=action, done=done)


@transaction.atomic
def action_remove(*, by: Person, action: Action) -> None:
    _check_plan_editor(by=by, person=action.focus.plan.person)
    action.delete()


# --- The framework, checked against what people were rated ----------------------------
# The framework knows no ratings; every way in (the HR page, the API, the command, the
# admin's scale form) calls these, so a new scale never strands a stored rating.


def ratings_outside_scale(minimum: int, maximum: int) -> list[str]:
    """One message per (skill, level) of stored ratings, drafts included, that the scale
    minimum-maximum would leave outside it."""
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


def scale_change_problems(minimum: int, maximum: int) -> list[str]:
    """Everything stored that the scale minimum-maximum would strand: the framework's
    expectations and descriptors, and people's ratings."""
    return scale_change_errors(minimum, maximum) + ratings_outside_scale(minimum, maximum)


def _stored_range() -> tuple[int, int]:
    stored = Scale.current()
    return stored.minimum, stored.maximum


def framework_import(
    *, document: Any, by: Actor | None = None, dry_run: bool = False
) -> ImportResult:
    """skills.services.framework_import, refused whole (FrameworkInvalid, every error at
    once) when the document's scale would strand stored ratings."""
    stranded: list[FrameworkError] = []
    scale = requested_scale(document)
    if scale is not None and scale != _stored_range():
        stranded = [FrameworkError("scale", m) for m in ratings_outside_scale(*scale)]
    try:
        # With stranded ratings, the import only runs as a dry run, for its own errors.
        result = framework.framework_import(
            document=document, by=by, dry_run=dry_run or bool(stranded)
        )
    except FrameworkInvalid as exc:
        raise FrameworkInvalid(stranded + exc.errors) from None
    if stranded:
        raise FrameworkInvalid(stranded)
    return result
