"""`mentoring demo`: its story's numbers agree everywhere, and its kept state can be explored.

One small demo (4 months, 4 applicants, seed 2) runs in this process and keeps its
state; the tests read what it printed (timeline, dashboard, report) and the
emulator's saved state, and check them against each other and against the
check-in schedule worked out here from the status cards' dates alone.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mentoring import demo
from mentoring.cli import App
from mentoring.core import markers
from mentoring.core.report import STATUS_WORDS
from mentoring.emulator import EmulatorServer
from mentoring.program import form
from mentoring.program.config import STATUSES, load_program
from tests.support import run_cli, writes

pytestmark = pytest.mark.e2e

REPO = "octo-org/mentoring"
MONTHS, APPLICANTS, SEED = 4, 4, 2
SETTINGS = load_program(demo.PROGRAM_DIR).settings
LABELS = SETTINGS.labels
EVERY = SETTINGS.checkins.every_days
ASSESS = SETTINGS.checkins.assessment_every
ESCALATE = SETTINGS.checkins.escalate_after_days
CLOSED = {"withdrawn": "not_planned", "declined": "not_planned", "graduated": "completed"}
LINE = re.compile(r"^(\d{4}-\d\d-\d\d)  (\S+)\s+(bot \(nightly\)|bot|@\S+)\s+(.*)$")
STATUS = re.compile(r"^→ status (?:(\S+) → )?(\S+)")


def day(text: str) -> date:
    return date.fromisoformat(text[:10])


@dataclass
class Story:
    """What one demo run printed and left in the emulator."""

    code: int
    out: str
    err: str
    env_kept: bool
    state_file: Path
    program: Path  # the program's files as on the default branch, written beside the state
    repo: dict[str, Any]  # the emulator's record of the program's repository

    @property
    def last(self) -> date:
        return demo.add_months(demo.START, MONTHS) - timedelta(days=1)

    def lines(self) -> list[tuple[date, str, str, str]]:
        found = []
        for line in self.out.splitlines():
            if match := LINE.match(line):
                found.append((day(match[1]), match[2], match[3], match[4]))
        return found

    def final_status(self) -> dict[int, str]:
        """Each issue's last status change shown in the timeline."""
        status = {}
        for _, where, _, what in self.lines():
            if match := STATUS.match(what):
                status[int(where.lstrip("#"))] = match[2]
        return status

    def section(self, title: str) -> str:
        """The lines under a heading (a title line over a rule), up to the next heading."""
        lines = self.out.splitlines()
        heads = [i for i in range(len(lines) - 1) if lines[i + 1] == demo.RULE]
        start = next(i for i in heads if lines[i].startswith(title))
        end = next((i for i in heads if i > start), len(lines))
        return "\n".join(lines[start + 2 : end])

    def labels(self, issue: dict[str, Any]) -> set[str]:
        names = {label["id"]: label["name"] for label in self.repo["labels"].values()}
        return {names[x] for x in issue["labels"]}

    def applications(self) -> dict[int, dict[str, Any]]:
        return {
            issue["number"]: issue
            for issue in self.repo["issues"].values()
            if LABELS.application in self.labels(issue) and issue["pull"] is None
        }

    def bot_comments(self, number: int, kind: str) -> list[tuple[dict[str, Any], dict]]:
        found = []
        for comment in sorted(self.repo["comments"].values(), key=lambda c: c["id"]):
            if comment["issue"] != number or comment["user"] != SETTINGS.bot_login:
                continue
            found += [(comment, data) for k, data in markers.parse(comment["body"]) if k == kind]
        return found

    def card(self, number: int) -> dict[str, Any]:
        return self.bot_comments(number, "card")[-1][1]


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Story:
    folder = tmp_path_factory.mktemp("demo")
    state_file = folder / "state.json"
    before = dict(os.environ)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = demo.run(
            App(Path("."), REPO, dry_run=False),
            months=MONTHS,
            applicants=APPLICANTS,
            seed=SEED,
            keep_state=str(state_file),
            over_http=True,  # the tests speak HTTP; the command answers in-process
        )
    data = json.loads(state_file.read_text(encoding="utf-8"))
    return Story(
        code,
        out.getvalue(),
        err.getvalue(),
        dict(os.environ) == before,
        state_file,
        folder / "demo-program",
        data["repos"][REPO.lower()],
    )


# --------------------------------------------------------------------------- the whole run


def test_the_demo_runs_clean_and_prints_every_section(story):
    assert story.code == 0, story.out[-3000:]
    assert story.env_kept  # GITHUB_* of the calling process are restored
    for title in ("Timeline", "Dashboard:", "Report:", "In numbers", "Explore it"):
        assert "\n" + title in story.out
    assert "\nProblems" not in story.out
    assert f"repository is {REPO}," in story.out  # the global --repo names the repository
    assert f"--state {story.state_file}" in story.out
    assert (story.program / "roles.yml").is_file()


def test_every_application_is_counted_once(story):
    applied = [line for line in story.lines() if line[3].startswith("applies")]
    report = story.section("Report:")
    assert len(applied) == APPLICANTS
    assert f"| Applications | {APPLICANTS} |" in report
    assert sorted(story.applications()) == sorted(int(w.lstrip("#")) for _, w, _, _ in applied)


@pytest.mark.parametrize("status", STATUSES, ids=STATUSES)
def test_report_timeline_and_labels_agree_on_each_status(story, status):
    report = story.section("Report:")
    row = re.search(rf"^\| {re.escape(STATUS_WORDS[status])} \| (\d+) \|$", report, re.M)
    in_report = int(row[1])
    in_timeline = sum(1 for s in story.final_status().values() if s == status)
    labelled = sum(
        1 for issue in story.applications().values() if LABELS.status(status) in story.labels(issue)
    )
    assert in_report == in_timeline == labelled
    assert f"{in_timeline} {status}" in story.section("In numbers") or in_timeline == 0


def test_the_story_has_each_kind_of_ending(story):
    ended = sorted(story.final_status().values())
    assert {"active", "withdrawn", "graduated"} <= set(ended)
    # a pause too (the new mentor's free places pair the pausing mentee early, so their
    # pause ends within these four months)
    assert any(what.startswith("→ status active → paused") for _, _, _, what in story.lines())


@pytest.mark.parametrize("status", ["active", "paused", *CLOSED], ids=["active", "paused", *CLOSED])
def test_issues_are_closed_exactly_when_their_mentorship_ended(story, status):
    chosen = [n for n, s in story.final_status().items() if s == status]
    for number in chosen:
        issue = story.repo["issues"][str(number)]
        expected = ("closed", CLOSED[status]) if status in CLOSED else ("open", None)
        assert (issue["state"], issue["state_reason"]) == expected, number


def test_applications_fixed_by_an_edit_went_from_needs_info_to_waiting(story):
    fixed = [w for _, w, who, what in story.lines() if what.startswith("edits the application")]
    assert len(fixed) == 2  # the unknown role and the unticked code of conduct
    for where in fixed:
        history = [status for _, status in story.card(int(where.lstrip("#")))["history"]]
        assert history[:3] == ["needs-info", "waiting", "active"]


# --------------------------------------------------------------------------- the dashboard


def test_the_dashboard_lists_exactly_the_active_and_paused_mentorships(story):
    board = story.section("Dashboard:")
    active = board.split("### Active mentorships", 1)[1].split("###", 1)[0]
    listed = {int(n) for n in re.findall(r"^\| #(\d+) \|", active, re.M)}
    status = story.final_status()
    assert listed == {n for n, s in status.items() if s in ("active", "paused")}
    now = re.search(r"\*\*Now:\*\* (\d+) active, (\d+) paused, (\d+) waiting", board)
    counted = [sum(1 for s in status.values() if s == name) for name in STATUSES[1:4]]
    assert [int(now[3]), int(now[1]), int(now[2])] == counted


def test_the_dashboard_shows_the_overdue_assessment(story):
    escalated = {n for n in story.applications() if story.bot_comments(n, "escalation")}
    assert escalated
    overdue = story.section("Dashboard:").split("### Assessments overdue", 1)[1].split("###")[0]
    assert {int(n) for n in re.findall(r"^\| #(\d+) \|", overdue, re.M)} == escalated


# --------------------------------------------------------------------------- check-ins


def expected_checkins(card: dict[str, Any], last: date) -> list[int]:
    """The check-ins owed, from the card's dates alone: every 30 days from the start, none
    while paused (a pause from P to R skips those due after P up to R), up to the end."""
    if not card["started"]:
        return []
    started = day(card["started"])
    history = [(day(d), s) for d, s in card["history"]]
    ended = next((d for d, s in history if s in CLOSED), last)
    pauses, since = [], None
    for d, s in history:
        if s == "paused":
            since = d
        elif since is not None:
            pauses.append((since, d))
            since = None
    if since is not None:
        pauses.append((since, last))
    owed, n = [], 1
    while (due := started + timedelta(days=n * EVERY)) <= ended:
        if not any(p < due <= r for p, r in pauses):
            owed.append(n)
        n += 1
    return owed


@pytest.mark.parametrize("index", range(APPLICANTS), ids=[f"applicant-{i + 1}" for i in range(4)])
def test_each_mentorship_got_the_checkins_its_dates_call_for(story, index):
    number = sorted(story.applications())[index]
    card = story.card(number)
    posted = story.bot_comments(number, "checkin")
    assert [data["n"] for _, data in posted] == expected_checkins(card, story.last)
    for comment, data in posted:
        assert comment["created_at"][:10] == data["due"]  # posted on the day it was due
        assert data["assessment"] == (data["n"] % ASSESS == 0)
    assert card["checkin"] == (posted[-1][1]["n"] if posted else 0)


def test_an_unanswered_assessment_was_escalated_once_after_14_days(story):
    escalations = [
        (c, data) for n in story.applications() for c, data in story.bot_comments(n, "escalation")
    ]
    assert escalations
    for comment, data in escalations:
        number = comment["issue"]
        asked = next(c for c, d in story.bot_comments(number, "checkin") if d["n"] == data["n"])
        assert day(comment["created_at"]) - day(asked["created_at"]) == timedelta(days=ESCALATE)
        mentors = {m.lower() for m in story.card(number)["mentors"]}
        between = [
            c
            for c in story.repo["comments"].values()
            if c["issue"] == number and asked["id"] < c["id"] < comment["id"]
        ]
        assert not [c for c in between if c["user"].lower() in mentors]
        shown = (day(comment["created_at"]), f"#{number}", "bot (nightly)")
        assert any(line[:3] == shown and "escalation" in line[3] for line in story.lines())
    assert len({(c["issue"], d["n"]) for c, d in escalations}) == len(escalations)


# --------------------------------------------------------------------------- graduation


def test_graduations_close_label_and_congratulate_once(story):
    graduated = [n for n, s in story.final_status().items() if s == "graduated"]
    assert graduated
    entries = (story.program / "participants.yml").read_text(encoding="utf-8")
    for number in graduated:
        issue = story.repo["issues"][str(number)]
        assert (issue["state"], issue["state_reason"]) == ("closed", "completed")
        assert LABELS.status("graduated") in story.labels(issue)
        assert len(story.bot_comments(number, "graduated")) == 1
        pulls = [
            i
            for i in story.repo["issues"].values()
            if i["pull"] and i["pull"]["merged"] and f"Closes #{number}" in (i["body"] or "")
        ]
        assert len(pulls) == 1
        assert f"issue: {number}\n" in entries and f"login: {issue['user']}\n" in entries


def test_the_graduation_check_said_what_to_fix_then_passed(story):
    pulls = [
        i for i in story.repo["issues"].values() if i["pull"] and i["user"] != SETTINGS.bot_login
    ]
    first = min(pulls, key=lambda i: i["number"])
    [(comment, data)] = story.bot_comments(first["number"], "graduation")
    assert data == {"ok": True} and comment["created_at"] != comment["updated_at"]
    said = [what for _, where, who, what in story.lines() if where == f"#{first['number']}"]
    assert any("Graduation check: 1 thing to fix" in x and "unknown role" in x for x in said)
    assert any(x.startswith("→ graduation (edited): Graduation check passed") for x in said)


def test_the_mentors_side_registration_approve_merge_then_suggested(story):
    lines = story.lines()
    login = demo.NEW_MENTOR[1]
    [(on, reg, _, what)] = [x for x in lines if x[2] == "@" + login and "registers" in x[3]]
    role = re.match(r"registers as a mentor for the (.+) role$", what)[1]
    said = [(d, who, w) for d, where, who, w in lines if where == reg]
    approved = next(d for d, who, w in said if w == "/approve" and who != "@" + login)
    assert any(w.startswith("→ mentors-reply: ✅ /approve: a pull request") for _, _, w in said)
    [(_, pull, _, _)] = [x for x in lines if x[3].startswith("→ opens pull request #")]
    assert story.repo["issues"][pull.lstrip("#")]["user"] == SETTINGS.bot_login
    [merged] = [
        d for d, _, _, w in lines if w.startswith(f"merges pull request {pull}, closing {reg}")
    ]
    assert any(w.startswith(f"→ registered: 🎉 @{login}") for _, _, w in said)
    assert on <= approved <= merged
    later = [w for d, _, _, w in lines if d >= merged and w.startswith("→ welcome:")]
    assert any(f"@{login}" in w for w in later)  # suggested from then on
    roles = (story.program / "roles.yml").read_text(encoding="utf-8")
    assert f"- login: {login}" in roles and role in roles


def test_the_mentors_side_nomination_then_the_nominator_suggested_first(story):
    lines = story.lines()
    [(on, _, nominator, what)] = [x for x in lines if x[3].startswith("nominates @")]
    nominee = re.match(r"nominates (@\S+) for the", what)[1]
    assert any(w.startswith(f"→ nomination: 👋 {nominee}, {nominator} thinks") for *_, w in lines)
    [(applied, issue, _, _)] = [x for x in lines if x[2] == nominee and x[3].startswith("applies")]
    assert on < applied
    welcome = next(w for _, where, _, w in lines if where == issue and w.startswith("→ welcome:"))
    assert welcome.split("Suggested mentors: ")[1].startswith(nominator)
    assert any(w == f"/mentor {nominator}" for _, where, _, w in lines if where == issue)


def test_the_mentors_side_away_then_back(story):
    lines = story.lines()
    [(gone, issue, mentor, what)] = [x for x in lines if x[3].startswith("/away until ")]
    until = date.fromisoformat(what.split()[-1])
    [back] = [d for d, where, who, w in lines if (where, who, w) == (issue, mentor, "/back")]
    assert gone < back < until
    said = [w for d, where, _, w in lines if where == issue and gone <= d <= back]
    assert any(
        w.startswith(f"→ away: 🌴 /away: noted, {mentor} is away until {until}") for w in said
    )
    assert any(f"{mentor} is away until {until}: it goes to" in w for w in said)  # a check-in
    assert any(w.startswith(f"→ away: 👋 /back: welcome back, {mentor}!") for w in said)
    assert "### Mentors away\n\nNobody." in story.section("Dashboard:")


# --------------------------------------------------------------------------- the kept state


@pytest.fixture
def kept(story, tmp_path):
    """The kept state served again, as `mentoring emulator --state FILE` does."""
    copy = tmp_path / "state.json"
    shutil.copy(story.state_file, copy)
    with EmulatorServer(state_file=copy) as emu:
        yield emu


def test_nightly_again_on_the_last_day_writes_nothing(story, kept):
    kept.state.clear_log()
    result = run_cli(
        "nightly",
        "--today",
        story.last.isoformat(),
        api_url=kept.url,
        root=story.program,
        repo=REPO,
        env={"GITHUB_SERVER_URL": demo.SERVER_URL},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert writes(kept.state.log()) == []
    assert "read: " in result.stdout


def test_report_against_the_kept_state_is_the_demos_report(story, kept):
    result = run_cli(
        "report", "--today", story.last.isoformat(), api_url=kept.url, root=story.program, repo=REPO
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == story.section("Report:").strip()


# --------------------------------------------------------------------------- the command


def test_the_command_runs_a_short_demo_the_same_way_every_time(tmp_path, monkeypatch):
    """The command (its bot answered in-process) prints what a run over HTTP prints."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))}
    args = ["demo", "--months", "2", "--applicants", "3"]
    result = subprocess.run(
        [sys.executable, "-m", "mentoring", *args],
        capture_output=True,
        text=True,
        env={**env, "PYTHONUTF8": "1"},
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert "repository is demo-org/mentoring," in result.stdout  # no --repo, no GITHUB_REPOSITORY
    assert re.search(r"^2026-01-05  #\d+ +@\S+ +applies for ", result.stdout, re.M)
    assert "Issue #1 “Mentoring dashboard”" in result.stdout
    assert "## Mentoring program report" in result.stdout
    assert "nightly passes" in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing kept without --keep-state

    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = demo.run(App(Path("."), None, False), months=2, applicants=3, seed=1, over_http=True)
    assert (code, out.getvalue()) == (0, result.stdout)


# --------------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("name", "action", "expected"),
    [
        ("issues", "opened", "issues"),
        ("issues", "edited", "issues"),
        ("issues", "labeled", None),
        ("issue_comment", "created", "issue_comment"),
        ("issue_comment", "edited", None),
        ("pull_request", "opened", "pull_request_target"),
        ("pull_request", "closed", "pull_request_target"),
        ("pull_request", "review_requested", None),
        ("pull_request_review", "submitted", None),
        ("push", None, None),
    ],
    ids=[
        "issue-opened",
        "issue-edited",
        "issue-labeled-no-workflow",
        "comment-created",
        "comment-edited-no-workflow",
        "pull-opened-as-target",
        "pull-closed-as-target",
        "pull-other-action",
        "review-no-workflow",
        "push-no-workflow",
    ],
)
def test_workflow_event_mirrors_the_workflow_triggers(name, action, expected):
    assert demo.workflow_event(name, action) == expected


CHECKIN = "### Check-in 3\n\n@a, @b: how is it going?\n\n"
PAIRED = (
    "✅ `/mentor`: x\n\n---\n\n### You are paired!\n\n@lin is now mentoring @\u200bada "
    "into the **Maintainer** role (since 2026-01-10).\n"
)


@pytest.mark.parametrize(
    ("kind", "body", "data", "expected"),
    [
        ("checkin", CHECKIN, {"n": 3, "assessment": True}, "check-in 3 with a progress assessment"),
        ("checkin", CHECKIN, {"n": 2, "assessment": False}, "check-in 2"),
        (
            "needs-info",
            "### Thanks!\n\nPlease fix:\n\n- **Role**: “X” is unknown.\n- **Name** is empty.\n",
            {},
            "Role: “X” is unknown; Name is empty",
        ),
        ("welcome", "### Welcome, Ada!\n\nThank you.\n", {}, "Welcome, Ada!"),
        (
            "paired",
            PAIRED,
            {},
            "@lin is now mentoring @ada into the Maintainer role (since 2026-01-10).",
        ),
        (
            "resumed",
            "@lin, @ada: the pause ended on 2026-05-01. Welcome back!\n",
            {},
            "The pause ended on 2026-05-01. Welcome back!",
        ),
        (
            "graduation",
            "### Graduation check: 1 thing to fix\n\nThanks!\n\n- **line 3**: unknown role\n",
            {"ok": False},
            "Graduation check: 1 thing to fix: line 3: unknown role",
        ),
        (
            "graduation",
            "### Graduation check passed ✔\n\n- ok\n",
            {"ok": True},
            "Graduation check passed ✔",
        ),
        ("command", "x" * 200, {}, "x" * 109 + "…"),
        ("command", "", {}, ""),
    ],
    ids=[
        "assessment",
        "plain-checkin",
        "needs-info-bullets",
        "welcome-heading",
        "paired-after-a-reply",
        "mentions-dropped",
        "check-failed",
        "check-passed",
        "long-cut",
        "empty",
    ],
)
def test_summary_is_one_line_a_person_would_take_away(kind, body, data, expected):
    assert demo.summary(kind, body, data) == expected


def card(status: str) -> str:
    return markers.make("card", {"status": status})


def w(what: str, kind: str = "", body: str = "", before: str = "", **data: Any) -> demo.BotWrite:
    return demo.BotWrite(7, what, kind, data, body, before, title="Mentoring dashboard")


@pytest.mark.parametrize(
    ("writes", "expected"),
    [
        ([w("comment", "card", card("needs-info"))], ["status needs-info"]),
        (
            [
                w("event", "assigned", assignee="lin"),
                w("edit", "card", card("active"), card("waiting")),
            ],
            ["status waiting → active · assigns @lin"],
        ),
        ([w("edit", "card", card("active"), card("active") + " ")], []),
        ([w("event", "labeled", label={"name": "status: active"})], []),
        ([w("event", "labeled", label={"name": "role: maintainer"})], []),
        (
            [w("event", "labeled", label={"name": "mentoring: needs coordinator"})],
            ["+label “mentoring: needs coordinator”"],
        ),
        ([w("event", "closed", state_reason="not_planned")], ["closes the issue (not_planned)"]),
        ([w("event", "locked")], []),
        (
            [
                w("issue", "dashboard"),
                w("event", "labeled", label={"name": "mentoring: dashboard"}),
            ],
            ["dashboard: opens issue #7 “Mentoring dashboard”"],
        ),
        (
            [w("edit", "needs-info", "### Thanks, your application is complete\n", "old")],
            ["needs-info (edited): Thanks, your application is complete"],
        ),
    ],
    ids=[
        "first-card",
        "paired-and-assigned",
        "card-edit-same-status",
        "status-label-hidden",
        "role-label-hidden",
        "flag-label-shown",
        "closed",
        "other-event-ignored",
        "new-issue-without-its-labels",
        "edited-comment",
    ],
)
def test_describe_says_what_changed_on_an_issue(writes, expected):
    assert demo.describe(writes, LABELS) == expected


@pytest.mark.parametrize("coc", [True, False], ids=["coc-ticked", "coc-unticked"])
def test_the_form_body_reads_back_as_the_form_would(coc):
    values = {"name": "Ada", "role": "Maintainer (maintainer)", "why": "Because.", "chat": ""}
    answers = form.parse(demo.form_body(values, coc))
    assert answers.looks_like_form
    assert (answers.get("name"), answers.get("role"), answers.coc) == ("Ada", values["role"], coc)
    assert answers.get("chat") == "" and answers.get("contributions") == ""


def test_months_count_calendar_months():
    assert demo.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert demo.add_months(demo.START, 12) == date(2027, 1, 5)
    assert datetime.combine(demo.START, demo.NIGHTLY_AT) < datetime.combine(
        demo.START, demo.DAY_STARTS
    )
