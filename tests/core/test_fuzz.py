"""Hostile input to every route and every API operation (issue 23, "Make it stay fixed").

A table of hostile values (NUL and other control characters, Unicode digits and letters,
a 10,000-character string, negative and huge numbers, dates at the ends of the calendar,
JSON nested 2,000 levels deep, the empty string, lists where one value is expected) is
sent, as each persona (HR, a manager of managers, a manager, an engineer, anonymous):

- to every route of the URL conf (pages, the admin, the API's URLs): its path filled with
  real ids of the test org and with hostile ones where the converter lets them through;
  a GET with each value in each query parameter the view reads (recorded while it
  answers, plus a list of common names and its page's GET forms' fields); a POST with
  each value in each field of the forms that post to it (parsed from the pages) and of
  those the view reads, and with hostile field names;
- to every operation of the OpenAPI schema: each query parameter, each JSON body field
  of the request schema, the whole body replaced by deeply nested JSON, and `If-Match`.

No answer may be a 5xx (or an exception), and an answer of 4xx must have written
nothing: the row count of every model's table (and on PostgreSQL, the rows updated, from
pg_stat_xact_user_tables) is compared before and after each request. Each request runs
in a savepoint rolled back after it, so every request meets the same data (a valid post
that deletes or logs out spoils nothing for the next).

To keep the run short (`make test`), a value goes into every field at once, and each
field the view reads also gets one value on its own, the values in turn. Only the first
persona the view lets in (in LEAD_ORDER) gets every value; the others a telling one; a
persona refused before the view (a log-in redirect, 401/403/404/405) only the plain
request. The admin's pages other than the project's own add and change forms, and the
API's URLs (tried through the schema's operations), get the lighter treatment for
everyone.

Left out of "nothing written on a 4xx", by design: the throttles' counters and the audit
trail's failed log-ins (a refused log-in must count towards the lockout: django-axes,
core.security's per-address limit), and the session (the edge's last-seen time). The
limits themselves are raised, and the API's rate limits turned off (the `world`
fixture). Nothing else is excluded: log-out, token revocation and deletions are rolled
back with their request, and the client's session cookie is put back.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, transaction
from django.http import HttpResponseBase, QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import get_converters
from django.urls.exceptions import Resolver404
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from assessments.checkins import NewAction, checkin_create, checkin_update
from assessments.cycles import cycle_create
from assessments.evidence import evidence_add
from assessments.feedback import feedback_request_create
from assessments.models import Assessment, CheckInAction
from assessments.services import action_add, assessment_start, focus_skill_add
from core.models import AuditEvent
from people.models import Notification, Person
from people.notifications import notify
from skills.models import Category

pytestmark = pytest.mark.django_db

PERSONAS = ["hana", "mona", "max", "erin", "anonymous"]

# --- The hostile values -------------------------------------------------------------------

DEEP_LIST = "[" * 2000 + "]" * 2000
DEEP_OBJECT = '{"a":' * 2000 + "1" + "}" * 2000

# As text: query parameters, form fields, path segments, headers.
TEXT: dict[str, str] = {
    "nul": "a\x00b",
    "control": "\x1b[31m\x07",
    "superscript-two": "²",
    "arabic-indic-12": "١٢",
    "letters": "Żółw ǅ 漢字 ß",
    "long": "7" * 10_000,
    "negative": "-1",
    "huge": str(10**30),
    "first-day": "0001-01-01",
    "last-day": "9999-12-31",
    "empty": "",
    "deep-json": DEEP_LIST,
}
# The values that pass the edge (core.edge refuses control characters before any view):
# the ones worth sending field by field.
PASSING = [name for name in TEXT if name not in ("nul", "control")]

# As JSON: a body's fields. Deep nesting is a whole body of its own (DEEP_*).
JSON_VALUES: dict[str, Any] = {
    "nul": "a\x00b",
    "control": "\x1b",
    "superscript-two": "²",
    "arabic-indic-12": "١٢",
    "letters": "Żółw 漢字",
    "long": "7" * 10_000,
    "negative": -1,
    "huge": 10**30,
    "huge-float": 1e308,
    "true": True,
    "null": None,
    "empty": "",
    "first-day": "0001-01-01",
    "list": ["²", -1],
    "object": {"x": "²"},
    "nested": [[[[[[[[["x"]]]]]]]]],
}
JSON_PASSING = [name for name in JSON_VALUES if name not in ("nul", "control")]

IF_MATCH = ["²", "١٢", '"²"', "-1", str(10**30), "W/" + "7" * 10_000, '"a",,"b"', "*, \x7f"]

# Query parameters views commonly read, sent to every route beside those it was seen to
# read: a view that reads one only on some branch is still reached.
COMMON_PARAMS = [
    "page",
    "page_size",
    "role",
    "q",
    "skill",
    "kind",
    "person",
    "since",
    "category",
    "track",
    "manager",
    "status",
    "format",
    "depth",
    "next",
    "sort",
    "o",
    "p",
]

# Tables a refused request may write to by design: the throttles' own counters (a
# refused log-in is counted: that is the per-address limit and django-axes' lockout),
# and the session (the edge records when it was last seen).
COUNTERS = {
    "axes_accessattempt",
    "axes_accessfailurelog",
    "axes_accesslog",
    "core_throttlehit",
    "django_session",
}

# Statuses that answer "the persona may not use this": the view's logic is not reached.
NOT_REACHED = {401, 403, 404, 405}


# --- The test org, with one of everything a URL names --------------------------------------


@dataclass
class World:
    people: dict[str, Person]
    ids: dict[str, Any]  # kind -> id (or slug); "notification", "assessment": per persona

    def id_for(self, kind: str, persona: str) -> str:
        found = self.ids[kind]
        if isinstance(found, dict):
            found = found.get(persona, next(iter(found.values())))
        return str(found)


@pytest.fixture
def world(org, assessed, settings) -> World:
    # The API's rate limits off (core.throttles reads them at each request): thousands of
    # requests a minute are the point here. The log-in limits (django-axes, the
    # per-address limit) raised: each request is rolled back, so they never count up,
    # but a refused log-in must stay a refused log-in, not a lockout, whatever the order.
    settings.CAREERMAP_API_THROTTLE_USER = "off"
    settings.CAREERMAP_API_THROTTLE_ANON = "off"
    settings.AXES_FAILURE_LIMIT = 10**6
    settings.LOGIN_FAILURES_PER_IP = 10**6
    settings.PASSWORD_LINK_LIMIT_PER_ADDRESS = 10**6
    settings.PASSWORD_LINK_LIMIT_PER_IP = 10**6
    people = dict(org)
    hana, mona, max_, erin = (people[k] for k in ("hana", "mona", "max", "erin"))
    today = date.today()
    evidence = evidence_add(
        by=erin,
        person=erin,
        title="Led the outage review",
        kind="incident",
        date=today,
        skills=["system-design"],
    )
    focus = focus_skill_add(by=erin, person=erin, skill_key="mentoring", target_level=4)
    action = action_add(by=erin, focus=focus, text="Pair with a new hire", due_date=None)
    asked = feedback_request_create(
        by=erin,
        person=erin,
        skills=["system-design"],
        respondents=[people["sam"].pk, max_.pk, mona.pk, hana.pk],
        message="How do my designs land?",
        due=today + timedelta(days=7),
    )
    checkin = checkin_create(by=max_, person=erin, date=today + timedelta(days=1))
    checkin_update(by=max_, checkin=checkin, add_actions=[NewAction(text="Write the RFC")])
    cycle = cycle_create(
        by=hana,
        values={
            "name": "Winter review",
            "self_due": today + timedelta(days=10),
            "manager_due": today + timedelta(days=20),
        },
    )
    drafts = {
        "erin": assessment_start(
            by=erin, person=erin, kind="self", ratings=[{"skill": "mentoring", "level": 3}]
        ),
        "max": assessment_start(
            by=max_, person=erin, kind="manager", ratings=[{"skill": "hiring", "level": 2}]
        ),
        "mona": assessment_start(
            by=mona, person=max_, kind="manager", ratings=[{"skill": "delegation", "level": 2}]
        ),
    }
    notify(recipients=[hana, mona, max_, erin], kind=Notification.Kind.CHECKIN, title="Fuzz")
    notifications = {n.recipient.username: n.pk for n in Notification.objects.all()}
    return World(
        people=people,
        ids={
            "person": erin.pk,
            "evidence": evidence.pk,
            "focus": focus.pk,
            "growth-action": action.pk,
            "feedback": asked.pk,
            "checkin": checkin.pk,
            "checkin-action": CheckInAction.objects.get(checkin=checkin).pk,
            "cycle": cycle.pk,
            "notification": notifications,
            "assessment": {
                **{k: d.pk for k, d in drafts.items()},
                "hana": Assessment.objects.filter(person=erin).first().pk,  # type: ignore[union-attr]
            },
            "skill": "system-design",
            "role": "staff-engineer",
            "category": Category.objects.order_by("order").first().key,  # type: ignore[union-attr]
            "uidb64": urlsafe_base64_encode(force_bytes(erin.pk)),
            "token": default_token_generator.make_token(erin),
        },
    )


# What a path's id names, by the literal segment before it (or the converter's name).
SEGMENT_KIND = {
    "people": "person",
    "team": "person",
    "about": "person",
    "person": "person",
    "evidence": "evidence",
    "feedback": "feedback",
    "feedback-requests": "feedback",
    "focus": "focus",
    "checkins": "checkin",
    "cycles": "cycle",
    "notifications": "notification",
    "assessments": "assessment",
    "skills": "skill",
    "roles": "role",
    "categories": "category",
    "levels": "skill",
}
NAME_KIND = {
    "role": "role",
    "skill": "skill",
    "item_id": "evidence",
    "action_pk": "checkin-action",
    "uidb64": "uidb64",
    "token": "token",
}


def kind_of(before: str, name: str) -> str:
    """The kind of object a path parameter names: by its name, else by the segment
    before it. An unknown one gets a person's id (the most common)."""
    if name in NAME_KIND:
        return NAME_KIND[name]
    segments = [s for s in re.split(r"[/{}<>]", before) if s and ":" not in s]
    last = segments[-1] if segments else ""
    if last == "actions":
        return "growth-action" if "growth" in before else "checkin-action"
    return SEGMENT_KIND.get(last, "person")


# --- The URL conf -------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str  # the patterns joined, as Django prints them
    pattern: URLPattern

    @property
    def group(self) -> str:
        if self.route.startswith("admin/"):
            return "admin"
        if self.route.startswith("api/"):
            return "api"
        return "pages"


def all_routes() -> list[Route]:
    def walk(resolver: URLResolver, prefix: str) -> Iterator[Route]:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry, route)
            elif isinstance(entry, URLPattern):
                yield Route(route, entry)

    return list(walk(get_resolver(), ""))


PARAM = re.compile(r"<(?:(?P<type>\w+):)?(?P<name>\w+)>")
GROUP = re.compile(r"\((?:\?P<(?P<name>\w+)>)?(?P<body>[^()]*)\)")

# Hostile path segments, each kept for a converter only if its regex lets it through.
HOSTILE_SEGMENTS = [
    "0",
    str(10**30),
    "-1",
    "x" * 300,
    "²",
    "١٢",
    "\x00",
]


def fill(route: Route, world: World, persona: str, admin_ids: dict[str, str]) -> list[str]:
    """Paths for the route: the first with real ids, then hostile ones (percent-encoded),
    each converter in turn, the others real."""
    text = route.route
    slots: list[tuple[int, int, str, str]] = []  # start, end, real value, converter regex
    converters = get_converters()
    for match in PARAM.finditer(text):
        name, kind = match["name"], match["type"] or "str"
        real = _admin_id(text[: match.start()], admin_ids) or world.id_for(
            kind_of(text[: match.start()], name), persona
        )
        slots.append((match.start(), match.end(), real, converters[kind].regex))
    for match in GROUP.finditer(text):
        body = match["body"]
        if re.fullmatch(r"[\w|]+", body):  # (?P<fmt>yaml|json): an alternative
            real, regex = body.split("|")[0], body
        else:
            before = text[: match.start()]
            if "history/" in before:  # simple_history's record id
                real = admin_ids.get("history:" + before.split("/^")[0], "1")
            else:
                real = _admin_id(before, admin_ids) or world.id_for("person", persona)
            regex = body
        slots.append((match.start(), match.end(), real, regex))
    slots.sort()

    def build(values: list[str]) -> str:
        out, at = [], 0
        for (start, end, _, _), value in zip(slots, values, strict=True):
            out += [text[at:start], quote(value, safe="")]
            at = end
        out.append(text[at:])
        joined = "".join(out).replace("^", "").replace("$", "").replace("\\.", ".")
        return "/" + joined

    reals = [s[2] for s in slots]
    paths = [build(reals)]
    for n, (_, _, _, regex) in enumerate(slots):
        hostile = [h for h in HOSTILE_SEGMENTS if re.fullmatch(regex, h)][:2]
        paths += [build([*reals[:n], h, *reals[n + 1 :]]) for h in hostile]
    return paths


def _admin_id(before: str, admin_ids: dict[str, str]) -> str | None:
    """An admin change page's object: the first of its model."""
    match = re.match(r"admin/(\w+)/(\w+)/", before)
    return admin_ids.get(f"{match[1]}.{match[2]}") if match else None


def admin_ids() -> dict[str, str]:
    """app_label.model_name -> the pk of one of its rows; admin/<app>/<model>/ history
    pages -> the id of one of its historical records."""
    found: dict[str, str] = {}
    for model in apps.get_models():
        first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        found[label] = str(first) if first is not None else "1"
        history = getattr(model, "history", None)
        if history is not None and hasattr(history, "model"):
            record = history.order_by("pk").values_list("pk", flat=True).first()
            route = f"admin/{model._meta.app_label}/{model._meta.model_name}"
            found["history:" + route] = str(record or 1)
    return found


# --- Forms on the pages ---------------------------------------------------------------------


@dataclass
class Form:
    action: str  # a path
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> default values


class Forms(HTMLParser):
    """The forms of a page (and the controls that post by htmx on their own): where they
    go, how, and their fields' names with the values the page fills in."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.found: list[Form] = []
        self.form: Form | None = None
        self.select: str | None = None
        self.first_option: str | None = None
        self.selected = False
        self.textarea: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        target = self._target(a)
        if tag == "form":
            method = "post" if target and target[1] != "get" else "get"
            action = target[0] if target else a.get("action") or self.page
            if a.get("method", "").lower() == "post":
                method = "post"
            self.form = Form(action or self.page, method)
            self.found.append(self.form)
            return
        name = a.get("name")
        if tag in ("input", "select", "textarea", "button") and target and name and not self.form:
            # A control that posts itself (hx-post on a checkbox, a button's hx-vals).
            alone = Form(target[0], target[1])
            alone.fields[name] = [a.get("value", "")]
            self.found.append(alone)
        if tag == "button" and target and self.form is not None:
            self.found.append(Form(target[0], target[1], self.form.fields))  # formaction
        if not name or self.form is None:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            values = self.form.fields.setdefault(name, [])
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    values.append(a.get("value", "on"))
            elif kind not in ("submit", "image", "reset", "file"):
                values.append(a.get("value", ""))
        elif tag == "button":
            self.form.fields.setdefault(name, [])
        elif tag == "select":
            self.select, self.first_option, self.selected = name, None, False
            self.form.fields.setdefault(name, [])
        elif tag == "textarea":
            self.textarea, self.text = name, []
        if tag == "option" and self.select:
            value = a.get("value", "")
            if self.first_option is None:
                self.first_option = value
            if "selected" in a:
                self.form.fields[self.select].append(value)
                self.selected = True

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select and self.form is not None:
            if not self.selected and self.first_option is not None:
                self.form.fields[self.select].append(self.first_option)
            self.select = None
        elif tag == "textarea" and self.textarea and self.form is not None:
            self.form.fields.setdefault(self.textarea, []).append("".join(self.text))
            self.textarea = None

    def _target(self, a: dict[str, str]) -> tuple[str, str] | None:
        for verb in ("post", "put", "patch", "delete", "get"):
            if a.get("hx-" + verb):
                return a["hx-" + verb], "get" if verb == "get" else "post"
        if a.get("formaction"):
            return a["formaction"], a.get("formmethod", "post").lower()
        return None


def forms_of(page: str, html: str) -> list[Form]:
    parser = Forms(page)
    parser.feed(html)
    for form in parser.found:
        form.action = urlsplit(form.action).path or page
        form.fields.pop("csrfmiddlewaretoken", None)
    return parser.found


def route_of(path: str) -> str | None:
    try:
        return resolve(path).route
    except Resolver404:
        return None


# --- Reading what a view reads ----------------------------------------------------------------


@contextmanager
def reads() -> Iterator[set[str]]:
    """The query or form field names looked up while the block runs (QueryDict's
    get, [], getlist, in: how views, forms and filter sets read them)."""
    names: set[str] = set()
    originals = {m: getattr(QueryDict, m) for m in ("get", "__getitem__", "getlist")}
    contains = QueryDict.__contains__

    def recording(method: str) -> Callable[..., Any]:
        original = originals[method]

        def wrapper(self: QueryDict, key: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(key, str):
                names.add(key)
            return original(self, key, *args, **kwargs)

        return wrapper

    def recording_contains(self: QueryDict, key: Any) -> bool:
        if isinstance(key, str):
            names.add(key)
        return contains(self, key)

    for method in originals:
        setattr(QueryDict, method, recording(method))
    QueryDict.__contains__ = recording_contains  # type: ignore[method-assign]
    try:
        yield names
    finally:
        for method, original in originals.items():
            setattr(QueryDict, method, original)
        QueryDict.__contains__ = contains  # type: ignore[method-assign]


# --- Sending, and judging the answer --------------------------------------------------------


def _tables() -> list[str]:
    found = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            found.add(model._meta.db_table)
    return sorted(found - COUNTERS)


class Writes:
    """What a request wrote. Every request is rolled back, so the tables' row counts
    before each are those taken once at the start; on PostgreSQL, the rows inserted,
    updated and deleted in the transaction (pg_stat_xact_user_tables, which counts rolled
    back ones too) tell cheaply whether a request touched any table at all."""

    STATS = (
        "SELECT relname, n_tup_upd, n_tup_ins + n_tup_upd + n_tup_del"
        " FROM pg_stat_xact_user_tables WHERE n_tup_ins + n_tup_upd + n_tup_del > 0"
    )

    def __init__(self) -> None:
        self.tables = _tables()
        quote_name = connection.ops.quote_name
        # A refused log-in is in the audit trail by design (people.receivers): not a write
        # of the request's own.
        audit = AuditEvent._meta.db_table
        self.counting = "SELECT " + ", ".join(
            f"(SELECT COUNT(*) FROM {quote_name(t)}"
            + (" WHERE action <> 'login.failed')" if t == audit else ")")
            for t in self.tables
        )
        self.postgres = connection.vendor == "postgresql"
        self.counts = self._counts()

    def _counts(self) -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute(self.counting)
            return dict(zip(self.tables, cursor.fetchone(), strict=True))

    def _stats(self) -> dict[str, tuple[int, int]]:
        with connection.cursor() as cursor:
            cursor.execute(self.STATS)
            return {name: (updated, touched) for name, updated, touched in cursor.fetchall()}

    def mark(self) -> dict[str, tuple[int, int]]:
        return self._stats() if self.postgres else {}

    def since(self, mark: dict[str, tuple[int, int]]) -> list[str]:
        """The tables written since `mark` (before the request): rows added or removed,
        or (PostgreSQL) updated."""
        updated: list[str] = []
        if self.postgres:
            now = self._stats()
            touched = {t for t in now if t not in COUNTERS and now[t] != mark.get(t, (0, 0))}
            if not touched:
                return []
            updated = [
                f"{t} (updated)" for t in sorted(touched) if now[t][0] != mark.get(t, (0, 0))[0]
            ]
        counts = self._counts()
        return [t for t in self.tables if counts[t] != self.counts[t]] + updated


def _where(exc: BaseException) -> str:
    """The innermost frame of the project's own code that the exception passed."""
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if "/.venv/" not in f.filename and not f.filename.endswith("test_fuzz.py")
    ]
    return f"{frames[-1].filename.split('/main/')[-1]}:{frames[-1].lineno}" if frames else "?"


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = text.encode("unicode_escape").decode()
    return text if len(text) <= 80 else f"{text[:40]}...({len(text)} chars)...{text[-20:]}"


@dataclass
class Fuzzer:
    persona: str
    client: Client
    writes: Writes
    restore: Callable[[], None]
    failures: dict[tuple[str, ...], str] = field(default_factory=dict)
    sent: int = 0
    last_status: int = 0
    last_login: bool = False  # the last answer sent to log in

    def send(self, method: str, path: str, what: str, **kwargs: Any) -> HttpResponseBase | None:
        """One request in a savepoint rolled back after it; a 5xx, an exception or a
        write on a 4xx is a failure, reported once per route, status and kind."""
        self.sent += 1
        with transaction.atomic():
            mark = self.writes.mark()
            try:
                response = getattr(self.client, method)(path, **kwargs)
            except Exception as exc:
                where = _where(exc)
                self._fail(
                    method, path, what, f"{type(exc).__name__} at {where}: {_short(str(exc))}"
                )
                response = None
            else:
                status = self.last_status = response.status_code
                self.last_login = "login" in response.get("Location", "")
                if status >= 500:
                    self._fail(method, path, what, f"{status}")
                elif status >= 400 and (written := self.writes.since(mark)):
                    self._fail(method, path, what, f"{status} but wrote {', '.join(written)}")
            transaction.set_rollback(True)
        self.restore()
        return response

    def _fail(self, method: str, path: str, what: str, problem: str) -> None:
        route = route_of(urlsplit(path).path) or path
        key = (method, route, problem.split(":")[0].split(" but")[0])
        self.failures.setdefault(
            key, f"{self.persona}: {method.upper()} {_short(path)} [{what}] -> {problem}"
        )


@pytest.fixture(autouse=True)
def quiet(caplog) -> None:
    """Django logs each 4xx (django.request, django.security): thousands here. A 5xx is
    an exception the test client raises, reported with where it came from."""
    caplog.set_level(logging.CRITICAL, logger="django.request")
    caplog.set_level(logging.CRITICAL, logger="django.security")


@pytest.fixture
def fuzzer(world) -> Callable[[str, bool], Fuzzer]:
    writes = Writes()

    def make(persona: str, api: bool) -> Fuzzer:
        client: Client = APIClient() if api else Client()
        cookie = SimpleCookie()
        if persona != "anonymous":
            user = world.people[persona]
            if api:
                client.force_authenticate(user)  # type: ignore[attr-defined]
            else:
                client.force_login(user)
                cookie = SimpleCookie(client.cookies)

        writes.counts = writes._counts()  # logging in is audited: counted from here

        def restore() -> None:
            # The session as it was: a request may have logged out (and been rolled back).
            client.cookies = SimpleCookie(cookie)

        return Fuzzer(persona, client, writes, restore)

    return make


# --- Pages: every route of the URL conf ---------------------------------------------------

# How hard a route is tried as a persona. The first persona (in LEAD_ORDER) whose request
# reaches the view gets every value, field by field; the others that reach it a few
# telling values (a GET one); a persona it refuses (log-in redirect, 401/403/404/405)
# only the plain request.
FULL, SOME, FEW = "full", "some", "few"
LEVEL_VALUES = {
    FULL: list(TEXT),
    SOME: ["superscript-two"],
    FEW: [],  # the plain request was refused before the view: so is every other
}
LEAD_ORDER = ["erin", "max", "mona", "hana", "anonymous"]


def _query(params: Iterable[str], value: str) -> str:
    return urlencode([(p, value) for p in params])


def _shape(name: str) -> str:
    """Fields named alike (level-<key>, l12, e12) are tried one by one once a shape."""
    return re.sub(r"\d+", "#", name.split("-")[0] if "-" in name else name)


def _reached(response: HttpResponseBase | None) -> bool:
    if response is None:
        return True  # it failed: it got somewhere
    to_login = response.status_code == 302 and "login" in response.get("Location", "")
    return response.status_code not in NOT_REACHED and not to_login


def _html(response: HttpResponseBase | None) -> str:
    if response is None or "html" not in response.get("Content-Type", ""):
        return ""
    return response.content.decode(errors="replace")  # type: ignore[attr-defined]


def fuzz_get(fuzz: Fuzzer, path: str, forms: dict[str, list[Form]], lead: bool) -> bool:
    """GET the path plainly (recording the query parameters the view reads, and the
    page's forms), then with hostile values in every parameter. Whether it was reached."""
    with reads() as read:
        plain = fuzz.send("get", path, "plain")
    found = forms_of(path, _html(plain))
    for form in found:
        target = route_of(form.action)
        if form.method == "post" and target is not None:
            forms.setdefault(target, []).append(form)
    own = {n for f in found if f.method == "get" and f.action == path for n in f.fields}
    params = sorted((set(COMMON_PARAMS) | read | own) - {"csrfmiddlewaretoken"})
    reached = _reached(plain)
    level = (FULL if lead else SOME) if reached else FEW
    for name in LEVEL_VALUES[level]:
        fuzz.send("get", f"{path}?{_query(params, TEXT[name])}", f"every param={name}")
    if level == FULL:
        doubled = urlencode([(p, v) for p in params for v in ("1", "²")])
        fuzz.send("get", f"{path}?{doubled}", "every param twice")
        # Each parameter the view was seen to read, alone: one refused may hide another.
        rotation = itertools.cycle(PASSING)
        for param in sorted((read | own) - {"csrfmiddlewaretoken"}):
            value = next(rotation)
            fuzz.send("get", f"{path}?{_query([param], TEXT[value])}", f"{param}={value}")
    return reached


def fuzz_post(fuzz: Fuzzer, path: str, forms: list[Form], lead: bool) -> bool:
    """POST the forms' own values (recording the fields the view reads), then hostile
    values in every field, each field, and hostile field names. Whether it was reached."""
    defaults: dict[str, list[str]] = {}
    for form in forms:
        for name, values in form.fields.items():
            defaults.setdefault(name, values)
    with reads() as read:
        plain = fuzz.send("post", path, "the page's values", data=defaults)
    names = sorted((set(defaults) | read) - {"csrfmiddlewaretoken"}) or ["value"]
    reached = _reached(plain)
    level = (FULL if lead else SOME) if reached else FEW

    def post(changes: dict[str, Any], what: str, htmx: bool = False) -> HttpResponseBase | None:
        headers = {"HX-Request": "true"} if htmx else {}
        return fuzz.send("post", path, what, data={**defaults, **changes}, headers=headers)

    # Refused (a log-in redirect, 401/403/404/405): the plain post said as much.
    for name in LEVEL_VALUES[level] if reached else []:
        post(dict.fromkeys(names, TEXT[name]), f"every field={name}")
    if level != FULL:
        return reached
    post({n: [TEXT["superscript-two"], TEXT["huge"]] for n in names}, "every field twice")
    shapes: set[str] = set()
    rotation = itertools.cycle(PASSING)
    for one in names:
        if _shape(one) not in shapes:
            shapes.add(_shape(one))
            value = next(rotation)  # as htmx sends it every other time: its own branch
            post({one: TEXT[value]}, f"{one}={value}", htmx=len(shapes) % 2 == 0)
    for prefix in sorted({re.sub(r"[-_].*", "", n) for n in names}):
        bad = {f"{prefix}-{b}": "1" for b in ("²", "١٢", "x" * 10_000, "\x00")}
        post(bad, f"field names {prefix}-² and the like")
    return reached


ROUTES = all_routes()


def deep(route: Route) -> bool:
    """Whether the route's lead persona tries every value: pages, and the admin's forms
    for the project's models. The API's URLs are tried through their operations (test
    below), and the admin's other pages are Django's own."""
    if route.group == "api":
        return False
    if route.group == "admin":
        own = r"admin/(skills|people|assessments)/\w+/(add/|<path:object_id>/change/)"
        return re.fullmatch(own, route.route) is not None
    return True


@pytest.mark.parametrize("group", ["pages", "admin", "api"])
def test_no_route_answers_hostile_input_with_a_5xx_or_writes_on_a_4xx(fuzzer, world, group):
    """GET and POST every route of the group as each persona (module docstring). The
    API's routes are tried lightly here: test_no_api_operation_... goes through them."""
    fuzz = {persona: fuzzer(persona, group == "api") for persona in LEAD_ORDER}
    ids = admin_ids()
    routes = [r for r in ROUTES if r.group == group]
    if group == "api":
        # The schema's operations are fuzzed below, each as each persona; here the rest.
        assert {r.route for r in routes if schema_path(r.route) in schema()["paths"]} | set(
            OUTSIDE_SCHEMA
        ) == {r.route for r in routes}, "an API route is neither in the schema nor known"
        routes = [r for r in routes if r.route in OUTSIDE_SCHEMA]
    forms: dict[str, dict[str, list[Form]]] = {persona: {} for persona in LEAD_ORDER}
    covered: dict[str, set[str]] = {persona: set() for persona in LEAD_ORDER}
    get_only: set[str] = set()
    # (persona, route) sent to log in, or answered 404, on its plain GET: the check comes
    # before the view, whatever the method.
    to_login: set[tuple[str, str]] = set()
    for route in routes:
        led = not deep(route)  # no lead: every persona tries it as SOME at most
        for persona in LEAD_ORDER:
            real, *hostile = fill(route, world, persona, ids)
            reached = fuzz_get(fuzz[persona], real, forms[persona], lead=not led)
            last = fuzz[persona]
            if (last.last_status == 302 and last.last_login) or last.last_status == 404:
                to_login.add((persona, route.route))
            if reached and not led:
                led = True
                for path in hostile:
                    fuzz[persona].send("get", path, "hostile path")
                    fuzz[persona].send("post", path, "hostile path", data={"value": "²"})
            covered[persona].add(route.route)
    for route in routes:
        led = not deep(route)
        for persona in LEAD_ORDER:
            if route.route in get_only:
                break  # 405 to a persona it let in: the view takes no POST
            if (persona, route.route) in to_login:
                continue
            real = fill(route, world, persona, ids)[0]
            # The forms found on any page that post here; their action is the path.
            found = forms[persona].get(route.route, [])
            for path in sorted({f.action for f in found} or {real})[:2]:
                mine = [f for f in found if f.action == path]
                if fuzz_post(fuzz[persona], path, mine, lead=not led):
                    led = True
                if fuzz[persona].last_status == 405 and persona != "anonymous":
                    get_only.add(route.route)

    sent = sum(f.sent for f in fuzz.values())
    print(f"{group}: {len(routes)} routes, {sent} requests")
    for persona in LEAD_ORDER:
        assert covered[persona] == {r.route for r in routes}, persona
    assert len({r.route for r in routes}) == len(routes), "two routes print alike"
    failures = [line for f in fuzz.values() for line in f.failures.values()]
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)


# --- The API: every operation of the OpenAPI schema ----------------------------------------

_SCHEMA: dict[str, Any] = {}


def schema() -> dict[str, Any]:
    if not _SCHEMA:
        _SCHEMA.update(SchemaGenerator().get_schema(request=None, public=True))
    return _SCHEMA


METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Operation:
    method: str
    path: str  # /api/people/{id}/gaps/
    params: list[dict[str, Any]]
    bodies: dict[str, dict[str, Any]]  # content type -> schema

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.path}"


def operations() -> list[Operation]:
    found = []
    for path, item in schema()["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                bodies = {
                    ct: _resolve(c.get("schema", {}))
                    for ct, c in op.get("requestBody", {}).get("content", {}).items()
                }
                found.append(Operation(method, path, op.get("parameters", []), bodies))
    return found


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema()["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    for key in ("allOf", "oneOf", "anyOf"):
        if node.get(key):
            return _resolve(node[key][0])
    return node


def _example(name: str, node: dict[str, Any], world: World) -> Any:
    """A plausible value of a body field: the base each hostile value replaces one of."""
    node = _resolve(node)
    today = date.today()
    hints: dict[str, Any] = {
        "person": world.people["erin"].pk,
        "manager": world.people["max"].pk,
        "respondents": [world.people["sam"].pk],
        "skill": "system-design",
        "skills": ["system-design"],
        "category": world.ids["category"],
        "role": "staff-engineer",
        "target_role": "staff-engineer",
        "username": "erin",
        "password": "demo",
        "level": 3,
        "target_level": 3,
        "self_due": (today + timedelta(days=10)).isoformat(),
        "manager_due": (today + timedelta(days=20)).isoformat(),
    }
    if name in hints:
        return hints[name]
    if "enum" in node:
        return next((v for v in node["enum"] if v not in (None, "")), None)
    kind, form = node.get("type"), node.get("format")
    if kind == "string":
        if form == "date":
            return (today + timedelta(days=3)).isoformat()
        if form == "date-time":
            return f"{today.isoformat()}T09:00:00Z"
        if form == "uri":
            return "https://example.com/"
        return "Fuzz"
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    return {}


def _path_values(op: Operation, world: World, persona: str) -> list[dict[str, str]]:
    """The path parameters: real ones, then each in turn hostile."""
    params = [p for p in op.params if p["in"] == "path" and "{" + p["name"] + "}" in op.path]
    real = {
        p["name"]: world.id_for(kind_of(op.path.split("{" + p["name"])[0], p["name"]), persona)
        for p in params
    }
    variants = [real]
    for p in params:
        integer = p.get("schema", {}).get("type") == "integer"
        for bad in ("0", str(10**30)) if integer else ("x" * 300, "-1", "²"):
            variants.append({**real, p["name"]: bad})
    return variants


def fuzz_operation(fuzz: Fuzzer, op: Operation, world: World, lead: bool) -> bool:
    """The operation plainly, then hostile: query parameters, body fields, the whole
    body, If-Match, the path's ids. Whether the persona reached it."""
    method = op.method
    queries = [p["name"] for p in op.params if p["in"] == "query"]
    json_body = op.bodies.get("application/json")
    props = list((json_body or {}).get("properties", {}))
    base = {name: _example(name, json_body["properties"][name], world) for name in props}
    writes = method != "get"
    real, *hostile_paths = _path_values(op, world, fuzz.persona)
    path = op.path.format(**{k: quote(v, safe="") for k, v in real.items()})

    def send(what: str, body: Any = None, raw: str | None = None, **kwargs: Any) -> Any:
        if raw is not None:
            kwargs.update(data=raw, content_type="application/json")
        elif body is not None or (writes and method != "delete"):
            kwargs.update(data=body if body is not None else base, format="json")
        return fuzz.send(method, kwargs.pop("url", path), f"{op.name} {what}", **kwargs)

    reached = _reached(send("plain"))
    level = (FULL if lead else SOME) if reached else FEW
    if level == FEW:  # refused (401/403/404/405): one hostile request says it stays so
        if writes:
            send("deep list body, If-Match ²", raw=DEEP_LIST, headers={"If-Match": "²"})
        elif queries:
            send("queries=superscript-two", url=f"{path}?{_query(queries, '²')}")
        return reached
    for name in LEVEL_VALUES[level] if queries else []:
        send(f"queries={name}", url=f"{path}?{_query(queries, TEXT[name])}")
    if writes:
        send("deep list body", raw=DEEP_LIST)
        for tag in IF_MATCH if level == FULL else IF_MATCH[:1]:
            send(f"If-Match {_short(tag)}", headers={"If-Match": tag})
    values = JSON_VALUES if level == FULL else ["superscript-two", "long"]
    for name in values if props else []:
        send(f"every field={name}", body=dict.fromkeys(props, JSON_VALUES[name]))
    if level == SOME:
        return reached
    if writes:
        send("deep object body", raw=DEEP_OBJECT)
    if queries:
        doubled = urlencode([(q, v) for q in queries for v in ("1", "²")])
        send("every query twice", url=f"{path}?{doubled}")
    rotation = itertools.cycle(JSON_PASSING)
    for prop in props:
        value = next(rotation)
        send(f"{prop}={value}", body={**base, prop: JSON_VALUES[value]})
    if writes and method != "delete":
        send("a list for the body", body=[base])
        send("a string for the body", raw='"²"')
    for values_ in hostile_paths:
        url = op.path.format(**{k: quote(v, safe="") for k, v in values_.items()})
        send(f"path {_short(values_)}", url=url)
    if "multipart/form-data" in op.bodies:
        for name in ("nul", "superscript-two", "long"):
            data = dict.fromkeys(props, TEXT[name])
            fuzz.send(method, path, f"{op.name} form fields={name}", data=data)
    if "application/yaml" in op.bodies:
        for text in ("[" * 2000, "n: " + "9" * 5000, "²: ١٢", "!!python/object:os.system x"):
            fuzz.send(method, path, f"{op.name} yaml", data=text, content_type="application/yaml")
    return reached


def test_no_api_operation_answers_hostile_input_with_a_5xx_or_writes_on_a_4xx(fuzzer, world):
    """Every operation of the OpenAPI schema as each persona (module docstring)."""
    fuzz = {persona: fuzzer(persona, True) for persona in LEAD_ORDER}
    ops = operations()
    covered: dict[str, set[str]] = {persona: set() for persona in LEAD_ORDER}
    for op in ops:
        led = False
        for persona in LEAD_ORDER:
            if fuzz_operation(fuzz[persona], op, world, lead=not led):
                led = True
            covered[persona].add(op.name)

    sent = sum(f.sent for f in fuzz.values())
    print(f"api: {len(ops)} operations, {sent} requests")
    in_schema = {
        f"{m.upper()} {p}" for p, item in schema()["paths"].items() for m in item if m in METHODS
    }
    for persona in LEAD_ORDER:
        assert covered[persona] == in_schema, persona
    failures = [line for f in fuzz.values() for line in f.failures.values()]
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)


OUTSIDE_SCHEMA = ["api/schema/", "api/docs/", "api/^.*$"]


def schema_path(route: str) -> str:
    """A route of the URL conf as the schema names its path: /api/people/{id}/gaps/."""
    return "/" + PARAM.sub(lambda m: "{" + ("id" if m["name"] == "pk" else m["name"]) + "}", route)
