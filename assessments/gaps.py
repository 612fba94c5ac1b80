"""The gap module: where each person stands against a role, and every count made of it.

Pages, API, CSV, reports, the org view, calibration, the impact preview and the
benchmark read what this module answers; none of them computes a gap. The rules, each
written once:

- **Latest**: a person's latest submitted rating of a skill, per kind (self, manager),
  is the one with the highest submitted_at, then the highest assessment id
  (`_LATEST_SQL`). It is kept in the `CurrentLevel` projection, written in the
  transaction of every submit (`current_levels_apply`), rebuilt by
  `current_levels_rebuild` and proved by `current_levels_check`.
- **Current level**: the manager's latest level, else the self level: `_LATEST_SQL`
  writes it as `CurrentLevel.level` (with `spread`, |self - manager|).
- **Gap role**: the role a person is measured against unless another is asked for: the
  target role, else the current role (`GAP_ROLE_SQL`).
- **Gap**: for each active skill the role expects at level E,
  `max(E - (current or 0), 0)` (`_GAP_ROWS_SQL`, the one SQL fragment that per-person
  results and org tallies both read).
- **Readiness**: the share of expected skills with gap 0; 1.0 for a role that expects
  no active skill; none without a role (`readiness`). On confirmed levels: the same,
  with the gaps measured from the manager's levels alone (`gaps_many(confirmed=True)`).
- **Divergence**: self and manager levels `DIVERGENCE` or more apart (`diverges`); the
  same rule between self and others' median (`GapRow.others_diverges`).
- **Others**: others' view of a row's skill is assessments.feedback's aggregate
  (`others_for`), attached to the rows on request (`with_others`); its median shows
  only with enough answers, as that module decides.
- **Rated at, stale**: when the current level was submitted (the manager's rating's
  time, else the self rating's); stale once older than `CAREERMAP_STALE_AFTER_DAYS`
  (`GapRow.stale`).
- **Evidence count**: the person's undisputed evidence items that show the skill
  (`_EVIDENCE_COUNT_SQL`; one person's rows only).
- **Hard and soft**: the same readiness counted on the rows of each kind of skill (its
  category's kind) alone, hard first (`Gaps.split`).

Rows come in gap order: gap descending, then skill key ascending.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, OuterRef, Subquery, When
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from assessments.feedback import Aggregate, others_for
from assessments.models import DIVERGENCE, Assessment, CurrentLevel, Evidence, Rating
from people.models import Person
from people.visibility import visible_ids
from skills.models import Category, Expectation, Role, Skill


def diverges(self_level: float | None, other_level: float | None) -> bool:
    """Self and another view (the manager's level, others' median) DIVERGENCE or more
    apart; False unless both are there."""
    if self_level is None or other_level is None:
        return False
    return abs(self_level - other_level) >= DIVERGENCE


def stale_before(now: datetime | None = None) -> datetime:
    """The line: a rating submitted before it is stale (CAREERMAP_STALE_AFTER_DAYS ago;
    exactly that many days old is not stale yet). A page of many rows reads it once."""
    return (now or timezone.now()) - timedelta(days=settings.CAREERMAP_STALE_AFTER_DAYS)


def is_stale(rated_at: datetime | None, *, now: datetime | None = None) -> bool:
    """A rating submitted before `stale_before`."""
    return rated_at is not None and rated_at < stale_before(now)


def _datetime(value: Any) -> datetime | None:
    """A timestamp read by raw SQL: a datetime (PostgreSQL) or its text (SQLite)."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = parse_datetime(str(value))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, UTC)
    return parsed


def readiness(ready: int, expected: int) -> float:
    """The share of a role's expected skills that are met; a role expecting none is met."""
    return ready / expected if expected else 1.0


# The gap role of person table alias {p}: the target role, else the current role.
GAP_ROLE_SQL = "COALESCE({p}.target_role_id, {p}.role_id)"


def gap_role_id(person: Person) -> int | None:
    """GAP_ROLE_SQL for a person already in hand (the same rule, beside it)."""
    return person.target_role_id or person.role_id


def _tables() -> dict[str, str]:
    """The quoted table names the statements are written with."""
    quote = connection.ops.quote_name
    return {
        "rating": quote(Rating._meta.db_table),
        "assessment": quote(Assessment._meta.db_table),
        "current": quote(CurrentLevel._meta.db_table),
        "expectation": quote(Expectation._meta.db_table),
        "skill": quote(Skill._meta.db_table),
        "role": quote(Role._meta.db_table),
        "person": quote(Person._meta.db_table),
        "evidence": quote(Evidence._meta.db_table),
        "evidence_skills": quote(Evidence.skills.through._meta.db_table),
    }


# --- The projection: latest submitted levels -------------------------------------------

# The latest submitted self and manager rating of each (person, skill) among the ratings
# that {where} selects (over rating r and assessment a), one row each, in the columns of
# CurrentLevel. Portable SQL (PostgreSQL and SQLite).
_LATEST_SQL = """
SELECT person_id, skill_id, self_level, self_at, self_assessment_id,
       manager_level, manager_at, manager_assessment_id, manager_author_id,
       COALESCE(manager_level, self_level),
       ABS(self_level - manager_level)
FROM (
SELECT person_id, skill_id,
       MAX(CASE WHEN kind = %(self)s THEN level END) AS self_level,
       MAX(CASE WHEN kind = %(self)s THEN submitted_at END) AS self_at,
       MAX(CASE WHEN kind = %(self)s THEN assessment_id END) AS self_assessment_id,
       MAX(CASE WHEN kind = %(manager)s THEN level END) AS manager_level,
       MAX(CASE WHEN kind = %(manager)s THEN submitted_at END) AS manager_at,
       MAX(CASE WHEN kind = %(manager)s THEN assessment_id END) AS manager_assessment_id,
       MAX(CASE WHEN kind = %(manager)s THEN author_id END) AS manager_author_id
FROM (
    SELECT a.person_id, r.skill_id, a.kind, r.level, a.submitted_at, a.id AS assessment_id,
           a.author_id,
           ROW_NUMBER() OVER (
               PARTITION BY a.person_id, a.kind, r.skill_id
               ORDER BY a.submitted_at DESC, a.id DESC
           ) AS rank
    FROM {rating} r JOIN {assessment} a ON a.id = r.assessment_id
    WHERE a.status = %(submitted)s {where}
) ranked
WHERE rank = 1
GROUP BY person_id, skill_id
) latest
"""

_COLUMNS = (
    "person_id, skill_id, self_level, self_at, self_assessment_id, "
    "manager_level, manager_at, manager_assessment_id, manager_author_id, level, spread"
)

_KINDS = {
    "self": Assessment.Kind.SELF.value,
    "manager": Assessment.Kind.MANAGER.value,
    "submitted": Assessment.Status.SUBMITTED.value,
}


def _latest(where: str = "", **params: Any) -> tuple[str, dict[str, Any]]:
    return _LATEST_SQL.format(**_tables(), where=where), {**_KINDS, **params}


def current_levels_apply(*, assessment: Assessment) -> None:
    """Bring the projection up to date with a just-submitted assessment, in the caller's
    transaction: the rows of its person and the skills it rates are derived again from
    their ratings. 2 statements, whatever the number of skills."""
    tables = _tables()
    rated = f"SELECT skill_id FROM {tables['rating']} WHERE assessment_id = %(assessment)s"
    scope = {"person": assessment.person_id, "assessment": assessment.pk}
    select, params = _latest(f"AND a.person_id = %(person)s AND r.skill_id IN ({rated})", **scope)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {tables['current']} WHERE person_id = %(person)s "
            f"AND skill_id IN ({rated})",
            scope,
        )
        cursor.execute(f"INSERT INTO {tables['current']} ({_COLUMNS}) {select}", params)


@transaction.atomic
def current_levels_rebuild() -> int:
    """Derive the whole projection again from the ratings. Returns its rows."""
    select, params = _latest()
    current = _tables()["current"]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {current}")
        cursor.execute(f"INSERT INTO {current} ({_COLUMNS}) {select}", params)
    return CurrentLevel.objects.count()


def current_levels_check() -> tuple[int, list[tuple[Any, ...]]]:
    """(rows of the projection, the rows where it and a recomputation from the ratings
    differ: at most 20, each as (where, *columns)). An empty list proves them equal."""
    select, params = _latest()
    current = _tables()["current"]
    stored = f"SELECT {_COLUMNS} FROM {current}"
    sql = f"""
        SELECT 'missing or stale', * FROM ({select} EXCEPT {stored}) a
        UNION ALL
        SELECT 'not in the ratings', * FROM ({stored} EXCEPT {select}) b
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params})
        differences = cursor.fetchmany(20)
    return CurrentLevel.objects.count(), differences


def latest_levels(person_ids: Iterable[int]) -> dict[tuple[int, int], CurrentLevel]:
    """(person id, skill id) -> the person's CurrentLevel of that skill. One query."""
    rows = CurrentLevel.objects.filter(person_id__in=list(person_ids))
    return {(row.person_id, row.skill_id): row for row in rows}


# --- Gap rows ----------------------------------------------------------------------------

# The gap rows of {subjects}, a query of (person_id, role_id) pairs: one row per subject
# and active skill its role expects, with the person's levels, current level and gap.
# {level} is the level measured: the current level (_CURRENT_LEVEL), or the manager's
# alone (_CONFIRMED_LEVEL: readiness on the levels a manager has confirmed).
_GAP_ROWS_SQL = """
SELECT sub.person_id, sub.role_id, s.id AS skill_id, s.key AS skill_key,
       e.level AS expected, c.self_level, c.manager_level, {level} AS current,
       CASE WHEN e.level > COALESCE({level}, 0) THEN e.level - COALESCE({level}, 0)
            ELSE 0 END AS gap,
       COALESCE(c.manager_at, c.self_at) AS rated_at
FROM ({subjects}) sub
JOIN {expectation} e ON e.role_id = sub.role_id
JOIN {skill} s ON s.id = e.skill_id AND s.retired = %(retired)s
LEFT JOIN {current} c ON c.person_id = sub.person_id AND c.skill_id = e.skill_id
"""
_CURRENT_LEVEL, _CONFIRMED_LEVEL = "c.level", "c.manager_level"


@dataclass(slots=True)  # thousands per heatmap: not frozen, whose __init__ is 4x slower
class GapRow:
    key: str  # the skill's
    expected: int
    self_level: int | None
    manager_level: int | None
    current: int | None
    gap: int
    rated_at: datetime | None = None  # when the current level was submitted
    evidence_count: int | None = None  # counted for one person's rows only
    # The skill itself (category loaded), unless the caller asked for the numbers only.
    skill: Skill | None = field(default=None, compare=False)
    # Others' aggregate of the skill (feedback.others_for), for rows given it
    # (with_others, visible_gaps(others=True)); None: nobody answered, or not asked for.
    others: Aggregate | None = field(default=None, compare=False)

    @property
    def loaded_skill(self) -> Skill:
        """`skill`, for a row made with it: every row but visible_gaps' numbers."""
        assert self.skill is not None, "a row of numbers only (visible_gaps) has no skill"
        return self.skill

    @property
    def diverges(self) -> bool:
        return diverges(self.self_level, self.manager_level)

    @property
    def stale(self) -> bool:
        return is_stale(self.rated_at)

    @property
    def others_median(self) -> float | None:
        """Others' median level; None below the feedback threshold (or unanswered)."""
        return self.others.median if self.others is not None else None

    @property
    def others_count(self) -> int:
        """How many people gave others' view a level (shown below the threshold too)."""
        return self.others.answers if self.others is not None else 0

    @property
    def others_diverges(self) -> bool:
        return diverges(self.self_level, self.others_median)

    @property
    def others_spread(self) -> float | None:
        """How far self and others' median are apart; None unless both are there."""
        if self.self_level is None or self.others_median is None:
            return None
        return abs(self.self_level - self.others_median)

    @property
    def spread(self) -> int | None:
        """How many levels self and manager are apart; None unless both rated."""
        if self.self_level is None or self.manager_level is None:
            return None
        return abs(self.self_level - self.manager_level)


@dataclass(frozen=True)
class Gaps:
    person: Person
    role: Role | None
    rows: list[GapRow]

    @property
    def met(self) -> int:
        """Expectations met: gap 0 (an expectation of 0 is met unrated)."""
        return sum(1 for row in self.rows if row.gap == 0)

    @property
    def assessed(self) -> bool:
        """Whether anyone has rated the person on any skill the role expects: before,
        readiness is "not assessed yet", never 0%."""
        return any(row.current is not None for row in self.rows)

    @property
    def readiness(self) -> float | None:
        if self.role is None:
            return None
        return readiness(self.met, len(self.rows))

    @property
    def total_gap(self) -> int:
        return sum(row.gap for row in self.rows)

    def split(self) -> list[KindGaps]:
        """The rows of each kind of skill the role expects (hard, then soft), each part
        a Gaps of its own: readiness, met and "not assessed yet" counted on that kind
        alone. Rows with their skills only (the category comes loaded with the skill)."""
        return [
            KindGaps(self.person, self.role, rows, kind=kind)
            for kind in KIND_ORDER
            if (rows := [row for row in self.rows if row.loaded_skill.category.kind == kind])
        ]


KIND_ORDER = tuple(Category.Kind.values)  # hard, then soft: the split's and the radar's


@dataclass(frozen=True)
class KindGaps(Gaps):
    """One kind's part of a person's gaps (Gaps.split)."""

    kind: str = Category.Kind.HARD

    @property
    def label(self) -> str:
        return f"{Category.Kind(self.kind).label} skills"


Subject = tuple[int, int]  # (person id, role id)


def _values(subjects: Sequence[Subject]) -> tuple[str, dict[str, Any]]:
    """The subjects as a VALUES query (portable), with named parameters."""
    rows = ", ".join(f"(%(p{i})s, %(r{i})s)" for i in range(len(subjects)))
    params = {f"p{i}": p for i, (p, _) in enumerate(subjects)}
    params |= {f"r{i}": r for i, (_, r) in enumerate(subjects)}
    # The column names come from a first SELECT that selects nothing.
    sql = f"SELECT NULL AS person_id, NULL AS role_id WHERE 1 = 0 UNION ALL VALUES {rows}"
    return sql, params


def _rows_of(
    subjects: Sequence[Subject], *, with_skills: bool, level: str = _CURRENT_LEVEL
) -> dict[Subject, list[GapRow]]:
    """Subject -> its gap rows, in gap order. One query (two with the skills)."""
    found: dict[Subject, list[GapRow]] = {subject: [] for subject in subjects}
    if not subjects:
        return found
    values, params = _values(subjects)
    sql = _GAP_ROWS_SQL.format(**_tables(), subjects=values, level=level)
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "retired": False})
        fetched = cursor.fetchall()
    skills = (
        Skill.objects.select_related("category").in_bulk({row[2] for row in fetched})
        if with_skills and fetched
        else {}
    )
    for person_id, role_id, skill_id, key, expected, own, manager, current, gap, at in fetched:
        row = GapRow(
            key, expected, own, manager, current, gap, _datetime(at), skill=skills.get(skill_id)
        )
        found[(person_id, role_id)].append(row)
    for rows in found.values():
        rows.sort(key=lambda row: (-row.gap, row.key))
    return found


def gaps_many(
    pairs: Sequence[tuple[Person, Role | None]],
    *,
    with_skills: bool = True,
    confirmed: bool = False,
) -> list[Gaps]:
    """The gaps of each (person, role) pair; a pair without a role has none. 2 queries.
    `confirmed`: measured by the manager's levels alone (a skill only self-rated counts
    as unrated), the rows' `current` being the manager's level."""
    subjects = [(person.pk, role.pk) for person, role in pairs if role is not None]
    level = _CONFIRMED_LEVEL if confirmed else _CURRENT_LEVEL
    found = _rows_of(list(dict.fromkeys(subjects)), with_skills=with_skills, level=level)
    return [
        Gaps(person, role, found[(person.pk, role.pk)] if role is not None else [])
        for person, role in pairs
    ]


# How many of the person's undisputed evidence items show the skill of gap row `rows`.
_EVIDENCE_COUNT_SQL = """
(SELECT COUNT(*) FROM {evidence_skills} es JOIN {evidence} ev ON ev.id = es.evidence_id
 WHERE ev.person_id = sub.person_id AND es.skill_id = rows.skill_id
   AND ev.disputed = %(disputed)s)
"""

# One person, in one statement: the person (if {visible} holds them), the role asked
# for, else their gap role, and its gap rows with their evidence counts.
_ONE_SQL = """
SELECT sub.role_id, g.key, rows.skill_id, rows.skill_key, rows.expected,
       rows.self_level, rows.manager_level, rows.current, rows.gap, rows.rated_at,
       {evidence_count}
FROM ({subject}) sub
LEFT JOIN {role} g ON g.id = sub.role_id
LEFT JOIN ({gap_rows}) rows ON rows.person_id = sub.person_id
WHERE 1 = 1
"""

_IDS = range(-(2**63), 2**63)  # what an id column holds; SQLite overflows past it


def _one(person_id: int, role_id: int | None, visible: RawSQL | None) -> list[tuple[Any, ...]]:
    """The rows of _ONE_SQL: none if the person is not among `visible` (None: everyone)
    or does not exist; one with no skill if the role expects none (or there is none)."""
    if person_id not in _IDS:
        return []
    tables = _tables()
    restriction = ""
    params = {"person": person_id, "role": role_id, "retired": False, "disputed": False}
    if visible is not None:
        restriction = f"AND p.id IN ({visible.sql})"
        params |= {f"v{i}": value for i, value in enumerate(visible.params)}
        restriction = restriction % tuple(f"%(v{i})s" for i in range(len(visible.params)))
    gap_role = GAP_ROLE_SQL.format(p="p")
    subject = (
        f"SELECT p.id AS person_id, COALESCE(%(role)s, {gap_role}) AS role_id "
        f"FROM {tables['person']} p WHERE p.id = %(person)s {restriction}"
    )
    gap_rows = _GAP_ROWS_SQL.format(**tables, subjects=subject, level=_CURRENT_LEVEL)
    evidence_count = _EVIDENCE_COUNT_SQL.format(**tables)
    sql = _ONE_SQL.format(
        **tables, subject=subject, gap_rows=gap_rows, evidence_count=evidence_count
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _gaps_of_one(
    person: Person,
    role: Role | None,
    found: list[tuple[Any, ...]],
    skills: dict[int, Skill],
    others: dict[int, Aggregate] | None = None,
) -> Gaps:
    if role is None:
        return Gaps(person=person, role=None, rows=[])
    others = others or {}
    rows = [
        GapRow(
            key,
            expected,
            own,
            manager,
            current,
            gap,
            _datetime(at),
            evidence,
            skill=skills.get(skill_id),
            others=others.get(skill_id),
        )
        for _, _, skill_id, key, expected, own, manager, current, gap, at, evidence in found
        if skill_id is not None
    ]
    return Gaps(person=person, role=role, rows=sorted(rows, key=lambda r: (-r.gap, r.key)))


def gaps_for(*, person: Person, role: Role | None = None) -> Gaps:
    """The gaps of `person` (a saved one, with target_role and role loaded) against
    `role` (default: their gap role), each row with its skill. 2 queries: the numbers,
    then the skills (none when the role expects no active skill)."""
    found = _one(person.pk, role.pk if role else None, visible=None)
    role_id = found[0][0] if found else None
    if role is None and role_id is not None:
        role = next(r for r in (person.target_role, person.role) if r and r.pk == role_id)
    skill_ids = [f[2] for f in found if f[2] is not None]
    skills = Skill.objects.select_related("category").in_bulk(skill_ids) if skill_ids else {}
    return _gaps_of_one(person, role, found, skills)


def visible_gaps(
    *, user: Person, person_id: int, role: Role | None = None, others: bool = False
) -> Gaps | None:
    """The gaps of person `person_id` if `user` may see them (people.visibility), else
    None; in one query, for the API. The numbers only: rows carry skill keys
    (`row.skill` is None), and the person and role are loaded with their ids and keys
    alone (other fields load on access, as with `.only()`). `others`: each row with
    others' aggregate of its skill, in one more query (none when there are no rows)."""
    found = _one(person_id, role.pk if role else None, visible_ids(user, person_id))
    if not found:
        return None
    person = Person.from_db(connection.alias, ["id"], [person_id])
    role_id, role_key = found[0][:2]
    if role is None and role_id is not None:
        role = Role.from_db(connection.alias, ["id", "key"], [role_id, role_key])
    skill_ids = [f[2] for f in found if f[2] is not None]
    aggregates = others_for(person, skill_ids) if others and skill_ids else {}
    return _gaps_of_one(person, role, found, {}, aggregates)


def with_others(gaps: Gaps, found: dict[int, Aggregate] | None = None) -> Gaps:
    """`gaps`, each row (with its skill) given others' aggregate of its skill: from
    `found` (feedback.others_for of the person, already read), else read here. One
    query, none without rows or with `found`."""
    if gaps.rows:
        if found is None:
            found = others_for(gaps.person, [row.loaded_skill.pk for row in gaps.rows])
        for row in gaps.rows:
            row.others = found.get(row.loaded_skill.pk)
    return gaps


def with_gap_role(people: Any) -> Any:
    """`people` (a Person queryset) annotated `gap_role_id`, their gap role's id."""
    table = connection.ops.quote_name(Person._meta.db_table)
    return people.annotate(gap_role_id=RawSQL(GAP_ROLE_SQL.format(p=table), []))


# --- Many people at once: paths, team ----------------------------------------------------


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
    roles = list(Role.objects.active().exclude(pk=person.role_id))  # type: ignore[misc]
    next_ids = set(person.role.next_roles.values_list("pk", flat=True)) if person.role else set()
    gaps = gaps_many([(person, role) for role in roles])
    paths = [
        Path(role=role, gaps=found, reachable=role.pk in next_ids)
        for role, found in zip(roles, gaps, strict=True)
    ]
    paths.sort(key=lambda p: (not p.reachable, -p.readiness, p.gaps.total_gap, p.role.key))
    return paths


def gaps_of(people: Iterable[Person]) -> list[Gaps]:
    """Each person's gaps against their gap role; `people` come from with_gap_role()
    with role and target_role loaded. 3 queries at most: the rows, the skills."""
    people = list(people)
    roles = {r.pk: r for p in people for r in (p.role, p.target_role) if r is not None}
    # gap_role_id: the annotation of with_gap_role()
    return gaps_many([(p, roles.get(p.gap_role_id)) for p in people])  # type: ignore[attr-defined]


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
    members = gaps_of(with_gap_role(people).order_by("name", "username"))
    skills = {row.loaded_skill.pk: row.loaded_skill for gaps in members for row in gaps.rows}
    ordered = sorted(
        skills.values(), key=lambda s: (s.category.order, s.category.name, s.name, s.key)
    )
    return Team(manager=manager, skills=ordered, members=members)


# --- Counting: the same gap rows and pairs, counted in the database ---------------------

# Aggregates over gap rows (columns current, gap): how many are expected, of them below
# (assessed, gap > 0), meeting (assessed, gap 0), unassessed (no current level), ready
# (gap 0, assessed or not: an expectation of 0 is met unrated), and the sum of their gaps.
GAP_COUNTS_SQL = """
COUNT(*) AS expected,
SUM(CASE WHEN current IS NOT NULL AND gap > 0 THEN 1 ELSE 0 END) AS below,
SUM(CASE WHEN current IS NOT NULL AND gap = 0 THEN 1 ELSE 0 END) AS meeting,
SUM(CASE WHEN current IS NULL THEN 1 ELSE 0 END) AS unassessed,
SUM(CASE WHEN gap = 0 THEN 1 ELSE 0 END) AS ready,
SUM(gap) AS total_gap
"""

# readiness() for counts {ready} of {expected} in SQL (a person with a gap role but no
# gap rows: a role that expects no active skill, which is met).
READINESS_SQL = "CASE WHEN COALESCE({expected}, 0) = 0 THEN 1.0 ELSE {ready} * 1.0 / {expected} END"


@dataclass(frozen=True)
class Tally:
    """Gap rows counted (GAP_COUNTS_SQL)."""

    expected: int
    below: int
    meeting: int
    unassessed: int
    ready: int
    total_gap: int

    @property
    def readiness(self) -> float:
        return readiness(self.ready, self.expected)


def embed(queryset: Any, prefix: str) -> tuple[str, dict[str, Any]]:
    """A queryset's SQL, its %s placeholders renamed %(prefix0)s... for a statement that
    takes named parameters."""
    sql, params = queryset.query.sql_with_params()
    names = {f"{prefix}{i}": value for i, value in enumerate(params)}
    sql = sql.replace("%", "%%").replace("%%s", "%s")
    return sql % tuple(f"%({name})s" for name in names), names


def subjects_of(people: Any) -> tuple[str, dict[str, Any]]:
    """`people` (a Person queryset) as gap subjects: (person_id, role_id) pairs of each
    person and their gap role, as SQL with named parameters (prefix "s")."""
    scope = with_gap_role(people.order_by()).values_list("pk", "gap_role_id")
    sql, names = embed(scope, "s")
    # A CTE names the scope's columns (the ORM names them after the fields).
    return f"WITH scope(person_id, role_id) AS ({sql}) SELECT * FROM scope", names


def gap_rows_sql(people: Any) -> tuple[str, dict[str, Any]]:
    """The gap rows (_GAP_ROWS_SQL) of `people` against their gap roles, as SQL with
    named parameters."""
    subjects, names = subjects_of(people)
    gap_rows = _GAP_ROWS_SQL.format(**_tables(), subjects=subjects, level=_CURRENT_LEVEL)
    return gap_rows, {**names, "retired": False}


def gap_tallies(people: Any, *, by: str) -> dict[int, Tally]:
    """Person id (by="person") or skill id (by="skill") -> the Tally of the gap rows of
    `people` (a Person queryset) against their gap roles. One query, over the
    projection: no rating is read."""
    if by not in ("person", "skill"):
        raise ValueError(f"by must be person or skill, not {by!r}")
    gap_rows, params = gap_rows_sql(people)
    sql = f"SELECT {by}_id, {GAP_COUNTS_SQL} FROM ({gap_rows}) gap_rows GROUP BY {by}_id"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: Tally(*(int(n or 0) for n in row[1:])) for row in cursor.fetchall()}


def pairs(people: Any = None, *, widest_first: bool = False) -> Any:
    """The calibration pairs of `people` (a Person queryset; None: everyone): CurrentLevel
    rows of the active people among them, on active skills, with a current self level
    and a current manager level given by the person's manager now; annotated `delta`
    (self - manager) and `divergent` (1 if DIVERGENCE or more apart, else 0).

    `widest_first`: ordered by spread, then person and skill, for reading the first few.
    The person's manager is then looked up pair by pair, which lets PostgreSQL walk the
    index on spread and stop; as a join (otherwise: for counting every pair, 3x faster)
    it takes the match for rare and sorts every divergent pair (200 ms against 1 ms for
    the widest 50 at 10,000 people)."""
    found = CurrentLevel.objects.all()
    if people is not None:
        found = found.filter(person__in=people.values("pk"))
    if widest_first:
        now = Person.objects.filter(pk=OuterRef("person_id"), is_active=True).order_by()
        found = found.filter(manager_author_id=Subquery(now.values("manager_id")[:1]))
        found = found.order_by("-spread", "person_id", "skill_id")
    else:
        found = found.filter(person__is_active=True, manager_author_id=F("person__manager_id"))
    return (
        found.filter(self_level__isnull=False, skill__retired=False)
        .annotate(delta=F("self_level") - F("manager_level"))
        .annotate(divergent=Case(When(spread__gte=DIVERGENCE, then=1), default=0))
    )
