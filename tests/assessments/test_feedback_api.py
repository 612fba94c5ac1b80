"""The feedback API, as each persona (docs/api.md "Feedback"): asking, answering,
declining, the aggregate with its threshold, 404 for outsiders, and that no response
to anyone pairs a respondent with what they answered."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from assessments.feedback import site_today
from assessments.models import FeedbackRequest
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

URL = "/api/feedback-requests/"


def due(days: int = 7) -> str:
    return (site_today() + timedelta(days=days)).isoformat()


@pytest.fixture
def peers(org):
    return [PersonFactory(username=f"peer{n}", manager=org["mia"]) for n in range(4)]


def client_of(person) -> APIClient:
    api = APIClient()
    api.force_authenticate(person)
    return api


def make(as_, by="erin", person=None, respondents=(), skills=("system-design",)):
    body = {
        "skills": list(skills),
        "respondents": list(respondents),
        "message": "Please.",
        "due": due(),
    }
    if person is not None:
        body["person"] = person
    return as_(by).post(URL, body, format="json")


def test_erin_asks_for_herself_by_default(as_, org, peers):
    response = make(as_, respondents=[p.pk for p in peers[:3]])
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["person"] == org["erin"].pk
    assert data["requester"] == org["erin"].pk
    assert data["skills"] == ["system-design"]
    assert data["respondents"] == sorted(p.pk for p in peers[:3])
    assert data["counts"] == {"asked": 3, "answered": 0, "declined": 0, "open": 3}
    assert data["mine"] is None
    assert data["open"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"skills": []}, "skills"),
        ({"skills": [f"s{n}" for n in range(9)]}, "skills"),
        ({"respondents": []}, "respondents"),
        ({"respondents": ["3"]}, "respondents"),
        ({"due": "2000-01-01"}, "due"),
        ({"message": 0}, "message"),
        ({"message": ""}, "message"),
        ({"person": "5"}, "person"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(as_, org, peers, body, field):
    full = {
        "skills": ["system-design"],
        "respondents": [peers[0].pk],
        "message": "Hi",
        "due": due(),
    }
    response = as_("erin").post(URL, {**full, **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not FeedbackRequest.objects.exists()


def test_asking_about_oneself_is_refused_and_outsiders_cannot_ask(as_, org, peers):
    response = make(as_, respondents=[org["erin"].pk])
    assert response.status_code == 400
    assert "respondents" in response.json()
    # eli cannot see erin: as a nonexistent id. hana sees her but does not manage her.
    assert make(as_, "eli", person=org["erin"].pk, respondents=[peers[0].pk]).status_code == 400
    assert make(as_, "hana", person=org["erin"].pk, respondents=[peers[0].pk]).status_code == 403
    assert make(as_, "max", person=org["erin"].pk, respondents=[peers[0].pk]).status_code == 201


def _answer(person, pk, level, example="Seen at the design review.", skill="system-design"):
    return client_of(person).post(
        f"{URL}{pk}/answer/",
        {"answers": [{"skill": skill, "level": level, "example": example}]},
        format="json",
    )


def test_answering_declining_and_freezing(as_, org, peers):
    pk = make(as_, respondents=[p.pk for p in peers[:2]]).json()["id"]
    bad = _answer(peers[0], pk, 3, example="")
    assert bad.status_code == 400
    assert "example" in json.dumps(bad.json())
    assert _answer(peers[0], pk, "3").status_code == 400
    done = _answer(peers[0], pk, 3)
    assert done.status_code == 200
    mine = done.json()["mine"]
    assert mine == {
        "status": "answered",
        "answers": [
            {"skill": "system-design", "level": 3, "example": "Seen at the design review."}
        ],
    }
    assert done.json()["respondents"] is None
    assert done.json()["counts"] is None
    assert _answer(peers[1], pk, None, example="").status_code == 200
    declined = client_of(peers[1]).post(f"{URL}{pk}/decline/")
    assert declined.json()["mine"] == {"status": "declined", "answers": []}
    # erin sees the request but was not asked; eli cannot see it at all.
    assert as_("erin").post(f"{URL}{pk}/decline/").status_code == 403
    assert as_("eli").post(f"{URL}{pk}/decline/").status_code == 404
    FeedbackRequest.objects.filter(pk=pk).update(due=site_today() - timedelta(days=1))
    frozen = _answer(peers[0], pk, 4)
    assert frozen.status_code == 409
    assert "frozen" in frozen.json()["detail"]
    assert client_of(peers[1]).post(f"{URL}{pk}/decline/").status_code == 409


def test_lists_by_role_and_outsiders_get_404(as_, org, peers):
    pk = make(as_, respondents=[peers[0].pk]).json()["id"]
    assert [r["id"] for r in client_of(peers[0]).get(f"{URL}?role=asked").json()["results"]] == [pk]
    assert client_of(peers[0]).get(f"{URL}?role=made").json()["results"] == []
    for who in ("erin", "max", "mona", "hana"):
        assert [r["id"] for r in as_(who).get(f"{URL}?role=made").json()["results"]] == [pk], who
        assert as_(who).get(f"{URL}{pk}/").status_code == 200
    for who in ("eli", "mia", "sam"):
        assert as_(who).get(URL).json()["results"] == []
        assert as_(who).get(f"{URL}{pk}/").status_code == 404
        assert as_(who).get(f"/api/people/{org['erin'].pk}/feedback/").status_code == 404
    assert as_("erin").get(f"{URL}?role=nope").status_code == 400
    assert as_("erin").get(f"{URL}99999/").status_code == 404


def test_the_aggregate_shows_from_three_answers(as_, org, peers):
    pk = make(as_, respondents=[p.pk for p in peers]).json()["id"]
    url = f"/api/people/{org['erin'].pk}/feedback/"
    _answer(peers[0], pk, 2, "B example")
    _answer(peers[1], pk, 4, "A example")
    two = as_("max").get(url).json()
    assert two == {
        "person": org["erin"].pk,
        "min_answers": 3,
        "skills": [
            {
                "skill": "system-design",
                "answers": 2,
                "enough": False,
                "median": None,
                "min": None,
                "max": None,
                "examples": [],
            }
        ],
    }
    _answer(peers[2], pk, 3, "C example")
    three = as_("hana").get(url).json()["skills"][0]
    assert three == {
        "skill": "system-design",
        "answers": 3,
        "enough": True,
        "median": 3.0,
        "min": 2,
        "max": 4,
        "examples": ["A example", "B example", "C example"],
    }


def _everything(as_, org, peers, pk) -> dict[str, str]:
    """Every response each persona can get about erin's feedback."""
    seen = {}
    for who in ("erin", "max", "mona", "hana"):
        api = as_(who)
        seen[who] = json.dumps(
            [
                api.get(URL).json(),
                api.get(f"{URL}?role=made").json(),
                api.get(f"{URL}{pk}/").json(),
                api.get(f"/api/people/{org['erin'].pk}/feedback/").json(),
            ],
            sort_keys=True,
        )
    for peer in peers[:3]:
        api = client_of(peer)
        seen[peer.username] = json.dumps(
            [api.get(URL).json(), api.get(f"{URL}{pk}/").json()], sort_keys=True
        )
    return seen


def _without_ids(text: str):
    """A response with the request's id and creation time taken out (they differ between
    two requests, whoever answered)."""

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("id", "created_at")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(json.loads(text))


def test_no_persona_can_tell_who_answered_what(as_, org, peers):
    """Three people answer; then the same three answers are given by the same people in
    another pairing. Every persona but the respondents themselves gets byte-identical
    responses either way, and no respondent's response holds another's answer."""
    answers = [(2, "Zeta example"), (3, "alpha example"), (5, "Mid example")]
    views = []
    for pairing in ((0, 1, 2), (2, 0, 1)):
        FeedbackRequest.objects.all().delete()
        pk = make(as_, respondents=[p.pk for p in peers[:3]]).json()["id"]
        for peer, index in zip(peers[:3], pairing, strict=True):
            level, example = answers[index]
            _answer(peer, pk, level, example)
        views.append((pk, _everything(as_, org, peers, pk)))
    (_, first), (_, second) = views
    for who in ("erin", "max", "mona", "hana"):
        assert _without_ids(first[who]) == _without_ids(second[who]), who
        for peer in peers[:3]:
            assert str(peer.pk) not in json.dumps(json.loads(first[who])[3])
    for peer in peers[:3]:
        mine = json.loads(first[peer.username])
        others = [e for _, e in answers if e not in json.dumps(mine[1]["mine"])]
        assert len(others) == 2
        assert not any(e in first[peer.username] for e in others), peer.username


def test_lists_and_the_aggregate_cost_a_fixed_number_of_queries(
    org, peers, django_assert_num_queries
):
    erin = org["erin"]
    crowd = [PersonFactory(username=f"crowd{n}") for n in range(15)]
    api = client_of(erin)
    pk = make(lambda _: api, respondents=[p.pk for p in crowd[:3]]).json()["id"]
    for p in crowd[:3]:
        _answer(p, pk, 3)
    # list: count, the page, its skills, the caller's own responses (none: no answers
    # query), whom each was asked of
    with django_assert_num_queries(5):
        api.get(URL)
    # the aggregate: the person, the skills asked about, the answers
    with django_assert_num_queries(3):
        api.get(f"/api/people/{erin.pk}/feedback/")
    pk = make(lambda _: api, respondents=[p.pk for p in crowd]).json()["id"]
    for p in crowd:
        _answer(p, pk, 4)
    with django_assert_num_queries(5):
        assert len(api.get(URL).json()["results"]) == 2
    with django_assert_num_queries(3):
        assert api.get(f"/api/people/{erin.pk}/feedback/").json()["skills"][0]["answers"] == 15


def test_options_describes_the_bodiless_decline(as_, org):
    # serializer_class=None made DRF's OPTIONS metadata raise: a 500.
    assert as_("erin").options("/api/feedback-requests/1/decline/").status_code == 200
