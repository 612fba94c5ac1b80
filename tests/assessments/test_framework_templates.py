"""The shipped template library through the ways HR reach it: the command and the
import page's "Start from a template" (a dry run first, then apply)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from skills.library import names, template
from skills.models import Role, Skill
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_the_command_imports_a_template_by_name():
    out = io.StringIO()
    call_command("import_framework", "--template", "unidays", stdout=out)
    assert out.getvalue().startswith("Imported: scale created;")
    assert Skill.objects.count() > 0


def test_the_command_dry_runs_a_template_and_writes_nothing():
    out = io.StringIO()
    call_command("import_framework", "--template", "direct", "--dry-run", stdout=out)
    assert out.getvalue().startswith("Dry run, nothing written. Would import:")
    assert not Skill.objects.exists()


def test_an_unknown_template_names_the_valid_ones():
    with pytest.raises(CommandError) as caught:
        call_command("import_framework", "--template", "nope")
    assert str(caught.value) == f"unknown template 'nope'; valid templates: {', '.join(names())}"
    assert not Skill.objects.exists()


def test_a_file_and_a_template_together_are_refused(tmp_path):
    with pytest.raises(CommandError, match="not both"):
        call_command("import_framework", str(tmp_path / "x.yaml"), "--template", "unidays")


@pytest.fixture
def hana_in(client):
    # A fresh careermap (no framework yet): a template is where HR would start.
    client.force_login(PersonFactory(username="hana", is_hr=True))
    return client


def test_the_import_page_lists_every_template_with_its_licence(hana_in):
    html = hana_in.get("/framework/import/").content.decode()
    assert "Start from a template" in html
    for name in names():
        shown = template(name)
        assert f'value="{name}"' in html
        assert shown.licence in html


def test_a_template_goes_to_its_dry_run_then_applies(hana_in):
    answer = hana_in.post("/framework/import/template/", {"template": "ft-engineering"})
    assert answer.status_code == 302
    assert answer["Location"] == "/framework/import/review/"
    html = hana_in.get(answer["Location"]).content.decode()
    assert "Financial Times" in html
    assert not Role.objects.exists()  # the dry run wrote nothing

    digest = re.search(r'name="digest" value="([0-9a-f]+)"', html).group(1)
    applied = hana_in.post("/framework/import/apply/", {"digest": digest})
    assert applied.status_code == 302
    assert Role.objects.count() == 8  # FT's ladder
    assert "framework_import" not in hana_in.session


def test_an_unknown_template_on_the_page_writes_nothing(hana_in):
    answer = hana_in.post("/framework/import/template/", {"template": "nope"}, follow=True)
    assert "Choose one of the listed templates." in answer.content.decode()
    assert "framework_import" not in hana_in.session


def test_the_template_start_is_404_for_everyone_but_hr(client):
    client.force_login(PersonFactory(username="erin"))
    assert client.post("/framework/import/template/", {"template": "unidays"}).status_code == 404
