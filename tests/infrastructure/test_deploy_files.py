"""The deployment files: docker-compose.yml, the Dockerfile it builds, docs/deploy.md.

No Docker engine is needed: the compose file is read with PyYAML and, where Debian's
docker-compose (v1) is installed, validated by it; its health check command is run
against the app under gunicorn.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import resolve

from careermap.health import healthz

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SETTINGS = ROOT / "careermap" / "settings.py"
DEPLOY_GUIDE = ROOT / "docs" / "deploy.md"
DOCKER_COMPOSE = Path("/usr/bin/docker-compose")

needs_docker_compose = pytest.mark.skipif(
    not DOCKER_COMPOSE.exists(),
    reason="Debian's docker-compose is not installed "
    "(apt-get install -y --no-install-recommends docker-compose)",
)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def environment_of(service: dict) -> dict[str, str]:
    """A service's environment, written as a mapping or as a list of NAME=value."""
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        return dict(item.split("=", 1) for item in environment)
    return {name: str(value) for name, value in environment.items()}


def run_docker_compose(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess:
    """`docker-compose config -q` with only the given compose variables set.

    An empty env file stands in for any .env a developer keeps in the project.
    """
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DJANGO_SECRET_KEY", "POSTGRES_PASSWORD", "DJANGO_ALLOWED_HOSTS"}
    }
    env.update(variables)
    return subprocess.run(
        [DOCKER_COMPOSE, "--env-file", env_file, "-f", COMPOSE_FILE, "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_database_service_runs_postgres_with_a_health_check(compose):
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "POSTGRES_PASSWORD" in environment_of(db)
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"], "the database keeps its data in a named volume"


def test_web_service_builds_the_local_dockerfile(compose):
    build = compose["services"]["web"]["build"]
    if isinstance(build, dict):
        assert build.get("context", ".") == "."
        assert build.get("dockerfile", "Dockerfile") == "Dockerfile"
    else:
        assert build == "."
    assert DOCKERFILE.is_file()


def health_check_command(test: list[str] | str) -> str:
    return test if isinstance(test, str) else " ".join(test)


def test_web_service_has_a_health_check_on_healthz(compose):
    command = health_check_command(compose["services"]["web"]["healthcheck"]["test"])
    assert "urllib" in command, "the slim image has no curl"
    assert "http://127.0.0.1:8000/healthz" in command
    assert resolve("/healthz").func is healthz


def test_the_image_has_the_same_health_check():
    line = next(line for line in DOCKERFILE.read_text().splitlines() if "CMD [" in line)
    assert "http://127.0.0.1:8000/healthz" in " ".join(json.loads(line.split("CMD", 1)[1]))
    assert "HEALTHCHECK" in DOCKERFILE.read_text()


def test_web_service_is_configured_for_production_behind_a_tls_proxy(compose):
    environment = environment_of(compose["services"]["web"])
    assert environment["DJANGO_HTTPS"] == "${DJANGO_HTTPS:-1}"
    assert environment["WEB_CONCURRENCY"].startswith("${WEB_CONCURRENCY:-")
    assert environment["MIGRATE_ON_START"] == "${MIGRATE_ON_START:-1}"


def test_the_image_migrates_on_start_unless_told_not_to():
    text = DOCKERFILE.read_text()
    assert '\'if [ "${MIGRATE_ON_START:-1}" != 0 ]; then python manage.py migrate' in text
    assert 'CMD ["gunicorn", "careermap.wsgi:application"' in text


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="PostgreSQL only: gunicorn runs in its own process against the test database",
)
def test_the_health_check_command_passes_against_the_app_under_gunicorn(
    compose, django_db_setup, django_db_blocker
):
    """The compose file's own command, run as the container would, against gunicorn
    with production settings: exit 0 (a 503 or a redirect would raise)."""
    from tests import harness

    test = compose["services"]["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    with django_db_blocker.unblock(), harness.gunicorn(harness.database_url_of_the_tests()) as port:
        code = test[3].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
        )
    assert result.returncode == 0, result.stderr


def test_deploy_guide_names_every_setting_the_app_reads():
    names = r"\b(DJANGO_[A-Z_]+|DATABASE_URL|EMAIL_[A-Z_]+|DEFAULT_FROM_EMAIL)\b"
    read = set(re.findall(names, SETTINGS.read_text()))
    guide = DEPLOY_GUIDE.read_text()
    assert read, "settings.py reads its configuration from the environment"
    assert [name for name in sorted(read) if name not in guide] == []


def test_deploy_guide_names_every_variable_of_the_compose_file(compose):
    guide = DEPLOY_GUIDE.read_text()
    names = {
        name
        for service in compose["services"].values()
        for value in environment_of(service).values()
        for name in re.findall(r"\$\{(\w+)", value)
    }
    assert [name for name in sorted(names) if name not in guide] == []


def test_a_worker_sends_the_queued_emails_with_the_web_services_settings(compose):
    worker, web = compose["services"]["worker"], compose["services"]["web"]
    assert worker["command"] == ["python", "manage.py", "worker"]
    assert worker["build"] == web["build"]
    assert worker["depends_on"]["web"]["condition"] == "service_healthy"
    own = {"MIGRATE_ON_START", "WEB_CONCURRENCY"}  # gunicorn's and the entrypoint's
    shared = {k: v for k, v in environment_of(web).items() if k not in own}
    assert shared.items() <= environment_of(worker).items()
    assert "EMAIL_HOST" in shared
    assert "DJANGO_SECRET_KEY" in shared
    assert environment_of(worker)["MIGRATE_ON_START"] == "0"


def test_web_service_waits_for_a_healthy_database(compose):
    depends_on = compose["services"]["web"]["depends_on"]
    assert depends_on["db"]["condition"] == "service_healthy"


def test_web_service_takes_database_url_and_secret_key_from_the_environment(compose):
    environment = environment_of(compose["services"]["web"])
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in environment["DATABASE_URL"]
    # Required, with no default to fall back on: ${DJANGO_SECRET_KEY:?message}.
    assert environment["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")


def test_every_path_the_dockerfile_copies_exists():
    sources = []
    for line in DOCKERFILE.read_text().splitlines():
        if line.split(" ", 1)[0].upper() in {"COPY", "ADD"}:
            words = shlex.split(line)
            sources += [word for word in words[1:-1] if not word.startswith("--")]
    assert sources, "the Dockerfile copies the project"
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: no such path"


@needs_docker_compose
def test_compose_file_validates_with_docker_compose(tmp_path):
    result = run_docker_compose(tmp_path, DJANGO_SECRET_KEY="validation-only")
    assert result.returncode == 0, result.stderr


@needs_docker_compose
def test_compose_file_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_docker_compose(tmp_path)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
