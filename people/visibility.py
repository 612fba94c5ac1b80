"""Who may see whom: the one visibility module.

The rule: a person is visible to themselves, to every manager above them in the org
chart, and to HR; to nobody while the viewer is inactive. Everything that decides
visibility (pages, API, reports, navigation) asks this module, in one vocabulary:

- `visible_ids(user, person_id)`: the rule as SQL, for querysets and raw statements;
- `Person.objects.visible_to(user)`, `.below(manager_id)`, `.above(person_id)`;
- `get_report_or_404`: one person below the viewer, for the manager pages;
- `in_scope(user)`: whom reports cover (HR: everyone; a manager: their subtree);
- `manages`, `is_manager`, `manages_managers`, `may_see_reports`, `may_open_org_view`:
  the questions pages and navigation ask;
- `IsHROrManager` and `visible_people`: the same answers for DRF and django-filter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models.expressions import RawSQL
from django.http import Http404
from rest_framework import permissions

if TYPE_CHECKING:
    from people.models import Person

# The person table's name is the model's; these statements are written once, here.
_PERSON = "people_person"

# Everyone below a person, at any depth. UNION (not UNION ALL) ends the recursion even
# if a cycle ever slipped into the data; services refuse cycles in the first place.
SUBTREE_SQL = f"""
    WITH RECURSIVE subtree(id) AS (
        SELECT id FROM {_PERSON} WHERE manager_id = %s
        UNION
        SELECT p.id FROM {_PERSON} p JOIN subtree s ON p.manager_id = s.id
    )
    SELECT id FROM subtree
"""

# Everyone above a person: their manager, that manager's manager, and so on.
CHAIN_SQL = f"""
    WITH RECURSIVE chain(id) AS (
        SELECT manager_id FROM {_PERSON} WHERE id = %s AND manager_id IS NOT NULL
        UNION
        SELECT p.manager_id FROM {_PERSON} p JOIN chain c ON p.id = c.id
        WHERE p.manager_id IS NOT NULL
    )
    SELECT id FROM chain
"""

# `person` if `manager` is anywhere above them: walks up from the person (as deep as the
# tree) instead of down the manager's whole subtree (as large as the subtree).
_BELOW_ONE_SQL = f"SELECT id FROM {_PERSON} WHERE id = %s AND %s IN ({CHAIN_SQL})"


def below_ids(manager_id: int, person_id: int | None = None) -> RawSQL:
    """The ids below `manager_id`; with `person_id`, that one id if it is below."""
    if person_id is None:
        return RawSQL(SUBTREE_SQL, [manager_id])
    return RawSQL(_BELOW_ONE_SQL, [person_id, manager_id, person_id])


def visible_ids(user: Any, person_id: int | None = None) -> RawSQL | None:
    """The rule, as SQL for the ids `user` may see: themselves and anyone below them;
    None when that is everyone (HR); nobody for an inactive user. With `person_id`, at
    most that id, found up the chain above that person (the depth of the tree) rather
    than down the user's whole subtree (its size)."""
    if not user.is_authenticated or not user.is_active:
        return RawSQL(f"SELECT id FROM {_PERSON} WHERE 1 = 0", [])
    if user.is_hr:
        return None
    below = below_ids(user.pk, person_id)
    if person_id is None:
        where, params = "id = %s OR id IN ({})", [user.pk]
    else:
        where, params = "id = %s AND (id = %s OR id IN ({}))", [person_id, user.pk]
    sql = f"SELECT id FROM {_PERSON} WHERE " + where.format(below.sql)
    return RawSQL(sql, [*params, *below.params])


class VisibilityQuerySet(models.QuerySet):
    """Person.objects' queryset: the rule applied to querysets."""

    def below(self, manager_id: int, *, person_id: int | None = None) -> VisibilityQuerySet:
        """Direct and indirect reports of `manager_id`, not the manager; with
        `person_id`, only that person (a lookup that costs the depth of the tree, not
        the size of the subtree)."""
        # filter(pk=) first, though the SQL checks the id too: Django turns an id past
        # any integer column into "no rows" before the raw SQL (SQLite would overflow).
        people = self if person_id is None else self.filter(pk=person_id)
        return people.filter(pk__in=below_ids(manager_id, person_id))

    def above(self, person_id: int) -> VisibilityQuerySet:
        """The management chain above `person_id`, not the person."""
        return self.filter(pk__in=RawSQL(CHAIN_SQL, [person_id]))

    def visible_to(self, user: Any, *, person_id: int | None = None) -> VisibilityQuerySet:
        """The people `user` may see: themselves, anyone below, everyone for HR. With
        `person_id`, only that person if visible: for lookups of one."""
        # filter(pk=) first, as in below(): an id past any integer column is no one.
        people = self if person_id is None else self.filter(pk=person_id)
        if not user.is_authenticated or not user.is_active:
            return people.none()
        ids = visible_ids(user, person_id)
        return people if ids is None else people.filter(pk__in=ids)


def _people() -> Any:
    return get_user_model().objects  # Person's manager (this module is below the model)


def get_report_or_404(user: Person, pk: int) -> Person:
    """An active person anywhere below `user`; 404 for anyone else (themselves, peers, a
    peer manager's team, people above). The manager pages use this."""
    report = (
        _people()
        .below(user.pk, person_id=pk)
        .filter(is_active=True)
        .select_related("role", "target_role", "manager")
        .first()
    )
    if report is None:
        raise Http404("No such report.")
    return report


def in_scope(user: Person) -> VisibilityQuerySet:
    """Whom reports cover: every active person for HR; for a manager, their subtree."""
    people = _people().filter(is_active=True)
    return people if user.is_hr else people.below(user.pk)


def manages(user: Person, person: Person) -> bool:
    """True if `user` is anywhere above `person` in the org chart."""
    if person.pk == user.pk:
        return False
    if person.manager_id == user.pk:
        return True
    return bool(_people().above(person.pk).filter(pk=user.pk).exists())


def is_manager(user: Person) -> bool:
    """True if someone reports to `user`. One query."""
    return bool(_people().filter(manager=user).exists())


def manages_managers(user: Person) -> bool:
    """True if someone who reports to `user` has active reports of their own. One query."""
    return bool(_people().filter(is_active=True, manager__manager=user).exists())


def may_see_reports(user: Person) -> bool:
    """Reports (per skill, calibration) are for HR and managers."""
    return bool(user.is_hr) or is_manager(user)


def may_open_org_view(user: Person) -> bool:
    return bool(user.is_hr) or manages_managers(user)


class IsHROrManager(permissions.BasePermission):
    message = "Reports are for HR admins and managers."

    def has_permission(self, request: Any, view: Any) -> bool:
        return may_see_reports(request.user)


def visible_people(request: Any) -> VisibilityQuerySet:
    """For filters: a person the caller cannot see is as good as nonexistent."""
    if request is None:
        return _people().none()
    return _people().visible_to(request.user)
