"""Graduation end to end: the CLI against the emulator, with real pull_request payloads.

A mentee's fork changes participants.yml through the contents API and opens a
pull request; `mentoring event` checks it (one comment, edited in place), a
coordinator merges it, and the merge closes, labels and congratulates once.
Running anything a second time writes nothing.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import urllib.request
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mentoring.cli import App
from mentoring.core import graduation, markers, state
from mentoring.core.state import Mentorship
from mentoring.emulator import EmulatorServer
from mentoring.program.config import load_program
from mentoring.program.templates import Messages
from mentoring.runners.run_graduation import on_pull_request
from tests.support import REPO, program_copy, run_cli, writes

pytestmark = pytest.mark.e2e

PAYLOADS = Path(__file__).parent / "payloads" / "graduation"
BOT = "github-actions[bot]"
MENTEE = "ada-example"
NOW = datetime(2026, 9, 30, 12, 0, tzinfo=UTC)
FORM = "### Your name\n\nAda Lovelace\n\n### Role you aim for\n\nMaintainer (maintainer)\n"


def api(emu: EmulatorServer, method: str, path: str, body: Any = None, login: str | None = None):
    """One REST call to the emulator as ``login`` (the bot when None)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(emu.url + path, data=data, method=method)
    request.add_header("Authorization", f"token {'as:' + login if login else 'bot-token'}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
    return json.loads(text) if text else None


class Program:
    """The scene: the program's repository in the emulator and the mentee's application."""

    def __init__(self, emu: EmulatorServer, root: Path, tmp_path: Path):
        self.emu, self.root, self.tmp = emu, root, tmp_path
        self.program = load_program(root)
        self.messages = Messages(root)
        emu.state.set_now(NOW)

    def application(self, m: Mentorship | None = None, login: str = MENTEE) -> int:
        issue = api(
            self.emu,
            "POST",
            f"/repos/{REPO}/issues",
            {"title": "Application: Ada", "body": FORM},
            login,
        )
        number = issue["number"]
        m = m or Mentorship(
            issue=number,
            mentee=login,
            status="active",
            role="maintainer",
            mentors=("lin-mentor",),
            applied=date(2026, 1, 2),
            started=date(2026, 1, 10),
            ready=date(2026, 9, 1),
            history=((date(2026, 1, 2), "waiting"), (date(2026, 1, 10), "active")),
        )
        body = state.card_body(m, self.program, self.messages)
        api(self.emu, "POST", f"/repos/{REPO}/issues/{number}/comments", {"body": body})
        labels = ["mentoring: application", "status: active", "role: maintainer"]
        api(self.emu, "POST", f"/repos/{REPO}/issues/{number}/labels", {"labels": labels})
        return number

    def fork_change(
        self, text: str, login: str = MENTEE, branch: str = "graduation", fork: str = ""
    ) -> str:
        """Commit participants.yml on the fork's branch (made from main); return the head sha."""
        fork = fork or f"{login}/mentoring"
        main = api(self.emu, "GET", f"/repos/{fork}/branches/main", login=login)
        refs = {b["name"] for b in api(self.emu, "GET", f"/repos/{fork}/branches", login=login)}
        if branch not in refs:
            ref = {"ref": f"refs/heads/{branch}", "sha": main["commit"]["sha"]}
            api(self.emu, "POST", f"/repos/{fork}/git/refs", ref, login)
        current = api(
            self.emu, "GET", f"/repos/{fork}/contents/participants.yml?ref={branch}", login=login
        )
        put = {
            "message": "Add my graduation entry",
            "content": base64.b64encode(text.encode()).decode(),
            "sha": current["sha"],
            "branch": branch,
        }
        answer = api(self.emu, "PUT", f"/repos/{fork}/contents/participants.yml", put, login)
        return answer["commit"]["sha"]

    def open_pull(
        self, body: str, login: str = MENTEE, branch: str = "graduation", head: str = ""
    ) -> int:
        head = head or f"{login}:{branch}"
        pr = api(
            self.emu,
            "POST",
            f"/repos/{REPO}/pulls",
            {"title": "Graduation", "head": head, "base": "main", "body": body},
            login,
        )
        return pr["number"]

    def entry_text(self, issue: int) -> str:
        found = run_cli(
            "graduation",
            "entry",
            "--issue",
            str(issue),
            "--today",
            "2026-09-30",
            api_url=self.emu.url,
            root=self.root,
            check=True,
        )
        return graduation.paste_into((self.root / "participants.yml").read_text(), found.stdout)

    def event(self, payload_name: str, number: int, **changes: Any):
        """Run `mentoring event` with a real payload, moved to pull request ``number``."""
        payload = json.loads((PAYLOADS / f"{payload_name}.json").read_text())
        pr = api(self.emu, "GET", f"/repos/{REPO}/pulls/{number}")
        payload["number"] = number
        payload["pull_request"].update(number=number, state=pr["state"], merged=pr["merged"])
        payload["pull_request"]["head"]["sha"] = pr["head"]["sha"]
        payload["pull_request"].update(changes)
        path = self.tmp / f"{payload_name}-{number}.json"
        path.write_text(json.dumps(payload))
        self.emu.state.clear_log()
        result = run_cli(
            "event",
            "--name",
            "pull_request_target",
            "--payload",
            str(path),
            "--today",
            "2026-09-30",
            api_url=self.emu.url,
            root=self.root,
        )
        return result, writes(self.emu.state.log())

    def comments(self, number: int) -> list[dict]:
        return api(self.emu, "GET", f"/repos/{REPO}/issues/{number}/comments")

    def marked(self, number: int, kind: str) -> list[tuple[dict, dict]]:
        return [
            (c, data)
            for c in self.comments(number)
            if c["user"]["login"] == BOT
            for k, data in markers.parse(c["body"])
            if k == kind
        ]


@pytest.fixture
def scene(tmp_path):
    root = program_copy(tmp_path)
    with EmulatorServer(seed_dir=root) as emu:
        yield Program(emu, root, tmp_path)


def test_a_valid_fork_pull_request_passes_then_merging_graduates_once(scene):
    issue = scene.application()
    scene.fork_change(scene.entry_text(issue))
    number = scene.open_pull(f"My mentoring is complete.\n\nCloses #{issue}")

    result, made = scene.event("opened-fork", number)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [(w["method"], w["path"]) for w in made] == [
        ("POST", f"/repos/{REPO}/issues/{number}/comments")
    ]
    reads = {(e["path"], e["status"]) for e in scene.emu.state.log() if e["method"] == "GET"}
    assert (f"/repos/{MENTEE}/mentoring/contents/participants.yml", 200) in reads  # as data
    [(comment, data)] = scene.marked(number, "graduation")
    assert data == {"ok": True} and "Graduation check passed" in comment["body"]

    result, made = scene.event("synchronize-fork", number)
    assert (result.returncode, made) == (0, []), result.stdout

    api(scene.emu, "PUT", f"/repos/{REPO}/pulls/{number}/merge", {}, "octo-coordinator")
    result, made = scene.event("closed-merged-fork", number)
    assert result.returncode == 0, result.stdout + result.stderr
    assert made, result.stdout
    shown = api(scene.emu, "GET", f"/repos/{REPO}/issues/{issue}")
    assert (shown["state"], shown["state_reason"]) == ("closed", "completed")
    assert {label["name"] for label in shown["labels"]} == {
        "mentoring: application",
        "status: graduated",
        "role: maintainer",
    }
    [(congratulation, _)] = scene.marked(issue, "graduated")
    assert "Congratulations" in congratulation["body"] and "lin-mentor" in congratulation["body"]
    [(_, card)] = scene.marked(issue, "card")
    assert card["status"] == "graduated" and card["history"][-1] == ["2026-09-30", "graduated"]

    result, made = scene.event("closed-merged-fork", number)
    assert (result.returncode, made) == (0, []), result.stdout


def test_merge_without_a_closing_keyword_closes_the_issue_itself(scene):
    issue = scene.application()
    scene.fork_change(scene.entry_text(issue))
    number = scene.open_pull("My graduation entry.")
    assert scene.event("opened-fork", number)[0].returncode == 0
    api(scene.emu, "PUT", f"/repos/{REPO}/pulls/{number}/merge", {}, "octo-coordinator")
    assert api(scene.emu, "GET", f"/repos/{REPO}/issues/{issue}")["state"] == "open"

    result, made = scene.event("closed-merged-fork", number)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ("PATCH", f"/repos/{REPO}/issues/{issue}") in [(w["method"], w["path"]) for w in made]
    shown = api(scene.emu, "GET", f"/repos/{REPO}/issues/{issue}")
    assert (shown["state"], shown["state_reason"]) == ("closed", "completed")
    assert len(scene.marked(issue, "graduated")) == 1
    assert scene.event("closed-merged-fork", number)[1] == []


def test_a_bad_change_fails_then_a_fix_edits_the_same_comment(scene):
    issue = scene.application()
    other = scene.application(login="bob-example")
    good = scene.entry_text(issue)
    scene.fork_change(good.replace(f"issue: {issue}", f"issue: {other}"))
    number = scene.open_pull(f"Closes #{issue}")

    result, made = scene.event("opened-fork", number)
    assert result.returncode == 1
    assert len(made) == 1
    [(comment, data)] = scene.marked(number, "graduation")
    assert data == {"ok": False}
    line = good.splitlines().index(f"    issue: {issue}") + 1
    assert f"**line {line}**" in comment["body"]
    assert f"says 'Closes #{issue}' but the entry's issue is {other}" in comment["body"]
    assert "is the application of 'bob-example'" in comment["body"]
    assert f"::error file=participants.yml,line={line}::" not in result.stdout  # not in Actions

    scene.fork_change(good)
    result, made = scene.event("synchronize-fork", number)
    assert result.returncode == 0, result.stdout
    assert [w["method"] for w in made] == ["PATCH"]
    [(comment, data)] = scene.marked(number, "graduation")
    assert data == {"ok": True} and "Graduation check passed" in comment["body"]


def test_a_mentor_opens_it_from_a_branch_and_fixes_the_description(scene):
    issue = scene.application()
    scene.fork_change(scene.entry_text(issue), login="lin-mentor", fork=REPO)
    number = scene.open_pull("Closes #99", login="lin-mentor", head="graduation")

    result, made = scene.event("opened", number)
    assert result.returncode == 1 and len(made) == 1
    [(first, _)] = scene.marked(number, "graduation")
    assert f"says 'Closes #99' but the entry's issue is {issue}" in first["body"]

    api(
        scene.emu,
        "PATCH",
        f"/repos/{REPO}/pulls/{number}",
        {"body": f"Closes #{issue}"},
        "lin-mentor",
    )
    result, made = scene.event("edited", number)
    assert result.returncode == 0, result.stdout
    assert [w["method"] for w in made] == ["PATCH"]
    [(comment, data)] = scene.marked(number, "graduation")
    assert (comment["id"], data) == (first["id"], {"ok": True})


def test_check_with_pr_prints_annotations_and_the_summary(scene):
    issue = scene.application()
    text = scene.entry_text(issue).replace("role: maintainer", "role: maintainr")
    scene.fork_change(text)
    number = scene.open_pull(f"Closes #{issue}")
    summary = scene.tmp / "summary.md"
    result = run_cli(
        "graduation",
        "check",
        "--pr",
        str(number),
        api_url=scene.emu.url,
        root=scene.root,
        env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.returncode == 1
    line = text.splitlines().index("    role: maintainr") + 1
    assert f"::error file=participants.yml,line={line}::participants[0].role: unknown role" in (
        result.stdout
    )
    assert "did you mean 'maintainer'?" in summary.read_text()
    assert "Traceback" not in result.stderr
    assert len(scene.marked(number, "graduation")) == 1


@pytest.mark.parametrize("flag", ["--no-comment", "--dry-run"])
def test_check_with_pr_can_leave_the_pull_request_alone(scene, flag):
    issue = scene.application()
    text = scene.entry_text(issue).replace("role: maintainer", "role: maintainr")
    scene.fork_change(text)
    number = scene.open_pull(f"Closes #{issue}")
    scene.emu.state.clear_log()
    result = run_cli(
        "graduation", "check", "--pr", str(number), flag, api_url=scene.emu.url, root=scene.root
    )
    assert result.returncode == 1
    assert "participants[0].role: unknown role" in result.stdout
    assert writes(scene.emu.state.log()) == []
    assert scene.marked(number, "graduation") == []
    if flag == "--no-comment":
        assert f"skipped: #{number}: --no-comment" in result.stdout


def test_pull_requests_that_do_not_touch_participants_are_ignored(scene):
    scene.application()
    fork = f"{MENTEE}/mentoring"
    main = api(scene.emu, "GET", f"/repos/{fork}/branches/main", login=MENTEE)
    api(
        scene.emu,
        "POST",
        f"/repos/{fork}/git/refs",
        {"ref": "refs/heads/docs", "sha": main["commit"]["sha"]},
        MENTEE,
    )
    put = {"message": "docs", "content": base64.b64encode(b"hello\n").decode(), "branch": "docs"}
    api(scene.emu, "PUT", f"/repos/{fork}/contents/NOTES.md", put, MENTEE)
    number = scene.open_pull("Just docs", branch="docs")
    result, made = scene.event("opened-fork", number)
    assert (result.returncode, made) == (0, [])
    assert "does not change participants.yml" in result.stdout


def test_entry_refuses_an_issue_that_cannot_graduate_yet(scene):
    plain = api(scene.emu, "POST", f"/repos/{REPO}/issues", {"title": "Bug", "body": "x"}, MENTEE)
    waiting = Mentorship(issue=2, mentee=MENTEE, status="waiting", role="maintainer")
    unpaired = scene.application(waiting)
    for number, message in (
        (plain["number"], f"#{plain['number']} is not a mentoring application"),
        (unpaired, f"#{unpaired} has no mentor yet"),
    ):
        result = run_cli(
            "graduation", "entry", "--issue", str(number), api_url=scene.emu.url, root=scene.root
        )
        assert (result.returncode, result.stdout) == (1, "")
        assert result.stderr.startswith(f"mentoring: {message}"), result.stderr


def test_check_without_a_token_needs_base_and_head(scene):
    result = run_cli(
        "graduation", "check", "--pr", "2", api_url=scene.emu.url, root=scene.root, token=""
    )
    assert result.returncode == 1
    assert "--pr needs GITHUB_TOKEN" in result.stderr and "Traceback" not in result.stderr


# --------------------------------------------------------------------------- local file checks


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def checkout(tmp_path):
    root = program_copy(tmp_path)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "program")
    return root


ENTRY = """\
  - name: Ada Example
    login: ada-example
    role: maintainer
    issue: 12
    mentors: [lin-mentor]
    started: 2026-01-10
    graduated: 2026-09-30
"""


def test_local_check_between_two_refs_says_only_file_checks_ran(checkout):
    git(checkout, "checkout", "-q", "-b", "graduation")
    path = checkout / "participants.yml"
    path.write_text(graduation.paste_into(path.read_text(), ENTRY))
    git(checkout, "commit", "-qam", "graduate")
    result = run_cli(
        "graduation",
        "check",
        "--base",
        "main",
        "--head",
        "graduation",
        api_url="http://127.0.0.1:9",
        root=checkout,
        token="",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passes the graduation checks" in result.stdout
    assert "Only the file checks ran (no GITHUB_TOKEN)" in result.stdout


def test_local_check_caps_annotations_at_ten_and_puts_all_in_the_summary(checkout):
    path = checkout / "participants.yml"
    entries = "".join(
        ENTRY.replace("maintainer", f"role-{n}")
        .replace("ada-example", f"ada-{n}")
        .replace("12", str(20 + n))
        for n in range(12)
    )
    path.write_text(graduation.paste_into(path.read_text(), entries))
    summary = checkout.parent / "summary.md"
    result = run_cli(
        "graduation",
        "check",
        "--base",
        "main",
        api_url="http://127.0.0.1:9",
        root=checkout,
        token="",
        env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 10
    assert "3 more problems in the job summary." in result.stdout
    assert summary.read_text().count("- `participants.yml:") == 13


def test_local_check_with_a_bad_ref_is_one_clear_line(checkout):
    result = run_cli(
        "graduation",
        "check",
        "--base",
        "nope",
        api_url="http://127.0.0.1:9",
        root=checkout,
        token="",
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == f"mentoring: 'nope' is not a commit in the git checkout at {checkout}"
    )


# --------------------------------------------------------------------------- events left alone


STORED = sorted(p for p in PAYLOADS.glob("*.json") if p.name != "schema-subset.json")


@pytest.mark.parametrize("path", STORED, ids=[p.stem for p in STORED])
def test_stored_payloads_match_the_webhook_schema(path):
    payload = json.loads(path.read_text(encoding="utf-8"))
    definitions = json.loads((PAYLOADS / "schema-subset.json").read_text())["definitions"]
    validator = jsonschema.Draft7Validator(
        {"$ref": f"#/definitions/pull_request${payload['action']}", "definitions": definitions},
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
    )
    assert [e.message for e in validator.iter_errors(payload)] == []
    assert payload["repository"]["full_name"] == REPO
    head = payload["pull_request"]["head"]["repo"]["full_name"]
    assert head == (f"{MENTEE}/mentoring" if "fork" in path.stem else REPO)
    assert payload["pull_request"]["merged"] == path.stem.startswith("closed-merged")


IGNORED = [
    ("wrong-action", "labeled", "pull_request_target", {}, "not a graduation action"),
    ("closed-unmerged", "closed-unmerged", "pull_request", {}, "closed without merging"),
    ("bot-author", "opened", "pull_request", {"user": {"login": BOT}}, "is by the bot"),
    (
        "merged-elsewhere",
        "closed-merged",
        "pull_request_target",
        {"base": {"ref": "release"}},
        "merged into release, not main",
    ),
    ("closed-since", "reopened", "pull_request_target", {"state": "closed"}, "#2 is closed"),
    ("not-a-pull-event", "opened", "issues", {}, "issues is not a pull request event"),
]


@pytest.mark.parametrize(
    ("payload_name", "name", "changes", "reason"),
    [c[1:] for c in IGNORED],
    ids=[c[0] for c in IGNORED],
)
def test_events_left_alone_without_reading_github(
    tmp_path, capsys, payload_name, name, changes, reason
):
    payload = json.loads((PAYLOADS / f"{payload_name}.json").read_text())
    payload["pull_request"].update(changes)
    app = App(program_copy(tmp_path), REPO, dry_run=False)
    assert on_pull_request(app, name, payload, date(2026, 9, 30)) == 0
    assert reason in capsys.readouterr().out
