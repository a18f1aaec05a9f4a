"""Benchmark of reading a cohort's activity: 200 applicants × 5 repositories × 10 weeks.

Seeds an in-process emulator with ten weeks of work in five repositories: each of
the applicants (default 200) opens pull requests (about one in three weeks, most
merged), issues, reviews and comments; 40 regular contributors do the same at
twice the rate, since the listings hold everyone's work, not only the applicants'.
Then reads the activity as the weekly report does, once a week, since the
cohort's start, and prints JSON:

- ``weeks``: for each week, the requests made (``reads``), the least any reader of
  the same listings could make (``listing_lower_bound``: one page per 100 items of
  each of the 4 listings per repository, one page for an empty one), the review
  reads (one per pull request updated in the period, GitHub lists no reviews
  repository-wide; at most ``activity.max_review_reads``), and those left unread;
- ``listing_reads_over_bound``: listing reads divided by their bound, in the last week;
- ``per_person_reads``: what reading each applicant's work in each repository one by
  one would cost (3 listings × applicants × repositories, one page each at least);
- ``search_minutes``: the same through the search API, at its 30 requests a minute;
- ``wall_seconds``: the last week's read;
- ``card_edits_per_night``: the applicants' status cards edited each night if those ten
  weeks were the contribution period (`core/cohort_cards.py`: counts to date read weekly, a
  card edited only when its counts changed, on its night of the week): the most on one
  night, the mean, and the cap (``writes.max_per_run``, default 60).

Run it from the repository root: ``python benchmarks/activity.py [--applicants 200]``.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mentoring.core import activity, cohort_cards, markers, state  # noqa: E402
from mentoring.emulator import EmulatorServer, contributions  # noqa: E402
from mentoring.gateway import Gateway, Target  # noqa: E402
from mentoring.runners import read_contributions  # noqa: E402

START = datetime(2027, 3, 10, tzinfo=UTC)
REPOS = tuple(f"astro/repo-{i}" for i in range(1, 6))


def seed_week(
    emu, week: int, people: list[tuple[str, float]], pulls: list, rng: random.Random
) -> None:
    """One week of everyone's work (``week`` from 0), dated in that week."""
    for login, rate in people:

        def when(week: int = week) -> datetime:
            return START + timedelta(days=7 * week, hours=rng.randint(1, 7 * 24 - 2))

        if rng.random() < 0.3 * rate:
            repo = rng.choice(REPOS)
            opened = when()
            merged = opened + timedelta(hours=rng.randint(2, 40)) if rng.random() < 0.6 else None
            number = contributions.pull(emu, repo, login, opened, merged=merged)["number"]
            pulls.append((repo, number))
        if rng.random() < 0.15 * rate:
            contributions.issue(emu, rng.choice(REPOS), login, when())
        recent = pulls[-150:]
        if recent and rng.random() < 0.2 * rate:
            repo, number = rng.choice(recent)
            contributions.review(emu, repo, number, login, when())
        if recent and rng.random() < 0.5 * rate:
            repo, number = rng.choice(recent)
            contributions.comment(emu, repo, number, login, when())
        if recent and rng.random() < 0.1 * rate:
            repo, number = rng.choice(recent)
            contributions.review_comment(emu, repo, number, login, when())


def measure(emu, gateway, since: datetime, max_review_reads: int) -> tuple[dict, object]:
    emu.clear_log()
    began = time.perf_counter()
    snapshot = read_contributions.read(gateway, REPOS, since, max_review_reads=max_review_reads)
    wall = time.perf_counter() - began
    reads = len(emu.log())
    review_reads = snapshot.requests["reviews (one per pull request)"]
    figures = {
        "reads": reads,
        "listing_reads": reads - review_reads,
        "listing_lower_bound": activity.lower_bound(snapshot.listed),
        "review_reads": review_reads,
        "reviews_unread": snapshot.reviews_unread,
        "wall_seconds": round(wall, 2),
    }
    return figures, snapshot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--regulars", type=int, default=40)
    parser.add_argument("--weeks", type=int, default=10)
    parser.add_argument("--max-review-reads", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(11)
    people = [(f"applicant-{i:03d}", 1.0) for i in range(args.applicants)]
    people += [(f"regular-{i:02d}", 2.0) for i in range(args.regulars)]
    logins = [login for login, rate in people if rate == 1.0]
    with EmulatorServer() as server:
        emu = server.state
        gateway = Gateway(Target(server.url, REPOS[0], "bot-token"), backoff=0, out=io.StringIO())
        pulls: list = []
        weeks = []
        for week in range(args.weeks):
            seed_week(emu, week, people, pulls, rng)
            emu.set_now(START + timedelta(days=7 * (week + 1), hours=5))
            since = START + timedelta(days=7 * week)
            figures, snapshot = measure(emu, gateway, since, args.max_review_reads)
            this_week = activity.tally(snapshot, logins, _period(week, week + 1))
            figures["week"] = week + 1
            figures["applicants_active_this_week"] = sum(c.active for c in this_week.values())
            weeks.append(figures)
        whole, snapshot = measure(emu, gateway, START, args.max_review_reads)
        to_date = activity.tally(snapshot, logins, _period(0, args.weeks))
        whole["applicants_active"] = sum(c.active for c in to_date.values())
        edits = card_edits(snapshot, logins, args.weeks)
        per_person = 3 * args.applicants * len(REPOS)
        worst = max(weeks, key=lambda w: w["listing_reads"] / w["listing_lower_bound"])
        print(
            json.dumps(
                {
                    "applicants": args.applicants,
                    "regular_contributors": args.regulars,
                    "repositories": len(REPOS),
                    "pull_requests": len(pulls),
                    "weekly_reads_since_week_start": weeks,
                    "whole_period_read": whole,
                    "listing_reads_over_bound_worst_week": round(
                        worst["listing_reads"] / worst["listing_lower_bound"], 3
                    ),
                    "per_person_reads": per_person,
                    "search_minutes": round(per_person / 30, 1),
                    "card_edits_per_night": edits,
                },
                indent=1,
            )
        )


def card_edits(snapshot, logins: list[str], weeks: int) -> dict:
    """Nightly card edits over ``weeks`` of a contribution period, counts read each week."""
    from mentoring.core.cohorts import Cohort
    from mentoring.program.config import load_program
    from mentoring.program.templates import Messages

    period = _period(0, weeks)
    cohort = Cohort("bench", "Bench", contribution=period)
    program = load_program(ROOT)
    messages = Messages(ROOT)
    cap = program.settings.writes.max_per_run
    cards = {
        n: state.Mentorship(n, login, "waiting", cohort="bench", card_id=n)
        for n, login in enumerate(logins, start=2)
    }
    nights = []
    for week in range(1, weeks + 1):  # read on the day after each week, the last after the period
        read_on = period.first + timedelta(days=7 * week)
        counts = activity.tally(snapshot, logins, _period(0, week))
        for night in range(7):
            today = read_on + timedelta(days=night)
            plan = cohort_cards.plan(
                cohort, cards.values(), counts, read_on, program, messages, today, limit=cap // 2
            )
            for w in plan.writes:
                data = next(d for k, d in markers.parse(w.body) if k == state.CARD)
                cards[w.issue] = state.from_data(w.issue, data, card_id=w.comment_id)
            nights.append(len(plan.writes))
    return {
        "applicants": len(logins),
        "nights": len(nights),
        "most_on_one_night": max(nights),
        "mean_per_night": round(sum(nights) / len(nights), 1),
        "total": sum(nights),
        "cap_max_per_run": cap,
    }


def _period(first_week: int, end_week: int):
    from mentoring.core.cohorts import Period

    first = (START + timedelta(days=7 * first_week)).date()
    return Period(first, (START + timedelta(days=7 * end_week - 1)).date())


if __name__ == "__main__":
    main()
