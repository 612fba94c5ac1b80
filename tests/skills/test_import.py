"""The open format through the real import service, with real frameworks nobody here wrote."""

from __future__ import annotations

import json

import pytest
import yaml

from skills.library import read, templates
from skills.models import Category, Expectation, Role, Scale, Skill
from skills.openformat import FrameworkInvalid, dump, export, parse
from skills.services import framework_import
from tests.helpers import framework_snapshot

REAL_FRAMEWORKS = [t.name for t in templates()]


def load(name: str) -> dict:
    return parse(read(name))


def errors_of(document) -> list[str]:
    with pytest.raises(FrameworkInvalid) as caught:
        framework_import(document=document)
    return [str(e) for e in caught.value.errors]


def test_the_real_frameworks_are_all_here():
    assert REAL_FRAMEWORKS == [
        "direct",
        "engineeringladders",
        "ft-engineering",
        "unidays",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("name", REAL_FRAMEWORKS)
def test_each_real_framework_imports_cleanly_into_an_empty_database(name):
    document = load(name)

    result = framework_import(document=document)

    assert Skill.objects.count() == len(document["skills"])
    assert Role.objects.count() == len(document["roles"] or [])
    assert len(result.created["skills"]) == len(document["skills"])
    expected_expectations = sum(len(r.get("expectations", {})) for r in document["roles"] or [])
    assert Expectation.objects.count() == expected_expectations
    scale = Scale.current()
    assert (scale.minimum, scale.maximum) == (document["scale"]["min"], document["scale"]["max"])


@pytest.mark.django_db
@pytest.mark.parametrize("name", REAL_FRAMEWORKS)
def test_export_then_reimport_changes_nothing(name):
    framework_import(document=load(name))
    before = framework_snapshot()
    exported = dump(export())

    result = framework_import(document=parse(exported))

    assert framework_snapshot() == before
    assert not result.changed
    assert export() == parse(exported)


@pytest.mark.django_db
@pytest.mark.parametrize("name", REAL_FRAMEWORKS)
def test_an_export_rebuilds_the_same_framework_in_a_fresh_database(name):
    framework_import(document=load(name))
    before = framework_snapshot()
    exported_yaml, exported_json = dump(export(), "yaml"), dump(export(), "json")

    for exported in (exported_yaml, exported_json):
        Expectation.objects.all().delete()
        Role.objects.all().delete()
        Skill.objects.all().delete()
        Category.objects.all().delete()
        Scale.objects.all().delete()
        framework_import(document=parse(exported))
        assert framework_snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", REAL_FRAMEWORKS)
def test_importing_the_same_file_twice_leaves_everything_unchanged(name):
    framework_import(document=load(name))

    result = framework_import(document=load(name))

    assert not result.changed
    assert len(result.unchanged["skills"]) == len(load(name)["skills"])


@pytest.mark.django_db
def test_the_three_five_level_frameworks_import_one_after_another():
    for name in ("ft-engineering", "engineeringladders", "unidays"):
        framework_import(document=load(name))

    # Their skill keys overlap only on `communication`, which the last file updated.
    assert Skill.objects.count() == 9 + 5 + 25 - 1
    assert Role.objects.count() == 8 + 18 + 41
    communication = Skill.objects.get(key="communication")
    assert communication.name == "💬 Communication"


@pytest.mark.django_db
def test_a_scale_that_strands_stored_expectations_is_refused_naming_them():
    framework_import(document=load("ft-engineering"))
    before = framework_snapshot()

    errors = errors_of(load("direct"))

    stored_fives = Expectation.objects.filter(level=5).values_list(
        "role__name", "role__key", "skill__name", "skill__key"
    )
    assert stored_fives  # the FT framework expects some skills at 5
    # Named as people know them, with the key that finds them in the document.
    for role_name, role_key, skill_name, skill_key in stored_fives:
        assert (
            f'scale: role "{role_name}" ({role_key}) expects skill "{skill_name}" ({skill_key}) '
            "at level 5, outside the new scale 0-4" in errors
        )
    assert framework_snapshot() == before


@pytest.mark.django_db
def test_real_traits_survive_the_import():
    framework_import(document=load("unidays"))

    # Emoji with zero-width joiners in names, categories and labels are kept exactly.
    assert Scale.current().labels[0] == "👩\u200d🎓 n00b"
    assert Category.objects.filter(name="🍏 Core").exists()
    # A category named by skills but not listed is created, soft, with a slug key.
    assert Category.objects.get(name="🍏 Core").key == "core"
    assert Category.objects.get(name="🍏 Core").kind == Category.Kind.SOFT
    # x_ fields are kept nowhere.
    assert "x_summary" not in json.dumps(export(), ensure_ascii=False)


@pytest.mark.django_db
def test_text_is_trimmed_and_otherwise_kept_as_given():
    framework_import(document=load("direct"))

    assert Skill.objects.get(key="data-wrangling").name == "Data wrangling"


@pytest.mark.django_db
def test_a_dry_run_reports_the_changes_and_writes_nothing():
    framework_import(document=load("ft-engineering"))
    before = framework_snapshot()
    document = load("ft-engineering")
    document["roles"][0]["name"] = "Junior Engineer (renamed)"
    document["skills"].append({"key": "new-skill", "name": "New", "category": "Engineering"})

    result = framework_import(document=document, dry_run=True)

    assert result.updated["roles"] == ["junior"]
    assert result.created["skills"] == ["new-skill"]
    assert len(result.unchanged["roles"]) == 7
    assert framework_snapshot() == before


# --- Upsert rules ---------------------------------------------------------------------

BASE = {
    "scale": {"min": 0, "max": 5},
    "categories": [{"key": "craft", "name": "Craft", "kind": "hard"}],
    "skills": [
        {"key": "design", "name": "Design", "category": "craft", "levels": {1: "a", 3: "c"}},
        {"key": "writing", "name": "Writing", "category": "Communication"},
    ],
    "roles": [
        {
            "key": "staff",
            "name": "Staff",
            "track": "ic",
            "level": 2,
            "summary": "Leads.",
            "next_roles": ["manager"],
            "expectations": {"design": 4, "writing": 3},
        },
        {
            "key": "manager",
            "name": "Manager",
            "track": "management",
            "level": 1,
            "next_roles": ["staff"],
        },
    ],
}


def copy_of(document: dict) -> dict:
    return json.loads(json.dumps(document))


@pytest.mark.django_db
def test_an_entry_is_the_whole_truth_about_its_key():
    framework_import(document=copy_of(BASE))
    document = copy_of(BASE)
    del document["roles"][0]["summary"]
    document["roles"][0]["expectations"] = {"writing": 2}
    del document["skills"][0]["levels"]

    framework_import(document=document)

    staff = Role.objects.get(key="staff")
    assert staff.summary == ""
    assert list(staff.expectations.values_list("skill__key", "level")) == [("writing", 2)]
    assert Skill.objects.get(key="design").levels == {}


@pytest.mark.django_db
def test_nothing_absent_from_the_document_is_deleted():
    framework_import(document=copy_of(BASE))

    framework_import(document={"skills": [{"key": "other", "name": "O", "category": "craft"}]})

    assert set(Skill.objects.values_list("key", flat=True)) == {"design", "writing", "other"}
    assert Role.objects.count() == 2


@pytest.mark.django_db
def test_importing_a_retired_key_restores_it_unless_it_says_retired():
    framework_import(document=copy_of(BASE))
    Skill.objects.filter(key="design").update(retired=True)
    Role.objects.filter(key="manager").update(retired=True)
    document = copy_of(BASE)
    document["roles"][1]["retired"] = True

    framework_import(document=document)

    assert not Skill.objects.get(key="design").retired
    assert Role.objects.get(key="manager").retired


@pytest.mark.django_db
def test_moves_both_ways_between_two_roles_are_fine():
    framework_import(document=copy_of(BASE))

    assert list(Role.objects.get(key="staff").next_roles.values_list("key", flat=True)) == [
        "manager"
    ]
    assert list(Role.objects.get(key="manager").next_roles.values_list("key", flat=True)) == [
        "staff"
    ]


@pytest.mark.django_db
def test_a_skill_category_matches_a_key_then_a_name_then_creates_one():
    Category.objects.create(key="comms", name="Communication", kind="hard")
    Category.objects.create(key="communication", name="Something else", kind="hard")
    document = copy_of(BASE)
    document["skills"] += [
        {"key": "a", "name": "A", "category": "Communication"},  # a name: comms
        {"key": "b", "name": "B", "category": "communication"},  # a key
        {"key": "c", "name": "C", "category": "Something Else!"},  # new: something-else
        {"key": "d", "name": "D", "category": "🎨"},  # nothing left of the name
    ]

    framework_import(document=document)

    categories = dict(Skill.objects.values_list("key", "category__key"))
    assert categories["a"] == "comms"
    assert categories["writing"] == "comms"
    assert categories["b"] == "communication"
    assert categories["c"] == "something-else"
    assert categories["d"] == "category"
    assert Category.objects.get(key="something-else").kind == Category.Kind.SOFT


@pytest.mark.django_db
def test_a_new_category_key_gets_a_suffix_when_taken():
    Category.objects.create(key="people", name="Staff matters")
    Category.objects.create(key="people-2", name="Other matters")

    framework_import(document={"skills": [{"key": "a", "name": "A", "category": "People"}]})

    assert Skill.objects.get(key="a").category.key == "people-3"


@pytest.mark.django_db
def test_without_a_scale_the_stored_scale_stays():
    framework_import(document={**copy_of(BASE), "scale": {"min": 1, "max": 5}})

    framework_import(document={"skills": [{"key": "a", "name": "A", "category": "craft"}]})

    scale = Scale.current()
    assert (scale.minimum, scale.maximum, scale.labels) == (1, 5, ["1", "2", "3", "4", "5"])


@pytest.mark.django_db
def test_the_default_scale_gets_careermap_labels():
    framework_import(document=copy_of(BASE))

    assert Scale.current().labels == [
        "None",
        "Aware",
        "Developing",
        "Proficient",
        "Advanced",
        "Leading",
    ]


@pytest.mark.django_db
def test_a_json_document_imports_like_its_yaml_twin():
    text = json.dumps(copy_of(BASE))  # level keys become strings in JSON

    framework_import(document=parse(text))

    assert Skill.objects.get(key="design").levels == {"1": "a", "3": "c"}


@pytest.mark.django_db
def test_import_records_who_changed_what_in_the_history(hana):
    framework_import(document=copy_of(BASE), by=hana)
    document = copy_of(BASE)
    document["roles"][0]["expectations"]["design"] = 5

    framework_import(document=document, by=hana)

    change = Expectation.history.filter(role__key="staff", skill__key="design").first()
    assert (change.level, change.history_user, change.history_type) == (5, hana, "~")


@pytest.mark.django_db
def test_only_hr_may_import(erin):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        framework_import(document=copy_of(BASE), by=erin)
    assert not Skill.objects.filter(key="design").exists()


# --- Malformed documents: every error, with its path, and nothing written --------------

MALFORMED = {
    "levels off the scale": (
        {
            "scale": {"min": 1, "max": 5},
            "skills": [{"key": "a", "name": "A", "category": "c", "levels": {0: "x", 6: "y"}}],
            "roles": [
                {"key": "r", "name": "R", "track": "ic", "level": 1, "expectations": {"a": 7}}
            ],
        },
        [
            "skills[0].levels.0: level 0 is outside the scale 1-5",
            "skills[0].levels.6: level 6 is outside the scale 1-5",
            "roles[0].expectations.a: level 7 is outside the scale 1-5",
        ],
    ),
    "unknown skill in an expectation": (
        {
            "skills": [{"key": "a", "name": "A", "category": "c"}],
            "roles": [
                {
                    "key": "r",
                    "name": "R",
                    "track": "ic",
                    "level": 1,
                    "expectations": {"a": 1, "no-such-skill": 2, "system-desgn": 3},
                },
            ],
        },
        [
            "roles[0].expectations.no-such-skill: unknown skill",
            "roles[0].expectations.system-desgn: unknown skill",
        ],
    ),
    "duplicate keys": (
        {
            "categories": [{"key": "c", "name": "C"}, {"key": "c", "name": "C again"}],
            "skills": [
                {"key": "a", "name": "A", "category": "c"},
                {"key": "dup-skill", "name": "B", "category": "c"},
                {"key": "dup-skill", "name": "B again", "category": "c"},
            ],
            "roles": [
                {"key": "r", "name": "R", "track": "ic", "level": 1},
                {"key": "r", "name": "R", "track": "ic", "level": 2},
            ],
        },
        [
            'categories[1].key: duplicate key "c", already the key of categories[0] ("C")',
            'skills[2].key: duplicate key "dup-skill", already the key of skills[1] ("B")',
            'roles[1].key: duplicate key "r", already the key of roles[0] ("R")',
        ],
    ),
    "wrong types": (
        {
            "scale": {"min": "one", "max": 5},
            "skills": [
                {"key": 12, "name": "A", "category": "c", "levels": ["x"]},
                {"key": "b", "name": "B", "category": "c", "retired": "no"},
            ],
            "roles": [
                {"key": "r", "name": "R", "track": "ic", "level": True, "expectations": {"b": "3"}},
                {"key": "s", "name": "S", "track": "ic", "level": 1, "next_roles": "r"},
            ],
        },
        [
            "scale.min: expected integer, got string",
            "skills[0].key: expected string, got integer",
            "skills[0].levels: expected mapping, got list",
            "skills[1].retired: expected boolean, got string",
            "roles[0].level: expected integer, got boolean",
            "roles[0].expectations.b: expected integer, got string",
            "roles[1].next_roles: expected list, got string",
        ],
    ),
    "unknown, missing and empty fields": (
        {
            "categories": [{"key": "c", "name": "C", "kind": "squishy"}],
            "skills": [{"key": "", "name": "A", "category": "c", "levle": {}}],
            "roles": [{"key": "r", "name": " ", "track": "ic", "levl": 2, "x_note": "fine"}],
        },
        [
            "categories[0].kind: must be one of hard, soft, got 'squishy'",
            "skills[0].key: must not be empty",
            "skills[0].levle: unknown field",
            "roles[0].level: required field missing",
            "roles[0].levl: unknown field",
            "roles[0].name: must not be empty",
        ],
    ),
    "a role naming itself and unknown next roles": (
        {
            "roles": [
                {"key": "r", "name": "R", "track": "ic", "level": 1, "next_roles": ["r", "nope"]},
            ],
        },
        [
            "roles[0].next_roles[0]: a role cannot be its own next role",
            'roles[0].next_roles[1]: unknown role "nope"',
        ],
    ),
    "a scale with the wrong number of labels": (
        {"scale": {"min": 1, "max": 3, "labels": ["a", "b"]}},
        ["scale.labels: expected 3 labels (one per level 1-3), got 2"],
    ),
    "a scale upside down": (
        {"scale": {"min": 4, "max": 2}},
        ["scale.max: must be above min (4), got 2"],
    ),
    "an unsupported format": (
        {"format": "other/2"},
        ["format: unsupported format 'other/2'; expected 'careermap/1'"],
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_a_malformed_document_reports_every_error_with_its_path_and_writes_nothing(case):
    framework_import(document=copy_of(BASE))
    before = framework_snapshot()
    document, expected = MALFORMED[case]

    errors = errors_of(document)

    assert sorted(errors) == sorted(expected)
    assert framework_snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "document: the document is empty"),
        ("   \n# only a comment\n", "document: the document is empty"),
        ("- a\n- list\n", "document: expected a mapping at the top level, got list"),
        ("just a sentence", "document: expected a mapping at the top level, got string"),
    ],
)
def test_an_empty_or_non_mapping_document_is_an_error(text, expected):
    assert errors_of(parse(text)) == [expected]
    assert not Skill.objects.exists()


def test_text_that_is_not_yaml_at_all_is_an_error():
    with pytest.raises(FrameworkInvalid) as caught:
        parse("skills: [unclosed\n  - {: :")
    (error,) = caught.value.errors
    assert str(error).startswith("document: not valid YAML:")


def test_duplicate_keys_inside_a_yaml_mapping_are_an_error_with_their_line():
    text = "roles:\n- key: r\n  expectations: {a: 1, a: 2}\n"
    with pytest.raises(FrameworkInvalid) as caught:
        parse(text)
    (error,) = caught.value.errors
    assert "found duplicate key 'a'" in str(error)
    assert "line 3" in str(error)


def test_invalid_json_is_an_error():
    with pytest.raises(FrameworkInvalid) as caught:
        parse('{"skills": [}')
    assert str(caught.value.errors[0]).startswith("document: not valid JSON:")


@pytest.mark.django_db
def test_a_scale_that_strands_stored_ratings_is_refused(erin):
    from assessments.services import assessment_start

    assessment_start(
        by=erin, person=erin, kind="self", ratings=[{"skill": "system-design", "level": 5}]
    )

    # The framework knows no ratings: every import path calls the assessments-side check.
    from assessments.services import framework_import as checked_import

    with pytest.raises(FrameworkInvalid) as caught:
        checked_import(document={"scale": {"min": 0, "max": 4}})
    errors = [str(e) for e in caught.value.errors]

    assert (
        'scale: 1 stored rating(s) of skill "system-design" at level 5 would fall outside '
        "the new scale 0-4" in errors
    )
    assert Scale.current().maximum == 5


@pytest.mark.django_db
def test_a_scale_change_is_fine_when_the_document_redefines_what_it_would_strand():
    framework_import(document=copy_of(BASE))
    document = copy_of(BASE)
    document["scale"] = {"min": 0, "max": 3}
    document["roles"][0]["expectations"] = {"design": 3, "writing": 3}

    framework_import(document=document)

    assert Scale.current().maximum == 3


def test_export_writes_yaml_that_reads_back_as_the_same_document():
    document = {"format": "careermap/1", "skills": [{"key": "a", "levels": {1: "two\nlines"}}]}

    assert yaml.safe_load(dump(document)) == document
    assert "|-" in dump(document)


# --- Hostile input: always a FrameworkInvalid with a path, never a crash or bad data ----

HOSTILE_TEXT = {
    "an unhashable key": ("x_a: {[1]: 2}\nskills: []\n", "document"),
    "nesting too deep for json": ("[" * 100_000, "document"),
    "nesting too deep for yaml": ("skills: " + "[" * 20_000, "document"),
    "a flow mapping at the top of a yaml file": (
        "{skills: [{key: a, name: A}]}",
        "skills[0].category",
    ),
    "aliases that explode": (
        "source: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"x_{i}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n"
            for i in range(8)
        )
        + "skills: []\n",
        None,  # accepted at once: keys the format ignores are never walked
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", HOSTILE_TEXT, ids=list(HOSTILE_TEXT))
def test_hostile_text_is_an_error_with_a_path_never_a_crash(case):
    text, path = HOSTILE_TEXT[case]
    if path is None:
        framework_import(document=parse(text))  # accepted, and quickly
    else:
        with pytest.raises(FrameworkInvalid) as caught:
            framework_import(document=parse(text))
        assert path in [e.path for e in caught.value.errors]
    assert not Skill.objects.exists()


HOSTILE_DOCUMENTS = {
    "a float level": (
        {
            "skills": [{"key": "s", "name": "S", "category": "c"}],
            "roles": [
                {"key": "r", "name": "R", "track": "ic", "level": 1, "expectations": {"s": 3.0}}
            ],
        },
        "roles[0].expectations.s: expected integer, got number",
    ),
    "a float scale": (
        {"scale": {"min": 1.0, "max": 3}},
        "scale.min: expected integer, got number",
    ),
    "a negative descriptor key": (
        {"skills": [{"key": "s", "name": "S", "category": "c", "levels": {-1: "minus"}}]},
        "skills[0].levels.-1: level -1 is outside the scale 0-5",
    ),
    "a non-ascii digit as a level": (
        {"skills": [{"key": "s", "name": "S", "category": "c", "levels": {"²": "x"}}]},
        "skills[0].levels.²: a level must be a whole number",
    ),
    "an integer key reads as a key, not an index": (
        {"skills": [{"key": "s", "name": "S", "category": "c", "levels": {9: "x"}}]},
        "skills[0].levels.9: level 9 is outside the scale 0-5",
    ),
    "a huge role level": (
        {"roles": [{"key": "r", "name": "R", "track": "ic", "level": 70000}]},
        "roles[0].level: must be 1000 or less, got 70000",
    ),
    "a huge scale": (
        {"scale": {"min": 0, "max": 10**20}},
        "scale.max: must be 100 or less, got 100000000000000000000",
    ),
    "a huge order": (
        {"categories": [{"key": "c", "name": "C", "order": 3_000_000_000}]},
        "categories[0].order: must be 1000000 or less, got 3000000000",
    ),
    "a lone surrogate": (
        {"skills": [{"key": "s", "name": "bad \ud800", "category": "c"}]},
        "skills[0].name: holds a character that is not valid text",
    ),
    "a NUL character": (
        {"skills": [{"key": "s", "name": "S", "category": "c", "description": "a\x00b"}]},
        "skills[0].description: holds a character that is not valid text",
    ),
    "keys that collide once trimmed": (
        {
            "skills": [{"key": "s", "name": "S", "category": "c"}],
            "roles": [
                {
                    "key": "r",
                    "name": "R",
                    "track": "ic",
                    "level": 1,
                    "expectations": {"s": 1, "s ": 4},
                }
            ],
        },
        'roles[0].expectations.s: duplicate key "s" once trimmed',
    ),
    "nothing but ignored keys": (
        {"source": "somewhere", "license": "MIT"},
        "document: the document holds no scale, categories, skills or roles",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", HOSTILE_DOCUMENTS, ids=list(HOSTILE_DOCUMENTS))
def test_hostile_documents_are_errors_with_their_path(case):
    document, expected = HOSTILE_DOCUMENTS[case]
    assert expected in errors_of(document)
    assert not Skill.objects.exists()


@pytest.mark.django_db
def test_a_stranded_descriptor_names_its_skill_and_a_duplicate_names_the_first_holder():
    framework_import(
        document={
            "categories": [{"key": "c", "name": "Craft"}],
            "skills": [
                {"key": "design", "name": "System design", "category": "c", "levels": {0: "x"}},
                {"key": "same", "name": "same", "category": "c", "levels": {0: "y"}},
            ],
        }
    )

    errors = errors_of({"scale": {"min": 1, "max": 5}})
    assert 'scale: skill "System design" (design) describes level 0, outside the new scale 1-5' in (
        errors
    )
    # A name that is the key is said once.
    assert 'scale: skill "same" describes level 0, outside the new scale 1-5' in errors

    errors = errors_of(
        {"skills": [{"key": "k", "category": "c"}, {"key": "k", "name": "K", "category": "c"}]}
    )
    assert 'skills[1].key: duplicate key "k", already the key of skills[0]' in errors
