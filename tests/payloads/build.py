"""Event payloads for tests: the stored real examples with only the fields a test needs changed."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

HERE = Path(__file__).resolve().parent
REPO = "astro/mentoring"
APPLICATION = "mentoring: application"


@cache
def _stored(name: str) -> dict[str, Any]:
    return json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))


def example(event: str, action: str) -> dict[str, Any]:
    """A fresh copy of the stored payload for ``event.action``."""
    return copy.deepcopy(_stored(f"{event}.{action}"))


def user(login: str, kind: str = "User", number: int = 3000) -> dict[str, Any]:
    """A user object shaped like GitHub's (copied from a stored payload's sender)."""
    template = _stored("issues.opened")["sender"]
    old = template["login"]
    found = json.loads(json.dumps(template).replace(old, login))
    found["id"] = number + sum(map(ord, login))
    found["type"] = kind
    return found


def label(name: str) -> dict[str, Any]:
    found = copy.deepcopy(_stored("issues.opened")["issue"]["labels"][0])
    found.update(name=name, url=f"https://api.github.com/repos/{REPO}/labels/{name}")
    found["id"] = 5000 + sum(map(ord, name))
    return found


def issues(
    action: str,
    *,
    number: int = 1,
    sender: str = "ada-example",
    sender_type: str = "User",
    author: str | None = "ada-example",
    body: str | None = None,
    labels: tuple[str, ...] | None = None,
    assignee: str | None = None,
    locked: bool = False,
) -> dict[str, Any]:
    """An ``issues`` event; ``action`` may be one without a stored example (it is relabelled)."""
    stored = action if (HERE / f"issues.{action}.json").exists() else "opened"
    payload = example("issues", stored)
    payload["action"] = action
    issue = payload["issue"]
    issue["number"] = number
    for key in ("url", "labels_url", "comments_url", "events_url", "html_url"):
        issue[key] = issue[key].replace("/issues/1", f"/issues/{number}")
    issue["user"] = user(author) if author else None
    if body is not None:
        issue["body"] = body
    if labels is not None:
        issue["labels"] = [label(x) for x in labels]
    issue["locked"] = locked
    payload["sender"] = user(sender, sender_type)
    if assignee is not None:
        payload["assignee"] = user(assignee)
    return payload


def comment(
    body: str,
    *,
    number: int = 1,
    comment_id: int = 1,
    author: str | None = "octo-coordinator",
    author_type: str = "User",
    on_pull_request: bool = False,
    labels: tuple[str, ...] | None = None,
    issue_body: str | None = None,
) -> dict[str, Any]:
    """An ``issue_comment.created`` event for comment ``comment_id`` on issue ``number``."""
    payload = example("issue_comment", "created")
    issue = payload["issue"]
    issue["number"] = number
    if issue_body is not None:
        issue["body"] = issue_body
    if labels is not None:
        issue["labels"] = [label(x) for x in labels]
    if on_pull_request:
        base = f"https://github.com/{REPO}/pull/{number}"
        issue["pull_request"] = {
            "url": f"https://api.github.com/repos/{REPO}/pulls/{number}",
            "html_url": base,
            "diff_url": base + ".diff",
            "patch_url": base + ".patch",
            "merged_at": None,
        }
    note = payload["comment"]
    note["id"] = comment_id
    note["body"] = body
    note["user"] = user(author, author_type) if author else None
    payload["sender"] = user(author or "ghost", author_type)
    return payload


def errors(payload: dict[str, Any], event: str, action: str) -> list[str]:
    """What is wrong with ``payload`` against the webhook schema of ``event$action``."""
    schema = _stored("schema-subset")
    validator = jsonschema.Draft7Validator(
        {"$ref": f"#/definitions/{event}${action}", "definitions": schema["definitions"]},
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
    )
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(payload)
    ]
