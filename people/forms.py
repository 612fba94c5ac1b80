"""Forms of the HR people pages: the list's search and filters, editing a person, the
CSV import. Writes go through people.services; these only read and check input."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from core.security import client_ip
from people import services
from people.invitations import INVITABLE, NEVER_LOGGED_IN, NOT_INVITED, password_link_request
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
        null_label="No role",
    )
    manager = django_filters.ModelChoiceFilter(
        queryset=Person.objects.filter(reports__isnull=False).distinct(),
        label="Manager",
        empty_label="Anyone",
        null_label="No manager",
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
    login = django_filters.ChoiceFilter(
        choices=[
            ("never", "Never logged in"),
            ("uninvited", "Never logged in, not invited"),
            ("invited", "Invited, not logged in yet"),
            ("yes", "Has logged in"),
        ],
        method="filter_login",
        label="Log-in",
        empty_label="Anyone",
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

    def filter_login(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        if value == "yes":
            return queryset.exclude(NEVER_LOGGED_IN)
        if value == "uninvited":
            return queryset.filter(NOT_INVITED)
        if value == "invited":
            return queryset.filter(NEVER_LOGGED_IN & Q(invited_at__isnull=False))
        return queryset.filter(NEVER_LOGGED_IN)


class _Usernames(forms.MultipleChoiceField):
    """Usernames, repeated: any value passes here; clean() looks them up."""

    def valid_value(self, value: str) -> bool:
        return True


class InviteForm(forms.Form):
    """Who to invite: the people named (`username`, repeated), or with `found` set, every
    active person with an email address among those the list's filters find (the query
    string) who has never logged in."""

    username = _Usernames(required=False)
    found = forms.BooleanField(required=False)
    next = forms.CharField(required=False)

    def __init__(self, *args: Any, filters: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters = filters

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("found"):
            found = PeopleFilter(self.filters, queryset=Person.objects.all()).qs
            data["people"] = list(found.filter(INVITABLE))
            return data
        names = data.get("username") or []
        if not names:
            raise forms.ValidationError({"username": "Choose at least one person to invite."})
        people = Person.objects.in_bulk(names, field_name="username")
        unknown = [name for name in names if name not in people]
        if unknown:
            raise forms.ValidationError(
                {"username": f"No such person: {', '.join(sorted(unknown))}. Nobody was invited."}
            )
        data["people"] = [people[name] for name in dict.fromkeys(names)]
        return data


class PasswordLinkForm(PasswordResetForm):
    """ "Forgot your password?": the email goes through people.invitations (a task),
    to active people whether or not they ever had a password (imported people have
    none until they choose one)."""

    def save(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        assert request is not None, "PasswordResetView passes the request"
        password_link_request(
            email=self.cleaned_data["email"],
            site=request.build_absolute_uri("/"),
            ip=client_ip(request),
        )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj} ({obj.username})"


class PersonEditForm(forms.Form):
    """Email address, role, manager and the HR flag. A manager that would make a cycle is refused by
    the service, which names the field; the view puts that error beside it."""

    email = forms.EmailField(
        required=False,
        label="Email address",
        help_text="Where invitations and password links go.",
    )
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
            {
                "email": person.email,
                "role": person.role_id,
                "manager": person.manager_id,
                "is_hr": person.is_hr,
            },
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
