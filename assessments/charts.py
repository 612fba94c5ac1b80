"""Chart geometry for server-rendered SVG: the templates only draw what this computes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from assessments.gaps import KIND_ORDER, GapRow
from skills.models import Category


@dataclass(frozen=True)
class Axis:
    label: str  # the skill's name, whole (the label's <title>)
    short: str  # what fits beside the spoke
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str


@dataclass(frozen=True)
class LevelBar:
    """One skill's levels as bars, for screens too narrow for the radar."""

    label: str
    expected: int
    self_level: int | None
    manager_level: int | None
    others_level: float | None = None  # others' median, with enough answers


@dataclass(frozen=True)
class AxisGroup:
    """The spokes of one kind of skill (hard, soft), side by side, clockwise from the
    top: an arc just outside the outer ring spans them; the kind is named at the top of
    the chart beside a sample of its arc (hard on the right, where it starts; soft on
    the left, where it ends); the narrow layout's bars come under a heading."""

    kind: str
    label: str  # "Hard skills"
    arc: str  # the arc's SVG path
    label_x: float
    label_y: float
    anchor: str
    sample: tuple[float, float, float, float]  # a line drawn as the arc is: x1, y1, x2, y2
    bars: list[LevelBar]
    boundary: tuple[float, float] | None  # where the group starts, on the outer ring


@dataclass(frozen=True)
class Radar:
    size: int
    center: float
    rings: list[tuple[int, str]]  # (level, polygon points)
    axes: list[Axis]
    expected: str
    self_points: str | None
    manager_points: str | None
    maximum: int
    bars: list[LevelBar]
    groups: list[AxisGroup] = field(default_factory=list)
    # Others' median (rows given with_others): a polygon, and a mark on each spoke that
    # has a median, so the series reads without its colour. None: no median anywhere.
    others_points: str | None = None
    others_marks: list[tuple[float, float]] = field(default_factory=list)

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
    """Expected, self and manager levels per skill, and others' median where there is
    one (as the rows give it), one spoke a skill (three at least). A spoke without a
    level is drawn at the centre."""
    if len(rows) < 3 or maximum <= 0:
        return None
    # Hard skills together, then soft ones (assessments.gaps.KIND_ORDER), each kind by
    # category then name: clockwise from the top.
    rows = sorted(
        rows,
        key=lambda r: (
            _kind_rank(r),
            r.loaded_skill.category.order,
            r.loaded_skill.category.name,
            r.loaded_skill.name,
        ),
    )
    center, radius = size / 2, size / 2 - 40
    n = len(rows)
    axes = []
    for i, row in enumerate(rows):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        cos, sin = math.cos(angle), math.sin(angle)
        # Centred only on the spoke straight up or down: two spokes either side of it,
        # centred, would write over each other; anchored away from the spoke they part.
        anchor = "middle" if abs(cos) < 0.1 else ("start" if cos > 0 else "end")
        # Below the centre, the text hangs under its spoke's end, clear of the polygon.
        drop = 10 if sin > 0.5 else 4
        axes.append(
            Axis(
                label=row.loaded_skill.name,
                short=_shorten(row.loaded_skill.name, 22),
                x=round(center + radius * cos, 1),
                y=round(center + radius * sin, 1),
                # Beyond the kinds' arcs (radius + 5).
                label_x=round(center + (radius + 14) * cos, 1),
                label_y=round(center + (radius + 14) * sin + drop, 1),
                anchor=anchor,
            )
        )

    def line(levels: list[float | None]) -> str | None:
        if all(level is None for level in levels):
            return None
        return _points([(level or 0) / maximum for level in levels], center, radius)

    bars = [
        LevelBar(r.loaded_skill.name, r.expected, r.self_level, r.manager_level, r.others_median)
        for r in rows
    ]
    others = [r.others_median for r in rows]
    marks = [
        (
            round(
                center + radius * level / maximum * math.cos(-math.pi / 2 + 2 * math.pi * i / n), 1
            ),
            round(
                center + radius * level / maximum * math.sin(-math.pi / 2 + 2 * math.pi * i / n), 1
            ),
        )
        for i, level in enumerate(others)
        if level is not None
    ]
    return Radar(
        size=size,
        center=center,
        rings=[(lv, _points([lv / maximum] * n, center, radius)) for lv in range(1, maximum + 1)],
        axes=axes,
        expected=_points([r.expected / maximum for r in rows], center, radius),
        self_points=line([r.self_level for r in rows]),
        manager_points=line([r.manager_level for r in rows]),
        maximum=maximum,
        bars=bars,
        groups=_groups(rows, bars, center, radius),
        others_points=line(others),
        others_marks=marks,
    )


def _kind_rank(row: GapRow) -> int:
    kind = row.loaded_skill.category.kind
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def _groups(
    rows: list[GapRow], bars: list[LevelBar], center: float, radius: float
) -> list[AxisGroup]:
    """The runs of spokes of one kind (rows sorted by kind), each with its arc: from half
    a step before its first spoke to half a step after its last, a little short of
    either end so that two arcs part visibly, at radius + 5."""
    n = len(rows)
    step = 2 * math.pi / n
    runs: list[tuple[str, int, int]] = []  # (kind, first index, last index)
    for i, row in enumerate(rows):
        kind = row.loaded_skill.category.kind
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1], i)
        else:
            runs.append((kind, i, i))
    groups = []
    arc_r = radius + 5
    for number, (kind, first, last) in enumerate(runs):
        start = -math.pi / 2 + step * (first - 0.5) + 0.04
        end = -math.pi / 2 + step * (last + 0.5) - 0.04
        if len(runs) == 1:  # the whole circle (an arc cannot end where it starts)
            start, end = -math.pi / 2 - step / 2, -math.pi / 2 - step / 2 + 2 * math.pi - 0.001
        large = 1 if end - start > math.pi else 0
        x1, y1 = center + arc_r * math.cos(start), center + arc_r * math.sin(start)
        x2, y2 = center + arc_r * math.cos(end), center + arc_r * math.sin(end)
        # The first kind starts at the top and runs clockwise: named right of the top;
        # the last ends at the top: named left of it; any between, further out.
        side = 1 if number == 0 else -1
        offset = 16 + 160 * (0 < number < len(runs) - 1)
        edge = -math.pi / 2 + step * (first - 0.5)
        groups.append(
            AxisGroup(
                kind=kind,
                label=f"{Category.Kind(kind).label} skills" if kind in KIND_ORDER else kind,
                arc=f"M{x1:.1f},{y1:.1f} A{arc_r:.1f},{arc_r:.1f} 0 {large} 1 {x2:.1f},{y2:.1f}",
                label_x=round(center + side * (offset + 28), 1),
                label_y=12,
                anchor="start" if side > 0 else "end",
                sample=(
                    round(center + side * offset, 1),
                    8,
                    round(center + side * (offset + 22), 1),
                    8,
                ),
                bars=bars[first : last + 1],
                boundary=(
                    (
                        round(center + radius * math.cos(edge), 1),
                        round(center + radius * math.sin(edge), 1),
                    )
                    if len(runs) > 1
                    else None
                ),
            )
        )
    return groups


# --- Paths and history charts ----------------------------------------------------------


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    y: float


@dataclass(frozen=True)
class MapBox:
    key: str
    name: str  # in full, for the tooltip
    label: str  # shortened to fit the box
    x: float
    y: float
    width: int
    height: int
    readiness: float | None
    marker: str  # "you", "target" or ""
    reachable: bool

    @property
    def text_x(self) -> float:
        return self.x + 8

    @property
    def name_y(self) -> float:
        return self.y + 21

    @property
    def readiness_y(self) -> float:
        return self.y + 40


@dataclass(frozen=True)
class MapArrow:
    d: str  # an SVG path
    source: str  # role names, for the tooltip
    target: str


@dataclass(frozen=True)
class RoleMap:
    width: int
    height: int
    boxes: list[MapBox]
    arrows: list[MapArrow]
    tracks: list[Label]  # column headings
    levels: list[Label]  # row labels

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


# Track columns in this order. Roles of one track and level sit side by side, at most
# MAP_PER_ROW on a line; more wrap onto further lines of the same level row.
MAP_TRACKS = [("ic", "Individual contributor"), ("management", "Management"), ("other", "Other")]
MAP_PER_ROW = 3
BOX_W, BOX_H = 176, 52
MAP_LEFT, MAP_TOP = 64, 34  # room for the level labels and the track headings
GAP_X, GAP_Y, TRACK_GAP, LINE_GAP = 22, 44, 44, 12


def _shorten(text: str, size: int = 24) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "\u2026"


def _edge(cx: float, cy: float, dx: float, dy: float) -> tuple[float, float]:
    """Where the ray from a box's centre along the unit vector (dx, dy) leaves the box."""
    t = min(BOX_W / 2 / abs(dx) if dx else math.inf, BOX_H / 2 / abs(dy) if dy else math.inf)
    return cx + dx * t, cy + dy * t


def _crosses(boxes: list[MapBox], x1: float, y1: float, x2: float, y2: float) -> bool:
    """Whether the straight segment runs through one of `boxes` (sampled: boxes are
    far larger than the step)."""
    for step in range(1, 20):
        px, py = x1 + (x2 - x1) * step / 20, y1 + (y2 - y1) * step / 20
        for o in boxes:
            if o.x - 4 <= px <= o.x + o.width + 4 and o.y - 4 <= py <= o.y + o.height + 4:
                return True
    return False


def role_map(
    roles: list,  # active skills.models.Role objects
    readiness: dict[int, float | None],
    transitions: list[tuple[int, int]],  # (from role id, to role id)
    current_id: int | None = None,
    target_id: int | None = None,
) -> RoleMap | None:
    """Roles in columns by track and rows by level (the highest on top), an arrow per
    transition. No two boxes overlap, however many roles share a track and level."""
    if not roles:
        return None
    cells: dict[tuple[str, int], list] = {}
    for role in sorted(roles, key=lambda r: (r.name, r.key)):
        cells.setdefault((role.track, role.level), []).append(role)
    tracks = [(t, label) for t, label in MAP_TRACKS if any(k[0] == t for k in cells)]
    levels = sorted({level for _, level in cells}, reverse=True)
    columns = {
        t: min(max(len(members) for (tr, _), members in cells.items() if tr == t), MAP_PER_ROW)
        for t, _ in tracks
    }
    lines = {
        level: max(math.ceil(len(cells.get((t, level), [])) / columns[t]) for t, _ in tracks)
        for level in levels
    }
    track_x, x = {}, float(MAP_LEFT)
    for t, _ in tracks:
        track_x[t] = x
        x += columns[t] * BOX_W + (columns[t] - 1) * GAP_X + TRACK_GAP
    level_y, y = {}, float(MAP_TOP)
    for level in levels:
        level_y[level] = y
        y += lines[level] * BOX_H + (lines[level] - 1) * LINE_GAP + GAP_Y

    reachable = {b for a, b in transitions if a == current_id}
    boxes: dict[int, MapBox] = {}
    for (track, level), members in cells.items():
        for i, role in enumerate(members):
            column, line = i % columns[track], i // columns[track]
            boxes[role.pk] = MapBox(
                key=role.key,
                name=role.name,
                label=_shorten(role.name),
                x=track_x[track] + column * (BOX_W + GAP_X),
                y=level_y[level] + line * (BOX_H + LINE_GAP),
                width=BOX_W,
                height=BOX_H,
                readiness=readiness.get(role.pk),
                marker="you" if role.pk == current_id else "target" if role.pk == target_id else "",
                reachable=role.pk in reachable,
            )

    pairs = {(a, b) for a, b in transitions if a in boxes and b in boxes and a != b}
    arrows = []
    for a_id, b_id in sorted(pairs, key=lambda p: (boxes[p[0]].key, boxes[p[1]].key)):
        a, b = boxes[a_id], boxes[b_id]
        ax, ay, bx, by = a.x + BOX_W / 2, a.y + BOX_H / 2, b.x + BOX_W / 2, b.y + BOX_H / 2
        length = math.hypot(bx - ax, by - ay)
        dx, dy = (bx - ax) / length, (by - ay) / length
        x1, y1 = _edge(ax, ay, dx, dy)
        x2, y2 = _edge(bx, by, -dx, -dy)
        # A two-way transition is two arrows bending to opposite sides (the normal flips
        # with the direction); an arrow that would run through another box bends round it.
        bend = 16.0 if (b_id, a_id) in pairs else 0.0
        others = [o for pk, o in boxes.items() if pk not in (a_id, b_id)]
        if _crosses(others, x1, y1, x2, y2):
            bend = max(bend, min(0.35 * length, 90.0))
        mx, my = (x1 + x2) / 2 - dy * bend, (y1 + y2) / 2 + dx * bend
        arrows.append(
            MapArrow(
                d=f"M{x1:.1f},{y1:.1f} Q{mx:.1f},{my:.1f} {x2:.1f},{y2:.1f}",
                source=a.name,
                target=b.name,
            )
        )
    return RoleMap(
        width=round(x - TRACK_GAP + 8),
        height=round(y - GAP_Y + 8),
        boxes=sorted(boxes.values(), key=lambda b: (b.y, b.x)),
        arrows=arrows,
        tracks=[
            Label(text, track_x[t] + (columns[t] * BOX_W + (columns[t] - 1) * GAP_X) / 2, 20)
            for t, text in tracks
        ],
        levels=[Label(f"Level {lv}", MAP_LEFT - 10, level_y[lv] + BOX_H / 2 + 4) for lv in levels],
    )


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    title: str  # "Self-assessment by Erin, May 3, 2026: 3 (Proficient)"

    @property
    def square(self) -> tuple[float, float]:  # top left corner of a 10 x 10 square marker
        return round(self.x - 5, 1), round(self.y - 5, 1)


@dataclass(frozen=True)
class ChartLine:
    kind: str  # "self" or "manager"
    points: list[ChartPoint]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    y_ticks: list[Label]  # one per level of the scale, y on the level's grid line
    x_ticks: list[Label]  # submission dates
    self_line: ChartLine
    manager_line: ChartLine

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def lines(self) -> list[ChartLine]:
        return [self.self_line, self.manager_line]


def history_chart(history, scale, width: int = 600, height: int = 300) -> LineChart | None:
    """Self and manager levels of one skill (an assessments.history.RatingHistory) over
    time. x: the submission days, evenly spaced so that close dates stay legible (the
    table under the chart lists them all); y: every level of the scale."""
    # Imported here: this section is appended below the module's imports.
    from django.utils.formats import date_format
    from django.utils.timezone import localdate

    if not history.points or scale.maximum <= scale.minimum:
        return None
    left, right, top, bottom = 118, width - 48, 16, height - 44
    days = sorted({localdate(p.at) for p in history.points})
    step = (right - left) / (len(days) - 1) if len(days) > 1 else 0
    x_of = {d: left + i * step if step else (left + right) / 2 for i, d in enumerate(days)}

    def y_of(level: int) -> float:
        return bottom - (level - scale.minimum) / (scale.maximum - scale.minimum) * (bottom - top)

    def line(kind: str, name: str, points: list) -> ChartLine:
        return ChartLine(
            kind=kind,
            points=[
                ChartPoint(
                    x=round(x_of[localdate(p.at)], 1),
                    y=round(y_of(p.level), 1),
                    title=f"{name} by {p.author}, {date_format(localdate(p.at))}: "
                    f"{p.level} ({scale.label(p.level)})",
                )
                for p in points
            ],
        )

    every = math.ceil(len(days) / 5)  # at most five date labels fit under the axis
    return LineChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        y_ticks=[
            Label(f"{lv} {scale.label(lv)}", left - 8, round(y_of(lv), 1)) for lv in scale.levels
        ],
        x_ticks=[
            Label(date_format(d), round(x_of[d], 1), bottom + 22)
            for i, d in enumerate(days)
            if i % every == 0
        ],
        self_line=line("self", "Self-assessment", history.self_points),
        manager_line=line("manager", "Manager assessment", history.manager_points),
    )


@dataclass(frozen=True)
class Segment:
    kind: str  # "meeting", "below", "unassessed": the CSS class and the legend's word
    count: int
    x: float  # percent of the bar
    width: float


@dataclass(frozen=True)
class SkillBar:
    """One skill's people expected, split into meeting, below and unassessed: a bar of
    100 units whatever the head count (shares, not sizes)."""

    name: str
    segments: list[Segment]


def skill_bars(reports) -> list[SkillBar]:
    """The org view's per-skill picture (assessments.rollups.SkillReport rows with
    someone expected), in the order given."""
    bars = []
    for report in reports:
        x, segments = 0.0, []
        for kind in ("meeting", "below", "unassessed"):
            count = getattr(report, kind)
            width = 100 * count / report.expected if report.expected else 0.0
            if count:
                segments.append(Segment(kind, count, round(x, 2), round(width, 2)))
            x += width
        bars.append(SkillBar(report.skill.name, segments))
    return bars
