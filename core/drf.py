"""What every API view shares: the page envelope, error responses, strict fields."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import django_filters
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.fields import empty
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.database import (
    RETRY_AFTER_SECONDS,
    UNAVAILABLE_DETAIL,
    database_unavailable,
    log_unavailable,
)
from core.errors import Conflict


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500  # larger values are capped, not refused

    def get_page_size(self, request: Any) -> int:
        """DRF silently ignores a `page_size` it cannot read; here it is a 400."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        digits = raw.lstrip("0")
        if not (raw.isascii() and raw.isdigit()) or not digits:
            raise exceptions.ValidationError(
                {self.page_size_query_param: ["A whole number from 1 (above 500 counts as 500)."]}
            )
        return self.max_page_size if len(digits) > 3 else min(int(digits), self.max_page_size)

    def get_page_number(self, request: Any, paginator: Any) -> Any:
        """DRF reads an empty `page` as page 1; here it is a 400, like any non-number.
        A number past the last page stays DRF's 404."""
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if not (raw.isascii() and raw.isdigit()) or not raw.lstrip("0"):
            raise exceptions.ValidationError({self.page_query_param: ["A page number from 1."]})
        return raw

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:  # page and page_size count from 1
            parameter["schema"]["minimum"] = 1
        return parameters


def paginated(
    view: Any,
    items: Sequence[Any],
    serializer: type[serializers.Serializer],
    build: Callable[[list[Any]], Sequence[Any]] | None = None,
) -> Response:
    """Page a computed list (paths, reports, history) in the same envelope as querysets,
    the page serialized in one go (one serializer per item costs ~0.1 ms each). With
    `build`, `items` are what to page (a query) and build(page) makes the page's rows:
    only the page is computed."""
    paginator = Pagination()
    page = list(paginator.paginate_queryset(items, view.request, view=view) or [])
    rows = build(page) if build is not None else page
    return paginator.get_paginated_response(serializer(rows, many=True).data)


@cache
def page_of(serializer_class: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The OpenAPI shape of a page of `serializer_class` items, for computed lists."""
    name = serializer_class.__name__.removesuffix("Serializer")
    return type(
        f"Paginated{name}List",
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Service errors become API errors: bad input 400 with field errors, a write the
    user may not make 403, a contradiction of the current state 409; the database out
    of reach 503 with Retry-After (as core.database answers for pages)."""
    if database_unavailable(exc):
        if (request := context.get("request")) is not None:
            log_unavailable(request, exc)
        set_rollback()  # as DRF does for its own errors
        return Response(
            {"detail": UNAVAILABLE_DETAIL},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {"detail": f"The request body is larger than {limit} bytes."},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, DjangoValidationError):
        detail = _nested(exc.message_dict) if hasattr(exc, "error_dict") else exc.messages
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Conflict):
        data: dict[str, Any] = {"detail": str(exc)}
        if (draft := getattr(exc, "draft", None)) is not None:
            data["id"] = draft.pk
        return Response(data, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)


_ITEM_FIELD = re.compile(r"^(?P<name>\w+)\[(?P<index>\d+)\]\.(?P<field>\w+)$")


def _nested(errors: dict[str, list[str]]) -> dict[str, Any]:
    """Service errors such as `ratings[1].skill` in the shape DRF gives list errors:
    {"ratings": {"1": {"skill": [...]}}}, so clients see one format."""
    out: dict[str, Any] = {}
    for key, messages in errors.items():
        match = _ITEM_FIELD.match(key)
        if match is None:
            out[key] = messages
        else:
            items = out.setdefault(match["name"], {})
            items.setdefault(match["index"], {})[match["field"]] = messages
    return out


# Django's own error views, for /api/ URLs that no DRF view handles: JSON, never HTML.
def json_or_html(default_view: Any, code: int, message: str) -> Any:
    def view(request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=code)
        return default_view(request, *args, **kwargs)

    return view


class NoBodySerializer(serializers.Serializer):
    """The serializer of an action that takes no body (a POST that only acts: open,
    close, decline): OPTIONS describes it, where `serializer_class=None` answers 500."""


class StrictCharField(serializers.CharField):
    """Text only: DRF would turn 0 into "0"; a number where text belongs is refused."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """Whole numbers only: no "3", no 3.0, no true."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class QueryIntegerField(serializers.IntegerField):
    """A whole number in a query string, where given means given: DRF reads an empty
    "?manager=" of an optional field as absent (no filter); here it is refused, in the
    words StrictFilterSet uses for the same mistake."""

    default_error_messages = {"blank": "Give a value, or leave the parameter out."}

    def get_value(self, dictionary: Any) -> Any:
        if dictionary.get(self.field_name) == "":
            return ""  # not `empty`: run_validation refuses it
        return super().get_value(dictionary)

    def run_validation(self, data: Any = empty) -> Any:
        if data == "":
            self.fail("blank")
        return super().run_validation(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictSlugRelatedField(serializers.SlugRelatedField):
    """A slug is non-empty text without NUL. DRF would take "" for null, and pass NUL on
    to PostgreSQL, which refuses it in a query (a 500)."""

    def run_validation(self, data: Any = empty) -> Any:
        given = data is not empty and data is not None
        if given and (not isinstance(data, str) or not data or "\x00" in data):
            self.fail("invalid")
        return super().run_validation(data)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id is a whole number. DRF would take "" for null, and "3", 3.0 or true for 3."""

    def run_validation(self, data: Any = empty) -> Any:
        given = data is not empty and data is not None
        if given and (isinstance(data, bool) or not isinstance(data, int)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().run_validation(data)


# --- OpenAPI: declare the errors the views really give ---------------------------------

_ERROR = {
    "type": "object",
    "description": "Errors: `detail`, or the names of the fields in error with their messages.",
    "additionalProperties": True,
}


def declare_error_responses(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict:
    """Every operation may answer 400 (bad input, bad query parameters), 401 (anonymous),
    403 (a write this user may not make), 404 (nothing visible there) and, for writes,
    409 (the current state forbids it: a submitted assessment, an open draft)."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = _ERROR
    ref = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            codes = ["400", "403", "404"]
            if operation.get("security") != [{}] and {} not in operation.get("security", []):
                codes.append("401")
            if method in {"post", "patch", "put", "delete"}:
                codes.append("409")
            for code in codes:
                responses.setdefault(
                    code,
                    {"description": "Error", "content": {"application/json": {"schema": ref}}},
                )
    return result


class FiltersOnListOnly:
    """Filters select rows of a list. DRF would also apply them to the lookup of one
    object (get_object), where `?role=` on /gaps/ or `?retired=` means something else."""

    action: str

    def filter_queryset(self, queryset: Any) -> Any:
        return super().filter_queryset(queryset) if self.action == "list" else queryset  # type: ignore[misc]


class StrictFilterSet(django_filters.FilterSet):
    """An empty filter value (`?role=`) is an error, not a silent "no filter"; so is a
    boolean other than `true` or `false`, which django-filter would ignore."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        data = self.data or {}  # never None (an unbound filterset has an empty QueryDict)
        for name, filter_ in self.filters.items():
            if name not in data:
                continue
            value = data.get(name)
            if value == "":
                self.form.add_error(name, "Give a value, or leave the parameter out.")
                valid = False
            elif isinstance(filter_, django_filters.BooleanFilter) and value not in {
                "true",
                "false",
            }:
                self.form.add_error(name, 'Use "true" or "false".')
                valid = False
        return valid


class IsHR(permissions.BasePermission):
    message = "Only HR admins may do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user.is_hr)
