"""The guide to choosing a path (issue 21): /paths/guide/. The answers are the
person's own: the page only ever reads and writes the signed-in person's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from assessments import path_guide as rules
from core.htmx import render_region
from core.types import AuthedHttpRequest


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def path_guide(request: AuthedHttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        raw = {q.key: request.POST.get(q.key, "") for q in rules.QUESTIONS}
        try:
            rules.reflection_save(person=request.user, answers=raw)
        except ValidationError as error:
            errors = error.message_dict
            answers = raw
        else:
            messages.success(request, "Answers saved. Only you can see them.")
            return HttpResponseRedirect(reverse("assessments:path_guide") + "#advice")
    else:
        answers = rules.answers_of(request.user)
    context = {
        "parts": [
            {
                "key": part,
                "items": [
                    {"q": q, "value": answers.get(q.key, ""), "error": errors.get(q.key)}
                    for q in rules.questions(part)
                ],
            }
            for part in ("self", "workplace")
        ],
        "errors": errors,
        "advice": [] if errors else rules.advice_for(answers),
        "meanings": [] if errors else rules.workplace_meanings(answers),
        "current": request.user.role,
    }
    response = render_region(request, "assessments/path_guide.html", None, context)
    if errors:
        response.status_code = 400
    return response


urlpatterns = [
    path("paths/guide/", path_guide, name="path_guide"),
]
