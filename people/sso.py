"""Single sign-on with OpenID Connect (issue 22), through mozilla-django-oidc.

The rules, in one place:
- SSO is on when OIDC_ISSUER and OIDC_CLIENT_ID are set (settings, from the environment);
  the provider's endpoints come from its discovery document
  (`<issuer>/.well-known/openid-configuration`), fetched once and cached.
- The flow is the authorization code flow with PKCE (S256), state and nonce.
- A person is matched by their email, case-insensitively, and only when the provider says
  the email is verified. An unknown email is refused ("ask HR to add you") unless
  CAREERMAP_OIDC_CREATE_USERS is on, which creates a person with no role for HR to place.
  A deactivated person is refused.
- CAREERMAP_PASSWORD_LOGIN=0 switches password log-in off (the page and the API's token
  endpoint) for everyone but superusers (break-glass).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.crypto import get_random_string
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import absolutify

from core.audit import record_on_commit
from people.models import Person

DISCOVERY_CACHE_SECONDS = 3600

# mozilla-django-oidc's endpoint settings, and the discovery document's names for them.
_DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


class Refused(Exception):
    """A sign-in the provider vouched for but careermap refuses; `reason` names why."""

    UNKNOWN = "unknown"
    UNVERIFIED = "unverified"
    DEACTIVATED = "deactivated"
    AMBIGUOUS = "ambiguous"

    def __init__(self, reason: str, email: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.email = email


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def password_login_allowed(person: Person | None = None) -> bool:
    """Password log-in is on, or (switched off) the person is a superuser (break-glass)."""
    if settings.CAREERMAP_PASSWORD_LOGIN:
        return True
    return person is not None and person.is_superuser


def discovery() -> dict[str, Any]:
    """The provider's discovery document, cached for an hour."""
    issuer = settings.OIDC_ISSUER.rstrip("/")
    key = f"careermap:oidc-discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        response = requests.get(
            f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
        )
        response.raise_for_status()
        document = response.json()
        if document.get("issuer", "").rstrip("/") != issuer:
            raise ImproperlyConfigured(
                f"OIDC_ISSUER is {issuer} but the discovery document names "
                f"{document.get('issuer')!r}."
            )
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def oidc_setting(attr: str, *args: Any) -> Any:
    """mozilla-django-oidc's settings, the endpoints from discovery."""
    if attr in _DISCOVERED:
        return discovery()[_DISCOVERED[attr]]
    if hasattr(settings, attr):
        return getattr(settings, attr)
    if args:
        return args[0]
    raise ImproperlyConfigured(f"Setting {attr} not found")


def username_for(email: str, claims: dict[str, Any] | None = None) -> str:
    """A new person's username: the email's local part, made unique."""
    base = email.split("@")[0][:120] or "person"
    name = base
    while Person.objects.filter(username__iexact=name).exists():
        name = f"{base}-{get_random_string(6).lower()}"
    return name


class OIDCBackend(OIDCAuthenticationBackend):
    """The sign-in rules on top of mozilla-django-oidc's code flow."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The endpoints are discovered on first use, not when Django builds the backend
        # list (every password log-in does that too).
        self.UserModel = Person

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        # A password log-in is not ours: only the callback (no credentials) is.
        if "password" in kwargs or "username" in kwargs or not enabled():
            return None
        super().__init__()  # reads the endpoints, discovering them
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        email = claims.get("email") or ""
        if not email:
            raise Refused(Refused.UNVERIFIED)
        if claims.get("email_verified") is not True:
            raise Refused(Refused.UNVERIFIED, email)
        return True

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return Person.objects.filter(email__iexact=claims["email"].strip())

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict) -> Any:
        claims = self.get_userinfo(access_token, id_token, payload)
        self.verify_claims(claims)
        email = claims["email"].strip()
        found = list(self.filter_users_by_claims(claims)[:2])
        if len(found) > 1:
            raise Refused(Refused.AMBIGUOUS, email)
        if found:
            person = found[0]
            if not person.is_active:
                raise Refused(Refused.DEACTIVATED, email)
            return person
        if not settings.CAREERMAP_OIDC_CREATE_USERS:
            raise Refused(Refused.UNKNOWN, email)
        return person_create_from_sso(email=email, name=str(claims.get("name") or "")[:200])

    def get_user(self, user_id: Any) -> Person | None:
        try:
            person = Person.objects.get(pk=user_id)
        except Person.DoesNotExist:
            return None
        return person if person.is_active else None


@transaction.atomic
def person_create_from_sso(*, email: str, name: str) -> Person:
    """A person the provider knows and careermap did not: no role, no manager, no
    password, for HR to place (CAREERMAP_OIDC_CREATE_USERS=1)."""
    person = Person(username=username_for(email), email=email, name=name)
    person.set_unusable_password()
    person.save()
    record_on_commit(
        by=person,
        action="person.created",
        summary=f"{email} signed in with single sign-on and was added with no role.",
        target=f"person:{person.pk}",
    )
    return person


class PasswordLoginSwitch:
    """Placed before ModelBackend: with CAREERMAP_PASSWORD_LOGIN=0, a password log-in of
    anyone but a superuser stops here (PermissionDenied ends Django's backend loop), on
    the log-in page and the API's token endpoint alike. No get_user: it never holds a
    session (Django's force_login and login() pick the first backend that has one)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if password is None or settings.CAREERMAP_PASSWORD_LOGIN:
            return None
        person = Person.objects.filter(username=username).first() if username else None
        if not password_login_allowed(person):
            raise PermissionDenied("Password log-in is switched off: use single sign-on.")
        return None


def provider_logout_url(request: HttpRequest) -> str:
    """RP-initiated logout (OIDC_OP_LOGOUT_URL_METHOD): the provider's end_session
    endpoint when its discovery document has one, else our log-in page."""
    back = absolutify(request, reverse("login"))
    endpoint = discovery().get("end_session_endpoint") if enabled() else None
    if not endpoint:
        return back
    params = {"client_id": settings.OIDC_RP_CLIENT_ID, "post_logout_redirect_uri": back}
    id_token = request.session.get("oidc_id_token")
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}?{urlencode(params)}"
