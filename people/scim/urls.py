"""/scim/v2/: mounted by careermap/urls.py."""

from __future__ import annotations

from django.urls import path, re_path

from people.scim import views

app_name = "scim"

urlpatterns = [
    path("ServiceProviderConfig", views.service_provider_config_view, name="config"),
    path("ResourceTypes", views.resource_types_view, name="resource_types"),
    path("ResourceTypes/<str:name>", views.resource_type_view, name="resource_type"),
    path("Schemas", views.schemas_view, name="schemas"),
    path("Schemas/<str:urn>", views.schema_view, name="schema"),
    path("Users", views.users_view, name="users"),
    path("Users/<str:pk>", views.user_view, name="user"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
