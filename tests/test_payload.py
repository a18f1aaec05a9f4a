"""Event payloads of any shape: one clear line or a checked payload, never a traceback."""

from __future__ import annotations

import contextlib
import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentoring.cli import main
from mentoring.errors import MentoringError
from mentoring.program.config import load_program
from mentoring.runners import payload, run_events
from mentoring.runners.run_graduation import on_pull_request
from tests.payloads import build
from tests.support import REPO_ROOT

PROGRAM = load_program(REPO_ROOT)
HERE = Path(__file__).parent / "payloads"
STORED = sorted(p for p in HERE.glob("*.json") if p.name != "schema-subset.json")
PULLS = sorted(p for p in (HERE / "graduation").glob("*.json") if p.name != "schema-subset.json")


def event_name(path: Path) -> str:
    return path.name.split(".")[0] if path.parent == HERE else "pull_request_target"


# --------------------------------------------------------------------------- examples


@pytest.mark.parametrize("path", STORED + PULLS, ids=[p.stem for p in STORED + PULLS])
def test_real_payloads_pass_unchanged(path):
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert payload.load(path, event_name(path)) == expected
    assert run_events.load_payload(path) == expected


def _deep(depth: int) -> str:
    return '{"issue": ' + "[" * depth + "]" * depth + "}"


def _mutated(event: str, action: str, where: tuple[str, ...], value: Any) -> dict[str, Any]:
    data = build.example(event, action)
    target = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    return data


BAD = [
    pytest.param(_deep(100_000), "nests values 100001 levels deep; the limit is 64", id="deep"),
    pytest.param("[1, 2]", "not a JSON object: it is a list", id="a list"),
    pytest.param("{", "is not JSON", id="broken"),
    pytest.param('{"action": NaN}', "is not JSON: NaN is not a JSON value", id="NaN"),
    pytest.param('{"a": ' + "9" * 5000 + "}", "is not JSON", id="a huge integer"),
    pytest.param(
        json.dumps(_mutated("issues", "opened", ("issue", "labels"), 3)),
        "payload issue.labels: expected a list, got a number",
        id="labels a number",
    ),
    pytest.param(
        json.dumps(_mutated("issues", "opened", ("issue", "labels"), ["bug"])),
        "payload issue.labels[0]: expected an object, got text",
        id="a label as text",
    ),
    pytest.param(
        json.dumps(_mutated("issue_comment", "created", ("comment", "user"), "ada")),
        "payload comment.user: expected an object or null, got text",
        id="comment user as text",
    ),
    pytest.param(
        json.dumps(_mutated("issues", "opened", ("issue", "number"), -4)),
        "payload issue.number: expected a number from 1 to 2,147,483,647",
        id="negative number",
    ),
    pytest.param(
        json.dumps(_mutated("issues", "opened", ("issue", "number"), True)),
        "payload issue.number: expected a whole number, got true or false",
        id="number a boolean",
    ),
    pytest.param(
        json.dumps(_mutated("issues", "opened", ("sender", "login"), "\ud800")),
        "payload sender.login: is not valid Unicode text (a lone surrogate)",
        id="a lone surrogate",
    ),
    pytest.param(
        json.dumps(_mutated("issues", "assigned", ("sender",), None)),
        "payload sender: expected an object, got null",
        id="no sender",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_a_bad_payload_is_one_line(text, message):
    with pytest.raises(MentoringError) as raised:
        payload.parse(text)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


PULL_BAD = [
    pytest.param(
        ("pull_request", "base"), "main", "pull_request.base: expected an object", id="base"
    ),
    pytest.param(
        ("pull_request", "user"), "ada", "pull_request.user: expected an object", id="user"
    ),
    pytest.param(("pull_request", "head", "repo"), 7, "head.repo: expected an object", id="head"),
    pytest.param(("pull_request", "merged"), "yes", "merged: expected true or false", id="merged"),
    pytest.param(("repository",), "astro/x", "repository: expected an object", id="repository"),
]


@pytest.mark.parametrize(("where", "value", "message"), PULL_BAD)
def test_a_pull_request_of_the_wrong_shape_is_one_line(where, value, message):
    data = json.loads((HERE / "graduation" / "closed-merged.json").read_text())
    target = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    with pytest.raises(MentoringError, match=message):
        on_pull_request(_App(), "pull_request_target", data, date(2026, 9, 30))


def test_the_event_command_says_it_in_one_line(tmp_path):
    path = tmp_path / "event.json"
    path.write_text(_deep(100_000), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["--root", str(REPO_ROOT), "event", "--name", "issues", "--payload", str(path)]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"mentoring: the event payload {path} nests values 100001 levels deep; the limit is 64"
    ]


def test_nesting_skips_brackets_inside_strings():
    assert payload.nesting('{"a": "[[[[{{{", "b": [["\\"]"]]}') == 3
    assert payload.nesting("") == 0


# --------------------------------------------------------------------------- generated


class _Reached(Exception):
    """The handler got past the payload to reading GitHub: the shape was fine."""


class _App:
    program = PROGRAM

    def gateway(self):
        raise _Reached


def _handle(name: str, data: Any) -> None:
    """What `mentoring event` does with a payload before it reads GitHub."""
    checked = payload.check(data, name)
    if name in run_events.PULL_EVENTS:
        with contextlib.suppress(_Reached):
            on_pull_request(_App(), name, checked, date(2026, 9, 30))
    else:
        run_events.ignored(name, checked, PROGRAM)


NAMES = st.sampled_from(["issues", "issue_comment", "pull_request", "pull_request_target", "push"])
KEYS = st.sampled_from(
    [
        "action", "issue", "comment", "pull_request", "sender", "assignee", "repository",
        "number", "labels", "user", "login", "type", "name", "body", "id", "base", "head",
        "ref", "sha", "repo", "full_name", "merged", "state", "default_branch", "x",
    ]
)  # fmt: skip
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=30,
)


def _only_mentoring_errors(name: str, data: Any) -> None:
    try:
        _handle(name, data)
    except MentoringError as error:
        assert str(error) and "\n" not in str(error)


@settings(max_examples=150, deadline=None)
@given(NAMES, st.dictionaries(KEYS, JSONISH, max_size=8))
def test_any_structure_is_handled_or_refused_in_one_line(name, data):
    _only_mentoring_errors(name, data)


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*path, index))
    return found


REAL = [(event_name(p), json.loads(p.read_text(encoding="utf-8"))) for p in STORED + PULLS]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    name, original = draw(st.sampled_from(REAL))
    data = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(_paths(data) or [()]))
        if not where:
            break
        target = data
        for key in where[:-1]:
            target = target[key]
        if draw(st.booleans()) and isinstance(target, dict):
            del target[where[-1]]
        else:
            target[where[-1]] = draw(JSONISH)
    return name, data


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_real_payloads_are_handled_or_refused_in_one_line(case):
    _only_mentoring_errors(*case)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='[]{}",:\\ 0a1tnu'))
def test_any_text_is_parsed_or_refused_in_one_line(text):
    try:
        assert isinstance(payload.parse(text), dict)
    except MentoringError as error:
        assert "\n" not in str(error)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 200), st.sampled_from(["[", '{"issue": ']))
def test_nesting_is_measured_not_recursed(depth, opener):
    closer = "]" if opener == "[" else "}"
    text = opener * depth + "1" + closer * depth
    if depth <= payload.MAX_DEPTH:
        try:
            payload.parse(text)
        except MentoringError as error:
            assert "deep" not in str(error)
    else:
        with pytest.raises(MentoringError, match="levels deep"):
            payload.parse(text)
