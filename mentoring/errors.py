"""User-facing errors: one clear message that says where the problem is and how to fix it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class MentoringError(Exception):
    """A user-facing error: one clear message, exit 1, never a traceback."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one file.

    ``key`` is a breadcrumb to the value, like ``roles[2].mentors[0]`` or
    ``checkins.every_days``; ``line`` is 1-based: a problem with a whole file (empty,
    too big) is on line 1, so that Actions can annotate it; None only for a file that
    is not there.
    """

    file: str
    line: int | None
    key: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        text = ": ".join(part for part in (where, self.key, self.message) if part)
        return f"{text} — {self.hint}" if self.hint else text


class ProgramError(MentoringError):
    """The program's files have problems; all of them are listed, one per line."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


class YamlError(MentoringError):
    """A file could not be read as safe YAML; ``.problem`` says where and why."""

    def __init__(self, file: str, line: int | None, message: str, hint: str = "", *, key: str = ""):
        self.problem = Problem(file, line, key, message, hint)
        super().__init__(str(self.problem))

    def __str__(self) -> str:
        return str(self.problem)
