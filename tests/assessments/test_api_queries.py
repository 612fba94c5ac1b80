"""Query counts of every list and computed endpoint, pinned, and flat in the size of the
organisation: the same count for 5 and for 50 reports with their assessments."""

from __future__ import annotations

import pytest

from assessments.services import assessment_start, assessment_submit
from skills.models import Role, Skill
from tests.factories import PersonFactory
from tests.helpers import count_api_queries

pytestmark = pytest.mark.django_db


def grow(org, framework, size: int) -> None:
    """`size` engineers under max, each with a self and a manager assessment."""
    skills = list(Skill.objects.values_list("key", flat=True))
    for n in range(size):
        person = PersonFactory(
            username=f"eng{size}-{n}",
            role=framework["senior-engineer"],
            target_role=framework["staff-engineer"],
            manager=org["max"],
        )
        for author, kind in ((person, "self"), (org["max"], "manager")):
            ratings = [{"skill": key, "level": (n + i) % 6} for i, key in enumerate(skills)]
            draft = assessment_start(by=author, person=person, kind=kind, ratings=ratings)
            assessment_submit(by=author, assessment=draft)


# (url, user, queries, what they are)
PINNED = [
    ("/api/me/", "max", 0, "the user is already loaded"),
    ("/api/categories/", "max", 2, "count, page"),
    ("/api/skills/?page_size=500", "max", 2, "count, page with categories"),
    # Issue 21: the role page's parts add the variants and the holders of the page's roles.
    ("/api/roles/", "max", 6, "count, page, next, expectations, variants, holders"),
    ("/api/people/?page_size=500", "max", 2, "count, page with roles"),
    ("/api/people/{max}/", "max", 1, "the person"),
    ("/api/assessments/?page_size=500", "max", 4, "count, page, ratings, citations"),
    (
        "/api/people/{erin}/gaps/",
        "max",
        2,
        "person, role, expectations and latest levels at once; others' answers",
    ),
    ("/api/people/{erin}/paths/", "max", 5, "person, roles, next roles, expectations, levels"),
    ("/api/people/{max}/team/", "max", 4, "person, members, expectations, latest levels"),
    ("/api/people/{max}/team/?depth=all", "mona", 4, "the same over the subtree"),
    ("/api/reports/skills/", "max", 4, "has reports, org chart, team tallies per skill, skills"),
    (
        "/api/reports/calibration/",
        "mona",
        7,
        "has reports, org chart, managers counted, the page of managers' team tallies, "
        "their evidence coverage, their levels of their reports, others' answers on them",
    ),
    ("/api/reports/skills/", "hana", 2, "tallies per skill, skills"),
    ("/api/framework/", "max", 6, "scale, categories, skills, roles, next roles, expectations"),
]


@pytest.mark.parametrize(("url", "who", "expected", "queries"), PINNED, ids=[p[0] for p in PINNED])
def test_query_count_is_pinned_and_flat_in_the_number_of_reports(
    org, framework, url, who, expected, queries
):
    url = url.format(max=org["max"].pk, erin=org["erin"].pk)
    grow(org, framework, 5)
    small = count_api_queries(org[who], url)

    grow(org, framework, 45)
    large = count_api_queries(org[who], url)

    assert small == large, f"{url} grows with the organisation: {small} -> {large}"
    assert large == expected, f"{url}: {large} queries ({queries})"


def test_a_role_history_takes_a_fixed_number_of_queries(org, framework):
    from skills.services import role_save

    def history_queries() -> int:
        return count_api_queries(org["hana"], "/api/roles/staff-engineer/history/?page_size=500")

    role_save(by=org["hana"], key="staff-engineer", changes={"summary": "One."})
    before = history_queries()
    for n in range(10):
        role_save(
            by=org["hana"],
            key="staff-engineer",
            changes={"summary": f"Change {n}", "expectations": {"hiring": n % 5}},
        )
    assert history_queries() == before
    assert Role.objects.get(key="staff-engineer").history.count() > 10
