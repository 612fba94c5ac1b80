"""Input from others' pages: Asked of me, the answer form, asking, the aggregate page,
Home's line; 404 for outsiders; the emails through a real SMTP server and the real
task worker."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.feedback import feedback_answer, feedback_request_create, site_today
from assessments.models import FeedbackRequest
from tests.factories import PersonFactory
from tests.helpers import HTMX, Mailbox


def ask(by, person, respondents, skills=("system-design",)):
    return feedback_request_create(
        by=by,
        person=person,
        skills=list(skills),
        respondents=[r.pk for r in respondents],
        message="How do I come across in design reviews?",
        due=site_today() + timedelta(days=7),
    )


@pytest.fixture
def peers(org):
    return [
        PersonFactory(username=f"peer{n}", name=f"Peer {n}", manager=org["mia"]) for n in range(4)
    ]


def test_outsiders_get_404_on_every_page(client, org, peers):
    made = ask(org["erin"], org["erin"], peers[:1])
    erin = org["erin"].pk
    client.force_login(org["eli"])
    for url in (
        f"/feedback/{made.pk}/",
        f"/feedback/{made.pk}/decline/",
        f"/feedback/about/{erin}/",
        f"/team/{erin}/feedback/ask/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/feedback/{made.pk}/decline/").status_code == 404
    # erin sees her request's aggregate, but has no answer page; hana no ask page.
    client.force_login(org["erin"])
    assert client.get(f"/feedback/{made.pk}/").status_code == 404
    client.force_login(org["hana"])
    assert client.get(f"/feedback/about/{erin}/").status_code == 200
    assert client.get(f"/team/{erin}/feedback/ask/").status_code == 404


def test_asking_with_bad_input_names_each_field_and_writes_nothing(client, org):
    client.force_login(org["erin"])
    html = client.post("/feedback/ask/", {"message": "", "due": "2000-01-01"}).content.decode()
    for text in (
        "Skills: Choose at least one skill",
        "People to ask: Choose at least one person",
        "Message: Say what",
        "Due date: The due date cannot be in the past",
    ):
        assert text in html
    assert "Nothing was sent" in html
    assert not FeedbackRequest.objects.exists()


def test_the_ask_page_lists_expected_skills_first_and_finds_people(client, org, peers):
    client.force_login(org["max"])
    html = client.get(f"/team/{org['erin'].pk}/feedback/ask/").content.decode()
    assert html.index("Expected by Senior Engineer and Staff Engineer") < html.index("Other skills")
    assert f'value="{org["erin"].pk}"' not in html  # not the person themself
    found = client.get(
        f"/team/{org['erin'].pk}/feedback/ask/?q=peer", headers=HTMX
    ).content.decode()
    assert '<div id="people"' in found
    assert "<h1>" not in found
    assert "Peer 0" in found
    assert "Sam" not in found


@pytest.mark.django_db(transaction=True)
def test_asking_answering_and_the_emails(client, org, peers, mailbox: Mailbox, run_worker):
    client.force_login(org["erin"])
    response = client.post(
        "/feedback/ask/",
        {
            "skills": ["system-design", "mentoring"],
            "respondents": [peers[0].pk, peers[1].pk],
            "message": "How do I come across in design reviews?",
            "due": (site_today() + timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/map/feedback/"
    made = FeedbackRequest.objects.get()
    assert mailbox.messages == []  # queued, not sent by the request
    run_worker()
    [email] = mailbox.to("peer0@example.com")
    assert email["Subject"] == "careermap: Erin asks for your input on their skills"
    body = Mailbox.body(email)
    assert "How do I come across in design reviews?" in body
    assert f"http://careermap.test/feedback/{made.pk}/" in body
    assert "on: Mentoring and growing others, System design." in body
    assert f"http://careermap.test/feedback/{made.pk}/" in Mailbox.html(email)

    # peer0 answers through the page: a level without an example is refused, by field.
    client.force_login(peers[0])
    assert "Input on Erin" in client.get(f"/feedback/{made.pk}/").content.decode()
    bad = client.post(
        f"/feedback/{made.pk}/", {"level-system-design": "3", "level-mentoring": "none"}
    )
    assert "System design: System design: give an example" in bad.content.decode()
    assert made.responses.get(respondent=peers[0]).status == "open"
    good = client.post(
        f"/feedback/{made.pk}/",
        {
            "level-system-design": "3",
            "example-system-design": "Led our review.",
            "level-mentoring": "none",
        },
    )
    assert good.status_code == 302
    # peer1 declines: the GET asks for confirmation, the POST declines.
    client.force_login(peers[1])
    assert "Decline this request?" in client.get(f"/feedback/{made.pk}/decline/").content.decode()
    assert client.post(f"/feedback/{made.pk}/decline/").status_code == 302
    run_worker()
    [done] = mailbox.to("erin@example.com")
    assert "Everyone you asked about your skills has responded" in done["Subject"]
    assert "http://careermap.test/map/feedback/" in Mailbox.body(done)


def test_htmx_answers_swap_the_form_with_the_outcome(client, org, peers):
    made = ask(org["erin"], org["erin"], peers[:1])
    client.force_login(peers[0])
    bad = client.post(f"/feedback/{made.pk}/", {"level-system-design": "2"}, headers=HTMX)
    html = bad.content.decode()
    assert bad.status_code == 200
    assert html.lstrip().startswith('<div id="answer">')
    assert 'aria-invalid="true"' in html
    good = client.post(
        f"/feedback/{made.pk}/",
        {"level-system-design": "2", "example-system-design": "Seen it."},
        headers=HTMX,
    ).content.decode()
    assert "your input on Erin is saved" in good
    assert 'value="2" checked' in good


def test_answers_are_frozen_after_the_due_date(client, org, peers):
    made = ask(org["erin"], org["erin"], peers[:1])
    feedback_answer(
        by=peers[0],
        request=made,
        answers=[{"skill": "system-design", "level": 4, "example": "Yes."}],
    )
    FeedbackRequest.objects.filter(pk=made.pk).update(due=site_today() - timedelta(days=1))
    client.force_login(peers[0])
    html = client.get(f"/feedback/{made.pk}/").content.decode()
    assert "answers are frozen" in html
    assert "<textarea" not in html
    posted = client.post(
        f"/feedback/{made.pk}/", {"level-system-design": "1", "example-system-design": "No."}
    )
    assert "answers are frozen" in posted.content.decode()
    assert made.responses.get().answers.get().level == 4
    # Past its due date it leaves Asked of me.
    assert f"/feedback/{made.pk}/" not in client.get("/feedback/").content.decode()


def test_home_and_asked_of_me_list_open_requests(client, org, peers):
    ask(org["erin"], org["erin"], [peers[0]])
    ask(org["max"], org["sam"], [peers[0]])
    client.force_login(peers[0])
    assert "2 requests for your input" in client.get("/").content.decode()
    html = client.get("/feedback/").content.decode()
    assert "Erin" in html
    assert "Sam" in html
    assert "asked by Max" in html
    assert "Asked of me</a>" in html


def _about(client, person) -> str:
    return client.get(f"/feedback/about/{person.pk}/").content.decode()


def test_the_about_page_shows_the_aggregate_from_three_answers_without_names(client, org, peers):
    made = ask(org["erin"], org["erin"], peers[:3])
    for n, peer in enumerate(peers[:2]):
        feedback_answer(
            by=peer,
            request=made,
            answers=[
                {"skill": "system-design", "level": 2 + n, "example": f"Example by {peer.username}"}
            ],
        )
    client.force_login(org["max"])
    html = _about(client, org["erin"])
    assert "not enough answers yet" in html
    assert "Example by" not in html
    feedback_answer(
        by=peers[2],
        request=made,
        answers=[{"skill": "system-design", "level": 4, "example": "Example by peer2"}],
    )
    for who in ("erin", "max", "mona", "hana"):
        client.force_login(org[who])
        html = _about(client, org["erin"])
        assert '3 <span class="muted">(2\N{EN DASH}4)</span>' in html, who
        examples = re.findall(r"<li>(Example by peer\d)</li>", html)
        assert examples == sorted(examples)
        assert len(examples) == 3
        assert "3 of 3</strong> answered" in html


def test_the_about_page_costs_the_same_for_few_or_many_answers(client, org, peers):
    crowd = [PersonFactory(username=f"crowd{n}") for n in range(12)]
    made = ask(org["erin"], org["erin"], crowd[:3])
    for p in crowd[:3]:
        feedback_answer(
            by=p,
            request=made,
            answers=[{"skill": "system-design", "level": 3, "example": "x"}],
        )
    client.force_login(org["erin"])
    with CaptureQueriesContext(connection) as few:
        _about(client, org["erin"])
    made = ask(org["erin"], org["erin"], crowd)
    for p in crowd:
        feedback_answer(
            by=p,
            request=made,
            answers=[{"skill": "system-design", "level": 4, "example": "y"}],
        )
    with CaptureQueriesContext(connection) as many:
        _about(client, org["erin"])
    # session, user, the requests (with counts), their skills, the caller's responses,
    # whom they were asked of, the skills asked about, the answers, the nav's team check
    assert len(few) == len(many) == 9, [q["sql"][:80] for q in many.captured_queries]
