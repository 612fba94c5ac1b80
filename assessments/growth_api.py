"""REST API of growth plans: everything the growth page (assessments.views.growth) does,
through the same services and the same selector.

A plan is seen and worked on by the person and their managers (direct or indirect)
only: anyone else, HR admins outside the chain included, gets the 404 of a nonexistent
id. Mounted by careermap.api_urls: /api/people/{id}/growth-plan/ (and its focus/), and
/api/growth-plan/focus/{id}/ and /api/growth-plan/actions/{id}/.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assessments.models import Action, FocusSkill, GrowthPlan
from assessments.selectors import Focus, growth_focus_for
from assessments.services import (
    UNCHANGED,
    action_add,
    action_remove,
    action_update,
    focus_skill_remove,
    focus_skill_save,
    focus_skill_set_target,
    growth_plan_set_status,
)
from core.drf import StrictCharField, StrictIntegerField
from core.types import AuthedRequest
from people.models import Person
from people.visibility import manages

# --- Shapes ------------------------------------------------------------------------------
# The two statuses are components of their own: "status" names other choices elsewhere.


@extend_schema_field(
    {"type": "string", "enum": GrowthPlan.Status.values}, component_name="GrowthPlanStatus"
)
class PlanStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=GrowthPlan.Status.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": ["open", "done"]}, component_name="ActionStatus")
class ActionStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[("open", "Open"), ("done", "Done")], **kwargs)


class GrowthActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    due = serializers.DateField(source="due_date", allow_null=True)
    status = serializers.SerializerMethodField()
    done_at = serializers.DateTimeField(allow_null=True)
    evidence = serializers.IntegerField(
        source="evidence_id", allow_null=True, help_text="An item of the person's evidence."
    )

    @extend_schema_field(ActionStatusField)
    def get_status(self, action: Action) -> str:
        return "done" if action.done else "open"


class GrowthFocusSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="focus.pk")
    skill = serializers.CharField(source="focus.skill.key", help_text="A skill slug.")
    target_level = serializers.IntegerField(source="focus.target_level")
    current = serializers.IntegerField(
        allow_null=True, help_text="The person's current level of the skill (as in gaps)."
    )
    actions = GrowthActionSerializer(many=True)


class GrowthPlanSerializer(serializers.Serializer):
    status = PlanStatusField()
    updated_at = serializers.DateTimeField(allow_null=True, help_text="null: no plan yet.")
    focus = GrowthFocusSerializer(many=True)


class GrowthPlanUpdateSerializer(serializers.Serializer):
    status = PlanStatusField(required=False)


class GrowthFocusCreateSerializer(serializers.Serializer):
    skill = StrictCharField(help_text="The slug of an active skill.")
    target_level = StrictIntegerField(help_text="A level of the scale.")


class GrowthFocusUpdateSerializer(serializers.Serializer):
    target_level = StrictIntegerField(required=False, help_text="A level of the scale.")


class GrowthActionCreateSerializer(serializers.Serializer):
    text = StrictCharField(max_length=300, allow_blank=True)
    due = serializers.DateField(allow_null=True, required=False)


class GrowthActionUpdateSerializer(serializers.Serializer):
    text = StrictCharField(max_length=300, allow_blank=True, required=False)
    due = serializers.DateField(allow_null=True, required=False)
    status = ActionStatusField(required=False)
    evidence = StrictIntegerField(
        allow_null=True,
        required=False,
        help_text="The id of an item of the plan's person's evidence; null unlinks it.",
    )


# --- Who may work on a plan --------------------------------------------------------------


def _plan_person_or_404(user: Person, pk: int) -> Person:
    """The person `pk`, if `user` is them or above them. HR admins see the plans of the
    people they manage only: the plan is the person's and their managers'."""
    if pk == user.pk:
        return user
    # The chain above `pk` (the depth of the tree), not the user's subtree.
    person = Person.objects.below(user.pk, person_id=pk).first()
    if person is None:
        raise Http404("No Person matches the given query.")  # as a nonexistent id
    return person


def _may_work_on(user: Person, person: Person) -> bool:
    return person.pk == user.pk or manages(user, person)


def _plan_data(person: Person) -> dict[str, Any]:
    plan, focus = growth_focus_for(person=person)
    # No plan yet: the empty plan, as the page shows it (nothing written on a read).
    return GrowthPlanSerializer(
        {
            "status": plan.status if plan else GrowthPlan.Status.NOT_STARTED,
            "updated_at": plan.updated_at if plan else None,
            "focus": focus,
        }
    ).data


def _focus_data(focus: FocusSkill) -> dict[str, Any]:
    _, items = growth_focus_for(person=focus.plan.person)
    item: Focus = next(f for f in items if f.focus.pk == focus.pk)
    return GrowthFocusSerializer(item).data


# --- Views ----------------------------------------------------------------------------


class GrowthPlanViewSet(viewsets.GenericViewSet):
    """/api/people/{id}/growth-plan/ and its focus/: mounted beside the people endpoints."""

    lookup_value_converter = "int"
    queryset = Person.objects.none()  # for the schema: requests use _plan_person_or_404
    request: AuthedRequest

    @extend_schema(
        methods=["GET"],
        description="The person's growth plan; before its first write, the empty plan.",
        responses=GrowthPlanSerializer,
    )
    @extend_schema(
        methods=["PATCH"],
        description="Set the plan's status.",
        request=GrowthPlanUpdateSerializer,
        responses=GrowthPlanSerializer,
    )
    @action(detail=True, methods=["get", "patch"], url_path="growth-plan")
    def growth_plan(self, request: AuthedRequest, pk: int) -> Response:
        person = _plan_person_or_404(request.user, pk)
        if request.method == "PATCH":
            serializer = GrowthPlanUpdateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            if "status" in serializer.validated_data:
                growth_plan_set_status(
                    by=request.user, person=person, status=serializer.validated_data["status"]
                )
        return Response(_plan_data(person))

    @extend_schema(
        description="Add a focus skill (201), or change the target level of one (200).",
        request=GrowthFocusCreateSerializer,
        responses={
            201: GrowthFocusSerializer,
            200: OpenApiResponse(
                GrowthFocusSerializer,
                description="The skill was a focus skill already: its target level changed.",
            ),
        },
    )
    # serializer_class: what OPTIONS describes (DRF's metadata) for the POST.
    @action(
        detail=True,
        methods=["post"],
        url_path="growth-plan/focus",
        serializer_class=GrowthFocusCreateSerializer,
    )
    def focus(self, request: AuthedRequest, pk: int) -> Response:
        person = _plan_person_or_404(request.user, pk)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        focus, created = focus_skill_save(
            by=request.user,
            person=person,
            skill_key=serializer.validated_data["skill"],
            target_level=serializer.validated_data["target_level"],
        )
        answer = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(_focus_data(focus), status=answer)


class _PlanPartViewSet(viewsets.GenericViewSet):
    """A focus skill or an action, found by id under its plan's visibility."""

    lookup_value_converter = "int"
    http_method_names = ["patch", "post", "delete", "options"]
    request: AuthedRequest

    def get_object(self) -> Any:
        found = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if found is None or not _may_work_on(self.request.user, self.person_of(found)):
            raise Http404(f"No {self.get_queryset().model.__name__} matches the given query.")
        return found

    def person_of(self, found: Any) -> Person:
        raise NotImplementedError


class GrowthFocusViewSet(_PlanPartViewSet):
    """/api/growth-plan/focus/{id}/ and its actions/."""

    def get_queryset(self) -> QuerySet[FocusSkill]:
        return FocusSkill.objects.select_related("plan__person")

    def person_of(self, found: FocusSkill) -> Person:
        return found.plan.person

    @extend_schema(
        description="Change a focus skill's target level.",
        request=GrowthFocusUpdateSerializer,
        responses=GrowthFocusSerializer,
    )
    def partial_update(self, request: AuthedRequest, pk: int) -> Response:
        focus = self.get_object()
        serializer = GrowthFocusUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if "target_level" in serializer.validated_data:
            focus = focus_skill_set_target(
                by=request.user,
                focus=focus,
                target_level=serializer.validated_data["target_level"],
            )
        return Response(_focus_data(focus))

    @extend_schema(
        description="Remove a focus skill and its actions.", request=None, responses={204: None}
    )
    def destroy(self, request: AuthedRequest, pk: int) -> Response:
        focus_skill_remove(by=request.user, focus=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        description="Add an action to a focus skill.",
        request=GrowthActionCreateSerializer,
        responses={201: GrowthActionSerializer},
    )
    @action(detail=True, methods=["post"], serializer_class=GrowthActionCreateSerializer)
    def actions(self, request: AuthedRequest, pk: int) -> Response:
        focus = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        added = action_add(
            by=request.user,
            focus=focus,
            text=serializer.validated_data["text"],
            due_date=serializer.validated_data.get("due"),
        )
        return Response(GrowthActionSerializer(added).data, status=status.HTTP_201_CREATED)


class GrowthActionViewSet(_PlanPartViewSet):
    """/api/growth-plan/actions/{id}/."""

    def get_queryset(self) -> QuerySet[Action]:
        return Action.objects.select_related("focus__plan__person")

    def person_of(self, found: Action) -> Person:
        return found.focus.plan.person

    @extend_schema(
        description="Change an action: its text, due date, status or evidence.",
        request=GrowthActionUpdateSerializer,
        responses=GrowthActionSerializer,
    )
    def partial_update(self, request: AuthedRequest, pk: int) -> Response:
        found = self.get_object()
        serializer = GrowthActionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        updated = action_update(
            by=request.user,
            action=found,
            text=data.get("text", UNCHANGED),
            due_date=data.get("due", UNCHANGED),
            done=data["status"] == "done" if "status" in data else UNCHANGED,
            evidence_id=data.get("evidence", UNCHANGED),
        )
        return Response(GrowthActionSerializer(updated).data)

    @extend_schema(description="Remove an action.", request=None, responses={204: None})
    def destroy(self, request: AuthedRequest, pk: int) -> Response:
        action_remove(by=request.user, action=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
