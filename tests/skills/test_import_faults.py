"""A framework import that fails half way writes nothing: not the rows it had already
saved, not their history. The failure is injected into the import's own steps, after
some writes, wherever the import is started (service, API)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import OperationalError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from skills import services
from skills.library import read
from skills.models import Category, Role, Skill
from skills.openformat import parse
from skills.services import framework_import
from tests.helpers import framework_snapshot


class Injected(Exception):
    """The failure the tests inject."""


def rows_everywhere() -> dict[str, int]:
    """Row counts of every table: the framework, its history, the audit, anything."""
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


def fail_on_call(
    monkeypatch, name: str, call: int, error: Exception | None = None
) -> dict[str, Any]:
    """Make `skills.services.<name>` raise on its `call`-th call, after the calls
    before it did their writes. Returns what had been written when it failed."""
    real: Callable[..., Any] = getattr(services, name)
    seen: dict[str, Any] = {"calls": 0}

    def failing(*args: Any, **kwargs: Any) -> Any:
        seen["calls"] += 1
        if seen["calls"] == call:
            seen["written"] = {
                "categories": Category.objects.count(),
                "skills": Skill.objects.count(),
                "roles": Role.objects.count(),
                "skill_history": Skill.history.count(),
            }
            raise error or Injected(f"{name} failed on call {call}")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, name, failing)
    return seen


def changed_default_framework() -> dict:
    """The default framework with one skill renamed, one added, one role's
    expectations changed and a new role: an import that creates and updates."""
    from django.conf import settings

    document = parse(settings.DEFAULT_FRAMEWORK_FILE.read_bytes())
    skills = document["skills"]
    skills[0]["name"] += " (renamed)"
    skills.append({**skills[1], "key": "fault-injection", "name": "Fault injection"})
    roles = document["roles"]
    roles[0]["expectations"] = {skills[0]["key"]: 1, "fault-injection": 2}
    roles.append({**roles[1], "key": "fault-tolerant-engineer", "name": "Fault-tolerant engineer"})
    return document


@pytest.mark.django_db(transaction=True)
def test_an_import_into_an_empty_database_that_fails_at_the_expectations_commits_nothing(
    monkeypatch,
):
    """Real commits (no test transaction around it): the scale, every category, skill
    and role were saved before the failure, and none of it stays."""
    before = rows_everywhere()
    document = parse(read("engineeringladders"))
    seen = fail_on_call(monkeypatch, "_set_expectations", call=3)

    with pytest.raises(Injected):
        framework_import(document=document)

    written = seen["written"]
    assert written["skills"] == len(document["skills"]), "the failure came after real writes"
    assert written["roles"] == len(document["roles"])
    assert rows_everywhere() == before
    assert Skill.history.count() == 0


def test_an_import_that_fails_among_the_skills_leaves_the_framework_and_its_history(
    framework, monkeypatch
):
    before, rows_before = framework_snapshot(), rows_everywhere()
    document = changed_default_framework()
    # Scale, six categories, then skills: the first skill (renamed) is saved by then.
    seen = fail_on_call(monkeypatch, "_save_if_changed", call=10)

    with pytest.raises(Injected):
        framework_import(document=document)

    assert seen["written"]["skill_history"] > rows_before["skills.HistoricalSkill"], (
        "the renamed skill was saved before the failure"
    )
    assert framework_snapshot() == before
    assert rows_everywhere() == rows_before
    assert not Skill.objects.filter(name__endswith="(renamed)").exists()


def test_an_import_that_fails_among_the_role_links_leaves_the_framework_and_its_history(
    framework, monkeypatch
):
    before, rows_before = framework_snapshot(), rows_everywhere()
    document = changed_default_framework()
    # Every skill and role saved, the first role's expectations replaced, then a failure.
    seen = fail_on_call(monkeypatch, "_set_next_roles", call=2)

    with pytest.raises(Injected):
        framework_import(document=document)

    assert seen["written"]["skills"] == len(document["skills"])
    assert framework_snapshot() == before
    assert rows_everywhere() == rows_before
    assert not Role.objects.filter(key="fault-tolerant-engineer").exists()


def test_an_api_import_that_loses_the_database_half_way_answers_503_and_writes_nothing(
    framework, org, monkeypatch
):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org['hana']).key}")
    before, rows_before = framework_snapshot(), rows_everywhere()
    fail_on_call(
        monkeypatch,
        "_set_expectations",
        call=2,
        error=OperationalError("server closed the connection unexpectedly"),
    )

    response = api.post("/api/framework/", changed_default_framework(), format="json", secure=True)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["detail"].startswith("The database is unavailable")
    assert framework_snapshot() == before
    assert rows_everywhere() == rows_before


# --- Hostile documents (issue 23) -------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        "scale:\n  min: 0\n  max: " + "9" * 5000 + "\n",  # past Python's int digits: a 500
        "scale:\n  min: 0\n  max: " + "9" * 4000 + "\n",  # a valid int, far past any level
        '{"skills": [' + '{"levels": ' * 950 + "1" + "}" * 950 + "]}",  # deep in a section
        "skills:\n- key: a\n  order: 1.0e400\n",  # inf
    ],
    ids=["5000-digit int", "4000-digit int", "JSON 950 deep in skills", "infinite float"],
)
def test_hostile_documents_are_refused_with_a_message_never_a_500(as_, hana, document):
    response = as_("hana").generic(
        "POST", "/api/framework/?dry_run=1", document, content_type="application/yaml"
    )

    assert response.status_code == 400, response.content[:300]
    assert response.json()  # a message, naming where when it can
