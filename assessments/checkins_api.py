"""REST API of 1:1 check-ins (rules: assessments.checkins), what the pages do.

/api/people/{id}/checkins/ (list, create) and /api/checkins/{id}/ (read, change). A
check-in the caller may not see answers 404, as a nonexistent id; a reader (HR who do
not manage the person) who writes gets 403. `private_notes` is always the caller's own
note ("" if none): nobody else's is in any response.

A PATCH changes the fields it gives and adds what it lists, all or nothing:
`add_agenda` (agenda items: [{"text"}]), `add_actions` (agreed actions: [{"text",
"due_date", "focus_skill"}], a focus skill's slug putting the action into the growth
plan too) and `update_actions` ([{"id", "done"}]).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assessments.checkins import (
    PLAN_KINDS,
    NewAction,
    checkin_create,
    checkin_update,
    checkins_with_parts,
    get_checkin_or_404,
    is_party,
    visible_checkins,
)
from assessments.models import AgendaItem, CheckIn
from core.drf import (
    Pagination,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    page_of,
)
from core.limits import TEXT_MAX
from core.types import AuthedRequest
from people.models import Person

# --- Shapes ------------------------------------------------------------------------------


@extend_schema_field(
    {"type": "string", "enum": AgendaItem.Kind.values}, component_name="AgendaItemKind"
)
class AgendaKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=AgendaItem.Kind.choices, **kwargs)


class AgendaItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = AgendaKindField(
        help_text="focus, action, stale, divergence, evidence, feedback: made from the "
        "person's data with the check-in; added: written by one of the two."
    )
    text = serializers.CharField()
    link = serializers.CharField()
    # The metaclass takes declared fields off the class: "data" shadows nothing at run time.
    data = serializers.DictField(  # type: ignore[assignment]
        help_text="What the item was made of: skill slug, levels, ids."
    )
    author = serializers.IntegerField(
        source="author_id", allow_null=True, help_text="Who added it; null: generated."
    )


class CheckInActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    done = serializers.BooleanField()
    growth_action = serializers.IntegerField(
        source="growth_action_id",
        allow_null=True,
        help_text="The growth plan's action it went into, if it did.",
    )


class CheckInSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField(source="person_id")
    manager = serializers.IntegerField(source="manager_id")
    date = serializers.DateField()
    agenda = AgendaItemSerializer(many=True)
    notes = serializers.CharField(help_text="The shared notes.")
    private_notes = serializers.CharField(
        help_text="The caller's own private note (\"\" if none): nobody else's, ever."
    )
    actions = CheckInActionSerializer(many=True, help_text="The agreed actions.")
    next_date = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class CheckInCreateSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="YYYY-MM-DD.")
    next_date = serializers.DateField(
        required=False, allow_null=True, help_text="After `date`; reminded the day before."
    )


class AgendaItemInSerializer(serializers.Serializer):
    text = StrictCharField(max_length=500)


class CheckInActionInSerializer(serializers.Serializer):
    text = StrictCharField(max_length=300)
    due_date = serializers.DateField(required=False, allow_null=True)
    focus_skill = StrictCharField(
        required=False,
        allow_null=True,
        help_text="The slug of a focus skill of the person's growth plan: the action "
        "goes into the plan too.",
    )


class CheckInActionUpdateSerializer(serializers.Serializer):
    id = StrictIntegerField()
    done = StrictBooleanField()


class CheckInUpdateSerializer(serializers.Serializer):
    date = serializers.DateField(required=False)
    notes = StrictCharField(
        required=False, allow_blank=True, max_length=TEXT_MAX, trim_whitespace=False
    )
    private_notes = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=TEXT_MAX,
        trim_whitespace=False,
        help_text="The caller's own private note, replaced.",
    )
    next_date = serializers.DateField(required=False, allow_null=True)
    add_agenda = AgendaItemInSerializer(many=True, required=False, help_text="Items to add.")
    add_actions = CheckInActionInSerializer(many=True, required=False, help_text="Actions to add.")
    update_actions = CheckInActionUpdateSerializer(
        many=True, required=False, help_text="Actions of the check-in marked done or not."
    )


def _rows(checkins: list[CheckIn], viewer: Person) -> list[dict[str, Any]]:
    """Check-ins from checkins_with_parts, as `viewer` may see them."""
    rows = []
    for checkin in checkins:
        party = getattr(checkin, "party", None)
        if party is None:
            party = is_party(viewer, checkin)
        agenda = [a for a in checkin.agenda.all() if party or a.kind not in PLAN_KINDS]
        mine = checkin.mine if party else []  # type: ignore[attr-defined]
        rows.append(
            {
                "id": checkin.pk,
                "person_id": checkin.person_id,
                "manager_id": checkin.manager_id,
                "date": checkin.date,
                "agenda": agenda,
                "notes": checkin.notes,
                "private_notes": mine[0].text if mine else "",
                "actions": list(checkin.actions.all()),
                "next_date": checkin.next_date,
                "created_at": checkin.created_at,
                "updated_at": checkin.updated_at,
            }
        )
    return CheckInSerializer(rows, many=True).data  # type: ignore[return-value]


def _one(user: Person, pk: int) -> dict[str, Any]:
    found = get_checkin_or_404(user, pk)
    full = list(checkins_with_parts(CheckIn.objects.filter(pk=found.pk), user))
    full[0].party = found.party  # type: ignore[attr-defined]
    full[0].person = found.person
    return _rows(full, user)[0]


# --- Views ------------------------------------------------------------------------------


class PersonCheckInViewSet(viewsets.GenericViewSet):
    """/api/people/{id}/checkins/: mounted beside the people endpoints."""

    lookup_value_converter = "int"
    queryset = Person.objects.none()  # for the schema; requests use visible_to()
    pagination_class = Pagination
    request: AuthedRequest

    @extend_schema(
        methods=["GET"],
        description="The person's check-ins, newest first, as the caller may see them.",
        parameters=[
            OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="From 1."),
            OpenApiParameter(
                "page_size", {"type": "integer", "minimum": 1}, description="Above 500: 500."
            ),
        ],
        responses=page_of(CheckInSerializer),
    )
    @extend_schema(
        methods=["POST"],
        description="Make a check-in with the person (the caller, above them, is its "
        "manager); its agenda is made from the person's data.",
        request=CheckInCreateSerializer,
        responses={201: CheckInSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="checkins",
        serializer_class=CheckInCreateSerializer,
    )
    def checkins(self, request: AuthedRequest, pk: int) -> Response:
        person = Person.objects.visible_to(request.user, person_id=pk).first()
        if person is None:
            raise Http404("No Person matches the given query.")
        if request.method == "POST":
            serializer = CheckInCreateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            try:
                made = checkin_create(
                    by=request.user,
                    person=person,
                    date=serializer.validated_data["date"],
                    next_date=serializer.validated_data.get("next_date"),
                )
            except PermissionDenied as exc:
                raise exceptions.PermissionDenied(str(exc)) from exc
            return Response(_one(request.user, made.pk), status=status.HTTP_201_CREATED)
        found = checkins_with_parts(
            visible_checkins(request.user).filter(person=person).order_by("-date", "-id"),
            request.user,
        )
        paginator = Pagination()
        page = list(paginator.paginate_queryset(found, request, view=self) or [])
        party = is_party(request.user, page[0]) if page else True
        for checkin in page:
            checkin.party = party  # type: ignore[attr-defined]
        return paginator.get_paginated_response(_rows(page, request.user))


class CheckInViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """/api/checkins/{id}/."""

    lookup_value_converter = "int"
    http_method_names = ["get", "patch", "head", "options"]
    queryset = CheckIn.objects.none()  # for the schema; requests use get_checkin_or_404
    serializer_class = CheckInSerializer
    request: AuthedRequest

    def get_queryset(self) -> QuerySet[CheckIn]:
        return visible_checkins(self.request.user)

    def retrieve(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        return Response(_one(request.user, int(kwargs["pk"])))

    @extend_schema(
        description="Change the check-in's date, shared notes, next date or the caller's "
        "own private note; add agenda items and agreed actions; mark actions done. All "
        "or nothing.",
        request=CheckInUpdateSerializer,
        responses={200: CheckInSerializer, 403: OpenApiResponse(description="A reader.")},
    )
    def partial_update(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> Response:
        found = get_checkin_or_404(request.user, int(kwargs["pk"]))
        if not found.party:  # type: ignore[attr-defined]
            raise exceptions.PermissionDenied("HR read check-ins; the two of them write.")
        serializer = CheckInUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        given = {k: data[k] for k in ("date", "notes", "next_date", "private_notes") if k in data}
        updates = data.get("update_actions", [])
        ids = [u["id"] for u in updates]
        if len(set(ids)) != len(ids):
            raise exceptions.ValidationError({"update_actions": ["Give each action once."]})
        checkin_update(
            by=request.user,
            checkin=found,
            **given,
            add_agenda=[a["text"] for a in data.get("add_agenda", [])],
            add_actions=[
                NewAction(a["text"], a.get("due_date"), a.get("focus_skill"))
                for a in data.get("add_actions", [])
            ],
            done_actions={u["id"]: u["done"] for u in updates},
        )
        return Response(_one(request.user, found.pk))
