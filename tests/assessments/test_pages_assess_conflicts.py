"""Two windows on one draft: the one that did not see the other's change is told so and
writes nothing; a window's own autosaves never conflict with each other."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from assessments.models import Assessment
from tests.helpers import HTMX, fieldset, levels

pytestmark = pytest.mark.django_db


class Window:
    """One browser window on the self-assessment page: its own page state."""

    def __init__(self, person) -> None:
        self.client = Client()
        self.client.force_login(person)
        self.load()

    def load(self) -> None:
        html = self.client.get(reverse("assessments:assess")).content.decode()
        self.seen = re.search(r'name="seen_version" value="(\d+)"', html).group(1)
        self.editor = re.search(r'name="editor" value="([0-9a-f]{32})"', html).group(1)

    def save(self, key: str, level: int, htmx: bool = True):
        data = {f"level-{key}": level, "seen_version": self.seen, "editor": self.editor}
        if htmx:
            data["skill"] = key
        return self.client.post(
            reverse("assessments:assess_save"), data, headers=HTMX if htmx else {}
        )


def draft(person) -> Assessment:
    return Assessment.objects.get(person=person, kind="self", status="draft")


def test_a_windows_successive_autosaves_never_conflict(erin):
    window = Window(erin)

    for key, level in [("mentoring", 1), ("system-design", 2), ("mentoring", 3)]:
        response = window.save(key, level)
        assert "✓ Saved at" in fieldset(response.content.decode(), key)

    assert levels(draft(erin)) == {"mentoring": 3, "system-design": 2}


def test_a_window_that_missed_anothers_change_is_told_and_writes_nothing(erin):
    first, second = Window(erin), Window(erin)
    first.save("mentoring", 2)

    response = second.save("system-design", 4)

    html = fieldset(response.content.decode(), "system-design")
    assert "changed elsewhere" in html
    assert "Not saved" in html
    assert levels(draft(erin)) == {"mentoring": 2}


def test_after_a_reload_the_second_window_saves(erin):
    first, second = Window(erin), Window(erin)
    first.save("mentoring", 2)
    second.load()

    response = second.save("system-design", 4)

    assert "✓ Saved at" in fieldset(response.content.decode(), "system-design")
    assert levels(draft(erin)) == {"mentoring": 2, "system-design": 4}


def test_a_second_window_that_saw_no_draft_does_not_overwrite_the_first(erin):
    first, second = Window(erin), Window(erin)
    first.save("mentoring", 2)  # opens the draft

    response = second.save("mentoring", 5)

    assert "changed elsewhere" in fieldset(response.content.decode(), "mentoring")
    assert levels(draft(erin)) == {"mentoring": 2}


def test_without_javascript_the_stale_form_shows_the_conflict_and_writes_nothing(erin):
    first, second = Window(erin), Window(erin)
    first.save("mentoring", 2)

    response = second.save("system-design", 4, htmx=False)

    assert response.status_code == 200  # the page again with the conflict (core.htmx)
    assert "changed elsewhere" in response.content.decode()
    assert levels(draft(erin)) == {"mentoring": 2}


def test_a_window_that_missed_anothers_change_cannot_submit_it(erin):
    first, second = Window(erin), Window(erin)
    first.save("mentoring", 2)
    second.save("system-design", 4)  # refused: second has not seen first's change

    response = second.client.post(
        reverse("assessments:assess_submit"), {"seen_version": second.seen, "editor": second.editor}
    )

    assert response.status_code == 200
    assert "changed elsewhere" in response.content.decode()
    assert draft(erin).status == "draft"


def test_a_window_submits_what_it_saved_itself(erin):
    window = Window(erin)
    window.save("mentoring", 2)

    response = window.client.post(
        reverse("assessments:assess_submit"), {"seen_version": window.seen, "editor": window.editor}
    )

    assert response.status_code == 302
    assert Assessment.objects.get(person=erin).status == "submitted"
