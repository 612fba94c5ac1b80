"""(e) of the benchmark, run inside `manage.py shell -c` by bench/bench.py: the
self-assessment form of a person with every skill shown (?all=1), in-process through
Django's test client, each step timed and its queries counted (and the size of its
response: the form's HTML in bytes). Prints JSON.

main(path): import the framework at `path` first (once), or use the database's own.
The person is "bench-assessor" (no role, no manager), made here; their assessments are
deleted first (their current levels go with them), so that every run starts from the
same state.

Submitting is measured SUBMITS times: each round saves every answer again (a new
draft, prefilled from the last submitted one, every level changed) and submits it, so
that each submit's projection update replaces every one of the person's current levels.
The statements on the projection are timed on their own as well (a wrapper around the
database calls), to show what the update costs of the submit.
"""

import json
import statistics
import time
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assessments.models import Assessment, CurrentLevel
from people.models import Person
from skills.models import Skill
from skills.openformat import parse
from skills.services import framework_import


def measure(call, times=1):
    samples, queries, size = [], 0, 0
    for n in range(times):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = call(n)
            samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 302), (response.status_code, response.content[:500])
        queries, size = len(captured), len(response.content)
    return {"ms": statistics.median(samples), "queries": queries, "bytes": size}


SUBMITS = 7


class Projection:
    """A database call wrapper: the number and wall ms of the statements on the
    projection's table."""

    def __init__(self):
        self.statements, self.ms = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        if CurrentLevel._meta.db_table not in sql:
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms += (time.perf_counter() - started) * 1000
            self.statements += 1


def main(path):
    if path and not Skill.objects.exists():
        framework_import(document=parse(Path(path).read_bytes()))
    person = Person.objects.filter(username="bench-assessor").first()
    if person is None:
        person = Person.objects.create_user("bench-assessor", password="demo", name="Bench")
    Assessment.objects.filter(person=person).delete()
    skills = list(Skill.objects.active().values_list("key", flat=True))
    client = Client(headers={"X-Forwarded-Proto": "https"})
    client.force_login(person)
    found = {"skills": len(skills)}
    steps = {}
    steps["render the form"] = measure(lambda n: client.get("/assess/?all=1"), 5)
    steps["autosave one answer (htmx)"] = measure(
        lambda n: client.post(
            "/assess/save/",
            {"skill": skills[n], f"level-{skills[n]}": "2", "all": "1"},
            headers={"HX-Request": "true"},
        ),
        3,
    )
    everything = {"all": "1"}
    for key in skills:
        everything[f"level-{key}"] = "3"
        everything[f"evidence-{key}"] = "Shipped the thing; wrote it up."
    steps["save every answer (plain form)"] = measure(
        lambda n: client.post("/assess/save/", everything)
    )
    rounds = []
    for n in range(SUBMITS):
        if n:  # a new draft, prefilled from the last submitted one, every level changed
            level = "2" if n % 2 else "3"
            response = client.post(
                "/assess/save/", {**everything, **{f"level-{key}": level for key in skills}}
            )
            assert response.status_code in (200, 302), response.status_code
        projection = Projection()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(projection):
            started = time.perf_counter()
            response = client.post("/assess/submit/")
            ms = (time.perf_counter() - started) * 1000
        assert response.status_code in (200, 302), (response.status_code, response.content[:500])
        rounds.append((ms, len(captured), projection.ms, projection.statements))
    assert Assessment.objects.filter(person=person, status="submitted").count() == SUBMITS
    # The projection followed: every skill at the last round's level.
    levels = set(CurrentLevel.objects.filter(person=person).values_list("self_level", flat=True))
    assert CurrentLevel.objects.filter(person=person).count() == len(skills), "projection rows"
    assert levels == {3 if (SUBMITS - 1) % 2 == 0 else 2}, levels
    queries = {r[1] for r in rounds}
    statements = {r[3] for r in rounds}
    assert len(queries) == 1, f"submit's queries vary between rounds: {queries}"
    steps["submit"] = {
        "ms": statistics.median(r[0] for r in rounds),
        "queries": queries.pop(),
        "times": SUBMITS,
        "projection_ms": statistics.median(r[2] for r in rounds),
        "projection_statements": statements.pop(),
    }
    print(json.dumps({step: {**value, **found} for step, value in steps.items()}))
