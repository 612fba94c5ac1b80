"""`python manage.py generate_org --people N --seed S`: a large organisation for benchmarks.

- the default framework, widened to 60 skills and three more roles (through the real
  importer), each role expecting at least 20 skills;
- N people in a management tree, span 5-10 (the last level as far as N reaches), so
  depth 5-6 for 10,000 people; managers hold management roles, the others IC roles;
  about half aim at a next role of their current one;
- 4 submitted assessments per person, 2 self and 2 manager (by their manager; the
  person at the top has no manager, so only their 2 self-assessments), three months
  apart, each rating every skill the person's role and target role expect, with evidence;
- the demo logins of product.md, password "demo": hana (HR admin, outside the tree),
  mona at the top, max and mia under her, erin and sam under max, eli under mia. Every
  other person shares the same password (hashed once), so a benchmark can log in as anyone.

Deterministic from the seed. Bulk inserts (COPY on PostgreSQL): minutes, not hours, for
10,000 people. Refuses a database that already holds people unless --replace is given,
which deletes every person, assessment and growth plan first (the framework is upserted).
"""

from __future__ import annotations

import random
from collections import deque
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from assessments.models import (
    Assessment,
    CurrentLevel,
    GrowthPlan,
    Rating,
    TeamSkillTally,
    TeamTally,
)
from assessments.rollups import rebuild
from core import derived
from people.models import Person
from skills.models import Expectation, Role, Skill
from skills.openformat import parse
from skills.services import framework_import

PASSWORD = "demo"
SKILLS = 60
SPAN = (5, 10)
BATCH = 5_000
HOUR = timedelta(hours=1)

# The three roles added to the default five, and the level each expects of its skills.
EXTRA_ROLES = [
    {"key": "engineer", "name": "Engineer", "track": "ic", "level": 0},
    {"key": "distinguished-engineer", "name": "Distinguished Engineer", "track": "ic", "level": 4},
    {"key": "director", "name": "Director of Engineering", "track": "management", "level": 3},
]
NEXT_ROLES = {
    "engineer": ["senior-engineer"],
    "principal-engineer": ["distinguished-engineer"],
    "manager-of-managers": ["director"],
}
# Roles by depth in the tree: managers (people with reports) and the rest.
MANAGER_ROLES = ["director", "manager-of-managers", "engineering-manager"]
IC_ROLES = ["engineer", "senior-engineer", "staff-engineer", "principal-engineer"]

# The demo logins: (username, name, parent username). hana is added outside the tree.
DEMO = [
    ("mona", "Mona Martins", None),
    ("max", "Max Meyer", "mona"),
    ("mia", "Mia Moreau", "mona"),
    ("erin", "Erin Evans", "max"),
    ("sam", "Sam Sato", "max"),
    ("eli", "Eli Ekström", "mia"),
]

EVIDENCE = [
    "Led the design review for the billing service split; wrote the decision record.",
    "Ran the incident review after the March outage and followed up the actions.",
    "Explained the migration trade-offs to the finance team in a one-page brief.",
    "Paired weekly with two newer engineers through their first on-call rotation.",
    "Coordinated the search rollout across three teams against a fixed launch date.",
    "Wrote the runbook for the queue consumers and trained the team on it.",
]
FIRST = ["Ada", "Ben", "Chen", "Dara", "Emil", "Fay", "Gus", "Ines", "Jon", "Kai", "Lea", "Noor"]
LAST = ["Adams", "Berg", "Costa", "Diaz", "Eze", "Fox", "Gill", "Hart", "Ito", "Jung", "Kerr"]


class Command(BaseCommand):
    help = "Generate a large organisation with assessments for benchmarks (deterministic)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=10_000, help="Default 10,000.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete every person, assessment and growth plan first.",
        )

    def handle(self, *args: Any, people: int, seed: int, replace: bool, **options: Any) -> None:
        if people < len(DEMO) + 1:
            raise CommandError(f"--people must be at least {len(DEMO) + 1}.")
        if Person.objects.exists() and not replace:
            raise CommandError("This database already holds people: pass --replace to start over.")
        rng = random.Random(seed)
        # One refresh of what is derived from people, at the end, not one per person.
        with transaction.atomic(), derived.batch():
            if replace:
                CurrentLevel.objects.all().delete()
                TeamTally.objects.all().delete()
                TeamSkillTally.objects.all().delete()
                Rating.objects.all().delete()
                Assessment.objects.all().delete()
                GrowthPlan.objects.all().delete()
                Person.objects.all().delete()
            framework_import(document=parse(widened_framework(random.Random(seed))))
            made = self._people(rng, people)
            assessments, ratings = self._assessments(rng, made)
            # Loaded in bulk, around the services: the projection and the team
            # tallies are derived once.
            rebuild()
        if connection.vendor == "postgresql":
            # Fresh statistics: the planner otherwise guesses a few hundred rows for
            # tables that now hold a million, and picks sorts that spill to disk. VACUUM
            # sets the visibility map, without which planning a person's latest levels
            # took 2.3 ms instead of 0.15 (probing index ends through unvisited heap
            # pages). Inside a transaction (tests), only ANALYZE can run.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.stdout.write(
            f"Generated {len(made) + 1} people (tree of {len(made)}, depth "
            f"{max(depth for _, depth in made.values()) + 1}), {assessments} assessments, "
            f"{ratings} ratings; {Skill.objects.active().count()} skills, "
            f"{Role.objects.active().count()} roles. Log in as hana / {PASSWORD}."
        )

    def _people(self, rng: random.Random, total: int) -> dict[int, tuple[Person, int]]:
        """The tree, one bulk insert per level: person id -> (person, depth)."""
        password = make_password(PASSWORD)
        roles = {r.key: r for r in Role.objects.all()}
        hana = Person(username="hana", name="Hana Hughes", is_hr=True, password=password)
        hana.email = "hana@example.com"
        Person.objects.bulk_create([hana])
        # Spans first, so that who is a manager is known before roles are chosen.
        parents: list[int | None] = [None]  # index in the tree -> index of its manager
        queue = deque([0])
        size = total - 1  # hana counts towards --people
        while len(parents) < size and queue:
            parent: int | None = queue.popleft()
            for _ in range(rng.randint(*SPAN)):
                if len(parents) == size:
                    break
                parents.append(parent)
                queue.append(len(parents) - 1)
        has_reports = {p for p in parents if p is not None}
        depth = [0] * len(parents)
        for index, parent in enumerate(parents):
            if parent is not None:
                depth[index] = depth[parent] + 1
        demo = {0: DEMO[0]}
        demo.update({1: DEMO[1], 2: DEMO[2]})
        kids = {p: [i for i, q in enumerate(parents) if q == p] for p in (1, 2)}
        demo.update({kids[1][0]: DEMO[3], kids[1][1]: DEMO[4], kids[2][0]: DEMO[5]})

        ids: list[int] = [0] * len(parents)
        made: dict[int, tuple[Person, int]] = {}
        for level in range(max(depth) + 1):
            batch = []
            for index in (i for i, d in enumerate(depth) if d == level):
                if index in demo:
                    username, name = demo[index][0], demo[index][1]
                else:
                    username = f"p{index:06d}"
                    name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {index}"
                if index in has_reports:
                    role = roles[MANAGER_ROLES[min(level, len(MANAGER_ROLES) - 1)]]
                else:
                    role = roles[rng.choice(IC_ROLES)]
                nexts = _next_keys(role.key)
                target = roles[rng.choice(nexts)] if nexts and rng.random() < 0.5 else None
                parent = parents[index]
                batch.append(
                    Person(
                        username=username,
                        name=name,
                        email=f"{username}@example.com",
                        password=password,
                        role=role,
                        target_role=target,
                        manager_id=ids[parent] if parent is not None else None,
                    )
                )
            created = Person.objects.bulk_create(batch, batch_size=BATCH)
            for index, person in zip(
                (i for i, d in enumerate(depth) if d == level), created, strict=True
            ):
                ids[index] = person.pk
                made[person.pk] = (person, level)
        return made

    def _assessments(
        self, rng: random.Random, made: dict[int, tuple[Person, int]]
    ) -> tuple[int, int]:
        """Two rounds, three months apart, each a self and a manager assessment."""
        expected: dict[int | None, dict[int, int]] = {}  # by role id; no role expects nothing
        for e in Expectation.objects.filter(skill__retired=False):
            expected.setdefault(e.role_id, {})[e.skill_id] = e.level
        now = timezone.now()
        rows: list[Assessment] = []
        for person, _ in made.values():
            for months_ago in (6, 3):
                at = now - timedelta(days=30 * months_ago, minutes=rng.randint(0, 2880))
                rows.append(_submitted(person, person.pk, "self", at))
                if person.manager_id:
                    rows.append(_submitted(person, person.manager_id, "manager", at + HOUR))
        created = Assessment.objects.bulk_create(rows, batch_size=BATCH)
        ratings: list[tuple[int, int, int, str]] = []
        for assessment in created:
            person = made[assessment.person_id][0]
            skills: dict[int, int] = {}
            for role_id in (person.role_id, person.target_role_id):
                skills.update(expected.get(role_id, {}))
            for skill_id, level in sorted(skills.items()):
                drift = rng.choice((-2, -1, -1, 0, 0, 0, 1))
                ratings.append(
                    (assessment.pk, skill_id, min(max(level + drift, 0), 5), rng.choice(EVIDENCE))
                )
        _insert_ratings(ratings)
        return len(created), len(ratings)


def _submitted(person: Person, author_id: int, kind: str, at: Any) -> Assessment:
    return Assessment(
        person=person,
        author_id=author_id,
        kind=kind,
        status=Assessment.Status.SUBMITTED,
        created_at=at - timedelta(days=1),
        submitted_at=at,
    )


def _next_keys(key: str) -> list[str]:
    default = {
        "senior-engineer": ["staff-engineer", "engineering-manager"],
        "staff-engineer": ["principal-engineer", "engineering-manager"],
        "engineering-manager": ["manager-of-managers", "staff-engineer"],
    }
    return NEXT_ROLES.get(key) or default.get(key, [])


def _insert_ratings(rows: list[tuple[int, int, int, str]]) -> None:
    """COPY on PostgreSQL (a million rows in seconds), bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        table = Rating._meta.db_table
        with connection.cursor() as cursor:
            copy = f"COPY {table} (assessment_id, skill_id, level, evidence) FROM STDIN"
            with cursor.cursor.copy(copy) as pipe:
                for row in rows:
                    pipe.write_row(row)
        return
    Rating.objects.bulk_create(
        (Rating(assessment_id=a, skill_id=s, level=lv, evidence=ev) for a, s, lv, ev in rows),
        batch_size=BATCH,
    )


def widened_framework(rng: random.Random) -> str:
    """The default framework plus generated skills up to 60 and three more roles, each
    role expecting at least 20 skills: its default expectations (the second edition's
    roles expect 21-26 already) plus generated ones up to 20."""
    document = yaml.safe_load(Path(settings.DEFAULT_FRAMEWORK_FILE).read_text())
    categories = [c["key"] for c in document["categories"]]
    base = [s["key"] for s in document["skills"]]
    for n in range(len(base) + 1, SKILLS + 1):
        document["skills"].append(
            {
                "key": f"bench-skill-{n:02d}",
                "name": f"Benchmark skill {n:02d}",
                "category": categories[n % len(categories)],
                "description": "A generated skill that widens the framework for benchmarks.",
                "levels": {level: f"Level {level} of skill {n:02d}." for level in range(1, 6)},
                "how_to_grow": "Practise it.",
            }
        )
    keys = [s["key"] for s in document["skills"]]
    for role in EXTRA_ROLES:
        document["roles"].append({**role, "summary": f"{role['name']} (benchmark role)."})
    for role in document["roles"]:
        role["next_roles"] = sorted(
            set(role.get("next_roles", [])) | set(NEXT_ROLES.get(role["key"], []))
        )
        expectations = dict(role.get("expectations", {}))
        base_level = 1 + min(role["level"], 3)
        for key in rng.sample(keys, len(keys)):
            if len(expectations) >= 20:
                break
            expectations.setdefault(key, min(base_level + rng.choice((0, 0, 1)), 5))
        role["expectations"] = expectations
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
