"""`mentoring report --cohort ID`: read a cohort's cards and activity, print its summary report."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

import click

from mentoring.core import cohort_report, cohorts
from mentoring.errors import MentoringError
from mentoring.runners import read_cards, read_contributions

REVIEW_READS = 5000  # the report reads the reviews of every pull request (up to this many)


def run(app: Any, cohort_id: str, fmt: str, today: date, out: Any = None) -> int:
    """Print the summary report of ``cohort_id`` as Markdown or JSON; notes go to stderr."""
    program = app.program
    cohort = cohorts.by_id(program.cohorts, cohort_id)
    if cohort is None:
        known = ", ".join(c.id for c in program.cohorts) or "none: the program has no cohorts.yml"
        raise MentoringError(f"--cohort {cohort_id!r} is not in cohorts.yml (cohorts: {known})")
    gateway = app.gateway()
    cards = read_cards.cards(gateway, program, cohorts_=[cohort])
    settings = program.settings.activity
    snapshot = None
    if settings is not None and settings.repositories:
        since = datetime.combine(cohort_report.read_since(cohort), time.min, UTC)
        snapshot = read_contributions.read(
            gateway, settings.repositories, since, max_review_reads=REVIEW_READS
        )
        reads = sum(snapshot.requests.values())
        click.echo(
            f"read {len(settings.repositories)} repositories since {since.date()}: {reads} "
            "requests (4 listings each, 100 a page, and one per pull request for its reviews)",
            err=True,
        )
    else:
        click.echo("no activity.repositories in the settings: activity is not counted", err=True)
    data = cohort_report.compute(cohort, cards, snapshot, today)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(cohort_report.markdown(data))
    return 0
