"""Writes to the org chart. Only HR admins change roles, managers, the HR flag and who
is active; nobody but a superuser touches a superuser."""

from __future__ import annotations

import csv
import dataclasses
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction

from core import audit, derived
from people.models import Person, RoleChange
from people.signals import people_changed
from skills.models import Role

_UNSET = object()


def manager_error(person: Person, manager: Person) -> str | None:
    """Why `manager` cannot manage `person` (a cycle), or None."""
    if person.pk is None:
        return None
    if manager.pk == person.pk:
        return "A person cannot be their own manager."
    if Person.objects.below(person.pk).filter(pk=manager.pk).exists():
        return (
            f"{manager} reports to {person}; making them {person}'s manager would create a cycle."
        )
    return None


@transaction.atomic
def person_update(
    *,
    by: Person,
    person: Person,
    role: Role | object | None = _UNSET,
    manager: Person | object | None = _UNSET,
    target_role: Role | object | None = _UNSET,
    is_hr: bool | object = _UNSET,
    email: str | object = _UNSET,
) -> Person:
    """Set a person's role, manager, HR flag and email address (HR only) and target role
    (the person or HR).

    Arguments left out are not touched. Raises PermissionDenied or ValidationError
    (keyed by field) and writes nothing when any part is refused.
    """
    errors: dict[str, str] = {}
    hr_fields = [
        name
        for name, value in (
            ("role", role),
            ("manager", manager),
            ("HR flag", is_hr),
            ("email address", email),
        )
        if value is not _UNSET
    ]
    if hr_fields and not by.is_hr:
        raise PermissionDenied(f"Only HR admins may change {' and '.join(hr_fields)}.")
    if hr_fields:
        _refuse_superuser(by=by, person=person)
    if is_hr is False and person.pk == by.pk:
        errors["is_hr"] = (
            "You cannot remove your own HR flag: you would lose access to this page. "
            "Another HR admin can do it."
        )
    if target_role is not _UNSET and not (by.is_hr or by.pk == person.pk):
        raise PermissionDenied("Only the person or an HR admin may choose the target role.")

    if email is not _UNSET:
        email = str(email).strip()
        try:
            if email:
                validate_email(email)
        except ValidationError:
            errors["email"] = f'"{email}" is not an email address.'
    for field, value in (("role", role), ("target_role", target_role)):
        if isinstance(value, Role) and value.retired:
            errors[field] = f'Role "{value.key}" is retired.'
    if isinstance(manager, Person):
        lock_org_chart()
        if problem := manager_error(person, manager):
            errors["manager"] = problem
    if errors:
        raise ValidationError(errors)

    if manager is not _UNSET:
        person.manager = manager  # type: ignore[assignment]
    if target_role is not _UNSET:
        person.target_role = target_role  # type: ignore[assignment]
    if role is not _UNSET:
        # Its history now; the one save below writes the role with the rest.
        role_change(by=by, person=person, to_role=role, save=False)  # type: ignore[arg-type]
    if is_hr is not _UNSET:
        person.is_hr = bool(is_hr)
    if email is not _UNSET:
        person.email = str(email)
    person.save()
    return person


@transaction.atomic
def role_change(
    *,
    by: Person | None,
    person: Person,
    to_role: Role | None,
    case_id: int | None = None,
    save: bool = True,
) -> RoleChange | None:
    """The one place a person's role changes: sets it, clears the target role once
    reached (or once a promotion case, `case_id`, gives it), and writes the history
    (RoleChange: who, when, from, to, the case). None when the role is already
    `to_role`. Callers check who may (person_update: HR; a promotion case: HR's
    decision). `save=False` leaves saving the person to a caller that saves other
    fields too, so the audit trail has one line for the one change (people.receivers
    records role changes; a case's change also names the case and its decider)."""
    to_id = to_role.pk if to_role is not None else None
    if person.role_id == to_id:
        return None
    from_id = person.role_id
    person.role = to_role
    fields = ["role"]
    if person.target_role_id is not None and (
        person.target_role_id == to_id or case_id is not None
    ):
        person.target_role = None
        fields.append("target_role")
    if save:
        person.save(update_fields=fields)
    change = RoleChange.objects.create(
        person=person, from_role_id=from_id, to_role=to_role, changed_by=by, case_id=case_id
    )
    if case_id is not None:
        audit.record_on_commit(
            by=by,
            action="person.role",
            summary=(
                f"Changed {person}'s role to {to_role or 'no role'} (promotion case {case_id})."
            ),
            target=person.username,
        )
    return change


def role_history(person: Person) -> list[RoleChange]:
    """The person's role changes, newest first, with roles and who made each. One query."""
    return list(
        RoleChange.objects.filter(person=person)
        .select_related("from_role", "to_role", "changed_by")
        .order_by("-at", "-id")
    )


# Any fixed number: the advisory lock that orders every change of managers.
_ORG_CHART_LOCK = 0x6F7267  # "org"


def lock_org_chart() -> None:
    """Hold, until the transaction ends, the lock that every change of managers takes
    before it checks for cycles: two HR admins setting X over Y and Y over X at once
    would each see no cycle. SQLite runs one write transaction at a time already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ORG_CHART_LOCK])


def _refuse_superuser(*, by: Person, person: Person) -> None:
    # The admin's rule too: HR keeps the org chart, never the keys to a superuser.
    if person.is_superuser and not by.is_superuser:
        raise PermissionDenied("Only a superuser may change a superuser.")


def _require_hr(by: Person) -> None:
    if not (by.is_active and by.is_hr):
        raise PermissionDenied("Only HR admins may change who is active.")


@transaction.atomic
def person_deactivate(*, by: Person, person: Person) -> Person:
    """Deactivated people cannot log in and drop out of teams and reports; their
    assessments stay."""
    _require_hr(by)
    _refuse_superuser(by=by, person=person)
    if person.pk == by.pk:
        raise ValidationError(
            {
                "is_active": "You cannot deactivate yourself: you would be locked out. "
                "Another HR admin can do it."
            }
        )
    person.is_active = False
    person.save(update_fields=["is_active"])
    return person


@transaction.atomic
def person_reactivate(*, by: Person, person: Person) -> Person:
    """Active again (someone a SCIM client deleted is visible to SCIM again too:
    Person.save)."""
    _require_hr(by)
    _refuse_superuser(by=by, person=person)
    person.is_active = True
    person.save(update_fields=["is_active"])
    return person


# -- CSV import of people ----------------------------------------------------------------

PEOPLE_CSV_COLUMNS = ("username", "name", "email", "role", "manager")
PEOPLE_CSV_MAX_BYTES = 1_000_000
PEOPLE_CSV_MAX_ROWS = 5_000


def people_csv_max_size() -> str:
    """The size limit as people read it: "1 MB", "500 kB"."""
    size = PEOPLE_CSV_MAX_BYTES
    return f"{size // 1_000_000} MB" if size % 1_000_000 == 0 else f"{size // 1000} kB"


@dataclass
class PeopleImportResult:
    dry_run: bool = False
    created: list[str] = dataclasses.field(default_factory=list)
    updated: list[str] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)


@dataclass
class _Row:
    line: int
    username: str
    name: str
    email: str
    role: Role | None
    manager: str  # a username, of someone stored or of a row of the same file


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _read_people_csv(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line number, cells by column) for every non-blank line after the header."""
    if len(data) > PEOPLE_CSV_MAX_BYTES:
        raise _file_error(f"The file is larger than {people_csv_max_size()}.")
    if b"\x00" in data:
        raise _file_error("The file is not a CSV text file.")
    try:
        text = data.decode("utf-8-sig")  # a BOM (as spreadsheets write it) is dropped
    except UnicodeDecodeError:
        raise _file_error("The file is not UTF-8 text; save it as CSV UTF-8.") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise _file_error("The file is empty; it needs a header row.")
        names = [cell.strip().lower() for cell in header]
        missing = [c for c in PEOPLE_CSV_COLUMNS if c not in names]
        unknown = [c for c in names if c not in PEOPLE_CSV_COLUMNS]
        if missing or unknown or len(set(names)) != len(names):
            raise _file_error(
                "Line 1: the header row must name the columns "
                f"{','.join(PEOPLE_CSV_COLUMNS)}"
                + (f" (missing: {', '.join(missing)})" if missing else "")
                + (f" (unknown: {', '.join(unknown)})" if unknown else "")
                + "."
            )
        rows: list[tuple[int, dict[str, str]]] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are not people
            if len(rows) >= PEOPLE_CSV_MAX_ROWS:
                raise _file_error(f"The file has more than {PEOPLE_CSV_MAX_ROWS} people.")
            if len(cells) != len(names):
                rows.append((reader.line_num, {"": f"{len(cells)} columns, not {len(names)}"}))
                continue
            stripped = (cell.strip() for cell in cells)
            rows.append((reader.line_num, dict(zip(names, stripped, strict=True))))
    except csv.Error as exc:
        raise _file_error(f"Line {reader.line_num}: not valid CSV ({exc}).") from None
    if not rows:
        raise _file_error("The file has a header row but no people.")
    return rows


EMAIL_MAX = Person._meta.get_field("email").max_length or 254


def _roles_by_key_or_name() -> dict[str, Any]:
    """A role cell's meanings: each role by its key, and by its name casefolded (a list
    when several roles share a name, which the import refuses as ambiguous)."""
    found: dict[str, Any] = {}
    by_name: dict[str, list[Role]] = {}
    for role in Role.objects.all():
        found[role.key] = role
        by_name.setdefault(role.name.strip().casefold(), []).append(role)
    for name, named in by_name.items():
        found.setdefault(name, named[0] if len(named) == 1 else named)
    return found


def _check_people_rows(
    *, by: Person, read: list[tuple[int, dict[str, str]]]
) -> tuple[list[_Row], dict[str, Person], dict[str, int]]:
    """The rows, checked against each other and the database; every problem of every
    line is collected before anything is refused."""
    problems: list[str] = []
    usernames = [cells.get("username", "") for _, cells in read]
    in_file = {u for u in usernames if u}
    stored = {p.username: p for p in Person.objects.filter(username__in=in_file)}
    roles = _roles_by_key_or_name()
    manager_names = {cells["manager"] for _, cells in read if cells.get("manager")}
    managers = dict(Person.objects.filter(username__in=manager_names).values_list("username", "pk"))

    rows: list[_Row] = []
    first_line: dict[str, int] = {}
    for line, cells in read:
        said: list[str] = []
        if "" in cells:
            problems.append(f"Line {line}: {cells['']}.")
            continue
        username, email = cells["username"], cells["email"]
        if not username:
            said.append("username is missing")
        elif len(username) > 150 or not all(c.isalnum() or c in "@.+-_" for c in username):
            said.append(
                f'username "{username[:40]}" may hold only letters, digits and @ . + - _ '
                "(at most 150)"
            )
        elif username in first_line:
            said.append(f'username "{username}" is already on line {first_line[username]}')
        else:
            first_line[username] = line
            if (person := stored.get(username)) and person.is_superuser and not by.is_superuser:
                said.append(f'"{username}" is a superuser; only a superuser may change them')
        if len(cells["name"]) > 200:
            said.append("name is longer than 200 characters")
        if len(email) > EMAIL_MAX:
            said.append(f"email is longer than {EMAIL_MAX} characters")
        elif email:
            try:
                validate_email(email)
            except ValidationError:
                said.append(f'email "{email[:60]}" is not a valid email address')
        role = None
        if key := cells["role"]:
            found = roles.get(key) or roles.get(key.casefold())
            if found is None:
                said.append(f'role "{key}" is neither a role key nor a role name')
            elif isinstance(found, list):
                keys = ", ".join(sorted(r.key for r in found))
                said.append(f'role "{key}" names {len(found)} roles ({keys}): use the key')
            elif found.retired:
                said.append(f'role "{key}" is retired')
            else:
                role = found
        if (boss := cells["manager"]) and boss not in managers and boss not in in_file:
            said.append(f'manager "{boss}" is neither a stored username nor in this file')
        elif boss and boss == username:
            said.append("a person cannot be their own manager")
        if said:
            problems.append(f"Line {line}: {'; '.join(said)}.")
        else:
            rows.append(_Row(line, username, cells["name"], email, role, boss))

    if not problems:
        problems = _manager_cycles(rows)
    if problems:
        raise ValidationError({"file": problems})
    return rows, stored, managers


def _manager_cycles(rows: list[_Row]) -> list[str]:
    """A line for each row whose manager would, after the import, lead back to them."""
    chart = dict(Person.objects.values_list("username", "manager__username"))
    chart.update({row.username: row.manager for row in rows if row.manager})
    problems = []
    for row in rows:
        if not row.manager:
            continue
        chain, seen = [row.username], {row.username}
        boss: str | None = row.manager
        while boss and boss not in seen:
            chain.append(boss)
            seen.add(boss)
            boss = chart.get(boss)
        if boss == row.username:
            problems.append(
                f'Line {row.line}: manager "{row.manager}" would create a cycle '
                f"({' → '.join([*chain, row.username])})."
            )
    return problems


def _import_row(row: _Row, stored: dict[str, Person], result: PeopleImportResult) -> Person:
    """Create or update one person, everything but the manager (who may come later)."""
    person = stored.get(row.username)
    if person is None:
        person = Person(username=row.username, name=row.name, email=row.email, role=row.role)
        person.set_unusable_password()  # they log in once HR or an admin sets a password
        person.save()
        result.created.append(row.username)
        return person
    # A blank cell keeps what is stored: a file with a column left empty clears nothing.
    changes = {
        "name": row.name or person.name,
        "email": row.email or person.email,
        "role": row.role or person.role,
    }
    if any(getattr(person, k) != v for k, v in changes.items()):
        for k, v in changes.items():
            setattr(person, k, v)
        person.save(update_fields=[*changes])
        result.updated.append(row.username)
    else:
        result.unchanged.append(row.username)
    return person


def people_import(*, by: Person, data: bytes, dry_run: bool = False) -> PeopleImportResult:
    """Create or update people from a CSV file (header `username,name,email,role,manager`;
    `role` holds a role key or a role's name, `manager` a username, stored or defined in
    the same file).

    All or nothing: any bad line raises ValidationError({"file": ["Line N: ..."]}) with
    every bad line named, and nothing is written. A dry run does the whole import and
    rolls it back: its result is what the import would do.
    """
    if not (by.is_active and by.is_hr):
        raise PermissionDenied("Only HR admins may import people.")
    with transaction.atomic(), derived.discarded() if dry_run else derived.batch():
        result = _import_people(by=by, data=data)
        if dry_run:
            transaction.set_rollback(True)
        else:
            audit.record(
                by=by,
                action="people.import",
                summary=f"Imported people from CSV: created {len(result.created)}, "
                f"updated {len(result.updated)}, unchanged {len(result.unchanged)}.",
            )
    result.dry_run = dry_run
    return result


def _import_people(*, by: Person, data: bytes) -> PeopleImportResult:
    lock_org_chart()
    rows, stored, managers = _check_people_rows(by=by, read=_read_people_csv(data))
    result = PeopleImportResult()
    people = {}
    for row in rows:
        # A stored person's new role goes through role_change (its history), first.
        known = stored.get(row.username)
        new_role = known is not None and row.role is not None and known.role_id != row.role.pk
        if new_role:
            role_change(by=by, person=known, to_role=row.role)  # type: ignore[arg-type]
        people[row.username] = _import_row(row, stored, result)
        if new_role and row.username in result.unchanged:
            result.unchanged.remove(row.username)
            result.updated.append(row.username)

    managed = []
    for row in rows:
        if not row.manager:
            continue
        person = people[row.username]
        # Someone in the file wins over a stored person of that name: it is the same one.
        boss_pk = people[row.manager].pk if row.manager in people else managers[row.manager]
        if person.manager_id != boss_pk:
            person.manager_id = boss_pk
            managed.append(person)
            if row.username in result.unchanged:
                result.unchanged.remove(row.username)
                result.updated.append(row.username)
    Person.objects.bulk_update(managed, ["manager"])
    people_changed.send(sender=Person)  # bulk_update goes around save()
    return result
