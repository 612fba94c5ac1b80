"""Review cycles (issue 19): the one home of their rules, writes and reads.

- **Scope**: everyone active, the active people holding one of the chosen roles, or the
  chosen managers' whole subtrees (people.visibility's rule; the managers themselves
  are not in it: they are in their own manager's cycle).
- **Life**: HR makes a draft, opens it (a CycleParticipant per person in scope, the
  emails, the reminders scheduled), closes it (the progress frozen in final_progress).
  Only HR writes; managers read their subtree's progress of open and closed cycles;
  everyone else gets 404.
- **Steps**: self-assessment, input from others (only with a feedback due date),
  manager assessment. Each is done, in progress or not started (`_state`); overdue when
  not done after its due date (site time zone, as feedback due dates).
- **Reminders**: for each step and each n of reminder_days, a `cycle_remind` task runs
  n days before the due date at CAREERMAP_DIGEST_HOUR (site time zone), and one the
  day after the due date (overdue). A task whose day no longer fits the cycle's dates
  (changed since), or whose cycle is no longer open, does nothing; CycleReminder makes
  one reminder per cycle, step and day, whatever the number of workers.
- **Submissions**: assessment_submit calls `assessment_submitted`: the person's manager
  hears of a self-assessment, the person of a manager assessment (in a cycle or not);
  open cycles mark the step done.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.tasks import task
from django.urls import reverse
from django.utils import dateformat, timezone

from assessments.models import (
    Assessment,
    Cycle,
    CycleParticipant,
    CycleReminder,
    FeedbackRequest,
    FeedbackResponse,
)
from core import audit
from core.errors import Conflict
from core.inputs import input_date
from core.spreadsheets import csv_text
from people.models import Notification, Person
from people.notifications import notify
from people.visibility import below_ids
from skills.models import Role

Status = Cycle.Status
Scope = Cycle.Scope

SELF, FEEDBACK, MANAGER = "self", "feedback", "manager"
STEP_NAMES = {
    SELF: "Self-assessment",
    FEEDBACK: "Input from others",
    MANAGER: "Manager assessment",
}
DONE, IN_PROGRESS, NOT_STARTED = "done", "in_progress", "not_started"
STATE_NAMES = {DONE: "Done", IN_PROGRESS: "In progress", NOT_STARTED: "Not started"}

MAX_REMINDER_DAY = 60  # days before a due date
MAX_REMINDERS = 10
DEFAULT_REMINDER_DAYS = [7, 1]


def site_today() -> date:
    """Today in the site's time zone: due dates end at its midnight, for everyone."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def day_words(day: date) -> str:
    """A day as every page writes it ("3 Dec 2026")."""
    return dateformat.format(day, "j M Y")


def steps_of(cycle: Cycle) -> list[tuple[str, date]]:
    """(step, due date) of the cycle's steps, in order; input from others only if due."""
    steps = [(SELF, cycle.self_due)]
    if cycle.feedback_due is not None:
        steps.append((FEEDBACK, cycle.feedback_due))
    steps.append((MANAGER, cycle.manager_due))
    return steps


# --- Who --------------------------------------------------------------------------------


def people_in_scope(cycle: Cycle) -> QuerySet[Person]:
    """The active people the cycle is for, by its scope (see the module's docstring)."""
    people = Person.objects.filter(is_active=True)
    if cycle.scope == Scope.ROLES:
        return people.filter(role__in=cycle.scope_roles.all())
    if cycle.scope == Scope.MANAGERS:
        below = Q(pk__in=[])
        for manager_id in cycle.scope_managers.values_list("pk", flat=True):
            below |= Q(pk__in=below_ids(manager_id))
        return people.filter(below)
    return people


def cycles_visible_to(user: Person) -> QuerySet[Cycle]:
    """HR: every cycle. A manager: the open and closed cycles with someone of their
    subtree in it. Anyone else: none."""
    if not (user.is_authenticated and user.is_active):
        return Cycle.objects.none()
    if user.is_hr:
        return Cycle.objects.all()
    with_mine = CycleParticipant.objects.filter(person_id__in=below_ids(user.pk))
    return Cycle.objects.filter(
        status__in=[Status.OPEN, Status.CLOSED], pk__in=with_mine.values("cycle_id")
    )


def get_cycle_or_404(user: Person, pk: int) -> Cycle:
    found = cycles_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such cycle.")
    return found


def _hr(by: Person) -> None:
    if not (by.is_active and by.is_hr):
        raise PermissionDenied("Only HR admins may do this.")


# --- Writes: the draft --------------------------------------------------------------------


def _reminder_days(value: Any, errors: dict[str, str]) -> list[int]:
    if not isinstance(value, list | tuple) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in value
    ):
        errors["reminder_days"] = "A list of whole numbers of days before each due date."
        return []
    if len(value) > MAX_REMINDERS or any(not 0 <= n <= MAX_REMINDER_DAY for n in value):
        errors["reminder_days"] = (
            f"At most {MAX_REMINDERS} numbers, each from 0 to {MAX_REMINDER_DAY} days."
        )
        return []
    return sorted(set(value), reverse=True)


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """A cycle's fields checked and normalised; a ValidationError naming each bad field.
    `values`: name, scope, roles (slugs), managers (ids), self_due, feedback_due,
    manager_due (dates or YYYY-MM-DD), reminder_days (whole numbers)."""
    errors: dict[str, str] = {}
    name = values.get("name")
    if not isinstance(name, str) or not name.strip() or "\x00" in name:
        errors["name"] = "Give the cycle a name."
    elif len(name.strip()) > 200:
        errors["name"] = "At most 200 characters."
    scope = values.get("scope", Scope.EVERYONE)
    roles: list[Role] = []
    managers: list[Person] = []
    if scope not in Scope.values:
        errors["scope"] = f"One of: {', '.join(Scope.values)}."
    elif scope == Scope.ROLES:
        keys = values.get("roles") or []
        if not isinstance(keys, list | tuple) or not all(
            isinstance(k, str) and k and "\x00" not in k for k in keys
        ):
            errors["roles"] = "A list of role slugs."
        elif not keys:
            errors["roles"] = "Choose at least one role."
        else:
            roles = list(Role.objects.filter(key__in=keys, retired=False))
            unknown = sorted(set(keys) - {r.key for r in roles})
            if unknown:
                errors["roles"] = f"Unknown role: {', '.join(unknown)}."
    elif scope == Scope.MANAGERS:
        ids = values.get("managers") or []
        if not isinstance(ids, list | tuple) or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63 for i in ids
        ):
            errors["managers"] = "A list of people's ids."
        elif not ids:
            errors["managers"] = "Choose at least one manager."
        else:
            managers = list(
                Person.objects.filter(pk__in=ids, is_active=True, reports__isnull=False).distinct()
            )
            unknown_ids = sorted(set(ids) - {m.pk for m in managers})
            if unknown_ids:
                errors["managers"] = (
                    f"Not an active manager: {', '.join(str(i) for i in unknown_ids)}."
                )
    self_due = input_date(values.get("self_due"), "self_due", errors, required=True)
    feedback_due = input_date(values.get("feedback_due"), "feedback_due", errors, required=False)
    manager_due = input_date(values.get("manager_due"), "manager_due", errors, required=True)
    if self_due and feedback_due and feedback_due < self_due:
        errors["feedback_due"] = "On or after the self-assessment's due date."
    if self_due and manager_due and manager_due < self_due:
        errors["manager_due"] = "On or after the self-assessment's due date."
    elif feedback_due and manager_due and manager_due < feedback_due:
        errors["manager_due"] = "On or after the due date of input from others."
    reminder_days = _reminder_days(values.get("reminder_days", DEFAULT_REMINDER_DAYS), errors)
    if errors:
        raise ValidationError(errors)
    return {
        "name": name.strip(),  # type: ignore[union-attr]
        "scope": scope,
        "roles": roles,
        "managers": managers,
        "self_due": self_due,
        "feedback_due": feedback_due,
        "manager_due": manager_due,
        "reminder_days": reminder_days,
    }


def values_of(cycle: Cycle) -> dict[str, Any]:
    """The cycle's fields in the shape `_clean` (and cycle_update's `changes`) takes."""
    return {
        "name": cycle.name,
        "scope": cycle.scope,
        "roles": sorted(r.key for r in cycle.scope_roles.all()),
        "managers": sorted(m.pk for m in cycle.scope_managers.all()),
        "self_due": cycle.self_due,
        "feedback_due": cycle.feedback_due,
        "manager_due": cycle.manager_due,
        "reminder_days": list(cycle.reminder_days),
    }


def _write(cycle: Cycle, clean: dict[str, Any]) -> None:
    for name in ("name", "scope", "self_due", "feedback_due", "manager_due", "reminder_days"):
        setattr(cycle, name, clean[name])
    cycle.save()
    cycle.scope_roles.set(clean["roles"])
    cycle.scope_managers.set(clean["managers"])


@transaction.atomic
def cycle_create(*, by: Person, values: Mapping[str, Any]) -> Cycle:
    """A draft cycle (HR). `values` as `_clean` takes them; scope defaults to everyone,
    reminder_days to 7 and 1 days before."""
    _hr(by)
    clean = _clean(values)
    cycle = Cycle(created_by=by)
    _write(cycle, clean)
    return cycle


@transaction.atomic
def cycle_update(*, by: Person, cycle: Cycle, changes: Mapping[str, Any]) -> Cycle:
    """Change a draft's fields, or an open cycle's name, dates and reminder days (its
    people are fixed once open; new dates reschedule the reminders). A closed cycle
    never changes."""
    _hr(by)
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.status == Status.CLOSED:
        raise Conflict("This cycle is closed; a closed cycle never changes.")
    before = values_of(locked)
    after = {**before, **changes}
    if locked.status == Status.OPEN:
        if _who(after) != _who(before):
            raise Conflict("The people in an open cycle are fixed: its scope cannot change.")
        # Kept as they are: a role retired since opening does not block a new date.
        after = {**after, "scope": Scope.EVERYONE}
        clean = {**_clean(after), "scope": before["scope"]}
        clean["roles"] = list(locked.scope_roles.all())
        clean["managers"] = list(locked.scope_managers.all())
    else:
        clean = _clean(after)
    old_schedule = schedule_of(locked)
    _write(locked, clean)
    if locked.status == Status.OPEN:
        _schedule(locked, skip=old_schedule)
    return locked


def _who(values: Mapping[str, Any]) -> tuple[Any, ...]:
    """Whom values name: the scope and its list (the other list does not count)."""
    scope = values.get("scope")
    roles = (values.get("roles") or []) if scope == Scope.ROLES else []
    managers = (values.get("managers") or []) if scope == Scope.MANAGERS else []
    try:
        return (scope, sorted(roles), sorted(managers))
    except TypeError:  # a list of mixed types: not the same as a stored one
        return (scope, roles, managers)


# --- Writes: open and close ---------------------------------------------------------------


@transaction.atomic
def cycle_open(*, by: Person, cycle: Cycle) -> Cycle:
    """Open a draft: a to-do list (CycleParticipant) for everyone in scope, who are told
    (and their managers, of the manager step), and the reminders scheduled."""
    _hr(by)
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.status != Status.DRAFT:
        raise Conflict(f"Only a draft cycle opens; this one is {locked.status}.")
    people = list(people_in_scope(locked).select_related("manager").order_by("pk"))
    if not people:
        raise ValidationError({"scope": "Nobody active is in scope: the cycle would be empty."})
    locked.status, locked.opened_at = Status.OPEN, timezone.now()
    locked.save(update_fields=["status", "opened_at"])
    CycleParticipant.objects.bulk_create(
        CycleParticipant(cycle=locked, person=person) for person in people
    )
    _notify_open(locked, people)
    _schedule(locked)
    audit.record(
        by=by,
        action="cycle.open",
        summary=f"Opened the review cycle “{locked.name}” for {len(people)} people.",
        target=f"cycle:{locked.pk}",
    )
    return locked


@transaction.atomic
def cycle_close(*, by: Person, cycle: Cycle) -> Cycle:
    """Close an open cycle: its progress, as of now, is kept in final_progress."""
    _hr(by)
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.status != Status.OPEN:
        raise Conflict(f"Only an open cycle closes; this one is {locked.status}.")
    today = site_today()
    rows = _live_rows(locked, today=today)
    locked.final_progress = {
        "closed_on": today.isoformat(),
        "rows": [
            {
                "person": row.person_id,
                "manager": row.manager_id,
                "states": row.states,
                "overdue": list(row.overdue),
            }
            for row in rows
        ],
    }
    locked.status, locked.closed_at = Status.CLOSED, timezone.now()
    locked.save(update_fields=["status", "closed_at", "final_progress"])
    audit.record(
        by=by,
        action="cycle.close",
        summary=f"Closed the review cycle “{locked.name}”.",
        target=f"cycle:{locked.pk}",
    )
    return locked


def _cycle_link(cycle: Cycle) -> str:
    return reverse("assessments:cycle", args=[cycle.pk])


def _notify_open(cycle: Cycle, people: Sequence[Person]) -> None:
    feedback = (
        f" Ask colleagues for input by {day_words(cycle.feedback_due)}."
        if cycle.feedback_due
        else ""
    )
    notify(
        recipients=people,
        kind=Notification.Kind.CYCLE,
        title=f"Self-assessment due {day_words(cycle.self_due)}",
        body=f"The review cycle “{cycle.name}” is open: rate yourself by "
        f"{day_words(cycle.self_due)}.{feedback} Your manager assesses you by "
        f"{day_words(cycle.manager_due)}.",
        link=reverse("assessments:assess"),
    )
    reports: dict[int, int] = defaultdict(int)
    managers: dict[int, Person] = {}
    for person in people:
        if person.manager is not None:
            reports[person.manager.pk] += 1
            managers[person.manager.pk] = person.manager
    for pk, count in reports.items():
        notify(
            recipients=[managers[pk]],
            kind=Notification.Kind.CYCLE,
            title=f"Manager assessments due {day_words(cycle.manager_due)}",
            body=f"The review cycle “{cycle.name}” is open: assess {_reports(count)} "
            f"by {day_words(cycle.manager_due)}, after their self-assessments.",
            link=_cycle_link(cycle),
        )


def _reports(count: int) -> str:
    return f"your {count} report{'s' if count != 1 else ''} in it"


# --- Reminders --------------------------------------------------------------------------


def schedule_of(cycle: Cycle) -> set[tuple[str, date]]:
    """(step, day) of every reminder the cycle's current dates call for: n days before
    each due date for each n of reminder_days, and the day after (overdue)."""
    days: set[tuple[str, date]] = set()
    for step, due in steps_of(cycle):
        days.update((step, due - timedelta(days=n)) for n in cycle.reminder_days)
        days.add((step, due + timedelta(days=1)))
    return days


def reminder_at(day: date) -> datetime:
    """When a reminder of `day` goes: at the digest hour, in the site's time zone."""
    hour = min(max(settings.CAREERMAP_DIGEST_HOUR, 0), 23)
    return datetime.combine(day, time(hour=hour), tzinfo=timezone.get_default_timezone())


def _schedule(cycle: Cycle, *, skip: Iterable[tuple[str, date]] = ()) -> int:
    """Queue a cycle_remind task for each reminder still ahead (after today: opening
    told everyone today), but those in `skip` (already queued). Returns how many."""
    today, queued = site_today(), set(skip)
    count = 0
    for step, day in sorted(schedule_of(cycle) - queued, key=lambda pair: pair[1]):
        if day <= today:
            continue
        cycle_remind.using(run_after=reminder_at(day)).enqueue(cycle.pk, step, day.isoformat())
        count += 1
    return count


@task
def cycle_remind(cycle_id: int, step: str, day: str) -> str:
    """Remind everyone not done with `step` of the cycle: its reminder of `day` (an ISO
    date), or the overdue notice if `day` is the day after the due date. Does nothing
    if the cycle is no longer open, if its dates no longer call for this reminder, or
    if it was sent already. Returns what it did."""
    try:
        on = date.fromisoformat(day)
    except ValueError:
        return f"not sent: {day!r} is not a day"
    try:
        with transaction.atomic():
            # The lock makes a second worker wait, then find the reminder recorded.
            cycle = Cycle.objects.select_for_update().filter(pk=cycle_id).first()
            if cycle is None:
                return "not sent: the cycle is gone"
            if cycle.status != Status.OPEN:
                return f"not sent: the cycle is {cycle.status}"
            if (step, on) not in schedule_of(cycle):
                return "not sent: the cycle's dates or reminder days changed"
            if CycleReminder.objects.filter(cycle=cycle, step=step, day=on).exists():
                return "not sent: sent already"
            CycleReminder.objects.create(cycle=cycle, step=step, day=on)
            told = _remind(cycle, step, on)
    except IntegrityError:  # another worker recorded it between our check and insert
        return "not sent: sent already"
    return f"reminded {told} people of the {step} step"


def _remind(cycle: Cycle, step: str, on: date) -> int:
    due = dict(steps_of(cycle))[step]
    overdue = on > due
    rows = [r for r in _live_rows(cycle, today=on) if r.states[step] != DONE]
    when = f"was due {day_words(due)}" if overdue else f"is due {day_words(due)}"
    first = "Overdue" if overdue else "Reminder"
    if step in (SELF, FEEDBACK):
        people = [r.person for r in rows if r.person is not None]
        if step == SELF:
            title = f"{first}: self-assessment {'overdue' if overdue else 'due'} {day_words(due)}"
            body = f"Your self-assessment in the review cycle “{cycle.name}” {when}."
            link = reverse("assessments:assess")
        else:
            title = f"{first}: input from others {'overdue' if overdue else 'due'} {day_words(due)}"
            body = (
                f"Input from others in the review cycle “{cycle.name}” {when}: ask "
                "colleagues how they see your skills."
            )
            link = reverse("assessments:feedback_ask")
        notify(recipients=people, kind=Notification.Kind.CYCLE, title=title, body=body, link=link)
        return len(people)
    reports: dict[int, int] = defaultdict(int)
    managers: dict[int, Person] = {}
    for row in rows:
        if row.manager is not None:
            reports[row.manager.pk] += 1
            managers[row.manager.pk] = row.manager
    for pk, count in reports.items():
        notify(
            recipients=[managers[pk]],
            kind=Notification.Kind.CYCLE,
            title=f"{first}: manager assessments {'overdue' if overdue else 'due'} "
            f"{day_words(due)}",
            body=f"In the review cycle “{cycle.name}”, {count} of your reports "
            f"{'is' if count == 1 else 'are'} still to be assessed: it {when}.",
            link=_cycle_link(cycle),
        )
    return len(reports)


# --- Submissions --------------------------------------------------------------------------


def assessment_submitted(*, assessment: Assessment) -> None:
    """Called by assessment_submit in its transaction: the step done in the person's open
    cycles, and who should know told (the person's manager of a self-assessment, the
    person of a manager assessment)."""
    at = assessment.submitted_at or timezone.now()
    person = assessment.person
    open_parts = CycleParticipant.objects.filter(
        person_id=person.pk, cycle__status=Status.OPEN, cycle__opened_at__lte=at
    )
    if assessment.kind == Assessment.Kind.SELF:
        open_parts.filter(self_done_at__isnull=True).update(self_done_at=at)
        manager = Person.objects.filter(pk=person.manager_id, is_active=True).first()
        if manager is not None:
            notify(
                recipients=[manager],
                kind=Notification.Kind.SELF_SUBMITTED,
                title=f"{person.get_full_name()} submitted a self-assessment",
                body=f"{person.get_full_name()} rated themselves: your assessment of "
                f"{person.get_short_name()} can follow.",
                link=reverse("assessments:assess_report", args=[person.pk]),
            )
    else:
        open_parts.filter(manager_done_at__isnull=True).update(manager_done_at=at)
        author = assessment.author
        notify(
            recipients=[person],
            kind=Notification.Kind.MANAGER_SUBMITTED,
            title=f"{author.get_full_name()} submitted an assessment of you",
            body="Your manager's ratings are in: see where you stand on My map.",
            link=reverse("assessments:my_map"),
        )


# --- Reads: progress ----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One participant's steps: {step: done | in_progress | not_started}, and the steps
    overdue (not done after their due date)."""

    person_id: int
    manager_id: int | None
    states: dict[str, str]
    overdue: tuple[str, ...]
    person: Person | None = None
    manager: Person | None = None

    @property
    def done(self) -> bool:
        return all(state == DONE for state in self.states.values())


@dataclass(frozen=True)
class StepProgress:
    step: str
    due: date
    done: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0

    @property
    def name(self) -> str:
        return STEP_NAMES[self.step]


@dataclass(frozen=True)
class ManagerProgress:
    """A manager's direct reports in the cycle: all steps done, and per step."""

    manager: Person | None
    manager_id: int | None
    total: int
    done: int
    steps: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Progress:
    cycle: Cycle
    on: date  # the day overdue is counted at: today, or the day it closed
    steps: list[StepProgress]
    managers: list[ManagerProgress]
    rows: list[Row]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def overdue(self) -> list[tuple[Row, str]]:
        """(participant, step) of each step overdue, by step then name."""
        order = {step: i for i, (step, _) in enumerate(steps_of(self.cycle))}
        found = [(row, step) for row in self.rows for step in row.overdue]
        return sorted(found, key=lambda pair: (order[pair[1]], _sort_name(pair[0].person)))


def _sort_name(person: Person | None) -> tuple[str, str]:
    return (person.name, person.username) if person is not None else ("", "")


def _state(done: bool, started: bool) -> str:
    return DONE if done else IN_PROGRESS if started else NOT_STARTED


def _annotated(participants: QuerySet[CycleParticipant]) -> QuerySet[CycleParticipant]:
    """What the step states need, as subqueries of the one query."""
    person = OuterRef("person_id")
    since = OuterRef("cycle__opened_at")
    return participants.annotate(
        self_draft=Exists(
            Assessment.objects.filter(
                person=person, kind=Assessment.Kind.SELF, status=Assessment.Status.DRAFT
            )
        ),
        manager_draft=Exists(
            Assessment.objects.filter(
                person=person, kind=Assessment.Kind.MANAGER, status=Assessment.Status.DRAFT
            )
        ),
        feedback_asked=Exists(FeedbackRequest.objects.filter(person=person, created_at__gte=since)),
        feedback_answered=Exists(
            FeedbackResponse.objects.filter(
                person=person,
                request__created_at__gte=since,
                status=FeedbackResponse.Status.ANSWERED,
            )
        ),
    )


def _states(cycle: Cycle, p: Any) -> dict[str, str]:
    states = {SELF: _state(p.self_done_at is not None, p.self_draft)}
    if cycle.feedback_due is not None:
        states[FEEDBACK] = _state(p.feedback_answered, p.feedback_asked)
    states[MANAGER] = _state(p.manager_done_at is not None, p.manager_draft)
    return states


def _overdue(cycle: Cycle, states: dict[str, str], on: date) -> tuple[str, ...]:
    return tuple(step for step, due in steps_of(cycle) if states[step] != DONE and on > due)


def _live_rows(cycle: Cycle, *, today: date, viewer: Person | None = None) -> list[Row]:
    """The participants' rows now: one query (with their people and managers). People
    deactivated since the cycle opened are left out. For a viewer other than HR, their
    subtree only."""
    participants = CycleParticipant.objects.filter(
        cycle=cycle, person__is_active=True
    ).select_related("cycle", "person", "person__manager")
    if viewer is not None and not viewer.is_hr:
        participants = participants.filter(person_id__in=below_ids(viewer.pk))
    rows = []
    for p in _annotated(participants):
        states = _states(cycle, p)
        rows.append(
            Row(
                person_id=p.person_id,
                manager_id=p.person.manager_id,
                states=states,
                overdue=_overdue(cycle, states, today),
                person=p.person,
                manager=p.person.manager,
            )
        )
    return sorted(rows, key=lambda r: _sort_name(r.person))


def _frozen_rows(cycle: Cycle, viewer: Person) -> list[Row]:
    """The rows kept at closing: for a viewer other than HR, those of their subtree now
    (one query); their people in one more."""
    kept = (cycle.final_progress or {}).get("rows", [])
    if not viewer.is_hr:
        mine = set(Person.objects.filter(pk__in=below_ids(viewer.pk)).values_list("pk", flat=True))
        kept = [r for r in kept if r["person"] in mine]
    ids = {r["person"] for r in kept} | {r["manager"] for r in kept if r["manager"]}
    people = Person.objects.in_bulk(ids) if ids else {}
    rows = [
        Row(
            person_id=r["person"],
            manager_id=r["manager"],
            states=r["states"],
            overdue=tuple(r["overdue"]),
            person=people.get(r["person"]),
            manager=people.get(r["manager"]) if r["manager"] else None,
        )
        for r in kept
    ]
    return sorted(rows, key=lambda r: _sort_name(r.person))


def cycle_progress(*, cycle: Cycle, viewer: Person) -> Progress:
    """Per step and per manager, done / in progress / not started / overdue, over the
    participants the viewer may see (HR: all; a manager: their subtree). An open cycle:
    now, 1 query. A closed one: as it closed, 1 query (HR) or 2; a draft: nobody."""
    if cycle.status == Status.CLOSED and cycle.final_progress is not None:
        on = date.fromisoformat(cycle.final_progress["closed_on"])
        rows = _frozen_rows(cycle, viewer)
    elif cycle.status == Status.DRAFT:
        on, rows = site_today(), []
    else:
        on = site_today()
        rows = _live_rows(cycle, today=on, viewer=viewer)
    return Progress(
        cycle=cycle, on=on, steps=_step_counts(cycle, rows), managers=_managers(rows), rows=rows
    )


def _step_counts(cycle: Cycle, rows: Sequence[Row]) -> list[StepProgress]:
    counts = []
    for step, due in steps_of(cycle):
        states = [row.states.get(step, NOT_STARTED) for row in rows]
        counts.append(
            StepProgress(
                step=step,
                due=due,
                done=states.count(DONE),
                in_progress=states.count(IN_PROGRESS),
                not_started=states.count(NOT_STARTED),
                overdue=sum(step in row.overdue for row in rows),
            )
        )
    return counts


def _managers(rows: Sequence[Row]) -> list[ManagerProgress]:
    """By each participant's manager (now; as it closed for a closed cycle); people
    without a manager last."""
    groups: dict[int | None, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row.manager_id].append(row)
    found = []
    for manager_id, members in groups.items():
        steps: dict[str, int] = defaultdict(int)
        for row in members:
            for step, state in row.states.items():
                steps[step] += state == DONE
        found.append(
            ManagerProgress(
                manager=members[0].manager,
                manager_id=manager_id,
                total=len(members),
                done=sum(row.done for row in members),
                steps=dict(steps),
            )
        )
    return sorted(found, key=lambda m: (m.manager_id is None, _sort_name(m.manager)))


CSV_COLUMNS = [
    "username",
    "name",
    "manager",
    "self",
    "feedback",
    "manager_assessment",
    "overdue",
]


def progress_csv(progress: Progress) -> str:
    """One row per participant the viewer may see: each step's state (feedback empty
    when the cycle has no such step) and the steps overdue."""
    lines = []
    for row in progress.rows:
        person, manager = row.person, row.manager
        lines.append(
            [
                person.username if person else row.person_id,
                person.get_full_name() if person else "",
                manager.username if manager else "",
                row.states.get(SELF, ""),
                row.states.get(FEEDBACK, ""),
                row.states.get(MANAGER, ""),
                "; ".join(row.overdue),
            ]
        )
    return csv_text(CSV_COLUMNS, lines)


# --- Reads: to-dos -----------------------------------------------------------------------


@dataclass(frozen=True)
class CycleTodo:
    """One open step of a person's in an open cycle: their own self-assessment or input
    from others, or a manager assessment of a direct report (`person`)."""

    cycle: Cycle
    step: str
    due: date
    overdue: bool
    started: bool
    link: str
    person: Person | None = None

    @property
    def text(self) -> str:
        when = f"was due {day_words(self.due)}" if self.overdue else f"is due {day_words(self.due)}"
        cycle = f"Review cycle “{self.cycle.name}”"
        if self.step == SELF:
            return f"{cycle}: your self-assessment {when}."
        if self.step == FEEDBACK:
            return f"{cycle}: input from others on your skills {when}."
        assert self.person is not None
        return f"{cycle}: your assessment of {self.person.get_full_name()} {when}."

    @property
    def action(self) -> str:
        if self.step == FEEDBACK:
            return "Check on input" if self.started else "Ask for input"
        verb = "Continue" if self.started else "Start"
        if self.step == MANAGER:
            assert self.person is not None
            return f"{verb} assessing {self.person.get_full_name()}"
        return f"{verb} your self-assessment"


def todos_for(person: Person) -> list[CycleTodo]:
    """The person's open steps across open cycles, soonest due first: their own
    self-assessment and input from others, and their direct reports' manager
    assessments. One query."""
    participants = (
        CycleParticipant.objects.filter(cycle__status=Status.OPEN)
        .filter(Q(person=person) | Q(person__manager=person, person__is_active=True))
        .select_related("cycle", "person")
    )
    today = site_today()
    todos = []
    for p in _annotated(participants):
        cycle = p.cycle
        states = _states(cycle, p)
        if p.person_id == person.pk:
            own = [(SELF, cycle.self_due, reverse("assessments:assess"))]
            if cycle.feedback_due is not None:
                link = reverse(
                    "assessments:feedback_mine"
                    if states[FEEDBACK] == IN_PROGRESS
                    else "assessments:feedback_ask"
                )
                own.append((FEEDBACK, cycle.feedback_due, link))
            for step, due, link in own:
                if states[step] != DONE:
                    todos.append(
                        CycleTodo(
                            cycle=cycle,
                            step=step,
                            due=due,
                            overdue=today > due,
                            started=states[step] == IN_PROGRESS,
                            link=link,
                        )
                    )
        if p.person.manager_id == person.pk and states[MANAGER] != DONE:
            todos.append(
                CycleTodo(
                    cycle=cycle,
                    step=MANAGER,
                    due=cycle.manager_due,
                    overdue=today > cycle.manager_due,
                    started=states[MANAGER] == IN_PROGRESS,
                    link=reverse("assessments:assess_report", args=[p.person_id]),
                    person=p.person,
                )
            )
    order = {SELF: 0, FEEDBACK: 1, MANAGER: 2}
    return sorted(
        todos,
        key=lambda t: (t.due, order[t.step], t.cycle.pk, _sort_name(t.person)),
    )
