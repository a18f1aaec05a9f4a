"""Where a program sits in its repository: the repository's top and the folder's prefix.

And where the code sits in this package: the pure core never touches GitHub.
"""

from __future__ import annotations

import ast

import pytest

from mentoring.errors import ProgramError
from mentoring.program.config import Handbooks, Layout, find_layout, load_program
from tests.support import REPO_ROOT, program_copy


@pytest.mark.parametrize(
    ("marker", "workspace", "root", "top", "prefix"),
    [
        pytest.param(
            ".git/",
            None,
            "repo/community/mentoring",
            "repo",
            "community/mentoring",
            id="a .git folder above",
        ),
        pytest.param(
            ".git", None, "repo/mentoring", "repo", "mentoring", id="a worktree's .git file"
        ),
        pytest.param(".git/", None, "repo", "repo", "", id="at the top"),
        pytest.param(None, None, "repo/program", "repo/program", "", id="no git: root is the top"),
        pytest.param(None, "repo", "repo/a/b", "repo", "a/b", id="inside $GITHUB_WORKSPACE"),
        pytest.param(".git/", "elsewhere", "repo/x", "repo", "x", id="outside $GITHUB_WORKSPACE"),
        pytest.param(".git/", None, "repo/.config/m", "repo", ".config/m", id="a dot folder"),
    ],
)
def test_find_layout(tmp_path, marker, workspace, root, top, prefix):
    (tmp_path / root).mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    if marker == ".git/":
        (tmp_path / "repo" / ".git").mkdir()
    elif marker == ".git":
        (tmp_path / "repo" / ".git").write_text("gitdir: /somewhere/else\n")
    env = {"GITHUB_WORKSPACE": str(tmp_path / workspace)} if workspace else {}
    layout = find_layout(tmp_path / root, env)
    assert (layout.top, layout.prefix) == ((tmp_path / top).resolve(), prefix)
    assert layout.path("participants.yml") == f"{prefix}/participants.yml".lstrip("/")


def test_this_checkout_is_a_program_at_its_top():
    layout = load_program(REPO_ROOT, env={}).layout
    assert (layout.top, layout.prefix) == (REPO_ROOT, "")


@pytest.mark.parametrize(
    ("value", "prefix", "link"),
    [
        ("docs/mentor-handbook.md", "", "https://github.com/o/r/blob/HEAD/docs/mentor-handbook.md"),
        (
            "docs/m.md",
            "community/mentoring",
            "https://github.com/o/r/blob/HEAD/community/mentoring/docs/m.md",
        ),
        ("./docs/m.md", "mentoring", "https://github.com/o/r/blob/HEAD/mentoring/docs/m.md"),
        (".github/m.md", "", "https://github.com/o/r/blob/HEAD/.github/m.md"),
        ("https://example.org/h", "mentoring", "https://example.org/h"),
    ],
    ids=["top", "folder", "dot-slash", "dot-folder", "url"],
)
def test_handbook_links_are_relative_to_the_program_folder(value, prefix, link):
    assert Handbooks(value, value).url("mentor", "https://github.com/o/r/", prefix) == link


@pytest.mark.parametrize(
    ("override", "expected"),
    [("my-app[bot]", "my-app[bot]"), (None, "github-actions[bot]"), ("", "github-actions[bot]")],
    ids=["app", "none", "empty"],
)
def test_bot_login_override(tmp_path, override, expected):
    program = load_program(program_copy(tmp_path), bot_login=override)
    assert program.settings.bot_login == expected


def test_a_bad_bot_login_override_is_one_clear_problem(tmp_path):
    with pytest.raises(ProgramError) as caught:
        load_program(program_copy(tmp_path), bot_login="@my app")
    [problem] = caught.value.problems
    assert (problem.file, problem.message) == ("--bot-login", "unknown login format '@my app'")


def test_layout_defaults_to_the_top():
    assert Layout().path("./roles.yml") == "roles.yml"


FORBIDDEN = ("github", "mentoring.gateway", "mentoring.runners", "requests")


def _imported(tree: ast.Module) -> set[str]:
    """Every module a file imports, as dotted names (``from a import b`` gives a and a.b)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_core_never_touches_github():
    files = sorted((REPO_ROOT / "mentoring" / "core").glob("*.py"))
    assert len(files) > 20  # the whole package, not an empty glob
    bad = [
        f"{path.name} imports {name}"
        for path in files
        for name in sorted(_imported(ast.parse(path.read_text(encoding="utf-8"))))
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    ]
    assert bad == []
