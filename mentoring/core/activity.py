"""Contribution counts per person: pull requests, issues, reviews, comments, over plain snapshots.

Pure. The runner (`runners/read_contributions.py`) reads each of the program's repositories
(``activity.repositories`` in the settings) through repository-wide listings, 100
a page, never one request per person; this module turns what was read into
counts per login and period, the success criteria met, and retention.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from mentoring.core.cohorts import CRITERIA, Period
from mentoring.core.model import lower


@dataclass(frozen=True)
class Pull:
    """A pull request in one of the repositories."""

    repo: str
    number: int
    author: str | None
    created_at: datetime
    merged_at: datetime | None = None


@dataclass(frozen=True)
class Opened:
    """An issue (not a pull request) opened in one of the repositories."""

    repo: str
    number: int
    author: str | None
    created_at: datetime


@dataclass(frozen=True)
class Review:
    """A submitted review of a pull request."""

    repo: str
    pull: int
    author: str | None
    submitted_at: datetime


@dataclass(frozen=True)
class Remark:
    """A comment on an issue or a pull request, or a review comment on a line."""

    repo: str
    author: str | None
    created_at: datetime


@dataclass(frozen=True)
class Snapshot:
    """What was read from the repositories since ``since``; ``requests`` per listing, and the
    pull requests whose reviews were not read (over ``activity.max_review_reads``)."""

    since: datetime
    pulls: tuple[Pull, ...] = ()
    issues: tuple[Opened, ...] = ()
    reviews: tuple[Review, ...] = ()
    remarks: tuple[Remark, ...] = ()
    requests: Mapping[str, int] = field(default_factory=dict)
    listed: Mapping[str, int] = field(default_factory=dict)  # items each listing returned
    reviews_unread: int = 0


@dataclass(frozen=True)
class Counts:
    """One person's contributions in a period."""

    pulls: int = 0
    merged_pulls: int = 0
    issues: int = 0
    reviews: int = 0
    comments: int = 0
    first_merged: date | None = None

    def get(self, criterion: str) -> int:
        return int(getattr(self, criterion))

    @property
    def contributions(self) -> int:
        """Pull requests opened, issues opened and reviews: what counts as being active."""
        return self.pulls + self.issues + self.reviews

    @property
    def active(self) -> bool:
        return self.contributions > 0

    def to_data(self) -> dict:
        return {
            "pulls": self.pulls,
            "merged_pulls": self.merged_pulls,
            "issues": self.issues,
            "reviews": self.reviews,
            "comments": self.comments,
            "first_merged": self.first_merged.isoformat() if self.first_merged else None,
        }


def _in(moment: datetime | None, period: Period) -> bool:
    return moment is not None and moment.date() in period


def tally(snapshot: Snapshot, logins: Iterable[str], period: Period) -> dict[str, Counts]:
    """Each login's counts (keyed in lowercase) for the days of ``period``, both included.

    A pull request counts as opened on the day it was opened and as merged on the day it
    was merged; a review on the day it was submitted; comments are counted apart (they
    show taking part, and are not a contribution in the criteria).
    """
    wanted = {lower(x) for x in logins}
    found: dict[str, dict] = {x: {} for x in wanted}

    def add(login: str | None, key: str) -> dict | None:
        who = lower(login)
        if who not in wanted:
            return None
        found[who][key] = found[who].get(key, 0) + 1
        return found[who]

    for p in snapshot.pulls:
        if _in(p.created_at, period):
            add(p.author, "pulls")
        if _in(p.merged_at, period):
            counts = add(p.author, "merged_pulls")
            if counts is not None:
                day = p.merged_at.date()
                first = counts.get("first_merged")
                counts["first_merged"] = day if first is None else min(first, day)
    for i in snapshot.issues:
        if _in(i.created_at, period):
            add(i.author, "issues")
    for r in snapshot.reviews:
        if _in(r.submitted_at, period):
            add(r.author, "reviews")
    for c in snapshot.remarks:
        if _in(c.created_at, period):
            add(c.author, "comments")
    return {who: Counts(**values) for who, values in found.items()}


def met(counts: Counts, criteria: Sequence[tuple[str, int]]) -> list[dict]:
    """Each criterion with what it asks, what was done, and whether it is met."""
    return [
        {
            "criterion": name,
            "wanted": wanted,
            "done": counts.get(name),
            "met": counts.get(name) >= wanted,
        }
        for name, wanted in criteria
        if name in CRITERIA
    ]


def all_met(counts: Counts, criteria: Sequence[tuple[str, int]]) -> bool:
    return all(item["met"] for item in met(counts, criteria))


def lower_bound(listed: Mapping[str, int], per_page: int = 100) -> int:
    """The fewest requests that could read ``listed`` items of each listing: one page per 100,
    and one (empty) page for a listing with none."""
    return sum(max(1, -(-n // per_page)) for n in listed.values())
