"""core.htmx: one convention for every page: the page or its region, Vary: HX-Request,
errors swapped in with a 200."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from core.htmx import render_region, wants_region

HTMX = {"HX-Request": "true"}


def request(headers: dict[str, str] | None = None):
    made = RequestFactory().get("/", headers=headers or {})
    made.htmx = HtmxDetails(made)
    return made


def test_an_htmx_request_wants_the_region_and_a_history_restore_the_page():
    assert not wants_region(request())
    assert wants_region(request(HTMX))
    assert not wants_region(request({**HTMX, "HX-History-Restore-Request": "true"}))


@pytest.mark.django_db
def test_the_region_alone_for_htmx_and_vary_either_way(erin):
    context = {"person": erin, "errors": {}}
    page = render_region(request(), "assessments/growth.html", "plan", context)
    region = render_region(request(HTMX), "assessments/growth.html", "plan", context)
    assert "<html" in page.content.decode()
    assert "<html" not in region.content.decode()
    assert page["Vary"] == region["Vary"] == "HX-Request"


# Every page a person opens, as the persona who may open it.
PAGES = [
    ("erin", "/map/"),
    ("erin", "/assess/"),
    ("erin", "/paths/"),
    ("erin", "/history/"),
    ("erin", "/growth/"),
    ("max", "/team/"),
    ("mona", "/team/org/"),
    ("hana", "/framework/"),
    ("hana", "/framework/grid/"),
    ("hana", "/framework/import/"),
    ("hana", "/people/"),
    ("hana", "/reports/"),
    ("hana", "/audit/"),
]


@pytest.mark.parametrize(("username", "url"), PAGES)
def test_every_page_varies_on_hx_request(client, org, username, url):
    client.force_login(org[username])
    response = client.get(url)
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]


def test_a_refused_growth_write_swaps_the_plan_in_with_its_error(client, erin):
    client.force_login(erin)
    response = client.post("/growth/status/", {"status": "nonsense"}, headers=HTMX)
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    html = response.content.decode()
    assert "<html" not in html
    assert '<span class="error" role="alert">' in html  # beside the status field
