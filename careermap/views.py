"""The front door: log in, log out, and choosing a password from an emailed link (an
invitation or "Forgot your password?": people.invitations sends both). Home is
assessments.views.home."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import reverse_lazy

from core.audit import record
from core.security import BoundedCredentials
from people.forms import PasswordLinkForm


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = BoundedCredentials
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's rule): the header's "Log out" button is a form."""


class PasswordLinkView(auth_views.PasswordResetView):
    """Ask for a link by email address; the answer never says whether one was sent."""

    form_class = PasswordLinkForm
    template_name = "registration/password_link.html"
    success_url = reverse_lazy("password_link_sent")


class PasswordLinkSentView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_link_sent.html"


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The emailed link: choose a password (Django checks the token, once)."""

    template_name = "registration/password_set.html"
    success_url = reverse_lazy("password_set_done")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        person = form.user
        record(
            by=person,
            action="password.set",
            summary=f"{person}: password chosen from an emailed link",
            target=person.username,
        )
        return response


class PasswordSetDoneView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_set_done.html"
