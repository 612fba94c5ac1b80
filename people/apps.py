from __future__ import annotations

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "Organisation"

    def ready(self) -> None:
        from people import (
            receivers,  # noqa: F401  (log-ins and changes of people, audited)
            tokens,  # noqa: F401  (tokens die with the password)
        )
