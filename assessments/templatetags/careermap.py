from __future__ import annotations

import html
from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

from assessments.gaps import DIVERGENCE, GapRow, Gaps, stale_before

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


@register.simple_tag
def stale_after() -> str:
    """The staleness setting as a page says it: "365 days"."""
    return f"{settings.CAREERMAP_STALE_AFTER_DAYS} days"


@register.simple_tag
def stale_mark(row: GapRow, name: str = "") -> SafeString:
    """How a page marks a stale current level (assessments.gaps.is_stale): a badge saying
    how long ago it was rated, `name` (the skill's) for screen readers; nothing when the
    rating is recent or absent."""
    if not row.stale or row.rated_at is None:
        return mark_safe("")
    return format_html(
        '<span class="badge stale">stale<span class="visually-hidden">{}</span>: '
        "rated {} ago</span>",
        f" rating of {name}" if name else "",
        timesince(row.rated_at, depth=1),
    )


_DISAGREE = (
    '<span class="disagree" aria-hidden="true">◆</span>'
    '<span class="visually-hidden"> self and manager disagree</span>'
)
_STALE = (
    '<span class="stale-mark" aria-hidden="true">†</span>'
    '<span class="visually-hidden"> rated long ago: stale</span>'
)
_STALE_TITLE = ", rated long ago: stale"
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
    stale_line = stale_before()
    for cell in cells:
        if cell is None:
            html_cells.append(_NOT_EXPECTED)
            continue
        skill = cell.loaded_skill
        rated = cell.current is not None
        current = cell.current if rated else "not rated"
        apart = (
            f", self {cell.self_level}, manager {cell.manager_level}: they disagree"
            if cell.diverges
            else ""
        )
        stale = cell.rated_at is not None and cell.rated_at < stale_line
        html_cells.append(
            f'<td class="heat heat-{min(cell.gap, 2)}" data-skill="{html.escape(skill.key)}" '
            f'title="{html.escape(skill.name)}: expected {cell.expected}, '
            f'current {current}{apart}{_STALE_TITLE if stale else ""}">'
            f"{cell.gap}{'' if rated else '*'}{_DISAGREE if apart else ''}"
            f"{_STALE if stale else ''}</td>"
        )
    return mark_safe("\n".join(html_cells))


# The org view's two long tables (a row per manager: 1,300 at 10,000 people) are built
# here for the same reason as the heatmap's cells: the template language took ~0.5 s.


def _person_link(manager: Any, viewer: Any) -> str:
    """A manager's name, linked to their page: the report page below the viewer, the
    viewer's own map for themself."""
    name = html.escape(manager.name or manager.username)
    if manager.pk == viewer.pk:
        return f'<a href="{reverse("assessments:my_map")}">{name}</a>'
    return f'<a href="{reverse("assessments:report", args=[manager.pk])}">{name}</a>'


@register.simple_tag
def team_rows(teams: list[Any], viewer: Any) -> SafeString:
    """The org view's rows per team (assessments.rollups.TeamRollup)."""
    return mark_safe(
        "\n".join(
            f'<tr data-manager="{html.escape(t.manager.username)}">'
            f'<th scope="row" class="level-{t.level:d}">{_person_link(t.manager, viewer)}</th>'
            f"<td>{t.people}</td><td>{percent(t.readiness)}</td>"
            f"<td>{t.below}</td><td>{t.unassessed}</td></tr>"
            for t in teams
        )
    )


def _signed(value: float | None) -> str:
    """A mean difference as calibration says it: "+0.5"; a dash when there is none."""
    return "\u2013" if value is None else f"{value:+.1f}"


@register.simple_tag
def calibration_rows(calibration: list[dict[str, Any]], viewer: Any) -> SafeString:
    """The org view's calibration rows: {"row": Calibration, "delta": "+1.0" or "",
    "meaning": its words}."""
    rows = []
    for c in calibration:
        row, delta = c["row"], c["delta"]
        rows.append(
            f'<tr data-manager="{html.escape(row.manager.username)}">'
            f'<th scope="row">{_person_link(row.manager, viewer)}</th>'
            f"<td>{row.reports}</td>"
            f'<td><span class="mean-delta">{html.escape(delta) or "\u2013"}</span>'
            f'{":" if delta else ""} <span class="muted">{html.escape(c["meaning"])}</span></td>'
            f"<td>{row.divergent}</td>"
            f'<td class="evidence-coverage">{percent(row.evidence_coverage)}</td>'
            f'<td class="vs-others">{_signed(row.mean_vs_others)}</td></tr>'
        )
    return mark_safe("\n".join(rows))


@register.simple_tag
def readiness(gaps: Gaps, element_id: str = "", compact: bool = False) -> SafeString:
    """Readiness as every page says it: "33%" with "5 of 15 met" and a meter; "not
    assessed yet" before anyone rated any skill the role expects (never "0%"); a dash
    without a role. `compact`: the percentage and "5/15", for table cells."""
    id_attr = format_html(' id="{}"', element_id) if element_id else ""
    if gaps.role is None:
        return format_html('<span class="readiness"{}>\u2013</span>', id_attr)
    if not gaps.assessed and gaps.rows:
        return format_html('<span class="readiness unassessed"{}>not assessed yet</span>', id_attr)
    expected = len(gaps.rows)
    if compact:
        return format_html(
            '<span class="readiness"{}>{}</span> <span class="met">{}/{}</span>',
            id_attr,
            percent(gaps.readiness),
            gaps.met,
            expected,
        )
    return format_html(
        '<span class="readiness"{}>{}</span> '
        '<meter min="0" max="{}" value="{}" aria-hidden="true"></meter> '
        '<span class="met">{} of {} met</span>',
        id_attr,
        percent(gaps.readiness),
        expected,
        gaps.met,
        gaps.met,
        expected,
    )
