from __future__ import annotations

from datetime import datetime
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.gaps import Gaps, Team
from assessments.models import Assessment, Evidence
from core.drf import (
    QueryIntegerField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    StrictPrimaryKeyRelatedField,
)
from people.models import Person
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
    evidence_items = serializers.ListField(
        child=StrictIntegerField(),
        required=False,
        help_text="Ids of the assessed person's evidence items the rating cites; left out, "
        "the citations stay.",
    )

    def to_representation(self, rating: Any) -> dict[str, Any]:
        return {
            "skill": rating.skill.key,
            "level": rating.level,
            "evidence": rating.evidence,
            "evidence_items": sorted(e.pk for e in rating.evidence_items.all()),
        }


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
        data["ratings"] = sorted(data["ratings"], key=lambda r: r["skill"])
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
    rated_at = serializers.DateTimeField(
        allow_null=True, help_text="When the current level was submitted."
    )
    stale = serializers.BooleanField(
        help_text="The current level is older than CAREERMAP_STALE_AFTER_DAYS (365)."
    )
    evidence_count = serializers.IntegerField(
        help_text="The person's undisputed evidence items showing the skill."
    )
    others = serializers.FloatField(
        source="others_median",
        allow_null=True,
        help_text="Others' median level (input from others); null below "
        "CAREERMAP_FEEDBACK_MIN_ANSWERS answers.",
    )
    others_count = serializers.IntegerField(
        help_text="How many people gave a level for the skill (can't-say not counted); "
        "shown below the threshold too."
    )


def _iso(at: datetime | None) -> str | None:
    """As DRF writes a DateTimeField (UTC ends in Z)."""
    return None if at is None else _DATETIME.to_representation(at)


_DATETIME = serializers.DateTimeField()


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
                    "rated_at": _iso(row.rated_at),
                    "stale": row.stale,
                    "evidence_count": row.evidence_count,
                    "others": row.others_median,
                    "others_count": row.others_count,
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
    evidence_coverage = serializers.FloatField(
        allow_null=True,
        min_value=0.0,
        max_value=1.0,
        help_text="The share (0 to 1) of the ratings the manager submitted in the last 365 "
        "days that cite evidence; null when they submitted none.",
    )
    mean_vs_others = serializers.FloatField(
        allow_null=True,
        help_text="The mean of (manager level - others' median) over the direct reports' "
        "skills with at least CAREERMAP_FEEDBACK_MIN_ANSWERS answers from others; null "
        "when there are none.",
    )


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


# --- The evidence log (rules: assessments.evidence) -----------------------------------


class EvidenceSerializer(serializers.Serializer):
    """An item as read, and the fields a POST gives (`person` defaults to the caller)."""

    id = serializers.IntegerField(read_only=True)
    person = StrictPrimaryKeyRelatedField(
        queryset=Person.objects.none(), required=False, help_text="Default: you."
    )
    title = StrictCharField(max_length=200)
    kind = serializers.ChoiceField(choices=Evidence.Kind.choices)
    date = serializers.DateField(help_text="Not in the future.")
    url = StrictCharField(
        allow_blank=True, required=False, max_length=500, help_text="http(s) only; never fetched."
    )
    description = StrictCharField(allow_blank=True, required=False, trim_whitespace=False)
    skills = serializers.ListField(
        child=StrictCharField(), min_length=1, help_text="Skill slugs: at least one."
    )
    added_by = serializers.IntegerField(source="added_by_id", read_only=True)
    disputed = serializers.BooleanField(read_only=True)
    dispute_comment = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A person the caller cannot see is treated like one that does not exist.
        self.fields["person"].queryset = visible_people(self.context.get("request"))  # type: ignore[attr-defined]

    def to_representation(self, item: Evidence) -> dict[str, Any]:
        return {
            "id": item.pk,
            "person": item.person_id,
            "title": item.title,
            "kind": item.kind,
            "date": item.date.isoformat(),
            "url": item.url,
            "description": item.description,
            "skills": sorted(s.key for s in item.skills.all()),
            "added_by": item.added_by_id,
            "disputed": item.disputed,
            "dispute_comment": item.dispute_comment,
            "created_at": _iso(item.created_at),
            "updated_at": _iso(item.updated_at),
        }


class EvidenceUpdateSerializer(serializers.Serializer):
    """PATCH: whoever added the item changes its fields; the person it is about
    disputes an observation (or withdraws the dispute) with `disputed` and a comment."""

    title = StrictCharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=Evidence.Kind.choices, required=False)
    date = serializers.DateField(required=False)
    url = StrictCharField(allow_blank=True, required=False, max_length=500)
    description = StrictCharField(allow_blank=True, required=False, trim_whitespace=False)
    skills = serializers.ListField(child=StrictCharField(), min_length=1, required=False)
    disputed = StrictBooleanField(required=False)
    dispute_comment = StrictCharField(allow_blank=True, required=False)
