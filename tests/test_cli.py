"""The command line: validate on broken programs, one-line errors, fast start without PyGithub."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support import program_copy, run_cli

BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
"""

BROKEN = {
    "bad-indentation": (
        "roles.yml",
        "coordinators:\n  - login: octo\nroles:\n  - id: maintainer\n   name: Maintainer\n",
        "roles.yml:5",
    ),
    "unknown-key": (
        "roles.yml",
        "coordinators: [octo]\nroles:\n  - id: maintainer\n    name: M\n    description: d\n"
        "    mentros: [ada]\n",
        "roles.yml:6: roles[0].mentros: unknown key",
    ),
    "alias-bomb": ("roles.yml", BOMB, "roles.yml:"),
    "role-not-defined": (
        "participants.yml",
        "participants:\n  - name: Ada\n    login: ada\n    role: astronaut\n    issue: 3\n"
        "    mentors: [lin]\n    started: 2026-01-01\n    graduated: 2026-06-01\n",
        "participants.yml:4: participants[0].role",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN), ids=sorted(BROKEN))
def test_validate_names_the_file_and_line(tmp_path, case):
    name, text, expected = BROKEN[case]
    root = program_copy(tmp_path)
    (root / name).write_text(text, encoding="utf-8")
    result = run_cli("validate", api_url="http://127.0.0.1:9", root=root)
    assert result.returncode == 1, result.stdout
    assert expected in result.stdout, result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    if case == "alias-bomb":
        assert "alias" in result.stdout


def test_validate_reports_every_problem_not_only_the_first(tmp_path):
    root = program_copy(tmp_path)
    (root / "roles.yml").write_text(BROKEN["unknown-key"][1], encoding="utf-8")
    (root / "participants.yml").write_text(BROKEN["role-not-defined"][1], encoding="utf-8")
    result = run_cli("validate", api_url="http://127.0.0.1:9", root=root)
    assert "roles.yml:6" in result.stdout and "participants.yml:4" in result.stdout
    assert "problems found" in result.stderr


def test_validate_github_format_prints_annotations(tmp_path):
    root = program_copy(tmp_path)
    (root / "roles.yml").write_text(BROKEN["unknown-key"][1], encoding="utf-8")
    result = run_cli("validate", "--format", "github", api_url="http://127.0.0.1:9", root=root)
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=roles.yml,line=6::roles[0].mentros: unknown key")


def test_validate_passes_on_the_example_program(tmp_path):
    result = run_cli("validate", api_url="http://127.0.0.1:9", root=program_copy(tmp_path, ""))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "env", "code", "message"),
    [
        (["nightly"], {"GITHUB_REPOSITORY": ""}, 1, "no repository"),
        (["--repo", "nope", "nightly"], {}, 1, "not of the form OWNER/NAME"),
        (["nightly", "--today", "tomorrow"], {}, 2, "is not a date"),
        (["event", "--name", "issues", "--payload", "missing.json"], {}, 2, "does not exist"),
        (["frobnicate"], {}, 2, "No such command"),
        (["nightly"], {}, 1, "cannot reach GitHub at http://127.0.0.1:9"),
    ],
    ids=["no-repo", "bad-repo", "bad-date", "missing-payload", "unknown-command", "unreachable"],
)
def test_user_errors_are_one_line_never_a_traceback(tmp_path, args, env, code, message):
    result = run_cli(*args, api_url="http://127.0.0.1:9", root=program_copy(tmp_path), env=env)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_broken_program_stops_a_command_with_its_problems(tmp_path):
    root = program_copy(tmp_path)
    (root / "roles.yml").write_text(BROKEN["unknown-key"][1], encoding="utf-8")
    result = run_cli("nightly", api_url="http://127.0.0.1:9", root=root)
    assert result.returncode == 1
    assert "roles.yml:6: roles[0].mentros: unknown key" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [["--help"], ["validate"], ["nightly", "--help"]],
    ids=["help", "validate", "nightly-help"],
)
def test_pygithub_is_not_imported_to_start(args):
    code = (
        "import sys\n"
        "from mentoring.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('github' in sys.modules, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stderr.strip().splitlines()[-1] == "False", result.stderr
