"""Pull request endpoints: create, list, edit, files, reviews and merge (closing linked issues)."""

from __future__ import annotations

import re

from mentoring.emulator import render
from mentoring.emulator.api import (
    NOT_FOUND,
    ApiError,
    Call,
    Response,
    Router,
    checked_text,
    deliver,
    find_pull,
    find_repo,
    git_author,
    json_object,
    listing_key,
    move_branch,
    notify_issue,
    ordered,
    paginate,
    pull_facts,
    render_pull,
    since_filter,
)
from mentoring.emulator.git import MergeConflict
from mentoring.emulator.issues import update_issue_fields
from mentoring.emulator.state import Emulator

router = Router()
PULL = "/repos/{owner}/{repo}/pulls/{number:[0-9]+}"
REVIEW_STATES = {
    "APPROVE": "APPROVED",
    "REQUEST_CHANGES": "CHANGES_REQUESTED",
    "COMMENT": "COMMENTED",
}
CLOSING_KEYWORDS = re.compile(
    r"\b(?:close|closes|closed|fix|fixes|fixed|resolve|resolves|resolved)\s*:?\s+#(\d+)\b",
    re.IGNORECASE,
)


def _pr_error(message: str) -> ApiError:
    return ApiError(
        422,
        "Validation Failed",
        errors=[{"resource": "PullRequest", "code": "custom", "message": message}],
    )


def _head(emu: Emulator, repo: dict, head: str) -> tuple[dict, str]:
    """``branch`` or ``user:branch`` (the user's fork, which has the base repo's name)."""
    owner, _, branch = head.rpartition(":")
    if owner and owner.lower() != repo["owner"].lower():
        if not emu.valid_repo_name(owner, repo["name"]):
            raise ApiError.invalid("PullRequest", "head")
        return emu.repo(f"{owner}/{repo['name']}"), branch
    return repo, branch


@router.route("POST", "/repos/{owner}/{repo}/pulls")
def create_pull(emu: Emulator, call: Call, owner: str, repo: str) -> Response:
    record = find_repo(emu, owner, repo)
    body = json_object(call)
    for key in ("title", "head", "base"):
        if not body.get(key):
            raise ApiError.invalid("PullRequest", key, "missing_field")
    text = checked_text(body.get("body"), "PullRequest")
    head_repo, head_ref = _head(emu, record, str(body["head"]))
    base_ref = str(body["base"])
    if base_ref not in record["branches"]:
        raise ApiError.invalid("PullRequest", "base")
    if head_ref not in head_repo["branches"]:
        raise ApiError.invalid("PullRequest", "head")
    head_sha, base_sha = head_repo["branches"][head_ref], record["branches"][base_ref]
    label = f"{head_repo['owner']}:{head_ref}"
    if emu.git.commits_between(base_sha, head_sha) == 0:
        raise _pr_error(f"No commits between {base_ref} and {label}")
    for issue in record["issues"].values():
        pr = issue["pull"]
        if (
            pr
            and issue["state"] == "open"
            and pr["base_ref"] == base_ref
            and pr["head_ref"] == head_ref
            and pr["head_repo"].lower() == emu.full_name(head_repo).lower()
        ):
            raise _pr_error(f"A pull request already exists for {label}.")
    if head_repo is not record:
        head_repo["fork"] = True
    issue = emu.new_issue(record, call.actor.login, str(body["title"]), text)
    issue["pull"] = {
        "id": emu.next_id(),
        "head_repo": emu.full_name(head_repo),
        "head_ref": head_ref,
        "head_sha": head_sha,
        "base_ref": base_ref,
        "base_sha": base_sha,
        "merge_base": None,
        "merged": False,
        "merged_at": None,
        "merged_by": None,
        "merge_commit_sha": None,
        "reviews": [],
    }
    notify_issue(emu, call, record, issue, "opened")
    return Response(201, render_pull(emu, record, issue))


@router.route("GET", "/repos/{owner}/{repo}/pulls")
def list_pulls(emu: Emulator, call: Call, owner: str, repo: str) -> Response:
    record = find_repo(emu, owner, repo)
    query = call.query
    state = query.get("state", "open")
    if state not in ("open", "closed", "all"):
        raise ApiError.invalid("PullRequest", "state", value=state)

    def compute() -> list[dict]:
        pulls = [i for i in record["issues"].values() if i["pull"] and not i["deleted"]]
        if state != "all":
            pulls = [i for i in pulls if i["state"] == state]
        if "base" in query:
            pulls = [i for i in pulls if i["pull"]["base_ref"] == query["base"]]
        if "head" in query:
            head_owner, _, head_ref = query["head"].rpartition(":")
            pulls = [
                i
                for i in pulls
                if i["pull"]["head_ref"] == head_ref
                and (
                    not head_owner
                    or i["pull"]["head_repo"].split("/")[0].lower() == head_owner.lower()
                )
            ]
        field = "updated_at" if query.get("sort") == "updated" else "created_at"
        return ordered(pulls, lambda i: (i[field], i["number"]), call, "desc")

    pulls = emu.listing(listing_key(call), compute)
    return paginate(emu, call, pulls, lambda i: render_pull(emu, record, i))


@router.route("GET", "/repos/{owner}/{repo}/pulls/comments")
def list_review_comments(emu: Emulator, call: Call, owner: str, repo: str) -> Response:
    """Review comments on lines, repository-wide (kept only when seeded: see contributions.py)."""
    record = find_repo(emu, owner, repo)
    sort = call.query.get("sort", "created")
    if sort not in ("created", "updated"):
        raise ApiError.invalid("PullRequestReviewComment", "sort", value=sort)
    since = since_filter(call)
    found = [
        c
        for c in record.get("review_comments", {}).values()
        if since is None or c["updated_at"] >= since
    ]
    found = ordered(found, lambda c: (c[f"{sort}_at"], c["id"]), call, "asc")
    api, _ = render._repo_urls(emu, record)

    def shape(c: dict) -> dict:
        return {
            "id": c["id"],
            "url": f"{api}/pulls/comments/{c['id']}",
            "pull_request_url": f"{api}/pulls/{c['pull']}",
            "path": c["path"],
            "body": c["body"],
            "user": render.user(emu, c["user"]),
            "created_at": c["created_at"],
            "updated_at": c["updated_at"],
        }

    return paginate(emu, call, found, shape)


@router.route("GET", PULL)
def get_pull(emu: Emulator, call: Call, owner: str, repo: str, number: str) -> Response:
    record = find_repo(emu, owner, repo)
    return Response(200, render_pull(emu, record, find_pull(record, number)))


@router.route("PATCH", PULL)
def update_pull(emu: Emulator, call: Call, owner: str, repo: str, number: str) -> Response:
    record = find_repo(emu, owner, repo)
    issue = find_pull(record, number)
    body = json_object(call)
    if "base" in body:
        if body["base"] not in record["branches"]:
            raise ApiError.invalid("PullRequest", "base")
        issue["pull"]["base_ref"] = body["base"]
    update_issue_fields(
        emu,
        call,
        record,
        issue,
        {key: body[key] for key in ("title", "body", "state") if key in body},
    )
    return Response(200, render_pull(emu, record, issue))


@router.route("GET", PULL + "/files")
def list_pull_files(emu: Emulator, call: Call, owner: str, repo: str, number: str) -> Response:
    record = find_repo(emu, owner, repo)
    issue = find_pull(record, number)
    pr = issue["pull"]
    head_repo = emu.repo(pr["head_repo"])
    changes = pull_facts(emu, record, issue)["changes"]
    return paginate(
        emu, call, changes, lambda c: render.diff_entry(emu, head_repo, pr["head_sha"], c)
    )


@router.route("GET", PULL + "/merge")
def check_merged(emu: Emulator, call: Call, owner: str, repo: str, number: str) -> Response:
    record = find_repo(emu, owner, repo)
    if not find_pull(record, number)["pull"]["merged"]:
        raise ApiError(404, NOT_FOUND)
    return Response(204)


@router.route("PUT", PULL + "/merge")
def merge_pull(emu: Emulator, call: Call, owner: str, repo: str, number: str) -> Response:
    """Merge head into base as a new commit; on the default branch, close linked issues."""
    record = find_repo(emu, owner, repo)
    issue = find_pull(record, number)
    pr = issue["pull"]
    body = json_object(call)
    if issue["state"] != "open" or pr["merged"]:
        raise ApiError(405, "Pull Request is not mergeable")
    if body.get("sha") and body["sha"] != pr["head_sha"]:
        raise ApiError(409, "Head branch was modified. Review and try the merge again.")
    method = body.get("merge_method", "merge")
    if method not in ("merge", "squash", "rebase"):
        raise ApiError.invalid("PullRequest", "merge_method", value=method)
    base_sha = record["branches"][pr["base_ref"]]
    try:
        tree = emu.git.merged_tree(base_sha, pr["head_sha"])
    except MergeConflict:
        raise ApiError(405, "Pull Request is not mergeable") from None
    title = body.get("commit_title") or (
        f"Merge pull request #{issue['number']} from {emu.repo(pr['head_repo'])['owner']}"
        f"/{pr['head_ref']}"
        if method == "merge"
        else f"{issue['title']} (#{issue['number']})"
    )
    message = f"{title}\n\n{body['commit_message']}" if body.get("commit_message") else title
    parents = [base_sha, pr["head_sha"]] if method == "merge" else [base_sha]
    actor = call.actor.login
    sha = emu.git.put_commit(tree, parents, message, git_author(emu, actor))
    pr.update(
        merged=True,
        merged_at=emu.now_iso(),
        merged_by=actor,
        merge_commit_sha=sha,
        base_sha=base_sha,
        merge_base=emu.git.merge_base(base_sha, pr["head_sha"]),
    )
    emu.add_issue_event(issue, "merged", actor, commit_id=sha)
    emu.close_issue(issue, actor, None, commit_id=sha)
    move_branch(emu, call, record, pr["base_ref"], sha)
    notify_issue(emu, call, record, issue, "closed")
    if pr["base_ref"] == record["default_branch"]:
        _close_linked_issues(emu, call, record, issue, sha)
    return Response(
        200, {"sha": sha, "merged": True, "message": "Pull Request successfully merged"}
    )


def _close_linked_issues(emu: Emulator, call: Call, repo: dict, pull: dict, sha: str) -> None:
    """Close the open issues the pull request's body names with a closing keyword."""
    for number in dict.fromkeys(CLOSING_KEYWORDS.findall(pull["body"] or "")):
        issue = repo["issues"].get(number)
        if issue is None or issue["pull"] or issue["deleted"] or issue["state"] != "open":
            continue
        emu.close_issue(
            issue, call.actor.login, "completed", commit_id=sha, state_reason="completed"
        )
        notify_issue(emu, call, repo, issue, "closed")


# ---------------------------------------------------------------------------- reviews


@router.route("GET", PULL + "/reviews")
def list_reviews(emu: Emulator, call: Call, owner: str, repo: str, number: str) -> Response:
    record = find_repo(emu, owner, repo)
    issue = find_pull(record, number)
    return paginate(
        emu,
        call,
        issue["pull"]["reviews"],
        lambda r: render.review(emu, record, issue["number"], r),
    )


@router.route("POST", PULL + "/reviews")
def create_review(emu: Emulator, call: Call, owner: str, repo: str, number: str) -> Response:
    record = find_repo(emu, owner, repo)
    issue = find_pull(record, number)
    body = json_object(call)
    event = body.get("event")
    if event is not None and event not in REVIEW_STATES:
        raise ApiError.invalid("PullRequestReview", "event", value=event)
    actor = call.actor.login
    if event in ("APPROVE", "REQUEST_CHANGES") and actor.lower() == issue["user"].lower():
        verb = "approve" if event == "APPROVE" else "request changes on"
        raise ApiError(
            422, "Unprocessable Entity", errors=[f"Review Can not {verb} your own pull request"]
        )
    review = {
        "id": emu.next_id(),
        "user": actor,
        "body": checked_text(body.get("body"), "PullRequestReview") or "",
        "state": REVIEW_STATES.get(event, "PENDING"),
        "commit_id": body.get("commit_id") or issue["pull"]["head_sha"],
        "submitted_at": emu.now_iso() if event else None,
    }
    issue["pull"]["reviews"].append(review)
    if event:
        issue["updated_at"] = review["submitted_at"]
        deliver(
            emu,
            call,
            "pull_request_review",
            record,
            lambda: {
                "action": "submitted",
                "review": render.review(emu, record, issue["number"], review),
                "pull_request": render_pull(emu, record, issue),
            },
        )
    return Response(200, render.review(emu, record, issue["number"], review))
