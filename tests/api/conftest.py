"""API fixtures: an authenticated client per persona, and a small history of assessments."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from assessments.models import Assessment
from assessments.services import assessment_start, assessment_submit
from careermap.models import Person


@pytest.fixture
def as_(org) -> Callable[[str], APIClient]:
    """`as_("erin")`: a client authenticated as that persona, by a real token."""
    from rest_framework.authtoken.models import Token

    def client(username: str) -> APIClient:
        api = APIClient()
        token, _ = Token.objects.get_or_create(user=org[username])
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api

    return client


def submit(by: Person, person: Person, kind: str, levels: dict[str, int]) -> Assessment:
    draft = assessment_start(
        by=by,
        person=person,
        kind=kind,
        ratings=[{"skill": k, "level": v, "evidence": f"{k} evidence"} for k, v in levels.items()],
    )
    return assessment_submit(by=by, assessment=draft)


@pytest.fixture
def assessed(org) -> dict[str, Assessment]:
    """erin rates herself and max rates her (a divergence on system design); eli rates
    himself and mia rates him; max rates himself and mona rates him."""
    return {
        "erin_self": submit(
            org["erin"], org["erin"], "self", {"system-design": 4, "mentoring": 3, "hiring": 1}
        ),
        "erin_by_max": submit(
            org["max"], org["erin"], "manager", {"system-design": 2, "mentoring": 3}
        ),
        "eli_self": submit(org["eli"], org["eli"], "self", {"mentoring": 1}),
        "eli_by_mia": submit(org["mia"], org["eli"], "manager", {"mentoring": 3}),
        "max_self": submit(org["max"], org["max"], "self", {"delegation": 4}),
        "max_by_mona": submit(org["mona"], org["max"], "manager", {"delegation": 3}),
    }
