"""REST API of promotion cases (rules: assessments.promotions.rules; who sees what:
.access), what the case pages do.

/api/promotion-cases/ (list, open), /api/promotion-cases/{id}/ (read, change the draft's
summary), /submit/, /withdraw/, /decide/. A case the caller may not see is the 404 of a
nonexistent id; a write by someone who may see the case but not make the write is a 403;
a move the case's status does not allow (deciding twice, editing a submitted case) is a
400 naming `status`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assessments.models import PromotionCase
from assessments.promotions import packet as packets
from assessments.promotions.access import cases_visible_to, get_case_or_404
from assessments.promotions.rules import (
    OUTCOMES,
    case_decide,
    case_open,
    case_submit,
    case_update,
    case_withdraw,
)
from core.drf import NoBodySerializer, StrictCharField, StrictPrimaryKeyRelatedField
from core.limits import TEXT_MAX
from core.types import AuthedRequest
from people.models import Person


@extend_schema_field(
    {"type": "string", "enum": PromotionCase.Status.values}, component_name="PromotionCaseStatus"
)
class CaseStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=PromotionCase.Status.choices, **kwargs)


@extend_schema_field(
    {"type": "string", "enum": [str(o) for o in OUTCOMES]}, component_name="PromotionOutcome"
)
class OutcomeField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[(str(o), o.label) for o in OUTCOMES], **kwargs)


class DecisionSerializer(serializers.Serializer):
    outcome = OutcomeField(source="status")
    rationale = serializers.CharField()
    effective = serializers.DateField(allow_null=True, help_text="Approved: the role changes then.")
    revisit = serializers.DateField(allow_null=True, help_text="Deferred: when to look again.")
    decided_by = serializers.IntegerField(source="decided_by_id", allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    role_changed_at = serializers.DateTimeField(
        allow_null=True, help_text="Approved: when the role change was applied (null: not yet)."
    )


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField(source="person_id")
    target_role = serializers.CharField(source="target_role.key", help_text="The role's key.")
    opened_by = serializers.IntegerField(source="opened_by_id")
    summary = serializers.CharField()
    status = CaseStatusField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    packet = serializers.SerializerMethodField(
        help_text="Live while a draft; the snapshot frozen at submission after."
    )
    decision = serializers.SerializerMethodField()

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_packet(self, case: PromotionCase) -> dict[str, Any]:
        return packets.of(case)

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, case: PromotionCase) -> dict[str, Any] | None:
        if case.decided_at is None:
            return None
        return dict(DecisionSerializer(case).data)


class CaseOpenSerializer(serializers.Serializer):
    person = StrictPrimaryKeyRelatedField(queryset=Person.objects.filter(is_active=True))
    target_role = StrictCharField(max_length=100, help_text="The role's key.")
    summary = StrictCharField(max_length=TEXT_MAX)


class CaseChangeSerializer(serializers.Serializer):
    summary = StrictCharField(max_length=TEXT_MAX)


class CaseWithdrawSerializer(serializers.Serializer):
    note = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True)


class CaseDecideSerializer(serializers.Serializer):
    outcome = OutcomeField()
    rationale = StrictCharField(max_length=TEXT_MAX)
    effective = serializers.DateField(
        required=False, allow_null=True, help_text="Approved: YYYY-MM-DD, today (default) or later."
    )
    revisit = serializers.DateField(
        required=False, allow_null=True, help_text="Deferred (required): YYYY-MM-DD, after today."
    )


class PromotionCaseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """/api/promotion-cases/: the cases the caller may see (assessments.promotions.access)."""

    serializer_class = CaseSerializer
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = PromotionCase.objects.none()  # for the schema; requests use get_queryset()
    request: AuthedRequest

    def get_queryset(self) -> QuerySet[PromotionCase]:
        cases = cases_visible_to(self.request.user).select_related("target_role")
        wanted = self.request.query_params.get("status", "")
        if wanted in PromotionCase.Status.values:
            cases = cases.filter(status=wanted)
        return cases.order_by("-created_at", "-id")

    def _one(self, pk: int) -> PromotionCase:
        return get_case_or_404(self.request.user, pk)

    def _answer(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        return Response(CaseSerializer(self._one(pk)).data, status=code)

    def retrieve(self, request: AuthedRequest, pk: int) -> Response:
        return self._answer(pk)

    @extend_schema(
        description="Open a draft case: a manager for anyone below them, the person for "
        "their own target role, HR for anyone.",
        request=CaseOpenSerializer,
        responses={201: CaseSerializer},
    )
    def create(self, request: AuthedRequest) -> Response:
        serializer = CaseOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person = data["person"]
        if not Person.objects.visible_to(request.user, person_id=person.pk).exists():
            raise serializers.ValidationError({"person": ["No such person."]})
        made = case_open(
            by=request.user,
            person=person,
            target_role=data["target_role"],
            summary=data["summary"],
        )
        return self._answer(made.pk, status.HTTP_201_CREATED)

    @extend_schema(
        description="Change a draft's summary (whoever opened it, or HR). A submitted case "
        "never changes (400, status).",
        request=CaseChangeSerializer,
        responses=CaseSerializer,
    )
    def partial_update(self, request: AuthedRequest, pk: int) -> Response:
        case = self._one(pk)
        serializer = CaseChangeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        case_update(by=request.user, case=case, changes=serializer.validated_data)
        return self._answer(pk)

    @extend_schema(
        description="Submit a draft (whoever opened it, or HR): its packet is frozen; the "
        "person's manager is told.",
        request=None,
        responses=CaseSerializer,
    )
    @action(detail=True, methods=["post"], serializer_class=NoBodySerializer)
    def submit(self, request: AuthedRequest, pk: int) -> Response:
        case_submit(by=request.user, case=self._one(pk))
        return self._answer(pk)

    @extend_schema(
        description="Withdraw a draft or submitted case (whoever opened it, or HR).",
        request=CaseWithdrawSerializer,
        responses=CaseSerializer,
    )
    @action(detail=True, methods=["post"], serializer_class=CaseWithdrawSerializer)
    def withdraw(self, request: AuthedRequest, pk: int) -> Response:
        case = self._one(pk)
        serializer = CaseWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case_withdraw(by=request.user, case=case, note=serializer.validated_data.get("note", ""))
        return self._answer(pk)

    @extend_schema(
        description="HR decides a case in review: approved (the role changes on `effective`), "
        "declined, or deferred (`revisit` required); a rationale always. Deciding twice is "
        "a 400 (status).",
        request=CaseDecideSerializer,
        responses=CaseSerializer,
    )
    @action(detail=True, methods=["post"], serializer_class=CaseDecideSerializer)
    def decide(self, request: AuthedRequest, pk: int) -> Response:
        case = self._one(pk)
        serializer = CaseDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case_decide(
            by=request.user,
            case=case,
            outcome=data["outcome"],
            rationale=data["rationale"],
            effective=data.get("effective"),
            revisit=data.get("revisit"),
        )
        return self._answer(pk)
