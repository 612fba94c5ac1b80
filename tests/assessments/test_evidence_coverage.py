"""Each manager's evidence coverage in calibration (issue 17): the share of the ratings
in the manager assessments they submitted in the last 365 days that cite evidence (a
note or an item of the person's evidence log), on the org view and in the API."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Assessment, Evidence, Rating
from assessments.rollups import EVIDENCE_COVERAGE_DAYS, calibration_report, evidence_coverage
from assessments.services import assessment_start
from skills.models import Skill
from tests.factories import PersonFactory
from tests.helpers import count_api_queries, rows, submit

pytestmark = pytest.mark.django_db


def item(person) -> Evidence:
    evidence = Evidence.objects.create(
        person=person,
        added_by=person,
        title="Design review of the queue",
        kind="review",
        date=datetime.date(2026, 9, 1),
    )
    evidence.skills.set(Skill.objects.filter(key="system-design"))
    return evidence


def rated(by, person, notes: dict[str, str], *, at=None, kind="manager", cites=()) -> Assessment:
    """A submitted assessment written straight to the tables (coverage reads the ratings,
    not the projection): one rating per skill of `notes` with that note as evidence;
    the ratings of the skills in `cites` cite an item of the person's log."""
    assessment = Assessment.objects.create(
        person=person,
        author=by,
        kind=kind,
        status=Assessment.Status.SUBMITTED,
        submitted_at=at or timezone.now(),
    )
    for key, note in notes.items():
        rating = Rating.objects.create(
            assessment=assessment, skill=Skill.objects.get(key=key), level=2, evidence=note
        )
        if key in cites:
            rating.evidence_items.add(item(person))
    return assessment


def coverage(manager, now=None) -> float | None:
    return evidence_coverage([manager.pk], now=now)[manager.pk]


def test_three_of_four_ratings_citing_evidence_is_three_quarters(org):
    max_ = org["max"]
    # A note, a note, an item of erin's log and nothing.
    rated(
        max_,
        org["erin"],
        {"system-design": "Led the queue redesign.", "mentoring": "Paired weekly.", "hiring": ""},
        cites=("hiring",),
    )
    rated(max_, org["sam"], {"delegation": ""})

    assert coverage(max_) == 0.75


def test_a_blank_note_cites_nothing_and_an_item_alone_is_enough(org):
    rated(org["max"], org["erin"], {"system-design": "   ", "mentoring": ""}, cites=("mentoring",))

    assert coverage(org["max"]) == 0.5


def test_ratings_submitted_through_the_services_count(org):
    # A manager rating made by the helper carries a short note: cited.
    submit(org["max"], org["erin"], "manager", {"system-design": 3, "mentoring": 2})

    assert coverage(org["max"]) == 1.0


def test_ratings_older_than_the_window_are_left_out(org):
    now = timezone.now()
    rated(org["max"], org["erin"], {"system-design": "Seen."}, at=now - timedelta(days=10))
    rated(org["max"], org["sam"], {"mentoring": ""}, at=now - timedelta(days=366))

    assert coverage(org["max"], now=now) == 1.0


def test_a_rating_exactly_at_the_edge_of_the_window_counts_and_a_second_older_does_not(org):
    now = timezone.now()
    edge = now - timedelta(days=EVIDENCE_COVERAGE_DAYS)
    rated(org["max"], org["erin"], {"system-design": "Seen."}, at=edge)
    rated(org["max"], org["sam"], {"mentoring": ""}, at=edge - timedelta(seconds=1))

    assert EVIDENCE_COVERAGE_DAYS == 365
    assert coverage(org["max"], now=now) == 1.0
    # A second later the first leaves the window too.
    assert coverage(org["max"], now=now + timedelta(seconds=1)) is None


def test_self_assessments_and_drafts_are_not_counted(org):
    max_ = org["max"]
    rated(max_, org["erin"], {"system-design": "Seen."})
    rated(max_, max_, {"delegation": "", "mentoring": ""}, kind="self")  # his own
    assessment_start(
        by=max_,
        person=org["sam"],
        kind="manager",
        ratings=[{"skill": "mentoring", "level": 2, "evidence": ""}],
    )

    assert coverage(max_) == 1.0


def test_another_managers_ratings_are_theirs_not_the_person_managers(org):
    # mona rates erin (below her): mona's coverage, not max's.
    rated(org["mona"], org["erin"], {"system-design": ""})
    rated(org["max"], org["erin"], {"mentoring": "Seen."})

    found = evidence_coverage([org["max"].pk, org["mona"].pk])

    assert found == {org["max"].pk: 1.0, org["mona"].pk: 0.0}


def test_a_manager_who_submitted_no_rating_has_no_coverage(org):
    assert coverage(org["mia"]) is None
    assert evidence_coverage([]) == {}


@pytest.fixture
def covered(org):
    """max: 3 of 4 ratings cite evidence; mia none submitted; mona 1 of 1."""
    rated(
        org["max"],
        org["erin"],
        {"system-design": "Led it.", "mentoring": "Paired.", "hiring": ""},
        cites=("hiring",),
    )
    rated(org["max"], org["sam"], {"delegation": ""})
    rated(org["mona"], org["max"], {"delegation": "Ran the offsite."})
    return org


def test_calibration_reports_each_managers_coverage(covered):
    found = {
        c.manager.username: c.evidence_coverage for c in calibration_report(user=covered["hana"])
    }

    assert found == {"max": 0.75, "mia": None, "mona": 1.0}


def test_the_calibration_api_gives_each_managers_coverage(as_, covered):
    results = as_("mona").get("/api/reports/calibration/").json()["results"]

    by_manager = {r["manager"]: r["evidence_coverage"] for r in results}
    assert by_manager == {covered["max"].pk: 0.75, covered["mia"].pk: None}


def test_the_org_view_shows_each_managers_coverage_as_a_share(client, covered):
    client.force_login(covered["hana"])

    html = client.get("/team/org/").content.decode()

    shown = rows(html, "calibration", "manager")
    assert shown["max"][4] == "75%"
    assert shown["mia"][4] == "\u2013"  # none submitted in the window
    assert shown["mona"][4] == "100%"
    assert "Ratings citing evidence" in html
    assert "(last 365 days)" in html


def test_the_calibration_api_counts_coverage_in_one_query_for_any_number_of_managers(
    org, framework
):
    def managers(n: int, prefix: str) -> None:
        for i in range(n):
            lead = PersonFactory(username=f"{prefix}{i}", manager=org["mona"])
            report = PersonFactory(username=f"{prefix}{i}-r", manager=lead)
            rated(lead, report, {"system-design": "Seen." if i % 2 else "", "mentoring": ""})

    managers(2, "few")
    few = count_api_queries(org["hana"], "/api/reports/calibration/?page_size=500")
    managers(20, "many")
    many = count_api_queries(org["hana"], "/api/reports/calibration/?page_size=500")

    # count, the page of managers' team tallies, their coverage, their levels of their
    # reports (vs_others; none here: these ratings skip the projection, so no answers
    # are read)
    assert few == many == 4
