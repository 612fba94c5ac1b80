"""REST API of input from others (rules: assessments.feedback), what the pages do.

/api/feedback-requests/ (list, create), /api/feedback-requests/{id}/ (read),
/api/feedback-requests/{id}/answer/ and /decline/ (a respondent), and
/api/people/{id}/feedback/ (others' view per skill, as an aggregate only). A request
the caller may not open answers 404, as a nonexistent id. No response anywhere pairs a
respondent with what they answered: a respondent reads their own answers (`mine`),
everyone else reads counts and the aggregate.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assessments.feedback import (
    feedback_answer,
    feedback_decline,
    feedback_request_create,
    feedback_summary,
    is_open,
    min_answers,
    respondents_of,
    visible_requests,
)
from assessments.models import FeedbackRequest, FeedbackResponse
from core.drf import NoBodySerializer, StrictCharField, StrictIntegerField
from core.types import AuthedRequest
from people.models import Person

# --- Shapes ------------------------------------------------------------------------------


@extend_schema_field(
    {"type": "string", "enum": FeedbackResponse.Status.values},
    component_name="FeedbackResponseStatus",
)
class ResponseStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=FeedbackResponse.Status.choices, **kwargs)


class FeedbackAnswerSerializer(serializers.Serializer):
    skill = serializers.CharField(source="skill.key", help_text="A skill slug.")
    level = serializers.IntegerField(allow_null=True, help_text="null: can't say.")
    example = serializers.CharField()


class MyResponseSerializer(serializers.Serializer):
    status = ResponseStatusField()
    answers = FeedbackAnswerSerializer(many=True)


class FeedbackCountsSerializer(serializers.Serializer):
    asked = serializers.IntegerField()
    answered = serializers.IntegerField()
    declined = serializers.IntegerField()
    open = serializers.IntegerField()


class FeedbackRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField(source="person_id")
    requester = serializers.IntegerField(source="requester_id")
    skills = serializers.ListField(child=serializers.CharField(), help_text="Skill slugs.")
    message = serializers.CharField()
    due = serializers.DateField()
    created_at = serializers.DateTimeField()
    open = serializers.BooleanField(help_text="Answers may still be given or changed.")
    respondents = serializers.ListField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="Whom it was asked of (ids); null for a respondent who does not see "
        "the person's input.",
    )
    counts = FeedbackCountsSerializer(
        allow_null=True, help_text="How many answered or declined, never who; null likewise."
    )
    mine = MyResponseSerializer(
        allow_null=True, help_text="The caller's own response, if they were asked."
    )


class FeedbackRequestCreateSerializer(serializers.Serializer):
    person = StrictIntegerField(required=False, help_text="A person's id; default: the caller.")
    skills = serializers.ListField(child=StrictCharField(), help_text="1 to 8 skill slugs.")
    respondents = serializers.ListField(
        child=StrictIntegerField(), help_text="1 to 15 ids of active people."
    )
    message = StrictCharField(allow_blank=True, max_length=2000)
    due = serializers.DateField(help_text="YYYY-MM-DD, not in the past (site time zone).")


class FeedbackAnswerInSerializer(serializers.Serializer):
    skill = StrictCharField(help_text="A skill slug of the request.")
    level = StrictIntegerField(allow_null=True, help_text="A level of the scale; null: can't say.")
    example = StrictCharField(
        allow_blank=True, required=False, default="", help_text="Required with a level."
    )


class FeedbackAnswerRequestSerializer(serializers.Serializer):
    answers = FeedbackAnswerInSerializer(many=True, help_text="One per skill of the request.")


class FeedbackListQuerySerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=["asked", "made"], required=False)


class OthersSkillSerializer(serializers.Serializer):
    skill = serializers.CharField(source="skill.key")
    answers = serializers.IntegerField(
        source="aggregate.answers", help_text="People who gave a level (can't say not counted)."
    )
    enough = serializers.BooleanField(source="aggregate.enough")
    median = serializers.FloatField(source="aggregate.median", allow_null=True)
    min = serializers.IntegerField(source="aggregate.min", allow_null=True)
    max = serializers.IntegerField(source="aggregate.max", allow_null=True)
    examples = serializers.ListField(
        source="aggregate.examples",
        child=serializers.CharField(),
        help_text="Sorted by text; empty below the threshold.",
    )


class OthersSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    min_answers = serializers.IntegerField()
    skills = OthersSkillSerializer(many=True)


def _data(items: list[FeedbackRequest]) -> list[dict[str, Any]]:
    """The requests as the caller may see them (from visible_requests)."""
    named = respondents_of(items)
    rows = []
    for item in items:
        oversees = bool(getattr(item, "oversees", False))
        mine = item.mine[0] if item.mine else None  # type: ignore[attr-defined]
        rows.append(
            {
                "id": item.pk,
                "person_id": item.person_id,
                "requester_id": item.requester_id,
                "skills": sorted(s.key for s in item.skills.all()),
                "message": item.message,
                "due": item.due,
                "created_at": item.created_at,
                "open": is_open(item),
                "respondents": sorted(p.pk for p in named[item.pk]) if oversees else None,
                "counts": {
                    "asked": item.asked,  # type: ignore[attr-defined]
                    "answered": item.answered,  # type: ignore[attr-defined]
                    "declined": item.declined,  # type: ignore[attr-defined]
                    "open": item.asked - item.answered - item.declined,  # type: ignore[attr-defined]
                }
                if oversees
                else None,
                "mine": {
                    "status": mine.status,
                    "answers": sorted(mine.answers.all(), key=lambda a: a.skill.key),
                }
                if mine is not None
                else None,
            }
        )
    return FeedbackRequestSerializer(rows, many=True).data  # type: ignore[return-value]


# --- Views ------------------------------------------------------------------------------


class FeedbackRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """/api/feedback-requests/: requests asked of the caller, or made by them or about
    someone they may see."""

    serializer_class = FeedbackRequestSerializer
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "head", "options"]
    queryset = FeedbackRequest.objects.none()  # for the schema; requests use get_queryset()
    request: AuthedRequest

    def get_queryset(self) -> QuerySet[FeedbackRequest]:
        return visible_requests(self.request.user)

    def _one(self, pk: int) -> dict[str, Any]:
        found = list(visible_requests(self.request.user).filter(pk=pk))
        if not found:
            raise Http404("No FeedbackRequest matches the given query.")
        return _data(found)[0]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "role",
                OpenApiTypes.STR,
                enum=["asked", "made"],
                description="asked: requests asked of me; made: made by me or about "
                "someone I may see (myself included). Both when left out.",
            )
        ]
    )
    def list(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        query = FeedbackListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        requests = visible_requests(request.user, role=query.validated_data.get("role", ""))
        page = self.paginate_queryset(requests)
        return self.get_paginated_response(_data(list(page or [])))

    def retrieve(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        return Response(self._one(int(kwargs["pk"])))

    @extend_schema(
        request=FeedbackRequestCreateSerializer, responses={201: FeedbackRequestSerializer}
    )
    def create(self, request: AuthedRequest) -> Response:
        serializer = FeedbackRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person: Person = request.user
        if "person" in data:
            found = Person.objects.visible_to(request.user, person_id=data["person"]).first()
            if found is None:  # as a nonexistent id
                raise exceptions.ValidationError(
                    {"person": [f'Invalid pk "{data["person"]}" - object does not exist.']}
                )
            person = found
        try:
            made = feedback_request_create(
                by=request.user,
                person=person,
                skills=data["skills"],
                respondents=data["respondents"],
                message=data["message"],
                due=data["due"],
            )
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied({"person": [str(exc)]}) from exc
        return Response(self._one(made.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        description="Give or change the caller's answers (replacing them all).",
        request=FeedbackAnswerRequestSerializer,
        responses=FeedbackRequestSerializer,
    )
    @action(detail=True, methods=["post"], serializer_class=FeedbackAnswerRequestSerializer)
    def answer(self, request: AuthedRequest, pk: int) -> Response:
        found = self._asked(pk)
        serializer = FeedbackAnswerRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answers = [dict(a) for a in serializer.validated_data["answers"]]
        feedback_answer(by=request.user, request=found, answers=answers)
        return Response(self._one(found.pk))

    @extend_schema(
        description="Decline the whole request (any answers given are withdrawn).",
        request=None,
        responses=FeedbackRequestSerializer,
    )
    @action(detail=True, methods=["post"], serializer_class=NoBodySerializer)
    def decline(self, request: AuthedRequest, pk: int) -> Response:
        found = self._asked(pk)
        feedback_decline(by=request.user, request=found)
        return Response(self._one(found.pk))

    def _asked(self, pk: int) -> FeedbackRequest:
        """A request the caller may open; 403 if they may see it but were not asked."""
        found = visible_requests(self.request.user).filter(pk=pk).first()
        if found is None:
            raise Http404("No FeedbackRequest matches the given query.")
        if not found.mine:  # type: ignore[attr-defined]
            raise exceptions.PermissionDenied("Only the people asked answer a request.")
        return found


class PersonFeedbackViewSet(viewsets.GenericViewSet):
    """/api/people/{id}/feedback/: others' view of the person, per skill."""

    lookup_value_converter = "int"
    queryset = Person.objects.none()  # for the schema; requests use visible_to()
    request: AuthedRequest

    @extend_schema(
        description="Per skill anyone was asked about: the number of people who gave a "
        "level; below min_answers, nothing else (median, min, max null, examples empty).",
        responses=OthersSerializer,
    )
    @action(detail=True, methods=["get"])
    def feedback(self, request: AuthedRequest, pk: int) -> Response:
        person = Person.objects.visible_to(request.user, person_id=pk).first()
        if person is None:
            raise Http404("No Person matches the given query.")
        data = {
            "person": person.pk,
            "min_answers": min_answers(),
            "skills": feedback_summary(person),
        }
        return Response(OthersSerializer(data).data)
