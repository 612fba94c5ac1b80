"""Request types for views that run only for a logged-in person.

`login_required`, `hr_required` and DRF's `IsAuthenticated` guarantee an authenticated
user, which Django's and DRF's own types cannot know: their `request.user` may be
anonymous. Annotating such a view's `request` with these types says so to mypy.

`_User` is django-stubs' alias for the configured user model (AUTH_USER_MODEL, the
people app's Person), resolved by its mypy plugin: core names no app above it, and at
run time these are plain subclasses that nothing instantiates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails
from rest_framework.request import Request

if TYPE_CHECKING:
    from django.contrib.auth.models import _User


class AuthedHttpRequest(HttpRequest):
    """A page request from a logged-in person; `htmx` is set by django-htmx's middleware."""

    user: _User
    htmx: HtmxDetails


class AuthedRequest(Request):
    """A DRF request that passed `IsAuthenticated`."""

    user: _User
