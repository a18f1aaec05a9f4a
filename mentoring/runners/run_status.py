"""`mentoring status`: what needs a coordinator's attention now, read from GitHub, writing nothing.

The runner reads what the nightly pass reads (``run_nightly.collect``: the open
applications, 100 a page, and the repository's recent comments in one listing)
and hands it to ``attention``, which is pure: the dashboard's flags (needs
coordinator, assessment overdue, ready to graduate), overdue assessments,
applications waiting for a mentor or for the applicant and for how long,
mentors over capacity, and applications the bot has not taken in yet. The
result prints as text, or as JSON (``mentoring/schemas/status.schema.json``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import click

from mentoring.core import dashboard
from mentoring.core.model import Issue
from mentoring.core.model import lower as _lower
from mentoring.core.state import Mentorship
from mentoring.program.config import Program

VERSION = 1
SECTIONS = ("flagged", "overdue", "waiting", "needs_info", "over_capacity", "no_card", "not_read")


# --------------------------------------------------------------------------- pure


def attention(
    issues: Sequence[Issue],
    mentorships: dict[int, Mentorship],
    program: Program,
    today: date,
    window: datetime,
    repository: str = "",
    not_read: Iterable[tuple[int, str]] = (),
) -> dict[str, Any]:
    """What needs attention among the open applications ``issues`` (with the comments read
    for them) and their status cards ``mentorships``, as plain data (see the schema).

    Facts (assessments asked and answered) come from the comments updated since
    ``window``, as on the dashboard, so both agree.
    """
    recent = [
        dataclasses.replace(i, comments=tuple(c for c in i.comments if c.updated_at >= window))
        for i in issues
    ]
    cards = [m for i in issues if (m := mentorships.get(i.number)) is not None]
    facts = dashboard.collect_facts(recent, None, cards, program)
    counts = {"active": 0, "paused": 0, "waiting": 0, "needs_info": 0}
    flagged: list[dict[str, Any]] = []
    overdue: list[dict[str, Any]] = []
    waiting: list[dict[str, Any]] = []
    needs_info: list[dict[str, Any]] = []
    for m in cards:
        key = m.status.replace("-", "_")
        if key in counts:
            counts[key] += 1
        if m.status in ("active", "paused"):
            row, late = _flagged_row(m, facts.get(m.issue), program, today)
            if row is not None:
                flagged.append(row)
            if late is not None:
                overdue.append(late)
        elif m.status in ("waiting", "needs-info"):
            since = m.since(m.status) or m.applied or today
            row = {
                "issue": m.issue,
                "mentee": m.mentee,
                "role": _role_name(program, m.role),
                "since": since.isoformat(),
                "days": max(0, (today - since).days),
            }
            (waiting if m.status == "waiting" else needs_info).append(row)
    no_card = [
        {
            "issue": i.number,
            "author": i.author,
            "opened": i.created_at.date().isoformat() if i.created_at else None,
        }
        for i in issues
        if i.number not in mentorships
    ]
    return {
        "version": VERSION,
        "repository": repository,
        "today": today.isoformat(),
        "counts": counts,
        "flagged": flagged,
        "overdue": sorted(overdue, key=lambda r: (r["since"], r["issue"])),
        "waiting": sorted(waiting, key=lambda r: (r["since"], r["issue"])),
        "needs_info": sorted(needs_info, key=lambda r: (r["since"], r["issue"])),
        "over_capacity": _over_capacity(cards, program),
        "no_card": no_card,
        "not_read": [{"issue": n, "reason": text} for n, text in not_read],
    }


def _flagged_row(
    m: Mentorship, fact: Any, program: Program, today: date
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The mentorship's row of flags (None without any), and its overdue assessment."""
    flags = []
    if fact is not None and fact.needs_coordinator:
        flags.append("needs coordinator")
    late = dashboard.overdue_since(m, fact, program)
    overdue = None
    if late is not None and late <= today and fact is not None and fact.assessment is not None:
        flags.append(f"assessment overdue since {late.isoformat()}")
        overdue = {
            "issue": m.issue,
            "mentee": m.mentee,
            "mentors": list(m.mentors),
            "checkin": fact.assessment.n,
            "asked": fact.assessment.asked.isoformat(),
            "since": late.isoformat(),
            "days": (today - late).days,
        }
    if m.ready is not None:
        flags.append(f"ready to graduate since {m.ready.isoformat()}")
    if not flags:
        return None, None
    row = {
        "issue": m.issue,
        "mentee": m.mentee,
        "role": _role_name(program, m.role),
        "status": m.status,
        "mentors": list(m.mentors),
        "flags": flags,
    }
    return row, overdue


def _role_name(program: Program, role_id: str | None) -> str:
    role = program.role(role_id)
    return role.name if role is not None else (role_id or "no role chosen")


def _over_capacity(cards: list[Mentorship], program: Program) -> list[dict[str, Any]]:
    """Mentors listed in roles.yml with more active and paused mentees than their capacity."""
    load: dict[str, int] = {}
    names: dict[str, str] = {}
    for m in cards:
        if m.status in ("active", "paused"):
            for login in m.mentors:
                names.setdefault(_lower(login), login)
                load[_lower(login)] = load.get(_lower(login), 0) + 1
    rows = []
    for key, count in sorted(load.items()):
        login = names[key]
        roles = program.roles_of(login)
        capacity = program.mentor_capacity(login)
        if roles and count > capacity:
            rows.append(
                {
                    "login": login,
                    "mentees": count,
                    "capacity": capacity,
                    "roles": [role.name for role in roles],
                }
            )
    return rows


def needs_attention(result: dict[str, Any]) -> int:
    """How many rows need attention."""
    return sum(len(result[name]) for name in SECTIONS)


def text(result: dict[str, Any]) -> str:
    """The result for a terminal: a headline, then one line per item, by section."""
    c = result["counts"]
    lines = [
        f"{result['repository'] or 'The program'} on {result['today']}: {c['active']} active, "
        f"{c['paused']} paused, {c['waiting']} waiting for a mentor, "
        f"{c['needs_info']} waiting for the applicant"
    ]

    def section(title: str, rows: list[dict[str, Any]], line) -> None:
        if rows:
            lines.append("")
            lines.append(f"{title} ({len(rows)}):")
            lines.extend("  " + line(row) for row in rows)

    section(
        "Flagged mentorships",
        result["flagged"],
        lambda r: (
            f"#{r['issue']} {_at(r['mentee'])} ({r['role']}, {r['status']}, "
            f"mentors {_ats(r['mentors'])}): " + "; ".join(r["flags"])
        ),
    )
    section(
        "Overdue assessments",
        result["overdue"],
        lambda r: (
            f"#{r['issue']} {_at(r['mentee'])}: check-in {r['checkin']} asked "
            f"{r['asked']}, overdue since {r['since']} ({_days(r['days'])}), "
            f"mentors {_ats(r['mentors'])}"
        ),
    )
    section(
        "Waiting for a mentor, longest first",
        result["waiting"],
        lambda r: (
            f"#{r['issue']} {_at(r['mentee'])} ({r['role']}): "
            f"{_days(r['days'])}, since {r['since']}"
        ),
    )
    section(
        "Waiting for the applicant's answer (needs-info)",
        result["needs_info"],
        lambda r: f"#{r['issue']} {_at(r['mentee'])}: {_days(r['days'])}, since {r['since']}",
    )
    section(
        "Mentors over capacity",
        result["over_capacity"],
        lambda r: (
            f"{_at(r['login'])}: {r['mentees']} mentees, capacity {r['capacity']} "
            f"({', '.join(r['roles'])})"
        ),
    )
    section(
        "Applications without a status card (the events workflow has not handled them)",
        result["no_card"],
        lambda r: f"#{r['issue']} {_at(r['author'])}: opened {r['opened'] or 'on an unknown day'}",
    )
    section("Not read", result["not_read"], lambda r: f"#{r['issue']}: {r['reason']}")
    if not needs_attention(result):
        lines.append("Nothing needs attention.")
    return "\n".join(lines)


def _at(login: str | None) -> str:
    return f"@{login}" if login else "(deleted account)"


def _ats(logins: list[str]) -> str:
    return ", ".join(_at(x) for x in logins) or "none"


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


# --------------------------------------------------------------------------- runner


def run(app: Any, fmt: str, today: date) -> int:
    """The `mentoring status` command: read, then print; writes nothing, exit 0."""
    from mentoring.runners import run_nightly

    gateway = app.gateway()
    program = app.program
    snapshot = run_nightly.collect(gateway, program, today, level=False)
    result = attention(
        snapshot.issues,
        snapshot.mentorships,
        program,
        today,
        run_nightly.window_start(program.settings, today),
        gateway.target.repo,
        (*snapshot.unreadable, *snapshot.failed),
    )
    if fmt == "json":
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(text(result))
    return 0
