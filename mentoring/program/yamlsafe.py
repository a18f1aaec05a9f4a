"""Safe YAML loading that remembers the line of every value and refuses risky YAML.

``load_yaml`` composes the node tree with PyYAML's safe loader and builds plain
Python values from it (dict, list, str, int, float, bool, None, datetime.date),
so every value's line is known. It refuses, with a ``YamlError`` naming the file
and line: files over the size limit, syntax errors, duplicate mapping keys, tags
other than YAML's core ones, merge keys, and alias (&/*) abuse.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from mentoring.errors import YamlError

MAX_BYTES = 1_048_576
MAX_ALIASES = 100
MAX_ALIAS_NODES = 10_000
MAX_DEPTH = 100

TAB_MESSAGE = "tabs are not allowed for indentation in YAML; use spaces"
ALIAS_MESSAGE = "uses too many YAML aliases (&/*); write the values out"
DEPTH_MESSAGE = f"nests values more than {MAX_DEPTH} levels deep"

_CORE = "tag:yaml.org,2002:"
_SCALAR_NAMES = ("str", "int", "float", "bool", "null", "timestamp", "value")
_SCALAR_TAGS = frozenset(_CORE + name for name in _SCALAR_NAMES)
_KIND_OF_TAG = {f"{_CORE}map": yaml.MappingNode, f"{_CORE}seq": yaml.SequenceNode}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what YAML counts as a new line
_SCALARS = yaml.constructor.SafeConstructor()
_CONVERTERS = {
    f"{_CORE}null": _SCALARS.construct_yaml_null,
    f"{_CORE}bool": _SCALARS.construct_yaml_bool,
    f"{_CORE}int": _SCALARS.construct_yaml_int,
    f"{_CORE}float": _SCALARS.construct_yaml_float,
}
_SYNTAX_HINTS = (
    ("expected <block end>", "check the indentation: entries of one list or mapping must line up"),
    ("mapping values are not allowed", "check the indentation, and quote values containing ': '"),
    ("end of stream", "a quote or bracket opened above is never closed"),
    ("undefined alias", "an alias (*name) must refer to an anchor (&name) defined above it"),
    ("cannot start any token", "quote values that start with @, ` or %"),
    ("could not find expected ':'", "a key is missing its ':', or a quote is never closed"),
)

PathType = tuple[Hashable, ...]


@dataclass(frozen=True)
class Loaded:
    """The data of one YAML file, and the line each value came from."""

    data: Any
    filename: str
    lines: Mapping[PathType, int] = field(default_factory=dict, repr=False, compare=False)

    def line(self, path: Sequence[Hashable] = ()) -> int:
        """The 1-based line of the value at ``path``, or of its nearest ancestor that has one.

        A path holds mapping keys and list indexes, e.g. ``("roles", 2, "mentors", 0)``;
        for a mapping entry the line is the key's line. The whole file (an empty one
        too) is at line 1, so every problem can be annotated on a line.
        """
        path = tuple(path)
        for end in range(len(path), -1, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return 1


def breadcrumb(path: Sequence[Hashable]) -> str:
    """``("roles", 2, "mentors", 0)`` -> ``roles[2].mentors[0]``."""
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def load_yaml(
    text: str | bytes,
    filename: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_aliases: int = MAX_ALIASES,
) -> Loaded:
    """Parse ``text`` as one safe YAML document; raise ``YamlError`` if it is unsafe or broken."""
    if isinstance(text, bytes):
        check_size(len(text), filename, max_bytes)
        text = _decode(text, filename)
    else:
        check_size(len(text.encode("utf-8", "surrogatepass")), filename, max_bytes)
    root = _compose(text, filename, max_aliases)
    builder = _Builder(filename)
    data = builder.build(root)
    return Loaded(data, filename, MappingProxyType(builder.lines))


def load_yaml_file(
    path: Path,
    filename: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_aliases: int = MAX_ALIASES,
) -> Loaded:
    """Read ``path`` as bytes (never more than ``max_bytes`` + 1) and load it; OSError passes."""
    with open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            check_size(max(Path(path).stat().st_size, len(data)), filename, max_bytes)
    return load_yaml(data, filename, max_bytes=max_bytes, max_aliases=max_aliases)


def check_size(size: int, filename: str, max_bytes: int = MAX_BYTES) -> None:
    """Refuse a file of ``size`` bytes if it is over ``max_bytes``."""
    if size > max_bytes:
        raise YamlError(
            filename,
            1,
            f"the file is {_human_size(size)}; the limit is {_human_size(max_bytes)}",
            "keep the program's files small; move long text into linked documents",
        )


def _human_size(size: int) -> str:
    for unit, scale in (("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def _decode(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise YamlError(filename, line, "is not valid UTF-8 text", "save it as UTF-8") from None


class _Composer(yaml.SafeLoader):
    """PyYAML's safe composer, counting aliases and limiting nesting as it goes."""

    def __init__(self, text: str, filename: str, max_aliases: int):
        super().__init__(text)
        self.filename = filename
        self.max_aliases = max_aliases
        self.aliases = 0
        self.depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > self.max_aliases:
                line = self.peek_event().start_mark.line + 1
                raise YamlError(self.filename, line, ALIAS_MESSAGE, _alias_hint(self.max_aliases))
            return super().compose_node(parent, index)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                line = self.peek_event().start_mark.line + 1
                raise YamlError(self.filename, line, DEPTH_MESSAGE)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _alias_hint(max_aliases: int) -> str:
    return f"at most {max_aliases} aliases, expanding to at most {MAX_ALIAS_NODES:,} values"


def _compose(text: str, filename: str, max_aliases: int) -> yaml.Node | None:
    composer = None
    try:
        composer = _Composer(text, filename, max_aliases)
        return composer.get_single_node()
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(error, text, filename) from None
    except yaml.reader.ReaderError as error:
        line = len(_LINE_BREAK.findall(text, 0, error.position)) + 1
        raise YamlError(
            filename,
            line,
            f"contains a character YAML does not allow (U+{error.character:04X})",
            "remove control characters and save the file as plain UTF-8 text",
        ) from None
    except yaml.YAMLError as error:
        raise YamlError(filename, 1, f"not valid YAML: {error}") from None
    except RecursionError:
        raise YamlError(filename, 1, DEPTH_MESSAGE) from None
    finally:
        if composer is not None:
            composer.dispose()


def _syntax_error(error: yaml.MarkedYAMLError, text: str, filename: str) -> YamlError:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else 1
    problem = error.problem or error.context or "could not be parsed"
    if "'\\t'" in problem or "tab character" in problem:
        return _tab_error(text, line, filename)
    if "single document" in (error.context or ""):
        return YamlError(
            filename, line, "holds more than one YAML document", "remove the extra '---' line"
        )
    message = f"not valid YAML: {problem}"
    if error.context and error.context_mark and error.context_mark.line + 1 != line:
        message += f" ({error.context} on line {error.context_mark.line + 1})"
    hint = next((hint for clue, hint in _SYNTAX_HINTS if clue in problem), "")
    return YamlError(filename, line, message, hint)


def _tab_error(text: str, line: int | None, filename: str) -> YamlError:
    lines = _LINE_BREAK.split(text)
    source = lines[line - 1] if line and line <= len(lines) else ""
    indentation = source[: len(source) - len(source.lstrip(" \t"))]
    if "\t" in indentation or not source:
        return YamlError(filename, line, TAB_MESSAGE, "replace the tabs at the start of the line")
    return YamlError(filename, line, "a tab is not allowed here in YAML; use spaces")


class _Builder:
    """Builds plain Python values from a node tree, recording lines and policing aliases."""

    def __init__(self, filename: str):
        self.filename = filename
        self.lines: dict[PathType, int] = {}
        self.seen: set[int] = set()
        self.open: set[int] = set()
        self.alias_nodes = 0

    def build(self, root: yaml.Node | None) -> Any:
        if root is None:
            return None
        self.lines[()] = root.start_mark.line + 1
        return self.value(root, (), shared=False)

    def fail(self, node: yaml.Node, path: PathType, message: str, hint: str = "") -> YamlError:
        return YamlError(
            self.filename, node.start_mark.line + 1, message, hint, key=breadcrumb(path)
        )

    def fail_where_used(self, path: PathType, message: str, hint: str = "") -> YamlError:
        """An error at the innermost value of ``path`` written in the file, not reached by alias."""
        while path and path not in self.lines:
            path = path[:-1]
        line = self.lines.get(path, 1)
        return YamlError(self.filename, line, message, hint, key=breadcrumb(path))

    def value(self, node: yaml.Node, path: PathType, *, shared: bool) -> Any:
        if id(node) in self.open:
            raise self.fail(
                node,
                path,
                "an alias (*) refers to a value that contains it",
                "write the values out",
            )
        shared = shared or id(node) in self.seen
        self.seen.add(id(node))
        if shared:
            self.alias_nodes += 1
            if self.alias_nodes > MAX_ALIAS_NODES:
                raise self.fail_where_used(path, ALIAS_MESSAGE, _alias_hint(MAX_ALIASES))
        if len(path) > MAX_DEPTH:
            raise self.fail_where_used(path, DEPTH_MESSAGE)
        self.check_tag(node, path)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return self.sequence(node, path, shared)
            return self.mapping(node, path, shared)
        finally:
            self.open.discard(id(node))

    def check_tag(self, node: yaml.Node, path: PathType) -> None:
        tag = node.tag
        if tag == f"{_CORE}merge":
            raise self.fail(
                node, path, "merge keys (<<) are not supported", "write the keys out in full"
            )
        expected = _KIND_OF_TAG.get(tag, yaml.ScalarNode if tag in _SCALAR_TAGS else None)
        if expected is None:
            raise self.fail(
                node,
                path,
                f"custom tags are not allowed (found {_short(tag)})",
                "remove the tag and write a plain value",
            )
        if not isinstance(node, expected):
            raise self.fail(
                node, path, f"the tag {_short(tag)} does not fit this value", "remove the tag"
            )

    def scalar(self, node: yaml.ScalarNode, path: PathType) -> Any:
        if _SURROGATE.search(node.value):  # "\ud800" escapes make text nothing can print
            raise self.fail(
                node, path, "contains a lone surrogate (\\ud800-\\udfff)", "remove the escape"
            )
        convert = _CONVERTERS.get(node.tag)
        if convert is None:
            is_date = node.tag == f"{_CORE}timestamp"
            return _date_or_text(node.value) if is_date else node.value
        try:
            return convert(node)
        except (ValueError, KeyError, TypeError, yaml.YAMLError):
            raise self.fail(
                node,
                path,
                f"{node.value!r} is not a valid {_short(node.tag)}",
                "put the value in quotes if it is meant as text",
            ) from None

    def sequence(self, node: yaml.SequenceNode, path: PathType, shared: bool) -> list[Any]:
        items = []
        for index, child in enumerate(node.value):
            self.record((*path, index), child, shared)
            items.append(self.value(child, (*path, index), shared=shared))
        return items

    def mapping(self, node: yaml.MappingNode, path: PathType, shared: bool) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_lines: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node, path)
            line = key_node.start_mark.line + 1
            if key in first_lines:
                raise self.fail(
                    key_node,
                    (*path, key),
                    f"duplicate key {key!r} (first on line {first_lines[key]})",
                    "YAML would silently keep only the last one; remove or rename one",
                )
            first_lines[key] = line
            self.record((*path, key), key_node, shared)
            result[key] = self.value(value_node, (*path, key), shared=shared)
        return result

    def record(self, path: PathType, node: yaml.Node, shared: bool) -> None:
        """Remember where ``path`` is written, unless it is only reached through an alias."""
        if not shared and id(node) not in self.seen:
            self.lines[path] = node.start_mark.line + 1

    def key(self, node: yaml.Node, path: PathType) -> Hashable:
        self.check_tag(node, path)
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, path, "mapping keys must be plain values like 'name'")
        return self.scalar(node, path)


def _date_or_text(value: str) -> dt.date | str:
    """``YYYY-MM-DD`` becomes a date; anything else, even a time stamp, stays text."""
    if _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _short(tag: str) -> str:
    return repr("!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag)
