"""The people app's HR pages: people, their import, a person's edit page, the audit trail."""

from __future__ import annotations

from django.urls import path

from people import account, notification_views, sso_views, views
from people.scim import pages as scim_pages

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
    path("people/scim/", scim_pages.scim_clients, name="scim_clients"),
    path("people/scim/<int:pk>/revoke/", scim_pages.scim_client_revoke, name="scim_client_revoke"),
    # Single sign-on (issue 22) and the account page's API token.
    path("sso/start/", sso_views.Start.as_view(), name="sso_start"),
    path("sso/callback/", sso_views.Callback.as_view(), name="sso_callback"),
    path("sso/logout/", sso_views.Logout.as_view(), name="sso_logout"),
    path("account/token/", sso_views.token_create, name="account_token_create"),
    path("account/token/revoke/", sso_views.token_revoke, name="account_token_revoke"),
]
