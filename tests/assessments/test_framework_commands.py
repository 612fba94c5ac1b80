"""import_framework and export_framework as a person types them."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from skills.library import read, template
from skills.models import Role, Skill
from skills.openformat import parse

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_without_a_file_loads_the_default_framework():
    out, _ = run("import_framework")

    default = parse(Path(settings.DEFAULT_FRAMEWORK_FILE).read_bytes())
    assert f"skills: {len(default['skills'])} created" in out
    assert f"roles: {len(default['roles'])} created" in out
    assert Skill.objects.count() == len(default["skills"])
    assert Role.objects.filter(key="staff-engineer").exists()


def test_import_a_real_file_then_export_it_as_yaml_and_json():
    run("import_framework", str(template("ft-engineering").path))

    as_yaml = yaml.safe_load(run("export_framework")[0])
    as_json = json.loads(run("export_framework", "--format", "json")[0])

    assert as_yaml["format"] == "careermap/1"
    assert [s["key"] for s in as_yaml["skills"]] == [s["key"] for s in as_json["skills"]]
    assert len(as_json["roles"]) == 8


def test_a_dry_run_says_so_and_writes_nothing():
    out, _ = run("import_framework", "--dry-run", str(template("unidays").path))

    assert out.startswith("Dry run, nothing written.")
    assert "roles: 41 created" in out
    assert not Skill.objects.exists()


def test_a_bad_file_prints_every_error_and_fails(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("roles:\n- key: r\n  name: R\n  track: ic\n  levl: 2\n  expectations: {x: 9}\n")
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"4 error\(s\); nothing was imported"):
        call_command("import_framework", str(bad), stderr=err)

    assert err.getvalue().splitlines() == [
        "roles[0].expectations.x: level 9 is outside the scale 0-5",
        "roles[0].expectations.x: unknown skill",
        "roles[0].level: required field missing",
        "roles[0].levl: unknown field",
    ]
    assert not Role.objects.exists()


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match=r"cannot read .*nope\.yaml: No such file"):
        call_command("import_framework", str(tmp_path / "nope.yaml"))


def test_import_reads_standard_input(monkeypatch):
    text = read("engineeringladders")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))

    run("import_framework", "-")

    assert Role.objects.count() == 18
