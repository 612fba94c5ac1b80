from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.drf import StrictPrimaryKeyRelatedField, StrictSlugRelatedField
from people.models import Person
from skills.models import Role


class PersonSerializer(serializers.ModelSerializer):
    role = StrictSlugRelatedField(
        slug_field="key", queryset=Role.objects.all(), allow_null=True, required=False
    )
    target_role = StrictSlugRelatedField(
        slug_field="key", queryset=Role.objects.all(), allow_null=True, required=False
    )
    manager = StrictPrimaryKeyRelatedField(
        queryset=Person.objects.none(), allow_null=True, required=False
    )

    class Meta:
        model = Person
        fields = ["id", "username", "name", "role", "target_role", "manager"]
        read_only_fields = ["id", "username", "name"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A manager the caller cannot see is treated like one that does not exist.
            self.fields["manager"].queryset = Person.objects.visible_to(request.user)  # type: ignore[attr-defined]


class MeSerializer(PersonSerializer):
    is_hr = serializers.BooleanField(read_only=True)

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "is_hr"]
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation on its way: to whom, and when it was queued."""

    class Meta:
        model = Person
        fields = ["id", "username", "email", "invited_at"]
        read_only_fields = fields


class RoleChangeSerializer(serializers.Serializer):
    """One change of a person's role (people.services.role_change)."""

    id = serializers.IntegerField()
    from_role = serializers.CharField(source="from_role.key", allow_null=True, default=None)
    to_role = serializers.CharField(source="to_role.key", allow_null=True, default=None)
    changed_by = serializers.IntegerField(source="changed_by_id", allow_null=True)
    case = serializers.IntegerField(
        source="case_id", allow_null=True, help_text="The promotion case behind it, if any."
    )
    at = serializers.DateTimeField()
