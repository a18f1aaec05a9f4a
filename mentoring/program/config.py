"""The program's typed model, loaded from roles.yml, .github/mentoring.yml and participants.yml.

``load_program(root)`` reads the three files (as bytes; it never writes), checks
them against the schema documented in docs/settings.md, and either returns a
frozen ``Program`` or raises ``ProgramError`` listing every problem found, each
with its file, line, key breadcrumb, and a hint on how to fix it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import math
import os
import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from mentoring.core.schedule import EARLIEST, LATEST
from mentoring.errors import Problem, ProgramError, YamlError
from mentoring.program.form import DEFAULT_FORM, Form, FormFields, load_form
from mentoring.program.yamlsafe import Loaded, breadcrumb, load_yaml, load_yaml_file

ROLES_FILE = "roles.yml"
SETTINGS_FILE = ".github/mentoring.yml"
PARTICIPANTS_FILE = "participants.yml"
FILE_ORDER = (ROLES_FILE, SETTINGS_FILE, PARTICIPANTS_FILE)

STATUSES = ("needs-info", "waiting", "active", "paused", "withdrawn", "declined", "graduated")
LABEL_LIMIT = 50  # GitHub's limit on a label name's length

_LOGIN = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}"
_LOGIN_RE = re.compile(rf"{_LOGIN}(?:\[bot\])?")
_ROLE_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
_REPOSITORY_RE = re.compile(rf"{_LOGIN}/(?!\.\.?$)[A-Za-z0-9._-]{{1,100}}")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LOGIN_HINT = "use a GitHub login like 'octocat'"

# The range of every number in the program's files: (least, most). See docs/settings.md.
BOUNDS: dict[str, tuple[int, int]] = {
    "default_capacity": (1, 50),
    "capacity": (1, 50),
    "every_days": (1, 365),
    "assessment_every": (1, 52),
    "escalate_after_days": (1, 365),
    "waiting_for_mentor_days": (1, 365),
    "needs_info_days": (1, 365),
    "max_per_run": (1, 100_000),  # GitHub allows ~500 comments an hour; benchmarks go higher
    "months": (1, 120),
    "issue": (1, 2**31 - 1),  # GitHub's issue numbers are 32-bit
}
PACE_SECONDS = (0.0, 60.0)

PathType = tuple[Hashable, ...]
T = TypeVar("T")


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Person:
    """A coordinator."""

    login: str
    name: str | None = None


@dataclass(frozen=True)
class Mentor:
    """Someone who holds a role and may mentor for it, with their capacity across all roles."""

    login: str
    capacity: int


@dataclass(frozen=True)
class Role:
    """A formal role in the project that mentees can be mentored into."""

    id: str
    name: str
    description: str
    mentors: tuple[Mentor, ...]


@dataclass(frozen=True)
class Layout:
    """Where the program's folder (``--root``) sits in its repository.

    ``top`` is the repository's top (None when unknown, as in pure tests), where
    GitHub's own files live (``.github/ISSUE_TEMPLATE/``, ``.github/workflows/``);
    ``prefix`` is the program folder's POSIX path from there, "" at the top.
    """

    top: Path | None = None
    prefix: str = ""

    def path(self, name: str) -> str:
        """A program file's path from the repository's top: ``community/mentoring/roles.yml``."""
        name = name.removeprefix("./")
        return f"{self.prefix}/{name}" if self.prefix else name


def find_layout(root: Path | str, env: dict[str, str] | None = None) -> Layout:
    """The repository top holding ``root``: $GITHUB_WORKSPACE if root is inside it, else the
    nearest folder above with a ``.git`` (a folder, or a worktree's file), else root itself."""
    env = os.environ if env is None else env
    here = Path(root).resolve()
    workspace = env.get("GITHUB_WORKSPACE")
    if workspace and here.is_relative_to(Path(workspace).resolve()):
        top = Path(workspace).resolve()
    else:
        top = next((p for p in (here, *here.parents) if (p / ".git").exists()), here)
    relative = here.relative_to(top).as_posix()
    return Layout(top, "" if relative == "." else relative)


@dataclass(frozen=True)
class Handbooks:
    """Links to the handbooks: https:// URLs, or paths relative to the program's folder."""

    mentor: str
    mentee: str

    def url(self, kind: str, repo_url: str, prefix: str = "") -> str:
        """The handbook for ``kind`` ("mentor" or "mentee") as a full link.

        A relative path is linked on the repository's default branch at ``repo_url``
        (for example ``https://github.com/astropy/mentoring``), under ``prefix``, the
        program folder's path in the repository ("" at its top).
        """
        value = getattr(self, kind)
        if value.startswith(("https://", "http://")):
            return value
        path = Layout(None, prefix.strip("/")).path(value.lstrip("/"))
        return f"{repo_url.rstrip('/')}/blob/HEAD/{path}"


@dataclass(frozen=True)
class Checkins:
    """How often check-ins and assessments happen, counted in days from a pairing's start."""

    every_days: int
    assessment_every: int
    escalate_after_days: int


@dataclass(frozen=True)
class Nudges:
    """When the coordinators and applicants are reminded of stalled applications."""

    waiting_for_mentor_days: int
    needs_info_days: int


@dataclass(frozen=True)
class Labels:
    """The names of the labels the program uses."""

    application: str
    role_prefix: str
    status_prefix: str
    needs_coordinator: str
    dashboard: str

    def role(self, role_id: str) -> str:
        """The label for a role, e.g. ``role: maintainer``."""
        return f"{self.role_prefix}{role_id}"

    def status(self, status: str) -> str:
        """The label for a status in ``STATUSES``, e.g. ``status: active``."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
        return f"{self.status_prefix}{status}"


@dataclass(frozen=True)
class Writes:
    """The write budget: seconds between writes, and the most writes one run may make."""

    pace_seconds: float
    max_per_run: int


@dataclass(frozen=True)
class Budget:
    """The API budget: requests a nightly pass leaves for event runs in the hour, and how
    long it may wait, in all, for the hour's count to start again before it stops."""

    reserve: int
    wait_minutes: int = 180


MAX_RESERVE = 15_000  # the largest hourly limit a token has (GITHUB_TOKEN on Enterprise Cloud)
MAX_WAIT_MINUTES = 300  # a job on GitHub's runners ends after 6 hours


@dataclass(frozen=True)
class Retention:
    """Mentee retention: is a graduate still active in the project ``months`` after graduating?

    Activity is an issue or pull request they opened in one of ``repositories``.
    """

    months: int
    repositories: tuple[str, ...]


@dataclass(frozen=True)
class MentorSettings:
    """Mentor registrations and nominations (docs/mentors.md): how ``/approve`` changes
    roles.yml (``pull-request`` or ``comment``), and the labels of their issues."""

    approve: str = "pull-request"
    registration_label: str = "mentoring: mentor registration"
    nomination_label: str = "mentoring: nomination"


APPROVE_MODES = ("pull-request", "comment")


@dataclass(frozen=True)
class Activity:
    """Where contributions are counted (cohorts' success criteria): ``owner/name`` repositories."""

    repositories: tuple[str, ...]
    max_review_reads: int = 200


@dataclass(frozen=True)
class Settings:
    """Everything in .github/mentoring.yml, with defaults filled in."""

    bot_login: str
    private_contact: str
    handbooks: Handbooks
    default_capacity: int
    checkins: Checkins
    nudges: Nudges
    labels: Labels
    writes: Writes
    retention: Retention | None
    form: FormSettings = field(default_factory=lambda: _DEFAULT_FORM_SETTINGS)
    activity: Activity | None = None
    budget: Budget = Budget(reserve=200, wait_minutes=180)
    mentors: MentorSettings = MentorSettings()


@dataclass(frozen=True)
class FormSettings:
    """Which issue form is the application, and which of its field ids carry what."""

    file: str
    fields: FormFields


_DEFAULT_FORM_SETTINGS = FormSettings("application.yml", DEFAULT_FORM.fields)


@dataclass(frozen=True)
class Participant:
    """One entry of participants.yml: someone who completed the program."""

    name: str
    login: str
    role: str
    issue: int
    mentors: tuple[str, ...]
    started: dt.date
    graduated: dt.date
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Program:
    """The whole program: who coordinates, which roles exist, settings and past participants."""

    root: Path
    coordinators: tuple[Person, ...]
    roles: tuple[Role, ...]
    settings: Settings
    participants: tuple[Participant, ...]
    layout: Layout = Layout()
    form: Form = DEFAULT_FORM
    cohorts: tuple = ()  # cohorts.Cohort, from cohorts.yml (empty: no cohorts)

    def role(self, role_id: str | None) -> Role | None:
        """The role with this id (case-insensitive), or None."""
        return next((role for role in self.roles if same_login(role.id, role_id)), None)

    def is_coordinator(self, login: str | None) -> bool:
        """Whether ``login`` is a coordinator (case-insensitive; None is never one)."""
        return any(same_login(person.login, login) for person in self.coordinators)

    def mentor_capacity(self, login: str | None) -> int:
        """How many mentees ``login`` may have at once across roles; 0 if not a mentor."""
        for role in self.roles:
            for mentor in role.mentors:
                if same_login(mentor.login, login):
                    return mentor.capacity
        return 0

    def roles_of(self, login: str | None) -> tuple[Role, ...]:
        """The roles ``login`` may mentor for, in roles.yml order."""
        return tuple(
            role for role in self.roles if any(same_login(m.login, login) for m in role.mentors)
        )


def same_login(a: str | None, b: str | None) -> bool:
    """GitHub compares logins case-insensitively; None matches nothing."""
    return a is not None and b is not None and a.lower() == b.lower()


_DEFAULT_SETTINGS = Settings(
    bot_login="github-actions[bot]",
    private_contact="the program coordinators privately, by email or direct message",
    handbooks=Handbooks(mentor="docs/mentor-handbook.md", mentee="docs/mentee-handbook.md"),
    default_capacity=2,
    checkins=Checkins(every_days=30, assessment_every=3, escalate_after_days=14),
    nudges=Nudges(waiting_for_mentor_days=14, needs_info_days=14),
    labels=Labels(
        application="mentoring: application",
        role_prefix="role: ",
        status_prefix="status: ",
        needs_coordinator="mentoring: needs coordinator",
        dashboard="mentoring: dashboard",
    ),
    writes=Writes(pace_seconds=1.0, max_per_run=60),
    retention=None,
)


def default_settings() -> Settings:
    """The settings used when .github/mentoring.yml is absent or empty."""
    return _DEFAULT_SETTINGS


# --------------------------------------------------------------------------- checking values


class _Reader:
    """Checks the values of one loaded file, collecting a Problem for each thing wrong."""

    def __init__(self, loaded: Loaded):
        self.loaded = loaded
        self.problems: list[Problem] = []

    def problem(self, path: Sequence[Hashable], message: str, hint: str = "") -> None:
        self.problems.append(
            Problem(self.loaded.filename, self.loaded.line(path), breadcrumb(path), message, hint)
        )

    def mapping(
        self,
        value: Any,
        path: PathType,
        required: Sequence[str] = (),
        optional: Sequence[str] = (),
    ) -> dict[Any, Any] | None:
        """``value`` if it is a mapping; reports unknown and missing keys."""
        if not isinstance(value, dict):
            self.problem(path, f"expected a mapping (key: value lines), got {_describe(value)}")
            return None
        allowed = (*required, *optional)
        suggested = set()
        for key in value:
            if key not in allowed:
                suggested.add(_close_match(key, allowed))
                hint = _did_you_mean(key, allowed, "allowed keys")
                self.problem((*path, key), f"unknown key {_quote(key)}", hint)
        missing = [key for key in required if key not in value and key not in suggested]
        if missing:
            keys = ", ".join(repr(key) for key in missing)
            self.problem(path, f"missing required key{'s' if len(missing) > 1 else ''} {keys}")
        return value

    def section(self, parent: dict[Any, Any], key: str, names: Sequence[str]) -> dict | None:
        """An optional mapping of optional keys; absent or empty means all defaults."""
        value = parent.get(key)
        return {} if value is None else self.mapping(value, (key,), optional=names)

    def sequence(self, value: Any, path: PathType, *, at_least: int = 0, what: str = "") -> list:
        if not isinstance(value, list):
            self.problem(path, f"expected a list, got {_describe(value)}")
            return []
        if len(value) < at_least:
            self.problem(path, f"needs at least {at_least} {what}")
        return value

    def text(self, value: Any, path: PathType) -> str | None:
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, str):
            self.problem(path, "is empty")
        else:
            hint = "put the value in quotes" if _is_plain_scalar(value) else ""
            self.problem(path, f"expected text, got {_describe(value)}", hint)
        return None

    def integer(self, value: Any, path: PathType, *, minimum: int = 1) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            hint = "remove the quotes" if isinstance(value, str) and value.strip().isdigit() else ""
            self.problem(path, f"expected a whole number, got {_describe(value)}", hint)
            return None
        least, most = BOUNDS.get(str(path[-1]) if path else "", (minimum, None))
        if value < least or (most is not None and value > most):
            if most is None:
                wanted = "a positive whole number" if least == 1 else f"at least {least}"
            else:
                wanted = f"a whole number from {least} to {most:,}"
            self.problem(path, f"must be {wanted}, got {_number_text(value)}")
            return None
        return value

    def number(self, value: Any, path: PathType, *, minimum: float = 0) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(path, f"expected a number, got {_describe(value)}")
            return None
        least, most = PACE_SECONDS if path and path[-1] == "pace_seconds" else (minimum, math.inf)
        if not math.isfinite(value) or not least <= value <= most:
            wanted = f"at least {least:g}" if most == math.inf else f"from {least:g} to {most:g}"
            self.problem(path, f"must be a number {wanted}, got {_number_text(value)}")
            return None
        return float(value)

    def login(self, value: Any, path: PathType) -> str | None:
        if not isinstance(value, str):
            self.problem(path, f"expected a GitHub login, got {_describe(value)}", _LOGIN_HINT)
            return None
        if _LOGIN_RE.fullmatch(value):
            return value
        if value.startswith("@") and _LOGIN_RE.fullmatch(value[1:]):
            self.problem(path, f"unknown login format {value!r}", f"drop the '@': {value[1:]!r}")
        else:
            self.problem(path, f"unknown login format {value!r}", _LOGIN_HINT)
        return None

    def link(self, value: Any, path: PathType) -> str | None:
        """An https URL, or a path inside the repository (no scheme, no leading /, no ..)."""
        text = self.text(value, path)
        if text is None:
            return None
        if text.startswith("https://"):
            return text
        if text.lower().startswith("http://"):
            self.problem(
                path,
                f"{text!r} is not an https:// link",
                f"use {'https://' + text[7:]!r}: GitHub and browsers warn about http:// links",
            )
            return None
        has_scheme = re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", text)
        if not has_scheme and not text.startswith(("/", "\\")) and ".." not in text.split("/"):
            return text
        self.problem(
            path,
            f"{text!r} is not a link",
            "use an https:// URL or a path in this repository like docs/handbook.md",
        )
        return None

    def date(self, value: Any, path: PathType) -> dt.date | None:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return self.in_range(value, path)
        if isinstance(value, str) and _DATE_RE.fullmatch(value.strip()):
            try:
                return self.in_range(dt.date.fromisoformat(value.strip()), path)
            except ValueError as error:
                self.problem(path, f"{value.strip()} is not a real date ({error})")
                return None
        self.problem(
            path,
            f"expected a date like 2026-01-15, got {_describe(value)}",
            "write dates as YYYY-MM-DD",
        )
        return None

    def in_range(self, day: dt.date, path: PathType) -> dt.date | None:
        if EARLIEST <= day <= LATEST:
            return day
        self.problem(path, f"{day} is not a date from {EARLIEST} to {LATEST}", "check the year")
        return None

    def optional(
        self,
        parent: dict,
        key: str,
        default: T,
        check: Callable[[Any, PathType], T | None],
        path: PathType = (),
    ) -> T | None:
        """``parent[key]`` checked by ``check``, or ``default`` when the key is absent."""
        if key not in parent:
            return default
        return check(parent[key], (*path, key))


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {_clip(value)!r}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _number_text(value: float) -> str:
    """A number as written, or its size when it is too long to show."""
    if isinstance(value, int) and abs(value) >= 10**15:
        return f"a number with {len(str(abs(value)))} digits"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _is_plain_scalar(value: Any) -> bool:
    return isinstance(value, bool | int | float | dt.date)


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quote(key: Any) -> str:
    return repr(key) if isinstance(key, str) else repr(str(key))


def _close_match(word: Any, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def _did_you_mean(word: Any, choices: Sequence[str], what: str) -> str:
    close = _close_match(word, choices)
    if close:
        return f"did you mean {close!r}?"
    return f"{what}: {', '.join(choices)}" if choices else ""


def _all_present(*values: Any) -> bool:
    return all(value is not None for value in values)


# --------------------------------------------------------------------------- .github/mentoring.yml

_SETTINGS_KEYS = (
    "bot_login",
    "private_contact",
    "handbooks",
    "default_capacity",
    "checkins",
    "nudges",
    "labels",
    "writes",
    "retention",
    "form",
    "budget",
    "activity",
    "mentors",
)
_PREFIX_LABELS = ("role_prefix", "status_prefix")


def _parse_settings(loaded: Loaded) -> tuple[Settings | None, list[Problem]]:
    reader = _Reader(loaded)
    if loaded.data is None:
        return _DEFAULT_SETTINGS, []
    top = reader.mapping(loaded.data, (), optional=_SETTINGS_KEYS)
    if top is None:
        return None, reader.problems
    default = _DEFAULT_SETTINGS
    values = {
        "bot_login": reader.optional(top, "bot_login", default.bot_login, reader.login),
        "private_contact": reader.optional(
            top, "private_contact", default.private_contact, reader.text
        ),
        "handbooks": _handbooks(reader, top),
        "default_capacity": reader.optional(
            top, "default_capacity", default.default_capacity, reader.integer
        ),
        "checkins": _int_section(reader, top, "checkins", default.checkins),
        "nudges": _int_section(reader, top, "nudges", default.nudges),
        "labels": _labels(reader, top),
        "writes": _writes(reader, top),
    }
    retention = _retention(reader, top)
    activity = _activity(reader, top)
    values["form"] = _form(reader, top)
    budget = _budget(reader, top)
    mentors = _mentor_settings(reader, top)
    if reader.problems or not _all_present(*values.values(), budget, mentors):
        return None, reader.problems
    settings = Settings(
        **values, retention=retention, activity=activity, budget=budget, mentors=mentors
    )
    return settings, reader.problems


def _mentor_settings(reader: _Reader, top: dict) -> MentorSettings | None:
    default = MentorSettings()
    names = [f.name for f in dataclasses.fields(MentorSettings)]
    section = reader.section(top, "mentors", names)
    if section is None:
        return None
    approve = section.get("approve", default.approve)
    if approve not in APPROVE_MODES:
        reader.problem(
            ("mentors", "approve"),
            f"unknown mode {_describe(approve)}",
            "use 'pull-request' (the bot opens a pull request) or 'comment' (it posts the YAML)",
        )
        return None
    labels = {
        name: _label(reader, section.get(name, getattr(default, name)), ("mentors", name))
        for name in ("registration_label", "nomination_label")
    }
    if not _all_present(*labels.values()):
        return None
    return MentorSettings(approve=approve, **labels)


def _int_section(reader: _Reader, top: dict, key: str, default: T) -> T | None:
    """A section whose keys are all positive whole numbers, like ``checkins``."""
    names = [f.name for f in dataclasses.fields(default)]
    section = reader.section(top, key, names)
    if section is None:
        return None
    values = {
        name: reader.optional(section, name, getattr(default, name), reader.integer, (key,))
        for name in names
    }
    return dataclasses.replace(default, **values) if _all_present(*values.values()) else None


def _handbooks(reader: _Reader, top: dict) -> Handbooks | None:
    default = _DEFAULT_SETTINGS.handbooks
    section = reader.section(top, "handbooks", ("mentor", "mentee"))
    if section is None:
        return None
    links = {
        name: reader.optional(section, name, getattr(default, name), reader.link, ("handbooks",))
        for name in ("mentor", "mentee")
    }
    return Handbooks(**links) if _all_present(*links.values()) else None


def _labels(reader: _Reader, top: dict) -> Labels | None:
    default = _DEFAULT_SETTINGS.labels
    names = [f.name for f in dataclasses.fields(Labels)]
    section = reader.section(top, "labels", names)
    if section is None:
        return None
    values = {}
    for name in names:
        path = ("labels", name)
        value = section.get(name, getattr(default, name))
        values[name] = (
            _prefix(reader, value, path) if name in _PREFIX_LABELS else _label(reader, value, path)
        )
    invalid = {("labels", name) for name, value in values.items() if value is None}
    labels = Labels(**{n: getattr(default, n) if v is None else v for n, v in values.items()})
    before = len(reader.problems)
    _check_settings_labels(reader, labels, skip=invalid)  # every label at once
    return labels if len(reader.problems) == before and not invalid else None


def _labels_as_far_as_valid(loaded: Loaded | None) -> Labels:
    """The labels of a settings file that has problems elsewhere, each invalid one replaced
    by its default, so the role labels are checked at once (the problems are already reported)."""
    default = _DEFAULT_SETTINGS.labels
    top = loaded.data if loaded is not None else None
    section = top.get("labels") if isinstance(top, dict) else None
    if not isinstance(section, dict):
        return default
    scratch = _Reader(loaded)
    values = {}
    for name in (f.name for f in dataclasses.fields(Labels)):
        path = ("labels", name)
        value = section.get(name, getattr(default, name))
        check = _prefix if name in _PREFIX_LABELS else _label
        values[name] = check(scratch, value, path)
        values[name] = getattr(default, name) if values[name] is None else values[name]
    return Labels(**values)


def _label(reader: _Reader, value: Any, path: PathType) -> str | None:
    text = reader.text(value, path)
    if text is not None and text != value:
        reader.problem(path, "has spaces at the start or end", "GitHub trims them; remove them")
        return None
    return text


def _prefix(reader: _Reader, value: Any, path: PathType) -> str | None:
    if not isinstance(value, str):
        reader.problem(path, f"expected text, got {_describe(value)}", "put the value in quotes")
        return None
    if value != value.lstrip():
        reader.problem(path, "starts with a space", "GitHub trims label names; remove it")
        return None
    return value


def _writes(reader: _Reader, top: dict) -> Writes | None:
    default = _DEFAULT_SETTINGS.writes
    section = reader.section(top, "writes", ("pace_seconds", "max_per_run"))
    if section is None:
        return None
    pace = reader.optional(
        section, "pace_seconds", default.pace_seconds, reader.number, ("writes",)
    )
    most = reader.optional(section, "max_per_run", default.max_per_run, reader.integer, ("writes",))
    return Writes(float(pace), most) if _all_present(pace, most) else None


def _budget(reader: _Reader, top: dict) -> Budget | None:
    default = _DEFAULT_SETTINGS.budget
    section = reader.section(top, "budget", ("reserve", "wait_minutes"))
    if section is None:
        return None
    path = ("budget", "reserve")
    reserve = reader.optional(section, "reserve", default.reserve, _reserve(reader), ("budget",))
    if reserve is not None and reserve > MAX_RESERVE:
        reader.problem(
            path,
            f"must be at most {MAX_RESERVE:,}, got {reserve}",
            "it is how many of the hour's API requests the nightly pass leaves for event runs; "
            "GITHUB_TOKEN has 1,000 an hour (docs/budget.md)",
        )
        return None
    wait = reader.optional(
        section, "wait_minutes", default.wait_minutes, _reserve(reader), ("budget",)
    )
    if wait is not None and wait > MAX_WAIT_MINUTES:
        reader.problem(
            ("budget", "wait_minutes"),
            f"must be at most {MAX_WAIT_MINUTES}, got {wait}",
            "it is how long, in all, a nightly pass may wait for the hour's API count to start "
            "again; a job on GitHub's runners ends after 6 hours (docs/budget.md)",
        )
        return None
    return Budget(reserve, wait) if reserve is not None and wait is not None else None


def _reserve(reader: _Reader) -> Any:
    return lambda value, path: reader.integer(value, path, minimum=0)


def _retention(reader: _Reader, top: dict) -> Retention | None:
    value = top.get("retention")
    if value is None:
        return None
    section = reader.mapping(
        value, ("retention",), required=("months",), optional=("repositories",)
    )
    if section is None:
        return None
    months = reader.optional(section, "months", None, reader.integer, ("retention",))
    repositories = _repositories(reader, section, ("retention", "repositories"))
    return Retention(months, repositories) if months is not None else None


def _repositories(reader: _Reader, section: dict, path: PathType) -> tuple[str, ...]:
    """A section's list of ``owner/name`` repositories; each bad one is a problem."""
    repositories = []
    for index, name in enumerate(reader.sequence(section.get(path[-1], []), path)):
        if isinstance(name, str) and _REPOSITORY_RE.fullmatch(name):
            repositories.append(name)
        else:
            shown = repr(name) if isinstance(name, str) else _describe(name)
            reader.problem((*path, index), f"expected a repository like 'owner/name', got {shown}")
    return tuple(repositories)


_FORM_FIELD_KEYS = tuple(f.name for f in dataclasses.fields(FormFields))
_FORM_FILE_RE = re.compile(r"[A-Za-z0-9_.-]+\.ya?ml")
_FORM_ID_RE = re.compile(r"[A-Za-z0-9_-]+")


def _form(reader: _Reader, top: dict) -> FormSettings | None:
    """Which form is the application (a file in .github/ISSUE_TEMPLATE/) and its field ids.

    Without ``fields``, today's ids; with it, ``name`` is required and an absent
    key means the form has no such question.
    """
    default = _DEFAULT_FORM_SETTINGS
    section = reader.section(top, "form", ("file", "fields"))
    if section is None:
        return None
    name = reader.optional(section, "file", default.file, reader.text, ("form",))
    if name is not None and not _FORM_FILE_RE.fullmatch(name):
        reader.problem(
            ("form", "file"),
            f"{name!r} is not a form file name",
            "give the file's name in .github/ISSUE_TEMPLATE/, like application.yml",
        )
        name = None
    if section.get("fields") is None:
        return FormSettings(name, default.fields) if name is not None else None
    path = ("form", "fields")
    fields = reader.mapping(section["fields"], path, ("name",), _FORM_FIELD_KEYS[1:])
    if fields is None:
        return None
    ids: dict[str, str | None] = {}
    for key in _FORM_FIELD_KEYS:
        value = fields.get(key)
        if value is None and key == "name" and key in fields:
            reader.problem((*path, key), "is required", "give the id of the form's name field")
            return None
        if value is None:
            ids[key] = None
        elif isinstance(value, str) and _FORM_ID_RE.fullmatch(value):
            ids[key] = value
        else:
            shown = repr(value) if isinstance(value, str) else _describe(value)
            hint = "use the `id` of a field in the form: letters, digits, - and _"
            reader.problem((*path, key), f"{shown} is not a field id", hint)
            return None
    if ids["name"] is None or name is None:
        return None
    return FormSettings(name, FormFields(**ids))


def _activity(reader: _Reader, top: dict) -> Activity | None:
    """The ``activity`` section: the repositories where cohorts' contributions are counted."""
    value = top.get("activity")
    if value is None:
        return None
    section = reader.mapping(
        value, ("activity",), required=("repositories",), optional=("max_review_reads",)
    )
    if section is None:
        return None
    repositories = _repositories(reader, section, ("activity", "repositories"))
    most = reader.optional(section, "max_review_reads", 200, reader.integer, ("activity",))
    return Activity(repositories, most) if most is not None else None


# --------------------------------------------------------------------------- roles.yml


@dataclass
class _RolesFile:
    """What roles.yml yielded: complete objects, plus ids usable for cross-checks."""

    coordinators: tuple[Person, ...] = ()
    roles: tuple[Role, ...] = ()
    role_ids: dict[str, PathType] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _MentorEntry:
    login: str
    capacity: int | None
    path: PathType


def _parse_roles(loaded: Loaded, default_capacity: int) -> _RolesFile:
    reader = _Reader(loaded)
    result = _RolesFile(problems=reader.problems)
    if loaded.data is None:
        reader.problem(
            (),
            "is empty; it must list the coordinators and the roles",
            "copy roles.yml from the template",
        )
        return result
    top = reader.mapping(loaded.data, (), required=("coordinators", "roles"))
    if top is None:
        return result
    result.coordinators = _coordinators(reader, top)
    drafts = _roles(reader, top, result.role_ids)
    capacities = _capacities(reader, [entry for _, entries in drafts for entry in entries])
    result.roles = tuple(
        dataclasses.replace(
            role,
            mentors=tuple(
                Mentor(entry.login, capacities.get(entry.login.lower(), default_capacity))
                for entry in entries
            ),
        )
        for role, entries in drafts
        if role is not None
    )
    return result


def _coordinators(reader: _Reader, top: dict) -> tuple[Person, ...]:
    if "coordinators" not in top:
        return ()
    people = []
    seen: dict[str, PathType] = {}
    entries = reader.sequence(
        top["coordinators"], ("coordinators",), at_least=1, what="coordinator"
    )
    for index, entry in enumerate(entries):
        person = _person(reader, entry, ("coordinators", index))
        if person is not None and _unique(reader, person.login, seen, ("coordinators", index)):
            people.append(person)
    return tuple(people)


def _person(reader: _Reader, entry: Any, path: PathType) -> Person | None:
    if isinstance(entry, str):
        login = reader.login(entry, path)
        return Person(login) if login else None
    entry = reader.mapping(entry, path, required=("login",), optional=("name",))
    if entry is None or "login" not in entry:
        return None
    login = reader.login(entry["login"], (*path, "login"))
    name = reader.optional(entry, "name", None, reader.text, path)
    if login is None or ("name" in entry and name is None):
        return None
    return Person(login, name)


def _unique(reader: _Reader, login: str, seen: dict[str, PathType], path: PathType) -> bool:
    """Record ``login``; report it and return False if it was already seen (case-insensitive)."""
    first = seen.setdefault(login.lower(), path)
    if first == path:
        return True
    reader.problem(
        path,
        f"{login!r} is listed twice (also at {breadcrumb(first)}, "
        f"line {reader.loaded.line(first)})",
        "remove one of them",
    )
    return False


def _roles(
    reader: _Reader, top: dict, role_ids: dict[str, PathType]
) -> list[tuple[Role | None, list[_MentorEntry]]]:
    """Each role (None if incomplete) with its mentor entries, whose capacities are unresolved."""
    if "roles" not in top:
        return []
    results = []
    entries = reader.sequence(top["roles"], ("roles",), at_least=1, what="role")
    for index, entry in enumerate(entries):
        path: PathType = ("roles", index)
        entry = reader.mapping(
            entry, path, required=("id", "name", "description"), optional=("mentors",)
        )
        if entry is None:
            continue
        before = len(reader.problems)
        role_id = _role_id(reader, entry, path, role_ids)
        name = reader.optional(entry, "name", None, reader.text, path)
        description = reader.optional(entry, "description", None, reader.text, path)
        mentors = _mentor_entries(reader, entry.get("mentors", []), (*path, "mentors"))
        complete = len(reader.problems) == before and _all_present(role_id, name, description)
        results.append((Role(role_id, name, description, ()) if complete else None, mentors))
    return results


def _role_id(
    reader: _Reader, entry: dict, path: PathType, role_ids: dict[str, PathType]
) -> str | None:
    if "id" not in entry:
        return None
    path = (*path, "id")
    value = entry["id"]
    if not isinstance(value, str) or not _ROLE_ID_RE.fullmatch(value):
        shown = repr(value) if isinstance(value, str) else _describe(value)
        hint = "role ids are lowercase letters, digits and hyphens, like 'docs-lead'"
        if isinstance(value, str) and _ROLE_ID_RE.fullmatch(value.lower()):
            hint = f"role ids are lowercase: {value.lower()!r}"
        reader.problem(path, f"invalid role id {shown}", hint)
        return None
    if value in role_ids:
        first = role_ids[value]
        reader.problem(
            path,
            f"role id {value!r} is used twice (also at {breadcrumb(first)}, "
            f"line {reader.loaded.line(first)})",
            "role ids must be unique",
        )
        return None
    role_ids[value] = path
    return value


def _mentor_entries(reader: _Reader, value: Any, path: PathType) -> list[_MentorEntry]:
    """The mentors of one role; an empty ``mentors:`` means a vacant role."""
    if value is None:
        return []
    entries = []
    seen: dict[str, PathType] = {}
    for index, item in enumerate(reader.sequence(value, path)):
        item_path = (*path, index)
        entry = _mentor_entry(reader, item, item_path)
        if entry is not None and _unique(reader, entry.login, seen, item_path):
            entries.append(entry)
    return entries


def _mentor_entry(reader: _Reader, item: Any, path: PathType) -> _MentorEntry | None:
    if isinstance(item, str):
        login = reader.login(item, path)
        return _MentorEntry(login, None, path) if login else None
    item = reader.mapping(item, path, required=("login",), optional=("capacity",))
    if item is None or "login" not in item:
        return None
    login = reader.login(item["login"], (*path, "login"))
    capacity = reader.optional(item, "capacity", None, reader.integer, path)
    if login is None or ("capacity" in item and capacity is None):
        return None
    return _MentorEntry(login, capacity, path)


def _capacities(reader: _Reader, entries: list[_MentorEntry]) -> dict[str, int]:
    """Each person's explicit capacity; it covers all their roles, so it must agree."""
    chosen: dict[str, _MentorEntry] = {}
    for entry in entries:
        if entry.capacity is None:
            continue
        first = chosen.setdefault(entry.login.lower(), entry)
        if first.capacity != entry.capacity:
            reader.problem(
                (*entry.path, "capacity"),
                f"{entry.login!r} has capacity {entry.capacity} here but {first.capacity} at "
                f"{breadcrumb(first.path)} (line {reader.loaded.line(first.path)})",
                "capacity counts a person's mentees across all their roles; give one value",
            )
    return {login: entry.capacity for login, entry in chosen.items()}


# --------------------------------------------------------------------------- participants.yml

_PARTICIPANT_KEYS = ("name", "login", "role", "issue", "mentors", "started", "graduated")


def parse_participants(
    source: Loaded | str | bytes,
    filename: str = PARTICIPANTS_FILE,
    roles: Iterable[Role | str] | None = None,
) -> tuple[tuple[Participant, ...], list[Problem]]:
    """Check participants.yml, e.g. a pull request's version of it.

    ``source`` is the file's text or an already loaded file. ``roles`` are the roles
    (or role ids) an entry may name; None skips that check. Returns the complete
    entries and every problem; a YAML error comes back as a problem, never raised.
    """
    if not isinstance(source, Loaded):
        try:
            source = load_yaml(source, filename)
        except YamlError as error:
            return (), [error.problem]
    reader = _Reader(source)
    known_roles = None if roles is None else _role_ids_by_lowercase(roles)
    repeats = _Repeats()
    participants = tuple(
        participant
        for index, entry in enumerate(_participant_entries(reader))
        if (
            participant := _participant(
                reader, entry, ("participants", index), known_roles, repeats
            )
        )
    )
    return participants, reader.problems


@dataclass
class _Repeats:
    """Where each login and issue number was first seen in participants.yml."""

    logins: dict[str, PathType] = field(default_factory=dict)
    issues: dict[int, PathType] = field(default_factory=dict)


def _role_ids_by_lowercase(roles: Iterable[Role | str]) -> dict[str, str]:
    ids = (role.id if isinstance(role, Role) else role for role in roles)
    return {role_id.lower(): role_id for role_id in ids}


def _participant_entries(reader: _Reader) -> list:
    data = reader.loaded.data
    if data is None:
        return []
    if isinstance(data, list):
        reader.problem(
            (),
            "expected a mapping with a 'participants:' key, got a list",
            "put the list under 'participants:' as the comment at the top shows",
        )
        return []
    top = reader.mapping(data, (), optional=("participants",))
    if top is None or top.get("participants") is None:
        return []
    return reader.sequence(top["participants"], ("participants",))


def _participant(
    reader: _Reader,
    entry: Any,
    path: PathType,
    known_roles: dict[str, str] | None,
    repeats: _Repeats,
) -> Participant | None:
    entry = reader.mapping(entry, path, required=_PARTICIPANT_KEYS)
    if entry is None:
        return None
    before = len(reader.problems)
    checks: dict[str, Callable[[Any, PathType], Any]] = {
        "name": reader.text,
        "login": reader.login,
        "role": lambda value, at: _participant_role(reader, value, at, known_roles),
        "issue": reader.integer,
        "mentors": lambda value, at: _participant_mentors(reader, value, at),
        "started": reader.date,
        "graduated": reader.date,
    }
    values = {
        key: check(entry[key], (*path, key)) if key in entry else None
        for key, check in checks.items()
    }
    if values["login"] is not None:
        _unique(reader, values["login"], repeats.logins, (*path, "login"))
    if values["issue"] is not None:
        _unique_issue(reader, values["issue"], repeats.issues, (*path, "issue"))
    started, graduated = values["started"], values["graduated"]
    if started and graduated and graduated < started:
        reader.problem(
            (*path, "graduated"),
            f"graduated {graduated} is before started {started}",
            "check the two dates",
        )
    if len(reader.problems) > before or not _all_present(*values.values()):
        return None
    return Participant(**values, line=reader.loaded.line(path))


def _participant_role(
    reader: _Reader, value: Any, path: PathType, known_roles: dict[str, str] | None
) -> str | None:
    text = reader.text(value, path)
    if text is None or known_roles is None:
        return text
    if text.lower() in known_roles:
        return known_roles[text.lower()]
    reader.problem(
        path,
        f"unknown role {text!r}",
        _did_you_mean(text, sorted(known_roles.values()), f"{ROLES_FILE} defines"),
    )
    return None


def _participant_mentors(reader: _Reader, value: Any, path: PathType) -> tuple[str, ...] | None:
    logins = []
    seen: dict[str, PathType] = {}
    for index, item in enumerate(reader.sequence(value, path, at_least=1, what="mentor")):
        login = reader.login(item, (*path, index))
        if login is not None and _unique(reader, login, seen, (*path, index)):
            logins.append(login)
    return tuple(logins)


def _unique_issue(reader: _Reader, issue: int, seen: dict[int, PathType], path: PathType) -> bool:
    first = seen.setdefault(issue, path)
    if first == path:
        return True
    reader.problem(
        path,
        f"issue #{issue} is listed twice (also at {breadcrumb(first)}, "
        f"line {reader.loaded.line(first)})",
        "each entry names its own application issue",
    )
    return False


# --------------------------------------------------------------------------- labels


_CLASH_HINT = "GitHub compares label names case-insensitively; make them differ"


def _label_clashes(
    named: Iterable[tuple[str, PathType, str]], taken: dict[str, str], long_hint: str
) -> Iterator[tuple[PathType, str, str]]:
    """(path, message, hint) for each label too long or already ``taken`` for another purpose.

    ``named`` holds (label, path where it is set, purpose); ``taken`` maps lowercase
    labels to their purpose and grows as labels are seen.
    """
    for label, path, purpose in named:
        if len(label) > LABEL_LIMIT:
            yield path, _too_long(label), long_hint
        first = taken.setdefault(label.lower(), purpose)
        if first != purpose:
            yield (
                path,
                f"the label {label!r} of {purpose} is also the label of {first}",
                _CLASH_HINT,
            )


def _settings_labels(labels: Labels) -> list[tuple[str, PathType, str]]:
    named = [
        (getattr(labels, name), ("labels", name), f"labels.{name}")
        for name in ("application", "needs_coordinator", "dashboard")
    ]
    statuses = [
        (labels.status(status), ("labels", "status_prefix"), f"status {status!r}")
        for status in STATUSES
    ]
    return named + statuses


def _check_settings_labels(reader: _Reader, labels: Labels, skip: Iterable[PathType] = ()) -> None:
    """Report each label key at most once: the status prefix makes seven labels.

    Keys in ``skip`` (invalid ones, replaced by their defaults) are not reported again.
    """
    longest = max(STATUSES, key=len)
    long_hint = f"shorten it; the longest status is {longest!r}"
    reported: set[PathType] = set(skip)
    for path, message, hint in _label_clashes(_settings_labels(labels), {}, long_hint):
        if path not in reported:
            reported.add(path)
            reader.problem(path, message, hint)


def _role_label_problems(labels: Labels, roles: _RolesFile, loaded: Loaded) -> list[Problem]:
    """Each role's label must fit GitHub's limit and differ from every other label."""
    taken: dict[str, str] = {}
    list(_label_clashes(_settings_labels(labels), taken, ""))
    named = [
        (labels.role(role_id), path, f"role {role_id!r}")
        for role_id, path in roles.role_ids.items()
    ]
    long_hint = f"shorten the role id, or labels.role_prefix in {SETTINGS_FILE}"
    return [
        Problem(loaded.filename, loaded.line(path), breadcrumb(path), message, hint)
        for path, message, hint in _label_clashes(named, taken, long_hint)
    ]


def _too_long(label: str) -> str:
    return f"the label {label!r} is {len(label)} characters; GitHub allows at most {LABEL_LIMIT}"


# --------------------------------------------------------------------------- the whole program


def check_roles(text: str | bytes, settings: Settings) -> tuple[tuple[Role, ...], list[Problem]]:
    """roles.yml's roles from ``text`` (not a file), and every problem ``validate`` would find
    in it: for a change the bot proposes (mentor registration)."""
    try:
        loaded = load_yaml(text, ROLES_FILE)
    except YamlError as exc:
        return (), [exc.problem]
    roles = _parse_roles(loaded, settings.default_capacity)
    problems = roles.problems + _role_label_problems(settings.labels, roles, loaded)
    return roles.roles, problems


def load_program(
    root: Path | str,
    *,
    bot_login: str | None = None,
    env: dict[str, str] | None = None,
    participants: bool = True,
) -> Program:
    """Load and check the program in ``root``; raise ProgramError listing every problem.

    ``bot_login`` (``--bot-login``, $MENTORING_BOT_LOGIN) overrides ``settings.bot_login``.
    The application form is read from the repository's top (see ``find_layout``).
    ``participants=False`` leaves participants.yml unread (a graduation check reads
    its own versions of it).
    """
    root = Path(root)
    layout = find_layout(root, env)
    problems: list[Problem] = []
    settings_loaded = _read(root, SETTINGS_FILE, problems, required=False)
    settings, found = _parse_settings(settings_loaded or Loaded(None, SETTINGS_FILE))
    problems += found
    if settings is not None and bot_login:
        if _LOGIN_RE.fullmatch(bot_login):
            settings = dataclasses.replace(settings, bot_login=bot_login)
        else:
            hint = "give the account the workflows act as, like my-app[bot]"
            problems.append(
                Problem("--bot-login", None, "", f"unknown login format {bot_login!r}", hint)
            )
    capacity = (settings or _DEFAULT_SETTINGS).default_capacity

    roles_loaded = _read(root, ROLES_FILE, problems, required=True)
    roles = _parse_roles(roles_loaded, capacity) if roles_loaded else _RolesFile()
    problems += roles.problems
    if roles_loaded is not None:
        labels = settings.labels if settings else _labels_as_far_as_valid(settings_loaded)
        problems += _role_label_problems(labels, roles, roles_loaded)

    graduates: tuple[Participant, ...] = ()
    participants_loaded = None
    if participants:
        participants_loaded = _read(root, PARTICIPANTS_FILE, problems, required=False)
    if participants_loaded is not None:
        role_ids = list(roles.role_ids) or None
        graduates, found = parse_participants(participants_loaded, PARTICIPANTS_FILE, role_ids)
        problems += found

    application = DEFAULT_FORM
    if settings is not None:
        explicit = settings.form != _DEFAULT_FORM_SETTINGS
        application, found = load_form(
            layout.top, settings.form.file, settings.form.fields, explicit
        )
        problems += found

    cohorts = _cohorts(root, problems, list(roles.role_ids) or None)
    if problems or settings is None:
        raise ProgramError(_in_reading_order(problems))
    return Program(
        root, roles.coordinators, roles.roles, settings, graduates, layout, application, cohorts
    )


def _cohorts(root: Path, problems: list[Problem], role_ids: list[str] | None) -> tuple:
    """cohorts.yml, when the program has one (see core/cohorts.py)."""
    from mentoring.core import cohorts

    loaded = _read(root, cohorts.COHORTS_FILE, problems, required=False)
    if loaded is None:
        return ()
    found, more = cohorts.parse(loaded, role_ids)
    problems += more
    return found


def _read(root: Path, filename: str, problems: list[Problem], *, required: bool) -> Loaded | None:
    """Load ``root/filename``; a missing optional file gives None and no problem."""
    try:
        return load_yaml_file(root / filename, filename)
    except FileNotFoundError:
        if required:
            problems.append(
                Problem(
                    filename,
                    None,
                    "",
                    f"not found in {root.resolve()}",
                    "run `mentoring validate --root DIR` with your program's repository as DIR, "
                    f"or copy {filename} from the template",
                )
            )
    except YamlError as error:
        problems.append(error.problem)
    except OSError as error:
        problems.append(Problem(filename, 1, "", f"could not be read: {error.strerror}"))
    return None


def _in_reading_order(problems: list[Problem]) -> list[Problem]:
    """roles.yml first, then settings, then participants; by line within a file."""

    def order(problem: Problem) -> tuple[int, int]:
        rank = FILE_ORDER.index(problem.file) if problem.file in FILE_ORDER else len(FILE_ORDER)
        return rank, problem.line or 0

    return sorted(problems, key=order)
