"""Workflows, the action and issue forms pass zizmor, actionlint and GitHub's schemas.

Zero findings, for this repository's files and for the files `mentoring init` writes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO_ROOT

GITHUB_DIR = REPO_ROOT / ".github"
ACTION = REPO_ROOT / "action.yml"
WORKFLOWS = sorted((GITHUB_DIR / "workflows").glob("*.yml"))
FORMS = sorted(p for p in (GITHUB_DIR / "ISSUE_TEMPLATE").glob("*.yml") if p.name != "config.yml")
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def run(*args: str) -> subprocess.CompletedProcess[str]:
    # zizmor reaches for the network when a token is set, even with --offline
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, check=False)


def test_there_are_workflows_and_an_application_form():
    assert WORKFLOWS, "no workflows under .github/workflows"
    assert FORMS, "no issue form under .github/ISSUE_TEMPLATE"


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory):
    """The .github folders `mentoring init` writes: a program at the top, and one in a folder."""
    from mentoring import init

    made = {}
    for root in (".", "program"):
        top = tmp_path_factory.mktemp(f"init-{root.strip('.') or 'top'}")
        options = init.Options(("octo-coordinator",), "astro/prog", root=root)
        for path, text in init.scaffold(options).items():
            (top / path).parent.mkdir(parents=True, exist_ok=True)
            (top / path).write_text(text, encoding="utf-8")
        made[root] = top / ".github"
    return made


def test_zizmor_offline_finds_nothing():
    result = run(
        tool("zizmor"),
        "--offline",
        "--no-progress",
        "--format",
        "plain",
        str(GITHUB_DIR),
        str(ACTION),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_in_what_init_writes(scaffolded):
    folders = [str(github) for github in scaffolded.values()]
    result = run(tool("zizmor"), "--offline", "--no-progress", "--format", "plain", *folders)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_nothing_in_what_init_writes(scaffolded):
    workflows = [w for github in scaffolded.values() for w in sorted(github.glob("workflows/*"))]
    assert len(workflows) == 10
    result = run(tool("actionlint"), "-no-color", *map(str, workflows))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("schema", "pattern"),
    [
        ("vendor.github-workflows", "workflows/*.yml"),
        ("vendor.github-issue-forms", "ISSUE_TEMPLATE/application.yml"),
        ("vendor.github-issue-config", "ISSUE_TEMPLATE/config.yml"),
        ("vendor.dependabot", "dependabot.yml"),
    ],
    ids=["workflows", "issue-form", "issue-config", "dependabot"],
)
def test_github_schemas_accept_what_init_writes(scaffolded, schema, pattern):
    files = [f for github in scaffolded.values() for f in sorted(github.glob(pattern))]
    assert len(files) >= len(scaffolded), pattern
    result = run(tool("check-jsonschema"), "--builtin-schema", schema, *map(str, files))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_action_matches_githubs_schema():
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ACTION))
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_nothing():
    result = run(tool("actionlint"), "-no-color", *map(str, WORKFLOWS))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("schema", "files"),
    [
        ("vendor.github-workflows", WORKFLOWS),
        ("vendor.github-issue-forms", FORMS),
        ("vendor.github-issue-config", [GITHUB_DIR / "ISSUE_TEMPLATE" / "config.yml"]),
    ],
    ids=["workflows", "issue-forms", "issue-config"],
)
def test_github_schemas(schema, files):
    files = [f for f in files if f.exists()]
    assert files, f"nothing to check against {schema}"
    result = run(tool("check-jsonschema"), "--builtin-schema", schema, *map(str, files))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[w.name for w in WORKFLOWS])
def test_no_untrusted_expressions_in_run_steps(workflow):
    """Belt and braces beside zizmor: `run:` blocks take event data only through env."""
    import yaml

    doc = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    for job in doc["jobs"].values():
        for step in job.get("steps", []):
            script = step.get("run", "")
            assert "${{" not in script or "github.event" not in script, (workflow.name, script)
