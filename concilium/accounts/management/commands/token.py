"""`concilium token create EMAIL` prints a new personal API token once; `token revoke KEY_ID` revokes one."""

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from concilium.accounts.models import ApiToken, TokenScope, User
from concilium.accounts.services.tokens import MAX_LIFETIME, ApiTokenError, api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create or revoke personal API tokens. `create` prints the secret on standard output, once."

    def add_arguments(self, parser: ArgumentParser) -> None:
        assert isinstance(parser, CommandParser)
        commands = parser.add_subparsers(dest="subcommand", required=True, parser_class=CommandParser)
        create = commands.add_parser(
            "create", help="create a token for an activated account and print its secret"
        )
        create.add_argument("email", help="the account's email address")
        create.add_argument("--name", default="Command-line token", help="what the token is for")
        create.add_argument(
            "--scope",
            action="append",
            choices=TokenScope.values,
            dest="scopes",
            help="a scope to grant; repeat for several (default: read)",
        )
        create.add_argument(
            "--expires-days",
            type=int,
            default=None,
            help=f"days until the token expires, 1-{MAX_LIFETIME.days} (default: no expiry)",
        )
        revoke = commands.add_parser("revoke", help="revoke a token by its key id (the part after cnc_)")
        revoke.add_argument("key_id")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "create":
            self.create(options)
        else:
            self.revoke(options["key_id"])

    def create(self, options: dict[str, Any]) -> None:
        email = options["email"].strip().lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account has the address {email}.")
        if not user.is_active:
            raise CommandError(
                f"The account {email} is not activated ({user.status}); it cannot hold tokens."
            )
        days = options["expires_days"]
        if days is not None and not 1 <= days <= MAX_LIFETIME.days:
            raise CommandError(f"--expires-days must be between 1 and {MAX_LIFETIME.days}.")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        try:
            token, secret = api_token_create(
                user=user,
                name=options["name"],
                scopes=options["scopes"] or [TokenScope.READ],
                expires_at=expires_at,
                source="cli",
            )
        except ApiTokenError as error:
            raise CommandError(error.message) from error
        self.stdout.write(secret)
        expiry = f"expires {token.expires_at:%Y-%m-%d %H:%M %Z}" if token.expires_at else "no expiry"
        self.stderr.write(
            f"Token {token.key_id} ({', '.join(token.scopes)}; {expiry}) created for {email}. "
            "The secret above is shown only this once."
        )

    def revoke(self, key_id: str) -> None:
        token = ApiToken.objects.filter(key_id=key_id.removeprefix(ApiToken.PREFIX).split("_")[0]).first()
        if token is None:
            raise CommandError(f"No token has the key id {key_id}.")
        try:
            api_token_revoke(token=token, actor=None)
        except ApiTokenError as error:
            raise CommandError(error.message) from error
        self.stderr.write(f"Token {token.key_id} is revoked.")
