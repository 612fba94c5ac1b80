"""The promotion cases' API and who sees which case (assessments.promotions.access), in
every persona: the shape of issue 20, each endpoint's writes and refusals, and 404 for
whoever may not see a case."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assessments.cycles import site_today
from assessments.models import PromotionCase, ReviewRound
from assessments.promotions.access import cases_visible_to, get_case_or_404
from assessments.promotions.rules import case_open, case_submit, transition
from core.limits import TEXT_MAX
from people.models import RoleChange
from tests.factories import PersonFactory
from tests.helpers import submit

pytestmark = pytest.mark.django_db

S = PromotionCase.Status
URL = "/api/promotion-cases/"
PERSONAS = ["hana", "mona", "max", "mia", "erin", "sam", "eli"]


def opened(org, by="max") -> PromotionCase:
    return case_open(by=org[by], person=org["erin"], target_role="staff-engineer", summary="Ready.")


def submitted(org, by="max") -> PromotionCase:
    case = opened(org, by)
    return case_submit(by=org[by], case=case)


# --- Who sees what --------------------------------------------------------------------

# A draft max opened for erin: max, his chain (mona) and HR; not erin yet.
DRAFT_SEEN = {"hana", "mona", "max"}
# Submitted: erin too.
SUBMITTED_SEEN = {"hana", "mona", "max", "erin"}


@pytest.mark.parametrize("who", PERSONAS)
def test_a_draft_is_seen_by_the_opener_the_chain_and_hr(org, as_, who):
    case = opened(org)
    seen = who in DRAFT_SEEN
    assert cases_visible_to(org[who]).filter(pk=case.pk).exists() == seen
    answer = as_(who).get(f"{URL}{case.pk}/")
    assert answer.status_code == (200 if seen else 404)
    listed = [c["id"] for c in as_(who).get(URL).json()["results"]]
    assert (case.pk in listed) == seen


@pytest.mark.parametrize("who", PERSONAS)
def test_a_submitted_case_is_seen_by_the_person_too(org, as_, who, client):
    case = submitted(org)
    seen = who in SUBMITTED_SEEN
    assert (as_(who).get(f"{URL}{case.pk}/").status_code == 200) == seen
    client.force_login(org[who])
    assert client.get(f"/promotions/{case.pk}/").status_code == (200 if seen else 404)
    assert client.get(f"/promotions/{case.pk}/packet/").status_code == (200 if seen else 404)


def test_the_person_sees_the_case_they_opened_while_a_draft(org, as_):
    case = opened(org, by="erin")
    assert as_("erin").get(f"{URL}{case.pk}/").status_code == 200
    assert as_("max").get(f"{URL}{case.pk}/").status_code == 200  # her manager


def test_reviewers_see_the_cases_of_their_rounds_only(org, as_):
    case = submitted(org)
    other = case_open(by=org["mia"], person=org["eli"], target_role="staff-engineer", summary="x")
    case_submit(by=org["mia"], case=other)
    outsider = PersonFactory(username="rita")
    sitting = ReviewRound.objects.create(name="Q1", date=site_today(), created_by=org["hana"])
    sitting.reviewers.add(outsider)
    assert not cases_visible_to(outsider).exists()
    PromotionCase.objects.filter(pk=case.pk).update(round=sitting)
    transition(case=case, to=S.IN_REVIEW, by=org["hana"])
    assert list(cases_visible_to(outsider)) == [PromotionCase.objects.get(pk=case.pk)]
    assert get_case_or_404(outsider, case.pk).pk == case.pk


def test_outsiders_and_inactive_people_get_404(org, as_):
    case = submitted(org)
    assert as_("eli").get(f"{URL}{case.pk}/").status_code == 404
    assert as_("eli").post(f"{URL}{case.pk}/withdraw/", {}, format="json").status_code == 404
    assert as_("eli").patch(f"{URL}{case.pk}/", {"summary": "x"}, format="json").status_code == 404
    assert as_("eli").get(f"{URL}{2**63}/").status_code == 404
    erin = org["erin"]
    erin.is_active = False
    erin.save()
    assert not cases_visible_to(erin).exists()


def test_anonymous_callers_are_refused(client, org):
    case = opened(org)
    assert client.get(URL).status_code in (401, 403)
    assert client.get(f"/promotions/{case.pk}/").status_code == 302


# --- The shape and the writes ---------------------------------------------------------


def test_opening_through_the_api_has_the_issue_s_shape(org, as_):
    submit(org["erin"], org["erin"], "self", {"system-design": 3})
    answer = as_("max").post(
        URL,
        {"person": org["erin"].pk, "target_role": "staff-engineer", "summary": "She is ready."},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert {
        "id",
        "person",
        "target_role",
        "opened_by",
        "summary",
        "status",
        "packet",
        "decision",
    } <= set(body)
    assert (body["person"], body["target_role"], body["opened_by"], body["status"]) == (
        org["erin"].pk,
        "staff-engineer",
        org["max"].pk,
        "draft",
    )
    assert body["decision"] is None
    design = next(s for s in body["packet"]["skills"] if s["key"] == "system-design")
    assert design["self"] == 3


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"target_role": "staff-engineer", "summary": "x"}, "person"),
        ({"person": 0, "target_role": "staff-engineer", "summary": "x"}, "person"),
        ({"person": "ERIN", "target_role": "nope", "summary": "x"}, "person"),
        ({"target_role": "nope", "summary": "x"}, "target_role"),
        ({"target_role": "staff-engineer", "summary": ""}, "summary"),
        ({"target_role": "staff-engineer", "summary": "x" * (TEXT_MAX + 1)}, "summary"),
    ],
)
def test_a_bad_opening_names_its_field(org, as_, payload, field):
    data = (
        {"person": org["erin"].pk, **payload}
        if "person" not in payload and field != "person"
        else payload
    )
    answer = as_("max").post(URL, data, format="json")
    assert answer.status_code == 400
    assert field in answer.json()
    assert not PromotionCase.objects.exists()


def test_opening_for_someone_you_may_not_see_is_no_such_person(org, as_):
    answer = as_("max").post(
        URL,
        {"person": org["eli"].pk, "target_role": "staff-engineer", "summary": "x"},
        format="json",
    )
    assert answer.status_code == 400
    assert "person" in answer.json()
    answer = as_("erin").post(
        URL,
        {"person": org["erin"].pk, "target_role": "principal-engineer", "summary": "x"},
        format="json",
    )
    assert answer.status_code == 403


def test_patch_edits_a_draft_and_refuses_a_submitted_case(org, as_):
    case = opened(org)
    answer = as_("max").patch(f"{URL}{case.pk}/", {"summary": "Better."}, format="json")
    assert answer.status_code == 200
    assert answer.json()["summary"] == "Better."
    assert (
        as_("mona").patch(f"{URL}{case.pk}/", {"summary": "Mine."}, format="json").status_code
        == 403
    )
    assert as_("max").post(f"{URL}{case.pk}/submit/").status_code == 200
    refused = as_("max").patch(f"{URL}{case.pk}/", {"summary": "Later."}, format="json")
    assert refused.status_code == 400
    assert "status" in refused.json()
    assert PromotionCase.objects.get(pk=case.pk).summary == "Better."


def test_submit_freezes_the_packet_in_the_api(org, as_):
    submit(org["erin"], org["erin"], "self", {"system-design": 2})
    case = opened(org)
    frozen = as_("max").post(f"{URL}{case.pk}/submit/").json()
    assert frozen["status"] == "submitted"
    submit(org["erin"], org["erin"], "self", {"system-design": 5})
    again = as_("max").get(f"{URL}{case.pk}/").json()
    assert again["packet"] == frozen["packet"]
    assert as_("max").post(f"{URL}{case.pk}/submit/").status_code == 400


def test_withdraw_by_the_opener_only(org, as_):
    case = submitted(org)
    assert as_("mona").post(f"{URL}{case.pk}/withdraw/", {}, format="json").status_code == 403
    assert as_("erin").post(f"{URL}{case.pk}/withdraw/", {}, format="json").status_code == 403
    answer = as_("max").post(f"{URL}{case.pk}/withdraw/", {"note": "Next year."}, format="json")
    assert answer.status_code == 200
    assert answer.json()["status"] == "withdrawn"
    assert as_("max").post(f"{URL}{case.pk}/withdraw/", {}, format="json").status_code == 400


def test_decide_approves_and_changes_the_role(org, as_):
    case = submitted(org)
    transition(case=case, to=S.IN_REVIEW, by=org["hana"])
    assert (
        as_("max")
        .post(f"{URL}{case.pk}/decide/", {"outcome": "approved", "rationale": "x"}, format="json")
        .status_code
        == 403
    )
    answer = as_("hana").post(
        f"{URL}{case.pk}/decide/", {"outcome": "approved", "rationale": "Ready."}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    decision = answer.json()["decision"]
    assert decision["outcome"] == "approved"
    assert decision["rationale"] == "Ready."
    assert decision["effective"] == site_today().isoformat()
    assert decision["role_changed_at"]
    assert RoleChange.objects.get(person=org["erin"]).case_id == case.pk
    twice = as_("hana").post(
        f"{URL}{case.pk}/decide/", {"outcome": "declined", "rationale": "No."}, format="json"
    )
    assert twice.status_code == 400
    assert "status" in twice.json()
    # erin sees the decision.
    seen = as_("erin").get(f"{URL}{case.pk}/").json()
    assert seen["decision"]["outcome"] == "approved"


def test_decide_names_bad_fields(org, as_):
    case = submitted(org)
    transition(case=case, to=S.IN_REVIEW, by=org["hana"])
    hana = as_("hana")
    bad = hana.post(
        f"{URL}{case.pk}/decide/", {"outcome": "deferred", "rationale": "x"}, format="json"
    )
    assert bad.status_code == 400
    assert "revisit" in bad.json()
    bad = hana.post(
        f"{URL}{case.pk}/decide/", {"outcome": "maybe", "rationale": "x"}, format="json"
    )
    assert bad.status_code == 400
    assert "outcome" in bad.json()
    later = (site_today() + timedelta(days=30)).isoformat()
    ok = hana.post(
        f"{URL}{case.pk}/decide/",
        {"outcome": "deferred", "rationale": "In spring.", "revisit": later},
        format="json",
    )
    assert ok.status_code == 200
    assert ok.json()["decision"]["revisit"] == later


def test_the_list_filters_by_status(org, as_):
    draft = opened(org)
    other = case_open(by=org["hana"], person=org["eli"], target_role="staff-engineer", summary="x")
    case_submit(by=org["hana"], case=other)
    found = as_("hana").get(f"{URL}?status=submitted").json()["results"]
    assert [c["id"] for c in found] == [other.pk]
    found = as_("hana").get(f"{URL}?status=draft").json()["results"]
    assert [c["id"] for c in found] == [draft.pk]
