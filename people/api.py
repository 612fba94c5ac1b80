"""REST API for people: me, the people a user may see, their gaps, paths and team."""

from __future__ import annotations

from typing import Any

import django_filters
from axes.helpers import get_lockout_message
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.decorators import method_decorator
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import (
    action,
    api_view,
    authentication_classes,
    permission_classes,
)
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.drf import FiltersOnListOnly, StrictFilterSet
from core.parsers import BoundedJSONParser
from core.security import LOCKED_OUT_STATUS
from core.throttles import AnonThrottle, UserThrottle
from core.types import AuthedRequest
from people.invitations import people_invite
from people.models import Person
from people.serializers import (
    InvitationSerializer,
    MeSerializer,
    PersonSerializer,
    RoleChangeSerializer,
)
from people.services import person_update, role_history
from people.tokens import revoke_all, token_for
from people.visibility import visible_people


class TokenRequestSerializer(AuthTokenSerializer):
    """DRF's, with lengths bounded before authentication: a username longer than any
    stored one (django-axes' column is 255) or a megabyte password is a 400 on the field,
    never a lookup or a hash."""

    username = serializers.CharField(
        label="Username", write_only=True, max_length=Person._meta.get_field("username").max_length
    )
    password = serializers.CharField(
        label="Password",
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
        max_length=1024,
    )


# Outside the request transaction: django-axes counts a failure in the database, and a
# rolled-back 400 would never count (stack-notes.md).
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class TokenView(ObtainAuthToken):
    """POST username and password, get a token; 400 on bad credentials; 429 once that
    username has failed too often from that address (core.security). DELETE revokes
    every token of the caller (people.tokens)."""

    serializer_class = TokenRequestSerializer
    throttle_classes = [UserThrottle, AnonThrottle]  # DRF's own view has none
    parser_classes = [FormParser, MultiPartParser, BoundedJSONParser]  # bounded JSON

    @extend_schema(
        responses={
            200: AuthTokenSerializer,
            429: OpenApiResponse(
                inline_serializer("LockedOut", {"detail": serializers.CharField()}),
                description="Too many failed attempts for this username from this address.",
            ),
        }
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # django-axes flags the request it was given: DRF's, not Django's.
            if getattr(request, "axes_locked_out", False):
                return Response({"detail": str(get_lockout_message())}, status=LOCKED_OUT_STATUS)
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token = token_for(user)
        # A log-in like the page's: axes clears the failures, the audit trail notes it.
        user_logged_in.send(sender=type(user), request=request, user=user)
        return Response({"token": token.key})

    @extend_schema(
        request=None,
        responses={204: None},
        description="Revoke every token of the caller (authenticated by a token or a session).",
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not request.user.is_authenticated:
            raise NotAuthenticated
        revoke_all(request.user)
        return Response(status=204)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([])
@authentication_classes([])
def not_found(request: Request) -> Response:
    raise Http404


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user, context={"request": request}).data)


class PersonFilter(StrictFilterSet):
    # django-filter calls a `queryset` callable with the request; its stubs take none.
    manager = django_filters.ModelChoiceFilter(queryset=visible_people)  # type: ignore[arg-type]
    role = django_filters.CharFilter(field_name="role__key", help_text="A role slug.")

    class Meta:
        model = Person
        fields = ["manager", "role"]


class PeopleViewSet(
    FiltersOnListOnly,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The people the caller may see: themselves, everyone below them, everyone for HR.
    Anyone else answers 404."""

    serializer_class = PersonSerializer
    lookup_value_converter = "int"
    http_method_names = ["get", "patch", "post", "head", "options"]  # post: invite/ only
    filterset_class = PersonFilter

    queryset = Person.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self) -> QuerySet[Person]:
        # A detail route (/people/{pk}/...) looks up one person: the cheap form of the rule.
        pk = getattr(self, "kwargs", {}).get("pk")  # no kwargs when the schema is made
        people = Person.objects.visible_to(self.request.user, person_id=pk)
        return people.select_related("role", "target_role").order_by("name", "username", "pk")

    def partial_update(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        person = self.get_object()
        serializer = self.get_serializer(person, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        person_update(by=request.user, person=person, **serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=person.pk)).data)

    @extend_schema(
        request=None,
        responses={202: InvitationSerializer},
        description="HR only: email the person a link to choose a password (an "
        "invitation, valid once for a week), sent by the task worker. 400 when they have "
        "no email address or are deactivated.",
    )
    @action(detail=True, methods=["post"])
    def invite(self, request: AuthedRequest, pk: str) -> Response:
        person = self.get_object()
        found = people_invite(
            by=request.user, people=[person], site=request.build_absolute_uri("/")
        )
        if found.no_email:
            raise ValidationError({"email": f"{person} has no email address: add one first."})
        if found.inactive:
            raise ValidationError({"is_active": f"{person} is deactivated: reactivate them first."})
        return Response(InvitationSerializer(found.sent[0]).data, status=202)

    @extend_schema(
        responses=RoleChangeSerializer(many=True),
        description="The person's role history, newest first: who changed the role, when, "
        "from and to (role keys), and the promotion case behind it if any. 404 for a "
        "person the caller may not see.",
    )
    @action(detail=True, methods=["get"], url_path="role-history", pagination_class=None)
    def role_history(self, request: AuthedRequest, pk: str) -> Response:
        person = self.get_object()
        changes = role_history(person)
        return Response(RoleChangeSerializer(changes, many=True).data)
