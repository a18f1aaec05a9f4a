"""The program dashboard's cohort section: applications in no cohort, the form to sync."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from mentoring.core import cohort_dashboard, cohorts
from mentoring.core.cohorts import Cohort, FormDrift, Period
from mentoring.core.state import Mentorship
from mentoring.program.config import load_program
from mentoring.program.templates import Messages
from tests.support import REPO_ROOT

MESSAGES = Messages(REPO_ROOT)
SPRING = Cohort("spring", "Spring", applications=Period(date(2027, 1, 10), date(2027, 1, 31)))
AUTUMN = Cohort("autumn", "Autumn", applications=Period(date(2027, 8, 1), date(2027, 8, 31)))
PROGRAM = dataclasses.replace(load_program(REPO_ROOT), cohorts=(SPRING, AUTUMN))
TODAY = date(2027, 3, 14)


def waiting(issue: int, applied: date | None = date(2027, 3, 2), **changes) -> Mentorship:
    return dataclasses.replace(
        Mentorship(issue, f"user{issue}", "waiting", applied=applied), **changes
    )


@pytest.mark.parametrize(
    ("m", "listed"),
    [
        pytest.param(waiting(5), True, id="waiting-in-no-cohort"),
        pytest.param(waiting(5, cohort="gone"), True, id="cohort-no-longer-in-cohorts-yml"),
        pytest.param(waiting(5, cohort="spring"), False, id="in-a-cohort"),
        pytest.param(waiting(5, status="needs-info"), False, id="not-complete-yet"),
        pytest.param(waiting(5, status="declined"), False, id="closed"),
    ],
)
def test_which_applications_are_listed(m, listed):
    assert (cohort_dashboard.outside([m], PROGRAM) == [m]) is listed


def test_the_section_lists_them_with_the_day_and_the_next_window():
    text = cohort_dashboard.part(
        [waiting(9, date(2027, 3, 4)), waiting(5), waiting(7, cohort="spring")],
        PROGRAM,
        MESSAGES,
        TODAY,
    )
    assert "### Applications in no cohort" in text
    assert "| #5 | @\u200buser5 | 2027-03-02 | 12 |" in text
    assert text.index("#5 ") < text.index("#9 ") and "#7 " not in text  # the oldest first
    assert "Next window: **Autumn** (`autumn`), 2027-08-01 to 2027-08-31." in text
    assert "sync-form" not in text


@pytest.mark.parametrize(
    ("today", "says"),
    [
        pytest.param(
            date(2027, 1, 20),
            "Open for applications now: **Spring** (`spring`, until 2027-01-31)",
            id="open",
        ),
        pytest.param(date(2027, 9, 1), "No next window is known yet", id="none-known"),
    ],
)
def test_the_windows_line(today, says):
    assert says in cohort_dashboard.part([], PROGRAM, MESSAGES, today)


@pytest.mark.parametrize(
    ("drift", "says"),
    [
        pytest.param(None, None, id="no-dropdown"),
        pytest.param(FormDrift(), None, id="in-line"),
        pytest.param(
            FormDrift(closed=("Spring (spring)",)), "still offers 1 closed round", id="closed"
        ),
        pytest.param(
            FormDrift(missing=("Autumn (autumn)",)), "does not match cohorts.yml", id="missing"
        ),
    ],
)
def test_the_form_line(drift, says):
    text = cohort_dashboard.part([], PROGRAM, MESSAGES, TODAY, drift)
    assert ("run `mentoring sync-form`" in text) is bool(says)
    if says:
        assert says in text


def test_no_cohorts_no_section():
    program = dataclasses.replace(PROGRAM, cohorts=())
    assert cohort_dashboard.part([waiting(5)], program, MESSAGES, TODAY) == ""


def test_many_are_counted_not_listed():
    many = [waiting(n) for n in range(1, 80)]
    text = cohort_dashboard.part(many, PROGRAM, MESSAGES, TODAY)
    assert text.count("| #") == cohort_dashboard.MAX_ROWS and "…and 29 more, made later." in text
    assert cohorts.by_id(PROGRAM.cohorts, "spring") is SPRING
