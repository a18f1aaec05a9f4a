"""The status card: state round trips, trust, label sync, edits only on change."""

from datetime import UTC, date, datetime

import pytest

from mentoring.core import state
from mentoring.core.model import (
    AddLabels,
    Comment,
    EditComment,
    EnsureLabel,
    Issue,
    PostComment,
    RemoveLabels,
)
from mentoring.program.config import load_program
from mentoring.program.templates import Messages
from tests.support import REPO_ROOT

BOT = "github-actions[bot]"
T = datetime(2026, 1, 5, tzinfo=UTC)
PROGRAM = load_program(REPO_ROOT)
MESSAGES = Messages(REPO_ROOT)


def mentorship(**changes):
    base = dict(
        issue=7,
        mentee="ada",
        status="active",
        role="maintainer",
        mentors=("lin",),
        applied=date(2026, 1, 2),
        started=date(2026, 1, 10),
        history=((date(2026, 1, 2), "waiting"), (date(2026, 1, 10), "active")),
    )
    base.update(changes)
    return state.Mentorship(**base)


def issue_with(comments=(), labels=()):
    return Issue(
        number=7,
        title="t",
        body="",
        author="ada",
        state="open",
        labels=labels,
        comments=tuple(comments),
    )


def card_comment(m, author=BOT, id=100):
    return Comment(
        id=id,
        issue=7,
        author=author,
        body=state.card_body(m, PROGRAM, MESSAGES),
        created_at=T,
        updated_at=T,
    )


def test_card_round_trip():
    m = mentorship(paused_until=date(2026, 3, 1), checkin=2, flagged=55)
    found = state.read(issue_with([card_comment(m)]), BOT)
    assert found == m and found.card_id == 100


def test_forged_card_is_ignored():
    forged = card_comment(mentorship(status="graduated"), author="ada", id=200)
    real = card_comment(mentorship(), id=100)
    assert state.read(issue_with([real, forged]), BOT).status == "active"
    assert state.read(issue_with([forged]), BOT) is None


@pytest.mark.parametrize(
    "data",
    [{"status": "nonsense"}, {"no": "status"}, {"status": "active", "checkin": "x"}],
    ids=["unknown-status", "missing-status", "bad-number"],
)
def test_unreadable_card_data_is_none(data):
    assert state.from_data(7, data) is None


def test_moved_records_history_once():
    m = mentorship().moved("paused", date(2026, 2, 1), paused_until=date(2026, 3, 1))
    again = m.moved("paused", date(2026, 2, 2))
    assert m.history[-1] == (date(2026, 2, 1), "paused")
    assert again.history == m.history


def test_resumed_is_the_last_return_to_active_after_a_pause():
    m = mentorship().moved("paused", date(2026, 2, 1)).moved("active", date(2026, 3, 1))
    assert m.resumed == date(2026, 3, 1)
    assert mentorship().resumed is None


def test_next_checkin_on_the_card():
    body = state.card_body(mentorship(), PROGRAM, MESSAGES)
    assert "2026-02-09" in body  # started 2026-01-10 + 30 days
    assert "@ada" not in body.replace("@\u200bada", "")  # shown, never pinged


def test_new_card_is_posted_then_only_edited_on_change():
    m = mentorship()
    first = state.sync(issue_with(), None, m, PROGRAM, MESSAGES)
    assert [type(w) for w in first if not isinstance(w, EnsureLabel)] == [AddLabels, PostComment]
    card = card_comment(m)
    labels = ("mentoring: application", "status: active", "role: maintainer")
    shown = issue_with([card], labels=labels)
    old = state.read(shown, BOT)
    assert state.sync(shown, old, m, PROGRAM, MESSAGES) == []
    paused = m.moved("paused", date(2026, 2, 1))
    writes = state.sync(shown, old, paused, PROGRAM, MESSAGES)
    assert AddLabels(7, ("status: paused",)) in writes
    assert RemoveLabels(7, ("status: active",)) in writes
    assert isinstance(writes[-1], EditComment) and writes[-1].comment_id == 100


def test_labels_are_compared_case_insensitively():
    m = mentorship()
    shown = issue_with(labels=("Mentoring: Application", "STATUS: active", "role: Maintainer"))
    assert state.label_writes(shown, m, PROGRAM) == []
