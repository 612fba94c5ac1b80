"""GET /api/roles/{slug}/ with what the role page shows (issue 21): the skills app's
role resource, extended here because holders are people, a layer above skills. The
shell registers this view set at /api/roles/ in place of skills'."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers

from assessments.role_pages import holders_of, roles_with_page
from skills.api import RoleViewSet
from skills.models import Role
from skills.serializers import RoleSerializer

_PAGE_TEXT = ("description", "typical_week", "changes")


class HolderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RolePageSerializer(RoleSerializer):
    """The role, plus its page: read-only here (the framework file writes the texts;
    HR's show_holders is switched on the role page)."""

    # Declared only where the skills serializer does not (yet) carry them itself.
    if "description" not in RoleSerializer.Meta.fields:
        description = serializers.CharField(read_only=True)
    if "typical_week" not in RoleSerializer.Meta.fields:
        typical_week = serializers.CharField(read_only=True)
    if "changes" not in RoleSerializer.Meta.fields:
        changes = serializers.CharField(read_only=True)  # type: ignore[assignment]
    if "variant_of" not in RoleSerializer.Meta.fields:
        variant_of = serializers.CharField(
            read_only=True, allow_null=True, help_text="The role this one is a variant of."
        )
    variants = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Its archetype variants."
    )
    show_holders = serializers.BooleanField(read_only=True)
    holders = serializers.SerializerMethodField(
        help_text="Who holds the role today (active people); null when the role hides them."
    )

    class Meta(RoleSerializer.Meta):
        fields = [
            *RoleSerializer.Meta.fields,
            *(f for f in (*_PAGE_TEXT, "variant_of") if f not in RoleSerializer.Meta.fields),
            "variants",
            "show_holders",
            "holders",
        ]

    @extend_schema_field(HolderSerializer(many=True, allow_null=True))
    def get_holders(self, role: Role) -> list[dict[str, Any]] | None:
        holders = holders_of(role)
        if holders is None:
            return None
        return [{"id": p.pk, "name": p.get_full_name() or p.username} for p in holders]

    def to_representation(self, role: Role) -> dict[str, Any]:
        data = super().to_representation(role)
        for name in _PAGE_TEXT:
            data[name] = getattr(role, name)
        parent = role.variant_of
        data["variant_of"] = parent.key if parent is not None else None
        data["variants"] = sorted(v.key for v in role.variants.all())
        data["show_holders"] = role.show_holders
        data["holders"] = self.get_holders(role)
        return data


@extend_schema(parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH)])
class RolePageViewSet(RoleViewSet):
    """Skills' role resource with the role page's parts."""

    queryset = roles_with_page().order_by("key")  # type: ignore[assignment]
    serializer_class = RolePageSerializer
