from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """Readiness as people read it: "75%"; a dash when there is no role."""
    if value is None:
        return "\u2013"  # an en dash
    return f"{round(value * 100)}%"


@register.filter
def bullets(text: str) -> list[str]:
    """Ways to grow, written as "- ..." lines (folded lines joined), as a list."""
    items: list[str] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if line.startswith(("- ", "* ")):
            items.append(line[2:].strip())
        elif line and items:
            items[-1] += " " + line
        elif line:
            items.append(line)
    return items


@register.filter
def descriptor(skill, level: int | None) -> str:
    return skill.descriptor(level)


@register.filter
def level_label(scale, level: int | None) -> str:
    return "not rated" if level is None else f"{level} · {scale.label(level)}"
