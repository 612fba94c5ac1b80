"""Walking a parsed document (JSON or YAML: mappings, lists and scalars) without
recursion, for the bounds that every reader of one checks (core.parsers for JSON
bodies, skills.openformat for framework files): a depth past which nothing real goes,
and per node a check of its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class TooDeep(Exception):
    """The document nests lists or mappings past the walk's `max_depth`."""


def nodes(document: Any, *, max_depth: int) -> Iterator[tuple[str, Any]]:
    """(path, node) for every node of `document`, the document itself first (path ""),
    a mapping's child at "path.key", a list's at "path[i]". Each list or mapping is
    walked once at each depth it is met at: YAML's aliases share one object between
    many places ("a billion laughs"), which a plain walk would expand. Raises TooDeep
    once a node is deeper than `max_depth` (the document is depth 1)."""
    todo: list[tuple[Any, str, int]] = [(document, "", 1)]
    deepest: dict[int, int] = {}  # id of a list or mapping -> the deepest it was met at
    while todo:
        item, path, depth = todo.pop()
        if depth > max_depth:
            raise TooDeep(f"nested deeper than {max_depth} levels")
        if isinstance(item, dict | list):
            if deepest.get(id(item), 0) >= depth:
                continue
            deepest[id(item)] = depth
        yield path, item
        if isinstance(item, dict):
            todo.extend((v, f"{path}.{k}" if path else str(k), depth + 1) for k, v in item.items())
        elif isinstance(item, list):
            todo.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(item))
