from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from assessments.models import Assessment, Rating
from careermap.admin import HRAdminMixin


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
