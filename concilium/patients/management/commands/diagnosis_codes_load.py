"""`concilium diagnosis_codes_load [FILE]`: load diagnosis codes from CSV (system,code,label)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from concilium.patients.codes import BUNDLED_CODES, diagnosis_codes_load


class Command(BaseCommand):
    help = "Load ICD-10 and ORPHA diagnosis codes from CSV (system,code,label); the bundled set by default."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default=str(BUNDLED_CODES), help="CSV file (UTF-8)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            with path.open(encoding="utf-8-sig", newline="") as stream:
                result = diagnosis_codes_load(stream)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        if result.errors:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(result.errors)} error(s): nothing was loaded")
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"
            )
        )
