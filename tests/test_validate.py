"""`mentoring validate`'s gaps closed: the form, handbook paths, and every problem on a line."""

from __future__ import annotations

import pytest

from mentoring.form import FORM_FILE
from mentoring.validate import annotation, problems
from tests.support import program_copy


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
