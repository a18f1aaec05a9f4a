"""User-facing text: Markdown message templates with YAML front matter, rendered safely.

Built-in templates live in ``mentoring/program/messages/``. A program can override any
of them, in its own words, with a file of the same name in
``.github/mentoring/messages/`` of its repository. Each template's front matter
says what it is for, which variables it takes, and example values that
``mentoring validate`` renders it with, so a broken override is caught before
the bot ever posts it.
"""

from __future__ import annotations

import functools
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import frontmatter
import jinja2
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from mentoring.core import markers, textsafe
from mentoring.errors import MentoringError, Problem

BUILTIN_DIR = Path(__file__).parent / "messages"
OVERRIDE_DIR = Path(".github") / "mentoring" / "messages"
MAX_BODY = 65_536  # GitHub's limit for a comment or issue body

# Bounds on what a template may compute (an override is written by the program, not by us).
MAX_SOURCE = 262_144  # bytes of one template file
MAX_SIZE = 2 * MAX_BODY  # characters (or items) of any value a template makes
MAX_ITEMS = 10_000  # range()
MAX_ARGUMENT = MAX_BODY  # a number given to a filter or method (widths, lengths)
MAX_WORK = 10_000_000  # product of the sizes of one call's arguments
MAX_BITS = 4_096  # an integer a template computes (about 1,200 digits)
MAX_SECONDS = 2.0  # wall clock of one render; a message renders in milliseconds
_TEMPLATE_FILE = "<template>"  # the file name Jinja gives code compiled from a string
_BIG_WIDTH = re.compile(r"\d{7,}")  # a width or precision of a million or more in a format
_NESTED_FIELD = re.compile(r"\{[^{}]*\{")  # str.format taking a width from its arguments


@dataclass(frozen=True)
class Template:
    name: str
    path: Path
    description: str
    variables: tuple[str, ...]
    example: dict[str, Any]
    source: str


class RenderError(MentoringError):
    """A template that cannot be rendered within bounds; ``line`` is in the template's source."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        super().__init__(message)


def _size(value: Any, budget: int = MAX_SIZE) -> int:
    """Characters and items in ``value``, counted into lists and mappings, to just over budget."""
    total = 0
    stack = [value]
    while stack and total <= budget:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, list | tuple | set | frozenset | range):
            total += len(item)
            if not isinstance(item, range):
                stack.extend(item)
        elif isinstance(item, dict):
            total += len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, int):
            total += item.bit_length() // 4  # about its digits, as it will be shown
    return total


def _bounded(value: Any, what: str = "a value") -> Any:
    if _size(value) > MAX_SIZE:
        raise SecurityError(f"{what} over {MAX_SIZE:,} characters or items")
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_BITS:
        raise SecurityError(f"a number over {MAX_BITS:,} bits")
    return value


def _listed(value: Any) -> Any:
    """An iterator (from a filter like ``map``) read into a list, within bounds."""
    if isinstance(value, str | bytes | list | tuple | dict | set | frozenset | range):
        return value
    if not isinstance(value, Iterator):
        return value
    items, total = [], 0
    for item in value:
        total += 1 + _size(item)
        if total > MAX_SIZE:
            raise SecurityError(f"a sequence over {MAX_SIZE:,} characters or items")
        items.append(item)
    return items


def _check_arguments(args: tuple[Any, ...], kwargs: dict[str, Any], *, numbers: bool) -> None:
    """No huge number among the arguments (if ``numbers``), and no call over too much at once."""
    work = 1
    for value in (*args, *kwargs.values()):
        if numbers and _number(value) > MAX_ARGUMENT:
            raise SecurityError(f"the number {value:.6g} is over {MAX_ARGUMENT:,}")
        work *= 1 + _size(value, MAX_WORK)
        if work > MAX_WORK:
            raise SecurityError("a call over values too large to combine")


def _number(value: Any) -> float:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return abs(value) if is_number else 0


def _check_format(text: Any, args: Any = ()) -> None:
    """A ``%`` or ``str.format`` pattern may not ask for a width of a million or more,
    nor take a huge width from its arguments (``%*d``, ``{:{}}``)."""
    if not isinstance(text, str):
        return
    if _BIG_WIDTH.search(text):
        raise SecurityError("a format with a width or precision of a million or more")
    if "*" in text or _NESTED_FIELD.search(text):
        values = args.values() if isinstance(args, dict) else args
        for value in values if isinstance(values, tuple | list | type({}.values())) else (values,):
            if _number(value) > MAX_ARGUMENT:
                raise SecurityError(f"the number {value:.6g} is over {MAX_ARGUMENT:,}")


def _power(left: Any, right: Any) -> Any:
    ints = isinstance(left, int) and isinstance(right, int)
    if ints and right > 0 and abs(left) > 1 and (left.bit_length() - 1) * right > MAX_BITS:
        raise SecurityError(f"a power over {MAX_BITS:,} bits")
    return left**right


def _times(left: Any, right: Any) -> Any:
    for seq, count in ((left, right), (right, left)):
        repeats = isinstance(count, int) and not isinstance(seq, int | float) and count > 0
        if repeats and _size(seq) * count > MAX_SIZE:
            raise SecurityError(f"a repetition over {MAX_SIZE:,} characters or items")
    ints = isinstance(left, int) and isinstance(right, int)
    if ints and left.bit_length() + right.bit_length() > MAX_BITS:
        raise SecurityError(f"a product over {MAX_BITS:,} bits")
    return left * right


def _remainder(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        _check_format(left, right)
    return left % right


_STEPS: dict[str, Callable[[Any, Any], Any]] = {
    "**": _power,
    "*": _times,
    "%": _remainder,
    "+": lambda left, right: left + right,
}


def _bounded_range(*args: int) -> range:
    found = range(*args)
    if len(found) > MAX_ITEMS:
        raise SecurityError(f"a range of more than {MAX_ITEMS:,} numbers")
    return found


class _Generator(CodeGenerator):
    """Jinja's code generator, with every ``~`` concatenation bounded."""

    def visit_Concat(self, node: Any, frame: Any) -> None:
        self.write("environment.bound_text(")
        super().visit_Concat(node, frame)
        self.write(")")


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, refusing work out of all proportion to a message.

    Powers, products, repetition, ``%`` formats, ``~`` joins and the results of
    calls and filters are bounded in size; numbers given to calls and filters
    are bounded; ``range`` stops at ``MAX_ITEMS``. Time is bounded by ``_Clock``.
    """

    code_generator_class = _Generator
    intercepted_binops = frozenset(_STEPS)

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.globals["range"] = _bounded_range
        self.globals.pop("lipsum", None)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        return _bounded(_STEPS[operator](left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        method = getattr(__obj, "__wrapped__", __obj)
        target = getattr(method, "__self__", None)
        name = getattr(method, "__name__", "")
        formats = isinstance(target, str) and name in ("format", "format_map")
        if formats:
            _check_format(target, args + tuple(kwargs.values()))
        if isinstance(target, str) and name == "expandtabs":
            raise SecurityError("expandtabs is not allowed")
        args = tuple(_listed(a) for a in args)
        _check_arguments(args, kwargs, numbers=not formats)
        _check_arguments((target, *args), kwargs, numbers=False)  # a method over its object too
        return _bounded(super().call(__context, __obj, *args, **kwargs))

    def bound_text(self, text: str) -> str:
        return _bounded(text, "a text")


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` (a Jinja filter) with its value read within bounds and its arguments checked."""
    passes = getattr(function, "jinja_pass_arg", None) is not None

    @functools.wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        first = 1 if passes else 0
        args = (*args[:first], *(_listed(a) for a in args[first:]))
        if name == "format" and len(args) > first:
            _check_format(args[first], args[first + 1 :] + tuple(kwargs.values()))
        widths = (*args[first + 1 :], kwargs.get("width"))
        if name == "indent" and any(max(_size(a), _number(a)) > 100 for a in widths):
            raise SecurityError("an indent of more than 100")
        _check_arguments(args[first + 1 :], kwargs, numbers=name != "format")
        _check_arguments(args[first:], kwargs, numbers=False)  # the value with the arguments
        return _bounded(function(*args, **kwargs), f"the result of {name}")

    return bounded


class _Clock:
    """Stops a render that runs past its deadline, wherever it is in the template.

    In the main thread (where the commands run) a timer signal interrupts the
    render at no cost. Elsewhere, or when the timer is in use, a trace function
    sees every call and every line of the template's own compiled code, so even
    a loop that calls nothing is stopped (it makes rendering a few times slower).
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.active = False
        self.previous: Any = None

    def __enter__(self) -> _Clock:
        self.active = True
        if self._timer_free():
            self.previous = signal.signal(signal.SIGALRM, self.on_alarm)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
            self.uses_timer = True
        else:
            self.previous = sys.gettrace()
            sys.settrace(self.on_call)
            self.uses_timer = False
        return self

    def __exit__(self, *exc: Any) -> None:
        self.active = False
        if self.uses_timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        else:
            sys.settrace(self.previous)

    @staticmethod
    def _timer_free() -> bool:
        return (
            hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
            and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        )

    def on_alarm(self, signum: int, frame: Any) -> None:
        if self.active:
            raise _TooSlow

    def on_call(self, frame: FrameType, event: str, arg: Any) -> Any:
        self.check()
        return self.on_line if frame.f_code.co_filename == _TEMPLATE_FILE else None

    def on_line(self, frame: FrameType, event: str, arg: Any) -> Any:
        self.check()
        return self.on_line

    def check(self) -> None:
        if self.active and time.monotonic() > self.deadline:
            raise _TooSlow


class _TooSlow(Exception):
    """A render ran past its deadline."""


def _template_line(traceback: Any) -> int | None:
    """The template's line where ``traceback`` last was in it (Jinja rewrites its frames so)."""
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == _TEMPLATE_FILE:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def render_bounded(
    compiled: jinja2.Template, variables: dict[str, Any], seconds: float | None = None
) -> str:
    """Render within bounds of time, the text cut at ``MAX_SIZE`` characters;
    ``RenderError`` (with the template's line) when it cannot.

    Other Jinja errors (undefined names, syntax, security) pass through.
    """
    seconds = MAX_SECONDS if seconds is None else seconds
    parts: list[str] = []
    total = 0
    try:
        with _Clock(seconds):
            generated = compiled.generate(**variables)
            for part in generated:
                parts.append(part[: MAX_SIZE - total])
                total += len(part)
                if total >= MAX_SIZE:  # longer than any message: stop, the caller cuts it
                    generated.close()
                    break
    except _TooSlow as exc:
        line = _template_line(exc.__traceback__)
        raise RenderError(f"rendering takes more than {seconds:g} seconds", line) from None
    except SecurityError as exc:
        line = _template_line(exc.__traceback__)
        raise RenderError(f"unsafe: {exc}", line) from None
    except (OverflowError, MemoryError, RecursionError, ZeroDivisionError) as exc:
        line = _template_line(exc.__traceback__)
        raise RenderError(f"cannot be computed: {exc or type(exc).__name__}", line) from None
    except jinja2.TemplateError:
        raise
    except Exception as exc:  # the template's own code failed: a filter given the wrong value
        line = _template_line(exc.__traceback__)
        raise RenderError(f"fails: {type(exc).__name__}: {exc}", line) from None
    return "".join(parts)


def _environment() -> ImmutableSandboxedEnvironment:
    env = _Sandbox(
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
    for name, function in list(env.filters.items()):
        env.filters[name] = _bounded_filter(name, function)
    return env


_ENV = _environment()


def _read(path: Path, display: str) -> tuple[Template | None, list[Problem]]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [Problem(display, 1, "", f"cannot be read: {exc.strerror}")]
    if size > MAX_SOURCE:
        return None, [
            Problem(
                display,
                1,
                "",
                f"the file is {size:,} bytes; the limit is {MAX_SOURCE:,}",
                "a message template is a short Markdown text",
            )
        ]
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
    elif _size(example) > MAX_SIZE:  # YAML aliases can make a small file a huge example
        problems.append(
            Problem(
                display,
                1,
                "front matter.example",
                f"is over {MAX_SIZE:,} characters or items",
                "give short example values, and no YAML aliases (&/*)",
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
            self._load(path, f"mentoring/program/messages/{path.name}")
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
        try:
            compiled = self._compiled.get(name)
            if compiled is None:
                compiled = self._compiled[name] = _compile(template.source)
            text = render_bounded(compiled, variables)
        except (RenderError, jinja2.TemplateError) as exc:
            line = getattr(exc, "line", None) or getattr(exc, "lineno", None)
            where = _display(template.path)
            if line:
                where += f":{line + _front_matter_lines(template.path)}"
            raise MentoringError(
                f"{where}: the message {name!r} cannot be rendered: {exc}; "
                "run `mentoring validate` and fix it"
            ) from None
        text = text.strip() + "\n"
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
            found = _render_problem(template, display)
            if found is not None:
                problems.append(found)
        return problems


def _compile(source: str) -> jinja2.Template:
    try:
        return _ENV.from_string(source)
    except jinja2.TemplateError:
        raise
    except RecursionError:
        raise RenderError("nests expressions too deeply to read", 1) from None
    except Exception as exc:  # a literal Python cannot hold, such as a 5,000-digit number
        raise RenderError(f"cannot be read: {exc}", 1) from None


def _render_problem(template: Template, display: str) -> Problem | None:
    """What goes wrong rendering ``template`` with its example values, with file and line."""
    offset = _front_matter_lines(template.path)
    compiled = None
    try:
        compiled = _compile(template.source)
        render_bounded(compiled, template.example)
    except jinja2.TemplateSyntaxError as exc:
        return Problem(
            display,
            (exc.lineno or 1) + offset,
            "template",
            exc.message or str(exc),
            "fix the Jinja syntax ({{ name }}, {% if %}…{% endif %})",
        )
    except jinja2.UndefinedError as exc:
        line = _template_line(exc.__traceback__)
        return Problem(
            display,
            (line or 1) + offset,
            "template",
            str(exc),
            "use only the variables listed in the front matter: " + ", ".join(template.variables),
        )
    except RenderError as exc:
        return Problem(
            display,
            (exc.line or 1) + offset,
            "template",
            str(exc),
            "templates may only format the values they are given, within "
            f"{MAX_SIZE:,} characters and {MAX_SECONDS:g} seconds",
        )
    except jinja2.TemplateError as exc:
        return Problem(display, 1 + offset, "template", str(exc), "")
    return None


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
