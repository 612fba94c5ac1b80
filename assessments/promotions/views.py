"""Promotion cases' pages (rules: assessments.promotions.rules; who sees what: .access).

- /promotions/: the cases the viewer sees (filter by status), "Open a case";
- /promotions/new/: open a case (a manager for anyone below them, the person for their
  own target role, HR for anyone);
- /promotions/<id>/: the case: status, summary, the packet (live while a draft, frozen
  once submitted), its history, the opener's edit / submit / withdraw, HR's decision
  form, and for the person a declined or deferred decision's rationale with the gaps
  that mattered, each a button to add it to their growth plan;
- /promotions/<id>/edit/: the draft's summary;
- /promotions/<id>/packet/: the packet to print (static/css/print.css);
- posts: submit/, withdraw/, decide/, plan/.

Anyone who may not see a case gets 404; a post they may not make is a 404 too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.cycles import site_today
from assessments.models import PromotionCase
from assessments.promotions import packet as packets
from assessments.promotions.access import cases_visible_to, get_case_or_404, is_subject
from assessments.promotions.committee import rounds_visible_to
from assessments.promotions.rules import (
    DECIDED,
    OUTCOMES,
    case_comment_by,
    case_decide,
    case_open,
    case_submit,
    case_update,
    case_withdraw,
    may_comment,
    may_decide,
    may_edit,
)
from assessments.services import focus_skill_save
from core.errors import named_problems
from core.htmx import render_region
from core.numbers import ascii_int
from core.types import AuthedHttpRequest
from people.models import Person
from people.visibility import is_manager
from skills.models import Role

Status = PromotionCase.Status


# --- The list ---------------------------------------------------------------------------


def _openable(user: Person) -> Any:
    """Whom `user` may open a case for: HR everyone active, a manager their subtree and
    themselves, anyone else themselves (their target role)."""
    people = Person.objects.filter(is_active=True)
    if user.is_hr:
        return people
    if is_manager(user):
        return people.filter(pk__in=Person.objects.below(user.pk).values("pk")) | people.filter(
            pk=user.pk
        )
    return people.filter(pk=user.pk)


def _may_open_any(user: Person) -> bool:
    return bool(user.is_hr or user.target_role_id is not None or is_manager(user))


@login_required
@require_GET
def cases(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    found = cases_visible_to(user).select_related("person", "target_role", "opened_by")
    wanted = request.GET.get("status", "")
    if wanted not in Status.values:
        wanted = ""
    if wanted:
        found = found.filter(status=wanted)
    context = {
        "cases": list(found.order_by("-created_at", "-id")[:500]),
        "statuses": Status.choices,
        "wanted": wanted,
        "may_open": _may_open_any(user),
        # HR forms rounds; a reviewer reads theirs (one query, only for non-HR).
        "show_rounds": user.is_hr or rounds_visible_to(user).exists(),
    }
    return render_region(request, "assessments/promotions/case_list.html", None, context)


# --- Opening ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if not _may_open_any(user):
        raise Http404("No such page.")
    people = _openable(user).select_related("target_role").order_by("name", "username")
    errors: dict[str, list[str]] = {}
    form: dict[str, Any] = {
        "person": ascii_int(request.GET.get("person", "")) or user.pk,
        "target_role": "",
        "summary": "",
    }
    if request.method == "POST":
        person_id = ascii_int(request.POST.get("person", ""))
        form = {
            "person": person_id,
            "target_role": request.POST.get("target_role", ""),
            "summary": request.POST.get("summary", ""),
        }
        person = people.filter(pk=person_id).first() if person_id is not None else None
        if person is None:
            errors = {"person": ["Choose someone from the list."]}
        else:
            try:
                made = case_open(
                    by=user,
                    person=person,
                    target_role=str(form["target_role"]),
                    summary=str(form["summary"]),
                )
            except ValidationError as exc:
                errors = exc.message_dict
            except PermissionDenied as exc:
                errors = {"target_role": [str(exc)]}
            else:
                messages.success(request, "Opened the case: a draft until you submit it.")
                return redirect("assessments:promotion_case", pk=made.pk)
    context = {
        "people": people,
        "roles": Role.objects.filter(retired=False).order_by("name"),
        "form": form,
        "errors": errors,
    }
    return _render(request, "assessments/promotions/case_new.html", context)


def _render(request: AuthedHttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render_region(request, template, None, context)


# --- One case ---------------------------------------------------------------------------


def _events(case: PromotionCase) -> list[Any]:
    return list(case.events.select_related("actor").order_by("at", "id"))


@login_required
@require_GET
def case_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    case = get_case_or_404(user, pk)
    packet = packets.of(case)
    subject = is_subject(user, case)
    context = {
        "case": case,
        "packet": packet,
        "events": _events(case),
        "may_edit": may_edit(user, case) and case.status == Status.DRAFT,
        "may_submit": may_edit(user, case) and case.status == Status.DRAFT,
        "may_withdraw": may_edit(user, case) and case.status in (Status.DRAFT, Status.SUBMITTED),
        "may_decide": may_decide(user) and case.status == Status.IN_REVIEW,
        "may_comment": may_comment(user, case)
        and case.status in (Status.SUBMITTED, Status.IN_REVIEW),
        "decided": case.status in DECIDED,
        "subject": subject,
        "gaps": packets.gaps_that_mattered(packet)
        if subject and case.status in (Status.DECLINED, Status.DEFERRED)
        else [],
        "outcomes": [(str(o), o.label) for o in OUTCOMES],
        "today": site_today().isoformat(),
        "decide_errors": {},
        "decide_form": {"outcome": "", "rationale": "", "effective": "", "revisit": ""},
    }
    return _render(request, "assessments/promotions/case_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_or_404(request.user, pk)
    if not may_edit(request.user, case) or case.status != Status.DRAFT:
        raise Http404("No such page.")
    errors: dict[str, list[str]] = {}
    summary = case.summary
    if request.method == "POST":
        summary = request.POST.get("summary", "")
        try:
            case_update(by=request.user, case=case, changes={"summary": summary})
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, "Saved the summary.")
            return redirect("assessments:promotion_case", pk=case.pk)
    context = {"case": case, "summary": summary, "errors": errors}
    return _render(request, "assessments/promotions/case_edit.html", context)


def _write(request: AuthedHttpRequest, pk: int, write: Any, done: str) -> HttpResponse:
    case = get_case_or_404(request.user, pk)
    try:
        write(case)
    except ValidationError as exc:
        for problem in named_problems(exc):
            messages.error(request, problem)
    except PermissionDenied:
        raise Http404("No such page.") from None
    else:
        messages.success(request, done)
    return redirect("assessments:promotion_case", pk=case.pk)


@login_required
@require_POST
def submit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _write(
        request,
        pk,
        lambda case: case_submit(by=request.user, case=case),
        "Submitted: the packet is frozen as it is now.",
    )


@login_required
@require_POST
def comment(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _write(
        request,
        pk,
        lambda case: case_comment_by(by=request.user, case=case, note=request.POST.get("note", "")),
        "Your comment is added.",
    )


@login_required
@require_POST
def withdraw(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _write(
        request,
        pk,
        lambda case: case_withdraw(by=request.user, case=case),
        "Withdrew the case.",
    )


@login_required
@require_POST
def decide(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    case = get_case_or_404(user, pk)
    if not may_decide(user):
        raise Http404("No such page.")
    form = {
        "outcome": request.POST.get("outcome", ""),
        "rationale": request.POST.get("rationale", ""),
        "effective": request.POST.get("effective", ""),
        "revisit": request.POST.get("revisit", ""),
    }
    try:
        case_decide(
            by=user,
            case=case,
            outcome=form["outcome"],
            rationale=form["rationale"],
            effective=form["effective"] or None,
            revisit=form["revisit"] or None,
        )
    except ValidationError as exc:
        errors = exc.message_dict
        if "status" in errors:
            messages.error(request, " ".join(errors["status"]))
            return redirect("assessments:promotion_case", pk=case.pk)
        packet = packets.of(case)
        context = {
            "case": case,
            "packet": packet,
            "events": _events(case),
            "may_edit": False,
            "may_submit": False,
            "may_withdraw": False,
            "may_decide": case.status == Status.IN_REVIEW,
            "decided": False,
            "subject": is_subject(user, case),
            "gaps": [],
            "outcomes": [(str(o), o.label) for o in OUTCOMES],
            "today": site_today().isoformat(),
            "decide_errors": errors,
            "decide_form": form,
        }
        return _render(request, "assessments/promotions/case_detail.html", context)
    messages.success(request, "Recorded the decision; the person is told.")
    return redirect("assessments:promotion_case", pk=case.pk)


@login_required
@require_POST
def add_to_plan(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The person turns a gap of their declined or deferred case into a focus skill of
    their growth plan, its target level the level the role expects."""
    user = request.user
    case = get_case_or_404(user, pk)
    if not is_subject(user, case) or case.status not in (Status.DECLINED, Status.DEFERRED):
        raise Http404("No such page.")
    key = request.POST.get("skill", "")
    row = next((s for s in packets.gaps_that_mattered(packets.of(case)) if s["key"] == key), None)
    if row is None:
        messages.error(request, "Choose one of the gaps listed.")
        return redirect("assessments:promotion_case", pk=case.pk)
    try:
        _, added = focus_skill_save(
            by=user, person=user, skill_key=key, target_level=row["expected"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        verb = "Added" if added else "Already in your plan:"
        messages.success(
            request, f"{verb} {row['name']} (target level {row['expected']}) in your growth plan."
        )
    return redirect("assessments:promotion_case", pk=case.pk)


@login_required
@require_GET
def case_packet(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_or_404(request.user, pk)
    context = {"case": case, "packet": packets.of(case)}
    return _render(request, "assessments/promotions/case_packet.html", context)


urlpatterns = [
    path("promotions/", cases, name="promotions"),
    path("promotions/new/", case_new, name="promotion_new"),
    path("promotions/<int:pk>/", case_detail, name="promotion_case"),
    path("promotions/<int:pk>/edit/", case_edit, name="promotion_edit"),
    path("promotions/<int:pk>/packet/", case_packet, name="promotion_packet"),
    path("promotions/<int:pk>/submit/", submit, name="promotion_submit"),
    path("promotions/<int:pk>/withdraw/", withdraw, name="promotion_withdraw"),
    path("promotions/<int:pk>/comment/", comment, name="promotion_comment"),
    path("promotions/<int:pk>/decide/", decide, name="promotion_decide"),
    path("promotions/<int:pk>/plan/", add_to_plan, name="promotion_plan"),
]
