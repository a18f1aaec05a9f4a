"""A cohort's tracking issue: its dashboard body (edited in place) and one weekly report comment.

Pure. Inputs: the cohort, the states of its applications (status cards), the
activity counts the runner read (`core/activity.py`), the tracking issue as GitHub
shows it (with its comments), the open applications' recent comments (for
unanswered check-ins) and ``today``. Output: a `Plan`.

Nothing decided before the announcement date shows here: until then the
dashboard lists applicants and their public contributions, never a decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from mentoring.core import activity, cohorts, markers
from mentoring.core.activity import Counts
from mentoring.core.cohorts import CRITERIA_NAMES, Cohort, Period
from mentoring.core.model import (
    CreateIssue,
    EditIssue,
    EnsureLabel,
    Issue,
    Plan,
    PostComment,
    lower,
)
from mentoring.core.state import Mentorship
from mentoring.program.config import Program
from mentoring.program.templates import Messages, with_marker

LABEL = "mentoring: cohort"
LABEL_COLOR = "5319e7"
TRACKING = "cohort-tracking"
WEEK = "cohort-week"
FOLLOWUP = "cohort-followup"
MAX_ROWS = 300  # rows of the tracking issue's table: its body stays under GitHub's 65,536
QUIET_DAYS = 14  # no activity for this long is flagged
UNANSWERED_DAYS = 3  # a check-in with no reply after this long is flagged


@dataclass(frozen=True)
class Facts:
    """What the runner read for one cohort."""

    cards: tuple[Mentorship, ...]  # every application's state whose card names the cohort
    counts_on: date | None = None  # the day the activity was read (None: not read)
    to_date: Mapping[str, Counts] = field(default_factory=dict)  # since the start (or period)
    this_week: Mapping[str, Counts] = field(default_factory=dict)
    last_two_weeks: Mapping[str, Counts] = field(default_factory=dict)
    unanswered: frozenset[int] = frozenset()  # issues whose last check-in has no reply
    reviews_unread: int = 0
    outside: tuple[int, ...] = ()  # applications in no cohort, for the coordinators to choose


def find(issues: Iterable[Issue], bot_login: str, cohort: Cohort) -> Issue | None:
    """The cohort's tracking issue: opened by the bot, with its marker naming the cohort."""
    for issue in issues:
        if issue.is_pull or lower(issue.author) != lower(bot_login):
            continue
        for kind, data in markers.parse(issue.body):
            if kind == TRACKING and data.get("cohort") == cohort.id:
                return issue
    return None


def participants(cards: Iterable[Mentorship], cohort: Cohort, today: date) -> list[Mentorship]:
    """The cohort's participants: selected, and announced (never before the date)."""
    if not cohort.announced(today):
        return []
    return sorted(
        (
            m
            for m in cards
            if m.cohort == cohort.id
            and m.decision == "selected"
            and m.status in ("active", "paused", "graduated")
        ),
        key=lambda m: m.issue,
    )


def applicants(cards: Iterable[Mentorship], cohort: Cohort) -> list[Mentorship]:
    return sorted((m for m in cards if m.cohort == cohort.id), key=lambda m: m.issue)


def _counts(table: Mapping[str, Counts], login: str | None) -> Counts:
    return table.get(lower(login), Counts())


def _criteria(counts: Counts, cohort: Cohort) -> list[dict]:
    return [
        {**item, "name": CRITERIA_NAMES[item["criterion"]]}
        for item in activity.met(counts, cohort.criteria)
    ]


def _row(m: Mentorship, facts: Facts, cohort: Cohort) -> dict:
    to_date = _counts(facts.to_date, m.mentee)
    flags = []
    if m.issue in facts.unanswered:
        flags.append("check-in unanswered")
    if facts.counts_on is not None and not _counts(facts.last_two_weeks, m.mentee).active:
        flags.append(f"no activity for {QUIET_DAYS} days")
    return {
        "login": m.mentee or "",
        "issue": m.issue,
        "status": m.status,
        "week": _counts(facts.this_week, m.mentee).to_data(),
        "to_date": to_date.to_data(),
        "criteria": _criteria(to_date, cohort),
        "met": activity.all_met(to_date, cohort.criteria),
        "flags": flags,
    }


def _total(rows: Sequence[dict], key: str) -> dict:
    names = ("pulls", "merged_pulls", "issues", "reviews", "comments")
    return {name: sum(r[key][name] for r in rows) for name in names}


def phase(cohort: Cohort, today: date) -> str:
    """Where the cohort is on ``today``: upcoming, applications, contribution, selection,
    running, ended."""
    if cohort.end is not None and today > cohort.end:
        return "ended"
    if cohort.start is not None and today >= cohort.start:
        return "running"
    if cohort.contribution is not None and today in cohort.contribution:
        return "contribution"
    if cohort.applications is not None and today in cohort.applications:
        return "applications"
    if cohort.applications is not None and today < cohort.applications.first:
        return "upcoming"
    return "selection"


def dashboard_body(
    cohort: Cohort, facts: Facts, program: Program, messages: Messages, today: date
) -> str:
    """The tracking issue's body: dates, the funnel so far, and a row per applicant or
    participant (decisions only from the announcement date on)."""
    announced = cohort.announced(today)
    people = participants(facts.cards, cohort, today) if announced else []
    listed = people if announced else applicants(facts.cards, cohort)
    shown = listed[:MAX_ROWS]  # in issue order: never a ranking
    rows = [_row(m, facts, cohort) for m in shown]
    body = messages.render(
        "cohort-dashboard",
        cohort=_cohort_vars(cohort),
        phase=phase(cohort, today),
        announced=announced,
        applied=len(applicants(facts.cards, cohort)),
        contributed=sum(1 for m in applicants(facts.cards, cohort) if _contributed(m, facts)),
        selected=len(people),
        seats=cohort.total_seats or 0,
        rows=rows,
        counts_on=facts.counts_on.isoformat() if facts.counts_on else "",
        reviews_unread=facts.reviews_unread,
        outside=list(facts.outside),
        today=today.isoformat(),
        more=len(listed) - len(shown),
    )
    data = {
        "cohort": cohort.id,
        "refreshed": today.isoformat(),
        "counts_on": _iso(facts.counts_on),
        "counts": {
            lower(m.mentee): [
                _stored(_counts(facts.to_date, m.mentee)),
                _stored(_counts(facts.last_two_weeks, m.mentee)),
            ]
            for m in shown
            if m.mentee and facts.counts_on is not None
        },
    }
    return with_marker(body, TRACKING, data)


_STORED = ("pulls", "merged_pulls", "issues", "reviews", "comments")


def _stored(counts: Counts) -> list:
    return [*(counts.get(name) for name in _STORED), _iso(counts.first_merged)]


def _unstored(values: Any) -> Counts:
    if not isinstance(values, list) or len(values) != len(_STORED) + 1:
        return Counts()
    numbers = [x if isinstance(x, int) and x >= 0 else 0 for x in values[: len(_STORED)]]
    try:
        first = date.fromisoformat(values[-1]) if isinstance(values[-1], str) else None
    except ValueError:
        first = None
    return Counts(*numbers, first_merged=first)


def stored_counts(
    tracking: Issue | None, bot_login: str
) -> tuple[date | None, dict[str, Counts], dict[str, Counts]]:
    """The counts the dashboard showed (to date, last two weeks), from its marker: a night
    without a read keeps them rather than reading again."""
    on = counts_on(tracking, bot_login)
    to_date: dict[str, Counts] = {}
    recent: dict[str, Counts] = {}
    if tracking is None or on is None:
        return None, to_date, recent
    for kind, data in markers.parse(tracking.body):
        if kind == TRACKING and isinstance(data.get("counts"), dict):
            for login, pair in data["counts"].items():
                if isinstance(pair, list) and len(pair) == 2:
                    to_date[lower(login)] = _unstored(pair[0])
                    recent[lower(login)] = _unstored(pair[1])
    return on, to_date, recent


def _contributed(m: Mentorship, facts: Facts) -> bool:
    return _counts(facts.to_date, m.mentee).active


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _cohort_vars(cohort: Cohort) -> dict:
    def period(p: Period | None) -> str:
        return p.text() if p else ""

    return {
        "id": cohort.id,
        "name": cohort.name,
        "applications": period(cohort.applications),
        "contribution": period(cohort.contribution),
        "announce": _iso(cohort.announce) or "",
        "start": _iso(cohort.start) or "",
        "end": _iso(cohort.end) or "",
        "criteria": [
            {"name": CRITERIA_NAMES[name], "wanted": wanted} for name, wanted in cohort.criteria
        ],
    }


def counts_on(tracking: Issue | None, bot_login: str, key: str = "counts_on") -> date | None:
    """The day of the activity the dashboard shows (or, with ``key="refreshed"``, the day
    its body was last rendered), from its marker."""
    if tracking is None or lower(tracking.author) != lower(bot_login):
        return None
    for kind, data in markers.parse(tracking.body):
        if kind == TRACKING and isinstance(data.get(key), str):
            try:
                return date.fromisoformat(data[key])
            except ValueError:
                return None
    return None


def key_dates(cohort: Cohort) -> set[date]:
    """The days the dashboard changes for sure: windows open and close, results, start, end."""
    days = {cohort.announce, cohort.start}
    for period in (cohort.applications, cohort.contribution):
        if period is not None:
            days |= {period.first, period.last + timedelta(days=1)}
    if cohort.end is not None:
        days.add(cohort.end + timedelta(days=1))
    return {d for d in days if d is not None}


def refresh_due(cohort: Cohort, tracking: Issue | None, bot_login: str, today: date) -> bool:
    """Whether tonight's pass renders the tracking issue: there is none yet, it was last
    rendered a week ago or more, a key date passed since, or a weekly report may be owed.
    Other nights cost one listing (the tracking issues) and nothing else."""
    last = counts_on(tracking, bot_login, "refreshed")
    if tracking is None or last is None or today - last >= timedelta(days=7):
        return True
    if any(last < day <= today for day in key_dates(cohort)):
        return True
    n = cohorts.report_due(cohort, today)
    return n > 0 and n != cohorts.report_due(cohort, last)


def activity_due(cohort: Cohort, tracking: Issue | None, bot_login: str, today: date) -> bool:
    """Whether the activity must be read tonight: a weekly report is owed, or the dashboard's
    counts are a week old while the contribution period or the cohort runs (or just ended)."""
    if tracking is None:
        return False
    if report_owed(cohort, tracking, bot_login, today):
        return True
    live = phase(cohort, today) in ("contribution", "running")
    after_period = (
        cohort.contribution is not None
        and today > cohort.contribution.last
        and phase(cohort, today) == "selection"
    )
    last = counts_on(tracking, bot_login)
    if after_period:
        return last is None or last <= cohort.contribution.last
    return live and (last is None or today - last >= timedelta(days=7))


def reports_posted(tracking: Issue, bot_login: str) -> set[int]:
    return {
        int(data["n"])
        for _, data in markers.find(tracking.comments, bot_login, WEEK)
        if isinstance(data.get("n"), int)
    }


def report_owed(cohort: Cohort, tracking: Issue, bot_login: str, today: date) -> int:
    """The number of the weekly report owed today (0: none): only the latest period that
    ended, and only if it was not posted (a late run posts one, never a backlog)."""
    n = cohorts.report_due(cohort, today)
    if n == 0 or n in reports_posted(tracking, bot_login):
        return 0
    return n


def weekly_report(
    cohort: Cohort, n: int, facts: Facts, program: Program, messages: Messages, today: date
) -> str:
    bounds = cohorts.week_bounds(cohort, n)
    rows = [_row(m, facts, cohort) for m in participants(facts.cards, cohort, today)]
    body = messages.render(
        "cohort-week",
        cohort=_cohort_vars(cohort),
        n=n,
        weeks=cohort.weeks(),
        first=bounds.first.isoformat(),
        last=bounds.last.isoformat(),
        rows=rows,
        week_total=_total(rows, "week"),
        to_date_total=_total(rows, "to_date"),
        met=sum(1 for r in rows if r["met"]),
        reviews_unread=facts.reviews_unread,
    )
    return with_marker(body, WEEK, {"cohort": cohort.id, "n": n})


def followups_passed(cohort: Cohort, today: date) -> list[int]:
    """The follow-up marks (1, 6, 12 months after the end) whose day has come, in order."""
    from mentoring.core.cohort_report import MARKS, mark_period

    if cohort.end is None:
        return []
    return [m for m in MARKS if mark_period(cohort, m)[0] <= today]


def followups_recorded(tracking: Issue | None, bot_login: str) -> set[int]:
    """The follow-ups the tracking issue's marker records as posted (free: the listing of
    tracking issues carries the body)."""
    if tracking is None or lower(tracking.author) != lower(bot_login):
        return set()
    for kind, data in markers.parse(tracking.body):
        if kind == TRACKING and isinstance(data.get("followups"), list):
            return {x for x in data["followups"] if isinstance(x, int)}
    return set()


def followup_owed(cohort: Cohort, tracking: Issue | None, bot_login: str, today: date) -> int:
    """The oldest follow-up mark whose day has come and which the tracking issue does not
    record as posted, else 0. However late the nightly runs, a mark is never skipped: the
    listings carry timestamps, so the 30 days up to the mark are counted as on the day. One a
    night: marks missed together come on the following nights, the oldest first."""
    if tracking is None:
        return 0
    done = followups_recorded(tracking, bot_login)
    return next((m for m in followups_passed(cohort, today) if m not in done), 0)


def record_followup(tracking: Issue, months: int, bot_login: str) -> EditIssue:
    """The tracking issue's body with ``months`` recorded as posted in its marker."""
    data: dict[str, Any] = {}
    for kind, found in markers.parse(tracking.body):
        if kind == TRACKING:
            data = dict(found)
    done = sorted(followups_recorded(tracking, bot_login) | {months})
    text = markers.remove(tracking.body).rstrip()
    return EditIssue(tracking.number, body=with_marker(text, TRACKING, {**data, "followups": done}))


def followup(
    cohort: Cohort,
    tracking: Issue,
    months: int,
    active: Mapping[str, bool],
    on: date,
    program: Program,
    messages: Messages,
    today: date,
) -> Plan:
    """The follow-up comment on the tracking issue, once (its marker names the months), and
    the mark recorded in the issue's marker. Taken late, it says when it was measured."""
    bot = program.settings.bot_login
    record = record_followup(tracking, months, bot)
    for _, data in markers.find(tracking.comments, bot, FOLLOWUP):
        if data.get("months") == months:
            return Plan((record,), ((tracking.number, f"{months}-month follow-up posted already"),))
    count = sum(1 for x in active.values() if x)
    rate = f"{count / len(active):.0%}" if active else "—"
    body = messages.render(
        "cohort-followup",
        cohort=cohort.name,
        months=months,
        day=on.isoformat(),
        measured=today.isoformat(),
        late=today > on,
        active=count,
        of=len(active),
        rate=rate,
        participants=[{"login": login, "active": x} for login, x in sorted(active.items())],
    )
    text = with_marker(body, FOLLOWUP, {"cohort": cohort.id, "months": months})
    return Plan((PostComment(tracking.number, text, key=FOLLOWUP), record))


def plan(
    cohort: Cohort,
    tracking: Issue | None,
    facts: Facts,
    program: Program,
    messages: Messages,
    today: date,
) -> Plan:
    """Create the tracking issue if there is none; else edit its body only if it changed,
    and post the weekly report owed today (one comment, once)."""
    bot = program.settings.bot_login
    body = dashboard_body(cohort, facts, program, messages, today)
    title = f"Cohort: {cohort.name}"
    ensure = EnsureLabel(0, LABEL, LABEL_COLOR, "A cohort's tracking issue (mentoring bot)")
    if tracking is None:
        return Plan((ensure, CreateIssue(0, title, body, labels=(LABEL,), key=TRACKING)))
    writes: list = []
    if tracking.body.strip() != body.strip():
        writes.append(EditIssue(tracking.number, body=body))
    n = report_owed(cohort, tracking, bot, today)
    if n and facts.counts_on == today:
        text = weekly_report(cohort, n, facts, program, messages, today)
        writes.append(PostComment(tracking.number, text, key=WEEK))
    elif n:
        return Plan(tuple(writes), ((tracking.number, f"weekly report {n}: activity not read"),))
    return Plan(tuple(writes))
