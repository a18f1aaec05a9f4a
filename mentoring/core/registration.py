"""Mentor registration: the form's answers, what is wrong with them, the card, and `/approve`.

Pure. A registration issue (its label, or the form's headings) carries one bot
card, edited in place, whose ``registration`` marker holds its status:
``needs-info`` (the card lists what to fix), ``waiting`` (for a coordinator's
``/approve``) or ``approved`` (the change to roles.yml is proposed). ``approve``
turns a complete registration into that change: a pull request of roles.yml
with only the new lines (`rolesedit`), or, in ``comment`` mode, the exact YAML.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mentoring.core import markers, rolesedit, textsafe
from mentoring.core.model import (
    AddLabels,
    EditComment,
    EnsureLabel,
    Issue,
    OpenPullRequest,
    PostComment,
    RemoveLabels,
    Write,
    lower,
)
from mentoring.program import config, form
from mentoring.program.config import Program, same_login
from mentoring.program.templates import Messages, with_marker

FORM_FILE = ".github/ISSUE_TEMPLATE/mentor-registration.yml"
CARD = "registration"
STATUSES = ("needs-info", "waiting", "approved")
MAX_CAPACITY = 20
LABEL_COLOR = "5319e7"

# (field id, heading) of the registration form, in its order.
FIELDS = (
    ("login", "Your GitHub login"),
    ("roles", "Roles you will mentor for"),
    ("capacity", "How many mentees at once"),
    ("note", "A short note"),
)
STRUCTURE = frozenset({"login", "roles"})

_LOGIN = re.compile(r"@?([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})")
_ROLE_IN_OPTION = re.compile(r"\(\s*([A-Za-z0-9][A-Za-z0-9-]*)\s*\)")


def sections(body: str | None, fields: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The answers of an issue form by field id: the text under each ``### heading``."""
    by_label = {" ".join(label.split()).casefold(): fid for fid, label in fields}
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in (body or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if stripped.startswith("### "):
            key = " ".join(stripped[4:].strip(" #").split()).casefold()
            if key in by_label:
                current = by_label[key]
                found[current] = []
                continue
        if current is not None:
            found[current].append(line)
    answers = {}
    for fid, lines in found.items():
        text = "\n".join(lines).strip()
        answers[fid] = "" if text == form.NO_RESPONSE else text
    return answers


@dataclass(frozen=True)
class Registration:
    """What a registration form says, checked against the program."""

    issue: int
    author: str | None
    login: str
    roles: tuple[str, ...]  # known role ids, in the form's order
    capacity: int | None
    note: str
    problems: tuple[dict[str, str], ...]

    @property
    def complete(self) -> bool:
        return not self.problems

    def new_roles(self, program: Program) -> tuple[str, ...]:
        """The roles asked for that the person does not hold yet."""
        held = {role.id for role in program.roles_of(self.login)}
        return tuple(r for r in self.roles if r not in held)


def role_answers(text: str, program: Program) -> tuple[list[str], list[str]]:
    """(known role ids, unknown answers) of a roles answer: ``Name (id), Name (id)`` or ids."""
    text = " ".join((text or "").split())
    pieces = _ROLE_IN_OPTION.findall(text) or [p.strip() for p in text.split(",") if p.strip()]
    known: list[str] = []
    unknown: list[str] = []
    for piece in pieces:
        role = form.role_of(piece, program)
        if role is None:
            unknown.append(piece)
        elif role.id not in known:
            known.append(role.id)
    return known, unknown


def read(issue: Issue, program: Program) -> Registration:
    """The registration in an issue's body, with everything wrong with it."""
    answers = sections(issue.body, FIELDS)
    problems: list[dict[str, str]] = []
    login_text = answers.get("login", "").strip()
    match = _LOGIN.fullmatch(login_text)
    login = match.group(1) if match else ""
    if not login_text:
        problems.append({"kind": "no-login"})
    elif not match:
        problems.append({"kind": "bad-login", "value": textsafe.quote(login_text, 60)})
    elif not same_login(login, issue.author):
        problems.append({"kind": "login-mismatch", "value": login})
    known, unknown = role_answers(answers.get("roles", ""), program)
    if not known and not unknown:
        problems.append({"kind": "no-roles"})
    for value in unknown:
        problems.append({"kind": "unknown-role", "value": textsafe.quote(value, 60)})
    capacity: int | None = None
    capacity_text = answers.get("capacity", "").strip()
    if capacity_text:
        if re.fullmatch(r"[0-9]{1,3}", capacity_text) and 1 <= int(capacity_text) <= MAX_CAPACITY:
            capacity = int(capacity_text)
        else:
            problems.append({"kind": "bad-capacity", "value": textsafe.quote(capacity_text, 20)})
    held = {role.id for role in program.roles_of(login)} if login else set()
    if known and not unknown and set(known) <= held:
        problems.append({"kind": "already", "value": ", ".join(known)})
    return Registration(
        issue.number,
        issue.author,
        login,
        tuple(known),
        capacity,
        answers.get("note", ""),
        tuple(problems),
    )


def is_registration(issue: Issue, program: Program) -> bool:
    """The registration label, or the form's headings (the label needs triage rights)."""
    if issue.is_pull:
        return False
    if issue.has_label(program.settings.mentors.registration_label):
        return True
    return set(sections(issue.body, FIELDS)) >= STRUCTURE


def card(issue: Issue, bot: str) -> tuple[Any, dict[str, Any]] | None:
    """The bot's registration card (comment, data), if there is one."""
    return markers.latest(issue.comments, bot, CARD)


def status_of(issue: Issue, bot: str) -> str | None:
    found = card(issue, bot)
    if found is None:
        return None
    status = found[1].get("status")
    return status if status in STATUSES else None


def card_writes(
    issue: Issue, reg: Registration, status: str, program: Program, messages: Messages
) -> list[Write]:
    """Labels and the card for ``status``: only what differs from what the issue shows."""
    settings = program.settings
    label = settings.mentors.registration_label
    wanted = [label, settings.labels.status_prefix + status]
    owned = {lower(settings.labels.status_prefix + s) for s in STATUSES}
    writes: list[Write] = []
    missing = tuple(x for x in wanted if not issue.has_label(x))
    for name in missing:
        writes.append(EnsureLabel(issue.number, name, LABEL_COLOR, "Managed by the mentoring bot"))
    if missing:
        writes.append(AddLabels(issue.number, missing))
    stale = tuple(
        x for x in issue.labels if lower(x) in owned and lower(x) not in map(lower, wanted)
    )
    if stale:
        writes.append(RemoveLabels(issue.number, stale))
    body = messages.render(
        "registration-card",
        status=status,
        login=reg.login,
        roles=[_role_name(program, r) for r in reg.roles],
        capacity=reg.capacity or 0,
        problems=list(reg.problems),
        roles_available=form.options(program.roles),
        mode=settings.mentors.approve,
    )
    data = {"status": status, "login": reg.login, "roles": list(reg.roles)}
    text = with_marker(body, CARD, data)
    found = card(issue, settings.bot_login)
    if found is None:
        writes.append(PostComment(issue.number, text, key=CARD))
    elif found[0].body.strip() != text.strip():
        writes.append(EditComment(issue.number, found[0].id, text, key=CARD))
    return writes


def _role_name(program: Program, role_id: str) -> str:
    role = program.role(role_id)
    return role.name if role else role_id


def current(issue: Issue, program: Program) -> tuple[Registration, str]:
    """The registration in the form, and its status now.

    An approved registration keeps its status (a later edit of the form does not
    undo a proposed change); otherwise complete means ``waiting``.
    """
    reg = read(issue, program)
    status = status_of(issue, program.settings.bot_login)
    if status != "approved":
        status = "waiting" if reg.complete else "needs-info"
    return reg, status


# --------------------------------------------------------------------------- /approve


def blob_sha(content: bytes) -> str:
    """Git's blob id of a file's bytes (what the contents API calls its ``sha``)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


@dataclass(frozen=True)
class RolesFile:
    """roles.yml as the runner read it from the default branch."""

    path: str
    text: str
    blob: str


@dataclass(frozen=True)
class Approval:
    """What ``/approve`` decided: the writes, and the reply's variables."""

    writes: tuple[Write, ...]
    reply: dict[str, Any]


def change(reg: Registration, program: Program, text: str) -> tuple[str, list[str]]:
    """roles.yml's text with the registrant added to each new role, and the lines added.

    The capacity is written only for someone not listed anywhere yet: a capacity
    covers all of a person's roles, so an existing mentor's stays as it is.
    """
    new = text
    capacity = reg.capacity if not program.roles_of(reg.login) else None
    for role_id in reg.new_roles(program):
        new = rolesedit.add_mentor(new, role_id, reg.login, capacity)
        capacity = None
    return new, rolesedit.added_lines(text, new)


def approve(
    issue: Issue,
    reg: Registration,
    program: Program,
    messages: Messages,
    roles_file: RolesFile | None,
) -> Approval:
    """A coordinator approved a complete registration: the pull request, or the YAML to add."""
    roles = [_role_name(program, r) for r in reg.new_roles(program)]
    base = {"login": reg.login, "roles": roles, "yaml": "", "branch": "", "validation": []}
    if roles_file is None:
        return Approval((), {**base, "outcome": "no-roles-file"})
    try:
        new_text, added = change(reg, program, roles_file.text)
    except rolesedit.EditError as exc:
        return Approval((), {**base, "outcome": "cannot-edit", "problem": str(exc)})
    yaml_lines = _snippet(reg, program)
    _, problems = config.check_roles(new_text, program.settings)
    validation = [str(p) for p in problems]
    if program.settings.mentors.approve == "comment":
        return Approval(
            (), {**base, "outcome": "yaml", "yaml": yaml_lines, "validation": validation}
        )
    branch = f"mentoring/register-{lower(reg.login)}-{issue.number}"
    body = messages.render(
        "roles-pull",
        issue=issue.number,
        login=reg.login,
        roles=roles,
        added="\n".join(added),
        validation=validation,
    )
    write = OpenPullRequest(
        issue.number,
        branch=branch,
        path=roles_file.path,
        content=new_text,
        base_blob=roles_file.blob,
        title=f"Register {reg.login} as a mentor",
        body=body,
        message=f"Register {reg.login} as a mentor ({', '.join(reg.new_roles(program))})\n\n"
        f"Closes #{issue.number}",
    )
    return Approval(
        (write,), {**base, "outcome": "pull", "branch": branch, "validation": validation}
    )


def _snippet(reg: Registration, program: Program) -> str:
    """The YAML to add by hand, per role, for the comment mode."""
    capacity = reg.capacity if not program.roles_of(reg.login) else None
    parts = []
    for role_id in reg.new_roles(program):
        lines = "\n".join(rolesedit.entry_lines(reg.login, capacity, 6))
        parts.append(f"# under `- id: {role_id}`, in its `mentors:` list\n{lines}")
        capacity = None
    return "\n".join(parts)
