"""`concilium demo_load`: load the demo (idempotent) and print the demo accounts."""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from concilium.demo.load import demo_load
from concilium.demo.people import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = (
        "Load the demo data: networks, fictional hospitals and clinicians, one account per role, "
        "the ERN PaedCan expert groups, pending registrations, and fictional patients with consents and "
        "cases in every status, with a year of finished cases for the figures. "
        "Running it again creates and changes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="load even with DEBUG off (the demo password is published: never on a real database)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "The demo accounts have a published password; demo_load runs only with DEBUG=1 "
                "(or --force on a throwaway database)."
            )
        summary = demo_load()
        if summary.created:
            created = ", ".join(f"{count} {kind}" for kind, count in summary.created.items())
            self.stdout.write(f"Demo data loaded: created {created}.")
        else:
            self.stdout.write("Demo data already loaded: nothing to create.")
        self.print_accounts()

    def print_accounts(self) -> None:
        rows = [("role", "email", "password", "second factor")]
        for account in DEMO_ACCOUNTS:
            second = "required: authenticator code" if account.role in _roles_with_2fa() else "optional (off)"
            rows.append((str(account.role.label), account.email, DEMO_PASSWORD, second))
        widths = [max(len(row[column]) for row in rows) for column in range(4)]
        self.stdout.write("")
        self.stdout.write("Demo accounts (all fictional people):")
        for index, row in enumerate(rows):
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(("  " + line).rstrip())
            if index == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))
        self.stdout.write("")
        self.stdout.write(f"Second factor: add the TOTP secret {DEMO_TOTP_SECRET} to an authenticator app,")
        self.stdout.write("or run `concilium demo_totp EMAIL` to print the current code.")


def _roles_with_2fa() -> frozenset[str]:
    from concilium.core.roles import ROLES_REQUIRING_2FA

    return ROLES_REQUIRING_2FA
