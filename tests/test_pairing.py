"""Pairing and slash commands, pure: snapshots in, steps and plans out, no fakes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from mentoring.core import intake, markers, pairing, state
from mentoring.core.model import (
    AddLabels,
    Assign,
    CloseIssue,
    Comment,
    EditComment,
    Issue,
    PostComment,
    RemoveLabels,
)
from mentoring.program.config import load_program
from mentoring.program.templates import Messages
from tests.support import REPO_ROOT

BOT = "github-actions[bot]"
PROGRAM = load_program(REPO_ROOT)
MESSAGES = Messages(REPO_ROOT)
TODAY = date(2026, 3, 2)
T = datetime(2026, 3, 2, 12, tzinfo=UTC)
APP = "mentoring: application"
BOOKS = ("https://example.org/mentor", "https://example.org/mentee")
ZWSP = "\u200b"
COMMENT_ID = 500

WAITING = state.Mentorship(
    7,
    "ada-example",
    "waiting",
    role="maintainer",
    applied=date(2026, 1, 5),
    history=((date(2026, 1, 5), "waiting"),),
)
ACTIVE = WAITING.moved(
    "active", date(2026, 2, 1), mentors=("lin-mentor",), started=date(2026, 2, 1)
)
PAUSED = ACTIVE.moved("paused", date(2026, 2, 20))
NEEDS_INFO = state.Mentorship(
    7,
    "ada-example",
    "needs-info",
    applied=date(2026, 1, 5),
    history=((date(2026, 1, 5), "needs-info"),),
)
DECLINED = WAITING.moved("declined", date(2026, 2, 1))
BODY = "### Your name\n\nAda Example\n\n### Role you aim for\n\nMaintainer (maintainer)\n"


def bot(id: int, body: str) -> Comment:
    return Comment(id=id, issue=7, author=BOT, body=body, created_at=T, updated_at=T)


def shown(m: state.Mentorship, *, comments=(), assignees=None, open=True, **changes) -> Issue:
    """The issue as GitHub shows a mentorship ``m``: labels, card, welcome, welcomed mentors."""
    card = bot(100, state.card_body(m, PROGRAM, MESSAGES))
    made = [card, bot(101, "Welcome! <!-- mentoring:welcome -->")]
    if m.mentors:
        made.append(bot(102, "Paired " + markers.make("paired", {"mentors": list(m.mentors)})))
    base = dict(
        number=7,
        title="Mentoring application: Ada",
        body=BODY,
        author="ada-example",
        state="open" if open else "closed",
        labels=(APP, f"status: {m.status}", *((f"role: {m.role}",) if m.role else ())),
        assignees=tuple(m.mentors) if assignees is None else assignees,
        created_at=T,
        comments=(*made, *comments),
    )
    base.update(changes)
    return Issue(**base)


def said(body: str, author: str | None = "octo-coordinator", id: int = COMMENT_ID) -> Comment:
    return Comment(id=id, issue=7, author=author, body=body, created_at=T, updated_at=T)


def on_comment(m, body, author="octo-coordinator", assignable=("kai-mentor", "sam-mentor"), **kw):
    note = said(body, author)
    issue = shown(m, comments=(note,), **kw)
    old = state.read(issue, BOT)
    step = pairing.on_comment(
        issue, old, note, PROGRAM, MESSAGES, TODAY, assignable=assignable, handbooks=BOOKS
    )
    return intake.plan(issue, old, step, PROGRAM, MESSAGES), step


def reply(plan) -> str:
    (body,) = [w.body for w in plan.writes if isinstance(w, PostComment)]
    return body


# --------------------------------------------------------------------------- finding commands

COMMAND_CASES = [
    ("one command", "/mentor @lin-mentor", [("mentor", "@lin-mentor")]),
    (
        "after some text",
        "Great, thanks!\n\n/pause until 2026-05-01",
        [("pause", "until 2026-05-01")],
    ),
    ("up to three spaces in", "   /resume", [("resume", "")]),
    ("upper case", "/MENTOR @kai", [("mentor", "@kai")]),
    (
        "several, in order",
        "/pause\nsome words\n/resume\n/help",
        [("pause", ""), ("resume", ""), ("help", "")],
    ),
    ("CRLF line ends", "hi\r\n/withdraw\r\n", [("withdraw", "")]),
    ("indented code", "    /decline", []),
    ("a tab in front", "\t/decline", []),
    ("a quote", "> /withdraw\n>/decline", []),
    ("a quote inside a list", "- > /withdraw", []),
    ("a fenced block", "```\n/decline\n```", []),
    ("a tilde fence", "~~~text\n/decline\n~~~", []),
    ("a longer fence holds a shorter one", "````\n```\n/decline\n````\n/help", [("help", "")]),
    ("an unclosed fence", "```\n/decline", []),
    ("an HTML comment", "<!-- /decline -->\n<!--\n/withdraw\n-->", []),
    ("inline code", "`/decline`", []),
    ("in the middle of a line", "please /mentor @kai", []),
    ("not a command of ours", "/mentorship\n/assign @kai\n/usr/bin/env", []),
    ("empty", "", []),
]


@pytest.mark.parametrize(
    ("body", "expected"), [c[1:] for c in COMMAND_CASES], ids=[c[0] for c in COMMAND_CASES]
)
def test_commands(body, expected):
    assert [(c.name, c.args) for c in pairing.commands(body)] == expected


def test_logins_named():
    body = "/mentor @kai-mentor, sam-mentor @KAI-mentor @bad!login\n> /mentor @quoted"
    assert pairing.logins_named(body) == ["kai-mentor", "sam-mentor"]


# --------------------------------------------------------------------------- who may do what

AUTH_CASES = [
    ("coordinator pairs", "/mentor @kai-mentor", "octo-coordinator", WAITING, True),
    ("coordinator, other case", "/mentor @kai-mentor", "Octo-Coordinator", WAITING, True),
    ("mentor adds a co-mentor", "/mentor @kai-mentor", "lin-mentor", ACTIVE, True),
    ("mentee cannot pick a mentor", "/mentor @kai-mentor", "ada-example", WAITING, False),
    ("bystander cannot pair", "/mentor @kai-mentor", "mallory", WAITING, False),
    ("a look-alike coordinator", "/mentor @kai-mentor", "octo-coordinat\u043er", WAITING, False),
    (
        "a mentor of another role is no mentor here",
        "/mentor @kai-mentor",
        "sam-mentor",
        ACTIVE,
        False,
    ),
    ("mentee pauses", "/pause", "ada-example", ACTIVE, True),
    ("mentor pauses", "/pause", "lin-mentor", ACTIVE, True),
    ("bystander cannot pause", "/pause", "mallory", ACTIVE, False),
    ("mentee resumes", "/resume", "ada-example", PAUSED, True),
    ("mentee withdraws", "/withdraw", "ada-example", ACTIVE, True),
    ("coordinator withdraws", "/withdraw", "mona-coordinator", ACTIVE, True),
    ("mentor cannot withdraw", "/withdraw", "lin-mentor", ACTIVE, False),
    ("coordinator declines", "/decline", "octo-coordinator", WAITING, True),
    ("mentor cannot decline", "/decline", "lin-mentor", ACTIVE, False),
    ("mentee cannot decline", "/decline", "ada-example", WAITING, False),
    ("mentor says ready", "/ready", "lin-mentor", ACTIVE, True),
    ("mentee cannot say ready", "/ready", "ada-example", ACTIVE, False),
    ("anyone asks for help", "/help", "mallory", WAITING, True),
]


@pytest.mark.parametrize(
    ("body", "author", "m", "allowed"), [c[1:] for c in AUTH_CASES], ids=[c[0] for c in AUTH_CASES]
)
def test_who_may_use_each_command(body, author, m, allowed):
    plan, step = on_comment(m, body, author)
    text = reply(plan)
    assert ("can only be used by" in text) is not allowed
    if not allowed:
        assert step.state == m
        assert [type(w) for w in plan.writes] == [PostComment]  # the polite reply only
        assert "@octo-coordinator" not in text  # coordinators are named, not pinged
        assert any("refused" in note for _, note in plan.notes)


# --------------------------------------------------------------------------- /mentor


def test_mentor_pairs_a_waiting_application():
    plan, step = on_comment(WAITING, "Found one!\n/mentor @kai-mentor")
    m = step.state
    assert m.status == "active" and m.mentors == ("kai-mentor",) and m.started == TODAY
    assert m.history[-1] == (TODAY, "active") and m.checkin == 0
    assert Assign(7, ("kai-mentor",)) in plan.writes
    assert AddLabels(7, ("status: active",)) in plan.writes
    text = reply(plan)
    assert "@kai-mentor is now mentoring" in text  # the new mentor is told
    assert f"@{ZWSP}ada-example" in text and BOOKS[0] in text and BOOKS[1] in text
    found = dict((k, d) for k, d in markers.parse(text))
    assert found["command"] == {"comment": COMMENT_ID}
    assert found["paired"] == {"mentors": ["kai-mentor"]}
    # The card is written before the reply that depends on it.
    kinds = [type(w) for w in plan.writes]
    assert kinds.index(EditComment) < kinds.index(PostComment)


def test_mentor_adds_a_co_mentor_and_welcomes_only_them():
    plan, step = on_comment(ACTIVE, "/mentor @kai-mentor", author="lin-mentor")
    assert step.state.mentors == ("lin-mentor", "kai-mentor")
    assert step.state.started == ACTIVE.started and step.state.status == "active"
    text = reply(plan)
    assert "@kai-mentor" in text and "@lin-mentor" not in text
    assert dict(markers.parse(text))["paired"] == {"mentors": ["kai-mentor", "lin-mentor"]}


def test_mentor_who_cannot_be_assigned_is_not_paired():
    plan, step = on_comment(WAITING, "/mentor @rio-mentor @kai-mentor")
    assert step.state.mentors == ("kai-mentor",)
    assert [w for w in plan.writes if isinstance(w, Assign)] == [Assign(7, ("kai-mentor",))]
    text = reply(plan)
    assert f"@{ZWSP}rio-mentor cannot be assigned" in text and "@rio-mentor" not in text


def test_mentor_already_assigned_in_the_ui_is_paired_without_assigning_again():
    plan, step = on_comment(WAITING, "/mentor @rio-mentor", assignees=("rio-mentor",))
    assert step.state.mentors == ("rio-mentor",) and step.state.status == "active"
    assert not [w for w in plan.writes if isinstance(w, Assign)]


MENTOR_INVALID = [
    ("no login", WAITING, "/mentor", "needs the mentor's GitHub login"),
    ("not a login", WAITING, "/mentor @bad!login", "is not a GitHub login"),
    ("a look-alike login", WAITING, "/mentor @kai-ment\u043er", "is not a GitHub login"),
    ("the mentee", WAITING, "/mentor @Ada-Example", "cannot be their own mentor"),
    ("a bot", WAITING, "/mentor @dependabot[bot]", "a bot account cannot be a mentor"),
    ("an incomplete application", NEEDS_INFO, "/mentor @kai-mentor", "not complete yet"),
    ("a declined application", DECLINED, "/mentor @kai-mentor", "this application is declined"),
]


@pytest.mark.parametrize(
    ("m", "body", "text"), [c[1:] for c in MENTOR_INVALID], ids=[c[0] for c in MENTOR_INVALID]
)
def test_mentor_that_cannot_be_done_says_why(m, body, text):
    plan, step = on_comment(m, body)
    assert step.state == m
    assert [type(w) for w in plan.writes] == [PostComment]
    assert text in reply(plan)


def test_mentor_already_mentoring_changes_nothing_but_says_so():
    plan, step = on_comment(ACTIVE, "/mentor @LIN-mentor")
    assert step.state == ACTIVE
    assert "already mentoring" in reply(plan)
    assert [type(w) for w in plan.writes] == [PostComment]


# --------------------------------------------------------------------------- the other commands

STATE_CASES = [
    ("pause until a date", ACTIVE, "/pause until 2026-04-01", "paused", date(2026, 4, 1)),
    ("pause without a date", ACTIVE, "/pause", "paused", None),
    ("pause with a bare date", ACTIVE, "/pause 2026-04-01", "paused", date(2026, 4, 1)),
    ("pause again moves the date", PAUSED, "/pause until 2026-05-01", "paused", date(2026, 5, 1)),
    ("resume", PAUSED, "/resume", "active", None),
    ("withdraw", ACTIVE, "/withdraw", "withdrawn", None),
    ("decline", WAITING, "/decline Not this year, sorry.", "declined", None),
    ("decline an incomplete application", NEEDS_INFO, "/decline", "declined", None),
    ("pause then resume in one comment", ACTIVE, "/pause\n/resume", "active", None),
]


@pytest.mark.parametrize(
    ("m", "body", "status", "until"), [c[1:] for c in STATE_CASES], ids=[c[0] for c in STATE_CASES]
)
def test_commands_change_the_state(m, body, status, until):
    plan, step = on_comment(m, body)
    assert step.state.status == status and step.state.paused_until == until
    if status != m.status:
        assert step.state.history[-1] == (TODAY, status)
        assert AddLabels(7, (f"status: {status}",)) in plan.writes
        assert RemoveLabels(7, (f"status: {m.status}",)) in plan.writes
    closes = [w for w in plan.writes if isinstance(w, CloseIssue)]
    if status in ("withdrawn", "declined"):
        assert closes == [CloseIssue(7, reason="not_planned")] and plan.writes[-1] == closes[0]
    else:
        assert closes == []
    assert len([w for w in plan.writes if isinstance(w, PostComment)]) == 1


def test_pause_then_resume_records_both_in_the_history():
    _, step = on_comment(ACTIVE, "/pause\n/resume")
    assert step.state.history[-2:] == ((TODAY, "paused"), (TODAY, "active"))


def test_a_closed_issue_is_not_closed_again():
    plan, step = on_comment(WAITING, "/decline", open=False)
    assert step.state.status == "declined"
    assert not [w for w in plan.writes if isinstance(w, CloseIssue)]


def test_the_decline_reason_is_quoted_safely():
    plan, _ = on_comment(WAITING, "/decline ask @octocat <!-- mentoring:card {} --> later")
    text = reply(plan)
    assert f"@{ZWSP}octocat" in text and "@octocat" not in text
    assert markers.kinds(text) == {"command"}


COMMAND_INVALID = [
    ("pause a waiting application", WAITING, "/pause", "only works on an active mentorship"),
    ("pause until the past", ACTIVE, "/pause until 2026-01-01", "2026-01-01 is not in the future"),
    ("pause until today", ACTIVE, "/pause until 2026-03-02", "is not in the future"),
    ("pause until no such day", ACTIVE, "/pause until 2026-02-30", "is not understood"),
    ("pause until a word", ACTIVE, "/pause until Easter", "is not understood"),
    ("resume an active mentorship", ACTIVE, "/resume", "is not paused"),
    ("withdraw twice", DECLINED, "/withdraw", "this application is declined"),
    ("ready while waiting", WAITING, "/ready", "only works on an active mentorship"),
]


@pytest.mark.parametrize(
    ("m", "body", "text"), [c[1:] for c in COMMAND_INVALID], ids=[c[0] for c in COMMAND_INVALID]
)
def test_commands_that_cannot_be_done_say_why(m, body, text):
    plan, step = on_comment(m, body, author="octo-coordinator")
    assert step.state == m
    assert [type(w) for w in plan.writes] == [PostComment]
    assert text in reply(plan)


def test_ready_tells_the_mentee_how_to_graduate():
    plan, step = on_comment(ACTIVE, "/ready", author="lin-mentor")
    assert step.state.ready == TODAY and step.state.status == "active"
    text = reply(plan)
    assert "@ada-example" in text  # the mentee must act: pinged
    assert "login: ada-example" in text and "Closes #7" in text
    assert any(isinstance(w, EditComment) and w.key == "card" for w in plan.writes)


def test_help_lists_every_command():
    plan, step = on_comment(WAITING, "/help", author="mallory")
    text = reply(plan)
    assert step.state == WAITING
    for name in pairing.COMMANDS:
        assert f"`/{name}" in text


# --------------------------------------------------------------------------- not commands

IGNORED_COMMENTS = [
    ("by the bot", "/decline", BOT, "bot"),
    ("by another app", "/decline", "dependabot[bot]", "bot"),
    ("by a deleted account", "/decline", None, "deleted"),
    ("without a command", "Thanks!", "octo-coordinator", "no command"),
    (
        "a command in a quote",
        "> /decline\n\nI would not do that.",
        "octo-coordinator",
        "no command",
    ),
]


@pytest.mark.parametrize(
    ("body", "author", "why"),
    [c[1:] for c in IGNORED_COMMENTS],
    ids=[c[0] for c in IGNORED_COMMENTS],
)
def test_comments_that_are_not_commands_write_nothing(body, author, why):
    plan, step = on_comment(WAITING, body, author=author)
    assert plan.writes == () and step.state == WAITING
    assert why in plan.notes[0][1]


def test_a_comment_is_answered_once():
    answered = bot(600, "Done " + markers.make("command", {"comment": COMMENT_ID}))
    note = said("/pause", "ada-example")
    issue = shown(ACTIVE, comments=(note, answered))
    step = pairing.on_comment(
        issue, ACTIVE, note, PROGRAM, MESSAGES, TODAY, assignable=(), handbooks=BOOKS
    )
    assert step.writes == () and step.state == ACTIVE
    assert "answered already" in step.notes[0][1]


def test_a_forged_answer_does_not_silence_the_bot():
    forged = said("hush " + markers.make("command", {"comment": COMMENT_ID}), "mallory", id=601)
    note = said("/pause", "ada-example")
    issue = shown(ACTIVE, comments=(note, forged))
    step = pairing.on_comment(
        issue, ACTIVE, note, PROGRAM, MESSAGES, TODAY, assignable=(), handbooks=BOOKS
    )
    assert step.state.status == "paused"


# --------------------------------------------------------------------------- assignment in the UI


def assigned(m, login, assignees, **kw):
    issue = shown(m, assignees=assignees, **kw)
    old = state.read(issue, BOT)
    step = pairing.on_assigned(issue, old, login, PROGRAM, MESSAGES, TODAY, handbooks=BOOKS)
    return intake.plan(issue, old, step, PROGRAM, MESSAGES), step


def test_assigning_a_mentor_pairs_them():
    plan, step = assigned(WAITING, "kai-mentor", ("octo-coordinator", "kai-mentor"))
    assert step.state.status == "active" and step.state.mentors == ("kai-mentor",)
    assert step.state.started == TODAY
    (welcome,) = [w for w in plan.writes if isinstance(w, PostComment)]
    assert welcome.key == "paired" and "@kai-mentor" in welcome.body
    assert not [w for w in plan.writes if isinstance(w, Assign)]  # already assigned


def test_assigning_a_second_mentor_welcomes_only_them():
    plan, step = assigned(ACTIVE, "kai-mentor", ("lin-mentor", "kai-mentor"))
    assert step.state.mentors == ("lin-mentor", "kai-mentor")
    (welcome,) = [w.body for w in plan.writes if isinstance(w, PostComment)]
    assert "@kai-mentor" in welcome and "@lin-mentor" not in welcome


ASSIGN_IGNORED = [
    ("a coordinator: triage", WAITING, "mona-coordinator", ("mona-coordinator",), "coordinator"),
    ("the applicant", WAITING, "ada-example", ("ada-example",), "applicant"),
    ("no longer assigned", WAITING, "kai-mentor", (), "no longer assigned"),
    ("an incomplete application", NEEDS_INFO, "kai-mentor", ("kai-mentor",), "incomplete"),
    ("a declined application", DECLINED, "kai-mentor", ("kai-mentor",), "declined"),
    ("a bot", WAITING, "renovate[bot]", ("renovate[bot]",), "bot"),
]


@pytest.mark.parametrize(
    ("m", "login", "assignees", "why"),
    [c[1:] for c in ASSIGN_IGNORED],
    ids=[c[0] for c in ASSIGN_IGNORED],
)
def test_assignments_that_are_not_pairings(m, login, assignees, why):
    plan, step = assigned(m, login, assignees)
    assert plan.writes == () and step.state == m
    assert why in plan.notes[0][1]


def test_assigning_an_existing_mentor_again_writes_nothing():
    plan, step = assigned(ACTIVE, "lin-mentor", ("lin-mentor",))
    assert plan.writes == () and step.state == ACTIVE


def unassigned(m, login, assignees):
    issue = shown(m, assignees=assignees)
    old = state.read(issue, BOT)
    step = pairing.on_unassigned(issue, old, login, TODAY)
    return intake.plan(issue, old, step, PROGRAM, MESSAGES), step


def test_unassigning_the_only_mentor_puts_the_application_back_to_waiting():
    plan, step = unassigned(ACTIVE, "lin-mentor", ())
    m = step.state
    assert m.status == "waiting" and m.mentors == () and m.started is None
    assert m.history[-1] == (TODAY, "waiting")
    assert AddLabels(7, ("status: waiting",)) in plan.writes


def test_unassigning_one_of_two_mentors_keeps_it_active():
    two = ACTIVE.moved("active", TODAY, mentors=("lin-mentor", "kai-mentor"))
    _, step = unassigned(two, "Kai-Mentor", ("lin-mentor",))
    assert step.state.status == "active" and step.state.mentors == ("lin-mentor",)


@pytest.mark.parametrize(
    ("login", "assignees", "why"),
    [("lin-mentor", ("lin-mentor",), "assigned again"), ("octo-coordinator", (), "not a mentor")],
    ids=["assigned-again-since", "not-a-mentor"],
)
def test_unassignments_that_change_nothing(login, assignees, why):
    plan, step = unassigned(ACTIVE, login, assignees)
    assert plan.writes == () and step.state == ACTIVE and why in plan.notes[0][1]


# --------------------------------------------------------------------------- closing by hand

CLOSE_CASES = [
    ("by the mentee", ACTIVE, "Ada-Example", None, "withdrawn"),
    ("by a coordinator", WAITING, "octo-coordinator", None, "declined"),
    ("by someone else", NEEDS_INFO, "mallory", None, "declined"),
    ("graduated already", ACTIVE.moved("graduated", TODAY), "octo-coordinator", None, "graduated"),
    (
        "as completed after /ready",
        dataclasses.replace(ACTIVE, ready=date(2026, 3, 1)),
        "octo-coordinator",
        "completed",
        "active",
    ),
    # the mentor approved the graduation pull request instead of saying /ready
    ("as completed by a merged pull request", ACTIVE, "octo-coordinator", "completed", "active"),
    ("as not planned while mentored", ACTIVE, "octo-coordinator", "not_planned", "declined"),
    ("as completed while waiting", WAITING, "octo-coordinator", "completed", "declined"),
]


@pytest.mark.parametrize(
    ("m", "sender", "reason", "status"),
    [c[1:] for c in CLOSE_CASES],
    ids=[c[0] for c in CLOSE_CASES],
)
def test_closing_by_hand(m, sender, reason, status):
    issue = shown(m, open=False, state_reason=reason)
    old = state.read(issue, BOT)
    step = pairing.on_closed(issue, old, sender, TODAY)
    assert step.state.status == status
    plan = intake.plan(issue, old, step, PROGRAM, MESSAGES)
    assert not [w for w in plan.writes if isinstance(w, PostComment | CloseIssue)]
    if status == m.status:
        assert plan.writes == ()


def test_a_closed_event_on_an_issue_reopened_since_changes_nothing():
    issue = shown(ACTIVE)
    step = pairing.on_closed(issue, ACTIVE, "octo-coordinator", TODAY)
    assert step.state == ACTIVE and "reopened since" in step.notes[0][1]


def test_handbook_links():
    mentor, mentee = pairing.handbook_links(PROGRAM, "https://github.com/", "astro/mentoring")
    assert mentor == "https://github.com/astro/mentoring/blob/HEAD/docs/mentor-handbook.md"
    assert mentee.endswith("/docs/mentee-handbook.md")
