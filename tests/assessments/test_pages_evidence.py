"""The evidence log's pages (issue 17): a person's own log and a report's for those above
them; adding, editing, deleting and disputing through plain posts and htmx; bad input
named by field with nothing written; outsiders get 404."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Evidence
from skills.models import Skill
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Incident review: the stuck import",
    "kind": "incident",
    "date": "2026-10-02",
    "url": "https://wiki.example.com/ir/7",
    "description": "Led the call; wrote the review.",
    "skills": ["operational-excellence", "writing-decisions"],
}


def item(person, by=None, title="Talk on caching", skills=("explaining-tech",)):
    made = Evidence.objects.create(
        person=person,
        added_by=by or person,
        title=title,
        kind="talk",
        date=datetime.date(2026, 9, 1),
    )
    made.skills.set(Skill.objects.filter(key__in=skills))
    return made


def test_a_person_adds_evidence_and_sees_it_in_the_timeline(client, erin):
    client.force_login(erin)

    response = client.post("/map/evidence/", FORM)

    assert response.status_code == 302
    added = Evidence.objects.get()
    assert (added.person, added.added_by, added.title) == (erin, erin, FORM["title"])
    html = client.get("/map/evidence/").content.decode()
    assert "<h1>Evidence</h1>" in html
    assert 'href="https://wiki.example.com/ir/7" rel="noopener noreferrer nofollow"' in html
    assert "Shows: Operational excellence, Writing and documenting decisions" in html


def test_bad_input_names_each_field_and_writes_nothing(client, erin):
    client.force_login(erin)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    response = client.post(
        "/map/evidence/",
        {**FORM, "title": " ", "url": "ftp://x", "date": tomorrow, "skills": []},
        headers=HTMX,
    )

    html = response.content.decode()
    assert 'id="ev-title-error">Give the evidence a title.' in html
    assert 'id="ev-url-error">Give a web address starting with http:// or https://.' in html
    assert 'id="ev-date-error">The date cannot be in the future.' in html
    assert 'id="ev-skills-error">Choose at least one skill it shows.' in html
    assert 'value="Led the call; wrote the review."' not in html  # a textarea keeps it inside
    assert "Led the call; wrote the review.</textarea>" in html
    assert not Evidence.objects.exists()


def test_the_filters_select_by_skill_and_kind(client, erin):
    item(erin, title="Talk on caching")
    item(erin, title="Mentored the intern", skills=("mentoring",))
    client.force_login(erin)

    html = client.get("/map/evidence/?skill=mentoring").content.decode()

    assert "Mentored the intern" in html
    assert "Talk on caching" not in html
    # The add form starts with the filtered skill ticked ("Add evidence" from a gap card).
    assert 'name="skills" value="mentoring" checked' in html
    assert "Nothing logged matches" in client.get("/map/evidence/?kind=incident").content.decode()


def test_a_manager_adds_an_observation_the_person_disputes_and_withdraws(client, erin, max_):
    client.force_login(max_)
    url = reverse("assessments:report_evidence", args=[erin.pk])
    assert "Add an observation" in client.get(url).content.decode()
    assert client.post(url, {**FORM, "title": "Led the outage call"}).status_code == 302
    observed = Evidence.objects.get()
    assert observed.added_by == max_

    client.force_login(erin)
    html = client.get("/map/evidence/").content.decode()
    assert "Observed by Max" in html
    assert reverse("assessments:evidence_delete", args=[observed.pk]) not in html
    dispute = reverse("assessments:evidence_dispute", args=[observed.pk])
    assert client.post(dispute, {"disputed": "1", "dispute_comment": ""}).status_code == 200
    assert not Evidence.objects.get().disputed
    client.post(dispute, {"disputed": "1", "dispute_comment": "Sam led that call."})
    assert Evidence.objects.get().disputed
    assert (
        "You dispute it:</strong> Sam led that call."
        in client.get("/map/evidence/").content.decode()
    )
    client.post(dispute, {"disputed": "0"}, headers=HTMX)
    assert not Evidence.objects.get().disputed


def test_whoever_added_an_item_edits_and_deletes_it_and_no_one_else(client, erin, max_):
    own = item(erin)
    client.force_login(erin)
    edit = reverse("assessments:evidence_edit", args=[own.pk])
    assert 'value="Talk on caching"' in client.get(edit).content.decode()
    response = client.post(edit, {**FORM, "title": "Talk on caching, v2"}, headers=HTMX)
    assert response.status_code == 200
    assert Evidence.objects.get().title == "Talk on caching, v2"

    client.force_login(max_)
    assert (
        client.get(reverse("assessments:report_evidence_edit", args=[erin.pk, own.pk])).status_code
        == 404
    )
    gone = reverse("assessments:report_evidence_delete", args=[erin.pk, own.pk])
    assert client.post(gone).status_code == 404
    client.force_login(erin)
    assert client.post(reverse("assessments:evidence_delete", args=[own.pk])).status_code == 302
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("viewer", ["sam", "eli", "hana", "erin"])
def test_a_reports_log_is_404_to_anyone_not_above_them(client, org, viewer):
    item(org["erin"])
    client.force_login(org[viewer])

    url = reverse("assessments:report_evidence", args=[org["erin"].pk])

    assert client.get(url).status_code == 404
    assert client.post(url, FORM).status_code == 404
    assert Evidence.objects.count() == 1


def test_someone_elses_item_is_404_in_my_log(client, erin, org):
    theirs = item(org["sam"])
    client.force_login(erin)

    assert client.get(reverse("assessments:evidence_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("assessments:evidence_delete", args=[theirs.pk])).status_code == 404
    dispute = reverse("assessments:evidence_dispute", args=[theirs.pk])
    assert client.post(dispute, {"disputed": "1", "dispute_comment": "x"}).status_code == 404


def test_my_map_links_each_gap_to_adding_evidence_for_it(client, erin, max_):
    client.force_login(erin)
    html = client.get("/map/").content.decode()
    assert 'href="/map/evidence/?skill=system-design#add">Add evidence' in html

    client.force_login(max_)
    html = client.get(reverse("assessments:report", args=[erin.pk])).content.decode()
    assert f'href="/team/{erin.pk}/evidence/?skill=system-design#add">Add an observation' in html
    assert f'href="/team/{erin.pk}/evidence/">Erin\'s evidence log' in html


# session, user, has reports (the navigation), the person, "may add?", skills, the
# items (with adders and people joined), their skills: flat in the number of items.
PINNED_LOG = 7


def test_the_log_costs_the_same_queries_for_one_item_or_many(client, erin):
    item(erin)
    client.force_login(erin)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/map/evidence/").status_code == 200
        return len(captured)

    few = count()
    for n in range(6):
        item(erin, title=f"Item {n}", skills=("mentoring", "hiring"))
    assert count() == few == PINNED_LOG
