"""Contribution counts: the pure tally, and the batched reads through the emulator."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest

from mentoring.core import activity
from mentoring.core.activity import Counts, Opened, Pull, Remark, Review, Snapshot
from mentoring.core.cohorts import Period
from mentoring.emulator import contributions
from mentoring.gateway import Gateway, Target
from mentoring.runners import read_contributions

REPO = "astro/astro"
FEB = Period(date(2027, 2, 1), date(2027, 2, 28))


def at(day: int, month: int = 2) -> datetime:
    return datetime(2027, month, day, 12, tzinfo=UTC)


SNAPSHOT = Snapshot(
    since=at(1),
    pulls=(
        Pull(REPO, 1, "ada", at(2), at(5)),
        Pull(REPO, 2, "Ada", at(3)),
        Pull(REPO, 3, "ada", at(20, 1), at(3)),  # opened before, merged in the period
        Pull(REPO, 4, "bob", at(2, 3), at(3, 3)),  # after the period
    ),
    issues=(Opened(REPO, 5, "bob", at(4)), Opened(REPO, 6, None, at(4))),
    reviews=(Review(REPO, 4, "ada", at(6)), Review(REPO, 1, "bob", at(2, 3))),
    remarks=(Remark(REPO, "bob", at(7)), Remark(REPO, "carol", at(7))),
)


@pytest.mark.parametrize(
    ("login", "expected"),
    [
        pytest.param(
            "ada",
            Counts(pulls=2, merged_pulls=2, reviews=1, first_merged=date(2027, 2, 3)),
            id="logins-compare-case-insensitively",
        ),
        pytest.param("bob", Counts(issues=1, comments=1), id="later-work-is-not-counted"),
        pytest.param("dan", Counts(), id="nothing"),
    ],
)
def test_tally(login, expected):
    assert activity.tally(SNAPSHOT, ["ADA", "bob", "dan"], FEB)[login] == expected


def test_comments_of_people_not_asked_for_are_ignored():
    assert set(activity.tally(SNAPSHOT, ["ada"], FEB)) == {"ada"}


def test_criteria_met():
    counts = Counts(merged_pulls=2, reviews=0)
    found = activity.met(counts, (("merged_pulls", 2), ("reviews", 1)))
    assert [(x["criterion"], x["met"]) for x in found] == [
        ("merged_pulls", True),
        ("reviews", False),
    ]
    assert not activity.all_met(counts, (("merged_pulls", 2), ("reviews", 1)))
    assert activity.all_met(counts, ())


def test_active_means_a_contribution_not_a_comment():
    assert not Counts(comments=5).active and Counts(reviews=1).active


@pytest.mark.parametrize(
    ("listed", "bound"),
    [({"a": 0}, 1), ({"a": 100}, 1), ({"a": 101, "b": 5}, 3)],
    ids=["empty-listing-is-one-page", "a-full-page", "two-listings"],
)
def test_lower_bound(listed, bound):
    assert activity.lower_bound(listed) == bound


def test_reads_through_the_emulator(emulator):
    emu = emulator.state
    merged = contributions.pull(emu, REPO, "ada", at(2), merged=at(4))
    contributions.pull(emu, REPO, "bob", at(20, 1))  # updated before the period: not listed
    opened = contributions.pull(emu, "astro/docs", "bob", at(10))
    contributions.review(emu, "astro/docs", opened["number"], "ada", at(11))
    contributions.issue(emu, REPO, "ada", at(12))
    contributions.comment(emu, REPO, merged["number"], "bob", at(13))
    contributions.review_comment(emu, "astro/docs", opened["number"], "ada", at(14))
    gw = Gateway(Target(emulator.url, REPO, "bot-token"), backoff=0, out=io.StringIO())
    emu.clear_log()
    snapshot = read_contributions.read(gw, [REPO, "astro/docs"], at(1))
    counts = activity.tally(snapshot, ["ada", "bob"], FEB)
    assert counts["ada"] == Counts(
        pulls=1, merged_pulls=1, issues=1, reviews=1, comments=1, first_merged=date(2027, 2, 4)
    )
    assert counts["bob"] == Counts(pulls=1, comments=1)
    # Four listings per repository, one page each, and one review read per pull request.
    log = emu.log()
    assert len(log) == 2 * 4 + 2 == sum(snapshot.requests.values())
    assert all(e["method"] == "GET" for e in log)
    assert snapshot.reviews_unread == 0


def test_review_reads_are_bounded(emulator):
    emu = emulator.state
    for day in range(2, 8):
        contributions.pull(emu, REPO, "ada", at(day))
    gw = Gateway(Target(emulator.url, REPO, "bot-token"), backoff=0, out=io.StringIO())
    snapshot = read_contributions.read(gw, [REPO], at(1), max_review_reads=4)
    assert snapshot.requests["reviews (one per pull request)"] == 4
    assert snapshot.reviews_unread == 2


def test_a_late_read_skips_the_reviews_of_pull_requests_opened_after_the_period(emulator):
    emu = emulator.state
    early = contributions.pull(emu, REPO, "ada", at(2))
    contributions.review(emu, REPO, early["number"], "bob", at(3))
    for day in range(2, 8):  # months later: opened after the period, reviews cannot count
        contributions.pull(emu, REPO, "cy", at(day, month=5))
    gw = Gateway(Target(emulator.url, REPO, "bot-token"), backoff=0, out=io.StringIO())
    late = read_contributions.read(gw, [REPO], at(1), max_review_reads=2, until=at(28))
    assert late.requests["reviews (one per pull request)"] == 1
    assert late.reviews_unread == 0
    assert activity.tally(late, ["bob"], FEB)["bob"].reviews == 1
    unbounded = read_contributions.read(gw, [REPO], at(1), max_review_reads=2)
    assert activity.tally(unbounded, ["bob"], FEB)["bob"].reviews == 0  # the budget went elsewhere
