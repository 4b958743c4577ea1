"""`concilium demo_totp EMAIL`: the current second-factor code of a demo account (demo accounts only)."""

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from concilium.demo.load import demo_totp_key_hex, is_demo_address
from concilium.demo.people import DEMO_ACCOUNTS


class Command(BaseCommand):
    help = "Print the current 6-digit TOTP code of a demo account (refuses every address outside the demo)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        if not is_demo_address(email) or email not in {account.email for account in DEMO_ACCOUNTS}:
            raise CommandError(f"{email} is not a demo account; demo_totp only prints codes for the demo.")
        device = TOTPDevice.objects.filter(user__email=email, confirmed=True, key=demo_totp_key_hex()).first()
        if device is None:
            raise CommandError(f"{email} has no demo authenticator (only roles that require 2FA get one).")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        now = time.time()
        totp.time = now
        code = str(totp.token()).zfill(device.digits)
        remaining = device.step - int(now - device.t0) % device.step
        self.stdout.write(code)
        self.stderr.write(f"valid for another {remaining} s")
