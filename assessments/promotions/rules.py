"""Promotion cases (issue 20): the one home of their status rules and writes.

- **States**: draft -> submitted -> in_review -> approved | declined | deferred;
  withdrawn from draft or submitted. `ALLOWED` is the table; `transition` is the one
  place a status changes (a CaseEvent and an audit line each time). A case in review
  may go back to submitted (taken out of its round). HR decides only a case in review:
  a submitted case is first put into a round (assessments.promotions.committee).
- **Who**: a manager opens a case for anyone in their subtree, the person for their
  own target role, HR for anyone (`may_open`). The opener edits the draft's summary,
  submits it and withdraws it (from draft or submitted); HR may too. HR alone decides.
- **Packet**: built live while a draft; submitting freezes it into `case.packet`.
- **Decision**: a rationale always; approved: the role changes on `effective` (today:
  at once; a later day: the task `case_apply_role` at the digest hour of that day),
  through people.services.role_change (which clears the target role and writes the
  history); deferred: a `revisit` date. The person hears of the decision, the
  manager of the submission (Notification.Kind.PROMOTION).
- **Refusals**: a move the table does not allow, deciding twice, editing a submitted
  case: ValidationError with a message that says why; a user who may not: PermissionDenied.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from assessments.cycles import day_words, reminder_at, site_today
from assessments.models import CaseEvent, PromotionCase
from core import audit
from core.inputs import input_date, input_text
from people.models import Notification, Person
from people.notifications import notify
from people.services import role_change
from people.visibility import manages
from skills.models import Role

Status = PromotionCase.Status

OPEN = frozenset({Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW})
DECIDED = frozenset({Status.APPROVED, Status.DECLINED, Status.DEFERRED})
OUTCOMES = (Status.APPROVED, Status.DECLINED, Status.DEFERRED)

# from -> the statuses it may become. Nothing leaves a decided or withdrawn case.
ALLOWED: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.SUBMITTED: frozenset({Status.IN_REVIEW, Status.WITHDRAWN}),
    Status.IN_REVIEW: frozenset(
        {Status.APPROVED, Status.DECLINED, Status.DEFERRED, Status.SUBMITTED}
    ),
    Status.APPROVED: frozenset(),
    Status.DECLINED: frozenset(),
    Status.DEFERRED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}


def label(status: str) -> str:
    """A status in words ("in review")."""
    try:
        return str(Status(status).label).lower()
    except ValueError:
        return status


# --- The one place a status changes ---------------------------------------------------


@transaction.atomic
def transition(*, case: PromotionCase, to: str, by: Person, note: str = "") -> None:
    """Move `case` to `to` if ALLOWED: saves it (and `case` in memory), writes a
    CaseEvent (who, when, from, to, note) and an audit line. A refused move raises
    ValidationError({"status": ...}) and writes nothing. No permission check here: the
    services calling it check who may."""
    errors: dict[str, str] = {}
    note = input_text(note, "note", errors, required=False)
    if errors:
        raise ValidationError(errors)
    locked = PromotionCase.objects.select_for_update().get(pk=case.pk)
    before = locked.status
    if to not in Status.values:
        raise ValidationError({"status": f"Unknown status “{to}”."})
    if to not in ALLOWED.get(before, frozenset()):
        if before in DECIDED:
            why = f"This case was already decided ({label(before)}); it cannot become {label(to)}."
        elif before == Status.WITHDRAWN:
            why = "This case was withdrawn; it cannot change any more."
        else:
            why = f"A case that is {label(before)} cannot become {label(to)}."
        raise ValidationError({"status": why})
    locked.status = to
    locked.save(update_fields=["status", "updated_at"])
    case.status = to
    case.updated_at = locked.updated_at
    CaseEvent.objects.create(case=locked, actor=by, from_status=before, to_status=to, note=note)
    audit.record_on_commit(
        by=by,
        action="promotion.status",
        summary=(
            f"Promotion case {locked.pk} ({locked.person} to {locked.target_role}): "
            f"{label(before)} -> {label(to)}."
        ),
        target=f"promotion_case:{locked.pk}",
    )


@transaction.atomic
def case_comment(*, case: PromotionCase, by: Person, note: str) -> CaseEvent:
    """A comment on a case: a CaseEvent with a blank to_status. Callers check who may."""
    errors: dict[str, str] = {}
    note = input_text(note, "note", errors, required=True)
    if errors:
        raise ValidationError(errors)
    return CaseEvent.objects.create(
        case=case, actor=by, from_status=case.status, to_status="", note=note
    )


# --- Who may ----------------------------------------------------------------------------


def _active(user: Person) -> bool:
    return bool(user.is_authenticated and user.is_active)


def may_open(user: Person, person: Person, role: Role | None = None) -> bool:
    """HR for anyone; a manager for anyone below them; the person for their own target
    role (`role` None: for some role)."""
    if not _active(user) or not person.is_active:
        return False
    if user.is_hr:
        return True
    if person.pk == user.pk:
        return role is None or (
            person.target_role_id is not None and role.pk == person.target_role_id
        )
    return manages(user, person)


def may_edit(user: Person, case: PromotionCase) -> bool:
    """The opener or HR: edit, submit or withdraw (as the status allows)."""
    return _active(user) and (user.is_hr or case.opened_by_id == user.pk)


def may_comment(user: Person, case: PromotionCase) -> bool:
    """HR and the case's own manager (who may comment but never vote); a round's
    reviewers also comment there (committee.may_comment)."""
    return _active(user) and (user.is_hr or case.manager_id == user.pk)


def case_comment_by(*, by: Person, case: PromotionCase, note: str) -> CaseEvent:
    """A comment from the case's page, while the case waits for its decision."""
    if not may_comment(by, case) or case.status not in (Status.SUBMITTED, Status.IN_REVIEW):
        raise PermissionDenied("Only HR and the manager comment on a case awaiting decision.")
    return case_comment(case=case, by=by, note=note)


def may_decide(user: Person) -> bool:
    return _active(user) and bool(user.is_hr)


# --- Writes ---------------------------------------------------------------------------


def _role(value: Any, errors: dict[str, str]) -> Role | None:
    if isinstance(value, Role):
        role: Role | None = value
    elif isinstance(value, str) and value and "\x00" not in value and len(value) <= 100:
        role = Role.objects.filter(key=value).first()
    else:
        role = None
    if role is None:
        errors["target_role"] = "Choose a role (its key)."
    elif role.retired:
        errors["target_role"] = f"Role “{role.key}” is retired."
        return None
    return role


@transaction.atomic
def case_open(
    *, by: Person, person: Person, target_role: Role | str, summary: str
) -> PromotionCase:
    """A draft case that `person` move to `target_role` (see `may_open`)."""
    errors: dict[str, str] = {}
    role = _role(target_role, errors)
    summary = input_text(summary, "summary", errors, required=True)
    if role is not None and person.role_id == role.pk:
        errors["target_role"] = f"{person} already holds the role {role}."
    if not person.is_active:
        errors["person"] = f"{person} is not active."
    if errors:
        raise ValidationError(errors)
    assert role is not None
    if not may_open(by, person, role):
        if person.pk == by.pk:
            raise PermissionDenied("You may open a case only for your own target role.")
        raise PermissionDenied("Only HR or a manager above this person may open a case.")
    if PromotionCase.objects.filter(person=person, target_role=role, status__in=OPEN).exists():
        raise ValidationError({"target_role": f"{person} already has an open case for {role}."})
    try:
        with transaction.atomic():
            case = PromotionCase.objects.create(
                person=person,
                target_role=role,
                opened_by=by,
                manager_id=person.manager_id,
                summary=summary,
            )
    except IntegrityError:  # a twin opened at the same moment
        raise ValidationError(
            {"target_role": f"{person} already has an open case for {role}."}
        ) from None
    CaseEvent.objects.create(case=case, actor=by, from_status="", to_status=Status.DRAFT)
    audit.record_on_commit(
        by=by,
        action="promotion.open",
        summary=f"Opened promotion case {case.pk}: {person} to {role}.",
        target=f"promotion_case:{case.pk}",
    )
    return case


@transaction.atomic
def case_update(*, by: Person, case: PromotionCase, changes: Mapping[str, Any]) -> PromotionCase:
    """Change a draft's summary (the opener or HR). A submitted case never changes."""
    if not may_edit(by, case):
        raise PermissionDenied("Only whoever opened this case (or HR) may edit it.")
    unknown = sorted(set(changes) - {"summary"})
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This cannot be changed."))
    locked = PromotionCase.objects.select_for_update().get(pk=case.pk)
    if locked.status != Status.DRAFT:
        raise ValidationError(
            {"status": f"This case is {label(locked.status)}: only a draft may be edited."}
        )
    errors: dict[str, str] = {}
    if "summary" in changes:
        locked.summary = input_text(changes["summary"], "summary", errors, required=True)
    if errors:
        raise ValidationError(errors)
    locked.save(update_fields=["summary", "updated_at"])
    return locked


@transaction.atomic
def case_submit(*, by: Person, case: PromotionCase) -> PromotionCase:
    """Submit a draft: the packet frozen into `case.packet`; the person's manager told."""
    from assessments.promotions import packet as packets

    if not may_edit(by, case):
        raise PermissionDenied("Only whoever opened this case (or HR) may submit it.")
    transition(case=case, to=Status.SUBMITTED, by=by)
    locked = PromotionCase.objects.select_related("person", "target_role").get(pk=case.pk)
    locked.packet = packets.build(locked)
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["packet", "submitted_at", "updated_at"])
    manager = Person.objects.filter(pk=locked.person.manager_id, is_active=True).first()
    if manager is not None and manager.pk != by.pk:
        notify(
            recipients=[manager],
            kind=Notification.Kind.PROMOTION,
            title=f"Promotion case submitted: {locked.person} to {locked.target_role}",
            body=f"{by} submitted the case.",
            link=reverse("assessments:promotion_case", args=[locked.pk]),
        )
    return locked


@transaction.atomic
def case_withdraw(*, by: Person, case: PromotionCase, note: str = "") -> PromotionCase:
    """Withdraw a draft or submitted case: whoever opened it, or HR."""
    if not may_edit(by, case):
        raise PermissionDenied("Only whoever opened this case (or HR) may withdraw it.")
    transition(case=case, to=Status.WITHDRAWN, by=by, note=note)
    return PromotionCase.objects.get(pk=case.pk)


@transaction.atomic
def case_decide(
    *,
    by: Person,
    case: PromotionCase,
    outcome: str,
    rationale: str,
    effective: date | str | None = None,
    revisit: date | str | None = None,
) -> PromotionCase:
    """HR decides a case in review: approved (the role changes on `effective`, today
    if not given, never in the past), declined, or deferred (`revisit`, a later day,
    required). A rationale always. Deciding twice is refused."""
    if not may_decide(by):
        raise PermissionDenied("Only HR admins decide promotion cases.")
    errors: dict[str, str] = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = "One of: approved, declined, deferred."
    rationale = input_text(rationale, "rationale", errors, required=True)
    when = input_date(effective, "effective", errors)
    again = input_date(revisit, "revisit", errors)
    today = site_today()
    if outcome == Status.APPROVED:
        when = when or today
        if "effective" not in errors and when < today:
            errors["effective"] = "Today or a later day."
        again = None
    else:
        when = None
        if outcome == Status.DEFERRED:
            if again is None and "revisit" not in errors:
                errors["revisit"] = "Give a date to revisit the case (YYYY-MM-DD)."
            elif again is not None and again <= today:
                errors["revisit"] = "A day after today."
        else:
            again = None
    if errors:
        raise ValidationError(errors)
    transition(case=case, to=outcome, by=by, note=rationale)
    locked = PromotionCase.objects.select_related("person", "target_role").get(pk=case.pk)
    locked.rationale = rationale
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.effective = when
    locked.revisit = again
    locked.save(
        update_fields=[
            "rationale",
            "decided_by",
            "decided_at",
            "effective",
            "revisit",
            "updated_at",
        ]
    )
    if outcome == Status.APPROVED and when is not None:
        if when <= today:
            _apply_role(locked)
        else:
            case_apply_role.using(run_after=reminder_at(when)).enqueue(locked.pk)
    if outcome == Status.APPROVED:
        words = f"approved, effective {day_words(when)}" if when else "approved"
    elif outcome == Status.DEFERRED:
        words = f"deferred, to revisit on {day_words(again)}" if again else "deferred"
    else:
        words = "declined"
    notify(
        recipients=[p for p in [locked.person] if p.is_active],
        kind=Notification.Kind.PROMOTION,
        title=f"Your promotion case to {locked.target_role} was {words}",
        body=rationale[:2000],
        link=reverse("assessments:promotion_case", args=[locked.pk]),
    )
    return locked


def _apply_role(case: PromotionCase) -> None:
    """Give the person the target role (once): the role history names the case."""
    if case.role_changed_at is not None:
        return
    person = Person.objects.select_for_update().get(pk=case.person_id)
    role_change(by=case.decided_by, person=person, to_role=case.target_role, case_id=case.pk)
    case.role_changed_at = timezone.now()
    case.save(update_fields=["role_changed_at", "updated_at"])


@task
def case_apply_role(case_id: int) -> str:
    """On an approval's effective day: apply the role change, unless done already or
    the case is no longer approved (a task may run twice, or late)."""
    with transaction.atomic():
        case = (
            PromotionCase.objects.select_for_update(of=("self",))
            .select_related("target_role", "decided_by")
            .filter(pk=case_id)
            .first()
        )
        if case is None or case.status != Status.APPROVED:
            return "not approved"
        if case.role_changed_at is not None:
            return "already applied"
        if case.effective is not None and case.effective > site_today():
            return "not yet"
        _apply_role(case)
    return "applied"
