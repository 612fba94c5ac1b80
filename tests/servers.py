"""The app as production runs it, for tests that need real processes: gunicorn with
debug off, a throwaway PostgreSQL cluster, and a tiny HTTP client that keeps cookies
by hand (the session cookie is Secure in production; a cookie jar would drop it over
the plain http of the loopback).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
# A throwaway key, new at each run, as strong as production demands.
SECRET_KEY = secrets.token_urlsafe(50)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(database_url: str) -> dict[str, str]:
    """Debug off and https on (the tests' DJANGO_HTTPS=0 is not passed on), a throwaway
    key, explicit hosts, plain static storage (no collectstatic in tests)."""
    unset = {"DJANGO_DEBUG", "DJANGO_HTTPS", "DATABASE_URL", "DJANGO_STATIC_MANIFEST"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    return env


def database_url_of_the_tests() -> str:
    """The test database (once pytest-django has set it up) as a DATABASE_URL, for
    processes of their own. They see only committed data (transactional_db)."""
    from django.db import connection

    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{quote(db['USER'] or '', safe='')}{password}@{host}{port}/{db['NAME']}"


def manage(database_url: str, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=production_env(database_url),
        check=True,
        capture_output=True,
        timeout=120,
    )


# --- HTTP --------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Browser:
    """One user's HTTP client against one server. Always says it came over TLS (the
    proxy's X-Forwarded-Proto) and sends its cookies whatever their Secure flag."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{self.port}"}
        body: bytes | None = None
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        if method not in {"GET", "HEAD"}:
            sent.update(Origin=self.origin, Referer=self.origin + path)
            if "csrftoken" in self.cookies:
                sent["X-CSRFToken"] = self.cookies["csrftoken"]
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            answer = Answer(response.status, response.headers, response.read().decode())
        finally:
            connection.close()
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return answer

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Answer:
        return self.request("POST", path, **kwargs)

    def log_in(self, username: str, password: str) -> None:
        page = self.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert token, f"no CSRF token on the login page ({page.status})"
        answer = self.post(
            "/login/",
            form={
                "csrfmiddlewaretoken": token[1],
                "username": username,
                "password": password,
            },
        )
        assert answer.status == 302, f"log in as {username}: {answer.status}\n{answer.body}"
        assert "sessionid" in self.cookies

    def sharing_cookies_with(self, port: int) -> Browser:
        """The same user (the same cookies) against another server."""
        return Browser(port, self.cookies)


# --- gunicorn ----------------------------------------------------------------------


@contextlib.contextmanager
def gunicorn(database_url: str, *, workers: int = 1) -> Iterator[int]:
    """gunicorn serving the app on a free port, as production runs it; yields the port.
    Its log goes to the test's output when the test fails."""
    with gunicorns(database_url, count=1, workers=workers) as ports:
        yield ports[0]


@contextlib.contextmanager
def gunicorns(database_url: str, *, count: int, workers: int = 1) -> Iterator[list[int]]:
    """`count` separate gunicorn processes on one database, started together."""
    env = production_env(database_url)
    with contextlib.ExitStack() as stack:
        started = []
        for _ in range(count):
            port = free_port()
            log = stack.enter_context(tempfile.TemporaryFile(mode="w+"))
            command = [BIN / "gunicorn", "careermap.wsgi:application"]
            command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
            # No control socket: its default path is one per user, and these run side
            # by side.
            command += ["--timeout", "30", "--no-control-socket", "--error-logfile", "-"]
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
            stack.callback(_stop, process, log)
            started.append((port, process, log))
        for port, process, log in started:
            _wait_until_serving(port, process, log)
        yield [port for port, _, _ in started]


def _stop(process: subprocess.Popen, log: Any) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.seek(0)
    sys.stdout.write(f"--- gunicorn (pid {process.pid}) log ---\n{log.read()}")


def _wait_until_serving(port: int, process: subprocess.Popen, log: Any) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"gunicorn stopped before serving:\n{log.read()}")
        try:
            Browser(port).get("/healthz")
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not serve on port {port} within 30 s")


# --- A throwaway PostgreSQL cluster -------------------------------------------------


def postgres_bin() -> Path | None:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.name)],
    )
    return found[-1] if found else None


def why_no_throwaway_cluster() -> str | None:
    """The reason a throwaway cluster cannot be made here, or None when it can."""
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        return "PostgreSQL only: the faults suite runs with a postgres:// DATABASE_URL"
    if postgres_bin() is None:
        return "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
    if os.geteuid() != 0:
        return "a throwaway cluster needs root (initdb runs as the postgres user via runuser)"
    if shutil.which("runuser") is None:
        return "runuser is missing"
    return None


@dataclass
class Cluster:
    """A PostgreSQL cluster of its own, in a temporary directory, that tests may stop
    and start at will."""

    pg_bin: Path
    directory: Path
    port: int

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                self.pg_bin / "pg_ctl",
                "-D",
                self.directory,
                *args,
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        self._pg_ctl("-o", options, "-l", str(self.directory / "log"), "-w", "start")

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    pg_bin = postgres_bin()
    assert pg_bin is not None
    directory = Path(tempfile.mkdtemp(prefix="careermap-faults-pg-"))
    shutil.chown(directory, "postgres")
    cluster = Cluster(pg_bin, directory, free_port())
    try:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                pg_bin / "initdb",
                "-D",
                directory,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)
