"""`mentoring demo --program cohort`: rounds of a cohort program on the emulator, end to end.

People act through the emulator's API (applications, replies, the coordinators'
commands) or, for their work in the project's repositories, straight into its
state (`emulator/contributions.py`); the bot is the real event handler and the
real nightly pass, run every simulated day. `Simulation.counts` holds what the
year-long test checks: check-ins per participant per week, weekly reports,
announcements, seats.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import shutil
import tempfile
import urllib.request
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import click

from mentoring.core import cohort_steps, markers, weekly
from mentoring.core.cohort_report import MARKS, mark_period
from mentoring.errors import MentoringError

REPO = "demo-org/mentoring"
PROJECT = ("demo-org/project", "demo-org/docs")
START = date(2027, 1, 4)  # a Monday
ROUND_DAYS = 182  # two rounds a year
NIGHTLY_AT = time(5, 17)
DAY_STARTS = time(9, 0)
BOT_TOKEN = "demo-bot-token"
COORDINATOR = "octo-coordinator"
NAMES = (
    "noor-h", "tomas-r", "mei-c", "kwame-m", "priya-n", "jonas-b", "aiko-t", "lena-f",
    "omar-s", "sofia-r", "ana-c", "yusuf-d", "ingrid-o", "ravi-k", "chloe-m", "diego-f",
)  # fmt: skip


def cohorts_yml(first: date, rounds: int, seats: int) -> str:
    """Rounds every half year: a 3-week window, a 4-week contribution period, the results
    11 days after it, then 10 weeks with weekly check-ins and reports."""
    lines = ["cohorts:"]
    for r in range(rounds):
        base = first + timedelta(days=ROUND_DAYS * r)
        start = base + timedelta(days=42)
        lines += [
            f"  - id: round-{r + 1}",
            f"    name: Round {r + 1}",
            f"    applications: {{open: {base}, close: {base + timedelta(days=20)}}}",
            f"    contribution: {{start: {base + timedelta(days=7)}, "
            f"end: {base + timedelta(days=34)}}}",
            f"    announce: {base + timedelta(days=38)}",
            f"    seats: {seats}",
            f"    start: {start}",
            f"    end: {start + timedelta(days=69)}",
            "    checkins: {every_days: 7}",
            "    report: {every_days: 7}",
            "    criteria: {merged_pulls: 2, reviews: 1}",
        ]
    return "\n".join(lines) + "\n"


def make_program(directory: Path, rounds: int, seats: int) -> Path:
    """The demo program with cohorts.yml and its settings, in ``directory``."""
    from mentoring.demo import PROGRAM_DIR

    root = directory / "cohort-program"
    shutil.copytree(PROGRAM_DIR, root)
    (root / "cohorts.yml").write_text(cohorts_yml(START, rounds, seats), encoding="utf-8")
    settings = (
        "writes:\n  pace_seconds: 0\n  max_per_run: 500\n"
        f"activity:\n  repositories: [{', '.join(PROJECT)}]\n"
    )
    (root / ".github" / "mentoring.yml").write_text(settings, encoding="utf-8")
    return root


def environment(api_url: str, root: Path) -> contextlib.AbstractContextManager[None]:
    """The workflow's environment for the runners, as the main demo sets it."""
    from mentoring.demo import _environment

    return _environment(api_url, REPO, workspace=root)


def _quiet(func: Callable[..., Any], *args: Any) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = func(*args)
        except MentoringError as exc:
            code = 1
            out.write(f"mentoring: {exc}\n")
    return int(code or 0), out.getvalue()


class Simulation:
    """Rounds of a cohort program, day by day, with the real bot in between."""

    def __init__(
        self, emu: Any, app: Any, applicants: int, seed: int, echo: Callable, daily: bool = True
    ):
        self.emu, self.app = emu, app
        self.program = app.program
        self.rng = random.Random(seed)
        self.applicants = applicants
        self.echo = echo
        self.daily = daily  # False: the nightly runs only on the days something can be due
        self.gap: tuple[date, date] | None = None  # days without a nightly, then one the day after
        self.today = START
        self.queue: dict[date, list[tuple[Callable[..., None], tuple]]] = {}
        self.issue_of: dict[str, int] = {}
        self.cohort_of: dict[str, str] = {}
        self.problems: list[str] = []
        self.counts: Counter = Counter()
        self.seen: set[int] = set()
        self.selected: set[str] = set()
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.scratch = Path(tempfile.mkdtemp(prefix="cohort-demo-"))

    # ------------------------------------------------------------------ the calendar

    def at(self, day: date, action: Callable[..., None], *args: Any) -> None:
        self.queue.setdefault(day, []).append((action, args))

    def plan(self) -> None:
        """Each round: applications, contributions, selection, the cohort's weeks, the end."""
        for index, cohort in enumerate(self.program.cohorts):
            names = [f"{NAMES[i % len(NAMES)]}{index + 1}" for i in range(self.applicants)]
            window = cohort.applications
            for i, login in enumerate(names):
                self.at(window.first + timedelta(days=i % 14), self.apply, login, cohort.id)
                eager = 1 + (len(names) - i) % 4  # some contribute more than others
                for week in range(4):
                    day = cohort.contribution.first + timedelta(days=7 * week + i % 7)
                    for _ in range(eager if week % 2 == 0 else 1):
                        self.at(day, self.contribute, login, True)
            self.at(cohort.contribution.last + timedelta(days=1), self.select, cohort.id)
            for week in range(10):
                monday = cohort.start + timedelta(days=7 * week)
                self.at(monday + timedelta(days=2), self.work, cohort.id)
            self.at(cohort.end - timedelta(days=10), self.extend_one, cohort.id)
        # One application between the rounds' windows: a kind reply with the next dates.
        gap = self.program.cohorts[0].applications.last + timedelta(days=30)
        self.at(gap, self.apply, "late-lou", "")

    def due_days(self) -> set[date]:
        """The days anything of the cohorts can be due: their key dates and every 7th day
        from the start of the contribution period and of the cohort (a run on other days
        finds nothing due: the schedule counts from those dates)."""
        if not hasattr(self, "_due"):
            self._due: set[date] = set()
            for cohort in self.program.cohorts:
                self._due |= weekly.key_dates(cohort)
                for first in (cohort.contribution.first, cohort.start):
                    self._due |= {first + timedelta(days=7 * k) for k in range(20)}
                for months in MARKS:
                    self._due.add(mark_period(cohort, months)[0])
        return self._due

    def run(self, last: date) -> None:
        self.plan()
        day = START
        while day <= last:
            self.today = day
            self.emu.state.set_now(datetime.combine(day, NIGHTLY_AT, UTC))
            if self.gap and self.gap[0] <= day <= self.gap[1]:
                pass  # the scheduler was off (tests: follow-ups catch up)
            elif (
                self.daily
                or day in self.due_days()
                or (self.gap and day == self.gap[1] + timedelta(days=1))
            ):
                self.nightly(day)
            for step, (action, args) in enumerate(self.queue.pop(day, [])):
                moment = datetime.combine(day, DAY_STARTS, UTC) + timedelta(minutes=5 * step)
                self.emu.state.set_now(moment)
                action(*args)
                self.deliver()
            day += timedelta(days=1)

    # ------------------------------------------------------------------ the bot

    def nightly(self, day: date) -> None:
        from mentoring.runners import run_nightly

        code, out = _quiet(run_nightly.run, self.app, day)
        self._check(code, out, f"nightly on {day}")
        self.read_back(day)

    def deliver(self) -> None:
        from mentoring.demo import workflow_event
        from mentoring.runners import run_events

        for event in self.emu.state.events():
            payload = event["payload"]
            repository = (payload.get("repository") or {}).get("full_name") or ""
            name = workflow_event(event["name"], payload.get("action"))
            if repository.lower() != REPO.lower() or name is None:
                continue
            path = self.scratch / "event.json"
            path.write_text(json.dumps(payload), encoding="utf-8")
            code, out = _quiet(run_events.run, self.app, name, path, self.today)
            self._check(code, out, f"event {name}")

    def _check(self, code: int, out: str, what: str) -> None:
        if code != 0:
            self.problems.append(f"{self.today} {what}: exit {code}: {out.strip()[-300:]}")

    # ------------------------------------------------------------------ reading the bot

    def read_back(self, day: date) -> None:
        """Count tonight's bot comments (check-ins, results, reports) and print the reports."""
        repo = self.emu.state.repo(REPO)
        bot = self.program.settings.bot_login
        for comment in repo["comments"].values():
            if comment["id"] in self.seen or comment["user"].lower() != bot.lower():
                continue
            self.seen.add(comment["id"])
            kinds = markers.kinds(comment["body"])
            issue = comment["issue"]
            posted = date.fromisoformat(comment["created_at"][:10])
            week = posted.isocalendar()[:2]
            if "checkin" in kinds:
                self.counts[("checkin", issue, week)] += 1
                self.counts[("checkins", issue)] += 1
            if cohort_steps.RESULT in kinds:
                self.echo(f"{posted}  #{issue:<4} result announced: {_first_line(comment['body'])}")
                self.counts[("result", issue)] += 1
                self.counts[("result-on", issue, comment["created_at"][:10])] += 1
            if weekly.WEEK in kinds:
                self.counts[("report", issue, week)] += 1
                self.counts[("reports", issue)] += 1
                self.echo(markers.remove(comment["body"]).strip())
                self.echo("")
            if weekly.FOLLOWUP in kinds:
                self.counts[("followup", issue)] += 1
                self.echo(markers.remove(comment["body"]).strip())
                self.echo("")
            if cohort_steps.THANKS in kinds:
                self.counts[("thanks", issue)] += 1
            if cohort_steps.WINDOW in kinds:
                self.echo(f"{posted}  #{issue:<4} the bot: {_first_line(comment['body'])}")
                self.counts[("window", issue)] += 1

    # ------------------------------------------------------------------ people

    def call(self, method: str, path: str, login: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.emu.url + path, data=data, method=method)
        request.add_header("Authorization", f"token as:{login}")
        request.add_header("Content-Type", "application/json")
        with self._opener.open(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None

    def comment(self, number: int, login: str, text: str) -> None:
        self.call("POST", f"/repos/{REPO}/issues/{number}/comments", login, {"body": text})

    def apply(self, login: str, cohort_id: str) -> None:
        from mentoring.demo import form_body

        role = self.program.roles[0]
        values = {
            "name": login,
            "role": f"{role.name} ({role.id})",
            "why": "I would like to help.",
            "contributions": "A few pull requests.",
        }
        issue = self.call(
            "POST",
            f"/repos/{REPO}/issues",
            login,
            {
                "title": f"Mentoring application: {login}",
                "body": form_body(values, True),
                "labels": [self.program.settings.labels.application],
            },
        )
        self.issue_of[login] = issue["number"]
        self.cohort_of[login] = cohort_id
        self.counts["applied"] += 1
        where = f"for {cohort_id}" if cohort_id else "between the application windows"
        self.echo(f"{self.today}  #{issue['number']:<4} @{login} applies {where}")

    def contribute(self, login: str, merge: bool) -> None:
        from mentoring.emulator import contributions

        emu = self.emu.state
        now = emu.now()
        repo = self.rng.choice(PROJECT)
        merged = now + timedelta(hours=3) if merge and self.rng.random() < 0.7 else None
        pull = contributions.pull(emu, repo, login, now, merged=merged)
        if self.rng.random() < 0.5:
            contributions.review(emu, repo, pull["number"], "maintainer", now + timedelta(hours=1))
        if self.rng.random() < 0.4:
            others = [i for i in emu.repo(repo)["issues"].values() if i["pull"]]
            target = self.rng.choice(others)
            contributions.review(emu, repo, target["number"], login, now + timedelta(hours=2))

    def _score(self, login: str) -> int:
        """The coordinators' private judgement: here, the pull requests in the period."""
        return sum(
            1
            for repo in PROJECT
            for i in self.emu.state.repo(repo)["issues"].values()
            if i["pull"] and i["user"] == login
        )

    def select(self, cohort_id: str) -> None:
        """After the contribution period: /select the best up to the seats, one more (refused:
        the seats are full), /waitlist the next; the others hear "not selected" on the date."""
        cohort = next(c for c in self.program.cohorts if c.id == cohort_id)
        names = [x for x, c in self.cohort_of.items() if c == cohort_id]
        ranked = sorted(names, key=lambda x: (-self._score(x), x))
        seats = cohort.total_seats or len(ranked)
        for login in ranked[: seats + 1]:
            self.comment(self.issue_of[login], COORDINATOR, "/select")
            self.deliver()
        if len(ranked) > seats + 1:
            self.comment(self.issue_of[ranked[seats + 1]], COORDINATOR, "/waitlist")
            self.deliver()
        self.selected = set(ranked[:seats])
        keeper = sorted(self.selected)[0]  # stays active after the end: retention is not 0
        for k in range(1, 14):
            self.at(cohort.end + timedelta(days=30 * k - 10), self.contribute, keeper, True)
        self.echo(
            f"{self.today}  {cohort_id}: contribution period over; the coordinators /select "
            f"{', '.join('@' + x for x in ranked[: seats + 1])} (the last is refused: "
            f"{seats} seats)"
            + (f", /waitlist @{ranked[seats + 1]}" if len(ranked) > seats + 1 else "")
        )

    def work(self, cohort_id: str) -> None:
        """A week of the cohort: participants answer their latest check-in (one is quiet in
        the middle weeks) and contribute."""
        bot = self.program.settings.bot_login
        for login, c in sorted(self.cohort_of.items()):
            if c != cohort_id or login not in getattr(self, "selected", ()):
                continue
            number = self.issue_of[login]
            quiet = login == sorted(self.selected)[0] and 3 <= self.week_of(cohort_id) <= 5
            if quiet:
                continue
            self.contribute(login, True)
            repo = self.emu.state.repo(REPO)
            checkins = [
                x
                for x in repo["comments"].values()
                if x["issue"] == number and x["user"] == bot and "checkin" in x["body"]
            ]
            if checkins:
                self.comment(number, login, "Going well: two pull requests in review.")

    def week_of(self, cohort_id: str) -> int:
        cohort = next(c for c in self.program.cohorts if c.id == cohort_id)
        return (self.today - cohort.start).days // 7 + 1

    def extend_one(self, cohort_id: str) -> None:
        """In the first round, a coordinator extends one participant by two weeks."""
        if cohort_id != self.program.cohorts[0].id:
            return
        cohort = self.program.cohorts[0]
        login = sorted(self.selected)[-1]
        until = cohort.end + timedelta(days=14)
        self.comment(self.issue_of[login], COORDINATOR, f"/extend until {until}")
        self.extended = login


def _first_line(body: str) -> str:
    text = markers.remove(body).strip().splitlines()[0].strip("#* ").replace("\u200b", "")
    return text if len(text) <= 90 else text[:89] + "…"


def run(app: Any, rounds: int = 2, applicants: int = 8, seats: int = 3, seed: int = 1) -> int:
    """`mentoring demo --program cohort`: print the weekly reports and the summary; 1 on trouble."""
    sim, _ = simulate(rounds, applicants, seats, seed, echo=click.echo)
    for problem in sim.problems:
        click.echo(f"problem: {problem}", err=True)
    return 1 if sim.problems else 0


def simulate(
    rounds: int,
    applicants: int,
    seats: int,
    seed: int,
    echo: Callable = lambda *_: None,
    daily: bool = True,
    after: Callable[[Simulation], None] | None = None,
    until: date | None = None,
    gap: tuple[date, date] | None = None,
    over_http: bool = False,
) -> tuple[Simulation, str]:
    """The whole simulation; returns it (with its counts) and the summary reports' text.

    The bot's PyGithub is answered in this process (``emulator/inprocess.py``), or,
    ``over_http``, through the emulator's HTTP server, as the tests run it."""
    from mentoring.cli import App
    from mentoring.emulator import EmulatorServer, inprocess

    with tempfile.TemporaryDirectory() as directory:
        root = make_program(Path(directory), rounds, seats)
        emu = EmulatorServer(port=0, seed_dir=root)
        emu.state.set_now(datetime.combine(START, time.min, UTC))
        emu.start()
        try:
            transport = contextlib.nullcontext() if over_http else inprocess.serving(emu.state)
            with environment(emu.url, root), transport:
                app = App(root=root, repo=REPO, dry_run=False)
                sim = Simulation(emu, app, applicants, seed, echo, daily)
                sim.gap = gap
                echo(
                    f"mentoring demo --program cohort: {rounds} round(s) of {applicants} "
                    f"applicants for {seats} seats, {START} onwards, on the built-in emulator."
                )
                echo("")
                last = until or app.program.cohorts[-1].end + timedelta(days=2)
                sim.run(last)
                text = summaries(app, sim, last)
                echo(text)
                if after is not None:  # tests: look at the emulator before it stops
                    after(sim)
        finally:
            emu.stop()
            shutil.rmtree(sim.scratch, ignore_errors=True) if "sim" in locals() else None
    return sim, text


def summaries(app: Any, sim: Simulation, today: date) -> str:
    """The summary report of each round (empty until `mentoring report --cohort` exists)."""
    try:
        from mentoring.runners import run_cohort_report
    except ImportError:  # pragma: no cover - slice 5 not there
        return ""
    parts = []
    for cohort in app.program.cohorts:
        code, out = _quiet(run_cohort_report.run, app, cohort.id, "md", today, None)
        sim._check(code, out, f"report --cohort {cohort.id}")
        parts.append(out.strip())
    return "\n\n".join(parts)
