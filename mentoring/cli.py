"""The `mentoring` command line: parses arguments and routes to one function per command.

Heavy imports (PyGithub, the features) happen inside the commands, so that
``--help`` and ``validate`` start fast. A user error is one clear line and
exit 1 (2 for usage errors), never a traceback.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from mentoring import __version__
from mentoring.errors import MentoringError


class App:
    """What every command shares: where the program lives, which repo, and dry-run."""

    def __init__(self, root: Path, repo: str | None, dry_run: bool, bot_login: str | None = None):
        self.root = root
        self.repo = repo
        self.dry_run = dry_run
        self.bot_login = bot_login  # --bot-login: overrides settings.bot_login
        self._program = None
        self._messages = None
        self._identities: dict = {}  # who each token is, asked once per command
        self.sleep: Any = None  # the gateways' sleep, if not time.sleep (tests)

    @property
    def program(self):  # -> mentoring.program.config.Program
        if self._program is None:
            from mentoring.program.config import load_program

            self._program = load_program(self.root, bot_login=self.bot_login)
        return self._program

    @property
    def messages(self):  # -> mentoring.program.templates.Messages
        if self._messages is None:
            from mentoring.program.templates import load

            self._messages = load(self.root)
        return self._messages

    def gateway(self, env: dict[str, str] | None = None, **overrides: Any):
        """A gateway to the repository named by --repo or GITHUB_REPOSITORY."""
        from mentoring.gateway import Gateway, Target

        writes = self.program.settings.writes
        options: dict[str, Any] = {
            "bot_login": self.program.settings.bot_login,
            "dry_run": self.dry_run,
            "pace_seconds": writes.pace_seconds,
            "max_writes": writes.max_per_run,
            "identities": self._identities,
        }
        if self.sleep is not None:  # tests: a clock that moves without waiting
            options["sleep"] = self.sleep
        options.update(overrides)
        return Gateway(Target.from_env(self.repo, env), **options)

    def api_today(self) -> date:
        """Today by the API's clock: one ``GET /rate_limit``, which costs no budget."""
        from mentoring.gateway import Gateway, Target

        return Gateway(Target.from_env(self.repo)).today()


def _today(value: str | None, app: App | None = None) -> date:
    """``--today``, else GitHub's date (its ``Date`` header: the emulator's pinned clock too)."""
    if value is None:
        return app.api_today() if app is not None else datetime.now(UTC).date()
    return value if isinstance(value, date) else date.fromisoformat(value)


class _DateType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        from mentoring.core.schedule import EARLIEST, LATEST

        try:
            day = value if isinstance(value, date) else date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date like 2026-03-01", param, ctx)
        if not EARLIEST <= day <= LATEST:
            self.fail(f"{day} is not a date from {EARLIEST} to {LATEST}", param, ctx)
        return day


DATE = _DateType()

DRY_RUN_HELP = "Read from GitHub, print every write that would be made, write nothing."


def _set_dry_run(ctx: click.Context, param: Any, value: bool) -> bool:
    app = ctx.find_object(App)
    if value and app is not None:
        app.dry_run = True
    return value


def dry_run_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--dry-run`` after the command too: ``mentoring nightly --dry-run``."""
    return click.option(
        "--dry-run",
        is_flag=True,
        expose_value=False,
        callback=_set_dry_run,
        help=DRY_RUN_HELP + " Also accepted before the command.",
    )(func)


def user_errors(func: Callable[..., int | None]) -> Callable[..., None]:
    """Run a command body; MentoringError becomes one line on stderr and exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = func(*args, **kwargs)
        except MentoringError as exc:
            click.echo(f"mentoring: {exc}", err=True)
            sys.exit(1)
        sys.exit(code or 0)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mentoring")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The program's folder (roles.yml, participants.yml): the repository's top, "
    "or a folder inside it.",
)
@click.option(
    "--repo",
    metavar="OWNER/NAME",
    default=None,
    help="The GitHub repository to act on. Default: $GITHUB_REPOSITORY.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help=DRY_RUN_HELP + " Also accepted after a command that writes.",
)
@click.option(
    "--bot-login",
    metavar="LOGIN",
    envvar="MENTORING_BOT_LOGIN",
    default=None,
    help="The account the token acts as, e.g. my-app[bot] for a GitHub App. "
    "Default: $MENTORING_BOT_LOGIN, else bot_login in .github/mentoring.yml.",
)
@click.pass_context
def main(
    ctx: click.Context, root: Path, repo: str | None, dry_run: bool, bot_login: str | None
) -> None:
    """Run an open-source project's mentoring program inside one GitHub repository.

    GitHub is reached at $GITHUB_API_URL (default https://api.github.com) with
    $GITHUB_TOKEN. Run `mentoring demo` to watch a whole program on a local emulator.
    """
    ctx.obj = App(root=root, repo=repo, dry_run=dry_run, bot_login=bot_login)


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="github: print ::error (and ::warning) annotations for Actions.",
)
@click.pass_obj
@user_errors
def validate(app: App, fmt: str) -> int:
    """Check roles.yml, participants.yml, settings, the application form and messages.

    Exit 0 when clean, 1 with every problem listed. With $GITHUB_TOKEN and a repository
    (--repo or $GITHUB_REPOSITORY), also warns about mentors of open applications that
    roles.yml no longer lists (one listing; warnings never change the exit code).
    """
    from mentoring.runners.run_validate import run

    return run(app.root, fmt, bot_login=app.bot_login, repo=app.repo)


@main.command()
@click.option(
    "--port", type=int, default=0, show_default=True, help="Port on 127.0.0.1 (0: any free port)."
)
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Load the emulator's state from FILE if it exists, save it there on exit.",
)
@click.option(
    "--seed-dir",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="Files for each new repository's default branch (e.g. this checkout).",
)
@click.option(
    "--events-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Also write each webhook event as a payload file in DIR, named as the workflow "
    "receives it (0001-issues.opened.json, 0002-pull_request_target.opened.json), "
    "ready for `mentoring event --payload FILE`.",
)
@user_errors
def emulator(
    port: int, state_file: str | None, seed_dir: str | None, events_dir: str | None
) -> int:
    """Serve a local GitHub emulator (a stateful subset of the REST API) until interrupted.

    Point the other commands at it with GITHUB_API_URL=http://127.0.0.1:PORT.
    A token `as:LOGIN` acts as LOGIN (users exist on first use), `app:SLUG` as the
    GitHub App SLUG[bot]; any other token acts as github-actions[bot]. People's and
    Apps' writes queue webhook events; the workflow token's do not, as on GitHub.
    The API is also served under /api/v3, as GitHub Enterprise Server serves it.

    \b
    Admin endpoints (no token; not logged, never faulted):
      GET    /_emulator/log            the API requests made so far
      DELETE /_emulator/log            forget them
      POST   /_emulator/faults         {"path": REGEX, "status": 502, "count": 1, ...}
      DELETE /_emulator/faults         drop queued faults
      GET    /_emulator/clock          {"now": ..., "pinned": ...}
      POST   /_emulator/clock          {"now": "2026-03-01T09:00:00Z"}; null unpins
      GET    /_emulator/events         queued webhook events (stay queued)
      POST   /_emulator/events/take    queued events, emptying the queue
      DELETE /_emulator/events         empty the queue
      GET    /_emulator/rate-limit     {"limit": ...}: requests an hour per token
      POST   /_emulator/rate-limit     {"limit": 300}; every token's hour starts afresh
      GET    /_emulator/state          the whole state as JSON
      POST   /_emulator/repos/O/R/collaborators       {"logins": [...]}
      POST   /_emulator/repos/O/R/issues/N/lock       {"lock_reason": ...}
      POST   /_emulator/repos/O/R/issues/N/transfer   {"to": "owner/repo"}
      POST   /_emulator/repos/O/R/issues/N/delete
      POST   /_emulator/users/LOGIN/delete

    A worked example: docs/emulator.md.
    """
    from mentoring.emulator import serve

    serve(port=port, state_file=state_file, seed_dir=seed_dir, events_dir=events_dir)
    return 0


@main.command()
@click.option(
    "--name",
    envvar="GITHUB_EVENT_NAME",
    default=None,
    help="The event name (issues, issue_comment, pull_request_target). Default: "
    "$GITHUB_EVENT_NAME, else read from a payload file named like 0001-issues.opened.json.",
)
@click.option(
    "--payload",
    envvar="GITHUB_EVENT_PATH",
    default=None,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The event payload JSON file. Default: $GITHUB_EVENT_PATH.",
)
@click.option("--today", type=DATE, default=None, help="Act as if today were this date.")
@click.option(
    "--open-pulls",
    is_flag=True,
    envvar="MENTORING_OPEN_PULLS",
    help="This job may open pull requests (contents and pull-requests: write): answer a "
    "/approve on a mentor registration with one. Without it, such an /approve is left "
    "for the job that may (docs/mentors.md). Default: $MENTORING_OPEN_PULLS.",
)
@dry_run_option
@click.pass_obj
@user_errors
def event(
    app: App, name: str | None, payload: Path | None, today: date | None, open_pulls: bool
) -> int:
    """Handle one GitHub event: an application, an edit, an assignment, a slash command, a PR.

    In Actions both options come from the environment. By hand, pass a payload
    file; `mentoring emulator --events-dir DIR` writes one per event, named so
    that --name can be left out.
    """
    if name is None and payload is not None:
        name = event_name_from_file(payload)
    if name is None or payload is None:
        missing = " and ".join(
            text
            for text, value in (
                ("--name (or GITHUB_EVENT_NAME)", name),
                ("--payload (or GITHUB_EVENT_PATH)", payload),
            )
            if value is None
        )
        click.echo(
            f"mentoring event needs an event: set GITHUB_EVENT_NAME and GITHUB_EVENT_PATH, "
            f"or pass --name NAME --payload FILE (missing: {missing})",
            err=True,
        )
        return 2
    from mentoring.runners.run_events import run

    return run(app, name, payload, today, open_pulls=open_pulls)


_EVENT_FILE = re.compile(r"\d+-([a-z_]+)\.[a-z_]+\.json")


def event_name_from_file(path: Path) -> str | None:
    """``issues`` from ``0001-issues.opened.json`` (as `mentoring emulator --events-dir`
    names its files), else None."""
    match = _EVENT_FILE.fullmatch(path.name)
    return match.group(1) if match else None


@main.command()
@click.option("--today", type=DATE, default=None, help="Act as if today were this date.")
@dry_run_option
@click.pass_obj
@user_errors
def nightly(app: App, today: date | None) -> int:
    """Post what is due today: check-ins, assessments, escalations, nudges; refresh the dashboard.

    Works out what is due from dates and the bot's earlier comments, so a late
    or skipped run catches up with one overdue item, never a backlog. It leaves
    budget.reserve of the hour's API requests to event runs: there it waits for
    the hour's count to start again, up to budget.wait_minutes in all (a dry run
    never waits), then stops cleanly; the next run finishes, writing nothing twice.
    """
    from mentoring.runners.run_nightly import run

    return run(app, today)


@main.command()
@click.option("--today", type=DATE, default=None, help="Act as if today were this date.")
@dry_run_option
@click.pass_obj
@user_errors
def approvals(app: App, today: date | None) -> int:
    """Answer every coordinator's /approve on an open mentor registration that no run answered.

    The /approve whose event GitHub lost: answered as the mentors workflow would have,
    with the pull request adding the mentor to roles.yml, so it needs a token with
    contents and pull-requests: write (the scheduled job of mentoring-mentors.yml runs
    it daily). Reads the open registrations in one listing and only those that may owe
    an answer on their own. With `mentors: {approve: comment}` it does nothing (the
    nightly answers). A second run writes nothing.
    """
    from mentoring.runners.run_mentors import sweep

    return sweep(app, today)


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: as in mentoring/schemas/status.schema.json.",
)
@click.option("--today", type=DATE, default=None, help="Act as if today were this date.")
@click.pass_obj
@user_errors
def status(app: App, fmt: str, today: date | None) -> int:
    """What needs attention now: flags, overdue assessments, waiting applications, mentors
    over capacity. Reads from GitHub (as the nightly pass does), writes nothing, exit 0."""
    from mentoring.runners.run_status import run

    return run(app, fmt, _today(today, app))


@main.group()
def graduation() -> None:
    """Graduation pull requests: check them, and help mentees write their entry."""


@graduation.command("check")
@click.option("--base", default=None, help="Git ref of the base (local file checks).")
@click.option("--head", default=None, help="Git ref of the head (local file checks).")
@click.option(
    "--pr",
    "pr",
    type=int,
    default=None,
    help="Pull request number: program checks via the API, and the result posted "
    "(or edited) as a comment on the pull request.",
)
@click.option(
    "--no-comment",
    is_flag=True,
    help="With --pr: print the result only; post or edit no comment.",
)
@click.option("--today", type=DATE, default=None, help="Act as if today were this date.")
@dry_run_option
@click.pass_obj
@user_errors
def graduation_check(
    app: App,
    base: str | None,
    head: str | None,
    pr: int | None,
    no_comment: bool,
    today: date | None,
) -> int:
    """Check a change to participants.yml: the file, and (with a token) the program's state.

    With --pr N the result is also a comment on pull request N, as in the
    graduation workflow (one comment, edited on later runs); --no-comment or
    --dry-run leave the pull request alone.
    """
    from mentoring.runners.run_graduation import check

    return check(app, base=base, head=head, pr=pr, comment=not no_comment, today=today)


@graduation.command("entry")
@click.option("--issue", type=int, required=True, help="The application issue number.")
@click.option("--today", type=DATE, default=None, help="The graduation date to fill in.")
@click.pass_obj
@user_errors
def graduation_entry(app: App, issue: int, today: date | None) -> int:
    """Print the participants.yml entry to paste, filled from the application issue."""
    from mentoring.runners.run_graduation import entry

    return entry(app, issue, _today(today, app))


@main.command()
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.option("--since", type=DATE, default=None, help="Only applications from this date.")
@click.option("--until", type=DATE, default=None, help="Only applications up to this date.")
@click.option("--today", type=DATE, default=None, help="Act as if today were this date.")
@click.option(
    "--cohort",
    "cohort_id",
    default=None,
    help="The summary report of this cohort of cohorts.yml: funnel, activity, retention.",
)
@click.pass_obj
@user_errors
def report(
    app: App,
    fmt: str,
    since: date | None,
    until: date | None,
    today: date | None,
    cohort_id: str | None,
) -> int:
    """Program statistics from the repository alone: pairing, graduation, retention."""
    if cohort_id is not None:
        from mentoring.runners.run_cohort_report import run as cohort_run

        return cohort_run(app, cohort_id, fmt, _today(today))
    from mentoring.runners.run_report import run

    return run(app, fmt, since, until, today)


@main.command()
@click.option(
    "--months",
    type=click.IntRange(1, 36),
    default=12,
    show_default=True,
    help="How long the simulated program runs.",
)
@click.option(
    "--applicants",
    type=click.IntRange(1, 200),
    default=8,
    show_default=True,
    help="How many people apply over that time.",
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="Random seed: same seed, same story."
)
@click.option(
    "--keep-state",
    type=click.Path(dir_okay=False),
    default=None,
    help="Save the emulator state to FILE, to explore with `mentoring emulator --state FILE`.",
)
@click.option(
    "--program",
    "kind",
    type=click.Choice(["open", "cohort"]),
    default="open",
    show_default=True,
    help="open: mentorships start when a mentor is paired; cohort: two rounds of a "
    "cohort (window, contribution period, selection, 10 weeks, the end), printing "
    "the weekly reports and the summary reports (--months and --keep-state do not apply).",
)
@click.pass_obj
@user_errors
def demo(
    app: App, months: int, applicants: int, seed: int, keep_state: str | None, kind: str
) -> int:
    """Run a whole mentoring program on the built-in emulator: no token, no network.

    Applications arrive, coordinators pair mentors, the nightly pass runs every
    simulated day, and graduates' pull requests are checked and merged, all
    through the real handlers; a mentor registers and is approved, a role holder
    nominates, a mentor is away. Prints the timeline, then the dashboard and the
    report. The demo uses its own example program (--root is not read); the
    repository is --repo, else $GITHUB_REPOSITORY, else demo-org/mentoring.
    """
    if kind == "cohort":  # --months and --keep-state do not apply: two rounds, a year
        from mentoring.cohort_demo import run as cohort_demo

        return cohort_demo(app, applicants=min(applicants, 16), seed=seed)
    from mentoring.demo import run

    return run(app, months=months, applicants=applicants, seed=seed, keep_state=keep_state)


@main.command("sync-form")
@click.option("--check", is_flag=True, help="Only report drift; exit 1 if the form is out of date.")
@dry_run_option
@click.pass_obj
@user_errors
def sync_form(app: App, check: bool) -> int:
    """Rewrite the role options of the application, mentor registration and nomination forms
    from roles.yml (and a cohort dropdown from cohorts.yml: every round not closed yet).

    With --dry-run: say what would change, write nothing, exit 0.
    """
    from mentoring.program.form import sync
    from mentoring.program.mentor_forms import sync_forms

    code = sync(app, check=check or app.dry_run)
    top = app.program.layout.top if app.program.layout.top is not None else Path(app.root)
    code = max(code, sync_forms(top, app.program, check=check or app.dry_run))
    return code if check else 0


@main.command("init")
@click.argument(
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    required=False,
)
@click.option(
    "--coordinator",
    "coordinators",
    multiple=True,
    metavar="LOGIN",
    help="A coordinator's GitHub login (repeat for several). Required, except with --upgrade.",
)
@click.option(
    "--repo",
    "repository",
    metavar="OWNER/NAME",
    default=None,
    help="The program's repository, for links. Default: the 'origin' remote of DIRECTORY.",
)
@click.option(
    "--root",
    "program_root",
    metavar="SUBDIR",
    default=".",
    show_default=True,
    help="Put the program's files in this folder of the repository (the action's `root`).",
)
@click.option(
    "--upgrade",
    is_flag=True,
    help="Move the pinned version in DIRECTORY's workflows to this version; print the diff.",
)
@user_errors
def init_command(
    directory: Path,
    coordinators: tuple[str, ...],
    repository: str | None,
    program_root: str,
    upgrade: bool,
) -> int:
    """Start a mentoring program in DIRECTORY (default: here), a repository of its own.

    Writes roles.yml, participants.yml, the settings with every default shown,
    the application form, the handbooks, and workflows that use this version's
    GitHub Action. Never overwrites a file: if one exists, lists them and exits 1.
    """
    from mentoring import init

    if upgrade:
        return init.run_upgrade(directory)
    return init.run(directory, coordinators, repository, program_root)
