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
