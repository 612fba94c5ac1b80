"""Every email careermap sends, built one way: a subject, a plain-text part and an HTML
part from three templates (`<name>_subject.txt`, `<name>.txt`, `<name>.html`), each
given the product's name and address. Only tasks call `send` (the worker sends mail; a
request never waits on a mail server)."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from core.site import site_url

PRODUCT = "careermap"


def send(
    *, to: str, template: str, context: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    """Send the email `template` (e.g. "people/email/digest") to the address `to`.
    Raises what the mail backend raises: the calling task retries."""
    context = {"product": PRODUCT, "site": site_url(), **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(subject, text, None, [to], headers=headers or {})
    message.attach_alternative(html, "text/html")
    message.send()
