"""How long the action's install step takes: pip, uv, or a cached venv, cold and warm.

Run: python benchmarks/action_install.py [--runs N]

Each way starts from a fresh directory and ends with `mentoring --version`
working, as the action's install step does on a runner:

- pip:  `python -m venv V && V/bin/pip install ACTION_PATH` (the wheel is built
        from the action's checkout), cold (empty pip cache) and warm (pip cache
        filled by an earlier run).
- uv:   `pip install uv` into a tools venv, then `uv venv V && uv pip install
        ACTION_PATH`, cold (empty pip and uv caches) and warm (both filled).
- venv: a venv built earlier, packed with `tar --zstd` (or gzip) as actions/cache
        packs it, then unpacked into place: the restore side of a cache hit. The
        download of the archive from GitHub's cache service is not measured here.

Packages come from this machine's package index; a runner downloading from
PyPI adds its own network time to the cold figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ACTION_PATH = Path(__file__).resolve().parent.parent


def sh(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
    subprocess.run(
        [str(a) for a in args],
        check=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def pip_way(work: Path, cache: Path) -> None:
    venv = work / "venv"
    sh(sys.executable, "-m", "venv", venv)
    sh(venv / "bin/pip", "install", "-q", ACTION_PATH, env={"PIP_CACHE_DIR": str(cache)})
    sh(venv / "bin/mentoring", "--version")


def uv_way(work: Path, cache: Path) -> None:
    tools, venv = work / "tools", work / "venv"
    env = {"PIP_CACHE_DIR": str(cache / "pip"), "UV_CACHE_DIR": str(cache / "uv")}
    sh(sys.executable, "-m", "venv", "--without-pip", tools)
    sh(
        sys.executable,
        "-m",
        "pip",
        "--python",
        tools / "bin/python",
        "install",
        "-q",
        "uv",
        env=env,
    )
    uv = tools / "bin/uv"
    sh(uv, "venv", "-q", "--python", sys.executable, venv, env=env)
    sh(uv, "pip", "install", "-q", "--python", venv / "bin/python", ACTION_PATH, env=env)
    sh(venv / "bin/mentoring", "--version")


def venv_restore(work: Path, archive: Path, compress: list[str]) -> None:
    target = work / "restored"
    target.mkdir()
    sh("tar", *compress, "-xf", archive, "-C", target)
    sh(target / "venv/bin/mentoring", "--version")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)

        def fresh(name: str) -> Path:
            path = base / name
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir(parents=True)
            return path

        for name, way in (("pip", pip_way), ("uv", uv_way)):
            warm_cache = fresh(f"{name}-warm-cache")
            way(fresh("prime"), warm_cache)  # fills the warm cache
            for _ in range(runs):
                cold = fresh(f"{name}-cold-cache")
                results.setdefault(f"{name} cold", []).append(
                    timed(lambda w=way, c=cold: w(fresh("work"), c))
                )
                results.setdefault(f"{name} warm", []).append(
                    timed(lambda w=way, c=warm_cache: w(fresh("work"), c))
                )

        built = fresh("built")
        uv_way(built, fresh("uv-cache-for-archive"))
        zstd = shutil.which("zstd") is not None
        compress = ["--zstd"] if zstd else ["-z"]
        archive = base / ("venv.tar.zst" if zstd else "venv.tar.gz")
        sh("tar", *compress, "-cf", archive, "-C", built, "venv")
        size = archive.stat().st_size / 1e6
        for _ in range(runs):
            results.setdefault("cached venv restore", []).append(
                timed(lambda: venv_restore(fresh("work"), archive, compress))
            )

    print(f"install of the action's tool, median of {runs} runs (Python {sys.version.split()[0]})")
    for name, times in results.items():
        print(f"  {name:22} {statistics.median(times):6.1f} s   (min {min(times):.1f} s)")
    print(f"  cached venv archive    {size:6.1f} MB ({'zstd' if zstd else 'gzip'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
