"""The org tallies: each team's gap rows and calibration pairs, counted and kept, and the
reports read from them (per-skill report, team rollups of the org view, calibration).

A team is a manager's active direct reports (team None: the active people with no
manager). Its numbers are TeamTally (people, measured, the sum of their readiness, how
many have a calibration pair) and TeamSkillTally (per active skill: assessments.gaps'
GAP_COUNTS_SQL over the team's gap rows, and its calibration pairs counted);
OrgSkillTally sums the latter's gap counts over every team, for HR. Any scope
is a set of teams: HR's is every team, a manager's the teams they and everyone below
them lead. So a report reads a few rows per team, never every gap of every person; the
arithmetic stays in assessments.gaps, which both the refresh here and the per-person
pages read.

Kept true in the transaction of every write that changes them (`refresh`): a submit (the
person's team), a person's manager, roles or active flag changing or the person being
added or removed (their old and new team), an expectation changed (the teams of
everyone measured against its role), a skill retired or back (every team). The receivers are in
assessments.signals; bulk writes go through `refresh` themselves.
`manage.py rebuild_current_levels` rebuilds them, `manage.py check_current_levels`
proves them equal to a recomputation.

Calibration's evidence coverage is the one number here read from the ratings themselves
(`evidence_coverage`): a page of managers at a time, through the index on the author.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Trim
from django.db.models.lookups import Exact
from django.utils import timezone

from assessments.feedback import against_others, others_for_many, self_awareness_many
from assessments.gaps import (
    DIVERGENCE,
    GAP_COUNTS_SQL,
    READINESS_SQL,
    Tally,
    current_levels_apply,
    current_levels_rebuild,
    embed,
    gap_rows_sql,
    pairs,
    subjects_of,
    with_gap_role,
)
from assessments.models import (
    Assessment,
    CurrentLevel,
    OrgSkillTally,
    Rating,
    TeamSkillTally,
    TeamTally,
)
from core.derived import schedule
from people.models import Person
from skills.models import Skill

# --- Keeping them -----------------------------------------------------------------------

Teams = Iterable[int | None] | None  # team ids (None: the team of no manager); None: all


def _team_filter(field: str, teams: Teams) -> Q:
    if teams is None:
        return Q()
    teams = set(teams)
    found = Q(**{f"{field}__in": [t for t in teams if t is not None]})
    return found | Q(**{f"{field}__isnull": True}) if None in teams else found


_TEAM_SKILL_SQL = """
SELECT team_id, skill_id, SUM(expected), SUM(below), SUM(meeting), SUM(unassessed),
       SUM(ready), SUM(total_gap), SUM(pairs), SUM(delta_sum), SUM(divergent)
FROM (
    SELECT p.manager_id AS team_id, g.skill_id, {counts},
           0 AS pairs, 0 AS delta_sum, 0 AS divergent
    FROM ({gap_rows}) g JOIN {person} p ON p.id = g.person_id
    GROUP BY p.manager_id, g.skill_id
    UNION ALL
    SELECT pr.team_id, pr.skill_id, 0, 0, 0, 0, 0, 0,
           COUNT(*), SUM(pr.delta), SUM(pr.divergent)
    FROM ({pairs}) pr
    GROUP BY pr.team_id, pr.skill_id
) counted
GROUP BY team_id, skill_id
"""

# The people numbers per team, then the team's TeamSkillTally rows (just written) summed.
_TEAM_SQL = """
SELECT team_id, SUM(people), SUM(measured), SUM(readiness_sum), SUM(compared),
       SUM(below), SUM(unassessed), SUM(pairs), SUM(delta_sum), SUM(divergent)
FROM (
    SELECT p.manager_id AS team_id, COUNT(*) AS people,
           SUM(CASE WHEN sub.role_id IS NULL THEN 0 ELSE 1 END) AS measured,
           SUM(CASE WHEN sub.role_id IS NULL THEN 0.0 ELSE {readiness} END) AS readiness_sum,
           SUM(CASE WHEN pc.person_id IS NULL THEN 0 ELSE 1 END) AS compared,
           0 AS below, 0 AS unassessed, 0 AS pairs, 0 AS delta_sum, 0 AS divergent
    FROM ({subjects}) sub
    JOIN {person} p ON p.id = sub.person_id
    LEFT JOIN (
        SELECT person_id, COUNT(*) AS expected, SUM(CASE WHEN gap = 0 THEN 1 ELSE 0 END) AS ready
        FROM ({gap_rows}) g GROUP BY person_id
    ) t ON t.person_id = sub.person_id
    LEFT JOIN (SELECT DISTINCT person_id FROM ({pairs}) pr) pc ON pc.person_id = sub.person_id
    GROUP BY p.manager_id
    UNION ALL
    SELECT team_id, 0, 0, 0.0, 0, SUM(below), SUM(unassessed), SUM(pairs), SUM(delta_sum),
           SUM(divergent)
    FROM ({team_skill}) ts
    GROUP BY team_id
) counted
GROUP BY team_id
"""

_TEAM_SKILL_COLUMNS = (
    "team_id, skill_id, expected, below, meeting, unassessed, ready, total_gap, "
    "pairs, delta_sum, divergent"
)
_TEAM_COLUMNS = (
    "team_id, people, measured, readiness_sum, compared, below, unassessed, pairs, "
    "delta_sum, divergent"
)


def _statements(teams: Teams) -> tuple[str, str, dict[str, Any]]:
    """The SELECTs of the teams' TeamSkillTally and TeamTally rows, and their params."""
    members = Person.objects.filter(_team_filter("manager_id", teams), is_active=True)
    gap_rows, params = gap_rows_sql(members)
    subjects, _ = subjects_of(members)
    paired = pairs(members).values(
        "person_id", "skill_id", "delta", "divergent", team_id=F("manager_author_id")
    )
    pairs_sql, pair_params = embed(paired, "q")
    stored = TeamSkillTally.objects.filter(_team_filter("team_id", teams)).values(
        "team_id", "below", "unassessed", "pairs", "delta_sum", "divergent"
    )
    stored_sql, stored_params = embed(stored, "t")
    person = connection.ops.quote_name(Person._meta.db_table)
    team_skill = _TEAM_SKILL_SQL.format(
        counts=GAP_COUNTS_SQL, gap_rows=gap_rows, pairs=pairs_sql, person=person
    )
    team = _TEAM_SQL.format(
        readiness=READINESS_SQL.format(expected="t.expected", ready="t.ready"),
        subjects=subjects,
        gap_rows=gap_rows,
        pairs=pairs_sql,
        person=person,
        team_skill=stored_sql,
    )
    return team_skill, team, {**params, **pair_params, **stored_params}


def refresh(teams: Teams = None) -> None:
    """Count the teams' tallies again (None: every team), in the caller's transaction,
    or at the end of the core.derived.batch() around it. 6 statements, 7 on PostgreSQL
    (none for no team)."""
    teams = None if teams is None else set(teams)
    if teams is None or teams:
        schedule(_refresh, teams)


# The company's per-skill counts moved by the teams' rows (sign -1 before they are
# counted again, +1 after). Portable upsert (PostgreSQL, SQLite >= 3.24; SQLite needs
# the WHERE to read ON CONFLICT right).
_ORG_SQL = """
INSERT INTO {org} (skill_id, {counted})
SELECT skill_id, {sums} FROM {team_skill} WHERE {where} GROUP BY skill_id
ON CONFLICT (skill_id) DO UPDATE SET {added}
"""
_ORG_COUNTED = ("expected", "below", "meeting", "unassessed", "ready", "total_gap")


def _org_moved(cursor: Any, teams: set[int | None] | None, sign: int) -> None:
    quote = connection.ops.quote_name
    org = quote(OrgSkillTally._meta.db_table)
    where, params = "1 = 1", []  # every team
    if teams is not None:
        found = TeamSkillTally.objects.filter(_team_filter("team_id", teams))
        where, params = found.query.get_compiler(connection=connection).compile(found.query.where)
    sql = _ORG_SQL.format(
        org=org,
        counted=", ".join(_ORG_COUNTED),
        sums=", ".join(f"{sign} * SUM({c})" for c in _ORG_COUNTED),
        team_skill=quote(TeamSkillTally._meta.db_table),
        where=where,
        added=", ".join(f"{c} = {org}.{c} + excluded.{c}" for c in _ORG_COUNTED),
    )
    cursor.execute(sql, params)


# Recounts take turns (PostgreSQL; SQLite runs one write transaction at a time): two at
# once, each deleting and rewriting the same teams' rows, deadlock (seen as a 503 when
# schemathesis edited skills from two workers).
_RECOUNT_LOCK = 0x7A11E5


def _refresh(teams: set[int | None] | None) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_RECOUNT_LOCK])
        if teams is None:
            OrgSkillTally.objects.all().delete()
        else:
            _org_moved(cursor, teams, -1)
    TeamSkillTally.objects.filter(_team_filter("team_id", teams)).delete()
    TeamTally.objects.filter(_team_filter("team_id", teams)).delete()
    team_skill, team, params = _statements(teams)
    with connection.cursor() as cursor:
        if teams is None and connection.vendor == "postgresql" and connection.in_atomic_block:
            # Every gap row of the company at once: room to hash them in memory (the
            # default 4 MB spills to disk), for this transaction only.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(
            f"INSERT INTO {quote(TeamSkillTally._meta.db_table)} ({_TEAM_SKILL_COLUMNS}) "
            + team_skill,
            params,
        )
        cursor.execute(
            f"INSERT INTO {quote(TeamTally._meta.db_table)} ({_TEAM_COLUMNS}) " + team,
            params,
        )
        _org_moved(cursor, teams, +1)


def check() -> list[tuple[Any, ...]]:
    """The rows where the tallies and a recomputation differ (at most 20 of each table,
    each as (table, where, *columns)). An empty list proves them equal."""
    team_skill, team, params = _statements(None)
    quote = connection.ops.quote_name
    # The readiness sums are floats, added in any order: compared to 9 places.
    rounded = _TEAM_COLUMNS.replace("readiness_sum", "ROUND(CAST(readiness_sum AS NUMERIC), 9)")
    found: list[tuple[Any, ...]] = []
    for name, table, select, columns in (
        ("team skill", TeamSkillTally, team_skill, _TEAM_SKILL_COLUMNS),
        ("team", TeamTally, team, rounded),
    ):
        stored = f"SELECT {columns} FROM {quote(table._meta.db_table)}"
        recomputed = f"SELECT {columns} FROM r"
        sql = f"""
            WITH r({_column_names(table)}) AS ({select})
            SELECT '{name}', 'missing or stale', * FROM ({recomputed} EXCEPT {stored}) a
            UNION ALL
            SELECT '{name}', 'not in the recomputation', * FROM ({stored} EXCEPT {recomputed}) b
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found.extend(cursor.fetchmany(20))
    # The company's per skill: the team rows summed (a skill nobody is expected to have
    # may be kept as a row of zeros, or not at all).
    columns = "skill_id, " + ", ".join(_ORG_COUNTED)
    sums = ", ".join(f"SUM({c})" for c in _ORG_COUNTED)
    recomputed = (
        f"SELECT skill_id, {sums} FROM {quote(TeamSkillTally._meta.db_table)} "
        "GROUP BY skill_id HAVING SUM(expected) <> 0"
    )
    stored = f"SELECT {columns} FROM {quote(OrgSkillTally._meta.db_table)} WHERE expected <> 0"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 'org skill', 'missing or stale', * FROM ({recomputed} EXCEPT {stored}) a "
            f"UNION ALL SELECT 'org skill', 'not in the recomputation', * "
            f"FROM ({stored} EXCEPT {recomputed}) b"
        )
        found.extend(cursor.fetchmany(20))
    return found


def _column_names(table: type[TeamTally] | type[TeamSkillTally]) -> str:
    return _TEAM_COLUMNS if table is TeamTally else _TEAM_SKILL_COLUMNS


# --- Scopes as teams ---------------------------------------------------------------------


@dataclass(frozen=True)
class OrgChart:
    """Who leads a team, and whom they report to: the org chart of managers only
    (inactive ones included: the chart passes through them). A page showing several
    reports loads it once and passes it to each."""

    above: dict[int, int | None]  # leader id -> their manager's id

    @classmethod
    def load(cls) -> OrgChart:
        leaders = Person.objects.filter(pk__in=Person.objects.values("manager_id"))
        return cls(dict(leaders.values_list("pk", "manager_id")))

    def chain(self, leader: int) -> list[int]:
        """`leader` and the leaders above them, nearest first."""
        found: list[int] = []
        seen: set[int] = set()
        current: int | None = leader
        while current is not None and current not in seen:
            seen.add(current)
            found.append(current)
            current = self.above.get(current)
        return found

    def below(self, user: Person) -> list[int]:
        """The leaders below `user`, at any depth."""
        under: dict[int | None, list[int]] = {}
        for leader, manager in self.above.items():
            under.setdefault(manager, []).append(leader)
        found, todo, seen = [], list(under.get(user.pk, [])), {user.pk}
        while todo:
            leader = todo.pop()
            if leader not in seen:  # a cycle never slips in; if it did, it ends here
                seen.add(leader)
                found.append(leader)
                todo.extend(under.get(leader, []))
        return found


def _teams(user: Person, chart: OrgChart | None) -> list[int] | None:
    """The teams in `user`'s scope: None (every team) for HR, whose scope is everyone; for
    a manager, whose scope is the people below them, the teams they and those below lead.
    One query for a manager unless `chart` is given, none for HR."""
    if user.is_hr:
        return None
    return [user.pk, *(chart or OrgChart.load()).below(user)]


# --- The reports ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SkillReport:
    skill: Skill
    expected: int
    below: int
    meeting: int
    unassessed: int
    average_gap: float | None


_COUNTED = ("expected", "below", "meeting", "unassessed", "ready", "total_gap")


def skills_report(*, user: Person, chart: OrgChart | None = None) -> list[SkillReport]:
    """Per active skill, over the people in `user`'s scope whose gap role expects it,
    by skill key. 3 queries: the chart (not for HR), the tallies summed per skill, the
    skills."""
    teams = _teams(user, chart)
    sums = (
        OrgSkillTally.objects.values_list("skill_id", *_COUNTED)
        if teams is None  # HR: the whole company, kept per skill
        else TeamSkillTally.objects.filter(_team_filter("team_id", teams))
        .values("skill_id")
        .annotate(**{f"sum_{name}": Sum(name) for name in _COUNTED})
        .values_list("skill_id", *(f"sum_{name}" for name in _COUNTED))
    )
    tallies = {row[0]: Tally(*(int(n or 0) for n in row[1:])) for row in sums}
    empty = Tally(0, 0, 0, 0, 0, 0)
    return [
        SkillReport(
            skill=skill,
            expected=(t := tallies.get(skill.pk, empty)).expected,
            below=t.below,
            meeting=t.meeting,
            unassessed=t.unassessed,
            average_gap=t.total_gap / t.expected if t.expected else None,
        )
        for skill in Skill.objects.active().order_by("key")
    ]


@dataclass(frozen=True, slots=True)
class Manager:
    """What a report's row shows of a manager (a thousand rows: no model instances)."""

    pk: int
    name: str
    username: str


def _managers(ids: Any) -> dict[int, Manager]:
    """The active people among `ids`, by name."""
    found = Person.objects.filter(pk__in=ids, is_active=True).order_by("name", "username")
    return {pk: Manager(pk, *rest) for pk, *rest in found.values_list("pk", "name", "username")}


@dataclass(frozen=True)
class TeamRollup:
    manager: Manager
    level: int  # 0 for the managers at the top of the scope, 1 below them, ...
    people: int  # everyone active in the manager's subtree
    readiness: float | None  # the mean over those with a gap role
    below: int  # (person, skill) pairs assessed and below the expectation
    unassessed: int  # (person, skill) pairs the role expects and nobody rated yet


def team_rollups(*, user: Person, chart: OrgChart | None = None) -> list[TeamRollup]:
    """One row per active manager in `user`'s scope with anyone active below them, over
    their whole subtree, in org-chart order (each level by name). A team counts towards
    its leader and every manager above within the scope; a deactivated manager is passed
    through, not a dead end. 3 queries: the chart, the team tallies, the managers."""
    chart = chart or OrgChart.load()
    teams = _teams(user, chart)
    scoped = set(chart.above if teams is None else teams[1:])
    managers = _managers(scoped)
    # Each team's numbers, added to its leader and every active manager above in scope.
    totals: dict[int, list[float]] = {}
    for team, *numbers in TeamTally.objects.filter(
        _team_filter("team_id", teams), team__isnull=False
    ).values_list("team_id", "people", "measured", "readiness_sum", "below", "unassessed"):
        for leader in chart.chain(team):
            if leader not in scoped:
                break
            if leader in managers:
                total = totals.setdefault(leader, [0, 0, 0.0, 0, 0])
                for i, n in enumerate(numbers):
                    total[i] += n
    children: dict[int | None, list[Manager]] = {}
    for manager in managers.values():  # by name
        if manager.pk in totals:
            above = [m for m in chart.chain(manager.pk)[1:] if m in managers]
            children.setdefault(above[0] if above else None, []).append(manager)
    rows: list[TeamRollup] = []

    def walk(parent: int | None, level: int) -> None:
        for manager in children.get(parent, []):
            people, measured, readiness_sum, below, unassessed = totals[manager.pk]
            rows.append(
                TeamRollup(
                    manager=manager,
                    level=level,
                    people=int(people),
                    readiness=readiness_sum / measured if measured else None,
                    below=int(below),
                    unassessed=int(unassessed),
                )
            )
            walk(manager.pk, level + 1)

    walk(None, 0)
    return rows


# Calibration names a direction (reports rate themselves higher, or lower, than their
# manager does) only from this many reports with a pair, and only for a mean difference
# at least this far from 0; otherwise it says there are too few to say, or no lean.
CALIBRATION_MIN_REPORTS = 3
CALIBRATION_LEAN = 0.5


@dataclass(frozen=True)
class Calibration:
    manager: Manager
    reports: int  # direct reports with at least one pair
    pairs: int
    mean_delta: float | None  # self - manager, over the pairs
    divergent: int  # pairs DIVERGENCE or more apart
    # The share of the ratings the manager submitted in the last EVIDENCE_COVERAGE_DAYS
    # that cite evidence; None when they submitted none (evidence_coverage).
    evidence_coverage: float | None = None
    # The mean (manager level - others' median) over the manager's direct reports'
    # skills with enough answers from others; None when there is none (vs_others).
    mean_vs_others: float | None = None

    @property
    def direction(self) -> str:
        """ "higher" (reports rate themselves higher than the manager does), "lower",
        "even" (a mean within CALIBRATION_LEAN of 0), "too few" (fewer than
        CALIBRATION_MIN_REPORTS reports with a pair) or "none" (no pair yet)."""
        if self.mean_delta is None:
            return "none"
        if self.reports < CALIBRATION_MIN_REPORTS:
            return "too few"
        if abs(self.mean_delta) < CALIBRATION_LEAN:
            return "even"
        return "higher" if self.mean_delta > 0 else "lower"


def calibration_managers(*, user: Person, chart: OrgChart | None = None) -> Any:
    """Calibration's rows, to page: the team tallies of the active managers in `user`'s
    scope with active reports, by the manager's name, as (id, name, username, reports,
    pairs, delta sum, divergent) tuples: a query, not yet run, that calibration_of reads
    without another."""
    found = TeamTally.objects.filter(team__is_active=True)
    teams = _teams(user, chart)
    if teams is not None:
        found = found.filter(team_id__in=teams[1:])  # the leaders below the manager
    return found.order_by("team__name", "team__username").values_list(
        "team_id", "team__name", "team__username", "compared", "pairs", "delta_sum", "divergent"
    )


# Evidence coverage looks back this far: the ratings a manager submitted in this many
# days up to now (one submitted exactly this many days ago still counts).
EVIDENCE_COVERAGE_DAYS = 365


def evidence_coverage(
    managers: Iterable[int], *, now: datetime | None = None
) -> dict[int, float | None]:
    """Manager id -> the share of the ratings in the manager assessments they submitted in
    the last EVIDENCE_COVERAGE_DAYS that cite evidence (a note that is not blank, or at
    least one item of the person's evidence log); None for a manager who submitted no
    rating in that time. One query (none for no manager), over the managers' own
    assessments (the index on the author)."""
    managers = set(managers)
    found: dict[int, float | None] = dict.fromkeys(managers)
    if not managers:
        return found
    since = (now or timezone.now()) - timedelta(days=EVIDENCE_COVERAGE_DAYS)
    items = Rating.evidence_items.through.objects.filter(rating_id=OuterRef("pk"))
    # The note first: the lookup of cited items runs only for ratings without one.
    cites = ~Q(Exact(Trim("evidence"), Value(""))) | Q(Exists(items))
    counted = (
        Rating.objects.filter(
            assessment__author_id__in=managers,
            assessment__kind=Assessment.Kind.MANAGER,
            assessment__status=Assessment.Status.SUBMITTED,
            assessment__submitted_at__gte=since,
        )
        .order_by()
        .values("assessment__author_id")
        .annotate(ratings=Count("pk"), cited=Count("pk", filter=Q(cites)))
        .values_list("assessment__author_id", "ratings", "cited")
    )
    for manager, ratings, cited in counted:
        found[manager] = cited / ratings
    return found


def vs_others(managers: Iterable[int]) -> dict[int, float | None]:
    """Manager id -> the mean of (their current manager level - others' median) over
    their active direct reports' active skills whose aggregate has enough answers
    (assessments.feedback.against_others); None for a manager with none. Two queries
    (none for no manager; one when no report has a manager level): the levels, the
    answers about those reports."""
    managers = set(managers)
    found: dict[int, float | None] = dict.fromkeys(managers)
    if not managers:
        return found
    levels = list(
        CurrentLevel.objects.filter(
            manager_author_id__in=managers,
            manager_author_id=F("person__manager_id"),
            person__is_active=True,
            skill__retired=False,
            manager_level__isnull=False,
        ).values_list("manager_author_id", "person_id", "skill_id", "manager_level")
    )
    if not levels:
        return found
    others = others_for_many({row[1] for row in levels}, {row[2] for row in levels})
    by_manager: dict[int, list[tuple[int | None, Any]]] = {}
    for manager, person, skill, level in levels:
        by_manager.setdefault(manager, []).append((level, others.get(person, {}).get(skill)))
    for manager, pairs_ in by_manager.items():
        found[manager] = against_others(pairs_, absolute=False)
    return found


def calibration_of(rows: Iterable[tuple[Any, ...]]) -> list[Calibration]:
    """How the current manager levels each manager gave their direct reports compare with
    those reports' self levels (assessments.gaps.pairs), from calibration_managers' rows,
    with each manager's evidence coverage and their levels against others' view. Three
    queries at most (none for no row): the coverage, vs_others'."""
    rows = list(rows)
    coverage = evidence_coverage(row[0] for row in rows)
    against = vs_others(row[0] for row in rows)
    return [
        Calibration(
            manager=Manager(pk, name, username),
            reports=reports,
            pairs=pairs,
            mean_delta=delta_sum / pairs if pairs else None,
            divergent=divergent,
            evidence_coverage=coverage[pk],
            mean_vs_others=against[pk],
        )
        for pk, name, username, reports, pairs, delta_sum, divergent in rows
    ]


def calibration_report(*, user: Person, chart: OrgChart | None = None) -> list[Calibration]:
    """Calibration for every manager in `user`'s scope with active reports, by name. 5
    queries at most: the chart (not for HR), the managers' team tallies, their evidence
    coverage, their levels and the answers about their reports (vs_others)."""
    return calibration_of(calibration_managers(user=user, chart=chart))


def divergent_pairs(
    *, user: Person, manager: int | None = None, chart: OrgChart | None = None
) -> Any:
    """The divergent calibration pairs of the people in `user`'s scope (of one manager's
    direct reports, with `manager`), the widest first, then by person and skill id: a
    CurrentLevel queryset, person and skill loaded; `manager_author_id` is the manager.
    A pair's manager leads the person's team, so the scope is a set of teams."""
    found = pairs(widest_first=True).filter(spread__gte=DIVERGENCE)
    teams = _teams(user, chart)  # a pair's manager leads the person's team
    if teams is not None:
        found = found.filter(manager_author_id__in=teams)
    if manager is not None:
        found = found.filter(manager_author_id=manager)
    return found.select_related("person", "skill")


# --- Self-awareness over a scope --------------------------------------------------------

# The bands of the Org view's self-awareness distribution: [low, high) levels apart,
# the last open-ended.
SELF_AWARENESS_BANDS: list[tuple[float, float | None]] = [(0, 0.5), (0.5, 1), (1, 2), (2, None)]


@dataclass(frozen=True)
class AwarenessBand:
    low: float
    high: float | None  # None: no upper bound
    people: int


@dataclass(frozen=True)
class AwarenessDistribution:
    bands: list[AwarenessBand]
    unmeasured: int  # people in scope without a figure (no skill with enough answers)

    @property
    def measured(self) -> int:
        return sum(band.people for band in self.bands)


def self_awareness_distribution(
    *, user: Person, chart: OrgChart | None = None
) -> AwarenessDistribution:
    """How many active people in `user`'s scope (everyone for HR, the people below a
    manager) have a self-awareness figure (assessments.feedback) in each of
    SELF_AWARENESS_BANDS, and how many have none: counts only, no one named. 3 queries
    (and the chart for a manager without `chart`): the people, their self levels, the
    answers about them."""
    people = Person.objects.filter(is_active=True)
    teams = _teams(user, chart)
    if teams is not None:
        people = people.filter(manager_id__in=teams)
    figures = self_awareness_many(people.values_list("pk", flat=True)).values()
    counts = [0] * len(SELF_AWARENESS_BANDS)
    for figure in figures:
        if figure is not None:
            counts[
                next(
                    i
                    for i, (low, high) in enumerate(SELF_AWARENESS_BANDS)
                    if figure >= low and (high is None or figure < high)
                )
            ] += 1
    return AwarenessDistribution(
        bands=[
            AwarenessBand(low, high, count)
            for (low, high), count in zip(SELF_AWARENESS_BANDS, counts, strict=True)
        ],
        unmeasured=sum(1 for figure in figures if figure is None),
    )


# --- The writers' entry points -----------------------------------------------------------


def submitted(*, assessment: Any) -> None:
    """After a submit, in its transaction: the person's current levels, then their
    team's tallies."""
    current_levels_apply(assessment=assessment)
    refresh({assessment.person.manager_id})  # the person: loaded by the submit


def refresh_role(role_id: int) -> None:
    """Count again the teams of everyone measured against this role: its expectations
    changed. At once, or with the other roles at the end of the batch around it."""
    schedule(_refresh_roles, {role_id})


def _refresh_roles(roles: set[int] | None) -> None:
    measured = with_gap_role(Person.objects.filter(is_active=True))
    if roles is not None:
        measured = measured.filter(gap_role_id__in=roles)
    refresh(set(measured.order_by().values_list("manager_id", flat=True)))


def rebuild() -> int:
    """The projection from the ratings, then every tally. Returns the projection's rows."""
    rows = current_levels_rebuild()
    refresh(None)
    return rows
