"""Hostile dates and numbers: a clear usage error or problem at the edge, never an OverflowError."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, date, datetime, time

import click
import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mentoring.cli import DATE, main
from mentoring.core import checkins, dashboard, report, schedule, state
from mentoring.core.model import Comment, Issue
from mentoring.errors import ProgramError
from mentoring.program.config import BOUNDS, PACE_SECONDS, load_program
from mentoring.program.templates import Messages
from tests.support import REPO_ROOT, program_copy, run_cli

PROGRAM = load_program(REPO_ROOT)
MESSAGES = Messages(REPO_ROOT)
BOT = "github-actions[bot]"
ANY_DAY = st.dates(date.min, date.max)
EARLIEST, LATEST = schedule.EARLIEST, schedule.LATEST
GOOD_DAY = st.dates(EARLIEST, LATEST)

# --------------------------------------------------------------------------- --today and friends


@pytest.mark.parametrize(
    "command",
    [
        ["nightly", "--today"],
        ["event", "--name", "issues", "--payload", __file__, "--today"],
        ["report", "--since"],
        ["report", "--until"],
    ],
    ids=["nightly", "event", "report-since", "report-until"],
)
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1969-12-31", "9001-01-01"])
def test_dates_at_the_ends_of_the_calendar_are_usage_errors(command, value):
    result = CliRunner().invoke(main, ["--root", str(REPO_ROOT), *command, value])
    assert result.exit_code == 2
    assert f"{value} is not a date from 1970-01-01 to 9000-12-31" in result.output
    assert "Traceback" not in result.output


@settings(max_examples=200, deadline=None)
@given(ANY_DAY)
def test_any_date_is_accepted_within_bounds_or_refused(day):
    try:
        accepted = DATE.convert(day.isoformat(), None, None)
    except click.BadParameter as error:
        assert not schedule.EARLIEST <= day <= schedule.LATEST
        assert "is not a date from 1970-01-01 to 9000-12-31" in str(error)
    else:
        assert accepted == day and schedule.EARLIEST <= day <= schedule.LATEST


# --------------------------------------------------------------------------- the core near the ends


@settings(max_examples=300, deadline=None)
@given(
    ANY_DAY, ANY_DAY, st.integers(1, 10**6), st.integers(0, 10**7), st.one_of(st.none(), ANY_DAY)
)
def test_schedule_never_overflows(started, today, every, posted, after):
    n = schedule.latest_due(started, today, every, after=after)
    assert n >= 0
    nxt, due = schedule.next_checkin(started, every, posted, after=after)
    assert nxt > posted and (after is None or due > after or due == date.max)
    assert schedule.due_date(started, nxt, every) == due
    schedule.missed_assessment(posted, n, 3)


def test_missed_assessment_matches_counting():
    for last in range(0, 12):
        for n in range(last, 14):
            for every in (1, 2, 3, 5):
                counted = any(schedule.is_assessment(k, every) for k in range(last + 1, n + 1))
                assert schedule.missed_assessment(last, n, every) is counted


def test_next_checkin_after_a_long_pause_is_computed_not_counted():
    # every_days 1 and a pause thousands of years long: one step, not millions.
    assert schedule.next_checkin(date(1970, 1, 1), 1, 0, after=date(9000, 1, 1)) == (
        (date(9000, 1, 1) - date(1970, 1, 1)).days + 1,
        date(9000, 1, 2),
    )


def _program(every: int, assess: int, escalate: int, waiting: int, info: int):
    s = PROGRAM.settings
    checkins_ = dataclasses.replace(
        s.checkins, every_days=every, assessment_every=assess, escalate_after_days=escalate
    )
    nudges = dataclasses.replace(s.nudges, waiting_for_mentor_days=waiting, needs_info_days=info)
    settings_ = dataclasses.replace(s, checkins=checkins_, nudges=nudges)
    return dataclasses.replace(PROGRAM, settings=settings_)


def _bounded(key: str) -> st.SearchStrategy[int]:
    least, most = BOUNDS[key]
    return st.sampled_from([least, most]) | st.integers(least, most)


STATUSES = st.sampled_from(["active", "paused", "waiting", "needs-info"])


@settings(max_examples=60, deadline=None)
@given(
    GOOD_DAY,
    GOOD_DAY,
    ANY_DAY,
    STATUSES,
    st.integers(0, 10**7),
    _bounded("every_days"),
    _bounded("assessment_every"),
    _bounded("escalate_after_days"),
    _bounded("waiting_for_mentor_days"),
    _bounded("needs_info_days"),
)
@example(LATEST, LATEST, date.max, "active", 3, 365, 3, 365, 365, 365)
@example(EARLIEST, EARLIEST, date.min, "paused", 10**7, 1, 1, 1, 1, 1)
def test_the_nightly_core_never_overflows(
    started, today, paused_until, status, n, every, assess, escalate, waiting, info
):
    program = _program(every, assess, escalate, waiting, info)
    m = state.Mentorship(
        issue=7,
        mentee="ada",
        status=status,
        role="maintainer",
        mentors=("lin",),
        applied=started,
        started=started,
        paused_until=paused_until if status == "paused" else None,
        checkin=n,
        escalated=(n, paused_until) if n else None,  # a card's dates may be anything
        history=((started, "waiting"), (started, "active"), (paused_until, status)),
        card_id=100,
    )
    when = datetime.combine(started, time(6), tzinfo=UTC)
    card = Comment(100, 7, BOT, state.card_body(m, program, MESSAGES), when, when)
    issue = Issue(
        number=7,
        title="Application: ada",
        body="",
        author="ada",
        state="open",
        labels=("mentoring: application", f"status: {status}", "role: maintainer"),
        comments=(card,),
    )
    checkins.plan_issue(issue, m, program, MESSAGES, today)
    facts = dashboard.Facts(
        needs_coordinator=False, assessment=dashboard.Assessment(n, paused_until, False)
    )
    dashboard.overdue_since(m, facts, program)
    dashboard.render([m], program, MESSAGES, today, today, None, {7: facts})


@settings(max_examples=200, deadline=None)
@given(ANY_DAY, st.integers(-120_000, 120_000))
def test_adding_months_stays_in_the_calendar(day, months):
    assert date.min <= report.add_months(day, months) <= date.max


# --------------------------------------------------------------------------- numbers in the files

SETTINGS_KEYS = {
    "default_capacity": "default_capacity: {}\n",
    "every_days": "checkins:\n  every_days: {}\n",
    "assessment_every": "checkins:\n  assessment_every: {}\n",
    "escalate_after_days": "checkins:\n  escalate_after_days: {}\n",
    "waiting_for_mentor_days": "nudges:\n  waiting_for_mentor_days: {}\n",
    "needs_info_days": "nudges:\n  needs_info_days: {}\n",
    "max_per_run": "writes:\n  max_per_run: {}\n",
    "months": "retention:\n  months: {}\n",
}
ROLES = "coordinators: [octo]\nroles:\n  - id: maintainer\n    name: M\n    description: d\n"


def _problems(root):
    try:
        load_program(root)
    except ProgramError as error:
        return list(error.problems)
    return []


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(sorted(SETTINGS_KEYS)),
    st.integers(-(10**30), 10**30) | st.integers(-5, 600),
)
def test_every_setting_number_is_bounded(tmp_path_factory, key, value):
    root = tmp_path_factory.mktemp("program")
    (root / ".github").mkdir()
    (root / ".github" / "mentoring.yml").write_text(SETTINGS_KEYS[key].format(value))
    (root / "roles.yml").write_text(
        ROLES + "    mentors:\n      - login: lin\n        capacity: 2\n"
    )
    found = _problems(root)
    least, most = BOUNDS[key]
    if least <= value <= most:
        assert found == []
    else:
        [problem] = found
        assert problem.file == ".github/mentoring.yml"
        assert problem.line == SETTINGS_KEYS[key].count("\n")
        assert problem.key.endswith(key)
        assert f"from {least} to {most:,}" in problem.message


@settings(max_examples=40, deadline=None)
@given(st.floats(allow_nan=True) | st.integers(-(10**20), 10**20))
def test_pace_seconds_is_bounded(tmp_path_factory, value):
    root = tmp_path_factory.mktemp("program")
    (root / ".github").mkdir()
    if isinstance(value, float) and math.isfinite(value):
        text = f"{value:.6e}"  # YAML 1.1 reads a float only with a dot and a signed exponent
        value = float(text)
    else:
        text = ".nan" if value != value else repr(value).replace("inf", ".inf")
    (root / ".github" / "mentoring.yml").write_text(f"writes:\n  pace_seconds: {text}\n")
    (root / "roles.yml").write_text(ROLES)
    found = _problems(root)
    least, most = PACE_SECONDS
    if least <= value <= most:
        assert found == []
    else:
        assert [(p.line, p.key) for p in found] == [(2, "writes.pace_seconds")]
        assert "from 0 to 60" in found[0].message


PARTICIPANT = """participants:
  - name: Ada
    login: ada
    role: maintainer
    issue: {issue}
    mentors: [lin]
    started: {started}
    graduated: {graduated}
"""


@pytest.mark.parametrize(
    ("issue", "started", "graduated", "line", "message"),
    [
        (0, "2026-01-01", "2026-06-01", 5, "must be a whole number from 1 to 2,147,483,647, got 0"),
        (10**20, "2026-01-01", "2026-06-01", 5, "got a number with 21 digits"),
        (
            3,
            "0001-01-01",
            "2026-06-01",
            7,
            "0001-01-01 is not a date from 1970-01-01 to 9000-12-31",
        ),
        (
            3,
            "2026-01-01",
            "9999-12-31",
            8,
            "9999-12-31 is not a date from 1970-01-01 to 9000-12-31",
        ),
    ],
    ids=["issue-zero", "issue-huge", "started-year-1", "graduated-year-9999"],
)
def test_participants_numbers_and_years_are_bounded(
    tmp_path, issue, started, graduated, line, message
):
    (tmp_path / "roles.yml").write_text(ROLES + "    mentors: [lin]\n")
    (tmp_path / "participants.yml").write_text(
        PARTICIPANT.format(issue=issue, started=started, graduated=graduated)
    )
    found = _problems(tmp_path)
    assert [(p.file, p.line) for p in found] == [("participants.yml", line)]
    assert message in found[0].message


@pytest.mark.parametrize("capacity", [0, 51, 10**26])
def test_a_mentors_capacity_is_bounded(tmp_path, capacity):
    (tmp_path / "roles.yml").write_text(
        ROLES + f"    mentors:\n      - login: lin\n        capacity: {capacity}\n"
    )
    found = _problems(tmp_path)
    assert [(p.file, p.line, p.key) for p in found] == [
        ("roles.yml", 8, "roles[0].mentors[0].capacity")
    ]
    assert "from 1 to 50" in found[0].message


@pytest.mark.e2e
@pytest.mark.parametrize("day", ["1970-01-01", "9000-12-31"])
def test_the_runners_work_at_the_ends_of_the_accepted_range(tmp_path, emulator, day):
    settings = (
        "writes:\n  pace_seconds: 0\ncheckins:\n  every_days: 365\n  escalate_after_days: 365\n"
        "nudges:\n  waiting_for_mentor_days: 365\n  needs_info_days: 365\n"
    )
    root = program_copy(tmp_path, settings)
    for args in (["nightly", "--today", day], ["report", "--today", day, "--since", day]):
        result = run_cli(*args, api_url=emulator.url, root=root)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
