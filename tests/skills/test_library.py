"""The template library: real public frameworks shipped inside the app, with their licences."""

from __future__ import annotations

import ast
import inspect
import sys

import pytest

from skills import library
from skills.library import LIBRARY_DIR, UnknownTemplate, read, template, templates
from skills.models import Expectation, Role, Scale, Skill
from skills.openformat import parse
from skills.services import framework_import

NAMES = [t.name for t in templates()]


def test_the_library_lists_every_shipped_file_sorted_by_name():
    assert NAMES == ["direct", "engineeringladders", "ft-engineering", "unidays"]
    assert sorted(p.stem for p in LIBRARY_DIR.glob("*.yaml")) == NAMES
    assert all(t.path == LIBRARY_DIR / f"{t.name}.yaml" for t in templates())


@pytest.mark.parametrize("name", NAMES)
def test_a_template_is_found_by_name_and_reads_as_its_file(name):
    found = template(name)

    assert found in templates()
    assert found.name == name
    assert read(name) == found.path.read_bytes()
    assert found.title


@pytest.mark.django_db
@pytest.mark.parametrize("name", NAMES)
def test_every_template_parses_and_imports_into_a_fresh_database(name):
    assert not Skill.objects.exists()
    document = parse(read(name))

    result = framework_import(document=document)

    roles = document.get("roles") or []
    assert Skill.objects.count() == len(document["skills"]) == len(result.created["skills"])
    assert Role.objects.count() == len(roles)
    assert Expectation.objects.count() == sum(len(r.get("expectations", {})) for r in roles)
    scale = Scale.current()
    assert (scale.minimum, scale.maximum) == (document["scale"]["min"], document["scale"]["max"])


@pytest.mark.parametrize("unknown", ["nope", "ft-engineering.yaml", "", "FT-ENGINEERING"])
def test_an_unknown_name_is_an_error_listing_the_valid_names(unknown):
    with pytest.raises(UnknownTemplate) as caught:
        template(unknown)

    message = str(caught.value)
    assert repr(unknown) in message
    assert "valid templates: direct, engineeringladders, ft-engineering, unidays" in message
    assert caught.value.valid == NAMES
    # Callers may catch it as either.
    assert isinstance(caught.value, KeyError)
    assert isinstance(caught.value, ValueError)
    with pytest.raises(KeyError, match="valid templates"):
        read(unknown)


@pytest.mark.parametrize("name", NAMES)
def test_every_template_has_its_licence_and_attribution(name):
    found = template(name)
    header = parse(read(name))

    assert found.licence.startswith(header["license"])
    assert header["attribution"] in found.attribution
    assert header["source"].startswith(found.source)
    assert found.licence_files
    for licence_file in found.licence_files:
        assert licence_file.is_file()
        assert licence_file.stat().st_size > 500  # the full text, not a placeholder
    readme = (LIBRARY_DIR / "README.md").read_text(encoding="utf-8")
    assert f"`{name}`" in readme
    assert found.source in readme
    assert all(f"LICENSES/{f.name}" in readme for f in found.licence_files)


def test_the_attribution_names_the_authors():
    assert "Jorge Fioranelli" in template("engineeringladders").attribution
    assert "Financial Times" in template("ft-engineering").attribution
    assert "UNiDAYS" in template("unidays").attribution
    assert "Adrian D'Alessandro" in template("direct").attribution
    assert "CC-BY-4.0" in template("direct").licence


def test_the_library_module_imports_only_the_standard_library_django_and_skills():
    tree = ast.parse(inspect.getsource(library))
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }

    outside = {
        m for m in imported if m not in sys.stdlib_module_names and m not in {"django", "skills"}
    }
    assert imported
    assert not outside
