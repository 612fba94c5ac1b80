"""Two HR admins changing managers at the same moment cannot make a cycle together."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from people.models import Person
from people.services import person_update
from tests.factories import PersonFactory


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_x_over_y_and_y_over_x_at_once_one_is_refused():
    hana = PersonFactory(username="hana", is_hr=True)
    hugo = PersonFactory(username="hugo", is_hr=True)
    x, y = PersonFactory(username="x"), PersonFactory(username="y")
    start = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def make(by: Person, person: Person, manager: Person) -> None:
        try:
            start.wait()
            person_update(by=by, person=person, manager=manager)
            outcome[person.username] = "saved"
        except ValidationError as exc:
            outcome[person.username] = " ".join(exc.messages)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=make, args=(hana, x, y)),
        threading.Thread(target=make, args=(hugo, y, x)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcome.values())[1] == "saved"
    assert "cycle" in sorted(outcome.values())[0]
    managers = dict(
        Person.objects.filter(username__in=["x", "y"]).values_list("username", "manager__username")
    )
    assert None in managers.values()  # one of them still has no manager
