"""The nightly decision for one application: check-ins, assessments, escalations, flags, nudges."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta

import pytest

from mentoring.core import checkins, markers, state
from mentoring.core.model import AddLabels, Comment, EditComment, EnsureLabel, Issue, PostComment
from mentoring.program.config import load_program
from mentoring.program.templates import Messages
from tests.support import REPO_ROOT

BOT = "github-actions[bot]"
PROGRAM = load_program(REPO_ROOT)
MESSAGES = Messages(REPO_ROOT)
START = date(2026, 1, 10)
LABELS = ("mentoring: application", "status: active", "role: maintainer")
NEEDS = "mentoring: needs coordinator"


def day(n: int) -> date:
    """The n-th day after the mentorship started."""
    return START + timedelta(days=n)


def at(d: date, hour: int = 6) -> datetime:
    return datetime.combine(d, time(hour), tzinfo=UTC)


def mentorship(**changes):
    base = dict(
        issue=7,
        mentee="ada",
        status="active",
        role="maintainer",
        mentors=("lin",),
        applied=date(2026, 1, 2),
        started=START,
        history=((date(2026, 1, 2), "waiting"), (START, "active")),
        card_id=100,
    )
    base.update(changes)
    return state.Mentorship(**base)


def card(m, on=None):
    when = at(on or m.started or m.applied)
    body = state.card_body(m, PROGRAM, MESSAGES)
    return Comment(100, 7, BOT, body, when, when)


def bot(id, kind, data, on, author=BOT, updated=None):
    body = "text\n\n" + markers.make(kind, data)
    return Comment(id, 7, author, body, at(on), at(updated or on))


def checkin(id, n, assessment=False, on=None, author=BOT, started=START):
    due = checkins.schedule.due_date(started, n, 30)
    data = {"n": n, "due": due.isoformat(), "assessment": assessment}
    return bot(id, "checkin", data, on or due, author=author)


def said(id, author, text, on):
    return Comment(id, 7, author, text, at(on, 12), at(on, 12))


def issue(m, *comments, labels=LABELS, **changes):
    base = dict(
        number=7,
        title="Application: ada",
        body="",
        author="ada",
        state="open",
        labels=labels,
        comments=(card(m), *comments),
    )
    base.update(changes)
    return Issue(**base)


def plan(m, *comments, today, **changes):
    return checkins.plan_issue(issue(m, *comments, **changes), m, PROGRAM, MESSAGES, today)


def posts(p):
    return [w for w in p.writes if isinstance(w, PostComment)]


def posted_markers(p):
    return [next(markers.parse(w.body)) for w in posts(p)]


def card_after(p, m):
    """The state the plan's card edit writes (the old one if the card is not edited)."""
    edits = [w for w in p.writes if isinstance(w, EditComment) and w.key == "card"]
    assert len(edits) <= 1
    if not edits:
        return m
    return state.from_data(7, dict(markers.parse(edits[0].body))["card"], card_id=100)


# --------------------------------------------------------------------------- check-ins


@pytest.mark.parametrize(
    ("card_checkin", "comments", "today", "expected", "card_n"),
    [
        (0, [], day(29), [], 0),
        (0, [], day(30), [("checkin", {"n": 1, "assessment": False})], 1),
        (1, [checkin(201, 1)], day(45), [], 1),
        (2, [checkin(202, 2)], day(90), [("checkin", {"n": 3, "assessment": True})], 3),
        (1, [checkin(201, 1)], day(125), [("checkin", {"n": 4, "assessment": True})], 4),
        (
            3,
            [checkin(203, 3, True), said(301, "lin", "ok", day(95))],
            day(160),
            [("checkin", {"n": 5, "assessment": False})],
            5,
        ),
        (1, [checkin(201, 1)], day(30), [], 1),
        (0, [checkin(201, 1)], day(31), [], 1),
        (0, [checkin(201, 1, author="mallory")], day(31), [("checkin", {"n": 1})], 1),
        (0, [], day(-3), [], 0),
        (
            0,
            [checkin(150, 1, started=START - timedelta(days=90))],
            day(30),
            [("checkin", {"n": 1})],
            1,
        ),
    ],
    ids=[
        "not-due-yet",
        "first-due",
        "between-check-ins",
        "third-carries-assessment",
        "gap-posts-only-latest-with-missed-assessment",
        "gap-without-missed-assessment",
        "already-posted-today",
        "run-died-before-card-edit",
        "forged-marker-ignored",
        "before-start",
        "marker-from-an-earlier-pairing",
    ],
)
def test_checkin(card_checkin, comments, today, expected, card_n):
    m = mentorship(checkin=card_checkin)
    p = plan(m, *comments, today=today)
    found = posted_markers(p)
    assert [k for k, _ in found] == [k for k, _ in expected]
    for (_, data), (_, want) in zip(found, expected, strict=True):
        assert {k: data[k] for k in want} == want
        assert data["due"] == checkins.schedule.due_date(START, data["n"], 30).isoformat()
    assert card_after(p, m).checkin == card_n


def test_checkin_text_mentions_both_and_gives_the_private_route():
    p = plan(mentorship(checkin=2), checkin(202, 2), today=day(90))
    [post] = posts(p)
    assert "@lin" in post.body and "@ada" in post.body
    assert "no need to reply" in post.body
    assert PROGRAM.settings.private_contact in post.body
    assert "/ready" in post.body
    assert "due on" not in post.body  # on time: not marked late


def test_catch_up_says_it_is_late():
    [post] = posts(plan(mentorship(checkin=1), checkin(201, 1), today=day(125)))
    assert f"due on {day(120).isoformat()}" in post.body


def test_comment_comes_before_the_card_edit():
    p = plan(mentorship(), today=day(30))
    assert [type(w) for w in p.writes] == [PostComment, EditComment]
    assert "Next check-in** | " + day(60).isoformat() in p.writes[1].body


@pytest.mark.parametrize(
    ("changes", "today", "note"),
    [
        (dict(state="closed"), day(30), "closed: nothing is scheduled"),
        (dict(locked=True), day(30), "locked: checkin not posted"),
        (dict(is_pull=True), day(30), None),
    ],
    ids=["closed-issue", "locked-issue", "pull-request"],
)
def test_issues_that_get_nothing(changes, today, note):
    p = plan(mentorship(), today=today, **changes)
    assert p.writes == ()
    assert [text for _, text in p.notes] == ([note] if note else [])


def test_locked_issue_with_nothing_due_is_not_noted():
    assert plan(mentorship(), today=day(3), locked=True) == checkins.Plan()


@pytest.mark.parametrize(
    ("m", "note"),
    [
        (None, "no status card yet: nothing is scheduled"),
        (mentorship(started=None), "active without a start date: no check-ins"),
    ],
    ids=["no-card", "no-start-date"],
)
def test_cards_that_cannot_be_scheduled(m, note):
    p = checkins.plan_issue(issue(mentorship()), m, PROGRAM, MESSAGES, day(30))
    assert p.writes == () and [text for _, text in p.notes] == [note]


@pytest.mark.parametrize("status", ["waiting", "needs-info", "withdrawn", "declined", "graduated"])
def test_no_checkins_unless_active(status):
    m = mentorship(status=status, history=((START, status),))
    assert "checkin" not in [k for k, _ in posted_markers(plan(m, today=day(30)))]


# --------------------------------------------------------------------------- pauses


def paused(until, checkin=1):
    return mentorship(checkin=checkin).moved("paused", day(40), paused_until=until)


@pytest.mark.parametrize(
    ("m", "comments", "today", "kinds", "status"),
    [
        (paused(None), [checkin(201, 1)], day(200), [], "paused"),
        (paused(day(100)), [checkin(201, 1)], day(99), [], "paused"),
        (paused(day(100)), [checkin(201, 1)], day(100), ["resumed"], "active"),
        (paused(day(100)), [checkin(201, 1)], day(125), ["resumed", "checkin"], "active"),
        (
            paused(day(100)),
            [checkin(201, 1), bot(300, "resumed", {"on": day(100).isoformat()}, day(100))],
            day(101),
            [],
            "active",
        ),
        (
            paused(day(100)),
            [checkin(201, 1), bot(300, "resumed", {"on": day(100).isoformat()}, day(100), "eve")],
            day(101),
            ["resumed"],
            "active",
        ),
    ],
    ids=[
        "paused-without-date",
        "day-before-resume",
        "resumes-on-the-date",
        "late-run-resumes-and-owes-later-check-in",
        "note-posted-card-not-updated",
        "forged-resumed-marker",
    ],
)
def test_pause_and_resume(m, comments, today, kinds, status):
    labels = ("mentoring: application", "status: paused", "role: maintainer")
    p = plan(m, *comments, labels=labels, today=today)
    assert [k for k, _ in posted_markers(p)] == kinds
    after = card_after(p, m)
    assert after.status == status
    if status == "active":
        assert after.paused_until is None
        assert after.resumed == day(100)  # the end of the pause, however late the run
        assert AddLabels(7, ("status: active",)) in p.writes


def test_resume_skips_what_fell_due_in_the_pause_and_its_assessment():
    # paused after check-in 1; check-ins 2 and 3 (an assessment) fell due in the pause
    m = paused(day(95))
    p = plan(m, checkin(201, 1), today=day(95))
    [note] = posts(p)
    assert "next check-in is on " + day(120).isoformat() in note.body
    assert card_after(p, m).next_checkin(30) == (4, day(120))
    resumed = card_after(p, m)
    later = plan(resumed, checkin(201, 1), today=day(120))
    assert posted_markers(later) == [
        ("checkin", {"n": 4, "due": day(120).isoformat(), "assessment": False})
    ]


# --------------------------------------------------------------------------- escalation


@pytest.mark.parametrize(
    ("comments", "today", "escalated"),
    [
        ([checkin(203, 3, True)], day(104), True),
        ([checkin(203, 3, True)], day(103), False),
        (
            [checkin(203, 3, True), said(301, "lin", "Going well, not ready yet.", day(95))],
            day(104),
            False,
        ),
        ([checkin(203, 3, True), said(301, "LIN", "/ready", day(95))], day(104), False),
        ([checkin(203, 3, True), said(301, "ada", "All fine!", day(95))], day(104), True),
        (
            [checkin(203, 3, True), said(301, "sam", "I am not a mentor here", day(95))],
            day(104),
            True,
        ),
        ([checkin(203, 3, True), bot(302, "escalation", {"n": 3}, day(104))], day(105), False),
        (
            [checkin(203, 3, True), bot(302, "escalation", {"n": 3}, day(104), "eve")],
            day(105),
            True,
        ),
        ([checkin(202, 2)], day(74), False),
        ([checkin(201, 1), checkin(203, 3, True, on=day(125))], day(139), True),
    ],
    ids=[
        "unanswered-after-14-days",
        "13-days-is-too-soon",
        "mentor-answered",
        "mentor-said-ready",
        "only-the-mentee-answered",
        "a-stranger-answered",
        "already-escalated",
        "forged-escalation-marker",
        "not-an-assessment",
        "counted-from-when-it-was-posted",
    ],
)
def test_escalation(comments, today, escalated):
    m = mentorship(checkin=3)
    p = plan(m, *comments, today=today)
    found = [(k, d) for k, d in posted_markers(p) if k == "escalation"]
    assert found == ([("escalation", {"n": 3})] if escalated else [])
    if escalated:
        body = next(w.body for w in posts(p) if w.key == "escalation")
        assert "@octo-coordinator" in body and "@mona-coordinator" in body
        assert "@lin" not in body.replace("@\u200blin", "")  # the mentor is named, not pinged


def test_no_escalation_for_an_assessment_asked_before_a_pause():
    m = mentorship(checkin=3).moved("paused", day(91)).moved("active", day(130))
    assert posts(plan(m, checkin(203, 3, True), today=day(131))) == []


def test_no_escalation_for_an_assessment_of_an_earlier_pairing():
    earlier = checkin(150, 3, True, started=START - timedelta(days=120))
    assert posts(plan(mentorship(checkin=0), earlier, today=day(20))) == []


def test_no_escalation_once_the_mentee_is_ready():
    m = mentorship(checkin=3, ready=day(96))
    assert posts(plan(m, checkin(203, 3, True), today=day(104))) == []


@pytest.mark.parametrize(
    ("m", "comments", "today", "expected"),
    [
        (mentorship(checkin=3), [checkin(203, 3, True)], day(104), (3, day(90))),
        (
            mentorship(checkin=3, escalated=(3, day(90))),
            [checkin(203, 3, True), said(301, "lin", "Sorry, all good.", day(110))],
            day(111),
            None,
        ),
        (
            mentorship(checkin=3, escalated=(3, day(90))),
            [said(301, "lin", "Back from leave; doing fine.", day(140))],  # asked out of view
            day(141),
            None,
        ),
        (
            mentorship(checkin=3, escalated=(3, day(90)), ready=day(120)),
            [],
            day(121),
            None,
        ),
        (mentorship(checkin=5, escalated=(3, day(90))), [], day(180), None),  # check-in 6 asks
        (
            mentorship(checkin=4, escalated=(3, day(90))),
            [said(301, "ada", "The mentee speaks, not the mentor", day(125))],
            day(125),
            (3, day(90)),
        ),
        (
            mentorship(checkin=3),  # a run died between the escalation and the card edit
            [checkin(203, 3, True), bot(302, "escalation", {"n": 3}, day(104))],
            day(105),
            (3, day(90)),
        ),
    ],
    ids=[
        "escalating-records-it",
        "a-mentor-answer-clears-it",
        "a-mentor-answer-clears-it-when-the-question-is-out-of-view",
        "ready-clears-it",
        "a-new-assessment-supersedes-it",
        "the-mentee-answering-keeps-it",
        "card-catches-up-with-a-posted-escalation",
    ],
)
def test_the_card_keeps_an_unanswered_escalated_assessment(m, comments, today, expected):
    p = plan(m, *comments, today=today)
    assert card_after(p, m).escalated == expected
    again = card_after(p, m)
    assert card_after(plan(again, *comments, today=today), again).escalated == expected


# --------------------------------------------------------------------------- reply flag


def reply(id, author, text, on=None):
    return said(id, author, text, on or day(32))


@pytest.mark.parametrize(
    ("card_n", "comments", "flagged", "labels", "expected_flag", "adds_label"),
    [
        (
            1,
            [checkin(201, 1), reply(301, "ada", "Could we talk about scope?")],
            0,
            LABELS,
            301,
            True,
        ),
        (1, [checkin(201, 1), reply(301, "Lin", "My mentee is great")], 0, LABELS, 301, True),
        (1, [checkin(201, 1), reply(301, "sam", "drive-by comment")], 0, LABELS, 0, False),
        (1, [checkin(201, 1), reply(301, "ada", "/pause 2026-05-01")], 0, LABELS, 0, False),
        (1, [checkin(201, 1), reply(301, "ada", "thanks!")], 301, LABELS, 301, False),
        (
            1,
            [checkin(201, 1), reply(301, "ada", "a"), reply(302, "lin", "b")],
            301,
            LABELS,
            302,
            True,
        ),
        (1, [checkin(201, 1), reply(301, "ada", "help")], 0, (*LABELS, NEEDS), 301, False),
        (
            1,
            [reply(150, "ada", "before the check-in", day(20)), checkin(201, 1)],
            0,
            LABELS,
            0,
            False,
        ),
        (0, [reply(150, "ada", "hello", day(20))], 0, LABELS, 0, False),
        (1, [reply(301, "ada", "reply to an old check-in", day(35))], 0, LABELS, 301, True),
        (1, [reply(150, "ada", "before an old check-in", day(25))], 0, LABELS, 0, False),
    ],
    ids=[
        "mentee-replied",
        "mentor-replied-case-insensitive",
        "stranger-replied",
        "slash-command-is-not-a-reply",
        "already-flagged",
        "new-reply-after-a-flag",
        "label-already-there",
        "comment-before-the-check-in",
        "no-check-in-yet",
        "check-in-older-than-what-was-read",
        "comment-before-a-check-in-older-than-what-was-read",
    ],
)
def test_reply_flag(card_n, comments, flagged, labels, expected_flag, adds_label):
    m = mentorship(checkin=card_n, flagged=flagged)
    p = plan(m, *comments, labels=labels, today=day(20 if card_n == 0 else 40))
    assert card_after(p, m).flagged == expected_flag
    assert (AddLabels(7, (NEEDS,)) in p.writes) is adds_label
    if adds_label:
        assert any(isinstance(w, EnsureLabel) and w.name == NEEDS for w in p.writes)
    assert posts(p) == []


# --------------------------------------------------------------------------- waiting nudge


def waiting(since=date(2026, 3, 1)):
    return mentorship(
        status="waiting", mentors=(), started=None, history=((since, "waiting"),), applied=since
    )


@pytest.mark.parametrize(
    ("comments", "today", "nudged"),
    [
        ([], date(2026, 3, 15), True),
        ([], date(2026, 3, 14), False),
        ([bot(301, "nudge", {"on": "2026-03-15"}, date(2026, 3, 15))], date(2026, 3, 28), False),
        ([bot(301, "nudge", {"on": "2026-03-15"}, date(2026, 3, 15))], date(2026, 3, 29), False),
        ([bot(301, "nudge", {"on": "2026-03-15"}, date(2026, 3, 15))], date(2026, 9, 1), False),
        (
            [bot(301, "nudge", {"on": "2026-03-28"}, date(2026, 3, 28), "eve")],
            date(2026, 3, 29),
            True,
        ),
        ([], date(2026, 5, 20), True),
        ([bot(301, "nudge", {"on": "2026-02-20"}, date(2026, 2, 20))], date(2026, 3, 15), True),
    ],
    ids=[
        "waited-14-days",
        "13-days",
        "nudged-13-days-ago",
        "nudged-14-days-ago-once-is-enough",
        "nudged-months-ago-still-once",
        "forged-nudge",
        "after-a-long-gap-just-one",
        "a-nudge-from-an-earlier-wait-does-not-count",
    ],
)
def test_waiting_nudge(comments, today, nudged):
    m = waiting()
    labels = ("mentoring: application", "status: waiting", "role: maintainer")
    p = plan(m, *comments, labels=labels, today=today)
    assert posted_markers(p) == ([("nudge", {"on": today.isoformat()})] if nudged else [])
    if nudged:
        assert "@octo-coordinator" in posts(p)[0].body
        assert "Maintainer" in posts(p)[0].body
        assert p.writes == tuple(posts(p))  # the card does not change


@pytest.mark.parametrize(
    ("reminded", "nudged"),
    [
        pytest.param(date(2026, 3, 15), False, id="card-remembers-the-nudge"),
        pytest.param(date(2026, 2, 20), True, id="card-remembers-an-earlier-wait"),
        pytest.param(None, True, id="nothing-remembered"),
    ],
)
def test_a_nudge_that_left_the_window_is_remembered_by_the_card(reminded, nudged):
    m = dataclasses.replace(waiting(), reminded=reminded)
    labels = ("mentoring: application", "status: waiting", "role: maintainer")
    p = plan(m, labels=labels, today=date(2026, 9, 1))
    assert [k for k, _ in posted_markers(p)] == (["nudge"] if nudged else [])


def test_no_nudge_when_paired():
    assert posts(plan(mentorship(), today=day(20))) == []


# --------------------------------------------------------------------------- needs-info reminder


ASKED = date(2026, 3, 1)


def needs_info(mentee="ada"):
    return mentorship(
        status="needs-info",
        mentee=mentee,
        mentors=(),
        started=None,
        applied=ASKED,
        history=((ASKED, "needs-info"),),
    )


def ask(on=ASKED, updated=None, author=BOT):
    return bot(201, "needs-info", {}, on, author=author, updated=updated)


@pytest.mark.parametrize(
    ("mentee", "comments", "today", "reminded"),
    [
        ("ada", [ask()], date(2026, 3, 15), True),
        ("ada", [ask()], date(2026, 3, 14), False),
        (
            "ada",
            [ask(), said(301, "ada", "I will add it", date(2026, 3, 10))],
            date(2026, 3, 20),
            False,
        ),
        ("ada", [ask(), said(301, "ada", "soon", date(2026, 3, 10))], date(2026, 3, 24), True),
        ("ada", [ask(), said(301, "sam", "+1", date(2026, 3, 10))], date(2026, 3, 15), True),
        (
            "ada",
            [ask(), bot(302, "reminder", {"on": "2026-03-15"}, date(2026, 3, 15))],
            date(2026, 4, 30),
            False,
        ),
        (
            "ada",
            [
                ask(updated=date(2026, 3, 20)),
                bot(302, "reminder", {"on": "2026-03-15"}, date(2026, 3, 15)),
            ],
            date(2026, 4, 3),
            True,
        ),
        ("ada", [], date(2026, 3, 15), True),
        ("ada", [ask(author="eve")], date(2026, 3, 15), True),
        (None, [ask()], date(2026, 3, 15), True),
    ],
    ids=[
        "no-answer-for-14-days",
        "13-days",
        "applicant-answered",
        "applicant-answered-then-silent",
        "someone-else-answered",
        "already-reminded-once",
        "asked-again-after-the-reminder",
        "ask-older-than-the-window-uses-the-card",
        "forged-ask-falls-back-to-the-card",
        "mentee-unknown-uses-issue-author",
    ],
)
def test_needs_info_reminder(mentee, comments, today, reminded):
    m = needs_info(mentee)
    labels = ("mentoring: application", "status: needs-info")
    p = plan(m, *comments, labels=labels, today=today)
    assert [k for k, _ in posted_markers(p)] == (["reminder"] if reminded else [])
    if reminded:
        assert posts(p)[0].body.startswith("@ada")


def test_no_reminder_when_the_applicant_account_was_deleted():
    m = needs_info(mentee=None)
    p = plan(m, ask(), labels=("mentoring: application",), today=date(2026, 4, 1), author=None)
    assert p.writes == ()


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("body", "expected"),
    [("/ready", True), ("  /pause 2026-05-01", True), ("I'll /ready later", False), ("", False)],
    ids=["command", "indented-command", "mid-sentence", "empty"],
)
def test_is_command(body, expected):
    assert checkins.is_command(body) is expected


def test_window_covers_a_cadence_and_the_longest_wait():
    settings = PROGRAM.settings
    assert checkins.window_days(settings) == 30 + 14 + 7
    longer = dataclasses.replace(
        settings, nudges=dataclasses.replace(settings.nudges, waiting_for_mentor_days=40)
    )
    assert checkins.window_days(longer) == 30 + 40 + 7


def test_second_plan_after_the_first_is_applied_is_empty():
    """What the first plan posts, the second one sees: nothing is posted twice."""
    m = mentorship(checkin=2)
    first = plan(m, checkin(202, 2), today=day(104))
    [post] = posts(first)
    done = Comment(400, 7, BOT, post.body, at(day(104)), at(day(104)))
    after = card_after(first, m)
    edited = card(after, on=day(104))  # the first plan's card edit, as GitHub shows it
    second = checkins.plan_issue(
        issue(after, comments=(edited, checkin(202, 2), done)), after, PROGRAM, MESSAGES, day(104)
    )
    assert second.writes == ()


# ------------------------------------------------------------ keeping the card in the window

WINDOW = 30 + 14 + 7  # checkins.window_days for PROGRAM


@pytest.mark.parametrize(
    ("status", "card_age", "expect_edit"),
    [
        pytest.param("needs-info", WINDOW - 8, False, id="young-card-left-alone"),
        pytest.param("needs-info", WINDOW - 7, True, id="about-to-leave-the-window"),
        pytest.param("needs-info", 400, True, id="long-out-of-the-window"),
        pytest.param("paused", WINDOW - 7, True, id="long-pause"),
        pytest.param("withdrawn", 400, False, id="closed-status-never-refreshed"),
    ],
)
def test_keep_alive_refreshes_an_idle_card(status, card_age, expect_edit):
    today = date(2027, 6, 1)
    m = dataclasses.replace(
        needs_info("ada"), status=status, paused_until=date(2028, 1, 1), card_id=100
    )
    old = card(m, on=today - timedelta(days=card_age))
    kept = checkins.keep_alive((old,), m, PROGRAM, today)
    assert (kept.checked == today) is expect_edit
    assert (kept == m) is not expect_edit


def test_keep_alive_carries_the_reminder_that_leaves_the_window():
    today = date(2027, 6, 1)
    m = dataclasses.replace(needs_info("ada"), card_id=100)
    old = card(m, on=today - timedelta(days=60))
    reminder = bot(301, "reminder", {"on": "2027-05-01"}, date(2027, 5, 1))
    kept = checkins.keep_alive((old, reminder), m, PROGRAM, today)
    assert kept.reminded == date(2027, 5, 1)
    assert state.from_data(7, state.to_data(kept)) == dataclasses.replace(kept, card_id=None)


def test_no_second_reminder_once_the_first_left_the_window():
    """The card remembers the reminder: a needs-info application idle for months is
    reminded once, however long it waits."""
    m = dataclasses.replace(needs_info("ada"), reminded=date(2026, 3, 16))
    labels = ("mentoring: application", "status: needs-info")
    p = plan(m, labels=labels, today=date(2026, 9, 1))  # the ask and the reminder are gone
    assert [k for k, _ in posted_markers(p)] == []


def test_an_idle_card_gets_one_edit_and_no_comment():
    m = dataclasses.replace(needs_info("ada"), reminded=date(2026, 3, 16))
    labels = ("mentoring: application", "status: needs-info")
    p = plan(m, labels=labels, today=date(2026, 9, 1))
    assert posts(p) == []
    assert [w.key for w in p.writes if isinstance(w, EditComment)] == ["card"]
    again = card_after(p, m)
    edited = card(again, on=date(2026, 9, 1))
    second = checkins.plan_issue(
        issue(again, comments=(edited,), labels=labels), again, PROGRAM, MESSAGES, date(2026, 9, 1)
    )
    assert [w for w in second.writes if isinstance(w, (EditComment, PostComment))] == []
