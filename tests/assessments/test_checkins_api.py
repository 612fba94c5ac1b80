"""The check-ins API: /api/people/{id}/checkins/ and /api/checkins/{id}/, per persona;
private notes in no response but their author's; bad input 400 naming the field, with
nothing written; the schema; pinned query counts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from assessments.checkins import NewAction, checkin_create, checkin_update
from assessments.feedback import site_today
from assessments.models import Action, AgendaItem, CheckIn, CheckInAction, PrivateNote
from assessments.services import focus_skill_add

pytestmark = pytest.mark.django_db

TODAY = site_today()
SECRET = {"max": "max: ready for staff soon", "erin": "erin: ask about the raise"}


@pytest.fixture
def made(org) -> CheckIn:
    erin, max_ = org["erin"], org["max"]
    focus_skill_add(by=erin, person=erin, skill_key="system-design", target_level=4)
    checkin = checkin_create(by=max_, person=erin, date=TODAY, next_date=TODAY + timedelta(14))
    checkin_update(by=max_, checkin=checkin, notes="Shared.", private_notes=SECRET["max"])
    checkin_update(by=erin, checkin=checkin, private_notes=SECRET["erin"])
    return checkin


def test_the_shape(as_, org, made):
    body = as_("erin").get(f"/api/checkins/{made.pk}/").json()
    assert set(body) == {
        "id",
        "person",
        "manager",
        "date",
        "agenda",
        "notes",
        "private_notes",
        "actions",
        "next_date",
        "created_at",
        "updated_at",
    }
    assert (body["person"], body["manager"]) == (org["erin"].pk, org["max"].pk)
    assert body["date"] == TODAY.isoformat()
    assert body["next_date"] == (TODAY + timedelta(14)).isoformat()
    assert body["agenda"][0]["kind"] == "focus"
    assert set(body["agenda"][0]) == {"id", "kind", "text", "link", "data", "author"}
    assert body["private_notes"] == SECRET["erin"]
    assert body["notes"] == "Shared."


@pytest.mark.parametrize(
    ("who", "status", "own"),
    [
        ("erin", 200, SECRET["erin"]),
        ("max", 200, SECRET["max"]),
        ("mona", 200, ""),
        ("hana", 200, ""),
        ("eli", 404, None),
        ("mia", 404, None),
        ("sam", 404, None),
    ],
)
def test_each_persona_reads_only_their_own_private_note(as_, org, made, who, status, own):
    api = as_(who)
    one = api.get(f"/api/checkins/{made.pk}/")
    listed = api.get(f"/api/people/{org['erin'].pk}/checkins/")
    assert one.status_code == listed.status_code == status
    raw = one.content.decode() + listed.content.decode()
    for author, secret in SECRET.items():
        if author != who:
            assert secret not in raw, (who, author)
    if status == 200:
        assert one.json()["private_notes"] == own
        assert listed.json()["results"][0]["private_notes"] == own
        assert listed.json()["count"] == 1


def test_hr_outside_the_chain_do_not_see_the_growth_plans_items(as_, made):
    kinds = {item["kind"] for item in as_("hana").get(f"/api/checkins/{made.pk}/").json()["agenda"]}
    assert "focus" not in kinds
    kinds = {item["kind"] for item in as_("mona").get(f"/api/checkins/{made.pk}/").json()["agenda"]}
    assert "focus" in kinds


def test_a_manager_makes_one_the_person_and_hr_may_not_outsiders_get_404(as_, org):
    url = f"/api/people/{org['erin'].pk}/checkins/"
    body = {"date": TODAY.isoformat(), "next_date": (TODAY + timedelta(7)).isoformat()}
    made = as_("max").post(url, body, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["manager"] == org["max"].pk
    assert as_("mona").post(url, body, format="json").status_code == 201
    assert as_("erin").post(url, body, format="json").status_code == 403
    assert as_("hana").post(url, body, format="json").status_code == 403
    assert as_("eli").post(url, body, format="json").status_code == 404
    assert as_("max").post("/api/people/999999/checkins/", body, format="json").status_code == 404
    assert CheckIn.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "date"),
        ({"date": "tomorrow"}, "date"),
        ({"date": "2026-01-10", "next_date": "2026-01-09"}, "next_date"),
        ({"date": 20260110}, "date"),
    ],
)
def test_bad_input_on_create_is_a_400_naming_the_field(as_, org, body, field):
    response = as_("max").post(f"/api/people/{org['erin'].pk}/checkins/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not CheckIn.objects.exists()


def test_patch_writes_notes_private_notes_agenda_and_actions(as_, org, made):
    body = {
        "notes": "We agreed.",
        "private_notes": "erin's new secret",
        "add_agenda": [{"text": "Conference"}],
        "add_actions": [
            {"text": "Read the book"},
            {"text": "Lead a review", "due_date": "2027-01-10", "focus_skill": "system-design"},
        ],
    }
    response = as_("erin").patch(f"/api/checkins/{made.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["notes"] == "We agreed."
    assert data["private_notes"] == "erin's new secret"
    assert data["agenda"][-1]["kind"] == "added"
    assert data["agenda"][-1]["author"] == org["erin"].pk
    first, second = data["actions"]
    assert first["growth_action"] is None
    assert second["growth_action"] == Action.objects.get(text="Lead a review").pk
    done = as_("max").patch(
        f"/api/checkins/{made.pk}/",
        {"update_actions": [{"id": first["id"], "done": True}]},
        format="json",
    )
    assert done.json()["actions"][0]["done"] is True
    assert done.json()["private_notes"] == SECRET["max"]  # max's own, untouched


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"notes": 3}, "notes"),
        ({"next_date": "next week"}, "next_date"),
        ({"next_date": "2000-01-01"}, "next_date"),
        ({"add_agenda": [{"text": ""}]}, "add_agenda"),
        ({"add_agenda": "Conference"}, "add_agenda"),
        ({"add_actions": [{"text": "x", "focus_skill": "hiring"}]}, "add_actions"),
        ({"update_actions": [{"id": 999999, "done": True}]}, "update_actions"),
        ({"update_actions": [{"id": 2**70, "done": True}]}, "update_actions"),
        ({"update_actions": [{"id": 1, "done": "yes"}]}, "update_actions"),
        ({"private_notes": "a\x00b"}, "private_notes"),
        ({"notes": "x" * 5001}, "notes"),
    ],
)
def test_bad_input_on_patch_is_a_400_naming_the_field_and_writes_nothing(as_, made, body, field):
    before = snapshot()
    response = as_("max").patch(
        f"/api/checkins/{made.pk}/", {"notes": "Changed?", **body}, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert snapshot() == before


def snapshot() -> list:
    return [
        list(CheckIn.objects.values_list("notes", "next_date", "date")),
        list(AgendaItem.objects.values_list("kind", "text")),
        list(CheckInAction.objects.values_list("text", "done")),
        sorted(PrivateNote.objects.values_list("author", "text")),
        list(Action.objects.values_list("text")),
    ]


@pytest.mark.parametrize(("who", "status"), [("hana", 403), ("eli", 404), ("sam", 404)])
def test_readers_may_not_patch_and_outsiders_get_404(as_, made, who, status):
    before = snapshot()
    response = as_(who).patch(f"/api/checkins/{made.pk}/", {"notes": "Mine"}, format="json")
    assert response.status_code == status
    assert snapshot() == before


def test_anonymous_is_refused_and_odd_ids_are_404(made):
    api = APIClient()
    assert api.get(f"/api/checkins/{made.pk}/").status_code == 401


@pytest.mark.parametrize("pk", ["0", "99999999999999999999", "-1", "abc"])
def test_odd_ids_are_404_never_500(as_, made, pk):
    api = as_("max")
    assert api.get(f"/api/checkins/{pk}/").status_code == 404
    assert api.get(f"/api/people/{pk}/checkins/").status_code == 404
    assert api.patch(f"/api/checkins/{pk}/", {}, format="json").status_code == 404


def test_options_answer(as_, org, made):
    for url in (f"/api/checkins/{made.pk}/", f"/api/people/{org['erin'].pk}/checkins/"):
        assert as_("erin").options(url).status_code == 200


def test_every_endpoint_is_in_the_schema(as_):
    schema = as_("erin").get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert set(paths["/api/people/{id}/checkins/"]) >= {"get", "post"}
    assert set(paths["/api/checkins/{id}/"]) >= {"get", "patch"}
    patch = paths["/api/checkins/{id}/"]["patch"]
    assert "CheckInUpdate" in json.dumps(patch["requestBody"])


# --- Query counts ----------------------------------------------------------------------

# The list: the person (visibility), the page's count, the check-ins, their agenda items
# with authors, their actions, the caller's own private notes; "party?" (one query for
# an HR viewer only).
LIST_QUERIES = 6
# One: the check-in (visibility), again with its parts: agenda, actions, own note.
DETAIL_QUERIES = 5


def queries(user, url: str) -> int:
    api = APIClient()
    api.force_authenticate(user)
    with CaptureQueriesContext(connection) as captured:
        assert api.get(url).status_code == 200
    return len(captured)


def test_query_counts_are_pinned_and_flat(org, made):
    erin, max_ = org["erin"], org["max"]
    urls = (f"/api/people/{erin.pk}/checkins/", f"/api/checkins/{made.pk}/")
    few = [queries(max_, url) for url in urls]
    for n in range(5):
        more = checkin_create(by=max_, person=erin, date=TODAY + timedelta(n + 1))
        checkin_update(
            by=erin,
            checkin=more,
            add_agenda=["a", "b", "c"],
            add_actions=[NewAction("x"), NewAction("y")],
            private_notes="mine",
        )
    checkin_update(by=erin, checkin=made, add_agenda=["a", "b", "c"])
    assert [queries(max_, url) for url in urls] == few == [LIST_QUERIES, DETAIL_QUERIES]
