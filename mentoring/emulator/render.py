"""GitHub's JSON shapes for the emulator's records.

Each function turns a stored record into the object GitHub's REST API (and its webhook
payloads) would show, following the OpenAPI description's schemas. Absolute URLs use
the emulator's own base URL: API URLs sit at the root (``/repos/...``), or under
``/api/v3`` when the request came that way (``api_root``), web URLs at
``/{owner}/{repo}/...`` as on a GitHub Enterprise host.
"""

from __future__ import annotations

import base64
from contextvars import ContextVar
from urllib.parse import quote

from mentoring.emulator.git import FileChange, tree_sha
from mentoring.emulator.state import Emulator

MAX_INLINE_CONTENT = 1 << 20  # GitHub's contents API sends no content for bigger files
UNSIGNED = {
    "verified": False,
    "reason": "unsigned",
    "signature": None,
    "payload": None,
    "verified_at": None,
}


def node_id(kind: str, key: int | str) -> str:
    """A node id in GitHub's legacy format: base64 of ``"{len(kind):02d}:{kind}{key}"``
    (made each time: about 1 µs, where keeping them held megabytes at N=10,000)."""
    return base64.b64encode(f"{len(kind):02d}:{kind}{key}".encode()).decode("ascii")


# "/api/v3" while answering a request made as to GitHub Enterprise Server, else "".
# Set by the server for each request (each runs in its own thread, under the mutex).
API_PREFIX: ContextVar[str] = ContextVar("api_prefix", default="")


def api_root(emu: Emulator) -> str:
    """Where API URLs point: the emulator's root, or ROOT/api/v3 as on Enterprise Server."""
    return emu.base_url + API_PREFIX.get()


def _repo_urls(emu: Emulator, repo: dict) -> tuple[str, str]:
    full = emu.full_name(repo)
    return f"{api_root(emu)}/repos/{full}", f"{emu.base_url}/{full}"


# ----------------------------------------------------------------------------- users


def user(emu: Emulator, login: str | None) -> dict | None:
    """A simple-user object, or None for nobody and for deleted accounts (GitHub's ghost)."""
    if not login:
        return None
    record = emu.user(login)
    return None if record["deleted"] else _simple_user(emu, record)


def _simple_user(emu: Emulator, record: dict) -> dict:
    """The simple-user shape, made once per account (its fields never change)."""
    key = (record["id"], emu.base_url)
    shape = emu.shapes.get(key)
    if shape is None:
        shape = emu.shapes[key] = _make_simple_user(emu, record)
    return dict(shape)


def _make_simple_user(emu: Emulator, record: dict) -> dict:
    login, base = record["login"], emu.base_url
    url = f"{api_root(emu)}/users/{quote(login, safe='')}"
    is_bot = record["type"] == "Bot"
    return {
        "login": login,
        "id": record["id"],
        "node_id": node_id(record["type"], record["id"]),
        "avatar_url": f"{base}/avatars/u/{record['id']}?v=4",
        "gravatar_id": "",
        "url": url,
        "html_url": f"{base}/apps/{login.removesuffix('[bot]')}" if is_bot else f"{base}/{login}",
        "followers_url": f"{url}/followers",
        "following_url": f"{url}/following{{/other_user}}",
        "gists_url": f"{url}/gists{{/gist_id}}",
        "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{url}/subscriptions",
        "organizations_url": f"{url}/orgs",
        "repos_url": f"{url}/repos",
        "events_url": f"{url}/events{{/privacy}}",
        "received_events_url": f"{url}/received_events",
        "type": record["type"],
        "user_view_type": "public",
        "site_admin": False,
    }


def public_user(emu: Emulator, record: dict) -> dict:
    """``GET /users/{login}``: the public profile."""
    owned = sum(1 for repo in emu.data["repos"].values() if repo["owner"] == record["login"])
    return {
        **_simple_user(emu, record),
        "name": None,
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "twitter_username": None,
        "public_repos": owned,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": record["created_at"],
        "updated_at": record["created_at"],
    }


def private_user(emu: Emulator, record: dict) -> dict:
    """``GET /user``: the authenticated user's own profile."""
    return {
        **public_user(emu, record),
        "user_view_type": "private",
        "private_gists": 0,
        "total_private_repos": 0,
        "owned_private_repos": 0,
        "disk_usage": 0,
        "collaborators": 0,
        "two_factor_authentication": True,
    }


# ---------------------------------------------------------------------- repositories


def repository(emu: Emulator, repo: dict, permissions: dict | None = None) -> dict:
    """A repository (the full shape ``GET /repos/{o}/{r}`` answers; nested copies too)."""
    api, html = _repo_urls(emu, repo)
    full = emu.full_name(repo)
    open_count = emu.listing(
        ("open issues", full.lower()),
        lambda: [
            sum(1 for i in repo["issues"].values() if i["state"] == "open" and not i["deleted"])
        ],
    )[0]
    host = emu.base_url.split("://", 1)[-1]
    shape = {
        "id": repo["id"],
        "node_id": node_id("Repository", repo["id"]),
        "name": repo["name"],
        "full_name": full,
        "owner": user(emu, repo["owner"]),
        "private": False,
        "html_url": html,
        "description": None,
        "fork": repo["fork"],
        "url": api,
        "archive_url": f"{api}/{{archive_format}}{{/ref}}",
        "assignees_url": f"{api}/assignees{{/user}}",
        "blobs_url": f"{api}/git/blobs{{/sha}}",
        "branches_url": f"{api}/branches{{/branch}}",
        "collaborators_url": f"{api}/collaborators{{/collaborator}}",
        "comments_url": f"{api}/comments{{/number}}",
        "commits_url": f"{api}/commits{{/sha}}",
        "compare_url": f"{api}/compare/{{base}}...{{head}}",
        "contents_url": f"{api}/contents/{{+path}}",
        "contributors_url": f"{api}/contributors",
        "deployments_url": f"{api}/deployments",
        "downloads_url": f"{api}/downloads",
        "events_url": f"{api}/events",
        "forks_url": f"{api}/forks",
        "git_commits_url": f"{api}/git/commits{{/sha}}",
        "git_refs_url": f"{api}/git/refs{{/sha}}",
        "git_tags_url": f"{api}/git/tags{{/sha}}",
        "git_url": f"git://{host}/{full}.git",
        "issue_comment_url": f"{api}/issues/comments{{/number}}",
        "issue_events_url": f"{api}/issues/events{{/number}}",
        "issues_url": f"{api}/issues{{/number}}",
        "keys_url": f"{api}/keys{{/key_id}}",
        "labels_url": f"{api}/labels{{/name}}",
        "languages_url": f"{api}/languages",
        "merges_url": f"{api}/merges",
        "milestones_url": f"{api}/milestones{{/number}}",
        "notifications_url": f"{api}/notifications{{?since,all,participating}}",
        "pulls_url": f"{api}/pulls{{/number}}",
        "releases_url": f"{api}/releases{{/id}}",
        "ssh_url": f"git@{host}:{full}.git",
        "stargazers_url": f"{api}/stargazers",
        "statuses_url": f"{api}/statuses/{{sha}}",
        "subscribers_url": f"{api}/subscribers",
        "subscription_url": f"{api}/subscription",
        "tags_url": f"{api}/tags",
        "teams_url": f"{api}/teams",
        "trees_url": f"{api}/git/trees{{/sha}}",
        "clone_url": f"{html}.git",
        "mirror_url": None,
        "hooks_url": f"{api}/hooks",
        "svn_url": html,
        "homepage": None,
        "language": None,
        "forks_count": 0,
        "forks": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "watchers": 0,
        "size": 0,
        "default_branch": repo["default_branch"],
        "open_issues_count": open_count,
        "open_issues": open_count,
        "is_template": False,
        "topics": [],
        "has_issues": True,
        "has_projects": True,
        "has_wiki": True,
        "has_pages": False,
        "has_downloads": True,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "visibility": "public",
        "pushed_at": repo["pushed_at"],
        "created_at": repo["created_at"],
        "updated_at": repo["updated_at"],
        "allow_forking": True,
        "web_commit_signoff_required": False,
        "license": None,
        "network_count": 0,
        "subscribers_count": 0,
    }
    if permissions is not None:
        shape["permissions"] = permissions
    return shape


# ------------------------------------------------------------------ issues, comments


def label(emu: Emulator, repo: dict, record: dict) -> dict:
    """A label, its shape made once per label and version of it (every issue listed shows
    its labels: a page of 100 issues would otherwise quote the same names hundreds of times)."""
    api, _ = _repo_urls(emu, repo)
    fields = ("id", "name", "color", "description", "default")
    key = ("label", api, *(record[f] for f in fields))
    shape = emu.shapes.get(key)
    if shape is None:
        shape = emu.shapes[key] = {
            "id": record["id"],
            "node_id": node_id("Label", record["id"]),
            "url": f"{api}/labels/{quote(record['name'])}",
            "name": record["name"],
            "color": record["color"],
            "description": record["description"],
            "default": record["default"],
        }
    return dict(shape)


def _issue_labels(emu: Emulator, repo: dict, issue: dict) -> list[dict]:
    by_id = emu.labels_by_id(repo)
    records = sorted(
        (by_id[i] for i in issue["labels"] if i in by_id), key=lambda r: r["name"].lower()
    )
    return [label(emu, repo, record) for record in records]


def _assignees(emu: Emulator, issue: dict) -> list[dict]:
    return [u for u in (user(emu, login) for login in issue["assignees"]) if u is not None]


def issue(emu: Emulator, repo: dict, record: dict) -> dict:
    """An issue (pull requests too, with their ``pull_request`` key)."""
    api, html = _repo_urls(emu, repo)
    number = record["number"]
    url = f"{api}/issues/{number}"
    assignees = _assignees(emu, record)
    shape = {
        "id": record["id"],
        "node_id": node_id("Issue", record["id"]),
        "url": url,
        "repository_url": api,
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": f"{html}/{'pull' if record['pull'] else 'issues'}/{number}",
        "number": number,
        "state": record["state"],
        "state_reason": record["state_reason"],
        "title": record["title"],
        "body": record["body"],
        "user": user(emu, record["user"]),
        "labels": _issue_labels(emu, repo, record),
        "assignee": assignees[0] if assignees else None,
        "assignees": assignees,
        "milestone": None,
        "locked": record["locked"],
        "active_lock_reason": record["active_lock_reason"],
        "comments": record["comments"],
        "closed_at": record["closed_at"],
        "created_at": record["created_at"],
        "updated_at": record["updated_at"],
        "closed_by": user(emu, record["closed_by"]),
        "author_association": emu.association(repo, record["user"]),
        "timeline_url": f"{url}/timeline",
        "performed_via_github_app": None,
    }
    if record["pull"] is not None:
        shape["draft"] = False
        shape["pull_request"] = {
            "url": f"{api}/pulls/{number}",
            "html_url": f"{html}/pull/{number}",
            "diff_url": f"{html}/pull/{number}.diff",
            "patch_url": f"{html}/pull/{number}.patch",
            "merged_at": record["pull"]["merged_at"],
        }
    return shape


def comment(emu: Emulator, repo: dict, record: dict) -> dict:
    api, html = _repo_urls(emu, repo)
    return {
        "id": record["id"],
        "node_id": node_id("IssueComment", record["id"]),
        "url": f"{api}/issues/comments/{record['id']}",
        "html_url": f"{html}/issues/{record['issue']}#issuecomment-{record['id']}",
        "issue_url": f"{api}/issues/{record['issue']}",
        "body": record["body"],
        "user": user(emu, record["user"]),
        "created_at": record["created_at"],
        "updated_at": record["updated_at"],
        "author_association": emu.association(repo, record["user"]),
        "performed_via_github_app": None,
    }


def issue_event(emu: Emulator, repo: dict, event: dict) -> dict:
    """One entry of ``GET /issues/{n}/events``."""
    api, _ = _repo_urls(emu, repo)
    shape = {
        "id": event["id"],
        "node_id": node_id("IssueEvent", event["id"]),
        "url": f"{api}/issues/events/{event['id']}",
        "actor": user(emu, event["actor"]),
        "event": event["event"],
        "commit_id": event.get("commit_id"),
        "commit_url": f"{api}/commits/{event['commit_id']}" if event.get("commit_id") else None,
        "created_at": event["created_at"],
        "performed_via_github_app": None,
    }
    if "label" in event:
        shape["label"] = event["label"]
    if "assignee" in event:
        shape["assignee"] = user(emu, event["assignee"])
        shape["assigner"] = user(emu, event["actor"])
    if event["event"] == "locked":
        shape["lock_reason"] = event.get("lock_reason")
    if event["event"] in ("closed", "reopened"):
        shape["state_reason"] = event.get("state_reason")
    return shape


# --------------------------------------------------------------------- pull requests


def _pr_side(emu: Emulator, repo_name: str, ref: str, sha: str) -> dict:
    repo = emu.repo(repo_name)
    return {
        "label": f"{repo['owner']}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": user(emu, repo["owner"]),
        "repo": repository(emu, repo),
    }


def pull(emu: Emulator, repo: dict, record: dict, facts: dict) -> dict:
    """A pull request; ``facts`` holds the computed git figures (see ``api.pull_facts``)."""
    api, html = _repo_urls(emu, repo)
    pr, number = record["pull"], record["number"]
    url = f"{api}/pulls/{number}"
    assignees = _assignees(emu, record)
    links = {
        "self": url,
        "html": f"{html}/pull/{number}",
        "issue": f"{api}/issues/{number}",
        "comments": f"{api}/issues/{number}/comments",
        "review_comments": f"{url}/comments",
        "review_comment": f"{api}/pulls/comments{{/number}}",
        "commits": f"{url}/commits",
        "statuses": f"{api}/statuses/{pr['head_sha']}",
    }
    return {
        "url": url,
        "id": pr["id"],
        "node_id": node_id("PullRequest", pr["id"]),
        "html_url": links["html"],
        "diff_url": f"{html}/pull/{number}.diff",
        "patch_url": f"{html}/pull/{number}.patch",
        "issue_url": links["issue"],
        "commits_url": links["commits"],
        "review_comments_url": links["review_comments"],
        "review_comment_url": links["review_comment"],
        "comments_url": links["comments"],
        "statuses_url": links["statuses"],
        "number": number,
        "state": record["state"],
        "locked": record["locked"],
        "title": record["title"],
        "user": user(emu, record["user"]),
        "body": record["body"],
        "labels": _issue_labels(emu, repo, record),
        "milestone": None,
        "active_lock_reason": record["active_lock_reason"],
        "created_at": record["created_at"],
        "updated_at": record["updated_at"],
        "closed_at": record["closed_at"],
        "merged_at": pr["merged_at"],
        "merge_commit_sha": pr["merge_commit_sha"],
        "assignee": assignees[0] if assignees else None,
        "assignees": assignees,
        "requested_reviewers": [],
        "requested_teams": [],
        "head": _pr_side(emu, pr["head_repo"], pr["head_ref"], pr["head_sha"]),
        "base": _pr_side(emu, emu.full_name(repo), pr["base_ref"], facts["base_sha"]),
        "_links": {key: {"href": value} for key, value in links.items()},
        "author_association": emu.association(repo, record["user"]),
        "auto_merge": None,
        "draft": False,
        "merged": pr["merged"],
        "mergeable": facts["mergeable"],
        "rebaseable": facts["mergeable"],
        "mergeable_state": facts["mergeable_state"],
        "merged_by": user(emu, pr["merged_by"]),
        "comments": record["comments"],
        "review_comments": 0,
        "maintainer_can_modify": False,
        "commits": facts["commits"],
        "additions": sum(change.additions for change in facts["changes"]),
        "deletions": sum(change.deletions for change in facts["changes"]),
        "changed_files": len(facts["changes"]),
    }


def review(emu: Emulator, repo: dict, number: int, record: dict) -> dict:
    api, html = _repo_urls(emu, repo)
    html_url = f"{html}/pull/{number}#pullrequestreview-{record['id']}"
    pull_url = f"{api}/pulls/{number}"
    shape = {
        "id": record["id"],
        "node_id": node_id("PullRequestReview", record["id"]),
        "user": user(emu, record["user"]),
        "body": record["body"],
        "state": record["state"],
        "html_url": html_url,
        "pull_request_url": pull_url,
        "_links": {"html": {"href": html_url}, "pull_request": {"href": pull_url}},
        "commit_id": record["commit_id"],
        "author_association": emu.association(repo, record["user"]),
    }
    if record["submitted_at"]:
        shape["submitted_at"] = record["submitted_at"]
    return shape


def diff_entry(emu: Emulator, head_repo: dict, head_sha: str, change: FileChange) -> dict:
    """One entry of ``GET /pulls/{n}/files``."""
    api, html = _repo_urls(emu, head_repo)
    path = quote(change.filename)
    shape = {
        "sha": change.sha,
        "filename": change.filename,
        "status": change.status,
        "additions": change.additions,
        "deletions": change.deletions,
        "changes": change.additions + change.deletions,
        "blob_url": f"{html}/blob/{head_sha}/{path}",
        "raw_url": f"{html}/raw/{head_sha}/{path}",
        "contents_url": f"{api}/contents/{path}?ref={head_sha}",
    }
    if change.patch is not None:
        shape["patch"] = change.patch
    return shape


# ----------------------------------------------------------------- git and contents


def _content_links(emu: Emulator, repo: dict, path: str, ref: str, git_url: str) -> dict:
    api, html = _repo_urls(emu, repo)
    quoted = quote(path)
    return {
        "url": f"{api}/contents/{quoted}?ref={quote(ref, safe='')}",
        "git_url": git_url,
        "html_url": f"{html}/blob/{ref}/{quoted}",
    }


def content_entry(emu: Emulator, repo: dict, path: str, blob: str, ref: str) -> dict:
    """A file's metadata, as in directory listings and in a contents PUT's answer."""
    api, html = _repo_urls(emu, repo)
    links = _content_links(emu, repo, path, ref, f"{api}/git/blobs/{blob}")
    return {
        "type": "file",
        "size": len(emu.git.blob(blob)),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": blob,
        **links,
        "download_url": f"{html}/raw/{ref}/{quote(path)}",
        "_links": {"self": links["url"], "git": links["git_url"], "html": links["html_url"]},
    }


def content_file(emu: Emulator, repo: dict, path: str, blob: str, ref: str) -> dict:
    """``GET /contents/{path}`` for a file: metadata plus base64 content (none past 1 MiB)."""
    data = emu.git.blob(blob)
    if len(data) > MAX_INLINE_CONTENT:
        encoding, content = "none", ""
    else:
        encoding, content = "base64", base64.encodebytes(data).decode("ascii")
    return {**content_entry(emu, repo, path, blob, ref), "encoding": encoding, "content": content}


def git_blob(emu: Emulator, repo: dict, sha: str) -> dict:
    """``GET /git/blobs/{sha}``: any size, always base64."""
    api, _ = _repo_urls(emu, repo)
    data = emu.git.blob(sha)
    return {
        "sha": sha,
        "node_id": node_id("Blob", sha),
        "size": len(data),
        "url": f"{api}/git/blobs/{sha}",
        "content": base64.encodebytes(data).decode("ascii"),
        "encoding": "base64",
    }


def content_dir(emu: Emulator, repo: dict, path: str, subtree: dict[str, str], ref: str) -> dict:
    """A directory's entry in a listing; its sha is the flat tree sha of what it holds."""
    api, _ = _repo_urls(emu, repo)
    sha = tree_sha(subtree)
    links = _content_links(emu, repo, path, ref, f"{api}/git/trees/{sha}")
    return {
        "type": "dir",
        "size": 0,
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": sha,
        **links,
        "download_url": None,
        "_links": {"self": links["url"], "git": links["git_url"], "html": links["html_url"]},
    }


def _git_person(author: dict) -> dict:
    return {"name": author["name"], "email": author["email"], "date": author["date"]}


def _parents(emu: Emulator, repo: dict, commit: dict) -> list[dict]:
    api, html = _repo_urls(emu, repo)
    return [
        {"sha": sha, "url": f"{api}/commits/{sha}", "html_url": f"{html}/commit/{sha}"}
        for sha in commit["parents"]
    ]


def commit(emu: Emulator, repo: dict, sha: str) -> dict:
    """The REST commit object (as in a branch's ``commit``)."""
    api, html = _repo_urls(emu, repo)
    record = emu.git.commit(sha)
    tree = tree_sha(record["tree"])
    person = _git_person(record["author"])
    account = user(emu, record["author"]["login"]) or {}
    return {
        "sha": sha,
        "node_id": node_id("Commit", sha),
        "url": f"{api}/commits/{sha}",
        "html_url": f"{html}/commit/{sha}",
        "comments_url": f"{api}/commits/{sha}/comments",
        "commit": {
            "url": f"{api}/git/commits/{sha}",
            "author": person,
            "committer": person,
            "message": record["message"],
            "comment_count": 0,
            "tree": {"sha": tree, "url": f"{api}/git/trees/{tree}"},
            "verification": UNSIGNED,
        },
        "author": account,
        "committer": account,
        "parents": _parents(emu, repo, record),
    }


def git_commit(emu: Emulator, repo: dict, sha: str) -> dict:
    """The git-data commit object (as in a contents PUT's ``commit``)."""
    api, html = _repo_urls(emu, repo)
    record = emu.git.commit(sha)
    tree = tree_sha(record["tree"])
    person = _git_person(record["author"])
    return {
        "sha": sha,
        "node_id": node_id("Commit", sha),
        "url": f"{api}/git/commits/{sha}",
        "html_url": f"{html}/commit/{sha}",
        "author": person,
        "committer": person,
        "message": record["message"],
        "tree": {"sha": tree, "url": f"{api}/git/trees/{tree}"},
        "parents": _parents(emu, repo, record),
        "verification": UNSIGNED,
    }


def branch(emu: Emulator, repo: dict, name: str, sha: str) -> dict:
    api, html = _repo_urls(emu, repo)
    url = f"{api}/branches/{quote(name)}"
    return {
        "name": name,
        "commit": commit(emu, repo, sha),
        "_links": {"self": url, "html": f"{html}/tree/{name}"},
        "protected": False,
        "protection": {
            "enabled": False,
            "required_status_checks": {"enforcement_level": "off", "contexts": [], "checks": []},
        },
        "protection_url": f"{url}/protection",
    }


def short_branch(emu: Emulator, repo: dict, name: str, sha: str) -> dict:
    api, _ = _repo_urls(emu, repo)
    return {"name": name, "commit": {"sha": sha, "url": f"{api}/commits/{sha}"}, "protected": False}


def git_ref(emu: Emulator, repo: dict, name: str, sha: str) -> dict:
    api, _ = _repo_urls(emu, repo)
    ref = f"refs/heads/{name}"
    return {
        "ref": ref,
        "node_id": node_id("Ref", f"{repo['id']}:{ref}"),
        "url": f"{api}/git/{quote(ref)}",
        "object": {"type": "commit", "sha": sha, "url": f"{api}/git/commits/{sha}"},
    }


def rate_limit(figures: dict) -> dict:
    """``GET /rate_limit``: every bucket reports the core figures (only core is counted)."""
    core = {key: figures[key] for key in ("limit", "remaining", "reset", "used")}
    search = {"limit": 30, "remaining": 30, "reset": figures["reset"], "used": 0}
    return {
        "resources": {"core": core, "search": search, "graphql": dict(core)},
        "rate": core,
    }
