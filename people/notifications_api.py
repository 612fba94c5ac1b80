"""REST API for a person's own notifications and their settings (rules:
people.notifications): /api/me/notifications/, its read/ action, and
/api/me/notification-settings/. Only ever the caller's own: another person's
notification is not found."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.types import AuthedRequest
from people.models import Notification
from people.notifications import (
    Channel,
    Kind,
    channels_of,
    mark_read,
    notifications_of,
    settings_update,
)


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read", "read_at"]
        read_only_fields = fields

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class UnreadQuery(serializers.Serializer):
    unread = serializers.BooleanField(required=False, help_text="true: only the unread ones.")


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's notifications, newest first; `read/` marks one read."""

    serializer_class = NotificationSerializer
    lookup_value_converter = "int"
    queryset = Notification.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self) -> QuerySet[Notification]:
        return notifications_of(self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="true: only the unread ones.")]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = UnreadQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        notifications = self.get_queryset()
        if query.validated_data.get("unread"):
            notifications = notifications.filter(read_at__isnull=True)
        page = self.paginate_queryset(notifications)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: AuthedRequest, pk: str) -> Response:
        notification = self.get_object()  # 404 unless the caller's own
        mark_read(person=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)


SETTINGS_SHAPE = inline_serializer(
    "NotificationSettings",
    {
        kind: serializers.ChoiceField(
            choices=[c for c in Channel.values if not (kind == Kind.CYCLE and c == Channel.OFF)],
            required=False,
            help_text=label,
        )
        for kind, label in Kind.choices
    },
)


class NotificationSettingsView(APIView):
    """The caller's channel for each kind of notification: "email" (and in the app),
    "in_app" only, or "off" (never for "cycle"). PATCH changes those it names; an
    unknown kind or channel is a 400 naming it, and changes nothing."""

    @extend_schema(responses=SETTINGS_SHAPE)
    def get(self, request: AuthedRequest) -> Response:
        return Response(channels_of(request.user))

    @extend_schema(request=SETTINGS_SHAPE, responses=SETTINGS_SHAPE)
    def patch(self, request: AuthedRequest) -> Response:
        if not isinstance(request.data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": ["Send an object of kind: channel."]}
            )
        return Response(settings_update(person=request.user, changes=request.data))
