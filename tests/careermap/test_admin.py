"""The admin site, where HR admins (is_hr, not staff) keep the framework and the org chart."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.db.models import Model
from django.http import HttpResponse
from django.urls import reverse

from assessments.models import Assessment
from assessments.services import assessment_start, assessment_submit
from people.models import Person
from skills.models import Category, Expectation, Role, Scale, Skill


class _FormFields(HTMLParser):
    """What a browser would post from the form with the given id: name -> values."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields: dict[str, list[str]] = {}
        self._select: tuple[str, bool, list[str], list[str]] | None = None
        self._textarea: str | None = None

    def _add(self, name: str | None, value: str) -> None:
        if name:
            self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        elif not self.inside:
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self._add(a.get("name"), a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select = (a.get("name", ""), "multiple" in a, [], [])
        elif tag == "option" and self._select is not None:
            self._select[2].append(a.get("value", ""))
            if "selected" in a:
                self._select[3].append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a.get("name", "")
            self._add(self._textarea, "")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.fields[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the one newline that follows <textarea>.
            value = self.fields[self._textarea][-1]
            self.fields[self._textarea][-1] = value.removeprefix("\n")
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, multiple, options, selected = self._select
            for value in selected or ([] if multiple else options[:1]):
                self._add(name, value)
            self._select = None


def form_data(response: HttpResponse, form_id: str) -> dict[str, list[str]]:
    parser = _FormFields(form_id)
    parser.feed(response.content.decode())
    assert parser.fields, f"no form #{form_id} in the page"
    return parser.fields


def level_field(data: dict[str, list[str]], expectation: Expectation) -> str:
    """The inline field holding `expectation`'s level in the role change form."""
    (prefix,) = [
        name.removesuffix("-id")
        for name, values in data.items()
        if name.startswith("expectations-")
        and name.endswith("-id")
        and values == [str(expectation.pk)]
    ]
    return f"{prefix}-level"


def admin_url(obj_or_model: Model | type[Model], view: str) -> str:
    meta = obj_or_model._meta
    args = [obj_or_model.pk] if isinstance(obj_or_model, Model) else []
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


@pytest.fixture
def submitted(erin) -> Assessment:
    draft = assessment_start(
        by=erin, person=erin, kind="self", ratings=[{"skill": "system-design", "level": 3}]
    )
    return assessment_submit(by=erin, assessment=draft)


@pytest.fixture
def staff_system_design(framework) -> Expectation:
    return Expectation.objects.get(role__key="staff-engineer", skill__key="system-design")


@pytest.mark.parametrize("model", [Person, Scale, Category, Skill, Role, Assessment])
def test_hr_admin_opens_the_changelist_and_change_page_of_every_model(
    client, hana, submitted, model
):
    client.force_login(hana)
    obj = model.objects.order_by("pk").first()

    assert client.get(admin_url(model, "changelist")).status_code == 200
    assert client.get(admin_url(obj, "change")).status_code == 200


def test_role_change_page_shows_the_expectations_inline(client, hana, staff_system_design):
    client.force_login(hana)

    response = client.get(admin_url(staff_system_design.role, "change"))

    assert "expectations-TOTAL_FORMS" in response.content.decode()
    assert staff_system_design.skill.name in response.content.decode()


def test_hr_admin_logs_in_through_the_admin_login_form(client, hana):
    response = client.post("/admin/login/?next=/admin/", {"username": "hana", "password": "demo"})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


@pytest.mark.parametrize("path", ["/admin/", "/admin/skills/role/"])
def test_engineer_who_is_not_hr_is_sent_to_the_admin_login(client, erin, path):
    client.force_login(erin)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={path}"


def test_expectation_off_the_scale_is_refused_and_nothing_changes(
    client, hana, staff_system_design
):
    client.force_login(hana)
    url = admin_url(staff_system_design.role, "change")
    data = form_data(client.get(url), "role_form")
    data[level_field(data, staff_system_design)] = ["9"]

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Level 9 is not on the scale 0-5." in response.content.decode()
    staff_system_design.refresh_from_db()
    assert staff_system_design.level == 4


def test_expectation_on_the_scale_is_saved(client, hana, staff_system_design):
    client.force_login(hana)
    url = admin_url(staff_system_design.role, "change")
    data = form_data(client.get(url), "role_form")
    data[level_field(data, staff_system_design)] = ["5"]

    response = client.post(url, data)

    assert response.status_code == 302
    staff_system_design.refresh_from_db()
    assert staff_system_design.level == 5


def test_manager_cycle_is_refused_and_nothing_changes(client, hana, max_, erin, mona):
    client.force_login(hana)
    url = admin_url(max_, "change")
    data = form_data(client.get(url), "person_form")
    data["manager"] = [str(erin.pk)]

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Erin reports to Max" in response.content.decode()
    assert "would create a cycle" in response.content.decode()
    max_.refresh_from_db()
    assert max_.manager == mona


def test_assessment_admin_lists_only_submitted_assessments(client, hana, erin, submitted):
    draft = assessment_start(by=erin, person=erin, kind="self")
    client.force_login(hana)

    response = client.get(admin_url(Assessment, "changelist"))

    assert list(response.context["cl"].result_list) == [submitted]
    assert client.get(admin_url(draft, "change")).status_code == 302  # "doesn't exist"


def test_assessment_admin_offers_no_add_or_change(client, hana, submitted):
    client.force_login(hana)

    response = client.get(admin_url(submitted, "change"))

    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    assert client.get(admin_url(Assessment, "add")).status_code == 403
    assert client.post(admin_url(submitted, "change"), {}).status_code == 403


@pytest.mark.parametrize("model", [Skill, Role])
def test_skills_and_roles_cannot_be_deleted_through_the_admin(client, hana, model):
    client.force_login(hana)
    obj = model.objects.order_by("pk").first()

    assert client.get(admin_url(obj, "delete")).status_code == 403
    assert client.post(admin_url(obj, "delete"), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_person_admin_never_shows_the_password_hash_as_an_editable_field(client, hana, erin):
    client.force_login(hana)

    page = client.get(admin_url(erin, "change")).content.decode()

    assert 'name="password"' not in page
    assert erin.password not in page


def test_hr_cannot_change_a_superuser_or_their_password(client, hana):
    root = Person.objects.create_superuser("root", "root@example.com", "Root-pass-123")
    client.force_login(hana)

    page = client.get(admin_url(root, "change"))
    assert page.status_code == 200  # HR may look, read-only
    assert 'name="_save"' not in page.content.decode()
    assert client.post(admin_url(root, "change"), {"username": "mine"}).status_code == 403
    response = client.post(
        f"/admin/people/person/{root.pk}/password/",
        {"password1": "Hijacked-pass-99", "password2": "Hijacked-pass-99"},
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password("Root-pass-123")


def test_the_person_form_refuses_a_retired_role(client, hana, erin):
    Role.objects.filter(key="principal-engineer").update(retired=True)
    client.force_login(hana)
    url = admin_url(erin, "change")
    data = form_data(client.get(url), "person_form")
    data["target_role"] = [str(Role.objects.get(key="principal-engineer").pk)]

    response = client.post(url, data)

    assert response.status_code == 200
    assert "is retired" in response.content.decode()
    erin.refresh_from_db()
    assert erin.target_role.key == "staff-engineer"


def test_hr_cannot_set_anyones_password_in_the_admin(client, hana, erin):
    """Issue 23: HR setting a manager's password could then act as them. HR invites or
    sends a reset link instead; the password page is a 403 and nothing changes."""
    client.force_login(hana)
    assert client.get(f"/admin/people/person/{erin.pk}/password/").status_code == 403

    response = client.post(
        f"/admin/people/person/{erin.pk}/password/",
        {"password1": "Hijacked-pass-99", "password2": "Hijacked-pass-99"},
    )

    assert response.status_code == 403
    erin.refresh_from_db()
    assert erin.check_password("demo")
    change = client.get(admin_url(erin, "change")).content.decode()
    assert "/password/" not in change  # no link to a page HR cannot use


def test_hr_adds_a_person_without_a_password_and_a_superuser_sets_one_audited(client, hana):
    from core.models import AuditEvent

    client.force_login(hana)
    add = client.get("/admin/people/person/add/").content.decode()
    assert 'name="password1"' not in add

    response = client.post(
        "/admin/people/person/add/", {"username": "nora", "name": "Nora N", "email": "n@x.org"}
    )

    assert response.status_code == 302
    nora = Person.objects.get(username="nora")
    assert not nora.has_usable_password()

    root = Person.objects.create_superuser("root", "root@example.com", "Root-pass-123")
    client.force_login(root)
    done = client.post(
        f"/admin/people/person/{nora.pk}/password/",
        {"password1": "Nora-pass-2026!", "password2": "Nora-pass-2026!", "usable_password": "true"},
    )
    assert done.status_code == 302
    nora.refresh_from_db()
    assert nora.check_password("Nora-pass-2026!")
    line = AuditEvent.objects.get(action="password.set")
    assert (line.by, line.target) == (root, "nora")


# --- Hostile input (issue 23): a 200 with the error, or a 404, never a 500 -----------------


def test_an_empty_to_field_on_a_change_page_is_no_field_of_that_name(client, org):
    # Django's admin took `?_to_field=` for a field named "": FieldDoesNotExist, a 500.
    client.force_login(org["hana"])
    category = Category.objects.first()

    response = client.get(f"/admin/skills/category/{category.pk}/change/", {"_to_field": ""})

    assert response.status_code == 200


@pytest.mark.parametrize("manager", ["0001-01-01", "²", "[[1]]", str(10**30)])
def test_a_manager_that_is_no_id_is_refused_on_the_field(client, org, manager):
    # The autocomplete widget looked the posted value up to show it again: a ValueError.
    client.force_login(org["hana"])
    erin = org["erin"]

    response = client.post(
        f"/admin/people/person/{erin.pk}/change/",
        {"username": "erin", "name": "Erin", "email": "erin@example.com", "manager": manager},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    erin.refresh_from_db()
    assert erin.manager == org["max"]


@pytest.mark.parametrize("levels", ["7" * 5000, "[" * 5000 + "]" * 5000])
def test_json_past_pythons_limits_is_refused_on_the_field(client, org, levels):
    # Django's JSON form field caught only JSONDecodeError: an integer of 5,000 digits
    # (ValueError) or nesting past the recursion limit was a 500, on the skill's history
    # page (django-simple-history's revert form) as on its change page.
    client.force_login(org["hana"])
    skill = Skill.objects.get(key="system-design")
    record = skill.history.first()
    data = {"name": "Renamed", "key": "system-design", "levels": levels}

    for url in (
        f"/admin/skills/skill/{skill.pk}/change/",
        f"/admin/skills/skill/{skill.pk}/history/{record.history_id}/",
    ):
        response = client.post(url, {**data, "category": skill.category_id})

        assert response.status_code == 200, url
        assert "errorlist" in response.content.decode(), url
    skill.refresh_from_db()
    assert skill.name != "Renamed"
