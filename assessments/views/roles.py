"""Role pages for everyone (issue 21): /roles/<key>/ (rules: assessments.role_pages),
and HR's switch of whether the page lists who holds the role."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from assessments.role_pages import role_page, role_show_holders_set
from core.access import hr_required
from core.htmx import render_region
from core.types import AuthedHttpRequest
from skills.models import Role


@login_required
@require_GET
def role_detail(request: AuthedHttpRequest, key: str) -> HttpResponse:
    page = role_page(role_key=key, viewer=request.user)
    context = {"page": page, "role": page.role, "gaps": page.gaps}
    return render_region(request, "assessments/role_page.html", None, context)


@hr_required
@require_POST
def role_holders(request: AuthedHttpRequest, key: str) -> HttpResponse:
    role = Role.objects.active().filter(key=key).first()
    if role is None:
        raise Http404("No such role.")
    show = request.POST.get("show_holders")
    if show not in ("on", "off"):
        messages.error(request, 'show_holders: choose "on" or "off".')
        return HttpResponseRedirect(reverse("assessments:role", args=[role.key]))
    role_show_holders_set(by=request.user, role=role, show=show == "on")
    messages.success(
        request, "The page lists who holds the role." if show == "on" else "Holders hidden."
    )
    return HttpResponseRedirect(reverse("assessments:role", args=[role.key]))


urlpatterns = [
    path("roles/<slug:key>/", role_detail, name="role"),
    path("roles/<slug:key>/holders/", role_holders, name="role_holders"),
]
