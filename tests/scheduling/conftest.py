"""Scheduling test setup: Hypothesis keeps its caches in the system's temporary folder, not in the project.

Its pytest plugin already writes them while collecting, so a fixture would come too late.
"""

import tempfile
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir


def pytest_configure(config: pytest.Config) -> None:
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "concilium-tests-hypothesis")
