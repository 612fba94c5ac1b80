"""REST API for assessments and the reports built on them."""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.evidence import (
    evidence_add,
    evidence_delete,
    evidence_dispute,
    evidence_update,
    visible_evidence,
)
from assessments.gaps import paths_for, team_for, visible_gaps
from assessments.models import Assessment, Evidence, Rating
from assessments.rollups import (
    calibration_managers,
    calibration_of,
    divergent_pairs,
    skills_report,
)
from assessments.selectors import visible_assessments
from assessments.serializers import (
    AssessmentSerializer,
    AssessmentUpdateSerializer,
    CalibrationSerializer,
    DivergentPairSerializer,
    DivergentQuerySerializer,
    EvidenceSerializer,
    EvidenceUpdateSerializer,
    GapsSerializer,
    PathSerializer,
    SkillReportSerializer,
    TeamSerializer,
)
from assessments.services import (
    assessment_rate,
    assessment_start,
    assessment_submit,
    framework_import,
)
from core.concurrency import IF_MATCH, if_match, with_etag
from core.drf import FiltersOnListOnly, IsHR, StrictFilterSet, page_of, paginated
from core.numbers import ascii_int
from core.parsers import read_bounded
from core.types import AuthedRequest
from people.models import Person
from people.visibility import IsHROrManager, visible_people
from skills.models import Role
from skills.openformat import FrameworkInvalid, dump, export, parse
from skills.serializers import ImportResultSerializer


class AssessmentFilter(StrictFilterSet):
    # django-filter calls a `queryset` callable with the request; its stubs take none.
    person = django_filters.ModelChoiceFilter(queryset=visible_people)  # type: ignore[arg-type]
    kind = django_filters.ChoiceFilter(choices=Assessment.Kind.choices)
    status = django_filters.ChoiceFilter(choices=Assessment.Status.choices)

    class Meta:
        model = Assessment
        fields = ["person", "kind", "status"]


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
    request: AuthedRequest

    def get_queryset(self) -> QuerySet[Assessment]:
        return (
            visible_assessments(self.request.user)
            .prefetch_related(
                Prefetch(
                    "ratings",
                    Rating.objects.select_related("skill").prefetch_related("evidence_items"),
                )
            )
            .order_by("-created_at", "-id")
        )

    def create(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
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
    def partial_update(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
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
    def submit(self, request: AuthedRequest, pk: str) -> Response:
        assessment = assessment_submit(
            by=request.user, assessment=self.get_object(), version=_if_match_version(request)
        )
        return Response(self._fresh(assessment))

    def _fresh(self, assessment: Assessment) -> dict[str, Any]:
        return self.get_serializer(self.get_queryset().get(pk=assessment.pk)).data


class EvidenceFilter(StrictFilterSet):
    person = django_filters.ModelChoiceFilter(queryset=visible_people)  # type: ignore[arg-type]
    skill = django_filters.CharFilter(field_name="skills__key", help_text="A skill slug.")
    kind = django_filters.ChoiceFilter(choices=Evidence.Kind.choices)
    since = django_filters.DateFilter(field_name="date", lookup_expr="gte")

    class Meta:
        model = Evidence
        fields = ["person", "skill", "kind", "since"]


class EvidenceViewSet(FiltersOnListOnly, viewsets.ModelViewSet):
    """The evidence log of the people the caller may see (rules: assessments.evidence)."""

    serializer_class = EvidenceSerializer
    lookup_value_converter = "int"
    filterset_class = EvidenceFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = Evidence.objects.none()  # for the schema; requests use get_queryset()
    request: AuthedRequest

    def get_queryset(self) -> QuerySet[Evidence]:
        return visible_evidence(self.request.user).distinct()

    def create(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        person = data.pop("person", request.user)
        try:
            item = evidence_add(by=request.user, person=person, **data)
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied({"person": [str(exc)]}) from exc
        return Response(self._fresh(item), status=status.HTTP_201_CREATED)

    @extend_schema(request=EvidenceUpdateSerializer, responses=EvidenceSerializer)
    def partial_update(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        item = self.get_object()
        serializer = EvidenceUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        dispute = {k: fields.pop(k) for k in ("disputed", "dispute_comment") if k in fields}
        if dispute and fields:
            raise exceptions.ValidationError(
                {"disputed": ["Dispute an item on its own, without changing its fields."]}
            )
        if dispute:
            disputed = dispute.get("disputed", item.disputed)
            item = evidence_dispute(
                by=request.user,
                item=item,
                disputed=disputed,
                comment=dispute.get("dispute_comment", item.dispute_comment),
            )
        else:
            item = evidence_update(by=request.user, item=item, **fields)
        return Response(self._fresh(item))

    def update(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        evidence_delete(by=request.user, item=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _fresh(self, item: Evidence) -> dict[str, Any]:
        return self.get_serializer(self.get_queryset().get(pk=item.pk)).data


def _if_match_version(request: Request) -> int | None:
    """The draft version the client last read (If-Match), None without the header."""
    tags = if_match(request)
    if tags is None:
        return None
    # An ETag is the draft's version; one that is not a version never matches.
    versions = [n for t in tags if (n := ascii_int(t.strip('"'))) is not None]
    return versions[0] if versions else -1


def _etag(assessment: Assessment) -> str:
    return f'"{assessment.version}"'


class SkillsReportView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsHROrManager]

    @extend_schema(responses=page_of(SkillReportSerializer))
    def get(self, request: AuthedRequest) -> Response:
        return paginated(self, skills_report(user=request.user), SkillReportSerializer)


class CalibrationReportView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsHROrManager]

    @extend_schema(responses=page_of(CalibrationSerializer))
    def get(self, request: AuthedRequest) -> Response:
        # Paged before it is counted: a page of 50 managers reads their 50 team tallies.
        managers = calibration_managers(user=request.user)
        return paginated(self, managers, CalibrationSerializer, build=calibration_of)


class DivergentPairsView(APIView):
    """Every divergent calibration pair in scope, the widest first."""

    permission_classes = [permissions.IsAuthenticated, IsHROrManager]

    @extend_schema(
        parameters=[DivergentQuerySerializer], responses=page_of(DivergentPairSerializer)
    )
    def get(self, request: AuthedRequest) -> Response:
        query = DivergentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = divergent_pairs(user=request.user, manager=query.validated_data.get("manager"))
        return paginated(self, found, DivergentPairSerializer)


class PersonMeasuresViewSet(viewsets.GenericViewSet):
    """/api/people/{id}/gaps/, paths/ and team/: what assessments measure of one person
    the caller may see (people.visibility), mounted beside the people endpoints."""

    lookup_value_converter = "int"
    queryset = Person.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self) -> QuerySet[Person]:
        pk = getattr(self, "kwargs", {}).get("pk")  # no kwargs when the schema is made
        people = Person.objects.visible_to(self.request.user, person_id=pk)
        return people.select_related("role", "target_role")

    @extend_schema(
        parameters=[OpenApiParameter("role", str, description="A role slug; default: target")],
        responses=GapsSerializer,
    )
    @action(detail=True)
    def gaps(self, request: AuthedRequest, pk: int) -> Response:
        role = None
        if "role" in request.query_params:
            slug = request.query_params["role"]
            # PostgreSQL refuses NUL in a query: such a slug names no role.
            role = Role.objects.filter(key=slug).first() if "\x00" not in slug else None
            if role is None:
                self.get_object()  # 404 for someone the caller may not see, before the 400
                raise exceptions.ValidationError({"role": ["No role has this slug."]})
        # The API's busiest read, in one query (bench/, target (a)), under the same
        # visibility rule as get_object(); and one more for others' aggregates.
        gaps = visible_gaps(user=request.user, person_id=pk, role=role, others=True)
        if gaps is None:
            raise Http404("No Person matches the given query.")  # as get_object() says it
        return Response(GapsSerializer(gaps).data)

    @extend_schema(responses=page_of(PathSerializer))
    @action(detail=True)
    def paths(self, request: Request, pk: str) -> Response:
        person = self.get_object()
        return paginated(self, paths_for(person=person), PathSerializer)

    @extend_schema(
        parameters=[OpenApiParameter("depth", str, enum=["direct", "all"])],
        responses=TeamSerializer,
    )
    @action(detail=True)
    def team(self, request: Request, pk: str) -> Response:
        person = self.get_object()
        depth = request.query_params.get("depth", "direct")
        if depth not in {"direct", "all"}:
            raise exceptions.ValidationError({"depth": ['Use "direct" or "all".']})
        return Response(TeamSerializer(team_for(manager=person, depth=depth)).data)


# --- The whole framework in the open format --------------------------------------------
# Here, not in skills: an import is checked against stored ratings first
# (assessments.services.framework_import).


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

    # The raw bytes, where DRF's parsers give data: what FrameworkView.post reads.
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> bytes:  # type: ignore[override]
        return read_bounded(stream)


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
            raise exceptions.ValidationError({"format": ['Use "json" or "yaml".']})

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
    def post(self, request: AuthedRequest) -> Response:
        self.check_format(request)
        dry_run = request.query_params.get("dry_run", "0")
        if dry_run not in {"0", "1", "true", "false"}:
            raise exceptions.ValidationError({"dry_run": ['Use "1" for a dry run or "0".']})
        try:
            result = framework_import(
                # FrameworkDocumentParser's bytes, which DRF's types do not know of.
                document=parse(cast(bytes, request.data) or b""),
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
