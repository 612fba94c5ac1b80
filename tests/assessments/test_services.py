"""Assessment rules of product.md, held by the services whatever the caller."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessments.models import Assessment, Rating
from assessments.services import (
    DraftExists,
    action_add_once,
    assessment_rate,
    assessment_start,
    assessment_submit,
    focus_skill_save,
)
from core.errors import Conflict
from skills.models import Skill

pytestmark = pytest.mark.django_db


def levels(assessment: Assessment) -> dict[str, int]:
    return dict(assessment.ratings.values_list("skill__key", "level"))


def submitted(by, person, kind, ratings) -> Assessment:
    draft = assessment_start(by=by, person=person, kind=kind, ratings=ratings)
    return assessment_submit(by=by, assessment=draft)


def test_a_person_self_assesses_as_a_draft(erin):
    draft = assessment_start(
        by=erin,
        person=erin,
        kind="self",
        ratings=[{"skill": "system-design", "level": 3, "evidence": "  Led the review.  "}],
    )

    assert (draft.status, draft.submitted_at) == ("draft", None)
    rating = draft.ratings.get()
    assert (rating.skill.key, rating.level, rating.evidence) == (
        "system-design",
        3,
        "Led the review.",
    )


@pytest.mark.parametrize("author", ["max", "mona", "eli", "hana"])
def test_only_the_person_writes_a_self_assessment(author, org):
    with pytest.raises(PermissionDenied):
        assessment_start(by=org[author], person=org["erin"], kind="self")
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("author", "allowed"),
    [
        ("max", True),
        ("mona", True),
        ("mia", False),
        ("hana", False),
        ("erin", False),
        ("sam", False),
    ],
)
def test_only_a_manager_above_writes_a_manager_assessment(author, allowed, org):
    if allowed:
        draft = assessment_start(by=org[author], person=org["erin"], kind="manager")
        assert draft.author == org[author]
    else:
        with pytest.raises(PermissionDenied):
            assessment_start(by=org[author], person=org["erin"], kind="manager")
        assert not Assessment.objects.exists()


def test_an_unknown_kind_is_a_field_error(erin):
    with pytest.raises(ValidationError) as caught:
        assessment_start(by=erin, person=erin, kind="peer")
    assert "kind" in caught.value.message_dict


def test_one_open_draft_per_person_kind_and_author(erin, max_):
    first = assessment_start(by=erin, person=erin, kind="self")

    with pytest.raises(DraftExists) as caught:
        assessment_start(by=erin, person=erin, kind="self")

    assert caught.value.draft == first
    # Other authors and kinds have drafts of their own.
    assessment_start(by=max_, person=erin, kind="manager")
    assert Assessment.objects.count() == 2


def test_ratings_merge_by_skill(erin):
    draft = assessment_start(
        by=erin, person=erin, kind="self", ratings=[{"skill": "system-design", "level": 2}]
    )

    assessment_rate(
        by=erin,
        assessment=draft,
        ratings=[{"skill": "system-design", "level": 3}, {"skill": "mentoring", "level": 1}],
    )

    assert levels(draft) == {"system-design": 3, "mentoring": 1}


def test_evidence_alone_updates_a_rated_skill_and_keeps_its_level(erin):
    draft = assessment_start(
        by=erin, person=erin, kind="self", ratings=[{"skill": "mentoring", "level": 2}]
    )

    assessment_rate(
        by=erin, assessment=draft, ratings=[{"skill": "mentoring", "evidence": "Ran a guild."}]
    )
    assessment_rate(by=erin, assessment=draft, ratings=[{"skill": "mentoring", "level": 3}])

    rating = draft.ratings.get()
    assert (rating.level, rating.evidence) == (3, "Ran a guild.")


def test_a_null_level_removes_the_rating(erin):
    draft = assessment_start(
        by=erin, person=erin, kind="self", ratings=[{"skill": "mentoring", "level": 2}]
    )

    assessment_rate(by=erin, assessment=draft, ratings=[{"skill": "mentoring", "level": None}])

    assert levels(draft) == {}


@pytest.mark.parametrize(
    ("ratings", "field", "message"),
    [
        (
            [{"skill": "no-such-skill", "level": 1}],
            "ratings[0].skill",
            'Unknown skill "no-such-skill".',
        ),
        (
            [{"skill": "mentoring", "level": 6}],
            "ratings[0].level",
            "Level 6 is not on the scale 0-5.",
        ),
        (
            [{"skill": "mentoring", "level": -1}],
            "ratings[0].level",
            "Level -1 is not on the scale 0-5.",
        ),
        (
            [{"skill": "mentoring", "level": True}],
            "ratings[0].level",
            "Level True is not on the scale 0-5.",
        ),
        (
            [{"skill": "mentoring", "level": "3"}],
            "ratings[0].level",
            "Level '3' is not on the scale 0-5.",
        ),
        (
            [{"skill": "mentoring"}],
            "ratings[0].level",
            'Choose a level for "Mentoring and growing others".',
        ),
        (
            [{"skill": "mentoring", "level": 1}, {"skill": "mentoring", "level": 2}],
            "ratings[1].skill",
            'Skill "mentoring" appears twice in one request.',
        ),
        (
            [{"skill": "mentoring", "level": 1, "evidence": 5}],
            "ratings[0].evidence",
            "Evidence must be text.",
        ),
    ],
)
def test_bad_ratings_name_the_field_and_write_nothing(erin, ratings, field, message):
    draft = assessment_start(
        by=erin, person=erin, kind="self", ratings=[{"skill": "hiring", "level": 1}]
    )
    Skill.objects.filter(key="mentoring").update(name="Mentoring and growing others")

    with pytest.raises(ValidationError) as caught:
        # A good rating in the same request is not written either.
        assessment_rate(
            by=erin, assessment=draft, ratings=[*ratings, {"skill": "hiring", "level": 4}]
        )

    assert caught.value.message_dict == {field: [message]}
    assert levels(draft) == {"hiring": 1}


def test_a_bad_rating_in_a_new_draft_leaves_no_draft_behind(erin):
    with pytest.raises(ValidationError):
        assessment_start(by=erin, person=erin, kind="self", ratings=[{"skill": "nope", "level": 1}])
    assert not Assessment.objects.exists()


def test_a_retired_skill_cannot_be_rated(erin):
    Skill.objects.filter(key="hiring").update(retired=True)
    with pytest.raises(ValidationError) as caught:
        assessment_start(
            by=erin, person=erin, kind="self", ratings=[{"skill": "hiring", "level": 1}]
        )
    assert caught.value.message_dict == {"ratings[0].skill": ['Skill "hiring" is retired.']}


def test_only_the_author_edits_or_submits_a_draft(erin, max_):
    draft = assessment_start(
        by=max_, person=erin, kind="manager", ratings=[{"skill": "hiring", "level": 1}]
    )

    with pytest.raises(PermissionDenied):
        assessment_rate(by=erin, assessment=draft, ratings=[{"skill": "hiring", "level": 5}])
    with pytest.raises(PermissionDenied):
        assessment_submit(by=erin, assessment=draft)
    assert levels(draft) == {"hiring": 1}


def test_submitting_freezes_the_assessment(erin):
    done = submitted(erin, erin, "self", [{"skill": "mentoring", "level": 2}])

    assert done.status == "submitted"
    assert done.submitted_at is not None
    with pytest.raises(Conflict):
        assessment_rate(by=erin, assessment=done, ratings=[{"skill": "mentoring", "level": 5}])
    with pytest.raises(Conflict):
        assessment_submit(by=erin, assessment=done)
    assert levels(done) == {"mentoring": 2}


def test_an_empty_draft_cannot_be_submitted(erin):
    draft = assessment_start(by=erin, person=erin, kind="self")
    with pytest.raises(ValidationError) as caught:
        assessment_submit(by=erin, assessment=draft)
    assert "ratings" in caught.value.message_dict
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_new_draft_starts_from_the_authors_last_submitted_one(erin, max_):
    submitted(
        erin, erin, "self", [{"skill": "mentoring", "level": 1}, {"skill": "hiring", "level": 1}]
    )
    submitted(erin, erin, "self", [{"skill": "mentoring", "level": 3, "evidence": "Mentored two."}])
    submitted(max_, erin, "manager", [{"skill": "mentoring", "level": 0, "evidence": "Seen."}])

    draft = assessment_start(
        by=erin, person=erin, kind="self", ratings=[{"skill": "feedback", "level": 2}]
    )

    # The latest self-assessment was itself pre-filled from the first (hiring 1).
    assert levels(draft) == {"mentoring": 3, "hiring": 1, "feedback": 2}
    assert draft.ratings.get(skill__key="mentoring").evidence == "Mentored two."


def test_the_prefill_leaves_out_retired_skills(erin):
    submitted(
        erin, erin, "self", [{"skill": "mentoring", "level": 1}, {"skill": "hiring", "level": 1}]
    )
    Skill.objects.filter(key="hiring").update(retired=True)

    draft = assessment_start(by=erin, person=erin, kind="self")

    assert levels(draft) == {"mentoring": 1}
    assert Rating.objects.filter(skill__key="hiring").count() == 1  # history keeps it


def test_a_manager_moved_away_can_no_longer_finish_a_draft(erin, max_, org, hana):
    from people.services import person_update

    draft = assessment_start(
        by=max_, person=erin, kind="manager", ratings=[{"skill": "hiring", "level": 1}]
    )
    person_update(by=hana, person=erin, manager=org["mia"])

    with pytest.raises(PermissionDenied):
        assessment_rate(by=max_, assessment=draft, ratings=[{"skill": "hiring", "level": 2}])
    with pytest.raises(PermissionDenied):
        assessment_submit(by=max_, assessment=draft)
    draft.refresh_from_db()
    assert draft.status == "draft"


@pytest.mark.parametrize("rating", [None, "hiring", 3, ["hiring", 1]])
def test_a_rating_that_is_not_a_mapping_is_a_field_error(erin, rating):
    with pytest.raises(ValidationError) as caught:
        assessment_start(by=erin, person=erin, kind="self", ratings=[rating])
    assert list(caught.value.message_dict) == ["ratings[0]"]
    assert not Assessment.objects.exists()


def test_losing_the_race_for_the_one_open_draft_still_answers_with_the_draft(erin, monkeypatch):
    """Two starts at once: the database's constraint decides, and the loser is told which
    draft won (SQLite has no row locks to serialise them first)."""
    winner = assessment_start(by=erin, person=erin, kind="self")
    from assessments import services

    # The loser's check for an open draft ran before the winner committed.
    real_filter = services.Assessment.objects.filter
    calls = {"n": 0}

    def first_check_sees_nothing(*args, **kwargs):
        calls["n"] += 1
        found = real_filter(*args, **kwargs)
        return found.none() if calls["n"] == 1 else found

    monkeypatch.setattr(services.Assessment.objects, "filter", first_check_sees_nothing)
    with pytest.raises(DraftExists) as caught:
        assessment_start(by=erin, person=erin, kind="self")
    assert caught.value.draft == winner


@pytest.mark.parametrize("extra_skills", [0, 40])
def test_rating_many_skills_at_once_takes_a_fixed_number_of_queries(
    erin, extra_skills, django_assert_num_queries
):
    from tests.factories import SkillFactory

    rated = ["mentoring", "hiring", "delegation"]
    draft = assessment_start(
        by=erin, person=erin, kind="self", ratings=[{"skill": k, "level": 1} for k in rated]
    )
    new = ["feedback"] + [SkillFactory(key=f"extra-{n}").key for n in range(extra_skills)]
    ratings = [{"skill": k, "level": 2, "evidence": "Did it."} for k in ["mentoring", "hiring"]]
    ratings += [{"skill": "delegation", "level": None}]
    ratings += [{"skill": k, "level": 3} for k in new]
    # savepoint; the draft, locked; the scale; the skills; the rated skills; the current
    # ratings; one delete (Django's cascade: the removed ratings read, their citations
    # deleted, then they), one update, one insert; the version bump; release
    with django_assert_num_queries(13):
        assessment_rate(by=erin, assessment=draft, ratings=ratings)
    assert levels(draft) == {"mentoring": 2, "hiring": 2} | dict.fromkeys(new, 3)


def test_adding_the_same_action_once_makes_one_and_only_editors_add(org):
    erin = org["erin"]
    focus, _ = focus_skill_save(by=erin, person=erin, skill_key="mentoring", target_level=3)
    first, new = action_add_once(by=erin, focus=focus, text="Pair with a new joiner")
    again, new_again = action_add_once(by=erin, focus=focus, text=" Pair with a new joiner ")
    assert (new, new_again) == (True, False)
    assert again.pk == first.pk
    assert focus.actions.count() == 1
    with pytest.raises(PermissionDenied):
        action_add_once(by=org["eli"], focus=focus, text="Pair with a new joiner")
