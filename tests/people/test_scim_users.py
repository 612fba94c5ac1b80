"""SCIM 2.0 provisioning of people (issue 22): /scim/v2/Users through the real views,
bearer tokens, RFC 7644 errors that write nothing, filters, pagination, ETags, the
manager (cycles refused through people.services), the role extension, deactivation, and
the audit trail naming the client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from assessments.models import Assessment
from core.models import AuditEvent
from people import services
from people.models import Person, RoleChange
from people.scim import clients

pytestmark = pytest.mark.django_db

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CAREERMAP = "urn:careermap:params:scim:schemas:extension:careermap:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


class Scim:
    """A SCIM client of the test server, with a bearer token."""

    def __init__(self, token: str) -> None:
        self.http = Client(headers={"X-Forwarded-Proto": "https"})
        self.token = token

    def __call__(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        data = (
            body
            if isinstance(body, str | bytes)
            else json.dumps(body)
            if body is not None
            else None
        )
        kwargs: dict[str, Any] = {"headers": {"Authorization": f"Bearer {self.token}", **headers}}
        if data is not None:
            kwargs.update(data=data, content_type="application/scim+json")
        return getattr(self.http, method.lower())(f"/scim/v2/{path}", **kwargs)


@pytest.fixture
def scim(org) -> Scim:
    _, token = clients.client_create(by=org["hana"], name="okta")
    return Scim(token)


def new_user(username: str = "bjensen", **extra: Any) -> dict[str, Any]:
    return {
        "schemas": [USER],
        "userName": username,
        "displayName": "Barbara Jensen",
        "externalId": "ext-" + username,
        "emails": [{"value": f"{username}@example.com", "type": "work", "primary": True}],
        **extra,
    }


def assert_error(response: Any, status: int, scim_type: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type
    assert body["detail"]
    return body


def snapshot() -> list[tuple[Any, ...]]:
    """Everything a refused request must leave as it was."""
    return list(
        Person.objects.order_by("pk").values_list(
            "pk", "username", "name", "email", "manager_id", "role_id", "is_active", "external_id"
        )
    )


# --- Create, read, list -----------------------------------------------------------------


def test_create_then_read_a_user(scim, org):
    mona = org["mona"]
    body = new_user(
        **{ENTERPRISE: {"manager": {"value": str(mona.pk)}}, CAREERMAP: {"role": "senior-engineer"}}
    )
    body["schemas"] += [ENTERPRISE, CAREERMAP]
    created = scim("POST", "Users", body)

    assert created.status_code == 201, created.content
    data = created.json()
    person = Person.objects.get(username="bjensen")
    assert data["id"] == str(person.pk)
    assert created["Location"].endswith(f"/scim/v2/Users/{person.pk}")
    assert created["ETag"] == data["meta"]["version"]
    assert (person.name, person.email, person.external_id) == (
        "Barbara Jensen",
        "bjensen@example.com",
        "ext-bjensen",
    )
    assert person.manager_id == mona.pk
    assert person.role.key == "senior-engineer"
    assert not person.has_usable_password()
    assert data[ENTERPRISE]["manager"]["value"] == str(mona.pk)
    assert data[CAREERMAP]["role"] == "senior-engineer"

    read = scim("GET", f"Users/{person.pk}")
    assert read.status_code == 200
    assert read.json()["userName"] == "bjensen"
    assert read["ETag"] == created["ETag"]


def test_an_unknown_token_a_revoked_one_and_none_get_401(scim, org):
    assert_error(Scim("scim_nope")("GET", "Users"), 401)
    assert_error(Client().get("/scim/v2/Users"), 401)
    clients.client_revoke(by=org["hana"], name="okta")
    before = snapshot()
    assert_error(scim("POST", "Users", new_user()), 401)
    assert snapshot() == before


def test_the_last_use_of_a_token_is_kept(scim):
    assert clients.ScimClient.objects.get(name="okta").last_used_at is None
    scim("GET", "ServiceProviderConfig")
    assert clients.ScimClient.objects.get(name="okta").last_used_at is not None


def test_filters_on_username_email_and_external_id(scim, org):
    scim("POST", "Users", new_user("bjensen"))
    scim("POST", "Users", new_user("jsmith"))
    for query in (
        'userName eq "BJensen"',
        'emails.value eq "bjensen@EXAMPLE.com"',
        'externalId eq "ext-bjensen"',
        'userName eq "bjensen" and externalId eq "ext-bjensen"',
    ):
        found = scim("GET", f"Users?filter={query}").json()
        assert found["totalResults"] == 1, query
        assert [r["userName"] for r in found["Resources"]] == ["bjensen"], query
    assert scim("GET", 'Users?filter=userName eq "nobody"').json()["totalResults"] == 0
    # Any other valid filter is evaluated by scim2-models.
    found = scim("GET", 'Users?filter=userName sw "js"').json()
    assert [r["userName"] for r in found["Resources"]] == ["jsmith"]


def test_a_bad_filter_is_invalid_filter(scim, org):
    assert_error(scim("GET", 'Users?filter=nosuch eq "x"'), 400, "invalidFilter")
    assert_error(scim("GET", "Users?filter=userName eq"), 400, "invalidFilter")


def test_pagination(scim, org):
    everyone = Person.objects.filter(is_superuser=False).count()
    first = scim("GET", "Users?startIndex=1&count=2").json()
    assert (first["totalResults"], first["itemsPerPage"], first["startIndex"]) == (everyone, 2, 1)
    rest = scim("GET", f"Users?startIndex=3&count={everyone}").json()
    ids = [r["id"] for r in first["Resources"] + rest["Resources"]]
    assert len(ids) == len(set(ids)) == everyone
    assert scim("GET", "Users?count=0").json()["Resources"] == []
    assert_error(scim("GET", "Users?count=many"), 400, "invalidValue")


def test_superusers_are_not_provisioned(scim, org):
    root = Person.objects.create_superuser("root", "root@example.com", "x")
    assert_error(scim("GET", f"Users/{root.pk}"), 404)
    names = [r["userName"] for r in scim("GET", "Users?count=200").json()["Resources"]]
    assert "root" not in names
    assert "hana" in names


# --- Replace, PATCH, ETags ----------------------------------------------------------------


def test_replace_sets_every_attribute(scim, org):
    pk = scim("POST", "Users", new_user()).json()["id"]
    body = new_user("barbara", displayName="Barbara J", emails=[{"value": "b@example.com"}])
    body[ENTERPRISE] = {"manager": {"value": str(org["max"].pk)}}
    replaced = scim("PUT", f"Users/{pk}", body)
    assert replaced.status_code == 200, replaced.content
    person = Person.objects.get(pk=pk)
    assert (person.username, person.name, person.email, person.manager_id) == (
        "barbara",
        "Barbara J",
        "b@example.com",
        org["max"].pk,
    )
    # A replacement without the manager clears it (PUT replaces the whole User).
    scim("PUT", f"Users/{pk}", new_user("barbara"))
    assert Person.objects.get(pk=pk).manager_id is None


def test_patch_replace_and_add(scim, org):
    pk = scim("POST", "Users", new_user()).json()["id"]
    patched = scim(
        "PATCH",
        f"Users/{pk}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "replace", "path": "displayName", "value": "Babs"},
                {
                    "op": "add",
                    "path": f"{ENTERPRISE}:manager",
                    "value": {"value": str(org["mona"].pk)},
                },
                {"op": "replace", "path": f"{CAREERMAP}:role", "value": "staff-engineer"},
            ],
        },
    )
    assert patched.status_code == 200, patched.content
    person = Person.objects.get(pk=pk)
    assert (person.name, person.manager_id, person.role.key) == (
        "Babs",
        org["mona"].pk,
        "staff-engineer",
    )
    assert RoleChange.objects.filter(person=person, to_role=person.role).exists()
    assert patched.json()[CAREERMAP]["role"] == "staff-engineer"


def test_etags_if_none_match_and_if_match(scim, org):
    pk = scim("POST", "Users", new_user()).json()["id"]
    read = scim("GET", f"Users/{pk}")
    etag = read["ETag"]
    assert etag.startswith('W/"')
    assert scim("GET", f"Users/{pk}", **{"If-None-Match": etag}).status_code == 304
    rename = {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "displayName", "value": "X"}],
    }
    changed = scim("PATCH", f"Users/{pk}", rename, **{"If-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    before = snapshot()
    stale = {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "displayName", "value": "Y"}],
    }
    assert_error(scim("PATCH", f"Users/{pk}", stale, **{"If-Match": etag}), 412)
    assert snapshot() == before


# --- Deactivation -------------------------------------------------------------------------


def test_active_false_and_delete_deactivate_never_delete(scim, org):
    erin = org["erin"]
    off = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]}
    assert scim("PATCH", f"Users/{erin.pk}", off).status_code == 200
    erin.refresh_from_db()
    assert not erin.is_active
    # `active: false` is a plain deactivation: the User stays readable and listed.
    read = scim("GET", f"Users/{erin.pk}")
    assert read.status_code == 200
    assert read.json()["active"] is False
    assert scim("GET", 'Users?filter=userName eq "erin"').json()["totalResults"] == 1
    # A replacement that leaves `active` out reactivates no one.
    assert scim("PUT", f"Users/{erin.pk}", new_user("erin")).status_code == 200
    erin.refresh_from_db()
    assert not erin.is_active
    on = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": True}]}
    scim("PATCH", f"Users/{erin.pk}", on)
    erin.refresh_from_db()
    assert erin.is_active
    assert erin.scim_deleted_at is None

    # DELETE deactivates too, and the person stays in the database, only gone for SCIM.
    assert scim("DELETE", f"Users/{erin.pk}").status_code == 204
    erin.refresh_from_db()
    assert not erin.is_active
    assert erin.scim_deleted_at is not None
    assert_error(scim("GET", f"Users/{erin.pk}"), 404)


def test_every_operation_on_a_deleted_user_is_404(scim, org):
    erin, max_ = org["erin"], org["max"]
    assert scim("DELETE", f"Users/{erin.pk}").status_code == 204
    before = snapshot()
    rename = {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "displayName", "value": "X"}],
    }
    assert_error(scim("GET", f"Users/{erin.pk}"), 404)
    assert_error(scim("GET", f"Users/{erin.pk}", **{"If-None-Match": "*"}), 404)
    assert_error(scim("PUT", f"Users/{erin.pk}", new_user("erin", active=True)), 404)
    assert_error(scim("PATCH", f"Users/{erin.pk}", rename), 404)
    assert_error(scim("DELETE", f"Users/{erin.pk}"), 404)
    assert snapshot() == before
    # Lists and filters leave them out, in the database's filters and in scim2-models'.
    for query in (
        'userName eq "erin"',
        f'id eq "{erin.pk}"',
        'externalId eq "nobody" or userName eq "erin"',
        'userName sw "eri"',
    ):
        assert scim("GET", f"Users?filter={query}").json()["totalResults"] == 0, query
    everyone = scim("GET", "Users?count=200").json()
    assert "erin" not in [r["userName"] for r in everyone["Resources"]]
    assert everyone["totalResults"] == Person.objects.filter(is_superuser=False).count() - 1
    # Nor can they be named as a manager; but max's reports keep max when max is deleted.
    body = new_user(**{ENTERPRISE: {"manager": {"value": str(erin.pk)}}})
    assert_error(scim("POST", "Users", body), 400, "invalidValue")
    assert scim("DELETE", f"Users/{max_.pk}").status_code == 204
    sam = scim("PATCH", f"Users/{org['sam'].pk}", rename)
    assert sam.status_code == 200, sam.content
    assert sam.json()[ENTERPRISE]["manager"]["value"] == str(max_.pk)
    # HR reactivating them in the app brings them back for SCIM too.
    services.person_reactivate(by=org["hana"], person=erin)
    erin.refresh_from_db()
    assert erin.scim_deleted_at is None
    read = scim("GET", f"Users/{erin.pk}")
    assert read.status_code == 200
    assert read.json()["active"] is True


def test_any_save_that_reactivates_brings_a_deleted_user_back_for_scim(scim, org):
    # The admin's "Active" box saves the person as this does, without the HR service.
    erin = org["erin"]
    assert scim("DELETE", f"Users/{erin.pk}").status_code == 204
    erin.refresh_from_db()
    assert erin.scim_deleted_at is not None
    erin.is_active = True
    erin.save(update_fields=["is_active"])
    erin.refresh_from_db()
    assert erin.scim_deleted_at is None
    assert scim("GET", f"Users/{erin.pk}").status_code == 200


def test_a_post_with_a_deleted_users_username_reprovisions_them(
    scim, org, django_capture_on_commit_callbacks
):
    erin, max_ = org["erin"], org["max"]
    assessment = Assessment.objects.create(person=erin, author=erin, kind="self")
    services.role_change(by=None, person=erin, to_role=org["sam"].role)
    changes = list(RoleChange.objects.filter(person=erin).values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        assert scim("DELETE", f"Users/{erin.pk}").status_code == 204
    # Someone SCIM did not delete keeps their userName to themselves.
    assert_error(scim("POST", "Users", new_user("sam")), 409, "uniqueness")

    body = new_user("Erin", displayName="Erin Again")
    body[ENTERPRISE] = {"manager": {"value": str(org["mia"].pk)}}
    with django_capture_on_commit_callbacks(execute=True):
        created = scim("POST", "Users", body)
    assert created.status_code == 201, created.content
    assert created.json()["id"] == str(erin.pk)
    assert created["Location"].endswith(f"/scim/v2/Users/{erin.pk}")
    assert created.json()["active"] is True
    erin.refresh_from_db()
    assert (erin.username, erin.name, erin.email, erin.external_id) == (
        "Erin",
        "Erin Again",
        "Erin@example.com",
        "ext-Erin",
    )
    assert (erin.is_active, erin.scim_deleted_at, erin.manager_id) == (True, None, org["mia"].pk)
    # Their history is theirs still.
    assert Assessment.objects.filter(pk=assessment.pk, person=erin).exists()
    kept = RoleChange.objects.filter(person=erin, pk__in=changes).count()
    assert kept == len(changes)
    assert scim("GET", f"Users/{erin.pk}").status_code == 200
    lines = AuditEvent.objects.filter(action__startswith="scim.user.").order_by("pk")
    assert [(e.action, e.target) for e in lines] == [
        ("scim.user.deactivate", "erin"),
        ("scim.user.create", "Erin"),
    ]
    assert "re-provisioned" in lines[1].summary
    # Provisioned now: the userName is theirs, and another POST with it is a conflict.
    assert_error(scim("POST", "Users", new_user("erin")), 409, "uniqueness")

    # Re-provisioned with `active: false`: back for SCIM, still inactive.
    assert scim("DELETE", f"Users/{max_.pk}").status_code == 204
    again = scim("POST", "Users", new_user("max", active=False))
    assert again.status_code == 201, again.content
    assert again.json()["id"] == str(max_.pk)
    max_.refresh_from_db()
    assert (max_.is_active, max_.scim_deleted_at) == (False, None)


# --- Bad input: the RFC's errors, nothing written -------------------------------------------


def test_a_manager_cycle_is_refused_and_nothing_written(scim, org):
    # mona manages max; making max mona's manager would be a cycle.
    before = snapshot()
    body = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "replace", "path": "displayName", "value": "Changed"},
            {
                "op": "replace",
                "path": f"{ENTERPRISE}:manager",
                "value": {"value": str(org["max"].pk)},
            },
        ],
    }
    error = assert_error(scim("PATCH", f"Users/{org['mona'].pk}", body), 400, "invalidValue")
    assert "cycle" in error["detail"]
    assert snapshot() == before


def test_a_manager_that_does_not_exist_is_refused(scim, org):
    before = snapshot()
    body = new_user(**{ENTERPRISE: {"manager": {"value": "999999"}}})
    error = assert_error(scim("POST", "Users", body), 400, "invalidValue")
    assert "manager" in error["detail"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "status", "scim_type"),
    [
        ("{not json", 400, "invalidSyntax"),
        ("[1, 2]", 400, "invalidSyntax"),
        (json.dumps({"userName": "x"}), 400, "invalidSyntax"),  # no schemas
        (json.dumps({"schemas": [USER]}), 400, "invalidValue"),  # no userName
        (json.dumps(new_user(nickName="bj")), 400, "invalidSyntax"),  # unknown attribute
        (json.dumps(new_user(title="Engineer")), 400, "invalidSyntax"),  # not kept: refused
        (json.dumps(new_user(**{CAREERMAP: {"role": "no-such-role"}})), 400, "invalidValue"),
        (json.dumps(new_user("bad name!")), 400, "invalidValue"),
        (json.dumps(new_user("erin")), 409, "uniqueness"),
        (json.dumps(new_user("ERIN")), 409, "uniqueness"),
    ],
)
def test_bad_input_gets_the_rfc_error_and_writes_nothing(
    scim, org, body, status, scim_type, django_capture_on_commit_callbacks
):
    before = snapshot()
    events = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert_error(scim("POST", "Users", body), status, scim_type)
    assert snapshot() == before
    assert AuditEvent.objects.count() == events


def test_a_bad_patch_writes_nothing(scim, org):
    before = snapshot()
    pk = org["erin"].pk
    for body in (
        {"schemas": [PATCH], "Operations": [{"op": "explode", "path": "active", "value": False}]},
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "nosuch", "value": 1}]},
        {"schemas": [PATCH], "Operations": []},
    ):
        response = scim("PATCH", f"Users/{pk}", body)
        assert response.status_code == 400, (body, response.content)
        assert response.json()["schemas"] == [ERROR]
    assert snapshot() == before


def test_unknown_users_and_endpoints_are_404_in_scim_terms(scim, org):
    assert_error(scim("GET", "Users/999999"), 404)
    assert_error(scim("GET", "Users/abc"), 404)
    assert_error(scim("GET", "Groups"), 404)
    assert_error(scim("DELETE", "ServiceProviderConfig"), 405)


# --- Discovery -----------------------------------------------------------------------------


def test_discovery_endpoints(scim):
    config = scim("GET", "ServiceProviderConfig").json()
    assert config["patch"]["supported"]
    assert config["etag"]["supported"]
    assert config["filter"] == {"supported": True, "maxResults": 200}
    assert not config["bulk"]["supported"]
    types = scim("GET", "ResourceTypes").json()["Resources"]
    assert [t["id"] for t in types] == ["User"]
    assert {e["schema"] for e in types[0]["schemaExtensions"]} == {ENTERPRISE, CAREERMAP}
    schemas = {s["id"]: s for s in scim("GET", "Schemas").json()["Resources"]}
    assert set(schemas) == {USER, ENTERPRISE, CAREERMAP}
    assert [a["name"] for a in schemas[ENTERPRISE]["attributes"]] == ["manager"]
    assert scim("GET", f"Schemas/{CAREERMAP}").json()["attributes"][0]["name"] == "role"


# --- The audit trail -----------------------------------------------------------------------


def test_every_scim_change_is_in_the_audit_trail_as_made_by_the_client(
    scim, org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pk = scim("POST", "Users", new_user()).json()["id"]
        scim(
            "PATCH",
            f"Users/{pk}",
            {
                "schemas": [PATCH],
                "Operations": [{"op": "replace", "path": "displayName", "value": "B"}],
            },
        )
        scim("DELETE", f"Users/{pk}")
    lines = AuditEvent.objects.filter(action__startswith="scim.user.").order_by("pk")
    assert [e.action for e in lines] == [
        "scim.user.create",
        "scim.user.update",
        "scim.user.deactivate",
    ]
    assert all(e.summary.startswith('SCIM client "okta"') and e.target == "bjensen" for e in lines)
