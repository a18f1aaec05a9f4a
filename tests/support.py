"""Shared helpers for end-to-end tests: a program checkout, and the CLI as a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
PROGRAM_FILES = (
    "roles.yml",
    "participants.yml",
    ".github",
    "docs/mentor-handbook.md",
    "docs/mentee-handbook.md",
)
REPO = "astro/mentoring"


def program_copy(tmp_path: Path, settings: str = "writes:\n  pace_seconds: 0\n") -> Path:
    """A copy of the example program in tmp_path/program, with test settings (no write pacing).

    ``settings`` replaces .github/mentoring.yml; pass "" to keep the example's own.
    """
    root = tmp_path / "program"
    root.mkdir()
    for name in PROGRAM_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        elif source.exists():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    if settings:
        (root / ".github").mkdir(exist_ok=True)
        (root / ".github" / "mentoring.yml").write_text(settings, encoding="utf-8")
    return root


def run_cli(
    *args: str,
    api_url: str,
    root: Path,
    token: str = "bot-token",
    repo: str = REPO,
    env: dict[str, str] | None = None,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m mentoring --root ROOT ARGS…` against the emulator at ``api_url``."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))}
    full_env.update(
        GITHUB_API_URL=api_url,
        GITHUB_REPOSITORY=repo,
        GITHUB_TOKEN=token,
        PYTHONUTF8="1",
    )
    full_env.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "mentoring", "--root", str(root), *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"mentoring {' '.join(args)} exited {result.returncode}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
    return result


def writes(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The write requests (not GET/HEAD) in an emulator log, admin endpoints excluded."""
    return [
        entry
        for entry in log
        if entry["method"] not in ("GET", "HEAD") and not entry["path"].startswith("/_emulator")
    ]


def form_body(**answers: str) -> str:
    """An application body as GitHub writes it from the form; ``answers`` (underscores for
    spaces) override the example applicant's answers."""
    values = {
        "Your name": "Ada Example",
        "Chat handle": "_No response_",
        "Role you aim for": "Maintainer (maintainer)",
        "Why this role": "I review most weeks.",
        "Your contributions so far": "Forty pull requests.",
        "Anything else": "_No response_",
        "Code of conduct": "- [X] I agree to follow the project's code of conduct.",
    }
    for key, value in answers.items():
        values[key.replace("_", " ")] = value
    return "\n\n".join(f"### {label}\n\n{value}" for label, value in values.items()) + "\n"


def write_payload(tmp_path: Path, payload: dict[str, Any], name: str = "event.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path
