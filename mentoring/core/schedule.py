"""Date arithmetic of the check-in schedule: what is due when, from dates alone.

Check-in ``n`` (n >= 1) of a mentorship that started on ``S`` is due on
``S + n * every_days``. Every ``assessment_every``-th check-in also asks the
mentor for an assessment. Check-ins that fell due before the mentorship last
resumed are not owed: a pause skips them rather than piling them up.
Nothing here knows whether a cron run fired: only dates and what was posted.
Dates the user gives are bounded to ``EARLIEST``..``LATEST``; arithmetic here
saturates at the ends of the calendar instead of overflowing.
"""

from __future__ import annotations

from datetime import date

# The dates the tool accepts (--today, --since, --until, participants.yml): GitHub has
# nothing before 1970; 9000 leaves a thousand years of room for dates computed forward.
EARLIEST = date(1970, 1, 1)
LATEST = date(9000, 12, 31)


def add_days(day: date, days: int) -> date:
    """``day`` plus ``days`` (either sign), held within the calendar instead of overflowing."""
    ordinal = day.toordinal() + days
    return date.fromordinal(min(max(ordinal, date.min.toordinal()), date.max.toordinal()))


def due_date(started: date, n: int, every_days: int) -> date:
    return add_days(started, n * every_days)


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
    if assessment_every <= 0:
        return False
    return n // assessment_every > max(last_posted, 0) // assessment_every  # a multiple in between


def next_checkin(
    started: date, every_days: int, last_posted: int, *, after: date | None = None
) -> tuple[int, date]:
    """The next check-in still to post: its number and due date."""
    n = last_posted + 1
    if after is not None and due_date(started, n, every_days) <= after:
        n = max(n, (after - started).days // every_days + 1)  # the first one due after it
    return n, due_date(started, n, every_days)
