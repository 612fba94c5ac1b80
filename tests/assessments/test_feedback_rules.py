"""Input from others: asking, answering, declining, freezing, the threshold, anonymity and
the aggregate's query count (rules: assessments.feedback), on the services."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.feedback import (
    feedback_answer,
    feedback_decline,
    feedback_request_create,
    others_for,
    others_for_many,
    site_today,
)
from assessments.models import FeedbackAnswer, FeedbackRequest, FeedbackResponse
from core.errors import Conflict
from core.models import AuditEvent
from skills.models import Skill
from tests.factories import PersonFactory


def ask(by, person, respondents, skills=("system-design",), due=None, message="Please."):
    return feedback_request_create(
        by=by,
        person=person,
        skills=list(skills),
        respondents=[r.pk for r in respondents],
        message=message,
        due=due or site_today() + timedelta(days=7),
    )


def answer(by, request, level, example="Saw it in the design review.", skill="system-design"):
    return feedback_answer(
        by=by,
        request=request,
        answers=[{"skill": skill, "level": level, "example": example}],
    )


@pytest.fixture
def peers(org):
    return [PersonFactory(username=f"peer{n}", manager=org["mia"]) for n in range(5)]


def test_the_person_and_those_above_ask_others_cannot(org, peers):
    erin = org["erin"]
    for by in (org["erin"], org["max"], org["mona"]):
        assert ask(by, erin, peers[:2]).responses.count() == 2
    for by in (org["eli"], org["mia"], org["hana"], org["sam"]):
        with pytest.raises(PermissionDenied):
            ask(by, erin, peers[:2])


@pytest.mark.parametrize(
    ("field", "kwargs", "message"),
    [
        ("skills", {"skills": ()}, "at least one skill"),
        ("skills", {"skills": [f"s{n}" for n in range(9)]}, "at most 8"),
        ("skills", {"skills": ["nope"]}, "No active skill"),
        ("message", {"message": "  "}, "Say what"),
        ("due", {"due": date(2000, 1, 1)}, "cannot be in the past"),
    ],
)
def test_bad_requests_name_the_field_and_write_nothing(org, peers, field, kwargs, message):
    with pytest.raises(ValidationError) as caught:
        ask(org["erin"], org["erin"], peers[:1], **kwargs)
    assert message in " ".join(caught.value.message_dict[field])
    assert not FeedbackRequest.objects.exists()


def test_respondents_one_to_fifteen_active_not_oneself_no_duplicates(org, framework):
    erin = org["erin"]
    many = [PersonFactory(username=f"r{n}") for n in range(16)]
    gone = PersonFactory(username="gone", is_active=False)
    cases = [
        ([], "at least one person"),
        (many, "at most 15"),
        ([erin], "cannot be asked about themselves"),
        ([many[0], many[0]], "each person once"),
        ([gone], "No active person"),
    ]
    for respondents, message in cases:
        with pytest.raises(ValidationError) as caught:
            ask(erin, erin, respondents)
        assert message in " ".join(caught.value.message_dict["respondents"])
    assert ask(erin, erin, many[:15]).responses.count() == 15
    assert ask(erin, erin, many[:1], skills=[s.key for s in Skill.objects.all()[:8]])


def test_the_database_refuses_asking_a_person_about_themselves(org):
    made = ask(org["erin"], org["erin"], [org["sam"]])
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackResponse.objects.create(request=made, person=org["erin"], respondent=org["erin"])


def test_the_database_refuses_a_level_without_an_example(org):
    made = ask(org["erin"], org["erin"], [org["sam"]])
    response = made.responses.get()
    skill = Skill.objects.get(key="system-design")
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackAnswer.objects.create(response=response, skill=skill, level=3, example="")


def test_a_level_needs_an_example_cant_say_does_not(org):
    made = ask(org["erin"], org["erin"], [org["sam"]])
    with pytest.raises(ValidationError) as caught:
        answer(org["sam"], made, 3, example="  ")
    assert "give an example" in caught.value.message_dict["answers[0].example"][0]
    answer(org["sam"], made, None, example="")
    response = made.responses.get()
    assert response.status == "answered"
    assert list(response.answers.values_list("level", "example")) == [(None, "")]


def test_every_skill_needs_an_answer_and_levels_lie_on_the_scale(org):
    made = ask(org["erin"], org["erin"], [org["sam"]], skills=("system-design", "mentoring"))
    with pytest.raises(ValidationError) as caught:
        answer(org["sam"], made, 3)
    assert "Mentoring" in caught.value.message_dict["answers"][0]
    with pytest.raises(ValidationError) as caught:
        feedback_answer(
            by=org["sam"],
            request=made,
            answers=[
                {"skill": "system-design", "level": 9, "example": "x"},
                {"skill": "mentoring", "level": None},
            ],
        )
    assert "scale" in caught.value.message_dict["answers[0].level"][0]
    assert made.responses.get().status == "open"


def test_only_respondents_answer_and_decline(org):
    made = ask(org["erin"], org["erin"], [org["sam"]])
    for who in (org["erin"], org["max"], org["hana"]):
        with pytest.raises(PermissionDenied):
            answer(who, made, 3)
        with pytest.raises(PermissionDenied):
            feedback_decline(by=who, request=made)


def test_declining_withdraws_answers_and_the_due_date_freezes_everything(org):
    made = ask(org["erin"], org["erin"], [org["sam"], org["eli"]])
    answer(org["sam"], made, 3)
    feedback_decline(by=org["sam"], request=made)
    response = made.responses.get(respondent=org["sam"])
    assert response.status == "declined"
    assert not response.answers.exists()
    answer(org["sam"], made, 4)  # changed their mind before the due date
    FeedbackRequest.objects.filter(pk=made.pk).update(due=site_today() - timedelta(days=1))
    made.refresh_from_db()
    with pytest.raises(Conflict, match="frozen"):
        answer(org["sam"], made, 2)
    with pytest.raises(Conflict, match="frozen"):
        feedback_decline(by=org["eli"], request=made)
    assert list(made.responses.get(respondent=org["sam"]).answers.values_list("level")) == [(4,)]


def test_answers_stay_open_until_the_end_of_the_due_day_in_the_site_zone(org, settings):
    made = ask(org["erin"], org["erin"], [org["sam"]], due=site_today())
    # The viewer's zone (activated per request) does not move the site's midnight.
    with timezone.override("Pacific/Kiritimati"):
        answer(org["sam"], made, 3)
    assert made.responses.get().status == "answered"


def test_the_audit_trail_records_an_answer_never_its_content(
    org, django_capture_on_commit_callbacks
):
    made = ask(org["erin"], org["erin"], [org["sam"]])
    with django_capture_on_commit_callbacks(execute=True):
        answer(org["sam"], made, 3, example="A very particular example text.")
    line = AuditEvent.objects.get(action="feedback.answer")
    assert line.by == org["sam"]
    text = f"{line.summary} {line.target}"
    assert "particular" not in text
    assert "3" not in line.summary
    assert "system" not in text


def _answered(org, respondents, levels, examples=None):
    made = ask(org["erin"], org["erin"], respondents)
    for n, (who, level) in enumerate(zip(respondents, levels, strict=True)):
        answer(who, made, level, example=(examples or [f"Example {n}"] * 99)[n])
    return made


def test_the_threshold_hides_two_answers_and_shows_three(org, peers):
    skill = Skill.objects.get(key="system-design")
    _answered(org, peers[:2], [2, 4])
    two = others_for(org["erin"])[skill.pk]
    assert (two.answers, two.median, two.min, two.max, two.examples) == (2, None, None, None, ())
    assert not two.enough
    made = ask(org["erin"], org["erin"], [peers[2]])
    answer(peers[2], made, 3, example="Third")
    three = others_for(org["erin"])[skill.pk]
    assert three.enough
    assert (three.answers, three.median, three.min, three.max) == (3, 3.0, 2, 4)
    assert three.examples == ("Example 0", "Example 1", "Third")


def test_cant_say_is_not_counted_and_the_threshold_is_a_setting(org, peers, settings):
    _answered(org, peers[:3], [3, None, 5])
    skill = Skill.objects.get(key="system-design")
    assert others_for(org["erin"])[skill.pk].answers == 2
    assert not others_for(org["erin"])[skill.pk].enough
    settings.CAREERMAP_FEEDBACK_MIN_ANSWERS = 2
    shown = others_for(org["erin"])[skill.pk]
    assert (shown.median, shown.examples) == (4.0, ("Example 0", "Example 2"))


def test_a_respondent_counts_once_per_skill_with_their_latest_answer(org, peers):
    skill = Skill.objects.get(key="system-design")
    _answered(org, peers[:2], [1, 1])
    later = _answered(org, peers[:2], [5, 5])
    FeedbackRequest.objects.filter(pk=later.pk).update(created_at=timezone.now() + timedelta(1))
    assert others_for(org["erin"])[skill.pk].answers == 2  # two people, not four answers


def test_no_order_of_answering_shows_in_the_aggregate(org, peers):
    """Every order in which three people give the same answers yields the same aggregate:
    nothing in it (examples' order included) says who answered what."""
    texts = ["Zebra crossing", "apple pie", "Mango"]
    results = set()
    for order in itertools.permutations(range(3)):
        FeedbackRequest.objects.all().delete()
        people = [peers[i] for i in order]
        _answered(org, people, [1 + i for i in order], [texts[i] for i in order])
        results.add(others_for(org["erin"])[Skill.objects.get(key="system-design").pk])
    assert len(results) == 1
    assert next(iter(results)).examples == tuple(sorted(texts))


def test_the_aggregate_costs_one_query_whatever_the_answers(org, django_assert_num_queries):
    people = [PersonFactory(username=f"many{n}") for n in range(15)]
    _answered(org, people[:3], [1, 2, 3])
    with django_assert_num_queries(1):  # the answers of the people asked about
        few = others_for_many([org["erin"].pk, org["sam"].pk])
    _answered(org, people, [n % 6 for n in range(15)])
    with django_assert_num_queries(1):
        many = others_for_many([org["erin"].pk, org["sam"].pk])
    skill = Skill.objects.get(key="system-design").pk
    assert few[org["erin"].pk][skill].answers == 3
    assert many[org["erin"].pk][skill].answers == 15


def test_the_requester_learns_once_when_everyone_responded(org, django_capture_on_commit_callbacks):
    made = ask(org["erin"], org["erin"], [org["sam"], org["eli"]])
    answer(org["sam"], made, 3)
    made.refresh_from_db()
    assert made.completed_at is None
    feedback_decline(by=org["eli"], request=made)
    made.refresh_from_db()
    first = made.completed_at
    assert isinstance(first, datetime)
    answer(org["eli"], made, 2)
    made.refresh_from_db()
    assert made.completed_at == first
