"""The audit trail: one writer, and the events that reach it."""

from __future__ import annotations

from careermap.audit import record
from careermap.models import AuditEvent
from tests.factories import PersonFactory


def test_record_keeps_who_what_and_when(db):
    hana = PersonFactory(username="hana", name="Hana Hr", is_hr=True)

    event = record(by=hana, action="people.import", summary="3 created", target="people.csv")

    stored = AuditEvent.objects.get()
    assert stored == event
    assert (stored.by, stored.by_name, stored.action) == (hana, "Hana Hr", "people.import")
    assert (stored.summary, stored.target) == ("3 created", "people.csv")
    assert stored.at is not None


def test_record_without_a_person_is_kept_anonymous(db):
    record(by=None, action="login.failed", summary="Failed log in", target="nobody")

    stored = AuditEvent.objects.get()
    assert (stored.by, stored.by_name, stored.target) == (None, "", "nobody")
