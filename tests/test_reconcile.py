"""Level-triggered reconciliation, pure: whatever events arrived, the issue's contents decide.

`pairing.reconcile` answers every command not answered yet (once, in order, as of
its own day) and makes the mentors follow the assignees; `run_nightly.level_plan`
does the same from the nightly's reads. No fakes: snapshots in, steps out.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.core import intake, markers, pairing, state
from mentoring.core.model import Assign, Comment, EditComment, Issue, PostComment
from tests.test_pairing import (
    ACTIVE,
    BOOKS,
    BOT,
    DECLINED,
    MESSAGES,
    NEEDS_INFO,
    PAUSED,
    PROGRAM,
    TODAY,
    WAITING,
    shown,
)

DAY = datetime(2026, 2, 25, 10, tzinfo=UTC)  # a few days before TODAY


def said(id: int, body: str, author: str = "octo-coordinator", at: datetime = DAY) -> Comment:
    return Comment(id=id, issue=7, author=author, body=body, created_at=at, updated_at=at)


def answer(id: int, to: int, at: datetime = DAY) -> Comment:
    body = "Done. " + markers.make(pairing.COMMAND, {"comment": to})
    return Comment(id=id, issue=7, author=BOT, body=body, created_at=at, updated_at=at)


def run(issue: Issue, m=None, *, since=None, checked=None, assignable=("kai-mentor",)):
    m = state.read(issue, BOT) if m is None else m
    return pairing.reconcile(
        issue, m, PROGRAM, MESSAGES, TODAY,
        assignable=assignable, handbooks=BOOKS, since=since, checked=checked,
    )  # fmt: skip


def replies(step) -> list[PostComment]:
    return [w for w in step.writes if isinstance(w, PostComment) and w.key == pairing.COMMAND]


def old_card_issue(m, comments=(), **changes):
    """``m`` shown with its card posted well before DAY, so later commands count."""
    issue = shown(m, comments=comments, **changes)
    before = DAY - timedelta(days=30)
    made = tuple(
        dataclasses.replace(c, created_at=before, updated_at=before) if c.id < 200 else c
        for c in issue.comments
    )
    return dataclasses.replace(issue, comments=made, created_at=before - timedelta(days=1))


# --------------------------------------------------------------------------- commands

COMMAND_CASES = [
    # (id, state, comments, expected status, number of replies, text in the first reply)
    ("nothing written: nothing to do", ACTIVE, (), "active", 0, None),
    ("a chat comment: nothing to do", ACTIVE, (said(500, "Thanks!", "lin-mentor"),),
     "active", 0, None),
    ("an answered command is not answered again", ACTIVE,
     (said(500, "/pause"), answer(501, 500)), "active", 0, None),
    ("a lost /pause is answered as of its day", ACTIVE,
     (said(500, "/pause", "ada-example"),), "paused", 1, "(given on 2026-02-25"),
    ("a lost /pause until a date since passed still ends on that date", ACTIVE,
     (said(500, "/pause until 2026-03-01", "ada-example"),), "paused", 1, "until 2026-03-01"),
    ("two lost commands, in the order written", ACTIVE,
     (said(500, "/pause", "ada-example"), said(501, "/resume", "lin-mentor",
                                              at=DAY + timedelta(hours=2))), "active", 2, None),
    ("a command by the bot is not one", ACTIVE, (answer(500, 1),), "active", 0, None),
    ("a forged answer by a person does not count", ACTIVE,
     (said(500, "/pause", "ada-example"), said(501, markers.make("command", {"comment": 500}))),
     "paused", 1, None),
    ("a refused command is answered too", ACTIVE,
     (said(500, "/decline", "mallory"),), "active", 1, "can only be used by"),
    ("a command in a quote is not one", ACTIVE, (said(500, "> /withdraw"),), "active", 0, None),
    ("a /resume on a paused mentorship", PAUSED, (said(500, "/resume", "lin-mentor"),),
     "active", 1, None),
    ("a command on a declined application gets the reason", DECLINED,
     (said(500, "/pause", "octo-coordinator"),), "declined", 1, "declined"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("m", "comments", "status", "count", "text"),
    [c[1:] for c in COMMAND_CASES],
    ids=[c[0] for c in COMMAND_CASES],
)
def test_unanswered_commands(m, comments, status, count, text):
    issue = old_card_issue(m, comments, assignees=tuple(m.mentors))
    step = run(issue)
    assert step.state.status == status
    posted = replies(step)
    assert len(posted) == count
    if text:
        assert text in posted[0].body
    # answered in the order written, each carrying the id of its comment
    ids = [
        markers.latest([Comment(0, 7, BOT, w.body, DAY, DAY)], BOT, "command")[1] for w in posted
    ]
    assert [d["comment"] for d in ids] == sorted(d["comment"] for d in ids)


def test_a_late_pause_dates_its_history_by_the_comment():
    issue = old_card_issue(ACTIVE, (said(500, "/pause", "ada-example"),), assignees=("lin-mentor",))
    step = run(issue)
    assert step.state.history[-1] == (DAY.date(), "paused")
    assert step.state.since("paused") == DAY.date()


def test_a_command_answered_on_its_day_does_not_say_when():
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    issue = old_card_issue(ACTIVE, (said(500, "/pause", "ada-example", at=now),))
    (reply,) = replies(run(issue))
    assert "given on" not in reply.body


def test_commands_before_an_old_cards_were_the_old_versions_to_answer():
    """A card of an earlier version (no ``seen``) answered commands as their events came."""
    before = DAY - timedelta(days=40)  # older than the card
    issue = old_card_issue(ACTIVE, (said(250, "/withdraw", "ada-example", at=before),))
    assert run(issue).writes == ()


def test_comments_up_to_seen_are_not_read_again():
    m = dataclasses.replace(ACTIVE, seen=600)
    issue = old_card_issue(m, (said(500, "/withdraw", "ada-example"),))
    assert pairing.pending(issue, state.read(issue, BOT), PROGRAM) == []


def test_only_commands_written_since_the_window_count_when_only_it_was_read():
    issue = old_card_issue(ACTIVE, (said(500, "/pause", "ada-example"),))
    assert replies(run(issue, since=DAY + timedelta(hours=1))) == []
    assert len(replies(run(issue, since=DAY - timedelta(hours=1)))) == 1


def test_at_most_max_replies_a_run_and_the_rest_next_time():
    many = tuple(
        said(500 + i, "/help", "mallory", at=DAY + timedelta(minutes=i))
        for i in range(pairing.MAX_REPLIES + 3)
    )
    step = run(old_card_issue(ACTIVE, many))
    assert len(replies(step)) == pairing.MAX_REPLIES
    assert any("3 more comment(s)" in text for _, text in step.notes)


def test_a_mentor_login_not_looked_up_waits_for_the_next_run():
    issue = old_card_issue(WAITING, (said(500, "/mentor @kai-mentor"),), assignees=())
    step = run(issue, checked=())
    assert replies(step) == [] and step.state.status == "waiting"
    step = run(issue, checked=("kai-mentor",))
    assert step.state.status == "active" and step.state.started == DAY.date()
    assert any(isinstance(w, Assign) for w in step.writes)


def test_seen_moves_only_when_the_card_is_written_anyway():
    done = (said(500, "/help", "mallory"), answer(501, 500))
    step = run(old_card_issue(ACTIVE, done))
    assert step.state.seen == 0 and step.writes == ()
    lost = (*done, said(502, "/pause", "ada-example", at=DAY + timedelta(hours=1)))
    step = run(old_card_issue(ACTIVE, lost))
    # the pause changes the card, which then records what was answered before this run
    assert step.state.status == "paused" and step.state.seen == 500


# --------------------------------------------------------------------------- assignees

ASSIGNEE_CASES = [
    # (id, state, assignees, expected status, expected mentors, paired comment posted)
    ("assignees agree: nothing", ACTIVE, ("lin-mentor",), "active", ("lin-mentor",), False),
    ("a mentor assigned is paired", WAITING, ("kai-mentor",), "active", ("kai-mentor",), True),
    ("a co-mentor assigned is added", ACTIVE, ("lin-mentor", "kai-mentor"), "active",
     ("lin-mentor", "kai-mentor"), True),
    ("a coordinator is not a mentor", WAITING, ("octo-coordinator",), "waiting", (), False),
    ("the applicant is not a mentor", WAITING, ("ada-example",), "waiting", (), False),
    ("a bot is not a mentor", WAITING, ("dependabot[bot]",), "waiting", (), False),
    ("the only mentor unassigned: waiting again", ACTIVE, (), "waiting", (), False),
    ("one of two unassigned", dataclasses.replace(ACTIVE, mentors=("lin-mentor", "kai-mentor")),
     ("kai-mentor",), "active", ("kai-mentor",), False),
    ("paused, mentor unassigned: waiting", PAUSED, (), "waiting", (), False),
    ("incomplete form: not paired", NEEDS_INFO, ("kai-mentor",), "needs-info", (), False),
    ("declined: left as it is", DECLINED, ("kai-mentor",), "declined", (), False),
    ("case differs: the same login", ACTIVE, ("LIN-MENTOR",), "active", ("lin-mentor",), False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("m", "assignees", "status", "mentors", "paired"),
    [c[1:] for c in ASSIGNEE_CASES],
    ids=[c[0] for c in ASSIGNEE_CASES],
)
def test_mentors_follow_the_assignees(m, assignees, status, mentors, paired):
    issue = shown(m, assignees=assignees, updated_at=DAY)
    step = run(issue)
    assert step.state.status == status
    assert [x.lower() for x in step.state.mentors] == list(mentors)
    posts = [w for w in step.writes if isinstance(w, PostComment) and w.key == pairing.PAIRED]
    assert bool(posts) == paired
    again = shown(step.state, assignees=assignees, updated_at=DAY)  # as GitHub then shows it
    assert run(again).writes == () or status == "needs-info"


def test_a_change_found_late_is_dated_by_the_issues_last_update():
    issue = shown(WAITING, assignees=("kai-mentor",), updated_at=DAY)
    step = run(issue)
    assert step.state.started == DAY.date() and step.state.history[-1] == (DAY.date(), "active")
    later = shown(WAITING, assignees=("kai-mentor",), updated_at=DAY + timedelta(days=30))
    assert run(later).state.started == TODAY  # never after the day of the run


# --------------------------------------------------------------------------- converging


def applied(issue: Issue, plan_writes, at: datetime) -> Issue:
    """The issue after the bot's writes: comments posted or edited, assignees added."""
    comments = list(issue.comments)
    assignees = list(issue.assignees)
    labels = list(issue.labels)
    next_id = max(c.id for c in comments) + 1
    for w in plan_writes:
        if isinstance(w, PostComment):
            comments.append(Comment(next_id, 7, BOT, w.body, at, at))
            next_id += 1
        elif isinstance(w, EditComment):
            comments = [dataclasses.replace(c, body=w.body) if c.id == w.comment_id else c
                        for c in comments]  # fmt: skip
        elif isinstance(w, Assign):
            assignees += list(w.logins)
    return dataclasses.replace(
        issue, comments=tuple(comments), assignees=tuple(assignees), labels=tuple(labels)
    )


SCRIPT = [
    ("ada-example", "/pause"),
    ("lin-mentor", "Thanks, see you then."),
    ("lin-mentor", "/resume"),
    ("octo-coordinator", "/mentor @kai-mentor"),
    ("mallory", "/decline"),
    ("ada-example", "/pause until 2026-02-28"),
    ("octo-coordinator", "/help"),
    ("kai-mentor", "/resume\n/pause"),
]


def play(delivered: list[bool]) -> tuple[dict, Issue]:
    """People comment in turn; the bot runs after the comments whose events were delivered,
    and once at the end (the nightly). The end state and the issue as left."""
    start = DAY - timedelta(days=10)
    issue = old_card_issue(ACTIVE, assignees=("lin-mentor",))
    issue = dataclasses.replace(issue, created_at=start - timedelta(days=40))
    next_id = 500
    for index, (author, body) in enumerate(SCRIPT):
        at = start + timedelta(days=index)
        issue = dataclasses.replace(
            issue, comments=(*issue.comments, said(next_id, body, author, at))
        )
        next_id += 100
        if delivered[index] or index == len(SCRIPT) - 1:
            issue = bot_run(issue, at)
    return without_ids(state.read(issue, BOT)), issue


def bot_run(issue: Issue, at: datetime) -> Issue:
    old = state.read(issue, BOT)
    step = run(issue, old, assignable=("kai-mentor",))
    plan = intake.plan(issue, old, step, PROGRAM, MESSAGES)
    return applied(issue, plan.writes, at)


def without_ids(m: state.Mentorship) -> dict:
    data = state.to_data(m)
    data.pop("seen", None)
    return data


EVERY_EVENT = play([True] * len(SCRIPT))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.booleans(), min_size=len(SCRIPT), max_size=len(SCRIPT)))
def test_any_subset_of_delivered_events_converges(delivered):
    expected = EVERY_EVENT[0]
    final, issue = play(delivered)
    assert final == expected
    answered = [d["comment"] for _, d in markers.find(issue.comments, BOT, pairing.COMMAND)]
    asked = [c.id for c in issue.comments if not c.by(BOT) and pairing.commands(c.body)]
    assert sorted(answered) == sorted(asked)  # each command answered, exactly once


def test_level_plan_dull_negative_writes_nothing():
    """The nightly's reconciliation of an issue in order: nothing at all."""
    from mentoring.runners import run_nightly

    issue = shown(ACTIVE, updated_at=DAY)
    snapshot = run_nightly.Snapshot(
        today=TODAY,
        since=DAY - timedelta(days=40),
        issues=(issue,),
        mentorships={7: state.read(issue, BOT)},
    )
    assert run_nightly.level_plan(snapshot, issue, PROGRAM, MESSAGES) is None


def test_the_nightly_graduates_what_participants_yml_lists():
    from mentoring.program.config import Participant
    from mentoring.runners import run_nightly

    entry = Participant(
        "Ada", "ada-example", "maintainer", 7, ("lin-mentor",), date(2026, 2, 1), TODAY
    )
    m = state.read(shown(ACTIVE), BOT)
    assert run_nightly.graduate_listed(shown(ACTIVE), m, (entry,)) == entry
    other = dataclasses.replace(entry, issue=8, role="triager")
    assert run_nightly.graduate_listed(shown(ACTIVE), m, (other,)) is None  # another mentorship
    earlier = dataclasses.replace(entry, issue=3, graduated=date(2025, 1, 1))
    assert run_nightly.graduate_listed(shown(ACTIVE), m, (earlier,)) is None  # before this one
    assert (
        run_nightly.graduate_listed(shown(WAITING), state.read(shown(WAITING), BOT), (entry,))
        is None
    )


def test_a_comment_naming_more_logins_than_are_looked_up_is_still_answered():
    logins = [f"@someone-{i}" for i in range(pairing.MAX_NAMED + 2)]
    issue = old_card_issue(WAITING, (said(500, "/mentor " + " ".join(logins)),), assignees=())
    checked = [x[1:] for x in logins[: pairing.MAX_NAMED]]
    step = run(issue, checked=checked, assignable=())
    (reply,) = replies(step)
    assert "cannot be assigned" in reply.body and step.state.status == "waiting"
