"""Home (`/`): each persona lands on what to do next and where they stand; HR on the
organisation's loose ends. Logging in lands here."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Action, FocusSkill, GrowthPlan
from assessments.services import assessment_rate, assessment_start
from skills.models import Expectation, Skill
from skills.services import expectation_set
from tests.factories import PersonFactory
from tests.helpers import add_people, submit


def home(client, person) -> str:
    client.force_login(person)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def expected_by(role) -> int:
    """How many active skills a role expects (Staff Engineer: 21 in the default
    framework's second edition)."""
    return Expectation.objects.filter(role=role, skill__retired=False).count()


def todos(html: str) -> list[str]:
    found = re.search(r'<ul class="todo-list">(.*?)</ul>', html, re.S)
    if found is None:
        return []
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip()
        for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)
    ]


def test_anonymous_visitors_are_sent_to_log_in_and_logging_in_lands_home(client, erin):
    assert client.get("/")["Location"] == "/login/"
    response = client.post("/login/", {"username": "erin", "password": "demo"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "<h1>Home</h1>" in response.content.decode()


def test_an_engineer_who_never_rated_herself_is_told_to_start_and_sees_not_assessed_yet(
    client, erin
):
    html = home(client, erin)
    [todo] = todos(html)
    expected = expected_by(erin.target_role)
    assert todo.startswith(f"Start your self-assessment: rate yourself on the {expected} skills")
    assert "Staff Engineer expects" in todo
    assert "Not assessed yet." in html
    assert "0%" not in html  # never rated is not 0%
    assert "aiming at Staff Engineer" in html


def test_a_draft_says_how_far_it_got_and_readiness_shows_met_of_expected(client, erin):
    submit(erin, erin, "self", {"system-design": 4, "mentoring": 3})
    draft = assessment_start(by=erin, person=erin, kind="self", ratings=[])
    assessment_rate(
        by=erin,
        assessment=draft,
        ratings=[{"skill": "hiring", "level": 2}, {"skill": "mentoring", "level": 3}],
    )
    html = home(client, erin)
    expected = expected_by(erin.target_role)  # her gaps are measured against her target
    assert todos(html) == [
        f"Finish your self-assessment: 3 of {expected} skills answered so far. Continue"
    ]
    met = re.search(rf'<span class="met">(\d+) of {expected} met</span>', html)
    assert met is not None, html
    assert f'max="{expected}" value="{met.group(1)}"' in html
    assert "Biggest gaps" in html


def test_overdue_growth_actions_and_a_framework_change_after_the_last_self_assessment(
    client, erin, hana
):
    submit(erin, erin, "self", {"system-design": 3}, at=timezone.now() - timedelta(days=2))
    plan = GrowthPlan.objects.create(person=erin)
    focus = FocusSkill.objects.create(
        plan=plan, skill=Skill.objects.get(key="mentoring"), target_level=3
    )
    yesterday = timezone.localdate() - timedelta(days=1)
    Action.objects.create(focus=focus, text="Pair with sam", due_date=yesterday)
    Action.objects.create(focus=focus, text="Done already", due_date=yesterday, done=True)
    Action.objects.create(focus=focus, text="Later", due_date=yesterday + timedelta(days=9))
    assert [t for t in todos(home(client, erin)) if "growth" in t] == [
        "1 growth action is past the due date. Open your growth plan"
    ]

    mentoring = Skill.objects.get(key="mentoring")
    was = Expectation.objects.get(role=erin.target_role, skill=mentoring).level
    expectation_set(by=hana, role=erin.target_role, skill=mentoring, level=was + 1, was=was)
    changed = [t for t in todos(home(client, erin)) if "expects changed" in t]
    assert len(changed) == 1
    assert changed[0].startswith("What Staff Engineer expects changed on")


def test_a_manager_is_asked_to_assess_a_report_whose_self_assessment_is_in(client, erin, max_, org):
    assert not [t for t in todos(home(client, max_)) if "Erin" in t]
    submit(erin, erin, "self", {"system-design": 4}, at=timezone.now() - timedelta(days=1))
    html = home(client, max_)
    day = timezone.localdate() - timedelta(days=1)
    assert [t for t in todos(html) if "Erin" in t] == [
        f"Assess Erin: their self-assessment came in on {day.day} {day:%b %Y}. Assess Erin"
    ]
    assert "Your team" in html
    assert re.search(r"<strong>2</strong> direct reports", html)

    submit(max_, erin, "manager", {"system-design": 3})
    assert not [t for t in todos(home(client, max_)) if "Erin" in t]

    draft = assessment_start(by=max_, person=erin, kind="manager", ratings=[])
    assert draft.pk
    assert "Finish your assessment of Erin. Continue" in todos(home(client, max_))


def test_stale_ratings_ask_the_person_to_review_them_and_the_manager_to_reassess(
    client, erin, max_, org, settings
):
    """Ratings older than CAREERMAP_STALE_AFTER_DAYS (assessments.gaps.is_stale): erin is
    asked to review hers, max to reassess her; a day inside the line asks nothing."""
    long_ago = timezone.now() - timedelta(days=400)
    submit(erin, erin, "self", {"system-design": 4, "mentoring": 3}, at=long_ago)
    submit(max_, erin, "manager", {"system-design": 3}, at=long_ago + timedelta(days=1))
    day = timezone.localtime(long_ago + timedelta(days=1)).date()

    assert (
        "2 of your ratings are over 365 days old: review them in a new self-assessment. Review"
        in todos(home(client, erin))
    )
    assert [t for t in todos(home(client, max_)) if "Erin" in t] == [
        f"Reassess Erin: your last assessment of them was on {day.day} {day:%b %Y}, "
        "over 365 days ago. Assess Erin"
    ]

    settings.CAREERMAP_STALE_AFTER_DAYS = 401  # both ratings are inside the line now
    assert not [t for t in todos(home(client, erin)) if "days old" in t]
    assert not [t for t in todos(home(client, max_)) if "Erin" in t]


def test_hr_lands_on_the_organisations_loose_ends_not_an_empty_map(client, hana, org):
    nobody = PersonFactory(username="nobody")  # no role, no manager, never invited
    assert nobody.last_login is None
    html = home(client, hana)
    assert "Your organisation" in html
    assert "Where you stand" not in html
    assert todos(html) == []  # HR without a role is not told to assess themself
    assert "Nothing is waiting for you." in html
    # Without a role: hana, nobody; without a manager: hana, mona, nobody.
    assert re.search(r'href="/people/\?role=null&amp;active=yes"><strong>2</strong>', html)
    assert re.search(r'href="/people/\?manager=null&amp;active=yes"><strong>3</strong>', html)
    # Each count is the number of people its link lists.
    shown = re.search(r'\?login=uninvited&amp;active=yes"><strong>(\d+)</strong>', html)
    assert shown is not None
    listed = client.get("/people/?login=uninvited&active=yes").content.decode()
    assert f">{shown.group(1)} people</h2>" in listed
    people = client.get("/people/?role=null&active=yes").content.decode()
    assert 'data-person="nobody"' in people
    assert 'data-person="erin"' not in people


@pytest.mark.parametrize("who", ["erin", "max", "hana"])
def test_home_query_count_is_pinned_and_flat(client, org, framework, who):
    client.force_login(org[who])
    with CaptureQueriesContext(connection) as small:
        client.get("/")
    add_people(org["max"], 20, framework, "grown")
    with CaptureQueriesContext(connection) as large:
        client.get("/")
    assert len(small) == len(large) == HOME_QUERIES[who], [q["sql"][:80] for q in large]


# session, user (2), the person with roles (1), gaps (2), own assessments (1), overdue
# actions (1), open requests for their input (1), the reports (1), the team tally (1),
# the navigation's has_reports (1), the open review cycles' steps of theirs and their
# reports' (1);
# HR without a role: gaps in 1 (no skills to load), no own assessments or actions (3
# fewer), the organisation's counts (3 more).
HOME_QUERIES = {"erin": 12, "max": 12, "hana": 12}
