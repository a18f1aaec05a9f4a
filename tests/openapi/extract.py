"""Extract the part of GitHub's OpenAPI description that the emulator implements.

Reads ``generated/api.github.com.json`` from the npm package ``@octokit/openapi``, keeps
the operations in ``OPERATIONS`` plus every component they reference (the ``$ref``
closure), points ``servers`` at ``/`` so that requests to 127.0.0.1 validate, drops
request and response examples (not needed to validate), records where it came from in
``x-extracted-from``, and writes ``github-subset.json`` beside this script, compact and
sorted so that a regeneration diffs cleanly.

    cd /tmp/oapi && npm install @octokit/openapi@23.0.2
    python tests/openapi/extract.py /tmp/oapi/node_modules/@octokit/openapi
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

OUTPUT = Path(__file__).with_name("github-subset.json")
REPO = "/repos/{owner}/{repo}"
ISSUE = REPO + "/issues/{issue_number}"
PULL = REPO + "/pulls/{pull_number}"

# (path, methods): every GitHub operation the emulator serves.
OPERATIONS = [
    ("/user", "get"),
    ("/users/{username}", "get"),
    ("/rate_limit", "get"),
    (REPO, "get"),
    (REPO + "/issues", "get post"),
    (ISSUE, "get patch"),
    (ISSUE + "/lock", "put delete"),
    (ISSUE + "/events", "get"),
    (ISSUE + "/comments", "get post"),
    (ISSUE + "/labels", "get post put delete"),
    (ISSUE + "/labels/{name}", "delete"),
    (ISSUE + "/assignees", "post delete"),
    (ISSUE + "/assignees/{assignee}", "get"),
    (REPO + "/issues/comments", "get"),
    (REPO + "/issues/comments/{comment_id}", "get patch delete"),
    (REPO + "/assignees", "get"),
    (REPO + "/assignees/{assignee}", "get"),
    (REPO + "/labels", "get post"),
    (REPO + "/labels/{name}", "get patch delete"),
    (REPO + "/pulls", "get post"),
    (PULL, "get patch"),
    (PULL + "/files", "get"),
    (PULL + "/merge", "get put"),
    (PULL + "/reviews", "get post"),
    (REPO + "/branches", "get"),
    (REPO + "/branches/{branch}", "get"),
    (REPO + "/git/blobs/{file_sha}", "get"),
    (REPO + "/git/ref/{ref}", "get"),
    (REPO + "/git/refs", "post"),
    (REPO + "/git/refs/{ref}", "patch delete"),
    (REPO + "/contents/{path}", "get put delete"),
]


def _refs(node, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref)
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _strip_examples(node):
    """Drop ``examples``/``example`` of media types and parameters (validation ignores them)."""
    if isinstance(node, dict):
        return {
            key: _strip_examples(value)
            for key, value in node.items()
            if not (key == "examples" and isinstance(value, dict) and _is_example_map(value))
        }
    if isinstance(node, list):
        return [_strip_examples(value) for value in node]
    return node


def _is_example_map(value: dict) -> bool:
    return all(isinstance(v, dict) and ("value" in v or "$ref" in v) for v in value.values())


def extract(description: dict, package: dict) -> dict:
    paths: dict[str, dict] = {}
    for path, methods in OPERATIONS:
        item = description["paths"][path]
        kept = {method: item[method] for method in methods.split()}
        if "parameters" in item:
            kept["parameters"] = item["parameters"]
        paths[path] = _strip_examples(kept)

    components: dict[str, dict] = {}
    pending: set[str] = set()
    _refs(paths, pending)
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        _, section, name = ref.removeprefix("#/").split("/", 2)  # components/<section>/<name>
        value = _strip_examples(description["components"][section][name])
        components.setdefault(section, {})[name] = value
        _refs(value, pending)

    return {
        "openapi": description["openapi"],
        "info": description["info"],
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": components,
        "x-extracted-from": {
            "package": package["name"],
            "version": package["version"],
            "file": "generated/api.github.com.json",
            "operations": sum(len(methods.split()) for _, methods in OPERATIONS),
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package_dir", type=Path, help="node_modules/@octokit/openapi")
    args = parser.parse_args()
    package = json.loads((args.package_dir / "package.json").read_text())
    description = json.loads((args.package_dir / "generated/api.github.com.json").read_text())
    subset = extract(description, package)
    OUTPUT.write_text(json.dumps(subset, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size // 1024} KiB) from "
          f"{package['name']}@{package['version']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
