"""The assessments app's pages: My map, assessing, paths, history, growth, a report's
pages, the team and org views, reports, framework import/export and impact preview."""

from __future__ import annotations

from assessments.views import (
    assess,
    checkins,
    cycles,
    evidence,
    feedback,
    framework_io,
    growth,
    history,
    impact,
    my_map,
    paths,
    report,
    reports,
    team,
)

app_name = "assessments"

urlpatterns = [
    *my_map.urlpatterns,
    *evidence.urlpatterns,
    *feedback.urlpatterns,
    *assess.urlpatterns,
    *paths.urlpatterns,
    *history.urlpatterns,
    *growth.urlpatterns,
    *report.urlpatterns,
    *team.urlpatterns,
    *framework_io.urlpatterns,
    *impact.urlpatterns,
    *reports.urlpatterns,
    *cycles.urlpatterns,
    *checkins.urlpatterns,
]
