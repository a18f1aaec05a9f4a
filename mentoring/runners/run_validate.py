"""`mentoring validate`: every problem in the program's files, as text or as GitHub annotations."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Any

import click

from mentoring.errors import MentoringError, Problem, ProgramError


def problems(root: Path, bot_login: str | None = None) -> list[Problem]:
    """All problems in roles.yml, settings, participants.yml, the form and the messages.

    The form's problems include its field mapping (settings' ``form.fields``), checked
    against the form itself when the program loads.
    """
    from mentoring.program.config import load_program
    from mentoring.program.templates import Messages

    found: list[Problem] = []
    program = None
    try:
        program = load_program(root, bot_login=bot_login)
    except ProgramError as exc:
        found.extend(exc.problems)
    found.extend(Messages(root).check())
    if program is not None:
        found.extend(form_problems(root, program))
        found.extend(cohort_form(root, program)[0])
        found.extend(handbook_problems(root, program))
        from mentoring.program.mentor_forms import forms_drift  # the mentors' side's forms

        top = program.layout.top if program.layout.top is not None else Path(root)
        found.extend(forms_drift(top, program))
    return [_on_a_line(root, problem) for problem in found]


def cohort_form(root: Path, program: Any, today: Any = None) -> tuple[list, list]:
    """The form's cohort dropdown against cohorts.yml: problems (a cohort open or upcoming
    it does not offer, an option naming none: cohorts.yml changed, run sync-form) and
    warnings (a round closed since: harmless, sync-form tidies it). A date passing never
    makes a problem, so nothing needs doing when a window opens or closes."""
    import datetime

    from mentoring.program import form

    top = program.layout.top if program.layout.top is not None else Path(root)
    found = form.cohort_form_drift(top, program, today or datetime.date.today())
    if found is None:
        return [], []
    where = program.form.file
    hint = "run `mentoring sync-form` (cohorts.yml changed)"
    problems = [
        Problem(where, None, "cohort", f"does not offer {x!r}, which cohorts.yml lists", hint)
        for x in found.missing
    ] + [
        Problem(where, None, "cohort", f"offers {x!r}, which is not a cohort of cohorts.yml", hint)
        for x in found.unknown
    ]
    warnings = [
        Problem(
            where,
            None,
            "cohort",
            f"still offers {x!r}, whose window has closed (answered kindly)",
            "run `mentoring sync-form` to tidy it away",
        )
        for x in found.closed
    ]
    return problems, warnings


def form_problems(root: Path, program: Any) -> list[Problem]:
    """The application form: missing (it is optional to the program's loading, not to
    anyone applying), or disagreeing with the program."""
    from mentoring.program import form

    top = program.layout.top if program.layout.top is not None else Path(root)
    where = program.form.file
    if not (Path(top) / where).is_file():
        return [
            Problem(
                where,
                None,
                "",
                "not found: without the application form, nobody can apply",
                f"copy {form.FORM_FILE} from the example program of this tool "
                "(mentoring/demo_program), then run `mentoring sync-form` to list your roles",
            )
        ]
    return form.drift(root, program)


def handbook_problems(root: Path, program: Any) -> list[Problem]:
    """Each handbook given as a path must be a file or folder in the repository."""
    from mentoring.program.config import SETTINGS_FILE
    from mentoring.program.yamlsafe import load_yaml_file

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
    """A problem with a whole file that exists is shown on its line 1, so Actions annotates it.

    The file is named from the program's folder, or (the form) from the repository's top.
    """
    from mentoring.program.config import find_layout

    if problem.line is not None or not problem.file:
        return problem
    top = find_layout(root).top or Path(root)
    if (Path(root) / problem.file).is_file() or (top / problem.file).is_file():
        return dataclasses.replace(problem, line=1)
    return problem


def shown(problems: list[Problem], root: Path, *, github: bool = False) -> list[Problem]:
    """Each problem's file named from where the user runs (from the repository's top for
    GitHub annotations): a program inside a repository says community/mentoring/roles.yml.

    The application form's problems are named from the top already; the others from root.
    """
    from mentoring.program.config import find_layout
    from mentoring.program.form import FORM_DIR

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


def annotation(problem: Problem, kind: str = "error") -> str:
    """One ``::error`` (or ``::warning``) workflow command; GitHub wants %, CR and LF escaped
    in the message."""
    text = str(problem.message if not problem.key else f"{problem.key}: {problem.message}")
    if problem.hint:
        text += f" — {problem.hint}"
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    where = f"file={problem.file}"
    if problem.line:
        where += f",line={problem.line}"
    return f"::{kind} {where}::{text}"


REMOVED_CHECK = "mentors no longer in roles.yml while mentoring"


def removed_mentor_warnings(
    root: Path, bot_login: str | None, repo: str | None, env: Any = None
) -> tuple[list[Problem], str | None]:
    """Warnings for mentors of open applications that roles.yml no longer lists, from one
    batched listing of the open applications (100 a page); or why it was not checked.

    Needs a token and a repository (``GITHUB_TOKEN``, and ``--repo`` or
    ``GITHUB_REPOSITORY``); offline it is skipped, in one line. Never an error.
    """
    from mentoring.core import mentors
    from mentoring.program.config import ROLES_FILE, load_program

    env = os.environ if env is None else env
    try:
        program = load_program(root, bot_login=bot_login)
    except MentoringError:
        return [], None  # the problems say why; nothing to compare with
    repo = repo or env.get("GITHUB_REPOSITORY")
    if not env.get("GITHUB_TOKEN") or not repo:
        missing = " and ".join(
            name
            for name, value in (("GITHUB_TOKEN", env.get("GITHUB_TOKEN")), ("a repository", repo))
            if not value
        )
        return [], (
            f"{REMOVED_CHECK}: not checked (no {missing}: it reads the open applications; "
            "pass --repo OWNER/NAME and set GITHUB_TOKEN to check)"
        )
    from mentoring.gateway import Gateway, Target

    try:
        gateway = Gateway(Target.from_env(repo, env), bot_login=program.settings.bot_login)
        listed = gateway.issues(state="open", labels=[program.settings.labels.application])
    except MentoringError as exc:
        return [], f"{REMOVED_CHECK}: not checked ({exc})"
    text = (Path(root) / ROLES_FILE).read_text(encoding="utf-8-sig")
    return mentors.removed_mentors(listed, program, text, ROLES_FILE), None


def warnings(root: Path, bot_login: str | None = None) -> list[Problem]:
    """What is worth tidying but breaks nothing (a closed round still in the form)."""
    from mentoring.program.config import load_program

    try:
        program = load_program(root, bot_login=bot_login)
    except ProgramError:
        return []
    return [_on_a_line(root, w) for w in cohort_form(root, program)[1]]


def run(root: Path, fmt: str, bot_login: str | None = None, repo: str | None = None) -> int:
    for warning in shown(warnings(root, bot_login), root, github=fmt == "github"):
        text = annotation(warning, "warning")
        click.echo(text if fmt == "github" else f"warning: {warning}")
    found = shown(problems(root, bot_login), root, github=fmt == "github")
    for problem in found:
        click.echo(annotation(problem) if fmt == "github" else str(problem))
    removed, skipped = removed_mentor_warnings(root, bot_login, repo)
    for problem in shown(removed, root, github=fmt == "github"):
        click.echo(annotation(problem, "warning") if fmt == "github" else f"warning: {problem}")
    if skipped:
        click.echo(skipped)
    if found:
        click.echo(f"{len(found)} problem{'s' if len(found) != 1 else ''} found.", err=True)
        return 1
    click.echo(f"{root}: the program's files are valid.")
    return 0
