"""How long an applicant waits: from `mentoring event` starting to its first write.

Run: python benchmarks/event_latency.py [--runs N]

For each run, a fresh application is opened on the local emulator, then the
`issues.opened` event is handed to `mentoring event` as the action's run step
starts it (a new process: `python -m mentoring --root PROGRAM event`). The
clock starts just before the process is started and stops when the emulator
receives the first write (its request log is stamped as requests arrive, in
this process). The emulator answers in well under a millisecond, so the figure
is the tool's own: interpreter start, imports, reading the program's files and
the issue, deciding. The last write and the process's exit are printed too.
Writes are not paced here (pace_seconds: 0); on GitHub the first write is not
paced either, only the ones after it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mentoring.emulator import EmulatorServer
from tests.payloads import build
from tests.support import REPO, form_body, program_copy


def open_issue(url: str) -> int:
    request = urllib.request.Request(
        f"{url}/repos/{REPO}/issues",
        method="POST",
        data=json.dumps(
            {
                "title": "Mentoring application: Ada",
                "body": form_body(),
                "labels": ["mentoring: application"],
            }
        ).encode(),
        headers={"Authorization": "token as:ada-example"},
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())["number"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    first, last, done = [], [], []
    with tempfile.TemporaryDirectory() as tmp, EmulatorServer() as emu:
        stamp = emu.state.record_request
        emu.state.record_request = lambda entry: stamp({**entry, "at": time.monotonic()})
        emu.state.set_collaborators(REPO, ["octo-coordinator"])
        root = program_copy(Path(tmp))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))}
        env.update(GITHUB_API_URL=emu.url, GITHUB_REPOSITORY=REPO, GITHUB_TOKEN="bot-token")
        for index in range(runs):
            number = open_issue(emu.url)
            payload = Path(tmp) / f"event-{index}.json"
            payload.write_text(json.dumps(build.issues("opened", number=number)))
            env.update(GITHUB_EVENT_NAME="issues", GITHUB_EVENT_PATH=str(payload))
            emu.state.clear_log()
            start = time.monotonic()
            subprocess.run(
                [sys.executable, "-m", "mentoring", "--root", str(root), "event"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            end = time.monotonic()
            writes = [e["at"] for e in emu.state.log() if e["method"] not in ("GET", "HEAD")]
            first.append(writes[0] - start)
            last.append(writes[-1] - start)
            done.append(end - start)
    print(
        f"mentoring event on issues.opened, median of {runs} runs (Python {sys.version.split()[0]})"
    )
    print(f"  start to first write   {statistics.median(first):5.2f} s   (min {min(first):.2f} s)")
    print(f"  start to last write    {statistics.median(last):5.2f} s   (unpaced)")
    print(f"  start to exit          {statistics.median(done):5.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
