"""The wheel stands alone: built as `python -m build` builds it, installed into a fresh venv.

The build runs on a copy of the source (so nothing stale under build/ can slip
in) without isolation, with the bounded setuptools of the test extra. The fresh
venv gets the wheel, not the source tree: its dependencies (PyGithub, Jinja2...)
are borrowed from the test venv through a .pth file, which does not load the
test venv's editable install of this project. Commands run from a temporary
directory. Select with `-m wheel`, skip with `-m "not wheel"`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from mentoring import __version__
from tests.support import REPO_ROOT

pytestmark = pytest.mark.wheel


def sh(*args: str | Path, cwd: Path, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONUTF8": "1", "HOME": str(cwd)},
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO_ROOT / name, source / name)
    shutil.copytree(
        REPO_ROOT / "mentoring",
        source / "mentoring",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    out = tmp_path_factory.mktemp("dist")
    result = sh(
        sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", out, ".", cwd=source
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "deprecat" not in (result.stdout + result.stderr).lower()  # license table, etc.
    (found,) = out.glob("*.whl")
    return found


def test_the_wheel_holds_everything_the_tool_reads(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    source = REPO_ROOT / "mentoring"
    needed = [
        p.relative_to(REPO_ROOT).as_posix()
        for p in source.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    ]
    assert needed and [n for n in needed if n not in names] == []
    assert f"mentoring-{__version__}.dist-info/licenses/LICENSE" in names
    assert not any(n.startswith(("tests/", "benchmarks/", "docs/")) for n in names)
    metadata = zipfile.ZipFile(wheel).read(f"mentoring-{__version__}.dist-info/METADATA").decode()
    assert "License-Expression: BSD-3-Clause" in metadata


def test_the_installed_wheel_runs_demo_init_and_validate(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    install = sh(
        sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
        "--no-index", wheel, cwd=tmp_path,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr
    site = sh(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path)
    borrowed = sysconfig.get_path("purelib")  # the test venv's dependencies, not this project
    (Path(site.stdout.strip()) / "_borrowed_dependencies.pth").write_text(borrowed + "\n")

    work = tmp_path / "work"
    work.mkdir()
    where = sh(python, "-c", "import mentoring; print(mentoring.__file__)", cwd=work)
    assert where.stdout.strip().startswith(str(env_dir)), where.stdout
    mentoring = env_dir / "bin" / "mentoring"

    demo = sh(mentoring, "demo", "--months", "2", "--applicants", "2", cwd=work)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "dashboard" in demo.stdout.lower()

    made = sh(mentoring, "init", "program", "--coordinator", "octo", "--repo", "a/b", cwd=work)
    assert made.returncode == 0, made.stdout + made.stderr
    assert (work / "program" / ".github" / "workflows" / "mentoring-events.yml").exists()
    checked = sh(mentoring, "--root", "program", "validate", cwd=work)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "valid" in checked.stdout
