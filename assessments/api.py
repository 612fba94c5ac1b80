"""REST API for assessments and the reports built on them."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.models import Assessment, Rating
from assessments.selectors import calibration_report, skills_report
from assessments.serializers import (
    AssessmentSerializer,
    AssessmentUpdateSerializer,
    CalibrationSerializer,
    SkillReportSerializer,
)
from assessments.services import assessment_rate, assessment_start, assessment_submit
from careermap.api_support import (
    FiltersOnListOnly,
    StrictFilterSet,
    page_of,
    paginated,
    visible_people,
)
from careermap.concurrency import IF_MATCH, if_match, with_etag
from careermap.models import Person


class AssessmentFilter(StrictFilterSet):
    person = django_filters.ModelChoiceFilter(queryset=visible_people)
    kind = django_filters.ChoiceFilter(choices=Assessment.Kind.choices)
    status = django_filters.ChoiceFilter(choices=Assessment.Status.choices)

    class Meta:
        model = Assessment
        fields = ["person", "kind", "status"]


def visible_assessments(user: Person) -> QuerySet[Assessment]:
    """Submitted assessments of the people the user may see, and the user's own drafts."""
    return Assessment.objects.filter(person__in=Person.objects.visible_to(user)).filter(
        Q(status=Assessment.Status.SUBMITTED) | Q(author=user)
    )


class AssessmentViewSet(
    FiltersOnListOnly,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AssessmentSerializer
    lookup_value_converter = "int"
    filterset_class = AssessmentFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    queryset = Assessment.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self) -> QuerySet[Assessment]:
        return (
            visible_assessments(self.request.user)
            .prefetch_related(Prefetch("ratings", Rating.objects.select_related("skill")))
            .order_by("-created_at", "-id")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            assessment = assessment_start(
                by=request.user,
                person=data["person"],
                kind=data["kind"],
                ratings=data.get("ratings", []),
            )
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied({"person": [str(exc)]}) from exc
        return Response(self._fresh(assessment), status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assessment = self.get_object()
        data = self.get_serializer(assessment).data
        return with_etag(Response(data), _etag(assessment))

    @extend_schema(
        request=AssessmentUpdateSerializer, responses=AssessmentSerializer, parameters=[IF_MATCH]
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assessment = self.get_object()
        serializer = AssessmentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = assessment_rate(
            by=request.user,
            assessment=assessment,
            ratings=serializer.validated_data["ratings"],
            version=_if_match_version(request),
        )
        return with_etag(Response(self._fresh(assessment)), _etag(assessment))

    @extend_schema(request=None, responses=AssessmentSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        assessment = assessment_submit(
            by=request.user, assessment=self.get_object(), version=_if_match_version(request)
        )
        return Response(self._fresh(assessment))

    def _fresh(self, assessment: Assessment) -> dict[str, Any]:
        return self.get_serializer(self.get_queryset().get(pk=assessment.pk)).data


def _if_match_version(request: Request) -> int | None:
    """The draft version the client last read (If-Match), None without the header."""
    tags = if_match(request)
    if tags is None:
        return None
    # An ETag is the draft's version; one that is not a version never matches.
    versions = [int(t.strip('"')) for t in tags if t.strip('"').isdigit()]
    return versions[0] if versions else -1


def _etag(assessment: Assessment) -> str:
    return f'"{assessment.version}"'


class IsHROrManager(permissions.BasePermission):
    message = "Reports are for HR admins and managers."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user.is_hr or user.has_reports())


class SkillsReportView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsHROrManager]

    @extend_schema(responses=page_of(SkillReportSerializer))
    def get(self, request: Request) -> Response:
        return paginated(self, skills_report(user=request.user), _data(SkillReportSerializer))


class CalibrationReportView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsHROrManager]

    @extend_schema(responses=page_of(CalibrationSerializer))
    def get(self, request: Request) -> Response:
        return paginated(self, calibration_report(user=request.user), _data(CalibrationSerializer))


def _data(serializer: Any) -> Any:
    return lambda item: serializer(item).data
