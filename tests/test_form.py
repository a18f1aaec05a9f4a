"""The application form: reading answers out of issue bodies, drift from roles.yml, sync-form."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from mentoring.cli import App
from mentoring.errors import MentoringError, ProgramError
from mentoring.program import form
from mentoring.program.config import load_program
from tests.support import REPO_ROOT, program_copy, run_cli
from tests.support import form_body as body

PROGRAM = load_program(REPO_ROOT)
FORM = REPO_ROOT / form.FORM_FILE


LONG = "x" * 64_000

PARSE_CASES = [
    ("the form as submitted", body(), {"name": "Ada Example", "role": "Maintainer (maintainer)"}),
    ("no response is empty", body(), {"chat": "", "anything": ""}),
    (
        "CRLF line ends",
        body().replace("\n", "\r\n"),
        {"name": "Ada Example", "why": "I review most weeks."},
    ),
    (
        "a ### line inside an answer stays in it",
        body(Why_this_role="Because\n### My plan\nmerge things"),
        {"why": "Because\n### My plan\nmerge things", "contributions": "Forty pull requests."},
    ),
    (
        "a later field's heading typed inside an earlier answer",
        body(Why_this_role="Because\n\n### Anything else\n\nnot really"),
        {"why": "Because\n\n### Anything else\n\nnot really", "anything": ""},
    ),
    (
        "an earlier field's heading typed inside a later answer",
        body(Anything_else="### Your name\nnot me"),
        {"name": "Ada Example", "anything": "### Your name\nnot me"},
    ),
    (
        "an edited body with text above and closing hashes",
        "Hello!\n\n" + body().replace("### Your name", "### Your name ###"),
        {"name": "Ada Example"},
    ),
    ("an empty body", "", {"name": "", "role": ""}),
    ("a 64,000-character answer", body(Why_this_role=LONG), {"why": LONG, "name": "Ada Example"}),
    (
        "a heading-like line of 60,000 spaces (read in linear time)",
        body(Anything_else="### a" + " " * 60_000 + "x"),
        {"anything": "### a" + " " * 60_000 + "x"},
    ),
    (
        "a heading with a hash in it",
        body().replace("### Your name", "### Your name #1"),
        {"name": ""},
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in PARSE_CASES], ids=[c[0] for c in PARSE_CASES]
)
def test_parse(text, expected):
    answers = form.parse(text)
    for field_id, value in expected.items():
        assert answers.get(field_id) == value


COC_CASES = [
    ("upper-case X", "- [X] I agree", True),
    ("lower-case x", "- [x] I agree", True),
    ("star bullet", "* [x] I agree", True),
    ("unticked", "- [ ] I agree", False),
    ("no response", "_No response_", False),
    ("ticked text without a box", "I agree [x]", False),
]


@pytest.mark.parametrize(
    ("answer", "ticked"), [c[1:] for c in COC_CASES], ids=[c[0] for c in COC_CASES]
)
def test_code_of_conduct_box(answer, ticked):
    assert form.parse(body(Code_of_conduct=answer)).coc is ticked


def test_code_of_conduct_box_counts_only_in_its_own_section():
    text = body(Why_this_role="- [x] ticked elsewhere", Code_of_conduct="- [ ] I agree")
    assert form.parse(text).coc is False


STRUCTURE_CASES = [
    ("the whole form", body(), True),
    ("the form without optional answers", body().replace("### Chat handle", "### Chat"), True),
    ("a bug report", "### Describe the bug\n\nIt crashes.\n\n### Steps\n\n1. run", False),
    ("only a name heading", "### Your name\n\nAda", False),
    ("empty", "", False),
]


@pytest.mark.parametrize(
    ("text", "looks"), [c[1:] for c in STRUCTURE_CASES], ids=[c[0] for c in STRUCTURE_CASES]
)
def test_looks_like_the_form(text, looks):
    assert form.parse(text).looks_like_form is looks


ROLE_CASES = [
    ("the dropdown's option", "Maintainer (maintainer)", "maintainer"),
    ("the id alone", "docs-lead", "docs-lead"),
    ("the name alone", "Documentation lead", "docs-lead"),
    ("other case and spacing", "  ISSUE   triager ", "triager"),
    ("an edited option keeps its id", "Triage please (triager)", "triager"),
    ("unknown role", "Astronaut", None),
    ("unknown id in brackets", "Maintainer (astronaut)", None),
    ("empty", "", None),
]


@pytest.mark.parametrize(
    ("answer", "role_id"), [c[1:] for c in ROLE_CASES], ids=[c[0] for c in ROLE_CASES]
)
def test_role_of(answer, role_id):
    role = form.role_of(answer, PROGRAM)
    assert (role.id if role else None) == role_id


MISSING_CASES = [
    ("complete", body(), []),
    ("no name", body(Your_name="_No response_"), ["Your name"]),
    ("invisible name", body(Your_name="\u200b\u202e\u2066"), ["Your name"]),
    ("optional chat left empty", body(Chat_handle="_No response_"), []),
    (
        "empty form",
        "",
        ["Your name", "Role you aim for", "Why this role", "Your contributions so far"],
    ),
]


@pytest.mark.parametrize(
    ("text", "labels"), [c[1:] for c in MISSING_CASES], ids=[c[0] for c in MISSING_CASES]
)
def test_missing(text, labels):
    assert [f.label for f in form.missing(form.parse(text))] == labels


def test_options_follow_roles_yml():
    assert form.options(PROGRAM.roles) == [
        "Maintainer (maintainer)",
        "Issue triager (triager)",
        "Documentation lead (docs-lead)",
        "Release manager (release-manager)",
    ]


# --------------------------------------------------------------------------- drift


def test_the_shipped_form_matches_the_example_program():
    assert form.drift(REPO_ROOT, PROGRAM) == []


def test_the_shipped_form_headings_are_the_ones_parsed():
    data = yaml.safe_load(FORM.read_text(encoding="utf-8"))
    labels = {item["id"]: item["attributes"]["label"] for item in data["body"] if "id" in item}
    assert labels == {f.id: f.label for f in form.FIELDS}


NEW_ROLE = """
  - id: ci-keeper
    name: "CI: keeper #1"
    description: Keeps the continuous integration green.
    mentors: [ada-mentor]
"""

DRIFT_CASES = [
    ("a role added to roles.yml", "roles", NEW_ROLE, "missing 'CI: keeper #1 (ci-keeper)'"),
    (
        "an option not in roles.yml",
        "form",
        (
            "        - Release manager (release-manager)\n",
            "        - Release manager (release-manager)\n        - Astronaut (astronaut)\n",
        ),
        "not in roles.yml: 'Astronaut (astronaut)'",
    ),
    (
        "options in another order",
        "form",
        (
            "        - Maintainer (maintainer)\n        - Issue triager (triager)\n",
            "        - Issue triager (triager)\n        - Maintainer (maintainer)\n",
        ),
        "in another order",
    ),
    (
        "the application label dropped",
        "form",
        ('labels: ["mentoring: application"]\n', "labels: [application]\n"),
        "does not add the label 'mentoring: application'",
    ),
]


@pytest.mark.parametrize(
    ("where", "change", "message"), [c[1:] for c in DRIFT_CASES], ids=[c[0] for c in DRIFT_CASES]
)
def test_drift(tmp_path, where, change, message):
    root = program_copy(tmp_path)
    if where == "roles":
        path = root / "roles.yml"
        path.write_text(path.read_text(encoding="utf-8") + change, encoding="utf-8")
    else:
        path = root / form.FORM_FILE
        text = path.read_text(encoding="utf-8")
        assert change[0] in text
        path.write_text(text.replace(change[0], change[1]), encoding="utf-8")
    problems = form.drift(root, load_program(root))
    assert len(problems) == 1, problems
    assert message in problems[0].message
    assert problems[0].file == form.FORM_FILE
    assert problems[0].line is not None


def test_drift_without_a_form_is_quiet(tmp_path):
    root = program_copy(tmp_path)
    (root / form.FORM_FILE).unlink()
    assert form.drift(root, load_program(root)) == []


def test_a_broken_form_stops_the_program_with_one_problem(tmp_path):
    root = program_copy(tmp_path)
    (root / form.FORM_FILE).write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProgramError) as caught:
        load_program(root)
    [problem] = caught.value.problems
    assert problem.file == form.FORM_FILE and problem.line


def test_validate_reports_drift_and_names_the_fix(tmp_path):
    root = program_copy(tmp_path)
    (root / "roles.yml").write_text((root / "roles.yml").read_text() + NEW_ROLE, encoding="utf-8")
    result = run_cli("validate", api_url="http://127.0.0.1:9", root=root)
    assert result.returncode == 1
    assert "sync-form" in result.stdout


# --------------------------------------------------------------------------- sync


def add_role(root: Path) -> None:
    path = root / "roles.yml"
    path.write_text(path.read_text(encoding="utf-8") + NEW_ROLE, encoding="utf-8")


def test_rewrite_changes_only_the_options():
    text = FORM.read_text(encoding="utf-8")
    new = form.rewrite(text, ["A (a)", "CI: keeper #1 (ci)"])
    old_lines, new_lines = text.splitlines(), new.splitlines()
    options_at = old_lines.index("      options:") + 1
    assert new_lines[:options_at] == old_lines[:options_at]
    assert new_lines[options_at : options_at + 2] == [
        "        - A (a)",
        '        - "CI: keeper #1 (ci)"',
    ]
    assert new_lines[options_at + 2 :] == old_lines[options_at + 4 :]
    role = next(i for i in yaml.safe_load(new)["body"] if i.get("id") == "role")
    assert role["attributes"]["options"] == ["A (a)", "CI: keeper #1 (ci)"]


def test_rewrite_keeps_crlf_line_ends():
    text = FORM.read_text(encoding="utf-8").replace("\n", "\r\n")
    new = form.rewrite(text, ["A (a)", "B (b)"])
    assert "\r\n        - A (a)\r\n        - B (b)\r\n" in new
    assert "\n" not in new.replace("\r\n", "")


def test_rewrite_keeps_a_flow_list_a_flow_list():
    text = (
        "name: x\ndescription: y\nbody:\n  - type: dropdown\n    id: role\n"
        "    attributes:\n      label: Role you aim for\n      options: [Old (old)]  # keep me\n"
    )
    new = form.rewrite(text, ["A (a)", "B: c (b)"])
    assert new.endswith('      options: [A (a), "B: c (b)"]  # keep me\n')


def test_rewrite_without_a_role_dropdown_is_a_clear_error():
    with pytest.raises(MentoringError, match="no dropdown with `id: role`"):
        form.rewrite("name: x\nbody: []\n", ["A (a)"])


def test_sync_check_reports_drift_and_writes_nothing(tmp_path, capsys):
    root = program_copy(tmp_path)
    add_role(root)
    before = (root / form.FORM_FILE).read_bytes()
    assert form.sync(App(root, None, False), check=True) == 1
    assert "missing 'CI: keeper #1 (ci-keeper)'" in capsys.readouterr().out
    assert (root / form.FORM_FILE).read_bytes() == before


def test_sync_rewrites_then_finds_nothing_to_do(tmp_path, capsys):
    root = program_copy(tmp_path)
    add_role(root)
    app = App(root, None, False)
    assert form.sync(app, check=False) == 0
    program = load_program(root)
    assert form.drift(root, program) == []
    assert form.sync(App(root, None, False), check=True) == 0
    assert "match roles.yml" in capsys.readouterr().out
    assert sorted(p.name for p in (root / ".github" / "ISSUE_TEMPLATE").iterdir()) == [
        "application.yml",
        "config.yml",
        "mentor-registration.yml",
        "nomination.yml",
    ]


def test_sync_keeps_a_byte_order_mark(tmp_path):
    root = program_copy(tmp_path)
    add_role(root)
    path = root / form.FORM_FILE
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert form.sync(App(root, None, False), check=False) == 0
    written = path.read_bytes()
    assert written.startswith(b"\xef\xbb\xbf# The application form")
    assert written.count(b"\xef\xbb\xbf") == 1
    assert b"CI: keeper #1 (ci-keeper)" in written


def test_sync_never_truncates_the_form_when_the_write_fails(tmp_path, monkeypatch):
    root = program_copy(tmp_path)
    add_role(root)
    path = root / form.FORM_FILE
    before = path.read_bytes()

    def refuse(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        form.sync(App(root, None, False), check=False)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


SYNC_ERRORS = [
    ("no form file", lambda p: p.unlink(), "not found"),
    ("broken YAML", lambda p: p.write_text("body: [\n", encoding="utf-8"), "application.yml"),
    (
        "no role field",
        lambda p: p.write_text("name: x\nbody: []\n", encoding="utf-8"),
        "has no field with id 'role'",
    ),
]


@pytest.mark.parametrize(
    ("damage", "message"), [c[1:] for c in SYNC_ERRORS], ids=[c[0] for c in SYNC_ERRORS]
)
def test_sync_errors_are_one_clear_line(tmp_path, damage, message):
    root = program_copy(tmp_path)
    damage(root / form.FORM_FILE)
    result = run_cli("sync-form", api_url="http://127.0.0.1:9", root=root)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
