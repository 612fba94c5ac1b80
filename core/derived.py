"""Derived data kept in the writer's transaction, refreshed once per batch.

A writer that changes what derived rows are computed from calls `schedule(fn, keys)`:
outside a batch, `fn(keys)` runs at once; inside `with batch():` the keys of each `fn`
are gathered (None meaning "everything") and each `fn` runs once, with all of them, as
the batch ends: still inside the writer's transaction, so the derived rows commit or
roll back with the change. An import of a thousand people refreshes once, not a
thousand times.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

Refresh = Callable[[Any], None]  # fn(keys): keys a set, or None for everything

_pending: ContextVar[dict[Refresh, set[Any] | None] | None] = ContextVar(
    "derived_pending", default=None
)


def schedule(fn: Refresh, keys: set[Any] | None) -> None:
    """Run fn(keys) now, or once at the end of the enclosing batch()."""
    pending = _pending.get()
    if pending is None:
        fn(keys)
        return
    if fn in pending:
        gathered = pending[fn]
        pending[fn] = None if gathered is None or keys is None else gathered | keys
    else:
        pending[fn] = None if keys is None else set(keys)


@contextmanager
def batch() -> Iterator[None]:
    """Gather the refreshes scheduled inside; run each once as the block ends without an
    error (an error rolls the writer's transaction back: nothing to refresh). Nested
    batches join the outermost one."""
    if _pending.get() is not None:
        yield
        return
    pending: dict[Refresh, set[Any] | None] = {}
    token = _pending.set(pending)
    try:
        yield
        while pending:  # a refresh may schedule another
            fn, keys = next(iter(pending.items()))
            del pending[fn]
            fn(keys)
    finally:
        _pending.reset(token)


def batched[F: Callable[..., Any]](fn: F) -> F:
    """`fn` run inside batch() (under the caller's @transaction.atomic, so the batch's
    refreshes land in that transaction)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with batch():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@contextmanager
def discarded() -> Iterator[None]:
    """For a write that is rolled back whatever happens (a preview, a dry run): what it
    would schedule is dropped, as the write itself will be."""
    token = _pending.set(_Discard())
    try:
        yield
    finally:
        _pending.reset(token)


class _Discard(dict[Any, Any]):
    """A pending map that keeps nothing."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass
