"""PyGithub answered by an emulator in the same process, without sockets: the demo's transport.

PyGithub opens its connections through classes a caller may replace
(``Requester.injectConnectionClasses``, the seam PyGithub's own replay tests use).
``serving(emu)`` puts in place one that hands each request to ``server.answer_request``, the
function the HTTP server answers with: the same answers and the same headers (``Date``
from the emulator's clock, the rate-limit figures, ``Link`` pages), without a socket,
HTTP parsing or a server thread. Only what belongs to a network is left out: requests'
and urllib3's work, and so urllib3's retries (``GithubRetry``) and timeouts.

The tests speak real HTTP to the emulator; ``mentoring demo`` runs its bot this way,
and ``tests/test_demo.py`` checks that its output is the same byte for byte over HTTP.
Outside ``serving``, PyGithub connects as usual.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from github.Requester import Requester

from mentoring.emulator.server import SERVER_NAME, answer_request, http_date
from mentoring.emulator.state import Emulator


class _Response:
    """What PyGithub reads of a response (its ``RequestsResponse`` shape)."""

    def __init__(self, status: int, headers: dict[str, str], text: str) -> None:
        self.status = status
        self.headers = headers
        self._text = text

    def getheaders(self) -> Any:
        return self.headers.items()

    def read(self) -> str:
        return self._text

    def iter_content(self, chunk_size: int | None = 1) -> Iterator[bytes]:
        data = self._text.encode("utf-8")
        size = chunk_size or len(data) or 1
        return (data[i : i + size] for i in range(0, len(data), size))

    def raise_for_status(self) -> None:
        """Never raises: PyGithub checks the status itself."""


class _Connection:
    """One of PyGithub's connections (the ``HTTPRequestsConnectionClass`` interface),
    answered by ``emulator`` (set on the subclass ``serving`` makes)."""

    emulator: Emulator

    def __init__(self, host: str, port: int | None = None, *args: Any, **kwargs: Any) -> None:
        self.host, self.port = host, port
        self.verb, self.url, self.body = "GET", "/", b""
        self.headers: dict[str, str] = {}

    def request(
        self, verb: str, url: str, input: Any, headers: dict[str, str], stream: bool = False
    ) -> None:
        self.verb, self.url, self.headers = verb, url, headers
        if input is None:
            self.body = b""
        elif isinstance(input, str):
            self.body = input.encode("utf-8")
        elif isinstance(input, bytes):
            self.body = input
        else:  # a file PyGithub uploads (release assets): not an API this program uses
            self.body = input.read()

    def getresponse(self) -> _Response:
        authorization = next(
            (v for k, v in self.headers.items() if k.lower() == "authorization"), None
        )
        answer = answer_request(self.emulator, self.verb, self.url, self.body, authorization)
        headers = {**answer.headers, "Server": SERVER_NAME, "Date": http_date(self.emulator)}
        return _Response(answer.status, headers, answer.payload.decode("utf-8"))

    def close(self) -> None:
        """Nothing to close."""


@contextlib.contextmanager
def serving(emu: Emulator) -> Iterator[bool]:
    """Within the block, every PyGithub client in this process is answered by ``emu``.

    Yields False (and changes nothing) if this PyGithub has no such seam: then the
    clients go over HTTP to the emulator's server as usual."""
    inject = getattr(Requester, "injectConnectionClasses", None)
    reset = getattr(Requester, "resetConnectionClasses", None)
    if inject is None or reset is None:
        yield False
        return
    connection = type("EmulatorConnection", (_Connection,), {"emulator": emu})
    inject(connection, connection)
    try:
        yield True
    finally:
        reset()
