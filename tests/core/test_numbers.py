"""Integers from text (core.numbers, issue 23), and the places that read them: a Unicode
digit is a 400 (or a refusal naming the field), never a 500."""

from __future__ import annotations

import pytest

from assessments.models import Assessment, FocusSkill
from core.numbers import ascii_int, ascii_int_or
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db

UNICODE_DIGITS = ["²", "١٢", "\uff13", "⑦", "٣"]  # \uff13: a full-width 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("42", 42),
        ("007", 7),
        (5, 5),
        ("", None),
        ("-1", None),
        (-1, None),
        (" 3", None),
        ("3.0", None),
        (True, None),
        ("9" * 19, None),
        *[(d, None) for d in UNICODE_DIGITS],
    ],
)
def test_ascii_int_reads_ascii_digits_only(text, expected):
    assert ascii_int(text) == expected


def test_ascii_int_or_hands_back_the_text_to_be_named():
    assert ascii_int_or("3") == 3
    assert ascii_int_or("²") == "²"


@pytest.mark.parametrize("digit", UNICODE_DIGITS)
def test_an_assessment_level_in_unicode_digits_is_refused_not_a_500(client, erin, digit):
    client.force_login(erin)

    response = client.post(
        "/assess/save/",
        {"level-system-design": digit},
        headers={**HTMX, "HX-Trigger": "skill-system-design"},
    )

    assert response.status_code in (200, 400)
    assert not Assessment.objects.filter(person=erin, ratings__isnull=False).exists()


@pytest.mark.parametrize("digit", UNICODE_DIGITS)
def test_a_seen_version_in_unicode_digits_is_no_version(client, erin, digit):
    client.force_login(erin)
    response = client.post("/assess/submit/", {"seen_version": digit})
    assert response.status_code < 500


@pytest.mark.parametrize("digit", UNICODE_DIGITS)
def test_a_growth_target_in_unicode_digits_is_refused_naming_it(client, erin, digit):
    client.force_login(erin)

    response = client.post("/growth/focus/", {"skill": "system-design", "target_level": digit})

    assert response.status_code < 500
    assert not FocusSkill.objects.exists()


@pytest.mark.parametrize("digit", UNICODE_DIGITS)
def test_an_if_match_in_unicode_digits_never_matches(as_, erin, digit):
    api = as_("erin")
    draft = api.post("/api/assessments/", {"person": erin.pk, "kind": "self"}, format="json")
    assert draft.status_code == 201

    response = api.patch(
        f"/api/assessments/{draft.json()['id']}/",
        {"ratings": [{"skill": "system-design", "level": 3}]},
        format="json",
        headers={"If-Match": f'"{digit}"'},
    )

    assert response.status_code == 409
