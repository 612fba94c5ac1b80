"""Reads that span people, the framework and assessments. The gap arithmetic of
product.md lives here and nowhere else: pages, API, exports and benchmarks call it.

For person P and role R (default: P's target role, else current role), for each active
skill S that R expects at level E:
    self    = level in P's latest submitted self-assessment that rates S, else None
    manager = likewise from submitted manager assessments of P, else None
    current = manager if not None, else self
    gap     = max(E - (current or 0), 0)
readiness(P, R) = (skills with gap 0) / (skills R expects); 1.0 if R expects none.
Rows: gap descending, then skill key ascending. "Latest" is the highest submitted_at,
then the highest assessment id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, RowNumber

from assessments.models import Action, Assessment, FocusSkill, GrowthPlan, Rating
from people.models import Person
from people.visibility import in_scope, visible_ids
from skills.models import Expectation, Role, Skill

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

Levels = tuple[int | None, int | None]  # (self, manager)


@dataclass(frozen=True)
class GapRow:
    key: str  # the skill's
    expected: int
    self_level: int | None
    manager_level: int | None
    # The skill itself (category loaded), unless the caller asked for the numbers only.
    skill: Skill | None = field(default=None, compare=False)

    @property
    def loaded_skill(self) -> Skill:
        """`skill`, for a row made with it: every row but visible_gaps' numbers."""
        assert self.skill is not None, "a row of numbers only (visible_gaps) has no skill"
        return self.skill

    @property
    def current(self) -> int | None:
        return self.manager_level if self.manager_level is not None else self.self_level

    @property
    def gap(self) -> int:
        return max(self.expected - (self.current or 0), 0)


@dataclass(frozen=True)
class Gaps:
    person: Person
    role: Role | None
    rows: list[GapRow]

    @property
    def readiness(self) -> float | None:
        if self.role is None:
            return None
        if not self.rows:
            return 1.0
        return sum(1 for row in self.rows if row.gap == 0) / len(self.rows)

    @property
    def total_gap(self) -> int:
        return sum(row.gap for row in self.rows)


# The latest submitted level of each (person, kind, skill): "latest" is the highest
# submitted_at, then the highest assessment id. Plain SQL, portable (PostgreSQL and
# SQLite): the ORM spelling of this window query cost more to compile than to run.
# "Latest" of the gap arithmetic, in SQL: rank 1 is the latest submitted rating of each
# (person, kind, skill), by submitted_at, then the higher assessment id. Every raw
# statement below ranks with this one expression (over rating r and assessment a).
_LATEST_RANK = """ROW_NUMBER() OVER (
               PARTITION BY a.person_id, a.kind, r.skill_id
               ORDER BY a.submitted_at DESC, a.id DESC
           ) AS rank"""

_LATEST_SQL = """
SELECT person_id, skill_id, kind, level FROM (
    SELECT a.person_id, r.skill_id, a.kind, r.level,
           {latest_rank}
    FROM {rating} r JOIN {assessment} a ON a.id = r.assessment_id
    WHERE a.status = %s AND a.person_id IN ({people})
) ranked
WHERE rank = 1
"""


def _tables() -> dict[str, str]:
    """The quoted table names (and the ranking) that the SQL statements are written with."""
    quote = connection.ops.quote_name
    return {
        "latest_rank": _LATEST_RANK,
        "rating": quote(Rating._meta.db_table),
        "assessment": quote(Assessment._meta.db_table),
        "expectation": quote(Expectation._meta.db_table),
        "skill": quote(Skill._meta.db_table),
        "role": quote(Role._meta.db_table),
        "person": quote(Person._meta.db_table),
    }


def latest_levels(person_ids: Iterable[int]) -> dict[tuple[int, int], Levels]:
    """(person id, skill id) -> (self level, manager level) from submitted assessments.

    One query whatever the number of people, skills and assessments (none for nobody).
    """
    ids = [int(pk) for pk in person_ids]
    if not ids:
        return {}
    sql = _LATEST_SQL.format(**_tables(), people=", ".join(["%s"] * len(ids)))
    levels: dict[tuple[int, int], Levels] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [Assessment.Status.SUBMITTED.value, *ids])
        for person_id, skill_id, kind, level in cursor.fetchall():
            own, manager = levels.get((person_id, skill_id), (None, None))
            if kind == Assessment.Kind.SELF:
                own = level
            else:
                manager = level
            levels[(person_id, skill_id)] = (own, manager)
    return levels


def latest_ratings(*, person: Person) -> dict[tuple[str, int], Rating]:
    """(kind, skill id) -> the latest submitted rating of the person, evidence, skill and
    author loaded; active skills only. "Latest" as the gap arithmetic has it (submitted_at,
    then assessment id), so it is the rating whose level latest_levels reports. One query,
    one row per (kind, skill) whatever the number of assessments."""
    ratings = (
        Rating.objects.filter(
            assessment__person=person,
            assessment__status=Assessment.Status.SUBMITTED,
            skill__retired=False,
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("assessment__kind"), F("skill_id")],
                order_by=[F("assessment__submitted_at").desc(), F("assessment_id").desc()],
            )
        )
        .filter(rank=1)
        .select_related("skill__category", "assessment__author")
    )
    return {(r.assessment.kind, r.skill_id): r for r in ratings}


def expectations_of(role_ids: Iterable[int]) -> dict[int, list[Expectation]]:
    """role id -> its expectations of active skills, skill loaded. One query."""
    by_role: dict[int, list[Expectation]] = {}
    expectations = (
        Expectation.objects.filter(role_id__in=list(role_ids), skill__retired=False)
        .select_related("skill__category")
        .order_by("skill__key")
    )
    for expectation in expectations:
        by_role.setdefault(expectation.role_id, []).append(expectation)
    return by_role


def _in_gap_order(rows: list[GapRow]) -> list[GapRow]:
    return sorted(rows, key=lambda row: (-row.gap, row.key))


def gap_rows(
    expectations: list[Expectation], levels: dict[tuple[int, int], Levels], person_id: int
) -> list[GapRow]:
    return _in_gap_order(
        [
            GapRow(
                e.skill.key,
                e.level,
                *levels.get((person_id, e.skill_id), (None, None)),
                skill=e.skill,
            )
            for e in expectations
        ]
    )


# One person against one role, in one statement: the person (if {visible} holds them),
# the role (the one asked for, else target, else current), each active skill it
# expects, and the person's latest submitted self and manager levels (the same ranking
# as everywhere).
_GAPS_SQL = """
SELECT g.id, g.key, s.id, s.key, e.level, latest.own, latest.manager
FROM {person} p
LEFT JOIN {role} g ON g.id = COALESCE(%s, p.target_role_id, p.role_id)
LEFT JOIN ({expectation} e JOIN {skill} s ON s.id = e.skill_id AND s.retired = %s)
       ON e.role_id = g.id
LEFT JOIN (
    SELECT skill_id,
           MAX(CASE WHEN kind = %s THEN level END) AS own,
           MAX(CASE WHEN kind = %s THEN level END) AS manager
    FROM (
        SELECT r.skill_id, a.kind, r.level,
               {latest_rank}
        FROM {rating} r JOIN {assessment} a ON a.id = r.assessment_id
        WHERE a.status = %s AND a.person_id = %s
    ) ranked
    WHERE rank = 1
    GROUP BY skill_id
) latest ON latest.skill_id = s.id
WHERE p.id = %s {visible}
"""

# Rows of _GAPS_SQL: (role id, role key, skill id, skill key, expected, self, manager).
Found = list[tuple]

_IDS = range(-(2**63), 2**63)  # what an id column holds; SQLite overflows past it


def _gap_levels(person_id: int, role_id: int | None, visible: RawSQL | None) -> Found:
    """The rows of _GAPS_SQL: none if the person is not among `visible` (None: everyone)
    or does not exist, one with no skill if their role expects none (or they have no
    role)."""
    if person_id not in _IDS:
        return []
    params: list[Any] = [role_id, False, Assessment.Kind.SELF.value]
    params += [Assessment.Kind.MANAGER.value, Assessment.Status.SUBMITTED.value]
    params += [person_id, person_id]
    restriction = ""
    if visible is not None:
        restriction = f"AND p.id IN ({visible.sql})"
        params += visible.params
    with connection.cursor() as cursor:
        cursor.execute(_GAPS_SQL.format(**_tables(), visible=restriction), params)
        return cursor.fetchall()


def _gaps(person: Person, role: Role | None, found: Found, skills: dict[int, Skill]) -> Gaps:
    if role is None:
        return Gaps(person=person, role=None, rows=[])
    rows = [
        GapRow(key, expected, own, manager, skill=skills.get(skill_id))
        for _, _, skill_id, key, expected, own, manager in found
        if skill_id is not None
    ]
    return Gaps(person=person, role=role, rows=_in_gap_order(rows))


def gaps_for(*, person: Person, role: Role | None = None) -> Gaps:
    """The gaps of `person` (a saved one) against `role` (default: target role, else
    current role), each row with its skill. 2 queries: the numbers, then the skills
    (none when the role expects no active skill)."""
    role = role or person.target_role or person.role
    if role is None:
        return Gaps(person=person, role=None, rows=[])
    found = _gap_levels(person.pk, role.pk, visible=None)
    skills = Skill.objects.select_related("category").in_bulk([f[2] for f in found if f[2]])
    return _gaps(person, role, found, skills)


def visible_gaps(*, user: Person, person_id: int, role: Role | None = None) -> Gaps | None:
    """The gaps of person `person_id` if `user` may see them (visible_ids), else None; in
    one query, for the API. The numbers only: rows carry skill keys (`row.skill` is
    None), and the person and role are loaded with their ids and keys alone (other
    fields load on access, as with `.only()`)."""
    found = _gap_levels(person_id, role.pk if role else None, visible_ids(user, person_id))
    if not found:
        return None
    person = Person.from_db(connection.alias, ["id"], [person_id])
    role_id, role_key = found[0][:2]
    if role is None and role_id is not None:
        role = Role.from_db(connection.alias, ["id", "key"], [role_id, role_key])
    return _gaps(person, role, found, {})


# --- Many people at once: paths, team, reports -----------------------------------------
# Each runs a fixed number of queries whatever the number of people, skills and
# assessments: people, expectations of the roles involved, latest levels.


@dataclass(frozen=True)
class Path:
    role: Role
    gaps: Gaps
    reachable: bool

    @property
    def readiness(self) -> float:
        return self.gaps.readiness if self.gaps.readiness is not None else 1.0


def paths_for(*, person: Person) -> list[Path]:
    """Every active role but the current one: the next roles of the current role first,
    then readiness descending, total gap ascending, key ascending. 4 queries."""
    # No current role (None) excludes no one: Django reads it as IS NULL.
    roles = list(Role.objects.active().exclude(pk=person.role_id))  # type: ignore[misc]
    next_ids = set(person.role.next_roles.values_list("pk", flat=True)) if person.role else set()
    expectations = expectations_of(r.pk for r in roles)
    levels = latest_levels([person.pk])
    paths = [
        Path(
            role=role,
            gaps=Gaps(person, role, gap_rows(expectations.get(role.pk, []), levels, person.pk)),
            reachable=role.pk in next_ids,
        )
        for role in roles
    ]
    paths.sort(key=lambda p: (not p.reachable, -p.readiness, p.gaps.total_gap, p.role.key))
    return paths


def _gaps_of(people: list[Person]) -> list[Gaps]:
    """Each person's gaps against their gap role (target, else current). 2 queries."""
    expectations = expectations_of({p.gap_role_id for p in people if p.gap_role_id})
    levels = latest_levels([p.pk for p in people])
    return [
        Gaps(
            person,
            person.target_role or person.role,
            gap_rows(expectations.get(person.gap_role_id, []), levels, person.pk)
            if person.gap_role_id
            else [],
        )
        for person in people
    ]


@dataclass(frozen=True)
class Team:
    manager: Person
    skills: list[Skill]
    members: list[Gaps]


def team_for(*, manager: Person, depth: str = "direct") -> Team:
    """Direct reports (depth "direct") or the whole subtree ("all") of `manager`, each
    measured against their gap role; `skills` are those any member's role expects,
    by category then name. 3 queries."""
    people = Person.objects.filter(is_active=True).select_related("role", "target_role")
    people = people.filter(manager=manager) if depth == "direct" else people.below(manager.pk)
    members = _gaps_of(list(people.order_by("name", "username")))
    skills = {row.loaded_skill.pk: row.loaded_skill for gaps in members for row in gaps.rows}
    ordered = sorted(
        skills.values(), key=lambda s: (s.category.order, s.category.name, s.name, s.key)
    )
    return Team(manager=manager, skills=ordered, members=members)


@dataclass(frozen=True)
class SkillReport:
    skill: Skill
    expected: int
    below: int
    meeting: int
    unassessed: int
    average_gap: float | None


@dataclass(frozen=True)
class Tally:
    """The gap rows of many people, counted in the database: `expected` rows, of which
    `below` (assessed, gap > 0), `meeting` (assessed, gap 0), `unassessed` (current
    null), `ready` (gap 0, assessed or not: an expectation of 0 is met unrated), and
    the sum of their gaps."""

    expected: int
    below: int
    meeting: int
    unassessed: int
    ready: int
    total_gap: int


# The gap arithmetic above, for every person of a scope at once, in one statement: the
# latest submitted level of each (person, kind, skill) by a window (submitted_at, then
# assessment id), current = manager else self, gap = max(E - (current or 0), 0), over the
# active skills each person's gap role (target, else current) expects. Portable SQL
# (PostgreSQL and SQLite): no DISTINCT ON, FILTER or GREATEST. {people} is the scope's
# query, columns (id, role_id); {by} is "person_id" or "skill_id".
_TALLY_SQL = """
WITH people(id, role_id) AS ({people}),
ranked AS (
    SELECT a.person_id, a.kind, r.skill_id, r.level,
           {latest_rank}
    FROM {rating} r JOIN {assessment} a ON a.id = r.assessment_id
    WHERE a.status = %s AND a.person_id IN (SELECT id FROM people)
),
current_level AS (
    SELECT person_id, skill_id,
           COALESCE(MAX(CASE WHEN kind = %s THEN level END),
                    MAX(CASE WHEN kind = %s THEN level END)) AS level
    FROM ranked WHERE rank = 1
    GROUP BY person_id, skill_id
),
gap_rows AS (
    SELECT p.id AS person_id, e.skill_id, e.level AS expected, c.level AS current,
           CASE WHEN e.level > COALESCE(c.level, 0) THEN e.level - COALESCE(c.level, 0)
                ELSE 0 END AS gap
    FROM people p
    JOIN {expectation} e ON e.role_id = p.role_id
    JOIN {skill} s ON s.id = e.skill_id AND s.retired = %s
    LEFT JOIN current_level c ON c.person_id = p.id AND c.skill_id = e.skill_id
)
SELECT {by},
       COUNT(*),
       SUM(CASE WHEN current IS NOT NULL AND gap > 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN current IS NOT NULL AND gap = 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN current IS NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN gap = 0 THEN 1 ELSE 0 END),
       SUM(gap)
FROM gap_rows
GROUP BY {by}
"""


def gap_tallies(people, *, by: str) -> dict[int, Tally]:  # people: a PersonQuerySet
    """Person id (by="person") or skill id (by="skill") -> the Tally of the gap rows of
    `people` against their gap roles. One query, computed in the database: the cost
    grows with the ratings of the people in scope, and no row per rating reaches Python."""
    if by not in ("person", "skill"):
        raise ValueError(f"by must be person or skill, not {by!r}")
    scope = people.order_by().values_list("pk", Coalesce("target_role_id", "role_id"))
    people_sql, people_params = scope.query.sql_with_params()
    sql = _TALLY_SQL.format(**_tables(), people=people_sql, by=f"{by}_id")
    params = [
        *people_params,
        Assessment.Status.SUBMITTED.value,
        Assessment.Kind.MANAGER.value,
        Assessment.Kind.SELF.value,
        False,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: Tally(*(int(n) for n in row[1:])) for row in cursor.fetchall()}


def skills_report(*, user: Person) -> list[SkillReport]:
    """Per active skill, over the people in scope whose gap role expects it. 2 queries:
    the tallies per skill (the people in scope are a subquery of it), the skills."""
    tallies = gap_tallies(in_scope(user), by="skill")
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


@dataclass(frozen=True)
class Divergence:
    person: Person
    skill: Skill
    self_level: int
    manager_level: int


@dataclass(frozen=True)
class Calibration:
    manager: Person
    reports: int
    mean_delta: float | None
    divergent: list[Divergence]


# Each report's latest submitted self level and their direct manager's latest
# submitted manager level, per active skill rated by both: the window ranks a person's
# self-assessments, and only those manager assessments whose author is the person's
# manager now. {reports} is the reports' query, columns (id, manager_id).
_CALIBRATION_SQL = """
WITH reports(id, manager_id) AS ({reports}),
ranked AS (
    SELECT a.person_id, a.kind, r.skill_id, r.level,
           {latest_rank}
    FROM {rating} r
    JOIN {assessment} a ON a.id = r.assessment_id
    JOIN reports p ON p.id = a.person_id
    WHERE a.status = %s AND (a.kind = %s OR a.author_id = p.manager_id)
)
SELECT ranked.person_id, ranked.skill_id,
       MAX(CASE WHEN kind = %s THEN level END) AS self_level,
       MAX(CASE WHEN kind = %s THEN level END) AS manager_level
FROM ranked JOIN {skill} s ON s.id = ranked.skill_id AND s.retired = %s
WHERE rank = 1
GROUP BY ranked.person_id, ranked.skill_id
HAVING COUNT(*) = 2
"""


def calibration_report(*, user: Person) -> list[Calibration]:
    """Per manager in scope with reports: how their own ratings of their direct reports
    compare with those reports' self-ratings (latest submitted of each). 4 queries:
    managers, their reports, active skills, the (self, manager) pairs."""
    scope = in_scope(user)
    managers = list(scope.filter(reports__is_active=True).distinct().order_by("name", "username"))
    reports_query = Person.objects.filter(is_active=True, manager__in=managers).order_by("pk")
    reports = {p.pk: p for p in reports_query}
    skills = {s.pk: s for s in Skill.objects.active()}
    pairs: dict[int, list[tuple[Person, Skill, int, int]]] = {m.pk: [] for m in managers}
    if reports:
        reports_sql, reports_params = (
            reports_query.order_by().values_list("pk", "manager_id").query.sql_with_params()
        )
        sql = _CALIBRATION_SQL.format(**_tables(), reports=reports_sql)
        params = [
            *reports_params,
            Assessment.Status.SUBMITTED.value,
            Assessment.Kind.SELF.value,
            Assessment.Kind.SELF.value,
            Assessment.Kind.MANAGER.value,
            False,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for person_id, skill_id, self_level, manager_level in cursor.fetchall():
                person = reports[person_id]
                pairs[person.manager_id].append(
                    (person, skills[skill_id], self_level, manager_level)
                )
    rows = []
    for manager in managers:
        found = sorted(pairs[manager.pk], key=lambda p: (p[0].pk, p[1].key))
        deltas = [s - m for _, _, s, m in found]
        rows.append(
            Calibration(
                manager=manager,
                reports=len({p[0].pk for p in found}),
                mean_delta=sum(deltas) / len(deltas) if deltas else None,
                divergent=[Divergence(p, sk, s, m) for p, sk, s, m in found if abs(s - m) >= 2],
            )
        )
    return rows


# --- Growth plans ----------------------------------------------------------------------


@dataclass(frozen=True)
class Focus:
    focus: FocusSkill
    current: int | None
    actions: list[Action]


@dataclass(frozen=True)
class PlanView:
    plan: GrowthPlan | None
    focus: list[Focus]
    suggestions: list[GapRow]  # the biggest gaps for the gap role, not yet focus skills
    gaps: Gaps


def growth_plan_for(*, person: Person, suggestions: int = 3) -> PlanView:
    """The plan with each focus skill's current level, and suggestions (the gap
    arithmetic of gaps_for, on the same latest levels). 5 queries."""
    plan = GrowthPlan.objects.filter(person=person).first()
    focus = list(
        plan.focus_skills.select_related("skill").prefetch_related("actions") if plan else []
    )
    levels = latest_levels([person.pk])
    role = person.target_role or person.role
    rows = gap_rows(expectations_of([role.pk]).get(role.pk, []), levels, person.pk) if role else []
    gaps = Gaps(person=person, role=role, rows=rows)
    focused = {f.skill_id for f in focus}
    return PlanView(
        plan=plan,
        focus=[
            Focus(
                focus=f,
                current=_current(levels.get((person.pk, f.skill_id), (None, None))),
                actions=list(f.actions.all()),
            )
            for f in focus
        ],
        suggestions=[r for r in gaps.rows if r.gap > 0 and r.loaded_skill.pk not in focused][
            :suggestions
        ],
        gaps=gaps,
    )


def _current(levels: Levels) -> int | None:
    own, manager = levels
    return manager if manager is not None else own


# --- The assessment form -----------------------------------------------------------------


def assessment_starting_point(*, person: Person, kind: str, author: Person) -> Assessment | None:
    """The author's open draft, else their last submitted assessment of the person and
    kind (what a new draft is pre-filled from), else None. One query."""
    drafts_first = Case(
        When(status=Assessment.Status.DRAFT, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        Assessment.objects.filter(person=person, kind=kind, author=author)
        .order_by(drafts_first, "-submitted_at", "-id")
        .first()
    )


def open_draft(*, person: Person, kind: str, author: Person) -> Assessment | None:
    """The author's open draft of this person and kind, if any. One query."""
    return Assessment.objects.filter(
        person=person, kind=kind, author=author, status=Assessment.Status.DRAFT
    ).first()


class Expected(TypedDict):
    expected: bool


def assessable_skills(
    person: Person,
) -> tuple[list[WithAnnotations[Skill, Expected]], list[Role]]:
    """Active skills by category, each annotated `expected` (by the person's current or
    target role), and those roles. Two queries (one without roles)."""
    role_ids = [pk for pk in (person.role_id, person.target_role_id) if pk]
    roles = sorted(Role.objects.filter(pk__in=role_ids), key=lambda r: role_ids.index(r.pk))
    expected = Expectation.objects.filter(skill=OuterRef("pk"), role_id__in=role_ids)
    skills = list(
        Skill.objects.active().select_related("category").annotate(expected=Exists(expected))
    )
    return skills, roles


def visible_assessments(user: Person) -> QuerySet[Assessment]:
    """Submitted assessments of the people the user may see, and the user's own drafts."""
    return Assessment.objects.filter(person__in=Person.objects.visible_to(user)).filter(
        Q(status=Assessment.Status.SUBMITTED) | Q(author=user)
    )
