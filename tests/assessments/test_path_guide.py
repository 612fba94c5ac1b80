"""The guide to choosing a path (issue 21): /paths/guide/ and /api/me/path-guide/. The
answers are private to the person: no other persona, HR or the admin reads them; bad
input names the field and writes nothing; the advice points to active roles."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.sites import site

from assessments.path_guide import QUESTIONS, advice_for, answers_of, reflection_save
from people.models import PathReflection, Person
from skills.models import Role

pytestmark = pytest.mark.django_db

PEOPLE_FIRST = {"energy": "people", "meetings": "enjoy", "mistakes": "coach", "grow_people": "yes"}
CODE_FIRST = {"energy": "code", "meetings": "drain", "mistakes": "fix", "grow_people": "no"}
SECRET = "on the platform migration, secretly"


def test_the_form_saves_the_persons_answers_and_shows_where_they_point(client, erin):
    client.force_login(erin)
    page = client.get("/paths/guide/").content.decode()
    for question in QUESTIONS:
        assert f'name="{question.key}"' in page
    response = client.post("/paths/guide/", {**PEOPLE_FIRST, "mom_internal": "no"})
    assert response.status_code == 302
    assert answers_of(erin) == {**PEOPLE_FIRST, "mom_internal": "no"}
    page = client.get("/paths/guide/").content.decode()
    assert 'value="people" checked' in page
    # The first track pointed to is management, with its roles linked to their pages.
    assert re.findall(r'class="guide-track" data-track="(\w+)"', page)[0] == "management"
    for role in Role.objects.active().filter(track="management"):
        assert f'href="/roles/{role.key}/"' in page
    assert "What your workplace answers mean" in page


def test_bad_answers_name_the_field_and_write_nothing(client, erin):
    reflection_save(person=erin, answers=CODE_FIRST)
    client.force_login(erin)
    response = client.post("/paths/guide/", {**PEOPLE_FIRST, "meetings": "sometimes"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="meetings-error"' in page
    assert "Nothing was saved" in page
    assert answers_of(erin) == CODE_FIRST


def test_the_rules_rank_tracks_by_the_answers(framework):
    assert advice_for({}) == []
    assert advice_for(PEOPLE_FIRST)[0].track == "management"
    assert advice_for(CODE_FIRST)[0].track == "ic"
    assert advice_for({"energy": "business"})[0].track == "other"
    ic = advice_for(CODE_FIRST)[0]
    assert {r.key for r in ic.roles} == set(
        Role.objects.active().filter(track="ic").values_list("key", flat=True)
    )
    assert ic.reasons  # every track says why


def test_archetype_variants_follow_their_role(framework):
    keys = [r.key for r in advice_for(CODE_FIRST)[0].roles]
    variants = list(
        Role.objects.filter(variant_of__key="staff-engineer").values_list("key", flat=True)
    )
    assert len(variants) >= 2
    staff = keys.index("staff-engineer")
    assert sorted(keys[staff + 1 : staff + 1 + len(variants)]) == sorted(variants)


def test_the_api_reads_and_replaces_the_callers_answers(as_, erin):
    api = as_("erin")
    assert api.get("/api/me/path-guide/").json() == {"answers": {}, "advice": [], "workplace": []}
    answers = {**CODE_FIRST, "mom_projects": SECRET, "here_in_years": "unsure"}
    data = api.put("/api/me/path-guide/", {"answers": answers}, format="json").json()
    assert data["answers"] == answers
    assert data["advice"][0]["track"] == "ic"
    assert data["advice"][0]["roles"][0]["url"].startswith("/roles/")
    assert len(data["workplace"]) == 2  # here_in_years and the projects
    # PUT replaces: a question left out is unanswered.
    api.put("/api/me/path-guide/", {"answers": {"energy": "systems"}}, format="json")
    assert answers_of(erin) == {"energy": "systems"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answers": {"energy": "money"}}, "energy"),
        ({"answers": {"favourite": "x"}}, "favourite"),
        ({"answers": {"mom_projects": "x" * 5001}}, "mom_projects"),
        ({"answers": {"energy": 3}}, "energy"),
        ({"answers": ["energy"]}, "answers"),
        ({}, "answers"),
    ],
)
def test_the_api_refuses_bad_answers_naming_the_field(as_, erin, body, field):
    reflection_save(person=erin, answers=CODE_FIRST)
    response = as_("erin").put("/api/me/path-guide/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert answers_of(erin) == CODE_FIRST


@pytest.mark.parametrize("username", ["max", "mona", "hana", "eli", "sam", "mia"])
def test_nobody_else_reads_the_answers(client, as_, org, username):
    erin = org["erin"]
    reflection_save(person=erin, answers={**CODE_FIRST, "mom_projects": SECRET})
    other = org[username]
    # Their own guide (page and API) shows their answers only: none.
    assert as_(username).get("/api/me/path-guide/").json()["answers"] == {}
    client.force_login(other)
    assert SECRET not in client.get("/paths/guide/").content.decode()
    # No page or API route takes another person's id; the person's pages others may
    # see (manager, HR) never carry the answers.
    for url in (f"/people/{erin.pk}/", f"/people/{erin.pk}/paths/", f"/people/{erin.pk}/map/"):
        response = client.get(url)
        assert SECRET not in response.content.decode(), url
    for url in (f"/api/people/{erin.pk}/", f"/api/people/{erin.pk}/paths/"):
        assert SECRET not in as_(username).get(url).content.decode(), url


def test_the_admin_has_no_page_for_the_answers(client, org):
    admin = Person.objects.create_superuser("root", "root@example.com", "pw")
    reflection_save(person=org["erin"], answers={"mom_projects": SECRET})
    assert PathReflection not in site._registry
    client.force_login(admin)
    assert client.get("/admin/people/pathreflection/").status_code == 404
    found = client.get(f"/admin/people/person/{org['erin'].pk}/change/")
    assert SECRET not in found.content.decode()
