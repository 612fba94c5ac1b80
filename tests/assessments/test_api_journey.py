"""One journey through the API alone, with real tokens and a real framework file:
HR imports the Financial Times framework and sets a person's role; the engineer
self-assesses and submits; the manager assesses and submits; the gaps and readiness
come out as the arithmetic of product.md says."""

from __future__ import annotations

import pytest
from django.test import Client

from skills.library import template
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


class Api:
    """JSON over HTTP with a token, the way any client would talk to careermap."""

    def __init__(self, username: str) -> None:
        self.http = Client()
        response = self.http.post(
            "/api/auth/token/",
            {"username": username, "password": "demo"},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        self.headers = {"Authorization": f"Token {response.json()['token']}"}

    def get(self, url: str) -> dict:
        response = self.http.get(url, headers=self.headers)
        assert response.status_code == 200, response.content
        return response.json()

    def send(self, method: str, url: str, body, status: int = 200, **kwargs) -> dict:
        kwargs.setdefault("content_type", "application/json")
        response = getattr(self.http, method)(url, body, headers=self.headers, **kwargs)
        assert response.status_code == status, response.content
        return response.json()


def test_from_framework_import_to_gaps_through_the_api():
    hana = PersonFactory(username="hana", is_hr=True)
    max_ = PersonFactory(username="max")
    erin = PersonFactory(username="erin", manager=max_)
    hr, engineer, manager = Api("hana"), Api("erin"), Api("max")

    # HR previews, then imports the framework file as it is published.
    document = template("ft-engineering").path.read_text()
    preview = hr.send(
        "post", "/api/framework/?dry_run=1", document, content_type="application/yaml"
    )
    assert len(preview["created"]["roles"]) == 8
    hr.send("post", "/api/framework/", document, content_type="application/yaml")
    senior = hr.get("/api/roles/senior-1/")
    expected = {e["skill"]: e["level"] for e in senior["expectations"]}
    assert len(expected) == 9

    # HR gives erin her role; she aims at the next one herself.
    hr.send("patch", f"/api/people/{erin.pk}/", {"role": "engineer"})
    engineer.send("patch", f"/api/people/{erin.pk}/", {"target_role": "senior-1"})
    me = engineer.get("/api/me/")
    assert (me["role"], me["target_role"]) == ("engineer", "senior-1")

    # erin rates every skill at what senior-1 expects, but two below in problem solving
    # (expected at 3: she says 1, the lowest level of FT's 1-5 scale).
    own = dict(expected)
    own["problem-solving-decision-making"] = expected["problem-solving-decision-making"] - 2
    draft = engineer.send(
        "post",
        "/api/assessments/",
        {"person": erin.pk, "kind": "self", "ratings": [{"skill": "technical", "level": 1}]},
        status=201,
    )
    engineer.send(
        "patch",
        f"/api/assessments/{draft['id']}/",
        {"ratings": [{"skill": s, "level": v, "evidence": "Done."} for s, v in own.items()]},
    )
    engineer.send("post", f"/api/assessments/{draft['id']}/submit/", None)

    # max agrees, except he sees her technical skill one level lower than she does.
    theirs = manager.send(
        "post",
        "/api/assessments/",
        {
            "person": erin.pk,
            "kind": "manager",
            "ratings": [{"skill": "technical", "level": expected["technical"] - 1}],
        },
        status=201,
    )
    manager.send("post", f"/api/assessments/{theirs['id']}/submit/", None)

    gaps = engineer.get(f"/api/people/{erin.pk}/gaps/")
    rows = {row["skill"]: row for row in gaps["skills"]}
    assert gaps["role"] == "senior-1"
    # Manager's level wins where there is one; else her own.
    assert rows["technical"]["current"] == expected["technical"] - 1
    assert rows["technical"]["gap"] == 1
    assert rows["problem-solving-decision-making"]["current"] == 1
    assert rows["problem-solving-decision-making"]["gap"] == 2
    rest = {"technical", "problem-solving-decision-making"}
    assert all(row["gap"] == 0 for key, row in rows.items() if key not in rest)
    assert gaps["readiness"] == pytest.approx(7 / 9)
    assert [row["skill"] for row in gaps["skills"]][:2] == [
        "problem-solving-decision-making",
        "technical",
    ]

    # max sees the same numbers on his team; HR sees them in the company report.
    team = manager.get(f"/api/people/{max_.pk}/team/")
    assert team["members"][0]["readiness"] == pytest.approx(7 / 9)
    assert team["members"][0]["gaps"]["problem-solving-decision-making"] == 2
    report = {r["skill"]: r for r in hr.get("/api/reports/skills/?page_size=500")["results"]}
    assert report["problem-solving-decision-making"]["below"] == 1
    assert report["communication"]["meeting"] == 1
    assert hana.is_hr
