"""What the browser tests share: authenticator codes and optional screenshots of key pages."""

import os
import time

from django_otp.oath import TOTP
from playwright.sync_api import Page

#: Set CC_E2E_SCREENSHOTS=/some/dir to keep a screenshot of each key page (for looking at the pages).
SCREENSHOTS = os.environ.get("CC_E2E_SCREENSHOTS", "")


def totp_code(key: bytes, *, offset_steps: int = 0) -> str:
    """What an authenticator app holding `key` shows now (or `offset_steps` 30-second steps later)."""
    totp = TOTP(key)
    totp.time = time.time() + offset_steps * 30
    return f"{totp.token():06d}"


def snap(page: Page, name: str) -> None:
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)
