"""The format's second-edition fields (skill grow_to; role description, typical_week,
changes, variant_of): optional, validated, and round-tripping through import and export."""

from __future__ import annotations

import json

import pytest

from skills.models import Role, Skill
from skills.openformat import FrameworkInvalid, dump, export, parse
from skills.services import framework_import
from tests.helpers import framework_snapshot

pytestmark = pytest.mark.django_db

DOCUMENT = {
    "format": "careermap/1",
    "scale": {"min": 0, "max": 3},
    "skills": [
        {
            "key": "design",
            "name": "Design",
            "category": "Craft",
            "levels": {0: "None yet at all.", 1: "Some of it.", 2: "Most of it.", 3: "All of it."},
            "grow_to": {3: "Lead a design review.", 1: "Read a design doc.", 2: "Write one."},
        }
    ],
    "roles": [
        {
            "key": "lead",
            "name": "Lead",
            "track": "ic",
            "level": 2,
            "description": "Leads.",
            "typical_week": "Meetings, mostly.",
            "changes": "More people, less code.",
            "variant_of": "staff",
            "expectations": {"design": 3},
        },
        {"key": "staff", "name": "Staff", "track": "ic", "level": 2},
    ],
}


def errors_of(document) -> list[str]:
    with pytest.raises(FrameworkInvalid) as caught:
        framework_import(document=document)
    return [str(e) for e in caught.value.errors]


def test_the_new_fields_are_stored():
    framework_import(document=DOCUMENT)
    skill = Skill.objects.get(key="design")
    assert skill.grow_to == {
        "1": "Read a design doc.",
        "2": "Write one.",
        "3": "Lead a design review.",
    }
    lead = Role.objects.get(key="lead")
    assert (lead.description, lead.typical_week, lead.changes) == (
        "Leads.",
        "Meetings, mostly.",
        "More people, less code.",
    )
    assert lead.variant_of == Role.objects.get(key="staff")
    assert Role.objects.get(key="staff").variant_of is None


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_they_round_trip_through_export_into_a_fresh_framework(fmt):
    framework_import(document=DOCUMENT)
    exported = export()
    assert exported["skills"][0]["grow_to"] == {
        1: "Read a design doc.",
        2: "Write one.",
        3: "Lead a design review.",
    }
    lead = next(r for r in exported["roles"] if r["key"] == "lead")
    assert lead["variant_of"] == "staff"
    assert lead["typical_week"] == "Meetings, mostly."
    snapshot = framework_snapshot()
    text = dump(exported, fmt)

    Role.objects.all().delete()
    Skill.objects.all().delete()
    framework_import(document=parse(text))
    assert framework_snapshot() == snapshot
    again = framework_import(document=parse(text), dry_run=True)
    assert not again.changed


def test_a_document_without_them_imports_unchanged_and_exports_without_them():
    plain = json.loads(json.dumps(DOCUMENT))
    del plain["skills"][0]["grow_to"]
    for field in ("description", "typical_week", "changes", "variant_of"):
        del plain["roles"][0][field]
    framework_import(document=plain)
    assert Skill.objects.get(key="design").grow_to == {}
    assert Role.objects.get(key="lead").variant_of is None
    exported = export()
    assert "grow_to" not in exported["skills"][0]
    assert not {"description", "typical_week", "changes", "variant_of"} & set(exported["roles"][0])


def test_a_change_of_variant_and_page_text_is_reviewed_in_a_dry_run():
    framework_import(document=DOCUMENT)
    changed = json.loads(json.dumps(DOCUMENT))
    changed["roles"][0]["variant_of"] = None
    changed["roles"][0]["typical_week"] = "Code, mostly."
    changed["skills"][0]["grow_to"]["2"] = "Write two."
    result = framework_import(document=changed, dry_run=True)
    shown = {str(c) for c in result.changes}
    assert "Lead · variant of: Staff → none" in shown
    assert "Lead · typical week changed" in shown
    assert "Design · ways to grow per step changed" in shown
    assert Role.objects.get(key="lead").variant_of is not None  # a dry run writes nothing
    framework_import(document=changed)
    assert Role.objects.get(key="lead").variant_of is None
    assert Skill.objects.get(key="design").grow_to["2"] == "Write two."


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["roles"][0].update(variant_of="nobody"),
            'roles[0].variant_of: unknown role "nobody"',
        ),
        (
            lambda d: d["roles"][0].update(variant_of="lead"),
            "roles[0].variant_of: a role cannot be a variant of itself",
        ),
        (
            lambda d: d["roles"][0].update(variant_of=["staff"]),
            "roles[0].variant_of: expected string, got list",
        ),
        (
            lambda d: d["skills"][0]["grow_to"].update({"0": "Start."}),
            "skills[0].grow_to.0: level 0 is the lowest level: there is no step to it",
        ),
        (
            lambda d: d["skills"][0]["grow_to"].update({"4": "Beyond."}),
            "skills[0].grow_to.4: level 4 is outside the scale 0-3",
        ),
        (
            lambda d: d["skills"][0]["grow_to"].update({"two": "Hm."}),
            "skills[0].grow_to.two: a level must be a whole number",
        ),
        (
            lambda d: d["skills"][0].update(grow_to="Grow."),
            "skills[0].grow_to: expected mapping, got string",
        ),
        (
            lambda d: d["roles"][0].update(typical_week=5),
            "roles[0].typical_week: expected string, got integer",
        ),
    ],
)
def test_bad_values_are_errors_with_their_path_and_write_nothing(change, expected):
    document = json.loads(json.dumps(DOCUMENT))
    change(document)
    assert expected in errors_of(document)
    assert not Skill.objects.exists()
    assert not Role.objects.exists()
