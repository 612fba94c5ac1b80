from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from assessments.models import Assessment, Rating
from assessments.services import scale_change_problems
from core.access import HistoryAdminMixin, HRAdminMixin
from skills.models import Scale


class RatingInline(admin.TabularInline):
    model = Rating
    fields = ("skill", "level", "evidence")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return getattr(request.user, "is_hr", False) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(HRAdminMixin, admin.ModelAdmin):
    """Read-only: assessments are written by their authors through the app, submitted
    ones never change, and drafts stay private to their author."""

    list_display = ("person", "kind", "author", "submitted_at")
    list_filter = ("kind",)
    list_select_related = ("person", "author")
    search_fields = ("person__username", "person__name", "author__username")
    date_hierarchy = "submitted_at"
    readonly_fields = ("person", "author", "kind", "status", "created_at", "submitted_at")
    inlines = [RatingInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assessment]:
        return super().get_queryset(request).filter(status=Assessment.Status.SUBMITTED)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ScaleForm(forms.ModelForm):
    """The scale, checked against everything stored on it, ratings included: kept here
    rather than in skills, which knows no ratings."""

    class Meta:
        model = Scale
        fields = ("minimum", "maximum", "labels")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what ModelForm.clean returns
        minimum, maximum, labels = data.get("minimum"), data.get("maximum"), data.get("labels")
        if minimum is None or maximum is None:
            return data
        if maximum <= minimum:
            raise forms.ValidationError({"maximum": "Must be above the minimum."})
        if not isinstance(labels, list) or len(labels) != maximum - minimum + 1:
            raise forms.ValidationError(
                {"labels": f"Give one label per level, {maximum - minimum + 1} in all."}
            )
        if problems := scale_change_problems(minimum, maximum):
            raise forms.ValidationError(problems)
        return data


@admin.register(Scale)
class ScaleAdmin(HRAdminMixin, HistoryAdminMixin, SimpleHistoryAdmin):
    form = ScaleForm
    list_display = ("__str__", "labels")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return not Scale.objects.exists() and super().has_add_permission(request, *args)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
