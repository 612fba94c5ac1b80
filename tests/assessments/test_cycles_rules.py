"""Review cycles' rules (assessments.cycles): scope, validation, open and close, step
states, progress per step and per manager, reminders (scheduled, idempotent, stale
after a change of dates), to-dos, and the notifications of a submission."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_tasks_db.models import DBTaskResult

from assessments import cycles
from assessments.cycles import (
    cycle_close,
    cycle_create,
    cycle_open,
    cycle_progress,
    cycle_remind,
    cycle_update,
    cycles_visible_to,
    people_in_scope,
    site_today,
    todos_for,
)
from assessments.feedback import feedback_answer, feedback_request_create
from assessments.models import Cycle, CycleParticipant, CycleReminder
from assessments.services import assessment_start
from core.errors import Conflict
from people.models import Notification
from tests.helpers import submit

pytestmark = pytest.mark.django_db

TODAY = site_today()


def values(**changes):
    return {
        "name": "Winter review",
        "self_due": TODAY + timedelta(days=10),
        "manager_due": TODAY + timedelta(days=20),
        "reminder_days": [7, 1],
        **changes,
    }


def made(org, **changes) -> Cycle:
    return cycle_create(by=org["hana"], values=values(**changes))


def opened(org, **changes) -> Cycle:
    return cycle_open(by=org["hana"], cycle=made(org, **changes))


def usernames(people) -> set[str]:
    return {p.username for p in people}


# --- Scope ----------------------------------------------------------------------------


def test_everyone_is_every_active_person(org):
    org["sam"].is_active = False
    org["sam"].save()
    assert usernames(people_in_scope(made(org))) == {"hana", "mona", "max", "mia", "erin", "eli"}


def test_roles_scope_is_the_active_holders_of_the_roles(org):
    cycle = made(org, scope="roles", roles=["senior-engineer"])
    assert usernames(people_in_scope(cycle)) == {"erin", "eli"}


def test_managers_scope_is_their_whole_subtrees_without_them(org):
    assert usernames(people_in_scope(made(org, scope="managers", managers=[org["max"].pk]))) == {
        "erin",
        "sam",
    }
    mona = made(org, scope="managers", managers=[org["mona"].pk])
    assert usernames(people_in_scope(mona)) == {"max", "mia", "erin", "sam", "eli"}


# --- Validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"manager_due": TODAY}, "manager_due"),
        ({"feedback_due": TODAY}, "feedback_due"),
        ({"feedback_due": TODAY + timedelta(days=30)}, "manager_due"),
        ({"self_due": "tomorrow"}, "self_due"),
        ({"self_due": "1999-12-31"}, "self_due"),
        ({"reminder_days": [7, -1]}, "reminder_days"),
        ({"reminder_days": [61]}, "reminder_days"),
        ({"reminder_days": "7, 1"}, "reminder_days"),
        ({"reminder_days": [True]}, "reminder_days"),
        ({"scope": "roles", "roles": ["no-such-role"]}, "roles"),
        ({"scope": "roles", "roles": []}, "roles"),
        ({"scope": "managers", "managers": [999999]}, "managers"),
        ({"scope": "managers", "managers": []}, "managers"),
        ({"scope": "nobody"}, "scope"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(org, changes, field):
    with pytest.raises(ValidationError) as raised:
        made(org, **changes)
    assert field in raised.value.message_dict, raised.value.message_dict
    assert not Cycle.objects.exists()


def test_someone_who_manages_nobody_is_not_a_manager_to_choose(org):
    with pytest.raises(ValidationError) as raised:
        made(org, scope="managers", managers=[org["erin"].pk])
    assert str(org["erin"].pk) in raised.value.message_dict["managers"][0]


def test_only_hr_writes_cycles(org):
    with pytest.raises(PermissionDenied):
        cycle_create(by=org["mona"], values=values())
    cycle = made(org)
    for write in (cycle_open, cycle_close):
        with pytest.raises(PermissionDenied):
            write(by=org["max"], cycle=cycle)
    with pytest.raises(PermissionDenied):
        cycle_update(by=org["max"], cycle=cycle, changes={"name": "Mine"})


# --- Open and close ---------------------------------------------------------------------


def test_opening_makes_the_todos_and_tells_everyone_and_their_managers(org):
    cycle = opened(org, scope="managers", managers=[org["max"].pk])
    assert cycle.status == "open"
    assert cycle.opened_at is not None
    assert usernames(p.person for p in cycle.participants.all()) == {"erin", "sam"}
    told = Notification.objects.filter(kind="cycle")
    due = cycles.day_words(cycle.self_due)
    assert usernames(n.recipient for n in told.filter(title=f"Self-assessment due {due}")) == {
        "erin",
        "sam",
    }
    [to_max] = told.filter(recipient=org["max"])
    assert to_max.title.startswith("Manager assessments due")
    assert "your 2 reports in it" in to_max.body
    assert to_max.link == f"/cycles/{cycle.pk}/"
    assert not told.filter(recipient=org["mona"]).exists()


def test_a_cycle_opens_once_and_closes_once(org):
    cycle = opened(org)
    with pytest.raises(Conflict):
        cycle_open(by=org["hana"], cycle=cycle)
    cycle_close(by=org["hana"], cycle=cycle)
    with pytest.raises(Conflict):
        cycle_close(by=org["hana"], cycle=cycle)
    with pytest.raises(Conflict):
        cycle_update(by=org["hana"], cycle=cycle, changes={"name": "Again"})


def test_a_cycle_with_nobody_in_scope_does_not_open(org):
    cycle = made(org, scope="roles", roles=["principal-engineer"])
    with pytest.raises(ValidationError) as raised:
        cycle_open(by=org["hana"], cycle=cycle)
    assert "scope" in raised.value.message_dict
    assert Cycle.objects.get().status == "draft"
    assert not CycleParticipant.objects.exists()


def test_an_open_cycle_keeps_its_people_but_may_change_its_dates(org):
    cycle = opened(org, scope="roles", roles=["senior-engineer"])
    with pytest.raises(Conflict):
        cycle_update(by=org["hana"], cycle=cycle, changes={"scope": "everyone"})
    later = TODAY + timedelta(days=12)
    cycle_update(by=org["hana"], cycle=cycle, changes={"self_due": later, "name": "Renamed"})
    cycle.refresh_from_db()
    assert (cycle.self_due, cycle.name) == (later, "Renamed")
    assert [r.key for r in cycle.scope_roles.all()] == ["senior-engineer"]


def test_closing_freezes_the_progress(org):
    cycle = opened(org, scope="managers", managers=[org["max"].pk])
    submit(org["erin"], org["erin"], "self", {"mentoring": 3})
    cycle_close(by=org["hana"], cycle=cycle)
    submit(org["sam"], org["sam"], "self", {"mentoring": 3})  # after closing: not counted
    cycle.refresh_from_db()
    [self_step, _] = cycle_progress(cycle=cycle, viewer=org["hana"]).steps
    assert (self_step.done, self_step.not_started) == (1, 1)


# --- Step states and progress ------------------------------------------------------------


def test_step_states_follow_drafts_submissions_and_input_from_others(org):
    cycle = opened(
        org,
        scope="managers",
        managers=[org["max"].pk],
        feedback_due=TODAY + timedelta(days=15),
    )
    # erin: self done, input asked and answered, max's assessment in draft.
    submit(org["erin"], org["erin"], "self", {"mentoring": 3})
    request = feedback_request_create(
        by=org["erin"],
        person=org["erin"],
        skills=["mentoring"],
        respondents=[org["eli"].pk],
        message="Please.",
        due=TODAY + timedelta(days=5),
    )
    feedback_answer(
        by=org["eli"],
        request=request,
        answers=[{"skill": "mentoring", "level": 3, "example": "Helped me."}],
    )
    assessment_start(by=org["max"], person=org["erin"], kind="manager", ratings=[])
    # sam: a self-assessment in draft, input asked, nobody answered yet.
    assessment_start(by=org["sam"], person=org["sam"], kind="self", ratings=[])
    feedback_request_create(
        by=org["sam"],
        person=org["sam"],
        skills=["mentoring"],
        respondents=[org["eli"].pk],
        message="Please.",
        due=TODAY + timedelta(days=5),
    )
    progress = cycle_progress(cycle=cycle, viewer=org["hana"])
    states = {row.person.username: row.states for row in progress.rows}
    assert states == {
        "erin": {"self": "done", "feedback": "done", "manager": "in_progress"},
        "sam": {"self": "in_progress", "feedback": "in_progress", "manager": "not_started"},
    }
    by_step = {s.step: (s.done, s.in_progress, s.not_started, s.overdue) for s in progress.steps}
    assert by_step == {"self": (1, 1, 0, 0), "feedback": (1, 1, 0, 0), "manager": (0, 1, 1, 0)}


def test_a_submission_before_the_cycle_opened_does_not_count(org):
    submit(org["erin"], org["erin"], "self", {"mentoring": 3})
    cycle = opened(org, scope="managers", managers=[org["max"].pk])
    [self_step, _] = cycle_progress(cycle=cycle, viewer=org["hana"]).steps
    assert self_step.done == 0


def test_overdue_and_per_manager_progress(org):
    cycle = opened(org, scope="managers", managers=[org["mona"].pk])
    submit(org["erin"], org["erin"], "self", {"mentoring": 3})
    submit(org["max"], org["erin"], "manager", {"mentoring": 3})
    Cycle.objects.filter(pk=cycle.pk).update(
        self_due=TODAY - timedelta(days=2), manager_due=TODAY + timedelta(days=3)
    )
    cycle.refresh_from_db()
    progress = cycle_progress(cycle=cycle, viewer=org["hana"])
    [self_step, manager_step] = progress.steps
    assert (self_step.done, self_step.overdue, manager_step.overdue) == (1, 4, 0)
    assert sorted((r.person.username, s) for r, s in progress.overdue) == [
        ("eli", "self"),
        ("max", "self"),
        ("mia", "self"),
        ("sam", "self"),
    ]
    managers = {
        (m.manager.username if m.manager else None): (m.done, m.total) for m in progress.managers
    }
    assert managers == {"max": (1, 2), "mia": (0, 1), "mona": (0, 2)}


def test_a_manager_sees_the_progress_of_their_subtree_only(org):
    cycle = opened(org)
    rows = cycle_progress(cycle=cycle, viewer=org["max"]).rows
    assert usernames(r.person for r in rows) == {"erin", "sam"}
    cycle_close(by=org["hana"], cycle=Cycle.objects.get(pk=cycle.pk))
    cycle.refresh_from_db()
    frozen = cycle_progress(cycle=cycle, viewer=org["mona"]).rows
    assert usernames(r.person for r in frozen) == {"max", "mia", "erin", "sam", "eli"}


def test_who_sees_which_cycles(org):
    draft = made(org)
    everyone = opened(org, scope="managers", managers=[org["mia"].pk])
    assert set(cycles_visible_to(org["hana"])) == {draft, everyone}
    assert set(cycles_visible_to(org["mia"])) == {everyone}
    assert set(cycles_visible_to(org["mona"])) == {everyone}
    assert set(cycles_visible_to(org["max"])) == set()
    assert set(cycles_visible_to(org["eli"])) == set()


# --- To-dos ------------------------------------------------------------------------------


def test_todos_are_the_open_steps_of_the_person_and_their_direct_reports(org):
    cycle = opened(org, scope="managers", managers=[org["mona"].pk])
    erin = todos_for(org["erin"])
    assert [(t.step, t.due, t.overdue) for t in erin] == [("self", cycle.self_due, False)]
    assert erin[0].link == "/assess/"
    mine = todos_for(org["max"])
    assert [(t.step, t.person.username if t.person else None) for t in mine] == [
        ("self", None),
        ("manager", "erin"),
        ("manager", "sam"),
    ]
    assert mine[1].link == f"/team/{org['erin'].pk}/assess/"
    submit(org["max"], org["erin"], "manager", {"mentoring": 3})
    assert [t.person.username for t in todos_for(org["max"]) if t.person] == ["sam"]
    cycle_close(by=org["hana"], cycle=cycle)
    assert todos_for(org["max"]) == []


# --- Submissions -----------------------------------------------------------------------


def test_a_self_assessment_tells_the_manager_in_a_cycle_or_not(org):
    submit(org["erin"], org["erin"], "self", {"mentoring": 3})
    [told] = Notification.objects.filter(kind="self_submitted")
    assert told.recipient == org["max"]
    assert told.title == "Erin submitted a self-assessment"
    assert told.link == f"/team/{org['erin'].pk}/assess/"


def test_a_manager_assessment_tells_the_person_and_marks_the_step(org):
    cycle = opened(org, scope="managers", managers=[org["max"].pk])
    submit(org["max"], org["erin"], "manager", {"mentoring": 3})
    [told] = Notification.objects.filter(kind="manager_submitted")
    assert told.recipient == org["erin"]
    assert told.title == "Max submitted an assessment of you"
    part = CycleParticipant.objects.get(cycle=cycle, person=org["erin"])
    assert part.manager_done_at is not None
    assert part.self_done_at is None


# --- Reminders -------------------------------------------------------------------------


def test_opening_schedules_each_reminder_at_the_digest_hour(org, settings):
    settings.CAREERMAP_DIGEST_HOUR = 9
    cycle = opened(org, feedback_due=TODAY + timedelta(days=15))
    tasks = DBTaskResult.objects.filter(task_path="assessments.cycles.cycle_remind")
    found = sorted(tuple(t.args_kwargs["args"][1:]) for t in tasks)
    expected = sorted(
        (step, day.isoformat()) for step, day in cycles.schedule_of(cycle) if day > TODAY
    )
    assert found == expected
    # self: 7 and 1 days before, the day after; the same for feedback and manager.
    assert len(found) == 9
    for result in tasks:
        at = result.run_after.astimezone(cycles.reminder_at(TODAY).tzinfo)
        assert (at.hour, at.minute) == (9, 0)


def test_a_reminder_tells_only_who_is_not_done_and_goes_once(org):
    cycle = opened(org, scope="managers", managers=[org["max"].pk])
    submit(org["erin"], org["erin"], "self", {"mentoring": 3})
    day = (cycle.self_due - timedelta(days=7)).isoformat()
    Notification.objects.all().delete()
    assert cycle_remind.call(cycle.pk, "self", day) == "reminded 1 people of the self step"
    [told] = Notification.objects.all()
    assert told.recipient == org["sam"]
    assert told.title.startswith("Reminder: self-assessment due")
    assert cycle_remind.call(cycle.pk, "self", day) == "not sent: sent already"
    assert Notification.objects.count() == 1
    assert CycleReminder.objects.count() == 1


def test_the_overdue_reminder_of_the_manager_step_goes_to_the_managers(org):
    cycle = opened(org, scope="managers", managers=[org["mona"].pk])
    submit(org["mia"], org["eli"], "manager", {"mentoring": 3})
    Notification.objects.all().delete()
    day = (cycle.manager_due + timedelta(days=1)).isoformat()
    assert cycle_remind.call(cycle.pk, "manager", day) == "reminded 2 people of the manager step"
    told = {n.recipient.username: n for n in Notification.objects.all()}
    assert set(told) == {"max", "mona"}  # mia's only report is done
    assert told["max"].title.startswith("Overdue: manager assessments overdue")
    assert "2 of your reports are still to be assessed" in told["max"].body


def test_a_reminder_of_changed_dates_or_a_closed_cycle_does_nothing(org):
    cycle = opened(org)
    old_day = cycle.self_due - timedelta(days=1)
    cycle_update(
        by=org["hana"], cycle=cycle, changes={"self_due": cycle.self_due + timedelta(days=2)}
    )
    Notification.objects.all().delete()
    assert "dates" in cycle_remind.call(cycle.pk, "self", old_day.isoformat())
    # The new day was queued on the change.
    new_day = (cycle.self_due + timedelta(days=1)).isoformat()
    queued = DBTaskResult.objects.filter(task_path="assessments.cycles.cycle_remind")
    assert any(t.args_kwargs["args"] == [cycle.pk, "self", new_day] for t in queued)
    cycle_close(by=org["hana"], cycle=cycle)
    assert cycle_remind.call(cycle.pk, "self", new_day) == "not sent: the cycle is closed"
    assert not Notification.objects.exists()
    assert cycle_remind.call(999999, "self", new_day) == "not sent: the cycle is gone"


def test_someone_deactivated_after_opening_leaves_the_progress(org):
    cycle = opened(org, scope="managers", managers=[org["max"].pk])
    org["sam"].is_active = False
    org["sam"].save()
    progress = cycle_progress(cycle=cycle, viewer=org["hana"])
    assert usernames(r.person for r in progress.rows) == {"erin"}
    assert [m.total for m in progress.managers] == [1]
