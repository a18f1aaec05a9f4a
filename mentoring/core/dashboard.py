"""The dashboard issue: one issue the nightly run keeps current, edited only when its text changes.

``render`` turns the program's mentorships into the issue's body (message
``dashboard``): active mentorships with their flags, overdue assessments,
applications waiting for a mentor, mentor load against capacity, the last
successful nightly run, a link to the monthly reports and a Mermaid gantt of
mentorships. However large the program, the body stays under GitHub's 65,536
characters: each section shows its most pressing rows up to a budget and counts
the rest, and the budgets shrink until the whole body fits.

``plan`` creates the issue if there is none and edits it only if its body would
change. Everything here is pure: the nightly runner reads the issues and
comments, calls ``collect_facts``, ``find``, ``last_run_of``, ``render`` and
``plan``, and applies the plan.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from mentoring.core import markers, schedule
from mentoring.core.model import (
    AddLabels,
    Comment,
    CreateIssue,
    EditIssue,
    EnsureLabel,
    Issue,
    Plan,
)
from mentoring.core.model import lower as _lower
from mentoring.core.state import Mentorship
from mentoring.program.config import Program
from mentoring.program.templates import MAX_BODY, Messages, with_marker

KIND = "dashboard"
TITLE = "Mentoring dashboard"
LABEL_COLOR = "0052cc"
REPORT_WORKFLOW = "mentoring-report.yml"

# The body must stay under GitHub's limit with room to spare for the marker.
BUDGET = MAX_BODY - 2_000
# How many rows each section shows at most before counting the rest.
CAPS = {"active": 100, "overdue": 50, "waiting": 50, "mentors": 100, "timeline": 60}
SHOWN_MENTORS = 3  # mentors named in one row; more are counted


@dataclass(frozen=True)
class Assessment:
    """The latest assessment check-in posted on a mentorship's issue."""

    n: int  # the check-in's number
    asked: date  # the day the bot posted it
    answered: bool  # whether a mentor has commented on the issue since


@dataclass(frozen=True)
class Facts:
    """What the nightly runner read about a mentorship beyond its status card."""

    needs_coordinator: bool = False  # the issue carries labels.needs_coordinator
    assessment: Assessment | None = None


# --------------------------------------------------------------------------- facts


def collect_facts(
    issues: Iterable[Issue],
    comments: Iterable[Comment] | None,
    mentorships: Iterable[Mentorship],
    program: Program,
) -> dict[int, Facts]:
    """Facts for each mentorship, from the issue listing and the repo-wide comment listing
    (None: the comments each ``Issue`` snapshot carries, as in the nightly's ``Snapshot``).

    An assessment counts as answered once one of the mentorship's mentors has
    commented on the issue after the bot posted it.
    """
    by_number = {i.number: i for i in issues}
    if comments is None:
        comments = [c for issue in by_number.values() for c in issue.comments]
    by_issue: dict[int, list[Comment]] = {}
    for comment in comments:
        by_issue.setdefault(comment.issue, []).append(comment)
    bot = program.settings.bot_login
    flag = program.settings.labels.needs_coordinator
    facts: dict[int, Facts] = {}
    for m in mentorships:
        issue = by_number.get(m.issue)
        thread = sorted(by_issue.get(m.issue, []), key=lambda c: (c.created_at, c.id))
        asked = [
            (c, data) for c, data in markers.find(thread, bot, "checkin") if data.get("assessment")
        ]
        assessment = None
        if asked:
            comment, data = asked[-1]
            answered = any(
                m.is_mentor(c.author) and (c.created_at, c.id) > (comment.created_at, comment.id)
                for c in thread
            )
            n = data.get("n")
            assessment = Assessment(
                n if isinstance(n, int) else 0, comment.created_at.date(), answered
            )
        if m.escalated is not None and (assessment is None or assessment.n < m.escalated[0]):
            # Asked before the comments read: the card keeps it until it is answered.
            assessment = Assessment(m.escalated[0], m.escalated[1], answered=False)
        needs = issue is not None and issue.has_label(flag)
        if needs or assessment is not None:
            facts[m.issue] = Facts(needs_coordinator=needs, assessment=assessment)
    return facts


def overdue_since(m: Mentorship, facts: Facts | None, program: Program) -> date | None:
    """The day an active mentorship's unanswered assessment became overdue, or None.

    As for escalations (core/checkins.py): an assessment asked before the mentorship last
    resumed from a pause is stale, and a mentor's ``/ready`` since then answers it.
    """
    if m.status != "active" or facts is None or facts.assessment is None:
        return None
    asked = facts.assessment.asked
    if facts.assessment.answered:
        return None
    if (m.resumed is not None and asked < m.resumed) or (m.ready is not None and m.ready >= asked):
        return None
    return schedule.add_days(asked, program.settings.checkins.escalate_after_days)


# --------------------------------------------------------------------------- the body


def report_link(server_url: str, repo: str) -> str:
    """The runs page of the monthly report workflow (``server_url`` is $GITHUB_SERVER_URL)."""
    return f"{server_url.rstrip('/')}/{repo}/actions/workflows/{REPORT_WORKFLOW}"


def render(
    mentorships: Iterable[Mentorship],
    program: Program,
    messages: Messages,
    today: date,
    last_run: date | None,
    report_url: str | None,
    facts: dict[int, Facts] | None = None,
    extra: str = "",
) -> str:
    """The dashboard issue's body, with its ``dashboard`` marker, under GitHub's size limit.

    ``extra``: more sections (the mentors' side, `mentors.dashboard_part`), at the end."""
    mentorships = list(mentorships)
    facts = facts or {}
    caps = dict(CAPS)
    data = {"last_run": last_run.isoformat()} if last_run else None
    while True:
        variables = _variables(mentorships, program, today, last_run, report_url, facts, caps)
        text = messages.render("dashboard", **variables)
        text = text.rstrip() + "\n\n" + extra if extra else text
        body = with_marker(text, KIND, data)
        if len(body) <= BUDGET or not any(caps.values()):
            break
        # Too long: shrink every section's budget by a third and try again.
        caps = {name: cap * 2 // 3 for name, cap in caps.items()}
    if len(body) > BUDGET:  # only a program's own, very long template gets here
        body = with_marker(_cut(body, BUDGET - 200), KIND, data)
    return body


def _cut(body: str, limit: int) -> str:
    text = body[:limit]
    text = text[: text.rfind("\n")] if "\n" in text else text
    return text + "\n\n…(the rest is left out to fit GitHub's size limit)\n"


def _variables(
    mentorships: list[Mentorship],
    program: Program,
    today: date,
    last_run: date | None,
    report_url: str | None,
    facts: dict[int, Facts],
    caps: dict[str, int],
) -> dict[str, Any]:
    counts = {status: 0 for status in ("active", "paused", "waiting", "needs-info")}
    for m in mentorships:
        if m.status in counts:
            counts[m.status] += 1
    active, overdue = _active_rows(mentorships, program, today, facts)
    waiting = _waiting_rows(mentorships, program, today)
    mentors = _mentor_rows(mentorships, program)
    timeline = _timeline_rows(mentorships, program, today)
    return {
        "last_run": last_run.isoformat() if last_run else "",
        "report_url": report_url or "",
        "counts": {key.replace("-", "_"): value for key, value in counts.items()},
        "active": active[: caps["active"]],
        "active_more": max(0, len(active) - caps["active"]),
        "overdue": overdue[: caps["overdue"]],
        "overdue_more": max(0, len(overdue) - caps["overdue"]),
        "waiting": waiting[: caps["waiting"]],
        "waiting_more": max(0, len(waiting) - caps["waiting"]),
        "mentors": mentors[: caps["mentors"]],
        "mentors_more": max(0, len(mentors) - caps["mentors"]),
        "timeline": sorted(timeline[: caps["timeline"]], key=lambda r: (r["section"], r["start"])),
        "timeline_more": max(0, len(timeline) - caps["timeline"]),
    }


def _role_name(program: Program, role_id: str | None) -> str:
    role = program.role(role_id)
    if role is not None:
        return role.name
    return role_id or "no role chosen"


def _mentors(logins: tuple[str, ...]) -> dict[str, Any]:
    return {"shown": list(logins[:SHOWN_MENTORS]), "more": max(0, len(logins) - SHOWN_MENTORS)}


def _first_active(m: Mentorship) -> date | None:
    return next((day for day, status in m.history if status == "active"), m.started)


def _active_rows(
    mentorships: list[Mentorship], program: Program, today: date, facts: dict[int, Facts]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of active and paused mentorships (flagged first, then newest), and overdue ones."""
    every = program.settings.checkins.every_days
    assess_every = program.settings.checkins.assessment_every
    rows: list[tuple[tuple, dict[str, Any]]] = []
    overdue: list[tuple[tuple, dict[str, Any]]] = []
    for m in mentorships:
        if m.status not in ("active", "paused"):
            continue
        fact = facts.get(m.issue)
        late = overdue_since(m, fact, program)
        flags = []
        if fact is not None and fact.needs_coordinator:
            flags.append("needs coordinator")
        asked = fact.assessment if fact is not None else None
        if late is not None and late <= today and asked is not None:
            flags.append("assessment overdue")
            overdue.append(
                (
                    (late, m.issue),
                    {
                        "issue": m.issue,
                        "mentee": m.mentee,
                        "mentors": _mentors(m.mentors),
                        "n": asked.n,
                        "asked": asked.asked.isoformat(),
                        "since": late.isoformat(),
                    },
                )
            )
        if m.ready is not None:
            flags.append(f"ready to graduate since {m.ready.isoformat()}")
        nxt = m.next_checkin(every)
        if m.status == "paused":
            until = m.paused_until.isoformat() if m.paused_until else "further notice"
            next_text = f"paused until {until}"
        elif nxt is not None:
            extra = " (assessment)" if schedule.is_assessment(nxt[0], assess_every) else ""
            next_text = nxt[1].isoformat() + extra
        else:
            next_text = "—"
        started = m.started or _first_active(m)
        row = {
            "issue": m.issue,
            "mentee": m.mentee,
            "role": _role_name(program, m.role),
            "mentors": _mentors(m.mentors),
            "started": started.isoformat() if started else "—",
            "next": next_text,
            "flags": flags,
        }
        newest = -(started or date.min).toordinal()
        rows.append(((0 if flags else 1, newest, m.issue), row))
    rows.sort(key=lambda pair: pair[0])
    overdue.sort(key=lambda pair: pair[0])
    return [row for _, row in rows], [row for _, row in overdue]


def _waiting_rows(
    mentorships: list[Mentorship], program: Program, today: date
) -> list[dict[str, Any]]:
    """Applications waiting for a mentor, the longest waiting first."""
    rows = []
    for m in mentorships:
        if m.status != "waiting":
            continue
        since = m.since("waiting") or m.applied or today
        rows.append(
            (
                (since, m.issue),
                {
                    "issue": m.issue,
                    "mentee": m.mentee,
                    "role": _role_name(program, m.role),
                    "since": since.isoformat(),
                    "days": max(0, (today - since).days),
                },
            )
        )
    rows.sort(key=lambda pair: pair[0])
    return [row for _, row in rows]


def _mentor_rows(mentorships: list[Mentorship], program: Program) -> list[dict[str, Any]]:
    """Each mentor's active and paused mentees against their capacity; over capacity first."""
    load: dict[str, int] = {}
    names: dict[str, str] = {}
    for role in program.roles:
        for mentor in role.mentors:
            names.setdefault(_lower(mentor.login), mentor.login)
            load.setdefault(_lower(mentor.login), 0)
    for m in mentorships:
        if m.status not in ("active", "paused"):
            continue
        for login in m.mentors:
            names.setdefault(_lower(login), login)
            load[_lower(login)] = load.get(_lower(login), 0) + 1
    rows = []
    for key, count in load.items():
        login = names[key]
        capacity = program.mentor_capacity(login)
        roles = program.roles_of(login)
        listed = bool(roles)
        over = listed and count > capacity
        rows.append(
            (
                (0 if over or not listed else 1, key),
                {
                    "login": login,
                    "roles": [role.name for role in roles],
                    "load": count,
                    "capacity": capacity if listed else None,
                    "over": over,
                    "free": max(0, capacity - count) if listed else 0,
                },
            )
        )
    rows.sort(key=lambda pair: pair[0])
    return [row for _, row in rows]


_MERMAID_UNSAFE = re.compile(r"[^A-Za-z0-9 _.()\-]+")


def mermaid_text(text: str) -> str:
    """Text safe inside a Mermaid gantt line: no colons, hashes, semicolons or newlines."""
    return " ".join(_MERMAID_UNSAFE.sub(" ", text).split())[:60] or "-"


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _timeline_rows(
    mentorships: list[Mentorship], program: Program, today: date
) -> list[dict[str, Any]]:
    """Gantt bars of every mentorship that started, the most recent first.

    A bar runs from the first day the mentorship was active to the day it ended
    (graduated, withdrawn, declined); an ongoing one runs to the end of this month,
    so the chart changes once a month rather than every day.
    """
    rows = []
    for m in mentorships:
        start = _first_active(m)
        if start is None:
            continue
        if m.open:
            end = _month_end(today)
            tag = "active" if m.status == "active" else ""
        else:
            end = m.since(m.status) or _month_end(today)
            tag = "done"
        end = max(end, schedule.add_days(start, 1))
        who = m.mentee or "deleted account"
        rows.append(
            (
                (-start.toordinal(), m.issue),
                {
                    "section": mermaid_text(_role_name(program, m.role)),
                    "name": mermaid_text(f"{who} (issue {m.issue})"),
                    "tag": tag,
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                },
            )
        )
    rows.sort(key=lambda pair: pair[0])
    return [row for _, row in rows]


# --------------------------------------------------------------------------- the issue


def find(issues: Iterable[Issue], bot_login: str) -> Issue | None:
    """The dashboard issue: opened by the bot with the ``dashboard`` marker; open ones first."""
    mine = [
        issue
        for issue in issues
        if not issue.is_pull
        and _lower(issue.author) == _lower(bot_login)
        and KIND in markers.kinds(issue.body)
    ]
    if not mine:
        return None
    mine.sort(key=lambda issue: (not issue.open, issue.number if issue.open else -issue.number))
    return mine[0]


def last_run_of(existing: Issue | None, bot_login: str) -> date | None:
    """The last successful nightly run recorded in the dashboard's marker, if any."""
    if existing is None or _lower(existing.author) != _lower(bot_login):
        return None
    for kind, data in markers.parse(existing.body):
        if kind == KIND and isinstance(data.get("last_run"), str):
            try:
                return date.fromisoformat(data["last_run"])
            except ValueError:
                return None
    return None


def plan(existing: Issue | None, body: str, program: Program) -> Plan:
    """Create the dashboard if there is none; edit it only if its body would change."""
    label = program.settings.labels.dashboard
    ensure = EnsureLabel(0, label, LABEL_COLOR, "The mentoring program's dashboard")
    if existing is None:
        return Plan((ensure, CreateIssue(0, TITLE, body, labels=(label,), key=KIND)))
    writes: list = []
    if not existing.has_label(label):
        writes += [ensure, AddLabels(existing.number, (label,))]
    if existing.body.strip() != body.strip():
        writes.append(EditIssue(existing.number, body=body))
    notes: tuple[tuple[int, str], ...] = ()
    if not existing.open:
        notes = ((existing.number, "the dashboard issue is closed; reopen it to see it listed"),)
    if not writes:
        notes += ((existing.number, "dashboard unchanged"),)
    return Plan(tuple(writes), notes)
