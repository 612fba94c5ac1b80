from __future__ import annotations

from assessments.views import assess, framework_io, growth, history, impact, my_map, paths, reports
from assessments.views.report import urlpatterns as report_urlpatterns
from assessments.views.team import urlpatterns as team_urlpatterns

urlpatterns = [
    *my_map.urlpatterns,
    *assess.urlpatterns,
    *paths.urlpatterns,
    *history.urlpatterns,
    *growth.urlpatterns,
    *report_urlpatterns,
    *team_urlpatterns,
    *framework_io.urlpatterns,
    *impact.urlpatterns,
    *reports.urlpatterns,
]
