"""Benchmark of one nightly pass over N active mentorships on the local emulator.

Seeds an in-process emulator with N active mentorships (default 1,000) started
over the past year, each with a history of about 30 comments as the program
leaves them in its steady state (the status card, welcome and pairing notes,
a check-in every cadence with its card edit, replies, escalations, chatter),
then runs one nightly pass and a second one, and prints JSON:

- ``reads``/``writes``: requests of the first pass (GET / anything else);
- ``read_lower_bound``: pages of the repository's open issues (the applications;
  the dashboard, the open mentor registrations and nominations are found among
  them, since the program owns its repository) plus pages of the comments updated in the
  pass's window, plus the one listing that looks for the dashboard by its label
  on the first pass (there is none yet), the one read of ``participants.yml``
  (whose graduates the pass graduates if their merge was missed; with graduates
  listed, one more listing finds applications closed in the window), plus one
  ``GET /user`` before the first write (is the token the bot's?): the least any
  first pass could read (a pass that writes also lists,
  before every 25 issues it writes to, the applications changed since it read
  them, and the repo's labels once if it must create one);
- ``reads_over_bound``: reads divided by that bound (target: at most 1.2);
- ``exception_reads``: issues read one by one (target: none in the steady state);
- ``second_pass_writes``: target 0;
- ``wall_seconds``: the first pass, without write pacing;
- ``cpu_seconds``: the CPU time of that pass, the emulator's serving included (it
  runs in this process): steadier than wall time on a shared machine;
- ``total_seconds``: the whole run (seeding, the two passes and the traced one);
- ``peak_memory_mb``: Python memory allocated at the pass's peak (tracemalloc, which
  sees the emulator's work for the pass too), measured on a second emulator loaded with
  the same seeded state, so that tracing does not slow the timed pass; target under 200.

Run it from the repository root: ``python benchmarks/nightly.py [--n 1000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mentoring.cli import App  # noqa: E402
from mentoring.core import checkins, schedule, state  # noqa: E402
from mentoring.emulator import EmulatorServer  # noqa: E402
from mentoring.emulator.state import iso  # noqa: E402
from mentoring.program.templates import with_marker  # noqa: E402
from mentoring.runners import run_nightly  # noqa: E402

REPO = "astro/mentoring"
NO_LIMIT = 10**9  # the scale figures measure whole passes; the budget is measured apart
BOT = "github-actions[bot]"
TODAY = date(2026, 6, 1)
PROGRAM_FILES = ("roles.yml", "participants.yml", ".github")
CHATTER = (
    "Pushed the changes we talked about; could you have a look?",
    "Thanks! I reviewed two pull requests this week.",
    "Notes from today's call are in the shared document.",
    "I will be travelling next week, back on Monday.",
    "Triaged the new issues from the weekend.",
    "Good progress on the release checklist.",
)


def program_root(directory: Path, max_per_run: int) -> Path:
    """A copy of the example program with no write pacing and a cap that fits the pass."""
    root = directory / "program"
    root.mkdir()
    for name in PROGRAM_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        elif source.exists():
            shutil.copy2(source, root / name)
    settings = f"writes:\n  pace_seconds: 0\n  max_per_run: {max_per_run}\n"
    (root / ".github" / "mentoring.yml").write_text(settings, encoding="utf-8")
    return root


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


class History:
    """One mentorship's comments, as the program and its people would have left them."""

    def __init__(self, app: App, rng: random.Random, index: int, comments: int):
        self.app = app
        self.rng = rng
        self.mentee = f"mentee-{index:04d}"
        role = app.program.roles[index % len(app.program.roles)]
        self.role = role.id
        self.mentor = role.mentors[0].login if role.mentors else "ada-mentor"
        self.started = TODAY - timedelta(days=rng.randint(1, 365))
        self.applied = self.started - timedelta(days=rng.randint(3, 30))
        self.events: list[tuple[datetime, str, str, str]] = []  # (when, author, kind, body)
        self.target = comments

    def build(self) -> None:
        """Check-ins up to yesterday, the replies to them, escalations, and chatter."""
        settings = self.app.program.settings.checkins
        messages = self.app.messages
        applied = at(self.applied, 10)
        self.say(applied + timedelta(minutes=1), BOT, "welcome", "Welcome! " * 20)
        self.say(at(self.started, 9), BOT, "paired", "You are paired. " * 20)
        last = schedule.latest_due(self.started, TODAY - timedelta(days=1), settings.every_days)
        self.posted = last
        for n in range(1, last + 1):
            due = schedule.due_date(self.started, n, settings.every_days)
            assessment = schedule.is_assessment(n, settings.assessment_every)
            body = messages.render(
                "checkin",
                number=n,
                mentee=self.mentee,
                mentors=[self.mentor],
                assessment=assessment,
                due=due.isoformat(),
                late=False,
                private_contact=self.app.program.settings.private_contact,
                away=[],
                stand_in=[],
            )
            data = {"n": n, "due": due.isoformat(), "assessment": assessment}
            posted = at(due, 5, 17)
            self.say(posted, BOT, "checkin", with_marker(body, checkins.CHECKIN, data))
            if self.rng.random() < 0.3:
                self.say(posted + timedelta(hours=self.rng.randint(2, 60)), self.mentee, "", "ok!")
            if assessment:
                if self.rng.random() < 0.7:
                    when = posted + timedelta(days=self.rng.randint(1, 10))
                    self.say(when, self.mentor, "", "Not ready yet: a release to go.")
                elif due + timedelta(days=settings.escalate_after_days) < TODAY:
                    when = at(due + timedelta(days=settings.escalate_after_days), 5, 17)
                    esc = with_marker("Escalated.", checkins.ESCALATION, {"n": n})
                    self.say(when, BOT, "escalation", esc)
        span = (TODAY - self.started).days * 24
        while len(self.events) + 1 < self.target and span > 13:
            author = self.rng.choice((self.mentee, self.mentor))
            when = at(self.started, 12) + timedelta(hours=self.rng.randint(1, span - 12))
            self.say(when, author, "", self.rng.choice(CHATTER))

    def say(self, when: datetime, author: str, kind: str, body: str) -> None:
        if when.date() < TODAY:
            self.events.append((when, author, kind, body))

    def card(self, number: int, ids: dict[int, int]) -> tuple[datetime, datetime, str]:
        """The status card as the last run left it: created when applied, edited at the last
        check-in, with every reply so far flagged."""
        people = {self.mentee, self.mentor}
        replies = [ids[i] for i, e in enumerate(self.events) if e[1] in people]
        m = state.Mentorship(
            issue=number,
            mentee=self.mentee,
            status="active",
            role=self.role,
            mentors=(self.mentor,),
            applied=self.applied,
            started=self.started,
            checkin=self.posted,
            flagged=max(replies, default=0),
            history=((self.applied, "waiting"), (self.started, "active")),
        )
        body = state.card_body(m, self.app.program, self.app.messages)
        edits = [e[0] for e in self.events if e[2] == "checkin"]
        return at(self.applied, 10), max([at(self.started, 9), *edits]), body


def seed(emu: EmulatorServer, app: App, n: int, comments: int, rng_seed: int) -> int:
    """N active mentorships written straight into the emulator's state; the comment count."""
    rng = random.Random(rng_seed)
    data = emu.state
    histories = [History(app, rng, i, comments) for i in range(n)]
    for h in histories:
        h.build()
    labels = app.program.settings.labels
    with data.mutex:
        repo = data.repo(REPO)
        numbers = []
        for h in histories:
            data.set_now(at(h.applied, 10))
            issue = data.new_issue(repo, h.mentee, f"Mentoring application: {h.mentee}", "…")
            names = (labels.application, labels.status("active"), labels.role(h.role))
            issue["labels"] = [data.label(repo, name)["id"] for name in names]
            issue["assignees"] = [h.mentor]
            numbers.append(issue["number"])
        # Ids grow with time across the repository, as on GitHub.
        timeline = []
        for number, h in zip(numbers, histories, strict=True):
            timeline.append((at(h.applied, 10), number, -1))
            timeline.extend((e[0], number, i) for i, e in enumerate(h.events))
        timeline.sort()
        ids: dict[tuple[int, int], int] = {}
        for _, number, i in timeline:
            ids[(number, i)] = data.next_id()
        total = 0
        for number, h in zip(numbers, histories, strict=True):
            issue = repo["issues"][str(number)]
            own = {i: ids[(number, i)] for i in range(len(h.events))}
            for i, (when, author, _, body) in enumerate(h.events):
                add_comment(repo, issue, own[i], author, body, when, when)
            created, edited, card = h.card(number, own)
            add_comment(repo, issue, ids[(number, -1)], BOT, card, created, edited)
            issue["updated_at"] = iso(edited)
            total += len(h.events) + 1
        data.set_now(None)
    return total


def add_comment(repo: dict, issue: dict, id: int, author: str, body: str, created, updated):
    repo["comments"][str(id)] = {
        "id": id,
        "issue": issue["number"],
        "user": author,
        "body": body,
        "created_at": iso(created),
        "updated_at": iso(updated),
    }
    issue["comments"] += 1


def lower_bound(emu: EmulatorServer, app: App) -> tuple[int, int]:
    """Pages of open applications and pages of comments in the pass's window."""
    since = iso(run_nightly.window_start(app.program.settings, TODAY))
    repo = emu.state.repo(REPO)
    issues = sum(1 for i in repo["issues"].values() if i["state"] == "open")
    comments = sum(1 for c in repo["comments"].values() if c["updated_at"] >= since)
    return -(-issues // 100), -(-comments // 100)


def one_pass(emu: EmulatorServer, app: App) -> dict[str, Any]:
    env = {"GITHUB_API_URL": emu.url, "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": "bot"}
    gateway = app.gateway(env=env)
    emu.state.set_now(at(TODAY, 5, 17))
    emu.state.clear_log()
    started, cpu = time.perf_counter(), time.process_time()
    snapshot = run_nightly.one_pass(gateway, app.program, app.messages, TODAY)
    report = gateway.report
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu  # this process: the pass and the emulator serving it
    log = emu.state.log()
    return {
        "reads": sum(1 for e in log if e["method"] == "GET"),
        "writes": sum(1 for e in log if e["method"] != "GET"),
        "exception_reads": len(snapshot.read_in_full),
        "comments_read": snapshot.comments_read,
        "deferred": sum(len(v) for v in report.deferred.values()),
        "failed": sum(len(v) for v in report.failed.values()),
        "wall_seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
    }


def budget_pass(emu: EmulatorServer, app: App, hourly: int) -> dict[str, Any]:
    """One pass on a token with ``hourly`` requests an hour, the default reserve (200) and
    wait (180 min): how often it waits for the hour's count, and whether it finishes.
    The waits move the emulator's clock, not the real one."""
    env = {"GITHUB_API_URL": emu.url, "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": "bot"}
    budget = app.program.settings.budget
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        emu.state.set_now(emu.state.now() + timedelta(seconds=seconds))

    gateway = app.gateway(
        env=env,
        reserve=budget.reserve,
        wait_seconds=budget.wait_minutes * 60,
        sleep=sleep,
        out=open(os.devnull, "w"),  # noqa: SIM115  (the wait lines)
    )
    emu.state.set_rate_limit(hourly)
    start = at(TODAY, 5, 17)
    emu.state.set_now(start)
    emu.state.clear_log()
    run_nightly.one_pass(gateway, app.program, app.messages, TODAY)
    log = emu.state.log()
    counted = [e for e in log if e["path"] != "/rate_limit"]
    return {
        "hourly_limit": hourly,
        "reserve": budget.reserve,
        "requests": len(counted),
        "reads": sum(1 for e in counted if e["method"] == "GET"),
        "writes": sum(1 for e in counted if e["method"] != "GET"),
        "refused_over_the_limit": sum(1 for e in counted if e["status"] in (403, 429))
        - sum(1 for e in counted if e["path"] == "/user"),  # GET /user: 403 for the bot
        "waits": len(waits),
        "minutes_waited": round(sum(waits) / 60),
        "hours_from_start_to_end": round((emu.state.now() - start).total_seconds() / 3600, 2),
        "finished": gateway.stopped is None,
        "stopped_at": gateway.stopped,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="active mentorships (default 1000)")
    parser.add_argument("--comments", type=int, default=30, help="comments each (about)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--hourly-limit",
        type=int,
        default=None,
        help="also run the pass on a token with this many requests an hour (GITHUB_TOKEN: "
        "1000), waiting at the reserve as the nightly does, on the emulator's clock",
    )
    args = parser.parse_args(argv)
    began = time.perf_counter()

    with tempfile.TemporaryDirectory() as tmp:
        app = App(program_root(Path(tmp), max_per_run=10 * args.n), None, False)
        seeded_state = Path(tmp) / "seeded.json"
        with EmulatorServer(rate_limit=NO_LIMIT) as emu:
            seeded = seed(emu, app, args.n, args.comments, args.seed)
            emu.state.save(seeded_state)
            fresh_state = Path(tmp) / "fresh.json"  # an emulator with a state file saves it
            shutil.copy2(seeded_state, fresh_state)
            issue_pages, comment_pages = lower_bound(emu, app)
            first = one_pass(emu, app)
            second = one_pass(emu, app)
        with EmulatorServer(state_file=seeded_state, rate_limit=NO_LIMIT) as emu:  # again
            tracemalloc.start()
            one_pass(emu, app)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        limited = None
        if args.hourly_limit is not None:
            with EmulatorServer(state_file=fresh_state) as emu:
                limited = budget_pass(emu, app, args.hourly_limit)

    # The dashboard issue, the open mentor registrations and nominations come from the
    # listing of every open issue (issue_pages), since the program owns its repository;
    # before the first pass there is no dashboard yet, so that pass also looks for it by
    # its label, closed ones too.
    dashboard_pages = 1
    participants_pages = 1  # participants.yml on the default branch: graduation, level-triggered
    identity = 1 if first["writes"] else 0  # GET /user: whose token, before the first write
    bound = (issue_pages + comment_pages + dashboard_pages + participants_pages) + identity
    result = {
        "n": args.n,
        "comments_seeded": seeded,
        "comments_per_mentorship": round(seeded / args.n, 1),
        "reads": first["reads"],
        "writes": first["writes"],
        "read_lower_bound": bound,
        "read_lower_bound_parts": {
            "issue_pages": issue_pages,
            "comment_pages": comment_pages,
            "dashboard_pages": dashboard_pages,
            "participants_pages": participants_pages,
            "identity_check": identity,
        },
        "reads_over_bound": round(first["reads"] / bound, 3),
        "exception_reads": first["exception_reads"],
        "comments_read": first["comments_read"],
        "deferred": first["deferred"],
        "failed": first["failed"],
        "wall_seconds": first["wall_seconds"],
        "cpu_seconds": first["cpu_seconds"],
        "total_seconds": None,  # the whole script: seeding, both passes, the traced pass
        "peak_memory_mb": round(peak / 2**20, 1),
        "second_pass_reads": second["reads"],
        "second_pass_writes": second["writes"],
    }
    if limited is not None:
        result["limited_pass"] = limited
    result["targets_met"] = {
        "reads_within_1.2x_bound": result["reads_over_bound"] <= 1.2,
        "second_pass_writes_nothing": result["second_pass_writes"] == 0,
        "peak_memory_under_200mb": result["peak_memory_mb"] < 200,
    }
    result["total_seconds"] = round(time.perf_counter() - began, 1)
    print(json.dumps(result, indent=2))
    return 0 if all(result["targets_met"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
