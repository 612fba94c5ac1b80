"""The deployment files: docker-compose.yml and the Dockerfile it builds.

No Docker engine is needed: the compose file is read with PyYAML and, where Debian's
docker-compose (v1) is installed, validated by it.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
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


def test_web_service_has_a_health_check_on_the_admin_login_page(compose):
    test = compose["services"]["web"]["healthcheck"]["test"]
    command = test if isinstance(test, str) else " ".join(test)
    assert "urllib" in command, "the slim image has no curl"
    assert "http://127.0.0.1:8000/admin/login/" in command


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
