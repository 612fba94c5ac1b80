"""The kernel's one table: the audit trail, which every layer writes and HR reads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One line of the audit trail: who did what, when. Written by core.audit.record."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The name at the time, kept when the person is gone (or never existed: a failed login).
    by_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=50, db_index=True)
    summary = models.TextField()
    target = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["action", "-at"], name="auditevent_action_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.by_name or '-'} {self.action}: {self.summary}"
