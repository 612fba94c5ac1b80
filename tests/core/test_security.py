"""Log-in throttling (django-axes) on the log-in page and the API token endpoint, and the
Content-Security-Policy every response carries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from core.security import client_ip

LIMIT = settings.AXES_FAILURE_LIMIT
TOKEN_URL = "/api/auth/token/"


def log_in(client, password: str, ip: str = "10.0.0.1", username: str = "erin"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def get_token(client, password: str, ip: str = "10.0.0.1", username: str = "erin"):
    return client.post(
        TOKEN_URL,
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def test_the_limit_is_five_failures_per_username_and_address():
    assert LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_the_login_page_locks_a_user_out_after_repeated_failures(client, erin):
    for _ in range(LIMIT - 1):
        assert log_in(client, "wrong").status_code == 200

    locked = log_in(client, "wrong")
    assert locked.status_code == 429
    assert "Too many failed log-in attempts" in locked.content.decode()

    # Even the right password is refused now, with the same clear message.
    again = log_in(client, "demo")
    assert again.status_code == 429
    assert "Too many failed log-in attempts" in again.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_locked_out_page_keeps_the_username_and_one_heading(client, erin):
    for _ in range(LIMIT):
        response = log_in(client, "wrong")

    html = response.content.decode()
    assert html.count("<h1>") == 1
    assert 'value="erin"' in html
    assert 'role="alert"' in html


def test_the_token_endpoint_locks_a_user_out_with_a_json_429(client, erin):
    for _ in range(LIMIT - 1):
        assert get_token(client, "wrong").status_code == 400

    locked = get_token(client, "wrong")
    assert locked.status_code == 429
    assert locked.json() == {
        "detail": "Too many failed log-in attempts for this account. Try again in 15 minutes."
    }
    assert get_token(client, "demo").status_code == 429


def test_failures_on_the_page_and_the_api_count_together(client, erin):
    for _ in range(LIMIT - 1):
        log_in(client, "wrong")

    assert get_token(client, "wrong").status_code == 429


def test_another_address_is_not_locked_out(client, erin):
    for _ in range(LIMIT):
        log_in(client, "wrong", ip="10.0.0.1")

    assert log_in(client, "demo", ip="10.0.0.2").status_code == 302
    assert get_token(client, "demo", ip="10.0.0.2").status_code == 200


def test_another_user_from_the_same_address_is_not_locked_out(client, org):
    for _ in range(LIMIT):
        log_in(client, "wrong", username="erin")

    assert log_in(client, "demo", username="sam").status_code == 302


def test_a_successful_login_clears_the_failures(client, erin):
    for _ in range(LIMIT - 1):
        log_in(client, "wrong")
    assert log_in(client, "demo").status_code == 302
    client.post("/logout/")

    for _ in range(LIMIT - 1):
        assert log_in(client, "wrong").status_code == 200
    assert get_token(client, "demo").status_code == 200


def test_a_token_clears_the_failures_too(client, erin):
    for _ in range(LIMIT - 1):
        get_token(client, "wrong")
    assert get_token(client, "demo").status_code == 200

    for _ in range(LIMIT - 1):
        assert get_token(client, "wrong").status_code == 400


def test_the_api_schema_declares_the_lockout(client, db):
    schema = client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT="application/json")

    assert "429" in schema.json()["paths"][TOKEN_URL]["post"]["responses"]


# --- Content-Security-Policy --------------------------------------------------------------


def test_every_page_carries_a_strict_policy_with_a_nonce(client, erin):
    client.force_login(erin)
    policy = client.get("/map/")["Content-Security-Policy"]

    assert "default-src 'self'" in policy
    assert re.search(r"script-src 'self' 'nonce-[\w+/=-]+'", policy)
    assert re.search(r"style-src 'self' 'nonce-[\w+/=-]+'", policy)
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_the_api_docs_load_their_settings_from_a_script_file(client, db):
    html = client.get("/api/docs/").content.decode()
    nonce = re.search(r"'nonce-([^']+)'", client.get("/api/docs/")["Content-Security-Policy"])

    assert nonce
    assert re.search(r'<script src="[^"]*\?script', html)
    assert "<script>" not in html
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\shx-on|\son[a-z]+=", re.I)
COMMENTS = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.S)
# Pages only: an email's HTML part is read by mail clients, not under the site's CSP,
# and most of them honour only inline styles.
OUR_TEMPLATES = sorted(
    p for p in Path(settings.BASE_DIR, "templates").rglob("*.html") if p.parent.name != "email"
)


@pytest.mark.parametrize("template", OUR_TEMPLATES, ids=lambda p: p.name)
def test_our_templates_hold_no_inline_script_style_or_handler(template):
    text = COMMENTS.sub("", template.read_text())
    # The one nonce'd block: drf-spectacular's base styles for Swagger UI.
    text = text.replace("<style {% csp_nonce_attr %}>", "")

    assert not INLINE.search(text), INLINE.search(text)


def test_the_charts_draw_without_style_attributes():
    source = Path(settings.BASE_DIR, "assessments", "charts.py").read_text()

    assert not re.search(r"\bstyle=|<style", source)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.9"),  # no proxy: the header is the client's say-so
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the entry our proxy added
        (2, "6.6.6.6, 203.0.113.7, 10.1.1.1", "203.0.113.7"),
        (1, "", "10.0.0.9"),
    ],
)
def test_the_client_address_trusts_only_the_proxies_in_front(
    settings, rf, proxies, forwarded, expected
):
    settings.PROXY_COUNT = proxies
    request = rf.post("/login/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_behind_a_proxy_another_client_is_not_locked_out(client, settings, erin):
    settings.PROXY_COUNT = 1
    proxy = "10.9.9.9"
    for _ in range(LIMIT):
        client.post(
            "/login/",
            {"username": "erin", "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="203.0.113.1",
        )

    other = client.post(
        "/login/",
        {"username": "erin", "password": "demo"},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.2",
    )
    assert other.status_code == 302


# --- Per address: many usernames from one address (issue 23) ----------------------------


def test_one_address_guessing_many_usernames_is_slowed_on_the_page_and_the_api(
    client, erin, settings
):
    """axes counts per username and address: one guess at each of 20 usernames never
    trips it. core.security counts the address's failures whatever the usernames."""
    per_ip = settings.LOGIN_FAILURES_PER_IP
    for n in range(per_ip):
        assert log_in(client, "wrong", username=f"user{n}").status_code == 200

    page = log_in(client, "demo")  # erin's right password, from that address
    assert page.status_code == 429
    assert "Too many failed log-ins from this address" in page.content.decode()
    assert "_auth_user_id" not in client.session
    api = get_token(client, "demo")
    assert api.status_code == 429
    # Another address is not concerned.
    assert log_in(client, "demo", ip="10.0.0.9").status_code == 302


def test_failures_below_the_address_limit_let_the_right_password_in(client, erin, settings):
    for n in range(settings.LOGIN_FAILURES_PER_IP - 1):
        log_in(client, "wrong", username=f"user{n}")
    assert log_in(client, "demo").status_code == 302


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
@pytest.mark.parametrize(
    ("field", "value"), [("username", "u" * 10_000), ("password", "p" * 10_000)]
)
def test_an_overlong_username_or_password_on_a_log_in_page_is_refused_before_authenticating(
    client, erin, url, field, value
):
    # Django's form sets the username's max_length after making the field: nothing held
    # it, and django-axes stored the attempt in its 255-character column (a 500 on
    # PostgreSQL). Like the token endpoint, the page refuses it on the field.
    from axes.models import AccessAttempt

    response = client.post(url, {"username": "erin", "password": "wrong", field: value})

    assert response.status_code == 200
    assert "at most" in response.content.decode()
    assert not AccessAttempt.objects.exists()
