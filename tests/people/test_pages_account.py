"""Your account: the time zone pages use, chosen by each person."""

from __future__ import annotations

import pytest


def test_a_person_chooses_a_time_zone_and_clears_it(client, erin):
    client.force_login(erin)
    html = client.get("/account/").content.decode()
    assert "<h1>Your account</h1>" in html
    assert '<option value="Europe/Paris">Europe/Paris</option>' in html
    assert "now the server's: UTC" in html

    response = client.post("/account/", {"time_zone": "Europe/Paris"}, follow=True)
    assert "Times are now shown in Europe/Paris." in response.content.decode()
    erin.refresh_from_db()
    assert erin.time_zone == "Europe/Paris"

    client.post("/account/", {"time_zone": ""})
    erin.refresh_from_db()
    assert erin.time_zone == ""


def test_an_unknown_zone_is_refused_beside_its_field_and_nothing_changes(client, erin):
    client.force_login(erin)
    html = client.post("/account/", {"time_zone": "Mars/Olympus"}).content.decode()
    assert "Time zone: Select a valid choice." in html
    erin.refresh_from_db()
    assert erin.time_zone == ""


def test_the_header_links_the_account_and_visitors_log_in_first(client, erin):
    assert client.get("/account/")["Location"].startswith("/login/")
    client.force_login(erin)
    assert '<a class="who" href="/account/"' in client.get("/").content.decode()


@pytest.mark.parametrize("zone", ["", "Pacific/Kiritimati"])
def test_a_stored_zone_this_machine_lacks_falls_back_to_the_servers(client, erin, zone):
    erin.time_zone = zone or "Nowhere/Gone"
    erin.save()
    client.force_login(erin)
    assert client.get("/account/").status_code == 200
