"""Git objects for the emulator: blobs, flat trees, commits, merge bases and diffs.

Objects live in two JSON-serialisable maps owned by the emulator's state: ``blobs``
(git blob sha -> base64 content) and ``commits`` (sha -> commit record). A tree is a
flat mapping of file path to blob sha, which is all the emulated REST endpoints need.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import json
from collections import deque
from dataclasses import dataclass


def blob_sha(content: bytes) -> str:
    """The sha git itself gives a blob with this content."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def tree_sha(tree: dict[str, str]) -> str:
    """A stable sha for a flat tree (not git's tree format, which needs nested trees)."""
    return hashlib.sha1(b"tree\0" + json.dumps(tree, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class FileChange:
    """One file's difference between two trees, as ``GET /pulls/{n}/files`` lists it."""

    filename: str
    status: str  # added | modified | removed
    sha: str  # blob sha on the head side (base side for a removed file)
    additions: int
    deletions: int
    patch: str | None  # unified diff hunks; None for binary content


class MergeConflict(Exception):
    """Both sides changed the same file differently since their merge base."""


class GitStore:
    """Blobs and commits over the state's JSON maps; every method is a plain lookup or insert."""

    def __init__(self, blobs: dict[str, str], commits: dict[str, dict]) -> None:
        self.blobs = blobs
        self.commits = commits

    def put_blob(self, content: bytes) -> str:
        sha = blob_sha(content)
        self.blobs.setdefault(sha, base64.b64encode(content).decode("ascii"))
        return sha

    def blob(self, sha: str) -> bytes:
        return base64.b64decode(self.blobs[sha])

    def has_blob(self, sha: str) -> bool:
        return sha in self.blobs

    def commit(self, sha: str) -> dict:
        return self.commits[sha]

    def has_commit(self, sha: str) -> bool:
        return sha in self.commits

    def tree(self, sha: str) -> dict[str, str]:
        """The flat tree (path -> blob sha) of a commit."""
        return self.commits[sha]["tree"]

    def put_commit(
        self, tree: dict[str, str], parents: list[str], message: str, author: dict
    ) -> str:
        """Store a commit; ``author`` is ``{"name", "email", "date", "login"}``."""
        record = {
            "tree": dict(sorted(tree.items())),
            "parents": parents,
            "message": message,
            "author": author,
        }
        sha = hashlib.sha1(b"commit\0" + json.dumps(record, sort_keys=True).encode()).hexdigest()
        self.commits.setdefault(sha, record)
        return sha

    def ancestors(self, sha: str) -> list[str]:
        """``sha`` and every commit reachable from it, nearest first."""
        seen: dict[str, None] = {}
        queue = deque([sha])
        while queue:
            current = queue.popleft()
            if current in seen:
                continue
            seen[current] = None
            queue.extend(self.commits[current]["parents"])
        return list(seen)

    def merge_base(self, a: str, b: str) -> str | None:
        ancestors_of_a = set(self.ancestors(a))
        return next((sha for sha in self.ancestors(b) if sha in ancestors_of_a), None)

    def commits_between(self, base: str, head: str) -> int:
        """How many commits ``head`` has that ``base`` has not."""
        in_base = set(self.ancestors(base))
        return sum(1 for sha in self.ancestors(head) if sha not in in_base)

    def merged_tree(self, base: str, head: str) -> dict[str, str]:
        """Apply head's changes since the merge base onto ``base``'s tree."""
        ancestor = self.merge_base(base, head)
        old = self.tree(ancestor) if ancestor else {}
        ours, theirs = self.tree(base), self.tree(head)
        result = dict(ours)
        for path in old.keys() | theirs.keys():
            if old.get(path) == theirs.get(path):
                continue
            if ours.get(path) not in (old.get(path), theirs.get(path)):
                raise MergeConflict(path)
            if path in theirs:
                result[path] = theirs[path]
            else:
                result.pop(path, None)
        return result

    def diff(self, old: dict[str, str], new: dict[str, str]) -> list[FileChange]:
        """File changes from tree ``old`` to tree ``new``, sorted by path."""
        changes = []
        for path in sorted(old.keys() | new.keys()):
            before, after = old.get(path), new.get(path)
            if before == after:
                continue
            status = "added" if before is None else "removed" if after is None else "modified"
            patch, additions, deletions = self._patch(before, after)
            changes.append(FileChange(path, status, after or before, additions, deletions, patch))
        return changes

    def _patch(self, before: str | None, after: str | None) -> tuple[str | None, int, int]:
        try:
            old_lines = self.blob(before).decode("utf-8").splitlines() if before else []
            new_lines = self.blob(after).decode("utf-8").splitlines() if after else []
        except UnicodeDecodeError:
            return None, 0, 0
        hunks = list(difflib.unified_diff(old_lines, new_lines, n=3, lineterm=""))[2:]
        additions = sum(1 for line in hunks if line.startswith("+"))
        deletions = sum(1 for line in hunks if line.startswith("-"))
        return "\n".join(hunks), additions, deletions
