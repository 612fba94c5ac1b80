"""Single sign-on pages (issue 22): the start of the code flow, the provider's callback,
the refusal page, RP-initiated logout; and the account page's API token buttons.
The rules are in people.sso; these views only wire them to mozilla-django-oidc's."""

from __future__ import annotations

from typing import Any

import requests
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    OIDCLogoutView,
)

from core.audit import record_on_commit
from core.types import AuthedHttpRequest
from people import sso, tokens

# Why a sign-in was refused, in the words the page shows.
REFUSALS = {
    sso.Refused.UNKNOWN: (
        "careermap does not know you yet",
        "Your sign-in worked, but no one in careermap has the email {email}. "
        "Ask HR to add you; then sign in again.",
    ),
    sso.Refused.UNVERIFIED: (
        "Your email is not verified",
        "Your identity provider has not verified the email {email}. Verify it there "
        "(or ask your IT team to), then sign in again.",
    ),
    sso.Refused.DEACTIVATED: (
        "Your access has ended",
        "The careermap account for {email} is deactivated. If that is a mistake, ask HR.",
    ),
    sso.Refused.AMBIGUOUS: (
        "Two people share this email",
        "More than one careermap account has the email {email}: ask HR to fix it.",
    ),
    "failed": (
        "Sign-in did not complete",
        "The sign-in could not be checked (it may have expired or been started in "
        "another tab). Start again from the log-in page.",
    ),
}


def refused(request: HttpRequest, reason: str, email: str = "", status: int = 403) -> HttpResponse:
    title, text = REFUSALS[reason]
    context = {"title": title, "text": text.format(email=email or "you gave"), "reason": reason}
    return render(request, "registration/sso_refused.html", context, status=status)


class Start(OIDCAuthenticationRequestView):
    """Sends the browser to the provider (state, nonce, PKCE in the session)."""

    get_settings = staticmethod(sso.oidc_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The endpoints are read in get(), once SSO is known to be on.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso.enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = sso.oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except requests.RequestException:
            return refused(request, "failed", status=502)
        self.OIDC_RP_CLIENT_ID = sso.oidc_setting("OIDC_RP_CLIENT_ID")
        return super().get(request)


class Callback(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code; every refusal is a page
    that says why, never a redirect loop."""

    get_settings = staticmethod(sso.oidc_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso.enabled():
            raise Http404
        try:
            return super().get(request)
        except sso.Refused as refusal:
            return refused(request, refusal.reason, refusal.email)
        except SuspiciousOperation:
            # A state not started in this browser, a nonce that does not match.
            return refused(request, "failed", status=400)
        except requests.RequestException:
            # The provider refused the code (expired, used twice) or could not be reached.
            return refused(request, "failed", status=400)

    def login_failure(self) -> HttpResponse:
        return refused(self.request, "failed", status=400)


class Logout(OIDCLogoutView):
    """Ends the careermap session, then the provider's (RP-initiated logout) when its
    discovery document has an end_session_endpoint. POST only."""

    get_settings = staticmethod(sso.oidc_setting)


@login_required
@require_POST
def token_create(request: AuthedHttpRequest) -> HttpResponse:
    """A new API token for the person's scripts, shown once; the old one stops working."""
    token = tokens.token_renew(request.user)
    record_on_commit(
        by=request.user,
        action="token.created",
        summary="Created an API token on their account page.",
        target=f"person:{request.user.pk}",
    )
    context = {"token": token, "expires": tokens.token_expires(token)}
    response = render(request, "people/account_token_created.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: AuthedHttpRequest) -> HttpResponse:
    if tokens.revoke_all(request.user):
        record_on_commit(
            by=request.user,
            action="token.revoked",
            summary="Revoked their API token on their account page.",
            target=f"person:{request.user.pk}",
        )
    return redirect("people:account")
