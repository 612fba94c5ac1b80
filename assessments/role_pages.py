"""The role page (issue 21), for everyone: what the role is, a typical week, what
changes from the role before it, the expectations with their descriptors grouped by
category, the archetype variants, who holds the role today when the installation shows
it, and the viewer's own gaps (read from the gap module, never recomputed). Lives in
assessments because it needs people (holders) and gaps."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from assessments.gaps import GapRow, Gaps, gaps_for
from core.audit import record_on_commit
from people.models import Person
from skills.models import Category, Expectation, Role


def active_holders() -> QuerySet[Person]:
    """Who holds a role today: active people only."""
    return Person.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


def roles_with_page() -> QuerySet[Role]:
    """Roles with what the page and the API show, prefetched: next roles, expectations
    (with skills), the role it is a variant of, its active variants, its active holders
    (`shown_holders`, read only when the role shows them)."""
    return (
        Role.objects.with_links()
        .select_related("variant_of")
        .prefetch_related(
            Prefetch("variants", Role.objects.active().order_by("name")),
            Prefetch("holders", active_holders(), to_attr="shown_holders"),
        )
    )


def holders_of(role: Role) -> list[Person] | None:
    """The active people holding `role`, or None when the role does not show them."""
    if not role.show_holders:
        return None
    found = getattr(role, "shown_holders", None)
    return list(found) if found is not None else list(active_holders().filter(role=role))


@dataclass
class ExpectationRow:
    expectation: Expectation
    descriptor: str
    gap: GapRow | None


@dataclass
class CategoryRows:
    category: Category
    rows: list[ExpectationRow] = field(default_factory=list)


@dataclass
class RolePage:
    role: Role
    parent: Role | None  # the role this one is a variant of (active)
    variants: list[Role]
    previous: list[Role]  # the roles that lead to this one
    next: list[Role]
    categories: list[CategoryRows]
    holders: list[Person] | None
    gaps: Gaps


def role_page(*, role_key: str, gaps_of: Gaps | None = None, viewer: Person) -> RolePage:
    """The page of the active role `role_key` (404 otherwise) for `viewer`: their own
    gaps against it come from the gap module (`gaps_of` given by the caller, or read)."""
    role = (
        Role.objects.active()
        .select_related("variant_of")
        .prefetch_related(
            Prefetch(
                "expectations",
                Expectation.objects.filter(skill__retired=False)
                .select_related("skill__category")
                .order_by("skill__category__order", "skill__category__name", "skill__name"),
            ),
            Prefetch("variants", Role.objects.active().order_by("name")),
            Prefetch("previous_roles", Role.objects.active()),
            Prefetch("next_roles", Role.objects.active()),
        )
        .filter(key=role_key)
        .first()
    )
    if role is None:
        raise Http404("No such role.")
    gaps = gaps_of if gaps_of is not None else gaps_for(person=viewer, role=role)
    by_key = {row.key: row for row in gaps.rows}
    categories: list[CategoryRows] = []
    for expectation in role.expectations.all():
        skill = expectation.skill
        if not categories or categories[-1].category.pk != skill.category_id:
            categories.append(CategoryRows(skill.category))
        categories[-1].rows.append(
            ExpectationRow(expectation, skill.descriptor(expectation.level), by_key.get(skill.key))
        )
    parent = role.variant_of if role.variant_of and not role.variant_of.retired else None
    return RolePage(
        role=role,
        parent=parent,
        variants=list(role.variants.all()),
        previous=list(role.previous_roles.all()),
        next=list(role.next_roles.all()),
        categories=categories,
        holders=holders_of(role),
        gaps=gaps,
    )


@transaction.atomic
def role_show_holders_set(*, by: Person, role: Role, show: bool) -> Role:
    """HR: whether the role page lists who holds the role today (an installation's
    choice, not part of the framework file)."""
    role.show_holders = show
    role.save(update_fields=["show_holders"])  # with its history line
    record_on_commit(
        by=by,
        action="role.show_holders",
        summary=f"{'Showed' if show else 'Hid'} who holds {role.name} on its page",
        target=role.key,
    )
    return role
