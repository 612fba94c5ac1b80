"""Reports (HR): the per-skill picture and the readiness pipeline for the whole company,
each with a CSV download; 404 for everyone else."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.reports import PIPELINE_COLUMNS, SKILLS_COLUMNS, readiness_pipeline
from assessments.rollups import skills_report
from skills.models import Expectation
from tests.helpers import add_people, rate_the_org, rows, submit, two

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(org):
    """The org view's ratings, with divergences (tests/helpers.py, rate_the_org)."""
    return rate_the_org(org)


URLS = ["/reports/", "/reports/skills.csv", "/reports/pipeline.csv"]


def test_hr_sees_the_per_skill_picture_of_the_whole_company(client, rated):
    client.force_login(rated["hana"])

    response = client.get("/reports/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1>") == 1
    assert "<h1>Reports</h1>" in html
    assert "css/reports.css" in html
    report = skills_report(user=rated["hana"])
    shown = rows(html, "report-skills", "skill")
    assert shown == {
        r.skill.key: [
            r.skill.name,
            str(r.expected),
            str(r.meeting),
            str(r.below),
            str(r.unassessed),
            two(r.average_gap) or "\u2013",
            "" if r.expected else "no role expects it",
        ]
        for r in report
    }
    assert len(shown) == len(report)
    assert " style=" not in html


def test_hr_sees_the_readiness_pipeline_per_role_and_what_measured_means(client, rated):
    client.force_login(rated["hana"])

    html = client.get("/reports/").content.decode()

    shown = rows(html, "report-pipeline", "role")
    pipeline = readiness_pipeline(user=rated["hana"])
    assert list(shown) == [p.role.key for p in pipeline]
    for p in pipeline:
        assert shown[p.role.key][1:] == [
            str(p.measured),
            str(p.holders),
            str(p.nearly_ready),
            str(p.ready),
            str(p.ready_on_self_ratings),
        ]
    assert shown["staff-engineer"][1:3] == ["2", "1"]  # sam holds it, erin aims at it
    assert "hold the role now or have chosen it as their target role" in html
    assert "At least 80% ready" in html
    assert "Ready on self-ratings alone" in html


def test_the_navigation_shows_reports_to_hr_only(client, rated):
    client.force_login(rated["hana"])
    assert '<a href="/reports/"' in client.get("/reports/").content.decode()
    client.force_login(rated["erin"])
    assert '<a href="/reports/"' not in client.get("/").content.decode()


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_hr_reaches_the_org_view_and_the_audit_trail_from_reports(client, rated):
    client.force_login(rated["hana"])

    html = client.get("/reports/").content.decode()

    assert '<a href="/team/org/">Org view</a>' in html
    assert client.get("/team/org/").status_code == 200
    assert '<a href="/audit/">Audit trail</a>' in html


def test_the_skills_csv_downloads_the_report(client, rated):
    client.force_login(rated["hana"])

    response = client.get("/reports/skills.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="careermap-skills.csv"'
    lines = read_csv(response)
    assert lines[0] == SKILLS_COLUMNS
    report = skills_report(user=rated["hana"])
    assert [[line[0], line[3], line[4], line[5], line[6], line[7]] for line in lines[1:]] == [
        [
            r.skill.key,
            str(r.expected),
            str(r.below),
            str(r.meeting),
            str(r.unassessed),
            two(r.average_gap),
        ]
        for r in report
    ]


def test_the_pipeline_csv_downloads_the_pipeline(client, rated):
    client.force_login(rated["hana"])

    response = client.get("/reports/pipeline.csv")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="careermap-pipeline.csv"'
    lines = read_csv(response)
    assert lines[0] == PIPELINE_COLUMNS
    assert [line[0] for line in lines[1:]] == [
        p.role.key for p in readiness_pipeline(user=rated["hana"])
    ]


@pytest.mark.parametrize("viewer", ["erin", "max", "mona"])
@pytest.mark.parametrize("url", URLS)
def test_anyone_but_hr_gets_404(client, org, viewer, url):
    client.force_login(org[viewer])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", URLS)
def test_anonymous_visitors_are_asked_to_log_in(client, org, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# The page's queries: session, user (2); skills_report: the tallies per skill, the active
# skills (2); readiness_pipeline: roles, people, their gap rows on current levels and on
# confirmed levels (4); the navigation's has_reports (1).
REPORTS_QUERIES = 9
# session, user (2); skills_report (2); the category keys (1).
SKILLS_CSV_QUERIES = 5
# session, user (2); readiness_pipeline (4).
PIPELINE_CSV_QUERIES = 6


def test_query_counts_are_pinned_and_flat_in_org_size(client, rated, framework):
    client.force_login(rated["hana"])
    pinned = {
        "/reports/": REPORTS_QUERIES,
        "/reports/skills.csv": SKILLS_CSV_QUERIES,
        "/reports/pipeline.csv": PIPELINE_CSV_QUERIES,
    }
    assert {url: queries(client, url) for url in pinned} == pinned

    add_people(rated["max"], 45, framework, "grown")

    assert {url: queries(client, url) for url in pinned} == pinned


# --- Ready only on levels a manager has confirmed (issue 17) ----------------------------


@pytest.fixture
def lead_ready(org):
    """Against senior engineer (erin's role, eli's): eli meets every expectation on mia's
    ratings; erin (who holds it and aims at staff) meets every one on her own ratings
    alone."""
    expected = {
        e.skill.key: e.level
        for e in Expectation.objects.filter(role=org["eli"].role).select_related("skill")
    }
    submit(org["mia"], org["eli"], "manager", expected)
    submit(org["erin"], org["erin"], "self", expected)
    return org


def test_the_pipeline_counts_as_ready_only_those_ready_on_confirmed_levels(client, lead_ready):
    client.force_login(lead_ready["hana"])

    html = client.get("/reports/").content.decode()

    senior = rows(html, "report-pipeline", "role")["senior-engineer"]
    # measured (erin, eli), holding it, >= 80% confirmed, 100% confirmed, on self alone
    assert senior[1:] == ["2", "2", "1", "1", "1"]
    assert "(people, manager-confirmed)" in html


def test_the_pipeline_csv_has_the_self_rated_column(client, lead_ready):
    client.force_login(lead_ready["hana"])

    lines = read_csv(client.get("/reports/pipeline.csv"))

    assert lines[0][-3:] == [
        "ready_80_confirmed",
        "ready_100_confirmed",
        "ready_100_on_self_ratings",
    ]
    senior = next(line for line in lines if line[0] == "senior-engineer")
    assert senior[4:] == ["2", "2", "1", "1", "1"]
