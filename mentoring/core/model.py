"""Plain data the core decides over: snapshots of GitHub in, plans of writes out.

Nothing here talks to GitHub. The gateway turns PyGithub objects into these
snapshots, the feature modules turn snapshots into a `Plan`, and the gateway's
`apply` carries the plan out (or prints it under ``--dry-run``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "AddLabels",
    "Assign",
    "CloseIssue",
    "Comment",
    "CreateIssue",
    "EditComment",
    "EditIssue",
    "EnsureLabel",
    "Issue",
    "OpenPullRequest",
    "Plan",
    "PostComment",
    "RemoveLabels",
    "ReopenIssue",
    "Unassign",
    "Write",
    "lower",
]


def lower(login: str | None) -> str:
    """Normalise a login (or label) for comparison: GitHub compares them case-insensitively."""
    return (login or "").casefold()


@dataclass(frozen=True)
class Comment:
    """An issue comment. ``author`` is None when the account was deleted (GitHub's ghost)."""

    id: int
    issue: int
    author: str | None
    body: str
    created_at: datetime
    updated_at: datetime

    def by(self, login: str | None) -> bool:
        return self.author is not None and lower(self.author) == lower(login)


@dataclass(frozen=True)
class Issue:
    """An issue or pull request as the core sees it, with whatever comments were read."""

    number: int
    title: str
    body: str
    author: str | None
    state: str  # "open" | "closed"
    labels: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    locked: bool = False
    is_pull: bool = False
    comments: tuple[Comment, ...] = ()
    state_reason: str | None = None

    @property
    def open(self) -> bool:
        return self.state == "open"

    def has_label(self, name: str) -> bool:
        return any(lower(label) == lower(name) for label in self.labels)

    def labels_with_prefix(self, prefix: str) -> tuple[str, ...]:
        return tuple(label for label in self.labels if lower(label).startswith(lower(prefix)))

    def is_assigned(self, login: str | None) -> bool:
        return any(lower(a) == lower(login) for a in self.assignees)


# --------------------------------------------------------------------------- writes


@dataclass(frozen=True)
class Write:
    """One write to GitHub. Subclasses say what; ``describe`` says it to a person."""

    issue: int

    def describe(self) -> str:  # pragma: no cover - every subclass overrides
        raise NotImplementedError


def _indent(body: str) -> str:
    return "\n".join("    " + line if line else "" for line in body.splitlines())


@dataclass(frozen=True)
class PostComment(Write):
    """A new comment. ``key`` is the hidden marker kind that makes it findable again,
    so a lost response is detected by re-reading instead of posting twice."""

    body: str
    key: str

    def describe(self) -> str:
        return f"#{self.issue} comment ({self.key}):\n{_indent(self.body)}"


@dataclass(frozen=True)
class EditComment(Write):
    comment_id: int
    body: str
    key: str = ""

    def describe(self) -> str:
        what = f" ({self.key})" if self.key else ""
        return f"#{self.issue} edit comment {self.comment_id}{what}:\n{_indent(self.body)}"


@dataclass(frozen=True)
class AddLabels(Write):
    labels: tuple[str, ...]

    def describe(self) -> str:
        return "\n".join(f"#{self.issue} +label {label}" for label in self.labels)


@dataclass(frozen=True)
class RemoveLabels(Write):
    labels: tuple[str, ...]

    def describe(self) -> str:
        return "\n".join(f"#{self.issue} -label {label}" for label in self.labels)


@dataclass(frozen=True)
class EnsureLabel(Write):
    """Create a repository label if it does not exist yet (issue is 0: repo-level)."""

    name: str
    color: str = "ededed"
    description: str = ""

    def describe(self) -> str:
        return f"repo create label {self.name!r} (#{self.color})"


@dataclass(frozen=True)
class Assign(Write):
    logins: tuple[str, ...]

    def describe(self) -> str:
        return f"#{self.issue} assign " + ", ".join("@" + x for x in self.logins)


@dataclass(frozen=True)
class Unassign(Write):
    logins: tuple[str, ...]

    def describe(self) -> str:
        return f"#{self.issue} unassign " + ", ".join("@" + x for x in self.logins)


@dataclass(frozen=True)
class CloseIssue(Write):
    reason: str = "completed"  # or "not_planned"

    def describe(self) -> str:
        return f"#{self.issue} close ({self.reason})"


@dataclass(frozen=True)
class ReopenIssue(Write):
    def describe(self) -> str:
        return f"#{self.issue} reopen"


@dataclass(frozen=True)
class CreateIssue(Write):
    """A new issue (issue is 0 until it exists); ``key`` is its hidden marker kind."""

    title: str
    body: str
    labels: tuple[str, ...] = ()
    key: str = ""

    def describe(self) -> str:
        return f"new issue {self.title!r} ({self.key}):\n{_indent(self.body)}"


@dataclass(frozen=True)
class EditIssue(Write):
    body: str | None = None
    title: str | None = None

    def describe(self) -> str:
        parts = [f"#{self.issue} edit issue"]
        if self.title is not None:
            parts.append(f" title {self.title!r}")
        head = "".join(parts) + ":"
        return head + ("\n" + _indent(self.body) if self.body is not None else "")


@dataclass(frozen=True)
class OpenPullRequest(Write):
    """A branch from the default branch with one file changed, and a pull request of it.

    ``issue`` is the issue it is for (it says ``Closes #issue``). ``base_blob`` is the
    git blob sha of the file the change was computed from: if the file changed since,
    nothing is written (the next run recomputes). An open pull request from ``branch``
    already there means it was made: nothing is written either.
    """

    branch: str
    path: str
    content: str
    base_blob: str
    title: str
    body: str
    message: str

    def describe(self) -> str:
        return (
            f"#{self.issue} open pull request {self.title!r} from branch {self.branch} "
            f"changing {self.path}:\n{_indent(self.body)}"
        )


@dataclass(frozen=True)
class Plan:
    """What a feature decided: the writes to make, and why nothing else was done.

    ``notes`` are (issue, one-line reason) pairs for the run's summary, such as
    ``(12, "not an application")``; issue 0 means the repository as a whole.
    An empty plan with a note is the "not mine" outcome; a plan whose writes
    include a comment to a person is "tell the user"; any other writes are "act".
    """

    writes: tuple[Write, ...] = ()
    notes: tuple[tuple[int, str], ...] = ()

    def __add__(self, other: Plan) -> Plan:
        return Plan(self.writes + other.writes, self.notes + other.notes)

    @classmethod
    def ignore(cls, reason: str, issue: int = 0) -> Plan:
        return cls(notes=((issue, reason),))

    def __bool__(self) -> bool:
        return bool(self.writes)
