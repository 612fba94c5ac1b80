"""Calibration against input from others (issue 18): per manager, the mean of (manager
level - others' median) over their direct reports' skills with enough answers, on the
Org view and in the API."""

from __future__ import annotations

import json
import re

import pytest

from assessments.rollups import calibration_report, vs_others
from tests.assessments.others import give_others
from tests.helpers import count_api_queries, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def compared(org):
    """max rates erin (system design 4, mentoring 2) and sam (system design 1); others
    see erin at 2 and 3 (median), sam at 2 on system design from two people only."""
    submit(org["max"], org["erin"], "manager", {"system-design": 4, "mentoring": 2})
    submit(org["max"], org["sam"], "manager", {"system-design": 1})
    give_others(org["erin"], {"system-design": [1, 2, 3], "mentoring": [3, 3, 4]})
    give_others(org["sam"], {"system-design": [2, 2]})
    return org


def test_the_mean_is_manager_minus_others_over_skills_with_enough(compared):
    # erin: 4 - 2 = +2, 2 - 3 = -1; sam: two answers only, left out -> (2 - 1) / 2.
    found = vs_others([compared["max"].pk, compared["mia"].pk])
    assert found == {compared["max"].pk: 0.5, compared["mia"].pk: None}


def test_three_answers_count_two_do_not(compared, settings):
    settings.CAREERMAP_FEEDBACK_MIN_ANSWERS = 2
    # sam's system design now counts: 1 - 2 = -1 -> (2 - 1 - 1) / 3.
    assert vs_others([compared["max"].pk])[compared["max"].pk] == 0


def test_a_former_managers_levels_do_not_count(compared):
    erin = compared["erin"]
    erin.manager = compared["mia"]
    erin.save(update_fields=["manager"])
    # max's levels of erin are no longer a direct report's; mia gave none.
    assert vs_others([compared["max"].pk, compared["mia"].pk]) == {
        compared["max"].pk: None,
        compared["mia"].pk: None,
    }


def test_the_api_gives_mean_vs_others(as_, compared):
    rows = as_("mona").get("/api/reports/calibration/").json()["results"]
    by_manager = {r["manager"]: r for r in rows}
    assert by_manager[compared["max"].pk]["mean_vs_others"] == 0.5
    assert by_manager[compared["mia"].pk]["mean_vs_others"] is None
    # An aggregate only: nothing names or quotes a respondent.
    assert "Example" not in json.dumps(rows)
    assert "peer" not in json.dumps(rows)


def test_the_org_view_shows_it_signed(client, compared):
    client.force_login(compared["mona"])
    html = client.get("/team/org/").content.decode()
    html = re.search(r'<table class="calibration".*?</table>', html, re.S).group(0)
    row = re.search(r'<tr data-manager="max">.*?</tr>', html, re.S).group(0)
    assert '<td class="vs-others">+0.5</td>' in row
    row = re.search(r'<tr data-manager="mia">.*?</tr>', html, re.S).group(0)
    assert '<td class="vs-others">\N{EN DASH}</td>' in row
    assert "Manager vs others" in html  # the column
    found = calibration_report(user=compared["mona"])
    assert {c.manager.username: c.mean_vs_others for c in found} == {"max": 0.5, "mia": None}


def test_the_calibration_api_stays_flat_as_answers_grow(org):
    submit(org["max"], org["erin"], "manager", {"system-design": 4})
    few = count_api_queries(org["mona"], "/api/reports/calibration/")
    give_others(org["erin"], {"system-design": [1, 2, 3], "mentoring": [3, 3, 4, 5]})
    give_others(org["sam"], {"system-design": [2, 2, 2, 2]})
    many = count_api_queries(org["mona"], "/api/reports/calibration/")
    # has reports, org chart, count, page, coverage, levels, answers (test_api_queries)
    assert few == many == 7
