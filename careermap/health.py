"""GET /healthz: is this process able to serve? For load balancers and container checks.

200 `{"status": "ok"}` when the database answers `SELECT 1`; 503 `{"status":
"unavailable"}` with Retry-After when it does not. No session, no user, no template:
cheap enough to call every few seconds, and plain http must reach it behind the TLS
proxy (SECURE_REDIRECT_EXEMPT).
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.database import RETRY_AFTER_SECONDS

logger = logging.getLogger("careermap.database")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("Health check: the database does not answer: %s", exc)
        response = JsonResponse({"status": "unavailable"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("healthz", healthz, name="healthz"),
]
