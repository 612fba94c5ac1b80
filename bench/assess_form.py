"""(e) of the benchmark, run inside `manage.py shell -c` by bench/bench.py: the
self-assessment form of a person with every skill shown (?all=1), in-process through
Django's test client, each step timed and its queries counted. Prints JSON.

main(path): import the framework at `path` first (once), or use the database's own.
The person is "bench-assessor" (no role, no manager), made here; their assessments are
deleted first, so that every run starts from the same state.
"""

import json
import statistics
import time
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assessments.models import Assessment
from people.models import Person
from skills.models import Skill
from skills.openformat import parse
from skills.services import framework_import


def measure(call, times=1):
    samples, queries = [], 0
    for n in range(times):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = call(n)
            samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 302), (response.status_code, response.content[:500])
        queries = len(captured)
    return {"ms": statistics.median(samples), "queries": queries}


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
    steps["render the form"] = measure(lambda n: client.get("/assess/?all=1"), 3)
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
    steps["submit"] = measure(lambda n: client.post("/assess/submit/"))
    assert Assessment.objects.filter(person=person, status="submitted").count() == 1
    print(json.dumps({step: {**value, **found} for step, value in steps.items()}))
