"""Review cycles' pages: HR's list, form, and a cycle's page with its progress, open and
close (plain posts and htmx), the CSV; a manager's view of their subtree; 404 for
everyone else; the to-dos on Home; query counts pinned."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.cycles import cycle_create, cycle_open, site_today
from assessments.models import Cycle, CycleParticipant
from tests.helpers import HTMX, add_people, rows, submit

pytestmark = pytest.mark.django_db

TODAY = site_today()


def draft(org, **changes) -> Cycle:
    values = {
        "name": "Winter review",
        "self_due": TODAY + timedelta(days=10),
        "manager_due": TODAY + timedelta(days=20),
        **changes,
    }
    return cycle_create(by=org["hana"], values=values)


def opened(org, **changes) -> Cycle:
    return cycle_open(by=org["hana"], cycle=draft(org, **changes))


def form(**changes):
    return {
        "name": "Spring review",
        "scope": "roles",
        "roles": ["senior-engineer"],
        "self_due": (TODAY + timedelta(days=10)).isoformat(),
        "feedback_due": "",
        "manager_due": (TODAY + timedelta(days=20)).isoformat(),
        "reminder_days": "7, 1",
        **changes,
    }


def test_hr_makes_a_cycle_through_the_form(client, org):
    client.force_login(org["hana"])
    page = client.get("/cycles/new/").content.decode()
    assert 'name="self_due"' in page
    assert 'value="7, 1"' in page
    response = client.post("/cycles/new/", form())
    cycle = Cycle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cycles/{cycle.pk}/"
    assert (cycle.name, cycle.scope, cycle.reminder_days) == ("Spring review", "roles", [7, 1])
    assert [r.key for r in cycle.scope_roles.all()] == ["senior-engineer"]
    html = client.get(f"/cycles/{cycle.pk}/").content.decode()
    assert "Open the cycle" in html
    assert "(2 people now)" in html


def test_the_form_names_each_bad_field_and_saves_nothing(client, org):
    client.force_login(org["hana"])
    response = client.post(
        "/cycles/new/",
        form(name="", roles=[], manager_due=TODAY.isoformat(), reminder_days="7, soon"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved" in html
    for error in ("name-error", "scope-error", "manager-due-error", "reminders-error"):
        assert f'id="{error}"' in html, error
    assert 'value="7, soon"' in html
    assert not Cycle.objects.exists()


def test_hr_edits_a_draft_and_an_open_cycles_dates_only(client, org):
    client.force_login(org["hana"])
    cycle = draft(org)
    client.post(f"/cycles/{cycle.pk}/edit/", form(name="Renamed", scope="everyone"))
    cycle.refresh_from_db()
    assert (cycle.name, cycle.scope) == ("Renamed", "everyone")
    cycle_open(by=org["hana"], cycle=cycle)
    page = client.get(f"/cycles/{cycle.pk}/edit/").content.decode()
    assert "its people are fixed" in page
    assert " disabled" in page
    later = (TODAY + timedelta(days=30)).isoformat()
    client.post(f"/cycles/{cycle.pk}/edit/", form(manager_due=later, scope="managers"))
    cycle.refresh_from_db()
    assert (cycle.scope, cycle.manager_due.isoformat()) == ("everyone", later)


def test_opening_and_closing_as_plain_posts(client, org):
    client.force_login(org["hana"])
    cycle = draft(org)
    response = client.post(f"/cycles/{cycle.pk}/open/", follow=True)
    html = response.content.decode()
    assert "Opened “Winter review”" in html
    assert Cycle.objects.get().status == "open"
    assert "Close the cycle" in html
    again = client.post(f"/cycles/{cycle.pk}/open/", follow=True).content.decode()
    assert "Only a draft cycle opens" in again
    client.post(f"/cycles/{cycle.pk}/close/")
    assert Cycle.objects.get().status == "closed"


def test_opening_and_closing_with_htmx_swap_the_main_region(client, org):
    client.force_login(org["hana"])
    cycle = draft(org)
    response = client.post(f"/cycles/{cycle.pk}/open/", headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="cycle-main"')
    assert "<h1>" not in html
    assert "Opened “Winter review”" in html
    assert "Progress per step" in html
    closed = client.post(f"/cycles/{cycle.pk}/close/", headers=HTMX).content.decode()
    assert "Closed “Winter review”" in closed
    refused = client.post(f"/cycles/{cycle.pk}/close/", headers=HTMX)
    assert refused.status_code == 200
    assert "Only an open cycle closes" in refused.content.decode()
    assert response["Vary"] == "HX-Request" or "HX-Request" in response["Vary"]


def test_the_progress_page_and_its_csv(client, org):
    cycle = opened(org, scope="managers", managers=[org["mona"].pk])
    submit(org["erin"], org["erin"], "self", {"mentoring": 3})
    Cycle.objects.filter(pk=cycle.pk).update(self_due=TODAY - timedelta(days=1))
    client.force_login(org["hana"])
    html = client.get(f"/cycles/{cycle.pk}/").content.decode()
    steps = rows(html, "others-table cycle-steps", "step")
    assert steps["self"][2:] == ["1", "0", "4", "4"]
    managers = rows(html, "others-table cycle-managers", "manager")
    assert managers[str(org["max"].pk)] == ["Max", "2", "1", "0", "0"]
    assert 'data-person="sam" data-step="self"' in html
    assert 'data-person="erin" data-step="self"' not in html
    response = client.get(f"/cycles/{cycle.pk}/progress.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_name = {line["username"]: line for line in lines}
    assert set(by_name) == {"max", "mia", "erin", "sam", "eli"}
    assert by_name["erin"]["self"] == "done"
    assert by_name["erin"]["manager"] == "max"
    assert by_name["sam"]["overdue"] == "self"


def test_a_manager_sees_their_subtree_only_and_no_buttons(client, org):
    cycle = opened(org)
    client.force_login(org["max"])
    assert client.get("/cycles/").status_code == 200
    html = client.get(f"/cycles/{cycle.pk}/").content.decode()
    assert "2 people of your team" in html
    assert "Open the cycle" not in html
    assert "Close the cycle" not in html
    assert "Edit" not in html
    lines = client.get(f"/cycles/{cycle.pk}/progress.csv").content.decode().splitlines()
    assert len(lines) == 3  # the header, erin and sam
    for url in ("/cycles/new/", f"/cycles/{cycle.pk}/edit/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/cycles/{cycle.pk}/close/").status_code == 404
    assert Cycle.objects.get().status == "open"


@pytest.mark.parametrize("who", ["erin", "eli"])
def test_engineers_and_outsiders_get_404_on_every_page(client, org, who):
    cycle = opened(org, scope="managers", managers=[org["max"].pk])
    client.force_login(org[who])
    for url in (
        "/cycles/",
        "/cycles/new/",
        f"/cycles/{cycle.pk}/",
        f"/cycles/{cycle.pk}/edit/",
        f"/cycles/{cycle.pk}/progress.csv",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/cycles/{cycle.pk}/close/").status_code == 404


def test_a_manager_outside_the_cycle_gets_404(client, org):
    cycle = opened(org, scope="managers", managers=[org["max"].pk])
    client.force_login(org["mia"])
    assert client.get(f"/cycles/{cycle.pk}/").status_code == 404


def test_hr_finds_cycles_in_the_navigation(client, org):
    client.force_login(org["hana"])
    assert 'href="/cycles/"' in client.get("/").content.decode()
    client.force_login(org["erin"])
    assert 'href="/cycles/"' not in client.get("/").content.decode()


def test_home_shows_the_cycle_todos(client, org):
    opened(org, scope="managers", managers=[org["mona"].pk])
    client.force_login(org["max"])
    html = client.get("/").content.decode()
    assert "Review cycle “Winter review”: your self-assessment is due" in html
    assert "Review cycle “Winter review”: your assessment of Erin is due" in html
    assert f'href="/team/{org["erin"].pk}/assess/">Start assessing Erin</a>' in html
    submit(org["max"], org["erin"], "manager", {"mentoring": 3})
    assert "your assessment of Erin" not in client.get("/").content.decode()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# The cycle's page, HR: session and user (2), the cycle (1), the cycle with its scope's
# roles and managers (3), the participants with their people, managers and step states
# (1), the navigation's has_reports (1).
CYCLE_PAGE_QUERIES = 8
# The list, HR: session and user (2), the cycles with their people counted (1), the
# navigation's has_reports (1).
LIST_QUERIES = 4
# Home for max with an open cycle: as pinned in test_pages_home.py (one query for the
# cycle to-dos, whatever their number).
HOME_QUERIES = 12


def test_query_counts_are_pinned_and_flat(client, org, framework):
    cycle = opened(org)
    client.force_login(org["hana"])
    page = f"/cycles/{cycle.pk}/"
    small = (_count(client, page), _count(client, "/cycles/"))
    client.force_login(org["max"])
    small_home = _count(client, "/")
    more = add_people(org["max"], 15, framework, "grown")
    CycleParticipant.objects.bulk_create(CycleParticipant(cycle=cycle, person=p) for p in more)
    client.force_login(org["hana"])
    large = (_count(client, page), _count(client, "/cycles/"))
    client.force_login(org["max"])
    assert small == large == (CYCLE_PAGE_QUERIES, LIST_QUERIES)
    assert small_home == _count(client, "/") == HOME_QUERIES
