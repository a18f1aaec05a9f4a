"""Plumbing shared by the emulated REST endpoints.

A request arrives as a ``Call``; an endpoint returns a ``Response`` or raises ``ApiError``,
which renders GitHub's error bodies. ``Router`` maps method and path templates to endpoint
functions. The helpers below hold the rules several endpoint modules share: finding an
issue (with GitHub's 301 for transferred and 410 for deleted ones), pagination with Link
headers, webhook deliveries, pull request figures and moving a branch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode

from mentoring.emulator import render
from mentoring.emulator.git import MergeConflict
from mentoring.emulator.state import Emulator, iso, parse_iso

DOCS = "https://docs.github.com/rest"
MAX_BODY = 65536
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Identity:
    """Who is calling: ``as:LOGIN`` tokens act as that user, ``app:SLUG`` as a GitHub App's
    bot (``SLUG[bot]``), other tokens as the Actions bot."""

    login: str | None
    is_bot: bool = False
    app: bool = False

    @property
    def triggers_webhooks(self) -> bool:
        """GitHub delivers no events for writes made with the workflow's own token; an App's
        token is not the workflow's, so its writes do."""
        return self.login is not None and (not self.is_bot or self.app)


@dataclass
class Call:
    """One API request, parsed: ``query`` keeps the last value of each parameter."""

    method: str
    path: str
    query_pairs: list[tuple[str, str]]
    body: Any
    actor: Identity
    rate: dict = field(default_factory=dict)

    @property
    def query(self) -> dict[str, str]:
        return dict(self.query_pairs)


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    """An error answer in GitHub's shape: message, documentation_url, status (and errors)."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: list | None = None,
        headers: dict[str, str] | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}
        self.url = url

    @classmethod
    def invalid(cls, resource: str, field_name: str, code: str = "invalid", **more) -> ApiError:
        """422 Validation Failed with one entry in ``errors``."""
        error = {"resource": resource, "code": code, "field": field_name, **more}
        return cls(422, "Validation Failed", errors=[error])

    def response(self) -> Response:
        body: dict[str, Any] = {"message": self.message}
        if self.url is not None:
            body["url"] = self.url
        if self.errors is not None:
            body["errors"] = self.errors
        body["documentation_url"] = DOCS
        if self.status != 301:
            body["status"] = str(self.status)
        return Response(self.status, body, dict(self.headers))


NOT_FOUND = "Not Found"
Endpoint = Callable[..., Response]


class Router:
    """Path templates like ``/repos/{owner}/{repo}/contents/{path:.*}`` mapped to endpoints."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern, Endpoint]] = []

    def route(self, method: str, template: str) -> Callable[[Endpoint], Endpoint]:
        def pattern(match: re.Match) -> str:
            name, _, regex = match.group(1).partition(":")
            return f"(?P<{name}>{regex or '[^/]+'})"

        compiled = re.compile(re.sub(r"\{([^}]+)\}", pattern, template))

        def register(endpoint: Endpoint) -> Endpoint:
            self.routes.append((method, compiled, endpoint))
            return endpoint

        return register


def dispatch(emu: Emulator, call: Call, routers: Iterable[Router]) -> Response:
    """Run the endpoint for this call, turning ``ApiError`` into its response."""
    try:
        for router in routers:
            for method, pattern, endpoint in router.routes:
                match = pattern.fullmatch(call.path)
                if match and method == call.method:
                    params = {k: unquote(v) for k, v in match.groupdict().items()}
                    return endpoint(emu, call, **params)
        raise ApiError(404, NOT_FOUND)
    except ApiError as error:
        return error.response()


# ------------------------------------------------------------------- request helpers


def json_object(call: Call) -> dict:
    """The request body, which must be a JSON object (an empty body counts as ``{}``)."""
    if call.body is None:
        return {}
    if not isinstance(call.body, dict):
        raise ApiError(422, "Invalid request.\n\nThe request body must be a JSON object.")
    return call.body


def checked_text(value: Any, resource: str, field_name: str = "body") -> str | None:
    """A body text, refused past GitHub's 65,536 characters."""
    if value is None:
        return None
    text = str(value)
    if len(text) > MAX_BODY:
        raise ApiError.invalid(
            resource,
            field_name,
            "custom",
            message=f"{field_name} is too long (maximum is {MAX_BODY} characters)",
        )
    return text


def since_filter(call: Call) -> str | None:
    """The ``since`` parameter in GitHub's timestamp format (comparable as text), if given."""
    since = call.query.get("since")
    if not since:
        return None
    try:
        return iso(parse_iso(since))
    except ValueError:
        raise ApiError.invalid("Search", "since", value=since) from None


def ordered(items: list, key: Callable, call: Call, default_direction: str) -> list:
    direction = call.query.get("direction", default_direction)
    if direction not in ("asc", "desc"):
        raise ApiError.invalid("Search", "direction", value=direction)
    return sorted(items, key=key, reverse=direction == "desc")


def listing_key(call: Call) -> tuple:
    """What a listing's result depends on: its path and query, without the page."""
    pairs = tuple(sorted((k, v) for k, v in call.query.items() if k not in ("page", "per_page")))
    return (call.path.lower(), pairs)


def paginate(emu: Emulator, call: Call, items: list, render_item: Callable) -> Response:
    """One page of ``items`` (``per_page`` up to 100, default 30) with GitHub's Link header.

    ``items`` is any sequence that can be sliced: only the page's items are rendered.
    """
    query = call.query
    per_page = _int(query.get("per_page"), DEFAULT_PER_PAGE)
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    page = max(_int(query.get("page"), 1), 1)
    last = max((len(items) + per_page - 1) // per_page, 1)
    chunk = items[(page - 1) * per_page : page * per_page]
    response = Response(200, [render_item(item) for item in chunk])
    links = []
    if page > 1:
        links.append((min(page - 1, last), "prev"))
    if page < last:
        links += [(page + 1, "next"), (last, "last")]
    if page > 1:
        links.append((1, "first"))
    if links:
        response.headers["Link"] = ", ".join(
            f'<{_page_url(emu, call, number)}>; rel="{rel}"' for number, rel in links
        )
    return response


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _page_url(emu: Emulator, call: Call, page: int) -> str:
    pairs = [(k, v) for k, v in call.query_pairs if k != "page"] + [("page", str(page))]
    return f"{render.api_root(emu)}{call.path}?{urlencode(pairs)}"


# -------------------------------------------------------------------------- lookups


def find_repo(emu: Emulator, owner: str, name: str) -> dict:
    if not emu.valid_repo_name(owner, name):
        raise ApiError(404, NOT_FOUND)
    return emu.repo(f"{owner}/{name}")


def find_issue(emu: Emulator, call: Call, repo: dict, number: str) -> dict:
    """The issue ``number``; 301 to its new home if transferred, 410 if deleted."""
    moved = repo["moved"].get(number)
    if moved is not None:
        to_repo, to_number = moved
        prefix = f"/issues/{number}"
        suffix = call.path[call.path.index(prefix) + len(prefix) :]
        location = f"{render.api_root(emu)}/repos/{to_repo}/issues/{to_number}{suffix}"
        raise ApiError(301, "Moved Permanently", headers={"Location": location}, url=location)
    issue = repo["issues"].get(number)
    if issue is None:
        raise ApiError(404, NOT_FOUND)
    if issue["deleted"]:
        raise ApiError(410, "This issue was deleted")
    return issue


def find_pull(repo: dict, number: str) -> dict:
    issue = repo["issues"].get(number)
    if issue is None or issue["pull"] is None or issue["deleted"]:
        raise ApiError(404, NOT_FOUND)
    return issue


def git_author(emu: Emulator, login: str) -> dict:
    """Commit author fields for an account, with GitHub's noreply address."""
    record = emu.user(login)
    return {
        "name": record["login"],
        "email": f"{record['id']}+{record['login']}@users.noreply.github.com",
        "date": emu.now_iso(),
        "login": record["login"],
    }


# ------------------------------------------------------------------------- webhooks


def deliver(emu: Emulator, call: Call, name: str, repo: dict, payload: Callable[[], dict]):
    """Queue a webhook event for writes by people (never for the workflow token's writes)."""
    if call.actor.triggers_webhooks:
        emu.emit(
            name,
            {
                **payload(),
                "repository": render.repository(emu, repo),
                "sender": render.user(emu, call.actor.login),
            },
        )


def notify_issue(emu: Emulator, call: Call, repo: dict, issue: dict, action: str, **extra):
    """An ``issues`` event, or ``pull_request`` when the issue is a pull request."""
    if issue["pull"] is None:
        deliver(
            emu,
            call,
            "issues",
            repo,
            lambda: {"action": action, "issue": render.issue(emu, repo, issue), **extra},
        )
    else:
        deliver(
            emu,
            call,
            "pull_request",
            repo,
            lambda: {
                "action": action,
                "number": issue["number"],
                "pull_request": render_pull(emu, repo, issue),
                **extra,
            },
        )


# ---------------------------------------------------------------- pull request facts


def pull_facts(emu: Emulator, repo: dict, issue: dict) -> dict:
    """Base sha, changed files, commit count and mergeability of a pull request."""
    pr = issue["pull"]
    if pr["merged"]:
        base_sha, ancestor = pr["base_sha"], pr["merge_base"]
    else:
        base_sha = repo["branches"].get(pr["base_ref"], pr["base_sha"])
        ancestor = emu.git.merge_base(base_sha, pr["head_sha"])
    changes = emu.git.diff(emu.git.tree(ancestor) if ancestor else {}, emu.git.tree(pr["head_sha"]))
    mergeable, state = None, "unknown"
    if issue["state"] == "open":
        try:
            emu.git.merged_tree(base_sha, pr["head_sha"])
            mergeable, state = True, "clean"
        except MergeConflict:
            mergeable, state = False, "dirty"
    return {
        "base_sha": base_sha,
        "changes": changes,
        "commits": emu.git.commits_between(ancestor or base_sha, pr["head_sha"]),
        "mergeable": mergeable,
        "mergeable_state": state,
    }


def render_pull(emu: Emulator, repo: dict, issue: dict) -> dict:
    return render.pull(emu, repo, issue, pull_facts(emu, repo, issue))


def move_branch(emu: Emulator, call: Call, repo: dict, branch: str, sha: str) -> None:
    """Point ``branch`` at ``sha``; open pull requests from it get a ``synchronize``."""
    before = repo["branches"].get(branch)
    repo["branches"][branch] = sha
    now = emu.now_iso()
    repo["pushed_at"] = now
    head_repo = emu.full_name(repo).lower()
    for base_repo in emu.data["repos"].values():
        for issue in base_repo["issues"].values():
            pr = issue["pull"]
            if (
                pr is None
                or issue["state"] != "open"
                or pr["head_repo"].lower() != head_repo
                or pr["head_ref"] != branch
            ):
                continue
            pr["head_sha"] = sha
            issue["updated_at"] = now
            notify_issue(emu, call, base_repo, issue, "synchronize", before=before, after=sha)
