"""Assessments through the API: drafts, merges, submission, and every refusal."""

from __future__ import annotations

import pytest

from assessments.models import Assessment, Rating

pytestmark = pytest.mark.django_db


def start(api, person, kind="self", ratings=()):
    return api.post(
        "/api/assessments/",
        {"person": person.pk, "kind": kind, "ratings": list(ratings)},
        format="json",
    )


def test_a_self_assessment_from_draft_to_submitted(as_, erin):
    api = as_("erin")
    created = start(api, erin, ratings=[{"skill": "mentoring", "level": 2, "evidence": "Paired."}])
    assert created.status_code == 201
    draft = created.json()
    assert draft["status"] == "draft"
    assert draft["submitted_at"] is None
    assert draft["author"] == draft["person"] == erin.pk
    assert draft["ratings"] == [
        {"skill": "mentoring", "level": 2, "evidence": "Paired.", "evidence_items": []}
    ]

    patched = api.patch(
        f"/api/assessments/{draft['id']}/",
        {"ratings": [{"skill": "mentoring", "level": 3}, {"skill": "hiring", "level": 1}]},
        format="json",
    )
    assert patched.status_code == 200
    assert patched.json()["ratings"] == [
        {"skill": "hiring", "level": 1, "evidence": "", "evidence_items": []},
        {"skill": "mentoring", "level": 3, "evidence": "Paired.", "evidence_items": []},
    ]

    submitted = api.post(f"/api/assessments/{draft['id']}/submit/")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["submitted_at"].endswith("Z")

    again = api.patch(
        f"/api/assessments/{draft['id']}/",
        {"ratings": [{"skill": "hiring", "level": 5}]},
        format="json",
    )
    assert again.status_code == 409
    assert api.post(f"/api/assessments/{draft['id']}/submit/").status_code == 409
    assert Rating.objects.get(assessment_id=draft["id"], skill__key="hiring").level == 1


def test_a_second_draft_is_a_conflict_naming_the_open_one(as_, erin):
    first = start(as_("erin"), erin).json()

    second = start(as_("erin"), erin)

    assert second.status_code == 409
    assert second.json()["id"] == first["id"]


def test_a_new_draft_starts_from_the_last_submitted_and_merges_the_post(as_, erin, assessed):
    draft = start(as_("erin"), erin, ratings=[{"skill": "hiring", "level": 2}]).json()

    assert {r["skill"]: r["level"] for r in draft["ratings"]} == {
        "system-design": 4,
        "mentoring": 3,
        "hiring": 2,
    }


def test_a_manager_assesses_a_report(as_, erin, max_):
    created = start(as_("mona"), erin, kind="manager", ratings=[{"skill": "hiring", "level": 1}])
    assert created.status_code == 201
    assert created.json()["author"] == as_("mona").get("/api/me/").json()["id"]


@pytest.mark.parametrize(
    ("ratings", "field"),
    [
        ([{"skill": "no-such-skill", "level": 1}], "skill"),
        ([{"skill": "hiring", "level": 9}], "level"),
        ([{"skill": "hiring", "level": "3"}], "level"),
        ([{"skill": 0, "level": 3}], "skill"),
        ([{"skill": "hiring", "level": 1, "evidence": 7}], "evidence"),
    ],
)
def test_bad_ratings_are_400_with_the_field_and_write_nothing(as_, erin, ratings, field):
    response = start(as_("erin"), erin, ratings=ratings)

    assert response.status_code == 400
    assert list(response.json()["ratings"]["0"]) == [field]
    assert not Assessment.objects.exists()


def test_a_duplicate_skill_in_one_request_is_refused(as_, erin):
    draft = start(as_("erin"), erin).json()
    response = as_("erin").patch(
        f"/api/assessments/{draft['id']}/",
        {"ratings": [{"skill": "hiring", "level": 1}, {"skill": "hiring", "level": 2}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "ratings": {"1": {"skill": ['Skill "hiring" appears twice in one request.']}}
    }
    assert not Rating.objects.exists()


def test_a_self_assessment_for_someone_else_is_refused_naming_the_person(as_, erin):
    response = start(as_("max"), erin)
    assert response.status_code == 403
    assert "person" in response.json()


def test_a_manager_assessment_by_a_non_manager_is_refused(as_, erin, org):
    response = start(as_("erin"), erin, kind="manager")
    assert response.status_code == 403
    assert "person" in response.json()
    assert start(as_("sam"), erin, kind="manager").status_code == 400  # sam cannot see erin


def test_a_person_the_caller_cannot_see_is_treated_as_nonexistent(as_, erin):
    invisible = start(as_("eli"), erin, kind="manager")
    missing = as_("eli").post(
        "/api/assessments/", {"person": 999999, "kind": "manager"}, format="json"
    )
    assert invisible.status_code == missing.status_code == 400
    assert invisible.json() == {"person": [f'Invalid pk "{erin.pk}" - object does not exist.']}


def test_drafts_are_private_to_their_author(as_, erin):
    draft = start(as_("max"), erin, kind="manager").json()

    assert as_("erin").get(f"/api/assessments/{draft['id']}/").status_code == 404
    assert as_("mona").get(f"/api/assessments/{draft['id']}/").status_code == 404
    assert as_("hana").get(f"/api/assessments/{draft['id']}/").status_code == 404
    assert as_("max").get(f"/api/assessments/{draft['id']}/").status_code == 200


def test_people_read_their_own_manager_assessments_with_evidence(as_, erin, assessed):
    mine = as_("erin").get("/api/assessments/?kind=manager").json()["results"]
    assert [a["id"] for a in mine] == [assessed["erin_by_max"].pk]
    assert mine[0]["ratings"][0]["evidence"]


def test_assessment_filters(as_, org, assessed):
    listed = as_("mona").get(f"/api/assessments/?person={org['eli'].pk}&kind=self").json()
    assert [a["id"] for a in listed["results"]] == [assessed["eli_self"].pk]
    assert as_("mona").get("/api/assessments/?status=submitted").json()["count"] == 6
    assert as_("mona").get("/api/assessments/?kind=peer").status_code == 400
    assert as_("mona").get("/api/assessments/?status=").status_code == 400
