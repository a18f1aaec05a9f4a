"""How a command ends: the run's summary on the terminal and in the Actions job summary."""

from __future__ import annotations

import os
from pathlib import Path

import click

from mentoring.gateway import RunReport, headline

SHOWN_PER_BUCKET = 50  # reasons printed on the terminal per outcome; the rest are counted


def reason_lines(report: RunReport, limit: int = SHOWN_PER_BUCKET) -> list[str]:
    """One line per write or note that did not go through (failed, deferred, skipped),
    with its reason, e.g. ``skipped: #2: locked: check-in 3 not posted``."""
    out = []
    for bucket in ("failed", "deferred", "skipped"):
        entries = [
            (number, text)
            for number, texts in sorted(getattr(report, bucket).items())
            for text in texts
        ]
        for number, text in entries[:limit]:
            label = f"#{number}" if number else "repo"
            out.append(f"{bucket}: {label}: {headline(text)}")
        if len(entries) > limit:
            out.append(f"{bucket}: … and {len(entries) - limit} more")
    return out


def finish(report: RunReport, title: str) -> int:
    """Print the summary and why anything was not done, and append the summary to
    $GITHUB_STEP_SUMMARY; 1 only if a write failed."""
    for line in report.lines():
        click.echo(line)
    for line in reason_lines(report):
        click.echo(line)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(report.markdown(title) + "\n")
    return report.exit_code
