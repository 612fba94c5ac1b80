"""Input from others' pages (rules: assessments.feedback).

- /feedback/: "Asked of me", the requests for the viewer's input that are still open;
- /feedback/<id>/: a respondent's answer form (a level with its descriptors, or can't
  say, and an example per skill), /feedback/<id>/decline/ to decline (a confirmation
  page without JavaScript, htmx's confirm dialog with it);
- /feedback/ask/ and /team/<id>/feedback/ask/: ask for input on oneself or a report;
- /map/feedback/ and /feedback/about/<id>/: the requests about a person and others'
  view per skill, as an aggregate only.

Every form works as a plain post; with htmx, the form swaps in place. Anyone who may not
open a page gets 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from assessments.feedback import (
    MAX_RESPONDENTS,
    MAX_SKILLS,
    Status,
    feedback_answer,
    feedback_decline,
    feedback_request_create,
    feedback_summary,
    is_open,
    may_ask,
    min_answers,
    respondents_of,
    site_today,
    visible_requests,
)
from assessments.models import FeedbackRequest
from core.errors import Conflict
from core.htmx import render_region, wants_region
from core.numbers import ascii_int, ascii_int_or
from core.types import AuthedHttpRequest
from people.models import Person
from people.visibility import get_report_or_404
from skills.models import Scale, Skill

CANT_SAY = "none"  # the form's value for "can't say"
PEOPLE_SHOWN = 100  # respondents listed at once; typing a name finds the others


# --- Asked of me ------------------------------------------------------------------------


@login_required
@require_GET
def asked_of_me(request: AuthedHttpRequest) -> HttpResponse:
    today = site_today()
    asked = list(visible_requests(request.user, role="asked").filter(due__gte=today))
    for item in asked:
        item.my_status = item.mine[0].status if item.mine else Status.OPEN  # type: ignore[attr-defined]
    context = {
        "open": [r for r in asked if r.my_status == Status.OPEN],  # type: ignore[attr-defined]
        "done": [r for r in asked if r.my_status != Status.OPEN],  # type: ignore[attr-defined]
        "min_answers": min_answers(),
    }
    return render_region(request, "assessments/feedback_asked.html", None, context)


# --- Answering --------------------------------------------------------------------------


def _asked_or_404(user: Person, pk: int) -> FeedbackRequest:
    found = visible_requests(user, role="asked").filter(pk=pk).first()
    if found is None or not found.mine:  # type: ignore[attr-defined]
        raise Http404("No such request.")
    return found


def _posted_answers(data: QueryDict, request: FeedbackRequest) -> list[dict[str, Any]]:
    """The form as the service takes it: one answer per skill; a level left unchosen is
    sent as no answer (the service names it)."""
    answers = []
    for skill in request.skills.all():
        raw = data.get(f"level-{skill.key}", "")
        if raw == "":
            continue
        level: Any = None if raw == CANT_SAY else ascii_int_or(raw)
        answers.append(
            {"skill": skill.key, "level": level, "example": data.get(f"example-{skill.key}", "")}
        )
    return answers


def _answer_rows(
    feedback: FeedbackRequest, form: dict[str, dict[str, Any]], errors: dict[str, str]
) -> list[dict[str, Any]]:
    scale = Scale.current()
    rows = []
    for skill in feedback.skills.all():
        given = form.get(skill.key, {})
        rows.append(
            {
                "skill": skill,
                "choices": [
                    {
                        "value": str(level),
                        "label": scale.label(level),
                        "descriptor": skill.descriptor(level),
                    }
                    for level in scale.levels
                ],
                "chosen": given.get("level", ""),
                "example": given.get("example", ""),
                "error": errors.get(skill.key, ""),
            }
        )
    return rows


def _render_answer(
    request: AuthedHttpRequest,
    feedback: FeedbackRequest,
    *,
    form: dict[str, dict[str, Any]] | None = None,
    errors: dict[str, str] | None = None,
    general: str = "",
    confirm_decline: bool = False,
    saved: str = "",
) -> HttpResponse:
    mine = feedback.mine[0]  # type: ignore[attr-defined]
    if form is None:
        form = {
            a.skill.key: {
                "level": CANT_SAY if a.level is None else str(a.level),
                "example": a.example,
            }
            for a in mine.answers.all()
        }
    context = {
        "feedback": feedback,
        "response": mine,
        "rows": _answer_rows(feedback, form, errors or {}),
        "errors": errors or {},
        "general": general,
        "open": is_open(feedback),
        "cant_say": CANT_SAY,
        "min_answers": min_answers(),
        "confirm_decline": confirm_decline,
        "saved": saved,
    }
    return render_region(request, "assessments/feedback_answer.html", "answer", context)


def _errors_by_skill(feedback: FeedbackRequest, exc: ValidationError, posted: list[dict]) -> dict:
    """Service errors (`answers[i].field`) keyed by the skill of item i; `answers` (a
    skill left unanswered) under each unanswered skill."""
    found: dict[str, str] = {}
    answered = {a["skill"] for a in posted}
    for key, messages_ in exc.message_dict.items():
        text = " ".join(messages_)
        if key == "answers":
            for skill in feedback.skills.all():
                if skill.key not in answered:
                    found[skill.key] = "Choose a level, or can't say."
        elif key.startswith("answers["):
            index = int(key[len("answers[") : key.index("]")])
            found[posted[index]["skill"]] = text
    return found


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def answer(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    feedback = _asked_or_404(request.user, pk)
    if request.method == "GET":
        return _render_answer(request, feedback)
    posted = _posted_answers(request.POST, feedback)
    form = {
        s.key: {
            "level": request.POST.get(f"level-{s.key}", ""),
            "example": request.POST.get(f"example-{s.key}", ""),
        }
        for s in feedback.skills.all()
    }
    try:
        feedback_answer(by=request.user, request=feedback, answers=posted)
    except ValidationError as exc:
        errors = _errors_by_skill(feedback, exc, posted)
        return _render_answer(request, feedback, form=form, errors=errors)
    except Conflict as exc:
        return _render_answer(request, feedback, form=form, general=str(exc))
    except PermissionDenied:
        raise Http404("No such request.") from None
    done = f"Thank you: your input on {feedback.person.get_full_name()} is saved."
    if wants_region(request):
        return _render_answer(request, _asked_or_404(request.user, pk), saved=done)
    messages.success(request, done)
    return redirect("assessments:feedback_asked")


@login_required
@require_http_methods(["GET", "POST"])
def decline(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation (without JavaScript); POST: decline."""
    feedback = _asked_or_404(request.user, pk)
    if request.method == "GET":
        return _render_answer(request, feedback, confirm_decline=True)
    try:
        feedback_decline(by=request.user, request=feedback)
    except Conflict as exc:
        return _render_answer(request, feedback, general=str(exc))
    except PermissionDenied:
        raise Http404("No such request.") from None
    messages.success(request, f"Declined the request about {feedback.person.get_full_name()}.")
    if wants_region(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("assessments:feedback_asked")
        return response
    return redirect("assessments:feedback_asked")


# --- Asking -----------------------------------------------------------------------------


def _skill_groups(person: Person) -> list[tuple[str, list[Skill]]]:
    """Active skills: those the person's roles expect first, then the others."""
    roles = [r for r in (person.role, person.target_role) if r is not None]
    skills = list(Skill.objects.active().select_related("category").order_by("name"))
    expected_ids = set(
        Skill.objects.filter(expectations__role__in=roles).values_list("pk", flat=True)
    )
    expected = [s for s in skills if s.pk in expected_ids]
    others = [s for s in skills if s.pk not in expected_ids]
    names = " and ".join(dict.fromkeys(r.name for r in roles))
    if not expected:
        return [("Skills", others)]
    return [(f"Expected by {names}", expected), ("Other skills", others)]


def _people(person: Person, query: str, chosen: list[int]) -> tuple[list[Person], int]:
    """Active people one may ask (not the person): those chosen, then those matching the
    typed name (all, without one), at most PEOPLE_SHOWN; and how many matched."""
    people = Person.objects.filter(is_active=True).exclude(pk=person.pk)
    if query:
        people = people.filter(Q(name__icontains=query) | Q(username__icontains=query))
    matched = people.count()
    shown = list(people.order_by("name", "username")[:PEOPLE_SHOWN])
    missing = [pk for pk in chosen if pk not in {p.pk for p in shown}]
    if missing:
        extra = Person.objects.filter(pk__in=missing, is_active=True).exclude(pk=person.pk)
        shown = sorted([*extra, *shown], key=lambda p: (p.name, p.username))
    return shown, matched


def _ids(values: list[str]) -> list[int]:
    return [n for v in values if (n := ascii_int(v)) is not None]


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def ask(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Ask for input: on oneself (no pk) or on a report."""
    if pk is None:
        person = Person.objects.select_related("role", "target_role").get(pk=request.user.pk)
        action = reverse("assessments:feedback_ask")
    else:
        person = get_report_or_404(request.user, pk)
        action = reverse("assessments:report_feedback_ask", args=[pk])
    if not may_ask(request.user, person):
        raise Http404("No such page.")
    data = request.POST if request.method == "POST" else request.GET
    chosen = _ids(data.getlist("respondents"))
    form: dict[str, Any] = {
        "skills": data.getlist("skills"),
        "respondents": chosen,
        "message": data.get("message", ""),
        "due": data.get("due", ""),
        "q": data.get("q", "").strip(),
    }
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            made = feedback_request_create(
                by=request.user,
                person=person,
                skills=form["skills"],
                respondents=form["respondents"],
                message=form["message"],
                due=form["due"],
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            asked = made.responses.count()
            messages.success(
                request,
                f"Asked {asked} {'person' if asked == 1 else 'people'} for input"
                f"{'' if pk is None else ' on ' + person.get_full_name()}: "
                "each gets an email with a link to answer.",
            )
            if pk is None:
                done = reverse("assessments:feedback_mine")
            else:
                done = reverse("assessments:feedback_about", args=[person.pk])
            if wants_region(request):  # htmx follows this to the whole page
                response = HttpResponse(status=204)
                response["HX-Redirect"] = done
                return response
            return redirect(done)
    people, matched = _people(person, form["q"], chosen)
    context = {
        "person": person,
        "own": pk is None,
        "action": action,
        "form": form,
        "errors": errors,
        "groups": _skill_groups(person),
        "people": people,
        "matched": matched,
        "people_shown": PEOPLE_SHOWN,
        "today": site_today().isoformat(),
        "max_skills": MAX_SKILLS,
        "max_respondents": MAX_RESPONDENTS,
        "min_answers": min_answers(),
    }
    region = "people" if request.method == "GET" else "ask-form"
    return render_region(request, "assessments/feedback_ask.html", region, context)


# --- About a person ---------------------------------------------------------------------


@login_required
@require_GET
def about(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    """The requests about a person and others' view per skill (aggregate only)."""
    if pk is None or pk == request.user.pk:
        person = request.user
    else:
        found = Person.objects.visible_to(request.user, person_id=pk).filter(is_active=True).first()
        if found is None:
            raise Http404("No such person.")
        person = found
    made = list(visible_requests(request.user, role="made").filter(person=person))
    named = respondents_of(made)
    for item in made:
        item.named = named.get(item.pk, [])  # type: ignore[attr-defined]
    own = person.pk == request.user.pk
    if own:
        ask_url = reverse("assessments:feedback_ask")
    elif may_ask(request.user, person):
        ask_url = reverse("assessments:report_feedback_ask", args=[person.pk])
    else:
        ask_url = ""
    context = {
        "person": person,
        "own": own,
        "requests": made,
        "summary": feedback_summary(person),
        "min_answers": min_answers(),
        "ask_url": ask_url,
        "today": site_today(),
    }
    return render_region(request, "assessments/feedback_about.html", None, context)


urlpatterns = [
    path("feedback/", asked_of_me, name="feedback_asked"),
    path("feedback/ask/", ask, name="feedback_ask"),
    path("feedback/<int:pk>/", answer, name="feedback_answer"),
    path("feedback/<int:pk>/decline/", decline, name="feedback_decline"),
    path("feedback/about/<int:pk>/", about, name="feedback_about"),
    path("map/feedback/", about, name="feedback_mine"),
    path("team/<int:pk>/feedback/ask/", ask, name="report_feedback_ask"),
]
