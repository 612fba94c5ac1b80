"""SCIM clients from the command line (issue 22):

python manage.py scim_token create NAME   # prints the new token as its last line
python manage.py scim_token revoke NAME
python manage.py scim_token list
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from people.models import ScimClient
from people.scim import clients


class Command(BaseCommand):
    help = "Create, revoke or list SCIM clients (their bearer tokens)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "revoke", "list"])
        parser.add_argument("name", nargs="?", default="")

    def handle(self, *args: Any, action: str, name: str, **options: Any) -> None:
        if action == "list":
            for client in ScimClient.objects.all():
                state = (
                    f"revoked {client.revoked_at:%Y-%m-%d %H:%M}" if client.revoked_at else "live"
                )
                used = f"{client.last_used_at:%Y-%m-%d %H:%M}" if client.last_used_at else "never"
                self.stdout.write(f"{client.name}\t{state}\tlast used {used}")
            return
        if not name:
            raise CommandError(f"scim_token {action} needs a NAME.")
        try:
            if action == "create":
                client, token = clients.client_create(by=None, name=name)
                self.stdout.write(
                    f'SCIM client "{client.name}" created. Its token, shown this once:'
                )
                self.stdout.write(token)
            else:
                clients.client_revoke(by=None, name=name)
                self.stdout.write(f'SCIM client "{name}" revoked.')
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
