"""Regenerate the payloads in this folder from @octokit/webhooks-examples and -schemas (npm).

Usage: python tests/payloads/regenerate.py [NODE_MODULES]

Without NODE_MODULES, the two packages are installed with npm into a temporary
folder. The test suite never needs npm: it reads the files written here.

Each stored payload is a real example adapted to the repository astro/mentoring:
the repository, its owner and the users are renamed, the issue carries the
application form's answers and label, and the actors are the example program's
people. issues.closed has no upstream example: it is the reopened example
closed, with the fields issues$closed requires. The trimmed schema holds only
the definitions these events need (issues$opened … issue_comment$created and
every definition they refer to).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import tempfile
from pathlib import Path

EXAMPLES = "@octokit/webhooks-examples@7.6.1"
SCHEMAS = "@octokit/webhooks-schemas@7.6.1"
HERE = Path(__file__).resolve().parent
REPO = "astro/mentoring"
APPLICANT = "ada-example"
COORDINATOR = "octo-coordinator"
MENTOR = "lin-mentor"
LABEL = "mentoring: application"
CREATED = "2026-01-05T09:30:00Z"

FORM_BODY = """### Your name

Ada Example

### Chat handle

ada on Matrix

### Role you aim for

Maintainer (maintainer)

### Why this role

I review pull requests most weeks and would like to take on merging and releases.

### Your contributions so far

About forty merged pull requests, mostly to the documentation and the I/O code.

### Anything else

_No response_

### Code of conduct

- [X] I agree to follow the project's code of conduct.
"""

# (event, action, index in the examples list of that event): ones that pass their own schema
PICKS = [
    ("issues", "opened", 15),
    ("issues", "edited", 7),
    ("issues", "assigned", 1),
    ("issues", "unassigned", 22),
    ("issues", "reopened", 20),
    ("issue_comment", "created", 1),
]
DEFINITIONS = [
    "issues$opened",
    "issues$edited",
    "issues$assigned",
    "issues$unassigned",
    "issues$reopened",
    "issues$closed",
    "issue_comment$created",
]


def install() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="webhooks-"))
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(folder), EXAMPLES, SCHEMAS],
        check=True,
    )
    return folder / "node_modules"


def rename(value, old: str, new: str):
    """Every string in ``value`` with ``old`` replaced by ``new`` (a renamed user or repo)."""
    if isinstance(value, dict):
        return {k: rename(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [rename(v, old, new) for v in value]
    if isinstance(value, str):
        return value.replace(old, new)
    return value


def person(template: dict, login: str, number: int) -> dict:
    """A user object shaped like GitHub's, for ``login``."""
    user = rename(copy.deepcopy(template), template["login"], login)
    user["id"] = number
    user["node_id"] = f"U_{number}"
    user["avatar_url"] = f"https://avatars.githubusercontent.com/u/{number}?v=4"
    return user


def adapt(event: str, action: str, example: dict) -> dict:
    payload = rename(copy.deepcopy(example), "Codertocat/Hello-World", REPO)
    payload = rename(payload, "octo-org/octo-repo", REPO)
    template = example["sender"]
    repo = payload["repository"]
    repo["name"], repo["full_name"] = "mentoring", REPO
    repo["owner"] = person(template, "astro", 1001)
    repo["owner"]["type"] = "Organization"
    applicant = person(template, APPLICANT, 2001)
    coordinator = person(template, COORDINATOR, 2002)
    mentor = person(template, MENTOR, 2003)
    issue = payload["issue"]
    issue["number"] = 1
    issue["title"] = "Mentoring application: Ada Example"
    issue["body"] = FORM_BODY
    issue["user"] = applicant
    issue["author_association"] = "NONE"
    issue["created_at"] = CREATED
    label = copy.deepcopy((issue.get("labels") or example_label())[0])
    label.update(
        name=LABEL,
        color="006b75",
        default=False,
        description="Managed by the mentoring bot: mentoring: application",
        url=f"https://api.github.com/repos/{REPO}/labels/mentoring:%20application",
    )
    issue["labels"] = [label]
    issue["assignee"], issue["assignees"] = None, []
    issue["milestone"] = None
    payload["sender"] = applicant
    if event == "issues" and action in ("assigned", "unassigned"):
        payload["sender"] = coordinator
        payload["assignee"] = mentor
        if action == "assigned":
            issue["assignee"], issue["assignees"] = mentor, [mentor]
    if event == "issues" and action == "edited":
        payload["changes"] = {"body": {"from": FORM_BODY.replace("Maintainer (maintainer)", "")}}
    if event == "issue_comment":
        payload["sender"] = coordinator
        comment = payload["comment"]
        comment["user"] = coordinator
        comment["body"] = f"Welcome, Ada!\n\n/mentor @{MENTOR}\n"
        comment["author_association"] = "MEMBER"
    return payload


def example_label() -> list[dict]:
    return [
        {
            "id": 1362934389,
            "node_id": "MDU6TGFiZWwxMzYyOTM0Mzg5",
            "url": "",
            "name": "",
            "color": "",
            "default": False,
            "description": "",
        }
    ]


def closed_from(reopened: dict) -> dict:
    payload = copy.deepcopy(reopened)
    payload["action"] = "closed"
    payload["issue"]["state"] = "closed"
    payload["issue"]["closed_at"] = "2026-02-01T10:00:00Z"
    payload["issue"]["state_reason"] = "not_planned"
    return payload


def closure(definitions: dict, roots: list[str]) -> dict:
    """The named definitions and every definition they refer to."""

    def refs(value, found: set[str]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "$ref" and isinstance(item, str):
                    found.add(item.rsplit("/", 1)[-1])
                else:
                    refs(item, found)
        elif isinstance(value, list):
            for item in value:
                refs(item, found)

    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        found: set[str] = set()
        refs(definitions[name], found)
        todo.extend(found - seen)
    return {name: definitions[name] for name in sorted(seen)}


def write(name: str, data: dict) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    (HERE / name).write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    modules = Path(argv[1]) if len(argv) > 1 else install()
    examples = json.loads(
        (modules / "@octokit/webhooks-examples/api.github.com/index.json").read_text()
    )
    by_event = {entry["name"]: entry["examples"] for entry in examples}
    written = {}
    for event, action, index in PICKS:
        example = by_event[event][index]
        assert example["action"] == action, (event, action, index)
        written[f"{event}.{action}"] = adapt(event, action, example)
    written["issues.closed"] = closed_from(written["issues.reopened"])
    for name, payload in written.items():
        write(f"{name}.json", payload)
    schema = json.loads((modules / "@octokit/webhooks-schemas/schema.json").read_text())
    write(
        "schema-subset.json",
        {
            "$schema": schema["$schema"],
            "$comment": f"Trimmed from {SCHEMAS} (schema.json) by regenerate.py",
            "definitions": closure(schema["definitions"], DEFINITIONS),
        },
    )
    print(f"wrote {len(written)} payloads and schema-subset.json to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
