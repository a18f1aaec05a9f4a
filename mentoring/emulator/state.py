"""The emulator's state: users, repositories, issues, git objects, clock, log, faults, events.

Everything that describes GitHub lives in one JSON-serialisable dict (``Emulator.data``)
so it can be dumped, saved and loaded as is. The request log, the fault queue and the
rate-limit counters are runtime diagnostics and are not saved. ``Emulator.mutex`` guards
every access; the HTTP server holds it for the whole of each request.

Listings cost time in proportion to the page they return, not to the repository:
each repository's comments are kept in ``updated_at`` and ``created_at`` order and by
issue (``CommentIndex``, built on first use and updated by every change made through
the emulator), and a filtered, sorted listing is kept between the requests for its
pages until something changes (``Emulator.version``).
"""

from __future__ import annotations

import bisect
import copy
import json
import os
import re
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from mentoring.emulator.git import GitStore

BOT_LOGIN = "github-actions[bot]"
BOT_ID = 41898282
STATE_FORMAT = 1
DEFAULT_BRANCH = "main"
SKIPPED_SEED_DIRS = frozenset({".git", ".venv", "__pycache__", "node_modules"})
MAX_SEED_FILE_BYTES = 1 << 20
RATE_LIMIT = 1000  # GITHUB_TOKEN's requests an hour per repository; see set_rate_limit
RATE_WINDOW_SECONDS = 3600
LISTINGS_KEPT = 16
FAULT_KEYS = frozenset({"method", "path", "status", "retry_after", "count", "apply", "message"})
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def iso(moment: datetime) -> str:
    """GitHub's timestamp format: ``YYYY-MM-DDTHH:MM:SSZ`` in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    """Read an ISO 8601 timestamp; one without a zone is taken as UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class CommentIndex:
    """One repository's comments in ``(updated_at, id)`` and ``(created_at, id)`` order, and
    each issue's comment ids in order: what the listings page through."""

    def __init__(self, comments: dict[str, dict]):
        values = comments.values()
        self.updated = sorted((c["updated_at"], c["id"]) for c in values)
        self.created = sorted((c["created_at"], c["id"]) for c in values)
        self.by_issue: dict[int, list[int]] = {}
        for c in sorted(values, key=lambda c: c["id"]):
            self.by_issue.setdefault(c["issue"], []).append(c["id"])
        self.size = len(comments)

    def add(self, comment: dict) -> None:
        bisect.insort(self.updated, (comment["updated_at"], comment["id"]))
        bisect.insort(self.created, (comment["created_at"], comment["id"]))
        bisect.insort(self.by_issue.setdefault(comment["issue"], []), comment["id"])
        self.size += 1

    def remove(self, comment: dict) -> None:
        _discard(self.updated, (comment["updated_at"], comment["id"]))
        _discard(self.created, (comment["created_at"], comment["id"]))
        _discard(self.by_issue.get(comment["issue"], []), comment["id"])
        self.size -= 1

    def touch(self, comment: dict, updated_at: str) -> None:
        """Move ``comment`` to its new place in the ``updated_at`` order and set the field."""
        _discard(self.updated, (comment["updated_at"], comment["id"]))
        comment["updated_at"] = updated_at
        bisect.insort(self.updated, (updated_at, comment["id"]))


def _discard(items: list, item) -> None:
    at = bisect.bisect_left(items, item)
    if at < len(items) and items[at] == item:
        del items[at]


def read_seed(seed_dir: str | os.PathLike) -> dict[str, bytes]:
    """The files under ``seed_dir`` by relative POSIX path, minus tool folders and big files."""
    root = Path(seed_dir)
    files = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_SEED_DIRS)
        for name in sorted(names):
            path = Path(folder, name)
            if path.is_file() and path.stat().st_size <= MAX_SEED_FILE_BYTES:
                files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


class Emulator:
    """In-memory GitHub: the data, the rules shared by several endpoints, and admin helpers."""

    def __init__(self, seed_dir: str | os.PathLike | None = None, data: dict | None = None):
        self.mutex = threading.RLock()
        self.base_url = "http://127.0.0.1"  # the server sets its own URL once bound
        self._log: list[dict] = []
        self.served = 0  # requests answered since the emulator started (the log may be cleared)
        self._faults: list[dict] = []
        self._rate: dict[str, dict] = {}
        self.rate_limit = RATE_LIMIT
        self.version = 0  # bumped by every change: kept listings are valid while it stands
        self._listings: dict[tuple, list] = {}
        self._comment_indexes: dict[str, CommentIndex] = {}
        self.shapes: dict[tuple, dict] = {}  # rendered shapes that never change (users)
        if data is None:
            data = self._fresh_data()
        elif data.get("format") != STATE_FORMAT:
            raise ValueError(f"unsupported emulator state format: {data.get('format')!r}")
        self.data = data
        self.git = GitStore(data["blobs"], data["commits"])
        if data["seed_commit"] is None:
            data["seed_commit"] = self._seed_commit(read_seed(seed_dir) if seed_dir else {})

    # ----------------------------------------------------------------- persistence

    @classmethod
    def load(cls, path: str | os.PathLike) -> Emulator:
        with open(path, encoding="utf-8") as handle:
            return cls(data=json.load(handle))

    def save(self, path: str | os.PathLike) -> None:
        """Write the state next to ``path`` first, then rename it over: never a half file."""
        target = Path(path)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        with self.mutex:
            text = json.dumps(self.data, sort_keys=True, separators=(",", ":"))
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)

    def snapshot(self) -> dict:
        """A deep copy of the whole state."""
        with self.mutex:
            return copy.deepcopy(self.data)

    def _fresh_data(self) -> dict:
        return {
            "format": STATE_FORMAT,
            "now": None,
            "next_id": 1001,
            "users": {
                BOT_LOGIN: {
                    "login": BOT_LOGIN,
                    "id": BOT_ID,
                    "type": "Bot",
                    "created_at": "2019-03-05T18:38:03Z",
                    "deleted": False,
                }
            },
            "repos": {},
            "blobs": {},
            "commits": {},
            "seed_commit": None,
            "events": [],
        }

    def _seed_commit(self, files: dict[str, bytes]) -> str:
        tree = {path: self.git.put_blob(content) for path, content in files.items()}
        author = {
            "name": "mentoring emulator",
            "email": "emulator@localhost",
            "date": self.now_iso(),
            "login": None,
        }
        return self.git.put_commit(tree, [], "Initial commit", author)

    # ----------------------------------------------------------------------- clock

    def now(self) -> datetime:
        """The emulator's clock: pinned by ``set_now``, otherwise real UTC time (whole seconds)."""
        pinned = self.data["now"]
        moment = parse_iso(pinned) if pinned else datetime.now(UTC)
        return moment.replace(microsecond=0)

    def now_iso(self) -> str:
        return iso(self.now())

    def set_now(self, moment: datetime | None) -> None:
        """Pin the clock at ``moment``; ``None`` returns to real time."""
        with self.mutex:
            if moment is not None and moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            self.data["now"] = iso(moment) if moment else None

    def next_id(self) -> int:
        value = self.data["next_id"]
        self.data["next_id"] = value + 1
        return value

    # ----------------------------------------------------------------------- users

    def user(self, login: str) -> dict:
        """The user record for ``login``, created on first reference (deleted ones included)."""
        key = login.lower()
        record = self.data["users"].get(key)
        if record is None:
            record = {
                "login": login,
                "id": self.next_id(),
                "type": "Bot" if login.endswith("[bot]") else "User",
                "created_at": self.now_iso(),
                "deleted": False,
            }
            self.data["users"][key] = record
        return record

    def is_active(self, login: str | None) -> bool:
        return bool(login) and not self.user(login)["deleted"]

    def delete_user(self, login: str) -> None:
        """Delete an account: its issues and comments show ``user: null`` (GitHub's ghost)."""
        with self.mutex:
            self.user(login)["deleted"] = True
            self.changed()

    # ---------------------------------------------------------------- repositories

    @staticmethod
    def valid_login(login: str) -> bool:
        return bool(_NAME.match(login.removesuffix("[bot]")))

    @staticmethod
    def valid_repo_name(owner: str, name: str) -> bool:
        return bool(_NAME.match(owner) and _NAME.match(name))

    def repo(self, full_name: str) -> dict:
        """The repository ``owner/name``, created on first use with the seed files on main."""
        owner, _, name = full_name.partition("/")
        if not self.valid_repo_name(owner, name):
            raise ValueError(f"not a repository name: {full_name!r}")
        key = full_name.lower()
        record = self.data["repos"].get(key)
        if record is None:
            now = self.now_iso()
            record = {
                "id": self.next_id(),
                "owner": self.user(owner)["login"],
                "name": name,
                "created_at": now,
                "updated_at": now,
                "pushed_at": now,
                "fork": False,
                "default_branch": DEFAULT_BRANCH,
                "collaborators": None,
                "branches": {DEFAULT_BRANCH: self.data["seed_commit"]},
                "next_number": 1,
                "labels": {},
                "issues": {},
                "comments": {},
                "moved": {},
            }
            self.data["repos"][key] = record
        return record

    @staticmethod
    def full_name(repo: dict) -> str:
        return f"{repo['owner']}/{repo['name']}"

    def set_collaborators(self, repo: str, logins: list[str]) -> None:
        """From now on only the owner and these logins are assignable (plus per-issue people)."""
        with self.mutex:
            self.repo(repo)["collaborators"] = [self.user(login)["login"] for login in logins]
            self.changed()

    def association(self, repo: dict, login: str | None) -> str:
        """``author_association`` of ``login`` in ``repo``."""
        if not login:
            return "NONE"
        if login.lower() == repo["owner"].lower():
            return "OWNER"
        if login.lower() in {c.lower() for c in repo["collaborators"] or ()}:
            return "COLLABORATOR"
        return "NONE"

    def assignable(self, repo: dict, login: str, issue: dict | None = None) -> bool:
        """Everyone until collaborators are set; then the owner, collaborators, issue people."""
        if not self.is_active(login):
            return False
        if repo["collaborators"] is None or self.association(repo, login) != "NONE":
            return True
        if issue is None:
            return False
        people = {issue["user"].lower()} | {
            (comment["user"] or "").lower() for comment in self.issue_comments(repo, issue)
        }
        return login.lower() in people

    # ------------------------------------------------------------- indexes, listings

    def changed(self) -> None:
        """Something changed: listings kept for their next pages are computed afresh."""
        self.version += 1
        self._listings.clear()

    def listing(self, key: tuple, compute) -> list:
        """The result of ``compute()`` for a listing's query, kept while nothing changes,
        so that reading a listing page by page sorts and filters it once."""
        found = self._listings.get(key)
        if found is None:
            if len(self._listings) >= LISTINGS_KEPT:
                self._listings.clear()
            found = self._listings[key] = compute()
        return found

    def comment_index(self, repo: dict) -> CommentIndex:
        """The repository's comment orders, rebuilt if its comments were changed directly."""
        key = self.full_name(repo).lower()
        index = self._comment_indexes.get(key)
        if index is None or index.size != len(repo["comments"]):
            index = self._comment_indexes[key] = CommentIndex(repo["comments"])
        return index

    def issue_comments(self, repo: dict, issue: dict) -> list[dict]:
        """The issue's comments, oldest first."""
        ids = self.comment_index(repo).by_issue.get(issue["number"], ())
        return [repo["comments"][str(i)] for i in ids]

    def add_comment(self, repo: dict, comment: dict) -> None:
        index = self.comment_index(repo)
        repo["comments"][str(comment["id"])] = comment
        index.add(comment)
        self.changed()

    def edit_comment(self, repo: dict, comment: dict, body: str) -> None:
        self.comment_index(repo).touch(comment, self.now_iso())
        comment["body"] = body
        self.changed()

    def remove_comment(self, repo: dict, comment: dict) -> None:
        index = self.comment_index(repo)
        del repo["comments"][str(comment["id"])]
        index.remove(comment)
        self.changed()

    # ---------------------------------------------------------------------- issues

    def new_issue(self, repo: dict, author: str, title: str, body: str | None) -> dict:
        """Take the repo's next number (shared by issues and pull requests) for a new issue."""
        now = self.now_iso()
        number = repo["next_number"]
        repo["next_number"] = number + 1
        issue = {
            "number": number,
            "id": self.next_id(),
            "title": title,
            "body": body,
            "user": author,
            "state": "open",
            "state_reason": None,
            "locked": False,
            "active_lock_reason": None,
            "labels": [],
            "assignees": [],
            "comments": 0,
            "created_at": now,
            "updated_at": now,
            "closed_at": None,
            "closed_by": None,
            "deleted": False,
            "events": [],
            "pull": None,
        }
        repo["issues"][str(number)] = issue
        return issue

    def add_issue_event(self, issue: dict, event: str, actor: str | None, **fields) -> None:
        """Record an entry for ``GET /issues/{n}/events`` and bump ``updated_at``."""
        now = self.now_iso()
        issue["events"].append(
            {"id": self.next_id(), "event": event, "actor": actor, "created_at": now, **fields}
        )
        issue["updated_at"] = now

    def close_issue(self, issue: dict, actor: str | None, reason: str = "completed", **fields):
        now = self.now_iso()
        issue.update(state="closed", state_reason=reason, closed_at=now, closed_by=actor)
        self.add_issue_event(issue, "closed", actor, **fields)

    def reopen_issue(self, issue: dict, actor: str | None) -> None:
        issue.update(state="open", state_reason="reopened", closed_at=None, closed_by=None)
        self.add_issue_event(issue, "reopened", actor)

    def _existing_issue(self, repo: str, number: int) -> tuple[dict, dict]:
        record = self.repo(repo)
        issue = record["issues"].get(str(number))
        if issue is None or issue["deleted"]:
            raise KeyError(f"{repo}#{number} does not exist")
        return record, issue

    def lock(self, repo: str, number: int, reason: str | None = None) -> None:
        """Lock the conversation as the repository owner would."""
        with self.mutex:
            record, issue = self._existing_issue(repo, number)
            issue.update(locked=True, active_lock_reason=reason)
            self.add_issue_event(issue, "locked", record["owner"], lock_reason=reason)
            self.changed()

    def delete_issue(self, repo: str, number: int) -> None:
        """Delete an issue: its URL then answers 410 Gone."""
        with self.mutex:
            self._existing_issue(repo, number)[1]["deleted"] = True
            self.changed()

    def transfer_issue(self, repo: str, number: int, to_repo: str) -> int:
        """Move an issue and its comments to ``to_repo``; the old URL answers 301.

        Returns the issue's number in ``to_repo``.
        """
        with self.mutex:
            source, issue = self._existing_issue(repo, number)
            if issue["pull"] is not None:
                raise ValueError("pull requests cannot be transferred")
            target = self.repo(to_repo)
            if target is source:
                raise ValueError("an issue cannot be transferred to its own repository")
            moved = self.new_issue(target, issue["user"], issue["title"], issue["body"])
            for key in (
                "id",
                "state",
                "state_reason",
                "locked",
                "active_lock_reason",
                "comments",
                "created_at",
                "closed_at",
                "closed_by",
                "events",
                "assignees",
            ):
                moved[key] = issue[key]
            names = {label["id"]: label for label in source["labels"].values()}
            moved["labels"] = [
                self.label(
                    target,
                    names[label_id]["name"],
                    names[label_id]["color"],
                    names[label_id]["description"],
                )["id"]
                for label_id in issue["labels"]
            ]
            for comment in self.issue_comments(source, issue):
                comment["issue"] = moved["number"]
                key = str(comment["id"])
                target["comments"][key] = source["comments"].pop(key)
            for record in (source, target):
                self._comment_indexes.pop(self.full_name(record).lower(), None)
            self.changed()
            del source["issues"][str(number)]
            source["moved"][str(number)] = [self.full_name(target), moved["number"]]
            moved["updated_at"] = self.now_iso()
            return moved["number"]

    # ---------------------------------------------------------------------- labels

    def find_label(self, repo: dict, name: str) -> dict | None:
        return repo["labels"].get(name.lower())

    def label(
        self, repo: dict, name: str, color: str = "ededed", description: str | None = None
    ) -> dict:
        """The label ``name`` (case-insensitive), created with ``color`` if missing."""
        existing = self.find_label(repo, name)
        if existing is not None:
            return existing
        record = {
            "id": self.next_id(),
            "name": name,
            "color": color,
            "description": description,
            "default": False,
        }
        repo["labels"][name.lower()] = record
        return record

    def labels_by_id(self, repo: dict) -> dict[int, dict]:
        return {label["id"]: label for label in repo["labels"].values()}

    # ----------------------------------------------------------------- diagnostics

    def record_request(self, entry: dict) -> None:
        self._log.append(entry)
        self.served += 1

    def log(self) -> list[dict]:
        """Every GitHub API request served: method, path, query, status, login."""
        with self.mutex:
            return copy.deepcopy(self._log)

    def clear_log(self) -> None:
        with self.mutex:
            self._log.clear()

    def add_fault(self, fault: dict) -> None:
        """Queue an injected error for the next ``count`` requests matching method and path."""
        unknown = fault.keys() - FAULT_KEYS
        if unknown:
            raise ValueError(f"unknown fault keys: {sorted(unknown)}")
        if "path" not in fault or "status" not in fault:
            raise ValueError("a fault needs at least 'path' and 'status'")
        re.compile(fault["path"])
        entry = {
            "method": (fault.get("method") or "").upper() or None,
            "path": fault["path"],
            "status": int(fault["status"]),
            "retry_after": fault.get("retry_after"),
            "count": int(fault.get("count", 1)),
            "apply": bool(fault.get("apply", False)),
            "message": fault.get("message"),
        }
        if entry["count"] < 1:
            raise ValueError("a fault's count must be at least 1")
        with self.mutex:
            self._faults.append(entry)

    def clear_faults(self) -> None:
        with self.mutex:
            self._faults.clear()

    def take_fault(self, method: str, path: str) -> dict | None:
        """Consume one use of the first queued fault matching this request, if any."""
        for fault in self._faults:
            if fault["method"] in (None, method) and re.search(fault["path"], path):
                fault["count"] -= 1
                if fault["count"] == 0:
                    self._faults.remove(fault)
                return dict(fault)
        return None

    def emit(self, name: str, payload: dict) -> None:
        """Queue a webhook delivery, as GitHub would send to Actions."""
        self.data["events"].append({"name": name, "payload": payload})

    def events(self) -> list[dict]:
        """Drain the queued webhook deliveries: ``[{"name": ..., "payload": {...}}]``."""
        with self.mutex:
            drained = self.data["events"]
            self.data["events"] = []
            return drained

    def set_rate_limit(self, limit: int) -> None:
        """Allow ``limit`` requests an hour per token, every token's window starting afresh."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise ValueError("the limit must be a whole number of at least 0")
        with self.mutex:
            self.rate_limit = limit
            self._rate.clear()

    def count_request(self, token_key: str, counted: bool) -> dict:
        """Rate-limit figures for a token after this request.

        A token's window is an hour of the emulator's clock (simulated days each get
        their own); ``reset`` is given in real epoch seconds, as many seconds ahead as
        are left in the window, so that a client's wait works out right. ``exceeded``
        says the request is over the limit and must be refused.
        """
        now = self.now().timestamp()
        window = self._rate.get(token_key)
        if window is None or now >= window["reset"] or now < window["start"]:
            window = {"used": 0, "start": now, "reset": now + RATE_WINDOW_SECONDS}
            self._rate[token_key] = window
        exceeded = counted and window["used"] >= self.rate_limit
        if counted and not exceeded:
            window["used"] += 1
        left = max(int(window["reset"] - now), 0)
        return {
            "limit": self.rate_limit,
            "used": window["used"],
            "remaining": max(self.rate_limit - window["used"], 0),
            "reset": int(time.time()) + left,
            "exceeded": exceeded,
        }
