"""What the browser tests share: authenticator codes and optional screenshots of key pages."""

import os
import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page

#: Set CC_E2E_SCREENSHOTS=/some/dir to keep a screenshot of each key page (for looking at the pages).
SCREENSHOTS = os.environ.get("CC_E2E_SCREENSHOTS", "")


def totp_code(key: bytes, *, offset_steps: int = 0) -> str:
    """What an authenticator app holding `key` shows now (or `offset_steps` 30-second steps later)."""
    totp = TOTP(key)
    totp.time = time.time() + offset_steps * 30
    return f"{totp.token():06d}"


def next_unused_code(device: TOTPDevice) -> str:
    """The code a person types after having used one: the app's current code, or, while that one is spent
    (django-otp refuses a step it already accepted), the next one, which it accepts one step early.

    A fixed "next code" would go stale on a slow machine once the journey outlasts the tolerance."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    now = totp.t()
    if now <= device.last_t:
        totp.time = time.time() + (device.last_t + 1 - now) * device.step
    return f"{totp.token():0{device.digits}d}"


def snap(page: Page, name: str) -> None:
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)
