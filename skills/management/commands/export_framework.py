from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from skills.openformat import dump, export


class Command(BaseCommand):
    help = "Write the whole framework in the open format to standard output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["yaml", "json"], default="yaml")

    def handle(self, *args: Any, format: str, **options: Any) -> None:
        self.stdout.write(dump(export(), format), ending="")
