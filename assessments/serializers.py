from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.gaps import Gaps, Team
from assessments.models import Assessment
from core.drf import (
    QueryIntegerField,
    StrictCharField,
    StrictIntegerField,
    StrictPrimaryKeyRelatedField,
)
from people.visibility import visible_people


class RatingSerializer(serializers.Serializer):
    skill = StrictCharField(help_text="A skill slug.")
    level = StrictIntegerField(
        allow_null=True,
        required=False,
        help_text="A level of the scale; null removes the rating from a draft; left out, "
        "the level stays (to change the evidence alone).",
    )
    evidence = StrictCharField(allow_blank=True, required=False, trim_whitespace=False)


class AssessmentSerializer(serializers.ModelSerializer):
    serializer_related_field = StrictPrimaryKeyRelatedField  # person: an id, never "3"
    ratings = RatingSerializer(many=True, required=False)

    class Meta:
        model = Assessment
        fields = ["id", "person", "author", "kind", "status", "created_at", "submitted_at"]
        fields += ["ratings", "version"]
        read_only_fields = ["id", "author", "status", "created_at", "submitted_at", "version"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A person the caller cannot see is treated like one that does not exist.
        self.fields["person"].queryset = visible_people(self.context.get("request"))  # type: ignore[attr-defined]

    def to_representation(self, assessment: Assessment) -> dict[str, Any]:
        data = super().to_representation(assessment)
        data["ratings"] = sorted(
            (
                {"skill": r.skill.key, "level": r.level, "evidence": r.evidence}
                for r in assessment.ratings.all()
            ),
            key=lambda r: r["skill"],
        )
        return data


class AssessmentUpdateSerializer(serializers.Serializer):
    ratings = RatingSerializer(many=True)


class GapRowSerializer(serializers.Serializer):
    skill = serializers.CharField(source="key")
    expected = serializers.IntegerField()
    self = serializers.IntegerField(source="self_level", allow_null=True)
    manager = serializers.IntegerField(source="manager_level", allow_null=True)
    current = serializers.IntegerField(allow_null=True)
    gap = serializers.IntegerField()


class GapsSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person.pk")
    role = serializers.CharField(source="role.key", allow_null=True, default=None)
    readiness = serializers.FloatField(allow_null=True)
    skills = GapRowSerializer(source="rows", many=True)

    def to_representation(self, gaps: Gaps) -> dict[str, Any]:
        # The fields above (which make the schema), written out: DRF's field-by-field
        # walk cost more than the query on /gaps/, the API's busiest endpoint (bench/,
        # target (a)). schemathesis and tests/assessments/test_api_shapes.py hold the two together.
        return {
            "person": gaps.person.pk,
            "role": gaps.role.key if gaps.role else None,
            "readiness": gaps.readiness,
            "skills": [
                {
                    "skill": row.key,
                    "expected": row.expected,
                    "self": row.self_level,
                    "manager": row.manager_level,
                    "current": row.current,
                    "gap": row.gap,
                }
                for row in gaps.rows
            ],
        }


class PathSerializer(serializers.Serializer):
    role = serializers.CharField(source="role.key")
    readiness = serializers.FloatField()
    total_gap = serializers.IntegerField(source="gaps.total_gap")
    reachable = serializers.BooleanField()


class MemberSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person.pk")
    role = serializers.CharField(allow_null=True, help_text="The role gaps are measured against.")
    current_role = serializers.CharField(allow_null=True)
    readiness = serializers.FloatField(allow_null=True)
    gaps = serializers.DictField(child=serializers.IntegerField())

    def to_representation(self, gaps: Gaps) -> dict[str, Any]:
        person = gaps.person
        return {
            "person": person.pk,
            "role": gaps.role.key if gaps.role else None,
            "current_role": person.role.key if person.role else None,
            "readiness": gaps.readiness,
            "gaps": {row.key: row.gap for row in gaps.rows},
        }


class TeamSerializer(serializers.Serializer):
    manager = serializers.IntegerField(source="manager.pk")
    skills = serializers.SerializerMethodField()
    members = MemberSerializer(many=True)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_skills(self, team: Team) -> list[str]:
        return [skill.key for skill in team.skills]


class SkillReportSerializer(serializers.Serializer):
    skill = serializers.CharField(source="skill.key")
    expected = serializers.IntegerField()
    below = serializers.IntegerField()
    meeting = serializers.IntegerField()
    unassessed = serializers.IntegerField()
    average_gap = serializers.FloatField(allow_null=True)


class CalibrationSerializer(serializers.Serializer):
    manager = serializers.IntegerField(source="manager.pk")
    reports = serializers.IntegerField()
    pairs = serializers.IntegerField()
    mean_delta = serializers.FloatField(allow_null=True)
    divergent = serializers.IntegerField()


class DivergentPairSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id")
    manager = serializers.IntegerField(source="manager_author_id")
    skill = serializers.CharField(source="skill.key")
    self_level = serializers.IntegerField()
    manager_level = serializers.IntegerField()


class DivergentQuerySerializer(serializers.Serializer):
    manager = QueryIntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Only this manager's direct reports.",
    )
