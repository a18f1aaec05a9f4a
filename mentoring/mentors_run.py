"""Runner of the mentors' side: the reads `mentors` decides on, in events and the nightly.

Reads are batched like the rest: the ledger is the dashboard issue (found in
one listing, as the nightly finds it) plus the repository's comments since the
dashboard's last run (one listing, usually one page); open registrations are
one listing by label. roles.yml is read from the default branch only to answer
an ``/approve``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from mentoring import checkins, config, dashboard, mentors, registration, state
from mentoring.intake import Availability, is_bot
from mentoring.model import Comment, Issue, Plan, PostComment, lower

LEDGER_OVERLAP_DAYS = 2  # comments read from before the dashboard's last run, for safety


def read_ledger(gateway: Any, program: Any, today: date) -> mentors.Ledger:
    """The ledger: the dashboard's record, and the bot's records since the nightly wrote it."""
    settings = program.settings
    bot = settings.bot_login
    existing = dashboard.find(gateway.issues(state="all", labels=[settings.labels.dashboard]), bot)
    last = dashboard.last_run_of(existing, bot)
    if last is not None:
        start = last - timedelta(days=LEDGER_OVERLAP_DAYS)
    else:
        start = today - timedelta(days=checkins.window_days(settings))
    since = datetime.combine(start, time.min, UTC)
    comments = gateway.comments_since(since)
    return mentors.ledger_of(existing.body if existing else None, comments, bot)


def roles_file(gateway: Any, program: Any) -> registration.RolesFile | None:
    """roles.yml on the default branch, with its blob id (the pull request's base)."""
    path = program.layout.path(config.ROLES_FILE)
    data = gateway.read_file(path)
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return registration.RolesFile(path, text, registration.blob_sha(data))


def availability(gateway: Any, program: Any, issue: Issue, today: date) -> Availability:
    """For the welcome's suggestions: who is away, and who nominated the applicant."""
    return mentors.availability(read_ledger(gateway, program, today), issue, program, today)


def _payload_kind(payload: dict[str, Any], program: Any) -> str | None:
    """``registration`` or ``nomination`` from the event's issue (labels, form headings)."""
    issue = payload.get("issue") if isinstance(payload.get("issue"), dict) else {}
    labels = {lower(x.get("name")) for x in issue.get("labels") or [] if isinstance(x, dict)}
    names = program.settings.mentors
    body = issue.get("body") if isinstance(issue.get("body"), str) else ""
    if issue.get("pull_request"):
        return None
    if lower(names.registration_label) in labels:
        return "registration"
    if lower(names.nomination_label) in labels:
        return "nomination"
    if set(registration.sections(body, registration.FIELDS)) >= registration.STRUCTURE:
        return "registration"
    if "nominee" in registration.sections(body, mentors.NOMINATION_FIELDS):
        return "nomination"
    return None


def _comment_has_commands(name: str, payload: dict[str, Any]) -> bool:
    comment = payload.get("comment") if isinstance(payload.get("comment"), dict) else {}
    return name == "issue_comment" and mentors.has_commands(comment.get("body"))


def on_event(
    app: Any, name: str, payload: dict[str, Any], today: date, open_pulls: bool = False
) -> int | None:
    """An event on a registration or nomination issue, or a comment with the mentors'
    commands on an issue that is not an application: handled here (the exit code).
    None: not for this module alone (applications go through `plan_for` in events.py)."""
    if name not in ("issues", "issue_comment"):
        return None
    issue = payload.get("issue")
    if not isinstance(issue, dict) or not isinstance(issue.get("number"), int):
        return None
    program = app.program
    sender = payload.get("sender") if isinstance(payload.get("sender"), dict) else {}
    if sender.get("type") == "Bot" or is_bot(sender.get("login"), program):
        return None
    kind = _payload_kind(payload, program)
    if kind is None:
        labels = {lower(x.get("name")) for x in issue.get("labels") or [] if isinstance(x, dict)}
        if lower(program.settings.labels.application) in labels:
            return None
        if not _comment_has_commands(name, payload) or issue.get("pull_request"):
            return None
    from mentoring import runs
    from mentoring.gateway import IssueGone

    gateway = app.gateway()
    number = issue["number"]
    try:
        snapshot = gateway.issue(number)
        if kind is None and state.read(snapshot, program.settings.bot_login) is not None:
            return None  # an application after all (its label was removed)
        plan = plan_for(gateway, snapshot, program, app.messages, today, open_pulls)
    except IssueGone as exc:
        plan = Plan.ignore(f"{exc}: nothing to do", number)
    gateway.apply(plan)
    return runs.finish(gateway.report, f"mentoring event: {name}.{payload.get('action')} #{number}")


def plan_for(
    gateway: Any, issue: Issue, program: Any, messages: Any, today: date, open_pulls: bool = False
) -> Plan:
    """The mentors' side of one issue, with the reads it needs; empty if it has nothing."""
    bot = program.settings.bot_login
    m = state.read(issue, bot)
    kind = mentors.kind_of(issue, program, m)
    done = mentors.answered(issue, bot)
    pending = [
        c
        for c in issue.comments
        if c.id not in done
        and c.author is not None
        and not is_bot(c.author, program)
        and mentors.has_commands(c.body)
    ]
    if kind not in ("registration", "nomination") and not pending:
        return Plan()
    ledger = mentors.Ledger()
    names = {
        cmd.name for c in pending for cmd in mentors.pairing.commands(c.body, mentors.COMMANDS)
    }
    if names & {"nominate", "back"} or (kind == "nomination" and 0 not in done):
        ledger = read_ledger(gateway, program, today)
    rolefile = None
    if "approve" in names and kind == "registration":
        rolefile = roles_file(gateway, program)
    facts = mentors.Facts(ledger, gateway.target.web_url, m, rolefile, open_pulls)
    return mentors.plan_issue(issue, program, messages, today, facts)


# --------------------------------------------------------------------------- nightly


@dataclass(frozen=True)
class Side:
    """What the nightly read for the mentors' side (the dashboard issue included)."""

    ledger: mentors.Ledger
    registrations: tuple[Issue, ...]
    dashboard: Issue | None = None
    read_dashboard: bool = False
    repo_url: str = ""

    def away(self, today: date) -> dict[str, date]:
        return self.ledger.away_on(today)


def records(comments: Any, bot: str) -> tuple[Comment, ...]:
    """The bot's comments holding the ledger's records (nominations, away), from a listing."""
    kinds = (f"mentoring:{mentors.NOMINATION} ", f"mentoring:{mentors.AWAY} ")
    return tuple(c for c in comments if c.by(bot) and any(k in c.body for k in kinds))


def gather(gateway: Any, program: Any, snapshot: Any) -> Side:
    """The ledger and the open registrations, for a nightly pass, from what it read.

    The records come from the nightly's own comment listing; only when the dashboard's
    last run is older than that listing reaches (an outage) is the gap read too.
    """
    settings = program.settings
    bot = settings.bot_login
    existing = dashboard.find(gateway.issues(state="all", labels=[settings.labels.dashboard]), bot)
    found = list(snapshot.records)
    last = dashboard.last_run_of(existing, bot)
    if last is not None:
        start = datetime.combine(last - timedelta(days=LEDGER_OVERLAP_DAYS), time.min, UTC)
        if start < snapshot.since:
            found = records(gateway.comments_since(start, until=snapshot.since), bot) + tuple(found)
    ledger = mentors.ledger_of(existing.body if existing else None, found, bot)
    ledger = ledger.applied(snapshot.issues, program)
    listing = gateway.issues(state="open", labels=[settings.mentors.registration_label])
    registrations = tuple(i for i in listing if not i.is_pull)
    return Side(ledger, registrations, existing, True, gateway.target.web_url)


def nightly_plan(side: Side, program: Any, messages: Any) -> Plan:
    """Close the registrations roles.yml now lists (the merged pull request, or a hand edit)."""
    return mentors.close_registered(side.registrations, program, messages)


def command_plans(side: Side, snapshot: Any, program: Any, messages: Any) -> list[Plan]:
    """``/away`` and ``/nominate`` on the open applications that no run answered (an event
    GitHub lost), from the comments the pass read: level-triggered, like the others."""
    bot = program.settings.bot_login
    plans = []
    for issue in snapshot.issues:
        done = mentors.answered(issue, bot)
        if not any(
            c.id not in done and not c.by(bot) and mentors.has_commands(c.body)
            for c in issue.comments
        ):
            continue
        facts = mentors.Facts(side.ledger, side.repo_url, snapshot.mentorship(issue.number))
        p = mentors.plan_issue(issue, program, messages, snapshot.today, facts)
        if p.writes:
            plans.append(p)
    return plans


def noted(side: Side, plans: list[Plan], bot: str, today: date) -> Side:
    """``side`` with the records these plans post (this pass's answers) in its ledger."""
    moment = datetime.combine(today, time(12), UTC)
    posts = [
        Comment(0, w.issue, bot, w.body, moment, moment)
        for p in plans
        for w in p.writes
        if isinstance(w, PostComment) and w.key == mentors.REPLY
    ]
    ledger = side.ledger
    new = mentors.ledger_of(None, posts, bot)
    for n in new.nominations:
        ledger = ledger.with_nomination(n)
    for a in new.away:
        ledger = ledger.with_away(a)
    return dataclasses.replace(side, ledger=ledger)


def dashboard_part(side: Side, mentorships: Any, program: Any, messages: Any, today: date) -> str:
    registrations = [i for i in side.registrations if not mentors.registered(i, program)]
    return mentors.dashboard_part(registrations, side.ledger, mentorships, program, messages, today)
