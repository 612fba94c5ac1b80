"""The career framework: its scale, categories, skills, roles and expected levels.

The framework knows no people: nothing here imports from `assessments`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import models
from simple_history.models import HistoricalRecords

from core.numbers import ascii_int

KEY_MAX_LENGTH = 100

DEFAULT_SCALE_MIN = 0
DEFAULT_SCALE_MAX = 5
DEFAULT_LABELS = ["None", "Aware", "Developing", "Proficient", "Advanced", "Leading"]


def default_labels(minimum: int, maximum: int) -> list[str]:
    """careermap's labels for 0-5, otherwise the level numbers themselves."""
    if (minimum, maximum) == (DEFAULT_SCALE_MIN, DEFAULT_SCALE_MAX):
        return list(DEFAULT_LABELS)
    return [str(level) for level in range(minimum, maximum + 1)]


class Scale(models.Model):
    """The proficiency scale of the whole framework: a single row."""

    minimum = models.PositiveSmallIntegerField(default=DEFAULT_SCALE_MIN)
    maximum = models.PositiveSmallIntegerField(default=DEFAULT_SCALE_MAX)
    labels = models.JSONField(default=list, help_text="One label per level, minimum first.")

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(maximum__gt=models.F("minimum")), name="scale_max_above_min"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.minimum}-{self.maximum}"

    @classmethod
    def current(cls) -> Scale:
        scale: Scale | None = cls.objects.order_by("pk").first()
        if scale is None:
            scale = cls(labels=default_labels(DEFAULT_SCALE_MIN, DEFAULT_SCALE_MAX))
        return scale

    @property
    def levels(self) -> range:
        return range(self.minimum, self.maximum + 1)

    def label(self, level: int) -> str:
        index = level - self.minimum
        if 0 <= index < len(self.labels):
            return str(self.labels[index])
        return str(level)

    def contains(self, level: int) -> bool:
        return self.minimum <= level <= self.maximum


class Category(models.Model):
    class Kind(models.TextChoices):
        HARD = "hard", "Hard"
        SOFT = "soft", "Soft"

    key = models.CharField(max_length=KEY_MAX_LENGTH, unique=True, validators=[validate_slug])
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.SOFT)
    description = models.TextField(blank=True)
    order = models.IntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["hard", "soft"]), name="category_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SkillQuerySet(models.QuerySet["Skill"]):
    def active(self) -> SkillQuerySet:
        return self.filter(retired=False)


class Skill(models.Model):
    key = models.CharField(max_length=KEY_MAX_LENGTH, unique=True, validators=[validate_slug])
    name = models.CharField(max_length=200)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="skills")
    description = models.TextField(blank=True)
    levels = models.JSONField(
        default=dict, blank=True, help_text='Descriptor per level: {"1": "...", "3": "..."}.'
    )
    how_to_grow = models.TextField(blank=True)
    grow_to = models.JSONField(
        default=dict,
        blank=True,
        help_text='Ways to grow, per step: {"3": "how to get from 2 to 3", ...}.',
    )
    retired = models.BooleanField(default=False)

    history = HistoricalRecords()
    objects = SkillQuerySet.as_manager()

    class Meta:
        ordering = ["category__order", "category__name", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.levels, dict):
            raise ValidationError({"levels": 'Expected a mapping such as {"1": "..."}.'})
        scale = Scale.current()
        for raw in self.levels:
            level = ascii_int(str(raw))
            if level is None or not scale.contains(level):
                raise ValidationError({"levels": f"Level {raw} is not on the scale {scale}."})

    def descriptor(self, level: int | None) -> str:
        if level is None:
            return ""
        return str(self.levels.get(str(level), ""))


class RoleQuerySet(models.QuerySet["Role"]):
    def active(self) -> RoleQuerySet:
        return self.filter(retired=False)

    def with_links(self) -> RoleQuerySet:
        """Next roles and expectations (with their skills) in two more queries."""
        return self.select_related("variant_of").prefetch_related(
            "next_roles",
            models.Prefetch("expectations", Expectation.objects.select_related("skill")),
        )


class Role(models.Model):
    class Track(models.TextChoices):
        IC = "ic", "Individual contributor"
        MANAGEMENT = "management", "Management"
        OTHER = "other", "Other"

    key = models.CharField(max_length=KEY_MAX_LENGTH, unique=True, validators=[validate_slug])
    name = models.CharField(max_length=200)
    track = models.CharField(max_length=10, choices=Track.choices, default=Track.IC)
    level = models.PositiveSmallIntegerField(default=1, help_text="Ordinal within the track.")
    summary = models.TextField(blank=True)
    # The role page (issue 21): what the role is, a typical week, what changes from the
    # role before it; an archetype variant names the role it is a variant of.
    description = models.TextField(blank=True)
    typical_week = models.TextField(blank=True)
    changes = models.TextField(blank=True, help_text="What changes from the role before it.")
    variant_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="variants"
    )
    show_holders = models.BooleanField(
        default=True, help_text="Whether the role page lists who holds the role today."
    )
    next_roles = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="previous_roles"
    )
    retired = models.BooleanField(default=False)

    history = HistoricalRecords(m2m_fields=[next_roles])
    objects = RoleQuerySet.as_manager()

    class Meta:
        ordering = ["track", "level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(track__in=["ic", "management", "other"]),
                name="role_track_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Expectation(models.Model):
    """The level a role expects of a skill."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="expectations")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="expectations")
    level = models.PositiveSmallIntegerField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "skill__key"]
        constraints = [
            models.UniqueConstraint(fields=["role", "skill"], name="expectation_unique_role_skill"),
        ]

    def __str__(self) -> str:
        return f"{self.role} expects {self.skill} at {self.level}"

    def clean(self) -> None:
        scale = Scale.current()
        if self.level is not None and not scale.contains(self.level):
            raise ValidationError({"level": f"Level {self.level} is not on the scale {scale}."})
