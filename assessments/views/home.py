"""Home: what to do next, where one stands, one's team at a glance (managers) and the
organisation's loose ends (HR). Anonymous visitors are sent to log in. Mounted at `/`
as "home" by careermap/urls.py (the front door), not under the app's namespace."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from assessments.home import home_for
from people.models import Person


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    person = Person.objects.select_related("role", "target_role").get(pk=request.user.pk)
    return render(request, "assessments/home.html", {"home": home_for(person)})
