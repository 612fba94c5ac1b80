"""REST API of review rounds (rules: assessments.promotions.committee).

/api/review-rounds/ (list, create: HR), /api/review-rounds/{id}/ (the round side by
side: what its page shows), /api/review-rounds/{id}/votes/ (a reviewer's vote). HR sees
every round, a reviewer theirs; anyone else gets the 404 of a nonexistent id.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assessments.models import ReviewRound, Vote
from assessments.promotions.committee import (
    MAX_CASES,
    MAX_REVIEWERS,
    board,
    get_round_or_404,
    round_create,
    rounds_visible_to,
    vote_record,
)
from core.drf import StrictCharField, StrictIntegerField
from core.limits import TEXT_MAX
from core.types import AuthedRequest


@extend_schema_field(
    {"type": "string", "enum": Vote.Choice.values}, component_name="ReviewVoteChoice"
)
class VoteChoiceField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Vote.Choice.choices, **kwargs)


class ReviewRoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    date = serializers.DateField()
    created_by = serializers.IntegerField(source="created_by_id")
    reviewers = serializers.SerializerMethodField()
    cases = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_reviewers(self, round_: ReviewRound) -> list[int]:
        return sorted(r.pk for r in round_.reviewers.all())

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_cases(self, round_: ReviewRound) -> list[int]:
        return sorted(c.pk for c in round_.cases.all())


class ReviewRoundWriteSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    date = serializers.DateField(help_text="YYYY-MM-DD.")
    cases = serializers.ListField(
        child=StrictIntegerField(min_value=1),
        max_length=MAX_CASES,
        help_text="Ids of submitted cases: each moves to in_review.",
    )
    reviewers = serializers.ListField(
        child=StrictIntegerField(min_value=1),
        max_length=MAX_REVIEWERS,
        help_text="Ids of active people.",
    )


class VoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    reviewer = serializers.IntegerField(source="reviewer_id")
    vote = VoteChoiceField()
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class VoteWriteSerializer(serializers.Serializer):
    case = StrictIntegerField(min_value=1)
    vote = VoteChoiceField()
    reason = serializers.CharField(
        max_length=TEXT_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for do_not_support.",
    )


class CalibrationFiguresSerializer(serializers.Serializer):
    manager = serializers.IntegerField(allow_null=True)
    mean_self_minus_manager = serializers.FloatField(source="mean_delta", allow_null=True)
    evidence_coverage = serializers.FloatField(allow_null=True)
    mean_manager_minus_others = serializers.FloatField(source="mean_vs_others", allow_null=True)
    direction = serializers.CharField()
    words = serializers.ListField(child=serializers.CharField())


class GapSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    expected = serializers.IntegerField(allow_null=True)
    current = serializers.IntegerField(allow_null=True)
    gap = serializers.IntegerField(allow_null=True)


class RoundCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField()
    target_role = serializers.CharField()
    status = serializers.CharField()
    readiness = serializers.FloatField(allow_null=True)
    gaps = GapSerializer(many=True)
    evidence_count = serializers.IntegerField()
    evidence_coverage = serializers.FloatField(
        allow_null=True, help_text="Share of the target role's skills with cited evidence."
    )
    manager_calibration = CalibrationFiguresSerializer(allow_null=True)
    votes = VoteSerializer(many=True, help_text="Those the caller may see.")
    votes_hidden = serializers.BooleanField(
        help_text="Others voted; the caller sees their votes once they vote."
    )
    may_vote = serializers.BooleanField()


class ReviewRoundDetailSerializer(ReviewRoundSerializer):
    cases = serializers.SerializerMethodField()

    @extend_schema_field(RoundCaseSerializer(many=True))
    def get_cases(self, round_: ReviewRound) -> list[dict[str, Any]]:  # type: ignore[override]
        found = board(user=self.context["user"], round_=round_)
        rows = []
        for e in found["entries"]:
            case, f = e["case"], e["figures"]
            rows.append(
                {
                    "id": case.pk,
                    "person": case.person_id,
                    "target_role": case.target_role.key,
                    "status": case.status,
                    "readiness": e["packet"].get("readiness"),
                    "gaps": [
                        {k: g.get(k) for k in ("key", "name", "expected", "current", "gap")}
                        for g in e["gaps"]
                    ],
                    "evidence_count": e["evidence_count"],
                    "evidence_coverage": e["evidence_coverage"],
                    "manager_calibration": None
                    if f is None
                    else {
                        "manager": case.manager_id,
                        "mean_delta": f.mean_delta,
                        "evidence_coverage": f.evidence_coverage,
                        "mean_vs_others": f.mean_vs_others,
                        "direction": f.direction,
                        "words": [f.lean, f.coverage, f.others],
                    },
                    "votes": e["votes"],
                    "votes_hidden": e["votes_hidden"],
                    "may_vote": e["may_vote"],
                }
            )
        return list(RoundCaseSerializer(rows, many=True).data)


class ReviewRoundViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """/api/review-rounds/: HR's rounds (all), a reviewer's (theirs)."""

    serializer_class = ReviewRoundSerializer
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "head", "options"]
    queryset = ReviewRound.objects.none()  # for the schema; requests use get_queryset()
    request: AuthedRequest

    def get_queryset(self) -> QuerySet[ReviewRound]:
        return rounds_visible_to(self.request.user).prefetch_related("reviewers", "cases")

    def _detail(self, pk: int) -> dict[str, Any]:
        found = get_round_or_404(self.request.user, pk)
        return dict(ReviewRoundDetailSerializer(found, context={"user": self.request.user}).data)

    @extend_schema(responses=ReviewRoundDetailSerializer)
    def retrieve(self, request: AuthedRequest, pk: int) -> Response:
        return Response(self._detail(pk))

    @extend_schema(
        description="Form a round (HR): its cases (submitted) move to in_review.",
        request=ReviewRoundWriteSerializer,
        responses={201: ReviewRoundDetailSerializer},
    )
    def create(self, request: AuthedRequest) -> Response:
        if not request.user.is_hr:
            raise exceptions.PermissionDenied("Only HR admins form review rounds.")
        serializer = ReviewRoundWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        made = round_create(by=request.user, **serializer.validated_data)
        return Response(self._detail(made.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        description="Record (or change) the caller's vote on a case of the round: a "
        "reviewer only; never on their own case, a direct report's, or as the case's "
        "manager; a reason to not support.",
        request=VoteWriteSerializer,
        responses={201: VoteSerializer},
    )
    @action(detail=True, methods=["post"], serializer_class=VoteWriteSerializer)
    def votes(self, request: AuthedRequest, pk: int) -> Response:
        found = get_round_or_404(request.user, pk)
        serializer = VoteWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        made = vote_record(by=request.user, round_=found, **serializer.validated_data)
        return Response(VoteSerializer(made).data, status=status.HTTP_201_CREATED)
