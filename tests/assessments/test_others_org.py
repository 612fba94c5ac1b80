"""The Org view's self-awareness distribution (issue 18): how many people in the
viewer's scope fall in each band of the figure, no one named, in a constant number of
queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.rollups import self_awareness_distribution
from people.models import Person
from tests.assessments.others import give_others
from tests.assessments.test_pages_org import ORG_QUERIES
from tests.helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def measured(org):
    """Below mona: sam 0 apart, max 0.5 (a band's lower edge), eli 1, erin 2; mia not
    measured (nobody asked)."""
    plan = {
        "sam": ({"system-design": 3}, {"system-design": [3, 3, 3]}),
        "max": (
            {"system-design": 3, "mentoring": 3},
            {"system-design": [3, 3, 3], "mentoring": [4, 4, 4]},
        ),
        "eli": ({"mentoring": 2}, {"mentoring": [3, 3, 4]}),
        "erin": ({"system-design": 4}, {"system-design": [2, 1, 3]}),
    }
    for name, (levels, others) in plan.items():
        submit(org[name], org[name], "self", levels)
        give_others(org[name], others)
    return org


def bands(html: str) -> dict[str, str]:
    section = re.search(r'<table class="self-awareness".*?</table>', html, re.S).group(0)
    return dict(re.findall(r'<tr data-band="([^"]+)">.*?<td>(\d+)</td>', section, re.S))


def test_the_bands_count_the_people_below_the_viewer(client, measured):
    client.force_login(measured["mona"])
    html = client.get("/team/org/").content.decode()
    assert bands(html) == {"0": "1", "0.5": "1", "1": "1", "2": "1", "none": "1"}
    assert "0.5 to under 1" in html
    assert "2 or more" in html


def test_hr_counts_everyone_and_two_answers_do_not_measure(client, measured, org):
    submit(org["mia"], org["mia"], "self", {"hiring": 0})
    give_others(org["mia"], {"hiring": [5, 5]})  # below the threshold: still unmeasured
    found = self_awareness_distribution(user=org["hana"])
    assert [band.people for band in found.bands] == [1, 1, 1, 1]
    assert found.measured == 4
    # Everyone else is unmeasured: mona, mia, hana and the colleagues who answered.
    assert found.unmeasured == Person.objects.filter(is_active=True).count() - 4


def test_the_section_names_no_one(client, measured):
    client.force_login(measured["mona"])
    html = client.get("/team/org/").content.decode()
    section = re.search(r'aria-labelledby="awareness-title">.*?</section>', html, re.S).group(0)
    for name in ("erin", "sam", "eli", "max", "mia", "Erin", "Sam", "Eli", "Max", "Mia"):
        assert name not in section


def test_the_distribution_costs_three_queries_whatever_the_answers(org, django_assert_num_queries):
    with django_assert_num_queries(2):  # people in scope, answers (none: no self levels)
        self_awareness_distribution(user=org["hana"])
    for name in ("erin", "sam", "eli", "max"):
        submit(org[name], org[name], "self", {"system-design": 2, "mentoring": 3})
        give_others(org[name], {"system-design": [1, 2, 3, 4], "mentoring": [2, 2, 2]})
    with django_assert_num_queries(3):  # people in scope, answers, self levels of those
        found = self_awareness_distribution(user=org["hana"])
    assert found.measured == 4


def test_the_org_view_queries_stay_flat_as_answers_grow(client, org):
    client.force_login(org["mona"])

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/team/org/").status_code == 200
        return len(captured)

    submit(org["max"], org["erin"], "manager", {"system-design": 3})
    submit(org["erin"], org["erin"], "self", {"system-design": 2})
    give_others(org["erin"], {"system-design": [1, 2, 3, 4, 5]})
    before = count()
    for name in ("sam", "eli"):
        submit(org[name], org[name], "self", {"system-design": 2})
        give_others(org[name], {"system-design": [1, 2, 3, 4, 5]})
    assert count() == before == ORG_QUERIES
