from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from core.access import HistoryAdminMixin, HRAdminMixin
from skills.models import Category, Expectation, Role, Skill


@admin.register(Category)
class CategoryAdmin(HRAdminMixin, HistoryAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "key", "kind", "order")
    list_editable = ("order",)
    search_fields = ("name", "key")
    prepopulated_fields = {"key": ("name",)}


@admin.register(Skill)
class SkillAdmin(HRAdminMixin, HistoryAdminMixin, SimpleHistoryAdmin):
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
class RoleAdmin(HRAdminMixin, HistoryAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "key", "track", "level", "retired")
    list_filter = ("track", "retired")
    search_fields = ("name", "key")
    prepopulated_fields = {"key": ("name",)}
    filter_horizontal = ("next_roles",)
    inlines = [ExpectationInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retire instead: people and history keep the role
