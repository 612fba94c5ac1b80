"""REST API for the framework: categories, skills, roles, their history, import/export."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from careermap.api_support import FiltersOnListOnly, StrictFilterSet, page_of, paginated
from careermap.concurrency import IF_MATCH, check_if_match, etag_of, with_etag
from skills.models import Category, Role, Skill
from skills.openformat import FrameworkInvalid, dump, export, parse
from skills.selectors import role_history
from skills.serializers import (
    CategorySerializer,
    HistorySerializer,
    ImportResultSerializer,
    RoleSerializer,
    SkillSerializer,
)
from skills.services import framework_import, role_save, skill_save


class IsHROrReadOnly(permissions.BasePermission):
    message = "Only HR admins change the framework."

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in permissions.SAFE_METHODS or bool(request.user.is_hr)


class IsHR(permissions.BasePermission):
    message = "Only HR admins may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user.is_hr)


class SkillFilter(StrictFilterSet):
    class Meta:
        model = Skill
        fields = ["retired"]


class RoleFilter(StrictFilterSet):
    class Meta:
        model = Role
        fields = ["retired"]


class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Category.objects.order_by("order", "key")
    serializer_class = CategorySerializer


class _FrameworkViewSet(
    FiltersOnListOnly,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Skills and roles: anyone reads, HR writes through the import service; DELETE
    retires (the item stays readable, with its history)."""

    permission_classes = [permissions.IsAuthenticated, IsHROrReadOnly]
    lookup_field = "key"
    lookup_url_kwarg = "slug"
    lookup_value_converter = "slug"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    save: Any  # skill_save or role_save

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = serializer.validated_data["key"]
        obj = type(self).save(by=request.user, key=key, changes=serializer.changes(), create=True)
        return Response(self._fresh(obj), status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.get_serializer(self.get_object()).data
        return with_etag(Response(data), etag_of(data))

    @extend_schema(parameters=[IF_MATCH])
    @transaction.atomic
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self._locked()
        serializer = self.get_serializer(obj, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = serializer.changes()
        if "key" in serializer.validated_data and serializer.validated_data["key"] != obj.key:
            raise ValidationError({"slug": ["A slug never changes: it is the stable key."]})
        obj = type(self).save(by=request.user, key=obj.key, changes=changes)
        data = self._fresh(obj)
        return with_etag(Response(data), etag_of(data))

    @extend_schema(parameters=[IF_MATCH])
    @transaction.atomic
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self._locked()
        type(self).save(by=request.user, key=obj.key, changes={"retired": True})
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _locked(self) -> Any:
        """The object, its row locked until the write commits, refused with 409 if it
        changed since the client read it (If-Match)."""
        obj = self.get_object()
        type(obj).objects.select_for_update().filter(pk=obj.pk).first()
        current = self._fresh(obj)
        check_if_match(self.request, etag_of(current), f'"{obj.key}"')
        return obj

    def _fresh(self, obj: Any) -> dict[str, Any]:
        return self.get_serializer(self.get_queryset().get(pk=obj.pk)).data


@extend_schema(parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH)])
class SkillViewSet(_FrameworkViewSet):
    queryset = Skill.objects.select_related("category").order_by("key")
    serializer_class = SkillSerializer
    filterset_class = SkillFilter
    save = staticmethod(skill_save)


@extend_schema(parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH)])
class RoleViewSet(_FrameworkViewSet):
    queryset = Role.objects.with_links().order_by("key")
    serializer_class = RoleSerializer
    filterset_class = RoleFilter
    save = staticmethod(role_save)

    @extend_schema(responses=page_of(HistorySerializer))
    @action(detail=True, permission_classes=[permissions.IsAuthenticated, IsHR])
    def history(self, request: Request, slug: str) -> Response:
        role = self.get_object()
        return paginated(self, role_history(role), lambda c: HistorySerializer(c).data)

    def get_queryset(self) -> QuerySet[Role]:
        if self.action == "history":
            return Role.objects.all()
        return super().get_queryset()


# --- The whole framework in the open format --------------------------------------------


class YAMLRenderer(BaseRenderer):
    media_type = "application/yaml"
    format = "yaml"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None):
        return dump(_plain(data), "yaml").encode()


def _plain(value: Any) -> Any:
    """Plain dicts, lists and strings: PyYAML's safe dumper refuses their subclasses,
    which DRF's serializer data (ReturnDict, ReturnList, ErrorDetail) are."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


class FrameworkDocumentParser(BaseParser):
    """Hands the raw document (JSON or YAML) to the open-format parser, whose errors
    carry the paths the format promises."""

    media_type = "*/*"

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> bytes:
        return stream.read() if stream is not None else b""


class FrameworkView(APIView):
    renderer_classes = [JSONRenderer, YAMLRenderer]
    parser_classes = [FrameworkDocumentParser]

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any):
        # Errors are JSON whatever format was asked for (?format=yaml): the YAML renderer
        # is for the document, and cannot represent DRF's error details.
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and response.status_code >= 400:
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [permissions.IsAuthenticated(), IsHR()]
        return [permissions.IsAuthenticated()]

    def check_format(self, request: Request) -> None:
        # DRF reads an empty ?format= as no format at all (JSON); it is bad input here.
        # Any other unknown format is refused by content negotiation already (404).
        if request.query_params.get("format") == "":
            raise ValidationError({"format": ['Use "json" or "yaml".']})

    @extend_schema(
        summary="The whole framework in the open format",
        parameters=[
            OpenApiParameter("format", str, enum=["json", "yaml"], description="Default JSON.")
        ],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT)},
    )
    def get(self, request: Request) -> Response:
        self.check_format(request)
        return Response(export())

    @extend_schema(
        summary="Import a framework (JSON or YAML body): upsert by key, all or nothing",
        parameters=[
            OpenApiParameter(
                "dry_run",
                str,
                enum=["0", "1", "true", "false"],
                description="1 (or true): report, write nothing.",
            )
        ],
        request={
            "application/json": OpenApiTypes.OBJECT,
            # The document itself, written in YAML (schemathesis sends it so).
            "application/yaml": OpenApiTypes.OBJECT,
        },
        responses={200: ImportResultSerializer},
    )
    def post(self, request: Request) -> Response:
        self.check_format(request)
        dry_run = request.query_params.get("dry_run", "0")
        if dry_run not in {"0", "1", "true", "false"}:
            raise ValidationError({"dry_run": ['Use "1" for a dry run or "0".']})
        try:
            result = framework_import(
                document=parse(request.data or b""),
                by=request.user,
                dry_run=dry_run in {"1", "true"},
            )
        except FrameworkInvalid as exc:
            return Response(
                {
                    "detail": f"{len(exc.errors)} error(s); nothing was imported.",
                    "errors": [{"path": e.path, "message": e.message} for e in exc.errors],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(ImportResultSerializer(result).data)
