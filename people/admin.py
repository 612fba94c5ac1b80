from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from core.access import HRAdminMixin
from core.audit import record
from people.models import Notification, Person
from people.services import manager_error
from skills.models import Role


class PersonForm(UserChangeForm):
    """Shows the password hash read-only (with a link to change it), never as text."""

    class Meta(UserChangeForm.Meta):
        model = Person

    def _active_role(self, field: str) -> Role | None:
        role = self.cleaned_data.get(field)
        if role is not None and role.retired:
            raise forms.ValidationError(f'Role "{role.key}" is retired.')
        return role

    def clean_role(self) -> Role | None:
        return self._active_role("role")

    def clean_target_role(self) -> Role | None:
        return self._active_role("target_role")

    def clean_manager(self) -> Person | None:
        manager = self.cleaned_data.get("manager")
        if manager is not None and (problem := manager_error(self.instance, manager)):
            raise forms.ValidationError(problem)
        return manager


class HRPersonAddForm(forms.ModelForm):
    """HR adds a person without a password: they choose their own from an invitation
    (people.invitations). Only a superuser sets someone's password in the admin."""

    class Meta:
        model = Person
        fields = ("username", "name", "email", "role", "manager")

    def save(self, commit: bool = True) -> Person:
        person = super().save(commit=False)
        person.set_unusable_password()
        if commit:
            person.save()
        return person


@admin.register(Person)
class PersonAdmin(HRAdminMixin, UserAdmin):
    form = PersonForm
    list_display = ("username", "name", "role", "target_role", "manager", "is_hr", "is_active")
    list_filter = ("is_hr", "is_active", "role", "target_role")
    list_select_related = ("role", "target_role", "manager")
    search_fields = ("username", "name", "email")
    autocomplete_fields = ("manager",)
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("name", "email", "role", "target_role", "manager")}),
        ("Access", {"fields": ("is_active", "is_hr", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "name",
                    "email",
                    "role",
                    "manager",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # HR keeps the org chart, never the keys to a superuser (password included).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None and not request.user.is_superuser:
            kwargs["form"] = HRPersonAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # HR neither sees a password field nor the link to set one.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if "password" not in f]})
            for name, options in fieldsets
        ]

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        if not request.user.is_superuser:
            raise PermissionDenied("Only a superuser sets a password here: send an invitation.")
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            person = self.get_object(request, unquote(id))
            record(
                by=request.user,
                action="password.set",
                summary=f"{person}: password set in the admin by {request.user}",
                target=person.username if person else "",
            )
        return response

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Only a superuser hands out superuser or staff rights.
        if request.user.is_superuser:
            return ()
        return ("is_staff", "is_superuser", "last_login", "date_joined")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only, for superusers (no HR mixin: what people were told is theirs; HR
    has the failed notifications page)."""

    list_display = ["created_at", "recipient", "kind", "title", "email", "attempts"]
    list_filter = ["kind", "email"]
    search_fields = ["recipient__username", "title"]
    list_select_related = ["recipient"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
