"""The framework's HR pages: overview, editors, the expectation grid, history."""

from __future__ import annotations

from django.urls import path

from skills import views

app_name = "skills"

urlpatterns = [
    path("framework/", views.framework, name="framework"),
    path("framework/grid/", views.grid, name="framework_grid"),
    path("framework/grid/<slug:role>/<slug:skill>/", views.grid_cell, name="grid_cell"),
    path(
        "framework/grid/<slug:role>/<slug:skill>/show/", views.grid_cell_show, name="grid_cell_show"
    ),
    path("framework/new/category/", views.category_edit, name="category_new"),
    path("framework/categories/<slug:key>/", views.category_edit, name="category_edit"),
    path("framework/new/skill/", views.skill_edit, name="skill_new"),
    path("framework/skills/<slug:key>/", views.skill_edit, name="skill_edit"),
    path(
        "framework/skills/<slug:key>/retire/",
        views.skill_retire,
        {"retired": True},
        name="skill_retire",
    ),
    path(
        "framework/skills/<slug:key>/restore/",
        views.skill_retire,
        {"retired": False},
        name="skill_restore",
    ),
    path("framework/skills/<slug:key>/history/", views.skill_changes, name="skill_history"),
    path("framework/new/role/", views.role_edit, name="role_new"),
    path("framework/roles/<slug:key>/", views.role_edit, name="role_edit"),
    path(
        "framework/roles/<slug:key>/retire/",
        views.role_retire,
        {"retired": True},
        name="role_retire",
    ),
    path(
        "framework/roles/<slug:key>/restore/",
        views.role_retire,
        {"retired": False},
        name="role_restore",
    ),
    path("framework/roles/<slug:key>/history/", views.role_changes, name="role_history"),
]
