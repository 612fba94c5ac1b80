"""The assessments app's pages: My map, assessing, paths, history, growth, a report's
pages, the team and org views, reports, framework import/export and impact preview."""

from __future__ import annotations

from assessments.promotions import rounds_views
from assessments.promotions import views as promotion_views
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
    path_guide,
    paths,
    report,
    reports,
    roles,
    team,
)

app_name = "assessments"

urlpatterns = [
    *my_map.urlpatterns,
    *evidence.urlpatterns,
    *feedback.urlpatterns,
    *assess.urlpatterns,
    *path_guide.urlpatterns,  # /paths/guide/ before paths' own (issue 21)
    *paths.urlpatterns,
    *roles.urlpatterns,  # /roles/<key>/ (issue 21)
    *history.urlpatterns,
    *growth.urlpatterns,
    *report.urlpatterns,
    *team.urlpatterns,
    *framework_io.urlpatterns,
    *impact.urlpatterns,
    *reports.urlpatterns,
    *cycles.urlpatterns,
    *checkins.urlpatterns,
    *promotion_views.urlpatterns,
    *rounds_views.urlpatterns,  # /promotions/rounds/ (issue 20: the committee)
]
