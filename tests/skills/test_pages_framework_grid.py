"""The expectation grid: skills x roles, each cell edited in place by htmx (with a page
of its own without it), validated against the scale, refused on a concurrent change,
and an impact preview before saving."""

# ruff: noqa: RUF001  (the multiplication sign and the dash are what the page shows)
from __future__ import annotations

import re

import pytest

from skills.models import Category, Expectation, Role, Skill
from tests.factories import ExpectationFactory, RoleFactory, SkillFactory
from tests.helpers import HTMX, submit

pytestmark = pytest.mark.django_db
CELL = "/framework/grid/staff-engineer/system-design/"

# The grid: session, user, scale, active roles, active skills with categories,
# expectations, has reports (the navigation, for Team).
PINNED_GRID = 7


@pytest.fixture
def as_hana(client, hana):
    client.force_login(hana)
    return client


@pytest.fixture
def staff(framework) -> Role:
    return framework["staff-engineer"]


def stored(role_key: str = "staff-engineer", skill_key: str = "system-design") -> int | None:
    found = Expectation.objects.filter(role__key=role_key, skill__key=skill_key).first()
    return found.level if found else None


def cell_of(html: str, role: str = "staff-engineer", skill: str = "system-design") -> str:
    match = re.search(rf'<td id="cell-{role}-{skill}".*?</td>', html, re.S)
    assert match, f"no cell {role} x {skill}"
    return match.group(0)


def rows_of(html: str) -> list[str]:
    """The skill keys of the grid's rows, in order."""
    return re.findall(r'<tr data-skill="([^"]+)">', html)


def columns_of(html: str) -> list[str]:
    """The role keys of the grid's columns, in order."""
    return re.findall(
        r'<th scope="col" class="role-head"><a href="/framework/roles/([^/"]+)/"', html
    )


def active_keys(model) -> set[str]:
    return set(model.objects.active().values_list("key", flat=True))


def test_the_grid_has_skills_as_rows_by_category_and_roles_as_columns(as_hana, staff):
    html = as_hana.get("/framework/grid/").content.decode()

    assert "<h1>Expectation grid</h1>" in html
    # A column for every active role, a row for every active skill, each once.
    columns, rows = columns_of(html), rows_of(html)
    assert html.count('<th scope="col" class="role-head">') == len(columns)
    assert sorted(columns) == sorted(active_keys(Role))
    assert sorted(rows) == sorted(active_keys(Skill))
    assert html.count('<tr class="category-row">') == Category.objects.count()
    cell = cell_of(html)
    assert f'<span class="cell-value">{stored()}</span>' in cell
    assert f'href="{CELL}"' in cell
    assert f'hx-get="{CELL}"' in cell
    assert "Staff Engineer × System design: edit" in cell


def test_a_cell_without_an_expectation_shows_blank(as_hana):
    html = as_hana.get("/framework/grid/").content.decode()
    assert '<span class="cell-value">–</span>' in cell_of(html, skill="managing-managers")


def test_opening_a_cell_by_htmx_swaps_in_a_labelled_form_carrying_the_level_seen(as_hana):
    html = as_hana.get(CELL, headers=HTMX).content.decode()

    assert html.lstrip().startswith('<td id="cell-staff-engineer-system-design"')
    assert re.search(
        r'<label for="level-staff-engineer-system-design"[^>]*>Staff Engineer × System design'
        r"</label>",
        html,
    )
    assert f'<input type="hidden" name="was" value="{stored()}">' in html
    assert 'hx-post="/framework/grid/staff-engineer/system-design/impact/"' in html
    assert 'hx-get="/framework/grid/staff-engineer/system-design/show/"' in html
    assert "<h1>" not in html


def test_the_cell_page_without_htmx_is_a_page_with_a_plain_form(as_hana):
    html = as_hana.get(CELL).content.decode()

    assert "<h1>Staff Engineer × System design</h1>" in html
    assert 'formaction="/framework/grid/staff-engineer/system-design/impact/"' in html
    assert "hx-post" not in html


def test_saving_a_valid_level_by_htmx_shows_it_in_the_cell(as_hana):
    response = as_hana.post(CELL, {"level": "5", "was": stored()}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<span class="cell-value">5</span>' in html
    assert "<form" not in html
    assert stored() == 5


def test_an_off_scale_level_shows_the_error_in_the_cell_and_saves_nothing(as_hana):
    was = stored()

    response = as_hana.post(CELL, {"level": "9", "was": was}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200  # so that htmx swaps the cell in
    assert html.lstrip().startswith('<td id="cell-staff-engineer-system-design"')
    assert 'class="cell editing invalid"' in html
    assert re.search(r'role="alert"[^>]*>Level 9 is not on the scale: choose 0 to 5', html)
    assert 'value="9"' in html  # what was typed stays to be corrected
    assert stored() == was


def test_a_level_that_is_not_a_number_is_refused_in_the_cell(as_hana):
    was = stored()
    html = as_hana.post(CELL, {"level": "lots", "was": was}, headers=HTMX).content.decode()
    assert "Level: Enter a whole number." in html
    assert stored() == was


def test_a_blank_level_removes_the_expectation(as_hana):
    html = as_hana.post(CELL, {"level": "", "was": stored()}, headers=HTMX).content.decode()
    assert '<span class="cell-value">–</span>' in html
    assert stored() is None


def test_two_edits_from_the_same_starting_level_the_second_is_a_conflict(client, org):
    was = stored()
    client.force_login(org["hana"])
    client.post(CELL, {"level": "5", "was": was}, headers=HTMX)

    html = client.post(CELL, {"level": "1", "was": was}, headers=HTMX).content.decode()

    assert "Changed by someone else to 5 since you opened it; reload to see it." in html
    assert 'role="alert"' in cell_of(html)
    assert stored() == 5


def test_saving_by_plain_post_redirects_to_the_grid_at_the_cell(as_hana):
    response = as_hana.post(CELL, {"level": "4", "was": stored()})

    assert response.status_code == 302
    assert response["Location"] == "/framework/grid/#cell-staff-engineer-system-design"
    assert stored() == 4


def test_an_off_scale_level_by_plain_post_shows_the_cell_page_with_the_error(as_hana):
    was = stored()
    html = as_hana.post(CELL, {"level": "-1", "was": was}).content.decode()

    assert "<h1>Staff Engineer × System design</h1>" in html
    assert "Level -1 is not on the scale" in html
    assert stored() == was


def test_cancel_puts_the_cell_back_by_htmx_and_plain_links_go_to_the_grid(as_hana):
    show = CELL + "show/"
    html = as_hana.get(show, headers=HTMX).content.decode()
    assert html.lstrip().startswith('<td id="cell-staff-engineer-system-design"')
    assert "<form" not in html
    assert as_hana.get(show)["Location"] == "/framework/grid/"


def test_retired_roles_and_skills_have_no_cell(as_hana):
    as_hana.post("/framework/skills/system-design/retire/")
    assert as_hana.get(CELL).status_code == 404
    rows = rows_of(as_hana.get("/framework/grid/").content.decode())
    assert "system-design" not in rows
    assert sorted(rows) == sorted(active_keys(Skill))


# --- Impact preview ------------------------------------------------------------------


@pytest.fixture
def erin_nearly_ready(erin, staff) -> int:
    """erin (aiming at Staff) meets every Staff expectation but system design, one below.
    Returns that one level."""
    levels = dict(staff.expectations.values_list("skill__key", "level"))
    levels["system-design"] -= 1
    submit(erin, erin, "self", levels)
    return levels["system-design"]


def test_the_impact_preview_names_who_becomes_ready_and_writes_nothing(as_hana, erin_nearly_ready):
    was = stored()

    response = as_hana.post(
        CELL + "impact/", {"level": str(erin_nearly_ready), "was": was}, headers=HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>" not in html
    # Measured against Staff Engineer: erin (target) and sam (current role).
    assert "1 of 2 people measured against Staff Engineer change readiness." in html
    assert re.search(r"Becomes ready: Erin \(\d+% → 100%\)\.", html)
    assert "Stops being ready: nobody." in html
    assert stored() == was


def test_the_impact_preview_names_who_stops_being_ready(as_hana, erin, staff):
    submit(erin, erin, "self", dict(staff.expectations.values_list("skill__key", "level")))

    html = as_hana.post(
        CELL + "impact/", {"level": "5", "was": stored()}, headers=HTMX
    ).content.decode()

    assert re.search(r"Stops being ready: Erin \(100% → \d+%\)\.", html)
    assert stored() != 5


def test_an_off_scale_preview_shows_the_error_and_writes_nothing(as_hana):
    was = stored()
    html = as_hana.post(CELL + "impact/", {"level": "9", "was": was}, headers=HTMX).content
    assert "Level 9 is not on the scale" in html.decode()
    assert stored() == was


def test_the_preview_without_htmx_shows_on_the_cell_page(as_hana, erin_nearly_ready):
    was = stored()
    html = as_hana.post(
        CELL + "impact/", {"level": str(erin_nearly_ready), "was": was}
    ).content.decode()

    assert "<h1>Staff Engineer × System design</h1>" in html
    assert "1 of 2 people measured against Staff Engineer change readiness." in html
    assert f'value="{erin_nearly_ready}"' in html  # the level previewed, ready to save
    assert stored() == was


# --- Query counts -------------------------------------------------------------------------


def test_the_grid_query_count_is_flat_as_the_framework_grows(
    as_hana, staff, django_assert_num_queries
):
    with django_assert_num_queries(PINNED_GRID):
        html = as_hana.get("/framework/grid/").content.decode()
    rows, columns = len(rows_of(html)), len(columns_of(html))
    category = Category.objects.first()
    roles = [
        RoleFactory(key=f"extra-role-{n}", variant_of=staff if n % 2 else None) for n in range(3)
    ]
    for n in range(40):
        skill = SkillFactory(key=f"extra-{n}", category=category)
        for role in roles:
            ExpectationFactory(role=role, skill=skill, level=2)

    with django_assert_num_queries(PINNED_GRID):
        html = as_hana.get("/framework/grid/").content.decode()
    assert len(rows_of(html)) == rows + 40 == Skill.objects.active().count()
    assert len(columns_of(html)) == columns + 3 == Role.objects.active().count()


# --- By keyboard (static/js/grid.js reads what the server says) ---------------------------


def test_the_grid_loads_its_keyboard_script_and_has_a_polite_live_region(as_hana):
    html = as_hana.get("/framework/grid/").content.decode()

    assert '<script src="/static/js/grid.js" defer></script>' in html
    assert re.search(
        r'<p id="grid-status" class="visually-hidden" role="status" aria-live="polite">', html
    )
    assert "data-announce" not in html
    assert " style=" not in html  # the CSP: nothing inline
    assert "<script>" not in html


def test_a_saved_cell_carries_what_to_announce(as_hana):
    response = as_hana.post(CELL, {"level": "4", "was": stored()}, headers=HTMX)
    assert 'data-announce="Saved: Staff Engineer, System design, 4"' in cell_of(
        response.content.decode()
    )

    response = as_hana.post(CELL, {"level": "", "was": "4"}, headers=HTMX)
    assert 'data-announce="Saved: Staff Engineer, System design, none"' in cell_of(
        response.content.decode()
    )


def test_a_cancelled_cell_carries_cancelled(as_hana):
    html = as_hana.get(CELL + "show/", headers=HTMX).content.decode()
    assert 'data-announce="Cancelled"' in cell_of(html)


def test_the_preview_swaps_in_without_scrolling_the_page(as_hana):
    html = as_hana.get(CELL, headers=HTMX).content.decode()
    assert 'hx-target="#impact" hx-swap="innerHTML"' in html
    assert "show:" not in html
    assert 'class="cell-cancel"' in html


def test_a_refused_save_announces_nothing_and_keeps_the_editor(as_hana):
    html = as_hana.post(CELL, {"level": "9", "was": stored()}, headers=HTMX).content.decode()
    assert "data-announce" not in html
    assert 'class="cell editing invalid"' in html
