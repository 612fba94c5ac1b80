from __future__ import annotations

import html
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from assessments.gaps import DIVERGENCE, GapRow

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


_NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


@register.simple_tag
def divergence() -> str:
    """The divergence threshold (assessments.gaps.DIVERGENCE) as a page says it: "two"."""
    return _NUMBERS.get(DIVERGENCE, str(DIVERGENCE))


_NOT_EXPECTED = '<td class="heat heat-none"><span class="visually-hidden">not expected</span></td>'


@register.simple_tag
def heat_cells(cells: list[GapRow | None]) -> SafeString:
    """A team heatmap row's skill cells: the gap, coloured 0 / 1 / 2+, "*" when not rated,
    the levels in the title; an empty cell where the role does not expect the skill.

    Built here, not in the template: a 200-person subtree has some 10,000 cells, which
    took the template language ~300 ms and take this loop ~10 ms. The skill's key and
    name are escaped with html.escape (what django.utils.html.escape calls, without its
    per-call cost); the rest are numbers and fixed text."""
    html_cells = []
    for cell in cells:
        if cell is None:
            html_cells.append(_NOT_EXPECTED)
            continue
        skill = cell.loaded_skill
        rated = cell.current is not None
        current = cell.current if rated else "not rated"
        html_cells.append(
            f'<td class="heat heat-{min(cell.gap, 2)}" data-skill="{html.escape(skill.key)}" '
            f'title="{html.escape(skill.name)}: expected {cell.expected}, current {current}">'
            f"{cell.gap}{'' if rated else '*'}</td>"
        )
    return mark_safe("\n".join(html_cells))


# The org view's two long tables (a row per manager: 1,300 at 10,000 people) are built
# here for the same reason as the heatmap's cells: the template language took ~0.5 s.


@register.simple_tag
def team_rows(teams: list[Any]) -> SafeString:
    """The org view's rows per team (assessments.rollups.TeamRollup)."""
    return mark_safe(
        "\n".join(
            f'<tr data-manager="{html.escape(t.manager.username)}">'
            f'<th scope="row" class="level-{t.level:d}">'
            f"{html.escape(t.manager.name or t.manager.username)}</th>"
            f"<td>{t.people}</td><td>{percent(t.readiness)}</td>"
            f"<td>{t.below}</td><td>{t.unassessed}</td></tr>"
            for t in teams
        )
    )


@register.simple_tag
def calibration_rows(calibration: list[dict[str, Any]]) -> SafeString:
    """The org view's calibration rows: {"row": Calibration, "delta": "+1.0" or "",
    "meaning": its words}."""
    rows = []
    for c in calibration:
        row, delta = c["row"], c["delta"]
        rows.append(
            f'<tr data-manager="{html.escape(row.manager.username)}">'
            f'<th scope="row">{html.escape(row.manager.name or row.manager.username)}</th>'
            f"<td>{row.reports}</td>"
            f'<td><span class="mean-delta">{html.escape(delta) or "\u2013"}</span>'
            f'{":" if delta else ""} <span class="muted">{html.escape(c["meaning"])}</span></td>'
            f"<td>{row.divergent}</td></tr>"
        )
    return mark_safe("\n".join(rows))
