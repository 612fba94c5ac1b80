"""Query counts of the pages and endpoints not pinned beside their own tests: pinned,
and flat in the size of what they show (skills, ratings, people)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.services import assessment_start, assessment_submit
from people.models import Person
from skills.models import Expectation, Role, Skill
from tests.factories import SkillFactory
from tests.helpers import count_api_queries

pytestmark = pytest.mark.django_db


def widen(skills: int) -> list[str]:
    """`skills` more skills, all expected by the senior engineer role at level 3."""
    senior = Role.objects.get(key="senior-engineer")
    made = [SkillFactory(key=f"wide-{n}") for n in range(skills)]
    Expectation.objects.bulk_create(Expectation(role=senior, skill=s, level=3) for s in made)
    return [s.key for s in made]


def rate_everything(author: Person, person: Person, kind: str):
    ratings = [
        {"skill": key, "level": 2, "evidence": "Did it."}
        for key in Skill.objects.active().values_list("key", flat=True)
    ]
    return assessment_start(by=author, person=person, kind=kind, ratings=ratings)


# (url, user, queries, what they are); each measured before and after 60 more skills,
# all expected by erin's role and rated in two more submitted assessments of hers.
PINNED_API = [
    ("/api/skills/system-design/", "erin", 1, "the skill with its category"),
    # Issue 21: the role page's parts add its active variants and its active holders.
    ("/api/roles/senior-engineer/", "erin", 5, "the role, next, exp., variants, holders"),
    ("/api/assessments/{assessment}/", "erin", 3, "the assessment, ratings, citations"),
    ("/api/framework/?format=yaml", "erin", 6, "scale, categories, skills, roles, next, exp."),
    ("/api/people/{erin}/", "max", 1, "the person"),
]


@pytest.mark.parametrize(
    ("url", "who", "expected", "what"), PINNED_API, ids=[p[0] for p in PINNED_API]
)
def test_api_detail_query_counts_are_pinned_and_flat_in_skills_and_ratings(
    org, url, who, expected, what
):
    erin = org["erin"]
    first = assessment_submit(by=erin, assessment=rate_everything(erin, erin, "self"))
    path = url.format(assessment=first.pk, erin=erin.pk)
    small = count_api_queries(org[who], path)

    widen(60)
    second = assessment_submit(by=erin, assessment=rate_everything(erin, erin, "self"))
    large = count_api_queries(org[who], url.format(assessment=second.pk, erin=erin.pk))

    assert second.ratings.count() == first.ratings.count() + 60
    assert small == large, f"{url} grows with skills and ratings: {small} -> {large}"
    assert large == expected, f"{url}: {large} queries ({what})"


# Submitting a draft (besides the session): the user (1), the open draft (1), its rating
# count for the message (1), the savepoint pair of the service's atomic block (2), the
# draft locked with its person (1), "any rating?" (1), the update (1), the current
# levels of the skills it rates deleted and derived again (2), the person's team tallies
# deleted and counted again (4), the company's per-skill counts moved off and back on (2);
# the step marked done in the person's open review cycles (1); the manager told of it
# (assessments.cycles: the manager (1); people.notifications.notify: their channel for
# the kind (1), its savepoint pair (2), the notification (1), the bell's count (1), the
# email task queued (1)); the manager, named in the message of what happens next (1); on
# PostgreSQL, the recount's turn taken first (1: an advisory lock).
SUBMIT_QUERIES = 25 + (connection.vendor == "postgresql")


@pytest.mark.parametrize("extra_skills", [0, 60])
def test_submitting_a_self_assessment_takes_the_same_queries_whatever_the_skills(
    client, org, extra_skills
):
    erin = org["erin"]
    widen(extra_skills)
    rate_everything(erin, erin, "self")
    client.force_login(erin)
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/assess/submit/")
    assert response.status_code == 302
    own = [q for q in captured if "django_session" not in q["sql"]]
    assert len(own) == SUBMIT_QUERIES, "\n".join(q["sql"][:150] for q in own)


def test_the_login_page_takes_no_query(client, org):
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/login/").status_code == 200
    assert len(captured) == 0
