"""History: submitted assessments newest first (never drafts), and one skill's self and
manager levels over time as an SVG line chart, by plain form and by htmx."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.history import rating_history
from assessments.models import Assessment
from assessments.services import assessment_start, assessment_submit
from skills.models import Skill
from tests.factories import ExpectationFactory, SkillFactory
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


# A page view: session, user, has reports (the navigation, for Team), rated skills, scale,
# the chosen skill's ratings with their assessments and authors, submitted assessments
# with authors and rating counts.
PINNED_PAGE = 7
# The htmx partial: session, user, rated skills (to check the choice), scale, ratings.
PINNED_PARTIAL = 5


def submit(by, person, levels: dict[str, int], days_ago: int) -> Assessment:
    kind = "self" if by == person else "manager"
    draft = assessment_start(
        by=by,
        person=person,
        kind=kind,
        ratings=[{"skill": k, "level": v} for k, v in levels.items()],
    )
    done = assessment_submit(by=by, assessment=draft)
    at = timezone.now() - timedelta(days=days_ago)
    Assessment.objects.filter(pk=done.pk).update(submitted_at=at)
    return done


@pytest.fixture
def rounds(erin, max_) -> list[Assessment]:
    """Three self-assessments and two by max, oldest first, and a draft of each kind.
    A new assessment starts from its author's last one: the third self-assessment
    carries mentoring 2 over, max's second carries system design over."""
    made = [
        submit(erin, erin, {"system-design": 2, "mentoring": 1}, days_ago=200),
        submit(max_, erin, {"system-design": 1}, days_ago=190),
        submit(erin, erin, {"system-design": 3, "mentoring": 2}, days_ago=100),
        submit(max_, erin, {"system-design": 2, "hiring": 1}, days_ago=95),
        submit(erin, erin, {"system-design": 4}, days_ago=10),
    ]
    assessment_start(by=erin, person=erin, kind="self", ratings=[{"skill": "hiring", "level": 5}])
    assessment_start(
        by=max_, person=erin, kind="manager", ratings=[{"skill": "system-design", "level": 5}]
    )
    return made


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def listed_assessments(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-assessment="(\d+)">', html)]


def chart_of(html: str) -> str:
    return re.search(r'<svg class="history-chart".*?</svg>', html, re.S).group(0)


def points(html: str) -> tuple[int, int]:
    """(self points, manager points) drawn in the chart."""
    svg = chart_of(html)
    return svg.count('<circle class="point"'), svg.count('<rect class="point"')


def test_the_history_page_lists_submitted_assessments_newest_first_and_never_drafts(
    client, erin, rounds
):
    client.force_login(erin)

    html = html_of(client.get("/history/"))

    assert html.count("<h1>") == 1
    assert "<h1>History</h1>" in html
    assert listed_assessments(html) == [a.pk for a in reversed(rounds)]
    drafts = Assessment.objects.filter(person=erin, status="draft")
    assert drafts.count() == 2
    assert not set(drafts.values_list("pk", flat=True)) & set(listed_assessments(html))
    newest = re.search(r'<tr data-assessment="\d+">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", newest, re.S)
    assert cells[1:] == ["Self-assessment", "Erin", "2"]
    second = re.findall(r'<tr data-assessment="\d+">(.*?)</tr>', html, re.S)[1]
    assert re.findall(r"<td>(.*?)</td>", second, re.S)[1:] == ["Manager assessment", "Max", "2"]
    assert 'aria-label="Submitted assessments table">\n    <table class="assessment-table"' in html


def test_the_skill_chooser_is_a_labelled_form_that_works_without_htmx(client, erin, rounds):
    client.force_login(erin)

    html = html_of(client.get("/history/"))

    form = re.search(r'<form method="get" action="/history/".*?</form>', html, re.S).group(0)
    assert 'hx-get="/history/"' in form
    assert 'hx-target="#skill-chart"' in form
    assert '<label for="skill">Skill</label>' in form
    assert '<select id="skill" name="skill">' in form
    assert '<button type="submit">' in form
    offered = re.findall(r'<option value="([^"]+)"', form)
    # Only skills with submitted ratings: the draft's "hiring 5" by erin does not count,
    # max's submitted "hiring" does.
    assert sorted(offered) == ["hiring", "mentoring", "system-design"]
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert "hx-on" not in html
    assert "style=" not in html


def test_choosing_a_skill_by_plain_form_shows_a_point_per_submitted_rating_on_each_line(
    client, erin, rounds
):
    client.force_login(erin)

    html = html_of(client.get("/history/?skill=system-design"))

    assert "<h1>History</h1>" in html
    assert points(html) == (3, 2)  # the manager's draft at level 5 is not drawn
    svg = chart_of(html)
    assert 'role="img"' in svg
    assert 'aria-labelledby="chart-title chart-desc"' in svg
    assert svg.count("<polyline") == 2
    assert 'id="chart-title">System design: self and manager levels<' in html
    # The same points as a table, oldest first.
    table = re.search(r'<table class="points-table">.*?</table>', html, re.S).group(0)
    levels = re.findall(r"<td>(\d) · [A-Za-z]+</td>", table)
    assert levels == ["2", "1", "3", "2", "4"]
    history = rating_history(person=erin, skill=Skill.objects.get(key="system-design"))
    assert [p.level for p in history.points] == [2, 1, 3, 2, 4]


def test_choosing_a_skill_by_htmx_swaps_only_the_chart(client, erin, rounds):
    client.force_login(erin)

    response = client.get("/history/?skill=mentoring", headers=HTMX)

    html = html_of(response)
    assert "<h1>" not in html
    assert html.strip().startswith('<div id="skill-chart" class="skill-chart">')
    assert points(html) == (3, 0)
    assert chart_of(html).count("<polyline") == 1  # no manager points, no manager line
    assert "HX-Request" in response["Vary"]


def test_a_skill_rated_once_draws_a_single_point_and_no_line(client, erin, rounds):
    client.force_login(erin)

    html = html_of(client.get("/history/?skill=hiring"))

    assert points(html) == (0, 1)
    assert "<polyline" not in chart_of(html)


def test_the_chart_labels_every_level_of_the_scale_and_says_which_line_is_which(
    client, erin, rounds
):
    client.force_login(erin)

    html = html_of(client.get("/history/?skill=system-design"))

    svg = chart_of(html)
    for label in ["0 None", "1 Aware", "2 Developing", "3 Proficient", "4 Advanced", "5 Leading"]:
        assert f">{label}</text>" in svg
    assert "Self-assessment (solid line, round points)" in html
    assert "Manager assessment (dashed line, square points)" in html


def test_the_first_rated_skill_is_shown_when_none_is_chosen(client, erin, rounds):
    client.force_login(erin)

    html = html_of(client.get("/history/"))

    selected = re.search(r'<option value="([^"]+)" selected>', html).group(1)
    first = re.search(r'<option value="([^"]+)"', html).group(1)
    assert selected == first
    assert f"{Skill.objects.get(key=selected).name}: self and manager levels" in html


@pytest.mark.parametrize("htmx", [False, True])
def test_a_skill_without_submitted_ratings_answers_404(client, erin, rounds, htmx):
    client.force_login(erin)
    headers = HTMX if htmx else {}

    assert client.get("/history/?skill=nope", headers=headers).status_code == 404
    # rated only in a draft
    assert client.get("/history/?skill=feedback", headers=headers).status_code == 404


def test_retired_skills_keep_their_history(client, erin, rounds):
    Skill.objects.filter(key="mentoring").update(retired=True)
    client.force_login(erin)

    html = html_of(client.get("/history/?skill=mentoring"))

    assert "(retired)</option>" in html
    assert points(html) == (3, 0)


def test_the_page_shows_only_your_own_history(client, max_, erin, rounds, mona):
    submit(max_, max_, {"delegation": 3}, days_ago=5)
    client.force_login(max_)

    html = html_of(client.get(f"/history/?person={erin.pk}"))

    mine = list(Assessment.objects.filter(person=max_).values_list("pk", flat=True))
    assert listed_assessments(html) == mine
    assert re.findall(r'<option value="([^"]+)"', html) == ["delegation"]


def test_someone_without_assessments_sees_an_empty_history(client, eli):
    client.force_login(eli)

    html = html_of(client.get("/history/"))

    assert "<h1>History</h1>" in html
    assert "No submitted assessments yet." in html
    assert '<svg class="history-chart"' not in html


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/history/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/history/"


def count(client, url: str, headers=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, headers=headers or {}).status_code == 200
    return len(captured)


def test_the_history_query_counts_are_pinned_and_flat(client, erin, max_, framework):
    submit(erin, erin, {"system-design": 2}, days_ago=300)
    submit(max_, erin, {"system-design": 1}, days_ago=290)
    client.force_login(erin)
    urls = ["/history/", "/history/?skill=system-design"]
    before = [count(client, url) for url in urls]
    partial = count(client, "/history/?skill=system-design", HTMX)

    more = [SkillFactory(key=f"extra-{n}") for n in range(5)]
    for skill in more:
        ExpectationFactory(role=framework["staff-engineer"], skill=skill, level=2)
    for n in range(4):
        levels = {"system-design": n % 6, **{s.key: (n + i) % 6 for i, s in enumerate(more)}}
        submit(erin, erin, levels, days_ago=200 - 20 * n)
        submit(max_, erin, levels, days_ago=195 - 20 * n)

    assert Assessment.objects.filter(person=erin, status="submitted").count() == 10
    assert before == [PINNED_PAGE] * 2
    assert partial == PINNED_PARTIAL
    assert [count(client, url) for url in urls] == before
    assert count(client, "/history/?skill=system-design", HTMX) == partial
    html = html_of(client.get("/history/?skill=system-design"))
    assert len(listed_assessments(html)) == 10
    assert points(html) == (5, 5)
