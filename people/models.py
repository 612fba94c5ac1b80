"""The organisation: people, who manages whom, and the roles they hold or aim at."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from people.visibility import VisibilityQuerySet


# django-stubs' plugin types this base on some runs and not on others (seen with a
# fresh cache): the ignore may be used or unused, hence the override in pyproject.toml.
class PersonManager(UserManager.from_queryset(VisibilityQuerySet)):  # type: ignore[misc]
    pass


class Person(AbstractUser):
    name = models.CharField(max_length=200, blank=True)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    role = models.ForeignKey(
        "skills.Role",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holders",
        help_text="The role the person holds now.",
    )
    target_role = models.ForeignKey(
        "skills.Role",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aspirants",
        help_text="The role the person aims at; chosen by the person.",
    )
    is_hr = models.BooleanField(
        "HR admin",
        default=False,
        help_text="HR admins see everyone and alone edit the framework and the org chart.",
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="The IANA time zone pages show times in (empty: the server's).",
    )
    invited_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When HR last sent this person an invitation to set their password.",
    )

    objects: ClassVar[PersonManager] = PersonManager()

    class Meta:
        verbose_name = "person"
        verbose_name_plural = "people"
        ordering = ["name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("pk")), name="person_not_own_manager"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name or self.username

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.username
