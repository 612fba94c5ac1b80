"""Environment for test runs, loaded by pytest (`-p careermap.testenv`) before Django."""

from __future__ import annotations

import os

# Tests run with debug off, as production does; they need a key, never a real one (long
# and varied enough for the production rule of careermap.settings.secret_key_problem).
os.environ.setdefault(
    "DJANGO_SECRET_KEY", "tests-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
)
# The test client and the live server of the browser tests speak plain http, with no
# TLS proxy in front: no https redirect, no secure-only cookies, no HSTS. Production
# keeps them (tests/careermap/test_settings.py runs its checks in a subprocess without this).
os.environ.setdefault("DJANGO_HTTPS", "0")
# Playwright's sync API runs an event loop in the test thread; the ORM calls it makes
# through live_server are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
