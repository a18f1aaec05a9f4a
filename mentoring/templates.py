"""User-facing text: Markdown message templates with YAML front matter, rendered safely.

Built-in templates live in ``mentoring/messages/``. A program can override any
of them, in its own words, with a file of the same name in
``.github/mentoring/messages/`` of its repository. Each template's front matter
says what it is for, which variables it takes, and example values that
``mentoring validate`` renders it with, so a broken override is caught before
the bot ever posts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frontmatter
import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mentoring import markers, textsafe
from mentoring.errors import MentoringError, Problem

BUILTIN_DIR = Path(__file__).parent / "messages"
OVERRIDE_DIR = Path(".github") / "mentoring" / "messages"
MAX_BODY = 65_536  # GitHub's limit for a comment or issue body


@dataclass(frozen=True)
class Template:
    name: str
    path: Path
    description: str
    variables: tuple[str, ...]
    example: dict[str, Any]
    source: str


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Markdown, not HTML; user text goes through the `quote` filter
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["quote"] = textsafe.quote
    env.filters["mention"] = lambda login: "@" + str(login)
    env.filters["mentions"] = lambda logins: ", ".join("@" + str(x) for x in logins)
    # A login shown without notifying anyone (a zero-width space after the @).
    env.filters["handle"] = lambda login: "@" + textsafe.ZWSP + str(login)
    env.filters["handles"] = lambda logins: ", ".join("@" + textsafe.ZWSP + str(x) for x in logins)
    return env


_ENV = _environment()


def _read(path: Path, display: str) -> tuple[Template | None, list[Problem]]:
    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8"))
    except Exception as exc:  # YAML or encoding errors in the front matter
        return None, [
            Problem(
                display,
                1,
                "front matter",
                f"cannot be read: {exc}",
                "start the file with a '---' block of valid YAML",
            )
        ]
    meta = post.metadata
    problems = []
    unknown = sorted(set(meta) - {"description", "variables", "example"})
    if unknown:
        problems.append(
            Problem(
                display,
                1,
                f"front matter.{unknown[0]}",
                "unknown key",
                "allowed keys are description, variables, example",
            )
        )
    variables = meta.get("variables", [])
    example = meta.get("example", {})
    if not isinstance(meta.get("description"), str):
        problems.append(
            Problem(
                display,
                1,
                "front matter.description",
                "is missing",
                "say in one line when this message is posted",
            )
        )
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        problems.append(
            Problem(
                display,
                1,
                "front matter.variables",
                "must be a list of names",
                "for example: variables: [mentee, role]",
            )
        )
        variables = []
    if not isinstance(example, dict):
        problems.append(
            Problem(
                display,
                1,
                "front matter.example",
                "must be a mapping",
                "give an example value for each variable",
            )
        )
        example = {}
    template = Template(
        path.stem,
        path,
        str(meta.get("description", "")),
        tuple(variables),
        dict(example),
        post.content,
    )
    return template, problems


class Messages:
    """The templates for one program: built-ins, overridden by the program's own files."""

    def __init__(self, root: Path | None = None):
        self.problems: list[Problem] = []
        self._templates: dict[str, Template] = {}
        self._compiled: dict[str, jinja2.Template] = {}
        for path in sorted(BUILTIN_DIR.glob("*.md")):
            self._load(path, f"mentoring/messages/{path.name}")
        if root is not None:
            for path in sorted((Path(root) / OVERRIDE_DIR).glob("*.md")):
                display = str(OVERRIDE_DIR / path.name)
                if path.stem not in self._templates:
                    self.problems.append(
                        Problem(
                            display,
                            1,
                            "file name",
                            "overrides no message",
                            "name it after one of: " + ", ".join(self.names()),
                        )
                    )
                    continue
                self._load(path, display)

    def _load(self, path: Path, display: str) -> None:
        template, problems = _read(path, display)
        self.problems.extend(problems)
        if template is not None:
            self._templates[template.name] = template

    def names(self) -> list[str]:
        return sorted(self._templates)

    def render(self, name: str, **variables: Any) -> str:
        """Render template ``name``; a marker can be appended by the caller."""
        template = self._templates[name]
        missing = [v for v in template.variables if v not in variables]
        if missing:
            raise TypeError(f"message {name!r} needs {', '.join(missing)}")
        compiled = self._compiled.get(name)
        if compiled is None:
            compiled = self._compiled[name] = _ENV.from_string(template.source)
        text = compiled.render(**variables).strip() + "\n"
        if len(text) > MAX_BODY - 1000:
            text = text[: MAX_BODY - 1100] + "\n\n…(cut to fit GitHub's size limit)\n"
        return text

    def check(self) -> list[Problem]:
        """Every problem in the templates: front matter, syntax, and a render with the examples."""
        problems = list(self.problems)
        for template in self._templates.values():
            display = _display(template.path)
            missing = [v for v in template.variables if v not in template.example]
            if missing:
                problems.append(
                    Problem(
                        display,
                        1,
                        "front matter.example",
                        f"has no example for {', '.join(missing)}",
                        "add an example value for every variable",
                    )
                )
                continue
            try:
                _ENV.from_string(template.source).render(**template.example)
            except jinja2.TemplateSyntaxError as exc:
                line = (exc.lineno or 0) + _front_matter_lines(template.path)
                problems.append(
                    Problem(
                        display,
                        line,
                        "template",
                        exc.message or str(exc),
                        "fix the Jinja syntax ({{ name }}, {% if %}…{% endif %})",
                    )
                )
            except jinja2.UndefinedError as exc:
                problems.append(
                    Problem(
                        display,
                        None,
                        "template",
                        str(exc),
                        "use only the variables listed in the front matter: "
                        + ", ".join(template.variables),
                    )
                )
            except jinja2.exceptions.SecurityError as exc:
                problems.append(
                    Problem(
                        display,
                        None,
                        "template",
                        f"unsafe: {exc}",
                        "templates may only format the values they are given",
                    )
                )
        return problems


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(BUILTIN_DIR.parent.parent))
    except ValueError:
        parts = path.parts
        return str(Path(*parts[-4:])) if len(parts) >= 4 else str(path)


def _front_matter_lines(path: Path) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].strip() != "---":
        return 0
    for index, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            return index
    return 0


def with_marker(body: str, kind: str, data: dict[str, Any] | None = None) -> str:
    """The comment body with its hidden marker appended on a line of its own."""
    return body.rstrip("\n") + "\n\n" + markers.make(kind, data) + "\n"


def load(root: Path | None) -> Messages:
    messages = Messages(root)
    if messages.problems:
        raise MentoringError(
            "message templates have problems:\n" + "\n".join(str(p) for p in messages.problems)
        )
    return messages
