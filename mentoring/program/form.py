"""The application form: its fields, reading the answers out of an issue body, and its role options.

GitHub turns a submitted issue form into Markdown: each field's label as a
``### Heading``, a blank line, then the answer (``_No response_`` when empty,
``- [X] …`` for a ticked box). Applicants can edit that body afterwards, so the
reader here is forgiving: CRLF line ends, ``[x]`` or ``[X]``, and a ``###``
line inside an answer all work.

The questions and their labels come from the program's own form file
(``load_form``, once, with the program), described by a frozen ``Form``; the
settings' ``form.fields`` say which ids carry the name, the role, the chat
handle and the code-of-conduct box. ``parse`` stays pure: it takes that ``Form``.

A role dropdown lists the roles of ``roles.yml`` as ``Name (id)``; a role asked
as free text is matched against the roles' ids and names (``match_role``), and
only an unambiguous match counts. ``drift`` reports where the form and the
program disagree (``mentoring validate``); ``sync`` rewrites the dropdown's
options and nothing else (``mentoring sync-form``).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
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

from mentoring.core import textsafe
from mentoring.errors import MentoringError, Problem, YamlError
from mentoring.program.yamlsafe import Loaded, load_yaml, load_yaml_file

FORM_DIR = ".github/ISSUE_TEMPLATE"
FORM_FILE = f"{FORM_DIR}/application.yml"
NO_RESPONSE = "_No response_"
ROLE_FIELD = "role"
COC_FIELD = "coc"
SYNC_HINT = "run `mentoring sync-form` to regenerate the options from roles.yml"


@dataclass(frozen=True)
class Field:
    """One question of the form: its id, the heading it becomes, and its type."""

    id: str
    label: str
    required: bool
    type: str = "input"


FIELDS = (
    Field("name", "Your name", True),
    Field("chat", "Chat handle", False),
    Field(ROLE_FIELD, "Role you aim for", True, "dropdown"),
    Field("why", "Why this role", True, "textarea"),
    Field("contributions", "Your contributions so far", True, "textarea"),
    Field("anything", "Anything else", False, "textarea"),
    Field(COC_FIELD, "Code of conduct", True, "checkboxes"),
)
FIELDS_BY_ID = {f.id: f for f in FIELDS}

# The headings that make an issue body look like this form, even without the label.
STRUCTURE = frozenset({"name", ROLE_FIELD, COC_FIELD})

# The types each mapped field may have (settings' form.fields → the form's `type`).
TYPES = {
    "name": ("input", "textarea"),
    "role": ("dropdown", "input", "textarea"),
    "chat": ("input", "textarea"),
    "code_of_conduct": ("checkboxes",),
}
QUESTION_TYPES = ("input", "textarea", "dropdown", "checkboxes")


@dataclass(frozen=True)
class FormFields:
    """Which field ids carry the name, the role, the chat handle and the code-of-conduct box."""

    name: str
    role: str | None = None
    chat: str | None = None
    code_of_conduct: str | None = None


@dataclass(frozen=True)
class Form:
    """The application form as the bot reads it: its questions in order, and what they carry.

    ``file`` is its path from the repository's top.
    """

    file: str
    fields: FormFields
    questions: tuple[Field, ...]

    def question(self, field_id: str | None) -> Field | None:
        return next((q for q in self.questions if field_id and q.id == field_id), None)

    @property
    def role_is_free_text(self) -> bool:
        """The role is typed (an input or textarea), or not asked at all: no dropdown."""
        question = self.question(self.fields.role)
        return question is None or question.type != "dropdown"

    @property
    def structure(self) -> frozenset[str]:
        """The headings that make a body look like this form: the mapped fields, and the
        required ones when fewer than two are mapped."""
        mapped = {f for f in (self.fields.name, self.fields.role, self.fields.code_of_conduct) if f}
        mapped &= {q.id for q in self.questions}
        if len(mapped) < 2:
            mapped |= {q.id for q in self.questions if q.required}
        return frozenset(mapped)


DEFAULT_FORM = Form(FORM_FILE, FormFields("name", ROLE_FIELD, "chat", COC_FIELD), FIELDS)

_TICKED = re.compile(r"^\s*[-*+]\s+\[[xX]\]")
_ROLE_ID = re.compile(r"\(\s*(?P<id>[A-Za-z0-9][A-Za-z0-9-]*)\s*\)\s*$")


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


@functools.lru_cache(maxsize=8)
def _by_label(spec: Form) -> dict[str, str]:
    return {_norm(f.label): f.id for f in spec.questions}


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
    spec: Form = DEFAULT_FORM

    def get(self, field_id: str | None) -> str:
        return self.values.get(field_id, "") if field_id else ""

    @property
    def name(self) -> str:
        return self.get(self.spec.fields.name)

    @property
    def role(self) -> str:
        return self.get(self.spec.fields.role)

    @property
    def looks_like_form(self) -> bool:
        """Whether the body has the form's structure (its key headings)."""
        return self.found >= self.spec.structure


def parse(body: str | None, spec: Form = DEFAULT_FORM) -> Answers:
    """Read the answers to the form ``spec`` out of an issue body (see `_parse`); a body is
    parsed once per run (the nightly reads every open application's body each pass)."""
    if body is not None and len(body) > CACHED_BODY:
        return _parse(body, spec)
    return _parsed(body, spec)


CACHED_BODY = 16_384  # longer bodies (rare: GitHub allows 65,536) are parsed every time


@functools.lru_cache(maxsize=1024)
def _parsed(body: str | None, spec: Form) -> Answers:
    return _parse(body, spec)


def _parse(body: str | None, spec: Form = DEFAULT_FORM) -> Answers:
    """Read the answers to the form ``spec`` out of an issue body.

    A line is a section heading only if its text is one of the form's labels.
    Headings are matched from the last field back to the first, each taking the
    last matching line before the next field's heading, so a ``### Your name``
    typed inside a later answer does not steal the section. A form without a
    code-of-conduct box has nothing to tick: ``coc`` is then True.
    """
    lines = (body or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    by_label = _by_label(spec)
    candidates: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        text = _heading(line)
        if text is not None and (field_id := by_label.get(_norm(text))):
            candidates.setdefault(field_id, []).append(index)
    starts: dict[str, int] = {}
    bound = len(lines)
    for f in reversed(spec.questions):
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
    box = spec.fields.code_of_conduct
    coc = box is None or any(_TICKED.match(line) for line in sections.get(box, ()))
    return Answers(values, frozenset(starts), coc, spec)


def option(role: Any) -> str:
    """The dropdown option for a role: ``Maintainer (maintainer)``."""
    return f"{role.name} ({role.id})"


def options(roles: Iterable[Any]) -> list[str]:
    return [option(role) for role in roles]


def role_of(answer: str, program: Any) -> Any:
    """The role an answer names: ``Name (id)``, the id alone, or the name alone; else None.

    When the form asks for the role as free text, an answer that is none of those
    is matched by ``match_role``.
    """
    text = " ".join((answer or "").split())
    if not text:
        return None
    match = _ROLE_ID.search(text)
    if match and (role := program.role(match.group("id"))):
        return role
    if role := program.role(text):
        return role
    exact = next((r for r in program.roles if _norm(r.name) == _norm(text)), None)
    if exact is not None or not getattr(program, "form", DEFAULT_FORM).role_is_free_text:
        return exact
    return match_role(text, program.roles)


def _words(text: str) -> str:
    """Lowercase words (letters, digits, hyphens) separated by single spaces, padded by one."""
    return " " + " ".join(re.findall(r"[0-9a-z]+(?:-[0-9a-z]+)*", text.casefold())) + " "


def match_role(text: str, roles: Iterable[Any]) -> Any:
    """The one role whose id or name appears in ``text`` as whole words; None when no role
    does, or when several do (then a coordinator decides: never a silent guess)."""
    said = _words(text)
    found = [
        role
        for role in roles
        if _words(role.id) in said or (_words(role.name).strip() and _words(role.name) in said)
    ]
    return found[0] if len(found) == 1 else None


def missing(answers: Answers) -> list[Field]:
    """The required fields left empty (a name of only invisible characters counts as empty).

    Checkboxes are never "empty": the code-of-conduct box is checked on its own.
    """
    empty = []
    for f in answers.spec.questions:
        if not f.required or f.type == "checkboxes":
            continue
        if not textsafe.quote(answers.get(f.id)).strip():
            empty.append(f)
    return empty


# --------------------------------------------------------------------------- the form file


def form_path(file: str) -> str:
    """The form's path from the repository's top: ``.github/ISSUE_TEMPLATE/FILE``."""
    return f"{FORM_DIR}/{file}"


def _find_field(body: Any, field_id: str | None) -> tuple[int, dict] | None:
    if not isinstance(body, list) or not field_id:
        return None
    for index, item in enumerate(body):
        if isinstance(item, dict) and item.get("id") == field_id:
            return index, item
    return None


def _attributes(item: dict) -> dict:
    attributes = item.get("attributes")
    return attributes if isinstance(attributes, dict) else {}


def _required(item: dict) -> bool:
    if item.get("type") == "checkboxes":
        choices = _attributes(item).get("options")
        return isinstance(choices, list) and any(
            isinstance(c, dict) and c.get("required") is True for c in choices
        )
    validations = item.get("validations")
    return isinstance(validations, dict) and validations.get("required") is True


def load_form(
    top: Path | None, file: str, fields: FormFields, explicit: bool = True
) -> tuple[Form, list[Problem]]:
    """The application form ``file`` in ``top``/.github/ISSUE_TEMPLATE/, described with
    ``fields``, and every problem with that mapping.

    With no repository top, or no form file while the settings name none
    (``explicit`` False), it is today's form: a program without a form file still runs.
    """
    where = form_path(file)
    if top is None:
        return DEFAULT_FORM, []
    try:
        loaded = load_yaml_file(Path(top) / where, where)
    except FileNotFoundError:
        if not explicit:
            return DEFAULT_FORM, []
        return DEFAULT_FORM, [
            Problem(
                where,
                None,
                "",
                f"not found in {Path(top).resolve()} (form.file in .github/mentoring.yml)",
                "put the application form there, or set form.file to its name",
            )
        ]
    except YamlError as error:
        return DEFAULT_FORM, [error.problem]
    except OSError as error:
        return DEFAULT_FORM, [Problem(where, None, "", f"could not be read: {error.strerror}")]
    return describe(loaded, where, fields)


def describe(loaded: Loaded, where: str, fields: FormFields) -> tuple[Form, list[Problem]]:
    """Read an issue form's questions (markdown blocks skipped) and check ``fields`` against
    them: each mapped id exists and has a type that can carry it."""
    data = loaded.data
    body = data.get("body") if isinstance(data, dict) else None
    if not isinstance(body, list):
        return DEFAULT_FORM, [
            Problem(
                where,
                1,
                "body",
                "is not an issue form (no list of fields under `body:`)",
                "start from the template's application form",
            )
        ]
    found: list[Problem] = []
    questions = []
    labels: dict[str, int] = {}
    for index, item in enumerate(body):
        if not isinstance(item, dict) or item.get("type") not in QUESTION_TYPES:
            continue
        label = _attributes(item).get("label")
        if not isinstance(label, str) or not label.strip():
            continue  # GitHub refuses such a form; check-jsonschema says why
        field_id = item.get("id") if isinstance(item.get("id"), str) else f"body[{index}]"
        if (first := labels.setdefault(_norm(label), index)) != index:
            found.append(
                Problem(
                    where,
                    loaded.line(("body", index, "attributes", "label")),
                    f"body[{index}].attributes.label",
                    f"{label!r} is also the label of body[{first}]",
                    "give each question its own label: the answers are read by their headings",
                )
            )
        questions.append(Field(field_id, label.strip(), _required(item), item["type"]))
    for key, field_id in dataclasses.asdict(fields).items():
        if field_id is None:
            continue
        located = _find_field(body, field_id)
        setting = f"form.fields.{key}"
        if located is None:
            ids = [q.id for q in questions if not q.id.startswith("body[")]
            found.append(
                Problem(
                    where,
                    loaded.line(("body",)),
                    "body",
                    f"has no field with id {field_id!r}, which {setting} names",
                    f"set {setting} in .github/mentoring.yml to one of: {', '.join(ids)}"
                    if ids
                    else "give the form's fields an `id`",
                )
            )
            continue
        index, item = located
        if item.get("type") not in TYPES[key]:
            kinds = " or ".join(TYPES[key])
            found.append(
                Problem(
                    where,
                    loaded.line(("body", index, "type")),
                    f"body[{index}].type",
                    f"the {key.replace('_', ' ')} field {field_id!r} is "
                    f"{item.get('type')!r}, but {setting} needs {kinds}",
                    f"make it `type: {TYPES[key][0]}`, or point {setting} at another field",
                )
            )
    return Form(where, fields, tuple(questions)), found


# --------------------------------------------------------------------------- drift


def drift(root: Path, program: Any) -> list[Problem]:
    """Where the application form disagrees with the program; [] if there is no form."""
    top = program.layout.top if program.layout.top is not None else Path(root)
    where = program.form.file
    path = Path(top) / where
    if not path.exists():
        return []
    try:
        loaded = load_yaml_file(path, where)
    except YamlError as error:
        return [error.problem]
    except OSError as error:
        return [Problem(where, None, "", f"could not be read: {error.strerror}")]
    return _drift(loaded, program)


def _problem(loaded: Loaded, path: tuple, key: str, message: str, hint: str) -> Problem:
    return Problem(loaded.filename, loaded.line(path), key, message, hint)


def _drift(loaded: Loaded, program: Any) -> list[Problem]:
    """The application label, and a role dropdown's options (sync-form's job)."""
    data = loaded.data
    if not isinstance(data, dict):
        return [Problem(loaded.filename, 1, "", "is not an issue form", "start from the template")]
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
    located = _find_field(data.get("body"), program.form.fields.role)
    if located is not None and located[1].get("type") == "dropdown":
        index, item = located
        current = _attributes(item).get("options")
        expected = options(program.roles)
        where = ("body", index, "attributes", "options")
        key = f"body[{index}].attributes.options"
        if not isinstance(current, list) or current != expected:
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


def _options_node(
    root: yaml.Node | None, role_id: str = ROLE_FIELD, where: str = FORM_FILE
) -> yaml.Node:
    def value(mapping: yaml.Node, key: str) -> yaml.Node | None:
        if not isinstance(mapping, yaml.MappingNode):
            return None
        return next((v for k, v in mapping.value if getattr(k, "value", None) == key), None)

    body = value(root, "body") if root is not None else None
    if isinstance(body, yaml.SequenceNode):
        for item in body.value:
            field_id = value(item, "id")
            if isinstance(field_id, yaml.ScalarNode) and field_id.value == role_id:
                found = value(value(item, "attributes"), "options")
                if isinstance(found, yaml.SequenceNode):
                    return found
                break
    raise MentoringError(
        f"{where}: no dropdown with `id: {role_id}` and a list of options — "
        "add the role field back from the template, then run `mentoring sync-form` again"
    )


def rewrite(text: str, wanted: list[str], role_id: str = ROLE_FIELD, where: str = FORM_FILE) -> str:
    """``text`` with the role dropdown's options replaced by ``wanted``; nothing else changes."""
    load_yaml(text, where)  # refuses unsafe or broken YAML with a clear YamlError
    node = _options_node(yaml.compose(text, Loader=yaml.SafeLoader), role_id, where)
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


def cohort_options(text: str) -> list[str] | None:
    """The options of the form's ``cohort`` dropdown (None: the form has none)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    located = _find_field(data.get("body") if isinstance(data, dict) else None, "cohort")
    if located is None or located[1].get("type") != "dropdown":
        return None
    found = _attributes(located[1]).get("options")
    return [str(x) for x in found] if isinstance(found, list) else []


def cohort_drift(text: str, cohorts: Any, day: Any) -> Any:
    """`cohorts.form_drift` for the form's text (None: no cohort dropdown)."""
    from mentoring.core import cohorts as cohorts_module

    current = cohort_options(text)
    return None if current is None else cohorts_module.form_drift(current, cohorts, day)


def cohort_form_drift(top: Path, program: Any, day: Any) -> Any:
    """The program's form file against cohorts.yml on ``day`` (None: no cohorts, no form, or
    no cohort dropdown): read by `mentoring validate` and by the nightly for its dashboard."""
    if not program.cohorts:
        return None
    try:
        text = (Path(top) / program.form.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    return cohort_drift(text, program.cohorts, day)


def sync(app: Any, check: bool, today: Any = None) -> int:
    """`mentoring sync-form`: bring the role options in line with roles.yml (or, with
    ``check``, only say whether they are); exit 1 when ``check`` finds drift.

    A form that asks for the role as free text (or not at all) has no options:
    nothing to do, and it says so.
    """
    program = app.program
    spec = program.form
    top = program.layout.top if program.layout.top is not None else Path(app.root)
    where, role_id = spec.file, spec.fields.role
    path = Path(top) / where
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MentoringError(
            f"{where} not found in {Path(top).resolve()} — copy it from the template"
        ) from None
    if spec.role_is_free_text:
        question = spec.question(role_id)
        how = f"as free text ({question.type} {role_id!r})" if question else "nowhere"
        click.echo(
            f"{where}: the form asks for the role {how}, so there are no options to sync; "
            "applications are matched to a role by its id or name, and a coordinator "
            "settles the rest with /role ID."
        )
        return 0
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MentoringError(f"{where} is not UTF-8 text — save it as UTF-8") from None
    wanted = options(program.roles)
    new = rewrite(text, wanted, role_id, where)
    if program.cohorts:  # the cohort dropdown, if the form has one: the cohorts not closed
        from mentoring.core import cohorts

        day = today or datetime.date.today()  # `mentoring sync-form` on the day it runs
        new = cohorts.sync_form_text(new, program.cohorts, day, where)
        if new != text and rewrite(text, wanted, role_id, where) == text:
            found = cohort_drift(text, program.cohorts, day)
            if found is not None and not found.errors:  # only rounds closed since
                click.echo(
                    f"{where}: the cohort options match cohorts.yml; "
                    f"{len(found.closed)} closed round(s) can be tidied away by sync-form."
                )
                if check:
                    return 0
            else:
                click.echo(f"{where}: the cohort options differ from cohorts.yml.")
                if check:
                    return 1
    if new == text:
        click.echo(f"{where}: the role options match roles.yml.")
        return 0
    if check:
        current = yaml.safe_load(text)
        located = _find_field(current.get("body"), role_id)
        have = located[1].get("attributes", {}).get("options") if located else None
        click.echo(f"{where}: {_difference(have, wanted)} — {SYNC_HINT}")
        return 1
    check_again = yaml.safe_load(new)
    located = _find_field(check_again.get("body"), role_id)
    if located is None or located[1]["attributes"]["options"] != wanted:  # pragma: no cover
        raise MentoringError(f"{where}: could not rewrite the options safely; nothing changed")
    write_atomically(path, ("\ufeff" if bom else "") + new)
    click.echo(f"{where}: role options updated from roles.yml ({len(wanted)} roles).")
    return 0
