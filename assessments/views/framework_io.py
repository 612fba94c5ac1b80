"""HR: import the whole framework from a YAML or JSON document (dry run first, with its
impact on people's readiness, then apply), and export it. Anyone but an HR admin gets 404.

The uploaded text waits in the session between the dry run and the apply, so a reload
never asks for the file again; the apply parses and validates it again from scratch (the
stored framework may have changed since), and a digest of the text in the apply form makes
sure the document applied is the one whose dry run was shown. Each request parses the
text once. A document larger than settings.CAREERMAP_IMPORT_INTERACTIVE_BYTES has its dry
run and its apply done by the task worker, followed on /framework/import/jobs/<id>/
(assessments.framework_review).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, re_path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.framework_review import (
    APPLY,
    DRY_RUN,
    apply,
    is_large,
    job_for,
    review_of,
)
from core.access import hr_required
from core.htmx import render_region
from core.models import Job
from core.types import AuthedHttpRequest
from skills import library
from skills.models import Scale
from skills.openformat import FrameworkInvalid, dump, export, parse

MAX_BYTES = 2 * 1024 * 1024
TEMPLATE = "assessments/framework_import.html"
JOB_TEMPLATE = "assessments/framework_import_job.html"
PENDING = "framework_import"  # the session key: {"text": ..., "name": ...}
EXPORT_TYPES = {"yaml": "application/yaml; charset=utf-8", "json": "application/json"}


class UploadForm(forms.Form):
    file = forms.FileField(
        required=False,
        label="Framework file (YAML or JSON)",
        help_text="A careermap/1 document, UTF-8, at most 2 MB.",
        widget=forms.FileInput(attrs={"accept": ".yaml,.yml,.json"}),
    )
    text = forms.CharField(
        required=False,
        strip=False,
        label="Or paste the document",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        upload: UploadedFile | None = data.get("file")
        text: str = data.get("text") or ""
        if self.errors:
            return data
        if upload is not None and text.strip():
            self.add_error("text", "Give a file or pasted text, not both.")
        elif upload is not None:
            self._check("file", self._read(upload), upload.name or "uploaded file")
        elif text.strip():
            if len(text.encode()) > MAX_BYTES:
                self.add_error("text", "The pasted text is larger than 2 MB.")
            else:
                self._check("text", text, "pasted text")
        else:
            self.add_error("file", "Choose a YAML or JSON file, or paste the document.")
        return data

    def _read(self, upload: UploadedFile) -> str | None:
        if (upload.size or 0) > MAX_BYTES:
            self.add_error("file", "The file is larger than 2 MB.")
            return None
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            self.add_error("file", "The file is not UTF-8 text: not a YAML or JSON document.")
            return None

    def _check(self, field: str, text: str | None, name: str) -> None:
        """The text reads as YAML or JSON and holds a mapping; every rule of the format
        is left to the dry run, which reports each error with its path."""
        if text is None:
            return
        where = "The file" if field == "file" else "The pasted text"
        if not text.strip():
            self.add_error(field, f"{where} is empty.")
            return
        try:
            document = parse(text)
        except FrameworkInvalid as exc:
            self.add_error(field, f"{where} is not YAML or JSON: {exc.errors[0].message}")
            return
        if not isinstance(document, dict):
            self.add_error(
                field,
                f"{where} is not a framework: expected a mapping with scale, categories, "
                "skills and roles at the top level.",
            )
            return
        self.cleaned_data["document"] = {"text": text, "name": name}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@hr_required
@require_http_methods(["GET", "POST"])
def framework_import_page(request: AuthedHttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        request.session[PENDING] = form.cleaned_data["document"]
        return redirect("assessments:framework_import_review")
    context = {
        "form": form,
        "pending": request.session.get(PENDING),
        "templates": library.templates(),
    }
    return render_region(request, TEMPLATE, None, context)


@hr_required
@require_GET
def framework_import_review(request: AuthedHttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING)
    if pending is None:
        messages.info(request, "Upload a framework file first: its dry run shows here.")
        return redirect("assessments:framework_import")
    keep_scale = request.GET.get("keep_scale") == "1"
    text, digest = pending["text"], _digest(pending["text"])
    if is_large(text):
        job = job_for(
            kind=DRY_RUN, text=text, digest=digest, keep_scale=keep_scale, by=request.user
        )
        if job.status != Job.Status.DONE:
            return redirect("assessments:framework_import_job", job.pk)
        review = job.result or {}
    else:
        review = review_of(text, keep_scale=keep_scale, by=request.user)
    errors = review.get("errors", [])
    scale = review.get("document_scale", "")
    context = review | {
        "review": True,
        "name": pending["name"],
        "digest": digest,
        "keep_scale": keep_scale,
        "offer_keep_scale": bool(scale)
        and (keep_scale or any(e["path"] == "scale" for e in errors)),
        "stored_scale": Scale.current(),
    }
    return render_region(request, TEMPLATE, None, context)


@hr_required
@require_POST
def framework_import_apply(request: AuthedHttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING)
    if pending is None:
        messages.error(request, "Nothing to import: upload a framework file first.")
        return redirect("assessments:framework_import")
    keep_scale = request.POST.get("keep_scale") == "1"
    text, digest = pending["text"], _digest(pending["text"])
    if request.POST.get("digest") != digest:
        messages.error(
            request,
            "Nothing was imported: the document waiting here is not the one of the dry "
            "run you applied (was another one uploaded meanwhile?). Check this dry run.",
        )
        return redirect(_review_url(keep_scale))
    if is_large(text):
        job = job_for(kind=APPLY, text=text, digest=digest, keep_scale=keep_scale, by=request.user)
        return redirect("assessments:framework_import_job", job.pk)
    try:
        result = apply(text, keep_scale=keep_scale, by=request.user)
    except FrameworkInvalid:
        messages.error(request, CHANGED_SINCE)
        return redirect(_review_url(keep_scale))
    del request.session[PENDING]
    messages.success(request, f"Imported {pending['name']}: {result.summary()}.")
    return redirect("skills:framework")


CHANGED_SINCE = (
    "Nothing was imported: the framework changed since the dry run and the document no "
    "longer fits. The errors are listed below."
)


def _review_url(keep_scale: bool) -> str:
    return reverse("assessments:framework_import_review") + ("?keep_scale=1" if keep_scale else "")


@hr_required
@require_GET
def framework_import_job(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A large document's dry run or apply, in the worker: where it is; once done, the
    dry run's review, or the apply's outcome."""
    job = get_object_or_404(Job, pk=pk, kind__in=[DRY_RUN, APPLY])
    if job.status == Job.Status.DONE and job.kind == DRY_RUN:
        keep_scale = bool(job.options.get("keep_scale"))
        return _redirect(request, _review_url(keep_scale))
    if job.status == Job.Status.DONE and job.kind == APPLY:
        result = job.result or {}
        keep_scale = bool(job.options.get("keep_scale"))
        if result.get("errors"):
            messages.error(request, CHANGED_SINCE)
            return _redirect(request, _review_url(keep_scale))
        pending = request.session.get(PENDING)
        name = pending["name"] if pending else "the document"
        if pending and job.key.startswith(_digest(pending["text"])[:62]):
            del request.session[PENDING]
        messages.success(request, f"Imported {name}: {result.get('summary', '')}.")
        return _redirect(request, reverse("skills:framework"))
    context = {"job": job, "applying": job.kind == APPLY}
    return render_region(request, JOB_TEMPLATE, "job-status", context)


def _redirect(request: AuthedHttpRequest, url: str) -> HttpResponse:
    """A redirect; for htmx's poll, HX-Redirect (the whole page goes there)."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@hr_required
@require_POST
def framework_import_template(request: AuthedHttpRequest) -> HttpResponse:
    """Start from one of the public frameworks shipped with careermap: it waits for its
    dry run like an uploaded document."""
    name = request.POST.get("template", "")
    try:
        chosen = library.template(name)
    except library.UnknownTemplate:
        messages.error(request, "Choose one of the listed templates.")
        return redirect("assessments:framework_import")
    text = library.read(chosen.name).decode("utf-8")
    request.session[PENDING] = {"text": text, "name": f"the {chosen.title} template"}
    return redirect("assessments:framework_import_review")


@hr_required
@require_POST
def framework_import_discard(request: AuthedHttpRequest) -> HttpResponse:
    request.session.pop(PENDING, None)
    messages.info(request, "The uploaded document was discarded; nothing was imported.")
    return redirect("assessments:framework_import")


@hr_required
@require_GET
def framework_export(request: AuthedHttpRequest, fmt: str) -> HttpResponse:
    return HttpResponse(
        dump(export(), fmt),
        content_type=EXPORT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="careermap-framework.{fmt}"'},
    )


urlpatterns = [
    path("framework/import/", framework_import_page, name="framework_import"),
    path("framework/import/review/", framework_import_review, name="framework_import_review"),
    path("framework/import/template/", framework_import_template, name="framework_import_template"),
    path("framework/import/apply/", framework_import_apply, name="framework_import_apply"),
    path("framework/import/discard/", framework_import_discard, name="framework_import_discard"),
    path("framework/import/jobs/<int:pk>/", framework_import_job, name="framework_import_job"),
    re_path(r"^framework/export\.(?P<fmt>yaml|json)$", framework_export, name="framework_export"),
]
