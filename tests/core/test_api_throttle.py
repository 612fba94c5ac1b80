"""The API's rate limits (core.throttles.UserThrottle and AnonThrottle, issue 23): per user and
per anonymous address, 429 with Retry-After past them, rates from the settings, "off"
lifting one."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_a_user_past_the_rate_gets_429_with_retry_after_and_others_do_not(as_, settings):
    settings.CAREERMAP_API_THROTTLE_USER = "5/min"
    erin = as_("erin")
    for _ in range(5):
        assert erin.get("/api/me/").status_code == 200

    refused = erin.get("/api/me/")

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "throttled" in refused.json()["detail"].lower()
    assert as_("max").get("/api/me/").status_code == 200  # counted per user


def test_anonymous_requests_are_counted_per_address(org, settings):
    """The token endpoint is the API's one door open to the anonymous (elsewhere the 401
    comes first): guesses at different usernames, past the rate, get 429."""
    settings.CAREERMAP_API_THROTTLE_ANON = "3/min"
    here, there = APIClient(REMOTE_ADDR="10.0.0.1"), APIClient(REMOTE_ADDR="10.0.0.2")
    for name in ("a", "b", "c"):
        assert here.post("/api/auth/token/", {"username": name, "password": "x"}).status_code == 400

    refused = here.post("/api/auth/token/", {"username": "erin", "password": "demo"})

    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert (
        there.post("/api/auth/token/", {"username": "erin", "password": "demo"}).status_code == 200
    )


def test_off_lifts_the_limit(as_, settings):
    settings.CAREERMAP_API_THROTTLE_USER = "off"
    erin = as_("erin")
    assert all(erin.get("/api/me/").status_code == 200 for _ in range(30))


def test_the_defaults_are_the_documented_ones():
    from django.conf import settings

    assert settings.CAREERMAP_API_THROTTLE_USER == "600/min"
    assert settings.CAREERMAP_API_THROTTLE_ANON == "60/min"
