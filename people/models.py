"""The organisation: people, who manages whom, and the roles they hold or aim at."""

from __future__ import annotations

from typing import Any, ClassVar

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

    # The bell's count (people.notifications keeps it: every page shows it without a
    # query) and the day, in the person's time zone, of their last email (one a day).
    notifications_unread = models.PositiveIntegerField(default=0, editable=False)
    last_emailed_on = models.DateField(null=True, blank=True, editable=False)
    # The HR system's own id for the person (SCIM's externalId, issue 22).
    external_id = models.CharField(
        "external id",
        max_length=255,
        blank=True,
        db_index=True,
        help_text="The identity provider's or HR system's id for this person (SCIM).",
    )
    # When a SCIM client DELETEd the person: deactivated, their history kept, and gone
    # for SCIM (404) until re-provisioned (a POST with their userName, people.scim.users)
    # or active again by any way (save() below: HR's page, the admin, SCIM).
    scim_deleted_at = models.DateTimeField(
        "deleted by SCIM at",
        null=True,
        blank=True,
        editable=False,
        help_text="When a SCIM client deleted this person (deactivated, history kept).",
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The one rule: an active person is never deleted for SCIM (HR reactivating them
        # in the app or the admin brings them back for SCIM too).
        # Written whenever "active" is, so a stale instance cannot leave the mark.
        fields = kwargs.get("update_fields")
        if self.is_active and (fields is None or "is_active" in fields):
            self.scim_deleted_at = None
            if fields is not None:
                kwargs["update_fields"] = {*fields, "scim_deleted_at"}
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.name or self.username

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.username


class Notification(models.Model):
    """Something a person should know (issue 19): shown in the app (the bell, the
    notifications page) and, by the person's choice per kind, emailed in their one
    email of the day. It is also the email's outbox: `email` says whether it still has
    to go, went, or failed. Rules: people.notifications."""

    class Kind(models.TextChoices):
        CYCLE = "cycle", "Review cycles: what is due, reminders, overdue steps"
        SELF_SUBMITTED = "self_submitted", "A report submitted a self-assessment"
        MANAGER_SUBMITTED = "manager_submitted", "Your manager submitted an assessment of you"
        FEEDBACK_ASKED = "feedback_asked", "Someone asks for your input"
        FEEDBACK_COMPLETE = "feedback_complete", "Input you asked for is complete"
        CHECKIN = "checkin", "1:1 check-ins: a new one, an upcoming one"
        PROMOTION = "promotion", "Promotion cases: submitted, reviewed, decided"

    class Email(models.TextChoices):
        PENDING = "pending", "To be sent"
        SENT = "sent", "Sent"
        NONE = "none", "Not emailed (in-app only)"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=2000, blank=True)
    link = models.CharField(max_length=500, blank=True, help_text="A path on this site.")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.CharField(max_length=7, choices=Email.choices, default=Email.NONE)
    emailed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(email="pending"),
                name="notification_email_pending",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email__in=["pending", "sent", "none", "failed"]),
                name="notification_email_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (to {self.recipient_id})"


class NotificationSetting(models.Model):
    """A person's choice for one kind of notification; none stored means email."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email and in the app"
        IN_APP = "in_app", "In the app only"
        OFF = "off", "Off"

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="notification_settings"
    )
    kind = models.CharField(max_length=20, choices=Notification.Kind.choices)
    channel = models.CharField(max_length=6, choices=Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"], name="notification_setting_one_per_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=["email", "in_app", "off"]),
                name="notification_setting_channel_valid",
            ),
            # Cycle due dates can be emailed or kept in the app, never switched off.
            models.CheckConstraint(
                condition=~models.Q(kind="cycle", channel="off"),
                name="notification_setting_cycle_not_off",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.kind} by {self.channel}"


class RoleChange(models.Model):
    """A change of a person's role: who made it, when, from and to, and the promotion
    case behind it if any (issue 20). Written by people.services.role_change, the one
    place a role changes."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="role_changes")
    from_role = models.ForeignKey(
        "skills.Role", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_role = models.ForeignKey(
        "skills.Role", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The promotion case (assessments) behind the change; an id, since people sits below
    # assessments and cannot name its models.
    case_id = models.PositiveIntegerField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"], name="role_change_person")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.from_role_id} -> {self.to_role_id}"


class ScimClient(models.Model):
    """A SCIM provisioning client (issue 22): the HR system or identity provider that
    creates and updates people through /scim/v2/ with a bearer token. Only the token's
    SHA-256 is stored; the token is shown once. Rules: people.scim.clients."""

    name = models.CharField(max_length=100, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "SCIM client"

    def __str__(self) -> str:
        return self.name


class PathReflection(models.Model):
    """A person's answers to the guide to choosing a path (issue 21): private to the
    person (not their manager, not HR, not the admin). Rules: assessments.path_guide."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="path_reflection")
    answers = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Path reflection of {self.person_id}"
