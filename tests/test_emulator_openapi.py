"""Check the emulator's answers against GitHub's own OpenAPI description.

A PyGithub session drives every emulated operation (successes and the documented errors)
while ``requests.Session.send`` is wrapped to record each exchange. Every recorded request
and response is then validated with openapi-core against ``tests/openapi/github-subset.json``,
the committed extract of ``@octokit/openapi`` (see ``tests/openapi/README.md``). Known
disagreements are listed, with their reasons, in ``KNOWN_DISAGREEMENTS`` below.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote, urlsplit, urlunsplit

import github
import pytest
import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from mentoring.emulator import EmulatorServer

SUBSET = Path(__file__).parent / "openapi" / "github-subset.json"


class Disagreement(NamedTuple):
    """A known difference between what GitHub does and what its description says."""

    method: str
    path: str  # regex searched in the request path
    status: int | None  # None: any status
    part: str  # "request" or "response"
    error: str  # regex searched in the validation error ("" matches any)
    reason: str


KNOWN_DISAGREEMENTS = [
    # PyGithub's add_to_labels/set_labels send a bare JSON array of names; GitHub accepts it
    # (its docs say so) but the description's schema only allows {"labels": [...]}.
    Disagreement("POST", r"/issues/\d+/labels$", 200, "request", "", "bare array"),
    Disagreement("PUT", r"/issues/\d+/labels$", 200, "request", "", "bare array"),
    # Injected faults answer statuses the operations do not document.
    Disagreement("POST", r"/issues/\d+/comments$", 502, "response", "", "injected fault"),
    Disagreement("GET", r"/issues/\d+$", 403, "response", "", "injected rate limit"),
    # state_reason is "nullable" with an enum lacking null: OpenAPI 3.0.3 says null must be
    # in the enum too, so validators refuse the null that GitHub sends for open issues.
    Disagreement("*", "", None, "response", r"None is not one of \['completed'", "enum null"),
    # A directory listing is an array, but the operation's discriminator looks for a
    # "type" property, which an array cannot have.
    Disagreement("GET", r"/contents/?$", 200, "response", "", "array discriminator"),
]

# Emulator-only endpoints are not GitHub's: they are skipped, not validated.
ADMIN_PATHS = re.compile(r"^/_emulator/")

# openapi-core matches a path parameter with [^/]*, while GitHub's {path}, {ref}, {branch}
# and {name} may hold slashes: encode those before matching.
GREEDY_PARAMETERS = re.compile(
    r"^(?P<prefix>/repos/[^/]+/[^/]+/(?:contents|git/refs?|branches|labels"
    r"|issues/\d+/labels))/(?P<rest>.+)$"
)


@pytest.fixture(scope="module")
def openapi() -> OpenAPI:
    return OpenAPI.from_dict(json.loads(SUBSET.read_text()))


@pytest.fixture(scope="module")
def exchanges(tmp_path_factory) -> list[tuple[requests.PreparedRequest, requests.Response]]:
    """Every (request, response) pair that ``drive_every_operation`` sent."""
    recorded = []
    send = requests.Session.send

    def recording_send(self, request, **kwargs):
        response = send(self, request, **kwargs)
        recorded.append((request, response))
        return response

    seed = tmp_path_factory.mktemp("seed")
    (seed / "roles.yml").write_text("roles: []\n")
    with pytest.MonkeyPatch.context() as patch, EmulatorServer(seed_dir=seed) as emu:
        patch.setattr(requests.Session, "send", recording_send)
        drive_every_operation(emu)
    return recorded


def client(emu: EmulatorServer, token: str) -> github.Github:
    return github.Github(
        base_url=emu.url,
        auth=github.Auth.Token(token),
        per_page=100,
        seconds_between_requests=None,
        seconds_between_writes=None,
        retry=None,
    )


def admin(emu: EmulatorServer, method: str, path: str, body=None) -> requests.Response:
    response = requests.request(method, f"{emu.url}/_emulator/{path}", json=body, timeout=5)
    response.raise_for_status()
    return response


def drive_every_operation(emu: EmulatorServer) -> None:
    """One PyGithub session touching each operation in the subset, errors included."""
    alice, owner, bot = client(emu, "as:alice"), client(emu, "as:octo"), client(emu, "ghs_x")
    repo = alice.get_repo("octo/proj")
    bot_repo = bot.get_repo("octo/proj")
    assert alice.get_user().login == "alice"
    assert alice.get_user("bob").name is None
    alice.get_rate_limit()
    with pytest.raises(github.GithubException):
        assert bot.get_user().login

    bot_repo.create_label("mentee", "0e8a16", "A mentee")
    with pytest.raises(github.GithubException):
        bot_repo.create_label("MENTEE", "0e8a16")
    label = bot_repo.get_label("mentee")
    label.edit("mentee", "1d76db", "Someone being mentored")
    bot_repo.create_label("status/active", "ededed")
    list(bot_repo.get_labels())

    issue = repo.create_issue("Intake: alice", body="### Role\n\nmentee", labels=["mentee"])
    issue.create_comment("Hello")
    comment = bot_repo.get_issue(issue.number).create_comment("Welcome!")
    comment.edit("Welcome, alice!")
    bot_repo.get_issue(issue.number).get_comment(comment.id)
    list(bot_repo.get_issues_comments(sort="updated", direction="asc"))
    list(issue.get_comments())
    bot_issue = bot_repo.get_issue(issue.number)
    bot_issue.add_to_labels("status/active")
    bot_issue.set_labels("mentee", "status/active")
    list(bot_issue.get_labels())
    bot_issue.remove_from_labels("status/active")
    with pytest.raises(github.GithubException):
        bot_issue.remove_from_labels("status/active")
    bot_issue.add_to_assignees("alice")
    bot_issue.remove_from_assignees("alice")
    bot_repo.has_in_assignees("alice")
    list(bot_repo.get_assignees())
    bot_issue.edit(title="Intake: Alice", state="closed", state_reason="completed")
    bot_issue.edit(state="open")
    list(bot_issue.get_events())
    list(bot_repo.get_issues(state="all", labels=[label]))
    bot_issue.lock("resolved")
    with pytest.raises(github.GithubException):
        bot_issue.create_comment("Locked out")
    bot_issue.unlock()
    spare = bot_repo.create_issue("Spare")
    spare.get_comment(spare.create_comment("to delete").id).delete()
    bot_issue.delete_labels()
    bot_repo.get_label("status/active").delete()
    with pytest.raises(github.UnknownObjectException):
        bot_repo.get_issue(999)

    # GET /repos/{o}/{r}/issues/{n}/assignees/{assignee} has no PyGithub method.
    requests.get(f"{emu.url}/repos/octo/proj/issues/{issue.number}/assignees/alice", timeout=5)

    fork = alice.get_repo("alice/proj")
    fork.create_git_ref("refs/heads/graduate", fork.get_branch("main").commit.sha)
    fork.get_git_ref("heads/graduate")
    roles = fork.get_contents("roles.yml", ref="graduate")
    fork.update_file("roles.yml", "Graduate alice", "roles: [alice]\n", roles.sha, "graduate")
    fork.create_file("notes.md", "Add notes", "notes\n", branch="graduate")
    notes = fork.get_contents("notes.md", ref="graduate")
    fork.delete_file("notes.md", "Drop notes", notes.sha, branch="graduate")
    fork.create_file("alumni.md", "Add alumni", "- alice\n", branch="graduate")
    fork.get_contents("", ref="graduate")
    fork.get_git_blob(roles.sha)
    list(fork.get_branches())
    scratch = fork.create_git_ref("refs/heads/scratch", fork.get_branch("main").commit.sha)
    scratch.edit(fork.get_branch("graduate").commit.sha)
    scratch.delete()

    pull = repo.create_pull(base="main", head="alice:graduate", title="Graduate", body="Fixes #1")
    pull.edit(body=f"Fixes #{issue.number}")
    list(pull.get_files())
    list(repo.get_pulls(state="all"))
    owner_pull = owner.get_repo("octo/proj").get_pull(pull.number)
    owner_pull.create_review(body="Lovely", event="APPROVE")
    list(owner_pull.get_reviews())
    owner_pull.is_merged()
    owner_pull.merge(merge_method="merge")
    owner_pull.is_merged()

    # Transferred issues answer 301, which PyGithub follows.
    moved = bot_repo.create_issue("Wrong repo")
    admin(emu, "POST", f"repos/octo/proj/issues/{moved.number}/transfer", {"to": "octo/other"})
    list(bot_repo.get_issue(moved.number).get_comments())

    # Injected faults.
    admin(emu, "POST", "faults", {"method": "POST", "path": "/comments$", "status": 502})
    with pytest.raises(github.GithubException):
        bot_issue.create_comment("Lost")
    fault = {"path": r"/issues/\d+$", "status": 403, "retry_after": 0}
    admin(emu, "POST", "faults", fault)
    with pytest.raises(github.GithubException):
        bot_repo.get_issue(issue.number)


def _known(method: str, path: str, status: int, part: str, error: str) -> Disagreement | None:
    return next(
        (
            d
            for d in KNOWN_DISAGREEMENTS
            if d.method in ("*", method)
            and re.search(d.path, path)
            and d.status in (None, status)
            and d.part == part
            and re.search(d.error, error)
        ),
        None,
    )


def _describe(error: Exception) -> str:
    """The schema errors behind an openapi-core error, one short line each."""
    cause = error
    while cause is not None and not hasattr(cause, "schema_errors"):
        cause = cause.__cause__
    if cause is None:
        return str(error)[:300]
    return "; ".join(
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:200]}"
        for e in cause.schema_errors
    )


def _for_matching(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """A copy whose greedy path parameter has its slashes encoded."""
    copy = request.copy()
    parts = urlsplit(copy.url)
    match = GREEDY_PARAMETERS.match(parts.path)
    if match and "/" in match["rest"]:
        path = f"{match['prefix']}/{quote(match['rest'], safe='')}"
        copy.url = urlunsplit(parts._replace(path=path))
    return copy


def _operation(templates: set[tuple[str, str]], method: str, path: str) -> tuple[str, str] | None:
    """The operation a request hits: among matching templates, the most literal one."""
    matches = [
        (m, template)
        for m, template in templates
        if m == method and re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path)
    ]
    return min(matches, key=lambda match: match[1].count("{"), default=None)


def test_every_response_matches_githubs_description(openapi, exchanges):
    problems, used = [], set()
    for request, response in exchanges:
        path = urlsplit(request.url).path
        if ADMIN_PATHS.match(path):
            continue
        wrapped = RequestsOpenAPIRequest(_for_matching(request))
        answer = RequestsOpenAPIResponse(response)
        found = {
            "request": [_describe(e) for e in openapi.iter_request_errors(wrapped)],
            "response": [_describe(e) for e in openapi.iter_response_errors(wrapped, answer)],
        }
        for part, errors in found.items():
            for error in errors:
                known = _known(request.method, path, response.status_code, part, error)
                if known is None:
                    problems.append(
                        f"{request.method} {path} -> {response.status_code}: {part}: {error}"
                    )
                used.add(known)
    assert not problems, "\n".join(problems)
    assert used - {None} == set(KNOWN_DISAGREEMENTS), "an allow-list entry is no longer needed"


def test_every_extracted_operation_is_exercised(exchanges):
    subset = json.loads(SUBSET.read_text())
    templates = {
        (method.upper(), path)
        for path, item in subset["paths"].items()
        for method in item
        if method != "parameters"
    }
    seen = {
        _operation(templates, request.method, urlsplit(_for_matching(request).url).path)
        for request, _ in exchanges
    }
    assert templates - seen == set()
