"""The benchmark of issue 7 and the load test of issue 8, in one run (`make bench`).

Generates (or reuses) 1,000- and 10,000-person organisations in their own PostgreSQL
databases, serves each under gunicorn (2 workers, production settings), measures with
wrk on loopback and sequential keep-alive requests, and writes bench/results.md.
Ratios are compared within one run only: wrk and the server share the machine's cores.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests import harness  # noqa: E402 (PostgreSQL and gunicorn, as the tests start them)

PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8031"))
SEED = int(os.environ.get("BENCH_SEED", "1"))
SIZES = {"1k": 1_000, "10k": 10_000}
DIRECT = ROOT / "skills" / "data" / "library" / "direct.yaml"  # the shipped template
HEADERS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
THROUGHPUT_SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "30"))

ENV = {
    **os.environ,
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
}
ENV.pop("DJANGO_DEBUG", None)

results: list[tuple[str, str, str, str]] = []  # (measure, value, target, verdict)
notes: list[str] = []


def say(text: str) -> None:
    print(text, flush=True)


def record(measure: str, value: str, target: str = "", ok: bool | None = None) -> None:
    verdict = "" if ok is None else ("met" if ok else "MISSED")
    results.append((measure, value, target, verdict))
    say(f"  {measure}: {value} {target} {verdict}")


def run(*args: str, env: dict[str, str] | None = None, **kwargs) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env or ENV, capture_output=True, text=True, **kwargs)
    if done.returncode:
        raise RuntimeError(
            f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}{done.stdout}"
        )
    return done.stdout


def manage(db: str, *args: str) -> str:
    return run(PYTHON, "manage.py", *args, env={**ENV, "DATABASE_URL": f"{PG}/{db}"})


def psql(db: str, sql: str) -> str:
    return run("psql", f"{PG}/{db}", "-XAtq", "-c", sql)


# --- Data ---------------------------------------------------------------------------


def ensure_database(db: str) -> None:
    harness.create_database(f"{PG}/{db}")
    manage(db, "migrate", "--no-input", "-v0")


def ensure_org(db: str, people: int) -> None:
    ensure_database(db)
    # bench-assessor is the person of measurement (e), added to the 1k database.
    count = psql(db, "SELECT count(*) FROM people_person WHERE username <> 'bench-assessor'")
    count = count.strip()
    if count == str(people) and not os.environ.get("BENCH_REGENERATE"):
        say(f"  {db}: {people} people already there (BENCH_REGENERATE=1 to redo)")
        return
    started = time.perf_counter()
    out = manage(db, "generate_org", "--people", str(people), "--seed", str(SEED), "--replace")
    seconds = time.perf_counter() - started
    say(f"  {db}: {out.strip()} ({seconds:.1f} s)")
    record(f"generate_org --people {people}", f"{seconds:.1f} s")


# --- The server -----------------------------------------------------------------------


class Server:
    """gunicorn with 2 workers on `port`, production settings (tests/harness.py), its
    output appended to careermap-bench-gunicorn.log in the temporary directory."""

    def __init__(self, db: str, port: int = PORT) -> None:
        self.db = db
        self.port = port
        self.server: harness.Gunicorn | None = None

    def __enter__(self) -> Server:
        log = Path(tempfile.gettempdir()) / "careermap-bench-gunicorn.log"
        self.server = harness.start_gunicorn(
            f"{PG}/{self.db}",
            port=self.port,
            workers=2,
            timeout=120,
            log=log.open("a+"),  # closed by __exit__
            detach=True,
        )
        return self

    def __exit__(self, *exc) -> None:
        assert self.server is not None
        self.server.stop()
        self.server.log.close()

    def workers(self) -> list[int]:
        assert self.server is not None
        pid = self.server.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def memory(self, field: str = "VmRSS") -> list[int]:
        """kB per worker: VmRSS now, or VmHWM (the peak)."""
        sizes = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(rf"^{field}:\s+(\d+)", status, re.M).group(1)))
        return sizes


_connections: dict[int, http.client.HTTPConnection] = {}


def request(
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: str | None = None,
    *,
    port: int = PORT,
) -> tuple[int, bytes, http.client.HTTPResponse]:
    """One request on a kept-alive connection to `port` (reopened on failure)."""
    for attempt in (1, 2):
        if port not in _connections:
            _connections[port] = http.client.HTTPConnection(HOST, port, timeout=300)
        connection = _connections[port]
        try:
            connection.request(method, path, body=body, headers={**HEADERS, **(headers or {})})
            response = connection.getresponse()
            return response.status, response.read(), response
        except (http.client.HTTPException, OSError):
            connection.close()
            del _connections[port]
            if attempt == 2:
                raise
    raise AssertionError


def token(username: str, port: int = PORT) -> str:
    body = json.dumps({"username": username, "password": "demo"})
    status, data, _ = request(
        "POST", "/api/auth/token/", {"Content-Type": "application/json"}, body, port=port
    )
    assert status == 200, (status, data[:300])
    return json.loads(data)["token"]


def session(username: str) -> str:
    """Log in through the login page; the session cookie header."""
    _, _, response = request("GET", "/login/")
    csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    form = urllib.parse.urlencode(
        {"username": username, "password": "demo", "csrfmiddlewaretoken": csrf}
    )
    status, _, response = request(
        "POST",
        "/login/",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"https://{HOST}/login/",
        },
        form,
    )
    cookies = response.getheader("Set-Cookie", "")
    match = re.search(r"sessionid=([^;]+)", cookies)
    assert status == 302, (status, cookies)
    assert match, cookies
    return f"sessionid={match.group(1)}; csrftoken={csrf}"


def timed(path: str, auth: dict[str, str], times: int) -> float:
    """Median wall time in ms of `times` sequential requests (after one warm-up)."""
    status, body, _ = request("GET", path, auth)
    assert status == 200, (path, status, body[:300])
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        status, body, _ = request("GET", path, auth)
        samples.append((time.perf_counter() - started) * 1000)
        assert status == 200, (path, status)
    return statistics.median(samples)


def wrk(paths: list[str], auth: str, *, seconds: int, connections: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(paths) + "\n")
    env = {**ENV, "BENCH_PATHS": listing.name, "BENCH_AUTH": auth}
    out = run(
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(ROOT / "bench" / "wrk.lua"),
        f"http://{HOST}:{PORT}",
        env=env,
    )
    os.unlink(listing.name)
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    return {k: float(v) for k, v in (pair.split("=") for pair in line.split()[1:])}


def raw_sql_ms(db: str, sql: str, times: int) -> float:
    """Median ms of the statement run by psql on the same database (after a warm-up)."""
    script = "\\timing on\n" + "\n".join([sql] * (times + 1))
    out = run("psql", f"{PG}/{db}", "-XAq", "-o", "/dev/null", input=script)
    samples = [float(m) for m in re.findall(r"Time: ([\d.]+) ms", out)][1:]
    return statistics.median(samples)


def ids(db: str, limit: int) -> list[int]:
    rows = psql(db, f"SELECT id FROM people_person WHERE NOT is_hr ORDER BY id LIMIT {limit}")
    return [int(x) for x in rows.split()]


# --- Measurements ---------------------------------------------------------------------


def compare_sizes() -> None:
    """(c) Latencies at 1k and 10k people, both servers up at once and their requests
    interleaved (1k, 10k, 1k, ...), so that whatever else the machine does hits both."""
    small_db, large_db = (f"careermap_bench_{name}" for name in SIZES)
    with Server(small_db, PORT), Server(large_db, PORT + 1):
        auth = {
            port: {"Authorization": f"Token {token('hana', port)}"} for port in (PORT, PORT + 1)
        }
        samples = {}
        for port, db in ((PORT, small_db), (PORT + 1, large_db)):
            people = ids(db, 10_000)
            samples[port] = people[:: max(len(people) // 100, 1)][:100]
        endpoints = [
            ("gaps", "/api/people/{}/gaps/", 100, 1.3),
            ("paths", "/api/people/{}/paths/", 100, 1.3),
            ("me", "/api/me/", 100, 1.3),
            ("skills report", "/api/reports/skills/?page_size=500", 5, 12),
            ("calibration report", "/api/reports/calibration/?page_size=500", 5, 12),
        ]
        for name, path, times, target in endpoints:
            found: dict[int, list[float]] = {PORT: [], PORT + 1: []}
            for n in range(times + 1):  # the first round warms up
                for port in found:
                    url = path.format(samples[port][n % len(samples[port])])
                    started = time.perf_counter()
                    status, body, _ = request("GET", url, auth[port], port=port)
                    if n:
                        found[port].append((time.perf_counter() - started) * 1000)
                    assert status == 200, (url, status, body[:300])
            small, large = (statistics.median(found[port]) for port in found)
            ratio = large / small
            record(
                f"(c) {name}: 10k / 1k, median ms of {times} interleaved",
                f"{large:.1f} / {small:.1f} = {ratio:.2f}",
                f"<= {target}",
                ratio <= target,
            )


def throughput_and_reports(db: str) -> None:
    people = ids(db, 10_000)
    with Server(db) as server:
        auth = f"Authorization: Token {token('hana')}"
        gaps = wrk(
            [f"/api/people/{i}/gaps/" for i in people],
            auth,
            seconds=THROUGHPUT_SECONDS,
            connections=8,
        )
        me = wrk(["/api/me/"], auth, seconds=THROUGHPUT_SECONDS, connections=8)
        for label, found in (("gaps", gaps), ("me", me)):
            assert found["s2xx"] == found["requests"], (label, found)
        ratio = gaps["rps"] / me["rps"]
        record(
            "(a) gaps over all ids vs /api/me/, wrk -c8, req/s",
            f"{gaps['rps']:.0f} vs {me['rps']:.0f} = {ratio:.2f}",
            ">= 0.6",
            ratio >= 0.6,
        )
        # The same as the manager at the top: every lookup checks the visibility rule
        # (HR sees everyone without it), here over a 9,998-person subtree.
        auth = f"Authorization: Token {token('mona')}"
        below = psql(db, "SELECT id FROM people_person WHERE NOT is_hr AND username <> 'mona'")
        paths = [f"/api/people/{i}/gaps/" for i in below.split()]
        gaps = wrk(paths, auth, seconds=THROUGHPUT_SECONDS, connections=8)
        me = wrk(["/api/me/"], auth, seconds=THROUGHPUT_SECONDS, connections=8)
        for label, found in (("gaps as mona", gaps), ("me as mona", me)):
            assert found["s2xx"] == found["requests"], (label, found)
        ratio = gaps["rps"] / me["rps"]
        record(
            "(a) the same as mona (manager of all 9,998 others), req/s",
            f"{gaps['rps']:.0f} vs {me['rps']:.0f} = {ratio:.2f}",
            ">= 0.6",
            ratio >= 0.6,
        )

        hr = {"Authorization": f"Token {token('hana')}"}
        api = timed("/api/reports/skills/?page_size=500", hr, 5)
        sql = raw_sql_ms(db, (ROOT / "bench" / "skills_report.sql").read_text(), 5)
        record(
            "(b) /api/reports/skills/ (HR, 10k) vs raw SQL, median ms",
            f"{api:.0f} vs {sql:.0f} = {api / sql:.2f}x",
            "<= 1.5x",
            api / sql <= 1.5,
        )

        # (d) The team heatmap of the manager whose subtree is nearest 200 people, and
        # the org view of the person at the top.
        manager, size = nearest_subtree(db, 200)
        cookie = {"Cookie": session(manager)}
        heatmap = timed("/team/?depth=all", cookie, 3)
        record(f"(d) team heatmap, {size}-person subtree ({manager}), median", f"{heatmap:.0f} ms")
        cookie = {"Cookie": session("mona")}
        org = timed("/team/org/", cookie, 2)
        record("(d) org view of the top manager (mona, 9,998 below), median", f"{org:.0f} ms")
        peak = server.memory("VmHWM")
        record("(d) peak RSS of a gunicorn worker (VmHWM)", f"{max(peak) / 1024:.0f} MB")


def nearest_subtree(db: str, target: int) -> tuple[str, int]:
    sql = f"""
        WITH RECURSIVE chain(id, top) AS (
            SELECT id, id FROM people_person
            UNION ALL
            SELECT p.id, c.top FROM people_person p JOIN chain c ON p.manager_id = c.id
        )
        SELECT p.username, count(*) - 1 AS below
        FROM chain c JOIN people_person p ON p.id = c.top
        GROUP BY p.username ORDER BY abs(count(*) - 1 - {target}), p.username LIMIT 1
    """
    username, below = psql(db, sql).strip().split("|")
    return username, int(below)


def load(db: str) -> None:
    """Issue 8: 50 concurrent connections for LOAD_SECONDS s, pages then API."""
    people = ids(db, 10_000)
    with Server(db) as server:
        cookie = f"Cookie: {session('max')}"
        auth = f"Authorization: Token {token('hana')}"
        page_paths = ["/map/", "/paths/", "/team/", "/assess/", "/history/", "/growth/"]
        api_paths = (
            [f"/api/people/{i}/gaps/" for i in people[:500]]
            + [f"/api/people/{i}/paths/" for i in people[500:1000]]
            + ["/api/me/", "/api/skills/", "/api/roles/"]
        )
        # A short warm-up first: the first requests of a worker load code and fill
        # caches; "stable" is about what happens after that.
        wrk(page_paths, cookie, seconds=3, connections=10)
        wrk(api_paths, auth, seconds=3, connections=10)
        before = server.memory()
        pages = wrk(page_paths, cookie, seconds=LOAD_SECONDS, connections=50)
        middle = server.memory()
        api = wrk(api_paths, auth, seconds=LOAD_SECONDS, connections=50)
        after = server.memory()
    for label, found in (("pages (session)", pages), ("API (token)", api)):
        bad = found["requests"] - found["s2xx"] + found["errors"]
        record(
            f"load: {label}, wrk -c50 -d{LOAD_SECONDS}s",
            f"{found['requests']:.0f} requests, {found['rps']:.0f} req/s, p99 "
            f"{found['p99_ms']:.0f} ms, non-2xx {found['requests'] - found['s2xx']:.0f}, "
            f"socket errors {found['errors']:.0f}",
            "0 errors",
            bad == 0,
        )
    grew = max(a - b for a, b in zip(after, before, strict=False))
    record(
        "load: worker RSS after warm-up -> after pages -> after API (MB)",
        " -> ".join("/".join(str(kb // 1024) for kb in sizes) for sizes in (before, middle, after)),
        "stable (< 20 MB growth)",
        grew < 20 * 1024,
    )


def assessment_form() -> None:
    """(e) The self-assessment with the 164 skills of direct.yaml, and with the 60 of
    the generated framework: render, one autosaved answer, all answers saved, submit."""
    db = "careermap_bench_direct"
    ensure_database(db)
    script = ROOT / "bench" / "assess_form.py"
    code = f"exec(open('{script}').read()); main({{path!r}})"
    direct = _last_json(manage(db, "shell", "-v0", "-c", code.format(path=str(DIRECT))))
    wide = _last_json(manage("careermap_bench_1k", "shell", "-v0", "-c", code.format(path=None)))
    for step in direct:
        d, w = direct[step], wide[step]
        record(
            f"(e) {step}: {d['skills']} skills vs {w['skills']}",
            f"{d['ms']:.0f} ms, {d['queries']} queries vs {w['ms']:.0f} ms, {w['queries']} queries",
            "queries fixed in skills",
            d["queries"] == w["queries"],
        )


def _last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


# --- The report -----------------------------------------------------------------------


def machine() -> list[str]:
    memory = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)
    cpu = re.search(r"model name\s+: (.+)", Path("/proc/cpuinfo").read_text())
    versions = run(
        PYTHON,
        "-c",
        "import django, rest_framework, psycopg, gunicorn;"
        "print(django.__version__, rest_framework.__version__, psycopg.__version__,"
        " gunicorn.__version__)",
    ).split()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    return [
        f"- cores: {os.cpu_count()} ({cpu.group(1) if cpu else 'unknown CPU'})",
        f"- memory: {int(memory) // 1024} MB",
        f"- {platform.platform()}; Python {platform.python_version()}",
        f"- Django {versions[0]}, DRF {versions[1]}, psycopg {versions[2]}, "
        f"gunicorn {versions[3]} (2 workers)",
        f"- PostgreSQL {psql('postgres', 'SHOW server_version').strip()}",
        f"- {wrk_version.splitlines()[0] if wrk_version else 'wrk'}",
    ]


def write_results(seconds: float) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (bench/run) on {time.strftime('%Y-%m-%d %H:%M UTC')}"
        f", in {seconds / 60:.1f} minutes. Seed {SEED}. Ratios compare measurements of one"
        " run; wrk, PostgreSQL and gunicorn share the machine.",
        "",
        *machine(),
        "",
        "| measure | value | target | verdict |",
        "|---|---|---|---|",
        *(f"| {m} | {v} | {t} | {ok} |" for m, v, t, ok in results),
        "",
        *notes,
    ]
    (ROOT / "bench" / "results.md").write_text("\n".join(lines) + "\n")


def main() -> int:
    started = time.perf_counter()
    if shutil.which("wrk") is None:
        say("wrk is missing: installing it from Debian's packages")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    say("Data")
    for name, size in SIZES.items():
        ensure_org(f"careermap_bench_{name}", size)
    say("Latency at 1k and 10k people")
    compare_sizes()
    say("Throughput, reports and pages at 10k")
    throughput_and_reports("careermap_bench_10k")
    say("The 164-skill assessment form")
    assessment_form()
    say("Load (issue 8)")
    load("careermap_bench_10k")
    write_results(time.perf_counter() - started)
    say(f"Wrote bench/results.md ({(time.perf_counter() - started) / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
