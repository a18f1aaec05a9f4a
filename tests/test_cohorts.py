"""Cohorts, pure: cohorts.yml checks, windows, the form's options, intake, selection, the end."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentoring.core import cohort_steps, cohorts, intake, markers, pairing, state
from mentoring.core.cohorts import Cohort, Period
from mentoring.core.model import CloseIssue, Comment, Issue, PostComment
from mentoring.errors import ProgramError
from mentoring.program.config import load_program
from mentoring.program.templates import Messages
from tests.support import REPO_ROOT, form_body, program_copy

BOT = "github-actions[bot]"
MESSAGES = Messages(REPO_ROOT)
APP = "mentoring: application"
T = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)

COHORTS_YML = """\
cohorts:
  - id: 2027-spring
    name: Spring 2027
    applications: {open: 2027-01-10, close: 2027-01-31}
    contribution: {start: 2027-02-01, end: 2027-02-28}
    announce: 2027-03-05
    seats: 2
    start: 2027-03-10
    end: 2027-05-18
    checkins: {every_days: 7}
    report: {every_days: 7}
    criteria: {merged_pulls: 2, reviews: 1, issues: 1}
  - id: 2027-autumn
    name: Autumn 2027
    applications: {open: 2027-08-01, close: 2027-08-31}
    announce: 2027-09-20
    seats: {maintainer: 1, triager: 2}
    start: 2027-10-01
    end: 2027-12-09
"""


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    root = program_copy(tmp_path_factory.mktemp("cohorts"))
    (root / "cohorts.yml").write_text(COHORTS_YML, encoding="utf-8")
    return load_program(root)


def problems_of(tmp_path: Path, text: str) -> list[str]:
    root = program_copy(tmp_path)
    (root / "cohorts.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ProgramError) as caught:
        load_program(root)
    return [str(p) for p in caught.value.problems]


# --------------------------------------------------------------------------- cohorts.yml


def test_cohorts_are_loaded(program):
    spring, autumn = program.cohorts
    assert spring.id == "2027-spring" and spring.name == "Spring 2027"
    assert spring.applications == Period(date(2027, 1, 10), date(2027, 1, 31))
    assert spring.seats == 2 and spring.checkin_days == 7 and spring.report_days == 7
    assert dict(spring.criteria) == {"merged_pulls": 2, "reviews": 1, "issues": 1}
    assert autumn.seats is None and autumn.total_seats == 3
    assert autumn.seats_for("maintainer") == 1 and autumn.seats_for("docs-lead") is None
    assert spring.line == 2 and autumn.line == 13


def test_no_cohorts_file_means_no_cohorts():
    assert load_program(REPO_ROOT).cohorts == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "cohorts:\n  - id: a\n",
            ["cohorts.yml:2: cohorts[0]: missing required key 'name'"],
            id="no-name",
        ),
        pytest.param(
            "cohorts:\n  - id: A B\n    name: x\n",
            ["cohorts.yml:2: cohorts[0].id: 'A B' is not a cohort id"],
            id="bad-id",
        ),
        pytest.param(
            "cohorts:\n  - {id: a, name: x}\n  - {id: a, name: y}\n",
            ["cohorts.yml:3: cohorts[1].id: the id 'a' is used twice"],
            id="duplicate-id",
        ),
        pytest.param(
            "cohorts:\n  - id: a\n    name: x\n    sets: 3\n",
            ["cohorts.yml:4: cohorts[0].sets: unknown key 'sets'"],
            id="unknown-key",
        ),
        pytest.param(
            "cohorts:\n  - id: a\n    name: x\n    start: 2027-05-01\n    end: 2027-04-01\n",
            ["cohorts.yml:5: cohorts[0].end: 2027-04-01 is before start (2027-05-01)"],
            id="end-before-start",
        ),
        pytest.param(
            "cohorts:\n  - id: a\n    name: x\n    seats: {wizard: 2}\n",
            ["cohorts.yml:4: cohorts[0].seats.wizard: unknown role 'wizard'"],
            id="unknown-role",
        ),
        pytest.param(
            "cohorts:\n  - id: a\n    name: x\n"
            "    applications: {open: 2027-02-01, close: 2027-01-01}\n    announce: 2027-01-15\n",
            ["cohorts.yml:4: cohorts[0].applications.close: 2027-01-01 is before open"],
            id="window-backwards",
        ),
        pytest.param(
            "cohorts:\n  - id: a\n    name: x\n    seats: many\n    criteria: {merged: 1}\n",
            [
                "cohorts.yml:4: cohorts[0].seats: expected a whole number",
                "cohorts.yml:5: cohorts[0].criteria.merged: unknown key 'merged'",
            ],
            id="all-problems-at-once",
        ),
    ],
)
def test_cohorts_file_problems(tmp_path, text, expected):
    found = problems_of(tmp_path, text)
    assert len(found) == len(expected), found
    for line, start in zip(found, expected, strict=True):
        assert line.startswith(start), line


def test_announce_before_the_window_closes_is_a_problem(tmp_path):
    text = (
        "cohorts:\n  - id: a\n    name: x\n"
        "    applications: {open: 2027-01-01, close: 2027-01-31}\n    announce: 2027-01-15\n"
    )
    (found,) = problems_of(tmp_path, text)
    assert found.startswith("cohorts.yml:5: cohorts[0].announce: 2027-01-15 is before")


def test_activity_repositories_are_settings(tmp_path):
    settings = "activity:\n  repositories: [astro/astro, astro/docs]\n"
    root = program_copy(tmp_path, settings)
    assert load_program(root).settings.activity.repositories == ("astro/astro", "astro/docs")
    (tmp_path / "bad").mkdir()
    bad = program_copy(tmp_path / "bad", "activity:\n  repositories: [nope]\n")
    with pytest.raises(ProgramError, match=r"activity.repositories\[0\]"):
        load_program(bad)


# --------------------------------------------------------------------------- windows


@pytest.mark.parametrize(
    ("answer", "applied", "expected"),
    [
        pytest.param("Spring 2027 (2027-spring)", date(2027, 1, 12), "2027-spring", id="option"),
        pytest.param("", date(2027, 1, 12), "2027-spring", id="the-one-open-by-date"),
        pytest.param(
            "Spring 2027, applications 2027-01-10 to 2027-01-31 (2027-spring)",
            date(2027, 1, 12),
            "2027-spring",
            id="option-with-dates",
        ),
        pytest.param("2027-autumn", date(2027, 1, 12), None, id="upcoming-choice-waits"),
        pytest.param("2027-spring", date(2027, 2, 12), None, id="closed-choice-waits"),
        pytest.param("", date(2027, 2, 12), None, id="between-windows"),
        pytest.param("", date(2027, 1, 31), "2027-spring", id="last-day-included"),
        pytest.param("", date(2027, 2, 1), None, id="day-after-close"),
    ],
)
def test_cohort_of(program, answer, applied, expected):
    found = cohorts.cohort_of(answer, program.cohorts, applied)
    assert (found.id if found else None) == expected


SPRING = "Spring 2027, applications 2027-01-10 to 2027-01-31 (2027-spring)"
AUTUMN = "Autumn 2027, applications 2027-08-01 to 2027-08-31 (2027-autumn)"


@pytest.mark.parametrize(
    ("day", "options"),
    [
        pytest.param(date(2027, 1, 1), [SPRING, AUTUMN], id="both-upcoming"),
        pytest.param(date(2027, 1, 20), [SPRING, AUTUMN], id="one-open-one-upcoming"),
        pytest.param(date(2027, 1, 31), [SPRING, AUTUMN], id="last-day-still-offered"),
        pytest.param(date(2027, 3, 1), [AUTUMN], id="spring-closed"),
        pytest.param(date(2027, 9, 1), [], id="all-closed"),
    ],
)
def test_form_options_are_the_cohorts_not_closed(program, day, options):
    assert cohorts.form_options(program.cohorts, day) == options


@pytest.mark.parametrize(
    ("current", "day", "missing", "unknown", "closed"),
    [
        pytest.param([SPRING, AUTUMN], date(2027, 1, 20), (), (), (), id="in-line"),
        pytest.param([SPRING, AUTUMN], date(2027, 3, 1), (), (), (SPRING,), id="closed-since"),
        pytest.param([SPRING], date(2027, 1, 20), (AUTUMN,), (), (), id="cohort-added"),
        pytest.param(
            ["Spring 2027 (2027-spring)", AUTUMN],
            date(2027, 1, 20),
            (SPRING,),
            ("Spring 2027 (2027-spring)",),
            (),
            id="dates-changed",
        ),
        pytest.param(
            [SPRING, AUTUMN, "Winter (w)"], date(2027, 1, 20), (), ("Winter (w)",), (), id="gone"
        ),
        pytest.param([cohorts.NONE_OPEN], date(2027, 9, 1), (), (), (), id="placeholder"),
        pytest.param([], date(2027, 9, 1), (), (), (), id="nothing-to-offer"),
    ],
)
def test_form_drift(program, current, day, missing, unknown, closed):
    found = cohorts.form_drift(current, program.cohorts, day)
    assert (found.missing, found.unknown, found.closed) == (missing, unknown, closed)
    assert found.errors is bool(missing or unknown)


@given(st.dates(date(2026, 1, 1), date(2029, 1, 1)), st.dates(date(2026, 1, 1), date(2029, 1, 1)))
def test_a_synced_form_never_fails_on_a_later_day(program, synced, later):
    """Only cohorts.yml changing makes an error: never a date passing."""
    if later < synced:
        synced, later = later, synced
    current = cohorts.form_options(program.cohorts, synced) or [cohorts.NONE_OPEN]
    assert not cohorts.form_drift(current, program.cohorts, later).errors


@pytest.mark.parametrize(
    ("today", "due"),
    [
        pytest.param(date(2027, 3, 10), 0, id="start-day"),
        pytest.param(date(2027, 3, 16), 0, id="last-day-of-week-1"),
        pytest.param(date(2027, 3, 17), 1, id="day-after-week-1"),
        pytest.param(date(2027, 4, 2), 3, id="late-run-owes-the-latest-only"),
        pytest.param(date(2027, 5, 19), 10, id="after-the-end"),
        pytest.param(date(2028, 1, 1), 10, id="long-after"),
    ],
)
def test_report_due(program, today, due):
    assert cohorts.report_due(program.cohorts[0], today) == due


def test_weeks_of_a_ten_week_cohort(program):
    spring = program.cohorts[0]
    assert spring.weeks() == 10
    assert cohorts.week_bounds(spring, 10) == Period(date(2027, 5, 12), date(2027, 5, 18))


def test_cohort_answer_reads_the_heading():
    body = form_body() + "\n\n### Cohort\n\nSpring 2027 (2027-spring)\n"
    assert cohort_steps.cohort_answer(body) == "Spring 2027 (2027-spring)"
    assert cohort_steps.cohort_answer(form_body()) == ""
    assert cohort_steps.cohort_answer("### Cohort\n\n_No response_\n") == ""


# --------------------------------------------------------------------------- intake


def application(created: datetime = T, **changes) -> Issue:
    base = dict(
        number=7,
        title="Mentoring application: Ada",
        body=form_body(),
        author="ada-example",
        state="open",
        labels=(APP,),
        created_at=created,
    )
    base.update(changes)
    return Issue(**base)


def intake_plan(program, issue: Issue, today: date):
    old = state.read(issue, BOT)
    step = intake.step(issue, old, program, MESSAGES, today, load={}, assignable=set())
    return intake.plan(issue, old, step, program, MESSAGES), step.state


def test_application_in_the_window_joins_the_cohort(program):
    plan, m = intake_plan(program, application(), date(2027, 1, 12))
    assert m.status == "waiting" and m.cohort == "2027-spring"
    assert not any(w.key == cohort_steps.WINDOW for w in plan.writes if hasattr(w, "key"))


def test_application_outside_the_windows_gets_one_kind_reply(program):
    issue = application(created=datetime(2027, 3, 2, tzinfo=UTC))
    plan, m = intake_plan(program, issue, date(2027, 3, 2))
    assert m.status == "waiting" and m.cohort is None  # never closed silently
    (reply,) = [w for w in plan.writes if getattr(w, "key", "") == cohort_steps.WINDOW]
    assert "2027-08-01 to 2027-08-31" in reply.body and "Autumn 2027" in reply.body
    assert not any(isinstance(w, CloseIssue) for w in plan.writes)


def test_no_cohorts_no_window_reply():
    program = load_program(REPO_ROOT)
    issue = application(created=datetime(2027, 3, 2, tzinfo=UTC))
    plan, m = intake_plan(program, issue, date(2027, 3, 2))
    assert m.cohort is None
    assert "cohort" not in state.to_data(m)
    assert all(getattr(w, "key", "") != cohort_steps.WINDOW for w in plan.writes)


# --------------------------------------------------------------------------- selection


def waiting(program, number: int = 7, cohort: str = "2027-spring", **changes) -> state.Mentorship:
    m = state.Mentorship(
        number,
        f"user{number}",
        "waiting",
        role="maintainer",
        applied=date(2027, 1, 12),
        cohort=cohort,
        history=((date(2027, 1, 12), "waiting"),),
        card_id=100 + number,
    )
    return dataclasses.replace(m, **changes)


def with_card(program, m: state.Mentorship, *more: Comment) -> Issue:
    card = Comment(m.card_id, m.issue, BOT, state.card_body(m, program, MESSAGES), T, T)
    labels = (APP, f"status: {m.status}", f"role: {m.role}")
    return application(number=m.issue, author=m.mentee, comments=(card, *more), labels=labels)


def command(m, body: str, author: str = "octo-coordinator", id: int = 900) -> Comment:
    return Comment(id, m.issue, author, body, T, T)


def run_command(program, m, body, author="octo-coordinator", others=(), today=date(2027, 2, 20)):
    c = command(m, body, author)
    issue = with_card(program, m, c)
    step = pairing.on_comment(
        issue,
        m,
        c,
        program,
        MESSAGES,
        today,
        assignable=(),
        handbooks=("a", "b"),
        cohort_cards=others,
    )
    return step, intake.plan(issue, m, step, program, MESSAGES)


def test_select_is_recorded_in_the_marker_and_the_reply_does_not_tell(program):
    m = waiting(program)
    step, plan = run_command(program, m, "/select")
    assert step.state.decision == "selected"
    (reply,) = [w for w in plan.writes if getattr(w, "key", "") == pairing.COMMAND]
    _, waitlisted = run_command(program, m, "/waitlist")
    (other,) = [w for w in waitlisted.writes if getattr(w, "key", "") == pairing.COMMAND]
    assert "2027-03-05" in reply.body
    # The public text is the same for both decisions: only the command's name differs.
    assert markers.remove(reply.body).replace("select", "X") == markers.remove(other.body).replace(
        "waitlist", "X"
    )


def test_over_selection_is_refused_with_the_count(program):
    others = [waiting(program, n, decision="selected") for n in (8, 9)]
    step, plan = run_command(program, waiting(program), "/select", others=others)
    assert step.state.decision is None
    (reply,) = [w for w in plan.writes if getattr(w, "key", "") == pairing.COMMAND]
    assert "2 of the 2 seats" in reply.body


def test_withdrawn_selections_free_their_seat(program):
    others = [waiting(program, 8, decision="selected", status="withdrawn")]
    others.append(waiting(program, 9, decision="selected"))
    step, _ = run_command(program, waiting(program), "/select", others=others)
    assert step.state.decision == "selected"


def test_only_coordinators_select(program):
    step, plan = run_command(program, waiting(program), "/select", author="user7")
    assert step.state.decision is None
    assert any("refused" in text for _, text in plan.notes)


def test_select_is_not_a_command_without_cohorts():
    program = load_program(REPO_ROOT)
    m = dataclasses.replace(waiting(program), cohort=None)
    step, plan = run_command(program, m, "/select")
    assert plan.writes == () and step.state.decision is None


def test_select_names_a_cohort_for_an_application_outside_the_windows(program):
    m = waiting(program, cohort=None)
    step, _ = run_command(program, m, "/select 2027-spring")
    assert step.state.cohort == "2027-spring" and step.state.decision == "selected"
    step, plan = run_command(program, m, "/select")
    assert step.state.decision is None
    assert any("no cohort" in text for _, text in plan.notes)


# --------------------------------------------------------------------------- announcement


def nightly(program, m, today, *more: Comment):
    issue = with_card(program, m, *more)
    return cohort_steps.plan_issue(issue, m, program, MESSAGES, today), issue


def test_nothing_is_announced_before_the_date(program):
    plan, _ = nightly(program, waiting(program, decision="selected"), date(2027, 3, 4))
    assert plan.writes == ()


@pytest.mark.parametrize(
    ("decision", "status", "kind", "closed"),
    [
        pytest.param("selected", "active", cohort_steps.RESULT, False, id="selected"),
        pytest.param("waitlisted", "waiting", cohort_steps.RESULT, False, id="waitlisted"),
        pytest.param(None, "declined", cohort_steps.RESULT, True, id="not-selected"),
    ],
)
def test_announcement_on_the_date_once(program, decision, status, kind, closed):
    m = waiting(program, decision=decision)
    plan, issue = nightly(program, m, date(2027, 3, 5))
    posts = [w for w in plan.writes if isinstance(w, PostComment) and w.key == kind]
    assert len(posts) == 1
    assert any(isinstance(w, CloseIssue) for w in plan.writes) == closed
    new = state.find_card(
        [
            Comment(m.card_id, 7, BOT, w.body, T, T)
            for w in plan.writes
            if getattr(w, "key", "") == state.CARD
        ]
        or issue.comments,
        BOT,
        7,
    )
    assert new.status == status and new.announced == date(2027, 3, 5)
    # The next night: nothing again.
    done = tuple(Comment(500 + i, 7, BOT, p.body, T, T) for i, p in enumerate(posts))
    written = datetime(2027, 3, 5, 5, tzinfo=UTC)  # the card as that night left it
    issue = with_card(program, new, *done)
    card = next(c for c in issue.comments if c.id == new.card_id)
    fresh = dataclasses.replace(card, created_at=written, updated_at=written)
    issue = dataclasses.replace(
        issue, comments=tuple(fresh if c.id == card.id else c for c in issue.comments)
    )
    again = cohort_steps.plan_issue(issue, new, program, MESSAGES, date(2027, 3, 6))
    assert again.writes == ()


def test_selected_start_on_the_cohort_start(program):
    plan, _ = nightly(program, waiting(program, decision="selected"), date(2027, 3, 5))
    (card,) = [w for w in plan.writes if getattr(w, "key", "") == state.CARD]
    m = state.find_card([Comment(107, 7, BOT, card.body, T, T)], BOT, 7)
    assert m.started == date(2027, 3, 10)
    assert m.next_checkin(7) == (1, date(2027, 3, 17))


def test_waiting_list_closes_at_the_start(program):
    m = waiting(program, decision="waitlisted", announced=date(2027, 3, 5))
    plan, _ = nightly(program, m, date(2027, 3, 10))
    assert any(isinstance(w, CloseIssue) for w in plan.writes)
    assert [w.key for w in plan.writes if isinstance(w, PostComment)] == [cohort_steps.WAITLIST_END]


# --------------------------------------------------------------------------- the end


def active(program, **changes):
    m = waiting(program, decision="selected", announced=date(2027, 3, 5))
    m = m.moved("active", date(2027, 3, 5), started=date(2027, 3, 10), mentors=("lin-mentor",))
    return dataclasses.replace(m, **changes)


def test_checkins_follow_the_cohort_cadence(program):
    plan, _ = nightly(program, active(program), date(2027, 3, 17))
    (checkin,) = [w for w in plan.writes if getattr(w, "key", "") == "checkin"]
    assert '"n":1' in checkin.body


def test_the_end_thanks_and_completes(program):
    plan, _ = nightly(program, active(program, checkin=10), date(2027, 5, 19))
    assert [w.key for w in plan.writes if isinstance(w, PostComment)] == [cohort_steps.THANKS]
    assert any(isinstance(w, CloseIssue) and w.reason == "completed" for w in plan.writes)


def test_extend_moves_the_end(program):
    m = active(program, checkin=9)
    step, _ = run_command(program, m, "/extend until 2027-06-30", today=date(2027, 5, 10))
    assert step.state.extended == date(2027, 6, 30)
    plan, _ = nightly(program, step.state, date(2027, 5, 19))
    assert not any(isinstance(w, CloseIssue) for w in plan.writes)
    step, _ = run_command(program, m, "/extend until 2027-05-01", today=date(2027, 5, 10))
    assert step.state.extended is None


def test_cohort_keys_round_trip_in_the_card(program):
    m = active(program, extended=date(2027, 6, 30))
    data = state.to_data(m)
    assert data["cohort"] == "2027-spring" and data["decision"] == "selected"
    back = state.from_data(7, data)
    assert (back.cohort, back.decision, back.announced, back.extended) == (
        m.cohort,
        m.decision,
        m.announced,
        m.extended,
    )


def test_cohort_lookup_is_by_id():
    c = Cohort("a", "A")
    assert cohorts.by_id([c], "A ") is c and cohorts.by_id([c], "b") is None


COHORT_FIELD_YML = """\
  - type: dropdown
    id: cohort
    attributes:
      label: Cohort
      options:
        - Old round (old)
"""


def test_sync_form_lists_the_cohorts_not_closed(tmp_path, program, capsys):
    from types import SimpleNamespace

    from mentoring.program import form

    root = program_copy(tmp_path)
    (root / "cohorts.yml").write_text(COHORTS_YML, encoding="utf-8")
    path = root / form.FORM_FILE
    path.write_text(path.read_text(encoding="utf-8") + COHORT_FIELD_YML, encoding="utf-8")
    app = SimpleNamespace(program=load_program(root), root=root)
    assert form.sync(app, check=True, today=date(2027, 1, 5)) == 1  # "Old round": not ours
    assert form.sync(app, check=False, today=date(2027, 1, 5)) == 0
    text = path.read_text(encoding="utf-8")
    assert SPRING in text and AUTUMN in text and "Old round" not in text
    # Windows opening and closing need no hand work: the check passes all year.
    for day in (date(2027, 1, 10), date(2027, 2, 1), date(2027, 9, 1), date(2028, 1, 1)):
        assert form.sync(app, check=True, today=day) == 0, day
    assert "closed round(s) can be tidied away" in capsys.readouterr().out
    form.sync(app, check=False, today=date(2027, 3, 1))  # tidies the closed round away
    text = path.read_text(encoding="utf-8")
    assert SPRING not in text and AUTUMN in text
    form.sync(app, check=False, today=date(2027, 9, 1))
    assert f"- {cohorts.NONE_OPEN}" in path.read_text(encoding="utf-8")
    # an answer that names no cohort falls back to the date
    assert cohorts.cohort_of(cohorts.NONE_OPEN, program.cohorts, date(2027, 3, 1)) is None


def test_sync_form_without_a_cohort_field_leaves_the_form(tmp_path, program):
    from types import SimpleNamespace

    from mentoring.program import form

    root = program_copy(tmp_path)
    (root / "cohorts.yml").write_text(COHORTS_YML, encoding="utf-8")
    before = (root / form.FORM_FILE).read_text(encoding="utf-8")
    app = SimpleNamespace(program=load_program(root), root=root)
    assert form.sync(app, check=True, today=date(2027, 1, 20)) == 0
    assert (root / form.FORM_FILE).read_text(encoding="utf-8") == before


def test_mentors_of_the_role_select_only_when_the_cohort_says_so(program):
    m = waiting(program)
    mentor = program.role("maintainer").mentors[0].login
    step, _ = run_command(program, m, "/select", author=mentor)
    assert step.state.decision is None  # refused: mentors_select is off
    allowed = dataclasses.replace(
        program,
        cohorts=tuple(dataclasses.replace(c, mentors_select=True) for c in program.cohorts),
    )
    step, _ = run_command(allowed, m, "/select", author=mentor)
    assert step.state.decision == "selected"
    step, _ = run_command(allowed, m, "/select", author="someone-else")
    assert step.state.decision is None


def test_mentors_select_must_be_true_or_false(tmp_path):
    (found,) = problems_of(
        tmp_path, "cohorts:\n  - id: a\n    name: x\n    mentors_select: yes please\n"
    )
    assert found.startswith("cohorts.yml:4: cohorts[0].mentors_select: expected true or false")


def test_reconcile_holds_a_select_until_the_seats_are_read(program):
    m = waiting(program)
    c = command(m, "/select")
    issue = with_card(program, m, c)
    assert pairing.selects_pending(issue, m, program)
    held = pairing.reconcile(
        issue, m, program, MESSAGES, date(2027, 2, 20), assignable=(), handbooks=("a", "b")
    )
    assert held.state.decision is None and held.writes == ()
    assert any("waits for the seats" in text for _, text in held.notes)
    done = pairing.reconcile(
        issue,
        m,
        program,
        MESSAGES,
        date(2027, 2, 20),
        assignable=(),
        handbooks=("a", "b"),
        cohort_cards=(),
    )
    assert done.state.decision == "selected"


def test_a_select_is_no_pending_command_without_cohorts():
    program = load_program(REPO_ROOT)
    m = dataclasses.replace(waiting(program), cohort=None)
    issue = with_card(program, m, command(m, "/select"))
    assert pairing.pending(issue, m, program) == []


def test_a_mentor_paired_before_the_announcement_does_not_start_it(program):
    m = waiting(program)
    mentor = program.role("maintainer").mentors[0].login
    c = command(m, f"/mentor @{mentor}")
    issue = with_card(program, m, c)
    step = pairing.on_comment(
        issue,
        m,
        c,
        program,
        MESSAGES,
        date(2027, 2, 20),
        assignable=(mentor,),
        handbooks=("a", "b"),
    )
    assert step.state.mentors == (mentor,)
    assert step.state.status == "waiting"  # nothing public says who is in before the date
    outside = dataclasses.replace(m, cohort=None)
    step = pairing.on_comment(
        with_card(program, outside, c),
        outside,
        c,
        program,
        MESSAGES,
        date(2027, 2, 20),
        assignable=(mentor,),
        handbooks=("a", "b"),
    )
    assert step.state.status == "active"  # outside the cohorts, pairing starts it as before


@pytest.mark.parametrize(
    ("answer", "day", "says", "cohort"),
    [
        pytest.param(
            AUTUMN, date(2027, 1, 12), "does not take applications yet", None, id="upcoming"
        ),
        pytest.param(
            SPRING, date(2027, 3, 2), "whose application window has closed", None, id="closed"
        ),
        pytest.param(SPRING, date(2027, 1, 12), None, "2027-spring", id="open-choice-joins"),
        pytest.param(
            "", date(2027, 3, 2), "no round is open", None, id="no-choice-between-windows"
        ),
    ],
)
def test_a_choice_outside_its_window_gets_the_kind_reply(program, answer, day, says, cohort):
    moment = datetime.combine(day, datetime.min.time(), UTC)
    issue = application(created=moment, body=form_body() + f"\n\n### Cohort\n\n{answer}\n")
    plan, m = intake_plan(program, issue, day)
    assert m.status == "waiting" and m.cohort == cohort
    replies = [w for w in plan.writes if getattr(w, "key", "") == cohort_steps.WINDOW]
    assert [says in r.body for r in replies] == ([True] if says else [])
    if says and answer == AUTUMN:
        assert "Open now: **Spring 2027** (until 2027-01-31)" in replies[0].body
        assert "That round takes applications from 2027-08-01 to 2027-08-31" in replies[0].body
    assert not any(isinstance(w, CloseIssue) for w in plan.writes)


PAST_AND_FUTURE_YML = """\
cohorts:
  - id: old
    name: Old
    applications: {open: 2000-01-01, close: 2000-01-31}
  - id: far
    name: Far
    applications: {open: 2100-01-01, close: 2100-01-31}
"""


def test_validate_errors_only_when_cohorts_yml_changed_and_warns_of_closed_rounds(tmp_path, capsys):
    from mentoring.program import form
    from mentoring.runners import run_validate

    root = program_copy(tmp_path)
    (root / "cohorts.yml").write_text(PAST_AND_FUTURE_YML, encoding="utf-8")
    path = root / form.FORM_FILE
    field = COHORT_FIELD_YML.replace(
        "- Old round (old)",
        "- Old, applications 2000-01-01 to 2000-01-31 (old)\n"
        "        - Far, applications 2100-01-01 to 2100-01-31 (far)",
    )
    path.write_text(path.read_text(encoding="utf-8") + field, encoding="utf-8")
    program = load_program(root)
    problems, warnings = run_validate.cohort_form(root, program, date(2000, 1, 15))
    assert (problems, warnings) == ([], [])
    problems, warnings = run_validate.cohort_form(root, program, date(2050, 1, 1))
    assert problems == [] and len(warnings) == 1 and "whose window has closed" in str(warnings[0])
    assert run_validate.run(root, "text") == 0
    out = capsys.readouterr().out
    assert "warning: " in out and "run `mentoring sync-form` to tidy it away" in out
    assert run_validate.run(root, "github") == 0
    assert "::warning file=" in capsys.readouterr().out
    # A round added to cohorts.yml and not to the form: an error, until sync-form.
    added = PAST_AND_FUTURE_YML + "  - id: next\n    name: Next\n"
    added += "    applications: {open: 2099-01-01, close: 2099-01-31}\n"
    (root / "cohorts.yml").write_text(added, encoding="utf-8")
    problems, _ = run_validate.cohort_form(root, load_program(root), date(2050, 1, 1))
    assert len(problems) == 1 and "does not offer 'Next, applications" in str(problems[0])
    assert run_validate.run(root, "text") == 1


def test_validate_without_a_cohort_dropdown_says_nothing_of_cohorts(tmp_path):
    from mentoring.runners import run_validate

    root = program_copy(tmp_path)
    (root / "cohorts.yml").write_text(PAST_AND_FUTURE_YML, encoding="utf-8")
    assert run_validate.cohort_form(root, load_program(root), date(2050, 1, 1)) == ([], [])


@pytest.mark.parametrize("decision", ["/select", "/waitlist"])
def test_the_acknowledgement_mentions_nobody_and_the_card_shows_no_decision(program, decision):
    m = waiting(program)
    step, plan = run_command(program, m, decision)
    (reply,) = [w for w in plan.writes if getattr(w, "key", "") == pairing.COMMAND]
    assert "@" not in markers.remove(reply.body) and m.mentee not in reply.body  # no ping
    assert not [w for w in plan.writes if type(w).__name__ in ("AddLabels", "RemoveLabels")]
    before = markers.remove(state.card_body(m, program, MESSAGES))
    assert markers.remove(state.card_body(step.state, program, MESSAGES)) == before
