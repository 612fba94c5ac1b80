"""The one visibility rule and the org-chart writes."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from people.models import Person
from people.services import person_update
from people.visibility import manages
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def visible(user: Person) -> set[str]:
    """Whom `user` sees, after checking that the rule's two forms agree on everyone: the
    whole set, and one person at a time (a walk up the chain above them)."""
    seen = set(Person.objects.visible_to(user).values_list("username", flat=True))
    for person in Person.objects.all():
        one = Person.objects.visible_to(user, person_id=person.pk)
        assert list(one) == ([person] if person.username in seen else []), person.username
    return seen


def test_an_engineer_sees_only_themselves(erin):
    assert visible(erin) == {"erin"}


def test_a_manager_sees_their_direct_reports(max_):
    assert visible(max_) == {"max", "erin", "sam"}


def test_a_manager_of_managers_sees_the_whole_subtree(mona):
    assert visible(mona) == {"mona", "max", "mia", "erin", "sam", "eli"}


def test_hr_sees_everyone(hana, org):
    assert visible(hana) == set(org)


def test_a_deep_subtree_is_visible_from_the_top(mona, eli):
    lead = PersonFactory(username="lead", manager=eli)
    PersonFactory(username="intern", manager=lead)

    assert {"lead", "intern"} <= visible(mona)
    assert visible(eli) == {"eli", "lead", "intern"}


def test_an_inactive_user_sees_nobody(max_):
    max_.is_active = False
    assert visible(max_) == set()


def test_manages_means_anywhere_above(org):
    assert manages(org["mona"], org["erin"])
    assert manages(org["max"], org["erin"])
    assert not manages(org["mia"], org["erin"])
    assert not manages(org["erin"], org["erin"])
    assert not manages(org["erin"], org["max"])


def test_hr_sets_role_and_manager(hana, erin, org, framework):
    person_update(by=hana, person=erin, role=framework["staff-engineer"], manager=org["mia"])

    erin.refresh_from_db()
    assert (erin.role.key, erin.manager.username) == ("staff-engineer", "mia")


@pytest.mark.parametrize("who", ["erin", "max", "mona"])
def test_only_hr_changes_role_or_manager(who, org, framework):
    with pytest.raises(PermissionDenied):
        person_update(by=org[who], person=org["erin"], role=framework["staff-engineer"])
    with pytest.raises(PermissionDenied):
        person_update(by=org[who], person=org["erin"], manager=org["mia"])
    org["erin"].refresh_from_db()
    assert (org["erin"].role.key, org["erin"].manager.username) == ("senior-engineer", "max")


def test_a_manager_cycle_is_refused_naming_the_field(hana, org):
    with pytest.raises(ValidationError) as caught:
        person_update(by=hana, person=org["mona"], manager=org["erin"])

    assert "cycle" in caught.value.message_dict["manager"][0]
    org["mona"].refresh_from_db()
    assert org["mona"].manager is None


def test_nobody_manages_themselves(hana, org):
    with pytest.raises(ValidationError) as caught:
        person_update(by=hana, person=org["max"], manager=org["max"])
    assert "manager" in caught.value.message_dict


def test_the_person_or_hr_chooses_the_target_role(erin, hana, max_, framework):
    person_update(by=erin, person=erin, target_role=framework["engineering-manager"])
    assert erin.target_role.key == "engineering-manager"
    person_update(by=hana, person=erin, target_role=None)
    assert erin.target_role is None
    with pytest.raises(PermissionDenied):
        person_update(by=max_, person=erin, target_role=framework["staff-engineer"])


def test_a_retired_role_cannot_be_chosen(erin, framework):
    principal = framework["principal-engineer"]
    principal.retired = True
    principal.save()

    with pytest.raises(ValidationError) as caught:
        person_update(by=erin, person=erin, target_role=principal)
    assert "target_role" in caught.value.message_dict


def test_a_refused_update_writes_nothing_at_all(hana, erin, org, framework):
    with pytest.raises(ValidationError):
        person_update(
            by=hana, person=org["mona"], role=framework["staff-engineer"], manager=org["erin"]
        )
    org["mona"].refresh_from_db()
    assert org["mona"].role.key == "manager-of-managers"


def test_below_one_person_agrees_with_the_whole_subtree(org):
    PersonFactory(username="lead", manager=org["eli"])
    for manager in Person.objects.all():
        subtree = set(Person.objects.below(manager.pk))
        for person in Person.objects.all():
            one = list(Person.objects.below(manager.pk, person_id=person.pk))
            assert one == ([person] if person in subtree else []), (manager, person)


def test_reports_are_found_only_by_managers_above_them(org):
    from people.visibility import get_report_or_404

    assert get_report_or_404(org["max"], org["erin"].pk) == org["erin"]
    assert get_report_or_404(org["mona"], org["erin"].pk) == org["erin"]
    for viewer, person in (
        ("max", "eli"),
        ("max", "max"),
        ("erin", "erin"),
        ("mia", "erin"),
        ("hana", "erin"),
        ("max", "mona"),
    ):
        with pytest.raises(Http404):
            get_report_or_404(org[viewer], org[person].pk)
