"""Intake: recognise an application, check its form, and welcome it or say exactly what to fix.

Pure: every function takes snapshots and facts the runner looked up (mentor
load, which coordinators can be assigned) and returns a `Step` or a `Plan`.

A feature step says what a mentorship becomes and which comments, assignments
and closings go with it; `plan` turns steps into writes, with the labels and
the status card written once through `state.sync`, first, so that the card
(the record) is in place before the replies that depend on it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from mentoring.core import markers, state
from mentoring.core.model import (
    Assign,
    EditComment,
    Issue,
    Plan,
    PostComment,
    Write,
    lower,
)
from mentoring.core.state import Mentorship
from mentoring.program import form
from mentoring.program.config import Program, same_login
from mentoring.program.templates import Messages, with_marker

WELCOME = "welcome"
NEEDS_INFO = "needs-info"
ROLE_UNCLEAR = "role-unclear"
LOAD_STATUSES = ("active", "paused")


@dataclass(frozen=True)
class Step:
    """What one feature decided: the state after it (None: not ours), and its other writes.

    ``writes`` (assignments, comments) come after the labels and the card;
    ``closing`` (closing or reopening the issue) comes last.
    """

    state: Mentorship | None
    writes: tuple[Write, ...] = ()
    closing: tuple[Write, ...] = ()
    notes: tuple[tuple[int, str], ...] = ()

    def then(self, other: Step) -> Step:
        """This step followed by ``other``, computed from this step's state (None keeps it)."""
        return Step(
            other.state if other.state is not None else self.state,
            self.writes + other.writes,
            self.closing + other.closing,
            self.notes + other.notes,
        )

    def note(self, issue: int, text: str) -> Step:
        return dataclasses.replace(self, notes=(*self.notes, (issue, text)))


def skip(issue: int, reason: str) -> Step:
    """Not ours, or nothing to do: no state, one line saying why."""
    return Step(None, notes=((issue, reason),))


def plan(
    issue: Issue, old: Mentorship | None, step: Step, program: Program, messages: Messages
) -> Plan:
    """The writes of a step: labels and card (only what changed), then comments, then closing."""
    if step.state is None:
        return Plan(notes=step.notes)
    synced = state.sync(issue, old, step.state, program, messages)
    return Plan(tuple(synced) + step.writes + step.closing, step.notes)


# --------------------------------------------------------------------------- recognising


def is_bot(login: str | None, program: Program) -> bool:
    """The bot itself, or any other app account (``…[bot]``)."""
    return login is not None and (
        same_login(login, program.settings.bot_login) or lower(login).endswith("[bot]")
    )


def is_application(issue: Issue, program: Program, current: Mentorship | None = None) -> bool:
    """The form's label, or the form's structure (the label is dropped when the applicant
    lacks permission), or a status card the bot already keeps on it."""
    if issue.is_pull:
        return False
    if current is not None or issue.has_label(program.settings.labels.application):
        return True
    return form.parse(issue.body, program.form).looks_like_form


def why_not(issue: Issue, program: Program, current: Mentorship | None) -> str | None:
    """Why the bot must leave this issue alone (one line), or None if it may act on it."""
    if issue.is_pull:
        return "a pull request, not an application"
    if not is_application(issue, program, current):
        return "not an application (no application label, not the form's answers)"
    if issue.author is None:
        return "the applicant's account was deleted: nothing to do"
    if issue.locked:
        return "the issue is locked: the bot cannot comment, so it changes nothing"
    return None


def may_welcome(issue: Issue, current: Mentorship | None, program: Program) -> bool:
    """Whether intake would welcome the application now (so the runner looks up which
    coordinators can be assigned): its form is complete and no welcome was posted yet."""
    if current is not None and current.status not in (NEEDS_INFO, "waiting"):
        return False
    if markers.latest(issue.comments, program.settings.bot_login, WELCOME) is not None:
        return False
    return not problems(form.parse(issue.body, program.form), program)


# --------------------------------------------------------------------------- facts


def mentor_load(issues: Iterable[Issue], program: Program) -> dict[str, int]:
    """Open mentorships per mentor (lowercase login), from one listing of application issues.

    Counts the assignees of open applications whose status label is active or
    paused, minus coordinators and the applicant.
    """
    labels = program.settings.labels
    counted = {lower(labels.status(s)) for s in LOAD_STATUSES}
    load: dict[str, int] = {}
    for issue in issues:
        if issue.is_pull or not issue.open or not issue.has_label(labels.application):
            continue
        if not any(lower(label) in counted for label in issue.labels):
            continue
        for login in issue.assignees:
            if program.is_coordinator(login) or same_login(login, issue.author):
                continue
            load[lower(login)] = load.get(lower(login), 0) + 1
    return load


@dataclass(frozen=True)
class Availability:
    """Who is away (lowercase logins), and who nominated the applicant (suggested first)."""

    away: frozenset[str] = frozenset()
    first: tuple[str, ...] = ()


def suggestions(
    role: Any,
    load: Mapping[str, int],
    applicant: str | None,
    availability: Availability = Availability(),
) -> list[dict[str, Any]]:
    """Mentors of ``role`` with a free place, least loaded first (roles.yml order breaks ties);
    away mentors left out, the applicant's nominators first."""
    first = [lower(x) for x in availability.first]
    found = []
    for index, mentor in enumerate(role.mentors):
        taken = load.get(lower(mentor.login), 0)
        if lower(mentor.login) in availability.away:
            continue
        if taken < mentor.capacity and not same_login(mentor.login, applicant):
            found.append((taken, index, mentor))
    rank = {login: n for n, login in enumerate(first)}
    found.sort(key=lambda item: (rank.get(lower(item[2].login), len(rank)), item[0], item[1]))
    return [{"login": m.login, "load": taken, "capacity": m.capacity} for taken, _, m in found]


# --------------------------------------------------------------------------- checking


def problems(answers: form.Answers, program: Program) -> list[dict[str, str]]:
    """What is wrong with the answers, in the form's order, for the needs-info message.

    A role asked as free text is never the applicant's problem: an answer that
    names no role clearly goes to the coordinators (``role_unclear``).
    """
    spec = answers.spec
    empty = {f.id for f in form.missing(answers)}
    found: list[dict[str, str]] = []
    for f in spec.questions:
        if f.id == spec.fields.role and not spec.role_is_free_text:
            value = answers.get(f.id)
            if f.id in empty:
                found.append({"kind": "no-role", "field": f.label})
            elif form.role_of(value, program) is None:
                found.append({"kind": "unknown-role", "value": value, "field": f.label})
        elif f.id == spec.fields.code_of_conduct:
            if not answers.coc:
                found.append({"kind": "coc", "field": f.label})
        elif f.id in empty:
            found.append({"kind": "missing", "field": f.label})
    return found


def role_unclear(
    issue: Issue, m: Mentorship, program: Program, messages: Messages, answers: form.Answers
) -> Step:
    """No role yet (a free-text answer naming none, or several): ask the coordinators, with
    the answer quoted, to set it with ``/role ID``. Posted once, edited if the answer changes."""
    if m.role is not None or m.status != "waiting":
        return Step(m)
    question = program.form.question(program.form.fields.role)
    body = messages.render(
        ROLE_UNCLEAR,
        answer=answers.role,
        question=question.label if question else "",
        coordinators=[c.login for c in program.coordinators],
        roles=[{"id": r.id, "name": r.name} for r in program.roles],
    )
    return Step(m, tuple(_comment_write(issue, program, ROLE_UNCLEAR, body)))


def _comment_write(
    issue: Issue, program: Program, kind: str, body: str, data: dict | None = None
) -> list[Write]:
    """Post a marked comment, or edit the bot's existing one of that kind if its text differs."""
    text = with_marker(body, kind, data)
    found = markers.latest(issue.comments, program.settings.bot_login, kind)
    if found is None:
        return [PostComment(issue.number, text, key=kind)]
    comment, _ = found
    if comment.body.strip() == text.strip():
        return []
    return [EditComment(issue.number, comment.id, text, key=kind)]


def _applied(issue: Issue, today: date) -> date:
    return issue.created_at.date() if issue.created_at is not None else today


# --------------------------------------------------------------------------- the step


def step(
    issue: Issue,
    current: Mentorship | None,
    program: Program,
    messages: Messages,
    today: date,
    *,
    load: Mapping[str, int],
    assignable: Iterable[str],
    availability: Availability = Availability(),
) -> Step:
    """Intake for an application issue in whatever state its card shows.

    No card yet, or ``needs-info``: check the form; an incomplete one gets
    ``needs-info`` and one comment listing what to fix (edited in place on later
    edits); a complete one becomes ``waiting``: coordinators assigned, welcome
    posted, the needs-info comment turned into a short "all set". A ``waiting``
    application follows an edit that changes the role. Later states are left as they are.
    """
    if (reason := why_not(issue, program, current)) is not None:
        return skip(issue.number, reason)
    if current is not None and current.status not in (NEEDS_INFO, "waiting"):
        return Step(current)
    if current is None and not issue.open:
        return skip(issue.number, "closed before the bot saw it: nothing to do")
    if current is not None and current.status == "waiting":
        return _waiting(issue, current, program, messages, load, assignable, availability)
    base = current or Mentorship(
        issue.number, issue.author, NEEDS_INFO, applied=_applied(issue, today)
    )
    return _check(issue, base, program, messages, today, load, assignable, availability)


def _check(
    issue: Issue,
    base: Mentorship,
    program: Program,
    messages: Messages,
    today: date,
    load: Mapping[str, int],
    assignable: Iterable[str],
    availability: Availability = Availability(),
) -> Step:
    """Check the form; move ``base`` to needs-info or waiting, with the comments that go along."""
    answers = form.parse(issue.body, program.form)
    found = problems(answers, program)
    role = form.role_of(answers.role, program)
    if found:
        new = base.moved(NEEDS_INFO, today, role=role.id if role else None, mentee=issue.author)
        body = messages.render("needs-info", problems=found, roles=form.options(program.roles))
        return Step(new, tuple(_comment_write(issue, program, NEEDS_INFO, body)))
    new = base.moved("waiting", today, role=role.id if role else base.role, mentee=issue.author)
    writes: list[Write] = []
    if program.cohorts:  # the application's cohort, or one kind word on the windows
        from mentoring.core import cohort_steps

        new, said = cohort_steps.at_intake(issue, new, program, messages, today)
        writes += said
    if markers.latest(issue.comments, program.settings.bot_login, NEEDS_INFO) is not None:
        writes += _comment_write(issue, program, NEEDS_INFO, messages.render("needs-info-done"))
    return (
        Step(new, tuple(writes))
        .then(_welcome(issue, new, program, messages, answers, load, assignable, availability))
        .then(role_unclear(issue, new, program, messages, answers))
    )


def _waiting(
    issue: Issue,
    current: Mentorship,
    program: Program,
    messages: Messages,
    load: Mapping[str, int],
    assignable: Iterable[str],
    availability: Availability = Availability(),
) -> Step:
    """A complete application waiting for a mentor: follow a role change, finish a lost welcome."""
    answers = form.parse(issue.body, program.form)
    role = form.role_of(answers.role, program)
    m = current
    result = Step(m)
    if problems(answers, program):
        result = result.note(
            issue.number, "the edit left the form incomplete; the application stays waiting"
        )
    elif role is not None and not same_login(role.id, m.role):
        m = dataclasses.replace(m, role=role.id)
        result = Step(m)
    return result.then(
        _welcome(issue, m, program, messages, answers, load, assignable, availability)
    ).then(role_unclear(issue, m, program, messages, answers))


def _welcome(
    issue: Issue,
    m: Mentorship,
    program: Program,
    messages: Messages,
    answers: form.Answers,
    load: Mapping[str, int],
    assignable: Iterable[str],
    availability: Availability = Availability(),
) -> Step:
    """Assign the coordinators and post the welcome, once (the welcome marker says it was done)."""
    if markers.latest(issue.comments, program.settings.bot_login, WELCOME) is not None:
        return Step(m)
    can = {lower(x) for x in assignable}
    logins = [c.login for c in program.coordinators]
    assigned = [x for x in logins if lower(x) in can]
    unassignable = [x for x in logins if lower(x) not in can]
    to_assign = tuple(x for x in assigned if not issue.is_assigned(x))
    writes: list[Write] = []
    if to_assign:
        writes.append(Assign(issue.number, to_assign))
    role = program.role(m.role)
    body = messages.render(
        "welcome",
        applicant=answers.name or m.mentee or "",
        role=role.name if role else (m.role or ""),
        coordinators=assigned,
        unassignable=unassignable,
        mentors=suggestions(role, load, m.mentee, availability) if role else [],
        contact=program.settings.private_contact,
    )
    writes.append(PostComment(issue.number, with_marker(body, WELCOME), key=WELCOME))
    step_ = Step(m, tuple(writes))
    if unassignable:
        step_ = step_.note(
            issue.number, "could not assign " + ", ".join(unassignable) + ": mentioned instead"
        )
    return step_


def reopen(
    issue: Issue,
    current: Mentorship | None,
    program: Program,
    messages: Messages,
    today: date,
    *,
    load: Mapping[str, int],
    assignable: Iterable[str],
    availability: Availability = Availability(),
) -> Step:
    """A declined or withdrawn application reopened: active again if it has mentors, else intake."""
    if current is None or current.status not in ("declined", "withdrawn"):
        what = current.status if current else "no card"
        return Step(current).note(issue.number, f"reopened while {what}: nothing to change")
    if current.mentors:
        m = current.moved("active", today, started=current.started or today, paused_until=None)
        return Step(m)
    return _check(issue, current, program, messages, today, load, assignable, availability)
