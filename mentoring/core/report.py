"""Program statistics from the bot's status cards: `compute` gives the JSON data, `markdown` a page.

Everything is computed from ``state.Mentorship`` values (the cards' data and
their ``history`` of dated status changes); the metrics are defined in
docs/report.md and the data's shape in ``mentoring/schemas/report.schema.json``.
Nothing here reads GitHub, files or the clock: retention facts (whether each
graduate was still active N months later) are looked up by the runner,
``runners/run_report.py``, and passed in.
"""

from __future__ import annotations

import calendar
import statistics
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from mentoring.core.model import lower
from mentoring.core.state import Mentorship
from mentoring.core.textsafe import ZWSP, quote
from mentoring.program.config import STATUSES, Program

VERSION = 1
STATUS_WORDS = {
    "needs-info": "Waiting for the applicant",
    "waiting": "Waiting for a mentor",
    "active": "Active",
    "paused": "Paused",
    "withdrawn": "Withdrawn",
    "declined": "Declined",
    "graduated": "Graduated",
}
RETENTION_RULE = (
    "A graduate is retained if they opened an issue or a pull request in one of the "
    "configured repositories on or after the day N months after they graduated "
    "(N: retention.months)."
)
MARKDOWN_GRADUATES = 200  # rows of the retention table in the Markdown page; JSON has all


# --------------------------------------------------------------------------- dates


def quarter(m: Mentorship) -> str:
    """The cohort of an application: the quarter it was made in, like ``2026-Q1``."""
    day = applied_on(m)
    if day is None:
        return "unknown"
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


COHORT_RULES: dict[str, Callable[[Mentorship], str]] = {"quarter of application": quarter}


def applied_on(m: Mentorship) -> date | None:
    """The day of the application: the card's ``applied``, else its first recorded status."""
    if m.applied is not None:
        return m.applied
    return m.history[0][0] if m.history else None


def paired_on(m: Mentorship) -> date | None:
    """The first day the mentorship was active (its history; else the card's ``started``)."""
    return next((day for day, status in m.history if status == "active"), m.started)


def graduated_on(m: Mentorship, program: Program | None = None) -> date | None:
    """The day it graduated: from the history, else from participants.yml's entry."""
    if m.status != "graduated":
        return None
    day = m.since("graduated")
    if day is None and program is not None:
        day = next((p.graduated for p in program.participants if p.issue == m.issue), None)
    return day


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months; the 31st becomes the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    index = min(max(index, 12), 9999 * 12 + 11)  # within the calendar: January 1 to December 9999
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def in_period(m: Mentorship, since: date | None, until: date | None) -> bool:
    day = applied_on(m)
    if day is None:
        return False
    return (since is None or day >= since) and (until is None or day <= until)


def graduates(
    mentorships: Iterable[Mentorship],
    program: Program,
    since: date | None = None,
    until: date | None = None,
) -> list[tuple[Mentorship, date | None]]:
    """Graduated mentorships whose application falls in the period, with their graduation day."""
    return [
        (m, graduated_on(m, program))
        for m in mentorships
        if m.status == "graduated" and in_period(m, since, until)
    ]


def retention_due(graduated: date, months: int) -> date:
    """The first day a graduate's activity counts for retention."""
    return add_months(graduated, months)


# --------------------------------------------------------------------------- numbers


def summary(days: list[int]) -> dict[str, Any]:
    """Count, median and 90th percentile of a list of durations in days.

    Percentiles interpolate linearly between the closest ranks (NumPy's default,
    ``statistics.quantiles(method="inclusive")``); values are rounded to 0.1 day.
    """
    if not days:
        return {"count": 0, "median": None, "p90": None}
    ordered = sorted(days)
    if len(ordered) == 1:
        p90 = float(ordered[0])
    else:
        p90 = statistics.quantiles(ordered, n=10, method="inclusive")[-1]
    return {
        "count": len(ordered),
        "median": round(float(statistics.median(ordered)), 1),
        "p90": round(float(p90), 1),
    }


def stats(group: list[Mentorship], program: Program) -> dict[str, Any]:
    """The metrics of one group of applications (all, one role, one cohort)."""
    status = {name: 0 for name in STATUSES}
    pairing: list[int] = []
    graduation: list[int] = []
    for m in group:
        status[m.status] += 1
        applied, paired = applied_on(m), paired_on(m)
        if paired is not None and applied is not None:
            pairing.append(max(0, (paired - applied).days))
        done = graduated_on(m, program)
        if done is not None and paired is not None:
            graduation.append(max(0, (done - paired).days))
    return {
        "applications": len(group),
        "status": status,
        "paired": sum(1 for m in group if paired_on(m) is not None),
        "time_to_pairing_days": summary(pairing),
        "time_to_graduation_days": summary(graduation),
    }


# --------------------------------------------------------------------------- the report


def compute(
    mentorships: Iterable[Mentorship],
    program: Program,
    today: date,
    since: date | None,
    until: date | None,
    retention: dict[str, bool | None] | None,
    *,
    cohort_rule: str = "quarter of application",
) -> dict[str, Any]:
    """The report's data (see the JSON schema). ``retention`` maps a graduate's lowercase login
    to whether they were still active ``months`` later (None: could not be told); pass None
    when retention is not configured or was not looked up."""
    cohort_of = COHORT_RULES[cohort_rule]
    everything = list(mentorships)
    notes: list[str] = []
    undated = [m for m in everything if applied_on(m) is None]
    if undated:
        notes.append(
            f"{_count(len(undated), 'application')} without an application date "
            f"{'is' if len(undated) == 1 else 'are'} left out: "
            + ", ".join(f"#{m.issue}" for m in sorted(undated, key=lambda m: m.issue)[:20])
            + (" …" if len(undated) > 20 else "")
        )
    chosen = sorted(
        (m for m in everything if in_period(m, since, until)),
        key=lambda m: (applied_on(m), m.issue),
    )
    return {
        "version": VERSION,
        "generated_on": today.isoformat(),
        "period": {
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
        },
        "cohort_rule": cohort_rule,
        "totals": stats(chosen, program),
        "by_role": _by_role(chosen, program),
        "by_cohort": _by_cohort(chosen, program, cohort_of),
        "mentor_load": _mentor_load(everything, chosen, program),
        "retention": _retention(chosen, program, today, retention),
        "notes": notes,
    }


def _by_role(chosen: list[Mentorship], program: Program) -> list[dict[str, Any]]:
    """One entry per role in roles.yml order, then roles no longer defined, then no role."""
    groups: dict[str | None, list[Mentorship]] = {role.id: [] for role in program.roles}
    for m in chosen:
        role = program.role(m.role)
        key = role.id if role is not None else m.role
        groups.setdefault(key, []).append(m)
    known = [role.id for role in program.roles]
    extra = sorted(key for key in groups if key is not None and key not in known)
    order: list[str | None] = [*known, *extra, *([None] if None in groups else [])]
    result = []
    for key in order:
        role = program.role(key)
        result.append(
            {
                "role": key,
                "name": role.name if role else None,
                **stats(groups[key], program),
            }
        )
    return result


def _by_cohort(
    chosen: list[Mentorship], program: Program, cohort_of: Callable[[Mentorship], str]
) -> list[dict[str, Any]]:
    groups: dict[str, list[Mentorship]] = {}
    for m in chosen:
        groups.setdefault(cohort_of(m), []).append(m)
    return [{"cohort": key, **stats(groups[key], program)} for key in sorted(groups)]


def _mentor_load(
    everything: list[Mentorship], chosen: list[Mentorship], program: Program
) -> list[dict[str, Any]]:
    """Today's load (active + paused, whatever the period) and the period's mentorships."""
    names: dict[str, str] = {}
    for role in program.roles:
        for mentor in role.mentors:
            names.setdefault(lower(mentor.login), mentor.login)
    for m in everything:
        for login in m.mentors:
            names.setdefault(lower(login), login)
    rows = []
    for key in sorted(names):
        login = names[key]
        now = [m for m in everything if m.is_mentor(login) and m.status in ("active", "paused")]
        mine = [m for m in chosen if m.is_mentor(login)]
        listed = bool(program.roles_of(login))
        capacity = program.mentor_capacity(login) if listed else None
        rows.append(
            {
                "login": login,
                "roles": [role.id for role in program.roles_of(login)],
                "active": sum(1 for m in now if m.status == "active"),
                "paused": sum(1 for m in now if m.status == "paused"),
                "load": len(now),
                "capacity": capacity,
                "over_capacity": capacity is not None and len(now) > capacity,
                "mentored": sum(1 for m in mine if paired_on(m) is not None),
                "graduated": sum(1 for m in mine if m.status == "graduated"),
            }
        )
    return rows


def _retention(
    chosen: list[Mentorship],
    program: Program,
    today: date,
    retention: dict[str, bool | None] | None,
) -> dict[str, Any]:
    setting = program.settings.retention
    section: dict[str, Any] = {
        "configured": setting is not None and bool(setting.repositories),
        "months": setting.months if setting else None,
        "repositories": list(setting.repositories) if setting else [],
        "rule": RETENTION_RULE,
        "retained": 0,
        "not_retained": 0,
        "pending": 0,
        "unknown": 0,
        "rate": None,
        "graduates": [],
        "note": None,
    }
    if setting is None:
        section["note"] = (
            "Retention is not configured: set retention.months and retention.repositories "
            "in .github/mentoring.yml to see whether graduates stay active."
        )
        return section
    if not setting.repositories:
        section["note"] = (
            "Retention is not configured: retention.repositories in .github/mentoring.yml "
            "names no repository to look for graduates' activity in."
        )
        return section
    looked_up = retention or {}
    for m, done in graduates(chosen, program):
        entry: dict[str, Any] = {
            "issue": m.issue,
            "login": m.mentee,
            "role": m.role,
            "graduated": done.isoformat() if done else None,
            "due": None,
            "state": "unknown",
            "retained": None,
        }
        if done is not None:
            due = retention_due(done, setting.months)
            entry["due"] = due.isoformat()
            if due > today:
                entry["state"] = "pending"
            elif m.mentee is not None and looked_up.get(lower(m.mentee)) is not None:
                retained = bool(looked_up[lower(m.mentee)])
                entry["retained"] = retained
                entry["state"] = "retained" if retained else "not-retained"
        section[entry["state"].replace("-", "_")] += 1
        section["graduates"].append(entry)
    judged = section["retained"] + section["not_retained"]
    if judged:
        section["rate"] = round(section["retained"] / judged, 3)
    notes = []
    if section["pending"]:
        notes.append(
            f"{_count(section['pending'], 'graduate')} finished less than "
            f"{_count(setting.months, 'month')} ago: not counted yet."
        )
    if section["unknown"]:
        notes.append(
            f"{_count(section['unknown'], 'graduate')} could not be checked "
            "(no graduation date, a deleted account, or a repository that could not be read)."
        )
    section["note"] = " ".join(notes) or None
    return section


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


# --------------------------------------------------------------------------- Markdown


def markdown(data: dict[str, Any]) -> str:
    """The report as a Markdown page with Mermaid charts (for the Actions job summary)."""
    period = data["period"]
    if period["since"] or period["until"]:
        span = f"applications from {period['since'] or 'the start'} to {period['until'] or 'today'}"
    else:
        span = "all applications"
    totals = data["totals"]
    out = [
        "## Mentoring program report",
        "",
        f"Generated on {data['generated_on']} from the status cards of {span}. "
        f"Cohorts: {data['cohort_rule']}. Durations are in days. "
        "The definitions are in the mentoring tool's docs/report.md.",
        "",
        "### Summary",
        "",
        "| | |",
        "|---|---|",
        f"| Applications | {totals['applications']:,} |",
        f"| Paired with a mentor | {totals['paired']:,} |",
        f"| Time to pairing, median / 90th percentile | "
        f"{_durations(totals['time_to_pairing_days'])} |",
        f"| Time to graduation, median / 90th percentile | "
        f"{_durations(totals['time_to_graduation_days'])} |",
    ]
    out += ["", "Applications by their status today:", "", "| Status | Applications |", "|---|---|"]
    out += [f"| {STATUS_WORDS[name]} | {count:,} |" for name, count in totals["status"].items()]
    pie = [(STATUS_WORDS[name], count) for name, count in totals["status"].items() if count]
    if pie:
        out += ["", "```mermaid", "pie showData title Applications by status today"]
        out += [f'    "{name}" : {count}' for name, count in pie]
        out += ["```"]
    out += ["", "### By cohort", ""]
    out += _table(data["by_cohort"], "Cohort", lambda row: row["cohort"])
    out += _cohort_chart(data["by_cohort"])
    out += ["", "### By role", ""]
    out += _table(
        data["by_role"],
        "Role",
        lambda row: _cell(row["name"] or row["role"] or "no role chosen"),
    )
    out += ["", "### Mentor load", ""]
    out += _mentor_table(data["mentor_load"])
    out += ["", "### Retention", ""]
    out += _retention_lines(data["retention"])
    if data["notes"]:
        out += ["", "### Notes", ""] + [f"- {_cell(note, 1_000)}" for note in data["notes"]]
    return "\n".join(out) + "\n"


def _durations(s: dict[str, Any]) -> str:
    if not s["count"]:
        return "—"
    return f"{_number(s['median'])} / {_number(s['p90'])} ({s['count']:,})"


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if value < 1e6 else f"{value:,.0f}"


def _cell(text: Any, limit: int = 120) -> str:
    return quote(str(text), limit=limit).replace("|", "\\|")


def _handle(login: str | None) -> str:
    return f"@{ZWSP}{login}" if login else "deleted account"


def _table(rows: list[dict[str, Any]], head: str, name: Callable[[dict], str]) -> list[str]:
    if not rows:
        return ["No applications in this period."]
    out = [
        f"| {head} | Applications | Paired | Active | Paused | Graduated | Withdrawn | Declined "
        "| Days to pairing | Days to graduation |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        s = row["status"]
        out.append(
            f"| {name(row)} | {row['applications']:,} | {row['paired']:,} | {s['active']:,} "
            f"| {s['paused']:,} | {s['graduated']:,} | {s['withdrawn']:,} | {s['declined']:,} "
            f"| {_durations(row['time_to_pairing_days'])} "
            f"| {_durations(row['time_to_graduation_days'])} |"
        )
    return out


def _cohort_chart(rows: list[dict[str, Any]]) -> list[str]:
    """A bar chart of applications per cohort, with a line of those paired."""
    rows = [row for row in rows if row["cohort"] != "unknown"][-24:]
    if not rows:
        return []
    labels = ", ".join(f'"{row["cohort"]}"' for row in rows)
    top = max(row["applications"] for row in rows)
    return [
        "",
        "```mermaid",
        "xychart-beta",
        '    title "Applications (bars) and pairings (line) by cohort"',
        f"    x-axis [{labels}]",
        f'    y-axis "Applications" 0 --> {max(top, 1)}',
        f"    bar [{', '.join(str(row['applications']) for row in rows)}]",
        f"    line [{', '.join(str(row['paired']) for row in rows)}]",
        "```",
    ]


def _mentor_table(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return ["No mentors yet."]
    out = [
        "| Mentor | Mentees now | Capacity | Mentored in the period | Graduated |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        capacity = "not in roles.yml" if row["capacity"] is None else f"{row['capacity']:,}"
        over = " (over capacity)" if row["over_capacity"] else ""
        out.append(
            f"| {_handle(row['login'])} | {row['load']:,}{over} | {capacity} "
            f"| {row['mentored']:,} | {row['graduated']:,} |"
        )
    return out


def _retention_lines(section: dict[str, Any]) -> list[str]:
    if not section["configured"]:
        return [_cell(section["note"], 1_000)]
    repos = ", ".join(f"`{name}`" for name in section["repositories"])
    rate = "—" if section["rate"] is None else f"{section['rate']:.0%}"
    out = [
        f"{section['rule']} Months: {section['months']}; repositories: {repos}.",
        "",
        f"Retained: {section['retained']:,}; not retained: {section['not_retained']:,}; "
        f"not yet due: {section['pending']:,}; could not be checked: {section['unknown']:,}. "
        f"Retention rate: {rate}.",
    ]
    if section["note"]:
        out += ["", _cell(section["note"], 1_000)]
    shown = section["graduates"][:MARKDOWN_GRADUATES]
    if shown:
        out += [
            "",
            "| Issue | Graduate | Graduated | Counted from | Retained |",
            "|---|---|---|---|---|",
        ]
        words = {"retained": "yes", "not-retained": "no", "pending": "not yet due"}
        for g in shown:
            out.append(
                f"| #{g['issue']} | {_handle(g['login'])} | {g['graduated'] or '—'} "
                f"| {g['due'] or '—'} | {words.get(g['state'], 'unknown')} |"
            )
        if len(section["graduates"]) > len(shown):
            more = len(section["graduates"]) - len(shown)
            out += ["", f"…and {more:,} more graduates (all are in the JSON report)."]
    return out
