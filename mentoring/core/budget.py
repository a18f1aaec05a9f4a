"""The API budget: what GitHub's rate-limit headers say is left, and the reserve kept for events.

GitHub sends ``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` on
every response. The workflow token has 1,000 requests an hour per repository, shared by
every workflow run: a long nightly pass must leave some (``budget.reserve``) for the event
runs that answer people meanwhile. Pure: figures in, decisions and sentences out.
"""

from __future__ import annotations

from dataclasses import dataclass

# Reads of one nightly pass, measured by benchmarks/nightly.py at 1,000 and 10,000
# mentorships with about 30 comments each (146 and 1,430 reads): per mentorship.
READS_PER_MENTORSHIP = 0.143
# Writes of a day: a check-in is a comment and a card edit, once a cadence (30 days).
WRITES_PER_MENTORSHIP_DAY = 2 / 30


@dataclass(frozen=True)
class Budget:
    """What is left of the hour's requests, as the last response said."""

    limit: int
    remaining: int
    reset: int  # epoch seconds when the hour's count starts again

    def short(self, reserve: int, needed: int = 1) -> bool:
        """Whether making ``needed`` more requests would eat into ``reserve``."""
        return self.remaining - needed < reserve

    def resets_in(self, now: float) -> str:
        minutes = max(0, round((self.reset - now) / 60))
        return "in under a minute" if minutes == 0 else f"in {minutes} min"


def from_headers(remaining: int, limit: int, reset: int) -> Budget | None:
    """The budget from PyGithub's figures (``-1`` before any response): None if unknown."""
    if remaining < 0 or limit < 0:
        return None
    return Budget(limit=limit, remaining=remaining, reset=reset)


def stop_line(budget: Budget, reserve: int, now: float, *, left: int, stage: str) -> str:
    """One line for the terminal and the step summary: why the pass stopped, what is left.

    ``stage`` is where it stopped: ``reading`` (nothing written), ``writing`` (``left``
    applications still have writes to make) or ``dashboard`` (only the dashboard is left).
    """
    head = (
        f"budget: stopped with {budget.remaining:,} of {budget.limit:,} API requests left this "
        f"hour ({reserve:,} kept for event runs; the count starts again {budget.resets_in(now)})"
    )
    if stage == "reading":
        return (
            f"{head}; it stopped while reading, so nothing was written: the next run does the "
            "whole pass. If every run stops here, a pass needs more requests than the token "
            "has in an hour: see docs/budget.md"
        )
    if stage == "dashboard":
        return f"{head}; every application is done: the next run refreshes the dashboard"
    what = "application has" if left == 1 else "applications have"
    return f"{head}; {left} {what} writes left: the next run makes them, and nothing twice"


def wait_line(budget: Budget, reserve: int, seconds: float) -> str:
    """One line when a pass waits at the reserve for the hour's count to start again."""
    minutes = max(1, round(seconds / 60))
    return (
        f"budget: {budget.remaining:,} of {budget.limit:,} API requests left this hour "
        f"({reserve:,} kept for event runs): waiting {minutes} min for the count to start "
        "again, then going on (budget.wait_minutes)"
    )


def ceiling(hourly: int, reserve: int, events: int = 0) -> int:
    """About how many active mentorships one nightly pass serves within an hour's requests:
    what is left after the reserve and ``events`` (requests of event runs that hour),
    divided by a pass's reads and writes per mentorship."""
    usable = hourly - reserve - events
    per = READS_PER_MENTORSHIP + WRITES_PER_MENTORSHIP_DAY
    return max(0, int(usable / per))
