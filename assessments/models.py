"""Assessments of a person's skills: by themselves (self) or by one of their managers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from skills.models import Skill


class Assessment(models.Model):
    class Kind(models.TextChoices):
        SELF = "self", "Self-assessment"
        MANAGER = "manager", "Manager assessment"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_assessments"
    )
    kind = models.CharField(max_length=7, choices=Kind.choices)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Optimistic concurrency: every write to a draft bumps `version`; `editor` names the
    # page (or client) that wrote last, so its own successive saves never conflict.
    version = models.PositiveIntegerField(default=0)
    editor = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["person", "status", "kind"], name="assessment_person_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["self", "manager"]), name="assessment_kind_valid"
            ),
            models.CheckConstraint(
                condition=(Q(status="draft", submitted_at__isnull=True))
                | Q(status="submitted", submitted_at__isnull=False),
                name="assessment_submitted_at_iff_submitted",
            ),
            # A self-assessment is written by the person; a manager assessment never is.
            models.CheckConstraint(
                condition=(Q(kind="self", author=F("person")))
                | (Q(kind="manager") & ~Q(author=F("person"))),
                name="assessment_author_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["person", "kind", "author"],
                condition=Q(status="draft"),
                name="assessment_one_open_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.person} by {self.author} ({self.status})"


class Rating(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="ratings")
    level = models.PositiveSmallIntegerField()
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["skill__key"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "skill"], name="rating_unique_assessment_skill"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} at {self.level}"


class GrowthPlan(models.Model):
    """A person's plan: a few focus skills, each with a target level and actions.
    Visible to the person and their managers only."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="growth_plan"
    )
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.NOT_STARTED)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "in_progress", "done"]),
                name="growth_plan_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Growth plan of {self.person}"


class FocusSkill(models.Model):
    plan = models.ForeignKey(GrowthPlan, on_delete=models.CASCADE, related_name="focus_skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    target_level = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "skill"], name="focus_skill_unique_plan_skill"),
        ]

    def __str__(self) -> str:
        return f"{self.skill} to level {self.target_level}"


class Action(models.Model):
    focus = models.ForeignKey(FocusSkill, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(max_length=300)
    due_date = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["done", "due_date", "id"]

    def __str__(self) -> str:
        return self.text
