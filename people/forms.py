"""Forms of the HR people pages: the list's search and filters, editing a person, the
CSV import. Writes go through people.services; these only read and check input."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet

from people import services
from people.models import Person
from skills.models import Role

YES_NO = [("yes", "Yes"), ("no", "No")]


class PeopleFilter(django_filters.FilterSet):
    """A value that names nothing (an unknown role key, say) is ignored, not an error:
    the list then shows what the other filters leave."""

    q = django_filters.CharFilter(method="search", label="Search")
    role = django_filters.ModelChoiceFilter(
        queryset=Role.objects.order_by("retired", "track", "level", "name"),
        to_field_name="key",
        label="Role",
        empty_label="Any role",
    )
    manager = django_filters.ModelChoiceFilter(
        queryset=Person.objects.filter(reports__isnull=False).distinct(),
        label="Manager",
        empty_label="Anyone",
    )
    active = django_filters.ChoiceFilter(
        choices=[("yes", "Active"), ("no", "Deactivated")],
        method="filter_active",
        label="Status",
        empty_label="Any status",
    )
    hr = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_hr", label="HR admin", empty_label="Either"
    )

    class Meta:
        model = Person
        fields: list[str] = []

    def search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value) | Q(name__icontains=value) | Q(email__icontains=value)
        )

    def filter_active(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return queryset.filter(is_active=value == "yes")

    def filter_hr(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return queryset.filter(is_hr=value == "yes")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj} ({obj.username})"


class PersonEditForm(forms.Form):
    """Role, manager and the HR flag. A manager that would make a cycle is refused by
    the service, which names the field; the view puts that error beside it."""

    role = forms.ModelChoiceField(
        queryset=Role.objects.none(), required=False, label="Role", empty_label="No role"
    )
    manager = PersonChoiceField(
        queryset=Person.objects.none(), required=False, label="Manager", empty_label="No manager"
    )
    is_hr = forms.BooleanField(
        required=False,
        label="HR admin",
        help_text="HR admins see everyone and edit the framework and the org chart.",
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"role": person.role_id, "manager": person.manager_id, "is_hr": person.is_hr},
        )
        super().__init__(*args, **kwargs)
        # Retired roles are hidden from new work; the one held now stays choosable.
        self.fields["role"].queryset = Role.objects.filter(  # type: ignore[attr-defined]
            Q(retired=False) | Q(pk=person.role_id)
        )
        self.fields["manager"].queryset = (  # type: ignore[attr-defined]
            Person.objects.filter(Q(is_active=True) | Q(pk=person.manager_id))
            .exclude(pk=person.pk)
            .order_by("name", "username")
        )


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=f"A .csv file, UTF-8, at most {services.people_csv_max_size()}.",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".csv"):
            raise forms.ValidationError("Choose a .csv file (comma-separated values).")
        if (upload.size or 0) > services.PEOPLE_CSV_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {services.people_csv_max_size()}."
            )
        return upload
