"""The journey's `step` helper, without a browser: a failure names its step and keeps the original error."""

from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.support import step


def test_a_failing_assertion_names_its_step_and_keeps_the_original_error() -> None:
    with pytest.raises(AssertionError) as failure, step("x"):
        assert 1 + 1 == 3, "arithmetic is broken"

    message = str(failure.value)
    assert message.startswith('journey step "x" failed:'), message
    assert "arithmetic is broken" in message
    assert isinstance(failure.value.__cause__, AssertionError)


def test_a_playwright_timeout_is_reported_as_a_failure_of_its_step() -> None:
    timeout = PlaywrightTimeoutError("Timeout 15000ms exceeded.")
    named = r'^journey step "coordinator accepts the case" failed: '
    with pytest.raises(AssertionError, match=named) as failure, step("coordinator accepts the case"):
        raise timeout

    assert "TimeoutError: Timeout 15000ms exceeded." in str(failure.value)
    assert failure.value.__cause__ is timeout


def test_a_step_that_passes_or_skips_is_left_alone() -> None:
    with step("nothing goes wrong"):
        pass
    with pytest.raises(pytest.skip.Exception, match="no PDF"), step("the report is skipped"):
        pytest.skip("no PDF")


class FakePage:
    """Just what a failing step asks of a Playwright page."""

    def __init__(self, *, closed: bool = False) -> None:
        self.closed = closed

    def is_closed(self) -> bool:
        return self.closed

    def screenshot(self, *, path: str, **options: object) -> None:
        Path(path).write_bytes(b"\x89PNG")


def test_a_failing_step_leaves_a_screenshot_of_each_open_page_named_after_the_step(tmp_path: Path) -> None:
    pages = {"requester": FakePage(), "guest expert": FakePage(), "outsider": FakePage(closed=True)}
    with (
        pytest.raises(AssertionError) as failure,
        step("Requester enrols the patient", pages=pages, screenshots=tmp_path),
    ):
        raise AssertionError("no heading")

    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == [
        "failed-requester-enrols-the-patient--guest-expert.png",
        "failed-requester-enrols-the-patient--requester.png",
    ]
    assert str(tmp_path / names[1]) in str(failure.value)
