from __future__ import annotations

from django.apps import AppConfig


class CareermapConfig(AppConfig):
    """The project shell: settings, root URLs, the API router, navigation."""

    name = "careermap"
    verbose_name = "careermap"
