"""What the tests share besides fixtures (those are in the conftest.py files): requests
and data they make, what they read back, and the browser journeys' steps. No test module
imports another; what two of them need lives here.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, Request, Response, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from rest_framework.test import APIClient

from assessments.models import Assessment, Rating
from assessments.rollups import submitted
from assessments.services import assessment_start, assessment_submit
from people.models import Person
from skills.models import Category, Expectation, Role, Scale, Skill

# --- Pages ------------------------------------------------------------------------------

# The header htmx sends with each of its requests: a page answers with its region alone.
HTMX = {"HX-Request": "true"}


def fieldset(html: str, key: str) -> str:
    """The self-assessment form's fieldset of one skill."""
    match = re.search(rf'<fieldset[^>]* id="skill-{key}".*?</fieldset>', html, re.S)
    assert match, f"no fieldset for {key}"
    return match.group(0)


def levels(assessment: Assessment) -> dict[str, int]:
    """skill key -> level of the assessment's ratings."""
    return {r.skill.key: r.level for r in assessment.ratings.select_related("skill")}


def rows(html: str, table: str, key: str) -> dict[str, list[str]]:
    """data-<key> -> the cell texts of that row of the table with class `table`."""
    body = re.search(rf'<table class="{table}".*?</table>', html, re.S).group(0)
    found = {}
    for ident, row in re.findall(rf'<tr data-{key}="([^"]+)"[^>]*>(.*?)</tr>', body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        found[ident] = [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
    return found


def two(value: float | None) -> str:
    """A number as the org view and the reports show it: two decimals, blank for none."""
    return "" if value is None else f"{value:.2f}"


# --- Assessments, people --------------------------------------------------------------


def submit(by, person, kind, ratings: dict[str, int], at=None) -> Assessment:
    """A submitted assessment rating each skill of `ratings`, through the services; dated
    `at` if given. A self rating has no evidence; a manager rating a short note, as a
    manager's rating far from the person's own must cite some (assessment_submit)."""
    note = "Seen in their work." if kind == "manager" else ""
    draft = assessment_start(
        by=by,
        person=person,
        kind=kind,
        ratings=[
            {"skill": key, "level": level, "evidence": note} for key, level in ratings.items()
        ],
    )
    done = assessment_submit(by=by, assessment=draft)
    if at is not None:
        Assessment.objects.filter(pk=done.pk).update(submitted_at=at)
        submitted(assessment=done)  # the date can change which one is latest
    return done


def submit_with_evidence(
    by: Person, person: Person, kind: str, levels: dict[str, int]
) -> Assessment:
    """A submitted assessment, each rating with evidence ("<skill> evidence")."""
    draft = assessment_start(
        by=by,
        person=person,
        kind=kind,
        ratings=[{"skill": k, "level": v, "evidence": f"{k} evidence"} for k, v in levels.items()],
    )
    return assessment_submit(by=by, assessment=draft)


def rate_the_org(org: dict[str, Person]) -> dict[str, Person]:
    """erin and max disagree by two levels on system design; eli rates himself two
    below mia's rating of him; max is rated by mona. (The org view's and the reports'
    ratings.)"""
    submit_with_evidence(
        org["erin"], org["erin"], "self", {"system-design": 4, "mentoring": 3, "hiring": 1}
    )
    submit_with_evidence(org["max"], org["erin"], "manager", {"system-design": 2, "mentoring": 3})
    submit_with_evidence(org["eli"], org["eli"], "self", {"mentoring": 1})
    submit_with_evidence(org["mia"], org["eli"], "manager", {"mentoring": 3})
    submit_with_evidence(org["max"], org["max"], "self", {"delegation": 4})
    submit_with_evidence(org["mona"], org["max"], "manager", {"delegation": 3})
    return org


def add_people(manager: Person, count: int, roles, prefix: str) -> list[Person]:
    """`count` people under `manager`, each with a submitted self-assessment rating every
    skill their role expects, and a manager assessment of one skill. Bulk-created: a
    password hash computed once, no service calls."""
    password = make_password("demo")
    role = roles["senior-engineer"]
    people = Person.objects.bulk_create(
        Person(
            username=f"{prefix}{n:03}",
            name=f"{prefix.title()} {n:03}",
            password=password,
            role=role,
            target_role=roles["staff-engineer"] if n % 2 else None,
            manager=manager,
        )
        for n in range(count)
    )
    if not people[0].pk:  # backends that return no ids from bulk_create
        people = list(Person.objects.filter(username__startswith=prefix).order_by("username"))
    now = timezone.now()
    assessments = Assessment.objects.bulk_create(
        [
            Assessment(person=p, author=p, kind="self", status="submitted", submitted_at=now)
            for p in people
        ]
        + [
            Assessment(
                person=p, author=manager, kind="manager", status="submitted", submitted_at=now
            )
            for p in people
        ]
    )
    skills = list(Skill.objects.filter(expectations__role=role).distinct())
    Rating.objects.bulk_create(
        [
            Rating(assessment=a, skill=s, level=(i + j) % 5)
            for i, a in enumerate(assessments[: len(people)])
            for j, s in enumerate(skills)
        ]
        + [
            Rating(assessment=a, skill=skills[0], level=3, evidence="Seen in their work.")
            for a in assessments[len(people) :]
        ]
    )
    return people


# --- The framework ------------------------------------------------------------------------


def framework_snapshot() -> dict:
    """Everything stored about the framework, comparable across imports."""
    skills = Skill.objects.select_related("category")
    return {
        "scale": [(s.minimum, s.maximum, s.labels) for s in Scale.objects.all()],
        "categories": sorted(
            Category.objects.values_list("key", "name", "kind", "description", "order")
        ),
        "skills": sorted(
            (
                s.key,
                s.name,
                s.category.key,
                s.description,
                s.how_to_grow,
                s.retired,
                _levels_of(s),
                tuple(sorted(s.grow_to.items())),
            )
            for s in skills
        ),
        "roles": sorted(
            (
                r.key,
                r.name,
                r.track,
                r.level,
                r.summary,
                r.retired,
                _next_keys(r),
                (r.description, r.typical_week, r.changes),
                r.variant_of.key if r.variant_of else None,
            )
            for r in Role.objects.select_related("variant_of")
        ),
        "expectations": sorted(Expectation.objects.values_list("role__key", "skill__key", "level")),
    }


def _levels_of(skill: Skill) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(skill.levels.items()))


def _next_keys(role: Role) -> tuple[str, ...]:
    return tuple(sorted(role.next_roles.values_list("key", flat=True)))


# --- The database ----------------------------------------------------------------------


def count_api_queries(user: Person, url: str) -> int:
    """The queries of one GET of the API as `user` (authenticated without a query)."""
    api = APIClient()
    api.force_authenticate(user)  # no authentication queries in the count
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def refused(constraint: str, write) -> None:
    """`write` fails on the database constraint named `constraint`."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        write()
    # PostgreSQL names the constraint; SQLite names it for check constraints only.
    message = str(caught.value)
    assert constraint in message or "UNIQUE" in message


def database_gone(execute, sql, params, many, context):
    """A query wrapper (connection.execute_wrapper) for a database that went away."""
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


# --- Browser journeys -----------------------------------------------------------------

# Reports every Content-Security-Policy violation of the page to the test (Playwright's
# init scripts run before the page's own and are not subject to its policy).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || event.documentURI}:${event.lineNumber}` +
    (event.sample ? ` (${event.sample})` : "")
  );
});
"""


def watch(page: Page) -> list[str]:
    """Start collecting what is wrong with `page`: script errors, console errors, CSP
    violations, failed requests and error responses. Returns the (growing) list."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console error: {message.text} ({message.location})")

    def on_request_failed(request: Request) -> None:
        problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    page.expose_binding(
        "__cspViolation", lambda source, text: problems.append(f"CSP violation: {text}")
    )
    page.add_init_script(CSP_LISTENER)
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    return problems


# Heading levels in page order, and the visible form controls that no label names.
AUDIT = """() => ({
  headings: [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
    .filter(h => h.offsetParent !== null).map(h => Number(h.tagName[1])),
  unlabelled: [...document.querySelectorAll('input, select, textarea')]
    .filter(c => c.type !== 'hidden' && c.offsetParent !== null)
    .filter(c => !(c.labels && c.labels.length) && !c.getAttribute('aria-label'))
    .map(c => c.outerHTML.slice(0, 80)),
})"""


def fits_375(page: Page) -> None:
    """The page fits a 375 px screen without sideways scrolling, the nav stays visible;
    one h1, headings never skip a level, every control has a label, and by keyboard the
    first stop is the skip link, the next the brand link."""
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 800})
    # The page's own resize handlers run after the resize (the grid moves its impact
    # preview, placed beside a cell at the wider size): give them a moment, then judge.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function("document.documentElement.scrollWidth <= 375", timeout=3000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.url
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.set_viewport_size(size)
    audit = page.evaluate(AUDIT)
    levels = audit["headings"]
    assert levels.count(1) == 1, (page.url, levels)
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (page.url, levels)
    assert audit["unlabelled"] == [], (page.url, audit["unlabelled"])
    page.reload()  # a fresh start for keyboard navigation (every page here is a GET)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content", page.url
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "careermap", page.url


def log_in(page: Page, base: str, username: str) -> None:
    """Log in through the log-in page (password "demo"); lands on Home."""
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Home", level=1)).to_be_visible()
    # Home's own stylesheet finishes loading before the test moves on: leaving at once
    # aborts it (net::ERR_ABORTED), which the page fixture counts as a failed request.
    page.wait_for_load_state("load")


def submit_with_notes(by, person, kind, levels) -> None:
    """A submitted assessment, each rating with evidence ("<skill>: notes")."""
    draft = assessment_start(
        by=by,
        person=person,
        kind=kind,
        ratings=[{"skill": k, "level": v, "evidence": f"{k}: notes"} for k, v in levels.items()],
    )
    assessment_submit(by=by, assessment=draft)


# --- Email: a real SMTP server ------------------------------------------------------------


class Mailbox:
    """What a real SMTP server (aiosmtpd, on a free local port) received: `messages`, each
    an email.message.EmailMessage. The `mailbox` fixture starts it and points Django at it."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = 0  # the server's, once started

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=email_policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None, "a plain-text body"
        return part.get_content()

    @staticmethod
    def html(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("html",))
        assert part is not None, "an HTML body"
        return part.get_content()

    @classmethod
    def link(cls, message: EmailMessage) -> str:
        """The one password link in the email."""
        found = re.findall(r"https?://\S+/password/set/\S+/", cls.body(message))
        assert len(found) == 1, f"one password link, not {found}"
        return found[0]


# --- The keyboard -------------------------------------------------------------------------


def focused(page: Page, script: str) -> Any:
    """`script` evaluated with `e` the focused element, e.g. "e.name === 'level'"."""
    return page.evaluate(f"(() => {{ const e = document.activeElement; return {script}; }})()")


def tab_to(page: Page, script: str, *, back: bool = False, most: int = 200) -> None:
    """Tab (or Shift+Tab) until the focused element answers `script` truthily."""
    for _ in range(most):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if focused(page, script):
            return
    raise AssertionError(f"never reached: {script}")


# axe-core (test-only JavaScript from npm: `make test` installs it with npm ci).
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


def axe_clean(browser: Any, base: str, username: str, path: str) -> None:
    """axe finds nothing on `path` as `username` at 1280 and 375 px, in a context of its
    own that bypasses the CSP (the script is injected); a journey's own page keeps it."""
    context = browser.new_context(bypass_csp=True)
    other = context.new_page()
    log_in(other, base, username)
    for width in (1280, 375):
        other.set_viewport_size({"width": width, "height": 900})
        other.goto(base + path)
        found = axe_violations(other)
        assert not found, (path, width, found)
    context.close()


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations on the page as it is now (loaded once per document). The
    page's context must bypass the site's CSP, which refuses the injected script."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']} {v['id']}: {v['help']} ({v['nodes'][0]['target']})"
        for v in result["violations"]
    ]
