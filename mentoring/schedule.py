"""Date arithmetic of the check-in schedule: what is due when, from dates alone.

Check-in ``n`` (n >= 1) of a mentorship that started on ``S`` is due on
``S + n * every_days``. Every ``assessment_every``-th check-in also asks the
mentor for an assessment. Check-ins that fell due before the mentorship last
resumed are not owed: a pause skips them rather than piling them up.
Nothing here knows whether a cron run fired: only dates and what was posted.
"""

from __future__ import annotations

from datetime import date, timedelta


def due_date(started: date, n: int, every_days: int) -> date:
    return started + timedelta(days=n * every_days)


def latest_due(started: date, today: date, every_days: int, *, after: date | None = None) -> int:
    """The number of the latest check-in due on or before ``today`` (0 if none).

    With ``after`` (the day the mentorship last resumed), a check-in due on or
    before that day is not owed, so 0 is returned if the latest one is not later.
    """
    if today < started:
        return 0
    n = (today - started).days // every_days
    if n < 1:
        return 0
    if after is not None and due_date(started, n, every_days) <= after:
        return 0
    return n


def is_assessment(n: int, assessment_every: int) -> bool:
    return n >= 1 and assessment_every > 0 and n % assessment_every == 0


def missed_assessment(last_posted: int, n: int, assessment_every: int) -> bool:
    """Whether any check-in after ``last_posted`` up to ``n`` should have carried an assessment."""
    return any(is_assessment(k, assessment_every) for k in range(last_posted + 1, n + 1))


def next_checkin(
    started: date, every_days: int, last_posted: int, *, after: date | None = None
) -> tuple[int, date]:
    """The next check-in still to post: its number and due date."""
    n = last_posted + 1
    if after is not None:
        while due_date(started, n, every_days) <= after:
            n += 1
    return n, due_date(started, n, every_days)
