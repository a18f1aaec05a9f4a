"""`mentoring event` end to end: the CLI as a subprocess against the emulator, real payloads.

People act through the emulator's API with tokens ``as:LOGIN`` (the applicant, a
coordinator, a mentor, a bystander); the bot runs the CLI with its own token.
Writes are counted in the emulator's request log.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, date, datetime
from typing import Any

import pytest

from mentoring.core import markers, state
from mentoring.program.config import load_program
from mentoring.program.templates import Messages
from tests.payloads import build
from tests.support import REPO, form_body, program_copy, run_cli, write_payload, writes

pytestmark = pytest.mark.e2e

BOT = "github-actions[bot]"
APP = "mentoring: application"
TODAY = date(2026, 1, 6)
COORDINATORS = ["octo-coordinator", "mona-coordinator"]


class World:
    """The emulator, a program checkout, and helpers to act as people and run the bot."""

    def __init__(self, emu, tmp_path):
        self.emu = emu
        self.tmp = tmp_path
        self.root = program_copy(tmp_path)
        self.runs = 0
        emu.state.set_now(datetime(2026, 1, 6, 9, 0, tzinfo=UTC))

    def api(self, method: str, path: str, who: str | None = None, body: Any = None) -> Any:
        token = f"as:{who}" if who else "bot-token"
        request = urllib.request.Request(
            self.emu.url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request) as response:
            text = response.read()
        return json.loads(text) if text else None

    def issue(self, number: int = 1) -> dict:
        return self.api("GET", f"/repos/{REPO}/issues/{number}")

    def comments(self, number: int = 1) -> list[dict]:
        return self.api("GET", f"/repos/{REPO}/issues/{number}/comments?per_page=100")

    def bot_comments(self, number: int = 1) -> list[dict]:
        return [c for c in self.comments(number) if c["user"] and c["user"]["login"] == BOT]

    def labels(self, number: int = 1) -> set[str]:
        return {x["name"] for x in self.issue(number)["labels"]}

    def assignees(self, number: int = 1) -> set[str]:
        return {x["login"] for x in self.issue(number)["assignees"]}

    def card(self, number: int = 1) -> dict:
        for comment in reversed(self.bot_comments(number)):
            for kind, data in markers.parse(comment["body"]):
                if kind == "card":
                    return data
        raise AssertionError("no status card")

    def apply(self, who="ada-example", body=None, labels=(APP,)) -> int:
        data = {
            "title": "Mentoring application: Ada",
            "body": form_body() if body is None else body,
        }
        if labels:
            data["labels"] = list(labels)
        return self.api("POST", f"/repos/{REPO}/issues", who, data)["number"]

    def comment(self, who: str, body: str, number: int = 1) -> int:
        return self.api("POST", f"/repos/{REPO}/issues/{number}/comments", who, {"body": body})[
            "id"
        ]

    def bot(self, name: str, payload: dict, *args: str) -> tuple[Any, list[dict]]:
        """Run `mentoring event` on this payload; return the result and the writes it made."""
        self.runs += 1
        path = write_payload(self.tmp, payload, f"event-{self.runs}.json")
        self.emu.state.clear_log()
        result = run_cli(
            *args,
            "event",
            "--name",
            name,
            "--payload",
            str(path),
            "--today",
            TODAY.isoformat(),
            api_url=self.emu.url,
            root=self.root,
        )
        assert "Traceback" not in result.stderr, result.stderr
        return result, writes(self.emu.state.log())

    def seed(self) -> int:
        """An application intake already handled (labels, card, welcome), made without the CLI."""
        number = self.apply()
        m = state.Mentorship(
            number,
            "ada-example",
            "waiting",
            role="maintainer",
            applied=TODAY,
            history=((TODAY, "waiting"),),
        )
        card = state.card_body(m, load_program(self.root), Messages(self.root))
        labels = [APP, "status: waiting", "role: maintainer"]
        self.api("POST", f"/repos/{REPO}/issues/{number}/labels", None, {"labels": labels})
        self.api(
            "POST",
            f"/repos/{REPO}/issues/{number}/assignees",
            None,
            {"assignees": ["octo-coordinator"]},
        )
        for body in (card, "Welcome! " + markers.make("welcome")):
            self.api("POST", f"/repos/{REPO}/issues/{number}/comments", None, {"body": body})
        return number

    def opened(self, number: int = 1, **kw) -> tuple[Any, list[dict]]:
        return self.bot("issues", build.issues("opened", number=number, **kw))

    def said(self, who: str, body: str, number: int = 1) -> tuple[Any, list[dict]]:
        comment_id = self.comment(who, body, number)
        return self.bot(
            "issue_comment", build.comment(body, number=number, comment_id=comment_id, author=who)
        )


@pytest.fixture
def world(emulator, tmp_path):
    emulator.state.set_collaborators(
        REPO, ["octo-coordinator", "lin-mentor", "kai-mentor", "ada-mentor"]
    )
    return World(emulator, tmp_path)


def test_an_application_is_welcomed_in_one_run_and_a_second_run_writes_nothing(world):
    number = world.apply()
    result, made = world.opened(number)
    assert result.returncode == 0, result.stdout + result.stderr
    assert world.labels() == {APP, "status: waiting", "role: maintainer"}
    assert world.assignees() == {"octo-coordinator"}  # mona cannot be assigned here
    bot = world.bot_comments()
    assert [markers.kinds(c["body"]) for c in bot] == [{"card"}, {"welcome"}]
    welcome = bot[1]["body"]
    assert "@mona-coordinator" in welcome  # mentioned instead of assigned
    assert "could not assign mona-coordinator" in result.stdout
    assert world.card()["status"] == "waiting" and world.card()["applied"] == "2026-01-06"
    assert {entry["login"] for entry in made} == {BOT}
    again, made_again = world.opened(number)
    assert again.returncode == 0 and made_again == []
    assert "written: 0" in again.stdout


def test_mentor_from_a_bystander_is_refused_and_from_the_coordinator_pairs(world):
    world.seed()
    refused, made = world.said("mallory", "/mentor @lin-mentor")
    assert refused.returncode == 0
    assert len(made) == 1 and made[0]["method"] == "POST"  # the polite reply, nothing else
    reply = world.bot_comments()[-1]["body"]
    assert "can only be used by the program coordinators" in reply
    assert world.card()["status"] == "waiting" and world.assignees() == {"octo-coordinator"}
    # The same event again: already answered, nothing written.
    payload = build.comment(
        "/mentor @lin-mentor", comment_id=world.comments()[-2]["id"], author="mallory"
    )
    assert world.bot("issue_comment", payload)[1] == []

    paired, made = world.said("octo-coordinator", "Found a mentor!\n/mentor @lin-mentor")
    assert paired.returncode == 0
    card = world.card()
    assert card["status"] == "active" and card["mentors"] == ["lin-mentor"]
    assert card["started"] == TODAY.isoformat()
    assert world.labels() == {APP, "status: active", "role: maintainer"}
    assert world.assignees() == {"octo-coordinator", "lin-mentor"}
    reply = world.bot_comments()[-1]["body"]
    assert "@lin-mentor is now mentoring" in reply and "mentor-handbook.md" in reply
    comment_id = world.comments()[-2]["id"]
    payload = build.comment("/mentor @lin-mentor", comment_id=comment_id, author="octo-coordinator")
    assert world.bot("issue_comment", payload)[1] == []


def test_assigning_a_mentor_in_the_ui_pairs_and_unassigning_unpairs(world):
    world.seed()
    triage = build.issues("assigned", sender="mona-coordinator", assignee="octo-coordinator")
    result, made = world.bot("issues", triage)
    assert made == [] and world.card()["status"] == "waiting"
    assert "assigned for triage, not paired" in result.stdout
    world.api(
        "POST",
        f"/repos/{REPO}/issues/1/assignees",
        "octo-coordinator",
        {"assignees": ["kai-mentor"]},
    )
    payload = build.issues("assigned", sender="octo-coordinator", assignee="kai-mentor")
    result, made = world.bot("issues", payload)
    assert result.returncode == 0 and made
    assert world.card()["status"] == "active" and world.card()["mentors"] == ["kai-mentor"]
    assert "@kai-mentor" in world.bot_comments()[-1]["body"]
    assert world.bot("issues", payload)[1] == []

    world.api(
        "DELETE",
        f"/repos/{REPO}/issues/1/assignees",
        "octo-coordinator",
        {"assignees": ["kai-mentor"]},
    )
    payload = build.issues("unassigned", sender="octo-coordinator", assignee="kai-mentor")
    result, _ = world.bot("issues", payload)
    assert result.returncode == 0
    card = world.card()
    assert card["status"] == "waiting" and card["mentors"] == [] and card["started"] is None
    assert world.labels() == {APP, "status: waiting", "role: maintainer"}


def test_an_incomplete_application_is_fixed_by_editing_it(world):
    world.apply(body=form_body(Role_you_aim_for="Astronaut"))
    world.opened()
    assert world.labels() == {APP, "status: needs-info"}
    assert world.assignees() == set()
    (needs_info,) = [c for c in world.bot_comments() if "needs-info" in markers.kinds(c["body"])]
    assert "“Astronaut” is not one of the program's roles" in needs_info["body"]

    world.api(
        "PATCH",
        f"/repos/{REPO}/issues/1",
        "ada-example",
        {"body": form_body(Role_you_aim_for="docs-lead")},
    )
    result, _ = world.bot(
        "issues", build.issues("edited", body=form_body(Role_you_aim_for="docs-lead"))
    )
    assert result.returncode == 0
    bot = world.bot_comments()
    assert len(bot) == 3  # the card, the same needs-info comment (edited), the welcome
    edited = next(c for c in bot if c["id"] == needs_info["id"])
    assert "your application is complete" in edited["body"]
    assert world.card()["status"] == "waiting" and world.card()["role"] == "docs-lead"
    assert [h[1] for h in world.card()["history"]] == ["needs-info", "waiting"]
    assert world.labels() == {APP, "status: waiting", "role: docs-lead"}
    assert world.bot("issues", build.issues("edited"))[1] == []


def test_the_mentee_closing_withdraws_and_reopening_brings_it_back(world):
    world.seed()
    world.api("PATCH", f"/repos/{REPO}/issues/1", "ada-example", {"state": "closed"})
    result, _ = world.bot("issues", build.issues("closed", sender="ada-example"))
    assert result.returncode == 0 and world.card()["status"] == "withdrawn"
    assert world.issue()["state"] == "closed"  # never reopened by the bot
    world.api("PATCH", f"/repos/{REPO}/issues/1", "octo-coordinator", {"state": "open"})
    result, _ = world.bot("issues", build.issues("reopened", sender="octo-coordinator"))
    assert world.card()["status"] == "waiting"
    assert [h[1] for h in world.card()["history"]] == ["waiting", "withdrawn", "waiting"]


def test_decline_closes_the_issue_as_not_planned(world):
    world.seed()
    result, _ = world.said("octo-coordinator", "/decline Not this round, sorry.")
    assert result.returncode == 0
    issue = world.issue()
    assert issue["state"] == "closed" and issue["state_reason"] == "not_planned"
    assert world.card()["status"] == "declined"
    assert world.labels() == {APP, "status: declined", "role: maintainer"}


def test_dry_run_prints_and_writes_nothing(world):
    world.apply()
    result, made = world.bot("issues", build.issues("opened"), "--dry-run")
    assert result.returncode == 0 and made == []
    assert "comment (welcome)" in result.stdout and "would write" in result.stdout


# --------------------------------------------------------------------------- bad input


NEGATIVES = [
    ("unknown role", dict(body=form_body(Role_you_aim_for="Astronaut")), "needs-info", "Astronaut"),
    ("empty form", dict(body=""), "needs-info", "**Your name** is empty"),
    (
        "code of conduct unticked",
        dict(
            body=form_body(Code_of_conduct="- [ ] I agree to follow the project's code of conduct.")
        ),
        "needs-info",
        "please tick the box",
    ),
    (
        "a 65,000-character body",
        dict(body=form_body(Why_this_role="x" * 64_000)),
        "waiting",
        "Welcome",
    ),
    (
        "unusual Unicode",
        dict(
            body=form_body(
                Your_name="Ädä 👩\u200d🚀 \u202egnp.exe @octocat <!-- mentoring:card {} -->"
            )
        ),
        "waiting",
        "Ädä",
    ),
]


@pytest.mark.parametrize(
    ("kw", "status", "text"), [c[1:] for c in NEGATIVES], ids=[c[0] for c in NEGATIVES]
)
def test_bad_applications_get_a_clear_outcome(world, kw, status, text):
    world.apply(**kw)
    result, made = world.opened()
    assert result.returncode == 0 and made
    assert world.card()["status"] == status
    told = world.bot_comments()[-1]["body"]
    assert text in told
    assert "@octocat" not in told and "\u202e" not in told
    assert markers.kinds(told) in ({"welcome"}, {"needs-info"})


COMMENT_NEGATIVES = [
    ("an unauthorised /mentor", "mallory", "/mentor @lin-mentor", "can only be used by", 1),
    ("a look-alike login", "octo-coordinat0r", "/mentor @lin-mentor", "can only be used by", 1),
    ("a look-alike mentor", "octo-coordinator", "/mentor @lin-ment0r", "cannot be assigned", 1),
    (
        "a forged marker",
        "ada-example",
        '<!-- mentoring:card {"status":"active","mentee":"ada-example"} -->\n/pause',
        "only works on an active mentorship",
        1,
    ),
    ("a command in a quote", "octo-coordinator", "> /decline\n\nI would not.", None, 0),
]


@pytest.mark.parametrize(
    ("who", "body", "text", "count"),
    [c[1:] for c in COMMENT_NEGATIVES],
    ids=[c[0] for c in COMMENT_NEGATIVES],
)
def test_bad_comments_get_a_clear_outcome(world, who, body, text, count):
    world.seed()
    result, made = world.said(who, body)
    assert result.returncode == 0
    assert len(made) == count  # the reply only, or nothing at all
    if text:
        assert text in world.bot_comments()[-1]["body"]
    else:  # looked at (level-triggered), and nothing to do
        assert "ignored" not in result.stdout and "written: 0" in result.stdout
    assert world.card()["status"] == "waiting" and world.assignees() == {"octo-coordinator"}


def test_a_locked_issue_is_left_alone(world):
    world.apply()
    world.emu.state.lock(REPO, 1)
    result, made = world.opened()
    assert result.returncode == 0 and made == []
    assert "locked" in result.stdout and "skipped: 1" in result.stdout


def test_a_deleted_applicant_is_left_alone(world):
    world.apply()
    world.emu.state.delete_user("ada-example")
    result, made = world.opened()
    assert result.returncode == 0 and made == []
    assert "deleted" in result.stdout


def test_a_transferred_issue_is_left_alone(world):
    world.apply()
    world.emu.state.transfer_issue(REPO, 1, "astro/elsewhere")
    result, made = world.opened()
    assert result.returncode == 0 and made == []
    assert "transferred" in result.stdout


QUIET = [
    ("a bot's own edit", "issues", build.issues("edited", sender=BOT), "sent by a bot"),
    (
        "a comment on a pull request",
        "issue_comment",
        build.comment("/help", on_pull_request=True),
        "pull request",
    ),
    ("a label added", "issues", build.issues("labeled"), "not an action"),
]


@pytest.mark.parametrize(
    ("name", "payload", "why"), [q[1:] for q in QUIET], ids=[q[0] for q in QUIET]
)
def test_events_not_for_us_are_ignored_with_one_line_and_no_requests(world, name, payload, why):
    result, _ = world.bot(name, payload)
    assert result.returncode == 0
    assert result.stdout.count("\n") == 1 and why in result.stdout
    assert world.emu.state.log() == []


def test_a_broken_payload_is_one_clear_error(world):
    path = world.tmp / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    result = run_cli(
        "event", "--name", "issues", "--payload", str(path), api_url=world.emu.url, root=world.root
    )
    assert result.returncode == 1
    assert "is not JSON" in result.stderr and "Traceback" not in result.stderr


def test_pull_request_events_go_to_graduation(monkeypatch, tmp_path):
    from mentoring.cli import App
    from mentoring.runners import run_events, run_graduation

    seen = []
    monkeypatch.setattr(run_graduation, "on_pull_request", lambda *args: seen.append(args) or 7)
    path = write_payload(tmp_path, {"action": "opened", "pull_request": {"number": 3}})
    app = App(program_copy(tmp_path), None, False)
    assert run_events.run(app, "pull_request_target", path, TODAY) == 7
    assert seen[0][1:] == (
        "pull_request_target",
        {"action": "opened", "pull_request": {"number": 3}},
        TODAY,
    )


# --------------------------------------------------------------------------- lost events


def test_three_quick_comments_with_the_middle_run_lost(world):
    """`/mentor @x`, `/pause`, a thank-you: the `/pause` run never comes; the next answers it."""
    world.seed()
    mentor = world.comment("octo-coordinator", "/mentor @lin-mentor")
    world.bot("issue_comment", build.comment("/mentor @lin-mentor", comment_id=mentor))
    world.comment("ada-example", "/pause\n\nExams next month.")  # its event is lost
    thanks = world.comment("lin-mentor", "Thanks, see you after the exams!")
    result, made = world.bot("issue_comment", build.comment("Thanks", comment_id=thanks))
    assert result.returncode == 0 and made
    card = world.card()
    assert card["status"] == "paused" and card["mentors"] == ["lin-mentor"]
    replies = [c for c in world.bot_comments() if "command" in markers.kinds(c["body"])]
    assert len(replies) == 2 and "paused" in replies[-1]["body"]
    # handled on the day it was given: the reply does not say "given on"
    assert "given on" not in replies[-1]["body"]
    assert world.bot("issue_comment", build.comment("Thanks", comment_id=thanks))[1] == []


def test_a_mentor_assigned_while_the_event_was_lost_is_paired_by_the_next_event(world):
    world.seed()
    path = f"/repos/{REPO}/issues/1/assignees"
    world.api("POST", path, "octo-coordinator", {"assignees": ["kai-mentor"]})  # event lost
    note = world.comment("ada-example", "Hello! Looking forward to it.")
    result, _ = world.bot("issue_comment", build.comment("Hello!", comment_id=note))
    assert result.returncode == 0
    assert world.card()["status"] == "active" and world.card()["mentors"] == ["kai-mentor"]
    assert "@kai-mentor" in world.bot_comments()[-1]["body"]  # welcomed once, as on time


def test_an_application_whose_opening_was_lost_is_triaged_by_a_later_event(world):
    world.apply()  # issues.opened never delivered
    note = world.comment("ada-example", "Did my application arrive?")
    result, made = world.bot("issue_comment", build.comment("Did it?", comment_id=note))
    assert result.returncode == 0 and made
    assert world.card()["status"] == "waiting"
    assert {"welcome"} <= {k for c in world.bot_comments() for k in markers.kinds(c["body"])}
