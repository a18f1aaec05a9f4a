"""Contributions written straight into the emulator's state, at given moments: pull requests
(opened, merged), issues, comments, reviews and review comments, for the cohort demo,
the activity benchmark and tests (what people do in the project's repositories)."""

from __future__ import annotations

from datetime import datetime

from mentoring.emulator.state import Emulator, iso


def _stamp(record: dict, when: datetime) -> None:
    record["created_at"] = record["updated_at"] = iso(when)


def issue(emu: Emulator, repo: str, author: str, when: datetime, title: str = "A bug") -> dict:
    """An issue opened by ``author`` at ``when``."""
    record = emu.repo(repo)
    found = emu.new_issue(record, author, title, "Found while reading the docs.")
    _stamp(found, when)
    return found


def pull(
    emu: Emulator,
    repo: str,
    author: str,
    when: datetime,
    merged: datetime | None = None,
    title: str = "Fix a typo",
) -> dict:
    """A pull request opened by ``author`` at ``when``, merged at ``merged`` if given (its head
    is the seed commit, so it changes nothing: the listings only need its facts)."""
    record = emu.repo(repo)
    found = emu.new_issue(record, author, title, "A small fix.")
    _stamp(found, when)
    seed = emu.data["seed_commit"]
    found["pull"] = {
        "id": emu.next_id(),
        "head_repo": emu.full_name(record),
        "head_ref": f"{author}-{found['number']}",
        "head_sha": seed,
        "base_ref": record["default_branch"],
        "base_sha": seed,
        "merge_base": seed if merged else None,
        "merged": merged is not None,
        "merged_at": iso(merged) if merged else None,
        "merged_by": "maintainer" if merged else None,
        "merge_commit_sha": seed if merged else None,
        "reviews": [],
    }
    if merged is not None:
        found["state"], found["state_reason"] = "closed", "completed"
        found["closed_at"] = found["updated_at"] = iso(merged)
    return found


def review(emu: Emulator, repo: str, number: int, author: str, when: datetime) -> dict:
    """A submitted review (a comment) of pull request ``number``."""
    found = emu.repo(repo)["issues"][str(number)]
    record = {
        "id": emu.next_id(),
        "user": author,
        "body": "Looks good to me.",
        "state": "COMMENTED",
        "commit_id": found["pull"]["head_sha"],
        "submitted_at": iso(when),
    }
    found["pull"]["reviews"].append(record)
    found["updated_at"] = max(found["updated_at"], iso(when))
    return record


def comment(emu: Emulator, repo: str, number: int, author: str, when: datetime) -> dict:
    """A comment on issue or pull request ``number``."""
    record = emu.repo(repo)
    found = record["issues"][str(number)]
    entry = {
        "id": emu.next_id(),
        "issue": number,
        "user": author,
        "body": "I can reproduce this.",
        "created_at": iso(when),
        "updated_at": iso(when),
    }
    record["comments"][str(entry["id"])] = entry
    found["comments"] += 1
    found["updated_at"] = max(found["updated_at"], iso(when))
    return entry


def review_comment(emu: Emulator, repo: str, number: int, author: str, when: datetime) -> dict:
    """A review comment on a line of pull request ``number``."""
    record = emu.repo(repo)
    entry = {
        "id": emu.next_id(),
        "pull": number,
        "user": author,
        "body": "Nit: a comma here.",
        "path": "README.md",
        "created_at": iso(when),
        "updated_at": iso(when),
    }
    record.setdefault("review_comments", {})[str(entry["id"])] = entry
    return entry
