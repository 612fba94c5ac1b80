"""Assessments of a person's skills: by themselves (self) or by one of their managers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.limits import TEXT_MAX
from skills.models import Skill

DIVERGENCE = 2  # self and manager levels this far apart or more are divergent


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


class EvidenceKind(models.TextChoices):
    DECISION = "decision", "Decision"
    PROJECT = "project", "Project"
    INCIDENT = "incident", "Incident"
    TALK = "talk", "Talk"
    WRITING = "writing", "Writing"
    MENTORING = "mentoring", "Mentoring"
    REVIEW = "review", "Review"
    RECOGNITION = "recognition", "Recognition"
    OTHER = "other", "Other"


class Evidence(models.Model):
    """Something a person did that shows a skill: a decision, a project, an incident led,
    a talk... Added by the person, or by someone above them as an observation, which the
    person cannot delete but can dispute (kept, marked, with their comment). The URL is
    typed by whoever adds it and never fetched. Rules: assessments.evidence."""

    Kind = EvidenceKind

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evidence"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=11, choices=Kind.choices)
    date = models.DateField()
    url = models.URLField(max_length=500, blank=True)
    description = models.TextField(blank=True, max_length=TEXT_MAX)
    skills = models.ManyToManyField(Skill, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    disputed = models.BooleanField(default=False)
    dispute_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "evidence"
        indexes = [models.Index(fields=["person", "-date"], name="evidence_person_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EvidenceKind.values), name="evidence_kind_valid"
            ),
            # Only an observation (added by someone else) can be disputed, with a reason.
            models.CheckConstraint(
                condition=Q(disputed=False) | (~Q(added_by=F("person")) & ~Q(dispute_comment="")),
                name="evidence_disputed_observation_with_comment",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_observation(self) -> bool:
        return self.added_by_id != self.person_id


class Rating(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="ratings")
    level = models.PositiveSmallIntegerField()
    evidence = models.TextField(blank=True, max_length=TEXT_MAX)
    # Items of the assessed person's evidence log that the rating cites.
    evidence_items = models.ManyToManyField(Evidence, blank=True, related_name="ratings")

    class Meta:
        ordering = ["skill__key"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "skill"], name="rating_unique_assessment_skill"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} at {self.level}"


class CurrentLevel(models.Model):
    """Where a person stands on a skill: the projection of their latest submitted self
    and manager ratings, one row per (person, skill) that a submitted assessment rated.

    "Latest" is the highest submitted_at, then the highest assessment id. `level` is the
    current level, the one rule of it: the manager's level, else the self level, written
    with the row by the statement that derives it. Written in the transaction of every
    submit (assessments.gaps.current_levels_apply); `manage.py rebuild_current_levels`
    rebuilds it from the ratings and `manage.py check_current_levels` proves the two
    agree."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="current_levels"
    )
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    self_level = models.PositiveSmallIntegerField(null=True)
    self_at = models.DateTimeField(null=True)
    self_assessment = models.ForeignKey(
        Assessment, null=True, on_delete=models.CASCADE, related_name="+"
    )
    manager_level = models.PositiveSmallIntegerField(null=True)
    manager_at = models.DateTimeField(null=True)
    manager_assessment = models.ForeignKey(
        Assessment, null=True, on_delete=models.CASCADE, related_name="+"
    )
    # Who gave the manager level: calibration compares each manager with their reports.
    manager_author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    # The current level (the manager's, else the self level) and how far apart the two
    # are (none unless both are there: the calibration pairs DIVERGENCE or more apart
    # are divergent), both written with the row by assessments.gaps._LATEST_SQL. Not
    # GeneratedFields: their system check asks PostgreSQL for its version, and
    # `manage.py check --deploy` must run without a database.
    level = models.PositiveSmallIntegerField(null=True)
    spread = models.PositiveSmallIntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "skill"], name="current_level_person_skill"),
            models.CheckConstraint(
                condition=Q(self_level__isnull=False) | Q(manager_level__isnull=False),
                name="current_level_rated",
            ),
        ]
        indexes = [
            models.Index(fields=["skill", "person"], name="current_level_skill"),
            # The widest divergent pairs first (then by person and skill), without reading
            # or sorting the others.
            models.Index(
                fields=["-spread", "person", "skill"],
                condition=Q(spread__gte=DIVERGENCE),
                name="current_level_divergent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}/{self.skill_id}: {self.level}"


class TeamTally(models.Model):
    """A team's numbers for the org view and the reports, kept so that they read a few
    rows per team instead of every gap of every person. A team is a manager's active
    direct reports; team None holds the active people with no manager.

    Written with the projection: in the transaction of every submit, of every change to
    a person's manager, roles or active flag, and of every framework change
    (assessments.rollups). `manage.py rebuild_current_levels` rebuilds it too and
    `manage.py check_current_levels` proves it equals a recomputation."""

    team = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    people = models.PositiveIntegerField()
    measured = models.PositiveIntegerField()  # of them with a gap role
    readiness_sum = models.FloatField()  # their readiness, summed
    compared = models.PositiveIntegerField()  # of them with a calibration pair
    # Their TeamSkillTally rows summed: the skill-level numbers of the whole team.
    below = models.PositiveIntegerField()
    unassessed = models.PositiveIntegerField()
    pairs = models.PositiveIntegerField()
    delta_sum = models.IntegerField()
    divergent = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"team of {self.team_id}: {self.people} people"


class TeamSkillTally(models.Model):
    """A team's numbers on one active skill: its gap rows counted (people expected, below,
    meeting, unassessed, ready, the sum of gaps) and its calibration pairs (count, sum of
    self minus manager, divergent). Kept with TeamTally."""

    team = models.ForeignKey(  # indexed by (team, skill)
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    expected = models.PositiveIntegerField()
    below = models.PositiveIntegerField()
    meeting = models.PositiveIntegerField()
    unassessed = models.PositiveIntegerField()
    ready = models.PositiveIntegerField()
    total_gap = models.PositiveIntegerField()
    pairs = models.PositiveIntegerField()
    delta_sum = models.IntegerField()
    divergent = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["team", "skill"], name="team_skill_tally_team")]

    def __str__(self) -> str:
        return f"team of {self.team_id} on {self.skill_id}: {self.expected} expected"


class OrgSkillTally(models.Model):
    """TeamSkillTally's gap counts summed over every team: the whole company's per-skill
    numbers, which HR's per-skill report reads (60 rows, not 55,000 at 10,000 people).
    Kept with the team tallies, in the same statements' transaction."""

    skill = models.OneToOneField(
        Skill, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    expected = models.IntegerField()
    below = models.IntegerField()
    meeting = models.IntegerField()
    unassessed = models.IntegerField()
    ready = models.IntegerField()
    total_gap = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.skill_id}: {self.expected} expected"


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
    done_at = models.DateTimeField(null=True, blank=True)
    # What came of it, once done: an item of the person's evidence log.
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["done", "due_date", "id"]

    def __str__(self) -> str:
        return self.text


class FeedbackRequest(models.Model):
    """Input from others (issue 18): a request, made by a person or someone above them,
    for others' view of the person on 1 to 8 skills, by a due date. It goes to each
    respondent as a FeedbackResponse. Rules: assessments.feedback."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    skills = models.ManyToManyField(Skill, related_name="+")
    message = models.TextField(max_length=2000)
    due = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    # When the requester was told that everyone answered or declined: told once.
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "-created_at"], name="feedback_request_person")]
        constraints = [
            models.CheckConstraint(condition=~Q(message=""), name="feedback_request_message"),
        ]

    def __str__(self) -> str:
        return f"Input on {self.person} asked by {self.requester} (due {self.due})"


class FeedbackResponse(models.Model):
    """One respondent's part of a request: open, answered or declined. `person` repeats
    the request's (which never changes) so that the database can refuse asking a person
    about themselves, and the aggregate reads answers about a person without a join."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Declined"

    request = models.ForeignKey(FeedbackRequest, on_delete=models.CASCADE, related_name="responses")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_responses"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["respondent", "status"], name="feedback_response_respondent"),
            models.Index(fields=["person", "status"], name="feedback_response_person"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "respondent"], name="feedback_response_one_per_respondent"
            ),
            models.CheckConstraint(
                condition=~Q(respondent=F("person")), name="feedback_response_not_oneself"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "answered", "declined"]),
                name="feedback_response_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Response {self.pk} to request {self.request_id} ({self.status})"


class FeedbackAnswer(models.Model):
    """A respondent's answer on one skill: a level, or none for "can't say". A level
    needs an example. Never shown with the respondent: only aggregated."""

    response = models.ForeignKey(FeedbackResponse, on_delete=models.CASCADE, related_name="answers")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    example = models.TextField(max_length=2000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "skill"], name="feedback_answer_one_per_skill"
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | ~Q(example=""),
                name="feedback_answer_level_has_example",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer {self.pk} on {self.skill_id}"


class Cycle(models.Model):
    """A review cycle (issue 19): HR names the people in scope and a due date per step
    (self-assessment, input from others if any, manager assessment). Opening it makes
    a CycleParticipant (the to-dos) of each person in scope; closing it freezes its
    progress report in `final_progress`. Rules: assessments.cycles."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Scope(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        ROLES = "roles", "People in chosen roles"
        MANAGERS = "managers", "Chosen managers' teams (their whole subtree)"

    name = models.CharField(max_length=200)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.EVERYONE)
    scope_roles = models.ManyToManyField("skills.Role", blank=True, related_name="+")
    scope_managers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    self_due = models.DateField()
    feedback_due = models.DateField(null=True, blank=True)
    manager_due = models.DateField()
    reminder_days = models.JSONField(default=list, blank=True)  # e.g. [7, 1]
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    final_progress = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "closed"]), name="cycle_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(scope__in=["everyone", "roles", "managers"]), name="cycle_scope_valid"
            ),
            models.CheckConstraint(
                condition=Q(self_due__lte=F("manager_due")), name="cycle_self_before_manager"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CycleParticipant(models.Model):
    """A person's to-dos in an open cycle: when each step was done (None: not yet)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cycle_participations"
    )
    self_done_at = models.DateTimeField(null=True, blank=True)
    manager_done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "person"], name="cycle_participant_once_per_cycle"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in cycle {self.cycle_id}"


class CycleReminder(models.Model):
    """That a cycle's reminder for one step on one day was sent: several workers, or a
    task run twice, send it once."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reminders")
    step = models.CharField(max_length=8)  # self, feedback, manager
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "step", "day"], name="cycle_reminder_once_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"Cycle {self.cycle_id}: {self.step} reminder on {self.day}"


class CheckIn(models.Model):
    """A 1:1 check-in of a manager with a report (issue 19): a date, a shared agenda,
    shared notes, agreed actions, each author's private notes, the next date. Rules:
    assessments.checkins."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField()
    notes = models.TextField(max_length=TEXT_MAX, blank=True)
    next_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["person", "-date"], name="checkin_person_date")]
        constraints = [
            models.CheckConstraint(condition=~Q(manager=F("person")), name="checkin_not_oneself"),
        ]

    def __str__(self) -> str:
        return f"Check-in of {self.person} with {self.manager} on {self.date}"


class AgendaItem(models.Model):
    """One item of a check-in's shared agenda: generated from the report's data when
    the check-in is made, or added by either of the two before the meeting."""

    class Kind(models.TextChoices):
        FOCUS = "focus", "Focus skill"
        ACTION = "action", "Action due or overdue"
        STALE = "stale", "Stale rating"
        DIVERGENCE = "divergence", "Divergence"
        EVIDENCE = "evidence", "New evidence"
        FEEDBACK = "feedback", "New input from others"
        ADDED = "added", "Added"

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="agenda")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(max_length=500)
    link = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


class CheckInAction(models.Model):
    """An action agreed at a check-in; `growth_action` once it went into the growth plan."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(max_length=300)
    due_date = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)
    growth_action = models.ForeignKey(
        Action, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text


class PrivateNote(models.Model):
    """A check-in note only its author ever sees (not the other party, not HR)."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="private_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=TEXT_MAX, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["checkin", "author"], name="private_note_one_per_author"
            ),
        ]

    def __str__(self) -> str:
        return f"Private note {self.pk} on check-in {self.checkin_id}"


# Promotion cases and review rounds (issue 20) live in their own package; importing them
# here registers them with the app.
from assessments.promotions.models import (  # noqa: E402, F401
    CaseEvent,
    PromotionCase,
    ReviewRound,
    Vote,
)
