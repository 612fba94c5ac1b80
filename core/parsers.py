"""JSON bodies the API reads, bounded (issue 23): no JSON nested deeper than MAX_DEPTH is
parsed (400, never a RecursionError), and no string or key holding a control character
(NUL, which PostgreSQL refuses, and the other C0 characters but tab, newline and
carriage return) reaches a serializer (400 naming where it is); no body is read past
DATA_UPLOAD_MAX_MEMORY_SIZE (`read_bounded`, for every parser: a 413)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from core.edge import control_character_in
from core.walk import TooDeep, nodes

MAX_DEPTH = 32


def read_bounded(stream: Any) -> bytes:
    """The body, read no further than DATA_UPLOAD_MAX_MEMORY_SIZE: past it, Django's own
    RequestDataTooBig (a 413 from core.drf.exception_handler). DRF hands a parser the
    request itself as the stream, whose reads Django does not bound."""
    if stream is None:
        return b""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:
        return stream.read()
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise RequestDataTooBig(f"The request body is larger than {limit} bytes.")
    return body


def _check(value: Any) -> None:
    """Walk the parsed document (core.walk): depth, then control characters."""
    try:
        for path, item in nodes(value, max_depth=MAX_DEPTH):
            if isinstance(item, dict):
                for key in item:
                    if control_character_in(key):
                        raise _control(f"{path}.{key}" if path else str(key))
            elif isinstance(item, str) and control_character_in(item):
                raise _control(path or "body")
    except TooDeep as exc:
        raise exceptions.ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.") from exc


def _control(where: str) -> exceptions.ValidationError:
    printable = "".join(c if c.isprintable() else "?" for c in where)[:100]
    return exceptions.ValidationError(
        {printable: ["Control characters (such as NUL) are not accepted here."]}
    )


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")  # as DRF's strict JSON


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        body = read_bounded(stream)
        try:
            data = json.loads(body.decode(settings.DEFAULT_CHARSET), parse_constant=_no_constant)
        except RecursionError as exc:
            raise exceptions.ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.") from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc
        _check(data)
        return data
