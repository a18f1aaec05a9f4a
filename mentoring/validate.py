"""`mentoring validate`: every problem in the program's files, as text or as GitHub annotations."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import click

from mentoring.errors import Problem, ProgramError


def problems(root: Path, bot_login: str | None = None) -> list[Problem]:
    """All problems in roles.yml, settings, participants.yml, the form and the messages.

    The form's problems include its field mapping (settings' ``form.fields``), checked
    against the form itself when the program loads.
    """
    from mentoring import form
    from mentoring.config import load_program
    from mentoring.templates import Messages

    found: list[Problem] = []
    program = None
    try:
        program = load_program(root, bot_login=bot_login)
    except ProgramError as exc:
        found.extend(exc.problems)
    found.extend(Messages(root).check())
    if program is not None:
        found.extend(form.drift(root, program))
    return found


def shown(problems: list[Problem], root: Path, *, github: bool = False) -> list[Problem]:
    """Each problem's file named from where the user runs (from the repository's top for
    GitHub annotations): a program inside a repository says community/mentoring/roles.yml.

    The application form's problems are named from the top already; the others from root.
    """
    from mentoring.config import find_layout
    from mentoring.form import FORM_DIR

    layout = find_layout(root)
    here = Path.cwd().resolve()
    out = []
    for problem in problems:
        if (
            not problem.file
            or problem.file.startswith("-")
            or problem.file.startswith("mentoring/")
        ):
            out.append(problem)  # a command-line option, or a built-in message
            continue
        in_top = problem.file.startswith(FORM_DIR + "/")
        full = layout.top / (problem.file if in_top else layout.path(problem.file))
        name = problem.file if in_top else layout.path(problem.file)
        if not github and full.is_relative_to(here) and here != layout.top:
            name = Path(os.path.relpath(full, here)).as_posix()
        out.append(dataclasses.replace(problem, file=name))
    return out


def annotation(problem: Problem) -> str:
    """One ``::error`` workflow command; GitHub wants %, CR and LF escaped in the message."""
    text = str(problem.message if not problem.key else f"{problem.key}: {problem.message}")
    if problem.hint:
        text += f" — {problem.hint}"
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    where = f"file={problem.file}"
    if problem.line:
        where += f",line={problem.line}"
    return f"::error {where}::{text}"


def run(root: Path, fmt: str, bot_login: str | None = None) -> int:
    found = shown(problems(root, bot_login), root, github=fmt == "github")
    for problem in found:
        click.echo(annotation(problem) if fmt == "github" else str(problem))
    if found:
        click.echo(f"{len(found)} problem{'s' if len(found) != 1 else ''} found.", err=True)
        return 1
    click.echo(f"{root}: the program's files are valid.")
    return 0
