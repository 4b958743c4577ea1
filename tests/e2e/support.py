"""What the browser tests share: authenticator codes, optional screenshots of key pages, and named journey
steps (a failure says which step of a long journey broke, with a screenshot of each open page)."""

import os
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

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


@contextmanager
def step(
    name: str, *, pages: Mapping[str, Page] | None = None, screenshots: Path | None = None
) -> Iterator[None]:
    """One step of a journey, named for the person reading a failure ("coordinator accepts the case").

    Any error inside it (a failed assertion or `expect`, a Playwright timeout, ...) comes out as an
    AssertionError starting with `journey step "<name>" failed:`, chained to the original error. `pages` (who
    holds which page; read at failure time, so pages opened during the step count) are then photographed into
    `screenshots`, e.g. pytest's tmp_path. Skips and other outcomes that are not `Exception`s pass through."""
    try:
        yield
    except Exception as error:
        message = f'journey step "{name}" failed: {type(error).__name__}: {error}'
        saved = _screenshot_pages(name, pages or {}, screenshots)
        if saved:
            message += "\nScreenshots: " + ", ".join(saved)
        raise AssertionError(message) from error


def _screenshot_pages(name: str, pages: Mapping[str, Page], directory: Path | None) -> list[str]:
    """Where each page was saved (or why not); never raises, so the step's own error is the one reported."""
    if directory is None:
        return []
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "step"
    saved = []
    for holder, page in pages.items():
        if page.is_closed():
            continue
        path = Path(directory) / f"failed-{slug}--{re.sub(r'[^a-z0-9]+', '-', holder.lower())}.png"
        try:
            page.screenshot(path=str(path), full_page=True, timeout=5_000)
        except Exception as error:
            saved.append(f"{holder}: no screenshot ({type(error).__name__})")
        else:
            saved.append(str(path))
    return saved
