"""The people app's HR pages: people, their import, a person's edit page, the audit trail."""

from __future__ import annotations

from django.urls import path

from people import account, notification_views, views

app_name = "people"

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/import/", views.import_people, name="people_import"),
    path("people/import/template.csv", views.import_template, name="people_import_template"),
    path("people/invite/", views.invite, name="people_invite"),
    path("people/<int:pk>/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/deactivate/", views.deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", views.reactivate, name="person_reactivate"),
    path("audit/", views.audit, name="audit"),
    path("account/", account.account, name="account"),
    *notification_views.urlpatterns,
]
