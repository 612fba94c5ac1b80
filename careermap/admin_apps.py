from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class CareermapAdminConfig(AdminConfig):
    default_site = "careermap.admin_site.CareermapAdminSite"
