"""The review cycles API, as each persona (docs/api.md "Review cycles"): hana (HR)
writes and reads everything, a manager reads their subtree's progress, an engineer and
an outsider get 404; bad input is a 400 naming the field and writes nothing; the
to-dos; query counts pinned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.cycles import cycle_create, cycle_open, site_today
from assessments.models import Cycle, CycleParticipant
from tests.helpers import add_people, submit

pytestmark = pytest.mark.django_db

URL = "/api/cycles/"
TODAY = site_today()


def body(**changes):
    return {
        "name": "Winter review",
        "scope": {},
        "self_due": (TODAY + timedelta(days=10)).isoformat(),
        "feedback_due": None,
        "manager_due": (TODAY + timedelta(days=20)).isoformat(),
        "reminder_days": [7, 1],
        **changes,
    }


def opened(org, **scope) -> Cycle:
    values = {
        "name": "Winter review",
        "self_due": TODAY + timedelta(days=10),
        "manager_due": TODAY + timedelta(days=20),
        **scope,
    }
    return cycle_open(by=org["hana"], cycle=cycle_create(by=org["hana"], values=values))


def test_hr_creates_reads_changes_opens_and_closes_a_cycle(as_, org):
    hana = as_("hana")
    made = hana.post(URL, body(scope={"roles": ["senior-engineer"]}), format="json")
    assert made.status_code == 201, made.content
    data = made.json()
    assert data["scope"] == {"roles": ["senior-engineer"]}
    assert data["status"] == "draft"
    assert data["reminder_days"] == [7, 1]
    pk = data["id"]
    assert hana.get(f"{URL}{pk}/").json() == data
    assert [c["id"] for c in hana.get(URL).json()["results"]] == [pk]

    changed = hana.patch(
        f"{URL}{pk}/", {"scope": {"managers": [org["max"].pk]}, "name": "Q1"}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["scope"] == {"managers": [org["max"].pk]}
    assert changed.json()["name"] == "Q1"

    opened_ = hana.post(f"{URL}{pk}/open/")
    assert opened_.status_code == 200, opened_.content
    assert opened_.json()["status"] == "open"
    assert CycleParticipant.objects.filter(cycle_id=pk).count() == 2
    assert hana.post(f"{URL}{pk}/open/").status_code == 409

    progress = hana.get(f"{URL}{pk}/progress/").json()
    assert progress == {
        "steps": [
            {
                "step": "self",
                "due": body()["self_due"],
                "done": 0,
                "in_progress": 0,
                "not_started": 2,
                "overdue": 0,
            },
            {
                "step": "manager",
                "due": body()["manager_due"],
                "done": 0,
                "in_progress": 0,
                "not_started": 2,
                "overdue": 0,
            },
        ],
        "managers": [{"manager": org["max"].pk, "done": 0, "total": 2}],
    }
    # The people of an open cycle are fixed.
    refused = hana.patch(f"{URL}{pk}/", {"scope": {}}, format="json")
    assert refused.status_code == 409
    closed = hana.post(f"{URL}{pk}/close/")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert hana.post(f"{URL}{pk}/close/").status_code == 409
    assert hana.patch(f"{URL}{pk}/", {"name": "x"}, format="json").status_code == 409


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": 3}, "name"),
        ({"self_due": "31/12/2026"}, "self_due"),
        ({"self_due": "0001-01-01"}, "self_due"),
        ({"manager_due": TODAY.isoformat()}, "manager_due"),
        ({"feedback_due": (TODAY + timedelta(days=40)).isoformat()}, "manager_due"),
        ({"reminder_days": [-1]}, "reminder_days"),
        ({"reminder_days": [1000]}, "reminder_days"),
        ({"reminder_days": "7"}, "reminder_days"),
        ({"reminder_days": [1.5]}, "reminder_days"),
        ({"scope": {"roles": ["no-such-role"]}}, "scope"),
        ({"scope": {"managers": [999999]}}, "scope"),
        ({"scope": {"managers": ["x"]}}, "scope"),
        ({"scope": {"roles": [], "managers": []}}, "scope"),
        ({"scope": {"teams": [1]}}, "scope"),
        ({"scope": []}, "scope"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(as_, org, changes, field):
    response = as_("hana").post(URL, body(**changes), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Cycle.objects.exists()


def test_an_unknown_role_and_manager_are_named(as_, org):
    roles = as_("hana").post(URL, body(scope={"roles": ["nope"]}), format="json").json()
    assert roles == {"scope": {"roles": ["Unknown role: nope."]}}
    managers = as_("hana").post(URL, body(scope={"managers": [424242]}), format="json").json()
    assert managers == {"scope": {"managers": ["Not an active manager: 424242."]}}


def test_a_bad_patch_writes_nothing(as_, org):
    pk = as_("hana").post(URL, body(), format="json").json()["id"]
    response = as_("hana").patch(
        f"{URL}{pk}/", {"name": "New", "manager_due": "2000-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "manager_due" in response.json()
    assert Cycle.objects.get().name == "Winter review"


@pytest.mark.parametrize("who", ["max", "erin", "eli"])
def test_only_hr_writes(as_, org, who):
    assert as_(who).post(URL, body(), format="json").status_code == 403
    assert not Cycle.objects.exists()


def test_a_manager_reads_their_subtree_and_may_not_write(as_, org):
    cycle = opened(org)
    max_ = as_("max")
    assert [c["id"] for c in max_.get(URL).json()["results"]] == [cycle.pk]
    assert max_.get(f"{URL}{cycle.pk}/").status_code == 200
    progress = max_.get(f"{URL}{cycle.pk}/progress/").json()
    assert progress["steps"][0]["not_started"] == 2  # erin and sam
    assert progress["managers"] == [{"manager": org["max"].pk, "done": 0, "total": 2}]
    assert max_.patch(f"{URL}{cycle.pk}/", {"name": "x"}, format="json").status_code == 403
    assert max_.post(f"{URL}{cycle.pk}/close/").status_code == 403
    assert Cycle.objects.get().status == "open"


@pytest.mark.parametrize("who", ["erin", "eli"])
def test_engineers_and_outsiders_get_404(as_, org, who):
    cycle = opened(org, scope="managers", managers=[org["max"].pk])
    client = as_(who)
    assert client.get(URL).json()["results"] == []
    for url in (f"{URL}{cycle.pk}/", f"{URL}{cycle.pk}/progress/"):
        assert client.get(url).status_code == 404
    assert client.patch(f"{URL}{cycle.pk}/", {"name": "x"}, format="json").status_code == 404
    assert client.post(f"{URL}{cycle.pk}/open/").status_code == 404
    assert client.post(f"{URL}{cycle.pk}/close/").status_code == 404


def test_a_manager_outside_the_scope_gets_404(as_, org):
    cycle = opened(org, scope="managers", managers=[org["max"].pk])
    assert as_("mia").get(f"{URL}{cycle.pk}/progress/").status_code == 404
    assert as_("mona").get(f"{URL}{cycle.pk}/progress/").status_code == 200


def test_a_draft_is_hrs_alone(as_, org):
    pk = as_("hana").post(URL, body(), format="json").json()["id"]
    assert as_("max").get(f"{URL}{pk}/").status_code == 404
    assert as_("hana").get(f"{URL}{pk}/progress/").json()["managers"] == []


def test_opening_a_cycle_with_nobody_in_it_is_a_400(as_, org):
    pk = as_("hana").post(URL, body(scope={"roles": ["principal-engineer"]}), format="json")
    response = as_("hana").post(f"{URL}{pk.json()['id']}/open/")
    assert response.status_code == 400
    assert "scope" in response.json()


def test_my_todos(as_, org):
    cycle = opened(org, scope="managers", managers=[org["mona"].pk])
    erin = as_("erin").get("/api/me/todos/").json()
    assert erin == [
        {
            "cycle": cycle.pk,
            "cycle_name": "Winter review",
            "step": "self",
            "person": None,
            "due": cycle.self_due.isoformat(),
            "overdue": False,
            "link": "/assess/",
        }
    ]
    submit(org["erin"], org["erin"], "self", {"mentoring": 3})
    assert as_("erin").get("/api/me/todos/").json() == []
    mia = as_("mia").get("/api/me/todos/").json()
    assert [(t["step"], t["person"]) for t in mia] == [("self", None), ("manager", org["eli"].pk)]
    assert as_("hana").get("/api/me/todos/").json() == []


def test_the_schema_has_every_cycle_endpoint(as_, org):
    schema = as_("erin").get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert set(paths["/api/cycles/"]) >= {"get", "post"}
    assert set(paths["/api/cycles/{id}/"]) >= {"get", "patch"}
    assert "post" in paths["/api/cycles/{id}/open/"]
    assert "post" in paths["/api/cycles/{id}/close/"]
    assert "get" in paths["/api/cycles/{id}/progress/"]
    assert "get" in paths["/api/me/todos/"]
    assert "put" not in paths["/api/cycles/{id}/"]


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# progress/: token and user (1), the cycle (1), the participants with their people,
# managers and step states as subqueries (1).
PROGRESS_QUERIES = 3
# list: token and user (1), count (1), the page (1), its roles (1) and managers (1).
LIST_QUERIES = 5
# me/todos/: token and user (1), the open steps of the caller and their reports (1).
TODOS_QUERIES = 2


def test_query_counts_are_pinned_and_flat(as_, org, framework):
    cycle = opened(org)
    hana, max_ = as_("hana"), as_("max")
    progress = f"{URL}{cycle.pk}/progress/"
    small = (_count(hana, progress), _count(hana, URL), _count(max_, "/api/me/todos/"))
    more = add_people(org["max"], 15, framework, "grown")
    CycleParticipant.objects.bulk_create(CycleParticipant(cycle=cycle, person=p) for p in more)
    large = (_count(hana, progress), _count(hana, URL), _count(max_, "/api/me/todos/"))
    assert small == large == (PROGRESS_QUERIES, LIST_QUERIES, TODOS_QUERIES)
