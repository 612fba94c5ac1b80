"""The team tallies (assessments.rollups): every writer that changes what they count
keeps them equal to a recomputation, in its own transaction; reports read them."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from assessments import rollups
from assessments.impact import impact_of
from assessments.models import TeamSkillTally, TeamTally
from people.models import Person
from people.services import people_import, person_deactivate, person_reactivate, person_update
from skills.models import Expectation, Role, Skill
from skills.services import expectation_set, skill_set_retired
from tests.helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> dict[str, Person]:
    call_command("generate_org", "--people", "60", "--seed", "5")
    assert rollups.check() == []
    return {
        p.username: p
        for p in Person.objects.filter(username__in=["hana", "mona", "max", "erin", "mia"])
    }


def counts() -> list[tuple]:
    return sorted(TeamTally.objects.values_list("team_id", "people", "below"), key=str)


def tally(username: str) -> TeamTally:
    return TeamTally.objects.get(team__username=username)


def test_a_submit_recounts_the_persons_team(org):
    erin, max_ = org["erin"], org["max"]
    before = tally("max").pairs
    skill = (
        Skill.objects.active()
        .exclude(key__in=erin.current_levels.filter(manager_author=max_).values("skill__key"))
        .first()
    )
    submit(erin, erin, "self", {skill.key: 0})
    submit(max_, erin, "manager", {skill.key: 4})

    assert rollups.check() == []
    assert tally("max").pairs == before + 1
    assert tally("max").divergent >= 1


def test_moving_deactivating_and_reactivating_people_recount_both_teams(org):
    hana, erin, mia = org["hana"], org["erin"], org["mia"]
    people_before = tally("max").people

    person_update(by=hana, person=erin, manager=mia)
    assert rollups.check() == []
    assert tally("max").people == people_before - 1

    person_deactivate(by=hana, person=mia)
    assert rollups.check() == []
    person_reactivate(by=hana, person=mia)
    person_update(by=hana, person=erin, target_role=Role.objects.exclude(pk=erin.role_id).first())
    assert rollups.check() == []


def test_framework_changes_recount_the_teams_they_move(org):
    hana, erin = org["hana"], org["erin"]
    role = Role.objects.get(pk=erin.target_role_id or erin.role_id)
    expectation = Expectation.objects.filter(role=role).select_related("skill").first()
    expectation_set(by=hana, role=role, skill=expectation.skill, level=5, was=expectation.level)
    assert rollups.check() == []

    skill_set_retired(by=hana, skill=expectation.skill, retired=True)
    assert rollups.check() == []
    assert not TeamSkillTally.objects.filter(skill=expectation.skill).exists()
    skill_set_retired(by=hana, skill=expectation.skill, retired=False)
    assert rollups.check() == []


def test_a_people_import_recounts_once_at_the_end(org):
    hana = org["hana"]
    lines = ["username,name,email,role,manager"]
    lines += [f"new{i},New {i},new{i}@example.com,,mia" for i in range(30)]
    lines.append("erin,Erin,erin@example.com,,mia")
    with CaptureQueriesContext(connection) as seen:
        people_import(by=hana, data="\n".join(lines).encode())

    # 31 people saved: one recount at the end, not one per person.
    recounts = [
        q for q in seen.captured_queries if "INSERT INTO" in q["sql"] and "teamtally" in q["sql"]
    ]
    assert len(recounts) == 1

    assert rollups.check() == []
    assert tally("mia").people >= 31


def test_a_rolled_back_write_leaves_the_tallies_as_they_were(org):
    hana, erin, mia = org["hana"], org["erin"], org["mia"]
    stored = counts()

    @transaction.atomic
    def move_then_fail() -> None:
        person_update(by=hana, person=erin, manager=mia)
        raise RuntimeError("the request fails after the write")

    with pytest.raises(RuntimeError):
        move_then_fail()
    assert counts() == stored

    # The impact preview runs a framework change and rolls it back: nothing to recount.
    expectation = Expectation.objects.select_related("role", "skill").first()
    impact_of(
        lambda: expectation_set(
            by=hana,
            role=expectation.role,
            skill=expectation.skill,
            level=5,
            was=expectation.level,
        )
    )
    assert counts() == stored
    assert rollups.check() == []


def test_the_check_finds_tallies_changed_behind_its_back_and_a_rebuild_repairs_them(org):
    TeamTally.objects.filter(team__username="max").update(people=999)
    TeamSkillTally.objects.filter(team__username="mona").delete()

    found = rollups.check()
    assert {row[0] for row in found} == {"team", "team skill", "org skill"}

    rollups.rebuild()
    assert rollups.check() == []
