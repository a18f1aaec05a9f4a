"""The dashboard issue: its sections, its size under 2,000 mentorships, and when it is written."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from mentoring.core import dashboard, markers
from mentoring.core.model import AddLabels, Comment, CreateIssue, EditIssue, EnsureLabel, Issue
from mentoring.core.state import Mentorship
from mentoring.program.config import Mentor, Person, Program, Role, default_settings
from mentoring.program.templates import BUILTIN_DIR, MAX_BODY, Messages

BOT = "github-actions[bot]"
TODAY = date(2026, 3, 15)
REPORT_URL = "https://github.com/astro/mentoring/actions/workflows/mentoring-report.yml"
ROLES = (
    Role("maintainer", "Maintainer", "Merges.", (Mentor("ada-mentor", 2), Mentor("lin-mentor", 1))),
    Role("triager", "Issue triager", "Labels.", (Mentor("sam-mentor", 2),)),
    Role("docs-lead", "Documentation lead", "Docs.", (Mentor("lin-mentor", 1),)),
)
PROGRAM = Program(
    root=None,  # type: ignore[arg-type]  # nothing here reads files
    coordinators=(Person("octo-coordinator"),),
    roles=ROLES,
    settings=default_settings(),
    participants=(),
)
MESSAGES = Messages(None)
d = date.fromisoformat


def active(issue: int, mentee: str, started: str, **changes) -> Mentorship:
    start = d(started)
    applied = start - timedelta(days=5)
    m = Mentorship(
        issue=issue,
        mentee=mentee,
        status="active",
        role="maintainer",
        mentors=("ada-mentor",),
        applied=applied,
        started=start,
        history=((applied, "waiting"), (start, "active")),
    )
    return dataclasses.replace(m, **changes)


def waiting(issue: int, mentee: str, since: str, role: str = "triager") -> Mentorship:
    return Mentorship(
        issue=issue,
        mentee=mentee,
        status="waiting",
        role=role,
        applied=d(since),
        history=((d(since), "waiting"),),
    )


def render(mentorships, facts=None, *, today=TODAY, last_run=TODAY, url=REPORT_URL, **kw):
    return dashboard.render(
        mentorships, kw.get("program", PROGRAM), MESSAGES, today, last_run, url, facts
    )


def section(body: str, title: str) -> str:
    """The text of one ``### title`` section."""
    start = body.index(f"### {title}")
    end = body.find("\n### ", start + 1)
    return body[start : end if end != -1 else None]


def unanswered(asked: str, n: int = 3, answered: bool = False) -> dashboard.Facts:
    return dashboard.Facts(assessment=dashboard.Assessment(n, d(asked), answered))


# --------------------------------------------------------------------------- sections


@pytest.mark.parametrize(
    ("mentorships", "facts", "title", "present", "absent"),
    [
        ([], None, "Active mentorships", ["None yet."], ["| #"]),
        (
            [active(12, "ada-example", "2026-01-10", checkin=1)],
            None,
            "Active mentorships",
            [
                "| #12 | @\u200bada-example | Maintainer | @\u200bada-mentor "
                "| 2026-01-10 | 2026-03-11 |"
            ],
            ["(assessment)"],
        ),
        (
            [active(12, "ada-example", "2026-01-10", checkin=2)],
            None,
            "Active mentorships",
            ["| 2026-04-10 (assessment) |"],
            [],
        ),
        (
            [
                active(
                    12,
                    "ada-example",
                    "2026-01-10",
                    status="paused",
                    paused_until=d("2026-04-01"),
                )
            ],
            None,
            "Active mentorships",
            ["| paused until 2026-04-01 |"],
            ["2026-02-09"],
        ),
        (
            [active(12, "ada-example", "2026-01-10", ready=d("2026-03-01"))],
            None,
            "Active mentorships",
            ["ready to graduate since 2026-03-01"],
            [],
        ),
        (
            [active(12, "ada-example", "2026-01-10")],
            {12: dashboard.Facts(needs_coordinator=True)},
            "Active mentorships",
            ["| needs coordinator |"],
            [],
        ),
        (
            [active(12, "ada-example", "2026-01-10", mentors=("a1", "a2", "a3", "a4", "a5"))],
            None,
            "Active mentorships",
            ["@\u200ba1, @\u200ba2, @\u200ba3 and 2 more"],
            ["a4"],
        ),
        (
            [active(12, None, "2026-01-10")],
            None,
            "Active mentorships",
            ["| #12 | deleted account |"],
            [],
        ),
        (
            [active(12, "ada-example", "2026-01-10", status="graduated")],
            None,
            "Active mentorships",
            ["None yet."],
            ["#12"],
        ),
        (
            [active(12, "ada-example", "2026-01-10")],
            {12: unanswered("2026-03-01")},
            "Assessments overdue",
            ["| #12 | @\u200bada-example | @\u200bada-mentor | 3 | 2026-03-01 | 2026-03-15 |"],
            ["None."],
        ),
        (
            [active(12, "ada-example", "2026-01-10")],
            {12: unanswered("2026-03-02")},
            "Assessments overdue",
            ["None."],
            ["#12"],
        ),
        (
            [active(12, "ada-example", "2026-01-10")],
            {12: unanswered("2026-02-01", answered=True)},
            "Assessments overdue",
            ["None."],
            ["#12"],
        ),
        (
            [active(12, "ada-example", "2026-01-10", status="paused")],
            {12: unanswered("2026-02-01")},
            "Assessments overdue",
            ["None."],
            ["#12"],
        ),
        (
            [
                active(
                    12,
                    "ada-example",
                    "2026-01-10",
                    history=(
                        (d("2026-01-10"), "active"),
                        (d("2026-01-20"), "paused"),
                        (d("2026-02-10"), "active"),
                    ),
                )
            ],
            {12: unanswered("2026-02-01")},
            "Assessments overdue",
            ["None."],
            ["#12"],
        ),
        (
            [active(12, "ada-example", "2026-01-10", ready=d("2026-02-05"))],
            {12: unanswered("2026-02-01")},
            "Assessments overdue",
            ["None."],
            ["#12"],
        ),
        (
            [waiting(17, "cy-example", "2026-03-01"), waiting(18, "di-example", "2026-02-01")],
            None,
            "Waiting for a mentor",
            [
                "| #18 | @\u200bdi-example | Issue triager | 2026-02-01 | 42 |\n"
                "| #17 | @\u200bcy-example | Issue triager | 2026-03-01 | 14 |"
            ],
            ["No application is waiting"],
        ),
        (
            [waiting(17, "cy-example", "2026-03-01", role="astronaut")],
            None,
            "Waiting for a mentor",
            ["| astronaut |"],
            [],
        ),
        (
            [active(12, "ada-example", "2026-01-10", status="needs-info")],
            None,
            "Waiting for a mentor",
            ["No application is waiting for a mentor."],
            ["#12"],
        ),
        (
            [
                active(12, "ada", "2026-01-10", mentors=("lin-mentor",)),
                active(13, "bo", "2026-01-11", mentors=("LIN-MENTOR",), status="paused"),
                active(14, "cy", "2026-01-12", mentors=("ada-mentor", "stranger")),
                active(15, "di", "2026-01-12", mentors=("sam-mentor",), status="graduated"),
            ],
            None,
            "Mentor load",
            [
                "| @\u200blin-mentor | Maintainer, Documentation lead | 2 | 1 | over capacity |",
                "| @\u200bstranger | — | 1 | — | not a mentor in roles.yml |",
                "| @\u200bada-mentor | Maintainer | 1 | 2 | 1 free |",
                "| @\u200bsam-mentor | Issue triager | 0 | 2 | 2 free |",
            ],
            [],
        ),
    ],
    ids=[
        "no-mentorships",
        "active-row-next-checkin",
        "next-checkin-is-an-assessment",
        "paused-shows-until",
        "ready-to-graduate-flag",
        "needs-coordinator-flag",
        "many-mentors-are-counted",
        "deleted-mentee",
        "graduated-is-not-active",
        "assessment-overdue-today",
        "assessment-not-yet-overdue",
        "assessment-answered",
        "paused-assessment-not-overdue",
        "asked-before-the-pause-is-stale",
        "ready-answers-the-assessment",
        "waiting-longest-first-with-days",
        "waiting-unknown-role-shown-by-id",
        "needs-info-is-not-waiting",
        "mentor-load-against-capacity",
    ],
)
def test_sections(mentorships, facts, title, present, absent):
    text = section(render(mentorships, facts), title)
    for expected in present:
        assert expected in text
    for unexpected in absent:
        assert unexpected not in text


def test_over_capacity_and_unlisted_mentors_come_first():
    body = render([active(12, "ada", "2026-01-10", mentors=("lin-mentor", "zed-stranger"))])
    rows = [line for line in section(body, "Mentor load").splitlines() if line.startswith("| @")]
    assert [row.split(" | ")[0] for row in rows] == [
        "| @\u200bzed-stranger",
        "| @\u200bada-mentor",
        "| @\u200blin-mentor",
        "| @\u200bsam-mentor",
    ]


@pytest.mark.parametrize(
    ("last_run", "url", "present", "absent"),
    [
        (d("2026-03-14"), REPORT_URL, ["run:** 2026-03-14", f"]({REPORT_URL})"], []),
        (None, REPORT_URL, ["run:** none recorded yet"], []),
        (TODAY, None, [], ["monthly reports"]),
    ],
    ids=["last-run-and-link", "no-run-yet", "no-report-link"],
)
def test_header(last_run, url, present, absent):
    body = render([], last_run=last_run, url=url)
    head = body[: body.index("### ")]
    for expected in present:
        assert expected in head
    for unexpected in absent:
        assert unexpected not in head


def test_counts_line():
    body = render(
        [
            active(1, "a", "2026-01-10"),
            active(2, "b", "2026-01-10"),
            active(3, "c", "2026-01-10", status="paused"),
            waiting(4, "d", "2026-03-01"),
            active(5, "e", "2026-01-10", status="needs-info"),
            active(6, "f", "2026-01-10", status="graduated"),
        ]
    )
    assert (
        "**Now:** 2 active, 1 paused, 1 waiting for a mentor, 1 waiting for the applicant's answer"
    ) in body


def test_report_link_is_built_from_the_server_url():
    assert dashboard.report_link("https://ghe.example.com/", "astro/mentoring") == (
        "https://ghe.example.com/astro/mentoring/actions/workflows/mentoring-report.yml"
    )


def test_nobody_is_mentioned():
    body = render(
        [active(12, "ada", "2026-01-10"), waiting(13, "bo", "2026-03-01")],
        {12: unanswered("2026-02-01")},
    )
    assert re.search(r"@[A-Za-z0-9]", body) is None
    assert "@\u200bada" in body


def test_the_body_carries_the_marker_and_the_last_run():
    body = render([], last_run=d("2026-03-14"))
    assert markers.kinds(body) == {"dashboard"}
    issue = Issue(1, dashboard.TITLE, body, BOT, "open")
    assert dashboard.last_run_of(issue, BOT) == d("2026-03-14")
    forged = dataclasses.replace(issue, author="mallory")
    assert dashboard.last_run_of(forged, BOT) is None
    assert dashboard.last_run_of(None, BOT) is None


# --------------------------------------------------------------------------- the timeline


def gantt(body: str) -> str:
    return re.search(r"```mermaid\n(.*?)```", body, re.S).group(1)


@pytest.mark.parametrize(
    ("mentorship", "line"),
    [
        (active(12, "ada", "2026-01-10"), "ada (issue 12) :active, 2026-01-10, 2026-03-31"),
        (
            active(12, "ada", "2026-01-10", status="paused"),
            "ada (issue 12) :2026-01-10, 2026-03-31",
        ),
        (
            active(
                12,
                "ada",
                "2026-01-10",
                status="graduated",
                history=(
                    (d("2026-01-05"), "waiting"),
                    (d("2026-01-10"), "active"),
                    (d("2026-02-20"), "graduated"),
                ),
            ),
            "ada (issue 12) :done, 2026-01-10, 2026-02-20",
        ),
        (
            active(
                12,
                "ada",
                "2026-01-10",
                status="withdrawn",
                history=((d("2026-01-10"), "active"), (d("2026-01-10"), "withdrawn")),
            ),
            "ada (issue 12) :done, 2026-01-10, 2026-01-11",
        ),
        (active(12, None, "2026-01-10"), "deleted account (issue 12) :active,"),
    ],
    ids=[
        "ongoing-to-month-end",
        "paused-untagged",
        "graduated-ends",
        "same-day-gets-a-day",
        "ghost",
    ],
)
def test_timeline_bars(mentorship, line):
    chart = gantt(render([mentorship]))
    assert "dateFormat YYYY-MM-DD" in chart
    assert "section Maintainer" in chart
    assert line in chart


def test_never_paired_applications_are_not_drawn():
    body = render([waiting(17, "cy", "2026-03-01")])
    assert "```mermaid" not in body
    assert "No mentorship has started yet." in body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Maintainer", "Maintainer"),
        ("Docs: lead; #1 %% x", "Docs lead 1 x"),
        ("line\nbreak", "line break"),
        (":::", "-"),
        ("x" * 80, "x" * 60),
    ],
    ids=["plain", "colon-semicolon-hash-comment", "newline", "nothing-left", "long"],
)
def test_mermaid_text(text, expected):
    assert dashboard.mermaid_text(text) == expected


def test_the_text_does_not_change_from_day_to_day():
    """Without anyone waiting, two nights in the same month give the same body."""
    ms = [active(12, "ada", "2026-01-10", checkin=2), active(13, "bo", "2026-02-01")]
    assert render(ms, today=d("2026-03-15")) == render(ms, today=d("2026-03-16"))
    assert render(ms, today=d("2026-03-31")) != render(ms, today=d("2026-04-01"))


# --------------------------------------------------------------------------- size


def big_program(n: int, *, mentors_each: int = 2) -> list:
    statuses = ["active"] * 5 + ["paused", "waiting", "needs-info", "graduated", "withdrawn"]
    out = []
    for i in range(1, n + 1):
        status = statuses[i % len(statuses)]
        applied = TODAY - timedelta(days=10 + i % 700)
        start = applied + timedelta(days=7)
        history = [(applied, "waiting")]
        if status not in ("waiting", "needs-info"):
            history.append((start, "active"))
        if status in ("paused", "graduated", "withdrawn"):
            history.append((min(TODAY, start + timedelta(days=60)), status))
        out.append(
            Mentorship(
                issue=i,
                mentee=f"mentee-{i:05d}-" + "x" * 28,  # 39 characters, GitHub's longest
                status=status,
                role="maintainer",
                mentors=tuple(
                    f"mentor-{(i + k) % 450:03d}-" + "y" * 28 for k in range(mentors_each)
                ),
                applied=applied,
                started=start if len(history) > 1 else None,
                ready=TODAY if i % 11 == 0 else None,
                history=tuple(history),
            )
        )
    return out


def program_with_role_name(name: str) -> Program:
    roles = (dataclasses.replace(ROLES[0], name=name), *ROLES[1:])
    return dataclasses.replace(PROGRAM, roles=roles)


@pytest.mark.parametrize(
    ("n", "role_name", "mentors_each"),
    [(2_000, "Maintainer", 2), (2_000, "R" * 300, 8), (20_000, "Maintainer", 3)],
    ids=["2000-mentorships", "2000-with-long-names-and-many-mentors", "20000-mentorships"],
)
def test_stays_under_githubs_limit(n, role_name, mentors_each):
    mentorships = big_program(n, mentors_each=mentors_each)
    facts = {
        m.issue: dashboard.Facts(
            needs_coordinator=m.issue % 4 == 0,
            assessment=dashboard.Assessment(3, d("2026-02-01"), False),
        )
        for m in mentorships
        if m.issue % 3 == 0
    }
    body = render(mentorships, facts, program=program_with_role_name(role_name))
    assert len(body) < MAX_BODY
    assert re.search(r"…and [\d,]+ more active or paused mentorships\.", body)
    assert re.search(r"…and [\d,]+ more overdue assessments\.", body)
    assert re.search(r"…and [\d,]+ more applications waiting for a mentor", body)
    assert re.search(r"[\d,]+ earlier mentorships are not drawn", body)
    assert body.rstrip().endswith("-->")  # the marker survived
    shown = section(body, "Active mentorships").count("\n| #")
    more = int(re.search(r"…and ([\d,]+) more active", body).group(1).replace(",", ""))
    assert shown + more == sum(m.status in ("active", "paused") for m in mentorships)
    assert len(re.findall(r"^    .* :(active, |done, )?\d{4}-", gantt(body), re.M)) <= 60


def test_a_long_program_template_is_cut_to_fit(tmp_path):
    overrides = tmp_path / ".github" / "mentoring" / "messages"
    overrides.mkdir(parents=True)
    source = (BUILTIN_DIR / "dashboard.md").read_text(encoding="utf-8")
    head, _, body = source.partition("\n---\n")
    padding = "Words about the program that go on and on.\n" * 2_000
    (overrides / "dashboard.md").write_text(head + "\n---\n" + padding + body, encoding="utf-8")
    messages = Messages(tmp_path)
    assert messages.problems == []
    text = dashboard.render(big_program(50), PROGRAM, messages, TODAY, TODAY, None)
    assert len(text) < MAX_BODY
    assert "(the rest is left out to fit GitHub's size limit)" in text
    assert markers.kinds(text) == {"dashboard"}


# --------------------------------------------------------------------------- facts


def comment(cid: int, author: str, body: str, day: str, issue: int = 12) -> Comment:
    when = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return Comment(cid, issue, author, body, when, when)


def checkin(cid: int, day: str, *, assessment: bool, author: str = BOT, n: int = 3) -> Comment:
    marker = markers.make("checkin", {"n": n, "due": day, "assessment": assessment})
    return comment(cid, author, f"How is it going?\n\n{marker}", day)


@pytest.mark.parametrize(
    ("comments", "labels", "expected"),
    [
        ([], (), None),
        (
            [checkin(1, "2026-03-01T05:00:00", assessment=True)],
            (),
            dashboard.Facts(assessment=dashboard.Assessment(3, d("2026-03-01"), False)),
        ),
        (
            [
                checkin(1, "2026-03-01T05:00:00", assessment=True),
                comment(2, "ADA-MENTOR", "Going well, not ready yet.", "2026-03-02T10:00:00"),
            ],
            (),
            dashboard.Facts(assessment=dashboard.Assessment(3, d("2026-03-01"), True)),
        ),
        (
            [
                comment(2, "ada-mentor", "Before the check-in.", "2026-02-28T10:00:00"),
                checkin(3, "2026-03-01T05:00:00", assessment=True),
                comment(4, "ada", "The mentee answers, not the mentor.", "2026-03-02T10:00:00"),
            ],
            (),
            dashboard.Facts(assessment=dashboard.Assessment(3, d("2026-03-01"), False)),
        ),
        ([checkin(1, "2026-03-01T05:00:00", assessment=False, n=1)], (), None),
        ([checkin(1, "2026-03-01T05:00:00", assessment=True, author="mallory")], (), None),
        (
            [
                checkin(1, "2025-12-01T05:00:00", assessment=True),
                checkin(2, "2026-03-01T05:00:00", assessment=True, n=6),
            ],
            (),
            dashboard.Facts(assessment=dashboard.Assessment(6, d("2026-03-01"), False)),
        ),
        ([], ("mentoring: needs coordinator",), dashboard.Facts(needs_coordinator=True)),
        ([], ("mentoring: application",), None),
    ],
    ids=[
        "nothing",
        "assessment-asked",
        "mentor-answered",
        "only-the-mentee-answered-after",
        "plain-checkin-is-no-assessment",
        "forged-marker-ignored",
        "latest-assessment-counts",
        "needs-coordinator-label",
        "other-labels",
    ],
)
def test_collect_facts(comments, labels, expected):
    m = active(12, "ada", "2026-01-10")
    issue = Issue(12, "Application", "", "ada", "open", labels=labels)
    other = comment(99, "ada-mentor", "On another issue.", "2026-03-05T00:00:00", issue=13)
    facts = dashboard.collect_facts([issue], [*comments, other], [m], PROGRAM)
    assert facts.get(12) == expected
    carried = dataclasses.replace(issue, comments=tuple(comments))
    assert dashboard.collect_facts([carried], None, [m], PROGRAM).get(12) == expected


# --------------------------------------------------------------------------- the issue


def existing(body: str, *, author: str = BOT, state: str = "open", labels=None, number: int = 7):
    labels = ("mentoring: dashboard",) if labels is None else labels
    return Issue(number, dashboard.TITLE, body, author, state, labels=labels)


BODY = dashboard.render([], PROGRAM, MESSAGES, TODAY, TODAY, None)


@pytest.mark.parametrize(
    ("current", "expected_writes", "expected_notes"),
    [
        (
            None,
            [
                EnsureLabel(
                    0, "mentoring: dashboard", "0052cc", "The mentoring program's dashboard"
                ),
                CreateIssue(
                    0,
                    "Mentoring dashboard",
                    BODY,
                    labels=("mentoring: dashboard",),
                    key="dashboard",
                ),
            ],
            [],
        ),
        (existing(BODY), [], [(7, "dashboard unchanged")]),
        (existing("\n" + BODY + "\n\n"), [], [(7, "dashboard unchanged")]),
        (
            existing(BODY.replace("Active mentorships", "Mentorships")),
            [EditIssue(7, body=BODY)],
            [],
        ),
        (
            existing(BODY, labels=()),
            [
                EnsureLabel(
                    0, "mentoring: dashboard", "0052cc", "The mentoring program's dashboard"
                ),
                AddLabels(7, ("mentoring: dashboard",)),
            ],
            [],
        ),
        (
            existing("old", state="closed"),
            [EditIssue(7, body=BODY)],
            [(7, "the dashboard issue is closed; reopen it to see it listed")],
        ),
    ],
    ids=["none-yet", "unchanged", "only-whitespace", "changed", "label-removed", "closed"],
)
def test_plan(current, expected_writes, expected_notes):
    result = dashboard.plan(current, BODY, PROGRAM)
    assert list(result.writes) == expected_writes
    assert list(result.notes) == expected_notes


MARKED = "Dashboard\n\n" + markers.make("dashboard")


@pytest.mark.parametrize(
    ("issues", "expected"),
    [
        ([], None),
        ([existing(MARKED, number=3)], 3),
        ([existing(MARKED, author="mallory", number=3)], None),
        ([existing("no marker here", number=3)], None),
        ([dataclasses.replace(existing(MARKED, number=3), is_pull=True)], None),
        ([existing(MARKED, number=3, state="closed"), existing(MARKED, number=9)], 9),
        ([existing(MARKED, number=9), existing(MARKED, number=4)], 4),
        (
            [
                existing(MARKED, number=3, state="closed"),
                existing(MARKED, number=8, state="closed"),
            ],
            8,
        ),
    ],
    ids=[
        "none",
        "the-bots",
        "forged-by-someone-else",
        "bot-issue-without-marker",
        "pull-request",
        "open-before-closed",
        "oldest-open",
        "newest-closed",
    ],
)
def test_find(issues, expected):
    found = dashboard.find(issues, BOT)
    assert (found.number if found else None) == expected


def test_an_escalated_assessment_on_the_card_stays_overdue_without_its_comment():
    """The assessment was asked long before the comments the nightly reads: the card keeps it."""
    m = dataclasses.replace(active(12, "ada", "2026-01-10"), escalated=(3, d("2026-04-10")))
    issue = Issue(12, "Application", "", "ada", "open", labels=("mentoring: application",))
    facts = dashboard.collect_facts([issue], [], [m], PROGRAM)
    assert facts[12] == dashboard.Facts(assessment=dashboard.Assessment(3, d("2026-04-10"), False))
    body = dashboard.render([m], PROGRAM, MESSAGES, d("2026-07-01"), None, None, facts)
    overdue = body.split("### Assessments overdue", 1)[1].split("###", 1)[0]
    assert "#12" in overdue and "2026-04-24" in overdue  # overdue since asked + 14 days
