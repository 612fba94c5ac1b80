"""Ratings that cite facts (issue 17): a rating cites items of the assessed person's
evidence log; a manager assessment two levels or more from the person's own rating is
refused unless that rating cites evidence, with nothing written."""

from __future__ import annotations

import datetime

import pytest

from assessments.models import Assessment, CurrentLevel, Evidence, Rating
from skills.models import Skill
from tests.helpers import submit

pytestmark = pytest.mark.django_db


def item(person, *, by=None, skills=("system-design",), title="Design review of the queue"):
    evidence = Evidence.objects.create(
        person=person,
        added_by=by or person,
        title=title,
        kind="review",
        date=datetime.date(2026, 9, 1),
    )
    evidence.skills.set(Skill.objects.filter(key__in=skills))
    return evidence


def manager_draft(api, person, ratings):
    response = api.post(
        "/api/assessments/",
        {"person": person.pk, "kind": "manager", "ratings": ratings},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_rating_cites_items_of_the_persons_log_and_the_next_draft_keeps_them(as_, erin):
    mine = item(erin)
    api = as_("max")

    draft = manager_draft(
        api, erin, [{"skill": "system-design", "level": 3, "evidence_items": [mine.pk]}]
    )

    assert draft["ratings"][0]["evidence_items"] == [mine.pk]
    assert api.post(f"/api/assessments/{draft['id']}/submit/").status_code == 200
    again = manager_draft(api, erin, [])
    assert again["ratings"][0]["evidence_items"] == [mine.pk]
    cleared = api.patch(
        f"/api/assessments/{again['id']}/",
        {"ratings": [{"skill": "system-design", "evidence_items": []}]},
        format="json",
    )
    assert cleared.json()["ratings"][0]["evidence_items"] == []
    assert cleared.json()["ratings"][0]["level"] == 3


def test_an_item_of_someone_else_is_refused_by_field_and_nothing_is_written(as_, erin, org):
    sams = item(org["sam"])

    found = as_("max").post(
        "/api/assessments/",
        {
            "person": erin.pk,
            "kind": "manager",
            "ratings": [{"skill": "system-design", "level": 3, "evidence_items": [sams.pk]}],
        },
        format="json",
    )

    assert found.status_code == 400
    assert "evidence_items" in found.json()["ratings"]["0"]
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("items", ["3", [True], ["1"], 4])
def test_citations_are_a_list_of_ids(as_, erin, items):
    found = as_("erin").post(
        "/api/assessments/",
        {
            "person": erin.pk,
            "kind": "self",
            "ratings": [{"skill": "mentoring", "level": 2, "evidence_items": items}],
        },
        format="json",
    )

    assert found.status_code == 400
    assert "evidence_items" in found.json()["ratings"]["0"]


def _erin_rates_herself(erin, level=1):
    submit(erin, erin, "self", {"system-design": level, "mentoring": 2})


def test_a_far_manager_rating_without_evidence_is_refused_naming_the_skill(as_, erin, max_):
    _erin_rates_herself(erin, level=1)
    api = as_("max")
    draft = manager_draft(
        api,
        erin,
        [{"skill": "system-design", "level": 3}, {"skill": "mentoring", "level": 3}],
    )

    refused = api.post(f"/api/assessments/{draft['id']}/submit/")

    assert refused.status_code == 400
    errors = refused.json()["ratings"]
    # ratings[1] as the draft lists them (by skill): system-design; mentoring is one apart.
    assert list(errors) == ["1"]
    message = errors["1"]["evidence"][0]
    assert "System design" in message
    assert "you rate 3, Erin rated 1" in message
    assert Assessment.objects.get(pk=draft["id"]).status == "draft"
    assert not CurrentLevel.objects.filter(person=erin, manager_level__isnull=False).exists()


@pytest.mark.parametrize("cite", ["note", "item"])
def test_the_same_rating_citing_evidence_is_accepted(as_, erin, cite):
    _erin_rates_herself(erin, level=1)
    evidence = item(erin)
    rating = {"skill": "system-design", "level": 3}
    rating |= (
        {"evidence": "Designed the queue."} if cite == "note" else {"evidence_items": [evidence.pk]}
    )
    api = as_("max")
    draft = manager_draft(api, erin, [rating])

    assert api.post(f"/api/assessments/{draft['id']}/submit/").status_code == 200
    assert CurrentLevel.objects.get(person=erin, skill__key="system-design").level == 3


@pytest.mark.parametrize(("self_level", "status"), [(2, 200), (1, 400), (5, 400), (4, 200)])
def test_the_line_is_two_levels_either_way(as_, erin, self_level, status):
    _erin_rates_herself(erin, level=self_level)
    api = as_("max")
    draft = manager_draft(api, erin, [{"skill": "system-design", "level": 3}])

    assert api.post(f"/api/assessments/{draft['id']}/submit/").status_code == status


def test_without_a_self_rating_nothing_is_required_and_self_assessments_never_are(as_, erin):
    api = as_("max")
    draft = manager_draft(api, erin, [{"skill": "system-design", "level": 5}])
    assert api.post(f"/api/assessments/{draft['id']}/submit/").status_code == 200

    own = as_("erin").post(
        "/api/assessments/",
        {"person": erin.pk, "kind": "self", "ratings": [{"skill": "system-design", "level": 0}]},
        format="json",
    )
    assert as_("erin").post(f"/api/assessments/{own.json()['id']}/submit/").status_code == 200
    assert Rating.objects.filter(assessment__kind="self", level=0).exists()
