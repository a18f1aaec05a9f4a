"""The GitHub emulator, driven over real HTTP by PyGithub (and by plain requests for headers)."""

from __future__ import annotations

import base64
import json
import re
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import github
import pytest
import requests

from mentoring.emulator import Emulator, EmulatorServer

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def client(emu: EmulatorServer, token: str = "as:alice", **options) -> github.Github:
    """PyGithub as the product uses it, minus throttling and (by default) retries."""
    settings = {
        "base_url": emu.url,
        "auth": github.Auth.Token(token),
        "per_page": 100,
        "seconds_between_requests": None,
        "seconds_between_writes": None,
        "retry": None,
        **options,
    }
    return github.Github(**settings)


def call(emu: EmulatorServer, method: str, path: str, token: str | None = None, **kwargs):
    """A raw request, to look at statuses, headers and bodies PyGithub hides."""
    headers = {"Authorization": f"token {token}"} if token else {}
    return requests.request(
        method, emu.url + path, headers=headers, timeout=5, allow_redirects=False, **kwargs
    )


@pytest.fixture
def seeded(tmp_path):
    """An emulator whose repositories start with a roles file and a nested config file."""
    (tmp_path / "roles.yml").write_text("mentors:\n  - octo\n")
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "mentoring.yml").write_text("cadence_days: 14\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (tmp_path / "big.bin").write_bytes(b"x" * ((1 << 20) + 1))
    with EmulatorServer(seed_dir=tmp_path) as server:
        yield server


# ------------------------------------------------------------------------------ issues


def test_issue_comment_label_and_assignee_round_trip(emulator):
    emulator.state.set_now(T0)
    repo = client(emulator).get_repo("octo/proj")
    issue = repo.create_issue("Intake: alice", body="I want to learn", labels=["Intake"])
    assert (issue.number, issue.user.login, issue.author_association) == (1, "alice", "NONE")
    assert [label.name for label in issue.labels] == ["Intake"]

    emulator.state.set_now(T0 + timedelta(hours=1))
    bot_issue = client(emulator, "ghs_token").get_repo("octo/proj").get_issue(1)
    comment = bot_issue.create_comment("Welcome!")
    bot_issue.add_to_labels("status/active")
    bot_issue.add_to_assignees("octo")

    fetched = repo.get_issue(1)
    assert comment.user.login == "github-actions[bot]"
    assert comment.user.type == "Bot"
    assert fetched.comments == 1
    assert [label.name for label in fetched.labels] == ["Intake", "status/active"]
    assert [user.login for user in fetched.assignees] == ["octo"]
    assert fetched.created_at == T0
    assert fetched.updated_at == T0 + timedelta(hours=1)
    assert [c.body for c in fetched.get_comments()] == ["Welcome!"]


def test_issue_edits_close_and_reopen(emulator):
    emulator.state.set_now(T0)
    repo = client(emulator, "as:octo").get_repo("octo/proj")
    issue = repo.create_issue("Draft")
    assert issue.author_association == "OWNER"
    emulator.state.set_now(T0 + timedelta(days=1))
    issue.edit(title="Final", body="Now with a body", state="closed", state_reason="not_planned")
    assert (issue.state, issue.state_reason, issue.closed_by.login) == (
        "closed",
        "not_planned",
        "octo",
    )
    assert issue.closed_at == T0 + timedelta(days=1)
    issue.edit(state="open")
    assert (issue.state, issue.state_reason, issue.closed_at) == ("open", "reopened", None)
    events = [event.event for event in issue.get_events()]
    assert events == ["closed", "reopened"]


def test_issue_listing_filters_and_sorts(emulator):
    emulator.state.set_now(T0)
    repo = client(emulator).get_repo("octo/proj")
    first = repo.create_issue("first", labels=["Mentee", "status/active"])
    emulator.state.set_now(T0 + timedelta(days=1))
    second = repo.create_issue("second", labels=["mentee"], assignees=["bob"])
    second.create_comment("one")
    second.create_comment("two")
    emulator.state.set_now(T0 + timedelta(days=2))
    third = client(emulator, "as:bob").get_repo("octo/proj").create_issue("third")
    third.edit(state="closed")

    def numbers(**filters):
        return [issue.number for issue in repo.get_issues(**filters)]

    assert numbers() == [2, 1]
    assert numbers(state="all") == [3, 2, 1]
    assert numbers(state="all", direction="asc") == [1, 2, 3]
    assert numbers(labels=["MENTEE", "Status/Active"]) == [1]
    assert numbers(since=T0 + timedelta(hours=12)) == [2]
    assert numbers(state="closed", creator="bob") == [3]
    assert numbers(assignee="bob") == [2]
    assert numbers(assignee="none") == [1]
    assert numbers(sort="comments") == [2, 1]
    assert first.number == 1


def test_pull_requests_appear_in_issue_listings(seeded):
    repo = client(seeded).get_repo("octo/proj")
    main = repo.get_branch("main").commit.sha
    repo.create_git_ref("refs/heads/topic", main)
    repo.create_file("topic.md", "Add topic", "topic\n", branch="topic")
    repo.create_issue("plain issue")
    repo.create_pull(base="main", head="topic", title="A pull request")
    listed = {issue.number: issue.pull_request is not None for issue in repo.get_issues()}
    assert listed == {1: False, 2: True}
    assert repo.get_issue(2).as_pull_request().head.ref == "topic"


def test_pagination_follows_github_link_headers(emulator):
    session = requests.Session()
    session.headers["Authorization"] = "token ghs_token"
    for number in range(1, 206):
        response = session.post(
            f"{emulator.url}/repos/octo/proj/issues", json={"title": f"#{number}"}
        )
        assert response.status_code == 201

    issues = client(emulator).get_repo("octo/proj").get_issues(direction="asc")
    assert [issue.number for issue in issues] == list(range(1, 206))

    base = f"{emulator.url}/repos/octo/proj/issues"
    first = call(emulator, "GET", "/repos/octo/proj/issues?per_page=100")
    assert first.headers["Link"] == (
        f'<{base}?per_page=100&page=2>; rel="next", <{base}?per_page=100&page=3>; rel="last"'
    )
    middle = call(emulator, "GET", "/repos/octo/proj/issues?state=open&per_page=100&page=2")
    query = "state=open&per_page=100"
    assert middle.headers["Link"] == (
        f'<{base}?{query}&page=1>; rel="prev", <{base}?{query}&page=3>; rel="next", '
        f'<{base}?{query}&page=3>; rel="last", <{base}?{query}&page=1>; rel="first"'
    )
    assert len(middle.json()) == 100
    last = call(emulator, "GET", "/repos/octo/proj/issues?per_page=100&page=3")
    assert len(last.json()) == 5
    assert 'rel="next"' not in last.headers["Link"]
    default_page = call(emulator, "GET", "/repos/octo/proj/issues")
    assert len(default_page.json()) == 30
    single = call(emulator, "GET", "/repos/octo/proj/labels")
    assert "Link" not in single.headers


# ---------------------------------------------------------------------------- comments


def test_repo_comments_since_sort_and_direction(emulator):
    state = emulator.state
    state.set_now(T0)
    repo = client(emulator).get_repo("octo/proj")
    one, two = repo.create_issue("one"), repo.create_issue("two")
    a = one.create_comment("a")
    state.set_now(T0 + timedelta(hours=1))
    b = two.create_comment("b")
    state.set_now(T0 + timedelta(hours=2))
    c = one.create_comment("c")
    state.set_now(T0 + timedelta(hours=3))
    a.edit("a, edited")

    def bodies(**options):
        return [comment.body for comment in repo.get_issues_comments(**options)]

    assert bodies() == ["a, edited", "b", "c"]
    assert bodies(sort="created", direction="desc") == ["c", "b", "a, edited"]
    assert bodies(sort="updated", direction="asc") == ["b", "c", "a, edited"]
    assert bodies(since=T0 + timedelta(hours=2)) == ["a, edited", "c"]
    assert [x.body for x in one.get_comments(since=T0 + timedelta(hours=1))] == ["a, edited", "c"]
    assert a.updated_at == T0 + timedelta(hours=3) and a.created_at == T0
    assert b.issue_url.endswith("/repos/octo/proj/issues/2")
    c.delete()
    assert repo.get_issue(1).comments == 1


def test_comment_body_limit_is_65536_characters(emulator):
    issue = client(emulator).get_repo("octo/proj").create_issue("long")
    issue.create_comment("x" * 65536)
    with pytest.raises(github.GithubException) as refused:
        issue.create_comment("x" * 65537)
    assert refused.value.status == 422
    assert refused.value.data["message"] == "Validation Failed"
    assert refused.value.data["errors"][0]["field"] == "body"


def test_locked_issue_refuses_comments(emulator):
    repo = client(emulator, "as:octo").get_repo("octo/proj")
    issue = repo.create_issue("heated")
    issue.lock("too heated")
    fetched = repo.get_issue(1)
    assert (fetched.locked, fetched.active_lock_reason) == (True, "too heated")
    with pytest.raises(github.GithubException) as refused:
        issue.create_comment("one more thing")
    assert refused.value.status == 403
    assert refused.value.data["message"] == "Unable to create comment because issue is locked."
    issue.unlock()
    issue.create_comment("calmer now")
    emulator.state.lock("octo/proj", 1)
    assert repo.get_issue(1).locked


# ------------------------------------------------------------------------------ labels


def test_labels_are_case_insensitive_and_validated(emulator):
    repo = client(emulator).get_repo("octo/proj")
    repo.create_label("Mentee", "0E8A16", "Someone being mentored")
    assert repo.get_label("mentee").name == "Mentee"
    with pytest.raises(github.GithubException) as duplicate:
        repo.create_label("MENTEE", "ffffff")
    assert duplicate.value.status == 422
    assert duplicate.value.data["errors"] == [
        {"resource": "Label", "code": "already_exists", "field": "name"}
    ]
    with pytest.raises(github.GithubException) as too_long:
        repo.create_label("x" * 51, "ffffff")
    assert too_long.value.status == 422
    with pytest.raises(github.GithubException) as bad_color:
        repo.create_label("ok", "green")
    assert bad_color.value.status == 422

    issue = repo.create_issue("labels")
    issue.add_to_labels("mentee", "brand-new")
    assert [label.name for label in repo.get_labels()] == ["brand-new", "Mentee"]
    assert repo.get_label("brand-new").color == "ededed"
    issue.remove_from_labels("MENTEE")
    with pytest.raises(github.GithubException) as not_on_issue:
        issue.remove_from_labels("MENTEE")
    assert not_on_issue.value.status == 404
    issue.set_labels("a/b", "c")
    assert [label.name for label in repo.get_issue(1).labels] == ["a/b", "c"]
    repo.get_label("a/b").edit("a-b", "123456", "renamed")
    assert [label.name for label in repo.get_issue(1).labels] == ["a-b", "c"]
    repo.get_label("c").delete()
    assert [label.name for label in repo.get_issue(1).labels] == ["a-b"]


def test_label_endpoints_accept_bare_arrays_and_objects(emulator):
    client(emulator).get_repo("octo/proj").create_issue("labels")
    path = "/repos/octo/proj/issues/1/labels"
    bare = call(emulator, "POST", path, "ghs_t", json=["one"])
    wrapped = call(emulator, "POST", path, "ghs_t", json={"labels": [{"name": "two"}]})
    assert (bare.status_code, wrapped.status_code) == (200, 200)
    assert [label["name"] for label in wrapped.json()] == ["one", "two"]
    replaced = call(emulator, "PUT", path, "ghs_t", json={"labels": ["three"]})
    assert [label["name"] for label in replaced.json()] == ["three"]
    assert call(emulator, "DELETE", path, "ghs_t").status_code == 204


# --------------------------------------------------------------------------- assignees


def test_assignability_follows_collaborators(emulator):
    repo = client(emulator, "ghs_token").get_repo("octo/proj")
    issue = repo.create_issue("help")
    assert repo.has_in_assignees("stranger")

    emulator.state.set_collaborators("octo/proj", ["mentor1"])
    assert repo.has_in_assignees("octo")
    assert repo.has_in_assignees("mentor1")
    assert not repo.has_in_assignees("stranger")
    assert [user.login for user in repo.get_assignees()] == ["mentor1", "octo"]

    client(emulator, "as:commenter").get_repo("octo/proj").get_issue(1).create_comment("me!")
    issue_path = "/repos/octo/proj/issues/1/assignees"
    assert call(emulator, "GET", f"{issue_path}/commenter").status_code == 204
    assert call(emulator, "GET", f"{issue_path}/stranger").status_code == 404

    issue.add_to_assignees("stranger", "mentor1", "commenter")
    assert [user.login for user in issue.assignees] == ["mentor1", "commenter"]
    issue.remove_from_assignees("mentor1")
    assert [user.login for user in issue.assignees] == ["commenter"]
    with pytest.raises(github.GithubException) as refused:
        repo.create_issue("assign a stranger", assignees=["stranger"])
    assert refused.value.status == 422
    events = [(e.event, e.assignee.login) for e in issue.get_events()]
    assert events == [("assigned", "mentor1"), ("assigned", "commenter"), ("unassigned", "mentor1")]


# ------------------------------------------------------------ users, identity, edge cases


def test_get_user_is_refused_for_the_workflow_token(emulator):
    with pytest.raises(github.GithubException) as refused:
        assert client(emulator, "ghs_token").get_user().login
    assert refused.value.status == 403
    assert refused.value.data["message"] == "Resource not accessible by integration"
    assert refused.value.data["status"] == "403"
    assert client(emulator, "as:alice").get_user().login == "alice"
    assert client(emulator).get_user("github-actions[bot]").id == 41898282
    assert call(emulator, "GET", "/user").status_code == 401


def test_anonymous_reads_work_but_writes_need_a_token(emulator):
    assert call(emulator, "GET", "/repos/octo/proj").status_code == 200
    refused = call(emulator, "POST", "/repos/octo/proj/issues", json={"title": "x"})
    assert refused.status_code == 401
    assert refused.json()["message"] == "Requires authentication"


def test_repository_shape_and_permissions(emulator):
    repo = client(emulator, "as:octo").get_repo("octo/proj")
    assert (repo.full_name, repo.default_branch, repo.private) == ("octo/proj", "main", False)
    assert repo.owner.login == "octo"
    assert repo.permissions.admin
    assert not client(emulator, "as:alice").get_repo("octo/proj").permissions.push
    assert client(emulator, "ghs_token").get_repo("octo/proj").permissions.push


def test_deleted_user_becomes_ghost(emulator):
    issue = client(emulator, "as:bob").get_repo("octo/proj").create_issue("bye")
    issue.create_comment("leaving")
    emulator.state.delete_user("bob")
    repo = client(emulator).get_repo("octo/proj")
    assert repo.get_issue(1).user is None
    assert [comment.user for comment in repo.get_issue(1).get_comments()] == [None]
    with pytest.raises(github.UnknownObjectException):
        client(emulator).get_user("bob")
    assert call(emulator, "GET", "/repos/octo/proj", "as:bob").status_code == 401


def test_transferred_issue_answers_301(emulator):
    repo = client(emulator).get_repo("octo/proj")
    repo.create_issue("misfiled").create_comment("context")
    repo.create_issue("stays")
    new_number = emulator.state.transfer_issue("octo/proj", 1, "octo/elsewhere")

    moved = call(emulator, "GET", "/repos/octo/proj/issues/1")
    location = f"{emulator.url}/repos/octo/elsewhere/issues/{new_number}"
    assert moved.status_code == 301
    assert moved.headers["Location"] == location
    assert moved.json()["url"] == location
    assert moved.json()["message"] == "Moved Permanently"
    comments = call(emulator, "GET", "/repos/octo/proj/issues/1/comments")
    assert comments.headers["Location"] == f"{location}/comments"

    followed = repo.get_issue(1)
    assert followed.repository.full_name == "octo/elsewhere"
    assert [comment.body for comment in followed.get_comments()] == ["context"]
    assert [issue.title for issue in repo.get_issues()] == ["stays"]


def test_deleted_issue_answers_410(emulator):
    client(emulator).get_repo("octo/proj").create_issue("spam")
    emulator.state.delete_issue("octo/proj", 1)
    gone = call(emulator, "GET", "/repos/octo/proj/issues/1")
    assert gone.status_code == 410
    assert gone.json()["status"] == "410"
    assert call(emulator, "GET", "/repos/octo/proj/issues").json() == []


def test_unknown_routes_and_issues_answer_githubs_404(emulator):
    for path in ("/repos/octo/proj/issues/42", "/nope", "/repos/octo/proj/pulls/1"):
        response = call(emulator, "GET", path)
        assert response.status_code == 404
        assert response.json()["message"] == "Not Found"
        assert response.json()["documentation_url"].startswith("https://docs.github.com/")


# ------------------------------------------------------------------------------ faults


def test_injected_server_error_then_success(emulator):
    emulator.state.add_fault({"method": "GET", "path": r"/issues$", "status": 502, "count": 2})
    repo = client(emulator).get_repo("octo/proj")
    for _ in range(2):
        with pytest.raises(github.GithubException) as failed:
            list(repo.get_issues())
        assert failed.value.status == 502
    assert list(repo.get_issues()) == []
    assert [entry["status"] for entry in emulator.state.log()[-3:]] == [502, 502, 200]


def test_secondary_rate_limit_with_retry_after(emulator):
    fault = {"path": r"/issues$", "method": "POST", "status": 403, "retry_after": 0}
    emulator.state.add_fault(fault)
    repo = client(emulator).get_repo("octo/proj")
    with pytest.raises(github.GithubException) as limited:
        repo.create_issue("too fast")
    assert limited.value.status == 403
    assert limited.value.headers["retry-after"] == "0"
    assert "secondary rate limit" in limited.value.data["message"]

    emulator.state.add_fault(fault)
    patient = client(emulator, retry=github.GithubRetry())
    assert patient.get_repo("octo/proj").create_issue("after waiting").number == 1


def test_lost_response_still_stores_the_comment(emulator):
    """apply: the write happens, then the client gets a 502 and cannot know it worked."""
    client(emulator).get_repo("octo/proj").create_issue("flaky")
    lost = {"method": "POST", "path": r"/comments$", "status": 502, "apply": True}

    emulator.state.add_fault(lost)
    issue = client(emulator).get_repo("octo/proj").get_issue(1)
    with pytest.raises(github.GithubException) as failed:
        issue.create_comment("Welcome!")
    assert failed.value.status == 502
    assert [c.body for c in issue.get_comments()] == ["Welcome!"]

    # PyGithub's default retry repeats the POST: GitHub would then hold the comment twice.
    emulator.state.add_fault(lost)
    retrying = client(emulator, retry=github.GithubRetry()).get_repo("octo/proj").get_issue(1)
    retrying.create_comment("Reminder")
    assert [c.body for c in issue.get_comments()] == ["Welcome!", "Reminder", "Reminder"]


def test_faults_via_admin_endpoints(emulator):
    fault = {"path": "/rate_limit", "status": 503, "message": "Down for maintenance"}
    assert call(emulator, "POST", "/_emulator/faults", json=fault).status_code == 204
    down = call(emulator, "GET", "/rate_limit")
    assert (down.status_code, down.json()["message"]) == (503, "Down for maintenance")
    call(emulator, "POST", "/_emulator/faults", json=fault)
    assert call(emulator, "DELETE", "/_emulator/faults").status_code == 204
    assert call(emulator, "GET", "/rate_limit").status_code == 200
    assert call(emulator, "POST", "/_emulator/faults", json={"path": "x"}).status_code == 422


# ------------------------------------------------------- contents, branches, pull requests


def test_seed_files_are_on_main(seeded):
    repo = client(seeded).get_repo("octo/proj")
    config = repo.get_contents(".github/mentoring.yml")
    assert config.decoded_content == b"cadence_days: 14\n"
    assert config.sha == "04459c2a0fc35c4bbe26f1488b71d41541afa166"  # git hash-object
    listing = sorted((entry.path, entry.type) for entry in repo.get_contents(""))
    assert listing == [(".github", "dir"), ("roles.yml", "file")]
    with pytest.raises(github.UnknownObjectException):
        repo.get_contents("missing.txt")
    main = repo.get_branch("main").commit.sha
    ref = call(seeded, "GET", "/repos/octo/proj/git/refs/heads/main").json()
    assert (ref["ref"], ref["object"]["sha"]) == ("refs/heads/main", main)
    assert client(seeded).get_repo("bob/proj").get_branch("main").commit.sha == main


def test_contents_updates_need_the_current_sha(seeded):
    repo = client(seeded).get_repo("octo/proj")
    roles = repo.get_contents("roles.yml")
    with pytest.raises(github.GithubException) as stale:
        repo.update_file("roles.yml", "Stale", "x\n", "0" * 40)
    assert stale.value.status == 409
    missing_sha = call(
        seeded,
        "PUT",
        "/repos/octo/proj/contents/roles.yml",
        "ghs_t",
        json={"message": "No sha", "content": "eA=="},
    )
    assert missing_sha.status_code == 422
    result = repo.update_file("roles.yml", "Add alice", "mentors: [octo, alice]\n", roles.sha)
    assert result["commit"].parents[0].sha == repo.get_branch("main").commit.parents[0].sha
    assert repo.get_contents("roles.yml").decoded_content == b"mentors: [octo, alice]\n"
    created = repo.create_file("docs/new.md", "Add docs", "hello\n")
    assert created["content"].path == "docs/new.md"


def test_big_files_come_without_content_but_their_blob_has_it(seeded):
    repo = client(seeded).get_repo("octo/proj")
    data = b"0123456789abcdef" * 70000
    repo.create_file("big.bin", "Add a big file", data)
    listed = repo.get_contents("big.bin")
    assert (listed.encoding, listed.content, listed.size) == ("none", "", len(data))
    assert base64.b64decode(repo.get_git_blob(listed.sha).content) == data


def test_graduation_pull_request_from_a_fork_closes_the_linked_issue(seeded):
    seeded.state.set_now(T0)
    upstream = client(seeded, "as:octo").get_repo("octo/proj")
    issue = upstream.create_issue("Graduate alice")
    fork = client(seeded, "as:alice").get_repo("alice/proj")
    fork.create_git_ref("refs/heads/graduate", fork.get_branch("main").commit.sha)
    assert fork.get_git_ref("heads/graduate").object.sha == fork.get_branch("main").commit.sha
    roles = fork.get_contents("roles.yml", ref="graduate")
    fork.update_file(
        "roles.yml", "Graduate", "mentors:\n  - octo\n  - alice\n", roles.sha, branch="graduate"
    )
    fork.create_file("alumni.md", "Alumni", "- alice\n", branch="graduate")
    config = fork.get_contents(".github/mentoring.yml", ref="graduate")
    fork.delete_file(".github/mentoring.yml", "Drop config", config.sha, branch="graduate")

    alice_upstream = client(seeded, "as:alice").get_repo("octo/proj")
    pull = alice_upstream.create_pull(
        base="main", head="alice:graduate", title="Graduate alice", body=f"Closes #{issue.number}"
    )
    assert (pull.head.repo.full_name, pull.head.repo.fork, pull.head.label) == (
        "alice/proj",
        True,
        "alice:graduate",
    )
    assert (pull.base.ref, pull.mergeable, pull.merged, pull.draft) == ("main", True, False, False)
    files = {f.filename: (f.status, f.additions, f.deletions) for f in pull.get_files()}
    assert files == {
        ".github/mentoring.yml": ("removed", 0, 1),
        "alumni.md": ("added", 1, 0),
        "roles.yml": ("modified", 1, 0),
    }
    patch = next(f.patch for f in pull.get_files() if f.filename == "roles.yml")
    assert patch == "@@ -1,2 +1,3 @@\n mentors:\n   - octo\n+  - alice"

    with pytest.raises(github.GithubException) as duplicate:
        alice_upstream.create_pull(base="main", head="alice:graduate", title="again")
    assert duplicate.value.status == 422
    with pytest.raises(github.GithubException) as own_approval:
        pull.create_review(body="LGTM", event="APPROVE")
    assert own_approval.value.status == 422

    seeded.state.set_now(T0 + timedelta(days=1))
    owner_pull = upstream.get_pull(pull.number)
    assert owner_pull.create_review(body="Congrats", event="APPROVE").state == "APPROVED"
    assert owner_pull.merge(merge_method="merge").merged
    merged = upstream.get_pull(pull.number)
    assert (merged.merged, merged.state, merged.merged_by.login) == (True, "closed", "octo")
    assert merged.merged_at == T0 + timedelta(days=1)
    assert merged.merge_commit_sha == upstream.get_branch("main").commit.sha
    assert len(list(merged.get_files())) == 3

    closed = upstream.get_issue(issue.number)
    assert (closed.state, closed.state_reason, closed.closed_by.login) == (
        "closed",
        "completed",
        "octo",
    )
    assert upstream.get_contents("alumni.md").decoded_content == b"- alice\n"
    with pytest.raises(github.UnknownObjectException):
        upstream.get_contents(".github/mentoring.yml")
    with pytest.raises(github.GithubException) as again:
        owner_pull.merge()
    assert again.value.status == 405


def test_merging_into_another_branch_closes_nothing(seeded):
    repo = client(seeded, "as:octo").get_repo("octo/proj")
    issue = repo.create_issue("stays open")
    main = repo.get_branch("main").commit.sha
    repo.create_git_ref("refs/heads/develop", main)
    repo.create_git_ref("refs/heads/feature", main)
    repo.create_file("f.txt", "f", "f\n", branch="feature")
    pull = repo.create_pull(base="develop", head="feature", title="t", body="Fixes #1")
    pull.merge()
    assert repo.get_issue(issue.number).state == "open"


def test_conflicting_pull_request_is_not_mergeable(seeded):
    repo = client(seeded, "as:octo").get_repo("octo/proj")
    main = repo.get_branch("main").commit.sha
    repo.create_git_ref("refs/heads/topic", main)
    roles = repo.get_contents("roles.yml")
    repo.update_file("roles.yml", "topic", "topic\n", roles.sha, branch="topic")
    repo.update_file("roles.yml", "main", "main\n", roles.sha)
    pull = repo.create_pull(base="main", head="topic", title="conflict")
    assert (pull.mergeable, pull.mergeable_state) == (False, "dirty")
    with pytest.raises(github.GithubException) as refused:
        pull.merge()
    assert refused.value.status == 405


# ------------------------------------------------------------------------------ events


def test_webhook_events_only_for_people_not_the_workflow_token(seeded):
    alice = client(seeded, "as:alice").get_repo("octo/proj")
    bot = client(seeded, "ghs_token").get_repo("octo/proj")
    issue = alice.create_issue("Intake", body="v1", labels=["intake"])
    bot.get_issue(1).create_comment("Thanks!")
    bot.get_issue(1).add_to_labels("triaged")
    comment = issue.create_comment("Hello")
    issue.edit(body="v2")
    comment.edit("Hello again")
    issue.add_to_assignees("alice")

    events = seeded.state.events()
    assert [(e["name"], e["payload"]["action"]) for e in events] == [
        ("issues", "opened"),
        ("issues", "labeled"),
        ("issue_comment", "created"),
        ("issues", "edited"),
        ("issue_comment", "edited"),
        ("issues", "assigned"),
    ]
    opened, labeled, created, edited, comment_edited, assigned = (e["payload"] for e in events)
    assert set(opened) == {"action", "issue", "repository", "sender"}
    assert opened["sender"]["login"] == "alice"
    assert opened["repository"]["full_name"] == "octo/proj"
    assert labeled["label"]["name"] == "intake"
    assert created["comment"]["body"] == "Hello" and created["issue"]["number"] == 1
    assert "pull_request" not in created["issue"]
    assert edited["changes"] == {"body": {"from": "v1"}}
    assert comment_edited["changes"] == {"body": {"from": "Hello"}}
    assert assigned["assignee"]["login"] == "alice"
    assert seeded.state.events() == []

    fork = client(seeded, "as:alice").get_repo("alice/proj")
    fork.create_git_ref("refs/heads/topic", fork.get_branch("main").commit.sha)
    fork.create_file("a.txt", "a", "a\n", branch="topic")
    pull = alice.create_pull(base="main", head="alice:topic", title="PR")
    pull.create_issue_comment("On the PR")
    fork.create_file("b.txt", "b", "b\n", branch="topic")
    client(seeded, "as:octo").get_repo("octo/proj").get_pull(pull.number).create_review(
        body="ok", event="APPROVE"
    )
    expected = [
        ("pull_request", "opened"),
        ("issue_comment", "created"),
        ("pull_request", "synchronize"),
        ("pull_request_review", "submitted"),
    ]
    for _ in range(2):  # reading the queue leaves it queued
        peeked = call(seeded, "GET", "/_emulator/events").json()
        assert [(e["name"], e["payload"]["action"]) for e in peeked] == expected
    taken = call(seeded, "POST", "/_emulator/events/take").json()
    assert [(e["name"], e["payload"]["action"]) for e in taken] == expected
    assert call(seeded, "GET", "/_emulator/events").json() == []


def test_the_event_queue_is_cleared_only_on_request(emulator):
    repo = client(emulator, "as:alice").get_repo("octo/proj")
    repo.create_issue("one")
    assert len(call(emulator, "GET", "/_emulator/events").json()) == 1
    assert call(emulator, "DELETE", "/_emulator/events").status_code == 204
    assert call(emulator, "GET", "/_emulator/events").json() == []
    repo.create_issue("two")
    assert [e["payload"]["issue"]["title"] for e in emulator.state.events()] == ["two"]


def test_events_dir_gets_one_payload_file_per_event_named_for_the_workflow(tmp_path):
    folder = tmp_path / "events"
    folder.mkdir()
    (folder / "0007-issues.opened.json").write_text("{}")  # an earlier session's file
    with EmulatorServer(events_dir=folder) as emu:
        repo = client(emu, "as:octo").get_repo("octo/proj")
        issue = repo.create_issue("Apply", labels=["intake"])
        client(emu, "ghs_token").get_repo("octo/proj").get_issue(1).create_comment("bot: none")
        issue.create_comment("/help")
        repo.create_git_ref("refs/heads/t", repo.get_branch("main").commit.sha)
        repo.create_file("t.txt", "t", "t\n", branch="t")
        repo.create_pull(base="main", head="t", title="T")
        queued = emu.state.events()
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "0007-issues.opened.json",
        "0008-issues.opened.json",
        "0009-issues.labeled.json",
        "0010-issue_comment.created.json",
        "0011-pull_request_target.opened.json",
    ]
    written = [json.loads((folder / name).read_text()) for name in names[1:]]
    assert written == [e["payload"] for e in queued]


def test_pull_request_webhook_payloads(seeded):
    repo = client(seeded, "as:octo").get_repo("octo/proj")
    repo.create_git_ref("refs/heads/t", repo.get_branch("main").commit.sha)
    repo.create_file("t.txt", "t", "t\n", branch="t")
    pull = repo.create_pull(base="main", head="t", title="T")
    pull.create_issue_comment("comment on a PR")
    pull.merge()
    events = seeded.state.events()
    comment = next(e["payload"] for e in events if e["name"] == "issue_comment")
    assert "pull_request" in comment["issue"]
    closed = [e["payload"] for e in events if e["name"] == "pull_request"][-1]
    assert (closed["action"], closed["number"], closed["pull_request"]["merged"]) == (
        "closed",
        pull.number,
        True,
    )


# --------------------------------------------------------------- clock, state, log, limits


def test_clock_pins_and_unpins_via_admin_endpoint(emulator):
    pinned = call(emulator, "POST", "/_emulator/clock", json={"now": "2026-03-01T09:00:00Z"})
    assert pinned.json() == {"now": "2026-03-01T09:00:00Z", "pinned": True}
    issue = client(emulator).get_repo("octo/proj").create_issue("dated")
    assert issue.created_at == T0
    call(emulator, "POST", "/_emulator/clock", json={"now": None})
    later = client(emulator).get_repo("octo/proj").create_issue("now")
    assert abs(later.created_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert call(emulator, "POST", "/_emulator/clock", json={"now": "soon"}).status_code == 422


def test_state_survives_a_restart(tmp_path):
    state_file = tmp_path / "state.json"
    with EmulatorServer(state_file=state_file) as first:
        first.state.set_now(T0)
        repo = client(first, "as:alice").get_repo("octo/proj")
        repo.create_issue("persisted", labels=["keep"]).create_comment("still here")
    assert json.loads(state_file.read_text())["format"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]

    with EmulatorServer(state_file=state_file) as second:
        repo = client(second).get_repo("octo/proj")
        issue = repo.get_issue(1)
        assert (issue.title, issue.created_at, [x.name for x in issue.labels]) == (
            "persisted",
            T0,
            ["keep"],
        )
        assert [c.body for c in issue.get_comments()] == ["still here"]
        assert repo.create_issue("next").number == 2
        assert [e["name"] for e in second.state.events()][:2] == ["issues", "issues"]
    reloaded = Emulator.load(state_file)
    assert reloaded.snapshot()["repos"]["octo/proj"]["next_number"] == 3


def test_request_log_records_api_requests_only(emulator):
    repo = client(emulator, "as:alice").get_repo("octo/proj")
    repo.create_issue("logged")
    list(repo.get_issues(state="all"))
    call(emulator, "GET", "/_emulator/state")
    log = call(emulator, "GET", "/_emulator/log").json()
    assert [(e["method"], e["path"], e["status"], e["login"]) for e in log] == [
        ("GET", "/repos/octo/proj", 200, "alice"),
        ("POST", "/repos/octo/proj/issues", 201, "alice"),
        ("GET", "/repos/octo/proj/issues", 200, "alice"),
    ]
    assert log[2]["query"] == {"state": "all", "per_page": "100"}
    assert call(emulator, "DELETE", "/_emulator/log").status_code == 204
    assert emulator.state.log() == []


def test_every_response_carries_github_headers(emulator):
    first = call(emulator, "GET", "/repos/octo/proj", "ghs_a")
    second = call(emulator, "GET", "/repos/octo/proj", "ghs_a")
    other = call(emulator, "GET", "/repos/octo/proj", "ghs_b")
    assert first.headers["Content-Type"] == "application/json; charset=utf-8"
    assert first.headers["X-RateLimit-Limit"] == "1000"
    assert first.headers["X-RateLimit-Resource"] == "core"
    assert first.headers["X-GitHub-Request-Id"] != second.headers["X-GitHub-Request-Id"]
    remaining = [int(r.headers["X-RateLimit-Remaining"]) for r in (first, second, other)]
    assert remaining == [999, 998, 999]
    assert second.headers["X-RateLimit-Used"] == "2"
    rate = client(emulator, "ghs_a").get_rate_limit()
    assert (rate.resources.core.limit, rate.resources.core.remaining) == (1000, 998)
    assert call(emulator, "GET", "/nope", "ghs_a").headers["X-RateLimit-Remaining"] == "997"


def test_admin_endpoints_mirror_the_python_helpers(emulator):
    repo = client(emulator, "as:bob").get_repo("octo/proj")
    repo.create_issue("one")
    assert (
        call(
            emulator,
            "POST",
            "/_emulator/repos/octo/proj/collaborators",
            json={"logins": ["mentor1"]},
        ).status_code
        == 204
    )
    assert not repo.has_in_assignees("bob")
    transfer = call(
        emulator, "POST", "/_emulator/repos/octo/proj/issues/1/transfer", json={"to": "octo/other"}
    )
    assert transfer.json() == {"repository": "octo/other", "number": 1}
    locked = call(emulator, "POST", "/_emulator/repos/octo/other/issues/1/lock", json={})
    assert locked.status_code == 204
    assert call(emulator, "POST", "/_emulator/repos/octo/other/issues/9/lock").status_code == 404
    assert call(emulator, "POST", "/_emulator/users/bob/delete").status_code == 204
    assert client(emulator).get_repo("octo/other").get_issue(1).user is None
    state = call(emulator, "GET", "/_emulator/state").json()
    assert state["repos"]["octo/other"]["issues"]["1"]["locked"] is True


def test_concurrent_writes_are_serialised(emulator):
    client(emulator).get_repo("octo/proj").create_issue("busy")

    def comment(worker: int) -> list[int]:
        with requests.Session() as session:
            session.headers["Authorization"] = f"token as:user{worker}"
            url = f"{emulator.url}/repos/octo/proj/issues/1/comments"
            return [
                session.post(url, json={"body": f"{worker}:{n}"}).json()["id"] for n in range(20)
            ]

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = [i for batch in pool.map(comment, range(8)) for i in batch]
    assert len(set(ids)) == 160
    assert client(emulator).get_repo("octo/proj").get_issue(1).comments == 160


def test_serve_runs_until_sigterm_and_saves_state(tmp_path):
    state_file = tmp_path / "state.json"
    (tmp_path / "seed").mkdir()
    (tmp_path / "seed" / "roles.yml").write_text("roles: []\n")
    command = [sys.executable, "-m", "mentoring.emulator", "--port", "0", "--state", state_file]
    command += ["--seed-dir", tmp_path / "seed"]  # spelt as `mentoring emulator` spells it
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            line = process.stdout.readline()
            assert line.startswith("GitHub emulator listening on http://127.0.0.1:")
            url = line.split()[-1]
            created = requests.post(
                f"{url}/repos/octo/proj/issues",
                json={"title": "saved"},
                headers={"Authorization": "token as:alice"},
                timeout=5,
            )
            assert created.status_code == 201
            seeded = requests.get(f"{url}/repos/octo/proj/contents/roles.yml", timeout=5)
            assert seeded.status_code == 200
        finally:
            process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    saved = json.loads(state_file.read_text())
    assert saved["repos"]["octo/proj"]["issues"]["1"]["title"] == "saved"


def _documented(text: str) -> set[tuple[str, str]]:
    """(method, example path) of every admin endpoint named in ``text``; N stands for 1."""
    found = re.findall(r"\b(GET|POST|PATCH|PUT|DELETE)\s+(/_emulator/[^\s`|]+)", text)
    return {(method, re.sub(r"/N(?=/|$)", "/1", path)) for method, path in found}


def test_every_admin_endpoint_is_in_the_help_and_the_docs():
    from click.testing import CliRunner

    from mentoring.cli import main
    from mentoring.emulator.server import admin

    help_text = CliRunner().invoke(main, ["emulator", "--help"]).output
    docs = (Path(__file__).parent.parent / "docs" / "emulator.md").read_text(encoding="utf-8")
    for where, text in (("mentoring emulator --help", help_text), ("docs/emulator.md", docs)):
        named = _documented(text)
        missing = [
            f"{method} {pattern.pattern}"
            for method, pattern, _ in admin.routes
            if not any(m == method and pattern.fullmatch(path) for m, path in named)
        ]
        assert not missing, f"{where} does not name: {', '.join(missing)}"
        unknown = [
            f"{m} {path}"
            for m, path in named
            if not any(m == method and p.fullmatch(path) for method, p, _ in admin.routes)
        ]
        assert not unknown, f"{where} names endpoints the emulator lacks: {', '.join(unknown)}"


# ------------------------------------------------------------------ in-process transport


def test_in_process_answers_as_http_does_then_hands_back(seeded):
    """Within ``serving``, PyGithub is answered without sockets: the same statuses, pages,
    headers (Date from the emulator's clock, the rate-limit figures) and request log;
    afterwards it speaks HTTP again."""
    from mentoring.emulator import inprocess

    seeded.state.set_now(T0)
    repo = client(seeded).get_repo("octo/demo")
    for n in range(3):
        repo.create_issue(f"issue {n}")

    def read() -> tuple:
        seeded.state.clear_log()
        gh = client(seeded, per_page=2)
        titles = [i.title for i in gh.get_repo("octo/demo").get_issues(state="open")]
        headers = gh.requester.requestJsonAndCheck("GET", "/repos/octo/demo/issues/1")[0]
        log = [(e["method"], e["path"], e["query"], e["status"]) for e in seeded.state.log()]
        return titles, headers, log

    http = read()
    with inprocess.serving(seeded.state) as active:
        inner = read()
    after = read()

    assert active is True
    assert inner[0] == http[0] == after[0] == ["issue 2", "issue 1", "issue 0"]
    assert inner[2] == http[2] == after[2]
    assert len(inner[2]) == 4  # the repository, two pages, the issue
    same = ("date", "x-ratelimit-limit", "x-ratelimit-resource", "content-type")
    assert {h: inner[1][h] for h in same} == {h: http[1][h] for h in same}
    assert inner[1]["date"] == "Sun, 01 Mar 2026 09:00:00 GMT"
    assert inner[1]["server"] == "GitHub.com-emulator"


def test_in_process_falls_back_to_http_without_pygithubs_seam(seeded, monkeypatch):
    from github.Requester import Requester

    from mentoring.emulator import inprocess

    monkeypatch.delattr(Requester, "injectConnectionClasses")
    with inprocess.serving(seeded.state) as active:
        user = client(seeded).get_user("octo")
        assert user.login == "octo"
    assert active is False
