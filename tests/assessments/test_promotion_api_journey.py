"""Issue 20's "Done when", through the API alone: max opens a case for erin to Staff
Engineer and submits it; hana forms a round with mona as reviewer; mona votes; hana
approves; erin's role becomes Staff Engineer with history; erin sees the decision (not
the votes). Then the refusals on the way: voting on one's own case, deciding twice,
editing a submitted case, an outsider's 404s."""

from __future__ import annotations

import pytest

from assessments.models import Vote
from people.models import RoleChange

pytestmark = pytest.mark.django_db


def test_a_full_round_in_the_api(as_, org, assessed):
    erin, mona = org["erin"], org["mona"]

    # max opens the case for erin and submits it.
    opened = as_("max").post(
        "/api/promotion-cases/",
        {"person": erin.pk, "target_role": "staff-engineer", "summary": "Leads the queue work."},
        format="json",
    )
    assert opened.status_code == 201, opened.content
    case = opened.json()
    assert (case["status"], case["target_role"], case["opened_by"]) == (
        "draft",
        "staff-engineer",
        org["max"].pk,
    )
    pk = case["id"]
    assert as_("erin").get(f"/api/promotion-cases/{pk}/").status_code == 404  # a draft
    submitted = as_("max").post(f"/api/promotion-cases/{pk}/submit/")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"
    packet = submitted.json()["packet"]
    assert packet["target_role"]["key"] == "staff-engineer"
    edited = as_("max").patch(f"/api/promotion-cases/{pk}/", {"summary": "New"}, format="json")
    assert edited.status_code in (400, 409)

    # hana forms a round with mona as reviewer: the case is in review.
    formed = as_("hana").post(
        "/api/review-rounds/",
        {"name": "Winter committee", "date": "2026-12-10", "cases": [pk], "reviewers": [mona.pk]},
        format="json",
    )
    assert formed.status_code == 201, formed.content
    round_id = formed.json()["id"]
    assert as_("hana").get(f"/api/promotion-cases/{pk}/").json()["status"] == "in_review"
    board = as_("mona").get(f"/api/review-rounds/{round_id}/").json()["cases"][0]
    assert board["id"] == pk
    assert board["manager_calibration"]["manager"] == org["max"].pk
    assert board["readiness"] == packet["readiness"]
    assert as_("eli").get(f"/api/review-rounds/{round_id}/").status_code == 404
    assert as_("erin").get(f"/api/review-rounds/{round_id}/").status_code == 404

    # mona votes; erin (not a reviewer) cannot.
    voted = as_("mona").post(
        f"/api/review-rounds/{round_id}/votes/",
        {"case": pk, "vote": "support", "reason": "The evidence is clear."},
        format="json",
    )
    assert voted.status_code == 201, voted.content
    assert (
        as_("erin")
        .post(
            f"/api/review-rounds/{round_id}/votes/", {"case": pk, "vote": "support"}, format="json"
        )
        .status_code
        == 404
    )
    assert Vote.objects.count() == 1

    # hana approves, effective today: erin's role changes at once, with history.
    decided = as_("hana").post(
        f"/api/promotion-cases/{pk}/decide/",
        {"outcome": "approved", "rationale": "Strong, well-evidenced case."},
        format="json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "approved"
    erin.refresh_from_db()
    assert erin.role.key == "staff-engineer"
    assert erin.target_role is None
    change = RoleChange.objects.get(person=erin)
    assert (change.from_role.key, change.to_role.key, change.case_id, change.changed_by) == (
        "senior-engineer",
        "staff-engineer",
        pk,
        org["hana"],
    )
    history = as_("erin").get(f"/api/people/{erin.pk}/role-history/").json()
    assert [(h["from_role"], h["to_role"], h["case"]) for h in history] == [
        ("senior-engineer", "staff-engineer", pk)
    ]

    # Deciding twice is refused; votes are closed.
    again = as_("hana").post(
        f"/api/promotion-cases/{pk}/decide/",
        {"outcome": "declined", "rationale": "Changed our mind."},
        format="json",
    )
    assert again.status_code in (400, 409)
    late = as_("mona").post(
        f"/api/review-rounds/{round_id}/votes/", {"case": pk, "vote": "abstain"}, format="json"
    )
    assert late.status_code == 400

    # erin sees the decision and its rationale, not the votes.
    seen = as_("erin").get(f"/api/promotion-cases/{pk}/")
    assert seen.status_code == 200
    body = seen.json()
    assert body["decision"]["outcome"] == "approved"
    assert body["decision"]["rationale"] == "Strong, well-evidenced case."
    assert "votes" not in body
    assert as_("eli").get(f"/api/promotion-cases/{pk}/").status_code == 404


def test_voting_on_ones_own_case_is_refused_in_the_api(as_, org):
    pk = (
        as_("max")
        .post(
            "/api/promotion-cases/",
            {"person": org["erin"].pk, "target_role": "staff-engineer", "summary": "Ready."},
            format="json",
        )
        .json()["id"]
    )
    as_("max").post(f"/api/promotion-cases/{pk}/submit/")
    round_id = (
        as_("hana")
        .post(
            "/api/review-rounds/",
            {"name": "R", "date": "2026-12-10", "cases": [pk], "reviewers": [org["erin"].pk]},
            format="json",
        )
        .json()["id"]
    )
    response = as_("erin").post(
        f"/api/review-rounds/{round_id}/votes/", {"case": pk, "vote": "support"}, format="json"
    )
    assert response.status_code == 400
    assert "own case" in str(response.json())
