"""How a command ends: the run's summary on the terminal and in the Actions job summary."""

from __future__ import annotations

import os
from pathlib import Path

import click

from mentoring.gateway import RunReport


def finish(report: RunReport, title: str) -> int:
    """Print the summary and append it to $GITHUB_STEP_SUMMARY; 1 only if a write failed."""
    for line in report.lines():
        click.echo(line)
    for bucket in ("failed", "deferred"):
        for number, texts in sorted(getattr(report, bucket).items()):
            for text in texts:
                click.echo(f"{bucket}: #{number}: {text.splitlines()[0]}")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(report.markdown(title) + "\n")
    return report.exit_code
