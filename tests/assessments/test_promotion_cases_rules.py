"""Promotion cases' rules (assessments.promotions.rules): who may open, every allowed
transition and every refused one, the frozen packet, the decision and its role change
(today and on a later day by the task), notifications, and the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments.cycles import site_today
from assessments.models import CaseEvent, PromotionCase
from assessments.promotions import packet as packets
from assessments.promotions.rules import (
    ALLOWED,
    case_apply_role,
    case_comment,
    case_decide,
    case_open,
    case_submit,
    case_update,
    case_withdraw,
    transition,
)
from core.limits import TEXT_MAX
from core.models import AuditEvent
from people.models import Notification, RoleChange
from tests.helpers import submit

pytestmark = pytest.mark.django_db

S = PromotionCase.Status
TODAY = site_today()


def opened(org, by="max", person="erin", role="staff-engineer") -> PromotionCase:
    return case_open(by=org[by], person=org[person], target_role=role, summary="Ready.")


def submitted(org, **kw) -> PromotionCase:
    case = opened(org, **kw)
    return case_submit(by=case.opened_by, case=case)


def in_review(org, **kw) -> PromotionCase:
    case = submitted(org, **kw)
    transition(case=case, to=S.IN_REVIEW, by=org["hana"])
    return PromotionCase.objects.get(pk=case.pk)


# --- Opening --------------------------------------------------------------------------


def test_a_manager_opens_a_case_for_anyone_in_their_subtree(org):
    for by, person in [("max", "erin"), ("mona", "erin"), ("mona", "eli"), ("mia", "eli")]:
        case = case_open(
            by=org[by], person=org[person], target_role="principal-engineer", summary="x"
        )
        assert case.status == S.DRAFT
        assert case.opened_by == org[by]
        assert case.manager == org[person].manager
        case_withdraw(by=org[by], case=case)


def test_the_person_opens_a_case_for_their_own_target_role_only(org):
    case = opened(org, by="erin")
    assert case.person == org["erin"]
    assert case.target_role.key == "staff-engineer"
    with pytest.raises(PermissionDenied):
        opened(org, by="erin", role="principal-engineer")


def test_hr_opens_a_case_for_anyone(org):
    case = opened(org, by="hana", person="eli")
    assert case.opened_by == org["hana"]


@pytest.mark.parametrize(
    ("by", "person"),
    [("max", "eli"), ("mia", "erin"), ("sam", "erin"), ("erin", "sam"), ("max", "mona")],
)
def test_nobody_else_opens_a_case(org, by, person):
    with pytest.raises(PermissionDenied):
        case_open(by=org[by], person=org[person], target_role="principal-engineer", summary="x")
    assert not PromotionCase.objects.exists()


def test_opening_checks_its_fields_and_writes_nothing(org):
    with pytest.raises(ValidationError) as bad:
        case_open(by=org["max"], person=org["erin"], target_role="nope", summary=" ")
    assert set(bad.value.message_dict) == {"target_role", "summary"}
    with pytest.raises(ValidationError) as long:
        case_open(
            by=org["max"],
            person=org["erin"],
            target_role="staff-engineer",
            summary="x" * (TEXT_MAX + 1),
        )
    assert "summary" in long.value.message_dict
    with pytest.raises(ValidationError) as same:
        case_open(by=org["max"], person=org["sam"], target_role="staff-engineer", summary="x")
    assert "already holds" in same.value.message_dict["target_role"][0]
    assert not PromotionCase.objects.exists()


def test_one_open_case_per_person_and_role(org):
    opened(org)
    with pytest.raises(ValidationError, match="already has an open case"):
        opened(org, by="hana")
    assert PromotionCase.objects.count() == 1


# --- Transitions ----------------------------------------------------------------------


def test_the_table_allows_exactly_the_documented_moves():
    assert ALLOWED[S.DRAFT] == {S.SUBMITTED, S.WITHDRAWN}
    assert ALLOWED[S.SUBMITTED] == {S.IN_REVIEW, S.WITHDRAWN}
    assert ALLOWED[S.IN_REVIEW] == {S.APPROVED, S.DECLINED, S.DEFERRED, S.SUBMITTED}
    for final in (S.APPROVED, S.DECLINED, S.DEFERRED, S.WITHDRAWN):
        assert ALLOWED[final] == frozenset()


@pytest.mark.parametrize("start", list(S.values))
@pytest.mark.parametrize("to", list(S.values))
def test_every_move_is_allowed_or_refused_by_the_table(org, start, to):
    case = opened(org)
    PromotionCase.objects.filter(pk=case.pk).update(status=start)
    case.refresh_from_db()
    events = CaseEvent.objects.count()
    if to in ALLOWED[start]:
        transition(case=case, to=to, by=org["hana"], note="why")
        case.refresh_from_db()
        assert case.status == to
        event = CaseEvent.objects.latest("id")
        assert (event.from_status, event.to_status, event.actor, event.note) == (
            start,
            to,
            org["hana"],
            "why",
        )
    else:
        with pytest.raises(ValidationError) as refused:
            transition(case=case, to=to, by=org["hana"])
        assert "status" in refused.value.message_dict
        case.refresh_from_db()
        assert case.status == start
        assert CaseEvent.objects.count() == events


def test_a_transition_writes_an_audit_line(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submitted(org)
    line = AuditEvent.objects.get(action="promotion.status")
    assert "draft -> submitted" in line.summary
    assert line.by == org["max"]


def test_comments_are_events_without_a_status(org):
    case = submitted(org)
    event = case_comment(case=case, by=org["max"], note="She led the migration.")
    assert event.to_status == ""
    assert event.from_status == S.SUBMITTED
    with pytest.raises(ValidationError):
        case_comment(case=case, by=org["max"], note="")


# --- Editing, submitting, withdrawing -------------------------------------------------


def test_the_opener_edits_a_draft_and_nobody_edits_a_submitted_case(org):
    case = opened(org)
    case_update(by=org["max"], case=case, changes={"summary": "Much better."})
    assert PromotionCase.objects.get(pk=case.pk).summary == "Much better."
    with pytest.raises(PermissionDenied):
        case_update(by=org["mona"], case=case, changes={"summary": "Mine."})
    case_submit(by=org["max"], case=case)
    with pytest.raises(ValidationError, match="only a draft may be edited"):
        case_update(by=org["max"], case=case, changes={"summary": "Later."})
    assert PromotionCase.objects.get(pk=case.pk).summary == "Much better."


def test_submitting_freezes_the_packet_and_tells_the_manager(org):
    submit(org["erin"], org["erin"], "self", {"system-design": 2})
    case = opened(org, by="hana")
    case = case_submit(by=org["hana"], case=case)
    assert case.status == S.SUBMITTED
    assert case.submitted_at is not None
    frozen = case.packet
    row = next(s for s in frozen["skills"] if s["key"] == "system-design")
    assert row["self"] == 2
    note = Notification.objects.get(recipient=org["max"], kind=Notification.Kind.PROMOTION)
    assert "submitted" in note.title
    assert note.link == f"/promotions/{case.pk}/"


def test_later_ratings_do_not_change_a_submitted_packet(org):
    submit(org["erin"], org["erin"], "self", {"system-design": 2})
    case = submitted(org)
    before = PromotionCase.objects.get(pk=case.pk).packet
    submit(org["max"], org["erin"], "manager", {"system-design": 5})
    submit(org["erin"], org["erin"], "self", {"system-design": 5})
    case = PromotionCase.objects.get(pk=case.pk)
    assert case.packet == before
    assert packets.of(case) == before
    live = packets.build(case)
    assert next(s for s in live["skills"] if s["key"] == "system-design")["manager"] == 5
    assert next(s for s in before["skills"] if s["key"] == "system-design")["manager"] is None


def test_a_draft_packet_is_live(org):
    case = opened(org)
    first = packets.of(case)
    submit(org["max"], org["erin"], "manager", {"system-design": 4})
    again = packets.of(PromotionCase.objects.get(pk=case.pk))
    assert next(s for s in first["skills"] if s["key"] == "system-design")["manager"] is None
    assert next(s for s in again["skills"] if s["key"] == "system-design")["manager"] == 4


def test_the_packet_has_every_expected_skill_with_its_numbers(org, assessed):
    from assessments.evidence import evidence_add

    item = evidence_add(
        by=org["erin"],
        person=org["erin"],
        title="Led the storage migration",
        kind="project",
        date=TODAY - timedelta(days=3),
        skills=["system-design"],
    )
    packet = packets.build(opened(org))
    keys = {s["key"] for s in packet["skills"]}
    from skills.models import Expectation

    expected = set(
        Expectation.objects.filter(role__key="staff-engineer", skill__retired=False).values_list(
            "skill__key", flat=True
        )
    )
    assert keys == expected
    design = next(s for s in packet["skills"] if s["key"] == "system-design")
    assert (design["self"], design["manager"], design["current"]) == (4, 2, 2)
    assert design["gap"] == max(design["expected"] - 2, 0)
    assert design["evidence"] == [
        {"id": item.pk, "title": item.title, "kind": "project", "date": item.date.isoformat()}
    ]
    assert packet["assessments"]["self"]
    assert packet["assessments"]["manager"]
    assert packet["target_role"]["key"] == "staff-engineer"
    import json

    json.dumps(packet)


@pytest.mark.parametrize("stage", ["draft", "submitted"])
def test_the_opener_withdraws_from_draft_or_submitted(org, stage):
    case = opened(org) if stage == "draft" else submitted(org)
    case = case_withdraw(by=org["max"], case=case)
    assert case.status == S.WITHDRAWN


def test_nobody_withdraws_someone_elses_case(org):
    case = submitted(org)
    for who in ("erin", "mona", "mia", "sam"):
        with pytest.raises(PermissionDenied):
            case_withdraw(by=org[who], case=case)
    assert PromotionCase.objects.get(pk=case.pk).status == S.SUBMITTED


def test_a_case_in_review_is_not_withdrawn(org):
    case = in_review(org)
    with pytest.raises(ValidationError, match="cannot become withdrawn"):
        case_withdraw(by=org["max"], case=case)


# --- The decision ---------------------------------------------------------------------


def test_approval_today_changes_the_role_at_once_with_history(org):
    case = in_review(org)
    case = case_decide(by=org["hana"], case=case, outcome="approved", rationale="Clearly ready.")
    erin = org["erin"].__class__.objects.get(pk=org["erin"].pk)
    assert erin.role.key == "staff-engineer"
    assert erin.target_role is None
    change = RoleChange.objects.get(person=erin)
    assert (change.from_role.key, change.to_role.key, change.changed_by, change.case_id) == (
        "senior-engineer",
        "staff-engineer",
        org["hana"],
        case.pk,
    )
    assert case.status == S.APPROVED
    assert case.effective == TODAY
    assert case.role_changed_at
    told = Notification.objects.get(recipient=erin, kind=Notification.Kind.PROMOTION)
    assert "approved" in told.title


def test_approval_on_a_later_day_waits_for_the_task(org):
    case = in_review(org)
    later = TODAY + timedelta(days=10)
    case_decide(by=org["hana"], case=case, outcome="approved", rationale="Yes.", effective=later)
    erin = org["erin"].__class__.objects.get(pk=org["erin"].pk)
    assert erin.role.key == "senior-engineer"
    queued = DBTaskResult.objects.get(task_path__endswith="case_apply_role")
    assert queued.args_kwargs["args"] == [case.pk]
    assert queued.run_after.date() == later
    # Run early (a clock off), it waits; on the day, it applies once.
    assert case_apply_role.call(case.pk) == "not yet"
    PromotionCase.objects.filter(pk=case.pk).update(effective=TODAY)
    assert case_apply_role.call(case.pk) == "applied"
    assert case_apply_role.call(case.pk) == "already applied"
    erin.refresh_from_db()
    assert erin.role.key == "staff-engineer"
    assert RoleChange.objects.filter(person=erin).count() == 1


@pytest.mark.parametrize("outcome", ["declined", "deferred"])
def test_declined_and_deferred_keep_the_rationale_and_the_role(org, outcome):
    case = in_review(org)
    revisit = TODAY + timedelta(days=90) if outcome == "deferred" else None
    case = case_decide(
        by=org["hana"], case=case, outcome=outcome, rationale="Not yet.", revisit=revisit
    )
    assert case.status == outcome
    assert case.rationale == "Not yet."
    assert case.revisit == revisit
    assert case.effective is None
    assert not RoleChange.objects.exists()
    assert org["erin"].__class__.objects.get(pk=org["erin"].pk).role.key == "senior-engineer"


def test_deciding_twice_is_refused(org):
    case = in_review(org)
    case_decide(by=org["hana"], case=case, outcome="declined", rationale="No.")
    with pytest.raises(ValidationError, match="already decided"):
        case_decide(by=org["hana"], case=case, outcome="approved", rationale="Yes after all.")
    assert PromotionCase.objects.get(pk=case.pk).status == S.DECLINED
    assert not RoleChange.objects.exists()


def test_only_hr_decides(org):
    case = in_review(org)
    for who in ("max", "mona", "erin"):
        with pytest.raises(PermissionDenied):
            case_decide(by=org[who], case=case, outcome="approved", rationale="Yes.")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"outcome": "maybe", "rationale": "x"}, "outcome"),
        ({"outcome": "approved", "rationale": " "}, "rationale"),
        ({"outcome": "approved", "rationale": "x" * (TEXT_MAX + 1)}, "rationale"),
        (
            {"outcome": "approved", "rationale": "x", "effective": TODAY - timedelta(days=1)},
            "effective",
        ),
        ({"outcome": "approved", "rationale": "x", "effective": "soon"}, "effective"),
        ({"outcome": "deferred", "rationale": "x"}, "revisit"),
        ({"outcome": "deferred", "rationale": "x", "revisit": TODAY}, "revisit"),
    ],
)
def test_a_bad_decision_names_its_field_and_writes_nothing(org, fields, field):
    case = in_review(org)
    with pytest.raises(ValidationError) as bad:
        case_decide(by=org["hana"], case=case, **fields)
    assert field in bad.value.message_dict
    assert PromotionCase.objects.get(pk=case.pk).status == S.IN_REVIEW


def test_a_submitted_case_is_decided_only_once_in_review(org):
    case = submitted(org)
    with pytest.raises(ValidationError, match="submitted cannot become approved"):
        case_decide(by=org["hana"], case=case, outcome="approved", rationale="Yes.")


@pytest.mark.django_db(transaction=True)
def test_a_later_approval_is_applied_by_the_real_worker_on_the_day_and_erin_is_emailed(
    org, mailbox, run_worker
):
    case = in_review(org)
    later = TODAY + timedelta(days=10)
    case_decide(by=org["hana"], case=case, outcome="approved", rationale="Yes.", effective=later)
    run_worker()  # the decision's email goes; the role change waits for its day
    [told] = mailbox.to(org["erin"].email)
    assert "approved" in told["Subject"]
    assert RoleChange.objects.count() == 0

    # The day comes: the queued task is due, the case's effective date is today.
    PromotionCase.objects.filter(pk=case.pk).update(effective=TODAY)
    DBTaskResult.objects.filter(task_path__endswith="case_apply_role").update(
        run_after=timezone.now()
    )
    run_worker()
    [change] = RoleChange.objects.filter(person=org["erin"])
    assert (change.to_role.key, change.case_id, change.changed_by) == (
        "staff-engineer",
        case.pk,
        org["hana"],
    )
    assert org["erin"].__class__.objects.get(pk=org["erin"].pk).role.key == "staff-engineer"
