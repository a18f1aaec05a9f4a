"""Shared pytest fixtures."""

import pytest

from mentoring.emulator import EmulatorServer


@pytest.fixture
def emulator():
    """A fresh GitHub emulator serving on 127.0.0.1 for one test (no seed files)."""
    with EmulatorServer() as server:
        yield server
