from __future__ import annotations

from assessments.views import assess, growth, history, my_map, paths

urlpatterns = [
    *my_map.urlpatterns,
    *assess.urlpatterns,
    *paths.urlpatterns,
    *history.urlpatterns,
    *growth.urlpatterns,
]
