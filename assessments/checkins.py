"""1:1 check-ins (issue 19): the one home of their rules.

- **Who makes one**: anyone above the person in the org chart (people.visibility's
  `manages`), with themselves as the check-in's manager; about an active person.
- **Who sees one**: the person, anyone above them, and HR (people.visibility: the
  people `user` may see); anyone else gets the 404 of a nonexistent check-in. HR who do
  not manage the person are readers: they see the shared parts, but not the agenda
  items drawn from the growth plan (a plan is the person's and their managers' only,
  as assessments.services says), and write nothing.
- **Who writes**: the person and anyone above them (the parties): agenda items (until
  the end of the check-in's date, site time zone), the shared notes, the agreed
  actions (one may go straight into the growth plan, on a focus skill, through the
  growth plan's own service), the date and the next date.
- **Private notes**: one per author and check-in, read by its author alone: never the
  other party, never a manager above, never HR, in no page, API response or admin.
  Every read of one goes through `private_note_of(checkin, author)`.
- **The agenda**: made when the check-in is made, from the person's data as the
  project's selectors answer it (`agenda_for`): focus skills and their progress
  (selectors.growth_focus_for), growth actions due within `DUE_SOON_DAYS` of the
  check-in or overdue and actions of earlier check-ins still open, stale ratings and
  divergences (gaps.GapRow.stale, .diverges, .others_diverges), new evidence
  (created since the last check-in) and new input from others, as feedback's
  aggregate only (others_for: counts, and levels once enough people answered; never
  who answered what).
- **Reminders**: a next date schedules `checkin_reminder` for the day before, at
  CAREERMAP_DIGEST_HOUR (site time zone). The task re-reads the check-in: a reminder
  for a date that is no longer the next date does nothing, and one date is reminded
  once. Both the person and the manager are notified (kind CHECKIN); the person is
  notified of a new check-in too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from assessments.feedback import others_for, site_today
from assessments.gaps import gaps_for, with_others
from assessments.models import (
    AgendaItem,
    CheckIn,
    CheckInAction,
    Evidence,
    FeedbackRequest,
    FeedbackResponse,
    FocusSkill,
    PrivateNote,
)
from assessments.selectors import growth_focus_for
from assessments.services import UNCHANGED, Unchanged, action_add, action_update
from core.inputs import input_date, input_text
from core.limits import TEXT_MAX
from people.models import Notification, Person
from people.notifications import notify
from people.visibility import manages

DUE_SOON_DAYS = 7  # a growth action due this many days after the check-in is on the agenda
FIRST_LOOKBACK_DAYS = 90  # "new" evidence and input for a person's first check-in
EVIDENCE_MAX = 10  # evidence items listed one by one; more are counted in one item
AGENDA_TEXT_MAX = AgendaItem._meta.get_field("text").max_length or 500
ACTION_TEXT_MAX = CheckInAction._meta.get_field("text").max_length or 300
NOTES_MAX = TEXT_MAX
Kind = AgendaItem.Kind
PLAN_KINDS: Final = frozenset({Kind.FOCUS, Kind.ACTION})  # drawn from the growth plan


# --- Who may do what ---------------------------------------------------------------------


def may_create(user: Person, person: Person) -> bool:
    """Anyone above an active person, active themselves."""
    return bool(user.is_active and person.is_active and manages(user, person))


def visible_checkins(user: Person) -> QuerySet[CheckIn]:
    """The check-ins of the people `user` may see (people.visibility), newest first."""
    if not user.is_authenticated or not user.is_active:
        return CheckIn.objects.none()
    return CheckIn.objects.filter(person__in=Person.objects.visible_to(user)).select_related(
        "person", "manager"
    )


def is_party(user: Person, checkin: CheckIn) -> bool:
    """The person or anyone above them: they write, and see the whole shared part. For
    a check-in `user` may see (visible_checkins): a viewer who is not HR is one of
    those; HR are parties only where they manage the person (one query then)."""
    if user.pk == checkin.person_id:
        return True
    if not user.is_hr:
        return True
    return manages(user, checkin.person)


def get_checkin_or_404(user: Person, pk: int) -> CheckIn:
    """A check-in `user` may see, with `party` set (is_party); else 404."""
    found = visible_checkins(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such check-in.")
    found.party = is_party(user, found)  # type: ignore[attr-defined]
    return found


def _check_party(by: Person, checkin: CheckIn) -> None:
    if not by.is_active or not (by.pk == checkin.person_id or manages(by, checkin.person)):
        raise PermissionDenied("Only the person and their managers write in a check-in.")


# --- Reads -------------------------------------------------------------------------------


def checkins_of(person: Person, *, limit: int | None = None) -> list[CheckIn]:
    """The person's check-ins, newest first, each with its manager and the number of
    agenda items and actions (`agenda_count`, `action_count`, `open_actions`). One
    query. The caller decided the viewer may see the person."""
    found = (
        CheckIn.objects.filter(person=person)
        .select_related("manager")
        .annotate(
            agenda_count=Count("agenda", distinct=True),
            action_count=Count("actions", distinct=True),
            open_actions=Count("actions", filter=Q(actions__done=False), distinct=True),
        )
        .order_by("-date", "-id")
    )
    return list(found[:limit] if limit is not None else found)


def next_date_of(history: Sequence[CheckIn]) -> date | None:
    """The next check-in's date: the latest check-in's next date, from checkins_of."""
    return history[0].next_date if history else None


def private_note_of(checkin: CheckIn, author: Person) -> str:
    """The author's own private note on the check-in; "" if none. One query."""
    found = PrivateNote.objects.filter(checkin=checkin, author=author).first()
    return found.text if found else ""


def checkin_detail(checkin: CheckIn, viewer: Person, *, party: bool) -> dict[str, Any]:
    """What a viewer sees of a check-in they may see: its agenda (without the growth
    plan's items for a reader), its actions, and the viewer's own private note. Three
    queries."""
    agenda = list(checkin.agenda.select_related("author"))
    if not party:
        agenda = [item for item in agenda if item.kind not in PLAN_KINDS]
    return {
        "checkin": checkin,
        "agenda": agenda,
        "actions": list(checkin.actions.all()),
        "private_notes": private_note_of(checkin, viewer) if party else "",
    }


def checkins_with_parts(queryset: QuerySet[CheckIn], viewer: Person) -> QuerySet[CheckIn]:
    """`queryset` with agenda (authors), actions and the viewer's private note
    (`mine`, a list of at most one) prefetched: three queries for any number."""
    return queryset.prefetch_related(
        Prefetch("agenda", AgendaItem.objects.select_related("author")),
        "actions",
        Prefetch("private_notes", PrivateNote.objects.filter(author=viewer), to_attr="mine"),
    )


def focus_choices(person: Person) -> list[FocusSkill]:
    """The focus skills of the person's growth plan (skills loaded): where an agreed
    action may go. One query."""
    return list(
        FocusSkill.objects.filter(plan__person=person)
        .select_related("skill")
        .order_by("skill__name")
    )


# --- The agenda ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    kind: str
    text: str
    data: dict[str, Any]


def _since(person: Person, before: CheckIn | None) -> datetime:
    """When the last check-in before `before` was made; FIRST_LOOKBACK_DAYS ago for a
    first one."""
    earlier = CheckIn.objects.filter(person=person)
    if before is not None and before.pk:
        earlier = earlier.exclude(pk=before.pk)
    last = earlier.order_by("-created_at", "-id").first()
    return last.created_at if last else timezone.now() - timedelta(days=FIRST_LOOKBACK_DAYS)


def _day(day: date | datetime) -> str:
    """A date as pages write it: 5 Dec 2026."""
    return f"{day.day} {day:%b %Y}"


def _clip(text: str) -> str:
    return text if len(text) <= AGENDA_TEXT_MAX else text[: AGENDA_TEXT_MAX - 1] + "…"


def agenda_for(person: Person, *, on: date, since: datetime) -> list[Item]:
    """The generated agenda of a check-in with `person` on `on`: see the module's
    docstring. Rules are their modules': this only picks and words them."""
    items: list[Item] = []
    _, focus = growth_focus_for(person=person)
    for f in focus:
        skill = f.focus.skill
        done = sum(1 for a in f.actions if a.done)
        now = "not rated yet" if f.current is None else f"now {f.current}"
        items.append(
            Item(
                Kind.FOCUS,
                _clip(
                    f"{skill.name}: target {f.focus.target_level}, {now}; "
                    + (
                        f"{done} of {len(f.actions)} actions done."
                        if f.actions
                        else "no actions yet."
                    )
                ),
                {
                    "skill": skill.key,
                    "target_level": f.focus.target_level,
                    "current": f.current,
                    "actions_done": done,
                    "actions": len(f.actions),
                },
            )
        )
    # The calendar's end: no date past it (a check-in on 31 Dec 9999 is an odd one).
    soon = (
        on + timedelta(days=DUE_SOON_DAYS) if on < date.max - timedelta(DUE_SOON_DAYS) else date.max
    )
    for f in focus:
        for a in f.actions:
            if a.done or a.due_date is None or a.due_date > soon:
                continue
            when = "overdue since" if a.due_date < on else "due"
            items.append(
                Item(
                    Kind.ACTION,
                    _clip(f"{a.text} ({f.focus.skill.name}): {when} {_day(a.due_date)}."),
                    {
                        "action": a.pk,
                        "skill": f.focus.skill.key,
                        "due_date": a.due_date.isoformat(),
                        "overdue": a.due_date < on,
                    },
                )
            )
    open_agreed = CheckInAction.objects.filter(
        checkin__person=person, done=False, growth_action__isnull=True
    ).select_related("checkin")
    for agreed in open_agreed.order_by("due_date", "id"):
        due = f", due {_day(agreed.due_date)}" if agreed.due_date else ""
        items.append(
            Item(
                Kind.ACTION,
                _clip(f"Agreed on {_day(agreed.checkin.date)}, still open: {agreed.text}{due}."),
                {
                    "checkin_action": agreed.pk,
                    "due_date": agreed.due_date.isoformat() if agreed.due_date else None,
                    "overdue": bool(agreed.due_date and agreed.due_date < on),
                },
            )
        )
    gaps = with_others(gaps_for(person=person))
    for row in gaps.rows:
        skill = row.loaded_skill
        if row.diverges:
            items.append(
                Item(
                    Kind.DIVERGENCE,
                    _clip(
                        f"{skill.name}: self {row.self_level}, manager {row.manager_level} "
                        f"({row.spread} levels apart)."
                    ),
                    {"skill": skill.key, "self": row.self_level, "manager": row.manager_level},
                )
            )
        if row.others_diverges:
            items.append(
                Item(
                    Kind.DIVERGENCE,
                    _clip(
                        f"{skill.name}: self {row.self_level}, others' median "
                        f"{row.others_median:g}."
                    ),
                    {"skill": skill.key, "self": row.self_level, "others": row.others_median},
                )
            )
    for row in gaps.rows:
        if row.stale and row.rated_at is not None:
            skill = row.loaded_skill
            items.append(
                Item(
                    Kind.STALE,
                    _clip(
                        f"{skill.name}: last rated {_day(row.rated_at)} "
                        f"(level {row.current}), time to look again."
                    ),
                    {
                        "skill": skill.key,
                        "rated_at": row.rated_at.isoformat(),
                        "current": row.current,
                    },
                )
            )
    items.extend(_new_evidence(person, since))
    items.extend(_new_feedback(person, since))
    return items


def _new_evidence(person: Person, since: datetime) -> list[Item]:
    found = list(
        Evidence.objects.filter(person=person, created_at__gt=since).order_by("-date", "-id")[
            : EVIDENCE_MAX + 1
        ]
    )
    items = [
        Item(
            Kind.EVIDENCE,
            _clip(
                f"{e.title} ({e.get_kind_display()}, {_day(e.date)})"
                + (" — disputed" if e.disputed else "")
            ),
            {"evidence": e.pk, "date": e.date.isoformat(), "disputed": e.disputed},
        )
        for e in found[:EVIDENCE_MAX]
    ]
    if len(found) > EVIDENCE_MAX:
        more = Evidence.objects.filter(person=person, created_at__gt=since).count() - EVIDENCE_MAX
        items.append(Item(Kind.EVIDENCE, f"And {more} more new items of evidence.", {"more": more}))
    return items


def _new_feedback(person: Person, since: datetime) -> list[Item]:
    """Per skill of the requests about the person answered since `since`: others'
    aggregate (feedback.others_for) — how many gave a level, and the median only once
    enough did. Nothing says who answered, or when one person did."""
    answered = FeedbackResponse.objects.filter(
        person=person, status=FeedbackResponse.Status.ANSWERED, updated_at__gt=since
    ).values("request_id")
    skills = {
        skill.pk: skill
        for request in FeedbackRequest.objects.filter(pk__in=answered).prefetch_related("skills")
        for skill in request.skills.all()
        if not skill.retired
    }
    if not skills:
        return []
    found = others_for(person, list(skills))
    items = []
    for skill in sorted(skills.values(), key=lambda s: s.name):
        aggregate = found.get(skill.pk)
        if aggregate is None:
            continue
        if aggregate.enough and aggregate.median is not None:
            text = (
                f"Input from others on {skill.name}: {aggregate.answers} gave a level, "
                f"median {aggregate.median:g}."
            )
        else:
            text = (
                f"Input from others on {skill.name}: {aggregate.answers} gave a level, "
                "not enough to show the levels yet."
            )
        items.append(
            Item(
                Kind.FEEDBACK,
                _clip(text),
                {
                    "skill": skill.key,
                    "answers": aggregate.answers,
                    "median": aggregate.median if aggregate.enough else None,
                },
            )
        )
    return items


# --- Input ---------------------------------------------------------------------------------


def _next_after(day: date | None, next_day: date | None, errors: dict[str, str]) -> None:
    if day is not None and next_day is not None and next_day <= day:
        errors.setdefault("next_date", "The next check-in comes after this one's date.")


def _an_id(value: Any) -> bool:
    """A whole number an id column can hold (SQLite overflows past it)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


# --- Writes --------------------------------------------------------------------------------


def _link(checkin: CheckIn) -> str:
    return reverse("assessments:checkin", args=[checkin.pk])


@transaction.atomic
def checkin_create(*, by: Person, person: Person, date: Any, next_date: Any = None) -> CheckIn:
    """A check-in of `person` with `by` (anyone above them) on `date`, its agenda made
    from the person's data; the person is told, and the next date (if any) reminded."""
    if not may_create(by, person):
        raise PermissionDenied("Only the person's managers make check-ins with them.")
    errors: dict[str, str] = {}
    day = input_date(date, "date", errors, required=True)
    next_day = input_date(next_date, "next_date", errors, required=False)
    _next_after(day, next_day, errors)
    if errors or day is None:
        raise ValidationError(errors)
    since = _since(person, None)
    checkin = CheckIn.objects.create(person=person, manager=by, date=day, next_date=next_day)
    AgendaItem.objects.bulk_create(
        AgendaItem(checkin=checkin, kind=i.kind, text=i.text, data=i.data, position=n)
        for n, i in enumerate(agenda_for(person, on=day, since=since))
    )
    notify(
        recipients=[person],
        kind=Notification.Kind.CHECKIN,
        title=f"{by.get_full_name()} planned a check-in with you on {_day(day)}",
        body="The agenda is ready: add what you want to talk about before the meeting.",
        link=_link(checkin),
    )
    _schedule(checkin)
    return checkin


@dataclass(frozen=True)
class NewAction:
    text: Any
    due_date: Any = None
    focus_skill: Any = None  # a skill key of a focus skill: the action goes into the plan


@transaction.atomic
def checkin_update(
    *,
    by: Person,
    checkin: CheckIn,
    date: Any = UNCHANGED,
    notes: Any = UNCHANGED,
    next_date: Any = UNCHANGED,
    private_notes: Any = UNCHANGED,
    add_agenda: Iterable[Any] = (),
    add_actions: Iterable[NewAction] = (),
    done_actions: Mapping[int, Any] | None = None,
) -> CheckIn:
    """Change what is given, all or nothing (a ValidationError names each bad field;
    items of a list as `add_agenda[1].text`). `private_notes` is `by`'s own note;
    `done_actions` maps ids of the check-in's actions to done or not (an action in the
    growth plan follows there too)."""
    _check_party(by, checkin)
    locked = CheckIn.objects.select_for_update().filter(pk=checkin.pk).first()
    if locked is None:
        raise Http404("This check-in was removed meanwhile.")
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    if not isinstance(date, Unchanged):
        changes["date"] = input_date(date, "date", errors, required=True)
    if not isinstance(next_date, Unchanged):
        changes["next_date"] = input_date(next_date, "next_date", errors, required=False)
    if "date" in changes or "next_date" in changes:
        _next_after(
            changes.get("date", locked.date), changes.get("next_date", locked.next_date), errors
        )
    if not isinstance(notes, Unchanged):
        changes["notes"] = input_text(notes, "notes", errors, limit=NOTES_MAX, required=False)
    note = None
    if not isinstance(private_notes, Unchanged):
        note = input_text(private_notes, "private_notes", errors, limit=NOTES_MAX, required=False)
    agenda = [
        input_text(t, f"add_agenda[{n}].text", errors, limit=AGENDA_TEXT_MAX, required=True)
        for n, t in enumerate(add_agenda)
    ]
    if agenda and site_today() > changes.get("date", locked.date) and "date" not in errors:
        errors["add_agenda"] = "The agenda closes at the end of the check-in's date."
    focus_of = {f.skill.key: f for f in focus_choices(checkin.person)} if add_actions else {}
    actions: list[tuple[str, date | None, FocusSkill | None]] = []
    for n, new in enumerate(add_actions):
        text = input_text(
            new.text, f"add_actions[{n}].text", errors, limit=ACTION_TEXT_MAX, required=True
        )
        due = input_date(new.due_date, f"add_actions[{n}].due_date", errors, required=False)
        focus = None
        if new.focus_skill not in (None, ""):
            focus = focus_of.get(new.focus_skill) if isinstance(new.focus_skill, str) else None
            if focus is None:
                errors[f"add_actions[{n}].focus_skill"] = (
                    "Choose a focus skill of the growth plan, or none."
                )
        actions.append((text, due, focus))
    done: dict[CheckInAction, bool] = {}
    if done_actions:
        own = checkin.actions.select_related("growth_action__focus__plan__person").in_bulk(
            [pk for pk in done_actions if _an_id(pk)]
        )
        for n, (pk, value) in enumerate(done_actions.items()):
            if pk not in own:
                errors[f"update_actions[{n}].id"] = "Not an action of this check-in."
            elif not isinstance(value, bool):
                errors[f"update_actions[{n}].done"] = "true or false."
            else:
                done[own[pk]] = value
    if errors:
        raise ValidationError(errors)

    for field, value in changes.items():
        setattr(locked, field, value)
    locked.save()  # updated_at, whatever changed
    if note is not None:
        PrivateNote.objects.update_or_create(checkin=locked, author=by, defaults={"text": note})
    if agenda:
        last = max(locked.agenda.values_list("position", flat=True), default=-1)
        AgendaItem.objects.bulk_create(
            AgendaItem(checkin=locked, kind=Kind.ADDED, text=t, author=by, position=last + 1 + n)
            for n, t in enumerate(agenda)
        )
    for text, due, focus in actions:
        growth = action_add(by=by, focus=focus, text=text, due_date=due) if focus else None
        CheckInAction.objects.create(checkin=locked, text=text, due_date=due, growth_action=growth)
    for agreed, value in done.items():
        agreed.done = value
        agreed.save(update_fields=["done"])
        if agreed.growth_action is not None:
            action_update(by=by, action=agreed.growth_action, done=value)
    if "next_date" in changes and changes["next_date"] != checkin.next_date:
        _schedule(locked)
    return locked


# --- The reminder --------------------------------------------------------------------------


def reminder_at(next_date: date) -> datetime:
    """The day before the next check-in, at the digest hour, in the site's time zone."""
    at = time(hour=min(max(settings.CAREERMAP_DIGEST_HOUR, 0), 23))
    return datetime.combine(
        next_date - timedelta(days=1), at, tzinfo=timezone.get_default_timezone()
    )


def _schedule(checkin: CheckIn) -> None:
    """Enqueue the reminder of the check-in's next date (none for no date, or a date
    passed). A reminder queued for an earlier next date finds it changed and does
    nothing."""
    day = checkin.next_date
    if day is None or day < site_today():
        return
    checkin_reminder.using(run_after=reminder_at(day)).enqueue(checkin.pk, day.isoformat())


def reminder_title(checkin: CheckIn, day: date) -> str:
    person, manager = checkin.person.get_full_name(), checkin.manager.get_full_name()
    return f"Check-in of {person} with {manager} on {_day(day)}"


@task
def checkin_reminder(checkin_id: int, next_date: str) -> str:
    """Remind the person and the manager of the next check-in on `next_date`, if it is
    still the check-in's next date and not reminded yet."""
    with transaction.atomic():
        checkin = (
            CheckIn.objects.select_for_update(of=("self",))
            .select_related("person", "manager")
            .filter(pk=checkin_id)
            .first()
        )
        if checkin is None:
            return "nothing to do: the check-in is gone"
        if checkin.next_date is None or checkin.next_date.isoformat() != next_date:
            return "nothing to do: the next date changed"
        if checkin.next_date < site_today():
            return "nothing to do: the date passed"
        title = reminder_title(checkin, checkin.next_date)
        link = _link(checkin)
        if Notification.objects.filter(
            kind=Notification.Kind.CHECKIN, link=link, title=title
        ).exists():
            return "nothing to do: reminded already"
        recipients = [checkin.person]
        if manages(checkin.manager, checkin.person):
            recipients.append(checkin.manager)
        made = notify(
            recipients=recipients,
            kind=Notification.Kind.CHECKIN,
            title=title,
            body=f"Your next 1:1 check-in is on {_day(checkin.next_date)}: the agenda "
            "and the agreed actions are on the check-in's page.",
            link=link,
        )
        return f"reminded {len(made)} people of the check-in on {next_date}"
