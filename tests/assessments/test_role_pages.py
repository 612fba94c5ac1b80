"""Role pages (issue 21): /roles/<key>/ for everyone, with what the role is, a typical
week, what changes, expectations with descriptors by category, archetype variants, who
holds it (active people, when the role shows them; HR switches it), and the viewer's
own gaps as the gap module has them; and GET /api/roles/{slug}/ with the same parts."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from assessments.gaps import gaps_for
from core.audit import audit_events
from skills.models import Role
from tests.factories import (
    CategoryFactory,
    ExpectationFactory,
    PersonFactory,
    RoleFactory,
    SkillFactory,
)
from tests.helpers import submit

pytestmark = pytest.mark.django_db


def expectation_rows(html: str) -> dict[str, list[str]]:
    """data-skill -> the cell texts of its row, across every category's table."""
    found = {}
    for key, row in re.findall(r'<tr data-skill="([^"]+)"[^>]*>(.*?)</tr>', html, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        found[key] = [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
    return found


@pytest.fixture
def world():
    craft = CategoryFactory(key="craft", name="Craft", order=1)
    people = CategoryFactory(key="people-cat", name="People things", order=2)
    design = SkillFactory(key="design", category=craft, levels={"3": "Designs a service."})
    mentoring = SkillFactory(key="mentoring", category=people, levels={"2": "Pairs weekly."})
    old = SkillFactory(key="old-skill", category=craft, retired=True)
    senior = RoleFactory(key="senior", name="Senior", level=3)
    staff = RoleFactory(
        key="staff",
        name="Staff",
        level=4,
        description="Leads across teams.",
        typical_week="About 20% code; the rest reviews and decisions.",
        changes="Scope moves from a team to several.",
    )
    senior.next_roles.add(staff)
    lead = RoleFactory(key="tech-lead", name="Tech lead", level=4, variant_of=staff)
    RoleFactory(key="gone-variant", name="Gone variant", level=4, variant_of=staff, retired=True)
    ExpectationFactory(role=staff, skill=design, level=3)
    ExpectationFactory(role=staff, skill=mentoring, level=2)
    ExpectationFactory(role=staff, skill=old, level=2)
    boss = PersonFactory(username="boss")
    ann = PersonFactory(username="ann", name="Ann Active", role=staff, manager=boss)
    PersonFactory(username="ida", name="Ida Inactive", role=staff, is_active=False)
    viewer = PersonFactory(username="vic", name="Vic Viewer", role=senior, manager=boss)
    hr = PersonFactory(username="hr", is_hr=True)
    submit(boss, viewer, "manager", {"design": 2, "mentoring": 2})
    return {"staff": staff, "lead": lead, "senior": senior, "ann": ann, "viewer": viewer, "hr": hr}


def test_the_page_shows_the_role_its_week_its_changes_and_its_expectations(client, world):
    client.force_login(world["viewer"])
    response = client.get("/roles/staff/")
    page = response.content.decode()
    assert response.status_code == 200
    for text in ("Leads across teams.", "About 20% code", "Scope moves from a team to several."):
        assert text in page
    # What changes names the role before it, which links to its own page.
    assert 'href="/roles/senior/"' in page
    # Expectations grouped by category, in category order, with descriptors at the level.
    assert page.index("<h3>Craft</h3>") < page.index("<h3>People things</h3>")
    assert "Designs a service." in page
    assert "Pairs weekly." in page
    # A retired skill is no expectation of the page.
    assert 'data-skill="old-skill"' not in page


def test_the_viewers_gaps_are_the_gap_modules(client, world):
    client.force_login(world["viewer"])
    page = client.get("/roles/staff/").content.decode()
    table = expectation_rows(page)
    gaps = {row.key: row for row in gaps_for(person=world["viewer"], role=world["staff"]).rows}
    assert set(table) == {"design", "mentoring"} == set(gaps)
    for key, cells in table.items():
        assert cells[-1] == str(gaps[key].gap)
        assert cells[-2] == str(gaps[key].current)
    assert gaps["design"].gap == 1  # expected 3, rated 2: the page does not hide a gap


def test_variants_and_the_role_they_vary(client, world):
    client.force_login(world["viewer"])
    parent = client.get("/roles/staff/").content.decode()
    assert 'href="/roles/tech-lead/"' in parent
    assert "Gone variant" not in parent  # retired
    variant = client.get("/roles/tech-lead/").content.decode()
    assert "an archetype variant of" in variant
    assert 'href="/roles/staff/"' in variant


def test_holders_are_active_people_only(client, world):
    client.force_login(world["viewer"])
    page = client.get("/roles/staff/").content.decode()
    assert "Ann Active" in page
    assert "Ida Inactive" not in page


def test_a_role_that_hides_its_holders_lists_nobody(client, world):
    Role.objects.filter(key="staff").update(show_holders=False)
    client.force_login(world["viewer"])
    page = client.get("/roles/staff/").content.decode()
    assert "Ann Active" not in page
    assert "does not list who holds this role" in page


def test_hr_switches_the_holders_on_the_role_page(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world["hr"])
    assert "Hide who holds it" in client.get("/roles/staff/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/roles/staff/holders/", {"show_holders": "off"})
    assert response.status_code == 302
    assert response["Location"] == "/roles/staff/"
    assert Role.objects.get(key="staff").show_holders is False
    assert audit_events(action="role.show_holders").count() == 1
    bad = client.post("/roles/staff/holders/", {"show_holders": "maybe"})
    assert bad.status_code == 302
    assert Role.objects.get(key="staff").show_holders is False  # nothing written
    client.post("/roles/staff/holders/", {"show_holders": "on"})
    assert Role.objects.get(key="staff").show_holders is True


def test_only_hr_switches_the_holders(client, world):
    client.force_login(world["ann"])
    assert "Hide who holds it" not in client.get("/roles/staff/").content.decode()
    assert client.post("/roles/staff/holders/", {"show_holders": "off"}).status_code == 404
    assert Role.objects.get(key="staff").show_holders is True


def test_unknown_and_retired_roles_are_404(client, world):
    client.force_login(world["viewer"])
    assert client.get("/roles/nope/").status_code == 404
    assert client.get("/roles/gone-variant/").status_code == 404


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get("/roles/staff/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_api_role_carries_the_page(world):
    api = APIClient()
    api.force_authenticate(world["viewer"])
    data = api.get("/api/roles/staff/").json()
    assert data["description"] == "Leads across teams."
    assert data["typical_week"].startswith("About 20% code")
    assert data["changes"] == "Scope moves from a team to several."
    assert data["variant_of"] is None
    assert data["variants"] == ["tech-lead"]  # the retired one left out
    assert data["show_holders"] is True
    assert data["holders"] == [{"id": world["ann"].pk, "name": "Ann Active"}]
    assert api.get("/api/roles/tech-lead/").json()["variant_of"] == "staff"
    Role.objects.filter(key="staff").update(show_holders=False)
    assert api.get("/api/roles/staff/").json()["holders"] is None


def test_the_api_list_carries_the_parts_too(world):
    api = APIClient()
    api.force_authenticate(world["viewer"])
    listed = {r["slug"]: r for r in api.get("/api/roles/").json()["results"]}
    assert listed["tech-lead"]["variant_of"] == "staff"
    assert [h["name"] for h in listed["staff"]["holders"]] == ["Ann Active"]


def test_the_default_framework_pages_render(client, org):
    """Every role of the shipped framework has a page (structure, not prose)."""
    client.force_login(org["erin"])
    for role in Role.objects.active():
        response = client.get(f"/roles/{role.key}/")
        assert response.status_code == 200, role.key
        assert role.name in response.content.decode()


# session, user, has reports (navigation), the role with its variant_of, its
# expectations (skills, categories), variants, previous roles, next roles, the gap
# numbers, the gaps' skills, holders. Messages read nothing.
PINNED_PAGE = 11


def test_the_page_query_count_is_pinned(client, world, django_assert_num_queries):
    client.force_login(world["viewer"])
    with django_assert_num_queries(PINNED_PAGE):
        assert client.get("/roles/staff/").status_code == 200


def test_role_pages_are_linked_from_paths_my_map_and_the_framework(client, org):
    erin = org["erin"]
    client.force_login(erin)
    paths = client.get("/paths/").content.decode()
    assert f'href="/roles/{erin.role.key}/"' in paths
    assert 'href="/paths/guide/"' in paths
    my_map = client.get("/map/").content.decode()
    assert f'href="/roles/{erin.role.key}/"' in my_map
    client.force_login(org["hana"])
    framework = client.get("/framework/").content.decode()
    assert f'href="/roles/{erin.role.key}/"' in framework
