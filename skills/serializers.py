from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.drf import (
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    StrictSlugRelatedField,
)
from skills.models import Category, Role, Skill


class CategorySerializer(serializers.ModelSerializer):
    slug = serializers.CharField(source="key")

    class Meta:
        model = Category
        fields = ["slug", "name", "kind", "description", "order"]


class SkillSerializer(serializers.ModelSerializer):
    slug = StrictCharField(source="key", max_length=100)
    name = StrictCharField(max_length=200)
    category = StrictSlugRelatedField(slug_field="key", queryset=Category.objects.all())
    description = StrictCharField(allow_blank=True, required=False)
    levels = serializers.DictField(
        child=StrictCharField(allow_blank=False),
        required=False,
        help_text='Descriptor per level of the scale: {"1": "...", "3": "..."}.',
    )
    how_to_grow = StrictCharField(allow_blank=True, required=False)
    retired = StrictBooleanField(required=False)

    class Meta:
        model = Skill
        fields = ["slug", "name", "category", "description", "levels", "how_to_grow", "retired"]

    def changes(self) -> dict[str, Any]:
        """The validated fields as open-format entry fields."""
        data = dict(self.validated_data)
        data.pop("key", None)
        if "category" in data:
            data["category"] = data["category"].key
        return data


class ExpectationSerializer(serializers.Serializer):
    skill = StrictCharField()
    level = StrictIntegerField(min_value=0)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A PATCH of the role is partial, which DRF passes down to nested fields; one
        # expectation is never partial: it names a skill and a level.
        missing = {
            name: [field.error_messages["required"]]
            for name, field in self.fields.items()
            if name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class RoleSerializer(serializers.ModelSerializer):
    slug = StrictCharField(source="key", max_length=100)
    name = StrictCharField(max_length=200)
    track = serializers.ChoiceField(choices=Role.Track.choices)
    level = StrictIntegerField(min_value=0)
    summary = StrictCharField(allow_blank=True, required=False)
    next_roles = serializers.ListField(child=StrictCharField(), required=False)
    expectations = ExpectationSerializer(many=True, required=False)
    retired = StrictBooleanField(required=False)

    class Meta:
        model = Role
        fields = ["slug", "name", "track", "level", "summary", "next_roles", "expectations"]
        fields += ["retired"]

    def to_representation(self, role: Role) -> dict[str, Any]:
        return {
            "slug": role.key,
            "name": role.name,
            "track": role.track,
            "level": role.level,
            "summary": role.summary,
            "next_roles": sorted(r.key for r in role.next_roles.all()),
            "expectations": sorted(
                ({"skill": e.skill.key, "level": e.level} for e in role.expectations.all()),
                key=lambda e: e["skill"],
            ),
            "retired": role.retired,
        }

    def validate_expectations(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen: set[str] = set()
        for item in value:
            if item["skill"] in seen:
                raise serializers.ValidationError(f'Skill "{item["skill"]}" appears twice.')
            seen.add(item["skill"])
        return value

    def changes(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        data.pop("key", None)
        if "expectations" in data:
            data["expectations"] = {e["skill"]: e["level"] for e in data["expectations"]}
        return data


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True)
    changes = HistoryChangeSerializer(many=True)


class ImportOutcomeSerializer(serializers.Serializer):
    scale = serializers.ListField(child=serializers.CharField())
    categories = serializers.ListField(child=serializers.CharField())
    skills = serializers.ListField(child=serializers.CharField())
    roles = serializers.ListField(child=serializers.CharField())


class ImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    created = ImportOutcomeSerializer()
    updated = ImportOutcomeSerializer()
    unchanged = ImportOutcomeSerializer()
