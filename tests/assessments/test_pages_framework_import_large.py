"""Large framework documents (issue 23): their dry run and their apply are done by the
task worker, the page follows them on a progress page; the shipped frameworks stay
interactive. The worker is the real one (`manage.py worker`) on committed data."""

from __future__ import annotations

import pytest
from django.conf import settings

from core.models import Job
from skills import library
from skills.models import Skill
from tests.helpers import HTMX

NEW_SKILLS = "skills:\n" + "".join(
    f"  - key: negotiation-{n}\n    name: Negotiation {n}\n    category: communication\n"
    f"    levels: {{1: Knows the basics, 5: Closes hard deals}}\n"
    for n in range(40)
)


def test_every_shipped_framework_stays_interactive():
    largest = max(len(library.read(t.name)) for t in library.templates())
    assert largest < settings.CAREERMAP_IMPORT_INTERACTIVE_BYTES


@pytest.mark.django_db(transaction=True)
def test_a_large_document_is_checked_and_imported_by_the_worker(client, org, settings, run_worker):
    settings.CAREERMAP_IMPORT_INTERACTIVE_BYTES = 1000  # NEW_SKILLS is larger
    client.force_login(org["hana"])
    sent = client.post("/framework/import/", {"text": NEW_SKILLS})
    assert sent.status_code == 302

    # The dry run: queued for the worker, followed on the job's page.
    review = client.get("/framework/import/review/")
    job = Job.objects.get(kind="framework.dry_run")
    assert review["Location"] == f"/framework/import/jobs/{job.pk}/"
    page = client.get(review["Location"])
    assert "Waiting for the task worker" in page.content.decode()
    assert client.get("/framework/import/review/")["Location"] == review["Location"]  # one job
    polled = client.get(review["Location"], headers=HTMX)
    assert '<section class="card" id="job-status"' in polled.content.decode()
    assert "<h1>" not in polled.content.decode()  # the region alone

    run_worker()
    done = client.get(review["Location"], headers=HTMX)
    assert done["HX-Redirect"] == "/framework/import/review/"
    html = client.get("/framework/import/review/").content.decode()
    assert "Negotiation 39" in html  # the worker's dry run, rendered
    assert not Skill.objects.filter(key__startswith="negotiation").exists()

    # The apply: the worker again, then the framework with the outcome.
    digest = html.split('name="digest" value="')[1].split('"')[0]
    applied = client.post("/framework/import/apply/", {"digest": digest})
    apply_job = Job.objects.get(kind="framework.apply")
    assert applied["Location"] == f"/framework/import/jobs/{apply_job.pk}/"
    assert "Importing" in client.get(applied["Location"]).content.decode()
    run_worker()
    finished = client.get(applied["Location"])
    assert finished["Location"] == "/framework/"
    assert Skill.objects.filter(key__startswith="negotiation").count() == 40
    followed = client.get("/framework/").content.decode()
    assert "skills: 40 created" in followed


@pytest.mark.django_db(transaction=True)
def test_a_job_page_is_for_hr_only(client, org, settings):
    settings.CAREERMAP_IMPORT_INTERACTIVE_BYTES = 1000
    client.force_login(org["hana"])
    client.post("/framework/import/", {"text": NEW_SKILLS})
    location = client.get("/framework/import/review/")["Location"]
    client.force_login(org["mona"])
    assert client.get(location).status_code == 404
    client.force_login(org["hana"])
    assert client.get("/framework/import/jobs/999999/").status_code == 404
