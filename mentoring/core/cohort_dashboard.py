"""The program dashboard's cohort section: applications in no cohort, and the form to sync.

Pure. An application made outside every window (or naming a round outside its
window) is never closed silently: it stays open and waiting, the applicant had
one kind reply, and this section lists it for the coordinators to decide
(``/select COHORT``, or closing it with a word), with the day it was made and
the window open now or next. It also says when the form's cohort dropdown
needs `mentoring sync-form`: a round closed since (harmless), or one cohorts.yml
added that the form does not offer yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from mentoring.core import cohorts
from mentoring.core.state import Mentorship
from mentoring.program.config import Program
from mentoring.program.templates import Messages

MAX_ROWS = 50  # rows shown; the rest are counted


def outside(mentorships: Iterable[Mentorship], program: Program) -> list[Mentorship]:
    """Open applications waiting in no cohort of cohorts.yml, the oldest first."""
    found = [
        m
        for m in mentorships
        if m.status == "waiting" and cohorts.by_id(program.cohorts, m.cohort) is None
    ]
    return sorted(found, key=lambda m: (m.applied or date.max, m.issue))


def part(
    mentorships: Iterable[Mentorship],
    program: Program,
    messages: Messages,
    today: date,
    drift: Any = None,
) -> str:
    """The section's Markdown ('' for a program without cohorts). ``drift``: the form's
    `cohorts.FormDrift` today, None without a cohort dropdown."""
    if not program.cohorts:
        return ""
    waiting = outside(mentorships, program)
    rows = [
        {
            "issue": m.issue,
            "mentee": m.mentee or "",
            "applied": m.applied.isoformat() if m.applied else "—",
            "days": (today - m.applied).days if m.applied else 0,
        }
        for m in waiting[:MAX_ROWS]
    ]
    nxt = cohorts.next_window(program.cohorts, today)
    return messages.render(
        "dashboard-cohorts",
        rows=rows,
        more=len(waiting) - len(rows),
        open_now=[
            {"name": c.name, "id": c.id, "close": c.applications.last.isoformat()}
            for c in cohorts.open_on(program.cohorts, today)
        ],
        next_name=nxt.name if nxt else "",
        next_id=nxt.id if nxt else "",
        next_open=nxt.applications.first.isoformat() if nxt else "",
        next_close=nxt.applications.last.isoformat() if nxt else "",
        form_closed=list(drift.closed) if drift is not None else [],
        form_missing=list(drift.missing + drift.unknown) if drift is not None else [],
    )
