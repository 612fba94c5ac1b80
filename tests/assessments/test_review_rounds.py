"""The calibration committee's rules (issue 20): HR forms a round of submitted cases
(each moves to in review), reviewers vote (never on their own case, a direct report's, or
as the case's manager; a reason to not support), votes hidden until one votes, comments,
and each case's manager's calibration figures in words."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessments.models import CaseEvent, PromotionCase, ReviewRound, Vote
from assessments.promotions import committee
from assessments.promotions.calibration import for_managers, lean_words, others_words
from assessments.promotions.rules import case_decide, case_open, case_submit
from assessments.rollups import Calibration, Manager
from core.limits import TEXT_MAX
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def submitted(org, person="erin", by="max", role="staff-engineer") -> PromotionCase:
    case = case_open(
        by=org[by], person=org[person], target_role=role, summary="Leads the queue redesign."
    )
    return case_submit(by=org[by], case=case)


def formed(org, cases, reviewers=("mona",), name="Winter committee") -> ReviewRound:
    return committee.round_create(
        by=org["hana"],
        name=name,
        date=date(2026, 12, 10),
        cases=[c.pk for c in cases],
        reviewers=[org[r].pk for r in reviewers],
    )


# --- Forming a round ---------------------------------------------------------------------


def test_hr_forms_a_round_and_its_cases_move_to_in_review(org, django_capture_on_commit_callbacks):
    case = submitted(org)
    with django_capture_on_commit_callbacks(execute=True):
        round_ = formed(org, [case], reviewers=("mona", "mia"))
    case.refresh_from_db()
    assert case.status == "in_review"
    assert case.round_id == round_.pk
    assert sorted(r.username for r in round_.reviewers.all()) == ["mia", "mona"]
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.actor, event.from_status, event.to_status) == (
        org["hana"],
        "submitted",
        "in_review",
    )
    assert AuditEvent.objects.filter(target=f"review_round:{round_.pk}").exists()


@pytest.mark.parametrize("who", ["mona", "max", "erin"])
def test_only_hr_forms_a_round(org, who):
    case = submitted(org)
    with pytest.raises(PermissionDenied):
        committee.round_create(
            by=org[who],
            name="R",
            date=date(2026, 12, 1),
            cases=[case.pk],
            reviewers=[org["mona"].pk],
        )
    assert not ReviewRound.objects.exists()
    case.refresh_from_db()
    assert case.status == "submitted"


def test_bad_round_input_names_each_field_and_writes_nothing(org):
    draft = case_open(by=org["max"], person=org["erin"], target_role="staff-engineer", summary="S")
    with pytest.raises(ValidationError) as caught:
        committee.round_create(
            by=org["hana"], name=" ", date="10/12/2026", cases=[draft.pk], reviewers=[999999]
        )
    errors = caught.value.message_dict
    assert set(errors) == {"name", "date", "cases", "reviewers"}
    assert "not" in errors["cases"][0]
    assert str(draft.pk) in errors["cases"][0]
    assert "999999" in errors["reviewers"][0]
    assert not ReviewRound.objects.exists()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_round_needs_cases_and_reviewers(org):
    with pytest.raises(ValidationError) as caught:
        committee.round_create(by=org["hana"], name="R", date="2026-12-01", cases=[], reviewers=[])
    assert set(caught.value.message_dict) == {"cases", "reviewers"}


def test_a_case_in_review_cannot_join_a_second_round(org):
    case = submitted(org)
    formed(org, [case])
    with pytest.raises(ValidationError) as caught:
        formed(org, [case], name="Again")
    assert "cases" in caught.value.message_dict
    assert ReviewRound.objects.count() == 1


def test_an_inactive_person_cannot_review(org):
    case = submitted(org)
    org["mia"].is_active = False
    org["mia"].save()
    with pytest.raises(ValidationError) as caught:
        formed(org, [case], reviewers=("mia",))
    assert "reviewers" in caught.value.message_dict


# --- Votes -------------------------------------------------------------------------------


def test_a_reviewer_votes_and_may_change_their_vote(org):
    case = submitted(org)
    round_ = formed(org, [case])
    committee.vote_record(by=org["mona"], round_=round_, case=case.pk, vote="support", reason="")
    committee.vote_record(
        by=org["mona"], round_=round_, case=case.pk, vote="abstain", reason="Need more."
    )
    vote = Vote.objects.get()
    assert (vote.reviewer, vote.vote, vote.reason) == (org["mona"], "abstain", "Need more.")


def test_not_supporting_needs_a_reason(org):
    case = submitted(org)
    round_ = formed(org, [case])
    with pytest.raises(ValidationError) as caught:
        committee.vote_record(
            by=org["mona"], round_=round_, case=case.pk, vote="do_not_support", reason="  "
        )
    assert "reason" in caught.value.message_dict
    assert not Vote.objects.exists()
    committee.vote_record(
        by=org["mona"], round_=round_, case=case.pk, vote="do_not_support", reason="Thin evidence."
    )
    assert Vote.objects.get().vote == "do_not_support"


def test_a_bad_choice_or_a_long_reason_is_refused(org):
    case = submitted(org)
    round_ = formed(org, [case])
    with pytest.raises(ValidationError) as caught:
        committee.vote_record(
            by=org["mona"], round_=round_, case=case.pk, vote="maybe", reason="x" * (TEXT_MAX + 1)
        )
    assert set(caught.value.message_dict) == {"vote", "reason"}


def test_a_reviewer_cannot_vote_on_their_own_case(org):
    case = submitted(org)
    round_ = formed(org, [case], reviewers=("erin", "mona"))
    with pytest.raises(ValidationError, match="your own case"):
        committee.vote_record(by=org["erin"], round_=round_, case=case.pk, vote="support")
    assert not Vote.objects.exists()


def test_the_cases_manager_may_comment_but_not_vote(org):
    case = submitted(org)
    round_ = formed(org, [case], reviewers=("max", "mona"))
    with pytest.raises(ValidationError, match="comment on the case but not vote"):
        committee.vote_record(by=org["max"], round_=round_, case=case.pk, vote="support")
    event = committee.comment_add(
        by=org["max"], round_=round_, case=case.pk, note="Erin led the design review."
    )
    assert (event.to_status, event.note) == ("", "Erin led the design review.")
    assert not Vote.objects.exists()


def test_a_reviewer_cannot_vote_on_a_direct_reports_case(org):
    case = submitted(org)  # max was erin's manager when the case was opened
    org["erin"].manager = org["mia"]
    org["erin"].save()
    round_ = formed(org, [case], reviewers=("mia",))
    with pytest.raises(ValidationError, match="one of your direct reports"):
        committee.vote_record(by=org["mia"], round_=round_, case=case.pk, vote="support")


def test_someone_not_reviewing_cannot_vote(org):
    case = submitted(org)
    round_ = formed(org, [case])
    with pytest.raises(PermissionDenied):
        committee.vote_record(by=org["mia"], round_=round_, case=case.pk, vote="support")


def test_a_case_outside_the_round_is_refused(org):
    case = submitted(org)
    other = submitted(org, person="eli", by="mia")
    round_ = formed(org, [case])
    with pytest.raises(ValidationError) as caught:
        committee.vote_record(by=org["mona"], round_=round_, case=other.pk, vote="support")
    assert "not in this round" in caught.value.message_dict["case"][0]


def test_no_vote_after_the_decision(org):
    case = submitted(org)
    round_ = formed(org, [case])
    case_decide(by=org["hana"], case=case, outcome="declined", rationale="Not yet.")
    with pytest.raises(ValidationError, match="no longer in review"):
        committee.vote_record(by=org["mona"], round_=round_, case=case.pk, vote="support")


def test_a_reviewer_sees_the_others_votes_only_once_they_voted(org):
    case = submitted(org)
    round_ = formed(org, [case], reviewers=("mona", "mia"))
    committee.vote_record(by=org["mona"], round_=round_, case=case.pk, vote="support")

    def seen(user):
        entry = committee.board(user=user, round_=round_)["entries"][0]
        return [v.reviewer.username for v in entry["votes"]], entry["votes_hidden"]

    assert seen(org["mia"]) == ([], True)
    assert seen(org["hana"]) == (["mona"], False)
    committee.vote_record(
        by=org["mia"], round_=round_, case=case.pk, vote="do_not_support", reason="Too early."
    )
    assert seen(org["mia"]) == (["mona", "mia"], False)


def test_an_outsider_cannot_comment(org):
    case = submitted(org)
    round_ = formed(org, [case])
    with pytest.raises(PermissionDenied):
        committee.comment_add(by=org["eli"], round_=round_, case=case.pk, note="Hmm.")
    assert not CaseEvent.objects.filter(to_status="").exists()


# --- Who sees a round ----------------------------------------------------------------------


def test_hr_and_the_reviewers_see_a_round_nobody_else(org):
    case = submitted(org)
    round_ = formed(org, [case])
    seers = {u for u in org if committee.rounds_visible_to(org[u]).filter(pk=round_.pk).exists()}
    assert seers == {"hana", "mona"}


# --- The board: evidence, gaps and the manager's calibration -------------------------------


def test_the_board_reads_the_packet_and_the_managers_calibration(org, assessed):
    case = submitted(org)
    round_ = formed(org, [case])
    entry = committee.board(user=org["mona"], round_=round_)["entries"][0]
    packet = case.__class__.objects.get(pk=case.pk).packet
    assert entry["packet"] == packet
    assert [g["key"] for g in entry["gaps"]] == [s["key"] for s in packet["skills"] if s["gap"]]
    cited = {e["id"] for s in packet["skills"] for e in s["evidence"]}
    assert entry["evidence_count"] == len(cited)
    figures = entry["figures"]
    # erin rated herself 4 and 3 where max rated 2 and 3: a mean of +1.0, one report.
    assert figures.mean_delta == pytest.approx(1.0)
    assert figures.direction == "too few"
    assert figures.lean.startswith("rates 1.0 below their reports' own view (too few to say")
    assert figures.evidence_coverage == pytest.approx(1.0)
    assert figures.coverage.startswith("100% of their ratings")


def test_calibration_in_words_names_a_lenient_and_a_harsh_manager():
    def calibration(delta, reports=4, vs_others=None):
        return Calibration(
            manager=Manager(1, "Max", "max"),
            reports=reports,
            pairs=10,
            mean_delta=delta,
            divergent=0,
            mean_vs_others=vs_others,
        )

    assert lean_words(calibration(-0.8)) == (
        "rates 0.8 above their reports' own view: more lenient than their reports"
    )
    assert lean_words(calibration(0.8)) == (
        "rates 0.8 below their reports' own view: harsher than their reports"
    )
    assert "no clear lean" in lean_words(calibration(0.2))
    assert lean_words(None) == "no ratings to compare with their reports' own yet"
    assert others_words(calibration(0.0, vs_others=0.6)) == "rates 0.6 above what colleagues see"
    assert others_words(calibration(0.0, vs_others=-1.5)) == "rates 1.5 below what colleagues see"


def test_figures_for_no_manager_are_empty(org):
    assert for_managers([None]) == {}
    figures = for_managers([org["hana"].pk])[org["hana"].pk]  # no reports: no tally
    assert figures.calibration is None
    assert figures.direction == "none"
