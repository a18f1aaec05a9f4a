"""A cohort's summary report: the funnel, each participant's activity and criteria, time to the
first merged contribution, and retention 1, 6 and 12 months after the end (CHAOSS Mentorship).

Pure: the cohort, the states of its applications, the activity read (`core/activity.py`)
and ``today`` in; the report's data (``schemas/cohort-report.schema.json``) and its
Markdown out. A mark still in the future is "not yet", never 0%.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from mentoring.core import activity
from mentoring.core.activity import Snapshot
from mentoring.core.cohorts import CRITERIA_NAMES, Cohort, Period
from mentoring.core.model import lower
from mentoring.core.report import add_months
from mentoring.core.state import Mentorship

VERSION = 1
MARKS = (1, 6, 12)  # months after the end
ACTIVE_WINDOW_DAYS = 30  # active at a mark: a contribution in the 30 days up to it
SILVA_2017 = {"1": 0.40, "12": 0.15}  # GSoC students still contributing (Silva et al., SBES 2017)


def contribution_period(cohort: Cohort) -> Period | None:
    """Where "contributed" is counted: the contribution period, else the application window."""
    return cohort.contribution or cohort.applications


def cohort_period(cohort: Cohort, m: Mentorship | None = None) -> Period | None:
    if cohort.start is None or cohort.end is None:
        return None
    last = m.extended if m is not None and m.extended else cohort.end
    return Period(cohort.start, max(last, cohort.end))


def read_since(cohort: Cohort) -> date:
    """The first day the report's read must cover."""
    days = [p.first for p in (cohort.contribution, cohort.applications) if p is not None]
    return min([*days, cohort.start or date.max])


def mark_period(cohort: Cohort, months: int) -> tuple[date, Period]:
    """The day ``months`` after the end, and the window that counts as active at it."""
    assert cohort.end is not None
    day = add_months(cohort.end, months)
    return day, Period(day - timedelta(days=ACTIVE_WINDOW_DAYS - 1), day)


def _days(first: date | None, last: date | None) -> int | None:
    return (last - first).days if first is not None and last is not None else None


def compute(
    cohort: Cohort, cards: Iterable[Mentorship], snapshot: Snapshot | None, today: date
) -> dict[str, Any]:
    """The report's data. ``snapshot`` is None when no repositories are configured (activity
    is then reported as unknown)."""
    applicants = sorted((m for m in cards if m.cohort == cohort.id), key=lambda m: m.issue)
    announced = cohort.announced(today)
    selected = [m for m in applicants if announced and m.decision == "selected"]
    completed = [m for m in selected if m.status == "graduated" or m.ready is not None]
    logins = [m.mentee for m in applicants if m.mentee]
    before = contribution_period(cohort)
    contributed = None
    if snapshot is not None and before is not None:
        early = activity.tally(snapshot, logins, before)
        contributed = sum(
            1
            for m in applicants
            if early.get(lower(m.mentee), None) is not None and early[lower(m.mentee)].active
        )
    participants = []
    for m in selected:
        participants.append(_participant(cohort, m, snapshot, before))
    first_days = [
        p["days_to_first_merge"] for p in participants if p["days_to_first_merge"] is not None
    ]
    return {
        "version": VERSION,
        "generated_on": today.isoformat(),
        "cohort": {
            "id": cohort.id,
            "name": cohort.name,
            "applications": _period(cohort.applications),
            "contribution": _period(cohort.contribution),
            "announce": _iso(cohort.announce),
            "start": _iso(cohort.start),
            "end": _iso(cohort.end),
            "seats": cohort.total_seats,
            "criteria": {name: wanted for name, wanted in cohort.criteria},
        },
        "funnel": {
            "applied": len(applicants),
            "contributed": contributed,
            "selected": len(selected) if announced else None,
            "completed": len(completed) if announced else None,
        },
        "participants": participants,
        "time_to_first_merge": {
            "count": len(first_days),
            "median_days": statistics.median(first_days) if first_days else None,
        },
        "retention": [_mark(cohort, selected, snapshot, months, today) for months in MARKS],
        "reference": {"silva_2017": SILVA_2017},
        "reads": dict(snapshot.requests) if snapshot is not None else {},
        "reviews_unread": snapshot.reviews_unread if snapshot is not None else 0,
        "conclusions": "",
    }


def _participant(
    cohort: Cohort, m: Mentorship, snapshot: Snapshot | None, before: Period | None
) -> dict[str, Any]:
    during = cohort_period(cohort, m)
    counts = None
    first_merge = None
    if snapshot is not None and during is not None:
        counts = activity.tally(snapshot, [m.mentee or ""], during)[lower(m.mentee)]
        since = before.first if before is not None else during.first
        whole = activity.tally(snapshot, [m.mentee or ""], Period(since, during.last))
        first_merge = whole[lower(m.mentee)].first_merged
    criteria = activity.met(counts, cohort.criteria) if counts is not None else []
    return {
        "login": m.mentee,
        "issue": m.issue,
        "status": m.status,
        "extended_until": _iso(m.extended),
        "activity": counts.to_data() if counts is not None else None,
        "criteria": criteria,
        "criteria_met": all(c["met"] for c in criteria) if counts is not None else None,
        "first_merge": _iso(first_merge),
        "days_to_first_merge": _days(
            before.first if before is not None else cohort.start, first_merge
        ),
    }


def _mark(
    cohort: Cohort, selected: list[Mentorship], snapshot: Snapshot | None, months: int, today: date
) -> dict[str, Any]:
    if cohort.end is None:
        return {
            "months": months,
            "on": None,
            "status": "no end date",
            "active": None,
            "of": len(selected),
            "rate": None,
        }
    day, window = mark_period(cohort, months)
    if today < day:
        return {
            "months": months,
            "on": day.isoformat(),
            "status": "not yet",
            "active": None,
            "of": len(selected),
            "rate": None,
        }
    if snapshot is None:
        return {
            "months": months,
            "on": day.isoformat(),
            "status": "no repositories",
            "active": None,
            "of": len(selected),
            "rate": None,
        }
    counts = activity.tally(snapshot, [m.mentee or "" for m in selected], window)
    active = sum(1 for m in selected if counts[lower(m.mentee)].active)
    rate = round(active / len(selected), 3) if selected else None
    return {
        "months": months,
        "on": day.isoformat(),
        "status": "measured",
        "active": active,
        "of": len(selected),
        "rate": rate,
    }


def _period(p: Period | None) -> dict[str, str] | None:
    return {"first": p.first.isoformat(), "last": p.last.isoformat()} if p else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def markdown(data: dict[str, Any]) -> str:
    """The report as Markdown, with an empty "Conclusions" section for the coordinators."""
    c, f = data["cohort"], data["funnel"]
    lines = [f"# {c['name']}: summary report", ""]
    dates = []
    if c["applications"]:
        dates.append(f"applications {c['applications']['first']} to {c['applications']['last']}")
    if c["contribution"]:
        dates.append(
            f"contribution period {c['contribution']['first']} to {c['contribution']['last']}"
        )
    if c["start"]:
        dates.append(f"cohort {c['start']} to {c['end']}")
    lines += ["; ".join(dates) + f". Generated on {data['generated_on']}.", ""]

    def shown(value: Any) -> str:
        return "unknown" if value is None else str(value)

    lines += [
        "## Funnel",
        "",
        "| applied | contributed in the contribution period | selected | completed |",
        "|---|---|---|---|",
        f"| {f['applied']} | {shown(f['contributed'])} | {shown(f['selected'])} "
        f"| {shown(f['completed'])} |",
        "",
        "## Participants",
        "",
    ]
    if data["participants"]:
        lines += [
            "| participant | issue | status | PRs opened | merged | issues | reviews | criteria "
            "| first merge (days) |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for p in data["participants"]:
            a = p["activity"] or {}
            crit = (
                "; ".join(
                    f"{x['done']}/{x['wanted']} {CRITERIA_NAMES[x['criterion']]}"
                    + (" ✓" if x["met"] else "")
                    for x in p["criteria"]
                )
                or "—"
            )
            first = f"{p['first_merge']} ({p['days_to_first_merge']})" if p["first_merge"] else "—"
            lines.append(
                f"| @{p['login']} | #{p['issue']} | {p['status']} | {a.get('pulls', '?')} "
                f"| {a.get('merged_pulls', '?')} | {a.get('issues', '?')} "
                f"| {a.get('reviews', '?')} | {crit} | {first} |"
            )
        t = data["time_to_first_merge"]
        median = t["median_days"]
        lines += [
            "",
            f"Time to first merged contribution: median {median} days over {t['count']} "
            "participants (from the start of the contribution period)."
            if median is not None
            else "Time to first merged contribution: no merged contribution yet.",
        ]
    else:
        lines.append("No participants (yet).")
    lines += [
        "",
        "## Retention",
        "",
        "| months after the end | on | active | rate |",
        "|---|---|---|---|",
    ]
    for r in data["retention"]:
        if r["status"] == "measured":
            rate = f"{r['rate']:.0%}" if r["rate"] is not None else "—"
            lines.append(f"| {r['months']} | {r['on']} | {r['active']} of {r['of']} | {rate} |")
        else:
            lines.append(f"| {r['months']} | {r['on'] or '—'} | {r['status']} | {r['status']} |")
    lines += [
        "",
        f"Active at a mark: at least one pull request opened, issue opened or review in the "
        f"project's repositories in the {ACTIVE_WINDOW_DAYS} days up to it (CHAOSS Mentorship "
        "metric: activity N months after the end; see docs/report.md). For comparison, Silva "
        "et al. (SBES 2017) found about 40% of GSoC students still contributing a month after, "
        "about 15% a year after. "
        f"Measured on {data['generated_on']}, over each mark's own {ACTIVE_WINDOW_DAYS} days: "
        "a mark measured late counts the same days as on time.",
    ]
    if data["reviews_unread"]:
        lines.append(f"Reviews of {data['reviews_unread']} pull requests were not read.")
    lines += ["", "## Conclusions", "", "_For the coordinators to write._", ""]
    return "\n".join(lines)
