"""`mentoring status`: what needs attention, from snapshots (pure) and against the emulator."""

from __future__ import annotations

import dataclasses
import json
import urllib.request
from datetime import UTC, date, datetime, time

import jsonschema
import pytest

from mentoring.cli import App
from mentoring.core import markers, state
from mentoring.core.model import Comment, Issue, Plan
from mentoring.core.state import Mentorship
from mentoring.program.config import Mentor, Person, Program, Role, default_settings
from mentoring.runners import run_status
from tests.support import REPO, REPO_ROOT, program_copy, run_cli, writes

BOT = "github-actions[bot]"
TODAY = date(2026, 3, 15)
WINDOW = datetime(2026, 2, 1, tzinfo=UTC)
NEEDS = "mentoring: needs coordinator"
ROLES = (
    Role("maintainer", "Maintainer", "Merges.", (Mentor("ada-mentor", 2), Mentor("lin-mentor", 1))),
)
PROGRAM = Program(
    root=None,  # type: ignore[arg-type]  # nothing here reads files
    coordinators=(Person("octo-coordinator"),),
    roles=ROLES,
    settings=default_settings(),
    participants=(),
)
SCHEMA = json.loads((REPO_ROOT / "mentoring/schemas/status.schema.json").read_text("utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)
d = date.fromisoformat


def at(day: str) -> datetime:
    return datetime.combine(d(day), time(9), UTC)


def issue(number: int, *comments: Comment, labels: tuple[str, ...] = ()) -> Issue:
    return Issue(
        number,
        f"Application {number}",
        "",
        f"mentee{number}",
        "open",
        labels=("mentoring: application", *labels),
        created_at=at("2026-01-01"),
        comments=comments,
    )


def asked(number: int, day: str, n: int = 3) -> Comment:
    body = "Assessment?\n" + markers.make("checkin", {"n": n, "assessment": True, "due": day})
    return Comment(900 + n, number, BOT, body, at(day), at(day))


def said(number: int, login: str, day: str) -> Comment:
    return Comment(950, number, login, "Going well.", at(day), at(day))


def active(number: int, mentors=("ada-mentor",), **changes) -> Mentorship:
    m = Mentorship(
        issue=number,
        mentee=f"mentee{number}",
        status="active",
        role="maintainer",
        mentors=tuple(mentors),
        applied=d("2025-12-01"),
        started=d("2025-12-10"),
        history=((d("2025-12-01"), "waiting"), (d("2025-12-10"), "active")),
    )
    return dataclasses.replace(m, **changes)


def waiting(number: int, status_: str, since: str) -> Mentorship:
    return Mentorship(
        issue=number,
        mentee=f"mentee{number}",
        status=status_,
        role="maintainer",
        applied=d(since),
        history=((d(since), status_),),
    )


CASES = [
    pytest.param([], {}, {}, id="nothing"),
    pytest.param(
        [issue(1)],
        {1: waiting(1, "waiting", "2026-02-01")},
        {
            "waiting": [
                {
                    "issue": 1,
                    "mentee": "mentee1",
                    "role": "Maintainer",
                    "since": "2026-02-01",
                    "days": 42,
                }
            ]
        },
        id="waiting-for-a-mentor",
    ),
    pytest.param(
        [issue(2)],
        {2: waiting(2, "needs-info", "2026-03-12")},
        {
            "needs_info": [
                {"issue": 2, "mentee": "mentee2", "role": "Maintainer", "since": "2026-03-12"}
            ]
        },
        id="waiting-for-the-applicant",
    ),
    pytest.param(
        [issue(3, labels=(NEEDS,))],
        {3: active(3)},
        {"flagged": [{"issue": 3, "flags": ["needs coordinator"], "status": "active"}]},
        id="needs-coordinator",
    ),
    pytest.param(
        [issue(4, asked(4, "2026-02-20"))],
        {4: active(4, checkin=3)},
        {
            "flagged": [{"issue": 4, "flags": ["assessment overdue since 2026-03-06"]}],
            "overdue": [
                {
                    "issue": 4,
                    "checkin": 3,
                    "asked": "2026-02-20",
                    "since": "2026-03-06",
                    "days": 9,
                    "mentors": ["ada-mentor"],
                }
            ],
        },
        id="assessment-overdue",
    ),
    pytest.param(
        [issue(5, asked(5, "2026-03-10"))],
        {5: active(5, checkin=3)},
        {},
        id="assessment-asked-not-yet-overdue",
    ),
    pytest.param(
        [issue(6, asked(6, "2026-02-20"), said(6, "ada-mentor", "2026-02-22"))],
        {6: active(6, checkin=3)},
        {},
        id="assessment-answered-by-the-mentor",
    ),
    pytest.param(
        [issue(7, asked(7, "2026-02-20"), said(7, "mentee7", "2026-02-22"))],
        {7: active(7, checkin=3)},
        {"flagged": [{"issue": 7}], "overdue": [{"issue": 7}]},
        id="the-mentee-answering-is-not-the-mentor",
    ),
    pytest.param(
        [issue(8, asked(8, "2026-01-10"))],
        {8: active(8, checkin=3)},
        {},
        id="asked-before-the-window-is-not-read",
    ),
    pytest.param(
        [issue(9)],
        {9: active(9, ready=d("2026-03-01"))},
        {"flagged": [{"issue": 9, "flags": ["ready to graduate since 2026-03-01"]}]},
        id="ready-to-graduate",
    ),
    pytest.param(
        [issue(10), issue(11)],
        {10: active(10, ("lin-mentor",)), 11: active(11, ("lin-mentor", "ada-mentor"))},
        {
            "over_capacity": [
                {"login": "lin-mentor", "mentees": 2, "capacity": 1, "roles": ["Maintainer"]}
            ]
        },
        id="over-capacity",
    ),
    pytest.param(
        [issue(12), issue(13)],
        {12: active(12), 13: active(13, status="paused")},
        {},
        id="at-capacity-is-not-over",
    ),
    pytest.param(
        [issue(14), issue(15)],
        {14: active(14, ("guest",)), 15: active(15, ("guest",))},
        {},
        id="a-mentor-not-in-roles-has-no-capacity-to-be-over",
    ),
    pytest.param(
        [issue(16)],
        {},
        {"no_card": [{"issue": 16, "author": "mentee16", "opened": "2026-01-01"}]},
        id="no-status-card",
    ),
]


@pytest.mark.parametrize(("issues", "cards", "expected"), CASES)
def test_what_needs_attention(issues, cards, expected):
    result = run_status.attention(issues, cards, PROGRAM, TODAY, WINDOW, REPO)
    VALIDATOR.validate(result)
    for section in run_status.SECTIONS:
        rows = result[section]
        wanted = expected.get(section, [])
        assert len(rows) == len(wanted), (section, rows)
        for row, subset in zip(rows, wanted, strict=True):
            assert {key: row[key] for key in subset} == subset
    text = run_status.text(result)
    assert text.splitlines()[0].startswith(f"{REPO} on 2026-03-15: ")
    assert ("Nothing needs attention." in text) == (not expected)


def test_counts_and_the_longest_waiting_first():
    cards = {
        1: waiting(1, "waiting", "2026-03-01"),
        2: waiting(2, "waiting", "2026-01-20"),
        3: active(3),
        4: active(4, status="paused"),
        5: waiting(5, "needs-info", "2026-03-14"),
    }
    result = run_status.attention([issue(n) for n in cards], cards, PROGRAM, TODAY, WINDOW, REPO)
    assert result["counts"] == {"active": 1, "paused": 1, "waiting": 2, "needs_info": 1}
    assert [r["issue"] for r in result["waiting"]] == [2, 1]
    lines = run_status.text(result).splitlines()
    assert lines[0] == (
        f"{REPO} on 2026-03-15: 1 active, 1 paused, 2 waiting for a mentor, "
        "1 waiting for the applicant"
    )
    assert "  #2 @mentee2 (Maintainer): 54 days, since 2026-01-20" in lines
    assert "  #5 @mentee5: 1 day, since 2026-03-14" in lines


def test_unreadable_issues_are_listed_with_why():
    result = run_status.attention([], {}, PROGRAM, TODAY, WINDOW, REPO, [(4, "not read: gone")])
    VALIDATOR.validate(result)
    assert result["not_read"] == [{"issue": 4, "reason": "not read: gone"}]
    assert "  #4: not read: gone" in run_status.text(result)


# --------------------------------------------------------------------------- end to end


def _post(emu, path: str, login: str, body: dict) -> dict:
    request = urllib.request.Request(
        emu.url + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"token as:{login}"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def test_status_reads_two_listings_and_writes_nothing(emulator, tmp_path, monkeypatch):
    root = program_copy(tmp_path)
    monkeypatch.setenv("GITHUB_API_URL", emulator.url)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("GITHUB_TOKEN", "bot-token")
    app = App(root, None, False)
    start = date(2026, 1, 5)
    emulator.state.set_now(datetime.combine(start, time(9), UTC))
    for number, mentee, m in [
        (1, "ann", active(1, ("lin-mentor",), started=start)),
        (2, "bea", active(2, ("lin-mentor",), started=start)),
        (3, "cy", waiting(3, "waiting", "2026-01-05")),
    ]:
        body = {"title": f"Mentoring application: {mentee}", "body": "### Role\n\nmaintainer"}
        assert _post(emulator, f"/repos/{REPO}/issues", mentee, body)["number"] == number
        m = dataclasses.replace(m, mentee=mentee)
        gw = app.gateway()
        gw.apply(Plan(tuple(state.sync(gw.issue(number), None, m, app.program, app.messages))))
    label = app.program.settings.labels.application
    unhandled = {"title": "Mentoring application: dee", "labels": [label]}
    _post(emulator, f"/repos/{REPO}/issues", "dee", unhandled)  # no event run: no card
    emulator.state.clear_log()

    result = run_cli(
        "status", "--format", "json", "--today", "2026-01-25", api_url=emulator.url, root=root
    )
    assert result.returncode == 0, result.stderr
    log = emulator.state.log()
    assert writes(log) == []
    assert [e["path"] for e in log] == [
        f"/repos/{REPO}/issues",
        f"/repos/{REPO}/issues/comments",
    ]
    answer = json.loads(result.stdout)
    VALIDATOR.validate(answer)
    assert [r["login"] for r in answer["over_capacity"]] == ["lin-mentor"]
    assert [(r["issue"], r["days"]) for r in answer["waiting"]] == [(3, 20)]
    assert [(r["issue"], r["author"]) for r in answer["no_card"]] == [(4, "dee")]

    text = run_cli("status", "--today", "2026-01-25", api_url=emulator.url, root=root)
    assert text.returncode == 0
    assert "Mentors over capacity (1):\n  @lin-mentor: 2 mentees, capacity 1" in text.stdout
    assert writes(emulator.state.log()) == []
