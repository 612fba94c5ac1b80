"""Log in, log out, the navigation, and My map (both the htmx and the plain branch)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.services import assessment_start, assessment_submit
from careermap.models import Person

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def nav_labels(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/login/"
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert ">Log in</button>" in html


def test_logging_in_lands_on_my_map_and_logging_out_leaves(client, erin):
    response = client.post("/login/", {"username": "erin", "password": "demo"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/map/"
    assert html.count("<h1>") == 1
    assert ">Log out</button>" in html

    client.post("/logout/")
    assert client.get("/map/").status_code == 302


def test_a_wrong_password_says_so(client, erin):
    response = client.post("/login/", {"username": "erin", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_the_navigation_shows_an_engineer_the_engineer_pages(client, erin):
    client.force_login(erin)
    labels = nav_labels(client.get("/map/").content.decode())
    assert labels == ["My map", "Assess", "Paths", "History", "Growth plan"]


def test_my_map_shows_readiness_radar_and_gaps_biggest_first(client, erin, org):
    levels = {"system-design": 4, "mentoring": 3, "technical-depth": 4}
    for author, kind in ((erin, "self"), (org["max"], "manager")):
        draft = assessment_start(
            by=author,
            person=erin,
            kind=kind,
            ratings=[{"skill": k, "level": v} for k, v in levels.items()],
        )
        assessment_submit(by=author, assessment=draft)
    client.force_login(erin)

    html = client.get("/map/").content.decode()

    assert "<h1>My map</h1>" in html
    assert "Readiness for Staff Engineer" in html
    assert re.search(r'id="readiness">\d+%<', html)
    assert '<svg viewBox="' in html
    assert 'role="img"' in html
    gaps = re.findall(r'class="badge gap-\d">gap (\d+)</span>', html)
    assert gaps == sorted(gaps, key=int, reverse=True)
    assert "Ways to grow" in html


def test_choosing_a_target_by_htmx_swaps_the_map(client, erin):
    client.force_login(erin)

    response = client.post("/map/target/", {"target_role": "engineering-manager"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="map">')
    assert "Readiness for Engineering Manager" in html
    assert Person.objects.get(pk=erin.pk).target_role.key == "engineering-manager"


def test_choosing_a_target_by_plain_post_redirects_back(client, erin):
    client.force_login(erin)

    response = client.post("/map/target/", {"target_role": ""})

    assert response.status_code == 302
    assert Person.objects.get(pk=erin.pk).target_role is None


def test_an_unknown_target_is_an_error_and_changes_nothing(client, erin):
    client.force_login(erin)
    response = client.post("/map/target/", {"target_role": "astronaut"}, headers=HTMX)
    assert response.status_code == 400
    assert "Choose one of the listed roles" in response.content.decode()
    assert Person.objects.get(pk=erin.pk).target_role.key == "staff-engineer"


def test_my_map_query_count_is_flat_in_assessments(client, erin, org):
    client.force_login(erin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/map/").status_code == 200
        return len(captured)

    before = queries()
    for n in range(5):
        draft = assessment_start(
            by=erin, person=erin, kind="self", ratings=[{"skill": "hiring", "level": n}]
        )
        assessment_submit(by=erin, assessment=draft)
    assert queries() == before
    # session, user, the person with their roles, expectations, latest levels, scale,
    # the roles to choose from, and the navigation's "has reports?" (for Team)
    assert before == 8
