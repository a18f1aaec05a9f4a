"""`mentoring validate`: every problem in the program's files, as text or as GitHub annotations."""

from __future__ import annotations

from pathlib import Path

import click

from mentoring.errors import Problem, ProgramError


def problems(root: Path) -> list[Problem]:
    """All problems in roles.yml, settings, participants.yml, the form and the messages."""
    from mentoring import form
    from mentoring.config import load_program
    from mentoring.templates import Messages

    found: list[Problem] = []
    program = None
    try:
        program = load_program(root)
    except ProgramError as exc:
        found.extend(exc.problems)
    found.extend(Messages(root).check())
    if program is not None:
        found.extend(form.drift(root, program))
    return found


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


def run(root: Path, fmt: str) -> int:
    found = problems(root)
    for problem in found:
        click.echo(annotation(problem) if fmt == "github" else str(problem))
    if found:
        click.echo(f"{len(found)} problem{'s' if len(found) != 1 else ''} found.", err=True)
        return 1
    click.echo(f"{root}: the program's files are valid.")
    return 0
