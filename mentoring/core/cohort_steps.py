"""Cohort steps on one application: its window at intake, /select, /waitlist, /extend, the
announcement on its date, check-ins at the cohort's cadence, and the end with a thank-you.

Pure, like intake and pairing: snapshots, the `Program`, `today` and facts the
runner looked up (the cards of the cohort's other applications, for seats) in;
an `intake.Step` or a `Plan` out. Decisions are recorded in the status card's
hidden marker; nothing public says who is selected before the announcement date.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from datetime import date

from mentoring.core import cohorts, markers
from mentoring.core.cohorts import Cohort
from mentoring.core.intake import Step
from mentoring.core.model import CloseIssue, Issue, Plan, PostComment, Write
from mentoring.core.state import CLOSED_STATUSES, Mentorship
from mentoring.program.config import Program
from mentoring.program.templates import Messages, with_marker

WINDOW = "cohort-window"
RESULT = "cohort-result"
WAITLIST_END = "cohort-waitlist-end"
THANKS = "cohort-thanks"
_HEADING = re.compile(r"^ {0,3}###[ \t]+(?P<text>.*?)[ \t#]*$")
_EXTEND_ARGS = re.compile(r"(?:until[ \t]+)?(?P<day>\d{4}-\d{2}-\d{2})", re.IGNORECASE)


def cohort_answer(body: str | None) -> str:
    """The answer under the form's ``### Cohort`` heading ('' if there is none)."""
    lines = (body or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    answer: list[str] | None = None
    for line in lines:
        match = _HEADING.match(line)
        if match:
            if answer is not None:
                break
            if match.group("text").strip().casefold() == "cohort":
                answer = []
            continue
        if answer is not None:
            answer.append(line)
    text = "\n".join(answer or []).strip()
    return "" if text == "_No response_" else text


def _posted(issue: Issue, program: Program, kind: str) -> bool:
    return markers.latest(issue.comments, program.settings.bot_login, kind) is not None


def _cohort(program: Program, m: Mentorship) -> Cohort | None:
    return cohorts.by_id(program.cohorts, m.cohort)


# --------------------------------------------------------------------------- intake


def at_intake(
    issue: Issue, m: Mentorship, program: Program, messages: Messages, today: date
) -> tuple[Mentorship, tuple[Write, ...]]:
    """A complete application: give it its cohort, or say once, kindly, that no window is open
    (or that the round it chose takes no applications on that day: closed, or not yet open).

    An application outside every window (or its chosen round's) stays open and waiting:
    the coordinators choose (``/select COHORT`` puts it in one), and the dashboards show it.
    """
    if m.cohort is not None and cohorts.by_id(program.cohorts, m.cohort) is not None:
        return m, ()
    applied = m.applied or today
    answer = cohort_answer(issue.body)
    found = cohorts.cohort_of(answer, program.cohorts, applied)
    if found is not None:
        return dataclasses.replace(m, cohort=found.id), ()
    chosen = cohorts.named(answer, program.cohorts)  # a round outside its window, if any
    if _posted(issue, program, WINDOW) or (
        chosen is None and cohorts.open_on(program.cohorts, applied)
    ):
        return m, ()  # said already; or several open and no choice: the coordinators choose
    upcoming = (
        chosen is not None
        and chosen.applications is not None
        and applied < chosen.applications.first
    )
    nxt = chosen if upcoming else cohorts.next_window(program.cohorts, applied)
    body = messages.render(
        "cohort-window",
        chosen=chosen.name if chosen else "",
        chosen_state=("upcoming" if upcoming else "closed") if chosen else "",
        open_now=[
            {"name": c.name, "close": c.applications.last.isoformat()}
            for c in cohorts.open_on(program.cohorts, applied)
        ],
        next_name=nxt.name if nxt else "",
        next_open=nxt.applications.first.isoformat() if nxt else "",
        next_close=nxt.applications.last.isoformat() if nxt else "",
        coordinators=[c.login for c in program.coordinators],
    )
    return m, (PostComment(issue.number, with_marker(body, WINDOW), key=WINDOW),)


# --------------------------------------------------------------------------- commands


def seats_taken(others: Iterable[Mentorship], cohort: Cohort, role: str | None, issue: int) -> int:
    """Selected applications of ``cohort`` other than ``issue`` (of ``role`` when seats are per
    role)."""
    count = 0
    for other in others:
        if other.issue == issue or other.cohort != cohort.id or other.decision != "selected":
            continue
        if other.status in ("withdrawn", "declined"):
            continue
        if cohort.seats_by_role and (other.role or "").lower() != (role or "").lower():
            continue
        count += 1
    return count


def select(run, command, *, waitlist: bool = False) -> None:
    """``/select [COHORT]`` or ``/waitlist [COHORT]``: record the decision in the card's marker.

    The reply is the same whatever the decision, and says when results are
    announced; over-selection is refused with the count.
    """
    name = "waitlist" if waitlist else "select"
    m: Mentorship = run.m
    program: Program = run.program
    if m.status in CLOSED_STATUSES or m.status == "needs-info":
        run.invalid(name, "closed" if m.status in CLOSED_STATUSES else "needs-info")
        return
    cohort = cohorts.by_id(program.cohorts, command.args) if command.args else _cohort(program, m)
    if cohort is None:
        run.say(
            "cohort-command",
            command=name,
            outcome="no-cohort",
            cohort="",
            announce="",
            taken=0,
            seats=0,
            value=command.args,
            known=[c.id for c in program.cohorts],
        )
        run.notes.append(f"/{name} not carried out: no cohort")
        return
    if cohort.announced(run.today) and m.announced is not None:
        run.say(
            "cohort-command",
            command=name,
            outcome="announced",
            cohort=cohort.name,
            announce="",
            taken=0,
            seats=0,
            value="",
            known=[],
        )
        run.notes.append(f"/{name} not carried out: results already announced")
        return
    if not waitlist:
        seats = cohort.seats_for(m.role)
        taken = seats_taken(getattr(run, "cohort_cards", ()), cohort, m.role, m.issue)
        if seats is not None and m.decision != "selected" and taken >= seats:
            run.say(
                "cohort-command",
                command=name,
                outcome="full",
                cohort=cohort.name,
                announce="",
                taken=taken,
                seats=seats,
                value="",
                known=[],
            )
            run.notes.append(f"/select refused: {taken} of {seats} seats taken")
            return
    run.m = dataclasses.replace(
        m, cohort=cohort.id, decision="waitlisted" if waitlist else "selected"
    )
    when = cohort.announce or cohort.start
    run.say(
        "cohort-command",
        command=name,
        outcome="recorded",
        cohort=cohort.name,
        announce=when.isoformat() if when else "",
        taken=0,
        seats=0,
        value="",
        known=[],
    )


def waitlist(run, command) -> None:
    select(run, command, waitlist=True)


def extend(run, command) -> None:
    """``/extend until DATE``: a cohort mentorship goes on past the cohort's end."""
    m: Mentorship = run.m
    cohort = _cohort(run.program, m)
    match = _EXTEND_ARGS.fullmatch(command.args or "")
    try:
        until = date.fromisoformat(match.group("day")) if match else None
    except ValueError:
        until = None
    problem = ""
    if cohort is None or cohort.end is None:
        problem = "no-end"
    elif m.status in CLOSED_STATUSES:
        problem = "closed"
    elif until is None:
        problem = "bad-date"
    elif until <= max(run.today, cohort.end):
        problem = "past-date"
    if problem:
        run.say(
            "cohort-command",
            command="extend",
            outcome=problem,
            cohort=cohort.name if cohort else "",
            announce=cohort.end.isoformat() if cohort and cohort.end else "",
            taken=0,
            seats=0,
            value=command.args,
            known=[],
        )
        run.notes.append(f"/extend not carried out: {problem}")
        return
    run.m = dataclasses.replace(m, extended=until)
    run.say(
        "cohort-command",
        command="extend",
        outcome="extended",
        cohort=cohort.name,
        announce=until.isoformat(),
        taken=0,
        seats=0,
        value="",
        known=[],
    )


# --------------------------------------------------------------------------- nightly


def plan_issue(
    issue: Issue, m: Mentorship, program: Program, messages: Messages, today: date
) -> Plan:
    """What a cohort's application is owed today: the result on the announcement date, the
    waiting list closed on the start date, check-ins at the cohort's cadence, the end."""
    from mentoring.core import checkins, intake

    cohort = _cohort(program, m)
    if cohort is None:
        return Plan.ignore(f"cohort {m.cohort!r} is not in cohorts.yml: nothing scheduled", m.issue)
    if m.status in ("waiting", "needs-info"):
        step = announce(issue, m, program, messages, today, cohort)
        return intake.plan(issue, m, step, program, messages)
    if m.status in ("active", "paused") and _ended(m, cohort, today):
        step = finish(issue, m, program, messages, today, cohort)
        return intake.plan(issue, m, step, program, messages)
    return checkins.plan_issue(issue, m, cohort_program(program, cohort), messages, today)


def cohort_program(program: Program, cohort: Cohort) -> Program:
    """The program as a cohort's mentorship sees it: the cohort's check-in cadence, and no
    cohorts (so the check-in core treats it as an ordinary active mentorship)."""
    settings = program.settings
    every = cohorts.checkin_days(cohort, settings.checkins.every_days)
    checkins_ = dataclasses.replace(settings.checkins, every_days=every)
    return dataclasses.replace(
        program, cohorts=(), settings=dataclasses.replace(settings, checkins=checkins_)
    )


def _ended(m: Mentorship, cohort: Cohort, today: date) -> bool:
    last = m.extended or cohort.end
    return last is not None and today > last


def announce(
    issue: Issue,
    m: Mentorship,
    program: Program,
    messages: Messages,
    today: date,
    cohort: Cohort,
) -> Step:
    """On (or after) the announcement date: every applicant hears their result, once."""
    if m.status != "waiting" or not cohort.announced(today):
        return Step(m)
    nxt = cohorts.next_window(program.cohorts, today)
    variables = {
        "applicant": m.mentee or "",
        "cohort": cohort.name,
        "start": cohort.start.isoformat() if cohort.start else "",
        "end": cohort.end.isoformat() if cohort.end else "",
        "next_name": nxt.name if nxt else "",
        "next_open": nxt.applications.first.isoformat() if nxt else "",
        "next_close": nxt.applications.last.isoformat() if nxt else "",
    }
    n = issue.number
    if m.decision == "selected":
        started = max(cohort.start or today, today) if m.announced is None else m.started
        new = m.moved("active", today, started=started, checkin=0, announced=m.announced or today)
        return Step(new, _once(issue, program, RESULT, messages, "cohort-selected", variables))
    if m.decision == "waitlisted" and (cohort.start is None or today < cohort.start):
        if m.announced is not None:
            return Step(m)
        new = dataclasses.replace(m, announced=today)
        return Step(new, _once(issue, program, RESULT, messages, "cohort-waitlisted", variables))
    # Not selected (or still on the waiting list when the cohort starts): encouragement, close.
    kind = WAITLIST_END if m.decision == "waitlisted" else RESULT
    new = m.moved("declined", today, announced=m.announced or today)
    closing = (CloseIssue(n, reason="not_planned"),) if issue.open else ()
    return Step(
        new, _once(issue, program, kind, messages, "cohort-not-selected", variables), closing
    )


def _once(
    issue: Issue, program: Program, kind: str, messages: Messages, name: str, variables: dict
) -> tuple[Write, ...]:
    if _posted(issue, program, kind):
        return ()
    body = with_marker(messages.render(name, **variables), kind, {"cohort": variables["cohort"]})
    return (PostComment(issue.number, body, key=kind),)


def finish(
    issue: Issue,
    m: Mentorship,
    program: Program,
    messages: Messages,
    today: date,
    cohort: Cohort,
) -> Step:
    """After the end (or the extended end): a thank-you, and the mentorship completes.

    A participant a mentor said ``/ready`` for goes on to the graduation pull request as
    today: only the thank-you is posted, and the issue stays open for it.
    """
    variables = {
        "applicant": m.mentee or "",
        "cohort": cohort.name,
        "mentors": list(m.mentors),
        "ready": m.ready is not None,
    }
    writes = _once(issue, program, THANKS, messages, "cohort-thanks", variables)
    if m.ready is not None:
        return Step(m, writes)
    new = m.moved("graduated", today, paused_until=None)
    closing = (CloseIssue(issue.number, reason="completed"),) if issue.open else ()
    return Step(new, writes, closing)
