"""HR: import the whole framework from a YAML or JSON document (dry run first, with its
impact on people's readiness, then apply), and export it. Anyone but an HR admin gets 404.

The uploaded text waits in the session between the dry run and the apply, so a reload
never asks for the file again; the apply parses and validates it again from scratch (the
stored framework may have changed since), and a digest of the text in the apply form makes
sure the document applied is the one whose dry run was shown.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, re_path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.impact import impact_of
from assessments.services import framework_import
from core.access import hr_required
from core.htmx import render_region
from core.types import AuthedHttpRequest
from skills import library
from skills.models import Scale
from skills.openformat import FrameworkError, FrameworkInvalid, dump, export, parse
from skills.services import SECTIONS, ImportResult

MAX_BYTES = 2 * 1024 * 1024
TEMPLATE = "assessments/framework_import.html"
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


def _without_scale(document: dict[str, Any]) -> dict[str, Any]:
    # validate() reads section names trimmed: " scale" is the scale too.
    return {k: v for k, v in document.items() if not (isinstance(k, str) and k.strip() == "scale")}


def _document_scale(document: Any) -> str:
    scale = next((v for k, v in document.items() if str(k).strip() == "scale"), None)
    if isinstance(scale, dict) and "min" in scale and "max" in scale:
        return f"{scale['min']}-{scale['max']}"
    return ""


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


@hr_required
@require_GET
def framework_import_review(request: AuthedHttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING)
    if pending is None:
        messages.info(request, "Upload a framework file first: its dry run shows here.")
        return redirect("assessments:framework_import")
    keep_scale = request.GET.get("keep_scale") == "1"
    document = parse(pending["text"])  # parsed once already, on upload
    scale = _document_scale(document)
    if keep_scale:
        document = _without_scale(document)
    errors: list[FrameworkError] = []
    context: dict[str, Any] = {}
    try:
        result, impact = impact_of(lambda: framework_import(document=document, by=request.user))
    except FrameworkInvalid as exc:
        errors = exc.errors
    else:
        context |= {
            "sections": _sections(result),
            "changed": result.changed,
            "near_duplicates": near_duplicates(result),
            "impact": impact,
            "became_ready": impact.became_ready,
            "became_not_ready": impact.became_not_ready,
        }
    context |= {
        "review": True,
        "name": pending["name"],
        "digest": _digest(pending["text"]),
        "errors": errors,
        "keep_scale": keep_scale,
        "offer_keep_scale": bool(scale) and (keep_scale or any(e.path == "scale" for e in errors)),
        "document_scale": scale,
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
    review = reverse("assessments:framework_import_review") + (
        "?keep_scale=1" if keep_scale else ""
    )
    if request.POST.get("digest") != _digest(pending["text"]):
        messages.error(
            request,
            "Nothing was imported: the document waiting here is not the one of the dry "
            "run you applied (was another one uploaded meanwhile?). Check this dry run.",
        )
        return redirect(review)
    # Never trust the dry run: parsed and validated again against what is stored now.
    document = parse(pending["text"])
    if keep_scale:
        document = _without_scale(document)
    try:
        result = framework_import(document=document, by=request.user)
    except FrameworkInvalid:
        messages.error(
            request,
            "Nothing was imported: the framework changed since the dry run and the "
            "document no longer fits. The errors are listed below.",
        )
        return redirect(review)
    del request.session[PENDING]
    messages.success(request, f"Imported {pending['name']}: {result.summary()}.")
    return redirect("skills:framework")


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
    re_path(r"^framework/export\.(?P<fmt>yaml|json)$", framework_export, name="framework_export"),
]
