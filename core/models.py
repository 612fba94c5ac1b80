"""The kernel's tables: the audit trail, which every layer writes and HR reads, and the
requests a throttle counts (core.security)."""

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


class ThrottleHit(models.Model):
    """One request a throttle counted (core.security.throttled): under which rule, by
    what (a digest of "address:..." or "ip:...", so no typed address is kept) and when.
    Rows older than the rule's window are deleted as new ones come."""

    rule = models.CharField(max_length=50)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["rule", "key", "at"], name="throttlehit_rule_key_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.rule} {self.key[:12]}"


class Job(models.Model):
    """Work too long for a request, run by the task worker: a large framework import's
    dry run or apply (assessments.framework_jobs). Its page shows where it is and, once
    done, what came of it (`result`, JSON the page renders)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for the worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=50)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=64, help_text="What it works on, e.g. a text's digest.")
    text = models.TextField(blank=True)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.QUEUED)
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "key", "-created_at"], name="job_kind_key")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="job_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.status})"
