""" "Add to my growth plan" from My map (issue 17): a gap card makes its skill a focus
skill (target: the level the role expects), a way to grow also becomes an action; twice
changes nothing; bad input writes nothing and says which field; only on one's own map."""

from __future__ import annotations

import re

import pytest
from django.utils.html import escape

from assessments.gaps import gaps_for
from assessments.models import Action, FocusSkill, GrowthPlan
from assessments.services import focus_skill_add
from assessments.templatetags.careermap import bullets
from people.models import Person
from skills.models import Skill

pytestmark = pytest.mark.django_db

FROM_MAP = "/growth/from-map/"


def first_way(key: str) -> str:
    return bullets(Skill.objects.get(key=key).how_to_grow)[0]


def post(client, user: Person, data: dict[str, str]) -> str:
    """A plain post, followed back to My map: the page as it then shows."""
    client.force_login(user)
    response = client.post(FROM_MAP, data, follow=True)
    assert response.redirect_chain == [("/map/", 302)]
    return response.content.decode()


def message(html: str) -> str:
    found = re.search(r'<ul class="messages">\s*<li class="(\w+)">(.*?)</li>', html, re.S)
    assert found, "no message"
    return f"{found.group(1)}: {found.group(2)}"


def focus_of(person: Person) -> list[tuple[str, int]]:
    return list(
        FocusSkill.objects.filter(plan__person=person).values_list("skill__key", "target_level")
    )


def nothing_written(person: Person) -> bool:
    return not GrowthPlan.objects.filter(person=person).exists() and not Action.objects.exists()


# --- The buttons ----------------------------------------------------------------------


def test_every_gap_card_and_way_to_grow_has_an_add_button_on_ones_own_map(client, erin):
    client.force_login(erin)
    html = client.get("/map/").content.decode()

    rows = gaps_for(person=erin).rows
    gapped = [r for r in rows if r.gap > 0]
    ways = sum(len(bullets(r.loaded_skill.how_to_grow)) for r in gapped)
    assert html.count(f'action="{FROM_MAP}" class="inline-form add-focus"') == len(gapped)
    assert html.count(f'action="{FROM_MAP}" class="inline-form add-way"') == ways
    # Each button names its skill (and its way) for screen readers; a plain form, CSRF.
    assert 'Add to my growth plan<span class="visually-hidden">: System design</span>' in html
    way = first_way("system-design")
    assert f'<input type="hidden" name="way" value="{escape(way)}">' in html
    assert html.count('name="csrfmiddlewaretoken"') >= len(gapped) + ways


def test_someone_elses_map_has_no_add_button(client, max_, erin):
    client.force_login(max_)
    html = client.get(f"/team/{erin.pk}/").content.decode()

    assert FROM_MAP not in html
    assert "Add to my growth plan" not in html


@pytest.mark.parametrize("outsider", ["eli", "mia", "hana", "erin"])
def test_outsiders_get_404_on_the_report_page(client, org, outsider):
    # hana (HR) sees people but manages nobody: the report page is for managers above.
    client.force_login(org[outsider])
    assert client.get(f"/team/{org['erin'].pk}/").status_code == 404


# --- Adding ---------------------------------------------------------------------------


def test_adding_a_gap_makes_it_a_focus_skill_with_the_expected_level_as_target(client, erin):
    html = post(client, erin, {"skill": "system-design"})

    assert focus_of(erin) == [("system-design", 4)]  # what Staff Engineer expects
    assert GrowthPlan.objects.get(person=erin).status == "in_progress"
    said = message(html)
    assert said.startswith("success: System design is now a focus skill of your growth plan")
    assert '<a href="/growth/">Open your growth plan</a>' in said


def test_adding_the_same_skill_twice_keeps_one_focus_skill(client, erin):
    post(client, erin, {"skill": "system-design"})

    html = post(client, erin, {"skill": "system-design"})

    assert focus_of(erin) == [("system-design", 4)]
    assert "System design is already in your growth plan: nothing changed." in message(html)


def test_a_focus_skill_already_in_the_plan_keeps_its_own_target(client, erin):
    focus_skill_add(by=erin, person=erin, skill_key="system-design", target_level=5)

    post(client, erin, {"skill": "system-design"})

    assert focus_of(erin) == [("system-design", 5)]


def test_a_way_to_grow_becomes_an_action_of_the_focus_skill_once(client, erin):
    way = first_way("system-design")

    html = post(client, erin, {"skill": "system-design", "way": way})

    assert focus_of(erin) == [("system-design", 4)]
    assert list(Action.objects.values_list("focus__skill__key", "text")) == [("system-design", way)]
    said = message(html)
    assert f"Added “{escape(way)}” to System design in your growth plan." in said
    assert '<a href="/growth/">Open your growth plan</a>' in said

    html = post(client, erin, {"skill": "system-design", "way": way})

    assert Action.objects.count() == 1
    assert "is already an action of System design: nothing changed." in message(html)
    # Another way of the same skill is a second action of the same focus skill.
    post(client, erin, {"skill": "system-design", "way": bullets_of("system-design")[1]})
    assert Action.objects.count() == 2
    assert FocusSkill.objects.count() == 1


def bullets_of(key: str) -> list[str]:
    return bullets(Skill.objects.get(key=key).how_to_grow)


def test_the_growth_plan_shows_what_was_added(client, erin):
    way = first_way("system-design")
    post(client, erin, {"skill": "system-design", "way": way})

    html = client.get("/growth/").content.decode()

    assert re.search(r'<h3 id="focus-\d+-title">System design</h3>', html)
    assert escape(way) in html


# --- Bad input writes nothing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"skill": "astronaut"}, "error: Skill: choose a skill your map shows (Staff Engineer)"),
        ({"skill": ""}, "error: Skill: choose a skill your map shows"),
        ({}, "error: Skill: choose a skill your map shows"),
        # Hiring: a real skill, but not one Staff Engineer expects.
        ({"skill": "hiring"}, "error: Skill: choose a skill your map shows (Staff Engineer)"),
        (
            {"skill": "system-design", "way": "Juggle flaming torches"},
            "error: Way to grow: choose one of the ways to grow listed for System design.",
        ),
        (
            {"skill": "system-design", "way": ""},
            "error: Way to grow: choose one of the ways to grow listed for System design.",
        ),
    ],
    ids=[
        "unknown skill",
        "empty skill",
        "no skill",
        "skill outside the role",
        "unknown way",
        "empty way",
    ],
)
def test_bad_input_says_which_field_and_writes_nothing(client, erin, data, said):
    html = post(client, erin, data)

    assert message(html).startswith(escape(said))
    assert nothing_written(erin)


def test_only_a_post_and_only_logged_in(client, erin):
    assert client.post(FROM_MAP, {"skill": "system-design"}).status_code == 302  # to log in
    assert nothing_written(erin)
    client.force_login(erin)
    assert client.get(FROM_MAP).status_code == 405


def test_a_manager_adding_from_their_own_map_never_writes_a_reports_plan(client, max_, erin):
    # max's own map (Engineering Manager); the post names a skill of his own role.
    key = gaps_for(person=Person.objects.get(pk=max_.pk)).rows[0].key

    post(client, max_, {"skill": key})

    assert not GrowthPlan.objects.filter(person=erin).exists()
    assert [k for k, _ in focus_of(max_)] == [key]
