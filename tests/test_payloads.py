"""Real webhook payloads: the stored examples and the variants the tests make fit GitHub's schema,
and the event runner takes exactly the events meant for it."""

from __future__ import annotations

import json

import pytest

from mentoring.core import intake
from mentoring.program import form
from mentoring.program.config import load_program
from mentoring.runners import run_events
from tests.payloads import build
from tests.support import REPO_ROOT

PROGRAM = load_program(REPO_ROOT)
STORED = sorted(p for p in build.HERE.glob("*.json") if p.name != "schema-subset.json")


def event_of(payload_name: str) -> tuple[str, str]:
    event, action = payload_name.removesuffix(".json").split(".")
    return event, action


@pytest.mark.parametrize("path", STORED, ids=[p.stem for p in STORED])
def test_stored_payloads_match_the_webhook_schema(path):
    payload = json.loads(path.read_text(encoding="utf-8"))
    event, action = event_of(path.name)
    assert payload["action"] == action
    assert build.errors(payload, event, action) == []


@pytest.mark.parametrize("path", STORED, ids=[p.stem for p in STORED])
def test_stored_payloads_are_adapted_to_this_repository(path):
    text = path.read_text(encoding="utf-8")
    assert "Codertocat" not in text and "Hello-World" not in text
    payload = json.loads(text)
    assert payload["repository"]["full_name"] == build.REPO
    answers = form.parse(payload["issue"]["body"])
    assert answers.looks_like_form and intake.problems(answers, PROGRAM) == []


def test_the_schema_subset_has_every_event_used():
    definitions = json.loads((build.HERE / "schema-subset.json").read_text())["definitions"]
    for path in STORED:
        event, action = event_of(path.name)
        assert f"{event}${action}" in definitions


VARIANTS = [
    (
        "opened elsewhere",
        build.issues("opened", number=12, sender="mallory", author="mallory"),
        "issues",
        "opened",
    ),
    ("opened without the label", build.issues("opened", labels=()), "issues", "opened"),
    ("a locked issue", build.issues("edited", locked=True), "issues", "edited"),
    (
        "assigned a mentor",
        build.issues("assigned", assignee="kai-mentor", sender="octo-coordinator"),
        "issues",
        "assigned",
    ),
    ("closed by the mentee", build.issues("closed"), "issues", "closed"),
    ("a command", build.comment("/mentor @lin-mentor", comment_id=77), "issue_comment", "created"),
    (
        "a comment on a pull request",
        build.comment("/help", on_pull_request=True),
        "issue_comment",
        "created",
    ),
    (
        "a comment by a bot",
        build.comment("/help", author="renovate[bot]", author_type="Bot"),
        "issue_comment",
        "created",
    ),
]


@pytest.mark.parametrize(
    ("payload", "event", "action"), [v[1:] for v in VARIANTS], ids=[v[0] for v in VARIANTS]
)
def test_variants_made_for_the_tests_match_the_schema_too(payload, event, action):
    assert build.errors(payload, event, action) == []


def test_a_deleted_user_is_outside_the_schema_but_real():
    # GitHub sends "user": null for a deleted account; the published schema does not allow it.
    assert build.errors(build.issues("opened", author=None), "issues", "opened")


ROUTING = [
    ("an application opened", "issues", build.issues("opened"), None),
    ("opened by the form without the label", "issues", build.issues("opened", labels=()), None),
    ("an application edited", "issues", build.issues("edited"), None),
    ("a mentor assigned", "issues", build.issues("assigned", assignee="kai-mentor"), None),
    ("a mentor unassigned", "issues", build.issues("unassigned", assignee="kai-mentor"), None),
    ("closed", "issues", build.issues("closed"), None),
    ("reopened", "issues", build.issues("reopened"), None),
    ("a slash command", "issue_comment", build.comment("/mentor @kai-mentor"), None),
    ("labeled: not an action we take", "issues", build.issues("labeled"), "not an action"),
    ("deleted: not an action we take", "issues", build.issues("deleted"), "not an action"),
    (
        "a bug report",
        "issues",
        build.issues("opened", labels=("bug",), body="It crashes."),
        "not an application",
    ),
    (
        "sent by a bot",
        "issues",
        build.issues("edited", sender="renovate[bot]", sender_type="Bot"),
        "bot",
    ),
    ("sent by our own bot", "issues", build.issues("edited", sender="github-actions[bot]"), "bot"),
    (
        "a comment on a pull request",
        "issue_comment",
        build.comment("/help", on_pull_request=True),
        "pull request",
    ),
    (
        "a comment by a bot",
        "issue_comment",
        build.comment("/help", author="renovate[bot]", author_type="Bot"),
        "bot",
    ),
    (
        "a comment by a deleted account",
        "issue_comment",
        build.comment("/help", author=None),
        "deleted",
    ),
    # Level-triggered: any comment on an application is a reason to look at it again.
    ("a comment without a command", "issue_comment", build.comment("Thanks, all good."), None),
    ("a command in a quote", "issue_comment", build.comment("> /decline\n\nNo."), None),
    (
        "a comment on a bug report",
        "issue_comment",
        build.comment("/help", labels=("bug",), issue_body="It crashes."),
        "not an application",
    ),
    ("a push", "push", {"ref": "refs/heads/main"}, "not handled"),
    ("no issue", "issues", {"action": "opened"}, "without an issue"),
]


@pytest.mark.parametrize(
    ("name", "payload", "why"), [r[1:] for r in ROUTING], ids=[r[0] for r in ROUTING]
)
def test_which_events_are_taken(name, payload, why):
    found = run_events.ignored(name, payload, PROGRAM)
    assert (found is None) if why is None else (why in found)
