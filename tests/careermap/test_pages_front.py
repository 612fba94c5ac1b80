"""Log in, log out, and the navigation."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def nav_labels(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/login/"
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert ">Log in</button>" in html


def test_logging_in_lands_home_and_logging_out_leaves(client, erin):
    response = client.post("/login/", {"username": "erin", "password": "demo"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/"
    assert html.count("<h1>") == 1
    assert ">Log out</button>" in html

    client.post("/logout/")
    assert client.get("/map/").status_code == 302


def test_a_wrong_password_says_so(client, erin):
    response = client.post("/login/", {"username": "erin", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_the_navigation_shows_an_engineer_the_engineer_pages(client, erin):
    client.force_login(erin)
    labels = nav_labels(client.get("/map/").content.decode())
    assert labels == ["Home", "My map", "Assess", "Paths", "History", "Growth plan", "Asked of me"]
