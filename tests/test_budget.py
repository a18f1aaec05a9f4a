"""The API budget, the API's clock and the bot's identity, against the emulator's headers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, date, datetime, timedelta

import pytest

from mentoring import gateway
from mentoring.cli import App
from mentoring.core import budget, markers
from mentoring.core.model import Plan, PostComment
from mentoring.errors import MentoringError
from mentoring.gateway import Gateway, Target
from mentoring.runners import run_nightly
from tests.support import REPO, program_copy
from tests.test_nightly_e2e import S, at, open_mentorship

BOT = "github-actions[bot]"


def request(emu, method: str, path: str, token: str | None = "bot-token", body=None):
    """(status, headers, JSON body) of one request, errors included."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"token {token}"
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(emu.url + path, method=method, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req) as response:
            raw = response.read()
            return response.status, response.headers, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read() or b"null")


# --------------------------------------------------------------------------- the emulator


def test_the_emulator_counts_down_and_refuses_past_its_limit(emulator):
    emulator.state.set_rate_limit(3)
    answers = [request(emulator, "GET", f"/repos/{REPO}/issues") for _ in range(3)]
    assert [a[0] for a in answers] == [200, 200, 200]
    assert [a[1]["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert answers[-1][1]["X-RateLimit-Used"] == "3"
    assert answers[-1][1]["X-RateLimit-Limit"] == "3"
    assert answers[-1][1]["X-RateLimit-Resource"] == "core"
    assert int(answers[-1][1]["X-RateLimit-Reset"]) > datetime.now(UTC).timestamp()

    status, headers, body = request(emulator, "GET", f"/repos/{REPO}/issues")
    assert status == 403 and body["message"].startswith("API rate limit exceeded")
    assert headers["X-RateLimit-Remaining"] == "0"
    # GET /rate_limit does not count, and still answers.
    status, _, body = request(emulator, "GET", "/rate_limit")
    assert status == 200 and body["resources"]["core"]["remaining"] == 0
    # Another token has its own hour; people without a token get a 429.
    assert request(emulator, "GET", f"/repos/{REPO}/issues", "as:ann")[0] == 200
    emulator.state.set_rate_limit(0)
    assert request(emulator, "GET", f"/repos/{REPO}/issues", None)[0] == 429


def test_the_rate_limit_is_set_through_the_control_endpoint(emulator):
    status, _, body = request(emulator, "POST", "/_emulator/rate-limit", None, {"limit": 7})
    assert (status, body) == (200, {"limit": 7})
    assert request(emulator, "GET", "/rate_limit")[2]["rate"]["limit"] == 7
    bad = request(emulator, "POST", "/_emulator/rate-limit", None, {"limit": -1})
    assert bad[0] == 422 and "at least 0" in bad[2]["message"]


def test_each_hour_of_the_emulators_clock_has_its_own_count(emulator):
    emulator.state.set_rate_limit(1)
    emulator.state.set_now(datetime(2026, 3, 1, 5, tzinfo=UTC))
    assert request(emulator, "GET", f"/repos/{REPO}/issues")[0] == 200
    assert request(emulator, "GET", f"/repos/{REPO}/issues")[0] == 403
    emulator.state.set_now(datetime(2026, 3, 1, 6, 1, tzinfo=UTC))
    assert request(emulator, "GET", f"/repos/{REPO}/issues")[0] == 200


def test_the_date_header_is_the_emulators_clock(emulator):
    emulator.state.set_now(datetime(2027, 2, 3, 4, 5, 6, tzinfo=UTC))
    _, headers, _ = request(emulator, "GET", "/rate_limit")
    assert headers["Date"] == "Wed, 03 Feb 2027 04:05:06 GMT"


def test_get_user_answers_a_personal_token_and_refuses_the_workflow_token(emulator):
    status, _, body = request(emulator, "GET", "/user", "as:lin")
    assert (status, body["login"]) == (200, "lin")
    status, _, body = request(emulator, "GET", "/user", "ghs_workflow")
    assert (status, body["message"]) == (403, "Resource not accessible by integration")


# --------------------------------------------------------------------------- the gateway


def gateway_for(emu, token: str = "bot-token", **options) -> Gateway:
    return Gateway(Target(api_url=emu.url, repo=REPO, token=token), pace_seconds=0, **options)


def test_today_comes_from_the_api_with_no_counted_request(emulator):
    emulator.state.set_now(datetime(2027, 5, 6, 23, 59, tzinfo=UTC))
    gw = gateway_for(emulator)
    assert gw.today() == date(2027, 5, 6)
    assert [e["path"] for e in emulator.state.log()] == ["/rate_limit"]
    emulator.state.clear_log()
    gw.issues()  # a read happens anyway: its Date header is used
    emulator.state.set_now(datetime(2027, 5, 7, 0, 1, tzinfo=UTC))
    gw.issues()
    assert gw.today() == date(2027, 5, 7)
    assert [e["path"] for e in emulator.state.log()] == [f"/repos/{REPO}/issues"] * 2


def test_the_budget_is_read_from_the_last_response(emulator):
    emulator.state.set_rate_limit(50)
    gw = gateway_for(emulator, reserve=45)
    assert gw.budget() is None  # nothing read yet, and no request made to find out
    gw.issues()
    assert (gw.budget().limit, gw.budget().remaining) == (50, 49)
    for _ in range(4):
        gw.issues()
    assert gw.budget().remaining == 45
    with pytest.raises(gateway.OutOfBudget):  # one more would eat into the reserve of 45
        gw.issues()
    assert len(emulator.state.log()) == 5


def post(number: int) -> Plan:
    return Plan((PostComment(number, "Hello", key="test"),))


@pytest.mark.parametrize(
    "token, refused",
    [
        pytest.param("as:maintainer", True, id="personal-token-of-someone-else"),
        pytest.param("as:github-actions[bot]", False, id="the-bot-itself"),
        pytest.param("ghs_installation", False, id="workflow-token-refused-by-get-user"),
    ],
)
def test_writing_as_someone_else_is_refused_with_one_line(emulator, token, refused):
    number = request(emulator, "POST", f"/repos/{REPO}/issues", "as:ann", {"title": "x"})[2]
    gw = gateway_for(emulator, token=token)
    if refused:
        with pytest.raises(MentoringError) as caught:
            gw.apply(post(number["number"]))
        message = str(caught.value)
        assert "maintainer" in message and "--dry-run" in message and "\n" not in message
        assert not [e for e in emulator.state.log() if e["method"] == "POST"][1:]
    else:
        assert gw.apply(post(number["number"])).writes == 1


def test_a_dry_run_does_not_ask_who_the_token_is(emulator, capsys):
    number = request(emulator, "POST", f"/repos/{REPO}/issues", "as:ann", {"title": "x"})[2]
    emulator.state.clear_log()
    gw = gateway_for(emulator, token="as:maintainer", dry_run=True)
    assert gw.apply(post(number["number"])).writes == 1
    assert emulator.state.log() == []
    assert "Hello" in capsys.readouterr().out


# --------------------------------------------------------------------------- the nightly pass


@pytest.fixture
def app(emulator, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_API_URL", emulator.url)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("GITHUB_TOKEN", "bot-token")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    settings = (
        "writes:\n  pace_seconds: 0\n  max_per_run: 200\nbudget:\n  reserve: 5\n  wait_minutes: 0\n"
    )
    return App(program_copy(tmp_path, settings), None, False)


@pytest.fixture
def waiting_app(emulator, tmp_path, monkeypatch):
    """A program whose nightly may wait for the hour's count, on a clock that moves at once."""
    monkeypatch.setenv("GITHUB_API_URL", emulator.url)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("GITHUB_TOKEN", "bot-token")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    settings = (
        "writes:\n  pace_seconds: 0\n  max_per_run: 200\nbudget:\n  reserve: 5\n"
        "  wait_minutes: 130\n"
    )
    app = App(program_copy(tmp_path, settings), None, False)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        emulator.state.set_now(emulator.state.now() + timedelta(seconds=seconds))

    app.sleep = sleep
    app.slept = slept
    return app


def checkins(app, number: int) -> list[int]:
    comments = app.gateway().issue_comments(number)
    return [data["n"] for _, data in markers.find(comments, BOT, "checkin")]


def test_a_pass_stops_at_the_reserve_and_the_next_runs_finish_it_once(
    emulator, app, capsys, tmp_path, monkeypatch
):
    numbers = [open_mentorship(emulator, app, mentee) for mentee in ("ann", "bo", "cy", "di")]
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    due = S + timedelta(days=30)
    # reads (two are the listings of mentor registrations and nominations), then a few writes,
    # then the reserve of 5
    emulator.state.set_rate_limit(14)
    lines, hour = [], 5
    for _ in range(6):
        emulator.state.set_now(at(due, hour, 17))  # a new hour: a new count
        capsys.readouterr()
        assert run_nightly.run(app, due) == 0
        lines.append(capsys.readouterr().out)
        hour += 1
        if "budget: stopped" not in lines[-1]:
            break
    first = lines[0]
    assert "budget: stopped with" in first and "kept for event runs" in first
    assert "applications have writes left: the next run makes them" in first
    assert "budget: stopped" in summary.read_text(encoding="utf-8")
    assert len(lines) >= 3  # it took more than one run, and the last one stopped nowhere
    emulator.state.set_rate_limit(1000)
    emulator.state.set_now(at(due, hour, 17))
    emulator.state.clear_log()
    assert run_nightly.run(app, due) == 0
    assert [e for e in emulator.state.log() if e["method"] != "GET"] == []
    emulator.state.set_rate_limit(1000)
    assert all(checkins(app, n) == [1] for n in numbers)  # each check-in once


def test_a_pass_allowed_to_wait_finishes_in_one_run_after_the_count_starts_again(
    emulator, waiting_app, capsys
):
    app = waiting_app
    numbers = [open_mentorship(emulator, app, mentee) for mentee in ("ann", "bo", "cy", "di")]
    due = S + timedelta(days=30)
    emulator.state.set_rate_limit(13)  # as above: one hour's 13 cannot hold the whole pass
    emulator.state.set_now(at(due, 5, 17))
    emulator.state.clear_log()
    assert run_nightly.run(app, due) == 0
    out = capsys.readouterr().out
    assert "waiting" in out and "for the count to start again" in out
    assert "budget: stopped" not in out
    assert 1 <= len(app.slept) <= 2 and all(0 < s <= 3601 for s in app.slept)
    # after each wait, GitHub is asked the figures afresh, which costs nothing
    log = emulator.state.log()
    assert sum(e["path"] == "/rate_limit" for e in log) == len(app.slept)
    emulator.state.set_rate_limit(1000)
    assert all(checkins(app, n) == [1] for n in numbers)  # each check-in once, in one run
    emulator.state.clear_log()
    assert run_nightly.run(app, due) == 0
    assert [e for e in emulator.state.log() if e["method"] != "GET"] == []


def test_a_pass_does_not_wait_longer_than_allowed(emulator, waiting_app, capsys):
    app = waiting_app
    open_mentorship(emulator, app, "ann")
    emulator.state.set_rate_limit(6)  # every hour leaves one read: a pass never fits
    emulator.state.set_now(at(S + timedelta(days=30), 5, 17))
    assert run_nightly.run(app, S + timedelta(days=30)) == 0
    out = capsys.readouterr().out
    assert "budget: stopped" in out
    assert sum(app.slept) <= 130 * 60


def test_a_dry_run_never_waits(emulator, waiting_app, capsys):
    app = waiting_app
    app.dry_run = True
    open_mentorship(emulator, app, "ann")
    emulator.state.set_rate_limit(6)
    emulator.state.set_now(at(S + timedelta(days=30), 5, 17))
    run_nightly.run(app, S + timedelta(days=30))
    assert app.slept == []


def test_a_pass_that_cannot_read_within_the_budget_writes_nothing(emulator, app, capsys):
    number = open_mentorship(emulator, app, "ann")
    emulator.state.set_rate_limit(6)  # the reserve of 5 leaves one read
    emulator.state.set_now(at(S + timedelta(days=30), 5, 17))
    emulator.state.clear_log()
    assert run_nightly.run(app, S + timedelta(days=30)) == 0
    out = capsys.readouterr().out
    assert "it stopped while reading, so nothing was written" in out
    assert [e["method"] for e in emulator.state.log()] == ["GET"]
    emulator.state.set_rate_limit(1000)
    assert checkins(app, number) == []


def test_without_today_the_nightly_takes_the_apis_date(emulator, app, capsys):
    number = open_mentorship(emulator, app, "ann")
    emulator.state.set_now(at(S + timedelta(days=30), 5, 17))
    assert run_nightly.run(app, None) == 0
    assert checkins(app, number) == [1]  # by the real clock, check-in 10 would be due


# --------------------------------------------------------------------------- the pure part


@pytest.mark.parametrize(
    "stage, left, expected",
    [
        pytest.param("reading", 0, "nothing was written: the next run does the whole", id="read"),
        pytest.param("writing", 1, "1 application has writes left", id="one-left"),
        pytest.param("writing", 37, "37 applications have writes left", id="many-left"),
        pytest.param("dashboard", 0, "the next run refreshes the dashboard", id="dashboard"),
    ],
)
def test_the_stop_line_says_what_is_left(stage, left, expected):
    figures = budget.Budget(limit=1000, remaining=199, reset=4000)
    line = budget.stop_line(figures, 200, 1600, left=left, stage=stage)
    assert line.startswith("budget: stopped with 199 of 1,000 API requests left this hour")
    assert "200 kept for event runs" in line and "starts again in 40 min" in line
    assert expected in line and "\n" not in line


@pytest.mark.parametrize(
    "remaining, limit, expected",
    [
        pytest.param(-1, -1, None, id="nothing-read-yet"),
        pytest.param(0, 1000, budget.Budget(1000, 0, 9), id="spent"),
        pytest.param(999, 1000, budget.Budget(1000, 999, 9), id="fresh"),
    ],
)
def test_budget_from_pygithubs_figures(remaining, limit, expected):
    assert budget.from_headers(remaining, limit, 9) == expected


@pytest.mark.parametrize(
    "remaining, needed, short",
    [
        pytest.param(201, 1, False, id="one-to-spare"),
        pytest.param(200, 1, True, id="at-the-reserve"),
        pytest.param(202, 2, False, id="two-writes-fit"),
        pytest.param(202, 3, True, id="three-do-not"),
    ],
)
def test_short_of_budget(remaining, needed, short):
    assert budget.Budget(1000, remaining, 0).short(200, needed) is short


def test_the_ceiling_grows_with_the_hourly_limit():
    assert budget.ceiling(1000, 200) < budget.ceiling(5000, 200) < budget.ceiling(15000, 200)
    assert budget.ceiling(1000, 1000) == 0


# --------------------------------------------------------------------------- the setting


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("budget:\n  reserve: -1\n", "must be at least 0, got -1", id="negative"),
        pytest.param("budget:\n  reserve: 20000\n", "must be at most 15,000", id="too-big"),
        pytest.param("budget:\n  reserve: '200'\n", "remove the quotes", id="quoted"),
        pytest.param("budget:\n  keep: 200\n", "unknown key 'keep'", id="unknown-key"),
        pytest.param("budget:\n  wait_minutes: 400\n", "must be at most 300", id="wait-too-long"),
        pytest.param("budget:\n  wait_minutes: -5\n", "must be at least 0", id="wait-negative"),
    ],
)
def test_a_bad_reserve_is_one_clear_line(tmp_path, text, expected):
    from mentoring.program.config import ProgramError, load_program

    with pytest.raises(ProgramError) as caught:
        load_program(program_copy(tmp_path, text))
    assert ".github/mentoring.yml:2: budget." in str(caught.value) or "budget" in str(caught.value)
    assert expected in str(caught.value)


@pytest.mark.parametrize(
    "text, key, value",
    [
        pytest.param("", "reserve", 200, id="reserve-default"),
        pytest.param("budget:\n  reserve: 0\n", "reserve", 0, id="none-kept"),
        pytest.param("budget:\n  reserve: 500\n", "reserve", 500, id="more"),
        pytest.param("", "wait_minutes", 180, id="wait-default"),
        pytest.param("budget:\n  wait_minutes: 0\n", "wait_minutes", 0, id="never-wait"),
        pytest.param("budget:\n  wait_minutes: 300\n", "wait_minutes", 300, id="longest"),
    ],
)
def test_the_budget_settings(tmp_path, text, key, value):
    from mentoring.program.config import load_program

    budget = load_program(program_copy(tmp_path, text)).settings.budget
    assert getattr(budget, key) == value
