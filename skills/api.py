"""REST API for the framework: categories, skills, roles, their history, import/export."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.concurrency import IF_MATCH, check_if_match, etag_of, with_etag
from core.drf import FiltersOnListOnly, IsHR, StrictFilterSet, page_of, paginated
from core.types import AuthedRequest
from skills.models import Category, Role, Skill
from skills.selectors import role_history
from skills.serializers import (
    CategorySerializer,
    HistorySerializer,
    RoleSerializer,
    SkillSerializer,
)
from skills.services import role_save, skill_save


class IsHROrReadOnly(permissions.BasePermission):
    message = "Only HR admins change the framework."

    # After IsAuthenticated, as in every view that uses it.
    def has_permission(self, request: AuthedRequest, view: Any) -> bool:  # type: ignore[override]
        return request.method in permissions.SAFE_METHODS or bool(request.user.is_hr)


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
        # Skill- or RoleSerializer: their changes() is no BaseSerializer's.
        obj = type(self).save(by=request.user, key=key, changes=serializer.changes(), create=True)  # type: ignore[attr-defined]
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
        changes = serializer.changes()  # type: ignore[attr-defined]  # Skill- or RoleSerializer's
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
        return paginated(self, role_history(role), HistorySerializer)

    def get_queryset(self) -> QuerySet[Role]:
        if self.action == "history":
            return Role.objects.all()
        return super().get_queryset()
