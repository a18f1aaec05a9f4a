"""The application form: its fields, reading the answers out of an issue body, and its role options.

GitHub turns a submitted issue form into Markdown: each field's label as a
``### Heading``, a blank line, then the answer (``_No response_`` when empty,
``- [X] …`` for a ticked box). Applicants can edit that body afterwards, so the
reader here is forgiving: CRLF line ends, ``[x]`` or ``[X]``, and a ``###``
line inside an answer all work. Only this module knows the form's field labels.

The role dropdown lists the roles of ``roles.yml`` as ``Name (id)``.
``drift`` reports where the form and the program disagree (``mentoring
validate``); ``sync`` rewrites the dropdown's options and nothing else
(``mentoring sync-form``).
"""

from __future__ import annotations

import datetime
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import yaml

from mentoring import textsafe
from mentoring.errors import MentoringError, Problem, YamlError
from mentoring.yamlsafe import Loaded, load_yaml, load_yaml_file

FORM_FILE = ".github/ISSUE_TEMPLATE/application.yml"
NO_RESPONSE = "_No response_"
ROLE_FIELD = "role"
COC_FIELD = "coc"
SYNC_HINT = "run `mentoring sync-form` to regenerate the options from roles.yml"


@dataclass(frozen=True)
class Field:
    """One question of the form: its id in application.yml and the heading it becomes."""

    id: str
    label: str
    required: bool


FIELDS = (
    Field("name", "Your name", True),
    Field("chat", "Chat handle", False),
    Field(ROLE_FIELD, "Role you aim for", True),
    Field("why", "Why this role", True),
    Field("contributions", "Your contributions so far", True),
    Field("anything", "Anything else", False),
    Field(COC_FIELD, "Code of conduct", True),
)
FIELDS_BY_ID = {f.id: f for f in FIELDS}

# The headings that make an issue body look like this form, even without the label.
STRUCTURE = frozenset({"name", ROLE_FIELD, COC_FIELD})

_TICKED = re.compile(r"^\s*[-*+]\s+\[[xX]\]")
_ROLE_ID = re.compile(r"\(\s*(?P<id>[A-Za-z0-9][A-Za-z0-9-]*)\s*\)\s*$")


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


_BY_LABEL = {_norm(f.label): f.id for f in FIELDS}


def _heading(line: str) -> str | None:
    """The text of a ``### Heading`` line (closing #s dropped), or None; linear in the line."""
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3 or not stripped.startswith("###"):
        return None
    rest = stripped[3:]
    if not rest or rest[0] not in " \t":
        return None
    text = rest.strip(" \t")
    unclosed = text.rstrip("#")
    if unclosed != text and (not unclosed or unclosed[-1] in " \t"):
        text = unclosed.rstrip(" \t")
    return text


@dataclass(frozen=True)
class Answers:
    """The answers found in an issue body, by field id; '' where empty or missing."""

    values: Mapping[str, str] = field(default_factory=dict)
    found: frozenset[str] = frozenset()
    coc: bool = False

    def get(self, field_id: str) -> str:
        return self.values.get(field_id, "")

    @property
    def looks_like_form(self) -> bool:
        """Whether the body has the form's structure (its key headings)."""
        return self.found >= STRUCTURE


def parse(body: str | None) -> Answers:
    """Read the form's answers out of an issue body.

    A line is a section heading only if its text is one of the form's labels.
    Headings are matched from the last field back to the first, each taking the
    last matching line before the next field's heading, so a ``### Your name``
    typed inside a later answer does not steal the section.
    """
    lines = (body or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    candidates: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        text = _heading(line)
        if text is not None and (field_id := _BY_LABEL.get(_norm(text))):
            candidates.setdefault(field_id, []).append(index)
    starts: dict[str, int] = {}
    bound = len(lines)
    for f in reversed(FIELDS):
        before = [i for i in candidates.get(f.id, ()) if i < bound]
        if before:
            starts[f.id] = bound = before[-1]
    ordered = sorted(starts.items(), key=lambda item: item[1])
    values: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    for n, (field_id, start) in enumerate(ordered):
        end = ordered[n + 1][1] if n + 1 < len(ordered) else len(lines)
        sections[field_id] = lines[start + 1 : end]
        text = "\n".join(sections[field_id]).strip()
        values[field_id] = "" if text == NO_RESPONSE else text
    coc = any(_TICKED.match(line) for line in sections.get(COC_FIELD, ()))
    return Answers(values, frozenset(starts), coc)


def option(role: Any) -> str:
    """The dropdown option for a role: ``Maintainer (maintainer)``."""
    return f"{role.name} ({role.id})"


def options(roles: Iterable[Any]) -> list[str]:
    return [option(role) for role in roles]


def role_of(answer: str, program: Any) -> Any:
    """The role an answer names: ``Name (id)``, the id alone, or the name alone; else None."""
    text = " ".join((answer or "").split())
    if not text:
        return None
    match = _ROLE_ID.search(text)
    if match and (role := program.role(match.group("id"))):
        return role
    if role := program.role(text):
        return role
    return next((r for r in program.roles if _norm(r.name) == _norm(text)), None)


def missing(answers: Answers) -> list[Field]:
    """The required fields left empty (a name of only invisible characters counts as empty)."""
    empty = []
    for f in FIELDS:
        if not f.required or f.id == COC_FIELD:
            continue
        if not textsafe.quote(answers.get(f.id)).strip():
            empty.append(f)
    return empty


# --------------------------------------------------------------------------- drift


def _find_field(body: Any, field_id: str) -> tuple[int, dict] | None:
    if not isinstance(body, list):
        return None
    for index, item in enumerate(body):
        if isinstance(item, dict) and item.get("id") == field_id:
            return index, item
    return None


def drift(root: Path, program: Any) -> list[Problem]:
    """Where the application form disagrees with the program; [] if there is no form."""
    path = Path(root) / FORM_FILE
    if not path.exists():
        return []
    try:
        loaded = load_yaml_file(path, FORM_FILE)
    except YamlError as error:
        return [error.problem]
    except OSError as error:
        return [Problem(FORM_FILE, None, "", f"could not be read: {error.strerror}")]
    return _drift(loaded, program)


def _problem(loaded: Loaded, path: tuple, key: str, message: str, hint: str) -> Problem:
    return Problem(FORM_FILE, loaded.line(path), key, message, hint)


def _drift(loaded: Loaded, program: Any) -> list[Problem]:
    data = loaded.data
    if not isinstance(data, dict):
        return [Problem(FORM_FILE, 1, "", "is not an issue form", "start from the template")]
    found: list[Problem] = []
    label = program.settings.labels.application
    labels = data.get("labels")
    labels = [labels] if isinstance(labels, str) else labels
    if not isinstance(labels, list) or not any(
        isinstance(x, str) and x.casefold() == label.casefold() for x in labels
    ):
        found.append(
            _problem(
                loaded,
                ("labels",),
                "labels",
                f"does not add the label {label!r}",
                f"add {label!r} to labels, as in labels.application of .github/mentoring.yml",
            )
        )
    body = data.get("body")
    for f in FIELDS:
        located = _find_field(body, f.id)
        if located is None:
            if f.required:
                found.append(
                    _problem(
                        loaded,
                        ("body",),
                        "body",
                        f"has no field with id {f.id!r}",
                        f"put back the field {f.label!r}: the bot checks it is answered",
                    )
                )
            continue
        index, item = located
        attributes = item.get("attributes") if isinstance(item.get("attributes"), dict) else {}
        actual = attributes.get("label")
        if not isinstance(actual, str) or _norm(actual) != _norm(f.label):
            found.append(
                _problem(
                    loaded,
                    ("body", index, "attributes", "label"),
                    f"body[{index}].attributes.label",
                    f"is {actual!r}, but the bot reads this answer under the heading {f.label!r}",
                    f"set the label back to {f.label!r}",
                )
            )
    located = _find_field(body, ROLE_FIELD)
    if located is not None:
        index, item = located
        attributes = item.get("attributes") if isinstance(item.get("attributes"), dict) else {}
        current = attributes.get("options")
        expected = options(program.roles)
        where = ("body", index, "attributes", "options")
        key = f"body[{index}].attributes.options"
        if item.get("type") != "dropdown":
            found.append(
                _problem(
                    loaded,
                    ("body", index, "type"),
                    f"body[{index}].type",
                    "the role field is not a dropdown",
                    "make it `type: dropdown` so applicants pick one of the roles",
                )
            )
        elif not isinstance(current, list) or current != expected:
            found.append(_problem(loaded, where, key, _difference(current, expected), SYNC_HINT))
    return found


def _difference(current: Any, expected: list[str]) -> str:
    if not isinstance(current, list):
        return "the role dropdown has no list of options"
    have = [str(x) for x in current]
    gone = [x for x in expected if x not in have]
    extra = [x for x in have if x not in expected]
    parts = []
    if gone:
        parts.append("missing " + ", ".join(repr(x) for x in gone))
    if extra:
        parts.append("not in roles.yml: " + ", ".join(repr(x) for x in extra))
    if not parts:
        parts.append("in another order than roles.yml")
    return "the role options differ from roles.yml: " + "; ".join(parts)


# --------------------------------------------------------------------------- sync


def _scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when that reads back the same, else double-quoted."""
    plain = re.fullmatch(r"[A-Za-z0-9][^#:\"'\[\]{},&*!|>%@`\n\r\t]*", text)
    if plain and text == text.strip():
        try:
            if yaml.safe_load(text) == text:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


def _options_node(root: yaml.Node | None, wanted_id: str = ROLE_FIELD) -> yaml.Node:
    def value(mapping: yaml.Node, key: str) -> yaml.Node | None:
        if not isinstance(mapping, yaml.MappingNode):
            return None
        return next((v for k, v in mapping.value if getattr(k, "value", None) == key), None)

    body = value(root, "body") if root is not None else None
    if isinstance(body, yaml.SequenceNode):
        for item in body.value:
            field_id = value(item, "id")
            if isinstance(field_id, yaml.ScalarNode) and field_id.value == wanted_id:
                found = value(value(item, "attributes"), "options")
                if isinstance(found, yaml.SequenceNode):
                    return found
                break
    raise MentoringError(
        f"{FORM_FILE}: no dropdown with `id: {wanted_id}` and a list of options — "
        "add the role field back from the template, then run `mentoring sync-form` again"
    )


def rewrite(text: str, wanted: list[str], field_id: str = ROLE_FIELD) -> str:
    """``text`` with the dropdown's options replaced by ``wanted``; nothing else changes."""
    load_yaml(text, FORM_FILE)  # refuses unsafe or broken YAML with a clear YamlError
    node = _options_node(yaml.compose(text, Loader=yaml.SafeLoader), field_id)
    newline = "\r\n" if "\r\n" in text else "\n"
    items = [_scalar(x) for x in wanted]
    start = node.start_mark.index
    if node.flow_style or not node.value:
        end = node.end_mark.index
        replacement = "[" + ", ".join(items) + "]"
    else:
        end = node.value[-1].end_mark.index
        while end > start and text[end - 1] in "\r\n":
            end -= 1
        indent = " " * node.start_mark.column
        replacement = (newline + indent).join("- " + item for item in items)
    return text[:start] + replacement + text[end:]


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` beside ``path``, then rename it over: the old file is never truncated."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def sync(app: Any, check: bool, today: Any = None) -> int:
    """`mentoring sync-form`: bring the role options in line with roles.yml (or, with
    ``check``, only say whether they are); exit 1 when ``check`` finds drift."""
    program = app.program
    path = Path(app.root) / FORM_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MentoringError(
            f"{FORM_FILE} not found in {Path(app.root).resolve()} — copy it from the template"
        ) from None
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MentoringError(f"{FORM_FILE} is not UTF-8 text — save it as UTF-8") from None
    wanted = options(program.roles)
    new = rewrite(text, wanted)
    if program.cohorts:  # the cohort dropdown, if the form has one: the cohorts open today
        from mentoring import cohorts

        day = today or datetime.date.today()  # `mentoring sync-form` on the day it runs
        new = cohorts.sync_form_text(new, program.cohorts, day)
        if new != text and rewrite(text, wanted) == text:
            click.echo(f"{FORM_FILE}: the cohort options differ from the cohorts open today.")
            if check:
                return 1
    if new == text:
        click.echo(f"{FORM_FILE}: the role options match roles.yml.")
        return 0
    if check:
        current = yaml.safe_load(text)
        located = _find_field(current.get("body"), ROLE_FIELD)
        have = located[1].get("attributes", {}).get("options") if located else None
        click.echo(f"{FORM_FILE}: {_difference(have, wanted)} — {SYNC_HINT}")
        return 1
    check_again = yaml.safe_load(new)
    located = _find_field(check_again.get("body"), ROLE_FIELD)
    if located is None or located[1]["attributes"]["options"] != wanted:  # pragma: no cover
        raise MentoringError(f"{FORM_FILE}: could not rewrite the options safely; nothing changed")
    write_atomically(path, ("\ufeff" if bom else "") + new)
    click.echo(f"{FORM_FILE}: role options updated from roles.yml ({len(wanted)} roles).")
    return 0
