"""/api/review-rounds/ (issue 20): HR forms rounds, reviewers read theirs and vote; the
votes' refusals; 404 for everyone else; the list's query count pinned."""

from __future__ import annotations

import pytest

from assessments.models import PromotionCase, ReviewRound, Vote
from assessments.promotions.rules import case_open, case_submit
from tests.helpers import count_api_queries

pytestmark = pytest.mark.django_db


def submitted(org, person="erin", by="max", role="staff-engineer") -> PromotionCase:
    case = case_open(by=org[by], person=org[person], target_role=role, summary="Ready.")
    return case_submit(by=org[by], case=case)


def form(as_, org, cases, reviewers=("mona",)):
    return as_("hana").post(
        "/api/review-rounds/",
        {
            "name": "Winter committee",
            "date": "2026-12-10",
            "cases": [c.pk for c in cases],
            "reviewers": [org[r].pk for r in reviewers],
        },
        format="json",
    )


def test_hr_forms_a_round(as_, org):
    case = submitted(org)
    response = form(as_, org, [case])
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["date"], body["reviewers"]) == (
        "Winter committee",
        "2026-12-10",
        [org["mona"].pk],
    )
    assert [c["id"] for c in body["cases"]] == [case.pk]
    assert body["cases"][0]["status"] == "in_review"
    case.refresh_from_db()
    assert case.status == "in_review"


@pytest.mark.parametrize("who", ["mona", "max", "mia", "erin", "sam", "eli"])
def test_only_hr_forms_a_round(as_, org, who):
    case = submitted(org)
    response = as_(who).post(
        "/api/review-rounds/",
        {"name": "R", "date": "2026-12-10", "cases": [case.pk], "reviewers": [org["mona"].pk]},
        format="json",
    )
    assert response.status_code == 403
    assert not ReviewRound.objects.exists()


def test_bad_input_names_the_field(as_, org):
    draft = case_open(by=org["max"], person=org["erin"], target_role="staff-engineer", summary="S")
    response = form(as_, org, [draft])
    assert response.status_code == 400
    assert "cases" in response.json()
    response = as_("hana").post(
        "/api/review-rounds/", {"name": "", "date": "x", "cases": "1"}, format="json"
    )
    assert response.status_code == 400
    assert {"name", "date", "cases", "reviewers"} <= set(response.json())
    assert not ReviewRound.objects.exists()


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("hana", 200),
        ("mona", 200),
        ("max", 404),
        ("mia", 404),
        ("erin", 404),
        ("sam", 404),
        ("eli", 404),
    ],
)
def test_a_round_is_for_hr_and_its_reviewers(as_, org, who, code):
    pk = form(as_, org, [submitted(org)]).json()["id"]
    assert as_(who).get(f"/api/review-rounds/{pk}/").status_code == code
    listed = [r["id"] for r in as_(who).get("/api/review-rounds/").json()["results"]]
    assert listed == ([pk] if code == 200 else [])


def test_the_round_carries_the_managers_calibration(as_, org, assessed):
    case = submitted(org)
    pk = form(as_, org, [case]).json()["id"]
    body = as_("mona").get(f"/api/review-rounds/{pk}/").json()
    entry = body["cases"][0]
    calibration = entry["manager_calibration"]
    assert calibration["manager"] == org["max"].pk
    assert calibration["mean_self_minus_manager"] == pytest.approx(1.0)
    assert calibration["evidence_coverage"] == pytest.approx(1.0)
    assert calibration["words"][0].startswith("rates 1.0 below their reports' own view")
    assert entry["evidence_count"] >= 0
    assert entry["may_vote"] is True
    frozen = PromotionCase.objects.get(pk=case.pk).packet
    assert entry["readiness"] == frozen["readiness"]
    assert [g["key"] for g in entry["gaps"]] == [s["key"] for s in frozen["skills"] if s["gap"]]


def test_a_reviewer_votes_and_sees_the_others_only_after(as_, org):
    case = submitted(org)
    pk = form(as_, org, [case], reviewers=("mona", "mia")).json()["id"]
    url = f"/api/review-rounds/{pk}/votes/"
    assert (
        as_("mia").post(url, {"case": case.pk, "vote": "support"}, format="json").status_code == 201
    )
    entry = as_("mona").get(f"/api/review-rounds/{pk}/").json()["cases"][0]
    assert (entry["votes"], entry["votes_hidden"]) == ([], True)
    refused = as_("mona").post(url, {"case": case.pk, "vote": "do_not_support"}, format="json")
    assert refused.status_code == 400
    assert "reason" in refused.json()
    made = as_("mona").post(
        url, {"case": case.pk, "vote": "do_not_support", "reason": "Thin."}, format="json"
    )
    assert made.status_code == 201
    assert made.json()["vote"] == "do_not_support"
    entry = as_("mona").get(f"/api/review-rounds/{pk}/").json()["cases"][0]
    assert sorted(v["reviewer"] for v in entry["votes"]) == sorted([org["mona"].pk, org["mia"].pk])


def test_voting_on_ones_own_case_is_refused(as_, org):
    case = submitted(org)
    pk = form(as_, org, [case], reviewers=("erin",)).json()["id"]
    response = as_("erin").post(
        f"/api/review-rounds/{pk}/votes/", {"case": case.pk, "vote": "support"}, format="json"
    )
    assert response.status_code == 400
    assert "own case" in str(response.json()["case"])
    assert not Vote.objects.exists()


def test_the_cases_manager_cannot_vote(as_, org):
    case = submitted(org)
    pk = form(as_, org, [case], reviewers=("max",)).json()["id"]
    response = as_("max").post(
        f"/api/review-rounds/{pk}/votes/", {"case": case.pk, "vote": "support"}, format="json"
    )
    assert response.status_code == 400
    assert not Vote.objects.exists()


def test_an_outsider_voting_gets_404(as_, org):
    case = submitted(org)
    pk = form(as_, org, [case]).json()["id"]
    response = as_("eli").post(
        f"/api/review-rounds/{pk}/votes/", {"case": case.pk, "vote": "support"}, format="json"
    )
    assert response.status_code == 404
    assert not Vote.objects.exists()


def test_hr_not_reviewing_cannot_vote(as_, org):
    case = submitted(org)
    pk = form(as_, org, [case]).json()["id"]
    response = as_("hana").post(
        f"/api/review-rounds/{pk}/votes/", {"case": case.pk, "vote": "support"}, format="json"
    )
    assert response.status_code == 403


def test_the_list_costs_the_same_queries_for_one_round_or_three(as_, org):
    form(as_, org, [submitted(org)])
    one = count_api_queries(org["hana"], "/api/review-rounds/")
    form(as_, org, [submitted(org, person="eli", by="mia")])
    form(as_, org, [submitted(org, person="max", by="mona", role="manager-of-managers")])
    # the page's count, the rounds, their reviewers, their cases (prefetches): the same
    # for any number of rounds.
    assert count_api_queries(org["hana"], "/api/review-rounds/") == one == 4
