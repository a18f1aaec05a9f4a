"""`mentoring nightly`: one pass over the open applications, posting what is due on the day.

The pass is read, decide, write:

1. `collect` reads in bulk: the open application issues (100 a page) and every
   comment in the repository updated within a window of recent days (one
   repo-wide listing with ``since``), grouped by issue. In the steady state that
   is all, since every active mentorship gets a check-in and a card edit each
   cadence. An issue whose status card is older than the window is found by
   reading further back in the same listing when that is cheaper (after an
   outage of the scheduler, every card is), else read on its own: the exception
   path, counted in the summary.
   It also reads ``participants.yml`` once (and, when it lists graduates, the
   applications closed within the window), and looks up the few logins that
   unanswered ``/mentor`` commands name.
2. `decide` reconciles each issue from those reads first (`level_plan`:
   level-triggered, making up for events GitHub lost; `graduate_listed`), then
   asks `checkins.plan_issue` what it is owed today.
3. Each issue's plan goes through `Gateway.apply` (paced, capped, dry-run
   aware).
4. `refresh_dashboard` renders the dashboard issue from the states after this
   run's writes (one more listing to find it) and edits it only if it changed;
   its "last successful nightly run" is today unless a write failed.
   `summary.finish` prints the summary and the exit code.

The result depends only on the date and on what GitHub shows, so a late,
skipped or repeated run catches up or does nothing; it never posts a backlog.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import sys
import time as _time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import click

from mentoring.core import budget as budgets
from mentoring.core import checkins, dashboard, graduation, intake, markers, mentors, pairing, state
from mentoring.core.model import (
    AddLabels,
    Comment,
    EditComment,
    Issue,
    Plan,
    PostComment,
    RemoveLabels,
    lower,
)
from mentoring.core.state import Mentorship
from mentoring.errors import MentoringError
from mentoring.gateway import PER_PAGE, Gateway, IssueGone, OutOfBudget, RunReport
from mentoring.program.config import (
    PARTICIPANTS_FILE,
    Participant,
    Program,
    Role,
    Settings,
    parse_participants,
    same_login,
)
from mentoring.program.templates import Messages
from mentoring.runners import run_mentors, summary

PROGRESS_OVER = 50  # issues: show a progress line on a terminal above this many
MAX_LOOKBACK_DAYS = 366  # how far back the comment window may widen after an outage
RECHECK_EVERY = 25  # issues with writes between two checks for changes made meanwhile
CHANGED_SINCE_READ = "changed since this run read it (a command, an edit): left for the next run"


@dataclass(frozen=True)
class Snapshot:
    """What a nightly pass read: the open applications with their recent comments, and states.

    ``issues`` holds each open application (pull requests left out) with the
    comments read for it: those updated since ``since``, or all of them for the
    issues in ``read_in_full``. ``mentorships`` maps an issue number to the state
    in its status card, for the issues that have one.
    """

    today: date
    since: datetime
    issues: tuple[Issue, ...]
    mentorships: dict[int, Mentorship] = field(default_factory=dict)
    read_in_full: tuple[int, ...] = ()
    comments_read: int = 0
    unreadable: tuple[tuple[int, str], ...] = ()  # moved or deleted since it was listed
    failed: tuple[tuple[int, str], ...] = ()  # a read that failed
    records: tuple[Comment, ...] = ()  # the mentors' side: bot comments with its records
    # Level-triggered reconciliation (see `level_plan`): what it needs beyond the above.
    closed: tuple[Issue, ...] = ()  # closed as completed in the window, still mentored, listed
    participants: tuple[Participant, ...] = ()  # participants.yml on the default branch
    load: dict[str, int] = field(default_factory=dict)  # mentor load, from the listing
    checked: frozenset[str] = frozenset()  # logins whose assignability was looked up
    assignable: frozenset[str] = frozenset()  # ... and which of them can be assigned
    handbooks: tuple[str, str] = ("", "")
    cohort_cards: tuple[Mentorship, ...] | None = None  # for /select's seats (cohorts only)
    # Every open issue and pull request, when one listing read them all (`open_issues`):
    # the registrations and the dashboard are found there instead of by listings of their own.
    open_issues: tuple[Issue, ...] | None = None

    def mentorship(self, number: int) -> Mentorship | None:
        return self.mentorships.get(number)


def open_issues(gateway: Gateway, program: Program) -> list[Issue] | None:
    """Every open issue and pull request of the repository in one listing, when the program
    owns its repository (it sits at the top): then the applications, the open mentor
    registrations and the dashboard come from one listing instead of three. A program in a
    folder of a project's repository shares it with the project's issues, so it lists its
    own by their labels (None here)."""
    if program.layout.prefix:
        return None
    return gateway.issues(state="open")


def window_start(settings: Settings, today: date) -> datetime:
    """Comments updated from this moment on are read: midnight UTC, `window_days` ago."""
    return datetime.combine(today - timedelta(days=checkins.window_days(settings)), time.min, UTC)


def group_comments(
    comments: Iterable[Comment], numbers: set[int], into: dict[int, list[Comment]] | None = None
) -> dict[int, list[Comment]]:
    """The comments on the given issues, by issue number, oldest first (added to ``into``)."""
    grouped: dict[int, list[Comment]] = {} if into is None else into
    for comment in comments:
        if comment.issue in numbers:
            grouped.setdefault(comment.issue, []).append(comment)
    for group in grouped.values():
        group.sort(key=lambda c: c.id)
    return grouped


def _pages(count: int) -> int:
    return max(1, -(-count // PER_PAGE))


def collect(gateway: Gateway, program: Program, today: date, *, level: bool = True) -> Snapshot:
    """The batched reads: open applications, and the repo's comments within the window.

    ``level`` adds what reconciliation needs (participants.yml, the closed graduates,
    the look-ups); a reader that decides nothing (`mentoring status`) leaves it out.

    An issue whose status card is not among those comments was last touched before
    the window: typically after the scheduler was off for weeks, when every card is.
    Reading further back in the same listing is then cheaper than reading each such
    issue on its own, so the window widens, one window at a time, while that is so
    (never spending more on it than the reads one by one would cost). Whatever is
    left is read one by one: the exception path.
    """
    settings = program.settings
    bot = settings.bot_login
    since = window_start(settings, today)
    everything = open_issues(gateway, program)
    if everything is None:
        listing = gateway.issues(state="open", labels=[settings.labels.application])
    else:
        listing = [i for i in everything if i.has_label(settings.labels.application)]
    listed = [i for i in listing if not i.is_pull]
    participants, failed_reads = _participants(gateway, program) if level else ((), [])
    comments = gateway.comments_since(since)
    open_numbers = {i.number for i in listed}
    grouped = group_comments(comments, open_numbers)
    read = len(comments)
    records = run_mentors.records(comments, bot)

    def lacks_card(issue: Issue) -> bool:
        # An issue opened since ``since`` has shown all its comments: no card means none.
        opened_before = issue.created_at is None or issue.created_at < since
        return opened_before and state.find_card(grouped.get(issue.number, ()), bot, 0) is None

    lacking = [i for i in listed if lacks_card(i)]
    # Every open card in the window (the steady state: the bot has been running) means a
    # closed application with an unfinished card shows there too; else (after an outage)
    # the closed applications are listed whatever the window shows.
    unfinished = None if lacking else closed_unfinished(comments, bot, open_numbers)
    closed_listed = _closed_graduates(
        gateway, program, today, participants, failed_reads, unfinished
    )
    numbers = open_numbers | {i.number for i in closed_listed}
    group_comments(comments, numbers - open_numbers, into=grouped)
    budget = 2 * len(lacking)  # what reading them one by one costs, at least
    spent, step = 0, _pages(len(comments))
    earliest = since - timedelta(days=MAX_LOOKBACK_DAYS)
    while lacking and since > earliest and spent + step < budget:
        older_since = max(since - timedelta(days=checkins.window_days(settings)), earliest)
        older = gateway.comments_since(older_since, until=since)
        group_comments(older, numbers, into=grouped)
        read += len(older)
        step = _pages(len(older))
        spent += step
        since = older_since
        lacking = [i for i in lacking if lacks_card(i)]

    issues: list[Issue] = []
    mentorships: dict[int, Mentorship] = {}
    in_full: list[int] = []
    unreadable: list[tuple[int, str]] = []
    failed: list[tuple[int, str]] = []
    read_alone = {i.number for i in lacking}
    for listed_issue in listed:
        number = listed_issue.number
        issue = dataclasses.replace(listed_issue, comments=tuple(grouped.get(number, ())))
        if number in read_alone:
            # The exception path: the card is older than what was read (or missing).
            try:
                issue = gateway.issue(number)
            except IssueGone as exc:
                unreadable.append((number, f"not read: {exc}"))
                continue
            except MentoringError as exc:
                failed.append((number, f"could not be read: {exc}"))
                continue
            in_full.append(number)
        issues.append(issue)
        m = state.read(issue, bot)
        if m is not None:
            mentorships[number] = m
    closed = _with_cards(gateway, closed_listed, grouped, bot, in_full, failed)
    snapshot = Snapshot(
        today=today,
        since=since,
        issues=tuple(issues),
        mentorships=mentorships,
        read_in_full=tuple(in_full),
        comments_read=read,
        unreadable=tuple(unreadable),
        failed=tuple(failed + failed_reads),
        closed=closed,
        participants=participants,
        records=records,
        open_issues=None if everything is None else tuple(everything),
    )
    return _lookups(gateway, program, snapshot) if level else snapshot


# --------------------------------------------------------------------------- level-triggered

MAX_NIGHTLY_LOOKUPS = 30  # assignability look-ups for unanswered /mentor commands, per pass


def _participants(gateway: Gateway, program: Program) -> tuple[tuple[Participant, ...], list]:
    """participants.yml on the default branch (one read): its complete entries."""
    try:
        raw = gateway.read_file(program.layout.path(PARTICIPANTS_FILE))
    except MentoringError as exc:
        return (), [(0, f"{PARTICIPANTS_FILE} could not be read: {exc}")]
    if raw is None:
        return (), []
    return _parsed_participants(raw, program.layout.path(PARTICIPANTS_FILE), program.roles), []


@functools.lru_cache(maxsize=4)
def _parsed_participants(
    raw: bytes, filename: str, roles: tuple[Role, ...]
) -> tuple[Participant, ...]:
    """participants.yml's complete entries, parsed once per content: a process that runs many
    passes (the demo, a test) reads the same file every night. Inputs and result are frozen."""
    return parse_participants(raw, filename, roles)[0]


def closed_unfinished(comments: Iterable[Comment], bot: str, open_numbers: set[int]) -> set[int]:
    """Issues not among the open ones whose latest status card in ``comments`` still shows an
    open mentorship: closed (a graduation merged, say) without the bot's own run finishing it.

    An open application's card is always within the window (the bot edits an idle card
    before it leaves it: `checkins.keep_alive`), so such an issue shows here.
    """
    latest: dict[int, tuple[int, str]] = {}
    for c in comments:
        if c.issue in open_numbers or not c.by(bot) or state.CARD_MARK not in c.body:
            continue
        found = markers.latest((c,), bot, state.CARD)
        if found is not None and (c.issue not in latest or c.id > latest[c.issue][0]):
            latest[c.issue] = (c.id, str(found[1].get("status")))
    return {n for n, (_, status) in latest.items() if status in state.OPEN_STATUSES}


def _closed_graduates(
    gateway: Gateway,
    program: Program,
    today: date,
    participants: Sequence[Participant],
    failed: list[tuple[int, str]],
    unfinished: set[int] | None = None,
) -> list[Issue]:
    """Applications closed as completed within the window whose issue participants.yml names:
    a merged graduation pull request whose own run was lost (one listing).

    ``unfinished`` (see `closed_unfinished`) are the issues that can be such: the listing
    is made only when participants.yml names one of them, so a quiet night spends nothing.
    """
    if not participants:
        return []
    listed = {p.issue for p in participants}
    if unfinished is not None and not listed & unfinished:
        return []
    label = program.settings.labels.application
    since = window_start(program.settings, today)
    try:
        closed = gateway.issues(state="closed", labels=[label], since=since)
    except MentoringError as exc:
        failed.append((0, f"closed applications could not be listed: {exc}"))
        return []
    return [
        i for i in closed if not i.is_pull and i.number in listed and i.state_reason == "completed"
    ]


def _with_cards(
    gateway: Gateway,
    listed: Sequence[Issue],
    grouped: dict[int, list[Comment]],
    bot: str,
    in_full: list[int],
    failed: list[tuple[int, str]],
) -> tuple[Issue, ...]:
    """The closed candidates with their comments; those whose card is older than the window
    are read on their own (rare: a graduate's card is edited at every check-in)."""
    found = []
    for listed_issue in listed:
        issue = dataclasses.replace(
            listed_issue, comments=tuple(grouped.get(listed_issue.number, ()))
        )
        m = state.read(issue, bot)
        if m is not None and not m.open:
            continue  # it shows its end already
        if m is None:
            try:
                issue = gateway.issue(issue.number)
            except MentoringError as exc:
                failed.append((issue.number, f"could not be read: {exc}"))
                continue
            in_full.append(issue.number)
        found.append(issue)
    return tuple(found)


def complete(snapshot: Snapshot, issue: Issue) -> bool:
    """Whether every comment of the issue was read (opened in the window, or read in full)."""
    opened_since = issue.created_at is not None and issue.created_at >= snapshot.since
    return opened_since or issue.number in snapshot.read_in_full


def _triage(snapshot: Snapshot, issue: Issue, m: Mentorship | None, bot: str) -> bool:
    """Whether intake may run on the issue from what was read: no card (every comment was
    read then), or a card saying needs-info with its needs-info comment among those read."""
    if m is None:
        return complete(snapshot, issue)
    if m.status != intake.NEEDS_INFO:
        return False
    return (
        complete(snapshot, issue)
        or markers.latest(issue.comments, bot, intake.NEEDS_INFO) is not None
    )


def _lookups(gateway: Gateway, program: Program, snapshot: Snapshot) -> Snapshot:
    """The look-ups reconciliation needs: which coordinators can be assigned (only when an
    application is to be welcomed) and the logins unanswered /mentor commands name (bounded)."""
    bot = program.settings.bot_login
    welcome = False
    named: list[str] = []
    for issue in snapshot.issues:
        m = snapshot.mentorship(issue.number)
        if _triage(snapshot, issue, m, bot) and intake.may_welcome(issue, m, program):
            welcome = True
        since = None if complete(snapshot, issue) else snapshot.since
        for login in pairing.logins_pending(issue, m, program, since):
            if all(lower(login) != lower(x) for x in named):
                named.append(login)
    logins = [c.login for c in program.coordinators] if welcome else []
    known = {lower(x) for x in logins}
    logins += [x for x in named if lower(x) not in known][:MAX_NIGHTLY_LOOKUPS]
    checked: set[str] = set()
    can: set[str] = set()
    for login in logins:
        try:
            if gateway.can_be_assigned(login):
                can.add(lower(login))
        except MentoringError:
            continue
        checked.add(lower(login))
    books = pairing.handbook_links(program, gateway.target.server_url, gateway.target.repo)
    cards = None
    if program.cohorts and any(
        pairing.selects_pending(i, snapshot.mentorship(i.number), program) for i in snapshot.issues
    ):  # an unanswered /select: the seats taken, from one listing (runners/read_cards.py)
        from mentoring.runners import read_cards

        cards = tuple(read_cards.cards(gateway, program))
    return dataclasses.replace(
        snapshot,
        load=intake.mentor_load(snapshot.issues, program),
        checked=frozenset(checked),
        assignable=frozenset(can),
        handbooks=books,
        cohort_cards=cards,
    )


def level_plan(
    snapshot: Snapshot,
    issue: Issue,
    program: Program,
    messages: Messages,
    ledger: mentors.Ledger | None = None,
) -> tuple[Plan, Mentorship | None] | None:
    """Level-triggered: what the issue's contents call for beyond the day's schedule, from the
    pass's reads (intake of an application without a card, the mentors following the
    assignees, commands not answered yet). None when that is nothing; else the plan and
    the state it leaves (None: the card is posted by this plan)."""
    bot = program.settings.bot_login
    m = snapshot.mentorship(issue.number)
    if intake.why_not(issue, program, m) is not None or not issue.open:
        return None
    today = snapshot.today
    first = intake.Step(m)
    if _triage(snapshot, issue, m, bot):
        coordinators = {lower(c.login) for c in program.coordinators} & snapshot.assignable
        first = intake.step(
            issue, m, program, messages, pairing.observed_on(issue, today),
            load=snapshot.load, assignable=coordinators,
            availability=mentors.availability(ledger or mentors.Ledger(), issue, program, today),
        )  # fmt: skip
    if first.state is None:
        return None
    since = None if complete(snapshot, issue) else snapshot.since
    second = pairing.reconcile(
        issue, first.state, program, messages, today,
        assignable=snapshot.assignable, handbooks=snapshot.handbooks,
        since=since, checked=snapshot.checked, cohort_cards=snapshot.cohort_cards,
    )  # fmt: skip
    step = first.then(second)
    assert step.state is not None
    unchanged = m is not None and state.to_data(step.state) == state.to_data(m)
    if unchanged and not step.writes and not step.closing:
        return (Plan(notes=step.notes), m) if step.notes else None
    p = intake.plan(issue, m, step, program, messages)
    return p, (None if m is None else step.state)


def graduate_listed(
    issue: Issue, m: Mentorship | None, participants: Sequence[Participant]
) -> Participant | None:
    """The participants.yml entry that says this application's mentee graduated, if any:
    one naming this issue and the mentee, or the mentee and role since it started."""
    if m is None or m.status not in ("active", "paused"):
        return None
    mentee = m.mentee or issue.author
    for p in participants:
        if not same_login(p.login, mentee):
            continue
        if p.issue == issue.number:
            return p
        if same_login(p.role, m.role) and m.started is not None and p.graduated >= m.started:
            return p
    return None


def decide(
    snapshot: Snapshot,
    program: Program,
    messages: Messages,
    ledger: mentors.Ledger | None = None,
) -> list[Plan]:
    """Each issue's plan for the day (empty plans left out), the most overdue first.

    When the run's write cap defers some issues to the next run, the check-ins
    waiting longest go first, so no issue is deferred night after night.
    """
    plans = []
    away = ledger.away_on(snapshot.today) if ledger is not None else None  # /away
    bot = program.settings.bot_login
    moment = datetime.combine(snapshot.today, time(23, 59, 59), UTC)
    for issue in (*snapshot.issues, *snapshot.closed):
        m = snapshot.mentorship(issue.number) or state.read(issue, bot)
        level = level_plan(snapshot, issue, program, messages, ledger)
        if (entry := graduate_listed(issue, m, snapshot.participants)) is not None:
            # participants.yml says it ended: graduate it as the merge handler would, after
            # the commands given before (a /ready whose event was lost still gets its reply)
            on = issue.closed_at.date() if issue.closed_at and not issue.open else snapshot.today
            first = level[0] if level is not None and level[1] is not None else Plan()
            view = _project(issue, first.writes, moment, bot)
            end = graduation.merge_plan(
                {"number": 0}, view, entry, program, messages, min(on, snapshot.today)
            )
            plans.append(first + end)
            continue
        if not issue.open:
            continue
        if level is None:
            p = checkins.plan_issue(issue, m, program, messages, snapshot.today, away)
        elif level[1] is None:  # the card is posted by this plan: the schedule starts tomorrow
            p = level[0]
        elif not level[0].writes:  # notes only
            p = level[0] + checkins.plan_issue(issue, m, program, messages, snapshot.today, away)
        else:  # the day's schedule, over the issue as the reconciliation leaves it
            view = _project(issue, level[0].writes, moment, bot)
            p = level[0] + checkins.plan_issue(
                view, state.read(view, bot), program, messages, snapshot.today, away
            )
        if p.writes or p.notes:
            plans.append(p)
    return sorted(plans, key=lambda p: _oldest_due(p, snapshot.today))


def _oldest_due(plan: Plan, today: date) -> date:
    dues = [
        d
        for w in plan.writes
        if isinstance(w, PostComment) and w.key == checkins.CHECKIN
        for kind, data in markers.parse(w.body)
        if kind == checkins.CHECKIN and (d := _date(data.get("due"))) is not None
    ]
    return min([today, *dues])


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def apply(
    gateway: Gateway, plans: Sequence[Plan], snapshot: Snapshot, program: Program
) -> RunReport:
    """Every plan through the gateway, with a progress line when run by hand over many issues.

    Writes are paced, so a large pass takes minutes, and meanwhile the events
    workflow may change an issue (a ``/pause``): writing the card read before that
    would undo it. So before every ``RECHECK_EVERY`` issues one listing asks which
    applications changed since the snapshot; those are left for the next run.
    Once the API budget reaches the gateway's reserve, the rest is left too.
    """
    report = gateway.report
    for number, text in snapshot.unreadable:
        report.add("skipped", number, text)
    for number, text in snapshot.failed:
        report.add("failed", number, text)
    read = (*snapshot.issues, *snapshot.closed)
    mark = max((i.updated_at for i in read if i.updated_at), default=None)
    touched: set[int] = set()
    changed: set[int] = set()
    checked = 0  # issues with writes since the last check
    with _progress(plans, len(snapshot.issues)) as items:
        for p in items:
            numbers = {w.issue for w in p.writes}
            if not numbers:
                gateway.apply(p)  # notes only
                continue
            if mark is not None and not gateway.dry_run and checked % RECHECK_EVERY == 0:
                try:
                    changed |= _changed_since(gateway, program, mark) - touched
                except OutOfBudget:  # the rest waits for the next run, which re-reads
                    gateway.stopped = "writing"
                    gateway.out_of_budget.extend(sorted(numbers))
                    continue
            checked += 1
            if numbers & changed:
                for number in sorted(numbers):
                    report.add("deferred", number, CHANGED_SINCE_READ)
                continue
            touched |= numbers
            gateway.apply(p)
    return report


def _changed_since(gateway: Gateway, program: Program, mark: datetime) -> set[int]:
    """Applications updated after ``mark`` (by anyone, this run's own writes included)."""
    label = program.settings.labels.application
    listing = gateway.issues(state="all", labels=[label], since=mark)
    return {i.number for i in listing if i.updated_at is not None and i.updated_at > mark}


@contextlib.contextmanager
def _progress(plans: Sequence[Plan], issues: int) -> Iterator[Iterable[Plan]]:
    if issues <= PROGRESS_OVER or not sys.stdout.isatty():
        yield plans
        return
    with click.progressbar(
        plans, label=f"{issues} applications, {len(plans)} with something due", file=sys.stderr
    ) as bar:
        yield bar


def reads_line(snapshot: Snapshot) -> str:
    """One line on what was read, for the summary."""
    line = (
        f"read: {len(snapshot.issues)} open applications, {snapshot.comments_read} comments "
        f"updated since {snapshot.since.date().isoformat()}"
    )
    if snapshot.read_in_full:
        numbers = ", ".join(f"#{n}" for n in snapshot.read_in_full)
        line += f"; {len(snapshot.read_in_full)} read one by one (status card older): {numbers}"
    return line


def one_pass(gateway: Gateway, program: Program, messages: Messages, today: date) -> Snapshot:
    """The whole pass: read, decide, write, then the dashboard; the writes are in
    ``gateway.report``.

    With a reserve on the gateway (``budget.reserve``), the pass stops cleanly when the
    rate-limit headers say only that many requests are left: while reading, it writes
    nothing; while writing, the applications not yet written wait in
    ``gateway.out_of_budget``. Either way the dashboard is left as it was (its last
    successful run stays the day before), and the next run, which reads everything
    again, sees what this one wrote and finishes the rest: nothing is written twice.
    """
    try:
        snapshot = collect(gateway, program, today)
        side = run_mentors.gather(gateway, program, snapshot)  # ledger, registrations
    except OutOfBudget:
        gateway.stopped = "reading"
        return Snapshot(today=today, since=window_start(program.settings, today), issues=())
    plans = decide(snapshot, program, messages, side.ledger)
    plans.append(run_mentors.nightly_plan(side, program, messages))
    answers = run_mentors.unanswered(gateway, side, snapshot, program, messages)
    plans += answers
    side = run_mentors.noted(side, answers, program.settings.bot_login, today)
    apply(gateway, plans, snapshot, program)
    if gateway.stopped is None:
        try:
            refresh_dashboard(gateway, program, messages, snapshot, plans, side)
        except OutOfBudget:
            gateway.stopped = "dashboard"
    if gateway.stopped is None and program.cohorts:  # tracking issues, weekly reports
        from mentoring.runners import run_cohort_nightly

        try:
            run_cohort_nightly.run(gateway, program, messages, snapshot, today)
        except OutOfBudget:
            gateway.stopped = "cohorts"
    return snapshot


def budget_line(gateway: Gateway, snapshot: Snapshot) -> str | None:
    """One line when the pass stopped at the reserve: what is left, and for when."""
    if gateway.stopped is None:
        return None
    left = gateway.budget()
    reserve = gateway.reserve or 0
    if left is None:  # no rate-limit headers: cannot happen on GitHub
        return "budget: stopped at the reserve; the next run finishes the pass"
    pending = len(set(gateway.out_of_budget))
    return budgets.stop_line(left, reserve, _time.time(), left=pending, stage=gateway.stopped)


def run(app: Any, today: date | None) -> int:
    """The `mentoring nightly` command: read, decide, write, summarise; 1 if anything failed.

    Without ``today``, the date is GitHub's (the ``Date`` header of its responses).
    """
    budget = app.program.settings.budget
    gateway = app.gateway(reserve=budget.reserve, wait_seconds=budget.wait_minutes * 60)
    if today is None:
        today = gateway.today()
    snapshot = one_pass(gateway, app.program, app.messages, today)
    code = summary.finish(gateway.report, f"Nightly pass for {today.isoformat()}")
    lines = [reads_line(snapshot)]
    stopped = budget_line(gateway, snapshot)
    if stopped:
        lines.append(stopped)
    for line in lines:
        click.echo(line)
        _append_summary(line)
    return code


def after(
    snapshot: Snapshot, plans: Sequence[Plan], report: RunReport, bot: str
) -> tuple[Issue, ...]:
    """The open applications as this run left them: its writes projected onto what it read.

    Labels added or removed, comments posted or edited by an issue whose writes all
    went through; an issue with a failed, deferred or skipped write is shown as read.
    """
    unfinished = set(report.failed) | set(report.deferred) | set(report.skipped)
    writes: dict[int, list] = {}
    for p in plans:
        for w in p.writes:
            if w.issue not in unfinished:
                writes.setdefault(w.issue, []).append(w)
    moment = datetime.combine(snapshot.today, time(23, 59, 59), UTC)
    return tuple(_project(i, writes.get(i.number, ()), moment, bot) for i in snapshot.issues)


def _project(issue: Issue, writes: Iterable[Any], moment: datetime, bot: str) -> Issue:
    labels = list(issue.labels)
    comments = list(issue.comments)
    next_id = max((c.id for c in comments), default=0) + 1
    for w in writes:
        if isinstance(w, AddLabels):
            labels += [name for name in w.labels if not issue.has_label(name)]
        elif isinstance(w, RemoveLabels):
            gone = {label.casefold() for label in w.labels}
            labels = [label for label in labels if label.casefold() not in gone]
        elif isinstance(w, PostComment):
            comments.append(Comment(next_id, issue.number, bot, w.body, moment, moment))
            next_id += 1
        elif isinstance(w, EditComment):
            comments = [
                dataclasses.replace(c, body=w.body) if c.id == w.comment_id else c for c in comments
            ]
    return dataclasses.replace(issue, labels=tuple(labels), comments=tuple(comments))


def refresh_dashboard(
    gateway: Gateway,
    program: Program,
    messages: Messages,
    snapshot: Snapshot,
    plans: Sequence[Plan],
    side: run_mentors.Side | None = None,
) -> None:
    """Bring the dashboard issue up to date; the last successful run is today unless a write
    or read failed (then the date it last was stays, so coordinators see the gap)."""
    settings = program.settings
    if side is not None and side.read_dashboard:
        existing = side.dashboard  # read by `run_mentors.gather` already
    else:
        existing = dashboard.find(
            gateway.issues(state="all", labels=[settings.labels.dashboard]), settings.bot_login
        )
    report = gateway.report
    ok = not report.failed
    last_run = snapshot.today if ok else dashboard.last_run_of(existing, settings.bot_login)
    issues = after(snapshot, plans, report, settings.bot_login)
    mentorships = [m for i in issues if (m := state.read(i, settings.bot_login)) is not None]
    # Facts (unanswered assessments) come from the standard window only, so the dashboard
    # does not depend on how far back this particular run had to read.
    since = window_start(settings, snapshot.today)
    recent = [
        dataclasses.replace(i, comments=tuple(c for c in i.comments if c.updated_at >= since))
        for i in issues
    ]
    facts = dashboard.collect_facts(recent, None, mentorships, program)
    link = dashboard.report_link(gateway.target.server_url, gateway.target.repo)
    extra = ""
    if side is not None:  # the mentors' side: registrations, nominations, away, and the ledger
        extra = run_mentors.dashboard_part(side, mentorships, program, messages, snapshot.today)
    if program.cohorts:  # applications in no cohort, the form's cohort dropdown (cohorts.md)
        from mentoring.runners import run_cohort_nightly

        part = run_cohort_nightly.dashboard_part(program, messages, mentorships, snapshot.today)
        extra = part.rstrip() + "\n\n" + extra if extra else part
    body = dashboard.render(
        mentorships, program, messages, snapshot.today, last_run, link, facts, extra=extra
    )
    gateway.apply(dashboard.plan(existing, body, program))


def _append_summary(line: str) -> None:
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(f"{line}\n\n")
