"""`concilium directory_import FILE [--dry-run]`: upsert clinicians from CSV, all rows or none."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from concilium.directory.selectors import CSV_COLUMNS
from concilium.directory.services import DirectoryImportError, ImportReport, clinicians_import

MAX_ERRORS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Import clinicians from a UTF-8 CSV file with the columns "
        + ",".join(CSV_COLUMNS)
        + " (languages and networks are semicolon-separated codes). Rows are matched by email: new ones are "
        "created, existing ones updated. Hospitals must exist (matched by name and country); missing "
        "specialties are created. If any row is invalid, every error is reported and nothing is imported."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="the CSV file to import ('-' reads standard input)")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            if path == "-":
                report = clinicians_import(stream=self.stdin_stream(), dry_run=options["dry_run"])
            else:
                with open(path, encoding="utf-8-sig", newline="") as stream:
                    report = clinicians_import(stream=stream, dry_run=options["dry_run"])
        except FileNotFoundError as exc:
            raise CommandError(f"{path}: no such file") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text (save the CSV as UTF-8)") from exc
        except DirectoryImportError as exc:
            self.print_errors(exc.report)
            raise CommandError(
                f"{len(exc.report.errors)} error(s) in {exc.report.rows} row(s); nothing was imported."
            ) from exc
        self.print_summary(report)

    def stdin_stream(self) -> Any:
        import sys

        sys.stdin.reconfigure(encoding="utf-8-sig", newline="")  # type: ignore[union-attr]  # a TextIOWrapper at run time
        return sys.stdin

    def print_errors(self, report: ImportReport) -> None:
        for error in report.errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(str(error))
        if len(report.errors) > MAX_ERRORS_SHOWN:
            self.stderr.write(f"... and {len(report.errors) - MAX_ERRORS_SHOWN} more")

    def print_summary(self, report: ImportReport) -> None:
        prefix = "Dry run, nothing written: would have " if report.dry_run else ""
        self.stdout.write(
            f"{prefix}created {report.created}, updated {report.updated}, "
            f"left {report.unchanged} unchanged of {report.rows} row(s)."
        )
        if report.specialties_created:
            self.stdout.write("New specialties: " + ", ".join(report.specialties_created))
