"""The assessment form: every active skill by category, a level and an evidence note per
skill. Each answer is saved to a draft as it is given (htmx, one request per change) or
all at once (the plain form's "Save draft"); submitting, after a confirmation, freezes it.

The core functions take (request, person, kind) so that the manager assessment of a
report reuses them; only the self-assessment is routed here. Nothing is written on GET:
the first save opens the draft (assessment_start pre-fills it from the author's last
submitted assessment, which is also what GET shows until then).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from assessments.evidence import citable_by_skill
from assessments.gaps import GapRow, visible_gaps
from assessments.models import Assessment, Evidence, Rating
from assessments.selectors import assessable_skills, assessment_starting_point, open_draft
from assessments.services import (
    DraftExists,
    UncitedDivergence,
    assessment_rate,
    assessment_start,
    assessment_submit,
)
from core.errors import Conflict
from core.htmx import render_region, vary_on_htmx, wants_region
from core.numbers import ascii_int, ascii_int_or
from core.types import AuthedHttpRequest
from people.models import Person
from people.visibility import get_report_or_404
from skills.models import Category, Scale, Skill

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from assessments.selectors import Expected

TEMPLATE = "assessments/assess.html"
FIELD = re.compile(r"^(level|evidence|items)-(.+)$")
# The form names a skill's fields by the skill's id, not its key ("l12", "e12", "i12"
# for "level-<key>", "evidence-<key>", "items-<key>"): the 164-skill catalogue repeats
# them seven times a skill. A post may use either (_named_by_key).
SHORT = re.compile(r"^([lei])([0-9]{1,18})$")
SHORT_PREFIX = {"l": "level", "e": "evidence", "i": "items"}
ERROR_KEY = re.compile(r"^ratings\[([0-9]+)\](?:\.(\w+))?")
EDITOR = re.compile(r"[0-9a-f]{32}")


# --- What the form shows ------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which skills the form shows: those the person's roles expect (default) or all,
    optionally one category. Read from the query string, or from the posted form."""

    show_all: bool = False
    category: str = ""

    @classmethod
    def from_data(cls, data: QueryDict) -> Scope:
        return cls(show_all=data.get("all") == "1", category=data.get("category", "").strip())

    def query(self, **changes: Any) -> str:
        show_all = changes.get("show_all", self.show_all)
        category = changes.get("category", self.category)
        params = {"category": category, "all": "1" if show_all else ""}
        encoded = urlencode({k: v for k, v in params.items() if v})
        return f"?{encoded}" if encoded else ""


@dataclass(frozen=True)
class Choice:
    # The level as the form writes it (its radio's value, its label's number): a str, as
    # an int would go through the template's number localisation, ten times a skill.
    value: str
    label: str
    descriptor: str
    checked: bool
    expected: bool = False

    @property
    def open(self) -> bool:
        """Its descriptor shown in its label: the current answer's and the expected
        level's. The others are folded (Answer.folded)."""
        return bool(self.descriptor) and (self.checked or self.expected)


@dataclass
class Answer:
    """One skill's fieldset: its current answer, where that answer comes from (state)
    and the error of the last save, if any."""

    skill: Skill
    scale: Scale
    level: int | None = None
    evidence: str = ""
    # "saved" (just now), "draft", "prefilled" (last submitted, no draft yet), "failed", ""
    state: str = ""
    saved_at: datetime | None = None
    error: str = ""
    # The level the person's target role (else current role) expects, if it does.
    expected: int | None = None
    # Which part the error is about: "level" (the radios), "evidence" (the note and the
    # items: a citation refused or missing), "" (the skill as a whole).
    error_on: str = ""
    # The assessed person's undisputed items showing the skill, offered to cite, and the
    # ids of those the answer cites.
    items: list[Evidence] = field(default_factory=list)
    cited: frozenset[int] = frozenset()
    # The gap row of a skill whose current level is stale (self-assessment only).
    stale: GapRow | None = None

    @property
    def evidence_invalid(self) -> bool:
        return bool(self.error) and self.error_on == "evidence"

    @property
    def level_invalid(self) -> bool:
        return bool(self.error) and self.error_on != "evidence"

    @property
    def choices(self) -> list[Choice]:
        return [
            Choice(
                str(n),
                self.scale.label(n),
                self.skill.descriptor(n),
                n == self.level,
                n == self.expected,
            )
            for n in self.scale.levels
        ]

    @property
    def folded(self) -> list[Choice]:
        """The levels whose descriptors the form folds: its <details> fetches them when
        opened (assessment_levels), so that a long form stays light."""
        return [c for c in self.choices if c.descriptor and not c.open]


@dataclass(frozen=True)
class Group:
    category: Category
    answers: list[Answer]


def _urls(person: Person, kind: str) -> dict[str, str]:
    if kind == Assessment.Kind.SELF:
        names, args = ("assess", "assess_save", "assess_submit"), []
    else:
        names, args = ("assess_report", "assess_report_save", "assess_report_submit"), [person.pk]
    page, save, submit = (reverse(f"assessments:{name}", args=args) for name in names)
    # A skill's levels page is this prefix and its key: the form links one per skill,
    # and 164 reverse() calls would show in its render time.
    # Where to log a new item for a skill (the evidence page's form, `?skill=<key>#add`).
    if kind == Assessment.Kind.SELF:
        evidence = reverse("assessments:evidence")
    else:
        evidence = reverse("assessments:report_evidence", args=[person.pk])
    return {
        "page": page,
        "save": save,
        "submit": submit,
        "levels": f"{page}levels/",
        "evidence": f"{evidence}?skill=",
    }


def _wording(person: Person, kind: str) -> dict[str, str]:
    if kind == Assessment.Kind.SELF:
        return {"title": "Self-assessment", "noun": "self-assessment", "add": "Add evidence"}
    name = person.get_full_name()
    return {
        "title": f"Assessment of {name}",
        "noun": f"assessment of {name}",
        "add": "Add an observation",
    }


def _context(
    request: AuthedHttpRequest,
    *,
    person: Person,
    kind: str,
    scope: Scope,
    posted: dict[str, dict[str, Any]] | None = None,
    errors: dict[str, str] | None = None,
    error_on: dict[str, str] | None = None,
    saved: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Everything the page and its partials show. A fixed number of queries whatever the
    number of skills, items and past assessments: scale, roles, skills, assessment,
    ratings, the person's items (with the ratings' citations when there are any), and
    on the self-assessment the gap rows that say which current levels are stale.

    A skill with an error is shown whatever the scope: the error must be seen."""
    posted, errors, error_on = posted or {}, errors or {}, error_on or {}
    scale = Scale.current()
    skills, roles = assessable_skills(person)
    source = assessment_starting_point(person=person, kind=kind, author=request.user)
    is_draft = source is not None and source.status == Assessment.Status.DRAFT
    items = citable_by_skill(person)
    stored = source.ratings.all() if source else Rating.objects.none()
    if items:  # nothing to tick without items: their citations are not read
        stored = stored.prefetch_related(
            Prefetch("evidence_items", queryset=Evidence.objects.only("pk"))
        )
    ratings: dict[int, Rating] = {r.skill_id: r for r in stored} if source else {}
    stale = _stale_rows(person) if kind == Assessment.Kind.SELF else {}

    expected = [s for s in skills if s.expected]
    show_all = scope.show_all or not expected
    in_scope = {s.pk for s in (skills if show_all else expected)}
    categories = list({s.category.pk: s.category for s in skills}.values())
    category = next((c for c in categories if c.key == scope.category), None)
    shown = [
        s
        for s in skills
        if s.key in errors
        or (s.pk in in_scope and (category is None or s.category_id == category.pk))
    ]

    now = timezone.now()
    groups: dict[int, Group] = {}
    first: list[Answer] = []  # stale: reviewed first
    for skill in shown:
        rating = ratings.get(skill.pk)
        answer = _answer(skill, scale, rating, is_draft=is_draft)
        answer.items = items.get(skill.pk, [])
        if answer.items and rating is not None:
            answer.cited = frozenset(e.pk for e in rating.evidence_items.all())
        if skill.key in saved:
            answer.state, answer.saved_at = "saved", now
        if skill.key in errors:
            answer.state, answer.error = "failed", errors[skill.key]
            answer.error_on = error_on.get(skill.key, "")
            # Show what the person gave, so that nothing they typed is lost.
            given = posted.get(skill.key, {})
            if isinstance(given.get("level"), int):
                answer.level = given["level"]
            answer.evidence = given.get("evidence", answer.evidence)
            if isinstance(given.get("evidence_items"), list):
                answer.cited = frozenset(n for n in given["evidence_items"] if isinstance(n, int))
        row = stale.get(skill.key)
        if row is not None and row.stale:
            answer.stale = row
            first.append(answer)
            continue
        groups.setdefault(
            skill.category_id, Group(category=skill.category, answers=[])
        ).answers.append(answer)
    answers = first + [a for g in groups.values() for a in g.answers]
    return {
        **_wording(person, kind),
        "person": person,
        "kind": kind,
        "urls": _urls(person, kind),
        "scope": scope,
        "show_all": show_all,
        "category": category,
        "categories": categories,
        "roles": roles,
        "expected_count": len(expected),
        "all_count": len(skills),
        "scope_url": scope.query(show_all=not scope.show_all),
        "stale_answers": first,
        "groups": list(groups.values()),
        "answers": answers,
        "answered": sum(1 for a in answers if a.level is not None),
        "total": len(answers),
        "source": source,
        "is_draft": is_draft,
        "general_error": errors.get("", ""),
        # The optimistic check (assessment_rate): the draft version this page shows, and
        # the page's own name, kept across its autosaves.
        "seen_version": source.version if source is not None and is_draft else 0,
        "editor": _editor(request),
    }


def _answer(
    skill: WithAnnotations[Skill, Expected], scale: Scale, rating: Rating | None, *, is_draft: bool
) -> Answer:
    """A skill's answer as stored: in the open draft, else in the last submitted
    assessment (pre-filled), else none yet."""
    answer = Answer(skill=skill, scale=scale, expected=skill.expected_level)
    if rating is not None:
        answer.level, answer.evidence = rating.level, rating.evidence
        answer.state = "draft" if is_draft else "prefilled"
    return answer


def _stale_rows(person: Person) -> dict[str, GapRow]:
    """skill key -> the person's gap row, which says whether their current level of it is
    stale (assessments.gaps): the skills their gap role expects. One query."""
    gaps = visible_gaps(user=person, person_id=person.pk)
    return {row.key: row for row in gaps.rows} if gaps is not None else {}


def _editor(request: AuthedHttpRequest) -> str:
    return _editor_of(request.POST) or uuid.uuid4().hex


def _editor_of(data: QueryDict) -> str:
    posted = data.get("editor", "")
    return posted if EDITOR.fullmatch(posted) else ""


# --- The core: reusable for the manager assessment ------------------------------------


def assessment_form(request: AuthedHttpRequest, *, person: Person, kind: str) -> HttpResponse:
    """GET: the form; for an htmx filter or scope change, only its region."""
    context = _context(request, person=person, kind=kind, scope=Scope.from_data(request.GET))
    return render_region(request, TEMPLATE, "assess", context)


def assessment_levels(
    request: AuthedHttpRequest, *, person: Person, kind: str, key: str
) -> HttpResponse:
    """GET: what a skill's levels mean. For htmx (the form's <details>, opened), the
    levels the form folds: all but the current answer's and the expected level's, which
    the form shows. Without JavaScript, a page of every level. 404 for a skill that is
    not on the form (retired, unknown)."""
    skills, _ = assessable_skills(person)
    skill = next((s for s in skills if s.key == key), None)
    if skill is None:
        raise Http404("No such skill.")
    source = assessment_starting_point(person=person, kind=kind, author=request.user)
    rating = source.ratings.filter(skill=skill).first() if source is not None else None
    is_draft = source is not None and source.status == Assessment.Status.DRAFT
    context = {
        **_wording(person, kind),
        "title": f"What each level of {skill.name} means",
        "person": person,
        "kind": kind,
        "urls": _urls(person, kind),
        "answer": _answer(skill, Scale.current(), rating, is_draft=is_draft),
        "levels_page": True,
    }
    return render_region(request, TEMPLATE, "levels", context)


def _posted_ratings(data: QueryDict, keys: list[str] | None) -> list[dict[str, Any]]:
    """{"skill", "level"?, "evidence"?, "evidence_items"?} per skill named in the form (or
    in `keys`)."""
    if keys is None:
        keys = list(dict.fromkeys(m.group(2) for m in map(FIELD.match, data) if m))
    ratings = []
    for key in keys:
        rating: dict[str, Any] = {"skill": key}
        level = data.get(f"level-{key}")
        if level is not None:
            # Not a number: passed on as given, for the service to refuse by name.
            rating["level"] = ascii_int_or(level.strip())
        evidence = data.get(f"evidence-{key}")
        if evidence is not None:
            rating["evidence"] = evidence
        # The items ticked. The list's hidden "" comes with it, so that a list shown with
        # nothing ticked still says so; a skill without a list keeps its citations.
        if f"items-{key}" in data:
            ticked = [v.strip() for v in data.getlist(f"items-{key}") if v.strip()]
            rating["evidence_items"] = [ascii_int_or(v) for v in ticked]
        ratings.append(rating)
    return ratings


def _named_by_key(data: QueryDict) -> QueryDict:
    """The post with the form's short field names ("l12") named by the skill's key
    ("level-<key>"), as the rest of the view reads them. One query, when there are short
    names; the fields of a skill that no longer exists are left out."""
    found = {name: m for name in data if (m := SHORT.match(name))}
    if not found:
        return data
    keys = dict(
        Skill.objects.filter(pk__in={int(m.group(2)) for m in found.values()}).values_list(
            "pk", "key"
        )
    )
    named = QueryDict(mutable=True)
    for name, values in data.lists():
        m = found.get(name)
        if m is None:
            named.setlist(name, values)
        elif (key := keys.get(int(m.group(2)))) is not None:
            named.setlist(f"{SHORT_PREFIX[m.group(1)]}-{key}", values)
    return named


def _triggered_skill(request: AuthedHttpRequest) -> str:
    """The skill whose fieldset sent this htmx save (its id, "skill-<key>", comes as the
    HX-Trigger header): the form names no skill in each fieldset, to stay light."""
    trigger = request.htmx.trigger if request.htmx else None
    return trigger.removeprefix("skill-") if trigger and trigger.startswith("skill-") else ""


def _save(
    *, by: Person, person: Person, kind: str, ratings: list[dict[str, Any]], data: QueryDict
) -> None:
    seen = data.get("seen_version", "")
    version = ascii_int(seen)
    editor = _editor_of(data)
    draft = open_draft(person=person, kind=kind, author=by)
    if draft is None:
        try:
            assessment_start(by=by, person=person, kind=kind, ratings=ratings, editor=editor)
            return
        except DraftExists as exc:  # a save in another tab opened it meanwhile
            draft = exc.draft
    assessment_rate(by=by, assessment=draft, ratings=ratings, version=version, editor=editor)


def _errors_by_skill(
    exc: ValidationError, ratings: list[dict[str, Any]]
) -> tuple[dict[str, str], dict[str, str]]:
    """The service's "ratings[3].level" errors, keyed by skill ("" for the rest), and
    which part of each skill they are about (Answer.error_on)."""
    errors: dict[str, str] = {}
    error_on: dict[str, str] = {}
    for key, texts in exc.message_dict.items():
        match = ERROR_KEY.match(key)
        skill = ratings[int(match.group(1))]["skill"] if match else ""
        errors[skill] = " ".join([errors.get(skill, ""), *texts]).strip()
        part = (match.group(2) or "") if match else ""
        error_on[skill] = "evidence" if part.startswith("evidence") else part
    return errors, error_on


def assessment_save(request: AuthedHttpRequest, *, person: Person, kind: str) -> HttpResponse:
    """POST: one skill's answer (htmx sends `skill`) or every answer of the plain form."""
    data = _named_by_key(request.POST)
    scope = Scope.from_data(data)
    single = data.get("skill") or _triggered_skill(request)
    ratings = _posted_ratings(data, [single] if single else None)
    source = assessment_starting_point(person=person, kind=kind, author=request.user)
    rated = set(source.ratings.values_list("skill__key", flat=True)) if source else set()
    # A skill neither rated nor given a level, with no evidence (a note or an item ticked),
    # is a skill left alone.
    ratings = [
        r
        for r in ratings
        if "level" in r
        or r.get("evidence", "").strip()
        or r.get("evidence_items")
        or r["skill"] in rated
    ]
    errors: dict[str, str] = {}
    error_on: dict[str, str] = {}
    if ratings:
        try:
            _save(by=request.user, person=person, kind=kind, ratings=ratings, data=data)
        except ValidationError as exc:
            errors, error_on = _errors_by_skill(exc, ratings)
        except Conflict as exc:
            errors = {single or "": str(exc)}
    posted = {r["skill"]: r for r in ratings}
    saved = frozenset() if errors else frozenset(posted)
    if (request.htmx and single) or errors:
        context = _context(
            request,
            person=person,
            kind=kind,
            scope=scope,
            posted=posted,
            errors=errors,
            error_on=error_on,
            saved=saved,
        )
    if request.htmx and single:
        answer = next((a for a in context["answers"] if a.skill.key == single), None)
        if answer is None:  # not a skill of this form (retired, unknown): nothing to swap
            text = errors.get(single) or "Unknown skill."
            return vary_on_htmx(HttpResponse(text))
        if errors.get("") and not answer.error:
            answer.state, answer.error = "failed", errors[""]
        # An error is swapped in beside its skill (core.htmx).
        context = {**context, "answer": answer, "oob": True}
        return render_region(request, TEMPLATE, "saved", context)
    if errors:
        if errors.get(""):
            context["general_error"] = errors[""]
        else:
            context["general_error"] = "Some answers were not saved: see the errors below."
        return render_region(request, TEMPLATE, None, context)
    if ratings:
        messages.success(request, "Draft saved.")
    else:
        messages.info(request, "Nothing to save yet: choose a level for a skill first.")
    return redirect(_urls(person, kind)["page"] + scope.query())


def assessment_confirm_submit(
    request: AuthedHttpRequest, *, person: Person, kind: str
) -> HttpResponse:
    """GET: the confirmation step (without JavaScript); POST: submit the open draft.
    With htmx the browser's confirm dialog (hx-confirm) is the confirmation."""
    urls = _urls(person, kind)
    draft = open_draft(person=person, kind=kind, author=request.user)
    context = {**_wording(person, kind), "person": person, "kind": kind, "urls": urls}
    context["editor"] = _editor(request)
    context["seen_version"] = request.POST.get("seen_version") or (draft.version if draft else 0)
    count = draft.ratings.count() if draft else 0
    if request.method == "GET":
        context.update(confirming=True, draft_count=count)
        return render_region(request, TEMPLATE, None, context)
    error = ""
    if draft is None:
        error = "Nothing to submit yet: rate at least one skill first."
    else:
        seen = request.POST.get("seen_version", "")
        try:
            assessment_submit(
                by=request.user,
                assessment=draft,
                version=ascii_int(seen),
                editor=_editor_of(request.POST),
            )
        except UncitedDivergence as exc:
            return _uncited(request, person=person, kind=kind, exc=exc)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except Conflict as exc:
            error = str(exc)
    if error:
        if wants_region(request):
            context["submit_error"] = error
            return render_region(request, TEMPLATE, "submit", context)
        context.update(confirming=True, draft_count=count, submit_error=error)
        return render_region(request, TEMPLATE, None, context)
    messages.success(request, _what_happens_next(person, kind, count))
    if request.htmx:
        return HttpResponseClientRedirect(urls["page"])
    return redirect(urls["page"])


def _uncited(
    request: AuthedHttpRequest, *, person: Person, kind: str, exc: UncitedDivergence
) -> HttpResponse:
    """A submit refused for ratings far from the person's own that cite nothing: the form
    again, each such rating's error beside its evidence, and a summary at the top linking
    to each; the draft stays as it was. With htmx the form region takes the place of the
    form (the submit's own target is its section)."""
    context = _context(
        request,
        person=person,
        kind=kind,
        scope=Scope.from_data(request.POST),
        errors=exc.skills,
        error_on=dict.fromkeys(exc.skills, "evidence"),
    )
    context["error_summary"] = [a for a in context["answers"] if a.error]
    for answer in context["error_summary"]:
        answer.state = "draft"  # saved: it is the submit that was refused
    response = render_region(request, TEMPLATE, "assess", context)
    if wants_region(request):
        retarget(response, "#assess")
        reswap(response, "outerHTML")
    return response


def _what_happens_next(person: Person, kind: str, count: int) -> SafeString:
    """The message after a submit: what it changed, who sees it, where to look."""
    rated = f"{count} skill{'s' if count != 1 else ''} rated"
    if kind == Assessment.Kind.SELF:
        manager = person.manager
        if manager is None:
            seen = "Your ratings are now your current levels."
        else:
            boss = manager.get_full_name() or manager.username
            seen = (
                f"{boss} sees it on their team page. Where {boss} has rated a skill, "
                f"that rating stays your current level until {boss} assesses you again; "
                "elsewhere your own rating is."
            )
        return format_html(
            "Submitted: {}. {} Your next self-assessment starts from these answers. "
            '<a href="{}">See your map</a>.',
            rated,
            seen,
            reverse("assessments:my_map"),
        )
    name = person.get_full_name() or person.username
    return format_html(
        "Submitted: {} for {}. Your ratings are now {}'s current levels, shown on their "
        'map and your team heatmap. <a href="{}">See {}\'s map</a>.',
        rated,
        name,
        name,
        reverse("assessments:report", args=[person.pk]),
        name,
    )


# --- The self-assessment ----------------------------------------------------------------


@login_required
@require_GET
def assess(request: AuthedHttpRequest) -> HttpResponse:
    return assessment_form(request, person=request.user, kind=Assessment.Kind.SELF)


@login_required
@require_POST
def assess_save(request: AuthedHttpRequest) -> HttpResponse:
    return assessment_save(request, person=request.user, kind=Assessment.Kind.SELF)


@login_required
@require_http_methods(["GET", "POST"])
def assess_submit(request: AuthedHttpRequest) -> HttpResponse:
    return assessment_confirm_submit(request, person=request.user, kind=Assessment.Kind.SELF)


@login_required
@require_GET
def assess_levels(request: AuthedHttpRequest, key: str) -> HttpResponse:
    return assessment_levels(request, person=request.user, kind=Assessment.Kind.SELF, key=key)


@login_required
@require_GET
def assess_report_levels(request: AuthedHttpRequest, pk: int, key: str) -> HttpResponse:
    """The manager assessment's twin (its other views are in views/report.py): the
    report's managers only, as there; anyone else gets 404."""
    person = get_report_or_404(request.user, pk)
    return assessment_levels(request, person=person, kind=Assessment.Kind.MANAGER, key=key)


urlpatterns = [
    path("assess/", assess, name="assess"),
    path("assess/levels/<slug:key>/", assess_levels, name="assess_levels"),
    path(
        "team/<int:pk>/assess/levels/<slug:key>/",
        assess_report_levels,
        name="assess_report_levels",
    ),
    path("assess/save/", assess_save, name="assess_save"),
    path("assess/submit/", assess_submit, name="assess_submit"),
]
