"""The mentor registration and nomination forms on disk: their role options against roles.yml."""

from __future__ import annotations

from pathlib import Path

import click

from mentoring.core.registration import FORM_FILE
from mentoring.errors import MentoringError, Problem
from mentoring.program import form
from mentoring.program.config import Program

# The mentors' side's forms with a role dropdown: (path from the repository's top, field id).
SIDE_FORMS = ((FORM_FILE, "roles"), (".github/ISSUE_TEMPLATE/nomination.yml", "role"))


def _side_form(top: Path, where: str, field_id: str, program: Program) -> tuple[str, str] | None:
    """(text, text with the role options from roles.yml) of one form; None if it is absent."""
    path = Path(top) / where
    if not path.exists():
        return None
    text = path.read_bytes().decode("utf-8-sig")
    return text, form.rewrite(text, form.options(program.roles), field_id, where)


def forms_drift(top: Path, program: Program) -> list[Problem]:
    """Where the registration and nomination forms' role options differ from roles.yml."""
    found: list[Problem] = []
    for where, field_id in SIDE_FORMS:
        try:
            pair = _side_form(top, where, field_id, program)
        except (MentoringError, OSError, UnicodeDecodeError) as exc:
            found.append(Problem(where, 1, "", f"cannot be read: {exc}", "start from the template"))
            continue
        if pair is not None and pair[0] != pair[1]:
            line = next(
                (n for n, x in enumerate(pair[0].splitlines(), 1) if f"id: {field_id}" in x), 1
            )
            found.append(
                Problem(
                    where,
                    line,
                    f"{field_id}.options",
                    "the role options differ from roles.yml",
                    form.SYNC_HINT,
                )
            )
    return found


def sync_forms(top: Path, program: Program, check: bool) -> int:
    """`mentoring sync-form` for these forms: rewrite only their role options (1: drift found
    with ``check``)."""
    code = 0
    for where, field_id in SIDE_FORMS:
        pair = _side_form(top, where, field_id, program)
        if pair is None or pair[0] == pair[1]:
            continue
        if check:
            click.echo(f"{where}: the role options differ from roles.yml — {form.SYNC_HINT}")
            code = 1
            continue
        form.write_atomically(Path(top) / where, pair[1])
        click.echo(f"{where}: role options updated from roles.yml ({len(program.roles)} roles).")
    return code
