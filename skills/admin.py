from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from careermap.admin import HRAdminMixin
from skills.models import Category, Expectation, Role, Scale, Skill
from skills.openformat import scale_change_errors


class ScaleForm(forms.ModelForm):
    class Meta:
        model = Scale
        fields = ("minimum", "maximum", "labels")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        minimum, maximum, labels = data.get("minimum"), data.get("maximum"), data.get("labels")
        if minimum is None or maximum is None:
            return data
        if maximum <= minimum:
            raise forms.ValidationError({"maximum": "Must be above the minimum."})
        if not isinstance(labels, list) or len(labels) != maximum - minimum + 1:
            raise forms.ValidationError(
                {"labels": f"Give one label per level, {maximum - minimum + 1} in all."}
            )
        if problems := scale_change_errors(minimum, maximum):
            raise forms.ValidationError(problems)
        return data


@admin.register(Scale)
class ScaleAdmin(HRAdminMixin, SimpleHistoryAdmin):
    form = ScaleForm
    list_display = ("__str__", "labels")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return not Scale.objects.exists() and super().has_add_permission(request, *args)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(HRAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "key", "kind", "order")
    list_editable = ("order",)
    search_fields = ("name", "key")
    prepopulated_fields = {"key": ("name",)}


@admin.register(Skill)
class SkillAdmin(HRAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "key", "category", "retired")
    list_filter = ("retired", "category__kind", "category")
    list_select_related = ("category",)
    search_fields = ("name", "key", "description")
    prepopulated_fields = {"key": ("name",)}

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retire instead: ratings and history keep the skill


class ExpectationInline(admin.TabularInline):
    model = Expectation
    extra = 1
    autocomplete_fields = ("skill",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return getattr(request.user, "is_hr", False) or super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return getattr(request.user, "is_hr", False) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return getattr(request.user, "is_hr", False) or super().has_delete_permission(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return getattr(request.user, "is_hr", False) or super().has_view_permission(request, obj)


@admin.register(Role)
class RoleAdmin(HRAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "key", "track", "level", "retired")
    list_filter = ("track", "retired")
    search_fields = ("name", "key")
    prepopulated_fields = {"key": ("name",)}
    filter_horizontal = ("next_roles",)
    inlines = [ExpectationInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retire instead: people and history keep the role
