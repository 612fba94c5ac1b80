"""The organisation: people, who manages whom, and the roles they hold or aim at."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.expressions import RawSQL
from django.utils import timezone

# Everyone below a person, at any depth. UNION (not UNION ALL) ends the recursion even
# if a cycle ever slipped into the data; services refuse cycles in the first place.
_SUBTREE_SQL = """
    WITH RECURSIVE subtree(id) AS (
        SELECT id FROM careermap_person WHERE manager_id = %s
        UNION
        SELECT p.id FROM careermap_person p JOIN subtree s ON p.manager_id = s.id
    )
    SELECT id FROM subtree
"""

# Everyone above a person: their manager, that manager's manager, and so on.
_CHAIN_SQL = """
    WITH RECURSIVE chain(id) AS (
        SELECT manager_id FROM careermap_person WHERE id = %s AND manager_id IS NOT NULL
        UNION
        SELECT p.manager_id FROM careermap_person p JOIN chain c ON p.id = c.id
        WHERE p.manager_id IS NOT NULL
    )
    SELECT id FROM chain
"""


# `person` if `manager` is anywhere above them: walks up from the person (as deep as the
# tree) instead of down the manager's whole subtree (as large as the subtree).
_BELOW_ONE_SQL = f"SELECT id FROM careermap_person WHERE id = %s AND %s IN ({_CHAIN_SQL})"


def _below(manager_id: int, person_id: int | None) -> RawSQL:
    """The ids below `manager_id`; with `person_id`, that one id if it is below."""
    if person_id is None:
        return RawSQL(_SUBTREE_SQL, [manager_id])
    return RawSQL(_BELOW_ONE_SQL, [person_id, manager_id, person_id])


def visible_ids(user: Person, person_id: int | None = None) -> RawSQL | None:
    """The one visibility rule, as SQL for the ids `user` may see: themselves and anyone
    below them; None when that is everyone (HR); nobody for an inactive user. With
    `person_id`, at most that id, found up the chain above that person (the depth of
    the tree) rather than down the user's whole subtree (its size). visible_to() and
    the raw statement behind the API's gaps both use it."""
    if not user.is_authenticated or not user.is_active:
        return RawSQL("SELECT id FROM careermap_person WHERE 1 = 0", [])
    if user.is_hr:
        return None
    below = _below(user.pk, person_id)
    if person_id is None:
        where, params = "id = %s OR id IN ({})", [user.pk]
    else:
        where, params = "id = %s AND (id = %s OR id IN ({}))", [person_id, user.pk]
    sql = "SELECT id FROM careermap_person WHERE " + where.format(below.sql)
    return RawSQL(sql, [*params, *below.params])


class PersonQuerySet(models.QuerySet["Person"]):
    def below(self, manager_id: int, *, person_id: int | None = None) -> PersonQuerySet:
        """Direct and indirect reports of `manager_id`, not the manager; with
        `person_id`, only that person (a lookup that costs the depth of the tree, not
        the size of the subtree)."""
        # filter(pk=) first, though the SQL checks the id too: Django turns an id past
        # any integer column into "no rows" before the raw SQL (SQLite would overflow).
        people = self if person_id is None else self.filter(pk=person_id)
        return people.filter(pk__in=_below(manager_id, person_id))

    def above(self, person_id: int) -> PersonQuerySet:
        """The management chain above `person_id`, not the person."""
        return self.filter(pk__in=RawSQL(_CHAIN_SQL, [person_id]))

    def visible_to(self, user: Person, *, person_id: int | None = None) -> PersonQuerySet:
        """The people `user` may see (visible_ids): themselves, anyone below, everyone
        for HR. With `person_id`, only that person if visible: for lookups of one."""
        # filter(pk=) first, as in below(): an id past any integer column is no one.
        people = self if person_id is None else self.filter(pk=person_id)
        if not user.is_authenticated or not user.is_active:
            return people.none()
        ids = visible_ids(user, person_id)
        return people if ids is None else people.filter(pk__in=ids)


class PersonManager(UserManager.from_queryset(PersonQuerySet)):  # type: ignore[misc]
    pass


class Person(AbstractUser):
    name = models.CharField(max_length=200, blank=True)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    role = models.ForeignKey(
        "skills.Role",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holders",
        help_text="The role the person holds now.",
    )
    target_role = models.ForeignKey(
        "skills.Role",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aspirants",
        help_text="The role the person aims at; chosen by the person.",
    )
    is_hr = models.BooleanField(
        "HR admin",
        default=False,
        help_text="HR admins see everyone and alone edit the framework and the org chart.",
    )

    objects = PersonManager()

    class Meta:
        verbose_name = "person"
        verbose_name_plural = "people"
        ordering = ["name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("pk")), name="person_not_own_manager"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name or self.username

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.username

    @property
    def gap_role_id(self) -> int | None:
        """The role gaps are measured against by default: target, else current."""
        return self.target_role_id or self.role_id

    def manages(self, person: Person) -> bool:
        """True if this person is anywhere above `person` in the org chart."""
        if person.pk == self.pk:
            return False
        if person.manager_id == self.pk:
            return True
        return Person.objects.above(person.pk).filter(pk=self.pk).exists()

    def has_reports(self) -> bool:
        return self.reports.exists()


class AuditEvent(models.Model):
    """One line of the audit trail: who did what, when. Written by careermap.audit.record."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The name at the time, kept when the person is gone (or never existed: a failed login).
    by_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=50, db_index=True)
    summary = models.TextField()
    target = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["action", "-at"], name="auditevent_action_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.by_name or '-'} {self.action}: {self.summary}"
