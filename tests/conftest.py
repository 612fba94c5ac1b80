"""Shared fixtures: the default framework and the personas of product.md.

mona (manager of managers)
├── max (engineering manager)  ── erin (engineer), sam (engineer)
└── mia (engineering manager)  ── eli (engineer, the outsider for max's team)
hana (HR admin, outside the tree)
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from assessments.models import Assessment
from people.models import Person
from skills.models import Role
from skills.openformat import parse
from skills.services import framework_import
from tests import harness
from tests.factories import PersonFactory
from tests.helpers import Mailbox, submit_with_evidence


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    # PBKDF2 costs ~0.4 s a password by design; tests make many people and log in often.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """The API's rate limits count in the cache (local memory, per process): each test
    starts with no requests counted."""
    cache.clear()


@pytest.fixture
def framework(db) -> dict[str, Role]:
    """The default framework, imported through the real service; roles by key."""
    framework_import(document=parse(Path(settings.DEFAULT_FRAMEWORK_FILE).read_bytes()))
    return {role.key: role for role in Role.objects.all()}


@pytest.fixture
def org(framework) -> dict[str, Person]:
    roles = framework
    mona = PersonFactory(username="mona", role=roles["manager-of-managers"])
    max_ = PersonFactory(username="max", role=roles["engineering-manager"], manager=mona)
    mia = PersonFactory(username="mia", role=roles["engineering-manager"], manager=mona)
    return {
        "hana": PersonFactory(username="hana", is_hr=True),
        "mona": mona,
        "max": max_,
        "mia": mia,
        "erin": PersonFactory(
            username="erin",
            role=roles["senior-engineer"],
            target_role=roles["staff-engineer"],
            manager=max_,
        ),
        "sam": PersonFactory(username="sam", role=roles["staff-engineer"], manager=max_),
        "eli": PersonFactory(username="eli", role=roles["senior-engineer"], manager=mia),
    }


@pytest.fixture
def erin(org) -> Person:
    return org["erin"]


@pytest.fixture
def max_(org) -> Person:
    return org["max"]


@pytest.fixture
def mona(org) -> Person:
    return org["mona"]


@pytest.fixture
def eli(org) -> Person:
    return org["eli"]


@pytest.fixture
def hana(org) -> Person:
    return org["hana"]


# --- The API ------------------------------------------------------------------------


@pytest.fixture
def as_(org) -> Callable[[str], APIClient]:
    """`as_("erin")`: a client authenticated as that persona, by a real token."""
    from rest_framework.authtoken.models import Token

    def client(username: str) -> APIClient:
        api = APIClient()
        token, _ = Token.objects.get_or_create(user=org[username])
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api

    return client


@pytest.fixture
def assessed(org) -> dict[str, Assessment]:
    """erin rates herself and max rates her (a divergence on system design); eli rates
    himself and mia rates him; max rates himself and mona rates him."""
    return {
        "erin_self": submit_with_evidence(
            org["erin"], org["erin"], "self", {"system-design": 4, "mentoring": 3, "hiring": 1}
        ),
        "erin_by_max": submit_with_evidence(
            org["max"], org["erin"], "manager", {"system-design": 2, "mentoring": 3}
        ),
        "eli_self": submit_with_evidence(org["eli"], org["eli"], "self", {"mentoring": 1}),
        "eli_by_mia": submit_with_evidence(org["mia"], org["eli"], "manager", {"mentoring": 3}),
        "max_self": submit_with_evidence(org["max"], org["max"], "self", {"delegation": 4}),
        "max_by_mona": submit_with_evidence(org["mona"], org["max"], "manager", {"delegation": 3}),
    }


# --- Email and the task worker ---------------------------------------------------------


@pytest.fixture
def mailbox(settings) -> Iterator[Mailbox]:
    """A real SMTP server on a free local port, and Django's SMTP backend pointed at it
    (the test run's locmem backend put aside)."""
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=harness.free_port())
    controller.start()
    box.port = controller.port
    settings.CAREERMAP_SITE_URL = "http://careermap.test/"
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 10},
        }
    }
    yield box
    controller.stop()


@pytest.fixture
def run_worker(transactional_db) -> Callable[[], str]:
    """Run the task worker (`manage.py worker`: django-tasks-db's, requeuing its orphans) here
    over every task enqueued so far, until the queue is empty; returns what it logged.

    The test's data is committed (transactional_db), as the worker expects: it closes a
    connection it finds inside a transaction (close_old_connections), which would end
    the transaction a plain `db` test runs in."""

    def run() -> str:
        out = io.StringIO()
        call_command("worker", "--batch", "--no-startup-delay", stdout=out, stderr=out)
        return out.getvalue()

    return run
