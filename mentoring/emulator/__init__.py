"""A stateful GitHub REST emulator for offline tests and demos (standard library only).

PyGithub (or any client) talks to it over real HTTP on 127.0.0.1::

    from mentoring.emulator import EmulatorServer

    with EmulatorServer(seed_dir="examples") as emu:
        github.Github(base_url=emu.url, auth=github.Auth.Token("as:alice"))
        emu.state.set_now(...)      # the Emulator: clock, log, faults, events, admin helpers

A token ``as:LOGIN`` acts as that user, ``app:SLUG`` as the GitHub App bot ``SLUG[bot]``;
any other token acts as ``github-actions[bot]``. The API is served at the root and under
``/api/v3`` (GitHub Enterprise Server's prefix).
"""

from mentoring.emulator.server import EmulatorServer, serve
from mentoring.emulator.state import Emulator

__all__ = ["Emulator", "EmulatorServer", "serve"]
