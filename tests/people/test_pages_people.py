"""HR's People pages: the list (search, filters, pages), editing a person (role, manager,
HR flag, deactivation) and the CSV import. Everyone else gets 404."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people import services
from people.models import Person
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


def listed(html: str) -> list[str]:
    return re.findall(r'<tr data-person="([^"]+)"', html)


def row(html: str, username: str) -> str:
    return re.search(rf'<tr data-person="{username}"[^>]*>(.*?)</tr>', html, re.S).group(1)


def upload(text: str, name: str = "people.csv") -> dict:
    return {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")}


def add_people(count: int, manager: Person, role) -> None:
    password = make_password("demo")
    Person.objects.bulk_create(
        Person(
            username=f"extra{n:03}",
            name=f"Extra {n:03}",
            email=f"extra{n:03}@example.com",
            password=password,
            role=role,
            manager=manager,
        )
        for n in range(count)
    )


# -- who may open the pages ------------------------------------------------------------


def people_urls(org) -> list[tuple[str, str]]:
    erin = org["erin"].pk
    return [
        ("get", "/people/"),
        ("get", "/people/?q=erin"),
        ("get", "/people/import/"),
        ("post", "/people/import/"),
        ("get", f"/people/{erin}/"),
        ("post", f"/people/{erin}/"),
        ("post", f"/people/{erin}/deactivate/"),
        ("post", f"/people/{erin}/reactivate/"),
    ]


@pytest.mark.parametrize("who", ["erin", "max", "mona"])
def test_anyone_but_hr_gets_404_on_every_people_page(client, org, who):
    client.force_login(org[who])

    for method, url in people_urls(org):
        assert getattr(client, method)(url).status_code == 404, (method, url)

    erin = Person.objects.get(username="erin")
    assert (erin.is_active, erin.manager_id) == (True, org["max"].pk)


def test_an_anonymous_visitor_is_sent_to_log_in(client, org):
    for method, url in people_urls(org):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_hr_sees_everyone_with_role_manager_hr_and_status(client, hana, org):
    client.force_login(hana)

    response = client.get("/people/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1>") == 1
    assert "<h1>People</h1>" in html
    assert sorted(listed(html)) == sorted(org)
    erin = row(html, "erin")
    assert f'<a href="/people/{org["erin"].pk}/">Erin</a>' in erin
    assert "<td>erin</td>" in erin
    assert "<td>Senior Engineer</td>" in erin
    assert "<td>Max</td>" in erin
    assert "<td>Active</td>" in erin
    assert "HR admin" in row(html, "hana")
    assert 'aria-current="page">People</a>' in html
    assert '<link rel="stylesheet" href="/static/css/people.css">' in html


def test_the_navigation_shows_people_to_hr_only(client, org):
    client.force_login(org["hana"])
    assert '<a href="/people/"' in client.get("/", follow=True).content.decode()
    client.force_login(org["mona"])
    assert '<a href="/people/"' not in client.get("/", follow=True).content.decode()


# -- search and filters ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=eri", ["erin"]),  # username
        ("q=MONA", ["mona"]),  # name, any case
        ("q=sam%40example", ["sam"]),  # email
        ("role=engineering-manager", ["max", "mia"]),
        ("hr=yes", ["hana"]),
        ("q=m&role=engineering-manager", ["max", "mia"]),
        ("role=no-such-role", ["eli", "erin", "hana", "max", "mia", "mona", "sam"]),
    ],
)
def test_search_and_filters_narrow_the_list(client, hana, query, expected):
    client.force_login(hana)

    assert sorted(listed(client.get(f"/people/?{query}").content.decode())) == expected


def test_filter_by_manager_and_by_status(client, hana, org):
    Person.objects.filter(username="sam").update(is_active=False)
    client.force_login(hana)

    by_max = client.get(f"/people/?manager={org['max'].pk}").content.decode()
    inactive = client.get("/people/?active=no").content.decode()
    active = client.get("/people/?active=yes").content.decode()

    assert sorted(listed(by_max)) == ["erin", "sam"]
    assert listed(inactive) == ["sam"]
    assert "Deactivated" in row(inactive, "sam")
    assert "sam" not in listed(active)
    assert f'<option value="{org["max"].pk}" selected>' in by_max


def test_live_search_by_htmx_answers_the_results_only(client, hana):
    client.force_login(hana)

    response = client.get("/people/?q=erin", headers=HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="results"')
    assert "<h1>" not in html
    assert listed(html) == ["erin"]
    assert "HX-Request" in response["Vary"]


def test_the_search_form_works_without_javascript_and_wires_live_search(client, hana):
    client.force_login(hana)
    html = client.get("/people/").content.decode()

    assert re.search(
        r'<form class="people-filter" role="search" method="get" action="/people/"', html
    )
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    assert 'hx-target="#results"' in html
    for label in ("Search", "Role", "Manager", "Status", "HR admin"):
        assert re.search(rf'<label for="id_\w+">{label}</label>', html)


def test_pages_keep_the_filters(client, hana, org, framework):
    add_people(30, org["max"], framework["senior-engineer"])
    client.force_login(hana)

    first = client.get("/people/?role=senior-engineer").content.decode()
    second = client.get("/people/?role=senior-engineer&page=2").content.decode()

    assert len(listed(first)) == 25
    assert len(listed(second)) == 7  # 30 + erin + eli
    assert "32 people" in first
    assert 'href="?role=senior-engineer&amp;page=2"' in first
    assert "Page 2 of 2" in second


# -- editing a person ------------------------------------------------------------------


def test_hr_sets_role_and_manager(client, hana, org, framework):
    client.force_login(hana)
    erin = org["erin"]
    page = client.get(f"/people/{erin.pk}/").content.decode()
    assert "<h1>Erin</h1>" in page
    for label in ("Role", "Manager", "HR admin"):
        assert f">{label}</label>" in page

    response = client.post(
        f"/people/{erin.pk}/",
        {"role": framework["staff-engineer"].pk, "manager": org["mia"].pk},
        follow=True,
    )

    erin.refresh_from_db()
    assert response.redirect_chain[-1][0] == f"/people/{erin.pk}/"
    assert (erin.role.key, erin.manager.username) == ("staff-engineer", "mia")
    assert "Saved Erin." in response.content.decode()


def test_a_manager_that_makes_a_cycle_is_named_beside_the_field_and_nothing_is_written(
    client, hana, org
):
    client.force_login(hana)
    mona = org["mona"]

    response = client.post(
        f"/people/{mona.pk}/",
        {"role": mona.role_id, "manager": org["erin"].pk, "is_hr": "on"},
    )

    html = response.content.decode()
    mona.refresh_from_db()
    assert response.status_code == 200
    assert (mona.manager_id, mona.is_hr) == (None, False)
    field = re.search(r'<p class="field invalid">(.*?)</p>', html, re.S).group(1)
    assert 'for="id_manager"' in field
    assert (
        "Manager: Erin reports to Mona; making them Mona&#x27;s manager would create a cycle."
        in field
    )


def test_hr_grants_the_hr_flag_and_cannot_remove_their_own(client, hana, org):
    client.force_login(hana)
    erin = org["erin"]

    client.post(
        f"/people/{erin.pk}/", {"role": erin.role_id, "manager": erin.manager_id, "is_hr": "on"}
    )
    response = client.post(f"/people/{hana.pk}/", {})

    erin.refresh_from_db()
    hana.refresh_from_db()
    assert erin.is_hr
    assert hana.is_hr
    assert "HR admin: You cannot remove your own HR flag" in response.content.decode()


def test_hr_deactivates_someone_who_then_cannot_log_in_and_leaves_the_team(client, hana, org):
    erin = org["erin"]
    client.force_login(hana)

    response = client.post(f"/people/{erin.pk}/deactivate/", follow=True)

    erin.refresh_from_db()
    assert not erin.is_active
    assert "Erin is deactivated" in response.content.decode()
    assert "Reactivate Erin" in response.content.decode()
    client.logout()
    refused = client.post("/login/", {"username": "erin", "password": "demo"})
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
    client.force_login(org["max"])
    assert 'data-person="erin"' not in client.get("/team/").content.decode()

    client.force_login(hana)
    client.post(f"/people/{erin.pk}/reactivate/")
    erin.refresh_from_db()
    assert erin.is_active


def test_hr_cannot_deactivate_themselves(client, hana):
    client.force_login(hana)

    response = client.post(f"/people/{hana.pk}/deactivate/")

    hana.refresh_from_db()
    assert hana.is_active
    assert response.status_code == 200
    assert "You cannot deactivate yourself: you would be locked out." in response.content.decode()


def test_hr_cannot_open_or_change_a_superuser(client, hana, org):
    root = Person.objects.create_superuser("root", "root@example.com", "x", name="Root")
    client.force_login(hana)

    assert client.get(f"/people/{root.pk}/").status_code == 404
    assert client.post(f"/people/{root.pk}/deactivate/").status_code == 404
    assert client.post(f"/people/{root.pk}/", {"manager": org["mona"].pk}).status_code == 404
    root.refresh_from_db()
    assert (root.is_active, root.manager_id) == (True, None)
    assert "(superuser)" in row(client.get("/people/").content.decode(), "root")


def test_unknown_person_is_404(client, hana):
    client.force_login(hana)
    assert client.get("/people/999999/").status_code == 404


# -- import ------------------------------------------------------------------------------


def test_hr_imports_a_good_file_and_sees_the_counts(client, hana, org, framework):
    client.force_login(hana)
    data = (
        "username,name,email,role,manager\n"
        "ada,Ada Lovelace,ada@example.com,senior-engineer,grace\n"
        "grace,Grace Hopper,grace@example.com,engineering-manager,mona\n"
        "erin,Erin Renamed,,,\n"
    )

    response = client.post("/people/import/", upload(data))

    html = response.content.decode()
    assert "Created 2, updated 1, unchanged 0." in html
    assert "no password yet" in html
    assert Person.objects.get(username="ada").manager.username == "grace"


def test_a_bad_line_is_named_on_the_page_and_nothing_is_imported(client, hana, framework):
    client.force_login(hana)
    data = "username,name,email,role,manager\nada,Ada,,,\nbob,Bob,,no-such-role,\n"

    html = client.post("/people/import/", upload(data)).content.decode()

    assert "Nothing was imported" in html
    assert "Line 3: role &quot;no-such-role&quot; is neither a role key nor a role name" in html
    assert not Person.objects.filter(username__in=["ada", "bob"]).exists()


def test_a_file_that_is_not_csv_is_refused_beside_the_field(client, hana):
    client.force_login(hana)

    html = client.post("/people/import/", upload("hello", name="photo.png")).content.decode()
    empty = client.post("/people/import/", {}).content.decode()

    assert "CSV file: Choose a .csv file" in html
    assert "CSV file: This field is required." in empty
    assert Person.objects.count() == 7


def test_a_file_that_is_too_large_is_refused_before_it_is_read(client, hana, monkeypatch):
    monkeypatch.setattr(services, "PEOPLE_CSV_MAX_BYTES", 1000)
    client.force_login(hana)
    data = "username,name,email,role,manager\n" + "x,y,,,\n" * 200

    html = client.post("/people/import/", upload(data)).content.decode()

    assert "CSV file: The file is larger than 1 kB." in html


def test_the_import_page_explains_the_columns(client, hana):
    client.force_login(hana)

    html = client.get("/people/import/").content.decode()

    assert "<h1>Import people</h1>" in html
    assert "<code>username,name,email,role,manager</code>" in html
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="id_file">CSV file</label>' in html
    assert "A .csv file, UTF-8, at most 1 MB." in html


# -- queries -----------------------------------------------------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# The list's queries: session, user (2); count, the page of people with role and manager
# (2); those found who could be invited, counted (1); the filter's choices: roles,
# managers (2); the navigation's has_reports (1).
PEOPLE_QUERIES = 8
# A role and a manager in the filter: each value is looked up once (2 more).
FILTERED_QUERIES = PEOPLE_QUERIES + 2


def test_people_list_query_count_is_pinned_and_flat_for_5_or_50_people(
    client, hana, org, framework
):
    role = framework["senior-engineer"]
    client.force_login(hana)
    filtered = f"/people/?q=e&role=senior-engineer&manager={org['max'].pk}&active=yes&hr=no"
    add_people(5, org["max"], role)
    assert count_queries(client, "/people/") == PEOPLE_QUERIES
    assert count_queries(client, filtered) == FILTERED_QUERIES

    Person.objects.filter(username__startswith="extra").delete()
    add_people(50, org["max"], role)

    assert len(listed(client.get("/people/").content.decode())) == 25
    assert count_queries(client, "/people/") == PEOPLE_QUERIES
    assert count_queries(client, "/people/?page=2") == PEOPLE_QUERIES
    assert count_queries(client, filtered) == FILTERED_QUERIES


# The edit page: session, user (2); the person with role and manager (1); the role and
# manager choices (2); the navigation's has_reports (1); the role history (1).
EDIT_QUERIES = 7
# The import page: session, user (2); the roles to list (1); the navigation's
# has_reports (1).
IMPORT_QUERIES = 4


def test_edit_and_import_pages_query_counts_are_pinned(client, hana, org, framework):
    client.force_login(hana)
    assert count_queries(client, f"/people/{org['erin'].pk}/") == EDIT_QUERIES
    assert count_queries(client, "/people/import/") == IMPORT_QUERIES
    add_people(50, org["max"], framework["senior-engineer"])
    assert count_queries(client, f"/people/{org['erin'].pk}/") == EDIT_QUERIES


def test_the_import_page_lists_role_keys_and_names_and_offers_a_template(client, hana, framework):
    client.force_login(hana)
    html = client.get("/people/import/").content.decode()
    assert '<tr data-role="staff-engineer"><th scope="row">Staff Engineer</th>' in html
    assert 'href="/people/import/template.csv" download' in html
    assert 'name="dry_run" value="1">Check the file</button>' in html

    template = client.get("/people/import/template.csv")
    assert template["Content-Type"] == "text/csv; charset=utf-8"
    lines = template.content.decode().splitlines()
    assert lines[0] == "username,name,email,role,manager"
    assert len(lines) == 3
    # The template imports as it is (checked, so nothing is written).
    upload = SimpleUploadedFile("t.csv", template.content, content_type="text/csv")
    checked = client.post("/people/import/", {"file": upload, "dry_run": "1"}).content.decode()
    assert "The file is good: nothing imported yet" in checked
    assert "would create 2" in checked
    assert not Person.objects.filter(username__in=["ada", "alan"]).exists()


def test_a_checked_file_with_bad_lines_names_them_and_writes_nothing(client, hana, framework):
    client.force_login(hana)
    data = "username,name,email,role,manager\nada,Ada,,no-such-role,\nbob,Bob,,Staff Engineer,\n"
    upload = SimpleUploadedFile("p.csv", data.encode(), content_type="text/csv")
    html = client.post("/people/import/", {"file": upload, "dry_run": "1"}).content.decode()
    assert "The check found problems" in html
    assert "Line 2: role &quot;no-such-role&quot; is neither a role key nor a role name." in html
    assert not Person.objects.filter(username__in=["ada", "bob"]).exists()


def test_templates_and_checks_are_hr_only(client, org):
    client.force_login(org["max"])
    assert client.get("/people/import/template.csv").status_code == 404
