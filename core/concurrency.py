"""Optimistic concurrency in the API: ETag on reads, If-Match on writes.

A client that sends `If-Match` with the ETag it last read gets 409 Conflict instead of
silently overwriting a change it has not seen. Without `If-Match` a write goes through
(the contract's v1 clients keep working). The check runs with the row locked, inside
the write's transaction, so two clients holding the same ETag cannot both win.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import Conflict

STALE = (
    "{what} was changed by someone else since you read it (ETag {current}); "
    "nothing was written. Read it again and retry with the new ETag in If-Match."
)


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="The ETag last read; if the resource changed since, the write answers 409.",
)


def etag_of(data: Any) -> str:
    """A strong ETag for a representation."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def if_match(request: Request) -> list[str] | None:
    """The ETags of the request's If-Match header; None when it has none (or `*`)."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


def check_if_match(request: Request, current: str, what: str) -> None:
    wanted = if_match(request)
    if wanted is not None and current not in wanted:
        raise Conflict(STALE.format(what=what, current=current))


def with_etag(response: Response, etag: str) -> Response:
    response["ETag"] = etag
    return response
