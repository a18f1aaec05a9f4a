"""The emulator's HTTP front: identity, GitHub's headers, faults, the request log, admin endpoints.

The API is served at the root, as on github.com (``api.github.com``), and under
``/api/v3``, as GitHub Enterprise Server serves it; URLs and Link headers in an
answer carry the prefix the request came with.

``EmulatorServer`` serves an ``Emulator`` on 127.0.0.1 from a daemon thread; ``serve`` runs
one in the foreground until Ctrl-C (or SIGTERM) and saves its state on the way out.
Admin endpoints live under ``/_emulator/``: they need no token, are never faulted and
are left out of the request log.
"""

from __future__ import annotations

import email.utils
import http
import itertools
import json
import os
import re
import signal
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from mentoring.emulator import accounts, contents, issues, pulls, render
from mentoring.emulator.api import ApiError, Call, Identity, Response, Router, dispatch, json_object
from mentoring.emulator.state import BOT_LOGIN, Emulator, parse_iso

GITHUB_ROUTERS = (accounts.router, issues.router, pulls.router, contents.router)
SECONDARY_RATE_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
ADMIN_PREFIX = "/_emulator/"
SERVER_NAME = "GitHub.com-emulator"  # the Server header
ENTERPRISE_PREFIX = "/api/v3"  # GitHub Enterprise Server's REST API: https://HOST/api/v3
_APP_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,33}[a-z0-9])?")
_request_ids = itertools.count(1)


# --------------------------------------------------------------------- GitHub API side


def _token(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() in ("token", "bearer") and token.strip():
        return token.strip()
    return None


def _identify(emu: Emulator, token: str | None) -> Identity:
    """``as:LOGIN`` acts as that user; ``app:SLUG`` as the GitHub App's bot ``SLUG[bot]``
    (an installation token); any other token as the Actions bot; none as nobody."""
    if token is None:
        return Identity(None)
    if token.startswith("app:"):
        slug = token[4:]
        if not _APP_SLUG.fullmatch(slug):
            raise ApiError(401, "Bad credentials")
        return Identity(emu.user(f"{slug}[bot]")["login"], is_bot=True, app=True)
    if token.startswith("as:"):
        login = token[3:]
        if not emu.valid_login(login) or not emu.is_active(login):
            raise ApiError(401, "Bad credentials")
        return Identity(emu.user(login)["login"])
    return Identity(BOT_LOGIN, is_bot=True)


def _fault_response(fault: dict) -> Response:
    status, retry_after = fault["status"], fault["retry_after"]
    if fault["message"]:
        message = fault["message"]
    elif status == 429 or (status == 403 and retry_after is not None):
        message = SECONDARY_RATE_LIMIT
    else:
        try:
            message = http.HTTPStatus(status).phrase
        except ValueError:
            message = "Error"
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return ApiError(status, message, headers=headers).response()


def _enterprise_prefix(path: str) -> str:
    """``/api/v3`` if the request was made as to GitHub Enterprise Server, else ""."""
    if path == ENTERPRISE_PREFIX or path.startswith(ENTERPRISE_PREFIX + "/"):
        return ENTERPRISE_PREFIX
    return ""


def answer_api(emu: Emulator, method: str, target: str, raw: bytes, authorization: str | None):
    """Serve one GitHub API request (caller holds ``emu.mutex``): faults, log, headers.

    A path under ``/api/v3`` is served as the same path at the root, and its answer's
    URLs carry the prefix; the log shows the path without it, and ``prefix``.
    """
    split = urlsplit(target)
    prefix = _enterprise_prefix(split.path)
    context = render.API_PREFIX.set(prefix)
    try:
        return _answer_api(emu, method, split, prefix, raw, authorization)
    finally:
        render.API_PREFIX.reset(context)


def _answer_api(emu, method, split, prefix: str, raw: bytes, authorization: str | None):
    path = split.path[len(prefix) :] or "/"
    pairs = parse_qsl(split.query, keep_blank_values=True)
    token = _token(authorization)
    rate = emu.count_request(token or "anonymous", counted=path != "/rate_limit")
    call = Call(method, path, pairs, None, Identity(None), rate)
    refusal = _prepare(emu, call, token, raw)
    fault = emu.take_fault(method, path)
    if refusal is None and rate["exceeded"]:
        response = _rate_limited(call)
    elif fault is not None and not fault["apply"]:
        response = _fault_response(fault)
    else:
        response = refusal or dispatch(emu, call, GITHUB_ROUTERS)
        if fault is not None:
            response = _fault_response(fault)
        if method != "GET":
            emu.changed()
    response.headers.update(
        {
            "X-RateLimit-Limit": str(rate["limit"]),
            "X-RateLimit-Remaining": str(rate["remaining"]),
            "X-RateLimit-Reset": str(rate["reset"]),
            "X-RateLimit-Used": str(rate["used"]),
            "X-RateLimit-Resource": "core",
            "X-GitHub-Api-Version-Selected": "2022-11-28",
        }
    )
    emu.record_request(
        {
            "method": method,
            "path": path,
            "query": call.query,
            "status": response.status,
            "login": call.actor.login,
            **({"prefix": prefix} if prefix else {}),
        }
    )
    return response


def _rate_limited(call: Call) -> Response:
    """GitHub's answer once a token has used its hour's requests: 403, or 429 for
    anonymous callers, with the message PyGithub recognises as the primary limit."""
    who = "installation ID 1" if call.actor.is_bot else f"user ID {call.actor.login}"
    if call.actor.login is None:
        return ApiError(429, "API rate limit exceeded for 127.0.0.1.").response()
    message = (
        f"API rate limit exceeded for {who}. If you reach out to GitHub Support for help, "
        "please include the request ID."
    )
    return ApiError(403, message).response()


def _prepare(emu: Emulator, call: Call, token: str | None, raw: bytes) -> Response | None:
    """Set the call's actor and body; the error response if either is refused."""
    try:
        call.actor = _identify(emu, token)
        try:
            call.body = json.loads(raw) if raw.strip() else None
        except ValueError:
            raise ApiError(400, "Problems parsing JSON") from None
        if call.method != "GET" and call.actor.login is None:
            raise ApiError(401, "Requires authentication")
    except ApiError as error:
        return error.response()
    return None


# ------------------------------------------------------------------------ admin side

admin = Router()
REPO = "/_emulator/repos/{owner}/{repo}"
ISSUE = REPO + "/issues/{number:[0-9]+}"


def _admin_action(action, *args) -> Response:
    """Run a state helper, mapping its lookup and argument errors to 404 and 422."""
    try:
        result = action(*args)
    except KeyError as error:
        raise ApiError(404, str(error.args[0])) from None
    except ValueError as error:
        raise ApiError(422, str(error)) from None
    return Response(204) if result is None else Response(200, result)


@admin.route("GET", "/_emulator/log")
def get_log(emu: Emulator, call: Call) -> Response:
    return Response(200, emu.log())


@admin.route("DELETE", "/_emulator/log")
def clear_log(emu: Emulator, call: Call) -> Response:
    emu.clear_log()
    return Response(204)


@admin.route("POST", "/_emulator/faults")
def add_fault(emu: Emulator, call: Call) -> Response:
    return _admin_action(emu.add_fault, json_object(call))


@admin.route("DELETE", "/_emulator/faults")
def clear_faults(emu: Emulator, call: Call) -> Response:
    emu.clear_faults()
    return Response(204)


@admin.route("GET", "/_emulator/clock")
def get_clock(emu: Emulator, call: Call) -> Response:
    return Response(200, {"now": emu.now_iso(), "pinned": emu.data["now"] is not None})


@admin.route("POST", "/_emulator/clock")
def set_clock(emu: Emulator, call: Call) -> Response:
    """``{"now": "2026-03-01T09:00:00Z"}`` pins the clock; ``{"now": null}`` unpins it."""
    now = json_object(call).get("now")
    _admin_action(lambda: emu.set_now(parse_iso(now) if now else None))
    return get_clock(emu, call)


@admin.route("GET", "/_emulator/rate-limit")
def get_rate_limit(emu: Emulator, call: Call) -> Response:
    return Response(200, {"limit": emu.rate_limit})


@admin.route("POST", "/_emulator/rate-limit")
def set_rate_limit(emu: Emulator, call: Call) -> Response:
    """``{"limit": 1000}``: requests an hour per token; every token's hour starts afresh."""
    limit = json_object(call).get("limit")
    _admin_action(emu.set_rate_limit, limit)
    return get_rate_limit(emu, call)


@admin.route("GET", "/_emulator/state")
def get_state(emu: Emulator, call: Call) -> Response:
    return Response(200, emu.snapshot())


@admin.route("GET", "/_emulator/events")
def peek_events(emu: Emulator, call: Call) -> Response:
    """The queued webhook deliveries, oldest first; reading leaves them queued."""
    return Response(200, list(emu.data["events"]))


@admin.route("POST", "/_emulator/events/take")
def take_events(emu: Emulator, call: Call) -> Response:
    """The queued webhook deliveries, emptying the queue (each is handed out once)."""
    return Response(200, emu.events())


@admin.route("DELETE", "/_emulator/events")
def clear_events(emu: Emulator, call: Call) -> Response:
    emu.events()
    return Response(204)


@admin.route("POST", "/_emulator/users/{login}/delete")
def delete_user(emu: Emulator, call: Call, login: str) -> Response:
    return _admin_action(emu.delete_user, login)


@admin.route("POST", REPO + "/collaborators")
def set_collaborators(emu: Emulator, call: Call, owner: str, repo: str) -> Response:
    logins = json_object(call).get("logins")
    if not isinstance(logins, list):
        raise ApiError(422, 'expected {"logins": [...]}')
    return _admin_action(emu.set_collaborators, f"{owner}/{repo}", logins)


@admin.route("POST", ISSUE + "/transfer")
def transfer_issue(emu: Emulator, call: Call, owner: str, repo: str, number: str) -> Response:
    to = json_object(call).get("to")
    if not isinstance(to, str):
        raise ApiError(422, 'expected {"to": "owner/repo"}')
    new_number = _admin_action(emu.transfer_issue, f"{owner}/{repo}", int(number), to).body
    return Response(200, {"repository": to, "number": new_number})


@admin.route("POST", ISSUE + "/lock")
def lock_issue(emu: Emulator, call: Call, owner: str, repo: str, number: str) -> Response:
    reason = json_object(call).get("lock_reason")
    return _admin_action(emu.lock, f"{owner}/{repo}", int(number), reason)


@admin.route("POST", ISSUE + "/delete")
def delete_issue(emu: Emulator, call: Call, owner: str, repo: str, number: str) -> Response:
    return _admin_action(emu.delete_issue, f"{owner}/{repo}", int(number))


def answer_admin(emu: Emulator, method: str, target: str, raw: bytes) -> Response:
    split = urlsplit(target)
    call = Call(method, split.path, parse_qsl(split.query), None, Identity(None))
    try:
        call.body = json.loads(raw) if raw.strip() else None
    except ValueError:
        return ApiError(400, "Problems parsing JSON").response()
    response = dispatch(emu, call, (admin,))
    if method != "GET":
        emu.changed()
    return response


# ------------------------------------------------------------- one request, any transport


@dataclass(frozen=True)
class Answer:
    """What the emulator answers one request: status, headers (but ``Date`` and ``Server``,
    which the transport adds) and the JSON payload."""

    status: int
    headers: dict[str, str]
    payload: bytes


def answer_request(
    emu: Emulator,
    method: str,
    target: str,
    raw: bytes,
    authorization: str | None,
    event_files: EventFiles | None = None,
) -> Answer:
    """Answer one request (``target``: path and query), admin or API, under the mutex.

    The HTTP server and the in-process transport (``inprocess.py``) both answer through
    here, so they send the same answers and headers."""
    with emu.mutex:
        if target.startswith(ADMIN_PREFIX):
            response = answer_admin(emu, method, target, raw)
        else:
            queued = len(emu.data["events"])
            response = answer_api(emu, method, target, raw, authorization)
            if event_files is not None:
                for delivery in emu.data["events"][queued:]:
                    event_files.write(delivery["name"], delivery["payload"])
    payload = b""
    if response.body is not None:
        payload = json.dumps(response.body, separators=(",", ":")).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-GitHub-Request-Id": f"EMU0:{next(_request_ids):08X}",
        **response.headers,
        "Content-Length": str(len(payload)),
    }
    return Answer(response.status, headers, payload)


def http_date(emu: Emulator, timestamp: float | None = None) -> str:
    """The ``Date`` header, from the emulator's clock (pinned or real), as GitHub sends it."""
    if timestamp is None:
        timestamp = emu.now().timestamp()
    return email.utils.formatdate(timestamp, usegmt=True)


# ------------------------------------------------------------------------ HTTP server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = 1 << 16  # headers and body leave in one write (flushed after each request)
    server_version = SERVER_NAME
    server: _HTTPServer

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        server = self.server
        auth = self.headers.get("Authorization")
        answer = answer_request(
            server.emulator, self.command, self.path, raw, auth, server.event_files
        )
        self.send_response(answer.status)  # with Server and Date (date_time_string)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(answer.payload)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header, from the emulator's clock (pinned or real), as GitHub sends it."""
        return http_date(self.server.emulator, timestamp)

    def log_message(self, format: str, *args) -> None:
        """Quiet: ``GET /_emulator/log`` is the request log."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    emulator: Emulator
    event_files: EventFiles | None = None


# Pull request events reach the graduation workflow as pull_request_target.
WORKFLOW_EVENT_NAMES = {"pull_request": "pull_request_target"}


class EventFiles:
    """Each queued webhook delivery also written as a payload file in ``folder``, named as a
    program workflow receives it: ``0001-issues.opened.json``,
    ``0002-pull_request_target.opened.json``. ``mentoring event --payload FILE`` takes the
    event's name from such a name. Numbering goes on after the files already there."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        numbers = [
            int(match.group(1))
            for path in self.folder.glob("*.json")
            if (match := re.match(r"(\d+)-", path.name))
        ]
        self.next = max(numbers, default=0) + 1

    def name(self, event: str, payload: dict) -> str:
        event = WORKFLOW_EVENT_NAMES.get(event, event)
        action = payload.get("action")
        action = action if isinstance(action, str) and re.fullmatch(r"[a-z_]+", action) else "event"
        return f"{self.next:04d}-{event}.{action}.json"

    def write(self, event: str, payload: dict) -> Path:
        path = self.folder / self.name(event, payload)
        self.next += 1
        path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        return path


class EmulatorServer:
    """A running emulator: ``start()``, ``url``, ``state`` (the ``Emulator``), ``stop()``.

    With ``state_file``, state is loaded from it at construction if it exists and saved to
    it on ``stop()``; otherwise a fresh state starts with ``seed_dir``'s files on main.
    """

    def __init__(
        self,
        port: int = 0,
        state_file: str | os.PathLike | None = None,
        seed_dir: str | os.PathLike | None = None,
        events_dir: str | os.PathLike | None = None,
        rate_limit: int | None = None,
    ) -> None:
        self.port = port
        self.state_file = state_file
        self.event_files = EventFiles(events_dir) if events_dir is not None else None
        if state_file is not None and os.path.exists(state_file):
            self.state = Emulator.load(state_file)
        else:
            self.state = Emulator(seed_dir=seed_dir)
        if rate_limit is not None:
            self.state.set_rate_limit(rate_limit)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the emulator is not started")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> EmulatorServer:
        self._httpd = _HTTPServer(("127.0.0.1", self.port), _Handler)
        self._httpd.emulator = self.state
        self._httpd.event_files = self.event_files
        self.state.base_url = self.url
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"github-emulator-{self._httpd.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join()
            self._httpd = self._thread = None
        if self.state_file is not None:
            self.state.save(self.state_file)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def serve(
    port: int, state_file: str | None, seed_dir: str | None, events_dir: str | None = None
) -> None:
    """Serve in the foreground until Ctrl-C or SIGTERM, then save the state (if a file is set)."""
    server = EmulatorServer(port, state_file, seed_dir, events_dir).start()
    print(f"GitHub emulator listening on {server.url}", flush=True)
    if events_dir is not None:
        print(f"Writing each webhook event as a payload file in {events_dir}", flush=True)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
