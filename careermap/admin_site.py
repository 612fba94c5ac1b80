"""The admin site, where HR admins edit the framework and the org chart.

Kept apart from careermap/admin.py: the admin app loads the site class before any
admin module registers a model.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class CareermapAdminSite(admin.AdminSite):
    site_header = "careermap administration"
    site_title = "careermap admin"
    index_title = "Framework and organisation"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_staff or getattr(user, "is_hr", False)))


class CareermapAdminConfig(AdminConfig):
    default_site = "careermap.admin_site.CareermapAdminSite"
