"""Review rounds' pages (issue 20): HR's list and form, a round's page with the cases side
by side (readiness, gaps, evidence, the manager's calibration in words), votes, comments
and HR's decision; 404 for everyone but HR and the reviewers; query counts pinned."""

from __future__ import annotations

from datetime import date

import pytest

from assessments.models import CaseEvent, PromotionCase, ReviewRound, Vote
from assessments.promotions import committee
from assessments.promotions.rules import case_open, case_submit
from people.models import RoleChange

pytestmark = pytest.mark.django_db


def submitted(org, person="erin", by="max", role="staff-engineer") -> PromotionCase:
    case = case_open(by=org[by], person=org[person], target_role=role, summary="Ready.")
    return case_submit(by=org[by], case=case)


def formed(org, cases, reviewers=("mona",)) -> ReviewRound:
    return committee.round_create(
        by=org["hana"],
        name="Winter committee",
        date=date(2026, 12, 10),
        cases=[c.pk for c in cases],
        reviewers=[org[r].pk for r in reviewers],
    )


def test_hr_forms_a_round_through_the_form(client, org):
    case = submitted(org)
    client.force_login(org["hana"])
    page = client.get("/promotions/rounds/new/").content.decode()
    assert f'name="cases" value="{case.pk}"' in page
    response = client.post(
        "/promotions/rounds/new/",
        {"name": "Winter", "date": "2026-12-10", "cases": [case.pk], "reviewers": [org["mona"].pk]},
    )
    round_ = ReviewRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/promotions/rounds/{round_.pk}/"
    case.refresh_from_db()
    assert case.status == "in_review"
    listing = client.get("/promotions/rounds/").content.decode()
    assert f'data-round="{round_.pk}"' in listing
    assert "New round" in listing


def test_the_form_names_each_bad_field_and_saves_nothing(client, org):
    client.force_login(org["hana"])
    response = client.post("/promotions/rounds/new/", {"name": "", "date": "soon"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved" in html
    for error in ("name-error", "date-error", "cases-error", "reviewers-error"):
        assert f'id="{error}"' in html, error
    assert not ReviewRound.objects.exists()


@pytest.mark.parametrize("who", ["mona", "max", "mia", "erin", "sam", "eli"])
def test_only_hr_opens_the_form(client, org, who):
    client.force_login(org[who])
    assert client.get("/promotions/rounds/new/").status_code == 404
    assert client.post("/promotions/rounds/new/", {"name": "X"}).status_code == 404


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
def test_a_round_is_for_hr_and_its_reviewers(client, org, who, code):
    round_ = formed(org, [submitted(org)])
    client.force_login(org[who])
    assert client.get(f"/promotions/rounds/{round_.pk}/").status_code == code
    assert client.get("/promotions/rounds/").status_code == code


def test_a_visitor_is_sent_to_log_in(client, org):
    round_ = formed(org, [submitted(org)])
    response = client.get(f"/promotions/rounds/{round_.pk}/")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "log" in response["Location"]


def test_the_round_page_shows_each_case_beside_its_managers_calibration(client, org, assessed):
    case = submitted(org)
    round_ = formed(org, [case])
    client.force_login(org["mona"])
    html = client.get(f"/promotions/rounds/{round_.pk}/").content.decode()
    assert f'id="case-{case.pk}"' in html
    assert "Readiness" in html
    assert "Gaps" in html
    assert 'data-manager="max"' in html
    assert "rates 1.0 below their reports&#x27; own view" in html
    assert "100% of their ratings" in html
    assert "Record vote" in html
    assert "Record decision" not in html  # HR decides


def test_a_reviewer_votes_through_the_page_and_then_sees_the_others(client, org):
    case = submitted(org)
    round_ = formed(org, [case], reviewers=("mona", "mia"))
    committee.vote_record(by=org["mia"], round_=round_, case=case.pk, vote="support")
    client.force_login(org["mona"])
    before = client.get(f"/promotions/rounds/{round_.pk}/").content.decode()
    assert "you see their votes once you vote" in before
    assert 'data-reviewer="mia"' not in before
    url = f"/promotions/rounds/{round_.pk}/cases/{case.pk}/vote/"
    response = client.post(url, {"vote": "do_not_support", "reason": ""}, follow=True)
    assert "Say why you do not support this case." in response.content.decode()
    assert not Vote.objects.filter(reviewer=org["mona"]).exists()
    response = client.post(url, {"vote": "support", "reason": "Strong evidence."})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#case-{case.pk}")
    after = client.get(f"/promotions/rounds/{round_.pk}/").content.decode()
    assert 'data-reviewer="mia"' in after
    assert 'data-reviewer="mona"' in after


def test_a_reviewer_sees_why_they_cannot_vote_on_their_own_case(client, org):
    case = submitted(org)
    round_ = formed(org, [case], reviewers=("erin",))
    client.force_login(org["erin"])
    html = client.get(f"/promotions/rounds/{round_.pk}/").content.decode()
    assert "You cannot vote on your own case." in html
    assert "Record vote" not in html
    client.post(f"/promotions/rounds/{round_.pk}/cases/{case.pk}/vote/", {"vote": "support"})
    assert not Vote.objects.exists()


def test_outsiders_posting_get_404_and_write_nothing(client, org):
    case = submitted(org)
    round_ = formed(org, [case])
    client.force_login(org["eli"])
    base = f"/promotions/rounds/{round_.pk}/cases/{case.pk}"
    assert client.post(f"{base}/vote/", {"vote": "support"}).status_code == 404
    assert client.post(f"{base}/comment/", {"note": "x"}).status_code == 404
    assert (
        client.post(f"{base}/decide/", {"outcome": "approved", "rationale": "x"}).status_code == 404
    )
    assert not Vote.objects.exists()
    assert not CaseEvent.objects.filter(to_status="").exists()
    case.refresh_from_db()
    assert case.status == "in_review"


def test_a_reviewer_comments(client, org):
    case = submitted(org)
    round_ = formed(org, [case])
    client.force_login(org["mona"])
    client.post(f"/promotions/rounds/{round_.pk}/cases/{case.pk}/comment/", {"note": "Good case."})
    assert CaseEvent.objects.get(to_status="").note == "Good case."
    assert "Good case." in client.get(f"/promotions/rounds/{round_.pk}/").content.decode()


def test_hr_approves_from_the_round_page_and_deciding_twice_is_refused(client, org):
    case = submitted(org)
    round_ = formed(org, [case])
    client.force_login(org["hana"])
    url = f"/promotions/rounds/{round_.pk}/cases/{case.pk}/decide/"
    client.post(url, {"outcome": "approved", "rationale": "Clear evidence.", "effective": ""})
    case.refresh_from_db()
    org["erin"].refresh_from_db()
    assert case.status == "approved"
    assert org["erin"].role.key == "staff-engineer"
    assert RoleChange.objects.filter(person=org["erin"], case_id=case.pk).exists()
    again = client.post(url, {"outcome": "declined", "rationale": "No."}, follow=True)
    assert "already decided" in again.content.decode()
    case.refresh_from_db()
    assert case.status == "approved"


def test_a_decision_without_a_rationale_is_refused(client, org):
    case = submitted(org)
    round_ = formed(org, [case])
    client.force_login(org["hana"])
    url = f"/promotions/rounds/{round_.pk}/cases/{case.pk}/decide/"
    response = client.post(url, {"outcome": "deferred", "rationale": ""}, follow=True)
    html = response.content.decode()
    assert "Rationale:" in html
    assert "Revisit:" in html
    case.refresh_from_db()
    assert case.status == "in_review"


def test_the_round_page_costs_the_same_queries_for_one_case_or_three(
    client, org, assessed, django_assert_num_queries
):
    round_one = formed(org, [submitted(org)])
    three = [
        submitted(org, person="eli", by="mia"),
        submitted(org, person="max", by="mona", role="manager-of-managers"),
        submitted(org, person="mia", by="mona", role="manager-of-managers"),
    ]
    round_three = committee.round_create(
        by=org["hana"],
        name="Big",
        date=date(2026, 12, 11),
        cases=[c.pk for c in three],
        reviewers=[org["mona"].pk],
    )
    for round_, case in ((round_one, round_one.cases.get()), (round_three, three[0])):
        committee.vote_record(by=org["mona"], round_=round_, case=case.pk, vote="support")
    client.force_login(org["mona"])
    # The session, mona, the nav's one query, the round, its cases, their votes, the
    # voters, the reviewers, the comments, the managers' team tallies, their evidence
    # coverage, their levels and the answers about their reports (vs_others): the same
    # whatever the number of cases (the packets are frozen: no query).
    with django_assert_num_queries(13):
        assert client.get(f"/promotions/rounds/{round_one.pk}/").status_code == 200
    with django_assert_num_queries(13):
        assert client.get(f"/promotions/rounds/{round_three.pk}/").status_code == 200
