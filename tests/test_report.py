"""The report's statistics, checked by hand on a small program, its schema, and its Markdown."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date, timedelta

import jsonschema
import pytest

from mentoring.core import report
from mentoring.core.state import Mentorship
from mentoring.program.config import (
    Mentor,
    Participant,
    Person,
    Program,
    Retention,
    Role,
    default_settings,
)
from tests.support import REPO_ROOT

SCHEMA = json.loads(
    (REPO_ROOT / "mentoring" / "schemas" / "report.schema.json").read_text(encoding="utf-8")
)
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)
TODAY = date(2026, 12, 1)
d = date.fromisoformat

ROLES = (
    Role("maintainer", "Maintainer", "Merges.", (Mentor("ada-mentor", 2), Mentor("lin-mentor", 1))),
    Role("triager", "Issue triager", "Labels.", (Mentor("sam-mentor", 2),)),
    Role("docs-lead", "Documentation lead", "Docs.", (Mentor("lin-mentor", 1),)),
)


SIX_MONTHS = Retention(6, ("astro/astropy",))


def program(retention: Retention | None = SIX_MONTHS, **changes) -> Program:
    settings = dataclasses.replace(default_settings(), retention=retention)
    base = Program(
        root=None,  # type: ignore[arg-type]  # nothing here reads files
        coordinators=(Person("octo-coordinator"),),
        roles=ROLES,
        settings=settings,
        participants=(),
    )
    return dataclasses.replace(base, **changes)


def m(issue, mentee, role, mentors, *steps) -> Mentorship:
    """A mentorship from its dated steps: ("2026-01-02", "waiting"), …; applied = first step."""
    history = tuple((d(day), status) for day, status in steps)
    started = next((day for day, status in history if status == "active"), None)
    return Mentorship(
        issue=issue,
        mentee=mentee,
        status=history[-1][1],
        role=role,
        mentors=tuple(mentors),
        applied=history[0][0],
        started=started,
        history=history,
    )


# Eight applications; every figure below is worked out by hand in the comments.
FIXTURE = [
    # applied → active: 8 days; active → graduated: 120 days
    m(1, "ada", "maintainer", ["ada-mentor"],
      ("2026-01-02", "waiting"), ("2026-01-10", "active"), ("2026-05-10", "graduated")),
    # 20 days to pairing; still active
    m(2, "bo", "triager", ["sam-mentor"], ("2026-02-01", "waiting"), ("2026-02-21", "active")),
    m(3, "cy", "docs-lead", [], ("2026-04-01", "waiting")),
    m(4, "di", None, [], ("2026-04-03", "needs-info"), ("2026-04-20", "withdrawn")),
    # 4 days to pairing; paused now
    m(5, "eve", "maintainer", ["lin-mentor"],
      ("2026-04-10", "waiting"), ("2026-04-14", "active"), ("2026-06-01", "paused")),
    # 30 days to pairing, 30 days to graduation; due for retention on 2027-02-28 (pending)
    m(6, "fay", "maintainer", ["ada-mentor", "lin-mentor"],
      ("2026-07-01", "waiting"), ("2026-07-31", "active"), ("2026-08-30", "graduated")),
    m(7, "gus", "triager", [], ("2026-07-15", "waiting"), ("2026-07-20", "declined")),
    # a role no longer in roles.yml, a mentor who is not in roles.yml; 4 days to pairing
    m(8, "hal", "astronaut", ["stranger"], ("2026-10-01", "waiting"), ("2026-10-05", "active")),
]  # fmt: skip


def compute(mentorships=FIXTURE, *, prog=None, since=None, until=None, retention=None):
    prog = program() if prog is None else prog
    data = report.compute(mentorships, prog, TODAY, since, until, retention)
    VALIDATOR.validate(data)
    return data


def by(rows, key, value):
    return next(row for row in rows if row[key] == value)


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ([], {"count": 0, "median": None, "p90": None}),
        ([5], {"count": 1, "median": 5.0, "p90": 5.0}),
        ([8, 20], {"count": 2, "median": 14.0, "p90": 18.8}),
        ([10, 4, 3, 2, 1], {"count": 5, "median": 3.0, "p90": 7.6}),
        ([7, 7, 7], {"count": 3, "median": 7.0, "p90": 7.0}),
    ],
    ids=["empty", "one", "two", "five-unsorted", "all-equal"],
)
def test_summary(days, expected):
    assert report.summary(days) == expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2026-05-10", 6, "2026-11-10"),
        ("2026-08-30", 6, "2027-02-28"),
        ("2027-08-31", 6, "2028-02-29"),
        ("2026-01-31", 1, "2026-02-28"),
        ("2026-11-15", 3, "2027-02-15"),
        ("2026-03-01", 12, "2027-03-01"),
    ],
    ids=["same-year", "into-a-short-february", "leap-year", "31st", "over-new-year", "a-year"],
)
def test_add_months(day, months, expected):
    assert report.add_months(d(day), months) == d(expected)


@pytest.mark.parametrize(
    ("applied", "expected"),
    [("2026-01-01", "2026-Q1"), ("2026-03-31", "2026-Q1"), ("2026-04-01", "2026-Q2"),
     ("2026-12-31", "2026-Q4"), (None, "unknown")],
    ids=["first-day", "last-day-of-q1", "first-day-of-q2", "last-day", "no-date"],
)  # fmt: skip
def test_quarter(applied, expected):
    one = Mentorship(1, "ada", "waiting", applied=d(applied) if applied else None)
    assert report.quarter(one) == expected


# --------------------------------------------------------------------------- the fixture


def test_totals():
    totals = compute()["totals"]
    assert totals["applications"] == 8
    assert totals["status"] == {
        "needs-info": 0,
        "waiting": 1,
        "active": 2,
        "paused": 1,
        "withdrawn": 1,
        "declined": 1,
        "graduated": 2,
    }
    assert totals["paired"] == 5
    # [4, 4, 8, 20, 30]: median 8; p90 at rank 3.6 → 20 + 0.6 × 10
    assert totals["time_to_pairing_days"] == {"count": 5, "median": 8.0, "p90": 26.0}
    # [30, 120]: median 75; p90 at rank 0.9 → 30 + 0.9 × 90
    assert totals["time_to_graduation_days"] == {"count": 2, "median": 75.0, "p90": 111.0}


@pytest.mark.parametrize(
    ("role", "name", "applications", "paired", "pairing", "graduation"),
    [
        ("maintainer", "Maintainer", 3, 3, (8.0, 25.6), (75.0, 111.0)),
        ("triager", "Issue triager", 2, 1, (20.0, 20.0), (None, None)),
        ("docs-lead", "Documentation lead", 1, 0, (None, None), (None, None)),
        ("astronaut", None, 1, 1, (4.0, 4.0), (None, None)),
        (None, None, 1, 0, (None, None), (None, None)),
    ],
    ids=["maintainer", "triager", "docs-lead", "role-gone-from-roles-yml", "no-role"],
)
def test_by_role(role, name, applications, paired, pairing, graduation):
    row = by(compute()["by_role"], "role", role)
    assert row["name"] == name
    assert row["applications"] == applications
    assert row["paired"] == paired
    t = row["time_to_pairing_days"]
    assert (t["median"], t["p90"]) == pairing
    t = row["time_to_graduation_days"]
    assert (t["median"], t["p90"]) == graduation


def test_roles_come_in_roles_yml_order_then_unknown_then_none():
    roles = [row["role"] for row in compute()["by_role"]]
    assert roles == ["maintainer", "triager", "docs-lead", "astronaut", None]


def test_a_role_without_applications_is_listed_with_zeros():
    row = by(compute(FIXTURE[:2])["by_role"], "role", "docs-lead")
    assert row["applications"] == 0
    assert row["time_to_pairing_days"] == {"count": 0, "median": None, "p90": None}


def test_by_cohort():
    rows = compute()["by_cohort"]
    assert [(r["cohort"], r["applications"], r["paired"]) for r in rows] == [
        ("2026-Q1", 2, 2),
        ("2026-Q2", 3, 1),
        ("2026-Q3", 2, 1),
        ("2026-Q4", 1, 1),
    ]


def test_the_cohort_rule_is_a_function_that_can_change():
    name = "month of application"
    report.COHORT_RULES[name] = lambda one: report.applied_on(one).strftime("%Y-%m")
    try:
        data = report.compute(FIXTURE, program(), TODAY, None, None, None, cohort_rule=name)
    finally:
        del report.COHORT_RULES[name]
    assert data["cohort_rule"] == name
    assert [r["cohort"] for r in data["by_cohort"]][:3] == ["2026-01", "2026-02", "2026-04"]


@pytest.mark.parametrize(
    ("login", "expected"),
    [
        ("ada-mentor", {"roles": ["maintainer"], "active": 0, "paused": 0, "load": 0,
                        "capacity": 2, "over_capacity": False, "mentored": 2, "graduated": 2}),
        ("lin-mentor", {"roles": ["maintainer", "docs-lead"], "active": 0, "paused": 1, "load": 1,
                        "capacity": 1, "over_capacity": False, "mentored": 2, "graduated": 1}),
        ("sam-mentor", {"roles": ["triager"], "active": 1, "paused": 0, "load": 1,
                        "capacity": 2, "over_capacity": False, "mentored": 1, "graduated": 0}),
        ("stranger", {"roles": [], "active": 1, "paused": 0, "load": 1,
                      "capacity": None, "over_capacity": False, "mentored": 1, "graduated": 0}),
    ],
    ids=["graduated-two", "paused-counts-as-load", "active", "not-in-roles-yml"],
)  # fmt: skip
def test_mentor_load(login, expected):
    row = by(compute()["mentor_load"], "login", login)
    assert {k: v for k, v in row.items() if k != "login"} == expected


def test_mentor_over_capacity_and_logins_case_insensitive():
    extra = m(9, "ivy", "maintainer", ["LIN-MENTOR"], ("2026-11-01", "waiting"),
              ("2026-11-02", "active"))  # fmt: skip
    rows = compute([*FIXTURE, extra])["mentor_load"]
    row = by(rows, "login", "lin-mentor")
    assert (row["load"], row["capacity"], row["over_capacity"]) == (2, 1, True)
    assert [r["login"] for r in rows] == ["ada-mentor", "lin-mentor", "sam-mentor", "stranger"]


@pytest.mark.parametrize(
    ("since", "until", "issues"),
    [
        (None, None, [1, 2, 3, 4, 5, 6, 7, 8]),
        ("2026-04-01", "2026-07-01", [3, 4, 5, 6]),
        ("2026-04-02", None, [4, 5, 6, 7, 8]),
        (None, "2026-03-31", [1, 2]),
        ("2027-01-01", None, []),
    ],
    ids=["everything", "both-ends-inclusive", "since-only", "until-only", "nothing"],
)
def test_period(since, until, issues):
    data = compute(since=d(since) if since else None, until=d(until) if until else None)
    assert data["totals"]["applications"] == len(issues)
    assert data["period"] == {"since": since, "until": until}
    assert sum(row["applications"] for row in data["by_cohort"]) == len(issues)


def test_the_period_narrows_mentored_but_not_todays_load():
    rows = compute(since=d("2026-04-01"), until=d("2026-07-01"))["mentor_load"]
    ada = by(rows, "login", "ada-mentor")
    assert (ada["mentored"], ada["graduated"]) == (1, 1)  # only #6 is in the period
    sam = by(rows, "login", "sam-mentor")
    assert (sam["load"], sam["mentored"]) == (1, 0)  # #2 is active today, applied before


def test_applications_without_a_date_are_left_out_with_a_note():
    undated = Mentorship(9, "ivy", "waiting")
    data = compute([*FIXTURE, undated])
    assert data["totals"]["applications"] == 8
    assert data["notes"] == ["1 application without an application date is left out: #9"]


def test_a_graduation_date_missing_from_the_history_comes_from_participants_yml():
    card = dataclasses.replace(FIXTURE[0], history=FIXTURE[0].history[:2])
    entry = Participant("Ada", "ada", "maintainer", 1, ("ada-mentor",), d("2026-01-10"),
                        d("2026-03-11"))  # fmt: skip
    data = compute([card], prog=program(participants=(entry,)), retention={"ada": True})
    assert data["totals"]["time_to_graduation_days"]["median"] == 60.0
    assert data["retention"]["graduates"][0]["graduated"] == "2026-03-11"


# --------------------------------------------------------------------------- retention


@pytest.mark.parametrize(
    ("setting", "looked_up", "expected"),
    [
        (None, None, {"configured": False, "retained": 0, "pending": 0, "graduates": 0}),
        (Retention(6, ()), None, {"configured": False, "retained": 0, "graduates": 0}),
        (Retention(6, ("astro/astropy",)), {"ada": True},
         {"configured": True, "retained": 1, "not_retained": 0, "pending": 1, "rate": 1.0}),
        (Retention(6, ("astro/astropy",)), {"ada": False},
         {"retained": 0, "not_retained": 1, "pending": 1, "rate": 0.0}),
        (Retention(6, ("astro/astropy",)), {"ada": None},
         {"retained": 0, "unknown": 1, "pending": 1, "rate": None}),
        (Retention(6, ("astro/astropy",)), {}, {"unknown": 1, "pending": 1, "rate": None}),
        (Retention(3, ("astro/astropy",)), {"ada": True, "fay": False},
         {"retained": 1, "not_retained": 1, "pending": 0, "rate": 0.5}),
        (Retention(7, ("astro/astropy",)), {"ada": True},
         {"retained": 0, "pending": 2, "rate": None}),
    ],
    ids=[
        "not-configured",
        "no-repositories",
        "retained-and-one-pending",
        "not-retained",
        "could-not-be-checked",
        "not-looked-up",
        "shorter-window-both-due",
        "longer-window-none-due",
    ],
)  # fmt: skip
def test_retention(setting, looked_up, expected):
    section = compute(prog=program(setting), retention=looked_up)["retention"]
    for key, value in expected.items():
        got = len(section[key]) if key == "graduates" else section[key]
        assert got == value, key
    if not section["configured"]:
        assert section["note"].startswith("Retention is not configured")


def test_retention_per_graduate():
    graduates = compute(retention={"ada": True})["retention"]["graduates"]
    assert graduates == [
        {"issue": 1, "login": "ada", "role": "maintainer", "graduated": "2026-05-10",
         "due": "2026-11-10", "state": "retained", "retained": True},
        {"issue": 6, "login": "fay", "role": "maintainer", "graduated": "2026-08-30",
         "due": "2027-02-28", "state": "pending", "retained": None},
    ]  # fmt: skip


def test_retention_logins_are_case_insensitive():
    loud = dataclasses.replace(FIXTURE[0], mentee="ADA")
    section = compute([loud], retention={"ada": True})["retention"]
    assert section["retained"] == 1


# --------------------------------------------------------------------------- the schema


def random_program(n: int) -> list[Mentorship]:
    out = []
    for i in range(1, n + 1):
        applied = d("2024-01-01") + timedelta(days=i % 900)
        steps = [(applied, "waiting" if i % 5 else "needs-info")]
        if i % 3:
            steps.append((applied + timedelta(days=i % 40), "active"))
            if i % 4 == 0:
                steps.append((applied + timedelta(days=100 + i % 200), "graduated"))
            elif i % 7 == 0:
                steps.append((applied + timedelta(days=60), "paused"))
        elif i % 2:
            steps.append((applied + timedelta(days=3), "declined"))
        mentors = [f"mentor-{i % 50}"] if len(steps) > 1 and steps[1][1] == "active" else []
        out.append(
            m(i, f"person-{i}", ["maintainer", "triager", "gone", None][i % 4], mentors,
              *[(day.isoformat(), status) for day, status in steps])
        )  # fmt: skip
    return out


@pytest.mark.parametrize(
    ("mentorships", "retention"),
    [
        ([], None),
        (FIXTURE, None),
        (FIXTURE, {"ada": True}),
        (random_program(2_000), {f"person-{i}": i % 2 == 0 for i in range(2_000)}),
    ],
    ids=["empty", "fixture", "fixture-with-retention", "2000-applications"],
)
def test_json_validates_against_the_schema(mentorships, retention):
    data = report.compute(mentorships, program(), TODAY, None, None, retention)
    VALIDATOR.validate(json.loads(json.dumps(data)))


def test_the_schema_is_valid_2020_12_and_documents_every_field():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for name, prop in SCHEMA["properties"].items():
        assert prop.get("description"), name


@pytest.mark.parametrize(
    "break_it",
    [
        lambda data: data.pop("totals"),
        lambda data: data["totals"]["status"].update(bogus=1),
        lambda data: data["retention"]["graduates"][0].update(state="maybe"),
        lambda data: data["by_cohort"][0].update(cohort="Q1"),
        lambda data: data.update(extra=True),
        lambda data: data["by_role"][0].update(colour="blue"),
        lambda data: data["totals"]["time_to_pairing_days"].update(median="8"),
    ],
    ids=[
        "missing-totals",
        "unknown-status",
        "unknown-state",
        "bad-cohort",
        "unknown-top-level",
        "unknown-role-field",
        "median-as-text",
    ],
)
def test_the_schema_rejects_broken_reports(break_it):
    data = json.loads(json.dumps(compute(retention={"ada": True})))
    break_it(data)
    assert not VALIDATOR.is_valid(data)


# --------------------------------------------------------------------------- Markdown


def test_markdown_has_tables_and_mermaid_charts():
    text = report.markdown(compute(retention={"ada": True}))
    assert "| Time to pairing, median / 90th percentile | 8 / 26 (5) |" in text
    assert "```mermaid\npie showData title Applications by status today\n" in text
    assert '    "Waiting for a mentor" : 1\n' in text
    assert '"Waiting for the applicant"' not in text  # zero slices are left out
    assert '    x-axis ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]\n' in text
    assert "    bar [2, 3, 2, 1]\n    line [2, 1, 1, 1]\n" in text
    assert "| 2026-Q2 | 3 | 1 | 0 | 1 | 0 | 1 | 0 | 4 / 4 (1) | — |" in text
    assert "| @\u200blin-mentor | 1 | 1 | 2 | 1 |" in text
    assert "| @\u200bstranger | 1 | not in roles.yml | 1 | 0 |" in text
    assert "| #1 | @\u200bada | 2026-05-10 | 2026-11-10 | yes |" in text
    assert "| #6 | @\u200bfay | 2026-08-30 | 2027-02-28 | not yet due |" in text
    assert "Retention rate: 100%." in text
    assert "1 graduate finished less than 6 months ago: not counted yet." in text
    assert text.count("```") % 2 == 0


def test_markdown_mentions_nobody():
    text = report.markdown(compute(retention={"ada": True}))
    assert re.search(r"@[A-Za-z0-9]", text) is None


@pytest.mark.parametrize(
    ("data", "present", "absent"),
    [
        (lambda: compute([]), ["No applications in this period."], ["```mermaid"]),
        (lambda: compute(prog=program(None)), ["Retention is not configured"], ["| Graduate |"]),
        (lambda: compute(since=d("2026-04-01")), ["applications from 2026-04-01 to today"], []),
        (lambda: compute(prog=program(roles=(dataclasses.replace(ROLES[0], name="A|B"),))),
         ["| A\\|B |"], ["| A|B |"]),
    ],
    ids=["no-applications", "retention-not-configured", "period-named", "pipes-escaped"],
)  # fmt: skip
def test_markdown_cases(data, present, absent):
    text = report.markdown(data())
    for expected in present:
        assert expected in text
    for unexpected in absent:
        assert unexpected not in text


def test_markdown_lists_at_most_200_graduates():
    many = [
        m(i, f"grad-{i}", "maintainer", ["ada-mentor"], ("2025-01-01", "waiting"),
          ("2025-01-02", "active"), ("2025-03-01", "graduated"))
        for i in range(1, 251)
    ]  # fmt: skip
    data = compute(many, retention={f"grad-{i}": True for i in range(1, 251)})
    assert len(data["retention"]["graduates"]) == 250
    text = report.markdown(data)
    assert text.count("| yes |") == 200
    assert "…and 50 more graduates (all are in the JSON report)." in text
