"""Add a mentor to roles.yml as a text insertion: only new lines, comments and order kept.

The bot never re-dumps a person's YAML. ``add_mentor`` finds, from the parsed
node tree's positions, where the role's ``mentors`` list ends and inserts the
new entry there in the list's own style and indentation; the result is parsed
again and must hold exactly the old data plus the new entry, else ``EditError``.
Pure: text in, text out.
"""

from __future__ import annotations

import copy
import difflib
import re
from typing import Any

import yaml

from mentoring.errors import MentoringError, YamlError
from mentoring.program.yamlsafe import load_yaml

FILENAME = "roles.yml"
_PLAIN_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")


class EditError(MentoringError):
    """roles.yml cannot be changed by a plain insertion; a coordinator edits it by hand."""


def entry_lines(login: str, capacity: int | None, indent: int) -> list[str]:
    """The YAML lines of one mentor entry, its dash at column ``indent``."""
    pad = " " * indent
    if capacity is None:
        return [f"{pad}- {login}"]
    return [f"{pad}- login: {login}", f"{pad}  capacity: {capacity}"]


def _flow_entry(login: str, capacity: int | None) -> str:
    return login if capacity is None else f"{{login: {login}, capacity: {capacity}}}"


def _key(node: yaml.MappingNode, name: str) -> tuple[yaml.Node, yaml.Node] | None:
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == name:
            return key, value
    return None


def _role_node(root: yaml.Node, role_id: str) -> yaml.MappingNode:
    if not isinstance(root, yaml.MappingNode) or (roles := _key(root, "roles")) is None:
        raise EditError("roles.yml has no `roles:` list")
    if not isinstance(roles[1], yaml.SequenceNode):
        raise EditError("`roles:` in roles.yml is not a list")
    for item in roles[1].value:
        if isinstance(item, yaml.MappingNode):
            found = _key(item, "id")
            scalar = found is not None and isinstance(found[1], yaml.ScalarNode)
            if scalar and found[1].value == role_id:
                return item
    raise EditError(f"roles.yml has no role with id {role_id!r}")


def _end_line(node: yaml.Node, lines: list[str]) -> int:
    """The 0-based line holding the last character of ``node``.

    PyYAML ends a block collection (and a block scalar) where the next token
    starts, past blank and comment lines: step back over those to the last
    line of the node's own text.
    """
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    mark = node.end_mark
    line = mark.line - 1 if mark.column == 0 else mark.line
    while line > node.start_mark.line and lines[line].strip()[:1] in ("", "#"):
        line -= 1
    return line


def _insert(lines: list[str], after: int, new: list[str]) -> list[str]:
    return lines[: after + 1] + new + lines[after + 1 :]


def add_mentor(text: str, role_id: str, login: str, capacity: int | None = None) -> str:
    """``text`` with ``login`` (and ``capacity`` if given) added to the mentors of ``role_id``."""
    if not _PLAIN_LOGIN.fullmatch(login):
        raise EditError(f"{login!r} is not a GitHub login")
    try:
        before = load_yaml(text, FILENAME).data
    except YamlError as exc:
        raise EditError(f"roles.yml cannot be read: {exc}") from None
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    role = _role_node(root, role_id)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.replace("\r\n", "\n").split("\n")
    found = _key(role, "mentors")
    if found is None:
        key_column = role.value[0][0].start_mark.column
        pad = " " * key_column
        new = [f"{pad}mentors:", *entry_lines(login, capacity, key_column + 2)]
        lines = _insert(lines, _end_line(role, lines), new)
    else:
        key, value = found
        if isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null"):
            if value.value:
                raise EditError("the role's `mentors:` says null; write it as an empty list")
            lines = _insert(lines, key.start_mark.line, entry_lines(login, capacity, _dash(key)))
        elif isinstance(value, yaml.SequenceNode) and value.flow_style:
            lines = _flow_insert(lines, value, _flow_entry(login, capacity))
        elif isinstance(value, yaml.SequenceNode) and value.value:
            first = value.value[0]
            line = lines[first.start_mark.line]
            dash = line[: first.start_mark.column].rstrip()
            if not dash.endswith("-"):
                raise EditError("the role's mentors list has an unusual layout")
            indent = len(dash) - 1
            lines = _insert(
                lines, _end_line(value.value[-1], lines), entry_lines(login, capacity, indent)
            )
        else:
            raise EditError("the role's `mentors:` is not a list")
    result = newline.join(lines)
    _verify(before, result, role_id, login, capacity)
    return result


def _dash(key: yaml.Node) -> int:
    """Where the dash of a first entry goes under ``mentors:`` (two spaces in)."""
    return key.start_mark.column + 2


def _flow_insert(lines: list[str], value: yaml.SequenceNode, entry: str) -> list[str]:
    """``[a, b]`` → ``[a, b, entry]``: the one line holding the closing bracket changes."""
    end = value.end_mark
    row = lines[end.line]
    close = end.column - 1
    if close < 0 or row[close] != "]":
        raise EditError("the role's mentors list has an unusual layout")
    inside = row[:close].rstrip()
    joiner = "" if not value.value else ", "
    if not value.value and not inside.endswith("["):
        raise EditError("the role's mentors list has an unusual layout")
    lines = list(lines)
    lines[end.line] = inside + joiner + entry + row[close:]
    return lines


def _verify(before: Any, text: str, role_id: str, login: str, capacity: int | None) -> None:
    """The new text must parse to the old data plus exactly the new entry."""
    try:
        after = load_yaml(text, FILENAME).data
    except YamlError as exc:  # pragma: no cover - a bug in the insertion
        raise EditError(f"the change would break roles.yml: {exc}") from None
    expected = copy.deepcopy(before)
    for role in expected.get("roles", []):
        if isinstance(role, dict) and role.get("id") == role_id:
            mentors = role.get("mentors") or []
            mentors = list(mentors)
            mentors.append(login if capacity is None else {"login": login, "capacity": capacity})
            role["mentors"] = mentors
    if after != expected:
        raise EditError("the change would alter more than the new entry; edit roles.yml by hand")


def added_lines(old: str, new: str) -> list[str]:
    """The lines ``new`` adds to ``old``; an EditError if it removes or changes any."""
    diff = list(difflib.ndiff(old.splitlines(), new.splitlines()))
    if any(line.startswith("- ") for line in diff):
        raise EditError("the change removes or rewrites a line")
    return [line[2:] for line in diff if line.startswith("+ ")]
