"""`mentoring validate`: every problem in the program's files, as text or as GitHub annotations."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import click

from mentoring.errors import MentoringError, Problem, ProgramError


def problems(root: Path) -> list[Problem]:
    """All problems in roles.yml, settings, participants.yml, the form and the messages."""
    from mentoring.config import load_program
    from mentoring.templates import Messages

    found: list[Problem] = []
    program = None
    try:
        program = load_program(root)
    except ProgramError as exc:
        found.extend(exc.problems)
    found.extend(Messages(root).check())
    found.extend(form_problems(root, program))
    if program is not None:
        found.extend(handbook_problems(root, program))
    return [_on_a_line(root, problem) for problem in found]


def form_problems(root: Path, program: Any) -> list[Problem]:
    """The application form: missing, or disagreeing with the program (``program`` None:
    only whether it is there)."""
    from mentoring import form

    if not (Path(root) / form.FORM_FILE).is_file():
        return [
            Problem(
                form.FORM_FILE,
                None,
                "",
                "not found: without the application form, nobody can apply",
                f"copy {form.FORM_FILE} from the example program of this tool "
                "(mentoring/demo_program), then run `mentoring sync-form` to list your roles",
            )
        ]
    return form.drift(root, program) if program is not None else []


def handbook_problems(root: Path, program: Any) -> list[Problem]:
    """Each handbook given as a path must be a file or folder in the repository."""
    from mentoring.config import SETTINGS_FILE
    from mentoring.yamlsafe import load_yaml_file

    try:
        loaded = load_yaml_file(Path(root) / SETTINGS_FILE, SETTINGS_FILE)
    except (OSError, MentoringError):
        loaded = None
    found = []
    for kind in ("mentor", "mentee"):
        link = getattr(program.settings.handbooks, kind)
        if link.startswith("https://"):
            continue
        relative = re.split(r"[#?]", link, maxsplit=1)[0]
        while relative.startswith("./"):
            relative = relative[2:]
        if (Path(root) / (relative or ".")).exists():
            continue
        given = loaded is not None and "handbooks" in (loaded.data or {})
        where = "" if given else " (the default)"
        found.append(
            Problem(
                SETTINGS_FILE,
                loaded.line(("handbooks", kind)) if loaded is not None else 1,
                f"handbooks.{kind}",
                f"{link!r}{where} is not a file in the repository",
                f"add the {kind}s' handbook at {relative}, or set handbooks.{kind} to its path "
                "or to an https:// link",
            )
        )
    return found


def _on_a_line(root: Path, problem: Problem) -> Problem:
    """A problem with a whole file that exists is shown on its line 1, so Actions annotates it."""
    if problem.line is None and problem.file and (Path(root) / problem.file).is_file():
        return dataclasses.replace(problem, line=1)
    return problem


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
