"""The rows of promotion cases and review rounds (issue 20). Rules: assessments.promotions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.limits import TEXT_MAX


class PromotionCase(models.Model):
    """A case that `person` be moved to `target_role`. While a draft its packet is built
    live (assessments.promotions.packet); submitting freezes it into `packet`."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        DEFERRED = "deferred", "Deferred"
        WITHDRAWN = "withdrawn", "Withdrawn"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="promotion_cases"
    )
    target_role = models.ForeignKey("skills.Role", on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The person's manager when the case was opened: the one who may comment, not vote.
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.TextField(max_length=TEXT_MAX)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.DRAFT)
    packet = models.JSONField(null=True, blank=True)  # frozen at submission
    submitted_at = models.DateTimeField(null=True, blank=True)
    round = models.ForeignKey(
        "ReviewRound", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    # The decision (HR): outcome is the final status; rationale always written.
    rationale = models.TextField(max_length=TEXT_MAX, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    effective = models.DateField(null=True, blank=True)  # approved: the role changes then
    revisit = models.DateField(null=True, blank=True)  # deferred: when to look again
    role_changed_at = models.DateTimeField(null=True, blank=True)  # approval applied
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "draft",
                        "submitted",
                        "in_review",
                        "approved",
                        "declined",
                        "deferred",
                        "withdrawn",
                    ]
                ),
                name="promotion_case_status_valid",
            ),
            # One live case per person and target role.
            models.UniqueConstraint(
                fields=["person", "target_role"],
                condition=Q(status__in=["draft", "submitted", "in_review"]),
                name="promotion_case_one_open_per_role",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}: {self.person} to {self.target_role}"


class CaseEvent(models.Model):
    """One transition of a case (or a comment on it): who, when, from, to."""

    case = models.ForeignKey(PromotionCase, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=9, blank=True)
    to_status = models.CharField(max_length=9, blank=True)  # blank: a comment
    note = models.TextField(max_length=TEXT_MAX, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Case {self.case_id}: {self.from_status} -> {self.to_status}"


class ReviewRound(models.Model):
    """A committee's sitting (HR): submitted cases reviewed side by side by reviewers."""

    name = models.CharField(max_length=200)
    date = models.DateField()
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="review_rounds", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.name


class Vote(models.Model):
    """A reviewer's vote on one case of a round; a reason is required to not support."""

    class Choice(models.TextChoices):
        SUPPORT = "support", "Support"
        DO_NOT_SUPPORT = "do_not_support", "Do not support"
        ABSTAIN = "abstain", "Abstain"

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="votes")
    case = models.ForeignKey(PromotionCase, on_delete=models.CASCADE, related_name="votes")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    vote = models.CharField(max_length=14, choices=Choice.choices)
    reason = models.TextField(max_length=TEXT_MAX, blank=True)
    at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "reviewer"], name="vote_one_per_reviewer"),
            models.CheckConstraint(
                condition=Q(vote__in=["support", "do_not_support", "abstain"]),
                name="vote_choice_valid",
            ),
            models.CheckConstraint(
                condition=~Q(vote="do_not_support") | ~Q(reason=""),
                name="vote_against_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} on case {self.case_id}: {self.vote}"
