"""The home page's content for one person: what to do next, where they stand, their team
at a glance (managers) and the organisation's loose ends (HR). Each number comes from
the rule's own home (the gap module, the team tallies, people.visibility); this module
only decides what is worth a line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import dateformat, timezone

from assessments.cycles import todos_for
from assessments.feedback import my_open_count
from assessments.gaps import GapRow, Gaps, gaps_for, is_stale
from assessments.models import Action, Assessment, Rating, TeamTally
from people.invitations import NOT_INVITED
from people.models import Person
from skills.models import Expectation, Role, Skill


@dataclass(frozen=True)
class Todo:
    """One thing to do: what, in words; where; the link's words."""

    text: str
    url: str
    action: str


@dataclass(frozen=True)
class Standing:
    """Where the person stands against their gap role (target, else current)."""

    gaps: Gaps

    @property
    def biggest(self) -> list[GapRow]:
        return [row for row in self.gaps.rows if row.gap > 0][:3]


@dataclass(frozen=True)
class TeamGlance:
    people: int
    measured: int  # with a role to measure against
    readiness: float | None  # the mean over them
    unassessed: int  # expectations of theirs no one has rated


@dataclass(frozen=True)
class HrGlance:
    without_role: int
    without_manager: int
    not_invited: int  # active, never logged in, never invited
    skills: int
    roles: int


@dataclass(frozen=True)
class Home:
    person: Person
    todos: list[Todo] = field(default_factory=list)
    standing: Standing | None = None
    team: TeamGlance | None = None
    hr: HrGlance | None = None


def home_for(person: Person) -> Home:
    """Everything the home page shows `person` (role and target role loaded)."""
    gaps = gaps_for(person=person)
    standing = Standing(gaps=gaps) if gaps.role is not None else None
    team = _team(person)
    return Home(
        person=person,
        # An HR admin outside the career paths (no role) is not asked to assess themself.
        todos=[
            *_cycle_todos(person),
            *(_own_todos(person, gaps) if gaps.role or not person.is_hr else []),
            *_report_todos(person),
            *_feedback_todos(person),
        ],
        standing=standing,
        team=team,
        hr=_hr() if person.is_hr else None,
    )


def _own_todos(person: Person, gaps: Gaps) -> list[Todo]:
    todos = []
    own = Assessment.objects.filter(person=person, author=person, kind=Assessment.Kind.SELF)
    found = own.aggregate(
        last=Max("submitted_at", filter=Q(status=Assessment.Status.SUBMITTED)),
        draft=Max("pk", filter=Q(status=Assessment.Status.DRAFT)),
    )
    if gaps.role is None:
        todos.append(
            Todo(
                "Choose the role you aim at: your gaps are measured against it.",
                reverse("assessments:my_map"),
                "Choose a role",
            )
        )
    if found["draft"] is not None:
        answered = Rating.objects.filter(assessment_id=found["draft"]).count()
        of = f" of {len(gaps.rows)}" if gaps.role is not None else ""
        todos.append(
            Todo(
                f"Finish your self-assessment: {answered}{of} skills answered so far.",
                reverse("assessments:assess"),
                "Continue",
            )
        )
    elif found["last"] is None:
        skills = f" the {len(gaps.rows)} skills {gaps.role.name} expects" if gaps.role else ""
        todos.append(
            Todo(
                f"Start your self-assessment: rate yourself on{skills or ' the skills'}.",
                reverse("assessments:assess"),
                "Start",
            )
        )
    stale = [row for row in gaps.rows if row.stale]
    if stale and found["draft"] is None:
        todos.append(
            Todo(
                f"{_count(len(stale), 'of your ratings is', 'of your ratings are')} over "
                f"{settings.CAREERMAP_STALE_AFTER_DAYS} days old: review "
                f"{'it' if len(stale) == 1 else 'them'} in a new self-assessment.",
                reverse("assessments:assess"),
                "Review",
            )
        )
    overdue = Action.objects.filter(
        focus__plan__person=person, done=False, due_date__lt=timezone.localdate()
    ).count()
    if overdue:
        todos.append(
            Todo(
                f"{overdue} growth {'action is' if overdue == 1 else 'actions are'} past "
                "the due date.",
                reverse("assessments:growth_plan"),
                "Open your growth plan",
            )
        )
    if gaps.role is not None and found["last"] is not None:
        changed = _expectations_changed(gaps.role, since=found["last"])
        if changed is not None:
            todos.append(
                Todo(
                    f"What {gaps.role.name} expects changed on {_day(changed)}, after "
                    "your last self-assessment: your readiness may have moved.",
                    reverse("assessments:my_map"),
                    "See My map",
                )
            )
    return todos


def _day(moment: datetime) -> str:
    """A day as every page writes it ("3 Dec 2026"), in the site's time zone."""
    return dateformat.format(timezone.localtime(moment), "j M Y")


def _expectations_changed(role: Role, *, since: datetime) -> datetime | None:
    """When the role's expectations last changed, if after `since`."""
    history = Expectation.history.model
    last = history.objects.filter(role_id=role.pk, history_date__gt=since).aggregate(
        last=Max("history_date")
    )["last"]
    return last


def _cycle_todos(person: Person) -> list[Todo]:
    """The person's open steps in open review cycles (assessments.cycles), soonest first."""
    return [Todo(todo.text, todo.link, todo.action) for todo in todos_for(person)]


def _feedback_todos(person: Person) -> list[Todo]:
    """Requests for the person's input that are still open (assessments.feedback)."""
    waiting = my_open_count(person)
    if not waiting:
        return []
    return [
        Todo(
            f"{_count(waiting, 'request for your input', 'requests for your input')}: "
            "colleagues asked how you see their skills.",
            reverse("assessments:feedback_asked"),
            "Open Asked of me",
        )
    ]


def _report_todos(manager: Person) -> list[Todo]:
    """A direct report whose self-assessment came in after the manager last assessed
    them (or who was never assessed by them), and the manager's own drafts."""
    reports = (
        Person.objects.filter(manager=manager, is_active=True)
        .annotate(
            self_at=Max(
                "assessments__submitted_at",
                filter=Q(assessments__kind=Assessment.Kind.SELF),
            ),
            rated_at=Max(
                "assessments__submitted_at",
                filter=Q(assessments__kind=Assessment.Kind.MANAGER, assessments__author=manager),
            ),
            drafting=Exists(
                Assessment.objects.filter(
                    person=OuterRef("pk"), author=manager, status=Assessment.Status.DRAFT
                )
            ),
        )
        .order_by("name", "username")
    )
    todos = []
    for report in reports:
        url = reverse("assessments:assess_report", args=[report.pk])
        name = report.name or report.username
        if report.drafting:
            todos.append(Todo(f"Finish your assessment of {name}.", url, "Continue"))
        elif report.self_at is not None and (
            report.rated_at is None or report.rated_at < report.self_at
        ):
            todos.append(
                Todo(
                    f"Assess {name}: their self-assessment came in on {_day(report.self_at)}.",
                    url,
                    f"Assess {name}",
                )
            )
        elif is_stale(report.rated_at):
            assert report.rated_at is not None
            todos.append(
                Todo(
                    f"Reassess {name}: your last assessment of them was on "
                    f"{_day(report.rated_at)}, over {settings.CAREERMAP_STALE_AFTER_DAYS} "
                    "days ago.",
                    url,
                    f"Assess {name}",
                )
            )
    return todos


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _team(manager: Person) -> TeamGlance | None:
    tally = TeamTally.objects.filter(team=manager).first()
    if tally is None or not tally.people:
        return None
    return TeamGlance(
        people=tally.people,
        measured=tally.measured,
        readiness=tally.readiness_sum / tally.measured if tally.measured else None,
        unassessed=tally.unassessed,
    )


def _hr() -> HrGlance:
    active = Person.objects.filter(is_active=True)
    counts: dict[str, Any] = active.aggregate(
        without_role=Count("pk", filter=Q(role__isnull=True)),
        without_manager=Count("pk", filter=Q(manager__isnull=True)),
        # What the people list shows for ?login=uninvited&active=yes, which it links.
        not_invited=Count("pk", filter=NOT_INVITED),
    )
    return HrGlance(
        **counts,
        skills=Skill.objects.filter(retired=False).count(),
        roles=Role.objects.filter(retired=False).count(),
    )
