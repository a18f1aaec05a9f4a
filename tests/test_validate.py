"""`mentoring validate`'s gaps closed: the form, handbook paths, and every problem on a line."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from mentoring.cli import main
from mentoring.core import mentors
from mentoring.core.model import Issue
from mentoring.emulator import EmulatorServer
from mentoring.program.config import load_program
from mentoring.program.form import FORM_FILE
from mentoring.runners.run_validate import annotation, problems
from tests.support import REPO, REPO_ROOT, form_body, program_copy


def test_a_missing_form_is_reported_with_how_to_get_it(tmp_path):
    root = program_copy(tmp_path)
    (root / FORM_FILE).unlink()
    [problem] = problems(root)
    assert problem.file == FORM_FILE
    assert "not found" in problem.message
    assert "mentoring sync-form" in problem.hint and "demo_program" in problem.hint


@pytest.mark.parametrize(
    ("settings", "line", "shown"),
    [
        ("handbooks:\n  mentor: docs/missing.md\n", 2, "'docs/missing.md' is not a file"),
        ("handbooks:\n  mentor: ./docs/missing.md#start\n", 2, "'./docs/missing.md#start'"),
        ("writes:\n  pace_seconds: 0\n", 1, "'docs/mentor-handbook.md' (the default) is not"),
    ],
    ids=["given", "with-an-anchor", "the-default"],
)
def test_a_handbook_path_that_is_not_in_the_repository(tmp_path, settings, line, shown):
    root = program_copy(tmp_path, settings)
    (root / "docs" / "mentor-handbook.md").unlink()
    found = [(p.file, p.line, p.key) for p in problems(root)]
    assert found == [(".github/mentoring.yml", line, "handbooks.mentor")]
    assert shown in str(problems(root)[0])


@pytest.mark.parametrize(
    "link",
    ["docs/mentor-handbook.md", "./docs/mentor-handbook.md#first-week", "docs", "https://x.org/h"],
)
def test_handbooks_that_are_there(tmp_path, link):
    root = program_copy(tmp_path, f"handbooks:\n  mentor: '{link}'\n")
    assert problems(root) == []


@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        ("roles.yml", "", "is empty"),
        ("roles.yml", "# only a comment\n", "is empty"),
        ("participants.yml", "# " + "x" * (2 * 1024 * 1024), "the file is 2 MB"),
        (".github/mentoring.yml", "a: [" * 200, "nests values more than 100 levels deep"),
    ],
    ids=["empty", "only-a-comment", "oversized", "too-deep"],
)
def test_a_whole_file_problem_is_annotated_on_line_1(tmp_path, file, text, message):
    root = program_copy(tmp_path)
    (root / file).write_text(text, encoding="utf-8")
    found = [p for p in problems(root) if p.file == file]
    assert found and found[0].line == 1 and message in found[0].message
    assert annotation(found[0]).startswith(f"::error file={file},line=1::")


def test_every_problem_of_a_broken_program_has_a_line(tmp_path):
    root = program_copy(tmp_path, "checkins:\n  every_days: 100000000000000000000000000\n")
    (root / "roles.yml").write_text("", encoding="utf-8")
    (root / "participants.yml").write_text("participants: 3\n", encoding="utf-8")
    found = problems(root)
    assert len(found) == 3
    assert all(p.line for p in found), [str(p) for p in found]


# --------------------------------------------------------------------------- removed mentors

PROGRAM = load_program(REPO_ROOT)
ROLES_TEXT = (REPO_ROOT / "roles.yml").read_text(encoding="utf-8")
MAINTAINER = "Maintainer (maintainer)"


def app_issue(number, assignees, role=MAINTAINER, author="ada-example", **changes) -> Issue:
    base = dict(
        number=number,
        title="Mentoring application",
        body=form_body(Role_you_aim_for=role),
        author=author,
        state="open",
        labels=("mentoring: application",),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        assignees=tuple(assignees),
    )
    base.update(changes)
    return Issue(**base)


def line_of(text: str) -> int:
    return next(n for n, x in enumerate(ROLES_TEXT.splitlines(), 1) if text in x)


@pytest.mark.parametrize(
    ("issues", "expected"),
    [
        pytest.param([], [], id="no-applications"),
        pytest.param([app_issue(7, ["lin-mentor"])], [], id="listed-mentor"),
        pytest.param([app_issue(7, ["LIN-Mentor"])], [], id="login-case"),
        pytest.param([app_issue(7, [])], [], id="unassigned"),
        pytest.param([app_issue(7, ["octo-coordinator"])], [], id="a-coordinator"),
        pytest.param([app_issue(7, ["ada-example"])], [], id="the-applicant"),
        pytest.param([app_issue(7, ["dependabot[bot]"])], [], id="a-bot"),
        pytest.param([app_issue(7, ["gone-mentor"], state="closed")], [], id="closed"),
        pytest.param([app_issue(7, ["gone-mentor"], is_pull=True)], [], id="a-pull-request"),
        pytest.param(
            [app_issue(7, ["gone-mentor"]), app_issue(9, ["gone-mentor", "ada-mentor"])],
            [(1, "@gone-mentor mentors #7, #9 but is no longer listed in this file")],
            id="gone-from-the-file",
        ),
        pytest.param(
            [app_issue(7, ["sam-mentor"])],
            [
                (
                    line_of("- sam-mentor"),
                    "@sam-mentor mentors #7 but is no longer listed for the Maintainer role",
                )
            ],
            id="another-role-only",
        ),
        pytest.param(
            [app_issue(7, ["sam-mentor"], role="_No response_")], [], id="no-role-listed-anywhere"
        ),
        pytest.param(
            [app_issue(7, ["gone-mentor"], role="_No response_")],
            [(1, "@gone-mentor mentors #7 but is no longer listed in this file")],
            id="no-role-gone",
        ),
    ],
)
def test_removed_mentors(issues, expected):
    found = mentors.removed_mentors(issues, PROGRAM, ROLES_TEXT, "roles.yml")
    assert [(p.file, p.line, p.message) for p in found] == [
        ("roles.yml", line, message) for line, message in expected
    ]
    assert all("they may finish" in p.hint for p in found)


def test_validate_warns_online_and_says_when_it_could_not_check(tmp_path):
    root = program_copy(tmp_path)
    with EmulatorServer(seed_dir=root) as emu:
        body = {"title": "Mentoring application", "body": form_body()}
        body |= {"labels": ["mentoring: application"], "assignees": ["gone-mentor"]}
        emu.state.set_collaborators(REPO, ["gone-mentor"])
        runner = CliRunner()
        env = {"GITHUB_API_URL": emu.url, "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": "t"}
        request = urllib.request.Request(
            f"{emu.url}/repos/{REPO}/issues",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": "token as:ada-example"},
        )
        number = json.loads(urllib.request.urlopen(request).read())["number"]
        emu.state.clear_log()
        result = runner.invoke(
            main, ["--root", str(root), "validate", "--format", "github"], env=env
        )
        assert result.exit_code == 0, result.output
        [warning] = [x for x in result.output.splitlines() if x.startswith("::warning")]
        assert warning.startswith("::warning file=roles.yml,line=1::@gone-mentor mentors #")
        assert f"#{number} but is no longer listed" in warning
        assert [e["path"] for e in emu.state.log()] == [f"/repos/{REPO}/issues"]  # one listing

        text = runner.invoke(main, ["--root", str(root), "validate"], env=env)
        assert text.exit_code == 0 and "warning: roles.yml:1: @gone-mentor" in text.output

    offline = {"GITHUB_TOKEN": "", "GITHUB_REPOSITORY": ""}
    result = runner.invoke(
        main, ["--root", str(root), "validate", "--format", "github"], env=offline
    )
    assert result.exit_code == 0
    [line] = [x for x in result.output.splitlines() if "not checked" in x]
    assert "no GITHUB_TOKEN and a repository" in line and "::warning" not in result.output
