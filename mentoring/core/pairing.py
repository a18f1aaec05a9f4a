"""Pairing and slash commands: who mentors whom, and what people may ask of the bot on an issue.

Pure, like intake: functions take the issue snapshot, its current `Mentorship`
and facts the runner looked up, and return an `intake.Step`.

A mentor is paired by being assigned on the issue in GitHub's UI, or by
``/mentor @login`` from a coordinator (or a mentor adding a co-mentor).
Commands are lines that start with ``/command`` outside code blocks, quotes and
HTML comments; a comment's commands run in order and get one reply, which
carries the ``command`` marker with the comment's id so it is never sent twice.

`reconcile` is level-triggered: whichever event a run was handed, the mentors
follow the issue's assignees and every comment not answered yet is answered,
in the order written, as of the day it was written.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from mentoring.core import markers, state
from mentoring.core.intake import Step, is_bot, skip
from mentoring.core.model import Assign, CloseIssue, Comment, Issue, PostComment, Write, lower
from mentoring.core.state import CLOSED_STATUSES, Mentorship
from mentoring.program.config import PARTICIPANTS_FILE, Program, same_login
from mentoring.program.templates import Messages, with_marker

PAIRED = "paired"
COMMAND = "command"

# Who may use each command: "coordinators", "mentors" (of this issue), "mentee", "everyone".
WHO = {
    "mentor": ("coordinators", "mentors"),
    "pause": ("coordinators", "mentors", "mentee"),
    "resume": ("coordinators", "mentors", "mentee"),
    "withdraw": ("coordinators", "mentee"),
    "decline": ("coordinators",),
    "ready": ("coordinators", "mentors"),
    "role": ("coordinators",),
    "help": ("everyone",),
    # Cohorts (core/cohort_steps.py): selection and the end; only programs with cohorts.yml.
    "select": ("coordinators", "role-mentors"),
    "waitlist": ("coordinators", "role-mentors"),
    "extend": ("coordinators",),
}
COHORT_COMMANDS = ("select", "waitlist", "extend")  # commands only where cohorts.yml exists
COMMANDS = tuple(name for name in WHO if name not in COHORT_COMMANDS)
MAX_COMMANDS = 10  # per comment; the rest are ignored (and said so in the run's notes)

_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_COMMAND = re.compile(r"^ {0,3}/(?P<name>[A-Za-z][A-Za-z-]*)(?P<args>[ \t].*)?$")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_PAUSE_ARGS = re.compile(r"(?:until[ \t]+)?(?P<day>\d{4}-\d{2}-\d{2})", re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    """One slash command: its name (lowercase), the rest of its line, and its line number."""

    name: str
    args: str
    line: int


def commands(body: str | None, names: Iterable[str] | None = None) -> list[Command]:
    """The slash commands in a comment, in order, outside code blocks, quotes and HTML comments.

    ``names``: the commands to look for (default: this module's; core/mentors.py has its own)."""
    known = WHO if names is None else frozenset(names)
    text = _HTML_COMMENT.sub("", (body or "").replace("\r\n", "\n").replace("\r", "\n"))
    found = []
    fence: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if fence is not None:
            stripped = line.strip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                fence = None
            continue
        if match := _FENCE.match(line):
            fence = match.group("fence")
            continue
        match = _COMMAND.match(line)  # indented code (4+ spaces) and "> quotes" never match
        if match and match.group("name").lower() in known:
            args = (match.group("args") or "").strip()
            found.append(Command(match.group("name").lower(), args, number))
    return found


def for_program(found: list[Command], program: Program) -> list[Command]:
    """The commands this program knows: the cohort commands only with cohorts.yml."""
    return [c for c in found if program.cohorts or c.name not in COHORT_COMMANDS]


def logins_named(body: str | None) -> list[str]:
    """Every well-formed login a ``/mentor`` in the comment names (for the runner's look-ups)."""
    found: list[str] = []
    for command in commands(body)[:MAX_COMMANDS]:
        if command.name != "mentor":
            continue
        for token in _tokens(command.args):
            login = token.removeprefix("@")
            if _LOGIN.fullmatch(login) and all(not same_login(login, x) for x in found):
                found.append(login)
    return found


def _tokens(args: str) -> list[str]:
    return [t for t in re.split(r"[\s,]+", args) if t]


def handbook_links(program: Program, server_url: str, repo: str) -> tuple[str, str]:
    """The mentor and mentee handbooks as full links: a path, relative to the program's
    folder, is shown from the default branch."""
    books, prefix = program.settings.handbooks, program.layout.prefix
    repo_url = f"{server_url.rstrip('/')}/{repo}"
    return books.url("mentor", repo_url, prefix), books.url("mentee", repo_url, prefix)


def welcomed(issue: Issue, program: Program) -> set[str]:
    """Mentors (lowercase) already welcomed in a paired comment by the bot."""
    found: set[str] = set()
    for _, data in markers.find(issue.comments, program.settings.bot_login, PAIRED):
        mentors = data.get("mentors", [])
        if isinstance(mentors, list):
            found.update(lower(str(x)) for x in mentors)
    return found


def answered(issue: Issue, program: Program, comment_id: int) -> bool:
    """Whether the bot already replied to the commands of this comment."""
    return any(
        data.get("comment") == comment_id
        for _, data in markers.find(issue.comments, program.settings.bot_login, COMMAND)
    )


# --------------------------------------------------------------------------- pairing


def _pair(m: Mentorship, logins: Iterable[str], today: date) -> Mentorship:
    """``m`` with ``logins`` added as mentors; a waiting application becomes active today."""
    new = tuple(x for x in logins if not m.is_mentor(x))
    if not new:
        return m
    mentors = m.mentors + new
    if m.status == "waiting" and not m.cohort:  # a cohort's start is its announcement's
        return m.moved(
            "active", today, mentors=mentors, started=today, checkin=0, paused_until=None
        )
    return dataclasses.replace(m, mentors=mentors)


def _paired_text(
    issue: Issue,
    m: Mentorship,
    program: Program,
    messages: Messages,
    handbooks: tuple[str, str],
) -> str | None:
    """The welcome-pair text for mentors not welcomed yet (None if there are none)."""
    if m.status not in ("active", "paused"):
        return None
    done = welcomed(issue, program)
    new = [x for x in m.mentors if lower(x) not in done]
    if not new:
        return None
    role = program.role(m.role)
    nxt = m.next_checkin(program.settings.checkins.every_days)
    return messages.render(
        "paired",
        mentee=m.mentee or "",
        mentors=new,
        role=role.name if role else (m.role or ""),
        started=m.started.isoformat() if m.started else "",
        mentor_handbook=handbooks[0],
        mentee_handbook=handbooks[1],
        next_checkin=nxt[1].isoformat() if nxt else "",
    )


def _paired_data(issue: Issue, m: Mentorship, program: Program) -> dict:
    mentors = sorted(welcomed(issue, program) | {lower(x) for x in m.mentors})
    return {"mentors": mentors}


def on_assigned(
    issue: Issue,
    current: Mentorship | None,
    login: str | None,
    program: Program,
    messages: Messages,
    today: date,
    *,
    handbooks: tuple[str, str],
) -> Step:
    """Someone assigned in GitHub's UI: a mentor is paired; coordinators and the mentee are not."""
    n = issue.number
    if current is None or login is None:
        return skip(n, "assigned, but there is no status card to record it on")
    if not issue.is_assigned(login):
        return Step(current).note(n, f"{login} is no longer assigned: nothing to pair")
    if program.is_coordinator(login):
        return Step(current).note(n, f"{login} is a coordinator: assigned for triage, not paired")
    if current.is_mentee(login):
        return Step(current).note(n, f"{login} is the applicant: not paired with themselves")
    if is_bot(login, program):
        return Step(current).note(n, f"{login} is a bot: not paired")
    if current.status == "needs-info":
        return Step(current).note(n, f"{login} assigned, but the application is incomplete")
    if current.status in CLOSED_STATUSES:
        return Step(current).note(n, f"{login} assigned, but the application is {current.status}")
    m = _pair(current, [login], today)
    result = Step(m)
    text = _paired_text(issue, m, program, messages, handbooks)
    if text is not None:
        body = with_marker(text, PAIRED, _paired_data(issue, m, program))
        result = result.then(Step(m, (PostComment(n, body, key=PAIRED),)))
    return result


def on_unassigned(issue: Issue, current: Mentorship | None, login: str | None, today: date) -> Step:
    """A mentor unassigned stops mentoring; with none left the application waits again."""
    n = issue.number
    if current is None or login is None:
        return skip(n, "unassigned, but there is no status card to record it on")
    if issue.is_assigned(login):
        return Step(current).note(n, f"{login} is assigned again: nothing to change")
    if not current.is_mentor(login):
        return Step(current).note(n, f"{login} is not a mentor here: nothing to change")
    mentors = tuple(x for x in current.mentors if not same_login(x, login))
    if mentors or current.status not in ("active", "paused"):
        return Step(dataclasses.replace(current, mentors=mentors))
    m = current.moved(
        "waiting", today, mentors=(), started=None, paused_until=None, ready=None, checkin=0
    )
    return Step(m)


def on_closed(issue: Issue, current: Mentorship | None, sender: str | None, today: date) -> Step:
    """Closed by a person: withdrawn if by the mentee, else declined; a mentorship closed as
    completed is left to the graduation handler."""
    n = issue.number
    if current is None:
        return skip(n, "closed, but there is no status card to record it on")
    if not current.open:
        return Step(current).note(n, f"closed while {current.status}: nothing to change")
    if issue.open:
        return Step(current).note(n, "reopened since: nothing to change")
    if current.status in ("active", "paused") and issue.state_reason == "completed":
        # A merged graduation pull request closes its issue as completed, and its mentor
        # may have approved it rather than said /ready: the merge handler records it.
        return Step(current).note(
            n, "closed as completed while mentored: a merged graduation pull request records it"
        )
    status = "withdrawn" if current.is_mentee(sender) else "declined"
    return Step(current.moved(status, today, paused_until=None))


# --------------------------------------------------------------------------- commands


@dataclass
class _Run:
    """The state of one comment's commands as they are carried out in order."""

    issue: Issue
    author: str
    program: Program
    messages: Messages
    today: date
    assignable: set[str]
    m: Mentorship
    parts: list[str] = dataclasses.field(default_factory=list)
    writes: list[Write] = dataclasses.field(default_factory=list)
    closing: list[Write] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    def say(self, name: str, **variables: object) -> None:
        self.parts.append(self.messages.render(name, **variables))

    def done(self, command: str, outcome: str, logins=(), until="", reason="") -> None:
        self.say(
            "command-done",
            command=command,
            outcome=outcome,
            logins=list(logins),
            until=until,
            reason=reason,
        )

    def invalid(self, command: str, problem: str, value: str = "") -> None:
        self.say(
            "command-invalid", command=command, problem=problem, value=value, status=self.m.status
        )
        self.notes.append(f"/{command} not carried out: {problem}")

    def close(self) -> None:
        if self.issue.open and not any(isinstance(w, CloseIssue) for w in self.closing):
            self.closing.append(CloseIssue(self.issue.number, reason="not_planned"))


def may(command: str, login: str, m: Mentorship, program: Program) -> bool:
    """Whether ``login`` may use ``command`` on the application ``m``."""
    who = WHO[command]
    return (
        "everyone" in who
        or ("coordinators" in who and program.is_coordinator(login))
        or ("mentors" in who and m.is_mentor(login))
        or ("mentee" in who and m.is_mentee(login))
        or ("role-mentors" in who and _role_mentor_selects(login, m, program))
    )


def _role_mentor_selects(login: str, m: Mentorship, program: Program) -> bool:
    """A mentor of the application's role, in a cohort whose ``mentors_select`` is on."""
    from mentoring.core import cohorts  # a sibling feature; imported when needed

    cohort = cohorts.by_id(program.cohorts, m.cohort)
    role = program.role(m.role)
    if cohort is None or not cohort.mentors_select or role is None:
        return False
    return any(same_login(x.login, login) for x in role.mentors)


def on_comment(
    issue: Issue,
    current: Mentorship | None,
    comment: Comment | None,
    program: Program,
    messages: Messages,
    today: date,
    *,
    assignable: Iterable[str],
    handbooks: tuple[str, str],
    cohort_cards: Iterable[Mentorship] = (),
) -> Step:
    """Carry out the slash commands of a comment and reply once.

    A command is carried out as of the day it was written (``/pause`` pauses from
    then, the history records that day); a reply made on a later day says so.
    ``cohort_cards`` are the other applications' states, for the seats ``/select`` counts.
    """
    n = issue.number
    if comment is None:
        return Step(current).note(n, "the comment no longer exists: nothing to do")
    if comment.author is None:
        return Step(current).note(n, "comment by a deleted account: ignored")
    if is_bot(comment.author, program):
        return Step(current).note(n, f"comment by a bot ({comment.author}): ignored")
    found = for_program(commands(comment.body), program)
    if not found:
        return Step(current).note(n, "no command in the comment")
    if current is None:
        return skip(n, "commands on an issue without a status card: ignored")
    if answered(issue, program, comment.id):
        return Step(current).note(n, f"the commands of comment {comment.id} were answered already")
    can = {lower(x) for x in assignable}
    given = min(today, comment.created_at.date())
    run = _Run(issue, comment.author, program, messages, given, can, current)
    run.cohort_cards = tuple(cohort_cards)  # type: ignore[attr-defined]
    if given < today:
        run.say("command-given", given=given.isoformat())
    if len(found) > MAX_COMMANDS:
        run.notes.append(f"only the first {MAX_COMMANDS} of {len(found)} commands were read")
    for command in found[:MAX_COMMANDS]:
        if not may(command.name, comment.author, run.m, program):
            allowed = [w for w in WHO[command.name] if w != "everyone"]
            coordinators = [c.login for c in program.coordinators]
            run.say(
                "command-refused", command=command.name, allowed=allowed, coordinators=coordinators
            )
            run.notes.append(f"/{command.name} by {comment.author} refused: not allowed")
            continue
        HANDLERS[command.name](run, command)
    paired = _paired_text(issue, run.m, program, messages, handbooks)
    parts = [part.strip() for part in run.parts]
    body = "\n\n---\n\n".join(x for x in ("\n\n".join(parts), (paired or "").strip()) if x)
    body = with_marker(body, COMMAND, {"comment": comment.id})
    if paired is not None:
        body = with_marker(body, PAIRED, _paired_data(issue, run.m, program))
    writes = (*run.writes, PostComment(n, body, key=COMMAND))
    notes = tuple((n, text) for text in run.notes)
    return Step(run.m, writes, tuple(run.closing), notes)


def _mentor(run: _Run, command: Command) -> None:
    tokens = _tokens(command.args)
    if not tokens:
        run.invalid("mentor", "no-login")
        return
    if run.m.status == "needs-info":
        run.invalid("mentor", "needs-info")
        return
    if run.m.status in CLOSED_STATUSES:
        run.invalid("mentor", "closed")
        return
    logins: list[str] = []
    for token in tokens:
        login = token.removeprefix("@")
        if is_bot(login, run.program):
            run.invalid("mentor", "bot")
        elif not _LOGIN.fullmatch(login):
            run.invalid("mentor", "bad-login", token)
        elif run.m.is_mentee(login):
            run.invalid("mentor", "self")
        elif not any(same_login(login, x) for x in logins):
            logins.append(login)
    already = [x for x in logins if run.m.is_mentor(x)]
    new = []
    for login in logins:
        if run.m.is_mentor(login):
            continue
        if lower(login) in run.assignable or run.issue.is_assigned(login):
            new.append(login)
        else:  # a typo, a deleted account, or someone without access: never paired blindly
            run.invalid("mentor", "not-assignable", login)
    if new:
        run.m = _pair(run.m, new, run.today)
        assign = tuple(x for x in new if not run.issue.is_assigned(x))
        if assign:
            run.writes.append(Assign(run.issue.number, assign))
        # Mentors not welcomed yet get the welcome-pair text below the reply instead.
        back = [x for x in new if lower(x) in welcomed(run.issue, run.program)]
        if back:
            run.done("mentor", "paired", back)
    if already:
        run.done("mentor", "already-mentor", already)


def _pause(run: _Run, command: Command) -> None:
    until: date | None = None
    if command.args:
        match = _PAUSE_ARGS.fullmatch(command.args)
        try:
            until = date.fromisoformat(match.group("day")) if match else None
        except ValueError:
            until = None
        if until is None:
            run.invalid("pause", "bad-date", command.args)
            return
        if until <= run.today:
            run.invalid("pause", "past-date", until.isoformat())
            return
    if run.m.status in CLOSED_STATUSES:
        run.invalid("pause", "closed")
        return
    if run.m.status not in ("active", "paused"):
        run.invalid("pause", "not-active")
        return
    run.m = run.m.moved("paused", run.today, paused_until=until)
    run.done("pause", "paused", until=until.isoformat() if until else "")


def _resume(run: _Run, command: Command) -> None:
    if run.m.status in CLOSED_STATUSES:
        run.invalid("resume", "closed")
        return
    if run.m.status != "paused":
        run.invalid("resume", "not-paused")
        return
    run.m = run.m.moved("active", run.today, paused_until=None)
    run.done("resume", "resumed")


def _end(run: _Run, command: Command, status: str) -> None:
    if run.m.status in CLOSED_STATUSES:
        run.invalid(command.name, "closed")
        return
    run.m = run.m.moved(status, run.today, paused_until=None)
    run.close()
    reason = command.args if status == "declined" else ""
    run.done(command.name, status, reason=reason)


def _withdraw(run: _Run, command: Command) -> None:
    _end(run, command, "withdrawn")


def _decline(run: _Run, command: Command) -> None:
    _end(run, command, "declined")


def _ready(run: _Run, command: Command) -> None:
    if run.m.status in CLOSED_STATUSES:
        run.invalid("ready", "closed")
        return
    if run.m.status not in ("active", "paused"):
        run.invalid("ready", "not-active")
        return
    from mentoring.core.graduation import entry_yaml  # a sibling feature; imported when needed

    run.m = dataclasses.replace(run.m, ready=run.m.ready or run.today)
    entry = entry_yaml(run.issue, run.m, run.program, run.today)
    run.say(
        "ready",
        mentee=run.m.mentee or "",
        mentors=list(run.m.mentors),
        issue=run.issue.number,
        entry=entry,
        file=run.program.layout.path(PARTICIPANTS_FILE),
    )


def _role(run: _Run, command: Command) -> None:
    """``/role ID``: a coordinator sets the role an application is for (by id or name)."""
    wanted = command.args.strip().strip("`")
    if not wanted:
        run.invalid("role", "no-role")
        return
    role = run.program.role(wanted) or next(
        (r for r in run.program.roles if " ".join(r.name.split()).lower() == wanted.lower()),
        None,
    )
    if role is None:
        run.invalid("role", "unknown-role", wanted)
        return
    if run.m.status in CLOSED_STATUSES:
        run.invalid("role", "closed")
        return
    if same_login(role.id, run.m.role):
        run.done("role", "role-kept", reason=role.name)
        return
    run.m = dataclasses.replace(run.m, role=role.id)
    run.done("role", "role-set", reason=role.name)


def _help(run: _Run, command: Command) -> None:
    coordinators = [c.login for c in run.program.coordinators]
    run.say("help", coordinators=coordinators, cohorts=bool(run.program.cohorts))


HANDLERS = {
    "mentor": _mentor,
    "pause": _pause,
    "resume": _resume,
    "withdraw": _withdraw,
    "decline": _decline,
    "ready": _ready,
    "role": _role,
    "help": _help,
    "select": lambda run, command: _cohort_command("select", run, command),
    "waitlist": lambda run, command: _cohort_command("waitlist", run, command),
    "extend": lambda run, command: _cohort_command("extend", run, command),
}


def _selects(comment: Comment, program: Program) -> bool:
    return any(c.name == "select" for c in for_program(commands(comment.body), program))


def selects_pending(issue: Issue, m: Mentorship | None, program: Program) -> bool:
    """Whether an unanswered comment has a ``/select`` (the runner then reads the seats)."""
    return any(_selects(c, program) for c in pending(issue, m, program)[:MAX_REPLIES])


def _cohort_command(name: str, run: _Run, command: Command) -> None:
    from mentoring.core import cohort_steps  # a sibling feature; imported when needed

    getattr(cohort_steps, name)(run, command)


# --------------------------------------------------------------------------- level-triggered

MAX_REPLIES = 10  # comments whose commands one run answers; the rest wait for the next run
MAX_NAMED = 10  # logins of one comment's /mentor commands worth a look-up; the rest are refused


def observed_on(issue: Issue, today: date) -> date:
    """The day to date a change the bot finds on the issue rather than hears of by an event
    (an assignment, an edit of the form): the issue's last update, the closest date GitHub
    shows without reading its timeline; ``today`` when that is later or unknown."""
    if issue.updated_at is None:
        return today
    return min(today, issue.updated_at.date())


def assigned_mentors(issue: Issue, m: Mentorship, program: Program) -> list[str]:
    """The assignees who count as mentors: all but coordinators, the applicant and bots."""
    return [
        login
        for login in issue.assignees
        if not program.is_coordinator(login)
        and not m.is_mentee(login)
        and not same_login(login, issue.author)
        and not is_bot(login, program)
    ]


def not_a_mentor(login: str | None, m: Mentorship, program: Program) -> str | None:
    """Why an assignee does not count as a mentor (one line), or None if they do."""
    if login is None:
        return None
    if program.is_coordinator(login):
        return f"{login} is a coordinator: assigned for triage, not paired"
    if m.is_mentee(login):
        return f"{login} is the applicant: not paired with themselves"
    if is_bot(login, program):
        return f"{login} is a bot: not paired"
    return None


def sync_assignees(
    issue: Issue,
    current: Mentorship,
    program: Program,
    messages: Messages,
    today: date,
    *,
    handbooks: tuple[str, str],
) -> Step:
    """The mentors in the state made to match the issue's assignees, whichever events were lost.

    A mentor assigned and not yet paired is paired (a waiting application becomes
    active); a paired mentor no longer assigned stops mentoring (with none left the
    application waits again). Coordinators, the applicant and bots never count. The
    change is dated by `observed_on`. Nothing changes while the form is incomplete
    or once the application is closed, and nothing changes when they already agree.
    """
    n = issue.number
    if current.status not in ("waiting", "active", "paused"):
        if current.status == "needs-info" and assigned_mentors(issue, current, program):
            return Step(current).note(n, "a mentor is assigned, but the application is incomplete")
        return Step(current)
    day = observed_on(issue, today)
    gone = [x for x in current.mentors if not issue.is_assigned(x)]
    m = current
    if gone:
        mentors = tuple(x for x in m.mentors if not any(same_login(x, g) for g in gone))
        if mentors or m.status not in ("active", "paused"):
            m = dataclasses.replace(m, mentors=mentors)
        else:
            m = m.moved(
                "waiting", day, mentors=(), started=None, paused_until=None, ready=None, checkin=0
            )
    new = [x for x in assigned_mentors(issue, m, program) if not m.is_mentor(x)]
    if not new:
        return Step(m)
    m = _pair(m, new, day)
    result = Step(m)
    text = _paired_text(issue, m, program, messages, handbooks)
    if text is not None:
        body = with_marker(text, PAIRED, _paired_data(issue, m, program))
        result = result.then(Step(m, (PostComment(n, body, key=PAIRED),)))
    return result


def _floor(issue: Issue, m: Mentorship | None, bot: str, since: datetime | None):
    """Commands written before this moment are not the bot's to answer (None: no bound).

    Only commands written after the application was opened count; with a card of an
    earlier version (no ``seen``), only those after that card, since that version
    answered the earlier ones as their events came; with only the comments updated
    since ``since`` read, only those written since then (their replies are among them).
    """
    bounds = [t for t in (issue.created_at, since) if t is not None]
    if m is not None and not m.seen and m.card_id is not None:
        card = next((c for c in issue.comments if c.id == m.card_id and c.by(bot)), None)
        if card is not None:
            bounds.append(card.created_at)
    return max(bounds) if bounds else None


def pending(
    issue: Issue, m: Mentorship | None, program: Program, since: datetime | None = None
) -> list[Comment]:
    """The comments whose slash commands the bot has not answered yet, in the order written.

    ``since``: only the comments updated since then were read (the nightly's window).
    """
    bot = program.settings.bot_login
    done = {data.get("comment") for _, data in markers.find(issue.comments, bot, COMMAND)}
    floor = _floor(issue, m, bot, since)
    seen = m.seen if m is not None else 0
    found = [
        c
        for c in issue.comments
        if c.id > seen
        and c.id not in done
        and c.author is not None
        and not is_bot(c.author, program)
        and (floor is None or c.created_at >= floor)
        and for_program(commands(c.body), program)
    ]
    return sorted(found, key=lambda c: (c.created_at, c.id))


def logins_pending(
    issue: Issue, m: Mentorship | None, program: Program, since: datetime | None = None
) -> list[str]:
    """The logins every unanswered ``/mentor`` names, in order (for the runner's look-ups)."""
    found: list[str] = []
    for comment in pending(issue, m, program, since)[:MAX_REPLIES]:
        for login in logins_named(comment.body)[:MAX_NAMED]:
            if all(not same_login(login, x) for x in found):
                found.append(login)
    return found


def _project(issue: Issue, writes: Iterable[Write], bot: str, moment: datetime) -> Issue:
    """The issue as it will be after ``writes``: the bot's new comments and assignees."""
    comments = list(issue.comments)
    assignees = list(issue.assignees)
    next_id = max((c.id for c in comments), default=0) + 1
    for w in writes:
        if isinstance(w, PostComment):
            comments.append(Comment(next_id, issue.number, bot, w.body, moment, moment))
            next_id += 1
        elif isinstance(w, Assign):
            assignees += [x for x in w.logins if all(lower(x) != lower(a) for a in assignees)]
    return dataclasses.replace(issue, comments=tuple(comments), assignees=tuple(assignees))


def reconcile(
    issue: Issue,
    current: Mentorship | None,
    program: Program,
    messages: Messages,
    today: date,
    *,
    assignable: Iterable[str],
    handbooks: tuple[str, str],
    since: datetime | None = None,
    checked: Iterable[str] | None = None,
    cohort_cards: Iterable[Mentorship] | None = None,
) -> Step:
    """Level-triggered: what the issue's current contents call for, whichever events arrived.

    The mentors follow the assignees (`sync_assignees`); then every comment with
    commands not answered yet is answered, once, in the order written, each as of
    its own day (`on_comment`), at most `MAX_REPLIES` a run. ``assignable`` are the
    logins the runner found assignable among ``checked`` (None: all it was asked
    about); a comment naming a login not checked waits for the next run.
    The card's ``seen`` moves past the commands answered before this run, and only
    when the card is written anyway. ``cohort_cards``: the applications' states for the
    seats ``/select`` counts (None: not read, so a ``/select`` waits for a run that reads them).
    """
    n = issue.number
    if current is None:
        return skip(n, "no status card to reconcile")
    bot = program.settings.bot_login
    moment = datetime.combine(today, time(23, 59, 59), UTC)
    view = issue
    if since is not None and current.mentors:
        # Only recent comments were read: the card's mentors were welcomed when they were
        # paired, though the comment saying so may be older than those read.
        data = {"mentors": sorted(lower(x) for x in current.mentors)}
        said = Comment(0, issue.number, bot, markers.make(PAIRED, data), moment, moment)
        view = dataclasses.replace(issue, comments=(said, *issue.comments))
    result = sync_assignees(view, current, program, messages, today, handbooks=handbooks)
    todo = pending(issue, current, program, since)
    known = None if checked is None else {lower(x) for x in checked}
    view = _project(view, result.writes, bot, moment)
    for count, comment in enumerate(todo):
        if count == MAX_REPLIES:
            left = len(todo) - MAX_REPLIES
            result = result.note(n, f"{left} more comment(s) with commands: left for the next run")
            break
        named = logins_named(comment.body)[:MAX_NAMED]  # any further: never assignable
        if known is not None and any(lower(x) not in known for x in named):
            result = result.note(n, f"comment {comment.id}: its logins were not looked up yet")
            break
        if cohort_cards is None and _selects(comment, program):
            result = result.note(n, f"comment {comment.id}: /select waits for the seats count")
            break
        assert result.state is not None
        step = on_comment(
            view, result.state, comment, program, messages, today,
            assignable=assignable, handbooks=handbooks, cohort_cards=cohort_cards or (),
        )  # fmt: skip
        result = result.then(step)
        view = _project(view, step.writes, bot, moment)
    assert result.state is not None
    m = result.state
    if state.to_data(m) != state.to_data(current):
        m = dataclasses.replace(m, seen=max(current.seen, _answered_up_to(issue, current, program)))
    return Step(m, result.writes, result.closing, result.notes)


def _answered_up_to(issue: Issue, m: Mentorship, program: Program) -> int:
    """The latest comment id up to which every command was answered before this run."""
    bot = program.settings.bot_login
    done = {data.get("comment") for _, data in markers.find(issue.comments, bot, COMMAND)}
    unanswered = [c.id for c in pending(issue, m, program)]
    answered_ids = [c for c in done if isinstance(c, int)]
    if unanswered:
        answered_ids = [c for c in answered_ids if c < min(unanswered)]
    return max(answered_ids, default=0)
