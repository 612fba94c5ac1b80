"""HR pages for the framework: editor, grid, history."""

from __future__ import annotations

from skills.views import urlpatterns

__all__ = ["urlpatterns"]
