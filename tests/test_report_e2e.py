"""`mentoring report` end to end: the real CLI against the emulator, reading a few pages only."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import UTC, date, datetime

import jsonschema
import pytest

from mentoring.core import state
from mentoring.core.state import Mentorship
from mentoring.program.config import load_program
from mentoring.program.templates import Messages
from tests.support import REPO, REPO_ROOT, program_copy, run_cli, writes

pytestmark = pytest.mark.e2e

SCHEMA = json.loads(
    (REPO_ROOT / "mentoring" / "schemas" / "report.schema.json").read_text(encoding="utf-8")
)
TODAY = "2026-12-01"
SETTINGS = "writes:\n  pace_seconds: 0\n"
RETENTION = SETTINGS + "retention:\n  months: 6\n  repositories: [{repos}]\n"
d = date.fromisoformat

# (mentee, role, mentors, dated steps); the first step is the application.
APPLICATIONS = [
    ("ada", "maintainer", ["ada-mentor"],
     [("2026-01-05", "waiting"), ("2026-01-15", "active"), ("2026-03-01", "graduated")]),
    ("bo", "triager", ["sam-mentor"],
     [("2026-02-01", "waiting"), ("2026-02-03", "active"), ("2026-03-15", "graduated")]),
    ("cy", "maintainer", ["lin-mentor"],
     [("2026-04-01", "waiting"), ("2026-04-11", "active"), ("2026-10-01", "graduated")]),
    ("di", "docs-lead", ["kai-mentor"], [("2026-05-02", "waiting"), ("2026-05-09", "active")]),
    ("eve", "triager", [], [("2026-07-20", "waiting")]),
    ("fay", None, [], [("2026-08-01", "needs-info"), ("2026-08-20", "withdrawn")]),
]  # fmt: skip


def api(emu, method: str, path: str, body=None, token: str = "bot-token"):
    request = urllib.request.Request(
        emu.url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def at(emu, day: str) -> None:
    emu.state.set_now(datetime.fromisoformat(day).replace(hour=9, tzinfo=UTC))


def seed(emu, root) -> dict[str, int]:
    """Application issues opened by their mentees, each with the bot's status card."""
    program, messages = load_program(root), Messages(root)
    numbers = {}
    for mentee, role, mentors, steps in APPLICATIONS:
        at(emu, steps[0][0])
        issue = api(emu, "POST", f"/repos/{REPO}/issues",
                    {"title": f"Application: {mentee}", "body": "### Name\n\nA person"},
                    token=f"as:{mentee}")  # fmt: skip
        number = issue["number"]
        numbers[mentee] = number
        api(emu, "POST", f"/repos/{REPO}/issues/{number}/labels",
            {"labels": [program.settings.labels.application]})  # fmt: skip
        history = tuple((d(day), status) for day, status in steps)
        m = Mentorship(
            issue=number,
            mentee=mentee,
            status=history[-1][1],
            role=role,
            mentors=tuple(mentors),
            applied=history[0][0],
            started=next((day for day, s in history if s == "active"), None),
            history=history,
        )
        at(emu, steps[-1][0])
        api(emu, "POST", f"/repos/{REPO}/issues/{number}/comments",
            {"body": state.card_body(m, program, messages)})  # fmt: skip
    # An application the bot has not carded yet, and a card forged by a person.
    at(emu, "2026-11-20")
    late = api(emu, "POST", f"/repos/{REPO}/issues", {"title": "Application: gil"},
               token="as:gil")  # fmt: skip
    api(emu, "POST", f"/repos/{REPO}/issues/{late['number']}/labels",
        {"labels": [program.settings.labels.application]})  # fmt: skip
    forged = Mentorship(
        late["number"], "gil", "graduated", history=((d("2026-11-20"), "graduated"),)
    )
    api(emu, "POST", f"/repos/{REPO}/issues/{late['number']}/comments",
        {"body": state.card_body(forged, program, messages)}, token="as:gil")  # fmt: skip
    numbers["gil"] = late["number"]
    # Activity elsewhere: ada opens an issue after her retention day (2026-09-01),
    # bo only before his (2026-09-15), cy's day (2027-04-01) has not come.
    for login, day in (("ada", "2026-10-07"), ("bo", "2026-05-01"), ("cy", "2026-11-02")):
        at(emu, day)
        api(emu, "POST", "/repos/astro/astropy/issues", {"title": f"A bug from {login}"},
            token=f"as:{login}")  # fmt: skip
    emu.state.set_now(None)
    emu.state.clear_log()
    return numbers


def reads_per_issue(log) -> list[str]:
    return [e["path"] for e in log if re.search(r"/repos/astro/mentoring/issues/\d+", e["path"])]


def test_json_report_reads_a_few_pages_and_writes_nothing(emulator, tmp_path):
    root = program_copy(tmp_path, RETENTION.format(repos="astro/astropy"))
    numbers = seed(emulator, root)

    result = run_cli("report", "--format", "json", "--today", TODAY, api_url=emulator.url,
                     root=root, check=True)  # fmt: skip

    data = json.loads(result.stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    totals = data["totals"]
    assert totals["applications"] == 6
    assert totals["status"]["graduated"] == 3
    assert totals["status"]["waiting"] == 1
    # pairing: ada 10, bo 2, cy 10, di 7 → [2, 7, 10, 10]: median 8.5, p90 at rank 2.7 → 10
    assert totals["time_to_pairing_days"] == {"count": 4, "median": 8.5, "p90": 10.0}
    # graduation: ada 45, bo 40, cy 173 → median 45, p90 at rank 1.8 → 45 + 0.8 × 128
    assert totals["time_to_graduation_days"] == {"count": 3, "median": 45.0, "p90": 147.4}
    retention = data["retention"]
    states = {g["login"]: g["state"] for g in retention["graduates"]}
    assert states == {"ada": "retained", "bo": "not-retained", "cy": "pending"}
    assert (retention["retained"], retention["not_retained"], retention["rate"]) == (1, 1, 0.5)
    assert any(f"#{numbers['gil']}" in note for note in data["notes"])  # no card yet

    log = emulator.state.log()
    assert writes(log) == []
    assert reads_per_issue(log) == []
    searched = [e for e in log if e["path"] == "/repos/astro/astropy/issues"]
    assert sorted(dict(e["query"])["creator"] for e in searched) == ["ada", "bo"]
    assert len(log) <= 6  # issues, comments, and one search per graduate due


def test_an_unreadable_repository_is_asked_once_and_reported(emulator, tmp_path):
    root = program_copy(tmp_path, RETENTION.format(repos="astro/gone, astro/astropy"))
    seed(emulator, root)
    emulator.state.add_fault(
        {"method": "GET", "path": r"^/repos/astro/gone/issues$", "status": 404, "count": 5}
    )

    result = run_cli("report", "--format", "json", "--today", TODAY, api_url=emulator.url,
                     root=root)  # fmt: skip

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    states = {g["login"]: g["state"] for g in data["retention"]["graduates"]}
    assert states == {"ada": "retained", "bo": "unknown", "cy": "pending"}
    assert "cannot read astro/gone" in result.stderr
    gone = [e for e in emulator.state.log() if e["path"] == "/repos/astro/gone/issues"]
    assert len(gone) == 1


def test_markdown_report_without_retention(emulator, tmp_path):
    root = program_copy(tmp_path, SETTINGS)
    seed(emulator, root)

    result = run_cli("report", "--today", TODAY, "--since", "2026-02-01", api_url=emulator.url,
                     root=root, check=True)  # fmt: skip

    text = result.stdout
    assert text.startswith("## Mentoring program report\n")
    assert "applications from 2026-02-01 to today" in text
    assert "| Applications | 5 |" in text
    assert "```mermaid\npie showData" in text
    assert "```mermaid\nxychart-beta" in text
    assert "Retention is not configured" in text
    assert re.search(r"@[A-Za-z0-9]", text) is None
    log = emulator.state.log()
    assert writes(log) == []
    assert not any("astropy" in e["path"] for e in log)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--since", "2026-05-01", "--until", "2026-04-01"], 1, "is after --until"),
        (["--since", "May 1st"], 2, "is not a date like 2026-03-01"),
        (["--format", "pdf"], 2, "Invalid value for '--format'"),
    ],
    ids=["since-after-until", "not-a-date", "unknown-format"],
)
def test_bad_arguments_are_one_clear_line(emulator, tmp_path, args, code, message):
    root = program_copy(tmp_path)
    result = run_cli("report", *args, api_url=emulator.url, root=root)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert emulator.state.log() == []
