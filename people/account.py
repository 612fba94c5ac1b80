"""A person's own account page: who they are here, and the time zone their pages use."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.timezones import zone_names
from core.types import AuthedHttpRequest
from people import tokens


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label="Time zone", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        field.choices = [("", "The server's"), *((name, name) for name in zone_names())]  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
def account(request: AuthedHttpRequest) -> HttpResponse:
    person = request.user
    if request.method == "POST":
        form = TimeZoneForm(request.POST)
        if form.is_valid():
            person.time_zone = form.cleaned_data["time_zone"]
            person.save(update_fields=["time_zone"])
            shown = person.time_zone or "the server's time zone"
            messages.success(request, f"Times are now shown in {shown}.")
            return redirect("people:account")
    else:
        form = TimeZoneForm(initial={"time_zone": person.time_zone})
    api_token = tokens.token_current(person)
    context = {
        "form": form,
        "person": person,
        "server_zone": settings.TIME_ZONE,
        "api_token": api_token,
        "api_token_expires": tokens.token_expires(api_token) if api_token else None,
    }
    return render(request, "people/account.html", context)
