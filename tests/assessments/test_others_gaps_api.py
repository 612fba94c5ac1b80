"""The gaps API's "others" (the median of input from others) and "others_count"
(issue 18): the median only from CAREERMAP_FEEDBACK_MIN_ANSWERS answers, the count
always, and nothing that names a respondent."""

from __future__ import annotations

import json

import pytest

from tests.assessments.others import give_others

pytestmark = pytest.mark.django_db


def row(client, person, skill):
    gaps = client.get(f"/api/people/{person.pk}/gaps/").json()
    return next(r for r in gaps["skills"] if r["skill"] == skill)


def test_nobody_asked_gives_null_and_zero(as_, erin):
    found = row(as_("max"), erin, "system-design")
    assert (found["others"], found["others_count"]) == (None, 0)


def test_two_answers_show_the_count_not_the_median(as_, erin):
    give_others(erin, {"system-design": [2, 4]})
    found = row(as_("max"), erin, "system-design")
    assert (found["others"], found["others_count"]) == (None, 2)


def test_three_answers_show_the_median(as_, erin):
    give_others(erin, {"system-design": [2, 4, 3], "mentoring": [2, 5, 3, 4]})
    for who in ("erin", "max", "mona", "hana"):
        assert row(as_(who), erin, "system-design")["others"] == 3
        assert row(as_(who), erin, "system-design")["others_count"] == 3
    # An even count: the middle two's mean.
    assert row(as_("erin"), erin, "mentoring")["others"] == 3.5


def test_cant_say_is_not_counted(as_, erin):
    give_others(erin, {"system-design": [2, 4, None]})
    found = row(as_("erin"), erin, "system-design")
    assert (found["others"], found["others_count"]) == (None, 2)


def test_the_threshold_is_the_setting(as_, erin, settings):
    give_others(erin, {"system-design": [2, 4]})
    settings.CAREERMAP_FEEDBACK_MIN_ANSWERS = 2
    assert row(as_("erin"), erin, "system-design")["others"] == 3


def test_outsiders_get_404(as_, erin):
    give_others(erin, {"system-design": [2, 4, 3]})
    assert as_("eli").get(f"/api/people/{erin.pk}/gaps/").status_code == 404


def test_no_answer_level_example_or_respondent_shows(as_, erin):
    peers = give_others(erin, {"system-design": [1, 5, 2]})
    text = json.dumps(as_("max").get(f"/api/people/{erin.pk}/gaps/").json())
    for peer in peers:
        assert peer.username not in text
    assert "Example" not in text
    found = row(as_("max"), erin, "system-design")
    # The median only: neither the min (1) nor the max (5) of the levels.
    assert set(found) >= {"others", "others_count"}
    assert found["others"] == 2
    assert not {"min", "max", "examples", "answers", "respondents"} & set(found)
