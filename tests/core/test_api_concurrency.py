"""Two clients editing the same thing never silently lose an update: ETag on reads,
If-Match on writes, 409 for the one that did not see the other's change."""

from __future__ import annotations

import threading

import pytest
import requests
from django.db import connection
from rest_framework.authtoken.models import Token

from assessments.models import Rating
from skills.models import Expectation
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def draft_of(api, person) -> dict:
    created = api.post(
        "/api/assessments/",
        {"person": person.pk, "kind": "self", "ratings": [{"skill": "mentoring", "level": 1}]},
        format="json",
    )
    assert created.status_code == 201
    return created.json()


def test_a_draft_carries_its_version_as_etag(as_, erin):
    api = as_("erin")
    draft = draft_of(api, erin)

    read = api.get(f"/api/assessments/{draft['id']}/")

    assert read["ETag"] == f'"{draft["version"]}"'
    patched = api.patch(
        f"/api/assessments/{draft['id']}/",
        {"ratings": [{"skill": "hiring", "level": 2}]},
        format="json",
        headers={"If-Match": read["ETag"]},
    )
    assert patched.status_code == 200
    assert patched.json()["version"] == draft["version"] + 1
    assert patched["ETag"] == f'"{draft["version"] + 1}"'


def test_the_second_writer_with_a_stale_etag_gets_409_and_writes_nothing(as_, erin):
    first, second = as_("erin"), as_("erin")  # two clients of the same author
    draft = draft_of(first, erin)
    etag = first.get(f"/api/assessments/{draft['id']}/")["ETag"]
    url = f"/api/assessments/{draft['id']}/"

    won = first.patch(
        url,
        {"ratings": [{"skill": "mentoring", "level": 3}]},
        format="json",
        headers={"If-Match": etag},
    )
    lost = second.patch(
        url,
        {"ratings": [{"skill": "mentoring", "level": 2}]},
        format="json",
        headers={"If-Match": etag},
    )

    assert won.status_code == 200
    assert lost.status_code == 409
    assert "changed elsewhere" in lost.json()["detail"]
    assert Rating.objects.get(assessment_id=draft["id"], skill__key="mentoring").level == 3


def test_a_write_without_if_match_still_merges(as_, erin):
    api = as_("erin")
    draft = draft_of(api, erin)

    patched = api.patch(
        f"/api/assessments/{draft['id']}/",
        {"ratings": [{"skill": "hiring", "level": 2}]},
        format="json",
    )

    assert patched.status_code == 200


def test_an_etag_that_is_no_version_never_matches(as_, erin):
    api = as_("erin")
    draft = draft_of(api, erin)

    patched = api.patch(
        f"/api/assessments/{draft['id']}/",
        {"ratings": [{"skill": "hiring", "level": 2}]},
        format="json",
        headers={"If-Match": '"not-a-version"'},
    )

    assert patched.status_code == 409


def test_two_hr_admins_editing_one_role_the_later_one_gets_409(as_, org):
    org["hugo"] = PersonFactory(username="hugo", is_hr=True)
    hana, hugo = as_("hana"), as_("hugo")
    read = hana.get("/api/roles/staff-engineer/")
    etag = read["ETag"]
    assert hugo.get("/api/roles/staff-engineer/")["ETag"] == etag
    expectations = read.json()["expectations"]

    def with_level(level: int) -> list[dict]:
        return [{**e, "level": level} if e["skill"] == "system-design" else e for e in expectations]

    won = hana.patch(
        "/api/roles/staff-engineer/",
        {"expectations": with_level(5)},
        format="json",
        headers={"If-Match": etag},
    )
    lost = hugo.patch(
        "/api/roles/staff-engineer/",
        {"expectations": with_level(3)},
        format="json",
        headers={"If-Match": etag},
    )

    assert won.status_code == 200
    assert won["ETag"] != etag
    assert lost.status_code == 409
    level = Expectation.objects.get(role__key="staff-engineer", skill__key="system-design").level
    assert level == 5
    # With the new ETag, the second admin's write goes through.
    retried = hugo.patch(
        "/api/roles/staff-engineer/",
        {"expectations": with_level(3)},
        format="json",
        headers={"If-Match": won["ETag"]},
    )
    assert retried.status_code == 200


def test_retiring_a_skill_with_a_stale_etag_is_refused(as_, org):
    api = as_("hana")
    etag = api.get("/api/skills/mentoring/")["ETag"]
    assert api.patch("/api/skills/mentoring/", {"name": "Mentoring others"}, format="json")

    retired = api.delete("/api/skills/mentoring/", headers={"If-Match": etag})

    assert retired.status_code == 409


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_concurrent_clients_on_a_live_server_one_wins_one_gets_409(live_server, org):
    """Two real HTTP clients, released at the same instant with the same ETag."""
    erin = org["erin"]
    token = Token.objects.create(user=erin).key
    session = requests.Session()
    session.headers.update({"Authorization": f"Token {token}", "X-Forwarded-Proto": "https"})
    base = f"{live_server.url}/api/assessments/"
    created = session.post(
        base, json={"person": erin.pk, "kind": "self", "ratings": [{"skill": "hiring", "level": 1}]}
    )
    assert created.status_code == 201, created.text
    url = f"{base}{created.json()['id']}/"
    etag = session.get(url).headers["ETag"]
    start = threading.Barrier(2)
    statuses: dict[int, int] = {}

    def write(level: int) -> None:
        client = requests.Session()
        client.headers.update(session.headers)
        start.wait()
        reply = client.patch(
            url, json={"ratings": [{"skill": "hiring", "level": level}]}, headers={"If-Match": etag}
        )
        statuses[level] = reply.status_code

    threads = [threading.Thread(target=write, args=(level,)) for level in (2, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses.values()) == [200, 409]
    winner = next(level for level, code in statuses.items() if code == 200)
    assert Rating.objects.get(assessment__person=erin, skill__key="hiring").level == winner


def test_submitting_with_a_stale_etag_is_refused(as_, erin):
    api = as_("erin")
    draft = draft_of(api, erin)
    url = f"/api/assessments/{draft['id']}/"
    etag = api.get(url)["ETag"]
    api.patch(url, {"ratings": [{"skill": "hiring", "level": 2}]}, format="json")

    stale = api.post(f"{url}submit/", headers={"If-Match": etag})
    fresh = api.post(f"{url}submit/", headers={"If-Match": api.get(url)["ETag"]})

    assert stale.status_code == 409
    assert fresh.status_code == 200
