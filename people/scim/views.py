"""The SCIM protocol on plain Django views (not DRF: SCIM has its own media type,
errors and discovery): bearer-token authentication, RFC 7644 error responses, ETags
(If-None-Match on reads, If-Match on writes), filters and pagination."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError as PydanticError
from scim2_models import (
    Context,
    Error,
    PatchOp,
    ResponseParameters,
    SCIMException,
    SearchRequest,
)
from scim2_models.path.expressions import AttrPath, Comparison, LogicalExpr

from core.edge import control_character_in
from core.numbers import ascii_int
from people.models import Person, ScimClient
from people.scim import clients, users
from people.scim.schemas import (
    MAX_RESULTS,
    ScimUser,
    resource_type,
    schemas,
    service_provider_config,
)
from people.scim.users import ScimError

MEDIA_TYPE = "application/scim+json"
BODY_MAX = 1_000_000


def _json(data: Any, status: int = 200, etag: str | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(data, default=str), status=status, content_type=MEDIA_TYPE)
    if etag:
        response["ETag"] = etag
    return response


def _error(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    error = Error(status=status, scim_type=scim_type, detail=detail)
    response = _json(error.model_dump(), status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="careermap SCIM"'
    return response


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/scim/v2").rstrip("/")


def scim_view(methods: tuple[str, ...]) -> Callable[..., Callable[..., HttpResponse]]:
    """Bearer token, allowed methods, and every refusal as a SCIM Error."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            client = clients.client_for_token(token.strip()) if scheme.lower() == "bearer" else None
            if client is None:
                return _error(401, "A valid SCIM bearer token is required (revoked or unknown).")
            if request.method not in methods:
                response = _error(405, f"{request.method} is not supported here.")
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, client, *args, **kwargs)
            except ScimError as exc:
                return _error(exc.status, exc.detail, exc.scim_type)
            except SCIMException as exc:
                error = exc.to_error()
                return _error(error.status or 400, error.detail or str(exc), error.scim_type)
            except PydanticError as exc:
                found = Error.from_validation_errors(exc)
                first = found[0] if found else Error(status=400, detail=str(exc))
                detail = "; ".join(e.detail or "" for e in found) or str(exc)
                return _error(first.status or 400, detail[:2000], first.scim_type or "invalidValue")

        return wrapped

    return decorate


def _body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > BODY_MAX:
        raise ScimError(413, f"The body is larger than {BODY_MAX} bytes.")
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ScimError(400, "The body is not valid JSON.", "invalidSyntax") from None
    if not isinstance(data, dict):
        raise ScimError(400, "The body must be a JSON object.", "invalidSyntax")
    if where := _control_character(data, ""):
        raise ScimError(400, f"{where or 'The body'} holds a control character.", "invalidValue")
    return data


# A SCIM User is 4 levels deep (User, extension, manager, value): far more is hostile.
DEPTH_MAX = 16


def _control_character(value: Any, where: str, depth: int = 0) -> str | None:
    """The path of the first string (or key) holding a control character, else None;
    ScimError for JSON nested deeper than DEPTH_MAX."""
    if depth > DEPTH_MAX:
        raise ScimError(400, f"The body is nested deeper than {DEPTH_MAX}.", "invalidSyntax")
    if isinstance(value, str):
        return where or "a value" if control_character_in(value) else None
    if isinstance(value, list):
        for index, item in enumerate(value):
            if (found := _control_character(item, f"{where}[{index}]", depth + 1)) is not None:
                return found
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            if control_character_in(str(key)):
                return path
            if (found := _control_character(item, path, depth + 1)) is not None:
                return found
    return None


def _validated_user(request: HttpRequest, context: Context) -> ScimUser:
    data = _body(request)
    schemas_given = data.get("schemas")
    if not isinstance(schemas_given, list) or ScimUser.__schema__ not in schemas_given:
        raise ScimError(400, f'"schemas" must list "{ScimUser.__schema__}".', "invalidSyntax")
    data.pop("id", None) if context == Context.RESOURCE_REPLACEMENT_REQUEST else None
    data.pop("meta", None)
    return ScimUser.model_validate(data, scim_ctx=context)


def _response_parameters(request: HttpRequest) -> ResponseParameters[ScimUser] | None:
    """The `attributes` / `excludedAttributes` query parameters (RFC 7644 §3.9)."""
    given = {
        key: request.GET[key]
        for key in ("attributes", "excludedAttributes")
        if request.GET.get(key, "").strip()
    }
    if not given:
        return None
    return ResponseParameters[ScimUser].model_validate(given)


def _shown(
    request: HttpRequest, person: Person, *, select: bool = True
) -> tuple[dict[str, Any], str]:
    """The User's JSON (only the attributes the query selects) and its ETag."""
    user = users.to_scim(person, _base(request))
    assert user.meta is not None
    parameters = _response_parameters(request) if select else None
    data = user.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=parameters)
    return data, str(user.meta.version)


def _check_if_match(request: HttpRequest, person: Person) -> None:
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return
    _, current = _shown(request, person, select=False)
    wanted = [t.strip() for t in header.split(",")]
    bare = current.removeprefix("W/")
    if not any(t.removeprefix("W/") == bare for t in wanted):
        raise ScimError(412, "The User changed since that version (If-Match); nothing was written.")


# --- Discovery -------------------------------------------------------------------------


@scim_view(("GET",))
def service_provider_config_view(request: HttpRequest, client: ScimClient) -> HttpResponse:
    config = service_provider_config(_base(request))
    data = config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    data["meta"] = {
        "resourceType": "ServiceProviderConfig",
        "location": request.build_absolute_uri(),
    }
    return _json(data)


def _listed(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": len(items),
        "itemsPerPage": len(items),
        "startIndex": 1,
        "Resources": items,
    }


def _resource_type_data(request: HttpRequest) -> dict[str, Any]:
    data = resource_type().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    data["meta"] = {
        "resourceType": "ResourceType",
        "location": f"{_base(request)}/ResourceTypes/User",
    }
    return data


def _schema_data(request: HttpRequest) -> list[dict[str, Any]]:
    found = []
    for schema in schemas():
        data = schema.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        data["meta"] = {
            "resourceType": "Schema",
            "location": f"{_base(request)}/Schemas/{data['id']}",
        }
        found.append(data)
    return found


@scim_view(("GET",))
def resource_types_view(request: HttpRequest, client: ScimClient) -> HttpResponse:
    return _json(_listed([_resource_type_data(request)]))


@scim_view(("GET",))
def resource_type_view(request: HttpRequest, client: ScimClient, name: str) -> HttpResponse:
    if name != "User":
        raise ScimError(404, f"No resource type is named {name[:40]!r}.")
    return _json(_resource_type_data(request))


@scim_view(("GET",))
def schemas_view(request: HttpRequest, client: ScimClient) -> HttpResponse:
    return _json(_listed(_schema_data(request)))


@scim_view(("GET",))
def schema_view(request: HttpRequest, client: ScimClient, urn: str) -> HttpResponse:
    for data in _schema_data(request):
        if data["id"] == urn:
            return _json(data)
    raise ScimError(404, f"No schema has the id {urn[:100]!r}.")


# --- Users -----------------------------------------------------------------------------

_SUPPORTED = {
    ("username", None): "username__iexact",
    ("emails", "value"): "email__iexact",
    ("emails", None): "email__iexact",
    ("externalid", None): "external_id",
    ("id", None): "pk",
}


def _as_q(node: Any) -> Q | None:
    """The ORM's filter for the supported forms (eq on userName, emails.value,
    externalId, id; and/or of those); None for anything else."""
    if isinstance(node, Comparison) and node.op.value == "eq" and isinstance(node.value, str):
        path: AttrPath = node.attr_path
        if path.uri not in (None, ScimUser.__schema__):
            return None
        lookup = _SUPPORTED.get(
            (path.attr.lower(), path.sub_attr.lower() if path.sub_attr else None)
        )
        if lookup is None:
            return None
        if lookup == "pk":
            return (
                Q(pk=int(node.value))
                if node.value.isdigit() and len(node.value) < 19
                else Q(pk__in=[])
            )
        return Q(**{lookup: node.value})
    if isinstance(node, LogicalExpr):
        found = [_as_q(term) for term in node.terms]
        parts = [p for p in found if p is not None]
        if len(parts) != len(found):
            return None
        combined = parts[0]
        for part in parts[1:]:
            combined = combined & part if node.op.value == "and" else combined | part
        return combined
    return None


def _positive(request: HttpRequest, name: str, default: int) -> int:
    """A pagination parameter: ASCII digits (a leading minus allowed: RFC 7644 §3.4.2.4
    reads a negative count as 0 and a startIndex below 1 as 1), at most 18 of them."""
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    value = ascii_int(raw.removeprefix("-"))
    if value is None:
        raise ScimError(400, f"{name} must be an integer.", "invalidValue")
    return -value if raw.startswith("-") else value


# Past this many people there is nothing to page to (and OFFSET stays a bigint).
START_MAX = 10**9


def _found(request: HttpRequest) -> tuple[list[Person], int, int]:
    """The page of people the query asks for, the total, the start index."""
    start = min(max(_positive(request, "startIndex", 1), 1), START_MAX)
    count = min(max(_positive(request, "count", MAX_RESULTS), 0), MAX_RESULTS)
    text = request.GET.get("filter", "").strip()
    queryset: QuerySet[Person] = users.people()
    if text:
        search = SearchRequest[ScimUser].model_validate(
            {"filter": text}, scim_ctx=Context.SEARCH_REQUEST
        )
        assert search.filter is not None
        q = _as_q(search.filter.ast)
        if q is None:
            # Any other filter is evaluated by scim2-models on each person: correct,
            # and linear in the size of the organisation (docs/scim.md).
            base = _base(request)
            every = [p for p in queryset if search.filter.match(users.to_scim(p, base))]
            return every[start - 1 : start - 1 + count], len(every), start
        queryset = queryset.filter(q)
    total = queryset.count()
    return list(queryset[start - 1 : start - 1 + count]) if count else [], total, start


@scim_view(("GET", "POST"))
def users_view(request: HttpRequest, client: ScimClient) -> HttpResponse:
    if request.method == "POST":
        user = _validated_user(request, Context.RESOURCE_CREATION_REQUEST)
        person = users.user_create(client=client, user=user)
        data, etag = _shown(request, users.person_or_404(str(person.pk)))
        response = _json(data, status=201, etag=etag)
        response["Location"] = data["meta"]["location"]
        return response
    page, total, start = _found(request)
    data = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": total,
        "itemsPerPage": len(page),
        "startIndex": start,
        "Resources": [_shown(request, person)[0] for person in page],
    }
    return _json(data)


@scim_view(("GET", "PUT", "PATCH", "DELETE"))
def user_view(request: HttpRequest, client: ScimClient, pk: str) -> HttpResponse:
    person = users.person_or_404(pk)
    if request.method == "GET":
        data, etag = _shown(request, person)
        if_none = [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
        if etag in if_none or etag.removeprefix("W/") in if_none:
            response = HttpResponse(status=304)
            response["ETag"] = etag
            return response
        return _json(data, etag=etag)
    _check_if_match(request, person)
    if request.method == "DELETE":
        users.user_delete(client=client, person=person)
        return HttpResponse(status=204)
    if request.method == "PUT":
        user = _validated_user(request, Context.RESOURCE_REPLACEMENT_REQUEST)
    else:
        patch = PatchOp[ScimUser].model_validate(
            _body(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST
        )
        user = users.to_scim(person, _base(request))
        patch.patch(user)
    users.user_replace(client=client, person=person, user=user)
    data, etag = _shown(request, users.person_or_404(pk))
    return _json(data, etag=etag)


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return _error(404, "No such SCIM endpoint.")
