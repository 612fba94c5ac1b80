"""GET, PUT /api/me/path-guide/: the caller's own answers to the guide to choosing a
path, with where they point (rules: assessments.path_guide). Nobody else's answers are
reachable through the API: there is no route with another person's id."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import path_guide as rules
from core.types import AuthedRequest

GUIDE_SHAPE = inline_serializer(
    "PathGuide",
    {
        "answers": serializers.DictField(child=serializers.CharField()),
        "advice": inline_serializer(
            "PathGuideTrack",
            {
                "track": serializers.CharField(),
                "score": serializers.IntegerField(),
                "reasons": serializers.ListField(child=serializers.CharField()),
                "roles": inline_serializer(
                    "PathGuideRole",
                    {
                        "slug": serializers.CharField(),
                        "name": serializers.CharField(),
                        "url": serializers.CharField(),
                    },
                    many=True,
                ),
            },
            many=True,
        ),
        "workplace": serializers.ListField(child=serializers.CharField()),
    },
)
ANSWERS_SHAPE = inline_serializer(
    "PathGuideAnswers", {"answers": serializers.DictField(child=serializers.CharField())}
)


def _guide(answers: dict[str, str]) -> dict[str, Any]:
    return {
        "answers": answers,
        "advice": [
            {
                "track": a.track,
                "score": a.score,
                "reasons": a.reasons,
                "roles": [
                    {
                        "slug": r.key,
                        "name": r.name,
                        "url": reverse("assessments:role", args=[r.key]),
                    }
                    for r in a.roles
                ],
            }
            for a in rules.advice_for(answers)
        ],
        "workplace": rules.workplace_meanings(answers),
    }


class PathGuideView(APIView):
    """The caller's answers (private to them) and where they point. PUT replaces the
    answers: a question left out is unanswered; an unknown question or answer is a 400
    naming it, and changes nothing."""

    @extend_schema(responses=GUIDE_SHAPE)
    def get(self, request: AuthedRequest) -> Response:
        return Response(_guide(rules.answers_of(request.user)))

    @extend_schema(request=ANSWERS_SHAPE, responses=GUIDE_SHAPE)
    def put(self, request: AuthedRequest) -> Response:
        data = request.data
        if not isinstance(data, dict) or "answers" not in data:
            raise serializers.ValidationError(
                {"answers": ['Send {"answers": {question: answer}}.']}
            )
        return Response(_guide(rules.reflection_save(person=request.user, answers=data["answers"])))
