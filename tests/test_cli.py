"""The command line: validate on broken programs, one-line errors, fast start without PyGithub."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.cli import event_name_from_file, main
from mentoring.gateway import RunReport, headline
from mentoring.runners import summary
from tests.support import REPO, REPO_ROOT, form_body, program_copy, run_cli, writes

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


# --------------------------------------------------------------------------- --dry-run, event


def _application(emu, tmp_path):
    """An application issue opened by a person, and its queued `issues.opened` payload, saved
    as `mentoring emulator --events-dir` names it."""
    from mentoring.emulator.server import EventFiles

    body = form_body()
    request = urllib.request.Request(
        emu.url + f"/repos/{REPO}/issues",
        data=json.dumps({"title": "Mentoring application", "body": body}).encode(),
        headers={"Authorization": "token as:ada"},
        method="POST",
    )
    urllib.request.urlopen(request).close()
    [queued] = emu.state.events()
    return EventFiles(tmp_path / "events").write(queued["name"], queued["payload"])


@pytest.mark.parametrize(
    "args",
    [
        ["event", "--payload", "{payload}", "--dry-run"],
        ["--dry-run", "event", "--payload", "{payload}"],
        ["nightly", "--dry-run"],
        ["--dry-run", "nightly"],
    ],
    ids=["event-after", "event-before", "nightly-after", "nightly-before"],
)
def test_dry_run_goes_before_or_after_the_command_and_writes_nothing(emulator, tmp_path, args):
    payload = _application(emulator, tmp_path)
    assert payload.name == "0001-issues.opened.json"
    emulator.state.clear_log()
    args = [str(payload) if a == "{payload}" else a for a in args]
    result = run_cli(*args, api_url=emulator.url, root=program_copy(tmp_path))
    assert result.returncode == 0, result.stderr
    assert re.search(r"^would write: [1-9]", result.stdout, re.MULTILINE), result.stdout
    assert writes(emulator.state.log()) == []


def test_event_without_its_environment_says_what_to_set(tmp_path):
    result = run_cli("event", api_url="http://127.0.0.1:9", root=program_copy(tmp_path))
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "GITHUB_EVENT_NAME" in line and "GITHUB_EVENT_PATH" in line
    assert "--name" in line and "--payload" in line


def test_event_help_marks_nothing_required_that_the_environment_gives():
    result = CliRunner().invoke(main, ["event", "--help"])
    assert result.exit_code == 0
    assert "[required]" not in result.output
    assert "$GITHUB_EVENT_NAME" in result.output and "$GITHUB_EVENT_PATH" in result.output


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("0001-issues.opened.json", "issues", id="issues"),
        pytest.param("0042-issue_comment.created.json", "issue_comment", id="comment"),
        pytest.param("0002-pull_request_target.opened.json", "pull_request_target", id="pull"),
        pytest.param("event.json", None, id="plain-name"),
        pytest.param("issues.opened.json", None, id="no-number"),
        pytest.param("0001-issues.json", None, id="no-action"),
        pytest.param("0001-Issues.opened.json", None, id="capitals"),
    ],
)
def test_the_event_name_is_read_from_an_events_dir_file_name(name, expected):
    assert event_name_from_file(Path(name)) == expected


def test_graduation_check_help_says_it_comments():
    result = CliRunner().invoke(main, ["graduation", "check", "--help"])
    assert "comment on pull request N" in " ".join(result.output.split())
    assert "--no-comment" in result.output


# --------------------------------------------------------------------------- summaries


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "#1 comment (checkin):\n    ### Check-in 3\n\n    Hello @ada\n",
            "#1 comment (checkin): Check-in 3",
            id="heading",
        ),
        pytest.param(
            "#4 edit comment 12 (card):\n\n    <!-- mentoring:card {} -->\n"
            "    | **State** | waiting |",
            "#4 edit comment 12 (card): | **State** | waiting |",
            id="marker-and-blank-skipped",
        ),
        pytest.param("#2 +label status: active", "#2 +label status: active", id="one-line"),
        pytest.param("locked: check-in 3 not posted", "locked: check-in 3 not posted", id="note"),
        pytest.param("#1 comment (x):\n    <!-- m -->\n", "#1 comment (x):", id="only-markers"),
        pytest.param("", "", id="empty"),
        pytest.param("x" * 200, "x" * 119 + "…", id="long"),
    ],
)
def test_a_summary_row_shows_the_first_meaningful_line(text, expected):
    assert headline(text) == expected


def test_the_terminal_summary_says_why_one_line_each():
    report = RunReport()
    report.add("skipped", 2, "locked: check-in 3 not posted")
    report.add("skipped", 0, "the dashboard is locked")
    report.add("deferred", 5, "#5 comment (checkin):\n    ### Check-in 1\n")
    report.add("failed", 7, "#7 +label status: active: 502 Bad Gateway")
    assert summary.reason_lines(report) == [
        "failed: #7: #7 +label status: active: 502 Bad Gateway",
        "deferred: #5: #5 comment (checkin): Check-in 1",
        "skipped: repo: the dashboard is locked",
        "skipped: #2: locked: check-in 3 not posted",
    ]
    for n in range(60):
        report.add("skipped", 100 + n, "closed: nothing is scheduled")
    lines = summary.reason_lines(report, limit=50)
    assert lines[-1] == "skipped: … and 12 more"
    assert len([line for line in lines if line.startswith("skipped: #")]) == 49


# --------------------------------------------------------------------------- README


def _commands(group: click.Group, path: tuple[str, ...] = ()):
    """Every command under ``group`` (groups included), with its path of names."""
    for name, command in sorted(group.commands.items()):
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


def _options(command: click.Command) -> list[str]:
    """The long names of the options `--help` shows for ``command`` (not --help itself)."""
    return [
        max(param.opts, key=len)
        for param in command.params
        if isinstance(param, click.Option) and not param.hidden and "--help" not in param.opts
    ]


def test_the_readme_commands_table_lists_every_option_help_shows():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `mentoring ")]
    missing = []
    for path, command in _commands(main):
        if isinstance(command, click.Group):
            continue  # its commands have their rows
        prefix = "| `mentoring " + " ".join(path)
        row = next((r for r in rows if re.match(re.escape(prefix) + r"[ `]", r)), None)
        if row is None:
            missing.append(f"no row for `mentoring {' '.join(path)}`")
            continue
        lacking = [o for o in _options(command) if not re.search(re.escape(o) + r"\b", row)]
        if lacking:
            missing.append(f"`mentoring {' '.join(path)}` row lacks {', '.join(lacking)}")
    after_table = section.split("Global options:", 1)[-1]
    lacking = [o for o in [*_options(main), "--version"] if o not in after_table]
    if lacking:
        missing.append(f"'Global options:' lacks {', '.join(dict.fromkeys(lacking))}")
    assert not missing, "README.md, ## Commands: " + "; ".join(missing)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.integers(min_value=2, max_value=200))
def test_a_headline_is_one_short_line_whatever_the_text(text, limit):
    line = headline(text, limit)
    assert "\n" not in line and "\r" not in line
    assert len(line) <= limit


@settings(max_examples=100, deadline=None)
@given(
    name=st.from_regex(r"[a-z][a-z_]{0,30}", fullmatch=True),
    action=st.one_of(st.none(), st.text(max_size=20)),
    number=st.integers(min_value=1, max_value=99_999),
)
def test_an_events_dir_file_name_gives_the_event_back(name, action, number, tmp_path_factory):
    from mentoring.emulator.server import WORKFLOW_EVENT_NAMES, EventFiles

    files = EventFiles(tmp_path_factory.mktemp("events"))
    files.next = number
    payload = {} if action is None else {"action": action}
    file_name = files.name(name, payload)
    assert "/" not in file_name and file_name.endswith(".json")
    assert event_name_from_file(Path(file_name)) == WORKFLOW_EVENT_NAMES.get(name, name)
