"""PostgreSQL and gunicorn for the tests, scripts/test, scripts/schemathesis and bench/:
find PostgreSQL or start a throwaway cluster, create a database, serve the app under
gunicorn as production runs it (debug off) on a free port once /healthz answers. And,
for the tests, a tiny HTTP client that keeps cookies by hand (the session cookie is
Secure in production; a cookie jar would drop it over the plain http of the loopback).

Imports neither pytest nor Django, so that the scripts and the benchmark can use it
(`from tests import harness`); the two functions about the test run's own database
import Django themselves. The scripts call it from the shell:

    python -m tests.harness postgres URL      # PostgreSQL at URL, or a throwaway cluster
    python -m tests.harness stop-cluster DIR  # stop and remove that cluster
    python -m tests.harness gunicorn URL [--workers N] [--log FILE] [-- OPTION...]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
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


def manage(database_url: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run a manage.py command as production would (production_env, plus `env`); its
    output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**production_env(database_url), **(env or {})},
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout + done.stderr


# --- PostgreSQL ---------------------------------------------------------------------


class NoPostgres(Exception):
    """Nothing answers at the URL, or it is no PostgreSQL URL; the message says so."""


def _server(url: str) -> dict[str, Any]:
    import dj_database_url

    db = dj_database_url.parse(url)
    if "postgresql" not in db["ENGINE"]:
        raise NoPostgres(f"needs a PostgreSQL DATABASE_URL, not {url}")
    return db


def where(url: str) -> str:
    """host:port of the server of `url`."""
    db = _server(url)
    return f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"


def server_connection(url: str, *, timeout: int = 5):
    """An autocommit connection to the `postgres` database of the server of `url`."""
    import psycopg

    db = _server(url)
    return psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname="postgres",
        connect_timeout=timeout,
        autocommit=True,
    )


def reachable(url: str, *, timeout: int = 3) -> bool:
    """Whether a PostgreSQL server answers at `url` (its database need not exist)."""
    import psycopg

    try:
        server_connection(url, timeout=timeout).close()
    except (psycopg.Error, NoPostgres):
        return False
    return True


def with_database(url: str, name: str) -> str:
    """`url` naming the database `name` instead."""
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/" + name))


def create_database(url: str, *, fresh: bool = False) -> None:
    """Create the database `url` names if it does not exist; `fresh`: drop it first
    (ending its sessions). Raises NoPostgres when no server answers."""
    import psycopg
    from psycopg import sql

    name = _server(url)["NAME"]
    try:
        connection = server_connection(url)
    except psycopg.Error as exc:
        raise NoPostgres(f"no PostgreSQL answers at {where(url)}: {exc}") from exc
    with connection:
        if fresh:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_url_of_the_tests() -> str:
    """The test database (once pytest-django has set it up) as a DATABASE_URL, for
    processes of their own. They see only committed data (transactional_db)."""
    from django.db import connection

    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{quote(db['USER'] or '', safe='')}{password}@{host}{port}/{db['NAME']}"


# --- A throwaway PostgreSQL cluster -------------------------------------------------


def postgres_bin() -> Path | None:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.name)],
    )
    return found[-1] if found else None


def why_no_cluster_here() -> str | None:
    """The reason a throwaway cluster cannot be made on this machine, or None."""
    if postgres_bin() is None:
        return "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
    if os.geteuid() != 0:
        return "a throwaway cluster needs root (initdb runs as the postgres user via runuser)"
    if shutil.which("runuser") is None:
        return "runuser is missing"
    return None


def why_no_throwaway_cluster() -> str | None:
    """The reason the tests cannot make a throwaway cluster, or None when they can."""
    from django.conf import settings

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        return "PostgreSQL only: the faults suite runs with a postgres:// DATABASE_URL"
    return why_no_cluster_here()


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

    def remove(self) -> None:
        """Stop it (if it runs) and delete its directory."""
        with contextlib.suppress(subprocess.SubprocessError):
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        create_database(self.url(name))


def start_cluster(prefix: str = "careermap-pg-") -> Cluster:
    """initdb a cluster in a new temporary directory and start it on a free port, the
    postgres user trusted on the loopback. Its owner removes it (Cluster.remove)."""
    pg_bin = postgres_bin()
    assert pg_bin is not None
    directory = Path(tempfile.mkdtemp(prefix=prefix))
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
    except BaseException:
        cluster.remove()
        raise
    return cluster


@contextlib.contextmanager
def throwaway_cluster(prefix: str = "careermap-faults-pg-") -> Iterator[Cluster]:
    cluster = start_cluster(prefix)
    try:
        yield cluster
    finally:
        cluster.remove()


NO_POSTGRES = """No PostgreSQL answers at {url}.
Start one (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start),
or set DATABASE_URL=postgres://USER@HOST:PORT/careermap to one that runs."""


def postgres(url: str) -> tuple[str, Cluster | None]:
    """PostgreSQL at `url` if it answers; else a throwaway cluster (the caller removes
    it) and the URL of its `careermap` database; else NoPostgres saying how to start
    one."""
    if reachable(url):
        return url, None
    if why_no_cluster_here() is not None:
        raise NoPostgres(NO_POSTGRES.format(url=url))
    cluster = start_cluster("careermap-pg.")
    return cluster.url("careermap"), cluster


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


@dataclass
class Gunicorn:
    """One gunicorn process serving the app on `port`, its output in `log`."""

    port: int
    process: subprocess.Popen
    log: IO[str]
    echo: bool  # print the log when stopped (the test's output, shown when it fails)

    def wait_until_serving(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"gunicorn stopped before serving:\n{self.log.read()}")
            try:
                Browser(self.port).get("/healthz")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not serve on port {self.port} within {seconds:.0f} s")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.echo:  # the temporary log of launch_gunicorn()
            self.log.seek(0)
            sys.stdout.write(f"--- gunicorn (pid {self.process.pid}) log ---\n{self.log.read()}")
            self.log.close()


def launch_gunicorn(
    database_url: str,
    *,
    port: int | None = None,
    workers: int = 1,
    timeout: int = 30,
    options: Sequence[str] = (),
    log: IO[str] | None = None,
    detach: bool = False,
    env: dict[str, str] | None = None,
) -> Gunicorn:
    """gunicorn started (not yet serving) with production settings on `port` (a free
    one by default), with `env` added to them. `log`: a file open for reading and
    writing that the caller keeps; by default a temporary one, printed when it stops.
    `detach`: in a session of its own, out of reach of the terminal's Ctrl-C (and
    outliving this process)."""
    port = port or free_port()
    command = [str(BIN / "gunicorn"), "careermap.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    # No control socket: its default path is one per user, and these run side by side.
    command += ["--timeout", str(timeout), "--no-control-socket", "--error-logfile", "-"]
    command += options
    echo = log is None
    # The temporary log lives as long as the process: Gunicorn.stop() reads it.
    log = log if log is not None else tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**production_env(database_url), **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=detach,
    )
    return Gunicorn(port, process, log, echo)


def start_gunicorn(database_url: str, **launch: Any) -> Gunicorn:
    """launch_gunicorn(), returning once /healthz answers (stopped if it never does)."""
    server = launch_gunicorn(database_url, **launch)
    try:
        server.wait_until_serving()
    except BaseException:
        server.stop()
        raise
    return server


@contextlib.contextmanager
def gunicorn(database_url: str, *, workers: int = 1) -> Iterator[int]:
    """gunicorn serving the app on a free port, as production runs it; yields the port.
    Its log goes to the test's output when the test fails."""
    with gunicorns(database_url, count=1, workers=workers) as ports:
        yield ports[0]


@contextlib.contextmanager
def gunicorns(database_url: str, *, count: int, workers: int = 1) -> Iterator[list[int]]:
    """`count` separate gunicorn processes on one database, started together."""
    with contextlib.ExitStack() as stack:
        started = []
        for _ in range(count):
            server = launch_gunicorn(database_url, workers=workers)
            stack.callback(server.stop)
            started.append(server)
        for server in started:
            server.wait_until_serving()
        yield [server.port for server in started]


# --- From the shell -------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.harness",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    found = commands.add_parser(
        "postgres",
        help="print the shell assignments DATABASE_URL=... and cluster=...: URL if "
        "PostgreSQL answers there, else a throwaway cluster's (cluster: its directory)",
    )
    found.add_argument("url")
    stop = commands.add_parser("stop-cluster", help="stop and remove a throwaway cluster")
    stop.add_argument("directory", type=Path)
    serve = commands.add_parser(
        "gunicorn",
        help="start gunicorn in a session of its own, wait for /healthz, print PORT PID",
    )
    serve.add_argument("url")
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log", type=Path, help="its output (default: discarded)")
    argv = list(sys.argv[1:] if argv is None else argv)
    # What follows -- is gunicorn's (argparse would read its options as ours).
    split = argv.index("--") if "--" in argv else len(argv)
    args, gunicorn_options = parser.parse_args(argv[:split]), argv[split + 1 :]

    try:
        if args.command == "postgres":
            url, cluster = postgres(args.url)
            if cluster is not None:
                print(
                    f"No PostgreSQL at {args.url}; starting a throwaway cluster on port "
                    f"{cluster.port}.",
                    file=sys.stderr,
                )
            print(f"DATABASE_URL={shlex.quote(url)}")
            print(f"cluster={shlex.quote(str(cluster.directory) if cluster else '')}")
        elif args.command == "stop-cluster":
            pg_bin = postgres_bin()
            assert pg_bin is not None
            Cluster(pg_bin, args.directory, 0).remove()
        elif args.command == "gunicorn":
            # gunicorn writes to the file after this process has closed it and gone.
            with open(args.log or os.devnull, "w+") as log:
                server = start_gunicorn(
                    args.url, workers=args.workers, options=gunicorn_options, log=log, detach=True
                )
            print(server.port, server.process.pid)
    except (NoPostgres, RuntimeError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
