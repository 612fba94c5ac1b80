"""HR pages for the framework: editor, grid, history. (Filled by the framework editor work.)"""

from __future__ import annotations

urlpatterns: list = []
