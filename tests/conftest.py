"""Shared pytest fixtures, and hypothesis's profile for CI."""

import os

import pytest
from hypothesis import settings

from mentoring.emulator import EmulatorServer

# On CI every run draws the same examples (a failure is one that reproduces, not a
# new random draw on a pull request that changed nothing near it), and a loaded
# runner is no reason to fail: no per-example deadline.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def emulator():
    """A fresh GitHub emulator serving on 127.0.0.1 for one test (no seed files)."""
    with EmulatorServer() as server:
        yield server
