"""The framework import's dry run and apply, for the page (issue 23): one snapshot of a
dry run (`review_of`: plain data the page renders, whether it was made in the request or
by the worker), and for documents larger than settings.CAREERMAP_IMPORT_INTERACTIVE_BYTES
the same work done by the task worker (`job_for`, `run_job`), which the page follows on
a progress page. A document of the library's size stays interactive.

Every way in parses the text once: the worker's job holds the text, not a parse of it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from difflib import SequenceMatcher
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from assessments.impact import ReadinessChange, impact_of
from assessments.services import framework_import
from core.models import Job
from people.models import Person
from skills.openformat import FrameworkInvalid, parse
from skills.services import SECTIONS, ImportResult

DRY_RUN = "framework.dry_run"
APPLY = "framework.apply"
# A dry run made by the worker is shown for this long; later, the framework may have
# changed since, and the document is checked again.
FRESH = timedelta(minutes=30)


def is_large(text: str) -> bool:
    return len(text.encode()) > settings.CAREERMAP_IMPORT_INTERACTIVE_BYTES


def without_scale(document: dict[str, Any]) -> dict[str, Any]:
    # validate() reads section names trimmed: " scale" is the scale too.
    return {k: v for k, v in document.items() if not (isinstance(k, str) and k.strip() == "scale")}


def document_scale(document: Any) -> str:
    if not isinstance(document, dict):
        return ""
    scale = next((v for k, v in document.items() if str(k).strip() == "scale"), None)
    if isinstance(scale, dict) and "min" in scale and "max" in scale:
        return f"{scale['min']}-{scale['max']}"
    return ""


# --- The dry run, as plain data ---------------------------------------------------------


def review_of(text: str, *, keep_scale: bool, by: Person) -> dict[str, Any]:
    """The dry run of importing `text` (with the stored scale kept, if `keep_scale`):
    errors, or what each section would create, update and leave, near duplicates and
    the impact on people's readiness. JSON-able: the worker stores it as it is."""
    document = parse(text)
    scale = document_scale(document)
    if keep_scale:
        document = without_scale(document)
    review: dict[str, Any] = {"document_scale": scale, "errors": []}
    try:
        result, impact = impact_of(lambda: framework_import(document=document, by=by))
    except FrameworkInvalid as exc:
        review["errors"] = [{"path": e.path, "message": e.message} for e in exc.errors]
        return review
    changes = [_change(c) for c in impact.changes]
    pairs = list(zip(changes, impact.changes, strict=True))
    review |= {
        "sections": _sections(result),
        "changed": result.changed,
        "near_duplicates": [
            {
                "kind": d.kind,
                "name": d.name,
                "key": d.key,
                "stored_name": d.stored_name,
                "stored_key": d.stored_key,
            }
            for d in near_duplicates(result)
        ],
        "impact": {
            "roles": [{"name": r.name} for r in impact.roles],
            "measured": impact.measured,
            "people": impact.people,
            "changes": changes,
        },
        "became_ready": [c for c, raw in pairs if raw.became_ready],
        "became_not_ready": [c for c, raw in pairs if raw.became_not_ready],
    }
    return review


def _change(change: ReadinessChange) -> dict[str, Any]:
    return {
        "person": {"name": change.person.name, "username": change.person.username},
        "role": {"name": change.role.name},
        "before": change.before,
        "after": change.after,
    }


def _sections(result: ImportResult) -> list[dict[str, Any]]:
    """Each section's entries by name (people read names, not keys), with the field-level
    changes of its updated entries."""

    def names(keys: list[str], section: str) -> list[str]:
        return [result.name(section, key) for key in keys]

    return [
        {
            "name": section,
            "created": names(result.created[section], section),
            "updated": names(result.updated[section], section),
            "unchanged": names(result.unchanged[section], section),
            "changes": [str(c) for c in result.changes if c.section == section],
        }
        for section in SECTIONS
    ]


# Names that differ by at most this much (difflib's ratio of their normalised forms)
# are probably one thing named twice.
NEAR = 0.85
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class NearDuplicate:
    """An entry the import would create whose name nearly matches a stored one's."""

    section: str  # "skills" or "roles"
    name: str
    key: str
    stored_name: str
    stored_key: str

    @property
    def kind(self) -> str:
        return self.section.removesuffix("s")


def _normalised(name: str) -> str:
    """Case, spaces and punctuation aside: "System-Design " reads as "system design"."""
    return " ".join(_NOT_WORD.sub(" ", name.casefold()).split())


def _nearly_same(one: str, other: str) -> bool:
    a, b = _normalised(one), _normalised(other)
    if a == b:
        return True
    if a.replace(" ", "") == b.replace(" ", ""):
        return True
    return SequenceMatcher(None, a, b).ratio() >= NEAR


def near_duplicates(result: ImportResult) -> list[NearDuplicate]:
    """The roles and skills the import would create whose names nearly match those of
    stored ones: a likely duplicate under another key."""
    found = []
    for section in ("roles", "skills"):
        stored = result.stored_names[section]
        for key in result.created[section]:
            name = result.name(section, key)
            for stored_key, stored_name in sorted(stored.items(), key=lambda kv: kv[1]):
                if stored_key != key and _nearly_same(name, stored_name):
                    found.append(NearDuplicate(section, name, key, stored_name, stored_key))
    return found


def apply(text: str, *, keep_scale: bool, by: Person) -> ImportResult:
    """Import `text`, parsed and validated again against what is stored now (never
    trust a dry run). FrameworkInvalid if it no longer fits."""
    document = parse(text)
    if keep_scale:
        document = without_scale(document)
    return framework_import(document=document, by=by)


# --- Large documents: the worker --------------------------------------------------------


def job_for(*, kind: str, text: str, digest: str, keep_scale: bool, by: Person) -> Job:
    """The job doing `kind` for this document and option: a fresh one already queued,
    running or done by this person, else a new one, queued."""
    key = f"{digest[:62]}{int(keep_scale)}"
    found = Job.objects.filter(
        kind=kind,
        key=key,
        created_by=by,
        created_at__gte=timezone.now() - FRESH,
        status__in=[Job.Status.QUEUED, Job.Status.RUNNING, Job.Status.DONE],
    ).first()
    if found is not None and kind == DRY_RUN:
        return found
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, key=key, created_by=by, text=text, options={"keep_scale": keep_scale}
        )
        run_job.enqueue(job.pk)
    return job


@task
def run_job(job_id: int) -> str:
    """Run a framework job in the worker; its result (or errors) on the job."""
    job = Job.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status not in (Job.Status.QUEUED, Job.Status.RUNNING):
        return "nothing to do: the job is gone or finished"
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    keep_scale = bool(job.options.get("keep_scale"))
    try:
        if job.kind == DRY_RUN:
            result: dict[str, Any] = review_of(job.text, keep_scale=keep_scale, by=job.created_by)
        elif job.kind == APPLY:
            try:
                imported = apply(job.text, keep_scale=keep_scale, by=job.created_by)
            except FrameworkInvalid as exc:
                result = {"errors": [{"path": e.path, "message": e.message} for e in exc.errors]}
            else:
                result = {"errors": [], "summary": imported.summary()}
        else:
            raise ValueError(f"not a framework job: {job.kind}")
    except Exception:
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, finished_at=timezone.now())
        raise
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE, result=result, text="", finished_at=timezone.now()
    )
    return f"{job.kind} done"
