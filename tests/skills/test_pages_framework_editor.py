"""The framework editor for HR: the overview, categories, skills, roles, retire and
restore, change history. Everyone else gets 404 on every URL."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessments.gaps import gaps_for
from skills.models import Category, Role, Skill
from skills.selectors import role_history, skill_history
from skills.services import expectation_set
from tests.factories import RoleFactory, SkillFactory
from tests.helpers import submit

pytestmark = pytest.mark.django_db

# Every URL of the editor and the grid, GET and POST ones alike.
URLS = [
    ("get", "/framework/"),
    ("get", "/framework/grid/"),
    ("get", "/framework/grid/staff-engineer/system-design/"),
    ("post", "/framework/grid/staff-engineer/system-design/"),
    ("get", "/framework/grid/staff-engineer/system-design/show/"),
    ("post", "/framework/grid/staff-engineer/system-design/impact/"),
    ("get", "/framework/new/category/"),
    ("post", "/framework/new/category/"),
    ("get", "/framework/categories/communication/"),
    ("post", "/framework/categories/communication/"),
    ("get", "/framework/new/skill/"),
    ("post", "/framework/new/skill/"),
    ("get", "/framework/skills/mentoring/"),
    ("post", "/framework/skills/mentoring/"),
    ("post", "/framework/skills/mentoring/retire/"),
    ("post", "/framework/skills/mentoring/restore/"),
    ("get", "/framework/skills/mentoring/history/"),
    ("get", "/framework/new/role/"),
    ("post", "/framework/new/role/"),
    ("get", "/framework/roles/staff-engineer/"),
    ("post", "/framework/roles/staff-engineer/"),
    ("post", "/framework/roles/staff-engineer/retire/"),
    ("post", "/framework/roles/staff-engineer/restore/"),
    ("get", "/framework/roles/staff-engineer/history/"),
]

# The overview: session, user, categories, skills with categories, roles, scale, has
# reports (the navigation, for Team).
PINNED_OVERVIEW = 7


def listed(html: str, item: str) -> list[str]:
    """The keys of the skills (item "skill") or roles ("role") the overview lists."""
    return re.findall(rf'<(?:li|tr) data-{item}="([^"]+)"', html)


def keys(queryset) -> list[str]:
    return sorted(queryset.values_list("key", flat=True))


@pytest.fixture
def as_hana(client, hana):
    client.force_login(hana)
    return client


@pytest.mark.parametrize("who", ["erin", "max", "mona"])
@pytest.mark.parametrize(("method", "url"), URLS)
def test_anyone_but_hr_gets_404_on_every_url_and_nothing_changes(client, org, who, method, url):
    client.force_login(org[who])
    before = sorted(Skill.objects.values_list("key", "name", "retired"))

    response = getattr(client, method)(url, {"name": "Hacked", "level": "1"})

    assert response.status_code == 404
    assert sorted(Skill.objects.values_list("key", "name", "retired")) == before
    assert not Role.objects.filter(retired=True).exists()


def test_anonymous_visitors_are_sent_to_log_in(client, framework):
    response = client.get("/framework/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_hr_sees_the_framework_link_in_the_navigation(as_hana):
    html = as_hana.get("/framework/").content.decode()
    assert re.search(r'<a href="/framework/" aria-current="page">Framework</a>', html)


def test_the_overview_lists_categories_skills_roles_and_links_to_every_tool(as_hana):
    html = as_hana.get("/framework/").content.decode()

    assert "<h1>Framework</h1>" in html
    assert 'id="category-communication"' in html
    # Every skill and every role of the framework, each once.
    assert sorted(listed(html, "skill")) == keys(Skill.objects.all())
    assert sorted(listed(html, "role")) == keys(Role.objects.all())
    assert html.count('<tr data-role="') == Role.objects.count()
    for href in (
        "/framework/grid/",
        "/framework/import/",
        "/framework/new/category/",
        "/framework/new/skill/",
        "/framework/new/role/",
        "/framework/roles/staff-engineer/history/",
        "/framework/skills/mentoring/history/",
    ):
        assert f'href="{href}"' in html


def test_the_overview_shows_retired_items_apart_with_restore(as_hana, hana):
    as_hana.post("/framework/skills/hiring/retire/")
    as_hana.post("/framework/roles/principal-engineer/retire/")

    html = as_hana.get("/framework/").content.decode()
    retired = html.split('id="retired-title"')[1]
    assert 'data-skill="hiring"' in retired
    assert 'action="/framework/skills/hiring/restore/"' in retired
    assert 'action="/framework/roles/principal-engineer/restore/"' in retired
    active = html.split('id="retired-title"')[0]
    # The active skills and roles above, the retired ones apart: each listed once.
    assert sorted(listed(active, "skill")) == keys(Skill.objects.active())
    assert sorted(listed(retired, "skill")) == ["hiring"]
    assert sorted(listed(active, "role")) == keys(Role.objects.active())
    assert sorted(listed(retired, "role")) == ["principal-engineer"]


def test_the_overview_query_count_is_flat_as_the_framework_grows(
    as_hana, django_assert_num_queries
):
    with django_assert_num_queries(PINNED_OVERVIEW):
        html = as_hana.get("/framework/").content.decode()
    skills_before, roles_before = len(listed(html, "skill")), len(listed(html, "role"))
    category = Category.objects.first()
    staff = Role.objects.get(key="staff-engineer")
    for n in range(40):
        SkillFactory(key=f"extra-{n}", category=category)
    for n in range(3):
        RoleFactory(key=f"extra-role-{n}", variant_of=staff if n % 2 else None)

    with django_assert_num_queries(PINNED_OVERVIEW):
        html = as_hana.get("/framework/").content.decode()
    assert len(listed(html, "skill")) == skills_before + 40
    assert len(listed(html, "role")) == roles_before + 3


# --- Categories ---------------------------------------------------------------------------


def test_hr_creates_a_category(as_hana):
    response = as_hana.post(
        "/framework/new/category/",
        {"key": "ethics", "name": "Ethics", "kind": "soft", "description": "", "order": "9"},
    )

    assert response.status_code == 302
    category = Category.objects.get(key="ethics")
    assert (category.name, category.kind, category.order) == ("Ethics", "soft", 9)


def test_editing_a_category_keeps_its_key(as_hana):
    as_hana.post(
        "/framework/categories/communication/",
        {"key": "renamed", "name": "Talking", "kind": "soft", "description": "d", "order": "3"},
    )

    category = Category.objects.get(key="communication")
    assert (category.name, category.description, category.order) == ("Talking", "d", 3)
    assert not Category.objects.filter(key="renamed").exists()


def test_a_category_with_a_taken_key_is_refused_beside_the_key(as_hana):
    html = as_hana.post(
        "/framework/new/category/",
        {"key": "communication", "name": "Dup", "kind": "soft", "order": "1"},
    ).content.decode()

    assert re.search(r'role="alert">A category &quot;communication&quot; exists already', html)
    assert Category.objects.get(key="communication").name != "Dup"


# --- Skills -----------------------------------------------------------------------------


def skill_data(**extra) -> dict[str, str]:
    data = {
        "key": "negotiation",
        "name": "Negotiation",
        "category": "communication",
        "description": "Reaching agreements.",
        "how_to_grow": "Practise.",
        **{f"level_{n}": "" for n in range(6)},
    }
    data.update(extra)
    return data


def test_the_skill_form_has_one_labelled_descriptor_per_level_of_the_scale(as_hana):
    html = as_hana.get("/framework/skills/mentoring/").content.decode()

    for level, label in enumerate(["None", "Aware", "Developing", "Proficient", "Advanced"]):
        assert f'<label for="id_level_{level}">{level} · {label}</label>' in html
    assert 'for="id_level_6"' not in html
    assert re.search(r'<input[^>]*name="key"[^>]*disabled', html)


def test_hr_creates_a_skill_with_descriptors(as_hana):
    response = as_hana.post(
        "/framework/new/skill/", skill_data(level_1="Knows the basics", level_4="Leads deals")
    )

    assert response.status_code == 302
    skill = Skill.objects.get(key="negotiation")
    assert skill.levels == {"1": "Knows the basics", "4": "Leads deals"}
    assert (skill.category.key, skill.how_to_grow) == ("communication", "Practise.")


def test_a_skill_key_cannot_change_after_creation(as_hana):
    as_hana.post("/framework/skills/mentoring/", skill_data(key="other", name="Coaching"))

    assert Skill.objects.get(key="mentoring").name == "Coaching"
    assert not Skill.objects.filter(key="other").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"category": "nope"}, "category", "Select a valid choice."),
        ({"key": "bad key"}, "key", "Enter a valid “slug”"),
        ({"key": "mentoring"}, "key", "A skill &quot;mentoring&quot; exists already."),
    ],
)
def test_a_bad_skill_is_refused_beside_its_field_and_nothing_is_written(
    as_hana, data, field, message
):
    count = Skill.objects.count()

    response = as_hana.post("/framework/new/skill/", skill_data(**data))

    html = response.content.decode()
    assert response.status_code == 200
    field_html = html.split(f'for="id_{field}"')[1].split("</p>")[0]
    assert message in field_html
    assert Skill.objects.count() == count


# --- Roles ------------------------------------------------------------------------------


def role_data(**extra) -> dict:
    data = {"key": "architect", "name": "Architect", "track": "ic", "level": "4", "summary": "S"}
    data.update(extra)
    return data


def test_hr_creates_a_role_with_next_roles(as_hana):
    response = as_hana.post("/framework/new/role/", role_data(next_roles=["principal-engineer"]))

    assert response.status_code == 302
    role = Role.objects.get(key="architect")
    assert (role.track, role.level, role.summary) == ("ic", 4, "S")
    assert [r.key for r in role.next_roles.all()] == ["principal-engineer"]


def test_editing_a_role_keeps_its_expectations(as_hana, framework):
    staff = framework["staff-engineer"]
    before = sorted(staff.expectations.values_list("skill__key", "level"))

    as_hana.post(
        "/framework/roles/staff-engineer/",
        role_data(key="staff-engineer", name="Staff", level="3", next_roles=[]),
    )

    staff.refresh_from_db()
    assert (staff.name, staff.level) == ("Staff", 3)
    assert not staff.next_roles.exists()
    assert sorted(staff.expectations.values_list("skill__key", "level")) == before


def test_the_role_form_offers_active_roles_as_labelled_checkboxes(as_hana):
    html = as_hana.get("/framework/roles/staff-engineer/").content.decode()

    boxes = re.findall(r'<input type="checkbox" name="next_roles" value="([\w-]+)"', html)
    assert "staff-engineer" not in boxes
    assert "principal-engineer" in boxes
    assert '<label for="id_next_roles_0">' in html


def test_a_role_with_a_bad_level_is_refused_beside_the_level(as_hana):
    html = as_hana.post("/framework/new/role/", role_data(level="x")).content.decode()

    assert "Enter a whole number." in html.split('for="id_level"')[1].split("</p>")[0]
    assert not Role.objects.filter(key="architect").exists()


# --- Retire and restore ------------------------------------------------------------------


def test_a_retired_skill_leaves_new_assessments_and_gaps_and_stays_in_the_past(client, hana, erin):
    submit(erin, erin, "self", {"system-design": 3, "mentoring": 2})
    client.force_login(hana)

    client.post("/framework/skills/system-design/retire/")

    assert Skill.objects.get(key="system-design").retired
    assert "system-design" not in {r.skill.key for r in gaps_for(person=erin).rows}
    client.force_login(erin)
    form = client.get("/assess/", {"all": "1"}).content.decode()
    assert 'id="skill-system-design"' not in form
    assert 'id="skill-mentoring"' in form
    past = client.get("/history/").content.decode()
    assert "System design (retired)" in past

    client.force_login(hana)
    client.post("/framework/skills/system-design/restore/")

    assert "system-design" in {r.skill.key for r in gaps_for(person=erin).rows}
    client.force_login(erin)
    assert 'id="skill-system-design"' in client.get("/assess/", {"all": "1"}).content.decode()


def test_a_retired_role_leaves_the_grid_and_comes_back_when_restored(as_hana, framework):
    as_hana.post("/framework/roles/principal-engineer/retire/")
    grid = as_hana.get("/framework/grid/").content.decode()
    assert "/framework/roles/principal-engineer/" not in grid
    assert framework["principal-engineer"].expectations.exists()  # kept intact

    as_hana.post("/framework/roles/principal-engineer/restore/")
    grid = as_hana.get("/framework/grid/").content.decode()
    assert "/framework/roles/principal-engineer/" in grid


def test_retire_and_restore_show_in_the_history_of_the_skill(as_hana, hana):
    as_hana.post("/framework/skills/hiring/retire/")
    as_hana.post("/framework/skills/hiring/restore/")

    changes = skill_history(Skill.objects.get(key="hiring"))
    assert [c.changes for c in changes[:2]] == [
        [{"field": "retired", "old": True, "new": False}],
        [{"field": "retired", "old": False, "new": True}],
    ]
    assert changes[0].by == "hana"


# --- History pages --------------------------------------------------------------------


def test_the_role_history_page_shows_who_when_and_old_to_new(as_hana, hana, framework):
    staff = framework["staff-engineer"]
    was = staff.expectations.get(skill__key="system-design").level
    expectation_set(
        by=hana, role=staff, skill=Skill.objects.get(key="system-design"), level=5, was=was
    )

    html = as_hana.get("/framework/roles/staff-engineer/history/").content.decode()

    assert "<h1>History of Staff Engineer</h1>" in html
    latest = html.split('class="card change"')[1]
    assert re.search(r"\d{1,2} \w{3} \d{4}, \d{2}:\d{2}</time> by hana", latest)
    assert re.search(
        rf'expectations.system-design</span>:\s*<span class="old">{was}</span>\s*'
        r'→ <span class="new">5</span>',
        latest,
    )
    assert len(role_history(staff)) == html.count('class="card change"')


def test_the_skill_history_page_shows_descriptor_changes_by_level(as_hana):
    as_hana.post("/framework/new/skill/", skill_data(level_1="Knows the basics"))
    as_hana.post("/framework/skills/negotiation/", skill_data(level_1="Knows the basics well"))

    html = as_hana.get("/framework/skills/negotiation/history/").content.decode()

    latest = html.split('class="card change"')[1]
    assert re.search(
        r'levels.1</span>:\s*<span class="old">Knows the basics</span>\s*'
        r'→ <span class="new">Knows the basics well</span>',
        latest,
    )


def test_history_of_an_unknown_role_is_404(as_hana):
    assert as_hana.get("/framework/roles/nope/history/").status_code == 404


def test_a_skill_whose_key_is_new_can_be_edited(client, hana):
    client.force_login(hana)
    created = client.post(
        "/framework/new/skill/",
        {"key": "new", "name": "New ways", "category": "technical-craft"},
    )
    assert created.status_code == 302, created.content.decode()[:2000]

    page = client.get("/framework/skills/new/").content.decode()

    assert 'value="New ways"' in page
