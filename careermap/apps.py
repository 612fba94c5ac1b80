from __future__ import annotations

from django.apps import AppConfig


class CareermapConfig(AppConfig):
    name = "careermap"
    verbose_name = "Organisation"
