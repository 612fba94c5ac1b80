"""Forms of the framework editor. They only shape input: the services validate it
against the open format and the stored framework, and write it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug

from skills.models import Category, Role, Scale, Skill

# Service errors come keyed by the format's field names ("slug" for the key).
SERVICE_FIELDS = {"slug": "key"}


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's field errors beside the form's fields (others on the form)."""
    for field, messages in error.message_dict.items():
        name = SERVICE_FIELDS.get(field, field)
        if name.startswith("level_") or name not in form.fields:
            name = None  # type: ignore[assignment]
        for message in messages:
            form.add_error(name, message)


def _key_field(editable: bool) -> forms.CharField:
    return forms.CharField(
        label="Key",
        max_length=100,
        validators=[validate_slug],
        disabled=not editable,
        help_text="Letters, digits, - and _. It never changes once created.",
    )


class CategoryForm(forms.Form):
    key = _key_field(True)
    name = forms.CharField(label="Name", max_length=200)
    kind = forms.ChoiceField(label="Kind", choices=Category.Kind.choices)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    order = forms.IntegerField(label="Order", min_value=-1_000_000, max_value=1_000_000)

    def __init__(self, *args: Any, category: Category | None = None, **kwargs: Any) -> None:
        if category is not None:
            kwargs.setdefault(
                "initial",
                {
                    "key": category.key,
                    "name": category.name,
                    "kind": category.kind,
                    "description": category.description,
                    "order": category.order,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["key"].disabled = category is not None

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {k: data[k] for k in ("name", "kind", "description", "order")}


class SkillForm(forms.Form):
    """Name, category, description, one descriptor per level of the stored scale, ways
    to grow. The descriptor fields are `level_<n>`."""

    key = _key_field(True)
    name = forms.CharField(label="Name", max_length=200)
    category = forms.ModelChoiceField(
        label="Category", queryset=Category.objects.order_by("order", "name"), to_field_name="key"
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    how_to_grow = forms.CharField(
        label="Ways to grow", required=False, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args: Any, scale: Scale, skill: Skill | None = None, **kwargs: Any) -> None:
        if skill is not None:
            initial = {
                "key": skill.key,
                "name": skill.name,
                "category": skill.category.key,
                "description": skill.description,
                "how_to_grow": skill.how_to_grow,
            }
            initial |= {f"level_{level}": text for level, text in skill.levels.items()}
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["key"].disabled = skill is not None
        self.level_names = []
        for level in scale.levels:
            name = f"level_{level}"
            self.fields[name] = forms.CharField(
                label=f"{level} · {scale.label(level)}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.level_names.append(name)
        # Ways to grow after the descriptors, as the page reads top to bottom.
        self.order_fields(["key", "name", "category", "description", *self.level_names])

    def level_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.level_names]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        levels = {
            name.removeprefix("level_"): data[name] for name in self.level_names if data[name]
        }
        return {
            "name": data["name"],
            "category": data["category"].key,
            "description": data["description"],
            "levels": levels,
            "how_to_grow": data["how_to_grow"],
        }


class RoleForm(forms.Form):
    key = _key_field(True)
    name = forms.CharField(label="Name", max_length=200)
    track = forms.ChoiceField(label="Track", choices=Role.Track.choices)
    level = forms.IntegerField(
        label="Level", min_value=0, max_value=1000, help_text="Order within the track."
    )
    summary = forms.CharField(
        label="Summary", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_roles = forms.ModelMultipleChoiceField(
        label="Next roles",
        queryset=Role.objects.none(),
        to_field_name="key",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, role: Role | None = None, **kwargs: Any) -> None:
        if role is not None:
            kwargs.setdefault(
                "initial",
                {
                    "key": role.key,
                    "name": role.name,
                    "track": role.track,
                    "level": role.level,
                    "summary": role.summary,
                    "next_roles": [r.key for r in role.next_roles.all()],
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["key"].disabled = role is not None
        others = Role.objects.active()
        if role is not None:
            # A retired next role stays offered while linked, so saving keeps the link.
            others = (others | Role.objects.filter(previous_roles=role)).exclude(pk=role.pk)
        others = others.distinct().order_by("track", "level", "name")
        self.fields["next_roles"].queryset = others  # type: ignore[attr-defined]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "track": data["track"],
            "level": data["level"],
            "summary": data["summary"],
            "next_roles": sorted(r.key for r in data["next_roles"]),
        }


class CellForm(forms.Form):
    """One cell of the grid: the new level (blank: no expectation) and the level the
    editor saw when they opened it."""

    level = forms.IntegerField(required=False)  # the scale is the service's to check
    was = forms.IntegerField(required=False, widget=forms.HiddenInput)
