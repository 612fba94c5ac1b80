"""(Filled by the HR pages work.)"""

from __future__ import annotations

urlpatterns: list = []
