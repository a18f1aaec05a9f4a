"""Scheduled check-ins: what the nightly pass owes one application on a given day.

`plan_issue` looks at one open application (its snapshot with whatever comments
were read, and the state in its status card) and returns the writes due today:

- an *active* mentorship gets check-in ``n`` once it is due (only the latest due
  one after a gap, carrying a missed assessment), an escalation to the
  coordinators when an assessment goes unanswered, and a flag for the
  coordinators when its mentor or mentee replies to a check-in;
- a *paused* one resumes on the day its pause ends, with a short note;
- a *waiting* application nudges the coordinators every few days;
- a *needs-info* application reminds its applicant once.

What was already done is read from the card and from the bot's own markers,
never from whether a cron run fired, so running it twice writes nothing the
second time, and a run that died halfway is finished without duplicates.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from mentoring.core import markers, schedule, state
from mentoring.core.model import (
    AddLabels,
    Comment,
    EnsureLabel,
    Issue,
    Plan,
    PostComment,
    Write,
    lower,
)
from mentoring.core.state import Mentorship
from mentoring.program.config import Program, Settings
from mentoring.program.templates import Messages, with_marker

CHECKIN = "checkin"
ESCALATION = "escalation"
NUDGE = "nudge"
REMINDER = "reminder"
RESUMED = "resumed"
NEEDS_INFO = "needs-info"
FLAG_COLOR = "b60205"
WINDOW_MARGIN_DAYS = 7

_COMMAND = re.compile(r"\s*/[A-Za-z]")


# --------------------------------------------------------------------------- helpers


def window_days(settings: Settings) -> int:
    """How far back the nightly pass reads comments: enough to see everything it decides on.

    The last check-in (one cadence back), the comments that answer it, and the
    latest escalation, nudge or reminder all fall inside this many days.
    """
    longest = max(
        settings.checkins.escalate_after_days,
        settings.nudges.waiting_for_mentor_days,
        settings.nudges.needs_info_days,
    )
    return settings.checkins.every_days + longest + WINDOW_MARGIN_DAYS


def is_command(body: str) -> bool:
    """Whether a comment is a slash command (``/ready``, ``/pause …``) rather than a reply."""
    return bool(_COMMAND.match(body or ""))


def _number(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass(frozen=True)
class Posted:
    """A check-in the bot posted, as its marker describes it."""

    comment: Comment
    n: int
    due: str
    assessment: bool


def checkins_posted(comments: Sequence[Comment], bot: str) -> list[Posted]:
    """The bot's check-in comments, in order of their number, then of posting."""
    found = [
        Posted(c, _number(data.get("n")), str(data.get("due")), data.get("assessment") is True)
        for c, data in markers.find(comments, bot, CHECKIN)
    ]
    return sorted((p for p in found if p.n > 0), key=lambda p: (p.n, p.comment.id))


def last_posted(m: Mentorship, comments: Sequence[Comment], bot: str, every_days: int) -> int:
    """The number of the last check-in posted: the card's, or a later one a run left unrecorded.

    A check-in comment counts only if it belongs to this mentorship's schedule (its due
    date is check-in n's), so one from an earlier pairing on the same issue does not.
    """
    if m.started is None:
        return m.checkin
    started = m.started
    ours = [
        p.n
        for p in checkins_posted(comments, bot)
        if p.due == schedule.due_date(started, p.n, every_days).isoformat()
    ]
    return max([m.checkin, *ours])


# --------------------------------------------------------------------------- the decision


def plan_issue(
    issue: Issue,
    m: Mentorship | None,
    program: Program,
    messages: Messages,
    today: date,
    away: Mapping[str, date] | None = None,
) -> Plan:
    """Everything due today on one application: comments first, then labels and the card.

    ``away``: mentors away today (lowercase login → back on), from `mentors.Ledger.away_on`."""
    number = issue.number
    if issue.is_pull:
        return Plan()
    if not issue.open:
        return Plan.ignore("closed: nothing is scheduled", number)
    if m is None:
        return Plan.ignore("no status card yet: nothing is scheduled", number)
    if m.cohort and program.cohorts:  # a cohort keeps its own dates (core/cohort_steps.py)
        from mentoring.core import cohort_steps

        return cohort_steps.plan_issue(issue, m, program, messages, today)
    comments = tuple(sorted(issue.comments, key=lambda c: c.id))
    posts: list[PostComment] = []
    notes: list[tuple[int, str]] = []
    new = m
    if _resume_due(m, today):
        new, posts = _resume(comments, m, program, messages)
    if new.status == "active":
        if new.started is None:
            notes.append((number, "active without a start date: no check-ins"))
        else:
            new, post = _checkin(comments, new, program, messages, today, away or {})
            posts += post
            new = _answered(comments, new, program)
            new, post = _escalation(comments, new, program, messages, today)
            posts += post
    label_writes: list[Write] = []
    if new.status in ("active", "paused"):
        new, label_writes = _flag(issue, comments, new, program)
    if m.status == "waiting":
        posts += _nudge(issue, comments, m, program, messages, today)
    if m.status == "needs-info":
        posts += _reminder(issue, comments, m, program, messages, today)
    writes: list[Write] = [*posts, *label_writes]
    if not writes and state.to_data(new) == state.to_data(m):
        new = keep_alive(comments, m, program, today)
    if state.to_data(new) != state.to_data(m):
        writes += state.sync(issue, m, new, program, messages)
    if issue.locked and writes:
        what = ", ".join(dict.fromkeys(p.key for p in posts)) or "status card update"
        return Plan(notes=((number, f"locked: {what} not posted"), *notes))
    return Plan(tuple(writes), tuple(notes))


def keep_alive(
    comments: Sequence[Comment], m: Mentorship, program: Program, today: date
) -> Mentorship:
    """The card refreshed when it is about to leave the nightly's comment window, else as is.

    The nightly reads the comments of the last `window_days` (one repo-wide listing); a
    card older than that (an application waiting months for information, a long pause)
    would have its issue read on its own every night: two requests a night, for ever.
    One edit every few weeks (``checked``) keeps it in the window instead, carrying the
    one fact that would leave the window with the comments: the day of the latest
    reminder to the applicant or nudge to the coordinators, each posted once
    (``reminded``).
    """
    bot = program.settings.bot_login
    card = markers.latest(comments, bot, state.CARD)
    if card is None or not m.open:
        return m
    keep = window_days(program.settings) - WINDOW_MARGIN_DAYS
    if (today - card[0].updated_at.date()).days < keep:
        return m
    reminders = [
        c.created_at.date()
        for c, kind, _ in markers.trusted(comments, bot)
        if kind in (REMINDER, NUDGE)
    ]
    reminded = max([d for d in (m.reminded, *reminders) if d is not None], default=None)
    return dataclasses.replace(m, checked=today, reminded=reminded)


def _checkin(
    comments: Sequence[Comment],
    m: Mentorship,
    program: Program,
    messages: Messages,
    today: date,
    away: Mapping[str, date] | None = None,
) -> tuple[Mentorship, list[PostComment]]:
    """The latest due check-in if it was not posted yet; the card catches up with what was.

    Mentors away are not mentioned: a co-mentor who is there, or the coordinators, are."""
    every = program.settings.checkins.every_days
    assert m.started is not None
    posted = last_posted(m, comments, program.settings.bot_login, every)
    n = schedule.latest_due(m.started, today, every, after=m.resumed)
    if n <= posted:
        return dataclasses.replace(m, checkin=posted), []
    # Check-ins that fell due before the last resume are not owed, nor their assessments.
    not_owed = schedule.latest_due(m.started, m.resumed, every) if m.resumed else 0
    assessment = schedule.missed_assessment(
        max(posted, not_owed), n, program.settings.checkins.assessment_every
    )
    due = schedule.due_date(m.started, n, every)
    mention, gone, stand_in = addressed(m, away or {}, program)
    body = messages.render(
        "checkin",
        number=n,
        mentee=m.mentee or "",
        mentors=mention,
        away=gone,
        stand_in=stand_in,
        assessment=assessment,
        due=due.isoformat(),
        late=due < today,
        private_contact=program.settings.private_contact,
    )
    data = {"n": n, "due": due.isoformat(), "assessment": assessment}
    post = PostComment(m.issue, with_marker(body, CHECKIN, data), key=CHECKIN)
    # A new assessment supersedes an escalated one still unanswered.
    escalated = None if assessment else m.escalated
    return dataclasses.replace(m, checkin=n, escalated=escalated), [post]


def addressed(
    m: Mentorship, away: Mapping[str, date], program: Program
) -> tuple[list[str], list[dict[str, str]], list[str]]:
    """Who a check-in mentions: (mentors to mention, mentors away with their dates, stand-ins).

    Mentors away (`/away`, docs/mentors.md) are not mentioned: a co-mentor who is
    there, or else the coordinators, are, and the check-in says so in one line.
    """
    here = [x for x in m.mentors if lower(x) not in away]
    gone = [
        {"login": x, "until": away[lower(x)].isoformat()} for x in m.mentors if lower(x) in away
    ]
    if not gone:
        return list(m.mentors), [], []
    stand_in = here or [c.login for c in program.coordinators]
    return stand_in, gone, stand_in


def _answered(comments: Sequence[Comment], m: Mentorship, program: Program) -> Mentorship:
    """Clear the card's escalated assessment once it is answered or superseded.

    Answered: a mentor commented on or after the day it was asked, or said ``/ready``.
    Superseded: a later assessment was asked (it has its own escalation, if need be).
    """
    if m.escalated is None:
        return m
    n, asked_on = m.escalated
    posted = checkins_posted(comments, program.settings.bot_login)
    later = [p.n for p in posted if p.assessment and p.n > n]
    asked = next((p.comment for p in posted if p.n == n), None)
    if asked is not None:  # the same test as for escalating: a mentor's comment after it
        mentor_spoke = any(c.id > asked.id and m.is_mentor(c.author) for c in comments)
    else:  # asked before the comments read: any mentor comment since that day
        mentor_spoke = any(
            m.is_mentor(c.author) and c.created_at.date() >= asked_on for c in comments
        )
    if later or mentor_spoke or (m.ready is not None and m.ready >= asked_on):
        return dataclasses.replace(m, escalated=None)
    return m


def _escalation(
    comments: Sequence[Comment],
    m: Mentorship,
    program: Program,
    messages: Messages,
    today: date,
) -> tuple[Mentorship, list[PostComment]]:
    """One escalation when the latest assessment has no answer from a mentor after N days;
    the card records it until it is answered (the dashboard lists it as overdue)."""
    bot = program.settings.bot_login
    days = program.settings.checkins.escalate_after_days
    assessments = [p for p in checkins_posted(comments, bot) if p.assessment]
    if not assessments:
        return m, []
    asked, n = assessments[-1].comment, assessments[-1].n
    asked_on = asked.created_at.date()
    if (today - asked_on).days < days:
        return m, []
    if m.resumed is not None and asked_on < m.resumed:
        return m, []  # asked before a pause: stale
    if m.started is not None and asked_on < m.started:
        return m, []  # asked in an earlier pairing on this issue
    if m.ready is not None and m.ready >= asked_on:
        return m, []
    if any(c.id > asked.id and m.is_mentor(c.author) for c in comments):
        return m, []
    escalated = dataclasses.replace(m, escalated=(n, asked_on))
    if any(_number(data.get("n")) == n for _, data in markers.find(comments, bot, ESCALATION)):
        # Posted already; the card catches up if a run died between the two writes.
        return (escalated if m.escalated is None else m), []
    body = messages.render(
        "escalation",
        coordinators=[p.login for p in program.coordinators],
        number=n,
        asked=asked_on.isoformat(),
        days=(today - asked_on).days,
        mentee=m.mentee or "",
        mentors=list(m.mentors),
    )
    return escalated, [
        PostComment(m.issue, with_marker(body, ESCALATION, {"n": n}), key=ESCALATION)
    ]


def _flag(
    issue: Issue, comments: Sequence[Comment], m: Mentorship, program: Program
) -> tuple[Mentorship, list[Write]]:
    """A reply by mentor or mentee after the latest check-in: label it for the coordinators."""
    bot = program.settings.bot_login
    posted = checkins_posted(comments, bot)
    if posted:
        latest = posted[-1].comment

        def after(c: Comment) -> bool:
            return c.id > latest.id

    elif m.checkin > 0 and m.started is not None:
        # The check-in itself is older than what was read; it was not posted before it was due.
        since = schedule.due_date(m.started, m.checkin, program.settings.checkins.every_days)

        def after(c: Comment) -> bool:
            return c.created_at.date() >= since

    else:
        return m, []
    replies = [
        c.id
        for c in comments
        if after(c)
        and c.id > m.flagged
        and not c.by(bot)
        and (m.is_mentor(c.author) or m.is_mentee(c.author))
        and not is_command(c.body)
    ]
    if not replies:
        return m, []
    flagged = dataclasses.replace(m, flagged=max(replies))
    label = program.settings.labels.needs_coordinator
    if issue.has_label(label):
        return flagged, []
    description = "A mentor or mentee replied to a check-in: a coordinator should read it"
    return flagged, [
        EnsureLabel(issue.number, label, FLAG_COLOR, description),
        AddLabels(issue.number, (label,)),
    ]


def _resume(
    comments: Sequence[Comment], m: Mentorship, program: Program, messages: Messages
) -> tuple[Mentorship, list[PostComment]]:
    """On the day a pause ends, the mentorship is active again, with a short note."""
    assert m.paused_until is not None
    # The day it resumes is the end of the pause, however late the run that notices it.
    day = max(m.paused_until, m.since("paused") or m.paused_until)
    resumed = m.moved("active", day, paused_until=None)
    bot = program.settings.bot_login
    if any(data.get("on") == day.isoformat() for _, data in markers.find(comments, bot, RESUMED)):
        return resumed, []  # the note is there; a run died before the card was updated
    nxt = resumed.next_checkin(program.settings.checkins.every_days)
    body = messages.render(
        "resumed",
        mentee=m.mentee or "",
        mentors=list(m.mentors),
        resumed=day.isoformat(),
        next_checkin=nxt[1].isoformat() if nxt else "",
    )
    return resumed, [
        PostComment(m.issue, with_marker(body, RESUMED, {"on": day.isoformat()}), key=RESUMED)
    ]


def _resume_due(m: Mentorship, today: date) -> bool:
    return m.status == "paused" and m.paused_until is not None and m.paused_until <= today


def _nudge(
    issue: Issue,
    comments: Sequence[Comment],
    m: Mentorship,
    program: Program,
    messages: Messages,
    today: date,
) -> list[PostComment]:
    """Remind the coordinators, once, of an application that has waited N days for a mentor.

    Once per wait, not every N days: nobody is pinged twice for the same thing. The
    dashboard lists every application still waiting, with its days, from then on."""
    days = program.settings.nudges.waiting_for_mentor_days
    since = m.since("waiting") or m.applied
    if since is None or (today - since).days < days:
        return []
    bot = program.settings.bot_login
    nudges = markers.find(comments, bot, NUDGE)
    if any((_day(data.get("on")) or c.created_at.date()) >= since for c, data in nudges):
        return []
    if m.reminded is not None and m.reminded >= since:
        return []  # nudged already; the nudge itself has left the window (keep_alive)
    role = program.role(m.role)
    body = messages.render(
        "nudge",
        coordinators=[p.login for p in program.coordinators],
        applicant=m.mentee or issue.author or "",
        role=role.name if role else "",
        days=(today - since).days,
    )
    data = {"on": today.isoformat()}
    return [PostComment(issue.number, with_marker(body, NUDGE, data), key=NUDGE)]


def _reminder(
    issue: Issue,
    comments: Sequence[Comment],
    m: Mentorship,
    program: Program,
    messages: Messages,
    today: date,
) -> list[PostComment]:
    """Remind the applicant once when the information asked for has not come in N days."""
    days = program.settings.nudges.needs_info_days
    bot = program.settings.bot_login
    applicant = m.mentee or issue.author
    if applicant is None:
        return []  # the account was deleted: nobody to remind
    ask = markers.latest(comments, bot, NEEDS_INFO)
    since = m.since("needs-info")
    if ask is not None:
        asked = ask[0].updated_at
    elif since is not None:
        asked = _start_of(since)
    else:
        return []
    answers = [c.updated_at for c in comments if c.by(applicant)]
    last = max([asked, *answers])
    if (today - last.date()).days < days:
        return []
    if any(c.created_at >= asked for c, _ in markers.find(comments, bot, REMINDER)):
        return []
    if m.reminded is not None and m.reminded >= asked.date():
        return []  # reminded already; the reminder itself has left the window (keep_alive)
    body = messages.render("reminder", applicant=applicant, days=(today - last.date()).days)
    data = {"on": today.isoformat()}
    return [PostComment(issue.number, with_marker(body, REMINDER, data), key=REMINDER)]
