"""A mentorship's state: kept in the bot's status card on its issue, mirrored in labels.

The status card is one bot comment per application, edited in place. People
read its text; the bot reads the hidden marker at its end, which holds the
state as JSON. Only a card written by the bot counts. Labels (``status: …``,
``role: …``) are a view of the card for people and for filtering: when they
drift, the bot puts them back in line with the card.

Every change of status is recorded with its date in ``history``, which is what
the report's statistics (time to pairing, to graduation, pauses) are built on.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mentoring.core import markers, schedule
from mentoring.core.model import (
    AddLabels,
    Comment,
    EditComment,
    EnsureLabel,
    Issue,
    PostComment,
    RemoveLabels,
    Write,
    lower,
)
from mentoring.program.config import STATUSES, Program
from mentoring.program.templates import Messages, with_marker

CARD = "card"
CARD_MARK = f"{markers.OPEN}{CARD}"  # how a card's marker starts: a cheap test before parsing
VERSION = 1
OPEN_STATUSES = ("needs-info", "waiting", "active", "paused")
CLOSED_STATUSES = ("withdrawn", "declined", "graduated")
DECISIONS = ("selected", "waitlisted")
COUNTED = ("pulls", "merged_pulls", "issues", "reviews")


@dataclass(frozen=True)
class Counted:
    """An applicant's contributions in a cohort's contribution period, as of a day: shown on
    the card (`core/cohort_cards.py`), and kept in its marker so every other edit keeps them."""

    on: date
    pulls: int = 0
    merged_pulls: int = 0
    issues: int = 0
    reviews: int = 0

    def numbers(self) -> tuple[int, ...]:
        return tuple(getattr(self, name) for name in COUNTED)


STATUS_COLORS = {
    "needs-info": "d93f0b",
    "waiting": "fbca04",
    "active": "0e8a16",
    "paused": "c5def5",
    "withdrawn": "bfdadc",
    "declined": "e4e669",
    "graduated": "5319e7",
}


@dataclass(frozen=True)
class Mentorship:
    """One application and, once paired, its mentorship."""

    issue: int
    mentee: str | None
    status: str
    role: str | None = None
    mentors: tuple[str, ...] = ()
    applied: date | None = None
    started: date | None = None
    paused_until: date | None = None
    ready: date | None = None
    checkin: int = 0  # the number of the last check-in posted
    flagged: int = 0  # the id of the last comment flagged for the coordinators
    # The latest assessment, escalated and still unanswered: (check-in number, day asked).
    escalated: tuple[int, date] | None = None
    history: tuple[tuple[date, str], ...] = ()
    # Cohorts (core/cohorts.py): the cohort, the selection decision (hidden in the marker until
    # the announcement), the day it was announced, and an end extended by /extend.
    cohort: str | None = None
    decision: str | None = None
    announced: date | None = None
    extended: date | None = None
    counted: Counted | None = None  # contributions in the contribution period, as of a day
    # The id of the latest comment up to which every slash command had been answered when
    # the card was last written (0: not recorded, as in cards of earlier versions).
    seen: int = 0
    # Kept so the card stays inside the nightly's comment window (see checkins.keep_alive):
    # the day the bot last refreshed an idle card, and the day of its latest reminder or nudge.
    checked: date | None = None
    reminded: date | None = None
    card_id: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_mentor(self, login: str | None) -> bool:
        return any(lower(m) == lower(login) for m in self.mentors)

    def is_mentee(self, login: str | None) -> bool:
        return self.mentee is not None and lower(self.mentee) == lower(login)

    def moved(self, status: str, on: date, **changes: Any) -> Mentorship:
        """This mentorship in ``status`` from ``on``, recorded in its history."""
        history = self.history
        if status != self.status or not history:
            history = (*history, (on, status))
        return dataclasses.replace(self, status=status, history=history, **changes)

    def since(self, status: str) -> date | None:
        """The day it last entered ``status`` (None if never)."""
        for day, name in reversed(self.history):
            if name == status:
                return day
        return None

    @property
    def resumed(self) -> date | None:
        """The day it last became active again after a pause (None if never paused)."""
        was_paused = False
        last = None
        for day, name in self.history:
            if name == "paused":
                was_paused = True
            elif name == "active" and was_paused:
                last = day
        return last

    def next_checkin(self, every_days: int) -> tuple[int, date] | None:
        if self.status != "active" or self.started is None:
            return None
        return schedule.next_checkin(self.started, every_days, self.checkin, after=self.resumed)


# --------------------------------------------------------------------------- card data


def _day(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def to_data(m: Mentorship) -> dict[str, Any]:
    data = {
        "v": VERSION,
        "status": m.status,
        "role": m.role,
        "mentee": m.mentee,
        "mentors": list(m.mentors),
        "applied": m.applied.isoformat() if m.applied else None,
        "started": m.started.isoformat() if m.started else None,
        "paused_until": m.paused_until.isoformat() if m.paused_until else None,
        "ready": m.ready.isoformat() if m.ready else None,
        "checkin": m.checkin,
        "flagged": m.flagged,
        "escalated": (
            {"n": m.escalated[0], "asked": m.escalated[1].isoformat()} if m.escalated else None
        ),
        "history": [[day.isoformat(), name] for day, name in m.history],
        **_cohort_data(m),
    }
    if m.seen:  # only when recorded, so that a card of an earlier version reads back the same
        data["seen"] = m.seen
    if m.checked:
        data["checked"] = m.checked.isoformat()
    if m.reminded:
        data["reminded"] = m.reminded.isoformat()
    return data


def _cohort_data(m: Mentorship) -> dict[str, Any]:
    """The cohort keys of a card, present only when set (cards outside cohorts are unchanged)."""
    found: dict[str, Any] = {}
    if m.cohort:
        found["cohort"] = m.cohort
    if m.decision:
        found["decision"] = m.decision
    if m.announced:
        found["announced"] = m.announced.isoformat()
    if m.extended:
        found["extended"] = m.extended.isoformat()
    if m.counted:
        found["counted"] = {"on": m.counted.on.isoformat()} | {
            name: getattr(m.counted, name) for name in COUNTED
        }
    return found


def _counted(value: Any) -> Counted | None:
    if not isinstance(value, dict) or (on := _day(value.get("on"))) is None:
        return None
    numbers = {name: value.get(name) for name in COUNTED}
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in numbers.values()):
        return None
    return Counted(on, **numbers)


def from_data(issue: int, data: dict[str, Any], card_id: int | None = None) -> Mentorship | None:
    """The mentorship a card's marker describes; None if the data is not a card we understand."""
    try:
        status = str(data["status"])
        if status not in STATUSES:
            return None
        history = tuple(
            (d, str(name))
            for day, name in data.get("history", [])
            if (d := _day(day)) is not None and name in STATUSES
        )
        return Mentorship(
            issue=issue,
            mentee=data.get("mentee"),
            status=status,
            role=data.get("role"),
            mentors=tuple(str(x) for x in data.get("mentors", [])),
            applied=_day(data.get("applied")),
            started=_day(data.get("started")),
            paused_until=_day(data.get("paused_until")),
            ready=_day(data.get("ready")),
            checkin=int(data.get("checkin", 0)),
            flagged=int(data.get("flagged", 0)),
            seen=max(0, int(data.get("seen", 0))),
            checked=_day(data.get("checked")),
            reminded=_day(data.get("reminded")),
            escalated=_escalated(data.get("escalated")),
            history=history,
            cohort=str(data["cohort"]) if data.get("cohort") else None,
            decision=data.get("decision") if data.get("decision") in DECISIONS else None,
            announced=_day(data.get("announced")),
            extended=_day(data.get("extended")),
            counted=_counted(data.get("counted")),
            card_id=card_id,
        )
    except (KeyError, TypeError, ValueError):
        return None


def _escalated(value: Any) -> tuple[int, date] | None:
    if not isinstance(value, dict):
        return None
    asked = _day(value.get("asked"))
    n = value.get("n")
    return (n, asked) if isinstance(n, int) and asked is not None else None


def find_card(
    comments: tuple[Comment, ...] | list[Comment], bot_login: str, issue: int
) -> Mentorship | None:
    """The state in the bot's latest status card among ``comments``, or None."""
    found = markers.latest(comments, bot_login, CARD)
    if found is None:
        return None
    comment, data = found
    return from_data(issue, data, card_id=comment.id)


def read(issue: Issue, bot_login: str) -> Mentorship | None:
    return find_card(issue.comments, bot_login, issue.number)


# --------------------------------------------------------------------------- writes


def card_body(m: Mentorship, program: Program, messages: Messages) -> str:
    role = program.role(m.role) if m.role else None
    nxt = m.next_checkin(_every_days(m, program))
    body = messages.render(
        "status-card",
        status=m.status,
        role=role.name if role else (m.role or ""),
        mentee=m.mentee or "",
        mentors=list(m.mentors),
        applied=m.applied.isoformat() if m.applied else "",
        started=m.started.isoformat() if m.started else "",
        paused_until=m.paused_until.isoformat() if m.paused_until else "",
        ready=m.ready.isoformat() if m.ready else "",
        next_checkin=nxt[1].isoformat() if nxt else "",
        flagged=m.flagged,
        next_is_assessment=bool(nxt)
        and schedule.is_assessment(nxt[0], program.settings.checkins.assessment_every),
        counted=(
            {"as_of": m.counted.on.isoformat()} | {n: getattr(m.counted, n) for n in COUNTED}
            if m.counted
            else None
        ),
    )
    return with_marker(body, CARD, to_data(m))


def _every_days(m: Mentorship, program: Program) -> int:
    """The check-in cadence: the cohort's (cohorts.yml) when it sets one, else the settings'."""
    every = program.settings.checkins.every_days
    if m.cohort and program.cohorts:
        from mentoring.core import cohorts

        return cohorts.checkin_days(cohorts.by_id(program.cohorts, m.cohort), every)
    return every


def card_writes(
    old: Mentorship | None,
    new: Mentorship,
    program: Program,
    messages: Messages,
    current_body: str | None = None,
) -> list[Write]:
    """Post the card if there is none; edit it only if its text would change."""
    body = card_body(new, program, messages)
    if old is None or old.card_id is None:
        return [PostComment(new.issue, body, key=CARD)]
    if current_body is not None and current_body.strip() == body.strip():
        return []
    if current_body is None and to_data(old) == to_data(new):
        return []
    return [EditComment(new.issue, old.card_id, body, key=CARD)]


def label_writes(issue: Issue, m: Mentorship, program: Program) -> list[Write]:
    """Bring the issue's labels in line with the state: application, role and status."""
    labels = program.settings.labels
    wanted = [labels.application, labels.status(m.status)]
    if m.role and program.role(m.role):
        wanted.append(labels.role(m.role))
    owned_prefixes = (labels.status_prefix, labels.role_prefix)
    stale = tuple(
        label
        for label in issue.labels
        if lower(label).startswith(tuple(lower(p) for p in owned_prefixes))
        and lower(label) not in {lower(w) for w in wanted}
    )
    missing = tuple(w for w in wanted if not issue.has_label(w))
    writes: list[Write] = []
    for name in missing:
        writes.append(EnsureLabel(issue.number, name, _color(name, m, program), _description(name)))
    if missing:
        writes.append(AddLabels(issue.number, missing))
    if stale:
        writes.append(RemoveLabels(issue.number, stale))
    return writes


def _color(name: str, m: Mentorship, program: Program) -> str:
    if lower(name) == lower(program.settings.labels.status(m.status)):
        return STATUS_COLORS[m.status]
    if lower(name).startswith(lower(program.settings.labels.role_prefix)):
        return "1d76db"
    return "006b75"


def _description(name: str) -> str:
    return f"Managed by the mentoring bot: {name}"[:100]


def sync(
    issue: Issue, old: Mentorship | None, new: Mentorship, program: Program, messages: Messages
) -> list[Write]:
    """Every write that makes the issue show ``new``: labels first, then the card."""
    current = None
    if old is not None and old.card_id is not None:
        current = next((c.body for c in issue.comments if c.id == old.card_id), None)
    return label_writes(issue, new, program) + card_writes(old, new, program, messages, current)
