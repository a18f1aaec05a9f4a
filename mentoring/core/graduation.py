"""Graduation pull requests: check a change to participants.yml, and plan what its merge does.

A mentee graduates by adding their own entry at the end of ``participants.yml``
in a pull request. Everything here is pure: the runner (runners/run_graduation.py)
reads the two versions of the file, the pull request's JSON, the linked
application issue with its comments and the reviews, and this module decides.

- ``check_file(base, head, program, author)``: the file checks, over bytes alone;
- ``check_program(...)``: the program checks, over what GitHub shows;
- ``comment_plan(...)``: the one result comment on the pull request, edited in place;
- ``merge_plan(...)``: close, label and congratulate once the pull request is merged;
- ``entry_yaml(...)``: the entry a mentee pastes, filled from their application.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from mentoring.core import markers, state
from mentoring.core.model import CloseIssue, Comment, EditComment, Issue, Plan, PostComment, lower
from mentoring.core.state import Mentorship
from mentoring.errors import Problem, YamlError
from mentoring.program import form
from mentoring.program.config import PARTICIPANTS_FILE, Participant, Program, parse_participants
from mentoring.program.templates import Messages, with_marker
from mentoring.program.yamlsafe import Loaded, breadcrumb, load_yaml

FILE = PARTICIPANTS_FILE
CHECK = "graduation"  # marker of the result comment on the pull request
GRADUATED = "graduated"  # marker of the congratulation on the application issue
ENTRY_KEYS = ("name", "login", "role", "issue", "mentors", "started", "graduated")
ENDED = ("withdrawn", "declined", "graduated")

_KEYWORD = r"(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)"
_CLOSING = re.compile(
    rf"\b{_KEYWORD}\s*:?\s+(?:"
    r"https?://github\.com/(?P<url_repo>[\w.-]+/[\w.-]+)/issues/(?P<url_number>\d+)"
    r"|(?P<repo>[\w.-]+/[\w.-]+)?#(?P<number>\d+)"
    r")\b",
    re.IGNORECASE,
)

# Letters of other scripts that look like ASCII ones in most fonts (after NFKC).
_LOOKALIKES = str.maketrans(
    "аеорсухіјѕԁԛԝвкмнтАВЕКМНОРСТХІЈЅοαρτικνυχΑΒΕΗΙΚΜΝΟΡΤΥΧΖ",
    "aeopcyxijsdqwbkmhtABEKMHOPCTXIJSoaptikvuxABEHIKMNOPTYXZ",
)

_FIX_ENTRY = "run `mentoring graduation entry --issue N` for an entry filled from your application"


# --------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class Entry:
    """One entry of participants.yml as written: raw values, position, and lines."""

    index: int
    data: Any
    loaded: Loaded = dataclasses.field(repr=False, compare=False)
    participant: Participant | None = None

    @property
    def path(self) -> tuple[Any, ...]:
        return ("participants", self.index)

    @property
    def line(self) -> int:
        return self.loaded.line(self.path) or 1

    def line_of(self, key: str) -> int:
        return self.loaded.line((*self.path, key)) or self.line

    def key(self, key: str) -> str:
        return breadcrumb((*self.path, key))

    @property
    def login(self) -> str | None:
        value = self.data.get("login") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else None

    def problem(self, key: str | None, message: str, hint: str = "") -> Problem:
        line = self.line_of(key) if key else self.line
        where = self.key(key) if key else breadcrumb(self.path)
        return Problem(self.loaded.filename, line, where, message, hint)


@dataclass(frozen=True)
class FileCheck:
    """What the file checks found: every problem, and the entries the change adds."""

    problems: tuple[Problem, ...]
    added: tuple[Entry, ...] = ()

    @property
    def entry(self) -> Entry | None:
        """The one added entry, if exactly one was added."""
        return self.added[0] if len(self.added) == 1 else None

    @property
    def ok(self) -> bool:
        return not self.problems


def _entries(loaded: Loaded) -> list[Any]:
    data = loaded.data
    if isinstance(data, dict) and isinstance(data.get("participants"), list):
        return data["participants"]
    return []


def _problem(
    loaded: Loaded | None,
    path: Sequence[Any],
    message: str,
    hint: str = "",
    filename: str = FILE,
) -> Problem:
    line = (loaded.line(path) if loaded else None) or 1
    return Problem(loaded.filename if loaded else filename, line, breadcrumb(path), message, hint)


def _with_line(problem: Problem, last: int | None = None) -> Problem:
    """Every problem points at a line: a whole-file problem at the first, none past ``last``."""
    line = min(problem.line or 1, last or problem.line or 1)
    return problem if line == problem.line else dataclasses.replace(problem, line=line)


# --------------------------------------------------------------------------- file checks


def check_file(
    base: bytes | str | None,
    head: bytes | str | None,
    program: Program,
    author: str | None = None,
    filename: str = FILE,
) -> FileCheck:
    """Check the change from ``base`` to ``head`` (None: the file is absent on that side).

    ``author`` is who made the change (None when unknown, as in local checks): a
    coordinator may change or remove existing entries, and may add none.
    """
    if head is None:
        return FileCheck(
            (
                Problem(
                    filename,
                    1,
                    "",
                    "this change deletes the file",
                    "keep participants.yml; only add your entry at its end",
                ),
            )
        )
    try:
        new = load_yaml(head, filename)
    except YamlError as error:
        # An error found at the end of the text is shown on its last line, not past it.
        last = max(1, len(_text(head).splitlines()))
        return FileCheck((_with_line(error.problem, last),))

    problems: list[Problem] = []
    old = Loaded(None, filename)
    if base is not None:
        try:
            old = load_yaml(base, filename)
        except YamlError as error:
            problems.append(
                dataclasses.replace(
                    _with_line(error.problem),
                    message="the version before this change cannot be read: "
                    + error.problem.message,
                    hint="a coordinator needs to fix participants.yml on the default branch first",
                )
            )

    participants, found = parse_participants(new, filename, program.roles)
    if not _is_list(new):
        # Not a list of entries at all: the parser's problems say why; a diff would only add noise.
        return FileCheck(tuple(sorted({_with_line(p): None for p in found}, key=_order)))
    by_line = {p.line: p for p in participants}
    head_raw, base_raw = _entries(new), _entries(old)
    entries = [
        Entry(i, data, new, by_line.get(new.line(("participants", i))))
        for i, data in enumerate(head_raw)
    ]

    lookalike = _lookalike_problems(entries, base_raw)
    replaced = {p.key for p in lookalike}
    problems += [p for p in found if p.key not in replaced] + lookalike

    coordinator = program.is_coordinator(author)
    matched, added = _match(base_raw, entries)
    edits = _edit_problems(old, new, base_raw, entries, matched, filename)
    if not coordinator:
        problems += edits
    problems += _count_problems(new, added, coordinator and bool(edits), filename)
    problems += _order_problems(entries, matched, added)
    if not coordinator:
        problems += _header_problems(base, head, old, new, filename)

    problems = sorted({_with_line(p): None for p in problems}, key=_order)
    return FileCheck(tuple(problems), tuple(added))


def _is_list(loaded: Loaded) -> bool:
    data = loaded.data
    return data is None or (
        isinstance(data, dict) and isinstance(data.get("participants"), list | None)
    )


def _order(problem: Problem) -> tuple[int, str]:
    return problem.line or 0, problem.key


def _login_key(data: Any) -> str | None:
    login = data.get("login") if isinstance(data, dict) else None
    return lower(login) if isinstance(login, str) else None


def _match(base_raw: list[Any], entries: list[Entry]) -> tuple[dict[int, int], list[Entry]]:
    """Pair each base entry with the head entry of the same login: {base index: head index}.

    Head entries paired with none are the ones the change adds.
    """
    first: dict[str, int] = {}
    for entry in entries:
        key = _login_key(entry.data)
        if key is not None:
            first.setdefault(key, entry.index)
    matched = {}
    for index, data in enumerate(base_raw):
        key = _login_key(data)
        if key is not None and key in first:
            matched[index] = first[key]
    taken = set(matched.values())
    return matched, [e for e in entries if e.index not in taken]


def _edit_problems(
    old: Loaded,
    new: Loaded,
    base_raw: list[Any],
    entries: list[Entry],
    matched: dict[int, int],
    filename: str,
) -> list[Problem]:
    """Existing entries changed, moved or removed: only a coordinator may do that."""
    problems = []
    hint = "a graduation pull request only adds your own entry; undo this, or ask a coordinator"
    moved = _moved(matched)
    for index, data in enumerate(base_raw):
        login = data.get("login") if isinstance(data, dict) else None
        who = login if isinstance(login, str) else f"entry {index + 1}"
        if index not in matched:
            near = min(index, len(entries) - 1)
            path: tuple[Any, ...] = ("participants", near) if near >= 0 else ("participants",)
            was = old.line(("participants", index))
            problems.append(
                _problem(
                    new,
                    path,
                    f"removes the entry of {who!r} (line {was} before this change)",
                    "put the entry back; " + hint,
                    filename,
                )
            )
            continue
        entry = entries[matched[index]]
        if index in moved:
            was = old.line(("participants", index))
            problems.append(
                entry.problem(
                    None,
                    f"moves the entry of {who!r} (line {was} before this change)",
                    "put it back where it was; " + hint,
                )
            )
        if entry.data == data:
            continue
        fields = [k for k in _keys(data, entry.data) if _get(data, k) != _get(entry.data, k)]
        first = next((k for k in fields if isinstance(entry.data, dict) and k in entry.data), None)
        problems.append(
            entry.problem(first, f"changes the entry of {who!r} ({', '.join(fields)})", hint)
        )
    return problems


def _moved(matched: dict[int, int]) -> set[int]:
    """The base entries that are out of their order in the head: all but the longest run
    of entries still in their order (a longest increasing subsequence, O(n log n))."""
    order = sorted(matched)
    heads = [matched[i] for i in order]
    tails: list[int] = []  # tails[k]: position in heads of the end of the best run of length k+1
    before = [-1] * len(heads)
    for position, value in enumerate(heads):
        k = _find(heads, tails, value)
        before[position] = tails[k - 1] if k else -1
        if k == len(tails):
            tails.append(position)
        else:
            tails[k] = position
    kept = set()
    position = tails[-1] if tails else -1
    while position >= 0:
        kept.add(order[position])
        position = before[position]
    return set(order) - kept


def _find(heads: list[int], tails: list[int], value: int) -> int:
    """The first run length whose best end is not below ``value`` (binary search)."""
    low, high = 0, len(tails)
    while low < high:
        middle = (low + high) // 2
        if heads[tails[middle]] < value:
            low = middle + 1
        else:
            high = middle
    return low


def _keys(a: Any, b: Any) -> list[str]:
    keys: dict[str, None] = {}
    for data in (a, b):
        if isinstance(data, dict):
            keys.update((str(k), None) for k in data)
    return list(keys) or ["the whole entry"]


def _get(data: Any, key: str) -> Any:
    return data.get(key) if isinstance(data, dict) else data


def _count_problems(
    new: Loaded, added: list[Entry], maintenance: bool, filename: str
) -> list[Problem]:
    if not added:
        if maintenance:
            return []  # a coordinator tidying existing entries
        return [
            _problem(
                new,
                ("participants",),
                "adds no entry",
                "add your entry at the end of the list; " + _FIX_ENTRY,
                filename,
            )
        ]
    if len(added) == 1:
        return []
    names = ", ".join(repr(e.login) if e.login else f"line {e.line}" for e in added)
    return [
        added[1].problem(
            None,
            f"adds {len(added)} entries ({names}); a graduation pull request adds exactly one",
            "keep only your own entry; each graduate opens their own pull request",
        )
    ]


def _order_problems(
    entries: list[Entry], matched: dict[int, int], added: list[Entry]
) -> list[Problem]:
    """New entries go at the end of the list, with their keys in the documented order."""
    problems = []
    last_existing = max(matched.values(), default=-1)
    for entry in added:
        if entry.index < last_existing:
            problems.append(
                entry.problem(
                    None,
                    "is not at the end of the list",
                    "move your entry after the last one: entries are kept in order of graduation",
                )
            )
        if isinstance(entry.data, dict):
            keys = [k for k in entry.data if k in ENTRY_KEYS]
            if keys != [k for k in ENTRY_KEYS if k in keys]:
                problems.append(
                    entry.problem(
                        None,
                        "its keys are not in the documented order",
                        "write them in this order: " + ", ".join(ENTRY_KEYS),
                    )
                )
    return problems


def _header_problems(
    base: bytes | str | None, head: bytes | str, old: Loaded, new: Loaded, filename: str
) -> list[Problem]:
    """The comment at the top of the file (up to ``participants:``) stays as it is."""
    old_key, new_key = old.line(("participants",)), new.line(("participants",))
    if base is None or not old_key or not new_key or not isinstance(old.data, dict):
        return []
    before = _text(base).splitlines()[: old_key - 1]
    after = _text(head).splitlines()[: new_key - 1]
    if before == after:
        return []
    differs = next(
        (i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b),
        min(len(before), len(after)),
    )
    return [
        Problem(
            filename,
            min(differs + 1, new_key),
            "",
            "changes the comment at the top of the file",
            "keep the top of the file as it is; only add your entry at the end",
        )
    ]


def _text(data: bytes | str) -> str:
    return data.decode("utf-8-sig", "replace") if isinstance(data, bytes) else data


def _lookalike_problems(entries: list[Entry], base_raw: list[Any]) -> list[Problem]:
    """Logins with non-ASCII characters: GitHub logins are ASCII letters, digits and hyphens."""
    known: dict[str, str] = {}
    for data in base_raw:
        login = data.get("login") if isinstance(data, dict) else None
        if isinstance(login, str):
            known.setdefault(lower(login), login)
    problems = []
    for entry in entries:
        if not isinstance(entry.data, dict):
            continue
        values: list[tuple[tuple[Any, ...], Any]] = [(("login",), entry.data.get("login"))]
        mentors = entry.data.get("mentors")
        if isinstance(mentors, list):
            values += [(("mentors", i), m) for i, m in enumerate(mentors)]
        for subpath, value in values:
            if not isinstance(value, str) or value.isascii():
                continue
            path = (*entry.path, *subpath)
            strange = [ch for ch in dict.fromkeys(value) if not ch.isascii()]
            named = ", ".join(
                f"{ch!r} ({unicodedata.name(ch, f'U+{ord(ch):04X}').lower()})" for ch in strange[:3]
            )
            skeleton = unicodedata.normalize("NFKC", value).translate(_LOOKALIKES)
            hint = "type the login again using only ASCII letters, digits and hyphens"
            if lower(skeleton) in known and subpath == ("login",):
                hint = f"it looks like {known[lower(skeleton)]!r}, who is already listed; " + hint
            elif skeleton.isascii() and skeleton != value:
                hint = f"did you mean {skeleton!r}? " + hint
            problems.append(
                Problem(
                    entry.loaded.filename,
                    entry.loaded.line(path) or entry.line,
                    breadcrumb(path),
                    f"{value!r} is not a GitHub login: it contains {named}",
                    hint,
                )
            )
    return problems


# --------------------------------------------------------------------------- the linked issue


def closing_issues(body: str | None, repo: str) -> list[int]:
    """Issues of ``repo`` that a pull request body closes with a keyword, in order."""
    numbers: dict[int, None] = {}
    for match in _CLOSING.finditer(markers.remove(body or "")):
        other = match.group("url_repo") or match.group("repo")
        if other and lower(other) != lower(repo):
            continue
        numbers[int(match.group("url_number") or match.group("number"))] = None
    return list(numbers)


def linked_issue(closes: Sequence[int], entry: Entry | None) -> int | None:
    """The application issue a graduation pull request is about: the entry's, else the keyword's."""
    if entry is not None and entry.participant is not None:
        return entry.participant.issue
    if entry is not None and isinstance(entry.data, dict):
        raw = entry.data.get("issue")
        if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
            return raw
    return closes[0] if len(closes) == 1 else None


# --------------------------------------------------------------------------- program checks


def approved_by_mentor(reviews: Iterable[dict[str, Any]], m: Mentorship) -> bool:
    """Whether a mentor's latest deciding review of the pull request is an approval."""
    latest: dict[str, str] = {}
    for review in reviews:
        login = (review.get("user") or {}).get("login")
        verdict = str(review.get("state") or "").upper()
        if login and verdict in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
            latest[lower(login)] = verdict
    return any(latest.get(lower(mentor)) == "APPROVED" for mentor in m.mentors)


def check_program(
    pr: dict[str, Any],
    entry: Entry,
    issue: Issue | None,
    m: Mentorship | None,
    reviews: Iterable[dict[str, Any]],
    program: Program,
    closes: Sequence[int] = (),
) -> list[Problem]:
    """Check a well-formed added entry against the program: its issue, mentors and author."""
    p = entry.participant
    if p is None:
        return []
    problems = []
    number = p.issue
    if len(closes) > 1:
        listed = ", ".join(f"#{n}" for n in closes)
        problems.append(
            entry.problem(
                "issue",
                f"the pull request description closes several issues ({listed})",
                f"close only your application: write 'Closes #{number}' in the description",
            )
        )
    elif closes and closes[0] != number:
        problems.append(
            entry.problem(
                "issue",
                f"the pull request description says 'Closes #{closes[0]}' "
                f"but the entry's issue is {number}",
                "make them the same: both name your application issue",
            )
        )
    labels = program.settings.labels
    see = f"use the number of your application issue (labelled {labels.application!r})"
    if issue is None:
        problems.append(
            entry.problem("issue", f"issue #{number} does not exist in this repository", see)
        )
        return problems
    if issue.is_pull:
        problems.append(
            entry.problem("issue", f"#{number} is a pull request, not an application", see)
        )
        return problems
    if m is None and not issue.has_label(labels.application):
        problems.append(entry.problem("issue", f"#{number} is not a mentoring application", see))
        return problems
    if not issue.open:
        problems.append(
            entry.problem(
                "issue",
                f"#{number} is closed",
                "a graduation closes an open application; ask a coordinator to reopen it",
            )
        )
    elif m is not None and m.status in ENDED:
        problems.append(
            entry.problem(
                "issue",
                f"#{number} is {m.status}",
                "only an ongoing mentorship can graduate; ask a coordinator",
            )
        )
    applicant = m.mentee if m is not None and m.mentee else issue.author
    author = (pr.get("user") or {}).get("login")
    if applicant and lower(p.login) != lower(applicant):
        problems.append(
            entry.problem(
                "login",
                f"is {p.login!r}, but #{number} is the application of {applicant!r}",
                "the entry names the applicant of the issue it links to",
            )
        )
    mentors = m.mentors if m is not None else ()
    on_behalf = (m is not None and m.is_mentor(author)) or program.is_coordinator(author)
    if applicant and lower(author) != lower(applicant) and not on_behalf:
        problems.append(
            entry.problem(
                None,
                f"this pull request is by {_who(author)}, who is not the applicant of #{number}, "
                "one of their mentors, or a coordinator",
                f"{applicant!r} opens it, or a mentor or coordinator on their behalf",
            )
        )
    if m is not None and m.role and lower(p.role) != lower(m.role):
        problems.append(
            entry.problem(
                "role",
                f"is {p.role!r}, but #{number} is an application for {m.role!r}",
                f"write role: {m.role}",
            )
        )
    if m is None or not mentors:
        problems.append(
            entry.problem(
                "mentors",
                f"#{number} has no mentor yet",
                "a graduation ends a mentorship: it comes after a mentor is paired with you",
            )
        )
        return problems
    if sorted(map(lower, p.mentors)) != sorted(map(lower, mentors)):
        problems.append(
            entry.problem(
                "mentors",
                f"lists {', '.join(p.mentors)}, but the mentors of #{number} are "
                f"{', '.join(mentors)}",
                f"write mentors: [{', '.join(mentors)}]",
            )
        )
    if m.ready is None and not approved_by_mentor(reviews, m):
        problems.append(
            entry.problem(
                None,
                f"no mentor has said #{number} is ready to graduate",
                f"ask your mentor to comment /ready on #{number}, or to approve this pull request",
            )
        )
    return problems


def _who(login: str | None) -> str:
    return repr(login) if login else "a deleted account"


# --------------------------------------------------------------------------- the result comment


def comment_body(
    problems: Sequence[Problem],
    messages: Messages,
    *,
    author: str | None,
    issue: int | None,
    program_checked: bool,
    suggestion: str = "",
    file: str = FILE,
) -> str:
    """The result comment: every problem with how to fix it, or that the check passed.

    ``file`` is participants.yml's path in the repository (under the program's folder).
    """
    ok = not problems
    body = messages.render(
        "graduation-check",
        ok=ok,
        problems=[
            {
                "file": p.file,
                "line": p.line or 1,
                "key": p.key,
                "message": p.message,
                "hint": p.hint,
            }
            for p in problems
        ],
        author=author or "",
        issue=issue or 0,
        program_checked=program_checked,
        suggestion=suggestion.rstrip("\n") if not ok else "",
        file=file,
    )
    return with_marker(body, CHECK, {"ok": ok})


def comment_plan(pr_number: int, comments: Iterable[Comment], body: str, bot_login: str) -> Plan:
    """Post the result comment, or edit the bot's earlier one only if its text changes."""
    found = markers.latest(comments, bot_login, CHECK)
    if found is None:
        return Plan((PostComment(pr_number, body, key=CHECK),))
    comment, _ = found
    if comment.body.strip() == body.strip():
        return Plan.ignore("the graduation check comment is up to date", issue=pr_number)
    return Plan((EditComment(pr_number, comment.id, body, key=CHECK),))


# --------------------------------------------------------------------------- on merge


def merge_plan(
    pr: dict[str, Any],
    issue: Issue,
    participant: Participant | None,
    program: Program,
    messages: Messages,
    on: date,
) -> Plan:
    """Once merged: close the application if still open, show it graduated, congratulate once."""
    number = issue.number
    labels = program.settings.labels
    bot = program.settings.bot_login
    m = state.read(issue, bot)
    if issue.is_pull:
        return Plan.ignore(f"#{number} is a pull request, not an application", issue=number)
    if m is None and not issue.has_label(labels.application):
        return Plan.ignore(f"#{number} is not a mentoring application", issue=number)
    if m is None:
        if participant is None:
            return Plan.ignore(f"#{number} has no status card and no entry", issue=number)
        m = Mentorship(
            issue=number,
            mentee=participant.login,
            status="graduated",
            role=participant.role,
            mentors=participant.mentors,
            started=participant.started,
        )
        old = None
    else:
        old = m
    mentee = m.mentee or issue.author
    if participant is not None and mentee and lower(participant.login) != lower(mentee):
        return Plan.ignore(
            f"the merged entry is for {participant.login!r}, not the applicant {mentee!r}",
            issue=number,
        )
    new = m.moved("graduated", on)
    writes = list(state.sync(issue, old, new, program, messages))
    if markers.latest(issue.comments, bot, GRADUATED) is None:
        role = program.role(new.role)
        body = messages.render(
            "graduated",
            mentee=mentee or "",
            mentors=list(new.mentors),
            role=role.name if role else (new.role or ""),
            pull=int(pr.get("number") or 0),
        )
        writes.append(PostComment(number, with_marker(body, GRADUATED), key=GRADUATED))
    if issue.open:
        writes.append(CloseIssue(number, reason="completed"))
    if not writes:
        return Plan.ignore(f"#{number} already shows its graduation", issue=number)
    return Plan(tuple(writes))


# --------------------------------------------------------------------------- the entry to paste


def _form_name(body: str, program: Program) -> str | None:
    """The applicant's name from the application form's name answer, if given."""
    lines = form.parse(body, program.form).name.strip().splitlines()
    return lines[0] if lines else None


def _clean_name(text: str) -> str:
    text = "".join(
        ch for ch in markers.remove(text) if unicodedata.category(ch) not in ("Cc", "Cf")
    )
    return " ".join(text.split())[:100]


def _scalar(value: str) -> str:
    """``value`` as a YAML scalar: plain when it reads back as the same text, else quoted."""
    try:
        plain_ok = yaml.safe_load(f"key: {value}\n") == {"key": value}
    except yaml.YAMLError:
        plain_ok = False
    if plain_ok and value == value.strip() and "#" not in value:
        return value
    return json.dumps(value, ensure_ascii=False)


def entry_yaml(issue: Issue, m: Mentorship, program: Program, today: date) -> str:
    """The participants.yml entry for this mentorship, indented to paste under ``participants:``."""
    login = m.mentee or issue.author or ""
    name = _clean_name(_form_name(issue.body, program) or "") or login
    role = m.role or (program.roles[0].id if len(program.roles) == 1 else "")
    started = m.started or m.applied or (issue.created_at.date() if issue.created_at else today)
    mentors = ", ".join(_scalar(x) for x in m.mentors)
    lines = [
        f"  - name: {_scalar(name)}",
        f"    login: {_scalar(login)}",
        f"    role: {_scalar(role)}",
        f"    issue: {issue.number}",
        f"    mentors: [{mentors}]",
        f"    started: {started.isoformat()}",
        f"    graduated: {max(today, started).isoformat()}",
    ]
    return "\n".join(lines) + "\n"


def paste_into(text: str, entry: str) -> str:
    """``text`` (participants.yml) with ``entry`` appended at the end of the list."""
    lines = text.rstrip("\n").splitlines()
    for index, line in enumerate(lines):
        if re.fullmatch(r"participants:\s*\[\s*\]\s*(#.*)?", line):
            lines[index] = "participants:"
    return "\n".join(lines) + "\n" + entry


def base_from_patch(head: bytes | str, patch: str | None) -> str | None:
    """The file before a pull request's change, rebuilt from its head version and diff.

    GitHub's diff of a pull request is against the merge base, so this is the
    version the change was made from, even when the base branch has moved on
    since. None when the patch is missing (too large) or does not fit ``head``.
    """
    if patch is None:
        return None
    new = _text(head).splitlines()
    old: list[str] = []
    position = 0
    hunk = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
    lines = patch.splitlines()
    index = 0
    while index < len(lines):
        match = hunk.match(lines[index])
        index += 1
        if match is None:
            return None
        start = int(match.group(1)) - (0 if match.group(2) == "0" else 1)
        if start < position or start > len(new):
            return None
        old += new[position:start]
        position = start
        while index < len(lines) and not lines[index].startswith("@@"):
            line = lines[index]
            index += 1
            tag, text = (line[:1], line[1:]) if line else (" ", "")
            if tag == "-":
                old.append(text)
            elif tag in (" ", "+"):
                if position >= len(new) or new[position] != text:
                    return None
                if tag == " ":
                    old.append(text)
                position += 1
            elif tag != "\\":
                return None
    old += new[position:]
    return "\n".join(old) + ("\n" if old else "")


__all__ = [
    "CHECK",
    "ENTRY_KEYS",
    "FILE",
    "GRADUATED",
    "Entry",
    "FileCheck",
    "approved_by_mentor",
    "base_from_patch",
    "check_file",
    "check_program",
    "closing_issues",
    "comment_body",
    "comment_plan",
    "entry_yaml",
    "linked_issue",
    "merge_plan",
    "paste_into",
]
