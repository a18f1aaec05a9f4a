"""The mentors' side, pure: `/approve`, `/nominate`, `/away`, the ledger, the dashboard part.

Commands are lines starting with ``/approve``, ``/nominate @login [role]``,
``/away until DATE`` or ``/back`` (an absence ended early). Every comment of an
issue with such commands that the bot has not answered yet (its ``mentors-reply``
marker names the comment's id) is answered once, in order, as of the comment's day. The opening of a
nomination issue (its form) counts as its author's ``/nominate``, answered as
comment 0.

What must outlive a comment window lives in the **ledger**: the nominations
(who nominated whom for which role, when; the nominee is invited once, ever)
and the away periods. Each is first a marker on the bot's reply (``nomination``,
``away``); the nightly folds the recent ones into the ``mentors`` marker of the
dashboard issue's body, which every run reads in the same listing that finds
the dashboard.
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from mentoring.core import markers, pairing, registration
from mentoring.core.intake import Availability, is_bot
from mentoring.core.model import (
    CloseIssue,
    Comment,
    Issue,
    OpenPullRequest,
    Plan,
    PostComment,
    Write,
    lower,
)
from mentoring.core.state import Mentorship
from mentoring.errors import Problem
from mentoring.program import form
from mentoring.program.config import Program, same_login
from mentoring.program.templates import Messages, with_marker

COMMANDS = ("approve", "nominate", "away", "back")
REPLY = "mentors-reply"
NOMINATION = "nomination"
AWAY = "away"
LEDGER = "mentors"
REGISTERED = "registered"
MAX_COMMANDS = 10
MAX_AWAY_DAYS = 366
MAX_NOMINATIONS = 200  # kept in the ledger (the oldest go first); see docs/mentors.md

NOMINATION_FORM = ".github/ISSUE_TEMPLATE/nomination.yml"
NOMINATION_FIELDS = (("nominee", "Who you nominate"), ("role", "Role"), ("why", "Why them"))

_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_UNTIL = re.compile(r"(?:until[ \t]+)?(?P<day>\S+)", re.IGNORECASE)


# --------------------------------------------------------------------------- the ledger


@dataclass(frozen=True)
class Nomination:
    """``by`` nominated ``nominee`` for ``role`` on ``on``, on issue ``issue``."""

    nominee: str
    role: str
    by: str
    on: date
    issue: int
    applied: int = 0  # the nominee's application issue, once seen


@dataclass(frozen=True)
class Away:
    """``login`` is away until ``until`` (back on that day), as said on ``on``."""

    login: str
    until: date
    on: date


@dataclass(frozen=True)
class Ledger:
    nominations: tuple[Nomination, ...] = ()
    away: tuple[Away, ...] = ()

    def nomination(self, nominee: str, role: str) -> Nomination | None:
        return next(
            (
                n
                for n in self.nominations
                if same_login(n.nominee, nominee) and same_login(n.role, role)
            ),
            None,
        )

    def nominators(self, nominee: str | None, role: str | None) -> list[str]:
        """Who nominated ``nominee`` for ``role``, earliest first."""
        found = [
            n.by
            for n in self.nominations
            if same_login(n.nominee, nominee) and same_login(n.role, role)
        ]
        return list(dict.fromkeys(found))

    def away_on(self, day: date) -> dict[str, date]:
        """Mentors away on ``day`` (lowercase login → the day they are back)."""
        return {lower(a.login): a.until for a in self.away if a.on <= day < a.until}

    def open_nominations(self) -> list[Nomination]:
        return [n for n in self.nominations if not n.applied]

    def with_nomination(self, n: Nomination) -> Ledger:
        if self.nomination(n.nominee, n.role) is not None:
            return self
        return dataclasses.replace(self, nominations=(*self.nominations, n))

    def with_away(self, a: Away) -> Ledger:
        kept = tuple(x for x in self.away if not same_login(x.login, a.login))
        return dataclasses.replace(self, away=(*kept, a))

    def applied(self, applications: Iterable[Issue], program: Program) -> Ledger:
        """Nominations whose nominee has an application for the role, marked as applied."""
        found: dict[tuple[str, str], int] = {}
        for issue in applications:
            role = form.role_of(form.parse(issue.body, program.form).role, program)
            if role is not None and issue.author:
                found.setdefault((lower(issue.author), role.id), issue.number)
        nominations = tuple(
            dataclasses.replace(n, applied=found.get((lower(n.nominee), n.role), 0))
            if not n.applied
            else n
            for n in self.nominations
        )
        return dataclasses.replace(self, nominations=nominations)

    def pruned(self, today: date) -> Ledger:
        """Away periods that ended dropped; at most ``MAX_NOMINATIONS`` nominations kept."""
        return Ledger(
            self.nominations[-MAX_NOMINATIONS:], tuple(a for a in self.away if a.until > today)
        )

    def to_data(self) -> dict[str, Any]:
        return {
            "nominations": [
                [n.nominee, n.role, n.by, n.on.isoformat(), n.issue, n.applied]
                for n in self.nominations
            ],
            "away": [[a.login, a.until.isoformat(), a.on.isoformat()] for a in self.away],
        }


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _nomination(data: Any) -> Nomination | None:
    if isinstance(data, list) and len(data) == 6:
        nominee, role, by, on, issue, applied = data
    elif isinstance(data, dict):
        nominee, role, by = data.get("nominee"), data.get("role"), data.get("by")
        on, issue, applied = data.get("on"), data.get("issue"), 0
    else:
        return None
    day = _day(on)
    if not all(isinstance(x, str) for x in (nominee, role, by)) or day is None:
        return None
    if not isinstance(issue, int) or not isinstance(applied, int):
        return None
    return Nomination(nominee, role, by, day, issue, applied)


def _away(data: Any) -> Away | None:
    if isinstance(data, list) and len(data) == 3:
        login, until, on = data
    elif isinstance(data, dict):
        login, until, on = data.get("login"), data.get("until"), data.get("on")
    else:
        return None
    until_day, on_day = _day(until), _day(on)
    if not isinstance(login, str) or until_day is None or on_day is None:
        return None
    return Away(login, until_day, on_day)


def ledger_of(dashboard_body: str | None, comments: Iterable[Comment], bot: str) -> Ledger:
    """The ledger in the dashboard's body, then every newer record in the bot's ``comments``.

    The dashboard's body counts only if the caller found it as the bot's dashboard
    (``dashboard.find`` checks its author); comments count only if the bot wrote them.
    """
    ledger = Ledger()
    for kind, data in markers.parse(dashboard_body or ""):
        if kind == LEDGER:
            for item in data.get("nominations") or []:
                if (n := _nomination(item)) is not None:
                    ledger = ledger.with_nomination(n)
            for item in data.get("away") or []:
                if (a := _away(item)) is not None:
                    ledger = ledger.with_away(a)
    ordered = sorted(comments, key=lambda c: c.id)
    for comment, kind, data in markers.trusted(ordered, bot):
        if kind == NOMINATION and (n := _nomination(data)) is not None:
            ledger = ledger.with_nomination(dataclasses.replace(n, issue=comment.issue or n.issue))
        elif kind == AWAY and (a := _away(data)) is not None:
            current = next((x for x in ledger.away if same_login(x.login, a.login)), None)
            if current is None or a.on >= current.on:
                ledger = ledger.with_away(a)
    return ledger


# --------------------------------------------------------------------------- commands


def availability(ledger: Ledger, issue: Issue, program: Program, today: date) -> Availability:
    """For a welcome's suggestions: who is away today, and who nominated the applicant for
    the role they apply for (suggested first)."""
    role = form.role_of(form.parse(issue.body, program.form).role, program)
    first = ledger.nominators(issue.author, role.id if role else None)
    return Availability(frozenset(ledger.away_on(today)), tuple(first))


def kind_of(issue: Issue, program: Program, m: Mentorship | None) -> str:
    """``registration``, ``nomination``, ``application`` (it has a status card) or ``other``."""
    if issue.is_pull:
        return "other"
    if registration.is_registration(issue, program):
        return "registration"
    if is_nomination(issue, program):
        return "nomination"
    return "application" if m is not None else "other"


def is_nomination(issue: Issue, program: Program) -> bool:
    if issue.has_label(program.settings.mentors.nomination_label):
        return True
    return "nominee" in registration.sections(issue.body, NOMINATION_FIELDS)


def has_commands(body: str | None) -> bool:
    return bool(pairing.commands(body, COMMANDS))


def answered(issue: Issue, bot: str) -> set[int]:
    """The ids of the comments (0: a nomination issue's form) the bot answered already."""
    return {
        data["comment"]
        for _, data in markers.find(issue.comments, bot, REPLY)
        if isinstance(data.get("comment"), int)
    }


@dataclass(frozen=True)
class Facts:
    """What the runner read for one issue, besides the issue itself."""

    ledger: Ledger = Ledger()
    repo_url: str = "https://github.com/OWNER/NAME"
    mentorship: Mentorship | None = None
    roles_file: registration.RolesFile | None = None
    open_pulls: bool = False  # this job may open pull requests (`mentoring event --open-pulls`)


@dataclass
class _Run:
    issue: Issue
    kind: str
    program: Program
    messages: Messages
    facts: Facts
    ledger: Ledger
    status: str | None  # a registration's
    reg: registration.Registration | None
    writes: list[Write] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)

    def reply(self, outcome: str, command: str, **values: Any) -> str:
        variables = {
            "command": command,
            "outcome": outcome,
            "login": "",
            "role": "",
            "until": "",
            "by": "",
            "day": "",
            "who": [],
            "coordinators": [c.login for c in self.program.coordinators],
            "problem": "",
            "value": "",
            "roles": [],
            "yaml": "",
            "branch": "",
            "validation": [],
            "stand_in": [],
        }
        variables.update(values)
        return self.messages.render("mentors-reply", **variables)


def plan_issue(
    issue: Issue, program: Program, messages: Messages, today: date, facts: Facts
) -> Plan:
    """Everything owed on one issue: a registration's card, then every unanswered command."""
    bot = program.settings.bot_login
    kind = kind_of(issue, program, facts.mentorship)
    n = issue.number
    if issue.locked:
        return Plan.ignore("locked: the bot cannot answer here", n)
    run = _Run(issue, kind, program, messages, facts, facts.ledger, None, None)
    if kind == "registration":
        run.reg, run.status = registration.current(issue, program)
    done = answered(issue, bot)
    if (
        kind == "nomination"
        and 0 not in done
        and issue.author
        and not is_bot(issue.author, program)
    ):
        answers = registration.sections(issue.body, NOMINATION_FIELDS)
        args = f"{answers.get('nominee', '')} {_role_arg(answers.get('role', ''), program)}"
        day = issue.created_at.date() if issue.created_at else today
        command = pairing.Command("nominate", args.strip(), 0)
        _answer(run, 0, issue.author, [command], day)
    for comment in sorted(issue.comments, key=lambda c: c.id):
        if comment.id in done or comment.author is None or is_bot(comment.author, program):
            continue
        found = pairing.commands(comment.body, COMMANDS)
        if not found:
            continue
        if _left_for_pulls(run, comment.author, found):
            run.notes.append((n, LEFT_FOR_PULLS))
            continue
        if len(found) > MAX_COMMANDS:
            run.notes.append((n, f"only the first {MAX_COMMANDS} commands of {comment.id} read"))
        _answer(run, comment.id, comment.author, found[:MAX_COMMANDS], comment.created_at.date())
    if run.reg is not None and run.status is not None and issue.open:
        # The card (and its labels) as the commands left it: /approve moves it on.
        shown = registration.card_writes(issue, run.reg, run.status, program, messages)
        run.writes = shown + run.writes
    welcomed = markers.latest(issue.comments, bot, REGISTERED) is not None
    if kind == "registration" and not issue.open and not welcomed and registered(issue, program):
        # Closed by the merged pull request: the checkout lists them now. Welcome them once.
        run.writes.append(_registered_post(issue, program, messages))
    if not run.writes and not run.notes:
        return Plan.ignore("nothing for the mentors' side to do", n)
    return Plan(tuple(_ordered(run.writes)), tuple(run.notes))


LEFT_FOR_PULLS = (
    "/approve left for the job that may open pull requests (mentoring-mentors.yml, "
    "`mentoring event --open-pulls`)"
)


def _left_for_pulls(run: _Run, author: str, found: list) -> bool:
    """An /approve this job would answer with a pull request it may not open: leave the
    comment unanswered, for the job that may (the same event starts both)."""
    return (
        run.kind == "registration"
        and run.issue.open
        and run.program.settings.mentors.approve == "pull-request"
        and not run.facts.open_pulls
        and may_approve(author, run.program)
        and any(c.name == "approve" for c in found)
    )


def _ordered(writes: list[Write]) -> list[Write]:
    """Labels and card first, then pull requests, then replies (the record before the words)."""

    def rank(w: Write) -> int:
        if isinstance(w, OpenPullRequest):
            return 1
        if isinstance(w, PostComment) and w.key == REPLY:
            return 2
        return 0

    return sorted(writes, key=rank)


def _role_arg(answer: str, program: Program) -> str:
    role = form.role_of(answer, program)
    return role.id if role else answer.replace(" ", "-")


def _answer(run: _Run, comment_id: int, author: str, found: list, day: date) -> None:
    parts: list[str] = []
    extra: list[tuple[str, dict[str, Any]]] = []
    for command in found:
        text, marker = HANDLERS[command.name](run, author, command.args, day)
        parts.append(text.strip())
        if marker is not None:
            extra.append(marker)
    body = with_marker("\n\n".join(parts), REPLY, {"comment": comment_id})
    for kind, data in extra:
        body = with_marker(body, kind, data)
    run.writes.append(PostComment(run.issue.number, body, key=REPLY))


Marker = tuple[str, dict[str, Any]] | None


def _refuse(run: _Run, command: str, who: list[str], author: str) -> tuple[str, Marker]:
    run.notes.append((run.issue.number, f"/{command} by {author} refused: not allowed"))
    return run.reply("refused", command, who=who), None


def _invalid(run: _Run, command: str, problem: str, **values: Any) -> tuple[str, Marker]:
    run.notes.append((run.issue.number, f"/{command} not carried out: {problem}"))
    return run.reply("invalid", command, problem=problem, **values), None


# --------------------------------------------------------------------------- who may


def may_nominate(login: str | None, program: Program) -> bool:
    """Role holders (mentors in roles.yml) and coordinators."""
    return program.is_coordinator(login) or bool(program.roles_of(login))


def may_approve(login: str | None, program: Program) -> bool:
    return program.is_coordinator(login)


def may_go_away(
    login: str | None, kind: str, issue: Issue, m: Mentorship | None, program: Program
) -> bool:
    """A mentor listed in roles.yml, on an application they mentor or their own registration."""
    if not program.roles_of(login):
        return False
    if kind == "application":
        return m is not None and m.is_mentor(login)
    if kind == "registration":
        return same_login(issue.author, login)
    return False


# --------------------------------------------------------------------------- /nominate


def application_link(repo_url: str, role: Any, spec: form.Form = form.DEFAULT_FORM) -> str:
    """The application form, prefilled with the role: ``/issues/new?template=FILE&ID=VALUE``.

    GitHub prefills an issue form's field from a query parameter named by the field's
    ``id``; a dropdown takes the option's text.
    """
    params = {"template": spec.file.rsplit("/", 1)[-1]}
    if spec.fields.role:
        params[spec.fields.role] = role.name if spec.role_is_free_text else form.option(role)
    return f"{repo_url.rstrip('/')}/issues/new?{urllib.parse.urlencode(params)}"


def _nominate(run: _Run, author: str, args: str, day: date) -> tuple[str, Marker]:
    program = run.program
    if not may_nominate(author, program):
        return _refuse(run, "nominate", ["coordinators", "role-holders"], author)
    tokens = [t for t in re.split(r"[\s,]+", args) if t]
    if not tokens:
        return _invalid(run, "nominate", "no-login")
    nominee = tokens[0].removeprefix("@")
    if is_bot(nominee, program):
        return _invalid(run, "nominate", "bot")
    if not _LOGIN.fullmatch(nominee):
        return _invalid(run, "nominate", "bad-login", value=tokens[0][:60])
    if same_login(nominee, author):
        return _invalid(run, "nominate", "self")
    if len(tokens) > 1:
        role = program.role(tokens[1]) or form.role_of(" ".join(tokens[1:]), program)
        if role is None:
            return _invalid(run, "nominate", "unknown-role", value=" ".join(tokens[1:])[:60])
    else:
        held = program.roles_of(author)
        if len(held) != 1:
            return _invalid(run, "nominate", "which-role", roles=[r.id for r in program.roles])
        role = held[0]
    if any(same_login(m.login, nominee) for m in role.mentors):
        return _invalid(run, "nominate", "holds-role", login=nominee, role=role.name)
    earlier = run.ledger.nomination(nominee, role.id)
    if earlier is not None:
        run.notes.append((run.issue.number, f"{nominee} was invited already: not pinged again"))
        text = run.reply(
            "already-nominated",
            "nominate",
            login=nominee,
            role=role.name,
            by=earlier.by,
            day=earlier.on.isoformat(),
        )
        return text, None
    record = Nomination(nominee, role.id, author, day, run.issue.number)
    run.ledger = run.ledger.with_nomination(record)
    text = run.messages.render(
        "invitation",
        nominee=nominee,
        nominator=author,
        role=role.name,
        description=role.description,
        link=application_link(run.facts.repo_url, role, program.form),
    )
    data = {"nominee": nominee, "role": role.id, "by": author, "on": day.isoformat()}
    data["issue"] = run.issue.number
    return text, (NOMINATION, data)


# --------------------------------------------------------------------------- /away


def _go_away(run: _Run, author: str, args: str, day: date) -> tuple[str, Marker]:
    program = run.program
    if not may_go_away(author, run.kind, run.issue, run.facts.mentorship, program):
        return _refuse(run, "away", ["listed-mentors"], author)
    match = _UNTIL.fullmatch(args.strip())
    if not args.strip() or match is None:
        return _invalid(run, "away", "no-date")
    until = _day(match.group("day"))
    if until is None:
        return _invalid(run, "away", "bad-date", value=match.group("day")[:30])
    if until <= day:
        return _invalid(run, "away", "past-date", value=until.isoformat())
    if until > day + timedelta(days=MAX_AWAY_DAYS):
        return _invalid(run, "away", "far-date", value=until.isoformat())
    run.ledger = run.ledger.with_away(Away(author, until, day))
    m = run.facts.mentorship
    co = [x for x in (m.mentors if m else ()) if not same_login(x, author)]
    text = run.reply("away", "away", login=author, until=until.isoformat(), stand_in=co)
    return text, (AWAY, {"login": author, "until": until.isoformat(), "on": day.isoformat()})


def _come_back(run: _Run, author: str, args: str, day: date) -> tuple[str, Marker]:
    """``/back``: an absence ended on the comment's day (recorded as an away period that
    ends that day, which replaces the earlier one). Not away that day: nothing changes."""
    if not may_go_away(author, run.kind, run.issue, run.facts.mentorship, run.program):
        return _refuse(run, "back", ["listed-mentors"], author)
    if lower(author) not in run.ledger.away_on(day):
        run.notes.append((run.issue.number, f"/back by {author}: not away on {day}"))
        return run.reply("not-away", "back", login=author, day=day.isoformat()), None
    run.ledger = run.ledger.with_away(Away(author, day, day))
    text = run.reply("back", "back", login=author, day=day.isoformat())
    return text, (AWAY, {"login": author, "until": day.isoformat(), "on": day.isoformat()})


# --------------------------------------------------------------------------- /approve


def _approve(run: _Run, author: str, args: str, day: date) -> tuple[str, Marker]:
    program = run.program
    if not may_approve(author, program):
        return _refuse(run, "approve", ["coordinators"], author)
    if run.kind != "registration" or run.reg is None:
        return _invalid(run, "approve", "not-registration")
    if not run.issue.open:
        return _invalid(run, "approve", "closed")
    if run.status == "needs-info":
        return _invalid(run, "approve", "incomplete")
    if not run.reg.new_roles(program):
        return _invalid(run, "approve", "nothing-new")
    approval = registration.approve(run.issue, run.reg, program, run.messages, run.facts.roles_file)
    run.writes += approval.writes
    reply = dict(approval.reply)
    outcome = reply.pop("outcome")
    if outcome in ("pull", "yaml"):
        run.status = "approved"
    return run.reply(outcome, "approve", **reply), None


HANDLERS = {"approve": _approve, "nominate": _nominate, "away": _go_away, "back": _come_back}


# --------------------------------------------------------------------------- nightly


def registered(issue: Issue, program: Program) -> bool:
    """An open registration whose login now holds every role it asked for (the change merged)."""
    reg = registration.read(issue, program)
    if not reg.login or not reg.roles or not same_login(reg.login, issue.author):
        return False
    held = {role.id for role in program.roles_of(reg.login)}
    return set(reg.roles) <= held


def close_registered(issues: Iterable[Issue], program: Program, messages: Messages) -> Plan:
    """Close, with a short welcome, each open registration already in roles.yml."""
    writes: list[Write] = []
    for issue in issues:
        if issue.open and not issue.is_pull and not issue.locked and registered(issue, program):
            writes.append(_registered_post(issue, program, messages))
            writes.append(CloseIssue(issue.number, reason="completed"))
    return Plan(tuple(writes))


def _registered_post(issue: Issue, program: Program, messages: Messages) -> PostComment:
    reg = registration.read(issue, program)
    body = messages.render(
        "registered",
        login=reg.login,
        roles=[role.name for r in reg.roles if (role := program.role(r)) is not None],
    )
    return PostComment(issue.number, with_marker(body, REGISTERED), key=REGISTERED)


# --------------------------------------------------------------------------- dashboard


def dashboard_part(
    registrations: Iterable[Issue],
    ledger: Ledger,
    mentorships: Iterable[Mentorship],
    program: Program,
    messages: Messages,
    today: date,
) -> str:
    """The dashboard's mentors sections, with the ledger's marker at the end."""
    prefix = program.settings.labels.status_prefix
    rows = []
    for issue in registrations:
        if not issue.open or issue.is_pull:
            continue
        status = next((x for x in registration.STATUSES if issue.has_label(prefix + x)), "new")
        reg = registration.read(issue, program)
        rows.append(
            {
                "issue": issue.number,
                "login": reg.login or (issue.author or ""),
                "roles": ", ".join(reg.roles),
                "status": status,
                "opened": issue.created_at.date().isoformat() if issue.created_at else "",
            }
        )
    removed: dict[str, list[int]] = {}
    for m in mentorships:
        if m.status in ("active", "paused"):
            for login in m.mentors:
                if not program.roles_of(login):
                    removed.setdefault(login, []).append(m.issue)
    away = sorted(ledger.away_on(today).items(), key=lambda item: (item[1], item[0]))
    nominations = [
        {
            "nominee": n.nominee,
            "role": program.role(n.role).name if program.role(n.role) else n.role,
            "by": n.by,
            "day": n.on.isoformat(),
            "issue": n.issue,
        }
        for n in ledger.open_nominations()
    ]
    body = messages.render(
        "mentors-dashboard",
        registrations=rows,
        nominations=nominations,
        away=[{"login": login, "until": until.isoformat()} for login, until in away],
        removed=[{"login": k, "issues": v} for k, v in sorted(removed.items())],
    )
    return with_marker(body, LEDGER, ledger.pruned(today).to_data())


# --------------------------------------------------------------------------- validate


def mentoring_mentors(issue: Issue, program: Program) -> list[str]:
    """An open application's assignees who count as its mentors: all but the coordinators,
    the applicant and bots (the rule of `pairing.assigned_mentors`, from a listing)."""
    return [
        login
        for login in issue.assignees
        if not program.is_coordinator(login)
        and not same_login(login, issue.author)
        and not is_bot(login, program)
    ]


def removed_mentors(
    applications: Iterable[Issue], program: Program, roles_text: str, roles_file: str
) -> list[Problem]:
    """One warning per mentor who mentors an open application but is no longer listed in
    roles.yml for its role (or, when the form names no known role, for any role).

    Not an error: they may finish. The line is where the mentor is still listed (under
    another role), else line 1 of the file.
    """
    found: dict[str, tuple[str, list[int], set[str]]] = {}
    for issue in applications:
        if issue.is_pull or not issue.open:
            continue
        role = form.role_of(form.parse(issue.body, program.form).role, program)
        for login in mentoring_mentors(issue, program):
            held = program.roles_of(login)
            if role is not None and any(r.id == role.id for r in held):
                continue
            if role is None and held:
                continue
            name, issues, roles = found.setdefault(lower(login), (login, [], set()))
            issues.append(issue.number)
            if role is not None:
                roles.add(role.name)
    problems = []
    for name, issues, roles in sorted(found.values(), key=lambda x: lower(x[0])):
        numbers = ", ".join(f"#{n}" for n in sorted(issues))
        line = _line_of(roles_text, name)
        if line is not None and roles:  # still listed, for other roles
            gone = f"for the {' or '.join(sorted(roles))} role"
        else:
            gone = "in this file"
        message = f"@{name} mentors {numbers} but is no longer listed {gone}"
        problems.append(
            Problem(
                roles_file,
                line or 1,
                "",
                message,
                "a warning only: they may finish. If they go on mentoring, add them back to the "
                "role's mentors; if not, pair their mentees with someone else (/mentor @login) "
                "and unassign them",
            )
        )
    return problems


def _line_of(text: str, login: str) -> int | None:
    """The first line of roles.yml naming ``login`` outside a comment, if any."""
    word = re.compile(rf"(?<![A-Za-z0-9-]){re.escape(login)}(?![A-Za-z0-9-])", re.IGNORECASE)
    for number, line in enumerate(text.splitlines(), 1):
        if word.search(line.split("#", 1)[0]):
            return number
    return None
