"""Filters every app's templates may use (the core layer's words)."""

from __future__ import annotations

from django import template

from core.audit import action_words as _action_words

register = template.Library()


@register.filter
def action_words(action: str) -> str:
    """An audit action as people read it: "people.invite" -> "Invitations sent"."""
    return _action_words(action)
