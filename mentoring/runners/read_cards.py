"""Cohort reads for the runners: the status cards of every application, in one batched listing."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from mentoring.core import state
from mentoring.core.state import Mentorship
from mentoring.program.config import Program


def cards(gateway: Any, program: Program, cohorts_: Any = None) -> list[Mentorship]:
    """Every application's state, from the repo-wide comment listing (100 a page) since the
    earliest application window opened (of ``cohorts_``, default all): what ``/select``
    needs to count the seats taken, and the cohort dashboards their applicants."""
    chosen = program.cohorts if cohorts_ is None else cohorts_
    days = [c.applications.first if c.applications else c.start for c in chosen]
    days = [d for d in days if d is not None]
    since = datetime.combine(min(days), time.min, UTC) if days else None
    grouped: dict[int, list] = {}
    for comment in gateway.comments_since(since):
        grouped.setdefault(comment.issue, []).append(comment)
    bot = program.settings.bot_login
    return [m for n, found in grouped.items() if (m := state.find_card(found, bot, n)) is not None]
