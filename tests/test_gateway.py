"""The gateway against the emulator: batched reads, one choke point for writes, no double posts."""

from __future__ import annotations

import io

import github
import pytest

from mentoring.core.model import AddLabels, CloseIssue, EnsureLabel, Plan, PostComment
from mentoring.gateway import Gateway, IssueGone, Target
from tests.support import writes

REPO = "astro/mentoring"


def user_client(emulator, login="ada"):
    auth = github.Auth.Token(f"as:{login}")
    gh = github.Github(
        base_url=emulator.url,
        auth=auth,
        per_page=100,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )
    return gh.get_repo(REPO)


def gateway(emulator, **options):
    sleeps = []
    options.setdefault("pace_seconds", 0)
    gw = Gateway(
        Target(emulator.url, REPO, "bot-token"),
        backoff=0,
        out=io.StringIO(),
        sleep=sleeps.append,
        **options,
    )
    return gw, sleeps


def open_issues(emulator, count):
    repo = user_client(emulator)
    return [repo.create_issue(title=f"issue {i}").number for i in range(count)]


@pytest.mark.parametrize(
    ("count", "requests"),
    [(250, 3), (99, 1), (200, 3)],  # a whole number of pages ends on an empty page
    ids=["250", "99", "200"],
)
def test_issue_listing_is_paginated_100_a_page(emulator, count, requests):
    open_issues(emulator, count)
    gw, _ = gateway(emulator)
    emulator.state.clear_log()
    assert [i.title for i in gw.issues()] == [f"issue {i}" for i in range(count)]
    pages = [e for e in emulator.state.log() if e["path"] == f"/repos/{REPO}/issues"]
    assert len(pages) == requests
    assert all(e["query"].get("per_page") in ("100", ["100"]) for e in pages)


def test_repo_wide_comments_in_one_listing(emulator):
    numbers = open_issues(emulator, 3)
    repo = user_client(emulator)
    for n in numbers:
        repo.get_issue(n).create_comment(f"hello on {n}")
    gw, _ = gateway(emulator)
    emulator.state.clear_log()
    comments = gw.comments_since(None)
    assert [c.issue for c in comments] == numbers
    assert all(c.author == "ada" for c in comments)
    assert len(emulator.state.log()) == 1


def test_dry_run_prints_each_write_and_writes_nothing(emulator):
    (n,) = open_issues(emulator, 1)
    gw, _ = gateway(emulator, dry_run=True)
    plan = Plan(
        (PostComment(n, "Welcome!\nSecond line", key="welcome"), AddLabels(n, ("status: active",)))
    )
    emulator.state.clear_log()
    report = gw.apply(plan)
    printed = gw.out.getvalue()
    assert f"#{n} comment (welcome):\n    Welcome!\n    Second line" in printed
    assert f"#{n} +label status: active" in printed
    assert writes(emulator.state.log()) == []
    assert report.writes == 2


def test_writes_are_paced(emulator):
    (n,) = open_issues(emulator, 1)
    gw, sleeps = gateway(emulator, pace_seconds=1.0)
    gw.apply(Plan((AddLabels(n, ("a",)), AddLabels(n, ("b",)), AddLabels(n, ("c",)))))
    assert len(sleeps) == 2 and all(0.9 < s <= 1.0 for s in sleeps)


def test_cap_defers_whole_issues(emulator):
    a, b = open_issues(emulator, 2)
    gw, _ = gateway(emulator, max_writes=2)
    emulator.state.clear_log()
    report = gw.apply(Plan((AddLabels(a, ("x",)), AddLabels(b, ("x",)), AddLabels(b, ("y",)))))
    assert list(report.written) == [a] and list(report.deferred) == [b]
    assert len(writes(emulator.state.log())) == 1


def test_existing_labels_are_not_created_again(emulator):
    (n,) = open_issues(emulator, 1)
    gw, _ = gateway(emulator)
    gw.apply(Plan((EnsureLabel(n, "Status: Active", "0e8a16"),)))
    emulator.state.clear_log()
    again, _ = gateway(emulator)
    again.apply(Plan((EnsureLabel(n, "status: active", "0e8a16"),)))
    assert writes(emulator.state.log()) == []


def test_lost_response_on_a_comment_does_not_post_twice(emulator):
    (n,) = open_issues(emulator, 1)
    emulator.state.add_fault(
        {
            "method": "POST",
            "path": f"/issues/{n}/comments$",
            "status": 502,
            "count": 1,
            "apply": True,
        }
    )
    gw, _ = gateway(emulator)
    report = gw.apply(Plan((PostComment(n, "Check-in", key="checkin"),)))
    assert report.failed == {}
    assert [c.body for c in user_client(emulator).get_issue(n).get_comments()] == ["Check-in"]


def test_a_502_that_was_not_applied_is_posted_again(emulator):
    (n,) = open_issues(emulator, 1)
    emulator.state.add_fault(
        {
            "method": "POST",
            "path": f"/issues/{n}/comments$",
            "status": 502,
            "count": 1,
            "apply": False,
        }
    )
    gw, _ = gateway(emulator)
    gw.apply(Plan((PostComment(n, "Check-in", key="checkin"),)))
    assert [c.body for c in user_client(emulator).get_issue(n).get_comments()] == ["Check-in"]


def test_secondary_rate_limit_on_a_write_waits_retry_after(emulator):
    (n,) = open_issues(emulator, 1)
    emulator.state.add_fault(
        {
            "method": "POST",
            "path": f"/issues/{n}/comments$",
            "status": 403,
            "retry_after": 7,
            "count": 1,
        }
    )
    gw, sleeps = gateway(emulator)
    report = gw.apply(Plan((PostComment(n, "Hi", key="welcome"),)))
    assert 7.0 in sleeps and report.failed == {}
    assert len(list(user_client(emulator).get_issue(n).get_comments())) == 1


def test_a_5xx_on_a_read_is_retried(emulator):
    open_issues(emulator, 1)
    emulator.state.add_fault(
        {"method": "GET", "path": f"/repos/{REPO}/issues$", "status": 502, "count": 2}
    )
    gw, _ = gateway(emulator)
    assert len(gw.issues()) == 1


def test_a_locked_issue_is_skipped_and_the_rest_proceeds(emulator):
    locked, fine = open_issues(emulator, 2)
    emulator.state.lock(REPO, locked)
    gw, _ = gateway(emulator)
    report = gw.apply(
        Plan(
            (
                PostComment(locked, "Hi", key="x"),
                CloseIssue(locked),
                PostComment(fine, "Hi", key="x"),
            )
        )
    )
    assert "locked" in report.skipped[locked][0]
    assert report.failed == {} and report.exit_code == 0
    assert list(report.written) == [fine]
    assert user_client(emulator).get_issue(locked).state == "open"  # rest of its writes skipped


def test_a_transferred_issue_is_gone(emulator):
    (n,) = open_issues(emulator, 1)
    emulator.state.transfer_issue(REPO, n, "astro/elsewhere")
    gw, _ = gateway(emulator)
    with pytest.raises(IssueGone, match="transferred"):
        gw.issue(n)


def test_a_deleted_author_reads_as_none(emulator):
    (n,) = open_issues(emulator, 1)
    emulator.state.delete_user("ada")
    gw, _ = gateway(emulator)
    assert gw.issue(n).author is None


@pytest.mark.parametrize(
    ("env", "message"),
    [({}, "no repository"), ({"GITHUB_REPOSITORY": "not a repo"}, "OWNER/NAME")],
    ids=["missing", "malformed"],
)
def test_target_errors_are_clear(env, message):
    from mentoring.errors import MentoringError

    with pytest.raises(MentoringError, match=message):
        Target.from_env(None, env)


@pytest.mark.parametrize(
    ("api", "web"),
    [
        ("https://api.github.com", "https://github.com/o/r"),
        ("https://ghe.example.org/api/v3", "https://ghe.example.org/o/r"),
    ],
    ids=["github.com", "enterprise-server"],
)
def test_web_url(api, web):
    assert Target.from_env("o/r", {"GITHUB_API_URL": api}).web_url == web


def test_the_environments_proxy_and_ca_settings_are_read_once_and_kept(emulator, monkeypatch):
    """requests would scan the environment on every request; the gateway reads it once, and
    what it found still applies: a CA bundle, and a proxy the API's host bypasses."""
    bundle = "/etc/ssl/certs/corporate-ca.pem"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", bundle)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    gateway = Gateway(Target(emulator.url, "o/r", "t"), pace_seconds=0)
    gateway.issues()  # the first request: the session is made, then settled
    connection = gateway._gh.requester._Requester__connection
    assert connection.session.trust_env is False
    assert connection.verify == bundle and connection.session.verify == bundle
    monkeypatch.setenv("NO_PROXY", "")  # read once: a later change is not seen
    assert gateway.issues() == []  # still bypassing the proxy, as first found
