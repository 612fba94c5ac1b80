"""The growth plan through the API: the plan, its focus skills and actions; the person
and their managers only (HR outside the chain gets 404); bad input names the field and
writes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.utils import timezone
from rest_framework.test import APIClient

from assessments.models import Action, Evidence, FocusSkill, GrowthPlan
from assessments.services import (
    action_add,
    action_set_done,
    action_update,
    focus_skill_add,
    focus_skill_set_target,
)
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def evidence_of(person, title="Led the incident review"):
    return Evidence.objects.create(
        person=person, title=title, kind="incident", date=date(2026, 3, 1), added_by=person
    )


@pytest.fixture
def plan(erin):
    """erin's plan: mentoring (target 3) with one action."""
    focus = focus_skill_add(by=erin, person=erin, skill_key="mentoring", target_level=3)
    action = action_add(by=erin, focus=focus, text="Pair weekly", due_date=date(2026, 12, 1))
    return {"focus": focus, "action": action}


def snapshot() -> list:
    """Everything a growth write can change."""
    return [
        list(GrowthPlan.objects.values_list("person", "status", "updated_at")),
        list(FocusSkill.objects.values_list("pk", "skill", "target_level")),
        list(Action.objects.values_list("pk", "text", "due_date", "done", "done_at", "evidence")),
    ]


# --- Reading ------------------------------------------------------------------------------


def test_a_person_without_a_plan_gets_the_empty_plan_and_nothing_is_written(as_, erin):
    response = as_("erin").get(f"/api/people/{erin.pk}/growth-plan/")

    assert response.status_code == 200
    assert response.json() == {"status": "not_started", "updated_at": None, "focus": []}
    assert not GrowthPlan.objects.exists()


def test_the_plan_shows_focus_skills_with_current_levels_and_actions(as_, erin, assessed, plan):
    focus_skill_add(by=erin, person=erin, skill_key="system-design", target_level=5)
    evidence = evidence_of(erin)
    Action.objects.filter(pk=plan["action"].pk).update(
        done=True, done_at=timezone.now(), evidence=evidence
    )

    data = as_("max").get(f"/api/people/{erin.pk}/growth-plan/").json()

    assert data["status"] == "in_progress"
    assert data["updated_at"].endswith("Z")
    # Ordered by skill name; current is the gap module's (manager level, else self).
    assert [(f["skill"], f["target_level"], f["current"]) for f in data["focus"]] == [
        ("mentoring", 3, 3),
        ("system-design", 5, 2),
    ]
    [action] = data["focus"][0]["actions"]
    assert action.pop("done_at").endswith("Z")
    assert action == {
        "id": plan["action"].pk,
        "text": "Pair weekly",
        "due": "2026-12-01",
        "status": "done",
        "evidence": evidence.pk,
    }
    assert data["focus"][1]["actions"] == []


def test_a_focus_skill_nobody_rated_has_no_current_level(as_, erin, plan):
    data = as_("erin").get(f"/api/people/{erin.pk}/growth-plan/").json()
    assert data["focus"][0]["current"] is None


# --- The plan's status ------------------------------------------------------------------


def test_the_status_is_set(as_, erin):
    response = as_("erin").patch(
        f"/api/people/{erin.pk}/growth-plan/", {"status": "done"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "done"
    assert GrowthPlan.objects.get(person=erin).status == "done"


def test_an_empty_patch_changes_nothing_and_creates_no_plan(as_, erin):
    response = as_("erin").patch(f"/api/people/{erin.pk}/growth-plan/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "not_started"
    assert not GrowthPlan.objects.exists()


@pytest.mark.parametrize("value", ["finished", "", None, 1, True, ["done"]])
def test_a_bad_status_is_a_400_naming_it(as_, erin, plan, value):
    before = snapshot()
    response = as_("erin").patch(
        f"/api/people/{erin.pk}/growth-plan/", {"status": value}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["status"]
    assert snapshot() == before


# --- Focus skills -------------------------------------------------------------------------


def test_adding_a_focus_skill_answers_201_and_starts_the_plan(as_, erin, assessed):
    response = as_("erin").post(
        f"/api/people/{erin.pk}/growth-plan/focus/",
        {"skill": "system-design", "target_level": 4},
        format="json",
    )

    assert response.status_code == 201
    focus = FocusSkill.objects.get()
    assert response.json() == {
        "id": focus.pk,
        "skill": "system-design",
        "target_level": 4,
        "current": 2,
        "actions": [],
    }
    assert GrowthPlan.objects.get(person=erin).status == "in_progress"


def test_adding_a_focus_skill_again_changes_its_target_and_answers_200(as_, erin, plan):
    response = as_("erin").post(
        f"/api/people/{erin.pk}/growth-plan/focus/",
        {"skill": "mentoring", "target_level": 5},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["id"] == plan["focus"].pk
    assert response.json()["target_level"] == 5
    assert [a["text"] for a in response.json()["actions"]] == ["Pair weekly"]
    assert FocusSkill.objects.get().target_level == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"skill": "no-such-skill", "target_level": 3}, "skill"),
        ({"skill": "", "target_level": 3}, "skill"),
        ({"skill": 7, "target_level": 3}, "skill"),
        ({"skill": None, "target_level": 3}, "skill"),
        ({"skill": "hir\x00ing", "target_level": 3}, "skill"),
        ({"target_level": 3}, "skill"),
        ({"skill": "hiring", "target_level": 9}, "target_level"),
        ({"skill": "hiring", "target_level": -1}, "target_level"),
        ({"skill": "hiring", "target_level": "3"}, "target_level"),
        ({"skill": "hiring", "target_level": 3.0}, "target_level"),
        ({"skill": "hiring", "target_level": True}, "target_level"),
        ({"skill": "hiring", "target_level": 10**20}, "target_level"),
        ({"skill": "hiring"}, "target_level"),
    ],
)
def test_a_bad_focus_skill_is_a_400_naming_the_field_and_writes_nothing(as_, erin, body, field):
    response = as_("erin").post(f"/api/people/{erin.pk}/growth-plan/focus/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert snapshot() == [[], [], []]


def test_a_retired_skill_cannot_become_a_focus_skill(as_, erin):
    from skills.models import Skill

    Skill.objects.filter(key="hiring").update(retired=True)
    response = as_("erin").post(
        f"/api/people/{erin.pk}/growth-plan/focus/",
        {"skill": "hiring", "target_level": 3},
        format="json",
    )
    assert response.status_code == 400
    assert "skill" in response.json()


def test_a_focus_skills_target_changes(as_, plan):
    response = as_("erin").patch(
        f"/api/growth-plan/focus/{plan['focus'].pk}/", {"target_level": 4}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["target_level"] == 4
    assert FocusSkill.objects.get().target_level == 4


@pytest.mark.parametrize("value", [9, "4", 4.0, None, False])
def test_a_bad_target_is_a_400_naming_it(as_, plan, value):
    before = snapshot()
    response = as_("erin").patch(
        f"/api/growth-plan/focus/{plan['focus'].pk}/", {"target_level": value}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["target_level"]
    assert snapshot() == before


def test_removing_a_focus_skill_removes_its_actions(as_, plan):
    response = as_("erin").delete(f"/api/growth-plan/focus/{plan['focus'].pk}/")

    assert response.status_code == 204
    assert not FocusSkill.objects.exists()
    assert not Action.objects.exists()


# --- Actions ------------------------------------------------------------------------------


def test_adding_an_action_answers_201_with_it(as_, plan):
    response = as_("erin").post(
        f"/api/growth-plan/focus/{plan['focus'].pk}/actions/",
        {"text": "  Run the design review  ", "due": "2027-01-15"},
        format="json",
    )

    assert response.status_code == 201
    added = Action.objects.get(text="Run the design review")
    assert response.json() == {
        "id": added.pk,
        "text": "Run the design review",
        "due": "2027-01-15",
        "status": "open",
        "done_at": None,
        "evidence": None,
    }
    assert added.due_date == date(2027, 1, 15)


def test_an_action_needs_no_due_date(as_, plan):
    response = as_("erin").post(
        f"/api/growth-plan/focus/{plan['focus'].pk}/actions/", {"text": "Read"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["due"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 301}, "text"),
        ({"text": 7}, "text"),
        ({"text": None}, "text"),
        ({}, "text"),
        ({"text": "Read", "due": "31/12/2026"}, "due"),
        ({"text": "Read", "due": "2026-02-30"}, "due"),
        ({"text": "Read", "due": 20261231}, "due"),
        ({"text": "Read", "due": "2026-12-31T10:00:00Z"}, "due"),
    ],
)
def test_a_bad_action_is_a_400_naming_the_field_and_writes_nothing(as_, plan, body, field):
    before = snapshot()
    response = as_("erin").post(
        f"/api/growth-plan/focus/{plan['focus'].pk}/actions/", body, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert snapshot() == before


def test_an_action_is_edited_field_by_field(as_, plan):
    url = f"/api/growth-plan/actions/{plan['action'].pk}/"

    renamed = as_("erin").patch(url, {"text": "Pair twice a week"}, format="json")
    undated = as_("erin").patch(url, {"due": None}, format="json")

    assert renamed.status_code == undated.status_code == 200
    assert undated.json()["text"] == "Pair twice a week"
    assert undated.json()["due"] is None
    action = Action.objects.get()
    assert (action.text, action.due_date, action.done) == ("Pair twice a week", None, False)


def test_done_stamps_done_at_and_open_clears_it(as_, plan):
    url = f"/api/growth-plan/actions/{plan['action'].pk}/"
    before = timezone.now()

    done = as_("erin").patch(url, {"status": "done"}, format="json")
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    stamped = Action.objects.get().done_at
    assert stamped is not None
    assert stamped >= before

    # Done again keeps the first stamp.
    as_("erin").patch(url, {"status": "done"}, format="json")
    assert Action.objects.get().done_at == stamped

    reopened = as_("erin").patch(url, {"status": "open"}, format="json")
    assert reopened.json()["status"] == "open"
    assert reopened.json()["done_at"] is None
    action = Action.objects.get()
    assert (action.done, action.done_at) == (False, None)


def test_the_page_stamps_and_clears_done_at_through_the_same_service(client, erin, plan):
    client.force_login(erin)

    client.post(f"/growth/actions/{plan['action'].pk}/", {"done": "1"})
    assert Action.objects.get().done_at is not None

    client.post(f"/growth/actions/{plan['action'].pk}/", {"done": "0"})
    assert Action.objects.get().done_at is None


def test_a_completed_action_links_an_item_of_the_persons_evidence(as_, erin, plan):
    evidence = evidence_of(erin)
    url = f"/api/growth-plan/actions/{plan['action'].pk}/"

    linked = as_("max").patch(url, {"status": "done", "evidence": evidence.pk}, format="json")

    assert linked.status_code == 200
    assert linked.json()["evidence"] == evidence.pk
    assert Action.objects.get().evidence == evidence

    unlinked = as_("erin").patch(url, {"evidence": None}, format="json")
    assert unlinked.json()["evidence"] is None
    assert Action.objects.get().evidence is None


def test_an_open_action_may_link_evidence_and_keeps_it_when_reopened(as_, erin, plan):
    evidence = evidence_of(erin)
    url = f"/api/growth-plan/actions/{plan['action'].pk}/"

    assert as_("erin").patch(url, {"evidence": evidence.pk}, format="json").status_code == 200
    as_("erin").patch(url, {"status": "done"}, format="json")
    reopened = as_("erin").patch(url, {"status": "open"}, format="json").json()

    assert (reopened["status"], reopened["evidence"]) == ("open", evidence.pk)


def test_evidence_of_another_person_is_refused_naming_evidence(as_, erin, org, plan):
    theirs = evidence_of(org["sam"], "Sam's talk")
    before = snapshot()

    response = as_("max").patch(  # max sees both erin and sam
        f"/api/growth-plan/actions/{plan['action'].pk}/",
        {"status": "done", "evidence": theirs.pk, "text": "Changed"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["evidence"]
    assert snapshot() == before


@pytest.mark.parametrize("value", [999999, 0, -1, 10**20, "1", 1.0, True, [1]])
def test_an_unknown_or_untyped_evidence_id_is_a_400_naming_evidence(as_, erin, plan, value):
    evidence_of(erin)
    before = snapshot()
    response = as_("erin").patch(
        f"/api/growth-plan/actions/{plan['action'].pk}/", {"evidence": value}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["evidence"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "finished"}, "status"),
        ({"status": True}, "status"),
        ({"text": ""}, "text"),
        ({"text": 3}, "text"),
        ({"due": "tomorrow"}, "due"),
    ],
)
def test_a_bad_action_change_is_a_400_naming_the_field_and_writes_nothing(as_, plan, body, field):
    before = snapshot()
    response = as_("erin").patch(
        f"/api/growth-plan/actions/{plan['action'].pk}/", body, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert snapshot() == before


def test_removing_an_action(as_, plan):
    response = as_("mona").delete(f"/api/growth-plan/actions/{plan['action'].pk}/")

    assert response.status_code == 204
    assert not Action.objects.exists()
    assert FocusSkill.objects.exists()


def test_methods_the_endpoints_do_not_offer_answer_405(as_, erin, plan):
    api = as_("erin")
    assert api.put(f"/api/people/{erin.pk}/growth-plan/", {}, format="json").status_code == 405
    assert api.get(f"/api/growth-plan/focus/{plan['focus'].pk}/").status_code == 405
    assert api.get(f"/api/growth-plan/actions/{plan['action'].pk}/").status_code == 405
    assert api.delete(f"/api/people/{erin.pk}/growth-plan/").status_code == 405


def test_options_answer_for_every_endpoint(as_, erin, plan):
    # Found by schemathesis: DRF's OPTIONS describes a POST with the view's serializer.
    focus, action = plan["focus"].pk, plan["action"].pk
    for url in (
        f"/api/people/{erin.pk}/growth-plan/",
        f"/api/people/{erin.pk}/growth-plan/focus/",
        f"/api/growth-plan/focus/{focus}/",
        f"/api/growth-plan/focus/{focus}/actions/",
        f"/api/growth-plan/actions/{action}/",
    ):
        assert as_("erin").options(url).status_code == 200


def test_a_focus_skill_or_action_removed_meanwhile_is_gone_not_a_server_error(erin, plan):
    # Found by schemathesis: a removal between the lookup and the write (two clients).
    focus, action = plan["focus"], plan["action"]
    FocusSkill.objects.filter(pk=focus.pk).delete()

    with pytest.raises(Http404):
        action_add(by=erin, focus=focus, text="Too late")
    with pytest.raises(Http404):
        action_update(by=erin, action=action, done=True)
    with pytest.raises(Http404):
        focus_skill_set_target(by=erin, focus=focus, target_level=4)
    assert snapshot() == [
        list(GrowthPlan.objects.values_list("person", "status", "updated_at")),
        [],
        [],
    ]


# --- Who may ------------------------------------------------------------------------------

# (method, path, body, status for the person and those above them). Paths name erin's
# plan: {erin}, {focus}, {action}.
ENDPOINTS = [
    ("get", "/api/people/{erin}/growth-plan/", None, 200),
    ("patch", "/api/people/{erin}/growth-plan/", {"status": "done"}, 200),
    ("post", "/api/people/{erin}/growth-plan/focus/", {"skill": "hiring", "target_level": 2}, 201),
    ("patch", "/api/growth-plan/focus/{focus}/", {"target_level": 4}, 200),
    ("post", "/api/growth-plan/focus/{focus}/actions/", {"text": "Read"}, 201),
    ("patch", "/api/growth-plan/actions/{action}/", {"status": "done"}, 200),
    ("delete", "/api/growth-plan/actions/{action}/", None, 204),
    ("delete", "/api/growth-plan/focus/{focus}/", None, 204),
]


def call(api: APIClient, method: str, path: str, body, erin, plan):
    url = path.format(erin=erin.pk, focus=plan["focus"].pk, action=plan["action"].pk)
    return getattr(api, method)(url, body, format="json") if body else getattr(api, method)(url)


@pytest.mark.parametrize(("method", "path", "body", "ok"), ENDPOINTS)
@pytest.mark.parametrize("who", ["erin", "max", "mona"])
def test_the_person_and_everyone_above_them_work_on_the_plan(
    as_, erin, plan, who, method, path, body, ok
):
    assert call(as_(who), method, path, body, erin, plan).status_code == ok


@pytest.mark.parametrize(("method", "path", "body", "ok"), ENDPOINTS)
@pytest.mark.parametrize("who", ["hana", "eli", "sam", "mia"])
def test_anyone_else_hr_included_gets_404_and_nothing_changes(
    as_, erin, plan, who, method, path, body, ok
):
    before = snapshot()
    response = call(as_(who), method, path, body, erin, plan)
    assert response.status_code == 404
    assert "detail" in response.json()
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path", "body", "ok"), ENDPOINTS)
def test_anonymous_requests_get_401(erin, plan, method, path, body, ok):
    response = call(APIClient(), method, path, body, erin, plan)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_someone_elses_plan_answers_as_a_nonexistent_id_does(as_, eli, plan):
    api = as_("erin")
    eli_focus = focus_skill_add(by=eli, person=eli, skill_key="hiring", target_level=2)
    pairs = [
        (api.get(f"/api/people/{eli.pk}/growth-plan/"), api.get("/api/people/999999/growth-plan/")),
        (
            api.post(f"/api/people/{eli.pk}/growth-plan/focus/", {}, format="json"),
            api.post("/api/people/999999/growth-plan/focus/", {}, format="json"),
        ),
        (
            api.patch(f"/api/growth-plan/focus/{eli_focus.pk}/", {}, format="json"),
            api.patch("/api/growth-plan/focus/999999/", {}, format="json"),
        ),
    ]
    for hidden, missing in pairs:
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()
    assert api.get(f"/api/people/{10**20}/growth-plan/").status_code == 404
    assert api.patch(f"/api/growth-plan/actions/{10**20}/", {}, format="json").status_code == 404


def test_an_hr_admin_who_manages_the_person_sees_the_plan(as_, org, plan):
    erin = org["erin"]
    erin.manager = org["hana"]
    erin.save(update_fields=["manager"])

    assert as_("hana").get(f"/api/people/{erin.pk}/growth-plan/").status_code == 200
    assert as_("max").get(f"/api/people/{erin.pk}/growth-plan/").status_code == 404


def test_a_deactivated_user_gets_401(as_, erin, plan):
    api = as_("erin")
    erin.is_active = False
    erin.save(update_fields=["is_active"])
    assert api.get(f"/api/people/{erin.pk}/growth-plan/").status_code == 401


# --- Query counts -------------------------------------------------------------------------


def grow(person, focus_skills: int, actions: int) -> None:
    keys = ["hiring", "feedback", "delegation", "system-design", "technical-depth"]
    for key in keys[:focus_skills]:
        focus = focus_skill_add(by=person, person=person, skill_key=key, target_level=3)
        for n in range(actions):
            done = action_add(by=person, focus=focus, text=f"Action {n}")
            if n % 2:
                action_set_done(by=person, action=done, done=True)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        # plan, focus skills with their skills, their actions, the current levels
        ("erin", 4),
        # the same, after erin found below max (the chain above her)
        ("max", 5),
    ],
)
def test_the_plan_query_count_is_pinned_and_flat(
    org, erin, plan, who, expected, django_assert_num_queries
):
    api = APIClient()
    api.force_authenticate(org[who])  # no authentication queries in the count
    url = f"/api/people/{erin.pk}/growth-plan/"

    with django_assert_num_queries(expected):
        assert api.get(url).status_code == 200
    grow(erin, focus_skills=5, actions=4)
    with django_assert_num_queries(expected):
        assert len(api.get(url).json()["focus"]) == 6


def test_a_person_without_a_plan_costs_two_queries(org, erin, django_assert_num_queries):
    api = APIClient()
    api.force_authenticate(erin)
    # plan (none), the current levels
    with django_assert_num_queries(2):
        assert api.get(f"/api/people/{erin.pk}/growth-plan/").status_code == 200


def test_a_plan_of_a_new_report_is_empty(as_, org):
    newcomer = PersonFactory(username="nora", manager=org["max"])
    data = as_("max").get(f"/api/people/{newcomer.pk}/growth-plan/").json()
    assert data == {"status": "not_started", "updated_at": None, "focus": []}


def test_due_dates_round_trip(as_, plan):
    due = (date.today() + timedelta(days=30)).isoformat()
    response = as_("erin").patch(
        f"/api/growth-plan/actions/{plan['action'].pk}/", {"due": due}, format="json"
    )
    assert response.json()["due"] == due
