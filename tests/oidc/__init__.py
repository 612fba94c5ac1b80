"""A real OpenID Connect provider for the SSO tests: tests/oidc/provider.js (npm's
oidc-provider, installed by `npm ci`) run by node as a process, and a small client that
goes through its development log-in pages the way a person would."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import requests

PROVIDER = Path(__file__).with_name("provider.js")
CLIENT_ID = "careermap"
SHORT_CODE_CLIENT_ID = "careermap-short"  # its codes expire after a second
CLIENT_SECRET = "test-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def provider(redirect_uris: list[str], post_logout_uris: list[str] = ()) -> Iterator[str]:
    """Run the provider; yields its issuer URL."""
    node = shutil.which("node")
    assert node, "node is needed for the SSO tests (apt-get install nodejs)"
    port = free_port()
    env = {
        "PORT": str(port),
        "REDIRECT_URI": ",".join(redirect_uris),
        "POST_LOGOUT_URI": ",".join(post_logout_uris),
        "PATH": str(Path(node).parent),
    }
    process = subprocess.Popen(
        [node, str(PROVIDER)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=PROVIDER.parent,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("ready "), f"the provider did not start: {line!r}"
        yield line.split()[1]
    finally:
        process.terminate()
        process.wait(timeout=10)


def _form(html: str, base: str) -> tuple[str, dict[str, str]]:
    form = re.search(r"<form[^>]*action=\"([^\"]+)\"[^>]*>(.*?)</form>", html, re.S)
    assert form, f"no form on the provider's page: {html[:500]}"
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form.group(2)):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return urljoin(base, unescape(form.group(1))), fields


def sign_in(authorize_url: str, login: str, redirect_prefix: str) -> str:
    """Go through the provider's log-in and consent pages as `login`; returns the URL
    the provider sends the browser back to (our callback, with code and state)."""
    session = requests.Session()
    url, method, data = authorize_url, "GET", None
    for _ in range(12):
        response = session.request(method, url, data=data, allow_redirects=False, timeout=10)
        if response.is_redirect:
            location = urljoin(url, response.headers["Location"])
            if location.startswith(redirect_prefix):
                return location
            url, method, data = location, "GET", None
            continue
        assert response.status_code == 200, (response.status_code, response.text[:500])
        url, fields = _form(response.text, url)
        if "login" in fields:
            fields.update(login=login, password="any")
        method, data = "POST", fields
    raise AssertionError("the provider never sent the browser back")
