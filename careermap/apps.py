from __future__ import annotations

from django.apps import AppConfig


class CareermapConfig(AppConfig):
    name = "careermap"
    verbose_name = "Organisation"

    def ready(self) -> None:
        from careermap import receivers  # noqa: F401  (connects the audit trail)
