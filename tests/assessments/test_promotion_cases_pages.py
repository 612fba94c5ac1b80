"""Promotion cases' pages: the list (and its status filter), opening a case, editing a
draft, submit and withdraw, HR's decision form, the person's view of a declined case
with its gaps turned into growth-plan items, the printable packet, the nav link; 404
for everyone who may not; query counts pinned."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.cycles import site_today
from assessments.models import FocusSkill, PromotionCase
from assessments.promotions.committee import round_create
from assessments.promotions.rules import case_decide, case_open, case_submit, transition
from people.models import RoleChange
from tests.helpers import submit

pytestmark = pytest.mark.django_db

S = PromotionCase.Status


def opened(org, by="max") -> PromotionCase:
    return case_open(by=org[by], person=org["erin"], target_role="staff-engineer", summary="Ready.")


def in_review(org) -> PromotionCase:
    case = case_submit(by=org["max"], case=opened(org))
    transition(case=case, to=S.IN_REVIEW, by=org["hana"])
    return PromotionCase.objects.get(pk=case.pk)


def as_user(client, person):
    client.force_login(person)
    return client


# --- The list and the nav ---------------------------------------------------------------


def test_the_list_shows_the_cases_the_viewer_sees_and_filters_by_status(client, org):
    case = opened(org)
    other = case_open(by=org["hana"], person=org["eli"], target_role="staff-engineer", summary="x")
    page = as_user(client, org["hana"]).get("/promotions/").content.decode()
    assert f'data-case="{case.pk}"' in page
    assert f'data-case="{other.pk}"' in page
    case_submit(by=org["hana"], case=other)
    page = client.get("/promotions/?status=submitted").content.decode()
    assert f'data-case="{case.pk}"' not in page
    assert f'data-case="{other.pk}"' in page
    page = as_user(client, org["mia"]).get("/promotions/").content.decode()
    assert f'data-case="{case.pk}"' not in page
    assert f'data-case="{other.pk}"' in page


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("hana", True),
        ("mona", True),
        ("max", True),
        ("mia", True),
        ("erin", True),
        ("sam", False),
        ("eli", False),
    ],
)
def test_the_nav_links_promotions_for_whoever_may_see_a_case(client, org, who, shown):
    case_submit(by=org["max"], case=opened(org))  # erin's own case, submitted
    page = as_user(client, org[who]).get("/").content.decode()
    assert ('href="/promotions/"' in page) == shown


def test_the_nav_costs_no_more_queries_than_before(client, org):
    """The nav asked one query (is a manager?) before; it asks one still, for both."""
    as_user(client, org["sam"])
    client.get("/promotions/")  # warm the session
    with CaptureQueriesContext(connection) as seen:
        client.get("/promotions/")
    nav = [
        q["sql"]
        for q in seen.captured_queries
        if "EXISTS" in q["sql"] and "people_person" in q["sql"]
    ]
    assert len(nav) == 1


# --- Opening and editing ------------------------------------------------------------------


def test_a_manager_opens_a_case_from_the_form(client, org):
    as_user(client, org["max"])
    form = client.get(f"/promotions/new/?person={org['erin'].pk}").content.decode()
    assert "Erin" in form
    assert "Eli" not in form
    answer = client.post(
        "/promotions/new/",
        {
            "person": org["erin"].pk,
            "target_role": "staff-engineer",
            "summary": "Led the migration.",
        },
    )
    case = PromotionCase.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/promotions/{case.pk}/"
    assert case.opened_by == org["max"]
    assert case.status == S.DRAFT


def test_the_form_names_bad_fields_and_saves_nothing(client, org):
    as_user(client, org["max"])
    page = client.post(
        "/promotions/new/", {"person": org["erin"].pk, "target_role": "", "summary": ""}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="role-error"' in html
    assert 'id="summary-error"' in html
    page = client.post(
        "/promotions/new/",
        {"person": org["eli"].pk, "target_role": "staff-engineer", "summary": "x"},
    )
    assert 'id="person-error"' in page.content.decode()
    assert not PromotionCase.objects.exists()


def test_someone_without_reports_or_target_role_has_no_form(client, org):
    sam = org["sam"]
    assert as_user(client, sam).get("/promotions/new/").status_code == 404


def test_the_opener_edits_the_draft_summary(client, org):
    case = opened(org)
    as_user(client, org["max"])
    assert client.post(f"/promotions/{case.pk}/edit/", {"summary": "Better."}).status_code == 302
    assert PromotionCase.objects.get(pk=case.pk).summary == "Better."
    bad = client.post(f"/promotions/{case.pk}/edit/", {"summary": " "})
    assert 'id="summary-error"' in bad.content.decode()
    assert as_user(client, org["mona"]).get(f"/promotions/{case.pk}/edit/").status_code == 404


def test_a_submitted_case_has_no_edit_page(client, org):
    case = case_submit(by=org["max"], case=opened(org))
    assert as_user(client, org["max"]).get(f"/promotions/{case.pk}/edit/").status_code == 404
    assert client.post(f"/promotions/{case.pk}/edit/", {"summary": "x"}).status_code == 404
    assert PromotionCase.objects.get(pk=case.pk).summary == "Ready."


# --- The case page ------------------------------------------------------------------------


def test_the_case_page_shows_the_live_packet_and_the_opener_s_buttons(client, org):
    submit(org["erin"], org["erin"], "self", {"system-design": 3})
    case = opened(org)
    page = as_user(client, org["max"]).get(f"/promotions/{case.pk}/").content.decode()
    assert "(live: a draft)" in page
    assert 'data-skill="system-design"' in page
    assert "Submit the case" in page
    assert "Withdraw the case" in page
    page = as_user(client, org["mona"]).get(f"/promotions/{case.pk}/").content.decode()
    assert "Submit the case" not in page
    assert "Withdraw the case" not in page


def test_submit_and_withdraw_by_post(client, org):
    case = opened(org)
    as_user(client, org["max"])
    assert client.post(f"/promotions/{case.pk}/submit/").status_code == 302
    assert PromotionCase.objects.get(pk=case.pk).status == S.SUBMITTED
    assert as_user(client, org["mona"]).post(f"/promotions/{case.pk}/withdraw/").status_code == 404
    assert as_user(client, org["eli"]).post(f"/promotions/{case.pk}/withdraw/").status_code == 404
    assert PromotionCase.objects.get(pk=case.pk).status == S.SUBMITTED
    as_user(client, org["max"]).post(f"/promotions/{case.pk}/withdraw/")
    assert PromotionCase.objects.get(pk=case.pk).status == S.WITHDRAWN
    again = client.post(f"/promotions/{case.pk}/withdraw/", follow=True)
    assert "cannot change any more" in again.content.decode()


def test_hr_decides_from_the_case_page(client, org):
    case = in_review(org)
    page = as_user(client, org["hana"]).get(f"/promotions/{case.pk}/").content.decode()
    assert 'id="decide-form"' in page
    bad = client.post(f"/promotions/{case.pk}/decide/", {"outcome": "approved", "rationale": ""})
    assert bad.status_code == 200
    assert 'id="rationale-error"' in bad.content.decode()
    assert PromotionCase.objects.get(pk=case.pk).status == S.IN_REVIEW
    done = client.post(
        f"/promotions/{case.pk}/decide/", {"outcome": "approved", "rationale": "Ready."}
    )
    assert done.status_code == 302
    assert RoleChange.objects.get(person=org["erin"]).to_role.key == "staff-engineer"
    page = client.get(f"/promotions/{case.pk}/").content.decode()
    assert 'id="decide-form"' not in page
    assert "Decision: approved" in page


def test_only_hr_sees_the_decision_form(client, org):
    case = in_review(org)
    for who in ("mona", "max", "erin"):
        page = as_user(client, org[who]).get(f"/promotions/{case.pk}/").content.decode()
        assert 'id="decide-form"' not in page
        assert (
            client.post(
                f"/promotions/{case.pk}/decide/", {"outcome": "approved", "rationale": "x"}
            ).status_code
            == 404
        )
    assert PromotionCase.objects.get(pk=case.pk).status == S.IN_REVIEW


def test_the_person_sees_a_declined_decision_with_its_gaps_and_adds_one_to_the_plan(client, org):
    submit(org["max"], org["erin"], "manager", {"system-design": 1})
    case = in_review(org)
    revisit = site_today() + timedelta(days=60)
    case_decide(
        by=org["hana"], case=case, outcome="deferred", rationale="Design first.", revisit=revisit
    )
    page = as_user(client, org["erin"]).get(f"/promotions/{case.pk}/").content.decode()
    assert "Design first." in page
    assert "The gaps that mattered" in page
    assert "Add System design to my growth plan" in page or 'value="system-design"' in page
    answer = client.post(f"/promotions/{case.pk}/plan/", {"skill": "system-design"})
    assert answer.status_code == 302
    focus = FocusSkill.objects.get(plan__person=org["erin"], skill__key="system-design")
    expected = next(s for s in case.packet["skills"] if s["key"] == "system-design")["expected"]
    assert focus.target_level == expected
    client.post(f"/promotions/{case.pk}/plan/", {"skill": "system-design"})
    assert FocusSkill.objects.filter(plan__person=org["erin"]).count() == 1
    # Not a gap of the case: refused; someone else: 404.
    client.post(f"/promotions/{case.pk}/plan/", {"skill": "nope"})
    assert FocusSkill.objects.filter(plan__person=org["erin"]).count() == 1
    assert (
        as_user(client, org["max"])
        .post(f"/promotions/{case.pk}/plan/", {"skill": "system-design"})
        .status_code
        == 404
    )


def test_the_person_does_not_see_individual_notes_of_the_history(client, org):
    case = in_review(org)
    case_decide(by=org["hana"], case=case, outcome="declined", rationale="Not yet.")
    page = as_user(client, org["erin"]).get(f"/promotions/{case.pk}/").content.decode()
    assert "Not yet." in page  # the rationale, in the decision section
    assert page.count("Not yet.") == 1  # not repeated as a history note


# --- The printable packet -----------------------------------------------------------------


def test_the_packet_page_links_the_print_stylesheet(client, org):
    case = opened(org)
    page = as_user(client, org["max"]).get(f"/promotions/{case.pk}/packet/").content.decode()
    assert "css/print.css" in page
    assert 'data-skill="system-design"' in page
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/print.css")).read_text()
    assert "@media print" in css
    assert ".site-header" in css
    assert "nav" in css
    assert "button" in css


# --- Query counts -------------------------------------------------------------------------


def _count(client, url: str) -> int:
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as seen:
        assert client.get(url).status_code == 200
    return len(seen.captured_queries)


def test_the_pages_query_counts_are_flat_in_the_cases(client, org):
    as_user(client, org["hana"])
    first = opened(org)
    small_list = _count(client, "/promotions/")
    small_case = _count(client, f"/promotions/{first.pk}/")
    for person in ("sam", "eli"):
        case_open(by=org["hana"], person=org[person], target_role="principal-engineer", summary="x")
    assert _count(client, "/promotions/") == small_list
    assert _count(client, f"/promotions/{first.pk}/") == small_case


def test_the_pages_query_counts_are_pinned(client, org, django_assert_num_queries):
    case = case_submit(by=org["max"], case=opened(org))
    as_user(client, org["hana"])
    client.get("/promotions/")
    # session, user, the nav's one query, the cases with person, role and opener.
    with django_assert_num_queries(4):
        client.get("/promotions/")
    client.get(f"/promotions/{case.pk}/")
    # session, user, nav, the case (with person, role, opener), its events with actors.
    with django_assert_num_queries(5):
        client.get(f"/promotions/{case.pk}/")


def test_the_list_links_to_review_rounds_for_hr_and_reviewers_only(client, org):
    case = case_submit(by=org["max"], case=opened(org))
    round_create(
        by=org["hana"],
        name="Winter",
        date=date(2026, 12, 10),
        cases=[case.pk],
        reviewers=[org["mona"].pk],
    )
    for who, shown in (("hana", True), ("mona", True), ("max", False), ("erin", False)):
        page = as_user(client, org[who]).get("/promotions/").content.decode()
        assert ('href="/promotions/rounds/"' in page) is shown, who


def test_the_manager_comments_from_the_case_page_and_the_reviewers_read_it(client, org):
    case = case_submit(by=org["max"], case=opened(org))
    page = as_user(client, org["max"]).get(f"/promotions/{case.pk}/").content.decode()
    assert f'action="/promotions/{case.pk}/comment/"' in page
    answer = client.post(f"/promotions/{case.pk}/comment/", {"note": "Led the migration."})
    assert answer.status_code == 302
    round_ = round_create(
        by=org["hana"],
        name="Winter",
        date=date(2026, 12, 10),
        cases=[case.pk],
        reviewers=[org["mia"].pk],
    )
    seen = as_user(client, org["mia"]).get(f"/promotions/rounds/{round_.pk}/").content.decode()
    assert "Led the migration." in seen
    # erin sees that her manager commented, not what.
    page = as_user(client, org["erin"]).get(f"/promotions/{case.pk}/").content.decode()
    assert "commented" in page
    assert "Led the migration." not in page


def test_a_comment_is_refused_to_the_person_on_a_draft_and_when_empty(client, org):
    draft = opened(org)
    assert (
        as_user(client, org["max"])
        .post(f"/promotions/{draft.pk}/comment/", {"note": "Too early."})
        .status_code
        == 404
    )  # a draft takes no comments
    case = case_submit(by=org["max"], case=draft)
    assert (
        as_user(client, org["erin"])
        .post(f"/promotions/{case.pk}/comment/", {"note": "Me too."})
        .status_code
        == 404
    )
    assert (
        as_user(client, org["sam"])
        .post(f"/promotions/{case.pk}/comment/", {"note": "Hi."})
        .status_code
        == 404
    )
    page = (
        as_user(client, org["max"])
        .post(f"/promotions/{case.pk}/comment/", {"note": "  "}, follow=True)
        .content.decode()
    )
    assert "Note: Write something." in page
    assert not case.events.filter(to_status="").exists()
