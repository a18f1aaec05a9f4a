"""Contribution counts on the applicants' cards: edited only when changed, spread over a week."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from mentoring.core import cohort_cards, markers, state
from mentoring.core.activity import Counts
from mentoring.core.cohorts import Cohort, Period
from mentoring.core.model import EditComment
from mentoring.core.state import Counted, Mentorship
from mentoring.program.config import load_program
from mentoring.program.templates import Messages
from tests.support import REPO_ROOT

PROGRAM = load_program(REPO_ROOT)
MESSAGES = Messages(REPO_ROOT)
COHORT = Cohort(
    "r1",
    "Round 1",
    applications=Period(date(2027, 1, 4), date(2027, 1, 24)),
    contribution=Period(date(2027, 1, 11), date(2027, 2, 7)),
    announce=date(2027, 2, 11),
    start=date(2027, 2, 15),
    end=date(2027, 4, 25),
)
READ = date(2027, 1, 18)  # the day the counts were read
SLOT = READ.toordinal() % 7  # an issue with this remainder is due on the day of the read


def card(issue: int, login: str = "ada", **changes) -> Mentorship:
    base = Mentorship(issue, login, "waiting", cohort="r1", card_id=1000 + issue)
    return dataclasses.replace(base, **changes)


def edited(cards, counts, today: date, limit: int = 30, busy=(), on=READ) -> list[int]:
    found = cohort_cards.plan(
        COHORT, cards, counts, on, PROGRAM, MESSAGES, today, limit=limit, busy=busy
    )
    return [w.issue for w in found.writes]


@pytest.mark.parametrize(
    ("today", "showing"),
    [
        pytest.param(date(2027, 1, 10), False, id="before-the-period"),
        pytest.param(date(2027, 1, 11), True, id="first-day-of-the-period"),
        pytest.param(date(2027, 2, 10), True, id="after-the-period-before-the-results"),
        pytest.param(date(2027, 2, 11), False, id="results-announced"),
        pytest.param(date(2027, 2, 15), False, id="from-the-start-on"),
    ],
)
def test_showing(today, showing):
    assert cohort_cards.showing(COHORT, today) is showing


def test_showing_needs_a_contribution_period():
    assert not cohort_cards.showing(dataclasses.replace(COHORT, contribution=None), READ)


@pytest.mark.parametrize(
    ("issue", "days_after_read"),
    [
        pytest.param(SLOT, 0, id="own-slot-on-the-day-of-the-read"),
        pytest.param(SLOT + 1, 1, id="next-slot-next-night"),
        pytest.param(SLOT + 6, 6, id="last-slot-six-nights-later"),
        pytest.param(SLOT + 7, 0, id="slots-repeat-every-seven"),
    ],
)
def test_due_day(issue, days_after_read):
    assert cohort_cards.due_day(issue, READ) == READ + timedelta(days=days_after_read)


ONE = {"ada": Counts(pulls=1, merged_pulls=1)}


@pytest.mark.parametrize(
    ("m", "counts", "today", "expected"),
    [
        pytest.param(card(SLOT), ONE, READ, [SLOT], id="changed-on-its-night"),
        pytest.param(card(SLOT + 1), ONE, READ, [], id="changed-not-its-night-yet"),
        pytest.param(card(SLOT + 1), ONE, READ + timedelta(days=3), [SLOT + 1], id="night-missed"),
        pytest.param(card(SLOT), {"ada": Counts()}, READ, [], id="no-contributions-none-shown"),
        pytest.param(
            card(SLOT, counted=Counted(READ - timedelta(days=7), pulls=2)),
            {"bob": Counts()},
            READ,
            [],
            id="not-counted-is-unknown-not-zero",
        ),
        pytest.param(
            card(SLOT, counted=Counted(READ - timedelta(days=7), pulls=1, merged_pulls=1)),
            ONE,
            READ,
            [],
            id="unchanged-counts-keep-their-older-date",
        ),
        pytest.param(
            card(SLOT, counted=Counted(READ - timedelta(days=7), pulls=1)),
            ONE,
            READ,
            [SLOT],
            id="a-merge-since-changes-it",
        ),
        pytest.param(card(SLOT, status="declined"), ONE, READ, [], id="closed-application"),
        pytest.param(card(SLOT, cohort="r2"), ONE, READ, [], id="another-cohort"),
        pytest.param(card(SLOT, card_id=None), ONE, READ, [], id="no-card-yet"),
        pytest.param(card(SLOT, login="bob"), ONE, READ, [], id="someone-else-contributed"),
        pytest.param(card(SLOT), ONE, date(2027, 2, 15), [], id="cohort-started"),
    ],
)
def test_which_cards_are_edited(m, counts, today, expected):
    assert edited([m], counts, today) == expected


def test_the_edit_shows_the_counts_and_their_date_and_keeps_the_state():
    m = card(SLOT, role="maintainer", applied=date(2027, 1, 12))
    (write,) = cohort_cards.plan(COHORT, [m], ONE, READ, PROGRAM, MESSAGES, READ, limit=5).writes
    assert isinstance(write, EditComment) and write.comment_id == m.card_id
    assert "1 pull request opened (1 merged), 0 issues opened, 0 reviews" in write.body
    assert f"as of {READ.isoformat()}" in write.body
    (data,) = [d for k, d in markers.parse(write.body) if k == state.CARD]
    back = state.from_data(m.issue, data)
    assert back.counted == Counted(READ, pulls=1, merged_pulls=1)
    assert dataclasses.replace(back, counted=None) == m


def test_a_card_this_run_wrote_is_left_for_the_next_night():
    assert edited([card(SLOT)], ONE, READ, busy={SLOT}) == []


def test_a_rerun_edits_nothing():
    m = card(SLOT)
    (write,) = cohort_cards.plan(COHORT, [m], ONE, READ, PROGRAM, MESSAGES, READ, limit=5).writes
    (data,) = [d for k, d in markers.parse(write.body) if k == state.CARD]
    assert edited([state.from_data(m.issue, data, card_id=m.card_id)], ONE, READ) == []


def nights(cards, counts, days, limit=30):
    """Each night's edited issues, the edits applied to the cards before the next night."""
    by_issue = {m.issue: m for m in cards}
    found = []
    for day in days:
        plan = cohort_cards.plan(
            COHORT, by_issue.values(), counts, READ, PROGRAM, MESSAGES, day, limit=limit
        )
        for w in plan.writes:
            (data,) = [d for k, d in markers.parse(w.body) if k == state.CARD]
            by_issue[w.issue] = state.from_data(w.issue, data, card_id=w.comment_id)
        found.append(sorted(w.issue for w in plan.writes))
    return found


def test_two_hundred_applicants_spread_over_the_week_under_the_cap():
    cards = [card(n, login=f"a{n}") for n in range(1, 201)]
    counts = {f"a{n}": Counts(pulls=1) for n in range(1, 201)}  # everyone changed
    week = nights(cards, counts, [READ + timedelta(days=d) for d in range(7)])
    assert [len(n) for n in week] == [29, 29, 29, 29, 28, 28, 28]
    assert sorted(n for night in week for n in night) == list(range(1, 201))  # each card once
    assert nights(cards, {}, [READ]) == [[]]  # no contributions: nothing to edit


def test_a_missed_night_catches_up_the_next():
    cards = [card(n, login=f"a{n}") for n in range(1, 201)]
    counts = {f"a{n}": Counts(pulls=1) for n in range(1, 201)}
    skipped = nights(cards, counts, [READ, READ + timedelta(days=2)], limit=100)
    assert [len(n) for n in skipped] == [29, 58]  # its own night's and the missed night's


def test_the_stalest_first_up_to_the_limit():
    cards = [card(SLOT + d, login=f"a{d}") for d in range(7)]
    counts = {f"a{d}": Counts(issues=1) for d in range(7)}
    assert edited(cards, counts, READ + timedelta(days=6), limit=3) == [SLOT, SLOT + 1, SLOT + 2]
