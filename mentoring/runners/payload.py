"""Event payloads read within bounds of size and nesting, every field we read type-checked."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

from mentoring.errors import MentoringError

MAX_BYTES = 26_214_400  # 25 MB: GitHub caps a webhook payload at 25 MB
MAX_DEPTH = 64  # the stored real payloads nest 4 or 5 levels deep
MAX_ID = 2**63 - 1  # GitHub's ids are 64-bit
MAX_NUMBER = 2**31 - 1  # issue and pull request numbers

# A string, or an unterminated one up to the end: every match ends at a quote or the end,
# so skipping strings is linear even in hostile text.
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


# --------------------------------------------------------------------------- shapes


@dataclass(frozen=True)
class Shape:
    """What one field must be: a ``kind`` ("object", "list", "text", "int", "bool") and more."""

    kind: str
    nullable: bool = False
    fields: tuple[tuple[str, Shape], ...] = ()  # an object's fields the tool reads
    item: Shape | None = None  # a list's items
    most: int = MAX_ID  # an int's largest value


def _obj(nullable: bool = False, **fields: Shape) -> Shape:
    return Shape("object", nullable, tuple(fields.items()))


def _list(item: Shape, nullable: bool = False) -> Shape:
    return Shape("list", nullable, item=item)


TEXT = Shape("text")
TEXT_OR_NULL = Shape("text", nullable=True)
BOOL_OR_NULL = Shape("bool", nullable=True)
ID = Shape("int")
NUMBER = Shape("int", most=MAX_NUMBER)
USER = _obj(login=TEXT, type=TEXT)
USER_OR_NULL = _obj(True, login=TEXT, type=TEXT)
LABEL = _obj(name=TEXT)
REPOSITORY = _obj(full_name=TEXT, default_branch=TEXT)
BRANCH = _obj(ref=TEXT, sha=TEXT, repo=_obj(True, full_name=TEXT))

ISSUE = _obj(
    number=NUMBER,
    title=TEXT,
    body=TEXT_OR_NULL,
    state=TEXT,
    user=USER_OR_NULL,
    labels=_list(LABEL),
    assignees=_list(USER),
    pull_request=_obj(True),
)
COMMENT = _obj(id=ID, body=TEXT_OR_NULL, user=USER_OR_NULL)
PULL_REQUEST = _obj(
    number=NUMBER,
    state=TEXT,
    body=TEXT_OR_NULL,
    user=USER_OR_NULL,
    merged=BOOL_OR_NULL,
    merged_at=TEXT_OR_NULL,
    base=BRANCH,
    head=BRANCH,
)
COMMON = {"action": TEXT, "sender": USER, "repository": REPOSITORY}

# The top-level fields read for each event the tool handles; other events are not checked.
EVENTS: dict[str, Shape] = {
    "issues": _obj(**COMMON, issue=ISSUE, assignee=USER_OR_NULL),
    "issue_comment": _obj(**COMMON, issue=ISSUE, comment=COMMENT),
    "pull_request": _obj(**COMMON, pull_request=PULL_REQUEST),
    "pull_request_target": _obj(**COMMON, pull_request=PULL_REQUEST),
}
# Without an event name, every field any handled event reads (they never disagree).
ANY = _obj(**COMMON, issue=ISSUE, assignee=USER_OR_NULL, comment=COMMENT, pull_request=PULL_REQUEST)


# --------------------------------------------------------------------------- loading


def load(path: Path | str, name: str | None = None) -> dict[str, Any]:
    """Read the payload file at ``path`` and check it (for event ``name`` if given)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise MentoringError(f"cannot read the event payload {path}: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise MentoringError(
            f"the event payload {path} is over {MAX_BYTES // 1_048_576} MB, "
            "GitHub's limit for a payload"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MentoringError(f"the event payload {path} is not UTF-8 text: {exc.reason}") from None
    return parse(text, name, source=str(path))


def parse(text: str, name: str | None = None, *, source: str = "") -> dict[str, Any]:
    """The payload in ``text`` as a checked dict, or ``MentoringError`` with one line saying why."""
    where = f"the event payload {source}" if source else "the event payload"
    depth = nesting(text)
    if depth > MAX_DEPTH:
        raise MentoringError(f"{where} nests values {depth} levels deep; the limit is {MAX_DEPTH}")
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise MentoringError(f"{where} nests values too deeply") from None
    except ValueError as exc:  # JSONDecodeError, and integers too long to read
        raise MentoringError(f"{where} is not JSON: {exc}") from None
    return check(data, name)


def _no_constant(word: str) -> Any:
    raise ValueError(f"{word} is not a JSON value")


def nesting(text: str) -> int:
    """How deep lists and objects nest in the JSON ``text`` (strings skipped), without recursion."""
    brackets = _BRACKET.findall(_STRING.sub("", text))
    steps = (1 if b in "[{" else -1 for b in brackets)
    return max(accumulate(steps, initial=0))


# --------------------------------------------------------------------------- checking


def check(data: Any, name: str | None = None) -> dict[str, Any]:
    """``data`` itself if every field the tool reads for event ``name`` has the right type.

    Absent fields are allowed (the handlers then ignore the event with a note);
    present ones must have the type GitHub sends, else ``MentoringError`` names
    the field: ``payload issue.labels: expected a list, got a number``.
    """
    if not isinstance(data, dict):
        raise MentoringError(f"the event payload is not a JSON object: it is {_describe(data)}")
    shape = ANY if name is None else EVENTS.get(name)
    if shape is not None:
        _check(data, shape, "")
    return data


def _check(value: Any, shape: Shape, path: str) -> None:
    """Raise for the first field of ``value`` that does not fit ``shape`` (recursion as deep
    as the shape, never as the data)."""
    if value is None and shape.nullable:
        return
    if shape.kind == "object":
        _expect(isinstance(value, dict), "an object", value, path, shape)
        for key, inner in shape.fields:
            if key in value:
                _check(value[key], inner, f"{path}.{key}" if path else key)
    elif shape.kind == "list":
        _expect(isinstance(value, list), "a list", value, path, shape)
        for index, item in enumerate(value):
            _check(item, shape.item or TEXT, f"{path}[{index}]")
    elif shape.kind == "text":
        _expect(isinstance(value, str), "text", value, path, shape)
        if _SURROGATE.search(value):  # JSON allows "\ud800"; printing it would fail
            raise MentoringError(f"payload {path}: is not valid Unicode text (a lone surrogate)")
    elif shape.kind == "bool":
        _expect(isinstance(value, bool), "true or false", value, path, shape)
    else:
        is_int = isinstance(value, int) and not isinstance(value, bool)
        _expect(is_int, "a whole number", value, path, shape)
        if not 1 <= value <= shape.most:
            raise MentoringError(f"payload {path}: expected a number from 1 to {shape.most:,}")


def _expect(ok: bool, wanted: str, value: Any, path: str, shape: Shape) -> None:
    if not ok:
        wanted += " or null" if shape.nullable else ""
        raise MentoringError(f"payload {path}: expected {wanted}, got {_describe(value)}")


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
