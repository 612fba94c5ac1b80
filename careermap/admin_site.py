"""The admin site, where HR admins edit the framework and the org chart.

Kept apart from the apps' admin.py modules: the admin app loads the site class before any
admin module registers a model. (Its AppConfig lives in careermap/admin_apps.py,
which must import nothing that needs the app registry.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest

from core.security import BoundedCredentials

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from people.models import Person


def may_use_admin(user: Person | AnonymousUser) -> bool:
    return bool(user.is_active and (user.is_staff or getattr(user, "is_hr", False)))


class HRAuthenticationForm(BoundedCredentials, AdminAuthenticationForm):
    """Django's admin login admits staff only; HR admins are let in too. Lengths are
    bounded before authentication (core.security.BoundedCredentials)."""

    def confirm_login_allowed(self, user: Person) -> None:
        if not may_use_admin(user):
            super().confirm_login_allowed(user)


class CareermapAdminSite(admin.AdminSite):
    site_header = "careermap administration"
    site_title = "careermap admin"
    index_title = "Framework and organisation"
    login_form = HRAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return may_use_admin(request.user)
