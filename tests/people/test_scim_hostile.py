"""Hostile input to every SCIM endpoint with a valid token (issue 22): the fuzz test's
own table of values (tests/core/test_fuzz.py, which only reaches /scim/ without a
token) in every query parameter, path segment, body attribute, PATCH operation and
If-Match. No answer may be a 5xx, every refusal is a SCIM error, and a refusal writes
nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.models import AuditEvent
from people.models import Person, RoleChange
from tests.core.test_fuzz import DEEP_LIST, DEEP_OBJECT, IF_MATCH, JSON_VALUES, TEXT
from tests.people.test_scim_users import CAREERMAP, ENTERPRISE, PATCH, USER, Scim, new_user

pytestmark = pytest.mark.django_db

QUERY = ["filter", "startIndex", "count", "attributes", "excludedAttributes"]
FIELDS = ["userName", "displayName", "externalId", "active", "emails", "name"]


@pytest.fixture
def scim(org) -> Scim:
    from people.scim import clients

    _, token = clients.client_create(by=org["hana"], name="fuzz")
    return Scim(token)


def state() -> tuple[Any, ...]:
    people = Person.objects.order_by("pk").values_list(
        "pk",
        "username",
        "name",
        "first_name",
        "last_name",
        "email",
        "manager_id",
        "role_id",
        "is_active",
        "external_id",
    )
    return list(people), RoleChange.objects.count(), AuditEvent.objects.count()


def sent(scim: Scim, method: str, path: str, body: Any = None, **headers: str) -> Any:
    """The request; a 5xx fails; a 4xx must be a SCIM error that wrote nothing."""
    before = state()
    response = scim(method, path, body, **headers)
    assert response.status_code < 500, (method, path, response.status_code)
    if 400 <= response.status_code < 500:
        assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
        assert state() == before, (method, path, str(body)[:200])
    return response


def test_hostile_query_parameters_and_paths(scim, org, django_capture_on_commit_callbacks):
    erin = org["erin"].pk
    with django_capture_on_commit_callbacks(execute=True):
        for name, value in TEXT.items():
            if name in ("nul", "control"):
                continue  # core.edge refuses them before any view
            for param in QUERY:
                sent(scim, "GET", f"Users?{param}={value}")
            sent(scim, "GET", f"Users?filter=userName eq {json.dumps(value)}")
            sent(scim, "GET", f"Users?filter=emails.value eq {json.dumps(value)}")
            segment = value.replace("/", "") or "x"
            for prefix in ("Users", "Schemas", "ResourceTypes"):
                sent(scim, "GET", f"{prefix}/{segment}")
            sent(scim, "DELETE", f"Users/{segment}")
        for tag in IF_MATCH:
            if "\x7f" in tag:
                continue
            sent(
                scim,
                "PATCH",
                f"Users/{erin}",
                {
                    "schemas": [PATCH],
                    "Operations": [{"op": "replace", "path": "displayName", "value": "x"}],
                },
                **{"If-Match": tag},
            )
            sent(scim, "DELETE", f"Users/{erin}", **{"If-Match": tag})


def test_hostile_bodies(scim, org, django_capture_on_commit_callbacks):
    erin = org["erin"].pk
    with django_capture_on_commit_callbacks(execute=True):
        for body in (DEEP_LIST, DEEP_OBJECT, "", "null", '"x"', b"\xff\xfe", "{" * 10):
            sent(scim, "POST", "Users", body)
            sent(scim, "PUT", f"Users/{erin}", body)
            sent(scim, "PATCH", f"Users/{erin}", body)
        for name, value in JSON_VALUES.items():
            for field in FIELDS:
                sent(scim, "POST", "Users", new_user(f"u{len(name)}{field}", **{field: value}))
                sent(scim, "PUT", f"Users/{erin}", new_user("erin", **{field: value}))
                sent(
                    scim,
                    "PATCH",
                    f"Users/{erin}",
                    {
                        "schemas": [PATCH],
                        "Operations": [{"op": "replace", "path": field, "value": value}],
                    },
                )
            sent(
                scim,
                "POST",
                "Users",
                {**new_user(f"m{len(name)}"), ENTERPRISE: {"manager": {"value": value}}},
            )
            sent(scim, "POST", "Users", {**new_user(f"r{len(name)}"), CAREERMAP: {"role": value}})
            sent(scim, "POST", "Users", {"schemas": value, "userName": "x"})
            sent(scim, "PATCH", f"Users/{erin}", {"schemas": [PATCH], "Operations": value})
            sent(
                scim,
                "PATCH",
                f"Users/{erin}",
                {
                    "schemas": [PATCH],
                    "Operations": [{"op": value, "path": "active", "value": False}],
                },
            )
            if isinstance(value, str):
                sent(
                    scim,
                    "PATCH",
                    f"Users/{erin}",
                    {
                        "schemas": [PATCH],
                        "Operations": [{"op": "replace", "path": value, "value": "x"}],
                    },
                )
    # Hostile input found no way around the schema: only USER-shaped writes got through.
    assert Person.objects.filter(username="erin").exists()
    assert USER
