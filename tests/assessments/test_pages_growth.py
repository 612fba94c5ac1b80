"""The growth plan: focus skills, target levels, actions, status; the person and their
managers only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Action, FocusSkill, GrowthPlan
from assessments.services import (
    action_add,
    action_set_done,
    focus_skill_add,
    growth_plan_set_status,
)
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db
PINNED_GROWTH = 12


def test_an_empty_plan_suggests_the_biggest_gaps_for_the_target(client, erin):
    client.force_login(erin)
    html = client.get("/growth/").content.decode()
    assert "<h1>Growth plan</h1>" in html
    assert "Suggested: your biggest gaps for Staff Engineer" in html
    assert html.count("Focus on ") == 3


def test_adding_a_focus_skill_by_htmx_swaps_the_plan(client, erin):
    client.force_login(erin)

    response = client.post(
        "/growth/focus/", {"skill": "system-design", "target_level": "4"}, headers=HTMX
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="plan">')
    assert 'id="focus-system-design"' in html
    plan = GrowthPlan.objects.get(person=erin)
    assert plan.status == "in_progress"
    assert plan.focus_skills.get().target_level == 4


def test_adding_an_action_and_ticking_it_done_by_plain_posts(client, erin):
    focus = focus_skill_add(by=erin, person=erin, skill_key="mentoring", target_level=3)
    client.force_login(erin)

    added = client.post(
        f"/growth/focus/{focus.pk}/actions/", {"text": "Pair weekly", "due_date": "2026-12-01"}
    )
    assert added.status_code == 302
    action = Action.objects.get()
    assert (action.text, str(action.due_date), action.done) == ("Pair weekly", "2026-12-01", False)

    client.post(f"/growth/actions/{action.pk}/", {"done": "1"})
    action.refresh_from_db()
    assert action.done
    assert "Done:" in client.get("/growth/").content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"skill": "nope", "target_level": "3"}, "skill"),
        ({"skill": "mentoring", "target_level": "9"}, "target_level"),
        ({"skill": "mentoring", "target_level": "x"}, "target_level"),
    ],
)
def test_a_bad_focus_skill_shows_the_error_beside_its_field_and_writes_nothing(
    client, erin, data, field
):
    client.force_login(erin)
    html = client.post("/growth/focus/", data, headers=HTMX).content.decode()
    assert 'role="alert"' in html
    assert not FocusSkill.objects.exists()


def test_a_bad_action_writes_nothing(erin):
    focus = focus_skill_add(by=erin, person=erin, skill_key="mentoring", target_level=3)
    with pytest.raises(ValidationError) as caught:
        action_add(by=erin, focus=focus, text="  ", due_date="31/12/2026")
    assert set(caught.value.message_dict) == {"text", "due_date"}
    assert not Action.objects.exists()


def test_managers_may_work_on_a_plan_and_nobody_else(erin, org):
    focus_skill_add(by=org["max"], person=erin, skill_key="hiring", target_level=2)
    growth_plan_set_status(by=org["mona"], person=erin, status="done")
    for outsider in ("eli", "mia", "hana", "sam"):
        with pytest.raises(PermissionDenied):
            focus_skill_add(by=org[outsider], person=erin, skill_key="hiring", target_level=3)
    assert FocusSkill.objects.get().target_level == 2


def test_someone_elses_focus_skill_or_action_answers_404(client, erin, eli):
    focus = focus_skill_add(by=erin, person=erin, skill_key="mentoring", target_level=3)
    action = action_add(by=erin, focus=focus, text="Pair weekly")
    client.force_login(eli)
    assert client.post(f"/growth/focus/{focus.pk}/actions/", {"text": "x"}).status_code == 404
    assert client.post(f"/growth/actions/{action.pk}/", {"done": "1"}).status_code == 404
    assert client.post(f"/growth/focus/{focus.pk}/remove/").status_code == 404
    action_set_done(by=erin, action=action, done=False)
    assert not Action.objects.get().done


def test_the_growth_page_query_count_is_flat_in_focus_skills_and_actions(client, erin):
    client.force_login(erin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/growth/").status_code == 200
        return len(captured)

    focus = focus_skill_add(by=erin, person=erin, skill_key="mentoring", target_level=3)
    action_add(by=erin, focus=focus, text="One")
    before = queries()
    for key in ("hiring", "feedback", "delegation"):
        more = focus_skill_add(by=erin, person=erin, skill_key=key, target_level=3)
        for n in range(3):
            action_add(by=erin, focus=more, text=f"Action {n}")
    assert queries() == before
    # session, user, the person with their roles, plan, focus skills with skills, their
    # actions, the focus skills' current levels, the gap rows and their skills, scale,
    # the skills to choose from, and the navigation's "has reports?" (for Team)
    assert before == PINNED_GROWTH
