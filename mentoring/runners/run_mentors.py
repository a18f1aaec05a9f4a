"""Runner of the mentors' side: the reads `mentors` decides on, in events and the nightly.

Reads are batched like the rest: the ledger is the dashboard issue (found in
one listing, as the nightly finds it) plus the repository's comments since the
dashboard's last run (one listing, usually one page); open registrations are
one listing by label. roles.yml is read from the default branch only to answer
an ``/approve``. `sweep` (`mentoring approvals`) answers the ``/approve`` whose event
was lost, which the nightly may not: it opens pull requests.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import click

from mentoring.core import checkins, dashboard, mentors, registration, state
from mentoring.core.intake import Availability, is_bot
from mentoring.core.model import AddLabels, Comment, Issue, Plan, PostComment, RemoveLabels, lower
from mentoring.errors import MentoringError
from mentoring.program import config

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
    None: not for this module alone (applications go through `plan_for` in
    runners/run_events.py)."""
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
    from mentoring.gateway import IssueGone
    from mentoring.runners import summary

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
    return summary.finish(
        gateway.report, f"mentoring event: {name}.{payload.get('action')} #{number}"
    )


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
    nominations: tuple[Issue, ...] = ()  # open nomination issues (one listing, by label)

    def away(self, today: date) -> dict[str, date]:
        return self.ledger.away_on(today)


def records(comments: Any, bot: str) -> tuple[Comment, ...]:
    """What the mentors' side keeps of a comment listing: the bot's comments holding the
    ledger's records (nominations, away), its registration cards and its replies to the
    mentors' commands, and everyone else's comments holding those commands (to answer the
    ones whose event was lost, `unanswered`). A handful a day; the rest is not kept."""
    kinds = tuple(
        f"mentoring:{kind} "
        for kind in (mentors.NOMINATION, mentors.AWAY, mentors.REPLY, registration.CARD)
    )
    return tuple(
        c
        for c in comments
        if (any(k in c.body for k in kinds) if c.by(bot) else mentors.has_commands(c.body))
    )


def gather(gateway: Any, program: Any, snapshot: Any) -> Side:
    """The ledger and the open registrations, for a nightly pass, from what it read.

    The records come from the nightly's own comment listing; only when the dashboard's
    last run is older than that listing reaches (an outage) is the gap read too.
    """
    settings = program.settings
    bot = settings.bot_login
    everything = getattr(snapshot, "open_issues", None)  # one listing read them all
    existing = dashboard.find(everything, bot) if everything is not None else None
    if existing is None:  # a program in a folder, the first night, or a closed dashboard
        existing = dashboard.find(
            gateway.issues(state="all", labels=[settings.labels.dashboard]), bot
        )
    found = list(snapshot.records)
    last = dashboard.last_run_of(existing, bot)
    if last is not None:
        start = datetime.combine(last - timedelta(days=LEDGER_OVERLAP_DAYS), time.min, UTC)
        if start < snapshot.since:
            found = records(gateway.comments_since(start, until=snapshot.since), bot) + tuple(found)
    ledger = mentors.ledger_of(existing.body if existing else None, found, bot)
    ledger = ledger.applied(snapshot.issues, program)
    label = settings.mentors.registration_label
    listing = (
        gateway.issues(state="open", labels=[label])
        if everything is None
        else [i for i in everything if i.has_label(label)]
    )
    registrations = tuple(i for i in listing if not i.is_pull)
    label = settings.mentors.nomination_label
    listing = (
        gateway.issues(state="open", labels=[label])
        if everything is None
        else [i for i in everything if i.has_label(label)]
    )
    nominations = tuple(i for i in listing if not i.is_pull)
    return Side(ledger, registrations, existing, True, gateway.target.web_url, nominations)


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
            side = noted(side, [p], bot, snapshot.today)  # a nominee is invited once
    return plans


NIGHTLY_LEFT_FOR_PULLS = (
    "/approve not answered: the nightly may not open pull requests; the scheduled mentors "
    "job answers it (mentoring-mentors.yml, `mentoring approvals`, 05:41 UTC), or run it now"
)


def unanswered(gateway: Any, side: Side, snapshot: Any, program: Any, messages: Any) -> list[Plan]:
    """Level-triggered, the mentors' side of a nightly pass: every command no run answered (an
    event GitHub lost), one plan per issue, as the event handler would answer it.

    First the open applications (`command_plans`), then the open registrations and
    nominations, each from the comments the pass's window holds (`records`): every
    unanswered ``/approve``, ``/nominate``, ``/away``, ``/back``, oldest first; a
    nomination form not answered; a registration's card (never posted, or not what the
    form now says). An issue opened before the window is read on its own only when it
    owes something the window shows (a command written within it, unanswered) or it never
    got its card (no status label): rare, never in the steady state. The ledger is carried
    from one plan to the next, so a nominee is invited once however many issues name them.
    """
    bot = program.settings.bot_login
    plans = command_plans(side, snapshot, program, messages)
    side = noted(side, plans, bot, snapshot.today)
    window = datetime.combine(
        snapshot.today - timedelta(days=checkins.window_days(program.settings)), time.min, UTC
    )
    grouped: dict[int, list[Comment]] = {}
    for c in snapshot.records:
        grouped.setdefault(c.issue, []).append(c)
    candidates: list[tuple[datetime, Issue, bool]] = []
    seen: set[int] = set()
    for listed in (*side.registrations, *side.nominations):
        if listed.number in seen or listed.is_pull or listed.locked or not listed.open:
            continue
        seen.add(listed.number)
        if mentors.registered(listed, program):
            continue  # `nightly_plan` closes it, with its welcome
        view = dataclasses.replace(
            listed, comments=tuple(sorted(grouped.get(listed.number, ()), key=lambda c: c.id))
        )
        complete = listed.created_at is not None and listed.created_at >= window
        owed = _owed(view, program, window)
        if complete and mentors.kind_of(view, program, None) != "other":
            # every comment that matters is in the window: the card, the form's answer
            first = listed.created_at if 0 not in mentors.answered(view, bot) else None
            owed = [x for x in (first, *owed) if x is not None]
            candidates.append((min(owed, default=listed.created_at), view, True))
        elif owed or _never_triaged(view, program):
            candidates.append((min(owed, default=window), view, False))
    rolefile: Any = None
    for _, view, complete in sorted(candidates, key=lambda x: (x[0], x[1].number)):
        issue = view
        if not complete:
            try:
                issue = gateway.issue(view.number)
            except MentoringError as exc:
                plans.append(Plan.ignore(f"not read: {exc}", view.number))
                continue
        if rolefile is None and _approves(issue, program):
            try:
                rolefile = roles_file(gateway, program) or False
            except MentoringError as exc:  # left for the next run, like an unread issue
                plans.append(Plan.ignore(f"roles.yml not read: {exc}", issue.number))
                continue
        facts = mentors.Facts(side.ledger, side.repo_url, None, rolefile or None, False)
        p = mentors.plan_issue(issue, program, messages, snapshot.today, facts)
        notes = tuple(
            (n, NIGHTLY_LEFT_FOR_PULLS if text == mentors.LEFT_FOR_PULLS else text)
            for n, text in p.notes
        )
        if p.writes or any(text == NIGHTLY_LEFT_FOR_PULLS for _, text in notes):
            p = Plan(p.writes, notes)
            plans.append(p)
            side = noted(side, [p], bot, snapshot.today)
    return plans


def _pending(issue: Issue, program: Any) -> list[Comment]:
    bot = program.settings.bot_login
    done = mentors.answered(issue, bot)
    return [
        c
        for c in issue.comments
        if c.id not in done
        and c.author is not None
        and not is_bot(c.author, program)
        and mentors.has_commands(c.body)
    ]


def _owed(view: Issue, program: Any, window: datetime) -> list[datetime]:
    """When the unanswered commands the window shows were written (those written within it:
    their replies would be within it too)."""
    return [c.created_at for c in _pending(view, program) if c.created_at >= window]


def _never_triaged(issue: Issue, program: Any) -> bool:
    """A registration without any of the status labels its card comes with: no run saw it."""
    if mentors.kind_of(issue, program, None) != "registration":
        return False
    prefix = program.settings.labels.status_prefix
    return not any(issue.has_label(prefix + x) for x in registration.STATUSES)


def _approves(issue: Issue, program: Any) -> bool:
    return mentors.kind_of(issue, program, None) == "registration" and any(
        cmd.name == "approve"
        for c in _pending(issue, program)
        for cmd in mentors.pairing.commands(c.body, mentors.COMMANDS)
    )


def _owes_pull(issue: Issue, program: Any) -> bool:
    """An unanswered ``/approve`` by a coordinator on a registration: the one command only the
    job that may open pull requests answers (the nightly leaves it, `NIGHTLY_LEFT_FOR_PULLS`)."""
    return mentors.kind_of(issue, program, None) == "registration" and any(
        cmd.name == "approve"
        for c in _pending(issue, program)
        if mentors.may_approve(c.author, program)
        for cmd in mentors.pairing.commands(c.body, mentors.COMMANDS)
    )


def noted(side: Side, plans: list[Plan], bot: str, today: date) -> Side:
    """``side`` with the records these plans post (this pass's answers) in its ledger, and
    the registrations with the status labels these plans give them (for the dashboard)."""
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
    registrations = tuple(_relabelled(i, plans) for i in side.registrations)
    return dataclasses.replace(side, ledger=ledger, registrations=registrations)


def _relabelled(issue: Issue, plans: list[Plan]) -> Issue:
    labels = list(issue.labels)
    for p in plans:
        for w in p.writes:
            if w.issue != issue.number:
                continue
            if isinstance(w, AddLabels):
                labels += [x for x in w.labels if lower(x) not in map(lower, labels)]
            elif isinstance(w, RemoveLabels):
                labels = [x for x in labels if lower(x) not in map(lower, w.labels)]
    return dataclasses.replace(issue, labels=tuple(labels))


def dashboard_part(side: Side, mentorships: Any, program: Any, messages: Any, today: date) -> str:
    registrations = [i for i in side.registrations if not mentors.registered(i, program)]
    return mentors.dashboard_part(registrations, side.ledger, mentorships, program, messages, today)


# --------------------------------------------------------------------------- approvals


APPROVALS_IN_COMMENTS = (
    "mentoring approvals: nothing to do: with `mentors: {approve: comment}` the nightly "
    "answers every /approve"
)


def approval_targets(
    registrations: Iterable[Issue], comments: Iterable[Comment], program: Any, since: datetime
) -> list[int]:
    """The open registrations to read for an unanswered ``/approve``, from one listing of them
    and the repository's comments (`records`) from ``since`` on: one opened since then is
    read only if those comments show such an ``/approve``; one opened before (its older
    comments are not in the listing) is always read. Oldest first."""
    grouped: dict[int, list[Comment]] = {}
    for c in comments:
        grouped.setdefault(c.issue, []).append(c)
    found = []
    for listed in registrations:
        if listed.is_pull or listed.locked or not listed.open:
            continue
        if mentors.kind_of(listed, program, None) != "registration":
            continue
        view = dataclasses.replace(
            listed, comments=tuple(sorted(grouped.get(listed.number, ()), key=lambda c: c.id))
        )
        complete = listed.created_at is not None and listed.created_at >= since
        if not complete or _owes_pull(view, program):
            found.append(listed.number)
    return sorted(found)


def sweep(app: Any, today: date | None) -> int:
    """The `mentoring approvals` command: answer every coordinator's ``/approve`` on an open
    mentor registration that no run answered (its event lost), with the pull request the
    event would have opened (`plan_for`, ``open_pulls``); 1 if a write failed.

    Reads: one listing of the open registrations; when one was opened within the nightly's
    window, the repository's comments since the oldest such (one listing, usually a page);
    then each registration that may owe an answer, alone.
    """
    from mentoring.gateway import IssueGone
    from mentoring.runners import summary

    program = app.program
    settings = program.settings
    if settings.mentors.approve != "pull-request":
        click.echo(APPROVALS_IN_COMMENTS)
        return 0
    gateway = app.gateway()
    if today is None:
        today = gateway.today()
    bot = settings.bot_login
    listing = gateway.issues(state="open", labels=[settings.mentors.registration_label])
    registrations = [i for i in listing if not i.is_pull]
    window = datetime.combine(today - timedelta(days=checkins.window_days(settings)), time.min, UTC)
    recent = [i.created_at for i in registrations if i.created_at and i.created_at >= window]
    comments = records(gateway.comments_since(min(recent)), bot) if recent else ()
    targets = approval_targets(registrations, comments, program, window)
    for number in targets:
        try:
            issue = gateway.issue(number)
            if not _owes_pull(issue, program):
                continue  # nothing pending after all (or only what the nightly answers)
            plan = plan_for(gateway, issue, program, app.messages, today, open_pulls=True)
        except IssueGone as exc:
            plan = Plan.ignore(f"{exc}: nothing to do", number)
        except MentoringError as exc:  # left for the next run
            plan = Plan.ignore(f"not read: {exc}", number)
        gateway.apply(plan)
    click.echo(
        f"{len(registrations)} open mentor registration(s), {len(targets)} read on their own"
    )
    return summary.finish(gateway.report, f"Mentor registrations' /approve on {today.isoformat()}")
