"""`mentoring report`: read every status card in two listings, compute the statistics, print them.

Reads, never writes. The application issues (all states) and the repository's
comments are read 100 a page, never one request per issue; each issue's state
is the bot's latest status card (``state.find_card``). When retention is
configured, each graduate whose retention day has come costs one request per
named repository at most (see ``retained``). The report goes to standard
output as Markdown or JSON; notes on what was left out go to standard error.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime

import click

from mentoring.core import report, state
from mentoring.core.model import Comment, lower
from mentoring.errors import MentoringError


def run(app, fmt: str, since: date | None, until: date | None, today: date | None) -> int:
    """Print the report for applications made from ``since`` to ``until`` (both inclusive);
    without ``today``, today is GitHub's date."""
    if since is not None and until is not None and since > until:
        raise MentoringError(f"--since {since} is after --until {until}: nothing to report")
    program = app.program
    gateway = app.gateway()
    if today is None:
        today = gateway.today()
    bot = program.settings.bot_login
    issues = gateway.issues(state="all", labels=[program.settings.labels.application])
    comments = gateway.comments_since(None)
    mentorships = cards(comments, bot)
    carded = {m.issue for m in mentorships}
    uncarded = sorted(i.number for i in issues if not i.is_pull and i.number not in carded)

    retention = None
    setting = program.settings.retention
    notes: list[str] = []
    if setting is not None and setting.repositories:
        retention = {}
        unreadable: dict[str, str] = {}
        failed: dict[str, str] = {}
        due_first = sorted(
            report.graduates(mentorships, program, since, until),
            key=lambda pair: pair[1] or date.min,
            reverse=True,
        )
        for m, graduated in due_first:
            if m.mentee is None or graduated is None or lower(m.mentee) in retention:
                continue
            due = report.retention_due(graduated, setting.months)
            if due <= today:
                retention[lower(m.mentee)] = retained(
                    gateway, setting.repositories, m.mentee, due, unreadable, failed
                )
        notes += [f"cannot read {repo}: {why}" for repo, why in sorted(unreadable.items())]
        notes += [f"a search in {repo} failed: {why}" for repo, why in sorted(failed.items())]

    data = report.compute(mentorships, program, today, since, until, retention)
    if uncarded:
        shown = ", ".join(f"#{n}" for n in uncarded[:20]) + (" …" if len(uncarded) > 20 else "")
        data["notes"].append(
            f"{len(uncarded):,} application issue{'s' if len(uncarded) != 1 else ''} "
            f"without a status card yet, not counted: {shown}"
        )
    data["notes"] += [f"Retention: {note}." for note in notes]

    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(report.markdown(data), nl=False)
    for note in data["notes"]:
        click.echo(f"note: {note}", err=True)
    return 0


def cards(comments: Iterable[Comment], bot_login: str) -> list[state.Mentorship]:
    """Each issue's state from the bot's latest status card among ``comments``."""
    threads: dict[int, list[Comment]] = {}
    for comment in comments:
        threads.setdefault(comment.issue, []).append(comment)
    found = []
    for number in sorted(threads):
        thread = sorted(threads[number], key=lambda c: (c.created_at, c.id))
        m = state.find_card(thread, bot_login, number)
        if m is not None:
            found.append(m)
    return found


def retained(
    gateway,
    repositories: Iterable[str],
    login: str,
    due: date,
    unreadable: dict[str, str],
    failed: dict[str, str],
) -> bool | None:
    """Whether ``login`` opened an issue or pull request in any of ``repositories`` on or after
    ``due``; None if that cannot be told because a repository could not be read.
    Repositories GitHub refuses (403, 404) go into ``unreadable`` and are not asked
    again; other failures go into ``failed``.

    One request per repository, stopping at the first that shows activity: the
    listing filters on the creator and on ``updated`` since ``due`` (anything
    created since then was updated since then), newest first, so its first item
    answers the question.
    """
    start = datetime(due.year, due.month, due.day, tzinfo=UTC)
    missed = False
    for repo in repositories:
        if repo in unreadable:
            missed = True
            continue
        try:
            newest = gateway.issues_by(repo, login, start, limit=1)
        except MentoringError as exc:
            missed = True
            if getattr(exc.__cause__, "status", None) in (403, 404):
                unreadable[repo] = str(exc)  # the repository itself: do not ask again
            else:
                failed.setdefault(repo, str(exc))
            continue
        if newest and newest[0].created_at is not None and newest[0].created_at >= start:
            return True
    return None if missed else False
