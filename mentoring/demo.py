"""`mentoring demo`: a whole mentoring program, day by day, on the built-in GitHub emulator.

The demo starts the emulator in this process, with the demo program's files
(``mentoring/demo_program/``) on the repository's default branch, and plays a
season of the program. Simulated people act as people do on GitHub, over plain
HTTP with their own identity (an ``as:LOGIN`` token): applicants open the
application form, some incomplete, and fix it by editing the issue;
coordinators pair mentors with ``/mentor``; mentors and mentees answer
check-ins now and then, pause, withdraw, say ``/ready``; graduates open a pull
request adding their entry to ``participants.yml`` and a coordinator merges it.
The mentors' side too: a new mentor registers with the form, a coordinator
``/approve``s, the bot's pull request to ``roles.yml`` is merged (the checkout
then has the new file) and the new mentor is suggested to the next applicant for
the role; a role holder nominates someone who later applies and gets the
nominator suggested first; a mentor goes ``/away`` and comes back with ``/back``.

The bot's side is the real thing: every webhook event the people's writes
cause (as GitHub Actions would receive it) goes through ``mentoring event``'s
handler, and ``mentoring nightly``'s pass runs every simulated day. People
react only to what the bot actually posted. The timeline is read back from the
emulator after each step; at the end come the dashboard issue and the report.
The same seed gives the same story.
"""

from __future__ import annotations

import base64
import bisect
import contextlib
import functools
import io
import json
import os
import random
import re
import shlex
import shutil
import tempfile
import time as clock
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote as url_quote

import click

from mentoring.core import markers, state
from mentoring.core.report import add_months
from mentoring.core.textsafe import ZWSP
from mentoring.errors import MentoringError
from mentoring.program import form
from mentoring.program.config import STATUSES

PROGRAM_DIR = Path(__file__).parent / "demo_program"
PROGRAM_FILES = (
    "roles.yml",
    "participants.yml",
    ".github/mentoring.yml",
    ".github/ISSUE_TEMPLATE/application.yml",
)
DEFAULT_REPO = "demo-org/mentoring"
START = date(2026, 1, 5)  # a Monday: the program opens
NIGHTLY_AT = time(5, 17)  # as the nightly workflow's cron
DAY_STARTS = time(9, 0)  # people act from then on, a few minutes apart
SERVER_URL = "https://github.com"
BOT_TOKEN = "demo-bot-token"  # any token other than as:LOGIN acts as github-actions[bot]
COC_OPTION = "I agree to follow the project's code of conduct."
RULE = "─" * 78

# The first applicants' fates, in order of arrival: every part of the program shows up early.
FATES = ("graduate", "escalate", "withdraw", "pause", "graduate", "decline", "abandon", "graduate")
LATER_FATES = ("graduate", "active", "graduate", "pause", "withdraw", "escalate", "decline")
DEFECTS = {1: "role", 3: "coc"}  # applicant index: what their first form gets wrong
UNKNOWN_ROLE = "Core developer"
MISSING_FIELD = "contributions"

PEOPLE = (
    ("Noor Haddad", "noor-h"),
    ("Tomás Rivera", "tomas-r"),
    ("Mei Chen", "mei-c"),
    ("Kwame Mensah", "kwame-m"),
    ("Priya Nair", "priya-n"),
    ("Jonas Berg", "jonas-b"),
    ("Aiko Tanaka", "aiko-t"),
    ("Lena Fischer", "lena-f"),
    ("Omar Saleh", "omar-s"),
    ("Sofia Rossi", "sofia-r"),
    ("Ana Costa", "ana-c"),
    ("Yusuf Demir", "yusuf-d"),
    ("Ingrid Olsen", "ingrid-o"),
    ("Ravi Kumar", "ravi-k"),
    ("Chloé Martin", "chloe-m"),
    ("Diego Flores", "diego-f"),
)
WHY = {
    "maintainer": "I review a lot of pull requests already and would like to learn to merge "
    "them with confidence and to take part in the package's decisions.",
    "triager": "I enjoy reproducing bug reports and helping newcomers find a first issue.",
    "docs-lead": "The user guide got me started; I would like to look after it for others.",
    "release-manager": "I would like to learn how releases are cut and to share the load.",
}
MENTEE_REPLIES = (
    "All good: we meet every other week and I merged my first review this month.",
    "Going well, though I am a bit short on time this month.",
    "Thanks! We paired on a tricky review last week, which helped a lot.",
)
MENTOR_REPLIES = (
    "Going well: the reviews are getting sharper every week.",
    "All fine on my side; we meet every two weeks.",
)
NOT_YET = (
    "Good progress, not ready yet: I would like them to lead one more review cycle first.",
    "Steady progress; not ready yet, we agreed on two more goals for the next months.",
)
READY_NOTES = (
    "They review and merge confidently now, and the team agrees.",
    "Ready: they have handled the last two cycles on their own.",
)
PAUSE_REASONS = ("I am moving house next month.", "Exams: back after them.")
WITHDRAW_REASONS = (
    "A new job leaves me no time for this, sorry. Thank you both!",
    "I have to step back for family reasons. Thank you for the help so far.",
)
DECLINE_REASONS = (
    "We cannot offer a mentor for this role this year, sorry.",
    "Please contribute a little longer first, then apply again.",
)
# Coordinators look for a free mentor every few days; after this long they tell the applicant
# that none will be free soon, rather than leave the application waiting for ever.
GIVE_UP_AFTER_DAYS = 90
NO_MENTOR_REASON = (
    "Every mentor for this role is full for the coming months, so we cannot pair you now. "
    "Thank you for applying: please apply again next season."
)
NEW_MENTOR = ("Hana Sato", "hana-s")  # registers as a mentor with the form
NOMINATED_BY_DAY = 12  # the nominee (the last applicant) applies no earlier than this day
CONTRIBUTIONS = (
    "Docs: the tutorial's second example no longer runs",
    "Review checklist for new contributors",
    "Speed up the test suite's slowest module",
    "Triage: group the open issues about units",
)


# --------------------------------------------------------------------------- people


@dataclass
class Applicant:
    """One would-be mentee, and what will become of them."""

    index: int
    name: str
    login: str
    role: str  # role id
    fate: str  # graduate, escalate, withdraw, pause, decline, abandon, active
    defect: str | None  # role, coc, contributions: what the first form gets wrong
    arrives: int  # days after the start
    issue: int = 0
    mentors: list[str] = field(default_factory=list)
    started: date | None = None
    ready_at: int | None = None  # the check-in a graduating mentee's mentor answers /ready
    withdraw_at: int = 1
    paused: bool = False
    pull: int = 0
    branch: str = ""
    flawed: bool = False  # the pull request's first version has a mistake
    retained: bool = False  # keeps contributing to the project after graduating


@dataclass(frozen=True)
class BotWrite:
    """Something the bot did on an issue, as read back from the emulator."""

    issue: int
    what: str  # comment, edit, event, issue
    kind: str = ""  # marker kind (comments), event name (events)
    data: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    before: str = ""  # an edited comment's previous body
    title: str = ""


# --------------------------------------------------------------------------- the entry point


def run(
    app: Any,
    months: int = 12,
    applicants: int = 8,
    seed: int = 1,
    keep_state: str | None = None,
    over_http: bool = False,
) -> int:
    """`mentoring demo`: ``months`` of a program with ``applicants`` applicants; 1 on trouble.

    The bot's PyGithub is answered by the emulator in this process (``inprocess.py``), or,
    ``over_http``, through its HTTP server as the tests do: the output is the same."""
    from mentoring.cli import App
    from mentoring.emulator import EmulatorServer, inprocess

    repo = getattr(app, "repo", None) or os.environ.get("GITHUB_REPOSITORY") or DEFAULT_REPO
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repo):
        raise MentoringError(f"repository {repo!r} is not of the form OWNER/NAME")
    if getattr(app, "dry_run", False):
        click.echo(
            "mentoring demo: --dry-run changes nothing here: the demo writes only to its "
            "own emulator.",
            err=True,
        )
    began = clock.monotonic()
    emu = EmulatorServer(port=0, seed_dir=PROGRAM_DIR)
    emu.state.set_now(datetime.combine(START, time.min, UTC))
    emu.start()
    try:
        transport = contextlib.nullcontext() if over_http else inprocess.serving(emu.state)
        with (
            _environment(emu.url, repo),
            tempfile.TemporaryDirectory() as scratch,
            transport,
        ):
            demo_app = App(root=PROGRAM_DIR, repo=repo, dry_run=False)
            demo = Demo(emu, demo_app, repo, months, applicants, seed, Path(scratch))
            demo.play()
            demo.finish()
        if keep_state:
            _keep(emu, repo, Path(keep_state), demo.last)
    finally:
        emu.stop()
    click.echo(
        f"mentoring demo: {demo.nightlies} nightly passes and {demo.events} events handled "
        f"in {clock.monotonic() - began:.1f} s.",
        err=True,
    )
    return 1 if demo.problems else 0


@contextlib.contextmanager
def _environment(api_url: str, repo: str, workspace: Path = PROGRAM_DIR) -> Iterator[None]:
    """The environment the runners read, as a workflow would set it; restored afterwards."""
    wanted = {
        "GITHUB_API_URL": api_url,
        "GITHUB_REPOSITORY": repo,
        "GITHUB_TOKEN": BOT_TOKEN,
        "GITHUB_SERVER_URL": SERVER_URL,  # links in messages as on github.com, not to a port
        "GITHUB_WORKSPACE": str(workspace),  # the demo's program is its repository's top
        "NO_PROXY": ",".join(x for x in (os.environ.get("NO_PROXY"), "127.0.0.1") if x),
        "no_proxy": ",".join(x for x in (os.environ.get("no_proxy"), "127.0.0.1") if x),
    }
    dropped = ("GITHUB_STEP_SUMMARY", "GITHUB_ACTIONS", "GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH")
    saved = {key: os.environ.get(key) for key in (*wanted, *dropped)}
    os.environ.update(wanted)
    for key in dropped:
        os.environ.pop(key, None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _quiet(func: Callable[..., Any], *args: Any) -> tuple[int, str, str]:
    """Run a runner with its terminal output captured: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = func(*args)
        except MentoringError as exc:
            code = 1
            err.write(f"mentoring: {exc}\n")
    return int(code or 0), out.getvalue(), err.getvalue()


# --------------------------------------------------------------------------- reading the bot


class Watcher:
    """Reads what the bot wrote in the program's repository since the last look."""

    def __init__(self, emu: Any, repo: str, bot: str):
        self.emu = emu
        self.key = repo.lower()
        self.bot = bot.lower()
        self.bodies: dict[int, str] = {}  # the bot's comments as last seen
        self.events: dict[int, int] = {}  # per issue: how many of its events were seen
        self.issues: set[int] = set()
        self.status: dict[int, str] = {}  # per issue: the status in its card
        self.version = 0  # counts changes of ``status``
        self.dashboard: int = 0
        self.since = ""  # the emulator's clock at the last look: older changes were seen

    def poll(self) -> list[BotWrite]:
        """What changed since the last look: only what was updated since then is read, from
        the emulator's own orders (a look costs what changed, not the whole repository)."""
        found: list[BotWrite] = []
        with self.emu.state.mutex:
            emu = self.emu.state
            record = emu.data["repos"].get(self.key)
            if record is None:
                return found
            since, self.since = self.since, emu.now_iso()
            for key in sorted(record["issues"], key=int):
                issue = record["issues"][key]
                if issue["updated_at"] < since:
                    continue
                number = issue["number"]
                if number not in self.issues:
                    self.issues.add(number)
                    if (issue["user"] or "").lower() == self.bot:
                        kinds = markers.kinds(issue["body"] or "")
                        kind = "dashboard" if "dashboard" in kinds else "issue"
                        kind = "pull" if issue.get("pull") else kind
                        if kind == "dashboard":
                            self.dashboard = number
                        found.append(BotWrite(number, "issue", kind, title=issue["title"]))
                seen = self.events.get(number, 0)
                for event in issue["events"][seen:]:
                    if (event.get("actor") or "").lower() == self.bot:
                        found.append(BotWrite(number, "event", event["event"], data=event))
                self.events[number] = len(issue["events"])
            order = emu.comment_index(record).updated
            start = bisect.bisect_left(order, (since,))
            for _, key in sorted(order[start:], key=lambda k: k[1]):
                comment = record["comments"][str(key)]
                if (comment["user"] or "").lower() != self.bot:
                    continue
                cid, body = comment["id"], comment["body"]
                before = self.bodies.get(cid)
                if before == body:
                    continue
                self.bodies[cid] = body
                what = "comment" if before is None else "edit"
                parsed = list(markers.parse(body))
                kinds = [k for k, _ in parsed]
                kind = _main_kind(kinds)
                data = next((d for k, d in parsed if k == kind), {})
                found.append(BotWrite(comment["issue"], what, kind, data, body, before or ""))
                if kind == state.CARD and data.get("status") in STATUSES:
                    if self.status.get(comment["issue"]) != data["status"]:
                        self.version += 1
                    self.status[comment["issue"]] = data["status"]
        found.sort(key=lambda w: w.issue)
        return found

    def issue(self, number: int) -> dict[str, Any]:
        with self.emu.state.mutex:
            record = self.emu.state.data["repos"][self.key]
            return json.loads(json.dumps(record["issues"][str(number)]))


def _main_kind(kinds: list[str]) -> str:
    """The kind that says what a comment is: ``paired`` over the ``command`` reply it is in."""
    for kind in kinds:
        if kind not in ("command", "mentors-reply"):  # an invitation, an absence: the news
            return kind
    return kinds[0] if kinds else "comment"


def _card_status(body: str) -> str | None:
    for kind, data in markers.parse(body):
        if kind == state.CARD:
            return data.get("status")
    return None


def _clean(text: str) -> str:
    text = markers.remove(text).replace(ZWSP, "")
    text = re.sub(r"^[#>\s-]+", "", text.strip())
    text = text.replace("**", "").replace("`", "").strip()
    # "@a, @b: the pause ended…": who was notified is not news in a one-line summary.
    shorter = re.sub(r"^@[\w-]+(?:, @[\w-]+)*: ", "", text)
    return shorter[:1].upper() + shorter[1:] if shorter != text else text


def _short(text: str, limit: int = 110) -> str:
    """A long text cut to its first sentence, or clause, and to ``limit`` characters."""
    for cut in (r"(.+?[.!?])(\s|$)", r"(.+?) \(", r"(.+?): please"):
        if len(text) <= limit:
            break
        match = re.match(cut, text)
        if match and len(match.group(1)) >= 20:
            text = match.group(1)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summary(kind: str, body: str, data: dict[str, Any]) -> str:
    """One line on a bot comment: what a person would take away from it."""
    if kind == "checkin":
        text = f"check-in {data.get('n')}"
        text += " with a progress assessment" if data.get("assessment") else ""
        plain = re.sub(r"</?sub>", "", body)
        away = re.search(r"(\S+ is away until \S+), so this check-in goes to (.+?) instead", plain)
        if away:  # whom it addresses while a mentor is away
            text += f" ({_clean(away[1])}: it goes to {_clean(away[2])})"
        return text
    if kind == "paired" and "\n---\n" in body:
        body = body.rsplit("\n---\n", 1)[1]
    lines = [line.strip() for line in markers.remove(body).splitlines() if line.strip()]
    lines = [line for line in lines if line != "---" and not line.startswith("<sub>")]
    headings = [line for line in lines if line.startswith("#")]
    text_lines = [line for line in lines if not line.startswith("#")]
    if kind == "needs-info":
        bullets = [line for line in text_lines if line.startswith("- ")]
        chosen = "; ".join(_clean(b).rstrip(".") for b in bullets) if bullets else ""
        chosen = chosen or _clean(headings[0] if headings else text_lines[0] if text_lines else "")
    elif kind == "graduation":
        chosen = _clean(headings[0]) if headings else ""
        bullets = [line for line in text_lines if line.startswith("- ")]
        if bullets and not data.get("ok"):
            chosen += ": " + _clean(bullets[0])
    elif kind in ("welcome", "graduated") and headings:
        chosen = _clean(headings[0])
        offered = next((x for x in text_lines if x.startswith("**Mentors for this role")), "")
        if kind == "welcome" and offered:
            logins = re.findall(r"@\u200b?([A-Za-z0-9-]+) \(", offered)
            chosen += " Suggested mentors: " + ", ".join("@" + x for x in logins) + "."
    else:
        chosen = _clean(text_lines[0] if text_lines else headings[0] if headings else "")
    return _short(chosen)


def describe(writes: list[BotWrite], labels: Any) -> list[str]:
    """What the bot did on one issue in one step, a line each: its state, then its comments."""
    status_from: str | None = None
    status_to: str | None = None
    changed = False
    assigned: list[str] = []
    extras: list[str] = []
    comments: list[str] = []
    hidden = (labels.status_prefix.lower(), labels.role_prefix.lower(), labels.application.lower())
    if any(w.what == "issue" for w in writes):  # a new issue's own labels are not news
        writes = [w for w in writes if w.what != "event"]
    for w in writes:
        if w.what == "issue" and w.kind == "pull":
            comments.append(f"opens pull request #{w.issue} “{w.title}”")
        elif w.what == "issue":
            comments.append(f"{w.kind}: opens issue #{w.issue} “{w.title}”")
        elif w.what == "event":
            name = ((w.data.get("label") or {}).get("name")) or ""
            if w.kind == "assigned":
                assigned.append("@" + str(w.data.get("assignee")))
            elif w.kind in ("labeled", "unlabeled") and not name.lower().startswith(hidden):
                extras.append(("+" if w.kind == "labeled" else "-") + f"label “{name}”")
            elif w.kind == "closed":
                extras.append(f"closes the issue ({w.data.get('state_reason') or 'completed'})")
            elif w.kind == "reopened":
                extras.append("reopens the issue")
        elif w.kind == state.CARD:
            old = _card_status(w.before) if w.what == "edit" else None
            new = _card_status(w.body)
            if status_to is None:
                status_from = old
            if new != old:
                changed = True
            status_to = new
        else:
            edited = " (edited)" if w.what == "edit" else ""
            comments.append(f"{w.kind}{edited}: {summary(w.kind, w.body, w.data)}")
    head: list[str] = []
    if changed and status_to is not None and status_from != status_to:
        head.append(f"status {status_from} → {status_to}" if status_from else f"status {status_to}")
    if assigned:
        head.append("assigns " + ", ".join(assigned))
    head += extras
    return ([" · ".join(head)] if head else []) + comments


# --------------------------------------------------------------------------- the story


class Demo:
    """One season of the program: people on a calendar, the real bot in between."""

    def __init__(
        self,
        emu: Any,
        app: Any,
        repo: str,
        months: int,
        applicants: int,
        seed: int,
        scratch: Path,
    ):
        self.emu, self.app, self.repo = emu, app, repo
        self.program = app.program
        self.settings = self.program.settings
        self.rng = random.Random(seed)
        self.months, self.seed = months, seed
        self.first = START
        self.last = add_months(START, months) - timedelta(days=1)
        self.today = START
        self.scratch = scratch
        self.watcher = Watcher(emu, repo, self.settings.bot_login)
        self._loads: tuple[tuple[int, int], dict[str, int]] | None = None  # see loads()
        self.pairings = 0  # mentors the coordinators named (part of the loads' key)
        self.queue: dict[date, list[tuple[Callable[..., None], tuple[Any, ...]]]] = {}
        self.people = self._cast(applicants)
        self.by_issue: dict[int, Applicant] = {}
        self.by_pull: dict[int, Applicant] = {}
        self.nightlies = 0
        self.events = 0
        self.problems: list[str] = []
        self.flawed_done = False
        # Fault injection (tests): events for which this returns True are never delivered,
        # as when GitHub drops a workflow run. None, the default, delivers every event.
        self.drop: Callable[[str, dict[str, Any]], bool] | None = None
        self.dropped = 0
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        # The mentors' side draws from its own generator: the applicants' story stays as it was.
        self.side_rng = random.Random(seed * 7919 + 17)
        self.registration = 0  # the new mentor's registration issue
        self.role_pull = 0  # the bot's pull request adding them to roles.yml
        self.nominee: Applicant | None = None
        self.nominator = ""
        self.away_planned = False
        self.checkout_dir: Path | None = None

    # ------------------------------------------------------------------ casting

    def _cast(self, count: int) -> list[Applicant]:
        rng = self.rng
        names = list(PEOPLE)
        rng.shuffle(names)
        roles = [role.id for role in self.program.roles]
        weights = [30, 35, 20, 15][: len(roles)] + [20] * max(0, len(roles) - 4)
        total = (self.last - self.first).days + 1
        early = [0, rng.randint(1, 3), rng.randint(3, 6), rng.randint(5, 9)]
        window = max(10, int(total * 0.6))
        people = []
        for i in range(count):
            name, login = names[i % len(names)]
            if i >= len(names):
                name, login = f"{name} {i // len(names) + 1}", f"{login}{i // len(names) + 1}"
            fate = FATES[i] if i < len(FATES) else rng.choice(LATER_FATES)
            defect = DEFECTS.get(i)
            if fate == "abandon":
                defect = MISSING_FIELD
            elif i >= len(FATES) and rng.random() < 0.2:
                defect = rng.choice(("role", "coc"))
            if i < len(early):
                day = early[i]
            else:
                spacing = window / count
                day = int(i * spacing) + rng.randint(0, max(1, int(spacing // 2)))
            role = rng.choices(roles, weights=weights)[0]
            person = Applicant(i, name, login, role, fate, defect, min(day, total - 1))
            person.withdraw_at = 2 if self.months >= 6 else 1
            people.append(person)
        return people

    # ------------------------------------------------------------------ the calendar

    def later(self, days: int, action: Callable[..., None], *args: Any) -> None:
        """Do ``action`` ``days`` from today (0: later today); nothing past the last day."""
        day = self.today + timedelta(days=days)
        if day <= self.last:
            self.queue.setdefault(day, []).append((action, args))

    def set_clock(self, day: date, moment: time) -> None:
        self.emu.state.set_now(datetime.combine(day, moment, UTC))

    def play(self) -> None:
        """Every day: the nightly pass at 05:17, then what people do, each step read back."""
        self.echo(
            f"mentoring demo: {self.months} month{'s' if self.months != 1 else ''} of a "
            f"mentoring program, {self.first} to {self.last}, {len(self.people)} applicant"
            f"{'s' if len(self.people) != 1 else ''}, seed {self.seed}."
        )
        self.echo(
            f"The program's repository is {self.repo}, on the built-in GitHub emulator "
            "(no token, no network). People act through the API; the bot's replies come from "
            "the real event handler and the nightly pass, which runs every simulated day."
        )
        self.heading("Timeline")
        self.echo(f"{'DATE':<10}  {'ISSUE':<5} {'WHO':<18} WHAT")
        self.today = self.first
        self.plan_mentors_side()
        for person in self.people:
            self.today = self.first
            self.later(person.arrives, self.apply, person)
        day = self.first
        while day <= self.last:
            self.today = day
            self.set_clock(day, NIGHTLY_AT)
            self.nightly(day)
            actions = self.queue.get(day, [])
            step = 0
            while step < len(actions):  # reactions may add more actions for today
                action, args = actions[step]
                moment = datetime.combine(day, DAY_STARTS) + timedelta(minutes=7 * step)
                self.set_clock(day, min(moment.time(), time(23, 59)))
                step += 1
                served = self.emu.state.served
                action(*args)
                if self.emu.state.served != served:  # it did something: read what followed
                    self.deliver()
                    self.observe("bot")
            self.queue.pop(day, None)
            day += timedelta(days=1)

    # ------------------------------------------------------------------ the bot's side

    def nightly(self, day: date) -> None:
        from mentoring.runners import run_nightly

        code, out, err = _quiet(run_nightly.run, self.app, day)
        self.nightlies += 1
        self._check(code, out, err, f"nightly on {day}")
        self.observe("bot (nightly)")

    def deliver(self) -> None:
        """Hand each event people caused to the handler, as the program's workflows would."""
        from mentoring.runners import run_events

        for event in self.emu.state.events():
            payload = event["payload"]
            repository = (payload.get("repository") or {}).get("full_name") or ""
            if repository.lower() != self.repo.lower():
                continue  # another repository: not the program's workflows
            action = payload.get("action")
            name = workflow_event(event["name"], action)
            if name is None:
                continue  # no workflow of the program runs on this one
            if self.drop is not None and self.drop(name, payload):
                self.dropped += 1
                continue  # lost: the next event on the issue, or the nightly, makes up for it
            path = self.scratch / "event.json"
            path.write_text(json.dumps(payload), encoding="utf-8")
            code, out, err = _quiet(run_events.run, self.app, name, path, self.today)
            self.events += 1
            # A graduation check that finds problems exits 1 by design: its comment says why.
            expected = name == "pull_request_target" and code == 1 and "problem" in out
            self._check(0 if expected else code, out, err, f"event {name}.{action}")
            if mentors_workflow_runs(name, payload):  # mentoring-mentors.yml: may open pulls
                code, out, err = _quiet(
                    functools.partial(run_events.run, open_pulls=True),
                    self.app,
                    name,
                    path,
                    self.today,
                )
                self.events += 1
                self._check(code, out, err, f"event {name}.{action} (mentors)")

    def _check(self, code: int, out: str, err: str, what: str) -> None:
        failed = re.search(r"^failed: [1-9]", out, re.MULTILINE)
        if code != 0 or failed:
            detail = (out + err).strip().splitlines()[-6:]
            self.problems.append(f"{self.today} {what}: exit {code}\n    " + "\n    ".join(detail))

    def observe(self, who: str) -> None:
        """Print what the bot did since the last look, and let people react to it."""
        writes = self.watcher.poll()
        by_issue: dict[int, list[BotWrite]] = {}
        for w in writes:
            by_issue.setdefault(w.issue, []).append(w)
        for number, group in by_issue.items():
            for line in describe(group, self.settings.labels):
                self.say(number, who, "→ " + line)
        for w in writes:
            self.react(w)

    # ------------------------------------------------------------------ output

    def echo(self, text: str = "") -> None:
        click.echo(text)

    def heading(self, title: str) -> None:
        self.echo()
        self.echo(title)
        self.echo(RULE)

    def say(self, issue: int | str, who: str, what: str) -> None:
        where = f"#{issue}" if isinstance(issue, int) else issue
        self.echo(f"{self.today}  {where:<5} {who:<18} {what}")

    # ------------------------------------------------------------------ people's API calls

    def call(self, method: str, path: str, login: str, body: Any = None) -> Any:
        """One REST request as ``login``, as a person's browser or git client would make it."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.emu.url + path, data=data, method=method)
        request.add_header("Authorization", f"token as:{login}")
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("Content-Type", "application/json")
        try:
            with self._opener.open(request, timeout=30) as response:
                text = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            raise _Refused(exc.code, f"{method} {path} as {login}: {exc.code} {detail}") from None
        return json.loads(text) if text else None

    def comment(self, person: Applicant, login: str, text: str) -> None:
        self.call(
            "POST", f"/repos/{self.repo}/issues/{person.issue}/comments", login, {"body": text}
        )

    def status(self, person: Applicant) -> str | None:
        return self.watcher.status.get(person.issue)

    def coordinator(self) -> str:
        return self.rng.choice(self.program.coordinators).login

    # ------------------------------------------------------------------ applying

    def answers(self, person: Applicant, fixed: bool = False) -> tuple[dict[str, str], bool]:
        role = self.program.role(person.role)
        chosen = form.option(role) if role else person.role
        contributions = ", ".join(
            f"https://github.com/demo-org/project/pull/{n}"
            for n in sorted(random.Random(person.login).sample(range(100, 900), 3))
        )
        values = {
            "name": person.name,
            "chat": f"@{person.login.split('-')[0]}",
            "role": chosen,
            "why": WHY.get(person.role, "I would like to take on this role in the project."),
            "contributions": "Reviews and pull requests: " + contributions,
            "anything": "",
        }
        coc = True
        if not fixed:
            if person.defect == "role":
                values["role"] = UNKNOWN_ROLE
            elif person.defect == "coc":
                coc = False
            elif person.defect == MISSING_FIELD:
                values[MISSING_FIELD] = ""
        return values, coc

    def apply(self, person: Applicant) -> None:
        values, coc = self.answers(person)
        body = form_body(values, coc)
        issue = self.call(
            "POST",
            f"/repos/{self.repo}/issues",
            person.login,
            {
                "title": f"Mentoring application: {person.name}",
                "body": body,
                "labels": [self.settings.labels.application],
            },
        )
        person.issue = issue["number"]
        self.by_issue[person.issue] = person
        role = self.program.role(person.role)
        what = f"applies for the {role.name} role" if role else "applies"
        if person.defect == "role":
            what = f"applies for the role “{UNKNOWN_ROLE}”"
        elif person.defect == "coc":
            what += ", without ticking the code of conduct"
        elif person.defect == MISSING_FIELD:
            label = form.FIELDS_BY_ID[MISSING_FIELD].label
            what += f", leaving “{label}” empty"
        self.say(person.issue, "@" + person.login, what)

    def fix_application(self, person: Applicant) -> None:
        if self.status(person) != "needs-info":
            return
        values, coc = self.answers(person, fixed=True)
        self.call(
            "PATCH",
            f"/repos/{self.repo}/issues/{person.issue}",
            person.login,
            {"body": form_body(values, coc)},
        )
        fix = f"picks “{values['role']}”" if person.defect == "role" else "ticks the box"
        self.say(person.issue, "@" + person.login, f"edits the application: {fix}")

    # ------------------------------------------------------------------ coordinators

    def loads(self) -> dict[str, int]:
        """How many mentees each mentor has now (lowercase login), as the coordinators know
        from the issues (worked out again only when a card's status or a pairing changed)."""
        key = (self.watcher.version, self.pairings)
        if self._loads is not None and self._loads[0] == key:
            return self._loads[1]
        counts: dict[str, int] = {}
        for p in self.people:
            if self.status(p) in ("active", "paused"):
                for m in {m.lower() for m in p.mentors}:
                    counts[m] = counts.get(m, 0) + 1
        self._loads = (key, counts)
        return counts

    def free_mentor(self, person: Applicant) -> str | None:
        role = self.program.role(person.role)
        if role is None:
            return None
        loads = self.loads()
        if person is self.nominee:  # the coordinators follow the bot's suggestion
            chosen = next((m for m in role.mentors if m.login == self.nominator), None)
            if chosen is not None and loads.get(chosen.login.lower(), 0) < chosen.capacity:
                return chosen.login
        free = [
            (loads.get(m.login.lower(), 0), i, m.login)
            for i, m in enumerate(role.mentors)
            if loads.get(m.login.lower(), 0) < m.capacity
        ]
        return min(free)[2] if free else None

    def pair(self, person: Applicant) -> None:
        if self.status(person) != "waiting" or person.mentors:
            return
        mentor = self.free_mentor(person)
        if mentor is None:
            waited = (self.today - (self.first + timedelta(days=person.arrives))).days
            if waited >= GIVE_UP_AFTER_DAYS:  # no place freed up in months: say so kindly
                self.decline(person, NO_MENTOR_REASON)
                return
            self.later(3, self.pair, person)  # ask again once a place may have freed up
            return
        self.pairings += 1
        person.mentors.append(mentor)
        who = self.coordinator()
        self.comment(person, who, f"/mentor @{mentor}")
        self.say(person.issue, "@" + who, f"/mentor @{mentor}")

    def decline(self, person: Applicant, reason: str | None = None) -> None:
        if self.status(person) != "waiting":
            return
        who = self.coordinator()
        reason = reason or self.rng.choice(DECLINE_REASONS)
        self.comment(person, who, f"/decline {reason}")
        self.say(person.issue, "@" + who, f"/decline {reason}")

    def clear_flag(self, person: Applicant) -> None:
        label = self.settings.labels.needs_coordinator
        issue = self.watcher.issue(person.issue)
        names = {x["name"].lower() for x in self._labels(issue)}
        if label.lower() not in names:
            return
        who = self.coordinator()
        path = f"/repos/{self.repo}/issues/{person.issue}/labels/{url_quote(label, safe='')}"
        self.call("DELETE", path, who)
        self.say(person.issue, "@" + who, f"reads the reply, removes “{label}”")

    def _labels(self, issue: dict[str, Any]) -> list[dict[str, Any]]:
        with self.emu.state.mutex:
            record = self.emu.state.data["repos"][self.repo.lower()]
            by_id = {label["id"]: label for label in record["labels"].values()}
            return [by_id[x] for x in issue["labels"] if x in by_id]

    # ------------------------------------------------------------------ mentors and mentees

    def reply(self, person: Applicant, login: str, text: str) -> None:
        if self.status(person) not in ("active", "paused"):
            return
        self.comment(person, login, text)
        self.say(person.issue, "@" + login, f"replies: “{_short(text, 70)}”")

    def command(self, person: Applicant, login: str, command: str, note: str) -> None:
        if self.status(person) not in ("active", "paused"):
            return
        self.comment(person, login, f"{command}\n\n{note}")
        self.say(person.issue, "@" + login, command)

    def pause(self, person: Applicant) -> None:
        if self.status(person) != "active" or person.paused:
            return
        person.paused = True
        until = self.today + timedelta(days=self.rng.randint(30, 45))
        reason = self.rng.choice(PAUSE_REASONS)
        self.command(person, person.login, f"/pause until {until}", reason)

    # ------------------------------------------------------------------ graduating

    def open_pull(self, person: Applicant) -> None:
        """The mentee adds their entry on a branch and opens the graduation pull request."""
        from mentoring.core import graduation
        from mentoring.runners import run_graduation

        if self.status(person) not in ("active", "paused") or person.pull:
            return
        code, entry, err = _quiet(run_graduation.entry, self.app, person.issue, self.today)
        if code != 0:
            self.problems.append(f"{self.today} graduation entry #{person.issue}: {err.strip()}")
            return
        person.flawed = not self.flawed_done
        self.flawed_done = True
        if person.flawed:  # a typo in the role, as people make: the check will say so
            entry = entry.replace(f"role: {person.role}", f"role: {person.role}s", 1)
        person.branch = f"graduation-{person.login}"
        main = self.call("GET", f"/repos/{self.repo}/git/ref/heads/main", person.login)
        ref = {"ref": f"refs/heads/{person.branch}", "sha": main["object"]["sha"]}
        self.call("POST", f"/repos/{self.repo}/git/refs", person.login, ref)
        self.put_entry(person, entry, graduation.paste_into, "Add my graduation entry")
        pull = self.call(
            "POST",
            f"/repos/{self.repo}/pulls",
            person.login,
            {
                "title": f"Add {person.name} to participants.yml",
                "head": person.branch,
                "base": "main",
                "body": f"My mentoring is complete.\n\nCloses #{person.issue}",
            },
        )
        person.pull = pull["number"]
        self.by_pull[person.pull] = person
        self.say(
            person.pull,
            "@" + person.login,
            f"opens pull request #{person.pull} “{pull['title']}” (Closes #{person.issue})",
        )

    def put_entry(
        self, person: Applicant, entry: str, paste: Callable[[str, str], str], message: str
    ) -> None:
        """Commit participants.yml on the branch: the default branch's version plus the entry."""
        path = f"/repos/{self.repo}/contents/participants.yml"
        base = self.call("GET", f"{path}?ref=main", person.login)
        text = base64.b64decode(base["content"]).decode("utf-8")
        current = self.call("GET", f"{path}?ref={person.branch}", person.login)
        body = {
            "message": message,
            "content": base64.b64encode(paste(text, entry).encode("utf-8")).decode("ascii"),
            "sha": current["sha"],
            "branch": person.branch,
        }
        self.call("PUT", path, person.login, body)

    def fix_pull(self, person: Applicant) -> None:
        from mentoring.core import graduation
        from mentoring.runners import run_graduation

        code, entry, err = _quiet(run_graduation.entry, self.app, person.issue, self.today)
        if code != 0:
            self.problems.append(f"{self.today} graduation entry #{person.issue}: {err.strip()}")
            return
        person.flawed = False
        self.put_entry(person, entry, graduation.paste_into, "Fix the role in my entry")
        self.say(person.pull, "@" + person.login, f"pushes a fix to pull request #{person.pull}")

    def update_pull(self, person: Applicant) -> None:
        """Bring the branch up to date with main (another entry was merged meanwhile)."""
        from mentoring.core import graduation
        from mentoring.runners import run_graduation

        code, entry, err = _quiet(run_graduation.entry, self.app, person.issue, self.today)
        if code != 0:
            self.problems.append(f"{self.today} graduation entry #{person.issue}: {err.strip()}")
            return
        main = self.call("GET", f"/repos/{self.repo}/git/ref/heads/main", person.login)
        ref = {"sha": main["object"]["sha"], "force": True}
        self.call("PATCH", f"/repos/{self.repo}/git/refs/heads/{person.branch}", person.login, ref)
        self.put_entry(person, entry, graduation.paste_into, "Add my graduation entry")
        self.say(person.pull, "@" + person.login, f"updates pull request #{person.pull} with main")
        self.later(self.rng.randint(1, 3), self.merge, person)  # the check's comment is unchanged

    def merge(self, person: Applicant) -> None:
        if not self.check_passed(person.pull):
            return
        who = self.coordinator()
        try:
            self.call("PUT", f"/repos/{self.repo}/pulls/{person.pull}/merge", who, {})
        except _Refused as exc:
            if exc.status != 405:
                raise
            self.say(person.pull, "@" + who, "asks for the branch to be brought up to date")
            self.later(1, self.update_pull, person)
            return
        self.say(
            person.pull, "@" + who, f"merges pull request #{person.pull}, closing #{person.issue}"
        )

    def check_passed(self, pull: int) -> bool:
        """Whether the bot's latest graduation check on the pull request passed."""
        bot = self.settings.bot_login.lower()
        with self.emu.state.mutex:
            record = self.emu.state.data["repos"][self.repo.lower()]
            if record["issues"][str(pull)]["state"] != "open":
                return False
            checks = [
                data
                for comment in self.emu.state.issue_comments(record, record["issues"][str(pull)])
                if (comment["user"] or "").lower() == bot
                for kind, data in markers.parse(comment["body"])
                if kind == "graduation"
            ]
        return bool(checks) and checks[-1].get("ok") is True

    def contribute(self, person: Applicant) -> None:
        """A graduate keeps contributing: an issue in the project's repository."""
        repos = self.settings.retention.repositories if self.settings.retention else ()
        if not repos:
            return
        title = self.rng.choice(CONTRIBUTIONS)
        made = self.call(
            "POST",
            f"/repos/{repos[0]}/issues",
            person.login,
            {"title": title, "body": "Found while working on the docs."},
        )
        self.say("-", "@" + person.login, f"opens {repos[0]}#{made['number']} “{title}”")
        self.later(self.rng.randint(30, 70), self.contribute, person)

    # ------------------------------------------------------------------ the mentors' side

    def plan_mentors_side(self) -> None:
        """A new mentor registers on the first day; a role holder nominates an applicant
        (the last whose story allows it), who then applies no earlier than
        ``NOMINATED_BY_DAY``, for a role the new mentor registers for too: their welcome
        shows both the nominator and the newcomer."""
        if not self.people:
            return
        # the last applicant whose story a later start leaves as it is (no pause to outlast,
        # no assessment to leave unanswered, within a short demo)
        calm = [p for p in self.people if p.fate in ("graduate", "active", "withdraw")]
        nominee = calm[-1] if calm else self.people[-1]
        role = self.program.role(nominee.role)
        if role is None or not role.mentors:
            return
        self.nominee = nominee
        self.nominator = role.mentors[0].login
        nominee.arrives = max(nominee.arrives, NOMINATED_BY_DAY)
        self.later(1, self.register, role)
        self.later(self.side_rng.randint(5, 8), self.nominate, nominee, role)

    def register(self, role: Any) -> None:
        name, login = NEW_MENTOR
        values = {
            "Your GitHub login": login,
            "Roles you will mentor for": form.option(role),
            "How many mentees at once": "2",
            "A short note": f"I am {name}; I have looked after our docs for two years.",
        }
        body = "\n\n".join(f"### {k}\n\n{v}" for k, v in values.items()) + "\n"
        made = self.call(
            "POST",
            f"/repos/{self.repo}/issues",
            login,
            {
                "title": f"Mentor registration: {name}",
                "body": body,
                "labels": [self.settings.mentors.registration_label],
            },
        )
        self.registration = made["number"]
        self.say(self.registration, "@" + login, f"registers as a mentor for the {role.name} role")

    def approve(self) -> None:
        who = self.side_rng.choice(self.program.coordinators).login
        path = f"/repos/{self.repo}/issues/{self.registration}/comments"
        self.call("POST", path, who, {"body": "Thank you, welcome!\n\n/approve"})
        self.say(self.registration, "@" + who, "/approve")

    def merge_roles(self) -> None:
        """A coordinator merges the bot's pull request; the workflows' checkout has it next."""
        who = self.side_rng.choice(self.program.coordinators).login
        self.call("PUT", f"/repos/{self.repo}/pulls/{self.role_pull}/merge", who, {})
        self.say(
            self.role_pull,
            "@" + who,
            f"merges pull request #{self.role_pull}, closing #{self.registration}",
        )
        self.checkout()

    def checkout(self) -> None:
        """roles.yml as on the default branch, in a copy of the program the runners read."""
        from mentoring.cli import App

        if self.checkout_dir is None:
            self.checkout_dir = self.scratch / "checkout"
            shutil.copytree(PROGRAM_DIR, self.checkout_dir)
            os.environ["GITHUB_WORKSPACE"] = str(self.checkout_dir)  # restored at the end
        data = self.call("GET", f"/repos/{self.repo}/contents/roles.yml?ref=main", "octo")
        (self.checkout_dir / "roles.yml").write_bytes(base64.b64decode(data["content"]))
        self.app = App(root=self.checkout_dir, repo=self.repo, dry_run=False)
        self.program = self.app.program
        self.settings = self.program.settings

    def nominate(self, nominee: Applicant, role: Any) -> None:
        if nominee.issue:
            return  # they applied already
        values = {
            "Who you nominate": f"@{nominee.login}",
            "Role": form.option(role),
            "Why them": "They answer newcomers' questions every week; I would like to mentor "
            "them into the role.",
        }
        body = "\n\n".join(f"### {k}\n\n{v}" for k, v in values.items()) + "\n"
        made = self.call(
            "POST",
            f"/repos/{self.repo}/issues",
            self.nominator,
            {
                "title": f"Nomination: {nominee.name}",
                "body": body,
                "labels": [self.settings.mentors.nomination_label],
            },
        )
        self.say(
            made["number"],
            "@" + self.nominator,
            f"nominates @{nominee.login} for the {role.name} role",
        )

    def go_away(self, person: Applicant, mentor: str, days: int) -> None:
        until = self.today + timedelta(days=days - (self.today - person.started).days)
        until = max(until, self.today + timedelta(days=14))
        self.command(person, mentor, f"/away until {until}", "Travelling for a few weeks.")

    def come_back(self, person: Applicant, mentor: str) -> None:
        self.command(person, mentor, "/back", "Home earlier than planned.")

    # ------------------------------------------------------------------ reactions

    def react(self, w: BotWrite) -> None:
        """What people do about what the bot just did."""
        rng = self.rng
        if w.what == "event":
            flag = self.settings.labels.needs_coordinator.lower()
            label = ((w.data.get("label") or {}).get("name") or "").lower()
            person = self.by_issue.get(w.issue)
            if w.kind == "labeled" and label == flag and person is not None:
                self.later(rng.randint(1, 2), self.clear_flag, person)
            return
        if w.what == "issue" and w.kind == "pull" and w.issue != self.role_pull:
            self.role_pull = w.issue  # the bot's pull request to roles.yml
            self.later(self.side_rng.randint(1, 2), self.merge_roles)
            return
        if w.what != "comment":
            if w.kind == "graduation" and w.what == "edit":
                self._on_check(w)
            return
        if w.kind == "registration" and w.issue == self.registration:
            if w.data.get("status") == "waiting":
                self.later(self.side_rng.randint(1, 2), self.approve)
            return
        if w.kind == "graduation":
            self._on_check(w)
            return
        person = self.by_issue.get(w.issue)
        if person is None:
            return
        if w.kind == "needs-info" and person.fate != "abandon":
            self.later(rng.randint(2, 4), self.fix_application, person)
        elif w.kind == "welcome":
            if person.fate == "decline":
                self.later(rng.randint(3, 7), self.decline, person)
            else:
                self.later(rng.randint(2, 5), self.pair, person)
        elif w.kind == "nudge":
            self.later(1, self.pair, person)
        elif w.kind == "paired":
            self._on_paired(person)
        elif w.kind == "checkin":
            self._on_checkin(person, int(w.data.get("n") or 0), bool(w.data.get("assessment")))
        elif w.kind == "graduated" and person.retained:
            self.later(rng.randint(20, 60), self.contribute, person)

    def _on_paired(self, person: Applicant) -> None:
        every = self.settings.checkins.every_days
        assess = self.settings.checkins.assessment_every
        person.started = self.today
        if not self.away_planned and person.fate == "graduate" and person.mentors:
            self.away_planned = True  # the first graduate's mentor travels for a while
            start = self.side_rng.randint(20, 24)  # over check-in 1, on day 30
            self.later(start, self.go_away, person, person.mentors[0], 45)
            self.later(start + 15, self.come_back, person, person.mentors[0])
        if person.fate != "graduate":
            return
        # The first graduate stays in the project; later ones, most of the time.
        person.retained = not any(p.retained for p in self.people) or self.rng.random() < 0.6
        margin = 12  # days from /ready to the merged pull request
        if self.today + timedelta(days=assess * every + margin) <= self.last:
            person.ready_at = assess
        elif self.today + timedelta(days=every + margin) <= self.last:
            person.ready_at = 1

    def _on_checkin(self, person: Applicant, n: int, assessment: bool) -> None:
        rng = self.rng
        mentor = person.mentors[0] if person.mentors else None
        if person.fate == "withdraw" and n >= person.withdraw_at:
            note = rng.choice(WITHDRAW_REASONS)
            self.later(rng.randint(2, 6), self.command, person, person.login, "/withdraw", note)
            return
        if person.fate == "pause" and not person.paused:
            self.later(rng.randint(2, 5), self.pause, person)
            return
        if person.fate == "graduate" and person.ready_at is not None and n >= person.ready_at:
            note = rng.choice(READY_NOTES)
            self.later(rng.randint(1, 3), self.command, person, mentor, "/ready", note)
            self.later(rng.randint(5, 7), self.open_pull, person)
            return
        if assessment:
            if person.fate != "escalate" and mentor:  # that mentor never answers one
                self.later(rng.randint(1, 5), self.reply, person, mentor, rng.choice(NOT_YET))
            return
        if rng.random() < 0.3:
            text = rng.choice(MENTEE_REPLIES)
            self.later(rng.randint(0, 4), self.reply, person, person.login, text)
        elif mentor and person.fate != "escalate" and rng.random() < 0.2:
            self.later(rng.randint(0, 4), self.reply, person, mentor, rng.choice(MENTOR_REPLIES))

    def _on_check(self, w: BotWrite) -> None:
        person = self.by_pull.get(w.issue)
        if person is None:
            return
        if w.data.get("ok"):
            self.later(self.rng.randint(1, 3), self.merge, person)
        elif person.flawed:
            self.later(1, self.fix_pull, person)

    # ------------------------------------------------------------------ the end

    def finish(self) -> None:
        """The dashboard as the last nightly pass left it, the report, and the tally."""
        from mentoring.runners import run_report

        self.heading(f"Dashboard: what coordinators see on {self.last}")
        number = self.watcher.dashboard
        if number:
            issue = self.watcher.issue(number)
            self.echo(f"Issue #{number} “{issue['title']}”:")
            self.echo()
            self.echo(markers.remove(issue["body"] or "").strip())
        else:
            self.echo("(The nightly pass kept no dashboard issue.)")
        self.heading(f"Report: `mentoring report` on {self.last}")
        code, out, err = _quiet(run_report.run, self.app, "md", None, None, self.last)
        self._check(code, "", err if code else "", "report")
        self.echo(out.rstrip())
        self.heading("In numbers")
        counts = {name: 0 for name in STATUSES}
        for person in self.people:
            status = self.status(person)
            if status:
                counts[status] += 1
        shown = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
        applied = sum(1 for p in self.people if p.issue)
        self.echo(
            f"{applied} application{'s' if applied != 1 else ''} in the timeline; "
            f"their status at the end: {shown}."
        )
        writes = sum(
            1
            for entry in self.emu.state.log()
            if entry["method"] not in ("GET", "HEAD")
            and (entry["login"] or "").lower() == self.settings.bot_login.lower()
        )
        self.echo(
            f"The bot made {writes} writes over {self.nightlies} nightly passes "
            f"and {self.events} events."
        )
        if self.problems:
            self.heading("Problems")
            for problem in self.problems:
                self.echo(problem)


class _Refused(MentoringError):
    """The emulator refused a simulated person's request."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def workflow_event(name: str, action: Any) -> str | None:
    """The event name a program workflow runs ``mentoring event`` with, or None if none runs.

    As mentoring-events.yml and mentoring-graduation.yml trigger: issues and issue
    comments by their actions, pull requests as ``pull_request_target`` (the emulator
    names every pull request event ``pull_request``).
    """
    from mentoring.runners import run_events, run_graduation

    triggers = {
        "issues": ("issues", run_events.ISSUE_ACTIONS),
        "issue_comment": ("issue_comment", run_events.COMMENT_ACTIONS),
        "pull_request": ("pull_request_target", run_graduation.ACTIONS),
    }
    trigger = triggers.get(name)
    return trigger[0] if trigger is not None and action in trigger[1] else None


def mentors_workflow_runs(name: str, payload: dict[str, Any]) -> bool:
    """Whether mentoring-mentors.yml runs on the event: a comment that may hold an
    ``/approve``, not on a pull request, not by a bot (its ``if:``)."""
    comment = payload.get("comment") or {}
    issue = payload.get("issue") or {}
    sender = payload.get("sender") or {}
    return (
        name == "issue_comment"
        and sender.get("type") != "Bot"
        and not issue.get("pull_request")
        and "/approve" in (comment.get("body") or "")
    )


def form_body(values: dict[str, str], coc: bool) -> str:
    """An issue body as GitHub renders a submitted issue form: ``### Label``, blank, answer."""
    parts = []
    for f in form.FIELDS:
        if f.id == form.COC_FIELD:
            value = f"- [{'X' if coc else ' '}] {COC_OPTION}"
        else:
            value = values.get(f.id) or form.NO_RESPONSE
        parts.append(f"### {f.label}\n\n{value}")
    return "\n\n".join(parts) + "\n"


# --------------------------------------------------------------------------- keeping the state


def _keep(emu: Any, repo: str, path: Path, last: date) -> None:
    """Save the emulator's state, and the program's files as on its default branch beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    emu.state.save(path)
    folder = path.parent / "demo-program"
    with emu.state.mutex:
        record = emu.state.data["repos"][repo.lower()]
        tree = emu.state.git.tree(record["branches"][record["default_branch"]])
        files = {name: emu.state.git.blob(tree[name]) for name in PROGRAM_FILES if name in tree}
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    state_arg = shlex.quote(str(path))
    root_arg = shlex.quote(str(folder))
    after = last + timedelta(days=1)
    click.echo()
    click.echo("Explore it")
    click.echo(RULE)
    click.echo(
        f"The emulator's state is saved in {path}, and the program's files, as on the "
        f"repository's default branch, in {folder}{os.sep}. Serve the state:"
    )
    click.echo()
    click.echo(f"    mentoring emulator --state {state_arg} --port 8765")
    click.echo()
    click.echo("then, in another terminal:")
    click.echo()
    click.echo(f"    export GITHUB_API_URL=http://127.0.0.1:8765 GITHUB_REPOSITORY={repo}")
    click.echo(f"    export GITHUB_TOKEN={BOT_TOKEN} GITHUB_SERVER_URL={SERVER_URL}")
    click.echo(f"    mentoring --root {root_arg} report --today {last}")
    click.echo(f"    mentoring --root {root_arg} --dry-run nightly --today {after}")


__all__ = ["Demo", "Watcher", "describe", "form_body", "run", "summary", "workflow_event"]
