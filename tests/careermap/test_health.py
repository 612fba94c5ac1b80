"""The health check of the load balancer and the compose file: 200 while the database
answers, 503 when it is gone, over plain http too."""

from __future__ import annotations

from django.db import connection

from tests.helpers import database_gone


def test_the_health_check_answers_200_when_the_database_answers(client, db):
    response = client.get("/healthz", secure=True)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_the_health_check_answers_503_when_the_database_is_gone(client, db):
    with connection.execute_wrapper(database_gone):
        response = client.get("/healthz", secure=True)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"status": "unavailable"}


def test_the_health_check_is_exempt_from_the_https_redirect(client, db, settings):
    """The load balancer probes each process directly, over plain http."""
    settings.SECURE_SSL_REDIRECT = True  # as in production (tests run with it off)
    assert client.get("/login/").status_code == 301
    assert client.get("/healthz").status_code == 200
