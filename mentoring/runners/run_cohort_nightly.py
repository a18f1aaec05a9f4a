"""The nightly's cohort pass: each live cohort's tracking issue, dashboard and weekly report.

Runs after the applications' pass (`run_nightly.one_pass`), only for programs with
cohorts.yml. Reads, per night: one listing of the tracking issues, the comments
of each live cohort's tracking issue, the status cards (one repo-wide comment
listing since the earliest live window opened), and, only when a weekly report
is owed or the counts are a week old, the activity (`read_contributions.read`).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from mentoring.core import activity, checkins, cohort_cards, cohorts, markers, weekly
from mentoring.core.cohorts import Cohort, Period
from mentoring.core.model import Issue
from mentoring.program.config import Program
from mentoring.program.templates import Messages
from mentoring.runners import read_cards, read_contributions

LIVE_AFTER_END_DAYS = 7  # the last weekly report is owed the day after the end


def live(cohort: Cohort, today: date) -> bool:
    """Whether the cohort has a tracking issue to keep today."""
    first = cohort.applications.first if cohort.applications else cohort.start
    last = cohort.end + timedelta(days=LIVE_AFTER_END_DAYS) if cohort.end else None
    if first is None:
        return False
    return first <= today and (last is None or today <= last)


def unanswered(issues: tuple[Issue, ...], cards: dict, bot: str, today: date) -> frozenset[int]:
    """Issues whose latest check-in is older than a few days with no reply by the mentee or
    a mentor (from the comments the nightly read)."""
    found = set()
    for issue in issues:
        m = cards.get(issue.number)
        if m is None or m.status != "active":
            continue
        posted = checkins.checkins_posted(issue.comments, bot)
        if not posted:
            continue
        last = posted[-1].comment
        if (today - last.created_at.date()).days < weekly.UNANSWERED_DAYS:
            continue
        people = [m.mentee, *m.mentors]
        replied = any(c.id > last.id and any(c.by(p) for p in people if p) for c in issue.comments)
        if not replied:
            found.add(issue.number)
    return frozenset(found)


def run(gateway: Any, program: Program, messages: Messages, snapshot: Any, today: date) -> None:
    """Keep every live cohort's tracking issue; writes go through ``gateway.apply``."""
    if not program.cohorts:
        return
    current = [c for c in program.cohorts if live(c, today)]
    following = [c for c in program.cohorts if weekly.followups_passed(c, today)]
    if not current and not following:
        return
    bot = program.settings.bot_login
    listed = gateway.issues(state="all", labels=[weekly.LABEL])
    for cohort in following:
        found = weekly.find(listed, bot, cohort)
        months = weekly.followup_owed(cohort, found, bot, today)
        if months:
            follow_up(gateway, program, messages, cohort, found, months, today)
    showing = [c for c in current if cohort_cards.showing(c, today)]
    current = [c for c in current if weekly.refresh_due(c, weekly.find(listed, bot, c), bot, today)]
    read: dict[str, tuple] = {}  # cohort id: (counts_on, to_date) as refreshed tonight
    if current:
        read = refresh(gateway, program, messages, snapshot, listed, current, today)
    for cohort in showing:
        counts = read.get(cohort.id) or weekly.stored_counts(weekly.find(listed, bot, cohort), bot)
        on, to_date = counts[0], counts[1]
        cards_plan(gateway, program, messages, snapshot, cohort, on, to_date, today)


def dashboard_part(program: Program, messages: Messages, mentorships: Any, today: date) -> str:
    """The program dashboard's cohort section (`core/cohort_dashboard.py`), with the form's cohort
    dropdown read from the checkout."""
    from mentoring.core import cohort_dashboard
    from mentoring.program import form

    top = program.layout.top
    drift = form.cohort_form_drift(top, program, today) if top is not None else None
    return cohort_dashboard.part(mentorships, program, messages, today, drift)


def cards_plan(
    gateway: Any,
    program: Program,
    messages: Messages,
    snapshot: Any,
    cohort: Cohort,
    on: date | None,
    to_date: dict,
    today: date,
) -> None:
    """The applicants' cards whose contribution counts changed and whose night it is, from
    the cards the nightly read and the counts kept on the tracking issue: no read of its own.
    Cards this run wrote already are left for the next night."""
    report = gateway.report
    busy = {*report.written, *report.deferred, *report.skipped, *report.failed}
    limit = max(1, program.settings.writes.max_per_run // 2)
    cards = tuple(snapshot.mentorships.values())
    gateway.apply(
        cohort_cards.plan(
            cohort, cards, to_date, on, program, messages, today, limit=limit, busy=busy
        )
    )


def refresh(
    gateway: Any,
    program: Program,
    messages: Messages,
    snapshot: Any,
    listed: Any,
    current: list[Cohort],
    today: date,
) -> dict[str, tuple]:
    """Render the tracking issues due tonight (reading the activity when it is due); the
    counts each one now shows, by cohort id."""
    bot = program.settings.bot_login
    shown: dict[str, tuple] = {}
    cards = read_cards.cards(gateway, program, cohorts_=current)
    outside = tuple(
        n
        for n, m in sorted(snapshot.mentorships.items())
        if m.cohort is None and m.status == "waiting"
    )
    asked = unanswered(snapshot.issues, snapshot.mentorships, bot, today)
    for cohort in current:
        found = weekly.find(listed, bot, cohort)
        tracking = None
        if found is not None:
            tracking = dataclasses.replace(
                found, comments=tuple(gateway.issue_comments(found.number))
            )
        facts = weekly.Facts(
            cards=tuple(m for m in cards if m.cohort == cohort.id),
            unanswered=asked,
            outside=outside,
        )
        if tracking is not None and weekly.activity_due(cohort, tracking, bot, today):
            facts = read_activity(gateway, program, cohort, facts, tracking, today)
        else:  # the counts of the last read, kept in the tracking issue's marker
            on, to_date, recent = weekly.stored_counts(tracking, bot)
            facts = dataclasses.replace(facts, counts_on=on, to_date=to_date, last_two_weeks=recent)
        gateway.apply(weekly.plan(cohort, tracking, facts, program, messages, today))
        shown[cohort.id] = (facts.counts_on, dict(facts.to_date))
    return shown


def follow_up(
    gateway: Any,
    program: Program,
    messages: Messages,
    cohort: Cohort,
    found: Issue,
    months: int,
    today: date,
) -> None:
    """A follow-up mark owed (its day came, the tracking issue does not record it): measure
    the participants' activity in the 30 days up to the mark, however late, and post it on
    the tracking issue once. Costs the tracking issue's comments, the cards and the activity
    since the mark's window opened, once."""
    from mentoring.core.cohort_report import mark_period

    settings = program.settings.activity
    if not settings or not settings.repositories:
        return
    tracking = dataclasses.replace(found, comments=tuple(gateway.issue_comments(found.number)))
    bot = program.settings.bot_login
    day, window = mark_period(cohort, months)
    posted = any(
        d.get("months") == months for _, d in markers.find(tracking.comments, bot, weekly.FOLLOWUP)
    )
    active: dict[str, bool] = {}
    if not posted:  # else the plan only records it in the marker
        people = [
            m.mentee
            for m in read_cards.cards(gateway, program, cohorts_=[cohort])
            if m.cohort == cohort.id and m.decision == "selected" and m.mentee
        ]
        snapshot = read_contributions.read(
            gateway,
            settings.repositories,
            datetime.combine(window.first, time.min, UTC),
            max_review_reads=settings.max_review_reads,
            until=datetime.combine(window.last, time.max, UTC),
        )
        counts = activity.tally(snapshot, people, window)
        active = {login: counts[login.lower()].active for login in people}
    gateway.apply(weekly.followup(cohort, tracking, months, active, day, program, messages, today))


def read_activity(
    gateway: Any,
    program: Program,
    cohort: Cohort,
    facts: weekly.Facts,
    tracking: Issue,
    today: date,
) -> weekly.Facts:
    """Read the repositories and count: to date (since the start, or over the contribution
    period before it), the week a report is owed for, and the last two weeks."""
    settings = program.settings.activity
    repositories = settings.repositories if settings else ()
    if not repositories:
        return dataclasses.replace(facts, counts_on=today)
    n = weekly.report_owed(cohort, tracking, program.settings.bot_login, today)
    if cohort.start is not None and today > cohort.start:
        whole = Period(cohort.start, today - timedelta(days=1))
    elif cohort.contribution is not None:
        whole = Period(cohort.contribution.first, min(cohort.contribution.last, today))
    else:
        whole = Period(today - timedelta(days=7), today)
    week = cohorts.week_bounds(cohort, n) if n else Period(today - timedelta(days=7), today)
    if n:
        whole = Period(whole.first, week.last)
    recent = Period(whole.last - timedelta(days=weekly.QUIET_DAYS - 1), whole.last)
    since = min(whole.first, recent.first)
    snapshot = read_contributions.read(
        gateway,
        repositories,
        datetime.combine(since, time.min, UTC),
        max_review_reads=settings.max_review_reads,
    )
    logins = [m.mentee for m in facts.cards if m.mentee]
    return dataclasses.replace(
        facts,
        counts_on=today,
        to_date=activity.tally(snapshot, logins, whole),
        this_week=activity.tally(snapshot, logins, week),
        last_two_weeks=activity.tally(snapshot, logins, recent),
        reviews_unread=snapshot.reviews_unread,
    )
