"""Static rules held by the database itself, whatever code writes: the org chart."""

from __future__ import annotations

import pytest

from tests.helpers import refused

pytestmark = pytest.mark.django_db


def test_nobody_is_their_own_manager(erin):
    erin.manager_id = erin.pk
    refused("person_not_own_manager", erin.save)
