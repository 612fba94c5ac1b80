"""The edge (core.edge, issue 23): control characters refused with a 400 naming the
field and nothing written; every response the app makes is `private, no-store` unless
its view says otherwise, checked over every route; sessions end when idle or old."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from assessments.models import Assessment, Rating
from core.edge import SEEN, STARTED
from tests.helpers import submit

pytestmark = pytest.mark.django_db


# --- Control characters -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "\x07", "\x1b[31m", "\x7f"])
def test_a_control_character_in_a_query_parameter_is_a_400_naming_it(client, erin, value):
    client.force_login(erin)

    response = client.get("/paths/", {"role": value})

    assert response.status_code == 400
    assert "role: Control characters (such as NUL) are not accepted here." in (
        response.content.decode()
    )


def test_the_api_answers_the_same_in_json(as_, erin):
    response = as_("erin").get(f"/api/people/{erin.pk}/gaps/", {"role": "x\x00"})

    assert response.status_code == 400
    assert response.json() == {"role": ["Control characters (such as NUL) are not accepted here."]}


def test_a_control_character_in_a_form_fields_name_or_value_writes_nothing(client, erin):
    client.force_login(erin)

    for data in ({"level-system\x00design": "3"}, {"level-system-design": "3\x00"}):
        response = client.post("/assess/save/", data, headers={"HX-Request": "true"})

        assert response.status_code == 400
        assert "Control characters" in response.content.decode()
    assert not Assessment.objects.filter(person=erin).exists()
    assert not Rating.objects.exists()


def test_tabs_and_new_lines_in_free_text_are_text(client, erin):
    client.force_login(erin)

    response = client.post(
        "/assess/save/",
        {"level-system-design": "3", "evidence-system-design": "Line one\r\n\tline two"},
        headers={"HX-Request": "true", "HX-Trigger": "skill-system-design"},
    )

    assert response.status_code == 200
    assert Rating.objects.get(skill__key="system-design").evidence == "Line one\r\n\tline two"


# --- Cache-Control ----------------------------------------------------------------------


def _routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    """Every route of the URL conf, as a path with its converters filled in."""
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found.extend(_routes(entry, route))
        elif isinstance(entry, URLPattern):
            found.append(route)
    return found


def _filled(route: str, ids: dict[str, str]) -> str | None:
    """The route with `<int:pk>` and `<slug:...>` filled in; None for regex routes."""
    if route.startswith("^"):
        return None
    path = re.sub(r"<int:\w+>", ids["int"], route)
    path = re.sub(r"<(?:slug|str):\w+>", ids["slug"], path)
    path = re.sub(r"<path:\w+>", "x", path)
    return "/" + path


@pytest.mark.parametrize("who", ["erin", "max", "hana"])
def test_every_route_answers_private_no_store(client, org, who):
    """GET every route of the URL conf as three personas: whatever the status (200, a
    redirect, 404, 405), the answer is never stored by a cache. The static files, served
    by WhiteNoise before the app, are not routes."""
    submit(org["erin"], org["erin"], "self", {"system-design": 3})
    client.force_login(org[who])
    ids = {"int": str(org["erin"].pk), "slug": "system-design"}
    paths = {p for r in _routes(get_resolver()) if (p := _filled(r, ids))}
    assert len(paths) > 60  # the whole URL conf: pages, API, admin

    checked = 0
    for path in sorted(paths):
        response = client.get(path)
        if response.status_code >= 500:
            pytest.fail(f"{path}: {response.status_code}")
        cache = response.get("Cache-Control", "")
        assert "no-store" in cache or "no-cache" in cache, (path, response.status_code, cache)
        assert "public" not in cache, path
        checked += 1
    assert checked == len(paths)


def test_a_personal_page_an_export_and_the_api_in_particular(client, as_, erin):
    client.force_login(erin)
    for path in ("/map/", "/map/export.csv", "/", "/history/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "private, no-store", path
    api = as_("erin").get(f"/api/people/{erin.pk}/gaps/")
    assert api["Cache-Control"] == "private, no-store"


# --- Session lifetimes ------------------------------------------------------------------


def _age(client, **seconds_ago: int) -> None:
    session = client.session
    now = int(timezone.now().timestamp())
    for key, ago in seconds_ago.items():
        session[{"started": STARTED, "seen": SEEN}[key]] = now - ago
    session.save()


def test_logging_in_starts_the_clocks_and_a_request_keeps_the_session(client, erin):
    client.post("/login/", {"username": "erin", "password": "demo"})
    assert {STARTED, SEEN} <= set(client.session.keys())
    assert client.get("/map/").status_code == 200


def test_a_session_idle_past_the_setting_ends(client, erin, settings):
    client.force_login(erin)
    hours = settings.CAREERMAP_SESSION_IDLE_HOURS
    _age(client, seen=int(timedelta(hours=hours).total_seconds()) - 60)
    assert client.get("/map/").status_code == 200  # a minute inside the line

    _age(client, seen=int(timedelta(hours=hours).total_seconds()) + 60)
    response = client.get("/map/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_session_ends_at_its_absolute_lifetime_even_in_use(client, erin, settings):
    client.force_login(erin)
    days = settings.CAREERMAP_SESSION_MAX_DAYS
    _age(client, started=int(timedelta(days=days).total_seconds()) + 60, seen=0)

    response = client.get("/map/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_session_cookie_lasts_no_longer_than_the_absolute_lifetime(settings):
    assert int(settings.CAREERMAP_SESSION_MAX_DAYS * 86400) == settings.SESSION_COOKIE_AGE
