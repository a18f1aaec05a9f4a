"""Graduation pull requests end to end: read the change and the program's state, decide, report.

``check`` runs `mentoring graduation check`: with ``--pr N`` and a token, the
pull request's ``participants.yml`` is read through the API at its head (from
the fork if it comes from one) as data, never run; without, the file checks
compare two local git refs. ``on_pull_request`` is what `mentoring event` calls
for ``pull_request`` and ``pull_request_target`` events: a check on
opened/edited/synchronize/reopened, the graduation itself once merged.
``entry`` prints the entry a mentee pastes into the file.
"""

from __future__ import annotations

import os
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from mentoring.core import graduation, state
from mentoring.core.model import Issue, Plan, lower
from mentoring.core.textsafe import quote
from mentoring.errors import MentoringError, Problem, ProgramError
from mentoring.gateway import Gateway, IssueGone
from mentoring.program.config import load_program
from mentoring.runners import payload as payload_file
from mentoring.runners import summary
from mentoring.runners.run_validate import annotation

PULL_EVENTS = ("pull_request", "pull_request_target")
ACTIONS = ("opened", "edited", "synchronize", "reopened", "closed")
MAX_ANNOTATIONS = 10  # GitHub shows at most 10 error annotations per step
DEFAULT_BASE = "origin/HEAD"
FILE = graduation.FILE
TITLE = "Graduation check"


# --------------------------------------------------------------------------- commands


def check(
    app: Any,
    *,
    base: str | None,
    head: str | None,
    pr: int | None,
    comment: bool = True,
    today: date | None = None,
) -> int:
    """`mentoring graduation check`: exit 1 if the change to participants.yml has a problem;
    with ``pr``, the result is also a comment on it unless ``comment`` is False. Without
    ``today``, the date is GitHub's."""
    if pr is None:
        return _check_local(app, base, head)
    gw = app.gateway()
    if gw.target.token is None:
        raise MentoringError(
            "--pr needs GITHUB_TOKEN to read the pull request; "
            "without a token, run only the file checks with --base REF [--head REF]"
        )
    if base or head:
        click.echo(
            f"Reading both versions of {_path(_program(app))} from pull request #{pr}: "
            "--base/--head unused."
        )
    return _check_pull(app, gw, pr, today or gw.today(), comment=comment)


def entry(app: Any, issue: int, today: date) -> int:
    """`mentoring graduation entry`: print the participants.yml entry for an application."""
    gw = app.gateway()
    found = gw.issue(issue)
    m = None if found.is_pull else state.read(found, app.program.settings.bot_login)
    if m is None:
        raise MentoringError(f"#{issue} is not a mentoring application (it has no status card)")
    if not m.mentors:
        raise MentoringError(
            f"#{issue} has no mentor yet: the entry is written at the end of a mentorship"
        )
    click.echo(graduation.entry_yaml(found, m, app.program, today), nl=False)
    click.echo(
        f"Add this entry at the end of {_path(app.program)} and write 'Closes #{issue}' "
        "in the pull request's description.",
        err=True,
    )
    return 0


def on_pull_request(app: Any, name: str, payload: dict[str, Any], today: date) -> int:
    """A pull_request(_target) event: check the change, or graduate once it is merged."""
    payload = payload_file.check(payload, name if name in PULL_EVENTS else None)
    pr = payload.get("pull_request")
    action = payload.get("action")
    if name not in PULL_EVENTS or not isinstance(pr, dict):
        return _quiet(f"{name} is not a pull request event")
    number = pr.get("number")
    if action not in ACTIONS:
        return _quiet(f"pull request #{number} {action}: not a graduation action")
    author = (pr.get("user") or {}).get("login")
    if lower(author) == lower(app.program.settings.bot_login):
        return _quiet(f"pull request #{number} is by the bot")
    if not isinstance(number, int):
        return _quiet("the payload's pull request has no number")
    if action == "closed":
        if not pr.get("merged"):
            return _quiet(f"pull request #{number} was closed without merging")
        gw = app.gateway()
        default = (payload.get("repository") or {}).get("default_branch")
        default = default or gw.default_branch()
        into = (pr.get("base") or {}).get("ref")
        if into != default:
            return _quiet(f"pull request #{number} was merged into {into}, not {default}")
        return _on_merge(app, gw, number, today)
    if pr.get("state") != "open":
        return _quiet(f"pull request #{number} is closed")
    return _check_pull(app, app.gateway(), number, today, quiet=True)


def _quiet(reason: str) -> int:
    click.echo(f"Nothing to do: {reason}.")
    return 0


# --------------------------------------------------------------------------- checks


def _check_local(app: Any, base: str | None, head: str | None) -> int:
    """The file checks between two git refs (the head defaults to the working tree)."""
    root = Path(app.root)
    base_ref = base or DEFAULT_BASE
    head_sha = _commit(root, head) if head else None
    base_sha = _merge_base(root, _commit(root, base_ref), head_sha or _commit(root, "HEAD"))
    old = _show(root, base_sha)
    if head_sha is None:
        path = root / FILE
        new = path.read_bytes() if path.is_file() else None
    else:
        new = _show(root, head_sha)
    program = _program(app)
    where = _path(program)
    result = graduation.check_file(old, new, program, author=None, filename=where)
    why = "no --pr" if os.environ.get("GITHUB_TOKEN") else "no GITHUB_TOKEN"
    note = (
        f"Only the file checks ran ({why}): the checks against the application issue "
        "need --pr N and GITHUB_TOKEN."
    )
    click.echo(f"Checked {where}: {base_ref} → {head or 'the working tree'}.")
    _report(result.problems, note, where)
    return 1 if result.problems else 0


def _program(app: Any) -> Any:
    """The program, even when the checkout's own participants.yml has problems.

    Locally the head is often the working tree, so a broken participants.yml
    would stop the program from loading (and a broken one on the base branch
    should not stop every check): then load roles and settings alone, which is
    all the checks need.
    """
    try:
        return app.program
    except ProgramError as exc:
        if not all(p.file == FILE for p in exc.problems):
            raise
    return load_program(app.root, bot_login=app.bot_login, participants=False)


def _path(program: Any) -> str:
    """participants.yml's path from the repository's top: under the program's folder."""
    return program.layout.path(FILE)


def _check_pull(
    app: Any, gw: Gateway, number: int, today: date, *, quiet: bool = False, comment: bool = True
) -> int:
    """Every check on pull request ``number``, reported in annotations, summary and one comment."""
    program, messages = _program(app), app.messages
    bot = program.settings.bot_login
    where = _path(program)
    pr = gw.pull(number)
    change = _participants_change(gw.pull_files(number), where)
    if change is None:
        reason = f"pull request #{number} does not change {where}"
        return _quiet(reason) if quiet else summary.finish(gw.apply(Plan.ignore(reason)), TITLE)
    old, new = _pull_versions(gw, pr, change, where)
    author = (pr.get("user") or {}).get("login")
    result = graduation.check_file(old, new, program, author=author, filename=where)
    problems: list[Problem] = list(result.problems)
    added = result.entry
    closes = graduation.closing_issues(pr.get("body"), gw.target.repo)
    number_of_issue = graduation.linked_issue(closes, added)
    issue = _issue_or_none(gw, number_of_issue) if number_of_issue else None
    m = state.read(issue, bot) if issue is not None and not issue.is_pull else None
    checked = added is not None and added.participant is not None
    if checked:
        reviews = gw.pull_reviews(number) if m is not None and m.ready is None else []
        problems += graduation.check_program(pr, added, issue, m, reviews, program, closes)
    suggestion = ""
    if problems and issue is not None and m is not None and m.mentors:
        on = added.participant.graduated if checked else today
        suggestion = graduation.entry_yaml(issue, m, program, on)
    note = ""
    if not result.added:
        note = "No entry is added, so there is no application to check it against."
    elif not checked:
        note = "The checks against the application issue need one well-formed entry."
    _report(problems, note, where)
    body = graduation.comment_body(
        problems,
        messages,
        author=author,
        issue=number_of_issue,
        program_checked=checked,
        suggestion=suggestion,
        file=where,
    )
    plan = graduation.comment_plan(number, gw.issue_comments(number), body, bot)
    if not comment:
        plan = Plan.ignore("--no-comment: the result is not posted on the pull request", number)
    code = summary.finish(gw.apply(plan), TITLE)
    return 1 if problems else code


def _on_merge(app: Any, gw: Gateway, number: int, today: date) -> int:
    """The graduation pull request is merged: close, label and congratulate (once)."""
    program = app.program
    pr = gw.pull(number)
    title = "Graduation"
    if not pr.get("merged"):
        return summary.finish(gw.apply(Plan.ignore(f"#{number} is not merged", number)), title)
    where = _path(program)
    change = _participants_change(gw.pull_files(number), where)
    if change is None:
        return _quiet(f"pull request #{number} does not change {where}")
    old, new = _pull_versions(gw, pr, change, where)
    author = (pr.get("user") or {}).get("login")
    added = graduation.check_file(old, new, program, author=author, filename=where).entry
    closes = graduation.closing_issues(pr.get("body"), gw.target.repo)
    linked = graduation.linked_issue(closes, added)
    issue = _issue_or_none(gw, linked) if linked else None
    if issue is None:
        reason = f"merged pull request #{number} links no application issue"
        return summary.finish(gw.apply(Plan.ignore(reason, number)), title)
    on = _day(pr.get("merged_at")) or today
    participant = added.participant if added is not None else None
    plan = graduation.merge_plan(pr, issue, participant, program, app.messages, on)
    return summary.finish(gw.apply(plan), title)


# --------------------------------------------------------------------------- reading


def _participants_change(files: list[dict[str, Any]], where: str = FILE) -> dict[str, Any] | None:
    """The pull request's change to ``where`` (participants.yml's path in the repository)."""
    return next(
        (f for f in files if where in (f.get("filename"), f.get("previous_filename"))), None
    )


def _pull_versions(
    gw: Gateway, pr: dict[str, Any], change: dict[str, Any], where: str = FILE
) -> tuple[bytes | str | None, bytes | str | None]:
    """participants.yml before and after the pull request's change, read as data.

    The head is read at the head commit, from the fork when the pull request
    comes from one (from this repository when the fork is gone: GitHub keeps
    its commits). The base is the file as the change found it: rebuilt from
    GitHub's diff, which is against the merge base, else read at the base commit.
    """
    head, base = pr.get("head") or {}, pr.get("base") or {}
    head_repo = (head.get("repo") or {}).get("full_name")
    source = None if not head_repo or lower(head_repo) == lower(gw.target.repo) else head_repo
    gone = change.get("status") == "removed" or change.get("filename") != where
    new = None if gone else gw.read_file(where, head.get("sha"), repo=source)
    if new is None and source is not None and not gone:
        new = gw.read_file(where, head.get("sha"))  # the fork is gone or hidden: GitHub has it too
    if change.get("status") == "added" and change.get("filename") == where:
        return None, new
    old = graduation.base_from_patch(new, change.get("patch")) if new is not None else None
    if old is None:
        old = gw.read_file(where, base.get("sha"))
    return old, new


def _issue_or_none(gw: Gateway, number: int) -> Issue | None:
    try:
        return gw.issue(number)
    except IssueGone:
        return None


def _day(value: Any) -> date | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=False, timeout=60
        )
    except FileNotFoundError:
        raise MentoringError("git is not installed: the local file checks need it") from None


def _commit(root: Path, ref: str) -> str:
    if not ref or ref.startswith("-"):
        raise MentoringError(f"{ref!r} is not a git ref")
    found = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}")
    if found.returncode != 0:
        hint = " (fetch it first, or pass --base REF)" if ref == DEFAULT_BASE else ""
        raise MentoringError(f"{ref!r} is not a commit in the git checkout at {root}{hint}")
    return found.stdout.decode().strip()


def _merge_base(root: Path, base: str, head: str) -> str:
    """Where the head branched off: the file there is what the change started from."""
    found = _git(root, "merge-base", base, head)
    return found.stdout.decode().strip() if found.returncode == 0 else base


def _show(root: Path, sha: str) -> bytes | None:
    found = _git(root, "cat-file", "blob", f"{sha}:./{FILE}")  # ./: from the program's folder
    return found.stdout if found.returncode == 0 else None


# --------------------------------------------------------------------------- output


def _report(problems: tuple[Problem, ...] | list[Problem], note: str, where: str = FILE) -> None:
    """Every problem on the terminal (as annotations under Actions) and in the job summary."""
    in_actions = os.environ.get("GITHUB_ACTIONS") == "true"
    for index, problem in enumerate(problems):
        if not in_actions:
            click.echo(str(problem))
        elif index < MAX_ANNOTATIONS:
            click.echo(annotation(problem))
    hidden = len(problems) - MAX_ANNOTATIONS
    if in_actions and hidden > 0:
        click.echo(f"{hidden} more problem{'s' if hidden != 1 else ''} in the job summary.")
    if problems:
        click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found.")
    else:
        click.echo(f"The change to {where} passes the graduation checks.")
    if note:
        click.echo(note)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(_summary(problems, note, where))


def _summary(problems: tuple[Problem, ...] | list[Problem], note: str, where: str = FILE) -> str:
    lines = [f"### {TITLE}", ""]
    if not problems:
        lines.append(f"The change to `{where}` passes the graduation checks.")
    for p in problems:
        text = quote(f"{p.key}: {p.message}" if p.key else p.message, limit=500)
        hint = f" — {quote(p.hint, limit=500)}" if p.hint else ""
        lines.append(f"- `{p.file}:{p.line}` {text}{hint}")
    if note:
        lines += ["", note]
    return "\n".join(lines) + "\n\n"


__all__ = ["check", "entry", "on_pull_request"]
