"""Paths: the skills map (SVG), the roles closest first, and the gaps against a chosen
role, by plain link and by htmx."""

from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.charts import role_map
from assessments.gaps import gaps_for, paths_for
from skills.library import read, templates
from skills.models import Role
from skills.openformat import parse
from skills.services import framework_import
from tests.factories import ExpectationFactory, PersonFactory, RoleFactory, SkillFactory
from tests.helpers import HTMX
from tests.helpers import submit as submit_as

pytestmark = pytest.mark.django_db


# A page view: session, user, has reports (the navigation, for Team), the user's current role,
# roles, next roles of the current role, expectations, latest levels (paths_for),
# expectations and latest levels again (readiness for the current role), transitions.
PINNED_PAGE = 11
# The htmx partial: session, user, the chosen role, its expectations, latest levels.
PINNED_PARTIAL = 5


def submit(by, person, levels: dict[str, int]):
    """A self- or manager assessment (a manager's ratings carry a note: issue 17)."""
    return submit_as(by, person, "self" if by == person else "manager", levels)


@pytest.fixture
def rated(erin, max_):
    submit(erin, erin, {"system-design": 4, "mentoring": 3, "technical-depth": 4})
    submit(max_, erin, {"system-design": 2, "mentoring": 3})


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def svg_of(html: str) -> str:
    return re.search(r'<svg class="role-map".*?</svg>', html, re.S).group(0)


def boxes(html: str) -> dict[str, tuple[float, float, float, float]]:
    """role key -> (x, y, width, height) of its box in the map."""
    found = re.findall(
        r'data-role="([^"]+)">.*?<rect x="([\d.]+)" y="([\d.]+)" width="(\d+)" height="(\d+)"',
        svg_of(html),
        re.S,
    )
    return {key: tuple(float(n) for n in numbers) for key, *numbers in found}


def box_text(html: str, key: str) -> str:
    return re.search(rf'data-role="{key}">(.*?)</g>', svg_of(html), re.S).group(1)


def listed_roles(html: str) -> list[str]:
    return re.findall(r'<li class="path-item">\s*<a [^>]*>([^<]+)</a>', html)


def gap_table(html: str) -> list[tuple[str, int, int | None, int]]:
    rows = re.findall(
        r'<tr data-skill="([^"]+)">\s*<th scope="row">[^<]*</th>\s*<td>(\d+)</td>\s*'
        r'<td>([^<]+)</td>\s*<td><span class="badge[^"]*">(\d+)</span>',
        html,
    )
    return [(key, int(e), None if c == "not rated" else int(c), int(g)) for key, e, c, g in rows]


def expected_table(person, role) -> list[tuple[str, int, int | None, int]]:
    return [
        (r.skill.key, r.expected, r.current, r.gap) for r in gaps_for(person=person, role=role).rows
    ]


def default_moves() -> set[tuple[str, str]]:
    """(from role key, to role key) for every move the default framework names, read
    through the app's own parser."""
    document = parse(Path(settings.DEFAULT_FRAMEWORK_FILE).read_bytes())
    return {(role["key"], to) for role in document["roles"] for to in role.get("next_roles") or []}


def overlap(a, b) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def test_the_paths_page_draws_the_map_with_a_box_per_role_and_an_arrow_per_move(
    client, erin, rated
):
    client.force_login(erin)

    html = html_of(client.get("/paths/"))

    assert html.count("<h1>") == 1
    assert "<h1>Paths</h1>" in html
    svg = svg_of(html)
    assert 'role="img"' in svg
    assert 'aria-labelledby="map-svg-title map-svg-desc"' in svg
    assert '<title id="map-svg-title">' in svg
    assert '<desc id="map-svg-desc">' in svg
    active = set(Role.objects.active().values_list("key", flat=True))
    assert set(boxes(html)) == active
    # Every move of the default framework is stored, and each is drawn once.
    moves = default_moves()
    stored = Role.next_roles.through.objects.values_list("from_role__key", "to_role__key")
    assert set(stored) == moves
    assert svg.count('<path class="transition"') == len(moves)
    names = dict(Role.objects.values_list("key", "name"))
    for source, target in moves:
        assert f"<title>{names[source]} to {names[target]}</title>" in svg


def test_both_directions_of_a_two_way_move_are_drawn(client, erin):
    client.force_login(erin)

    svg = svg_of(html_of(client.get("/paths/")))

    assert "<title>Staff Engineer to Engineering Manager</title>" in svg
    assert "<title>Engineering Manager to Staff Engineer</title>" in svg
    paths = re.findall(r'<path class="transition" d="([^"]+)"', svg)
    assert len(set(paths)) == len(paths)  # two arrows, not one drawn twice


def test_the_map_marks_your_role_and_target_in_words_and_shows_readiness(
    client, erin, rated, framework
):
    client.force_login(erin)

    html = html_of(client.get("/paths/"))

    staff = gaps_for(person=erin, role=framework["staff-engineer"]).readiness
    senior = gaps_for(person=erin, role=framework["senior-engineer"]).readiness
    assert f"{round(staff * 100)}% ready (target)" in box_text(html, "staff-engineer")
    assert f"{round(senior * 100)}% ready (you)" in box_text(html, "senior-engineer")
    assert "(you)" not in box_text(html, "staff-engineer")
    assert "(target)" not in box_text(html, "principal-engineer")
    assert re.search(r"\d+% ready</text>", box_text(html, "principal-engineer"))


def test_reachable_roles_come_first_in_the_list(client, erin, rated):
    client.force_login(erin)

    html = html_of(client.get("/paths/"))

    expected = paths_for(person=erin)
    assert listed_roles(html) == [p.role.name for p in expected]
    # Senior's next roles (staff and its archetypes, management, the other track), then
    # the rest: roles that are not a move from senior.
    reachable = set(erin.role.next_roles.filter(retired=False).values_list("key", flat=True))
    assert {"staff-engineer", "engineering-manager"} <= reachable
    first = len(reachable)
    assert 0 < first < len(expected)
    assert {p.role.key for p in expected[:first]} == reachable
    assert all(p.reachable for p in expected[:first])
    assert not any(p.reachable for p in expected[first:])
    items = re.findall(r'<li class="path-item">(.*?)</li>', html, re.S)
    assert ["reachable from your role" in item for item in items] == [True] * first + [False] * (
        len(expected) - first
    )
    for item, path in zip(items, expected, strict=True):
        g = path.gaps
        assert (
            f'class="path-readiness"><span class="readiness">{round(path.readiness * 100)}%'
            f'</span> <span class="met">{g.met}/{len(g.rows)}</span></strong>'
        ) in item
        assert f'class="path-gap">{path.gaps.total_gap}</strong>' in item
    assert "your target" in items[[p.role.key for p in expected].index("staff-engineer")]


def test_choosing_a_role_by_a_plain_link_shows_the_gaps_against_it(client, erin, rated, framework):
    client.force_login(erin)
    html = html_of(client.get("/paths/"))
    assert 'href="/paths/?role=engineering-manager"' in html

    html = html_of(client.get("/paths/?role=engineering-manager"))

    assert "<h1>Paths</h1>" in html
    assert "Your gaps for Engineering Manager" in html
    table = gap_table(html)
    assert table == expected_table(erin, framework["engineering-manager"])
    assert any(current is not None for _, _, current, _ in table)
    gaps = gaps_for(person=erin, role=framework["engineering-manager"])
    assert (
        f'class="chosen-readiness"><span class="readiness">{round(gaps.readiness * 100)}%<'
    ) in html
    assert f'class="chosen-total">{gaps.total_gap}<' in html


def test_choosing_a_role_by_htmx_swaps_only_the_gaps(client, erin, rated, framework):
    client.force_login(erin)

    response = client.get("/paths/?role=staff-engineer", headers=HTMX)

    html = html_of(response)
    assert "<h1>" not in html
    assert html.strip().startswith('<section class="card" id="role-gaps"')
    assert gap_table(html) == expected_table(erin, framework["staff-engineer"])
    assert "HX-Request" in response["Vary"]


def test_your_own_role_can_be_chosen_too(client, erin, rated, framework):
    client.force_login(erin)

    html = html_of(client.get("/paths/?role=senior-engineer"))

    assert gap_table(html) == expected_table(erin, framework["senior-engineer"])


def test_every_htmx_link_is_also_a_plain_link_and_there_are_no_inline_scripts(client, erin):
    client.force_login(erin)

    html = html_of(client.get("/paths/"))

    links = re.findall(r'<a href="([^"]+)" hx-get="([^"]+)"', html)
    # Every other active role in the list, and your own.
    assert len(links) == Role.objects.active().count()
    assert all(href == get for href, get in links)
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert "hx-on" not in html
    assert "style=" not in html


@pytest.mark.parametrize("htmx", [False, True])
def test_an_unknown_or_retired_role_answers_404(client, erin, framework, htmx):
    Role.objects.filter(key="principal-engineer").update(retired=True)
    client.force_login(erin)
    headers = HTMX if htmx else {}

    assert client.get("/paths/?role=nope", headers=headers).status_code == 404
    assert client.get("/paths/?role=principal-engineer", headers=headers).status_code == 404


def test_retired_roles_are_not_shown(client, erin, framework):
    Role.objects.filter(key="principal-engineer").update(retired=True)
    client.force_login(erin)

    html = html_of(client.get("/paths/"))

    assert "Principal Engineer" not in html
    assert "principal-engineer" not in html
    assert set(boxes(html)) == set(Role.objects.active().values_list("key", flat=True))
    # The moves to and from principal are gone; every other move is still drawn.
    kept = {m for m in default_moves() if "principal-engineer" not in m}
    assert len(kept) < len(default_moves())
    assert svg_of(html).count('<path class="transition"') == len(kept)


def test_someone_without_a_role_sees_every_role_and_none_reachable(client, hana):
    client.force_login(hana)

    html = html_of(client.get("/paths/"))

    assert len(boxes(html)) == Role.objects.active().count()
    assert len(listed_roles(html)) == Role.objects.active().count()
    assert "reachable from your role</span>" not in html
    assert "(you)</text>" not in svg_of(html)
    assert "no current role yet" in html


def test_roles_sharing_a_track_and_level_sit_side_by_side_without_overlap(client, db):
    framework_import(document=parse(read("engineeringladders")))
    roles = {r.key: r for r in Role.objects.all()}
    person = PersonFactory(username="lee", role=roles["d4"], target_role=roles["tl5"])
    client.force_login(person)

    html = html_of(client.get("/paths/"))

    placed = boxes(html)
    assert set(placed) == set(roles)
    assert len(placed) == 18
    for a, b in combinations(placed.values(), 2):
        assert not overlap(a, b)
    assert placed["d4"][1] == placed["tl4"][1]  # the same level, the same row
    assert placed["d4"][0] != placed["tl4"][0]


@pytest.mark.parametrize("path", [t.path for t in templates()], ids=lambda p: p.stem)
def test_no_boxes_overlap_for_any_real_framework(db, path: Path):
    framework_import(document=parse(path.read_bytes()))
    roles = list(Role.objects.active())
    pairs = list(Role.next_roles.through.objects.values_list("from_role_id", "to_role_id"))

    drawn = role_map(roles, {r.pk: 0.5 for r in roles}, pairs, roles[0].pk if roles else None)

    if not roles:
        assert drawn is None
        return
    assert len(drawn.boxes) == len(roles)
    rects = [(b.x, b.y, b.width, b.height) for b in drawn.boxes]
    for a, b in combinations(rects, 2):
        assert not overlap(a, b)
    assert all(x >= 0 and x + w <= drawn.width and y + h <= drawn.height for x, y, w, h in rects)


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/paths/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/paths/"


def grow(erin, max_, framework, rounds: int, roles: int) -> None:
    """More submitted assessments for erin, and more roles (with transitions and
    skills of their own, every other one an archetype variant of staff) in the
    framework."""
    for n in range(rounds):
        submit(erin, erin, {"system-design": n % 6, "mentoring": (n + 1) % 6})
        submit(max_, erin, {"system-design": (n + 2) % 6})
    for n in range(roles):
        role = RoleFactory(
            key=f"extra-{n}",
            track=Role.Track.OTHER,
            level=1 + n % 3,
            variant_of=framework["staff-engineer"] if n % 2 else None,
        )
        role.next_roles.add(framework["staff-engineer"])
        framework["senior-engineer"].next_roles.add(role)
        for m in range(3):
            ExpectationFactory(role=role, skill=SkillFactory(key=f"extra-{n}-{m}"), level=2)


def count(client, url: str, headers=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, headers=headers or {}).status_code == 200
    return len(captured)


def test_the_paths_page_query_counts_are_pinned_and_flat(client, erin, max_, framework):
    grow(erin, max_, framework, rounds=1, roles=0)
    client.force_login(erin)
    urls = [("/paths/", None), ("/paths/?role=staff-engineer", None)]
    before = [count(client, url, headers) for url, headers in urls]
    partial_before = count(client, "/paths/?role=staff-engineer", HTMX)

    grow(erin, max_, framework, rounds=4, roles=6)

    # With a role chosen, its gaps come from paths_for: no more queries.
    assert before == [PINNED_PAGE] * 2
    assert partial_before == PINNED_PARTIAL
    assert [count(client, url, headers) for url, headers in urls] == before
    assert count(client, "/paths/?role=extra-3", HTMX) == partial_before
    # Every active role but erin's own, the six new ones among them.
    listed = listed_roles(html_of(client.get("/paths/")))
    assert len(listed) == Role.objects.active().exclude(pk=erin.role_id).count()
    assert {f"Extra {n}" for n in range(6)} <= set(listed)


def test_before_any_rating_paths_say_not_assessed_never_0_percent(client, erin, framework):
    client.force_login(erin)
    html = html_of(client.get("/paths/?role=engineering-manager"))
    items = re.findall(r'<li class="path-item">(.*?)</li>', html, re.S)
    assert items
    assert all("not assessed yet" in item for item in items)
    assert 'class="box-readiness">not assessed' in html
    assert 'class="chosen-readiness"><span class="readiness unassessed">not assessed yet<' in html
    assert "0%" not in html
