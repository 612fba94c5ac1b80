"""manage.py import_framework [FILE | - | --template NAME] [--dry-run]: the framework
import, checked against stored ratings (assessments.services.framework_import)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.services import framework_import
from skills import library
from skills.openformat import FrameworkInvalid, parse


class Command(BaseCommand):
    help = "Import a framework in the open format (YAML or JSON): upsert by key, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            nargs="?",
            help="YAML or JSON file; '-' for standard input. "
            "Default: the framework shipped with careermap.",
        )
        parser.add_argument(
            "--template",
            metavar="NAME",
            help="Import a public framework shipped with careermap instead of a file: "
            + ", ".join(library.names())
            + ".",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )

    def handle(
        self, *args: Any, file: str | None, template: str | None, dry_run: bool, **options: Any
    ) -> None:
        if template is not None and file is not None:
            raise CommandError("give a file or --template, not both")
        if template is not None:
            try:
                text = library.read(template)
            except library.UnknownTemplate as exc:
                raise CommandError(str(exc)) from None
        elif file == "-":
            text = sys.stdin.buffer.read()
        else:
            path = Path(file or settings.DEFAULT_FRAMEWORK_FILE)
            try:
                text = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        try:
            result = framework_import(document=parse(text), dry_run=dry_run)
        except FrameworkInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(exc.errors)} error(s); nothing was imported.") from exc
        prefix = "Dry run, nothing written. Would import: " if dry_run else "Imported: "
        self.stdout.write(prefix + result.summary())
        if options["verbosity"] > 1:
            for outcome in ("created", "updated"):
                for section, keys in getattr(result, outcome).items():
                    for key in keys:
                        self.stdout.write(f"  {outcome} {section} {key}")
