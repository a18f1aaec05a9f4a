"""The nightly pass against the emulator: a simulated year, catch-up, faults, limits, the CLI."""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from mentoring.cli import App
from mentoring.core import markers, schedule, state
from mentoring.core.model import Assign, Plan, Unassign
from mentoring.runners import run_nightly
from tests.support import REPO, REPO_ROOT, program_copy, run_cli, writes

BOT = "github-actions[bot]"
SETTINGS = "writes:\n  pace_seconds: 0\n  max_per_run: 200\n"
NEEDS = "mentoring: needs coordinator"
S = date(2026, 1, 5)  # the day most mentorships in these tests start


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def root(tmp_path):
    return program_copy(tmp_path, SETTINGS)


@pytest.fixture
def app(emulator, root, monkeypatch):
    monkeypatch.setenv("GITHUB_API_URL", emulator.url)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("GITHUB_TOKEN", "bot-token")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return App(root, None, False)


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def call(emu, method: str, path: str, token: str = "bot-token", body: Any = None) -> Any:
    request = urllib.request.Request(
        emu.url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def comment_as(emu, login: str, number: int, text: str, on: date) -> int:
    emu.state.set_now(at(on))
    return call(
        emu, "POST", f"/repos/{REPO}/issues/{number}/comments", f"as:{login}", {"body": text}
    )["id"]


def open_mentorship(emu, app, mentee: str, mentors=("ada-mentor",), started: date = S) -> int:
    """An application issue by ``mentee`` with the bot's card and labels, as pairing leaves it."""
    emu.state.set_now(at(started, 9))
    body = {"title": f"Mentoring application: {mentee}", "body": "### Role\n\nmaintainer"}
    number = call(emu, "POST", f"/repos/{REPO}/issues", f"as:{mentee}", body)["number"]
    m = state.Mentorship(
        issue=number,
        mentee=mentee,
        status="active",
        role="maintainer",
        mentors=tuple(mentors),
        applied=started,
        started=started,
        history=((started, "active"),),
    )
    gw = app.gateway()
    gw.apply(Plan(tuple(state.sync(gw.issue(number), None, m, app.program, app.messages))))
    gw.apply(Plan((Assign(number, tuple(mentors)),)))  # a paired mentor is assigned
    return number


def change_card(emu, app, number: int, on: date, change) -> None:
    """What another command (a /pause, a pairing) does to the card: the bot edits it."""
    emu.state.set_now(at(on))
    gw = app.gateway()
    issue = gw.issue(number)
    old = state.read(issue, BOT)
    new = change(old)
    gw.apply(Plan(tuple(state.sync(issue, old, new, app.program, app.messages))))


def night(emu, app, today: date) -> tuple[int, list[dict]]:
    """One nightly run at 05:17 UTC on ``today``: its exit code and the requests it made."""
    emu.state.set_now(at(today, 5, 17))
    emu.state.clear_log()
    code = run_nightly.run(app, today)
    return code, emu.state.log()


def bot_markers(app, number: int, kind: str) -> list[tuple[Any, dict]]:
    return markers.find(app.gateway().issue_comments(number), BOT, kind)


def card_of(app, number: int) -> state.Mentorship:
    return state.read(app.gateway().issue(number), BOT)


def card_text(app, m: state.Mentorship) -> str:
    return next(c.body for c in app.gateway().issue_comments(m.issue) if c.id == m.card_id)


def checkins_on(app, number: int) -> list[int]:
    return [data["n"] for _, data in bot_markers(app, number, "checkin")]


def posts(log: list[dict], number: int | None = None) -> list[dict]:
    suffix = f"/issues/{number}/comments" if number else "/comments"
    return [e for e in writes(log) if e["method"] == "POST" and e["path"].endswith(suffix)]


# --------------------------------------------------------------------------- the year


def test_a_year_of_nights(emulator, app):
    """Driven day by day for a year, with a 40-day outage of the scheduler in autumn."""
    emu = emulator
    answering = open_mentorship(emu, app, "ann", ("ada-mentor",))
    silent = open_mentorship(emu, app, "sid", ("sam-mentor",))
    pausing = open_mentorship(emu, app, "pia", ("rio-mentor",))
    closing = open_mentorship(emu, app, "cleo", ("kai-mentor",))
    early = open_mentorship(emu, app, "eli", ("lin-mentor",), started=S - timedelta(days=10))
    numbers = (answering, silent, pausing, closing, early)

    outage = {S + timedelta(days=d) for d in range(255, 295)}  # no run from day 255 to 294
    wrote_to_applications: set[date] = set()
    nightly_reads: dict[date, list[str]] = {}
    flags: list[date] = []
    for d in range(1, 366):
        today = S + timedelta(days=d)
        if today in outage:
            continue
        code, log = night(emu, app, today)
        assert code == 0, today
        nightly_reads[today] = [
            e["path"] + (" since" if "since" in e["query"] else "")
            for e in log
            if e["method"] == "GET"
        ]
        if any(e["path"] not in dashboard_paths(emu) for e in writes(log)):
            wrote_to_applications.add(today)
        if writes(log):
            code, again = night(emu, app, today)
            assert (code, writes(again)) == (0, []), f"second run on {today} wrote"
            for number in (answering, pausing):  # the card keeps up with what was posted
                m = card_of(app, number)
                assert m.checkin == max([0, *checkins_on(app, number)]), (today, number)
                shown = card_text(app, m)
                nxt = m.next_checkin(30)
                assert f"**Next check-in** | {nxt[1].isoformat() if nxt else '—'}" in shown
        # what people do after the night's run
        if any(e["path"] == f"/repos/{REPO}/issues/{answering}/labels" for e in writes(log)):
            flags.append(today)  # the coordinator reads the reply and takes the label off
            emu.state.set_now(at(today, 13))
            label = urllib.parse.quote(NEEDS)
            path = f"/repos/{REPO}/issues/{answering}/labels/{label}"
            call(emu, "DELETE", path, "as:octo-coordinator")
        for c, data in bot_markers(app, answering, "checkin"):
            if c.created_at.date() == today and data["assessment"]:
                comment_as(emu, "ada-mentor", answering, "Going well; not ready yet.", today)
        if d == 100:
            change_card(
                emu,
                app,
                pausing,
                today,
                lambda m: m.moved(
                    "paused", S + timedelta(days=100), paused_until=S + timedelta(days=160)
                ),
            )
        if d == 200:
            emu.state.set_now(at(today))
            call(
                emu,
                "PATCH",
                f"/repos/{REPO}/issues/{closing}",
                "as:octo-coordinator",
                {"state": "closed"},
            )

    checkins = {n: bot_markers(app, n, "checkin") for n in numbers}

    def ns(number):
        return [data["n"] for _, data in checkins[number]]

    def assessed(number):
        return [data["n"] for _, data in checkins[number] if data["assessment"]]

    # twelve check-ins a year, four of them with the assessment; one posted late after the outage
    for number in (answering, silent):
        assert ns(number) == list(range(1, 13))
        assert assessed(number) == [3, 6, 9, 12]
        late = [
            (data["n"], c.created_at.date())
            for c, data in checkins[number]
            if c.created_at.date() > date.fromisoformat(data["due"])
        ]
        assert late == [(9, S + timedelta(days=295))]

    # the outage spanned two of eli's check-ins: one catch-up, carrying the missed assessment
    assert ns(early) == [1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12]
    assert assessed(early) == [3, 6, 10, 12]

    # nothing while paused; a note on the day it ends; what fell due in the pause is not owed
    posted_on = [c.created_at.date() for c in app.gateway().issue_comments(pausing) if c.by(BOT)]
    assert not [d for d in posted_on if S + timedelta(days=100) <= d < S + timedelta(days=160)]
    assert ns(pausing) == [1, 2, 3, 6, 7, 8, 9, 10, 11, 12]
    assert assessed(pausing) == [3, 6, 9, 12]
    [(note, data)] = bot_markers(app, pausing, "resumed")
    assert note.created_at.date() == S + timedelta(days=160) == date.fromisoformat(data["on"])

    # nothing after closing
    assert ns(closing) == [1, 2, 3, 4, 5, 6]
    closed_on = S + timedelta(days=200)
    assert all(c.created_at.date() < closed_on for c in app.gateway().issue_comments(closing))

    # escalations: one per unanswered assessment, none where the mentor answered
    assert bot_markers(app, answering, "escalation") == []
    escalated = [
        (data["n"], c.created_at.date()) for c, data in bot_markers(app, silent, "escalation")
    ]
    assert escalated == [
        (3, S + timedelta(days=104)),
        (6, S + timedelta(days=194)),
        (9, S + timedelta(days=309)),  # asked late (day 295), so escalated late too
    ]

    # each answer flagged the mentorship once, the night after; taking the label off did not
    # bring the same answer back
    assert flags == [
        S + timedelta(days=91),
        S + timedelta(days=181),
        S + timedelta(days=296),
        S + timedelta(days=361),
    ]
    assert NEEDS not in app.gateway().issue(silent).labels

    # the cards stay true
    for number in (answering, silent, early):
        m = card_of(app, number)
        assert m.checkin == 12
        assert f"**Next check-in** | {schedule.due_date(m.started, 13, 30).isoformat()}" in (
            card_text(app, m)
        )

    # reads: two listings and participants.yml a night, never one request per issue. The comment
    # listing reaches further back only when a card is older than the window: everyone's on
    # the first night after the outage (the widened read is cheaper than reading those issues
    # one by one). Pia's long pause never needs it: her idle card is refreshed before it
    # leaves the window (checkins.keep_alive)
    issues, recent = f"/repos/{REPO}/issues", f"/repos/{REPO}/issues/comments since"
    labels = f"/repos/{REPO}/labels"  # read once in a run that may have to create a label
    first_night = S + timedelta(days=1)
    widened = []
    participants = f"/repos/{REPO}/contents/participants.yml"  # graduation, level-triggered
    for d, paths in nightly_reads.items():
        assert paths[:3] == [issues, participants, recent], (d, paths)
        rest = paths[3:]
        if rest[:1] == [recent]:
            widened.append(d)
            rest = rest[1:]
        # the dashboard issue (it holds the mentors' ledger), the open mentor
        # registrations and nominations come from the same listing of every open issue
        # (the program owns its repository); only on the first night, with no dashboard
        # yet, is it looked for by its label among the closed ones too
        if d == first_night:
            assert rest[:1] == [issues], d
            rest = rest[1:]
        if d in wrote_to_applications:
            # before writing, one listing of what changed since the read (a /pause meanwhile)
            assert rest[:1] == [f"{issues} since"], d
            rest = rest[1:]
        relabelled = d in flags or d == S + timedelta(days=160)  # a flag, or the resume
        expected = [labels] if relabelled else []
        if d == first_night:
            expected.append(labels)  # the dashboard is created, with its label
        assert rest == expected, d
    after_outage = S + timedelta(days=295)
    assert widened == [after_outage]


# --------------------------------------------------------------------------- faults

DUE = S + timedelta(days=30)  # check-in 1 of a mentorship started on S


@pytest.mark.parametrize(
    ("fault", "code", "bucket"),
    [
        ({"method": "GET", "path": r"/issues$", "status": 502}, 0, None),
        ({"method": "GET", "path": r"/issues/comments$", "status": 502}, 0, None),
        ({"method": "GET", "path": r"/issues$", "status": 403, "retry_after": 0}, 0, None),
        (
            {"method": "POST", "path": r"/issues/1/comments$", "status": 403, "retry_after": 0},
            0,
            None,
        ),
        (
            {"method": "POST", "path": r"/issues/1/comments$", "status": 429, "retry_after": 0},
            0,
            None,
        ),
        (
            {"method": "PATCH", "path": r"/issues/comments/\d+$", "status": 403, "retry_after": 0},
            0,
            None,
        ),
        ({"method": "POST", "path": r"/issues/1/comments$", "status": 502, "apply": True}, 0, None),
        (
            {
                "method": "POST",
                "path": r"/issues/1/comments$",
                "status": 403,
                "message": "Unable to create comment because issue is locked.",
            },
            0,
            "skipped",
        ),
        ({"method": "POST", "path": r"/issues/1/comments$", "status": 410}, 0, "skipped"),
        (
            {"method": "POST", "path": r"/issues/1/comments$", "status": 500, "count": 3},
            1,
            "failed",
        ),
    ],
    ids=[
        "502-on-the-issue-listing",
        "502-on-the-comment-listing",
        "secondary-rate-limit-on-a-read",
        "secondary-rate-limit-on-a-comment",
        "429-on-a-comment",
        "secondary-rate-limit-on-the-card-edit",
        "lost-response-502-on-a-comment",
        "locked-after-it-was-read",
        "deleted-after-it-was-read",
        "server-keeps-failing",
    ],
)
def test_faults_end_with_no_duplicate_and_nothing_lost(emulator, app, fault, code, bucket, capsys):
    emu = emulator
    first = open_mentorship(emu, app, "ann")
    second = open_mentorship(emu, app, "bea", ("lin-mentor",))
    assert (first, second) == (1, 2)
    emu.state.add_fault(fault)

    got, log = night(emu, app, DUE)
    out = capsys.readouterr().out
    assert got == code
    assert any(e["status"] == fault["status"] for e in log), "the fault was not hit"
    assert checkins_on(app, second) == [1]  # the other issue proceeds
    if bucket:
        assert re.search(rf"^{bucket}: 1 \(#1\)$", out, re.M), out
        assert f"{bucket}: #1: " in out or bucket == "skipped"
    else:
        assert checkins_on(app, first) == [1]
        assert "failed: 0 (none)" in out

    # the next run finishes what is left, without duplicates; the one after writes nothing
    emu.state.clear_faults()
    assert night(emu, app, DUE)[0] == 0
    for number in (first, second):
        assert checkins_on(app, number) == [1]
        assert card_of(app, number).checkin == 1
    assert writes(night(emu, app, DUE)[1]) == []


def test_a_locked_issue_is_skipped_with_a_note_until_unlocked(emulator, app, capsys):
    emu = emulator
    locked = open_mentorship(emu, app, "ann")
    other = open_mentorship(emu, app, "bea", ("lin-mentor",))
    emu.state.lock(REPO, locked)

    code, log = night(emu, app, DUE)
    out = capsys.readouterr().out
    assert code == 0
    assert posts(log, locked) == [] and len(posts(log, other)) == 1
    assert f"skipped: 1 (#{locked})" in out
    assert f"skipped: #{locked}: locked: checkin not posted" in out.splitlines()

    call(emu, "DELETE", f"/repos/{REPO}/issues/{locked}/lock")
    assert night(emu, app, DUE + timedelta(days=1))[0] == 0
    assert checkins_on(app, locked) == [1]


def test_a_deleted_account_does_not_stop_the_pass(emulator, app):
    emu = emulator
    gone = open_mentorship(emu, app, "ann")
    other = open_mentorship(emu, app, "bea", ("lin-mentor",))
    comment_as(emu, "ann", gone, "Thanks for the pairing!", S + timedelta(days=2))
    emu.state.delete_user("ann")

    code, _ = night(emu, app, DUE)
    assert code == 0
    assert checkins_on(app, gone) == [1] and checkins_on(app, other) == [1]


def chatter(emu, count: int, on: date) -> None:
    """Busy comments on an unrelated issue: enough to make the window's listing long."""
    emu.state.set_now(at(on))
    number = call(emu, "POST", f"/repos/{REPO}/issues", "as:zed", {"title": "Chat"})["number"]
    for i in range(count):
        call(emu, "POST", f"/repos/{REPO}/issues/{number}/comments", "as:zed", {"body": f"#{i}"})


def waiting_application(emu, app, mentee: str, on: date) -> int:
    number = open_mentorship(emu, app, mentee, started=on)
    change_card(
        emu,
        app,
        number,
        on,
        lambda m: state.Mentorship(
            issue=m.issue,
            mentee=m.mentee,
            status="waiting",
            role=m.role,
            applied=on,
            history=((on, "waiting"),),
        ),
    )
    app.gateway().apply(Plan((Unassign(number, ("ada-mentor",)),)))  # waiting: nobody assigned
    return number


def test_an_old_card_is_read_by_widening_the_window_when_that_is_cheaper(emulator, app, capsys):
    emu = emulator
    today = S + timedelta(days=100)
    number = waiting_application(emu, app, "wes", S)  # its card is 100 days old
    _, log = night(emu, app, today)
    assert len(posts(log, number)) == 1  # the coordinators are nudged
    comment_reads = [e for e in log if e["path"].endswith("/issues/comments")]
    assert len(comment_reads) == 2
    assert not any(e["path"].endswith(f"/issues/{number}") for e in log)
    assert "read one by one" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("fault", "code", "outcome"),
    [
        (None, 0, "read one by one (status card older): #1"),
        ({"method": "GET", "path": r"/issues/1$", "status": 410}, 0, "skipped: 1 (#1)"),
        ({"method": "GET", "path": r"/issues/1$", "status": 404}, 0, "skipped: 1 (#1)"),
    ],
    ids=["read-alone", "deleted-meanwhile", "gone-meanwhile"],
)
def test_the_exception_path_reads_an_old_card_alone(emulator, app, capsys, fault, code, outcome):
    emu = emulator
    today = S + timedelta(days=100)
    number = waiting_application(emu, app, "wes", S)
    chatter(emu, 101, today - timedelta(days=1))  # widening would cost more than one issue
    if fault:
        emu.state.add_fault(fault)
    got, log = night(emu, app, today)
    out = capsys.readouterr().out
    assert got == code
    assert outcome in out
    assert len([e for e in log if e["path"].endswith("/issues/comments")]) == 2  # two pages
    assert len(posts(log, number)) == (0 if fault else 1)


# --------------------------------------------------------------------------- limits


def test_writes_over_the_cap_are_deferred_whole_most_overdue_first(emulator, app, tmp_path, capsys):
    emu = emulator
    (tmp_path / "capped").mkdir()
    settings = "writes:\n  pace_seconds: 0\n  max_per_run: 3\n"
    capped = App(program_copy(tmp_path / "capped", settings), None, False)
    numbers = [open_mentorship(emu, app, login) for login in ("ann", "bea")]
    numbers.append(open_mentorship(emu, app, "cy", started=S - timedelta(days=5)))  # overdue

    def wrote(log):
        return sorted({int(e["path"].split("/")[-2]) for e in posts(log)})

    code, log = night(emu, capped, DUE)
    assert code == 0
    assert len(writes(log)) == 2  # one issue: check-in and card; the next would not fit whole
    assert wrote(log) == [3]  # the check-in waiting longest goes first
    # the rest wait for the next run, the dashboard (two writes to create it) included
    assert "deferred: 6 (repo, #1, #2)" in capsys.readouterr().out

    code, log = night(emu, capped, DUE)
    assert wrote(log) == [1] and "deferred: 4 (repo, #2)" in capsys.readouterr().out
    assert wrote(night(emu, capped, DUE)[1]) == [2]
    assert [checkins_on(app, n) for n in numbers] == [[1], [1], [1]]
    created = writes(night(emu, capped, DUE)[1])  # the dashboard's turn, last
    assert [(e["method"], e["path"].rsplit("/", 1)[-1]) for e in created] == [
        ("POST", "labels"),
        ("POST", "issues"),
    ]
    assert writes(night(emu, capped, DUE)[1]) == []


def test_progress_line_only_on_a_terminal(monkeypatch, capsys):
    plans = [Plan()] * 60

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with run_nightly._progress(plans, 60) as items:
        assert list(items) == plans
    assert sys.stderr.getvalue() == ""  # not a terminal: nothing

    monkeypatch.setattr(sys, "stdout", Terminal())
    with run_nightly._progress(plans, 60) as items:
        assert list(items) == plans
    assert "60 applications" in sys.stderr.getvalue()

    with run_nightly._progress(plans[:10], 10) as items:
        assert items == plans[:10]  # few issues: no progress line


# --------------------------------------------------------------------------- the command


def test_cli_nightly_posts_once_and_writes_the_step_summary(emulator, root, tmp_path, monkeypatch):
    emu = emulator
    monkeypatch.setenv("GITHUB_API_URL", emu.url)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("GITHUB_TOKEN", "bot-token")
    number = open_mentorship(emu, App(root, None, False), "ann")
    summary = tmp_path / "summary.md"
    emu.state.set_now(at(DUE, 5, 17))

    dry = run_cli("--dry-run", "nightly", "--today", DUE.isoformat(), api_url=emu.url, root=root)
    assert dry.returncode == 0, dry.stderr
    assert "Check-in 1" in dry.stdout and "would write: 4 (repo, #1)" in dry.stdout

    emu.state.clear_log()
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    result = run_cli("nightly", "--today", DUE.isoformat(), api_url=emu.url, root=root, env=env)
    assert result.returncode == 0, result.stderr
    assert "written: 4 (repo, #1)" in result.stdout  # check-in, card; dashboard label, issue
    assert [e["method"] for e in writes(emu.state.log())] == ["POST", "PATCH", "POST", "POST"]
    text = summary.read_text(encoding="utf-8")
    assert f"### Nightly pass for {DUE.isoformat()}" in text and "| written | #1 |" in text
    assert "read: 1 open applications" in text
    assert result.stderr == ""  # no progress line when not on a terminal

    emu.state.clear_log()
    again = run_cli("nightly", "--today", DUE.isoformat(), api_url=emu.url, root=root)
    assert again.returncode == 0 and writes(emu.state.log()) == []
    assert checkins_on(App(root, None, False), number) == [1]


def test_cli_nightly_refuses_a_bad_date(emulator, root):
    result = run_cli("nightly", "--today", "2026-13-01", api_url=emulator.url, root=root)
    assert result.returncode == 2
    assert "is not a date" in result.stderr


def test_the_benchmark_runs_and_meets_its_targets_at_a_small_size(capsys):
    spec = importlib.util.spec_from_file_location("bench", REPO_ROOT / "benchmarks" / "nightly.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--n", "40"]) == 0
    figures = json.loads(capsys.readouterr().out)
    # the first pass also creates the dashboard, which lists the repo's labels once
    assert figures["reads"] == figures["read_lower_bound"] + 1 and figures["exception_reads"] == 0
    # the second pass writes nothing, so it does not ask whose its token is, and it finds
    # the dashboard the first one created among the open issues
    parts = figures["read_lower_bound_parts"]
    assert figures["second_pass_reads"] == (
        figures["read_lower_bound"] - parts["identity_check"] - parts["dashboard_pages"]
    )
    assert figures["second_pass_writes"] == 0 and all(figures["targets_met"].values())


# --------------------------------------------------------------------------- the dashboard


def dashboard_paths(emu) -> set[str]:
    """The requests that write the dashboard (its label, its issue), not an application."""
    found = call(emu, "GET", f"/repos/{REPO}/issues?labels=mentoring:%20dashboard&state=all")
    numbers = [i["number"] for i in found]
    return {f"/repos/{REPO}/labels", f"/repos/{REPO}/issues"} | {
        f"/repos/{REPO}/issues/{n}" for n in numbers
    }


def dashboard_issue(emu) -> dict:
    found = call(emu, "GET", f"/repos/{REPO}/issues?labels=mentoring:%20dashboard&state=all")
    assert len(found) == 1, found
    return found[0]


def test_the_nightly_keeps_the_dashboard_and_its_last_successful_run(emulator, app):
    emu = emulator
    ann = open_mentorship(emu, app, "ann")
    night(emu, app, DUE)
    body = dashboard_issue(emu)["body"]
    assert f"**Last successful nightly run:** {DUE.isoformat()}" in body
    assert f"| #{ann} |" in body and "@\u200bann" in body  # listed, never pinged
    assert "1 active" in body

    # a failed run (the check-in cannot be posted) leaves the last successful run as it was
    next_due = DUE + timedelta(days=30)
    emu.state.add_fault({"method": "POST", "path": "/comments$", "status": 500, "count": 10})
    code, _ = night(emu, app, next_due)
    assert code == 1
    assert f"**Last successful nightly run:** {DUE.isoformat()}" in dashboard_issue(emu)["body"]

    emu.state.clear_faults()
    assert night(emu, app, next_due)[0] == 0
    assert f"run:** {next_due.isoformat()}" in dashboard_issue(emu)["body"]
    assert writes(night(emu, app, next_due)[1]) == []  # and unchanged on a second run


# --------------------------------------------------------------------------- a race with events


def test_a_change_made_while_the_pass_runs_is_not_overwritten(emulator, app, capsys):
    """A /pause handled by the events workflow between the pass's read and its writes
    must survive: the pass leaves that issue for the next run instead of writing a card
    it read before the pause."""
    emu = emulator
    ann = open_mentorship(emu, app, "ann")
    bea = open_mentorship(emu, app, "bea")
    emu.state.set_now(at(DUE, 5, 17))
    gateway = app.gateway()
    snapshot = run_nightly.collect(gateway, app.program, DUE)
    plans = run_nightly.decide(snapshot, app.program, app.messages)
    assert {w.issue for p in plans for w in p.writes} == {ann, bea}  # both owe check-in 1

    emu.state.set_now(at(DUE, 5, 18))  # meanwhile, ann pauses
    change_card(emu, app, ann, DUE, lambda m: m.moved("paused", DUE, paused_until=None))
    emu.state.set_now(at(DUE, 5, 19))
    report = run_nightly.apply(gateway, plans, snapshot, app.program)

    assert run_nightly.CHANGED_SINCE_READ in report.deferred[ann]
    assert card_of(app, ann).status == "paused"  # the pause survived
    assert checkins_on(app, ann) == [] and checkins_on(app, bea) == [1]
    # the next run sees the pause: nothing is owed while paused
    emu.state.set_now(at(DUE, 6, 0))
    assert run_nightly.run(app, DUE) == 0
    assert checkins_on(app, ann) == [] and card_of(app, ann).status == "paused"


# --------------------------------------------------------------------------- level-triggered


def put_participants(emu, text: str) -> None:
    """Commit participants.yml on the default branch, as a merged pull request leaves it."""
    path = f"/repos/{REPO}/contents/participants.yml"
    try:
        sha = call(emu, "GET", path, "as:octo-coordinator")["sha"]
    except urllib.error.HTTPError:
        sha = None
    body = {"message": "Add a graduate", "content": base64.b64encode(text.encode()).decode()}
    if sha:
        body["sha"] = sha
    call(emu, "PUT", path, "as:octo-coordinator", body)


def test_a_graduate_listed_in_participants_yml_is_graduated_by_the_nightly(emulator, app):
    """A merged graduation pull request whose own run was lost (or without `Closes #N`)."""
    emu = emulator
    number = open_mentorship(emu, app, "gia", ("ada-mentor",))
    other = open_mentorship(emu, app, "ola", ("lin-mentor",))
    closed = open_mentorship(emu, app, "cy", ("kai-mentor",))
    merged = S + timedelta(days=99)
    emu.state.set_now(at(merged))
    entry = "  - name: {0}\n    login: {0}\n    role: maintainer\n    issue: {1}\n"
    entry += f"    mentors: [ada-mentor]\n    started: {S}\n    graduated: {merged}\n"
    put_participants(
        emu, "participants:\n" + entry.format("gia", number) + entry.format("cy", closed)
    )
    # "Closes #N" closed cy's issue on the merge; the merge's own run was lost
    change = {"state": "closed", "state_reason": "completed"}
    call(emu, "PATCH", f"/repos/{REPO}/issues/{closed}", "as:octo-coordinator", change)
    today = S + timedelta(days=101)
    code, log = night(emu, app, today)
    assert code == 0
    gone = card_of(app, closed)
    assert gone.status == "graduated" and gone.history[-1] == (merged, "graduated")
    assert len(bot_markers(app, closed, "graduated")) == 1
    issue = app.gateway().issue(number)
    m = state.read(issue, BOT)
    assert m.status == "graduated" and m.history[-1] == (today, "graduated")
    assert issue.state == "closed" and "status: graduated" in issue.labels
    assert len(bot_markers(app, number, "graduated")) == 1
    assert card_of(app, other).status == "active"  # not listed: left alone
    code, log = night(emu, app, today)
    assert code == 0 and not any(f"/issues/{number}" in e["path"] for e in writes(log))


def test_in_the_steady_state_closed_applications_are_listed_only_when_one_is_unfinished(
    emulator, app
):
    """Every open card is in the window: a closed application whose card still shows it open
    is seen there, so a quiet night does not list the closed ones; a lost merge is still found."""
    emu = emulator
    done = open_mentorship(emu, app, "gia", ("ada-mentor",))
    closing = open_mentorship(emu, app, "cy", ("kai-mentor",))
    entry = "  - name: {0}\n    login: {0}\n    role: maintainer\n    issue: {1}\n"
    entry += f"    mentors: [ada-mentor]\n    started: {S}\n    graduated: {S}\n"
    closed_listing = f"/repos/{REPO}/issues"

    def closed_listings(log):
        return [
            e for e in log if e["path"] == closed_listing and e["query"].get("state") == "closed"
        ]

    put_participants(emu, "participants:\n" + entry.format("gia", done))
    call(
        emu,
        "PATCH",
        f"/repos/{REPO}/issues/{done}",
        "as:octo-coordinator",
        {"state": "closed", "state_reason": "completed"},
    )
    code, log = night(emu, app, S + timedelta(days=1))  # gia's lost merge: found, finished
    assert code == 0 and card_of(app, done).status == "graduated"
    assert len(closed_listings(log)) == 1
    code, log = night(emu, app, S + timedelta(days=2))  # a quiet night: nothing unfinished
    assert code == 0 and closed_listings(log) == []
    merged = S + timedelta(days=3)
    emu.state.set_now(at(merged))
    put_participants(
        emu, "participants:\n" + entry.format("gia", done) + entry.format("cy", closing)
    )
    call(
        emu,
        "PATCH",
        f"/repos/{REPO}/issues/{closing}",
        "as:octo-coordinator",
        {"state": "closed", "state_reason": "completed"},
    )
    code, log = night(emu, app, S + timedelta(days=4))
    assert code == 0 and len(closed_listings(log)) == 1
    assert card_of(app, closing).status == "graduated"


def test_a_lost_pause_until_a_date_is_answered_by_the_nightly_and_ends_on_that_date(emulator, app):
    emu = emulator
    number = open_mentorship(emu, app, "pat", ("ada-mentor",))
    given = S + timedelta(days=20)
    comment_as(emu, "pat", number, f"/pause until {given + timedelta(days=5)}", given)  # lost
    code, _ = night(emu, app, given + timedelta(days=1))
    assert code == 0
    m = card_of(app, number)
    assert m.status == "paused" and m.since("paused") == given
    (reply,) = [c for c, _ in bot_markers(app, number, "command")]
    assert f"(given on {given}" in reply.body
    night(emu, app, given + timedelta(days=7))  # the nightly after the pause's end
    m = card_of(app, number)
    assert m.status == "active" and m.history[-1] == (given + timedelta(days=5), "active")
