"""Shared fixtures: the default framework and the personas of product.md.

mona (manager of managers)
├── max (engineering manager)  ── erin (engineer), sam (engineer)
└── mia (engineering manager)  ── eli (engineer, the outsider for max's team)
hana (HR admin, outside the tree)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from careermap.models import Person
from skills.models import Role
from skills.openformat import parse
from skills.services import framework_import
from tests.factories import PersonFactory

SHARED_FRAMEWORKS = Path(settings.BASE_DIR).parent / "shared" / "frameworks"
if not SHARED_FRAMEWORKS.is_dir():
    # Without them, parametrized tests would quietly collect nothing.
    raise pytest.UsageError(
        f"The real frameworks are missing: {SHARED_FRAMEWORKS}. The tests read them from "
        "../shared/frameworks beside this repository, as CI has them."
    )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    # PBKDF2 costs ~0.4 s a password by design; tests make many people and log in often.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
