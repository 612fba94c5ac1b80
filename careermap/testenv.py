"""Environment for test runs, loaded by pytest (`-p careermap.testenv`) before Django."""

from __future__ import annotations

import os

# Tests run with debug off, as production does; they need a key, never a real one.
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret")
# Playwright's sync API runs an event loop in the test thread; the ORM calls it makes
# through live_server are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
