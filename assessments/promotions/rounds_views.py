"""Review rounds' pages (rules: assessments.promotions.committee).

- /promotions/rounds/: the rounds (HR: all, with "New round"; a reviewer: theirs);
- /promotions/rounds/new/: HR's form (name, date, the submitted cases, reviewers);
- /promotions/rounds/<id>/: the round's cases side by side (readiness, gaps, evidence,
  the manager's calibration), each with the reviewer's vote form, the votes they may
  see, comments, and HR's decision form (rules.case_decide);
- posts: .../cases/<case>/vote/, .../comment/, .../decide/ (plain posts, then back).

Anyone who may not see a round gets 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.cycles import site_today
from assessments.models import PromotionCase, Vote
from assessments.promotions.committee import (
    board,
    comment_add,
    get_round_or_404,
    round_create,
    rounds_visible_to,
    vote_record,
)
from assessments.promotions.rules import OUTCOMES, case_decide
from core.access import hr_required
from core.errors import named_problems
from core.htmx import render_region
from core.limits import TEXT_MAX
from core.numbers import ascii_int
from core.types import AuthedHttpRequest
from people.models import Person


@login_required
@require_GET
def rounds(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    found = list(
        rounds_visible_to(user)
        .annotate(case_count=Count("cases", distinct=True))
        .order_by("-date", "-id")
    )
    if not user.is_hr and not found:
        raise Http404("No such page.")
    return render_region(request, "assessments/promotions/round_list.html", None, {"rounds": found})


def _choices() -> dict[str, Any]:
    return {
        "cases": PromotionCase.objects.filter(status=PromotionCase.Status.SUBMITTED)
        .select_related("person", "target_role")
        .order_by("person__name", "person__username", "pk"),
        "people": Person.objects.filter(is_active=True).order_by("name", "username"),
    }


@hr_required
@require_http_methods(["GET", "POST"])
def round_new(request: AuthedHttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    form: dict[str, Any] = {"name": "", "date": "", "cases": [], "reviewers": []}
    if request.method == "POST":
        ids = {
            key: [n for n in (ascii_int(v) for v in request.POST.getlist(key)) if n is not None]
            for key in ("cases", "reviewers")
        }
        form = {"name": request.POST.get("name", ""), "date": request.POST.get("date", ""), **ids}
        try:
            made = round_create(by=request.user, **form)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(
                request, f"Formed the round “{made.name}”: its cases are now in review."
            )
            return redirect("assessments:promotion_round", pk=made.pk)
    context = {**_choices(), "form": form, "errors": errors, "today": site_today().isoformat()}
    return render_region(request, "assessments/promotions/round_form.html", None, context)


@login_required
@require_GET
def round_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    found = get_round_or_404(request.user, pk)
    context = {
        **board(user=request.user, round_=found),
        "choices": Vote.Choice.choices,
        "outcomes": [(o.value, o.label) for o in OUTCOMES],
        "today": site_today().isoformat(),
        "text_max": TEXT_MAX,
    }
    return render_region(request, "assessments/promotions/round_detail.html", None, context)


def _back(pk: int, case: int | None) -> HttpResponse:
    anchor = f"#case-{case}" if case else ""
    return redirect(reverse("assessments:promotion_round", args=[pk]) + anchor)


def _write(request: AuthedHttpRequest, pk: int, case: int, write: Any, done: str) -> HttpResponse:
    found = get_round_or_404(request.user, pk)
    try:
        write(found)
    except ValidationError as exc:
        messages.error(request, " ".join(named_problems(exc)))
    except PermissionDenied:
        raise Http404("No such page.") from None
    else:
        messages.success(request, done)
    return _back(found.pk, case)


@login_required
@require_POST
def vote(request: AuthedHttpRequest, pk: int, case: int) -> HttpResponse:
    data = request.POST

    def write(round_: Any) -> None:
        vote_record(
            by=request.user,
            round_=round_,
            case=case,
            vote=data.get("vote", ""),
            reason=data.get("reason", ""),
        )

    return _write(request, pk, case, write, "Your vote is recorded.")


@login_required
@require_POST
def comment(request: AuthedHttpRequest, pk: int, case: int) -> HttpResponse:
    def write(round_: Any) -> None:
        comment_add(by=request.user, round_=round_, case=case, note=request.POST.get("note", ""))

    return _write(request, pk, case, write, "Your comment is added.")


@hr_required
@require_POST
def decide(request: AuthedHttpRequest, pk: int, case: int) -> HttpResponse:
    data = request.POST

    def write(round_: Any) -> None:
        found = round_.cases.filter(pk=case).first()
        if found is None:
            raise ValidationError({"case": f"Case {case} is not in this round."})
        case_decide(
            by=request.user,
            case=found,
            outcome=data.get("outcome", ""),
            rationale=data.get("rationale", ""),
            effective=data.get("effective") or None,
            revisit=data.get("revisit") or None,
        )

    return _write(request, pk, case, write, "The decision is recorded.")


urlpatterns = [
    path("promotions/rounds/", rounds, name="promotion_rounds"),
    path("promotions/rounds/new/", round_new, name="promotion_round_new"),
    path("promotions/rounds/<int:pk>/", round_detail, name="promotion_round"),
    path("promotions/rounds/<int:pk>/cases/<int:case>/vote/", vote, name="promotion_round_vote"),
    path(
        "promotions/rounds/<int:pk>/cases/<int:case>/comment/",
        comment,
        name="promotion_round_comment",
    ),
    path(
        "promotions/rounds/<int:pk>/cases/<int:case>/decide/",
        decide,
        name="promotion_round_decide",
    ),
]
