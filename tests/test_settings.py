"""Settings come from the environment only."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def django_check(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_app_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = django_check()

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_runs_with_a_development_key():
    assert django_check(DJANGO_DEBUG="1").returncode == 0


def test_with_a_key_and_debug_off_the_app_starts():
    assert django_check(DJANGO_SECRET_KEY="k" * 50).returncode == 0


def test_time_is_utc():
    assert settings.TIME_ZONE == "UTC"
    assert settings.USE_TZ
