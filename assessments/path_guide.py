"""The guide to choosing a path (issue 21): a short self-reflection whose answers are
private to the person (not their manager, not HR, not the admin), the one mapping from
answers to tracks and roles, and what the manager-of-managers questions about the
workplace mean. Pages and API read and write only through here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from core.limits import TEXT_MAX
from people.models import PathReflection, Person
from skills.models import Role


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    choices: tuple[tuple[str, str], ...] = ()  # empty: free text
    part: str = "self"  # "self" (the reflection) or "workplace" (the MoM questions)

    @property
    def free_text(self) -> bool:
        return not self.choices


QUESTIONS: tuple[Question, ...] = (
    Question(
        "energy",
        "What energises you most at work?",
        (
            ("code", "Writing and shaping code"),
            ("people", "Helping people and teams work well"),
            ("systems", "Designing systems that fit together"),
            ("business", "Customers, products and the business"),
        ),
    ),
    Question(
        "meetings",
        "How do you feel about a day mostly made of meetings?",
        (
            ("drain", "It drains me; I want long stretches of focus"),
            ("fine", "Fine in moderation"),
            ("enjoy", "I enjoy them when they decide things"),
        ),
    ),
    Question(
        "mistakes",
        "When someone else makes a mistake in their work, what do you want to do?",
        (
            ("fix", "Fix it myself, quickly"),
            ("coach", "Help them find it and learn from it"),
            ("frustrated", "It frustrates me; I'd rather not deal with it"),
        ),
    ),
    Question(
        "grow_people",
        "Do you want growing other people to be a large part of your job?",
        (
            ("yes", "Yes"),
            ("sometimes", "Sometimes, alongside my own work"),
            ("no", "No"),
        ),
    ),
    Question(
        "mom_internal",
        "Has anyone become a manager of managers here, from inside, in the past year?",
        (("yes", "Yes"), ("no", "No"), ("unknown", "I don't know")),
        part="workplace",
    ),
    Question(
        "mom_projects",
        "If so, on what kind of projects had they worked?",
        part="workplace",
    ),
    Question(
        "department_growing",
        "Is a department growing here (new teams, new managers)?",
        (("yes", "Yes"), ("no", "No"), ("unknown", "I don't know")),
        part="workplace",
    ),
    Question(
        "here_in_years",
        "Do you see yourself here in two to three years?",
        (("yes", "Yes"), ("no", "No"), ("unsure", "Not sure")),
        part="workplace",
    ),
)
_BY_KEY = {q.key: q for q in QUESTIONS}

# What each answer says about each track: (track, weight, why). One home for the rule.
_LEANINGS: dict[tuple[str, str], tuple[tuple[str, int, str], ...]] = {
    ("energy", "code"): (("ic", 2, "code energises you"),),
    ("energy", "systems"): (("ic", 2, "designing systems energises you"),),
    ("energy", "people"): (("management", 2, "helping people and teams energises you"),),
    ("energy", "business"): (("other", 2, "customers and the business energise you"),),
    ("meetings", "drain"): (("ic", 1, "meetings drain you: a manager's week is mostly meetings"),),
    ("meetings", "enjoy"): (
        ("management", 1, "you enjoy meetings that decide things"),
        ("other", 1, "sideways roles are mostly talking with people"),
    ),
    ("mistakes", "fix"): (("ic", 1, "you would rather fix things yourself"),),
    ("mistakes", "coach"): (("management", 1, "you want to help others learn from mistakes"),),
    ("mistakes", "frustrated"): (
        ("ic", 1, "others' mistakes frustrate you: a manager deals with them every week"),
    ),
    ("grow_people", "yes"): (("management", 2, "you want growing people to be your job"),),
    ("grow_people", "sometimes"): (("ic", 1, "you want to grow people alongside your own work"),),
    ("grow_people", "no"): (("ic", 1, "you do not want growing people to be your job"),),
}

TRACK_TEXT = {
    "ic": "The individual contributor track: past senior, staff and principal engineers lead "
    "through technical work, in one of several archetypes (tech lead, architect, solver, "
    "right hand).",
    "management": "The management track: engineering managers and managers of managers lead "
    "through people, hiring, planning and decisions; little of the week is code.",
    "other": "Sideways moves from senior: product, solutions or developer relations, a "
    "founding engineer's role; each keeps some engineering and adds the business.",
}

# What the workplace answers mean for the manager-of-managers path.
_MEANINGS: dict[tuple[str, str], str] = {
    ("mom_internal", "yes"): "People here become managers of managers from inside: the path "
    "exists; ask them what made the difference.",
    ("mom_internal", "no"): "Nobody became a manager of managers from inside in the past year: "
    "such roles here may be filled from outside; ask your manager how the next one will be.",
    ("mom_internal", "unknown"): "Find out: ask your manager or HR who became a manager of "
    "managers recently and how.",
    ("department_growing", "yes"): "A growing department makes new manager-of-manager roles: "
    "the best time to show you can run more than one team.",
    ("department_growing", "no"): "Without growth, a manager-of-managers role opens only when "
    "someone leaves: expect to wait, or to move to grow.",
    ("department_growing", "unknown"): "Find out whether a department is growing: new roles "
    "come from growth far more often than from departures.",
    ("here_in_years", "yes"): "You see yourself here: building the path here is worth it; "
    "tell your manager it is your aim.",
    ("here_in_years", "no"): "You do not see yourself here in two to three years: the path "
    "may well run through another company; grow the skills wherever you are.",
    ("here_in_years", "unsure"): "Not sure whether you will be here: grow the skills that "
    "travel (people, planning, business) first.",
}


@dataclass
class TrackAdvice:
    track: str
    label: str
    text: str
    score: int
    reasons: list[str] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)


def questions(part: str) -> list[Question]:
    return [q for q in QUESTIONS if q.part == part]


def answers_of(person: Person) -> dict[str, str]:
    """The person's own answers ({} before any); never anyone else's."""
    found = PathReflection.objects.filter(person=person).first()
    return dict(found.answers) if found is not None else {}


def clean_answers(raw: Any) -> dict[str, str]:
    """Valid answers, or a ValidationError naming each bad field. An empty answer
    (blank or null) is no answer."""
    if not isinstance(raw, dict):
        raise ValidationError({"answers": "Send an object of question: answer."})
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for key, value in raw.items():
        question = _BY_KEY.get(str(key))
        if question is None:
            errors[str(key)] = "No such question."
            continue
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            errors[key] = "Expected text."
        elif question.free_text:
            if len(value) > TEXT_MAX:
                errors[key] = f"At most {TEXT_MAX} characters."
            else:
                cleaned[key] = value
        elif value not in dict(question.choices):
            errors[key] = f"Choose one of: {', '.join(v for v, _ in question.choices)}."
        else:
            cleaned[key] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def reflection_save(*, person: Person, answers: Any) -> dict[str, str]:
    """Replace the person's answers. No audit line: the answers are private, and even
    the fact and time of a reflection is the person's own."""
    cleaned = clean_answers(answers)
    PathReflection.objects.update_or_create(person=person, defaults={"answers": cleaned})
    return cleaned


def advice_for(answers: dict[str, str]) -> list[TrackAdvice]:
    """The tracks the answers lean to, the strongest first (ties: IC, management,
    other), each with why and its active roles (archetype variants after their role).
    Tracks no answer leans to are left out; no answers, no advice."""
    scores: dict[str, TrackAdvice] = {}
    labels = dict(Role.Track.choices)
    for question in QUESTIONS:
        value = answers.get(question.key)
        for track, weight, why in _LEANINGS.get((question.key, value or ""), ()):
            advice = scores.setdefault(
                track, TrackAdvice(track, labels[track], TRACK_TEXT[track], 0)
            )
            advice.score += weight
            advice.reasons.append(why)
    if not scores:
        return []
    order = list(labels)
    ranked = sorted(scores.values(), key=lambda a: (-a.score, order.index(a.track)))
    roles = Role.objects.active().filter(track__in=[a.track for a in ranked])
    by_track: dict[str, list[Role]] = {}
    for role in roles.order_by("level", F("variant_of_id").asc(nulls_first=True), "name"):
        by_track.setdefault(role.track, []).append(role)
    for advice in ranked:
        advice.roles = by_track.get(advice.track, [])
    return ranked


def workplace_meanings(answers: dict[str, str]) -> list[str]:
    """What the answers to the manager-of-managers questions mean, in question order."""
    found = []
    for question in questions("workplace"):
        meaning = _MEANINGS.get((question.key, answers.get(question.key, "")))
        if meaning:
            found.append(meaning)
    projects = answers.get("mom_projects", "")
    if projects:
        found.append(
            "The projects that led there are the ones to ask for: " + projects.strip()[:200]
        )
    return found
