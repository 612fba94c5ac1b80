"""HR pages for people: the list, editing, CSV import. (Filled by the people pages work.)"""

from __future__ import annotations

urlpatterns: list = []
