"""The one place that talks to GitHub: reads become snapshots, and `apply` carries out plans.

Everything about GitHub's limits lives here and nowhere else:

- reads ask for 100 items a page and are retried on 5xx and rate limits, with
  ``Retry-After`` honoured (PyGithub's ``GithubRetry``, limited to idempotent methods);
- writes go through `Gateway.apply` only: paced (``writes.pace_seconds`` apart),
  capped per run (``writes.max_per_run``, the rest deferred and reported),
  and printed instead of made under ``--dry-run``;
- a new comment is never blindly re-posted: after a 5xx the issue is re-read and
  the comment is posted again only if GitHub did not keep the first one;
- with a ``reserve`` (the nightly pass), reads and writes stop while the rate-limit
  headers of the last response say that many requests are left (`core/budget.py`);
- ``today()`` is the API's own date (the last response's ``Date`` header), and a write
  is refused when the token belongs to someone other than the bot (``GET /user``).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import email.utils
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TextIO

import github
import requests
from github import Auth, GithubException, GithubRetry

from mentoring.core import budget as budgets
from mentoring.core.model import (
    AddLabels,
    Assign,
    CloseIssue,
    Comment,
    CreateIssue,
    EditComment,
    EditIssue,
    EnsureLabel,
    Issue,
    OpenPullRequest,
    Plan,
    PostComment,
    RemoveLabels,
    ReopenIssue,
    Unassign,
    Write,
    lower,
)
from mentoring.errors import MentoringError

PUBLIC_API = "https://api.github.com"
PER_PAGE = 100
RATE_LIMIT_TRIES = 3
MAX_RATE_LIMIT_WAIT = 120  # seconds: past that, a rate-limited read fails instead of waiting


class IssueGone(MentoringError):
    """The issue was transferred to another repository or deleted."""


class OutOfBudget(MentoringError):
    """The last response left no more requests than the reserve: stop reading."""

    def __init__(self, budget: budgets.Budget, reserve: int):
        super().__init__(f"{budget.remaining} API requests left, {reserve} kept in reserve")
        self.budget = budget
        self.reserve = reserve


@dataclass
class RunReport:
    """What a run did, per issue: written, deferred (over the cap), skipped, failed."""

    dry_run: bool = False
    written: dict[int, list[str]] = field(default_factory=dict)
    deferred: dict[int, list[str]] = field(default_factory=dict)
    skipped: dict[int, list[str]] = field(default_factory=dict)
    failed: dict[int, list[str]] = field(default_factory=dict)

    def add(self, bucket: str, issue: int, text: str) -> None:
        getattr(self, bucket).setdefault(issue, []).append(text)

    @property
    def writes(self) -> int:
        return sum(len(v) for v in self.written.values())

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def buckets(self) -> list[tuple[str, dict[int, list[str]]]]:
        verb = "would write" if self.dry_run else "written"
        return [
            (verb, self.written),
            ("deferred", self.deferred),
            ("skipped", self.skipped),
            ("failed", self.failed),
        ]

    def lines(self) -> list[str]:
        """One line a bucket: how many, and which issues."""
        out = []
        for title, bucket in self.buckets():
            numbers = ", ".join(_issue_label(n) for n in sorted(bucket)) or "none"
            out.append(f"{title}: {sum(len(v) for v in bucket.values())} ({numbers})")
        return out

    def markdown(self, title: str) -> str:
        """The same, for $GITHUB_STEP_SUMMARY, with a row per write."""
        rows = []
        for name, bucket in self.buckets():
            for number in sorted(bucket):
                for text in bucket[number]:
                    first = headline(text).replace("|", "\\|")
                    rows.append(f"| {name} | {_issue_label(number)} | {first} |")
        head = f"### {title}\n\n" + "\n".join(f"- {line}" for line in self.lines()) + "\n"
        if rows:
            head += "\n| outcome | issue | what |\n|---|---|---|\n" + "\n".join(rows) + "\n"
        return head


def _issue_label(number: int) -> str:
    return f"#{number}" if number else "repo"


def headline(text: str, limit: int = 120) -> str:
    """A write's or note's first line; when it ends in ``:`` (a comment or edit whose body
    follows), joined to the body's first meaningful line: no blank lines, hidden markers,
    or heading ``#``s. Cut to ``limit`` characters."""
    lines = text.splitlines() or [""]
    first = lines[0].strip()
    if first.endswith(":"):
        for line in lines[1:]:
            line = re.sub(r"<!--.*?-->", "", line).strip().lstrip("#").strip()
            if line and not line.startswith(("<!--", "-->")):
                first = f"{first} {line}"
                break
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- snapshots


def _dt(value: Any) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _dt_text(value: Any) -> datetime:
    """A timestamp of GitHub's JSON (``2026-01-05T09:30:00Z``) as an aware datetime."""
    if not value:
        return datetime.min.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _login(user: Any) -> str | None:
    return None if user is None else user.login


_ISSUE_NUMBER = re.compile(r"/issues/(\d+)$")


def comment_snapshot(c: Any, issue: int | None = None) -> Comment:
    if issue is None:
        match = _ISSUE_NUMBER.search(c.issue_url or "")
        issue = int(match.group(1)) if match else 0
    return Comment(
        id=c.id,
        issue=issue,
        author=_login(c.user),
        body=c.body or "",
        created_at=_dt(c.created_at),
        updated_at=_dt(c.updated_at),
    )


def _parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))


def _iso(moment: datetime) -> str:
    return _dt(moment).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json_login(user: dict[str, Any] | None) -> str | None:
    return None if user is None else user.get("login")


def comment_from_json(c: dict[str, Any], issue: int | None = None) -> Comment:
    """A comment of a listing, from GitHub's JSON (as ``comment_snapshot`` reads objects)."""
    if issue is None:
        match = _ISSUE_NUMBER.search(c.get("issue_url") or "")
        issue = int(match.group(1)) if match else 0
    return Comment(
        id=c["id"],
        issue=issue,
        author=_json_login(c.get("user")),
        body=c.get("body") or "",
        created_at=_parse_time(c.get("created_at")),
        updated_at=_parse_time(c.get("updated_at")),
    )


def issue_from_json(i: dict[str, Any]) -> Issue:
    """An issue of a listing, from GitHub's JSON (as ``issue_snapshot`` reads objects)."""
    return Issue(
        number=i["number"],
        title=i.get("title") or "",
        body=i.get("body") or "",
        author=_json_login(i.get("user")),
        state=i["state"],
        labels=tuple(label["name"] for label in i.get("labels") or ()),
        assignees=tuple(a["login"] for a in i.get("assignees") or ()),
        created_at=_parse_time(i.get("created_at")),
        updated_at=_parse_time(i.get("updated_at")),
        closed_at=_parse_time(i.get("closed_at")),
        locked=bool(i.get("locked")),
        is_pull=i.get("pull_request") is not None,
        comments=(),
        state_reason=i.get("state_reason"),
    )


def issue_snapshot(i: Any, comments: Iterable[Comment] = ()) -> Issue:
    return Issue(
        number=i.number,
        title=i.title or "",
        body=i.body or "",
        author=_login(i.user),
        state=i.state,
        labels=tuple(label.name for label in i.labels),
        assignees=tuple(a.login for a in i.assignees),
        created_at=_dt(i.created_at),
        updated_at=_dt(i.updated_at),
        closed_at=_dt(i.closed_at),
        locked=bool(i.locked),
        # A listed issue has no `pull_request` key unless it is one; reading the attribute
        # would make PyGithub fetch the whole issue again (a GET per issue), so read the JSON.
        is_pull=i._rawData.get("pull_request") is not None,
        comments=tuple(comments),
        state_reason=getattr(i, "state_reason", None),
    )


# --------------------------------------------------------------------------- the gateway


@dataclass(frozen=True)
class Target:
    """Where to talk to: API URL, repository and token, from the environment or flags."""

    api_url: str
    repo: str
    token: str | None
    server_url: str = "https://github.com"

    @classmethod
    def from_env(cls, repo: str | None = None, env: dict[str, str] | None = None) -> Target:
        env = os.environ if env is None else env
        repo = repo or env.get("GITHUB_REPOSITORY")
        if not repo:
            raise MentoringError("no repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY")
        if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repo):
            raise MentoringError(f"repository {repo!r} is not of the form OWNER/NAME")
        api_url = (env.get("GITHUB_API_URL") or PUBLIC_API).rstrip("/")
        return cls(
            api_url=api_url,
            repo=repo,
            token=env.get("GITHUB_TOKEN") or None,
            server_url=(env.get("GITHUB_SERVER_URL") or _server_of(api_url)).rstrip("/"),
        )

    @property
    def web_url(self) -> str:
        """The repository's page, e.g. https://github.com/OWNER/NAME (or the GHES host's)."""
        return f"{self.server_url}/{self.repo}"


def _server_of(api_url: str) -> str:
    """GitHub's web host for an API URL: api.github.com → github.com, HOST/api/v3 → HOST."""
    if api_url.rstrip("/") == PUBLIC_API:
        return "https://github.com"
    return re.sub(r"/api/v3/?$", "", api_url)


class Gateway:
    """Reads from one repository and applies plans to it, within GitHub's limits."""

    def __init__(
        self,
        target: Target,
        *,
        bot_login: str = "github-actions[bot]",
        dry_run: bool = False,
        pace_seconds: float = 1.0,
        max_writes: int = 60,
        backoff: float = 1.0,
        out: TextIO | None = None,
        sleep: Callable[[float], None] = time.sleep,
        reserve: int | None = None,
        wait_seconds: float = 0,
        identities: dict[tuple[str, str], str | None] | None = None,
    ):
        self.target = target
        self.bot_login = bot_login
        self.dry_run = dry_run
        self.pace_seconds = pace_seconds
        self.max_writes = max_writes
        self.report = RunReport(dry_run=dry_run)
        self.out = out or sys.stdout
        self._sleep = sleep
        self._last_write = 0.0
        self._attempts = 0
        self._labels: dict[str, str] | None = None
        self.reserve = reserve
        # How long, in all, reads and writes may wait at the reserve for the hour's count to
        # start again before they stop (budget.wait_minutes; the nightly pass only).
        self.wait_seconds = wait_seconds
        self.waited = 0.0
        # (API URL, token) -> the token's login if GitHub tells it: shared by the gateways
        # of one command (the demo's many runs ask once)
        self._identities = {} if identities is None else identities
        self.out_of_budget: list[int] = []  # issues whose writes wait for the next run
        self.stopped: str | None = None  # where the reserve stopped the run: reading, writing…
        self._date: datetime | None = None
        self._settled = False  # the session's environment settings read (_settle_environment)
        retry = GithubRetry(
            total=5,
            connect=2,  # a host that does not answer is reported soon, not after minutes
            backoff_factor=backoff,
            # Only idempotent methods: a POST that GitHub applied before the
            # response was lost must not be repeated blindly (see _post_comment).
            allowed_methods=frozenset({"GET", "HEAD", "OPTIONS"}),
            secondary_rate_wait=60,
            max_rate_limit_wait=MAX_RATE_LIMIT_WAIT,
        )
        self._gh = github.Github(
            base_url=target.api_url,
            auth=Auth.Token(target.token) if target.token else None,
            per_page=PER_PAGE,
            retry=retry,
            seconds_between_requests=None,
            seconds_between_writes=None,  # pacing is ours, in apply()
            lazy=True,
            timeout=30,
        )
        self._repo = self._gh.get_repo(target.repo)
        requester = self._gh.requester
        passed_on = requester.DEBUG_ON_RESPONSE

        def seen(status: int, headers: dict[str, Any], data: Any) -> None:
            self._seen(headers)
            if not self._settled:
                self._settle_environment()
            passed_on(status, headers, data)

        requester.DEBUG_ON_RESPONSE = seen  # PyGithub's hook on every response it reads

    def _settle_environment(self) -> None:
        """Read the proxy and certificate settings of the environment once, not per request.

        requests looks them up again for every request (``HTTPS_PROXY``, ``NO_PROXY``,
        ``REQUESTS_CA_BUNDLE``...), scanning the whole environment each time; a pass makes
        thousands of requests with the same settings. PyGithub keeps one session per
        requester (made at the first request), reached here through its private name; if
        that name changes, requests simply goes on looking them up as before.
        """
        self._settled = True
        connection = getattr(self._gh.requester, "_Requester__connection", None)
        session = getattr(connection, "session", None)
        if not isinstance(session, requests.Session) or not session.trust_env:
            return
        found = session.merge_environment_settings(self.target.api_url, {}, None, None, None)
        session.proxies.update(found.get("proxies") or {})
        if found.get("verify") not in (None, True):  # a CA bundle named by the environment:
            session.verify = found["verify"]  # PyGithub passes its own `verify` on each request
            if getattr(connection, "verify", None) is True:
                connection.verify = found["verify"]
        if found.get("cert"):
            session.cert = found["cert"]
        session.trust_env = False

    # ---------------------------------------------------------------- the API's clock, budget

    def _seen(self, headers: dict[str, Any]) -> None:
        when = headers.get("date")
        if when:
            with contextlib.suppress(TypeError, ValueError):
                self._date = email.utils.parsedate_to_datetime(str(when)).astimezone(UTC)

    def today(self) -> date:
        """Today by GitHub's clock: the last response's ``Date`` header, or, before any
        response, that of ``GET /rate_limit`` (which does not count against the limit)."""
        if self._date is None:
            self._guard(
                lambda: self._gh.requester.requestJsonAndCheck("GET", "/rate_limit"), counted=False
            )
        if self._date is None:
            raise MentoringError(f"{self.target.api_url} sent no Date header: pass --today")
        return self._date.date()

    def budget(self) -> budgets.Budget | None:
        """What the last response said is left of the hour's requests (no request made)."""
        requester = self._gh.requester
        remaining, limit = requester.rate_limiting
        return budgets.from_headers(remaining, limit, requester.rate_limiting_resettime)

    def short_of_budget(self, needed: int = 1) -> budgets.Budget | None:
        """The budget, if ``needed`` more requests would eat into the reserve; else None."""
        if self.reserve is None:
            return None
        left = self.budget()
        return left if left is not None and left.short(self.reserve, needed) else None

    def _check_budget(self) -> None:
        if not self.enough_budget():
            short = self.short_of_budget()
            assert short is not None
            raise OutOfBudget(short, self.reserve or 0)

    def enough_budget(self, needed: int = 1) -> bool:
        """Whether ``needed`` more requests leave the reserve, after waiting for the hour's count
        to start again if that is allowed (``wait_seconds``) and would be enough."""
        while (short := self.short_of_budget(needed)) is not None:
            if not self._wait_for_reset(short):
                return False
        return True

    def _wait_for_reset(self, short: budgets.Budget) -> bool:
        """Sleep until GitHub's count starts again, within what is left of ``wait_seconds``;
        then ask GitHub the figures afresh (``GET /rate_limit`` does not count)."""
        if self.dry_run:
            return False
        wait = short.reset - time.time()  # up to an hour
        if wait < 1:  # the reset is past by this clock, yet the count is not: look in a minute
            wait = 60.0
        if self.waited + wait > self.wait_seconds:
            return False
        print(budgets.wait_line(short, self.reserve or 0, wait), file=self.out, flush=True)
        self._sleep(wait + 1)  # a second past the reset, so the new count has started
        self.waited += wait
        self._guard(
            lambda: self._gh.requester.requestJsonAndCheck("GET", "/rate_limit"), counted=False
        )
        return True

    def whoami(self) -> str | None:
        """The token's own login, if GitHub tells it (personal tokens); None for the
        workflow token and App installation tokens, which ``GET /user`` refuses."""
        key = (self.target.api_url, self.target.token or "")
        if key not in self._identities:
            quiet = logging.getLogger("github.GithubRetry")  # its 403 line is expected here
            level = quiet.level
            quiet.setLevel(logging.WARNING)
            try:
                _, data = self._gh.requester.requestJsonAndCheck("GET", "/user")
                self._identities[key] = str(data.get("login") or "") or None
            except GithubException as exc:
                if exc.status not in (401, 403, 404):
                    raise MentoringError(f"GitHub answered {exc.status}: {_message(exc)}") from exc
                self._identities[key] = None
            except requests.RequestException as exc:
                raise MentoringError(self._unreachable(exc)) from exc
            finally:
                quiet.setLevel(level)
        return self._identities[key]

    def _check_identity(self) -> None:
        """Refuse to write as a person: the bot trusts only its own markers, so what a person
        posts in its place would be posted again by the next run."""
        login = self.whoami()
        if login is not None and lower(login) != lower(self.bot_login):
            raise MentoringError(
                f"the token belongs to {login}, not to the bot ({self.bot_login}): what it "
                "wrote would not count as the bot's and would be posted again. Run with "
                "--dry-run to see the writes, or with the bot's token (the workflow's "
                "GITHUB_TOKEN, or set bot_login in .github/mentoring.yml to the App's login)"
            )

    # ---------------------------------------------------------------- reads

    def issues(
        self, *, state: str = "open", labels: Iterable[str] = (), since: datetime | None = None
    ) -> list[Issue]:
        """Issues (and pull requests) of the repo, 100 a page, without comments."""
        params: dict[str, Any] = {"state": state, "sort": "created", "direction": "asc"}
        if labels:
            params["labels"] = ",".join(labels)
        if since is not None:
            params["since"] = _iso(since)
        path = f"/repos/{self.target.repo}/issues"
        return self._guard(lambda: [issue_from_json(i) for i in self._json_pages(path, params)])

    def comments_since(
        self, since: datetime | None, until: datetime | None = None
    ) -> list[Comment]:
        """Every issue comment in the repo updated since ``since``, oldest first, 100 a page.

        With ``until``, the listing stops at the first comment updated at or after it,
        so no page past that point is requested.
        """
        params: dict[str, Any] = {"sort": "updated", "direction": "asc"}
        if since is not None:
            params["since"] = _iso(since)
        path = f"/repos/{self.target.repo}/issues/comments"

        def read() -> list[Comment]:
            found = []
            for c in self._json_pages(path, params):
                snapshot = comment_from_json(c)
                if until is not None and snapshot.updated_at >= until:
                    break
                found.append(snapshot)
            return found

        return self._guard(read)

    def _json_pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """A listing's items as GitHub's JSON, 100 a page, through PyGithub's requester
        (its retries, its headers) but without building its objects: a bulk listing then
        costs what reading its JSON costs. The budget is checked before each page."""
        page = 1
        while True:
            query = {**params, "per_page": PER_PAGE}
            if page > 1:
                self._check_budget()
                query["page"] = page
            _, items = self._gh.requester.requestJsonAndCheck("GET", path, parameters=query)
            yield from items
            if len(items) < PER_PAGE:
                return
            page += 1

    def issues_by(self, repo: str, creator: str, since: datetime, *, limit: int = 1) -> list[Issue]:
        """Issues and pull requests ``creator`` opened in ``repo`` (any repository) and updated
        since ``since``, the most recently created first, at most ``limit`` (one request up to 100).
        """

        def read() -> list[Issue]:
            listing = self._gh.get_repo(repo).get_issues(
                state="all", creator=creator, since=since, sort="created", direction="desc"
            )
            found: list[Issue] = []
            for raw in listing:  # stop before PyGithub asks for a page not needed
                found.append(issue_snapshot(raw))
                if len(found) >= limit:
                    break
            return found

        return self._guard(read)

    def issue(self, number: int, *, with_comments: bool = True) -> Issue:
        """One issue with all its comments; IssueGone if it moved to another repo or was deleted.

        Read as JSON through PyGithub's requester, like the listings."""
        path = f"/repos/{self.target.repo}/issues/{number}"

        def read() -> Issue:
            _, raw = self._gh.requester.requestJsonAndCheck("GET", path)
            # PyGithub follows a transfer's 301 silently, landing in another repo.
            expected = f"/repos/{self.target.repo}".casefold()
            if not (raw.get("repository_url") or "").casefold().endswith(expected):
                raise IssueGone(f"#{number} was transferred to another repository")
            comments = (
                [comment_from_json(c, number) for c in self._json_pages(f"{path}/comments", {})]
                if with_comments
                else []
            )
            return dataclasses.replace(issue_from_json(raw), comments=tuple(comments))

        return self._guard(read, number=number)

    def issue_comments(self, number: int) -> list[Comment]:
        path = f"/repos/{self.target.repo}/issues/{number}/comments"
        return self._guard(
            lambda: [comment_from_json(c, number) for c in self._json_pages(path, {})],
            number=number,
        )

    def can_be_assigned(self, login: str) -> bool:
        return self._guard(lambda: bool(self._repo.has_in_assignees(login)))

    def default_branch(self) -> str:
        return self._guard(lambda: self._repo.default_branch)

    def read_file(
        self, path: str, ref: str | None = None, *, repo: str | None = None
    ) -> bytes | None:
        """A file's bytes at ``ref`` (default branch if None); None if it does not exist.

        ``repo`` reads from another repository instead, such as a pull request's fork.
        """
        source = self._repo if repo is None else self._gh.get_repo(repo)

        def read() -> bytes | None:
            try:
                kwargs = {"ref": ref} if ref else {}
                content = source.get_contents(path, **kwargs)
            except GithubException as exc:
                if exc.status == 404:
                    return None
                raise
            if isinstance(content, list):
                return None
            if content.encoding != "base64":  # over 1 MB GitHub sends no content: use the blob
                return base64.b64decode(source.get_git_blob(content.sha).content)
            return content.decoded_content

        return self._guard(read)

    def pull(self, number: int) -> Any:
        """A pull request's raw JSON (dict), as GitHub sends it."""
        return self._guard(lambda: self._repo.get_pull(number).raw_data, number=number)

    def pull_files(self, number: int) -> list[dict[str, Any]]:
        return self._guard(
            lambda: [f.raw_data for f in self._repo.get_pull(number).get_files()], number=number
        )

    def pull_reviews(self, number: int) -> list[dict[str, Any]]:
        return self._guard(
            lambda: [r.raw_data for r in self._repo.get_pull(number).get_reviews()], number=number
        )

    # ---------------------------------------------------------------- activity (cohorts)

    def activity_listing(
        self, repo: str, kind: str, since: datetime
    ) -> tuple[list[dict[str, Any]], int]:
        """One repository-wide listing of ``repo`` since ``since``, 100 a page, as GitHub's JSON,
        and the number of requests it took.

        ``pulls``: every pull request, most recently updated first, read until one
        updated before ``since`` (the pulls listing has no ``since``); ``issues``: issues
        and pull requests updated since; ``comments``: issue comments updated since;
        ``review-comments``: review comments on lines updated since.
        """
        source = self._gh.get_repo(repo)
        if kind == "pulls":
            listing = source.get_pulls(state="all", sort="updated", direction="desc")
        elif kind == "issues":
            listing = source.get_issues(state="all", since=since, sort="updated", direction="asc")
        elif kind == "comments":
            listing = source.get_issues_comments(sort="updated", direction="asc", since=since)
        elif kind == "review-comments":
            listing = source.get_pulls_comments(sort="updated", direction="asc", since=since)
        else:  # pragma: no cover - a programming error
            raise ValueError(kind)

        def read() -> tuple[list[dict[str, Any]], int]:
            found: list[dict[str, Any]] = []
            requests_made = 0
            page = 0
            while True:
                items = listing.get_page(page)
                requests_made += 1
                raw = [item._rawData for item in items]  # no per-item completion GETs
                if kind == "pulls":
                    fresh = [x for x in raw if _dt_text(x.get("updated_at")) >= since]
                    found += fresh
                    if len(fresh) < len(raw):
                        break
                else:
                    found += raw
                if len(items) < PER_PAGE:
                    break
                page += 1
            return found, requests_made

        return self._guard(read)

    def pull_reviews_of(self, repo: str, number: int) -> list[dict[str, Any]]:
        """The reviews of one pull request of ``repo`` (one request: a first page of 100)."""
        pull = self._gh.get_repo(repo).get_pull(number)  # lazy: no request of its own
        return self._guard(lambda: [r._rawData for r in pull.get_reviews().get_page(0)])

    def _guard(
        self, read: Callable[[], Any], number: int | None = None, *, counted: bool = True
    ) -> Any:
        """Run a read, turning GitHub's answers into clear errors for the user; with a
        reserve, stop (``OutOfBudget``) when the last response left no more than it.
        ``counted=False``: a request GitHub does not count (``GET /rate_limit``)."""
        if counted:
            self._check_budget()
        try:
            return read()
        except GithubException as exc:
            if exc.status in (404, 410) and number is not None:
                raise IssueGone(f"#{number} does not exist (deleted or never created)") from exc
            if exc.status == 401:
                raise MentoringError("GitHub refused the token (401): check GITHUB_TOKEN") from exc
            raise MentoringError(f"GitHub answered {exc.status}: {_message(exc)}") from exc
        except requests.RequestException as exc:
            raise MentoringError(self._unreachable(exc)) from exc

    def _unreachable(self, exc: Exception) -> str:
        return (
            f"cannot reach GitHub at {self.target.api_url} ({type(exc).__name__}): "
            "check GITHUB_API_URL and the network"
        )

    # ---------------------------------------------------------------- writes

    def apply(self, plan: Plan) -> RunReport:
        """Carry out a plan: every write of one issue together, paced, within the run's cap.

        An issue whose writes do not fit in what is left of the cap is deferred whole,
        so the next run (which recomputes from GitHub's state) finishes it cleanly.
        A failure skips the rest of that issue's writes and moves on to the next issue.
        """
        for number, writes in _by_issue(plan.writes):
            writes = [w for w in writes if not self._needless(w)]
            if not writes:
                continue
            if not self.dry_run:
                self._check_identity()
                if self.out_of_budget or not self.enough_budget(len(writes)):
                    self.stopped = self.stopped or "writing"
                    self.out_of_budget.append(number)
                    continue
            if self._attempts + len(writes) > self.max_writes:
                for w in writes:
                    self.report.add("deferred", number, w.describe())
                continue
            for w in writes:
                self._attempts += 1
                if self.dry_run:
                    print(w.describe(), file=self.out)
                    self.report.add("written", number, w.describe())
                    continue
                try:
                    self._pace()
                    self._write(w)
                except _Skip as skip:
                    self.report.add("skipped", number, str(skip))
                    break
                except (GithubException, MentoringError) as exc:
                    self.report.add("failed", number, f"{_first_line(w)}: {_message(exc)}")
                    break
                except requests.RequestException as exc:
                    self.report.add("failed", number, f"{_first_line(w)}: {self._unreachable(exc)}")
                    break
                self.report.add("written", number, w.describe())
        for note_issue, text in plan.notes:
            self.report.add("skipped", note_issue, text)
        return self.report

    def _needless(self, w: Write) -> bool:
        if isinstance(w, EnsureLabel):
            return lower(w.name) in self._repo_labels()
        return False

    def _repo_labels(self) -> dict[str, str]:
        if self._labels is None:
            self._labels = {
                lower(label.name): label.name
                for label in self._guard(lambda: list(self._repo.get_labels()))
            }
        return self._labels

    def _pace(self) -> None:
        wait = self._last_write + self.pace_seconds - time.monotonic()
        if wait > 0:
            self._sleep(wait)
        self._last_write = time.monotonic()

    def _write(self, w: Write) -> None:
        if isinstance(w, PostComment):
            self._post_comment(w)
            return
        action = self._action(w)
        for attempt in range(RATE_LIMIT_TRIES):
            try:
                action()
                return
            except GithubException as exc:
                wait = _retry_after(exc)
                if wait is None or attempt == RATE_LIMIT_TRIES - 1:
                    self._classify(w, exc)
                    raise
                self._sleep(wait)

    def _action(self, w: Write) -> Callable[[], Any]:
        issue = lambda: self._repo.get_issue(w.issue)  # noqa: E731 - lazy: no request
        if isinstance(w, EditComment):
            return lambda: issue().get_comment(w.comment_id).edit(w.body)
        if isinstance(w, AddLabels):
            return lambda: issue().add_to_labels(*w.labels)
        if isinstance(w, RemoveLabels):
            return lambda: [self._remove_label(issue(), label) for label in w.labels]
        if isinstance(w, EnsureLabel):

            def create() -> None:
                self._repo.create_label(w.name, w.color, w.description)
                self._repo_labels()[lower(w.name)] = w.name

            return create
        if isinstance(w, Assign):
            return lambda: issue().add_to_assignees(*w.logins)
        if isinstance(w, Unassign):
            return lambda: issue().remove_from_assignees(*w.logins)
        if isinstance(w, CloseIssue):
            return lambda: issue().edit(state="closed", state_reason=w.reason)
        if isinstance(w, ReopenIssue):
            return lambda: issue().edit(state="open")
        if isinstance(w, EditIssue):
            kwargs = {k: v for k, v in (("body", w.body), ("title", w.title)) if v is not None}
            return lambda: issue().edit(**kwargs)
        if isinstance(w, CreateIssue):
            return lambda: self._create_issue(w)
        if isinstance(w, OpenPullRequest):
            return lambda: self._open_pull(w)
        raise TypeError(f"unknown write {w!r}")

    @staticmethod
    def _remove_label(issue: Any, label: str) -> None:
        try:
            issue.remove_from_labels(label)
        except GithubException as exc:
            if exc.status != 404:  # already gone: the goal is reached
                raise

    def _create_issue(self, w: CreateIssue) -> None:
        """Create an issue unless a lost response means it already exists (found by its marker)."""
        try:
            self._repo.create_issue(title=w.title, body=w.body, labels=list(w.labels))
        except GithubException as exc:
            if exc.status < 500:
                raise
            mine = [
                i
                for i in self._repo.get_issues(state="all", creator=self.bot_login)
                if (i.body or "").strip() == w.body.strip()
            ]
            if not mine:
                self._repo.create_issue(title=w.title, body=w.body, labels=list(w.labels))

    def _open_pull(self, w: OpenPullRequest) -> None:
        """Branch, commit one file, open the pull request; each step skipped if already done.

        One write of the plan (and of the cap), but three to GitHub, paced apart."""
        repo = self._repo
        owner = self.target.repo.split("/")[0]
        if list(repo.get_pulls(state="open", head=f"{owner}:{w.branch}")):
            return  # made by an earlier run whose response was lost
        base = repo.default_branch
        head = repo.get_branch(base).commit.sha
        try:
            repo.create_git_ref(f"refs/heads/{w.branch}", head)
        except GithubException as exc:
            if exc.status != 422:  # 422: the branch is left from a run that died: reuse it
                raise
            ref = repo.get_git_ref(f"heads/{w.branch}")
            if ref.object.sha != head:  # read it: its `url` is the one to PATCH (refs/…)
                ref.edit(head, force=True)
        current = repo.get_contents(w.path, ref=w.branch)
        if isinstance(current, list) or current.sha != w.base_blob:
            raise _Skip(f"#{w.issue}: {w.path} changed since it was read: the next run retries")
        self._pace()  # three writes in one: paced like any other
        repo.update_file(w.path, w.message, w.content, current.sha, branch=w.branch)
        self._pace()
        repo.create_pull(title=w.title, body=w.body, head=w.branch, base=base)

    def _post_comment(self, w: PostComment) -> None:
        """Post a comment once: on 5xx re-read the issue and post again only if it is not there."""
        issue = self._repo.get_issue(w.issue)
        for attempt in range(RATE_LIMIT_TRIES):
            try:
                issue.create_comment(w.body)
                return
            except GithubException as exc:
                self._classify(w, exc)
                if exc.status >= 500:
                    if self._already_posted(w):
                        return
                elif (wait := _retry_after(exc)) is not None:
                    self._sleep(wait)
                else:
                    raise
                if attempt == RATE_LIMIT_TRIES - 1:
                    raise

    def _already_posted(self, w: PostComment) -> bool:
        body = w.body.strip()
        return any(
            c.by(self.bot_login) and c.body.strip() == body for c in self.issue_comments(w.issue)
        )

    def _classify(self, w: Write, exc: GithubException) -> None:
        """Known per-issue conditions are skips, not failures."""
        message = _message(exc)
        if exc.status == 403 and "locked" in message.lower():
            raise _Skip(f"#{w.issue} is locked: {_first_line(w)} not made") from exc
        if exc.status in (301, 404, 410) and w.issue:
            raise _Skip(f"#{w.issue} was moved or deleted: {_first_line(w)} not made") from exc


def _pages(listing: Any, before: Callable[[], None] | None = None) -> Iterator[Any]:
    """A listing's items, a page of 100 at a time, keeping none of PyGithub's objects.

    Iterating a PaginatedList keeps every object it fetched until the end; reading
    page by page lets each page go once it is turned into snapshots. A listing
    whose length is a whole number of pages costs one request more (an empty page).
    ``before`` runs before each page after the first (the budget check).
    """
    page = 0
    while True:
        if before is not None and page > 0:
            before()
        items = listing.get_page(page)
        yield from items
        if len(items) < PER_PAGE:
            return
        page += 1


class _Skip(Exception):
    pass


def _by_issue(writes: Iterable[Write]) -> Iterator[tuple[int, list[Write]]]:
    groups: dict[int, list[Write]] = {}
    for w in writes:
        groups.setdefault(w.issue, []).append(w)
    yield from groups.items()


def _first_line(w: Write) -> str:
    return w.describe().splitlines()[0]


def _message(exc: Exception) -> str:
    if isinstance(exc, GithubException):
        data = exc.data
        if isinstance(data, dict) and data.get("message"):
            return str(data["message"])
        return str(data)
    return str(exc)


def _retry_after(exc: GithubException) -> float | None:
    """Seconds to wait before a retry GitHub allows (rate limits), or None if not retryable."""
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    if exc.status not in (403, 429):
        return None
    if "retry-after" in headers:
        try:
            return max(0.0, float(headers["retry-after"]))
        except ValueError:
            return 60.0
    if "rate limit" in _message(exc).lower():
        reset = headers.get("x-ratelimit-reset")
        if headers.get("x-ratelimit-remaining") == "0" and reset and reset.isdigit():
            return max(0.0, int(reset) - time.time()) + 1
        return 60.0
    return None


def now() -> datetime:
    return datetime.now(UTC)


__all__ = ["Gateway", "IssueGone", "OutOfBudget", "RunReport", "Target"]
