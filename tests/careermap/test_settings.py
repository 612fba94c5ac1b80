"""Settings come from the environment only; production settings are safe by default.

The checks run `manage.py` in a subprocess with no DJANGO_* variables but those given:
the test run's own environment (careermap.testenv) turns https off for the live server.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

HOST = "careermap.example"


def production_env(**env: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return {**clean, **env}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=production_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )


def real_key() -> str:
    return secrets.token_urlsafe(50)


def test_the_app_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = manage("check")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("short-but-varied-key-0123456789", "too weak"),
        ("k" * 60, "too weak"),
        ("django-insecure-" + "x1y2z3" * 10, "development key"),
        ("django-insecure-development-only-key-never-use-in-production", "development key"),
    ],
)
def test_the_app_refuses_to_start_with_a_fake_secret_key(key, reason):
    result = manage("check", DJANGO_SECRET_KEY=key)

    assert result.returncode != 0
    assert reason in result.stderr


def test_debug_runs_with_a_development_key():
    assert manage("check", DJANGO_DEBUG="1").returncode == 0


def test_with_a_real_key_and_debug_off_the_app_starts():
    assert manage("check", DJANGO_SECRET_KEY=real_key()).returncode == 0


def test_production_settings_pass_check_deploy_without_a_warning():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=real_key(),
        DJANGO_ALLOWED_HOSTS=HOST,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# Run in the subprocess with production settings: the answers to plain http and to
# https as the TLS proxy forwards it.
PROBE = f"""
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="{HOST}")
plain = client.get("/login/")
proxied = client.get("/login/", headers={{"X-Forwarded-Proto": "https"}})
print(plain.status_code, plain.headers.get("Location"))
print(proxied.status_code, proxied.headers.get("Strict-Transport-Security"))
print(proxied.headers.get("Content-Security-Policy"))
print(" ".join(sorted(c for c, m in proxied.cookies.items() if m["secure"])))
"""


def test_production_redirects_plain_http_and_serves_https_behind_the_proxy():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env=production_env(
            DJANGO_SETTINGS_MODULE="careermap.settings",
            DJANGO_SECRET_KEY=real_key(),
            DJANGO_ALLOWED_HOSTS=HOST,
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    plain, proxied, csp, secure_cookies = result.stdout.splitlines()[-4:]

    assert plain == f"301 https://{HOST}/login/"
    assert proxied == "200 max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self' 'nonce-" in csp
    assert "csrftoken" in secure_cookies.split()


def test_tests_run_with_debug_off_and_plain_http():
    assert not settings.DEBUG
    assert not settings.SECURE_SSL_REDIRECT


def test_time_is_utc():
    assert settings.TIME_ZONE == "UTC"
    assert settings.USE_TZ
