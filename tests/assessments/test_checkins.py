"""1:1 check-ins: the rules (assessments.checkins), the agenda, the pages, private
notes in every persona, the query counts and the reminder through the real worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments.checkins import (
    NewAction,
    checkin_create,
    checkin_reminder,
    checkin_update,
    reminder_at,
)
from assessments.evidence import evidence_add
from assessments.feedback import feedback_answer, feedback_request_create, site_today
from assessments.models import Action, CheckIn, PrivateNote
from assessments.services import action_add, focus_skill_add
from people.models import Notification
from tests.factories import PersonFactory
from tests.helpers import HTMX, Mailbox, submit

pytestmark = pytest.mark.django_db

TODAY = site_today()
SECRET_MAX = "max thinks erin is ready for staff"
SECRET_ERIN = "erin wants to ask about a raise"


def make(by, person, **kwargs) -> CheckIn:
    return checkin_create(by=by, person=person, date=kwargs.pop("date", TODAY), **kwargs)


@pytest.fixture
def rich(org):
    """erin's data, one trigger per kind of agenda item: a focus skill with an overdue
    action, self and manager 2 apart on system design, a manager rating of mentoring
    400 days old, a new evidence item, three colleagues' input on system design."""
    erin, max_ = org["erin"], org["max"]
    focus = focus_skill_add(by=erin, person=erin, skill_key="system-design", target_level=4)
    action_add(by=erin, focus=focus, text="Write the caching RFC", due_date=TODAY - timedelta(1))
    action_add(by=erin, focus=focus, text="Far away", due_date=TODAY + timedelta(60))
    submit(erin, erin, "self", {"system-design": 4})
    submit(max_, erin, "manager", {"system-design": 2})
    submit(max_, erin, "manager", {"mentoring": 3}, at=timezone.now() - timedelta(days=400))
    evidence_add(
        by=erin,
        person=erin,
        title="Led the outage review",
        kind="incident",
        date=TODAY,
        skills=["system-design"],
    )
    peers = [PersonFactory(username=f"peer{n}", manager=org["mia"]) for n in range(3)]
    request = feedback_request_create(
        by=erin,
        person=erin,
        skills=["system-design"],
        respondents=[p.pk for p in peers],
        message="How do my designs land?",
        due=TODAY + timedelta(7),
    )
    for n, peer in enumerate(peers):
        feedback_answer(
            by=peer,
            request=request,
            answers=[{"skill": "system-design", "level": 2 + n % 2, "example": f"Example {n}"}],
        )
    return org


# --- Rules ---------------------------------------------------------------------------------


def test_managers_above_make_check_ins_others_may_not(org):
    erin = org["erin"]
    assert make(org["max"], erin).manager == org["max"]
    assert make(org["mona"], erin).manager == org["mona"]  # a manager of managers
    for who in ("erin", "sam", "mia", "eli", "hana"):
        with pytest.raises(PermissionDenied):
            make(org[who], erin)


def test_bad_dates_are_refused_by_field_and_nothing_is_written(org):
    with pytest.raises(ValidationError) as caught:
        make(org["max"], org["erin"], date="soon")
    assert set(caught.value.message_dict) == {"date"}
    with pytest.raises(ValidationError) as caught:
        make(org["max"], org["erin"], next_date=TODAY)
    assert set(caught.value.message_dict) == {"next_date"}
    assert not CheckIn.objects.exists()
    assert not Notification.objects.exists()


def test_making_a_check_in_tells_the_report(org):
    made = make(org["max"], org["erin"])
    [told] = Notification.objects.all()
    assert (told.recipient, told.kind, told.link) == (
        org["erin"],
        "checkin",
        f"/checkins/{made.pk}/",
    )


def test_the_agenda_has_each_kind_of_item(rich):
    made = make(rich["max"], rich["erin"])
    texts: dict[str, list[str]] = {}
    for item in made.agenda.all():
        texts.setdefault(item.kind, []).append(item.text)
    assert set(texts) == {"focus", "action", "divergence", "stale", "evidence", "feedback"}
    assert texts["focus"] == ["System design: target 4, now 2; 0 of 2 actions done."]
    [overdue] = texts["action"]  # the action due in 60 days is not on it
    assert overdue.startswith("Write the caching RFC (System design): overdue since")
    assert "System design: self 4, manager 2 (2 levels apart)." in texts["divergence"]
    [stale] = texts["stale"]
    assert stale.startswith("Mentoring and growing others: last rated")
    assert "System design: self 4, others' median 2." in texts["divergence"]
    assert texts["evidence"] == [f"Led the outage review (Incident, {TODAY.day} {TODAY:%b %Y})"]
    [feedback] = texts["feedback"]
    assert feedback.startswith("Input from others on System design: 3 gave a level, median")
    # The aggregate only: no respondent, no example.
    assert "peer" not in feedback.lower()
    assert "Example" not in feedback


def test_new_evidence_and_input_are_those_since_the_last_check_in(rich):
    make(rich["max"], rich["erin"], date=TODAY - timedelta(7))
    again = make(rich["max"], rich["erin"])
    kinds = set(again.agenda.values_list("kind", flat=True))
    assert "evidence" not in kinds
    assert "feedback" not in kinds
    assert {"focus", "action", "divergence", "stale"} <= kinds


def test_both_parties_write_the_agenda_notes_actions_and_their_own_private_note(org):
    erin, max_ = org["erin"], org["max"]
    made = make(max_, erin)
    checkin_update(by=erin, checkin=made, add_agenda=["My promotion case"])
    checkin_update(by=max_, checkin=made, notes="We talked.", private_notes=SECRET_MAX)
    checkin_update(by=erin, checkin=made, private_notes=SECRET_ERIN)
    checkin_update(by=erin, checkin=made, add_actions=[NewAction("Pair on design")])
    added = made.agenda.get(kind="added")
    assert (added.text, added.author) == ("My promotion case", erin)
    assert CheckIn.objects.get().notes == "We talked."
    assert dict(PrivateNote.objects.values_list("author__username", "text")) == {
        "max": SECRET_MAX,
        "erin": SECRET_ERIN,
    }
    for who in ("sam", "eli", "mia", "hana"):
        with pytest.raises(PermissionDenied):
            checkin_update(by=org[who], checkin=made, notes="Mine now")


def test_an_action_goes_straight_into_the_growth_plan(org):
    erin, max_ = org["erin"], org["max"]
    focus_skill_add(by=erin, person=erin, skill_key="system-design", target_level=4)
    made = make(max_, erin)
    checkin_update(
        by=max_,
        checkin=made,
        add_actions=[NewAction("Run a design review", TODAY + timedelta(14), "system-design")],
    )
    agreed = made.actions.get()
    growth = Action.objects.get()
    assert agreed.growth_action == growth
    assert (growth.text, growth.focus.skill.key) == ("Run a design review", "system-design")
    checkin_update(by=erin, checkin=made, done_actions={agreed.pk: True})
    growth.refresh_from_db()
    assert growth.done
    assert made.actions.get().done


def test_a_bad_item_refuses_the_whole_write(org):
    made = make(org["max"], org["erin"])
    with pytest.raises(ValidationError) as caught:
        checkin_update(
            by=org["max"],
            checkin=made,
            notes="Kept?",
            add_agenda=["fine", " "],
            add_actions=[NewAction("Ok", None, "not-a-focus-skill")],
        )
    assert set(caught.value.message_dict) == {"add_agenda[1].text", "add_actions[0].focus_skill"}
    made.refresh_from_db()
    assert made.notes == ""
    assert not made.actions.exists()
    assert not made.agenda.filter(kind="added").exists()


def test_the_agenda_closes_after_the_check_in_date(org):
    made = make(org["max"], org["erin"], date=TODAY - timedelta(1))
    with pytest.raises(ValidationError) as caught:
        checkin_update(by=org["erin"], checkin=made, add_agenda=["Too late"])
    assert "add_agenda" in caught.value.message_dict


def test_private_notes_are_not_in_the_admin():
    assert PrivateNote not in admin.site._registry
    assert CheckIn not in admin.site._registry


# --- Pages: each persona ------------------------------------------------------------------


@pytest.fixture
def with_notes(rich):
    erin, max_ = rich["erin"], rich["max"]
    made = make(max_, erin, next_date=TODAY + timedelta(14))
    checkin_update(by=max_, checkin=made, notes="Shared words.", private_notes=SECRET_MAX)
    checkin_update(by=erin, checkin=made, private_notes=SECRET_ERIN)
    return made


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_private_notes_stay_private_on_every_page_in_every_persona(client, org, with_notes):
    erin = org["erin"]
    urls = [
        f"/checkins/{with_notes.pk}/",
        f"/team/{erin.pk}/checkins/",
        f"/team/{erin.pk}/",
        "/map/",
    ]
    own = {"max": SECRET_MAX, "erin": SECRET_ERIN}
    for who in ("erin", "max", "mona", "hana", "eli", "sam"):
        for url in urls:
            response = page(client, org[who], url)
            html = response.content.decode()
            for author, secret in own.items():
                if author != who:
                    assert secret not in html, (who, url)
    assert SECRET_MAX in page(client, org["max"], f"/checkins/{with_notes.pk}/").content.decode()
    assert SECRET_ERIN in page(client, erin, f"/checkins/{with_notes.pk}/").content.decode()


@pytest.mark.parametrize(
    ("who", "status", "writes"),
    [
        ("erin", 200, True),
        ("max", 200, True),
        ("mona", 200, True),
        ("hana", 200, False),
        ("eli", 404, False),
        ("mia", 404, False),
        ("sam", 404, False),
    ],
)
def test_the_check_in_page_per_persona(client, org, with_notes, who, status, writes):
    response = page(client, org[who], f"/checkins/{with_notes.pk}/")
    assert response.status_code == status
    if status == 404:
        return
    html = response.content.decode()
    assert "Shared words." in html
    assert ("Save shared notes" in html) == writes
    assert ("Your private note" in html) == writes
    # HR outside the chain do not see the growth plan's items (the plan is not theirs).
    assert ('data-kind="focus"' in html) == writes
    assert 'data-kind="divergence"' in html


def test_outsiders_and_readers_get_404_on_every_write(client, org, with_notes):
    pk = with_notes.pk
    for who in ("eli", "hana"):
        client.force_login(org[who])
        for url in ("agenda", "notes", "next", "private", "actions"):
            assert client.post(f"/checkins/{pk}/{url}/", {"notes": "x"}).status_code == 404
    assert CheckIn.objects.get().notes == "Shared words."


def test_the_report_list_is_for_managers_above_only(client, org):
    erin = org["erin"]
    for who, status in (("max", 200), ("mona", 200), ("erin", 404), ("eli", 404), ("hana", 404)):
        assert page(client, org[who], f"/team/{erin.pk}/checkins/").status_code == status


def test_a_manager_makes_a_check_in_from_the_page(client, org):
    erin = org["erin"]
    client.force_login(org["max"])
    url = f"/team/{erin.pk}/checkins/"
    bad = client.post(url, {"date": TODAY.isoformat(), "next_date": TODAY.isoformat()})
    assert bad.status_code == 200
    assert "The next check-in comes after" in bad.content.decode()
    assert not CheckIn.objects.exists()
    good = client.post(url, {"date": TODAY.isoformat(), "next_date": ""})
    made = CheckIn.objects.get()
    assert good.status_code == 302
    assert good["Location"] == f"/checkins/{made.pk}/"
    assert f"/checkins/{made.pk}/" in client.get(url).content.decode()


def test_forms_work_as_plain_posts_and_with_htmx(client, org):
    made = make(org["max"], org["erin"])
    client.force_login(org["erin"])
    plain = client.post(f"/checkins/{made.pk}/agenda/", {"text": "Conference budget"})
    assert plain.status_code == 302
    swapped = client.post(f"/checkins/{made.pk}/notes/", {"notes": "Noted."}, headers=HTMX)
    html = swapped.content.decode()
    assert swapped.status_code == 200
    assert html.lstrip().startswith('<div id="checkin">')
    assert "Conference budget" in html
    assert "Noted." in html
    bad = client.post(f"/checkins/{made.pk}/actions/", {"text": ""}, headers=HTMX)
    assert bad.status_code == 200
    assert "Write something." in bad.content.decode()
    action = client.post(f"/checkins/{made.pk}/actions/", {"text": "Book a room"})
    assert action.status_code == 302
    agreed = made.actions.get()
    client.post(f"/checkins/{made.pk}/actions/{agreed.pk}/", {"done": "1"})
    assert made.actions.get().done
    client.post(f"/checkins/{made.pk}/next/", {"next_date": (TODAY + timedelta(9)).isoformat()})
    assert CheckIn.objects.get().next_date == TODAY + timedelta(9)


def test_history_and_next_date_on_the_report_page_and_my_map(client, org, with_notes):
    erin = org["erin"]
    for user, url in ((org["max"], f"/team/{erin.pk}/"), (erin, "/map/")):
        html = page(client, user, url).content.decode()
        assert f'href="/checkins/{with_notes.pk}/"' in html, url
        assert "Next check-in:" in html, url


def test_the_agenda_links_each_item_to_where_the_viewer_looks_closer(client, org, with_notes):
    erin = org["erin"]
    mine = page(client, erin, f"/checkins/{with_notes.pk}/").content.decode()
    assert '<a href="/growth/">System design: target 4' in mine
    assert '<a href="/map/evidence/">Led the outage review' in mine
    theirs = page(client, org["max"], f"/checkins/{with_notes.pk}/").content.decode()
    assert f'<a href="/team/{erin.pk}/">System design: target 4' in theirs
    assert f'<a href="/team/{erin.pk}/evidence/">Led the outage review' in theirs
    hr = page(client, org["hana"], f"/checkins/{with_notes.pk}/").content.decode()
    assert f'href="/team/{erin.pk}/' not in hr


def test_my_check_ins_lists_the_persons_own_only(client, org, with_notes):
    assert (
        f'href="/checkins/{with_notes.pk}/"'
        in page(client, org["erin"], "/map/checkins/").content.decode()
    )
    for who in ("max", "eli", "hana"):
        html = page(client, org[who], "/map/checkins/").content.decode()
        assert f'href="/checkins/{with_notes.pk}/"' not in html, who
        assert "No check-ins yet." in html


# --- Query counts ------------------------------------------------------------------------


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# session, user, the check-in with person and manager (visibility in SQL), its agenda
# with authors, its actions, the viewer's private note, the growth plan's focus skills
# (where an action may go), the navigation's "has reports?".
CHECKIN_PAGE = 8
# session, user, the report (visibility), the check-ins with managers and counts, the
# navigation's "has reports?".
CHECKIN_LIST = 5


# session, user, the person's check-ins with managers and counts, "has reports?".
MY_CHECKINS = 4


def grow(checkin, by, n: int) -> None:
    checkin_update(
        by=by,
        checkin=checkin,
        add_agenda=[f"Item {i}" for i in range(n)],
        add_actions=[NewAction(f"Action {i}") for i in range(n)],
    )


def test_the_check_in_page_queries_are_pinned_and_flat(client, org, with_notes):
    client.force_login(org["max"])
    url = f"/checkins/{with_notes.pk}/"
    few = count(client, url)
    grow(with_notes, org["max"], 12)
    assert few == count(client, url) == CHECKIN_PAGE


def test_the_check_in_list_queries_are_pinned_and_flat(client, org):
    erin, max_ = org["erin"], org["max"]
    make(max_, erin)
    client.force_login(max_)
    url = f"/team/{erin.pk}/checkins/"
    few = count(client, url)
    for n in range(6):
        grow(make(max_, erin, date=TODAY + timedelta(n + 1)), max_, 3)
    assert few == count(client, url) == CHECKIN_LIST


# --- The reminder ------------------------------------------------------------------------


def test_the_reminder_is_queued_for_the_day_before(org):
    made = make(org["max"], org["erin"], next_date=TODAY + timedelta(10))
    task = DBTaskResult.objects.get(task_path__endswith="checkin_reminder")
    assert task.run_after == reminder_at(TODAY + timedelta(10))
    assert task.args_kwargs["args"] == [made.pk, (TODAY + timedelta(10)).isoformat()]
    assert reminder_at(TODAY + timedelta(10)).date() == TODAY + timedelta(9)


def test_a_stale_reminder_does_nothing(org):
    made = make(org["max"], org["erin"], next_date=TODAY + timedelta(10))
    checkin_update(by=org["max"], checkin=made, next_date=TODAY + timedelta(12))
    old = (TODAY + timedelta(10)).isoformat()
    assert checkin_reminder.call(made.pk, old) == "nothing to do: the next date changed"
    new = (TODAY + timedelta(12)).isoformat()
    assert checkin_reminder.call(made.pk, new).startswith("reminded 2 people")
    assert checkin_reminder.call(made.pk, new) == "nothing to do: reminded already"


def test_the_reminder_reaches_both_through_the_worker_and_smtp(org, mailbox: Mailbox, run_worker):
    erin, max_ = org["erin"], org["max"]
    made = make(max_, erin, next_date=TODAY + timedelta(3))
    run_worker()  # the new check-in's email to erin goes; the reminder waits its day
    [first] = mailbox.to(erin.email)
    assert "planned a check-in with you" in Mailbox.body(first)
    assert mailbox.to(max_.email) == []
    # The day before comes: the reminder is due now.
    DBTaskResult.objects.filter(task_path__endswith="checkin_reminder").update(
        run_after=timezone.now() - timedelta(seconds=1)
    )
    run_worker()
    [to_max] = mailbox.to(max_.email)
    body = Mailbox.body(to_max)
    assert f"Check-in of {erin.get_full_name()} with {max_.get_full_name()}" in body
    assert f"/checkins/{made.pk}/" in body
    assert Notification.objects.filter(recipient=erin, kind="checkin").count() == 2
    assert len(mailbox.to(erin.email)) <= 2  # the digest rule: at most one email a day
    assert SECRET_MAX not in body


# --- Odd input -----------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_dates_at_the_ends_of_the_calendar_are_refused_naming_the_field(client, org, day):
    # core.inputs: a date outside 2000-2100 is a typing mistake, refused like any bad date
    # (and never reaches date arithmetic that would overflow).
    with pytest.raises(ValidationError) as refused:
        make(org["max"], org["erin"], date=day)
    assert list(refused.value.message_dict) == ["date"]
    made = make(org["max"], org["erin"])
    client.force_login(org["max"])
    answer = client.post(f"/checkins/{made.pk}/next/", {"next_date": day}, follow=True)
    assert answer.status_code == 200
    assert "Give a date between 2000 and 2100." in answer.content.decode()
    made.refresh_from_db()
    assert made.next_date is None


def test_an_action_id_past_any_column_is_an_error_not_a_crash(client, org):
    made = make(org["max"], org["erin"])
    client.force_login(org["erin"])
    huge = 2**70
    response = client.post(f"/checkins/{made.pk}/actions/{huge}/", {"done": "1"})
    assert response.status_code == 302
    for text in ("\x00", "a" * 10_000):
        client.post(f"/checkins/{made.pk}/agenda/", {"text": text})
        client.post(f"/checkins/{made.pk}/notes/", {"notes": text})
        client.post(f"/checkins/{made.pk}/private/", {"private_notes": text})
    made.refresh_from_db()
    assert made.notes == ""
    assert not made.agenda.filter(kind="added").exists()
    assert not PrivateNote.objects.exists()


def test_my_check_ins_queries_are_pinned_and_flat(client, org):
    erin, max_ = org["erin"], org["max"]
    make(max_, erin)
    client.force_login(erin)
    few = count(client, "/map/checkins/")
    for n in range(6):
        grow(make(max_, erin, date=TODAY + timedelta(n + 1)), max_, 3)
    assert few == count(client, "/map/checkins/") == MY_CHECKINS
