"""REST API of review cycles (rules: assessments.cycles), what the cycle pages do.

/api/cycles/ (list, create), /api/cycles/{id}/ (read, change), /api/cycles/{id}/open/,
/close/ and /progress/, and /api/me/todos/. HR reads and writes every cycle; a manager
reads the open and closed cycles with someone of their subtree in them, and the
progress of their subtree only; anyone else gets the 404 of a nonexistent id. A write
by someone who may read the cycle but not write it is a 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.cycles import (
    MAX_REMINDER_DAY,
    MAX_REMINDERS,
    STEP_NAMES,
    Progress,
    cycle_close,
    cycle_create,
    cycle_open,
    cycle_progress,
    cycle_update,
    cycles_visible_to,
    get_cycle_or_404,
    todos_for,
)
from assessments.models import Cycle
from core.drf import NoBodySerializer, StrictCharField, StrictIntegerField
from core.types import AuthedRequest
from people.models import Person

# --- Shapes ------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "enum": Cycle.Status.values}, component_name="CycleStatus")
class CycleStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Cycle.Status.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": list(STEP_NAMES)}, component_name="CycleStep")
class CycleStepField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=list(STEP_NAMES), **kwargs)


class CycleScopeSerializer(serializers.Serializer):
    """{"roles": [slug]}, {"managers": [id]}, or {} for everyone."""

    roles = serializers.ListField(
        child=StrictCharField(max_length=100),
        required=False,
        max_length=200,
        help_text="Slugs of active roles: the active people holding one of them.",
    )
    managers = serializers.ListField(
        child=StrictIntegerField(min_value=1),
        required=False,
        max_length=200,
        help_text="Ids of active managers: everyone below each of them, at any depth.",
    )

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - {"roles", "managers"})
            if unknown:
                raise serializers.ValidationError(
                    {key: ["Unknown key: give roles, managers, or neither."] for key in unknown}
                )
            if "roles" in data and "managers" in data:
                raise serializers.ValidationError(
                    {"managers": ["Give roles or managers, not both."]}
                )
        return super().to_internal_value(data)


class CycleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    scope = serializers.SerializerMethodField()
    self_due = serializers.DateField()
    feedback_due = serializers.DateField(
        allow_null=True, help_text="null: the cycle has no input-from-others step."
    )
    manager_due = serializers.DateField()
    reminder_days = serializers.ListField(
        child=serializers.IntegerField(), help_text="Days before each due date, e.g. [7, 1]."
    )
    status = CycleStatusField()
    created_at = serializers.DateTimeField()
    opened_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(CycleScopeSerializer)
    def get_scope(self, cycle: Cycle) -> dict[str, Any]:
        if cycle.scope == Cycle.Scope.ROLES:
            return {"roles": sorted(r.key for r in cycle.scope_roles.all())}
        if cycle.scope == Cycle.Scope.MANAGERS:
            return {"managers": sorted(m.pk for m in cycle.scope_managers.all())}
        return {}


class CycleWriteSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    scope = CycleScopeSerializer(required=False, help_text="Default: everyone ({}).")
    self_due = serializers.DateField(help_text="YYYY-MM-DD.")
    feedback_due = serializers.DateField(
        allow_null=True,
        required=False,
        help_text="YYYY-MM-DD, between the two others; null (the default): no such step.",
    )
    manager_due = serializers.DateField(help_text="YYYY-MM-DD, on or after self_due.")
    reminder_days = serializers.ListField(
        child=StrictIntegerField(min_value=0, max_value=MAX_REMINDER_DAY),
        max_length=MAX_REMINDERS,
        required=False,
        help_text="Days before each due date to remind who is not done; default [7, 1].",
    )


class StepProgressSerializer(serializers.Serializer):
    step = CycleStepField()
    due = serializers.DateField()
    done = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    not_started = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="Of those not done, past the due date.")


class ManagerProgressSerializer(serializers.Serializer):
    manager = serializers.IntegerField(
        source="manager_id", allow_null=True, help_text="null: people without a manager."
    )
    done = serializers.IntegerField(help_text="Their reports in the cycle with every step done.")
    total = serializers.IntegerField()


class ProgressSerializer(serializers.Serializer):
    steps = StepProgressSerializer(many=True)
    managers = ManagerProgressSerializer(many=True)


class TodoSerializer(serializers.Serializer):
    cycle = serializers.IntegerField(source="cycle.pk")
    cycle_name = serializers.CharField(source="cycle.name")
    step = CycleStepField()
    person = serializers.IntegerField(
        source="person.pk",
        allow_null=True,
        default=None,
        help_text="For the manager step: the report to assess; else null.",
    )
    due = serializers.DateField()
    overdue = serializers.BooleanField()
    link = serializers.CharField(help_text="The page to do it on (a path on this site).")


def _values(data: dict[str, Any]) -> dict[str, Any]:
    """The API's fields as the services take them."""
    values: dict[str, Any] = {
        key: data[key]
        for key in ("name", "self_due", "feedback_due", "manager_due", "reminder_days")
        if key in data
    }
    if "scope" in data:
        scope = data["scope"]
        if "roles" in scope:
            values.update(scope=Cycle.Scope.ROLES, roles=scope["roles"])
        elif "managers" in scope:
            values.update(scope=Cycle.Scope.MANAGERS, managers=scope["managers"])
        else:
            values["scope"] = Cycle.Scope.EVERYONE
    return values


def _api_errors(exc: DjangoValidationError) -> exceptions.ValidationError:
    """Service errors named as the API names them: roles and managers under scope."""
    errors: dict[str, Any] = dict(exc.message_dict)
    for key in ("roles", "managers"):
        if key in errors:
            errors.setdefault("scope", {})
            if isinstance(errors["scope"], dict):
                errors["scope"][key] = errors.pop(key)
    return exceptions.ValidationError(errors)


def _hr_only(user: Person) -> None:
    if not user.is_hr:
        raise exceptions.PermissionDenied("Only HR admins may do this.")


# --- Views ------------------------------------------------------------------------------


class CycleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """/api/cycles/: HR's cycles (all), a manager's (open and closed, with someone of
    their subtree in them)."""

    serializer_class = CycleSerializer
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Cycle.objects.none()  # for the schema; requests use get_queryset()
    request: AuthedRequest

    def get_queryset(self) -> QuerySet[Cycle]:
        return cycles_visible_to(self.request.user).prefetch_related(
            "scope_roles", "scope_managers"
        )

    def _one(self, pk: int) -> Cycle:
        get_cycle_or_404(self.request.user, pk)
        return self.get_queryset().get(pk=pk)

    def retrieve(self, request: AuthedRequest, pk: int) -> Response:
        return Response(CycleSerializer(self._one(pk)).data)

    @extend_schema(
        description="Make a draft cycle (HR).",
        request=CycleWriteSerializer,
        responses={201: CycleSerializer},
    )
    def create(self, request: AuthedRequest) -> Response:
        _hr_only(request.user)
        serializer = CycleWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            made = cycle_create(by=request.user, values=_values(serializer.validated_data))
        except DjangoValidationError as exc:
            raise _api_errors(exc) from exc
        return Response(CycleSerializer(self._one(made.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        description="Change a draft (HR); an open cycle's name, dates and reminder days "
        "only (its people are fixed: another scope is a 409); a closed cycle never (409).",
        request=CycleWriteSerializer(partial=True),
        responses=CycleSerializer,
    )
    def partial_update(self, request: AuthedRequest, pk: int) -> Response:
        cycle = self._one(pk)
        _hr_only(request.user)
        serializer = CycleWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            cycle_update(by=request.user, cycle=cycle, changes=_values(serializer.validated_data))
        except DjangoValidationError as exc:
            raise _api_errors(exc) from exc
        return Response(CycleSerializer(self._one(pk)).data)

    @extend_schema(
        description="Open a draft (HR): everyone in scope gets their to-dos and an email; "
        "the reminders are scheduled. 409 unless a draft; 400 (scope) if nobody is in scope.",
        request=None,
        responses=CycleSerializer,
    )
    @action(detail=True, methods=["post"], serializer_class=NoBodySerializer)
    def open(self, request: AuthedRequest, pk: int) -> Response:
        cycle = self._one(pk)
        _hr_only(request.user)
        cycle_open(by=request.user, cycle=cycle)
        return Response(CycleSerializer(self._one(pk)).data)

    @extend_schema(
        description="Close an open cycle (HR): its progress is kept as it is now. 409 unless open.",
        request=None,
        responses=CycleSerializer,
    )
    @action(detail=True, methods=["post"], serializer_class=NoBodySerializer)
    def close(self, request: AuthedRequest, pk: int) -> Response:
        cycle = self._one(pk)
        _hr_only(request.user)
        cycle_close(by=request.user, cycle=cycle)
        return Response(CycleSerializer(self._one(pk)).data)

    @extend_schema(
        description="Per step, done / in progress / not started / overdue; per manager "
        "(the participants' current manager; as it closed, for a closed cycle), how many "
        "are done with every step. HR: everyone; a manager: their subtree.",
        responses=ProgressSerializer,
    )
    @action(detail=True, methods=["get"], serializer_class=ProgressSerializer)
    def progress(self, request: AuthedRequest, pk: int) -> Response:
        cycle = get_cycle_or_404(request.user, pk)
        found: Progress = cycle_progress(cycle=cycle, viewer=request.user)
        return Response(ProgressSerializer(found).data)


class MyTodosView(APIView):
    """/api/me/todos/: the caller's open steps across open cycles."""

    request: AuthedRequest

    @extend_schema(
        description="The caller's open steps across open cycles, soonest due first: their "
        "self-assessment and input from others, and the manager assessments of their "
        "direct reports.",
        responses=TodoSerializer(many=True),
    )
    def get(self, request: AuthedRequest) -> Response:
        return Response(TodoSerializer(todos_for(request.user), many=True).data)
