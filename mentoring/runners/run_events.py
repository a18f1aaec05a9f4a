"""`mentoring event`: handle one GitHub event on an application, as GitHub Actions delivers it.

``issues`` (opened, edited, reopened, assigned, unassigned, closed) and
``issue_comment`` (created) are level-triggered: the event only says "look at
issue N now". Every run reconciles the whole issue as GitHub shows it: intake,
the mentors following the assignees, and every slash command not answered yet,
so an event GitHub never delivered is made up for by the next one (or by the
nightly pass). Pull request events go to the graduation feature. Anything else
is ignored with one line saying why.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from mentoring.core import intake, markers, pairing, state
from mentoring.core.model import Issue, Plan, lower
from mentoring.program import form
from mentoring.runners import payload as payload_file

ISSUE_ACTIONS = ("opened", "edited", "reopened", "assigned", "unassigned", "closed")
COMMENT_ACTIONS = ("created",)
PULL_EVENTS = ("pull_request", "pull_request_target")
MAX_LOOKUPS = 10  # assignability look-ups for the logins unanswered /mentor commands name


def load_payload(path: Path) -> dict[str, Any]:
    """The payload file, bounded in size and nesting, every field the handlers read type-checked."""
    return payload_file.load(path)


def _login(user: Any) -> str | None:
    return user.get("login") if isinstance(user, dict) else None


def ignored(name: str, payload: dict[str, Any], program: Any) -> str | None:
    """Why this event is not for intake and pairing (one line), or None if it is."""
    action = payload.get("action")
    if name not in ("issues", "issue_comment"):
        return f"{name} events are not handled by `mentoring event`"
    allowed = ISSUE_ACTIONS if name == "issues" else COMMENT_ACTIONS
    if action not in allowed:
        return f"{name}.{action} is not an action the bot acts on"
    issue = payload.get("issue")
    if not isinstance(issue, dict) or not isinstance(issue.get("number"), int):
        return f"{name}.{action} without an issue number"
    number = issue["number"]
    sender = payload.get("sender") if isinstance(payload.get("sender"), dict) else {}
    if sender.get("type") == "Bot" or intake.is_bot(_login(sender), program):
        return f"#{number}: sent by a bot ({_login(sender)})"
    if name == "issue_comment":
        if issue.get("pull_request"):
            return f"#{number}: a comment on a pull request"
        comment = payload.get("comment") if isinstance(payload.get("comment"), dict) else {}
        author = comment.get("user")
        if author is None:
            return f"#{number}: a comment by a deleted account"
        if author.get("type") == "Bot" or intake.is_bot(_login(author), program):
            return f"#{number}: a comment by a bot ({_login(author)})"
    labels = [x.get("name") for x in issue.get("labels") or [] if isinstance(x, dict)]
    application = program.settings.labels.application
    labelled = any(isinstance(x, str) and lower(x) == lower(application) for x in labels)
    if not labelled and not form.parse(issue.get("body"), program.form).looks_like_form:
        return f"#{number}: not an application (no application label, not the form's answers)"
    return None


def run(
    app: Any, name: str, payload_path: Path, today: date | None, *, open_pulls: bool = False
) -> int:
    """Handle one event; exit 0 unless a write failed. Without ``today``, today is
    GitHub's date, asked once the payload is read. ``open_pulls``: the job may open
    pull requests (a mentor registration's ``/approve``)."""
    payload = load_payload(payload_path)
    if today is None:
        today = app.api_today()
    if name in PULL_EVENTS:
        from mentoring.runners.run_graduation import on_pull_request

        return on_pull_request(app, name, payload, today)
    program = app.program
    from mentoring.runners import run_mentors

    if (code := run_mentors.on_event(app, name, payload, today, open_pulls)) is not None:
        return code  # a mentor registration or nomination, or a command outside applications
    reason = ignored(name, payload, program)
    if reason is not None:
        click.echo(f"ignored: {reason}")
        return 0
    from mentoring.gateway import IssueGone
    from mentoring.runners import summary

    messages = app.messages
    gateway = app.gateway()
    number = payload["issue"]["number"]
    title = f"mentoring event: {name}.{payload.get('action')} #{number}"
    try:
        issue = gateway.issue(number)
        plan = decide(gateway, issue, name, payload, program, messages, today)
        plan += run_mentors.plan_for(gateway, issue, program, messages, today)  # /away…
    except IssueGone as exc:
        plan = Plan.ignore(f"{exc}: nothing to do", number)
    gateway.apply(plan)
    return summary.finish(gateway.report, title)  # prints why nothing (more) was done


def decide(
    gateway: Any,
    issue: Issue,
    name: str,
    payload: dict[str, Any],
    program: Any,
    messages: Any,
    today: date,
) -> Plan:
    """Read the facts the core needs, then reconcile the whole issue (level-triggered).

    Whatever the event, the run does what the issue's contents call for: intake
    (an application without a card is triaged), the mentors following the
    assignees, and every command not answered yet. The event itself only adds
    what the issue cannot show: who reopened or closed it.
    """
    bot = program.settings.bot_login
    old = state.read(issue, bot)
    reason = intake.why_not(issue, program, old)
    if reason is not None:
        return Plan.ignore(reason, issue.number)
    load: dict[str, int] = {}
    assignable: set[str] = set()
    action = payload.get("action")
    may_welcome = old is None or old.status in ("needs-info", "waiting") or action == "reopened"
    if may_welcome and markers.latest(issue.comments, bot, intake.WELCOME) is None:
        # One repo-wide listing for mentor load, one look-up per coordinator.
        listing = gateway.issues(state="open", labels=[program.settings.labels.application])
        load = intake.mentor_load(listing, program)
        assignable = {
            lower(c.login) for c in program.coordinators if gateway.can_be_assigned(c.login)
        }
    facts: dict[str, Any] = {"load": load, "assignable": assignable}
    if may_welcome and markers.latest(issue.comments, bot, intake.WELCOME) is None:
        from mentoring.runners.run_mentors import availability  # away mentors out, nominators first

        facts["availability"] = availability(gateway, program, issue, today)
    sender = _login(payload.get("sender"))
    if name == "issues" and action == "reopened" and old is not None and not old.open:
        first = intake.reopen(issue, old, program, messages, today, **facts)
    else:
        first = intake.step(
            issue, old, program, messages, pairing.observed_on(issue, today), **facts
        )
    if first.state is None:
        return intake.plan(issue, old, first, program, messages)
    m = first.state
    books = pairing.handbook_links(program, gateway.target.server_url, gateway.target.repo)
    # Look-ups for the logins every unanswered /mentor names, bounded: the rest wait.
    named = pairing.logins_pending(issue, m, program)[:MAX_LOOKUPS]
    can = {lower(x) for x in named if gateway.can_be_assigned(x)}
    extra: dict[str, Any] = {}
    if program.cohorts and pairing.selects_pending(issue, m, program):
        from mentoring.runners import (
            read_cards,
        )  # seats: the other applications' cards, one listing

        extra["cohort_cards"] = read_cards.cards(gateway, program)
    second = pairing.reconcile(
        issue, m, program, messages, today, assignable=can, handbooks=books, checked=named, **extra
    )
    why = pairing.not_a_mentor(_login(payload.get("assignee")), m, program)
    if name == "issues" and action == "assigned" and why is not None:
        second = second.note(issue.number, why)
    if name == "issues" and action == "closed":
        second = second.then(pairing.on_closed(issue, second.state, sender, today))
    return intake.plan(issue, old, first.then(second), program, messages)
