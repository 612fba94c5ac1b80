"""Chart geometry for server-rendered SVG: the templates only draw what this computes."""

from __future__ import annotations

import math
from dataclasses import dataclass

from assessments.selectors import GapRow


@dataclass(frozen=True)
class Axis:
    label: str
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str


@dataclass(frozen=True)
class Radar:
    size: int
    center: float
    rings: list[tuple[int, str]]  # (level, polygon points)
    axes: list[Axis]
    expected: str
    self_points: str | None
    manager_points: str | None

    @property
    def view_box(self) -> str:
        pad = 110  # room for the skill names beside the spokes
        return f"{-pad} 0 {self.size + 2 * pad} {self.size}"


def _points(values: list[float], center: float, radius: float) -> str:
    n = len(values)
    out = []
    for i, value in enumerate(values):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        out.append(
            f"{center + radius * value * math.cos(angle):.1f},"
            f"{center + radius * value * math.sin(angle):.1f}"
        )
    return " ".join(out)


def radar(rows: list[GapRow], maximum: int, size: int = 420) -> Radar | None:
    """Expected, self and manager levels per skill, one spoke a skill (three at least)."""
    if len(rows) < 3 or maximum <= 0:
        return None
    rows = sorted(rows, key=lambda r: (r.skill.category.order, r.skill.category.name, r.skill.name))
    center, radius = size / 2, size / 2 - 40
    n = len(rows)
    axes = []
    for i, row in enumerate(rows):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        cos, sin = math.cos(angle), math.sin(angle)
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        axes.append(
            Axis(
                label=row.skill.name,
                x=round(center + radius * cos, 1),
                y=round(center + radius * sin, 1),
                label_x=round(center + (radius + 10) * cos, 1),
                label_y=round(center + (radius + 10) * sin + 4, 1),
                anchor=anchor,
            )
        )

    def line(levels: list[int | None]) -> str | None:
        if all(level is None for level in levels):
            return None
        return _points([(level or 0) / maximum for level in levels], center, radius)

    return Radar(
        size=size,
        center=center,
        rings=[(lv, _points([lv / maximum] * n, center, radius)) for lv in range(1, maximum + 1)],
        axes=axes,
        expected=_points([r.expected / maximum for r in rows], center, radius),
        self_points=line([r.self_level for r in rows]),
        manager_points=line([r.manager_level for r in rows]),
    )
