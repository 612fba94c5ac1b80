"""Where input from others shows on My map and a report's page (issue 18): the
"others" series (the median) on the radar, its bars and the gap cards, the Others
column of the ratings table, the divergence flag between self and others, and the
self-awareness figure; the median only from CAREERMAP_FEEDBACK_MIN_ANSWERS answers,
never an answer or a respondent."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.feedback import self_awareness, self_awareness_many
from tests.assessments.others import give_others
from tests.helpers import submit

pytestmark = pytest.mark.django_db


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def card(html: str, name: str) -> str:
    return re.search(rf'<li class="gap-item">\s*<h3>{name}.*?</li>', html, re.S).group(0)


def comparison(html: str, key: str) -> str:
    return re.search(rf'<tr data-skill="{key}".*?</tr>', html, re.S).group(0)


def test_nobody_asked_shows_no_others(client, erin, org):
    submit(erin, erin, "self", {"system-design": 3})
    html = page(client, erin, "/map/")
    assert "others:" not in html
    assert "others-series" not in html
    assert "Others' median" not in html
    report = page(client, org["max"], f"/team/{erin.pk}/")
    others_cell = re.search(
        r'<td class="others-level">(.*?)</td>', comparison(report, "system-design")
    )
    assert others_cell.group(1) == '<span class="muted">\N{EN DASH}</span>'


def test_two_answers_say_not_enough_and_hide_the_median(client, erin, org):
    submit(erin, erin, "self", {"system-design": 3})
    give_others(erin, {"system-design": [1, 5]})
    html = page(client, erin, "/map/")
    assert "others: not enough answers yet" in card(html, "System design")
    assert "others-series" not in html
    assert "median of" not in html
    report = page(client, org["max"], f"/team/{erin.pk}/")
    assert "not enough answers yet" in comparison(report, "system-design")
    assert "others: not enough answers yet" in card(report, "System design")


def test_three_answers_show_the_median_on_the_radar_bars_cards_and_table(client, erin, org):
    submit(erin, erin, "self", {"system-design": 3})
    give_others(erin, {"system-design": [2, 4, 3]})
    for user, url in ((erin, "/map/"), (org["max"], f"/team/{erin.pk}/")):
        html = page(client, user, url)
        assert "others: 3 (median of 3)" in card(html, "System design")
        assert 'class="others-series"' in html
        assert html.count('transform="translate(-4 -4)') == 1  # one skill has a median
        assert '<li class="others">' in html  # the legend
        assert 'class="bar-others"' in html
        assert "Others' median is a dotted green line" in html  # the chart's description
    row = comparison(html, "system-design")
    assert "3 <span" in row
    assert "(of 3)" in row


def test_the_half_median_of_an_even_count(client, erin):
    give_others(erin, {"system-design": [2, 3, 4, 5]})
    assert "others: 3.5 (median of 4)" in page(client, erin, "/map/")


def test_self_and_others_two_levels_apart_are_flagged_one_is_not(client, erin, org):
    submit(erin, erin, "self", {"system-design": 4, "mentoring": 3})
    give_others(erin, {"system-design": [2, 2, 2], "mentoring": [2, 2, 2]})
    html = page(client, erin, "/map/")
    assert "you and others 2 levels apart" in card(html, "System design")
    assert "others-diverges" not in card(html, "Mentoring")
    report = page(client, org["max"], f"/team/{erin.pk}/")
    assert "self and others 2 levels apart" in card(report, "System design")
    assert "self and others apart" in comparison(report, "system-design")
    assert "self and others apart" not in comparison(report, "mentoring")


def test_a_median_below_the_threshold_raises_no_flag(client, erin):
    submit(erin, erin, "self", {"system-design": 5})
    give_others(erin, {"system-design": [0, 0]})
    assert "others-diverges" not in page(client, erin, "/map/")


def test_self_awareness_is_the_mean_absolute_difference_over_skills_with_enough(erin, org):
    assert self_awareness(erin) is None  # nothing asked
    submit(erin, erin, "self", {"system-design": 4, "mentoring": 3, "hiring": 1})
    # system design: median 2, |4 - 2| = 2; mentoring: median 4, |3 - 4| = 1; hiring:
    # two answers only, left out; delegation: no self level, left out.
    give_others(
        erin,
        {
            "system-design": [2, 1, 3],
            "mentoring": [4, 5, 3],
            "hiring": [5, 5],
            "delegation": [1, 1, 1],
        },
    )
    assert self_awareness(erin) == 1.5
    found = self_awareness_many([erin.pk, org["sam"].pk])
    assert found == {erin.pk: 1.5, org["sam"].pk: None}
    # The manager's level does not count: self against others only.
    submit(org["max"], erin, "manager", {"system-design": 2})
    assert self_awareness(erin) == 1.5


def test_self_awareness_shows_to_the_person_and_their_manager_chain(client, erin, org):
    submit(erin, erin, "self", {"system-design": 4})
    give_others(erin, {"system-design": [2, 2, 3]})
    mine = page(client, erin, "/map/")
    assert '<strong class="awareness-figure">2</strong> levels apart' in mine
    assert "0 means you see yourself as others do" in mine
    for boss in ("max", "mona"):
        report = page(client, org[boss], f"/team/{erin.pk}/")
        assert '<strong class="awareness-figure">2</strong>' in report
        assert "0 means Erin sees themselves as others do" in report
    # Outsiders: no report page at all.
    client.force_login(org["eli"])
    assert client.get(f"/team/{erin.pk}/").status_code == 404


def test_self_awareness_not_measured_says_what_it_needs(client, erin):
    html = page(client, erin, "/map/")
    assert "Not measured yet" in html
    assert "awareness-figure" not in html


def test_no_page_shows_an_answer_an_example_or_a_respondent(client, erin, org):
    submit(erin, erin, "self", {"system-design": 3})
    peers = give_others(erin, {"system-design": [1, 5, 2], "mentoring": [0, 4]})
    for user, url in ((erin, "/map/"), (org["max"], f"/team/{erin.pk}/")):
        html = page(client, user, url)
        assert "Example" not in html
        for peer in peers:
            assert peer.username not in html
            assert peer.get_full_name() not in html
        # Neither the min (1) nor the max (5): the median alone, of 3.
        assert "others: 2 (median of 3)" in card(html, "System design")
        assert "1, 5" not in html
        assert "1\N{EN DASH}5" not in html


def test_my_map_and_the_report_page_queries_stay_flat_as_answers_grow(client, erin, org):
    def count(user, url) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    submit(erin, erin, "self", {"system-design": 3})
    give_others(erin, {"system-design": [2, 4, 3]})
    before = (count(erin, "/map/"), count(org["max"], f"/team/{erin.pk}/"))
    give_others(erin, {"system-design": [2, 4, 3], "mentoring": [1, 2, 3, 4, 5]})
    give_others(erin, {"system-design": [1, 1, 1, 1], "hiring": [2]})
    after = (count(erin, "/map/"), count(org["max"], f"/team/{erin.pk}/"))
    # My map: as test_pages_map_cards.MY_MAP, plus the self levels that self-awareness
    # reads once others have answered; the report page without a growth plan: REPORT
    # there, less the plan's focus skills' actions and current levels, plus the same.
    assert before == after == (12, 15)
