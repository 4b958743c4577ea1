"""`concilium directory_export [FILE|-]`: the directory as CSV, streamed with constant memory."""

from argparse import ArgumentParser
from io import TextIOBase
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from concilium.core.spreadsheet import SafeDictWriter
from concilium.directory.selectors import CSV_COLUMNS, clinician_export_rows


class Command(BaseCommand):
    help = (
        "Export the clinician directory as UTF-8 CSV with the columns "
        + ",".join(CSV_COLUMNS)
        + " (the format directory_import reads). Writes to FILE, or to standard output when FILE is '-' "
        "or omitted."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", nargs="?", default="-", help="where to write ('-': standard output)")
        parser.add_argument(
            "--include-unlisted", action="store_true", help="also export clinicians hidden from the directory"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        if path == "-":
            self.write(self.stdout, include_unlisted=options["include_unlisted"])
            return
        try:
            with open(path, "w", encoding="utf-8", newline="") as stream:
                count = self.write(stream, include_unlisted=options["include_unlisted"])
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        self.stderr.write(f"Exported {count} clinician(s) to {path}.")

    def write(self, stream: TextIOBase, *, include_unlisted: bool) -> int:
        writer = SafeDictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        count = 0
        for row in clinician_export_rows(include_unlisted=include_unlisted):
            writer.writerow(row)
            count += 1
        stream.flush()
        return count
