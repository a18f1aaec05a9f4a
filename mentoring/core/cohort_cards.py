"""Applicants' contribution counts on their status cards, spread over the nights of a week.

Pure. During a cohort's contribution period (and after it, until the results are
announced) each applicant's card shows their pull requests opened and merged,
issues opened and reviews in the period, "as of" the day they were read. The
counts are read once a week for the tracking issue (`runners/run_cohort_nightly.py`, kept in
its marker); a card is edited only when its counts changed, and not all on one
night: each card has its night of the week (its issue number modulo 7), counted
from the day the counts were read. A card whose night was missed (no nightly
ran) is due on any later night, the stalest first, and a night edits at most
``limit`` cards; the rest wait for the next night. So at 200 applicants a night
edits about 200 / 7 cards at most, whatever the week brings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from mentoring.core.activity import Counts
from mentoring.core.cohorts import Cohort
from mentoring.core.model import Plan, lower
from mentoring.core.state import COUNTED, Counted, Mentorship, card_writes
from mentoring.program.config import Program
from mentoring.program.templates import Messages

SPREAD_DAYS = 7  # a week's card edits are spread over this many nights


def showing(cohort: Cohort, today: date) -> bool:
    """Whether the cards' contribution-period counts are kept up to date today: from the
    period's first day until the results are announced (or the cohort starts); the cards
    keep the last counts after that."""
    if cohort.contribution is None or today < cohort.contribution.first:
        return False
    return not cohort.announced(today) and (cohort.start is None or today < cohort.start)


def counted(counts: Counts, on: date) -> Counted:
    return Counted(on, **{name: counts.get(name) for name in COUNTED})


def due_day(issue: int, counts_on: date) -> date:
    """The night a card is edited for counts read on ``counts_on``: the first day from then
    whose weekday slot is the issue's (issue number modulo 7)."""
    return counts_on + timedelta(days=(issue - counts_on.toordinal()) % SPREAD_DAYS)


def changed(m: Mentorship, now: Counted) -> bool:
    """Whether the card's counts differ from ``now`` (no counts on the card count as zero)."""
    shown = m.counted.numbers() if m.counted else (0,) * len(COUNTED)
    return shown != now.numbers() and (m.counted is None or m.counted.on <= now.on)


def plan(
    cohort: Cohort,
    cards: Iterable[Mentorship],
    counts: Mapping[str, Counts],
    counts_on: date | None,
    program: Program,
    messages: Messages,
    today: date,
    *,
    limit: int,
    busy: Iterable[int] = (),
) -> Plan:
    """The card edits due tonight for ``cohort``: applicants of the cohort, still open, whose
    counts (to date, as read on ``counts_on``) changed, and whose night has come; the stalest
    first, at most ``limit``. ``busy``: issues written earlier in this run (their card is
    left for the next night, so no edit is made over a card this run changed)."""
    if counts_on is None or not showing(cohort, today):
        return Plan(())
    skip = set(busy)
    owed: list[tuple[date, int, Mentorship, Counted]] = []
    for m in cards:
        if m.cohort != cohort.id or not m.open or not m.mentee or m.card_id is None:
            continue
        if lower(m.mentee) not in counts:  # not counted (not on the tracking issue): unknown
            continue
        now = counted(counts[lower(m.mentee)], counts_on)
        if m.issue in skip or not changed(m, now):
            continue
        day = due_day(m.issue, counts_on)
        if day <= today:
            owed.append((day, m.issue, m, now))
    owed.sort(key=lambda item: (item[0], item[1]))
    writes = []
    for _, _, m, now in owed[: max(0, limit)]:
        writes += card_writes(m, dataclasses.replace(m, counted=now), program, messages)
    notes: tuple[tuple[int, str], ...] = ()
    if len(owed) > limit:
        notes = ((0, f"{len(owed) - limit} cards' contribution counts wait for the next night"),)
    return Plan(tuple(writes), notes)
