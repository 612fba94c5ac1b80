from __future__ import annotations

from assessments.views import assess, growth, history, my_map, paths
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
]
