"""`mentoring approvals`: the /approve whose event was lost, answered by the scheduled mentors job.

Pure: which open registrations are read (`approval_targets`). On the emulator: an /approve
whose event GitHub dropped is left by the nightly, answered by `approvals` with the pull
request, and a second run writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mentoring.core import markers, mentors
from mentoring.core.model import Issue
from mentoring.emulator import EmulatorServer
from mentoring.runners import run_mentors
from tests.support import REPO, program_copy, run_cli, writes
from tests.test_mentors import PROGRAM, comment, reg_issue
from tests.test_mentors_e2e import DAY, REG, Scene, quietly_open, reads_of, registration_body

WINDOW = datetime(2026, 2, 1, tzinfo=UTC)
OLD = datetime(2026, 1, 5, tzinfo=UTC)
ANSWER = markers.make(mentors.REPLY, {"comment": 11})


def listed(number: int, created=datetime(2026, 2, 20, tzinfo=UTC), **changes) -> Issue:
    return reg_issue(number=number, created_at=created, **changes)


@pytest.mark.parametrize(
    ("registrations", "comments", "expected"),
    [
        pytest.param([], [], [], id="none-open"),
        pytest.param([listed(9)], [], [], id="recent-nothing-said"),
        pytest.param(
            [listed(9)], [comment(11, "octo-coordinator", "/approve")], [9], id="recent-approve"
        ),
        pytest.param(
            [listed(9)],
            [
                comment(11, "octo-coordinator", "/approve"),
                comment(12, "github-actions[bot]", ANSWER),
            ],
            [],
            id="recent-approve-answered",
        ),
        pytest.param(
            [listed(9)],
            [comment(11, "github-actions[bot]", "/approve")],
            [],
            id="the-bot-quoting-approve",
        ),
        pytest.param(
            [listed(9)], [comment(11, "kai-mentor", "/approve")], [], id="not-a-coordinator"
        ),
        pytest.param(
            [listed(9)],
            [comment(11, "octo-coordinator", "/away until 2026-04-01")],
            [],
            id="other-command-the-nightly-answers",
        ),
        pytest.param(
            [listed(9)],
            [comment(11, "octo-coordinator", "/approve", issue=8)],
            [],
            id="approve-on-another-issue",
        ),
        pytest.param([listed(9, OLD)], [], [9], id="older-than-the-window-read-alone"),
        pytest.param([listed(9, None)], [], [9], id="no-creation-date-read-alone"),
        pytest.param(
            [listed(9, locked=True)],
            [comment(11, "octo-coordinator", "/approve")],
            [],
            id="locked",
        ),
        pytest.param(
            [listed(9, is_pull=True)],
            [comment(11, "octo-coordinator", "/approve")],
            [],
            id="a-pull-request",
        ),
        pytest.param(
            [listed(9, labels=(), body="Hello")],
            [comment(11, "octo-coordinator", "/approve")],
            [],
            id="not-a-registration",
        ),
        pytest.param(
            [listed(12, OLD), listed(9)],
            [comment(11, "mona-coordinator", "Thanks!\n/approve")],
            [9, 12],
            id="several-oldest-number-first",
        ),
    ],
)
def test_which_registrations_are_read(registrations, comments, expected):
    assert run_mentors.approval_targets(registrations, comments, PROGRAM, WINDOW) == expected


# --------------------------------------------------------------------------- on the emulator


@pytest.fixture
def scene(tmp_path, monkeypatch):
    root = program_copy(tmp_path)
    with EmulatorServer(seed_dir=root) as emu:
        yield Scene(emu, root, tmp_path, monkeypatch)


def approvals(scene: Scene, day) -> list[dict]:
    scene.clock(day, 6)
    scene.emu.state.clear_log()
    assert run_mentors.sweep(scene.app(), day) == 0
    return writes(scene.emu.state.log())


@pytest.mark.e2e
def test_a_lost_approve_is_left_by_the_nightly_then_answered_by_approvals_once(scene, capsys):
    body = registration_body("grace-h", "Documentation lead (docs-lead)", "2")
    reg = scene.open_issue("grace-h", "Mentor registration: Grace", body, (REG,))
    quiet = quietly_open(scene, "lin-h", "Mentor registration: Lin", body, REG)  # nothing said
    scene.post("octo-coordinator", reg, "/approve")  # its issue_comment event dropped
    capsys.readouterr()
    made = scene.night(DAY + timedelta(days=1))
    assert all(f"/issues/{reg}/" not in w["path"] for w in made)
    assert "the scheduled mentors job answers it" in capsys.readouterr().out

    scene.emu.state.clear_log()
    dry = run_cli(
        "approvals", "--dry-run", "--today", "2026-03-03", api_url=scene.emu.url, root=scene.root
    )
    assert dry.returncode == 0 and "would write: 6 (#1)" in dry.stdout, dry.stderr
    assert writes(scene.emu.state.log()) == []  # --dry-run: read, print, write nothing

    made = approvals(scene, DAY + timedelta(days=1))
    paths = [(w["method"], w["path"].split(REPO)[-1]) for w in made]
    assert ("POST", "/git/refs") in paths and ("PUT", "/contents/roles.yml") in paths
    assert ("POST", "/pulls") in paths
    assert "adds @\u200bgrace-h to `roles.yml`" in scene.last_reply(reg)
    [pull] = scene.api("GET", f"/repos/{REPO}/pulls?state=open")
    assert f"Closes #{reg}" in pull["body"]
    assert len(reads_of(scene, reg)) == 1 and reads_of(scene, quiet) == []

    assert approvals(scene, DAY + timedelta(days=1)) == []  # a second run writes nothing
    assert reads_of(scene, reg) == []  # and reads no registration alone
    assert approvals(scene, DAY + timedelta(days=2)) == []
    assert len(scene.api("GET", f"/repos/{REPO}/pulls?state=all")) == 1


@pytest.mark.e2e
def test_in_comment_mode_approvals_does_nothing_and_says_so(tmp_path, monkeypatch, capsys):
    settings = "writes:\n  pace_seconds: 0\nmentors:\n  approve: comment\n"
    root = program_copy(tmp_path, settings)
    with EmulatorServer(seed_dir=root) as emu:
        scene = Scene(emu, root, tmp_path, monkeypatch)
        reg = quietly_open(
            scene,
            "grace-h",
            "Mentor registration",
            registration_body("grace-h", "Documentation lead (docs-lead)"),
            REG,
        )
        scene.post("octo-coordinator", reg, "/approve")
        capsys.readouterr()
        scene.emu.state.clear_log()
        assert run_mentors.sweep(scene.app(), DAY) == 0
        assert scene.emu.state.log() == []  # not one request
        assert capsys.readouterr().out.strip() == run_mentors.APPROVALS_IN_COMMENTS
