"""Schedule arithmetic: due dates, catch-up, pauses."""

from datetime import date, timedelta

import pytest

from mentoring.core import schedule

S = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("today", "after", "expected"),
    [
        (S, None, 0),
        (S + timedelta(days=29), None, 0),
        (S + timedelta(days=30), None, 1),
        (S + timedelta(days=95), None, 3),
        (S - timedelta(days=1), None, 0),
        (S + timedelta(days=65), S + timedelta(days=61), 0),  # check-in 2 fell before the resume
        (S + timedelta(days=90), S + timedelta(days=61), 3),
    ],
    ids=["start-day", "day-29", "day-30", "day-95", "before-start", "paused-over", "after-resume"],
)
def test_latest_due(today, after, expected):
    assert schedule.latest_due(S, today, 30, after=after) == expected


@pytest.mark.parametrize(
    ("last", "n", "expected"),
    [(0, 2, False), (0, 3, True), (2, 4, True), (3, 5, False), (5, 6, True)],
    ids=["none", "third", "skipped-third", "after-third", "sixth"],
)
def test_missed_assessment(last, n, expected):
    assert schedule.missed_assessment(last, n, 3) is expected


def test_next_checkin_skips_what_fell_in_a_pause():
    assert schedule.next_checkin(S, 30, 1) == (2, S + timedelta(days=60))
    assert schedule.next_checkin(S, 30, 1, after=S + timedelta(days=75)) == (
        3,
        S + timedelta(days=90),
    )


def test_a_year_has_twelve_checkins_and_four_assessments():
    days = [S + timedelta(days=d) for d in range(1, 366)]
    posted = []
    for today in days:
        n = schedule.latest_due(S, today, 30)
        if n and (not posted or posted[-1] < n):
            posted.append(n)
    assert posted == list(range(1, 13))
    assert sum(schedule.is_assessment(n, 3) for n in posted) == 4
