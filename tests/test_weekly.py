"""A cohort's tracking issue and weekly reports, pure: creation, catch-up, nothing early."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentoring.core import cohort_steps, cohorts, markers, weekly
from mentoring.core.activity import Counts
from mentoring.core.cohorts import Cohort, Period
from mentoring.core.model import Comment, CreateIssue, EditIssue, Issue, PostComment
from mentoring.core.state import Mentorship
from mentoring.program.config import load_program
from mentoring.program.templates import Messages
from tests.support import REPO_ROOT

BOT = "github-actions[bot]"
PROGRAM = load_program(REPO_ROOT)
MESSAGES = Messages(REPO_ROOT)
T = datetime(2027, 3, 1, 5, tzinfo=UTC)
COHORT = Cohort(
    "r1",
    "Round 1",
    applications=Period(date(2027, 1, 4), date(2027, 1, 24)),
    contribution=Period(date(2027, 1, 11), date(2027, 2, 7)),
    announce=date(2027, 2, 11),
    seats=2,
    start=date(2027, 2, 15),
    end=date(2027, 4, 25),
    checkin_days=7,
    report_days=7,
    criteria=(("merged_pulls", 2),),
)
PROGRAM = dataclasses.replace(PROGRAM, cohorts=(COHORT,))
CARDS = (
    Mentorship(3, "ada", "active", cohort="r1", decision="selected", started=COHORT.start),
    Mentorship(4, "bob", "waiting", cohort="r1", decision="waitlisted"),
    Mentorship(5, "cy", "waiting", cohort="r1"),
)
COUNTS = {"ada": Counts(pulls=2, merged_pulls=1), "bob": Counts(pulls=5), "cy": Counts()}


def tracking(*reports: int, body: str = "") -> Issue:
    comments = tuple(
        Comment(100 + n, 2, BOT, markers.make(weekly.WEEK, {"cohort": "r1", "n": n}), T, T)
        for n in reports
    )
    body = body or markers.make(weekly.TRACKING, {"cohort": "r1"})
    return Issue(2, "Cohort: Round 1", body, BOT, "open", (weekly.LABEL,), comments=comments)


def facts(today: date, **changes) -> weekly.Facts:
    base = weekly.Facts(cards=CARDS, counts_on=today, to_date=COUNTS, this_week=COUNTS)
    return dataclasses.replace(base, **changes)


def test_the_tracking_issue_is_created_once():
    plan = weekly.plan(COHORT, None, facts(date(2027, 1, 4)), PROGRAM, MESSAGES, date(2027, 1, 4))
    (create,) = [w for w in plan.writes if isinstance(w, CreateIssue)]
    assert create.labels == (weekly.LABEL,) and "Round 1" in create.title
    issue = Issue(2, create.title, create.body, BOT, "open", (weekly.LABEL,))
    assert weekly.find([issue], BOT, COHORT) == issue
    assert weekly.find([dataclasses.replace(issue, author="mallory")], BOT, COHORT) is None


def test_before_the_announcement_no_decision_shows():
    body = weekly.dashboard_body(
        COHORT, facts(date(2027, 2, 10)), PROGRAM, MESSAGES, date(2027, 2, 10)
    )
    text = markers.remove(body)
    for word in ("selected", "waitlist", "met", "not yet"):
        assert word not in text.replace("No selection decision", "")
    assert "@\u200bbob" in text and "| 5 |" in text  # contributions are public anyway


def test_after_the_announcement_participants_only():
    body = weekly.dashboard_body(
        COHORT, facts(date(2027, 3, 1)), PROGRAM, MESSAGES, date(2027, 3, 1)
    )
    text = markers.remove(body)
    assert "@\u200bada" in text and "@\u200bbob" not in text
    assert "3 applied" in text and "1 selected (2 seats)" in text


@pytest.mark.parametrize(
    ("posted", "today", "owed"),
    [
        pytest.param((), date(2027, 2, 21), 0, id="first-week-not-over"),
        pytest.param((), date(2027, 2, 22), 1, id="day-after-week-1"),
        pytest.param((1,), date(2027, 2, 23), 0, id="posted-already"),
        pytest.param((1, 2), date(2027, 3, 23), 5, id="late-run-owes-only-the-latest"),
        pytest.param(tuple(range(1, 10)), date(2027, 4, 26), 10, id="the-last-week"),
        pytest.param(tuple(range(1, 11)), date(2027, 5, 3), 0, id="after-the-last"),
    ],
)
def test_report_owed(posted, today, owed):
    assert weekly.report_owed(COHORT, tracking(*posted), BOT, today) == owed


def test_the_owed_report_is_posted_once():
    today = date(2027, 3, 23)
    plan = weekly.plan(COHORT, tracking(1, 2), facts(today), PROGRAM, MESSAGES, today)
    (report,) = [w for w in plan.writes if isinstance(w, PostComment)]
    assert report.key == weekly.WEEK and "week 5 of 10" in report.body
    assert "@\u200bada" in report.body and "@\u200bbob" not in report.body
    body = next(w.body for w in plan.writes if isinstance(w, EditIssue))
    done = tracking(1, 2, 5, body=body)
    again = weekly.plan(COHORT, done, facts(today), PROGRAM, MESSAGES, today)
    assert again.writes == ()


def test_no_report_without_tonights_counts():
    today = date(2027, 3, 23)
    plan = weekly.plan(
        COHORT, tracking(1, 2), facts(today, counts_on=None), PROGRAM, MESSAGES, today
    )
    assert not any(isinstance(w, PostComment) for w in plan.writes)
    assert any("not read" in text for _, text in plan.notes)


def test_counts_are_kept_in_the_marker():
    today = date(2027, 3, 1)
    body = weekly.dashboard_body(COHORT, facts(today), PROGRAM, MESSAGES, today)
    on, to_date, _ = weekly.stored_counts(tracking(body=body), BOT)
    assert on == today and to_date["ada"] == COUNTS["ada"]


@pytest.mark.parametrize(
    ("refreshed", "today", "due"),
    [
        pytest.param(date(2027, 3, 1), date(2027, 3, 2), False, id="a-quiet-night"),
        pytest.param(date(2027, 3, 1), date(2027, 3, 8), True, id="a-week-on"),
        pytest.param(date(2027, 2, 10), date(2027, 2, 11), True, id="announcement-day"),
        pytest.param(date(2027, 2, 20), date(2027, 2, 22), True, id="a-report-falls-due"),
    ],
)
def test_refresh_due(refreshed, today, due):
    body = markers.make(weekly.TRACKING, {"cohort": "r1", "refreshed": refreshed.isoformat()})
    assert weekly.refresh_due(COHORT, tracking(body=body), BOT, today) is due


def test_flags():
    today = date(2027, 3, 1)
    quiet = facts(today, unanswered=frozenset({3}), last_two_weeks={})
    row = weekly._row(CARDS[0], quiet, COHORT)
    assert row["flags"] == ["check-in unanswered", "no activity for 14 days"]


# --------------------------------------------------------------------------- parsers


@given(st.text())
def test_cohort_answer_never_fails(body):
    answer = cohort_steps.cohort_answer(body)
    assert isinstance(answer, str)
    assert cohorts.named(answer, (COHORT,)) in (None, COHORT)


@given(st.text(max_size=60))
def test_extend_and_select_arguments_never_fail(args):
    from mentoring.core import intake, pairing

    m = CARDS[0]
    card = Comment(m.card_id or 9, 3, BOT, "x", T, T)
    comment = Comment(500, 3, "octo-coordinator", f"/extend {args}\n/select {args}", T, T)
    issue = Issue(3, "t", "b", "ada", "open", comments=(card, comment))
    step = pairing.on_comment(
        issue, m, comment, PROGRAM, MESSAGES, date(2027, 3, 1), assignable=(), handbooks=("a", "b")
    )
    assert isinstance(step, intake.Step)


def test_a_large_cohort_stays_under_githubs_body_limit():
    many = tuple(
        Mentorship(i, f"applicant-name-{i:04d}", "waiting", cohort="r1") for i in range(2000)
    )
    counts = {f"applicant-name-{i:04d}": Counts(3, 2, 1, 4, 9) for i in range(2000)}
    today = date(2027, 2, 1)
    big = weekly.Facts(cards=many, counts_on=today, to_date=counts, last_two_weeks=counts)
    body = weekly.dashboard_body(COHORT, big, PROGRAM, MESSAGES, today)
    assert len(body) < 65_536
    assert f"{2000 - weekly.MAX_ROWS} more applicants" in body
    assert "2000 applied" in body


END = COHORT.end  # 2027-04-25: marks on 2027-05-25, 2027-10-25, 2028-04-25


def recorded(*months: int) -> Issue:
    return tracking(body=markers.make(weekly.TRACKING, {"cohort": "r1", "followups": list(months)}))


@pytest.mark.parametrize(
    ("issue", "today", "owed"),
    [
        pytest.param(tracking(), date(2027, 5, 24), 0, id="before-the-first-mark"),
        pytest.param(tracking(), date(2027, 5, 25), 1, id="on-the-first-mark"),
        pytest.param(tracking(), date(2027, 8, 25), 1, id="three-months-late-still-owed"),
        pytest.param(recorded(1), date(2027, 8, 25), 0, id="posted-and-recorded"),
        pytest.param(tracking(), date(2027, 12, 1), 1, id="two-missed-the-oldest-first"),
        pytest.param(recorded(1), date(2027, 12, 1), 6, id="then-the-next"),
        pytest.param(recorded(1, 6, 12), date(2029, 1, 1), 0, id="all-done"),
        pytest.param(None, date(2027, 6, 1), 0, id="no-tracking-issue"),
    ],
)
def test_followup_owed(issue, today, owed):
    assert weekly.followup_owed(COHORT, issue, BOT, today) == owed


def test_followup_owed_needs_an_end():
    assert (
        weekly.followup_owed(dataclasses.replace(COHORT, end=None), tracking(), BOT, T.date()) == 0
    )


def test_a_record_by_someone_else_does_not_count():
    forged = dataclasses.replace(recorded(1), author="mallory")
    assert weekly.followups_recorded(forged, BOT) == set()


@pytest.mark.parametrize(
    ("today", "late"),
    [
        pytest.param(date(2027, 5, 25), False, id="on-the-mark"),
        pytest.param(date(2027, 8, 25), True, id="three-months-late"),
    ],
)
def test_the_follow_up_is_posted_once_and_recorded(today, late):
    plan = weekly.followup(
        COHORT,
        tracking(),
        1,
        {"ada": True, "bob": False},
        date(2027, 5, 25),
        PROGRAM,
        MESSAGES,
        today,
    )
    post, record = plan.writes
    assert isinstance(post, PostComment) and "**1 of 2**" in post.body
    assert ("Measured on 2027-08-25" in post.body) is late
    assert isinstance(record, EditIssue)
    back = dataclasses.replace(tracking(), body=record.body)
    assert weekly.followups_recorded(back, BOT) == {1}
    assert weekly.followup_owed(COHORT, back, BOT, today) == 0


def test_a_follow_up_posted_but_not_recorded_is_only_recorded():
    posted = Comment(
        300, 2, BOT, markers.make(weekly.FOLLOWUP, {"cohort": "r1", "months": 1}), T, T
    )
    issue = dataclasses.replace(tracking(), comments=(posted,))
    plan = weekly.followup(COHORT, issue, 1, {}, date(2027, 5, 25), PROGRAM, MESSAGES, T.date())
    (record,) = plan.writes
    assert isinstance(record, EditIssue)
