"""The CSV import of people: all or nothing, every bad line named with its number."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent
from people import services
from people.models import Person
from people.services import people_import
from skills.models import Role

pytestmark = pytest.mark.django_db

HEADER = "username,name,email,role,manager\n"


def csv(*lines: str, header: str = HEADER) -> bytes:
    return (header + "".join(line + "\n" for line in lines)).encode()


def problems(by: Person, data: bytes) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        people_import(by=by, data=data)
    return caught.value.message_dict["file"]


def snapshot() -> list[tuple]:
    return list(
        Person.objects.order_by("username").values_list(
            "username", "name", "email", "role_id", "manager_id", "is_active"
        )
    )


def test_a_good_file_creates_people_with_managers_defined_later_in_the_file(hana, framework):
    result = people_import(
        by=hana,
        data=csv(
            "ada,Ada Lovelace,ada@example.com,senior-engineer,grace",
            "grace,Grace Hopper,grace@example.com,engineering-manager,mona",
        ),
    )

    assert result.created == ["ada", "grace"]
    assert result.updated == []
    ada = Person.objects.select_related("role", "manager").get(username="ada")
    assert (ada.name, ada.email, ada.role.key, ada.manager.username) == (
        "Ada Lovelace",
        "ada@example.com",
        "senior-engineer",
        "grace",
    )
    assert Person.objects.get(username="grace").manager.username == "mona"
    assert not ada.has_usable_password()


def test_an_existing_username_updates_name_email_role_and_manager(hana, erin, org, framework):
    result = people_import(
        by=hana, data=csv("erin,Erin Updated,erin@new.example,staff-engineer,mia", "sam,,,,")
    )

    erin.refresh_from_db()
    assert result.created == []
    assert result.updated == ["erin"]
    assert result.unchanged == ["sam"]
    assert (erin.name, erin.email, erin.role.key, erin.manager.username) == (
        "Erin Updated",
        "erin@new.example",
        "staff-engineer",
        "mia",
    )
    # Blank cells keep what is stored.
    assert Person.objects.get(username="sam").manager.username == "max"


def test_a_utf8_file_with_a_bom_and_reordered_columns_is_read(hana, framework):
    data = "\ufeffName,Username,Role,Manager,Email\r\nZoë Ünal,zoe,senior-engineer,,\r\n"

    result = people_import(by=hana, data=data.encode("utf-8"))

    assert result.created == ["zoe"]
    assert Person.objects.get(username="zoe").name == "Zoë Ünal"


def test_a_successful_import_is_audited(hana, framework):
    people_import(by=hana, data=csv("ada,Ada,,,"))

    event = AuditEvent.objects.get(action="people.import")
    assert event.by == hana
    assert "created 1" in event.summary


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (",No Username,,,", "Line 3: username is missing."),
        ("bad name,Bad,,,", 'Line 3: username "bad name" may hold only'),
        ("ada,Again,,,", 'Line 3: username "ada" is already on line 2.'),
        ("bob,Bob,not-an-email,,", 'Line 3: email "not-an-email" is not a valid email address.'),
        (
            "bob,Bob,,no-such-role,",
            'Line 3: role "no-such-role" is neither a role key nor a role name',
        ),
        ("bob,Bob,,,nobody", 'Line 3: manager "nobody" is neither a stored username nor in'),
        ("bob,Bob,,,bob", "Line 3: a person cannot be their own manager."),
        ("bob,Bob", "Line 3: 2 columns, not 5."),
        # validate_email takes 320 characters; the column holds 254.
        (
            "bob,Bob," + "b" * 60 + "@" + ".".join(["c" * 60] * 4) + ".org,,",
            "Line 3: email is longer",
        ),
    ],
)
def test_each_bad_line_is_named_with_its_reason_and_nothing_is_written(
    hana, org, framework, line, reason
):
    before = snapshot()

    found = problems(hana, csv("ada,Ada,ada@example.com,senior-engineer,", line))

    assert len(found) == 1
    assert found[0].startswith(reason)
    assert snapshot() == before


def test_a_retired_role_is_refused(hana, org, framework):
    Role.objects.filter(key="senior-engineer").update(retired=True)

    assert problems(hana, csv("bob,Bob,,senior-engineer,")) == [
        'Line 2: role "senior-engineer" is retired.'
    ]


def test_a_manager_cycle_through_stored_people_is_refused(hana, org, framework):
    before = snapshot()

    # mona manages max; making max mona's manager closes a loop.
    found = problems(hana, csv("mona,,,,max"))

    assert found == ['Line 2: manager "max" would create a cycle (mona → max → mona).']
    assert snapshot() == before


def test_a_manager_cycle_inside_the_file_names_every_line_in_it(hana, framework):
    found = problems(hana, csv("a,,,,b", "b,,,,c", "c,,,,a", "d,,,,a"))

    assert [p.split(":")[0] for p in found] == ["Line 2", "Line 3", "Line 4"]
    assert not Person.objects.filter(username__in="abcd").exists()


def test_every_bad_line_is_named_at_once(hana, framework):
    found = problems(
        hana, csv("ok,Ok,,,", ",missing,,,", "x,X,bad,,", "ok,Dup,,,", "y,Y,,nope,ghost")
    )

    assert [p.split(":")[0] for p in found] == ["Line 3", "Line 4", "Line 5", "Line 6"]
    assert 'role "nope"' in found[3]
    assert 'manager "ghost"' in found[3]
    assert not Person.objects.filter(username="ok").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"username,name\nada,Ada\n", "Line 1: the header row must name the columns"),
        (b"username,name,email,role,manager,extra\n", "(unknown: extra)"),
        (HEADER.encode(), "no people"),
        ("username,name,email,role,manager\nzoë,Zoë,,,\n".encode("latin-1"), "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV text file"),
        (b'username,name,email,role,manager\n"ada,Ada', "not valid CSV"),
    ],
)
def test_a_file_that_is_not_a_people_csv_is_refused_clearly(hana, data, message):
    found = problems(hana, data)

    assert len(found) == 1
    assert message in found[0]
    assert Person.objects.count() == 7


def test_a_file_that_is_too_large_is_refused(hana, monkeypatch):
    monkeypatch.setattr(services, "PEOPLE_CSV_MAX_BYTES", 1000)
    data = csv(*(f"person{n},Person {n},person{n}@example.com,," for n in range(40)))

    assert len(data) > 1000
    assert problems(hana, data) == ["The file is larger than 1 kB."]


def test_a_failure_half_way_through_writes_nothing(hana, org, framework, monkeypatch):
    before = snapshot()
    real = services._import_row
    calls = []

    def failing(row, stored, result):
        calls.append(row.username)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(row, stored, result)

    monkeypatch.setattr(services, "_import_row", failing)

    with pytest.raises(RuntimeError):
        people_import(
            by=hana,
            data=csv("ada,Ada,,,", "erin,Erin Renamed,,,", "bob,Bob,,,", "cy,Cy,,,ada"),
        )

    assert calls == ["ada", "erin", "bob"]
    assert snapshot() == before
    assert not AuditEvent.objects.filter(action="people.import").exists()


def test_only_hr_may_import(erin, max_):
    for who in (erin, max_):
        with pytest.raises(PermissionDenied):
            people_import(by=who, data=csv("ada,Ada,,,"))
    assert not Person.objects.filter(username="ada").exists()


def test_hr_may_not_change_a_superuser_by_import(hana, framework):
    Person.objects.create_superuser("root", "root@example.com", "x")

    assert problems(hana, csv("root,Not Root,,,")) == [
        'Line 2: "root" is a superuser; only a superuser may change them.'
    ]


def test_a_role_may_be_given_by_its_exact_name_in_any_case(hana, framework):
    result = people_import(
        by=hana,
        data=csv("ada,Ada,,Staff Engineer,", "alan,Alan,,engineering manager,"),
    )
    assert result.created == ["ada", "alan"]
    assert Person.objects.get(username="ada").role == framework["staff-engineer"]
    assert Person.objects.get(username="alan").role == framework["engineering-manager"]


def test_a_name_two_roles_share_is_refused_as_ambiguous(hana, framework):

    Role.objects.filter(key="principal-engineer").update(name="Staff Engineer")
    with pytest.raises(ValidationError) as refused:
        people_import(by=hana, data=csv("ada,Ada,,Staff Engineer,"))
    assert refused.value.message_dict["file"] == [
        'Line 2: role "Staff Engineer" names 2 roles (principal-engineer, staff-engineer): '
        "use the key."
    ]


def test_a_dry_run_says_what_would_happen_and_writes_nothing(hana, framework, org):

    before = AuditEvent.objects.count()
    result = people_import(
        by=hana, data=csv("ada,Ada,,staff-engineer,max", "erin,Erin,,,mona"), dry_run=True
    )
    assert result.dry_run
    assert result.created == ["ada"]
    assert result.updated == ["erin"]
    assert not Person.objects.filter(username="ada").exists()
    assert Person.objects.get(username="erin").manager == org["max"]
    assert AuditEvent.objects.count() == before
