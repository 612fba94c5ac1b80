"""The SCIM User as careermap serves it, in scim2-models' terms: the core attributes a
person has here (userName, name, displayName, emails, active, externalId), the
enterprise extension's manager and careermap's own extension with the role's key.
Attributes careermap does not store are not declared, so a payload carrying them is
refused (400) instead of being silently dropped; /scim/v2/Schemas says which exist."""

from __future__ import annotations

from typing import Annotated, Any, Union

import scim2_models
from pydantic import Field
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    ComplexAttribute,
    Email,
    ETag,
    Extension,
    Filter,
    Mutability,
    Patch,
    Reference,
    Required,
    Resource,
    ResourceType,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
    User,
)

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CAREERMAP_SCHEMA = "urn:careermap:params:scim:schemas:extension:careermap:2.0:User"
MAX_RESULTS = 200


class Manager(scim2_models.Manager):
    """The enterprise extension's manager; `$ref` optional (identity providers send only
    the value) and read-only, like displayName."""

    ref: Annotated[Reference[User] | None, Mutability.read_only] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    """The URI of the manager's User resource."""


class EnterpriseUser(scim2_models.EnterpriseUser):
    """The enterprise extension (RFC 7643 §4.3): careermap keeps only the manager (the
    other attributes are refused: nothing would keep them)."""

    __schema__ = URN(ENTERPRISE_SCHEMA)

    employee_number: None = None
    cost_center: None = None
    organization: None = None
    division: None = None
    department: None = None
    manager: Manager | None = None
    """The person's manager (cycles are refused)."""


class CareermapUser(Extension):
    """careermap's extension: the role the person holds."""

    __schema__ = URN(CAREERMAP_SCHEMA)

    role: str | None = None
    """The key of the careermap role the person holds (empty: none)."""


class Name(ComplexAttribute):
    formatted: str | None = None
    """The full name."""

    family_name: str | None = None
    """The family name."""

    given_name: str | None = None
    """The given name."""


class ScimUser(Resource[Union[EnterpriseUser, CareermapUser]]):  # noqa: UP007
    """A person of careermap."""

    __schema__ = URN(USER_SCHEMA)

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    """The person's username here (unique, case-insensitively)."""

    name: Name | None = None
    """The person's name."""

    display_name: str | None = None
    """The name shown in careermap."""

    emails: list[Email] | None = None
    """The person's email address (careermap keeps one: the primary, else the first)."""

    active: bool | None = None
    """False: deactivated (never deleted: their history stays)."""


def service_provider_config(base: str) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri="https://github.com/careermap/careermap/blob/main/docs/scim.md",  # type: ignore[arg-type]
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=True),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Bearer token",
                description="A token HR creates on careermap's SCIM clients page "
                "or with `manage.py scim_token create NAME`.",
                primary=True,
            )
        ],
    )


def resource_type() -> ResourceType:
    return ResourceType.from_resource(ScimUser)


def schemas() -> list[Any]:
    enterprise = EnterpriseUser.to_schema()
    # Only the manager is kept: the other attributes are refused, so not published.
    enterprise.attributes = [a for a in enterprise.attributes or [] if a.name == "manager"]
    return [ScimUser.to_schema(), enterprise, CareermapUser.to_schema()]
