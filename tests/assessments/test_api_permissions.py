"""The permission matrix of the API contract: every endpoint and method, for each persona.

Personas (tests/conftest.py): erin (engineer, reports to max), max (her manager), mona
(manager of managers, above max and mia), eli (engineer under mia: outside max's team),
hana (HR admin), and anon (no credentials).

The rules the table spells out (product.md, "Rules that hold everywhere" and the API
contract): anonymous requests get 401 except /api/schema/ and /api/docs/; anything a user
may not see answers 404; a write a user may not make answers 403 if they can see the
object; HR alone writes the framework and sets role and manager; the person or HR sets
target_role; drafts are visible to their author only; a self-assessment is written only
by the person, a manager assessment only by one of the person's managers; a request body
naming a person the caller cannot see is a 400, as for an id that does not exist.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from assessments.models import Assessment
from assessments.services import assessment_start
from people.models import Person

pytestmark = pytest.mark.django_db

PERSONAS = ("erin", "max", "mona", "eli", "hana", "anon")

# Request bodies by name; the name shows in the test id. A string that is exactly a
# placeholder ("{mia}") becomes that value (an id), as in the paths.
BODIES: dict[str, Any] = {
    "login": {"username": "erin", "password": "demo"},
    "new_skill": {"slug": "negotiation", "name": "Negotiation", "category": "communication"},
    "rename": {"name": "Designing systems"},
    "new_role": {"slug": "tech-lead", "name": "Tech Lead", "track": "ic", "level": 2},
    "summary": {"summary": "Leads technical work across teams."},
    "target_role": {"target_role": "engineering-manager"},
    "role": {"role": "staff-engineer"},
    "manager=mia": {"manager": "{mia}"},
    "self_of_erin": {
        "person": "{erin}",
        "kind": "self",
        "ratings": [{"skill": "system-design", "level": 3}],
    },
    "manager_of_erin": {
        "person": "{erin}",
        "kind": "manager",
        "ratings": [{"skill": "system-design", "level": 3}],
    },
    "rating": {"ratings": [{"skill": "mentoring", "level": 4}]},
    "framework": {
        "format": "careermap/1",
        "skills": [{"key": "negotiation", "name": "Negotiation", "category": "communication"}],
    },
}

# Placeholders: {erin} {max} {mia} {eli} {hana}: people's ids; {skill}: system-design;
# {role}: staff-engineer; {erin_self} {erin_by_max} {eli_self}: submitted assessments
# (the `assessed` fixture); {max_draft}: a manager assessment of erin that max opened and
# has not submitted (made only for the rows that name it: it would turn max's POST of a
# manager assessment of erin into a 409).
#
# Every cell runs in its own savepoint, so one persona's write never shows in the next.
# fmt: off
MATRIX: list[tuple[str, str, str | None, int, int, int, int, int, int]] = [
    # method   path (under /api)                   body               erin max  mona eli  hana anon
    ("GET",    "/schema/",                         None,              200, 200, 200, 200, 200, 200),
    ("GET",    "/docs/",                           None,              200, 200, 200, 200, 200, 200),
    ("POST",   "/auth/token/",                     "login",           200, 200, 200, 200, 200, 200),
    ("GET",    "/me/",                             None,              200, 200, 200, 200, 200, 401),
    ("GET",    "/categories/",                     None,              200, 200, 200, 200, 200, 401),
    # The framework: anyone reads, HR alone writes.
    ("GET",    "/skills/",                         None,              200, 200, 200, 200, 200, 401),
    ("POST",   "/skills/",                         "new_skill",       403, 403, 403, 403, 201, 401),
    ("GET",    "/skills/{skill}/",                 None,              200, 200, 200, 200, 200, 401),
    ("PATCH",  "/skills/{skill}/",                 "rename",          403, 403, 403, 403, 200, 401),
    ("DELETE", "/skills/{skill}/",                 None,              403, 403, 403, 403, 204, 401),
    ("GET",    "/roles/",                          None,              200, 200, 200, 200, 200, 401),
    ("POST",   "/roles/",                          "new_role",        403, 403, 403, 403, 201, 401),
    ("GET",    "/roles/{role}/",                   None,              200, 200, 200, 200, 200, 401),
    ("PATCH",  "/roles/{role}/",                   "summary",         403, 403, 403, 403, 200, 401),
    ("DELETE", "/roles/{role}/",                   None,              403, 403, 403, 403, 204, 401),
    ("GET",    "/roles/{role}/history/",           None,              403, 403, 403, 403, 200, 401),
    ("GET",    "/framework/",                      None,              200, 200, 200, 200, 200, 401),
    ("POST",   "/framework/?dry_run=1",            "framework",       403, 403, 403, 403, 200, 401),
    # People: self, everyone below, everyone for HR; anyone else 404.
    ("GET",    "/people/",                         None,              200, 200, 200, 200, 200, 401),
    ("GET",    "/people/{erin}/",                  None,              200, 200, 200, 404, 200, 401),
    ("GET",    "/people/{eli}/",                   None,              404, 404, 200, 200, 200, 401),
    ("GET",    "/people/{max}/",                   None,              404, 200, 200, 404, 200, 401),
    ("GET",    "/people/{hana}/",                  None,              404, 404, 404, 404, 200, 401),
    # The person or HR sets target_role; HR alone sets role and manager. mia is visible
    # to mona and hana only: for erin and max, {mia} is as good as a nonexistent id.
    ("PATCH",  "/people/{erin}/",                  "target_role",     200, 403, 403, 404, 200, 401),
    ("PATCH",  "/people/{eli}/",                   "target_role",     404, 404, 403, 200, 200, 401),
    ("PATCH",  "/people/{erin}/",                  "role",            403, 403, 403, 404, 200, 401),
    ("PATCH",  "/people/{erin}/",                  "manager=mia",     400, 400, 403, 404, 200, 401),
    ("GET",    "/people/{erin}/gaps/",             None,              200, 200, 200, 404, 200, 401),
    ("GET",    "/people/{erin}/paths/",            None,              200, 200, 200, 404, 200, 401),
    # team: that person and above.
    ("GET",    "/people/{erin}/team/",             None,              200, 200, 200, 404, 200, 401),
    ("GET",    "/people/{max}/team/?depth=all",    None,              404, 200, 200, 404, 200, 401),
    # Assessments: submitted ones of the people one sees; drafts to their author only.
    ("GET",    "/assessments/",                    None,              200, 200, 200, 200, 200, 401),
    ("POST",   "/assessments/",                    "self_of_erin",    201, 403, 403, 400, 403, 401),
    ("POST",   "/assessments/",                    "manager_of_erin", 403, 201, 201, 400, 403, 401),
    ("GET",    "/assessments/{erin_self}/",        None,              200, 200, 200, 404, 200, 401),
    ("GET",    "/assessments/{erin_by_max}/",      None,              200, 200, 200, 404, 200, 401),
    ("GET",    "/assessments/{eli_self}/",         None,              404, 404, 200, 200, 200, 401),
    ("PATCH",  "/assessments/{erin_self}/",        "rating",          409, 403, 403, 404, 403, 401),
    ("POST",   "/assessments/{erin_self}/submit/", None,              409, 403, 403, 404, 403, 401),
    ("GET",    "/assessments/{max_draft}/",        None,              404, 200, 404, 404, 404, 401),
    ("PATCH",  "/assessments/{max_draft}/",        "rating",          404, 200, 404, 404, 404, 401),
    ("POST",   "/assessments/{max_draft}/submit/", None,              404, 200, 404, 404, 404, 401),
    # Reports: HR and managers; someone with no reports gets 403.
    ("GET",    "/reports/skills/",                 None,              403, 200, 200, 403, 200, 401),
    ("GET",    "/reports/calibration/",            None,              403, 200, 200, 403, 200, 401),
    ("GET",    "/reports/divergent/",              None,              403, 200, 200, 403, 200, 401),
]
# fmt: on


def _row_id(row: tuple[Any, ...]) -> str:
    method, path, body = row[:3]
    return f"{method} /api{path}" + (f" {body}" if body else "")


def _placeholders(
    org: dict[str, Person], assessed: dict[str, Assessment], *, draft: bool
) -> dict[str, Any]:
    values: dict[str, Any] = {name: person.pk for name, person in org.items()}
    values |= {name: assessment.pk for name, assessment in assessed.items()}
    values |= {"skill": "system-design", "role": "staff-engineer"}
    if draft:
        values["max_draft"] = assessment_start(
            by=org["max"],
            person=org["erin"],
            kind="manager",
            ratings=[{"skill": "system-design", "level": 3, "evidence": "design review"}],
        ).pk
    return values


def _fill(body: Any, values: dict[str, Any]) -> Any:
    if isinstance(body, dict):
        return {key: _fill(value, values) for key, value in body.items()}
    if isinstance(body, list):
        return [_fill(item, values) for item in body]
    if isinstance(body, str) and (match := re.fullmatch(r"\{(\w+)\}", body)):
        return values[match[1]]
    return body


@pytest.mark.parametrize("row", MATRIX, ids=[_row_id(row) for row in MATRIX])
def test_each_persona_gets_the_status_of_the_contract(row, as_, org, assessed):
    method, template, body_name, *codes = row
    values = _placeholders(org, assessed, draft="{max_draft}" in template)
    path = "/api" + template.format(**values)
    body = _fill(BODIES[body_name], values) if body_name else None
    clients = {name: as_(name) for name in PERSONAS if name != "anon"} | {"anon": APIClient()}

    actual = {}
    for persona, client in clients.items():
        with transaction.atomic():
            response = getattr(client, method.lower())(path, body, format="json")
            transaction.set_rollback(True)
        actual[persona] = response.status_code

    expected = dict(zip(PERSONAS, codes, strict=True))
    assert actual == expected, f"\n  expected {expected}\n  actual   {actual}"


# --- What a denial says --------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "/api/people/{erin}/",
        "/api/people/{erin}/gaps/",
        "/api/people/{erin}/paths/",
        "/api/people/{erin}/team/",
        "/api/assessments/{erin_self}/",
    ],
)
def test_a_404_reads_as_for_an_id_that_does_not_exist(as_, org, assessed, template):
    values = _placeholders(org, assessed, draft=False)
    hidden = as_("eli").get(template.format(**values))
    missing = as_("eli").get(template.format(**dict.fromkeys(values, 987654)))

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert "erin" not in hidden.content.decode().lower()


@pytest.mark.parametrize("persona", ["eli", "mona", "hana"])
@pytest.mark.parametrize("detail", ["", "gaps/", "paths/", "team/", "gaps/?role=staff-engineer"])
def test_an_id_past_any_integer_column_is_a_plain_404(as_, org, framework, persona, detail):
    # The lookup of one person walks up the chain above them in SQL: an id past 64 bits
    # must not reach the database (SQLite would overflow) but read as any missing id.
    response = as_(persona).get(f"/api/people/{2**70}/{detail}")
    assert response.status_code == 404, response.content


@pytest.mark.parametrize(
    ("persona", "method", "template", "body_name", "field"),
    [
        ("eli", "post", "/api/assessments/", "self_of_erin", "person"),
        ("max", "patch", "/api/people/{erin}/", "manager=mia", "manager"),
    ],
)
def test_a_body_naming_a_person_out_of_sight_is_a_400_as_for_a_nonexistent_id(
    as_, org, assessed, persona, method, template, body_name, field
):
    values = _placeholders(org, assessed, draft=False)
    path = template.format(**values)
    body = _fill(BODIES[body_name], values)
    nonexistent = 987654
    send = getattr(as_(persona), method)

    hidden = send(path, body, format="json")
    missing = send(path, body | {field: nonexistent}, format="json")

    assert hidden.status_code == missing.status_code == 400
    assert field in hidden.json()
    # The same answer but for the id itself: nothing tells that this person exists.
    assert json.dumps(hidden.json()) == json.dumps(missing.json()).replace(
        str(nonexistent), str(body[field])
    )


@pytest.mark.parametrize("persona", ["max", "mona", "hana"])
def test_a_self_assessment_by_anyone_else_is_refused_on_the_person_field(as_, org, persona):
    body = {"person": org["erin"].pk, "kind": "self", "ratings": []}

    response = as_(persona).post("/api/assessments/", body, format="json")

    assert response.status_code == 403
    assert "person" in response.json()
    assert not Assessment.objects.filter(person=org["erin"], author=org[persona], kind="self")


def test_a_draft_is_listed_for_its_author_alone(as_, org, assessed):
    draft = _placeholders(org, assessed, draft=True)["max_draft"]

    listed = {}
    for persona in ("erin", "max", "mona", "eli", "hana"):
        page = as_(persona).get("/api/assessments/?page_size=500").json()
        listed[persona] = draft in {assessment["id"] for assessment in page["results"]}

    assert listed == {"erin": False, "max": True, "mona": False, "eli": False, "hana": False}
