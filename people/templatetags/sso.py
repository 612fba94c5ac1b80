"""The log-in page asks people.sso whether single sign-on and passwords are on: the
log-in view is Django's own, so the page gets the answer through this tag."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from people import sso

register = template.Library()


@register.simple_tag
def sso_login() -> dict[str, Any]:
    return {
        "enabled": sso.enabled(),
        "label": settings.OIDC_LABEL,
        "password_login": settings.CAREERMAP_PASSWORD_LOGIN,
    }
