"""Cohorts: time-boxed rounds from cohorts.yml, and the pure decisions about their dates and seats.

A cohort has an id and a name, and optionally an application window, a
contribution period, an announcement date, seats (in total or per role), start
and end dates, its own check-in and report cadence, and success criteria as
numbers. ``parse`` checks the file like every program file (file, line, key,
fix; all problems at once). A program without cohorts.yml has no cohorts and
behaves as before. Nothing here reads files or the clock.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from mentoring.errors import Problem
from mentoring.program.yamlsafe import Loaded

COHORTS_FILE = "cohorts.yml"
CRITERIA = ("merged_pulls", "pulls", "reviews", "issues")
CRITERIA_NAMES = {
    "merged_pulls": "merged pull requests",
    "pulls": "pull requests opened",
    "reviews": "reviews",
    "issues": "issues opened",
}
_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
_KEYS = (
    "id",
    "name",
    "applications",
    "contribution",
    "announce",
    "seats",
    "start",
    "end",
    "checkins",
    "report",
    "criteria",
    "mentors_select",
)
_REQUIRED = ("id", "name")


@dataclass(frozen=True)
class Period:
    """Two dates, both included."""

    first: date
    last: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last

    def text(self) -> str:
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


@dataclass(frozen=True)
class Cohort:
    """One round of the program, as cohorts.yml describes it."""

    id: str
    name: str
    applications: Period | None = None
    contribution: Period | None = None
    announce: date | None = None
    seats: int | None = None
    seats_by_role: tuple[tuple[str, int], ...] = ()
    start: date | None = None
    end: date | None = None
    checkin_days: int | None = None
    report_days: int | None = None
    criteria: tuple[tuple[str, int], ...] = ()
    mentors_select: bool = False  # the mentors of a role may /select and /waitlist too
    line: int | None = dataclasses.field(default=None, compare=False)

    def accepts(self, day: date) -> bool:
        """Whether an application made on ``day`` is inside the window (no window: always)."""
        return self.applications is None or day in self.applications

    def announced(self, today: date) -> bool:
        """Whether results may be public: on or after the announcement date (or start)."""
        when = self.announce or self.start
        return when is not None and today >= when

    def seats_for(self, role: str | None) -> int | None:
        """The seats open to ``role`` (None: no limit for it)."""
        for role_id, count in self.seats_by_role:
            if role is not None and role_id.lower() == role.lower():
                return count
        return self.seats if not self.seats_by_role else None

    @property
    def total_seats(self) -> int | None:
        if self.seats_by_role:
            return sum(count for _, count in self.seats_by_role)
        return self.seats

    def weeks(self) -> int:
        """How many report periods the cohort has (0 without start and end)."""
        if self.start is None or self.end is None:
            return 0
        every = self.report_days or 7
        return max(1, -(-((self.end - self.start).days + 1) // every))


# --------------------------------------------------------------------------- decisions


def by_id(cohorts: Iterable[Cohort], cohort_id: str | None) -> Cohort | None:
    wanted = (cohort_id or "").strip().lower()
    return next((c for c in cohorts if c.id == wanted), None)


def open_on(cohorts: Iterable[Cohort], day: date) -> list[Cohort]:
    """The cohorts whose application window includes ``day`` (a cohort without one is not open
    for applications: it is run by hand)."""
    return [c for c in cohorts if c.applications is not None and day in c.applications]


def next_window(cohorts: Iterable[Cohort], day: date) -> Cohort | None:
    """The cohort whose application window opens next after ``day``, if one is known."""
    later = [c for c in cohorts if c.applications is not None and c.applications.first > day]
    return min(later, key=lambda c: (c.applications.first, c.id)) if later else None


def option(cohort: Cohort) -> str:
    """The form dropdown's option for a cohort, its window's dates in it when it has one:
    ``Spring 2027, applications 2027-01-10 to 2027-01-31 (2027-spring)``."""
    if cohort.applications is None:
        return f"{cohort.name} ({cohort.id})"
    return f"{cohort.name}, applications {cohort.applications.text()} ({cohort.id})"


def not_closed(cohorts: Iterable[Cohort], day: date) -> list[Cohort]:
    """The cohorts whose application window is open on ``day`` or still to come, the first
    to open first: the ones the form offers."""
    found = [c for c in cohorts if c.applications is not None and c.applications.last >= day]
    return sorted(found, key=lambda c: (c.applications.first, c.id))


def form_options(cohorts: Iterable[Cohort], day: date) -> list[str]:
    """The dropdown's options on ``day``: every cohort whose window has not closed (open or
    upcoming, with its dates), so that nothing needs doing when a window opens or closes;
    only a change to cohorts.yml calls for `mentoring sync-form`."""
    return [option(c) for c in not_closed(cohorts, day)]


NONE_OPEN = "No round is open for applications now"
COHORT_FIELD = "cohort"


@dataclass(frozen=True)
class FormDrift:
    """How a form's cohort dropdown disagrees with cohorts.yml on a day."""

    missing: tuple[str, ...] = ()  # options of cohorts open or upcoming that the form lacks
    unknown: tuple[str, ...] = ()  # options that name no cohort of cohorts.yml
    closed: tuple[str, ...] = ()  # options of cohorts whose window has closed (harmless)

    @property
    def errors(self) -> bool:
        """Only a change to cohorts.yml makes these: a date passing never does."""
        return bool(self.missing or self.unknown)


def form_drift(current: Sequence[str], cohorts: Sequence[Cohort], day: date) -> FormDrift:
    """Compare the dropdown's options (``current``) with cohorts.yml on ``day``. An option
    of a cohort that closed since is only ``closed``: the form still works (intake answers
    it kindly), and `mentoring sync-form` tidies it away."""
    wanted = form_options(cohorts, day)
    missing = tuple(o for o in wanted if o not in current)
    unknown: list[str] = []
    closed: list[str] = []
    for text in current:
        if text in wanted or text == NONE_OPEN:
            continue
        found = named(text, cohorts)
        if found is not None and found.applications is not None and found.applications.last < day:
            closed.append(text)
        elif found is None or text != option(found):
            unknown.append(text)
    return FormDrift(missing, tuple(unknown), tuple(closed))


def sync_form_text(text: str, found: Sequence[Cohort], today: date, where: str) -> str:
    """The form's text with its ``cohort`` dropdown listing the cohorts not closed ``today``
    (unchanged when the form has no such dropdown). GitHub needs one option at least."""
    from mentoring.errors import MentoringError
    from mentoring.program import form

    wanted = form_options(found, today) or [NONE_OPEN]
    try:
        return form.rewrite(text, wanted, COHORT_FIELD, where)
    except MentoringError as exc:  # no cohort dropdown in the form: leave it alone
        if "no dropdown" in str(exc):
            return text
        raise


_OPTION_ID = re.compile(r"\(\s*(?P<id>[A-Za-z0-9][A-Za-z0-9-]*)\s*\)\s*$")


def named(answer: str | None, cohorts: Sequence[Cohort]) -> Cohort | None:
    """The cohort an answer names: ``Name (id)``, the id, or the name; else None."""
    text = " ".join((answer or "").split())
    if not text:
        return None
    match = _OPTION_ID.search(text)
    if match and (found := by_id(cohorts, match.group("id"))):
        return found
    if found := by_id(cohorts, text):
        return found
    return next((c for c in cohorts if c.name.casefold() == text.casefold()), None)


def cohort_of(answer: str | None, cohorts: Sequence[Cohort], applied: date) -> Cohort | None:
    """The cohort an application made on ``applied`` belongs to, or None (outside any window).

    The form's answer wins when it names a cohort open that day; an answer naming a
    cohort whose window is closed or not open yet gives None (a kind reply; the
    coordinators choose). Without an answer, the one cohort open that day. Two open
    cohorts and no answer: None (the coordinators choose).
    """
    chosen = named(answer, cohorts)
    if chosen is not None:
        return chosen if chosen.accepts(applied) else None
    open_now = open_on(cohorts, applied)
    return open_now[0] if len(open_now) == 1 else None


def checkin_days(cohort: Cohort | None, default: int) -> int:
    return cohort.checkin_days if cohort is not None and cohort.checkin_days else default


def week_of(cohort: Cohort, day: date) -> int:
    """The report period ``day`` falls in (1-based; 0 before the start)."""
    if cohort.start is None or day < cohort.start:
        return 0
    return (day - cohort.start).days // (cohort.report_days or 7) + 1


def week_bounds(cohort: Cohort, n: int) -> Period:
    """The dates of report period ``n`` (1-based), clipped to the end."""
    assert cohort.start is not None
    every = cohort.report_days or 7
    first = cohort.start + timedelta(days=(n - 1) * every)
    last = first + timedelta(days=every - 1)
    if cohort.end is not None:
        last = min(last, cohort.end)
    return Period(first, last)


def report_due(cohort: Cohort, today: date) -> int:
    """The latest report period that has ended before ``today`` (0: none yet).

    A period's report is due on the day after it ends; a late run owes only the
    latest one (catch-up, never a backlog).
    """
    if cohort.start is None or today <= cohort.start:
        return 0
    due = week_of(cohort, today) - 1  # the period holding today has not ended
    if cohort.end is not None:
        total = cohort.weeks()
        due = total if today > cohort.end else min(due, total)
    return due


# --------------------------------------------------------------------------- cohorts.yml


def parse(loaded: Loaded, role_ids: Sequence[str] | None = None) -> tuple[tuple, list[Problem]]:
    """The cohorts in a loaded cohorts.yml, and every problem found (all at once)."""
    from mentoring.program.config import (
        _Reader,
    )  # the shared checks; imported late (config imports us)

    reader = _Reader(loaded)
    if loaded.data is None:
        return (), []
    top = reader.mapping(loaded.data, (), required=("cohorts",))
    if top is None or "cohorts" not in top:
        return (), reader.problems
    found: list[Cohort] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(reader.sequence(top["cohorts"], ("cohorts",))):
        cohort = _cohort(reader, entry, ("cohorts", index), role_ids, seen)
        if cohort is not None:
            found.append(cohort)
    if reader.problems:
        return (), reader.problems
    return tuple(found), []


def _cohort(
    reader: Any, entry: Any, path: tuple, role_ids: Sequence[str] | None, seen: dict[str, int]
) -> Cohort | None:
    item = reader.mapping(entry, path, required=_REQUIRED, optional=_KEYS[2:])
    if item is None:
        return None
    problems_before = len(reader.problems)
    cohort_id = reader.optional(item, "id", None, reader.text, path)
    if cohort_id is not None:
        if not _ID_RE.fullmatch(str(cohort_id)):
            reader.problem(
                (*path, "id"),
                f"{cohort_id!r} is not a cohort id",
                "use lowercase letters, digits and hyphens, like '2027-spring'",
            )
        elif cohort_id in seen:
            reader.problem(
                (*path, "id"), f"the id {cohort_id!r} is used twice", "give each cohort its own id"
            )
        else:
            seen[cohort_id] = 1
    name = reader.optional(item, "name", None, reader.text, path)
    applications = _period(reader, item, "applications", ("open", "close"), path)
    contribution = _period(reader, item, "contribution", ("start", "end"), path)
    announce = reader.optional(item, "announce", None, reader.date, path)
    start = reader.optional(item, "start", None, reader.date, path)
    end = reader.optional(item, "end", None, reader.date, path)
    seats, by_role = _seats(reader, item, path, role_ids)
    checkin = _cadence(reader, item, "checkins", path)
    report = _cadence(reader, item, "report", path)
    criteria = _criteria(reader, item, path)
    mentors_select = item.get("mentors_select", False)
    if not isinstance(mentors_select, bool):
        reader.problem(
            (*path, "mentors_select"),
            f"expected true or false, got {mentors_select!r}",
            "write true to let the mentors of a role select, or leave it out",
        )
    _order(reader, path, applications, contribution, announce, start, end)
    if len(reader.problems) > problems_before or cohort_id is None or name is None:
        return None
    return Cohort(
        id=cohort_id,
        name=name,
        applications=applications,
        contribution=contribution,
        announce=announce,
        seats=seats,
        seats_by_role=by_role,
        start=start,
        end=end,
        checkin_days=checkin,
        report_days=report,
        criteria=criteria,
        mentors_select=mentors_select is True,
        line=reader.loaded.line(path),
    )


def _period(reader: Any, item: dict, key: str, names: tuple[str, str], path: tuple):
    if key not in item:
        return None
    where = (*path, key)
    section = reader.mapping(item[key], where, required=names)
    if section is None:
        return None
    first = reader.optional(section, names[0], None, reader.date, where)
    last = reader.optional(section, names[1], None, reader.date, where)
    if first is None or last is None:
        return None
    if last < first:
        reader.problem(
            (*where, names[1]),
            f"{last.isoformat()} is before {names[0]} ({first.isoformat()})",
            f"put {names[1]} on or after {names[0]}",
        )
        return None
    return Period(first, last)


def _seats(reader: Any, item: dict, path: tuple, role_ids: Sequence[str] | None):
    if "seats" not in item:
        return None, ()
    value = item["seats"]
    where = (*path, "seats")
    if isinstance(value, dict):
        by_role = []
        for role, count in value.items():
            if role_ids is not None and str(role).lower() not in {r.lower() for r in role_ids}:
                reader.problem(
                    (*where, role),
                    f"unknown role {role!r}",
                    "use a role id from roles.yml: " + ", ".join(role_ids),
                )
                continue
            number = reader.integer(count, (*where, role))
            if number is not None:
                by_role.append((str(role), number))
        return None, tuple(by_role)
    number = reader.integer(value, where)
    if number is None:
        reader.problems[-1] = dataclasses.replace(
            reader.problems[-1], hint="give a number of seats, or a mapping of role id: seats"
        )
    return number, ()


def _cadence(reader: Any, item: dict, key: str, path: tuple) -> int | None:
    if key not in item:
        return None
    where = (*path, key)
    section = reader.mapping(item[key], where, required=("every_days",))
    if section is None or "every_days" not in section:
        return None
    return reader.integer(section["every_days"], (*where, "every_days"))


def _criteria(reader: Any, item: dict, path: tuple) -> tuple[tuple[str, int], ...]:
    if "criteria" not in item:
        return ()
    where = (*path, "criteria")
    section = reader.mapping(item["criteria"], where, optional=CRITERIA)
    if section is None:
        return ()
    found = []
    for key in CRITERIA:
        if key in section:
            number = reader.integer(section[key], (*where, key), minimum=0)
            if number is not None:
                found.append((key, number))
    return tuple(found)


def _order(reader: Any, path: tuple, applications, contribution, announce, start, end) -> None:
    """Dates that contradict each other, each reported at the later key."""
    if start is not None and end is not None and end < start:
        reader.problem(
            (*path, "end"),
            f"{end.isoformat()} is before start ({start.isoformat()})",
            "put end on or after start",
        )
    if announce is not None and applications is not None and announce < applications.last:
        reader.problem(
            (*path, "announce"),
            f"{announce.isoformat()} is before applications close "
            f"({applications.last.isoformat()})",
            "announce the results after the application window closes",
        )
    if announce is not None and start is not None and announce > start:
        reader.problem(
            (*path, "announce"),
            f"{announce.isoformat()} is after start ({start.isoformat()})",
            "announce the results on or before the start date",
        )
    if applications is not None and start is not None and start < applications.first:
        reader.problem(
            (*path, "start"),
            f"{start.isoformat()} is before applications open ({applications.first.isoformat()})",
            "start the cohort after its application window opens",
        )
    if contribution is not None and start is not None and start < contribution.first:
        reader.problem(
            (*path, "start"),
            f"{start.isoformat()} is before the contribution period "
            f"({contribution.first.isoformat()})",
            "start the cohort after its contribution period begins",
        )
