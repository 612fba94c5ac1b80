from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from core import (
            edge,  # noqa: F401  (connects the session's start to logging in)
            security,  # noqa: F401  (counts failed log-ins per address)
        )
