"""Issue endpoints: issues, comments, labels, assignees, locks and issue events."""

from __future__ import annotations

import bisect
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
    find_issue,
    find_repo,
    json_object,
    listing_key,
    notify_issue,
    ordered,
    paginate,
    since_filter,
)
from mentoring.emulator.state import Emulator

router = Router()
ISSUE = "/repos/{owner}/{repo}/issues/{number:[0-9]+}"
MAX_LABEL_NAME = 50
MAX_LABEL_DESCRIPTION = 100
LOCK_REASONS = ("off-topic", "too heated", "resolved", "spam")
STATE_REASONS = ("completed", "not_planned", "duplicate", "reopened", None)
_COLOR = re.compile(r"^[0-9a-fA-F]{6}$")


# ----------------------------------------------------------------------------- issues


@router.route("GET", "/repos/{owner}/{repo}/issues")
def list_issues(emu: Emulator, call: Call, owner: str, repo: str) -> Response:
    record = find_repo(emu, owner, repo)
    query = call.query
    state = query.get("state", "open")
    if state not in ("open", "closed", "all"):
        raise ApiError.invalid("Issue", "state", value=state)
    sort = query.get("sort", "created")
    fields = {"created": "created_at", "updated": "updated_at", "comments": "comments"}
    if sort not in fields:
        raise ApiError.invalid("Issue", "sort", value=sort)
    since = since_filter(call)

    def compute() -> list[dict]:
        issues = [i for i in record["issues"].values() if not i["deleted"]]
        if state != "all":
            issues = [i for i in issues if i["state"] == state]
        if since:
            issues = [i for i in issues if i["updated_at"] >= since]
        if "creator" in query:
            issues = [i for i in issues if i["user"].lower() == query["creator"].lower()]
        assignee = query.get("assignee")
        if assignee == "none":
            issues = [i for i in issues if not i["assignees"]]
        elif assignee == "*":
            issues = [i for i in issues if i["assignees"]]
        elif assignee:
            issues = [i for i in issues if assignee.lower() in {a.lower() for a in i["assignees"]}]
        wanted = {n.strip().lower() for n in query.get("labels", "").split(",") if n.strip()}
        if wanted:
            ids = {
                label["id"]
                for label in record["labels"].values()
                if label["name"].lower() in wanted
            }
            if len(ids) < len(wanted):
                return []
            issues = [i for i in issues if all(x in i["labels"] for x in ids)]
        return ordered(issues, lambda i: (i[fields[sort]], i["number"]), call, "desc")

    issues = emu.listing(listing_key(call), compute)
    return paginate(emu, call, issues, lambda i: render.issue(emu, record, i))


@router.route("POST", "/repos/{owner}/{repo}/issues")
def create_issue(emu: Emulator, call: Call, owner: str, repo: str) -> Response:
    record = find_repo(emu, owner, repo)
    body = json_object(call)
    title = body.get("title")
    if title is None or str(title).strip() == "":
        raise ApiError.invalid("Issue", "title", "missing_field")
    text = checked_text(body.get("body"), "Issue")
    labels = [_label_for(emu, record, name) for name in _label_names(body.get("labels") or [])]
    assignees = body.get("assignees") or ([body["assignee"]] if body.get("assignee") else [])
    for login in assignees:
        if not emu.assignable(record, login):
            raise ApiError.invalid("Issue", "assignees", value=login)
    issue = emu.new_issue(record, call.actor.login, str(title), text)
    notify_issue(emu, call, record, issue, "opened")
    _change_labels(emu, call, record, issue, add=labels)
    _change_assignees(emu, call, record, issue, add=assignees)
    return Response(201, render.issue(emu, record, issue))


@router.route("GET", ISSUE)
def get_issue(emu: Emulator, call: Call, owner: str, repo: str, number: str) -> Response:
    record = find_repo(emu, owner, repo)
    return Response(200, render.issue(emu, record, find_issue(emu, call, record, number)))


@router.route("PATCH", ISSUE)
def update_issue(emu: Emulator, call: Call, owner: str, repo: str, number: str) -> Response:
    record = find_repo(emu, owner, repo)
    issue = find_issue(emu, call, record, number)
    update_issue_fields(emu, call, record, issue, json_object(call))
    return Response(200, render.issue(emu, record, issue))


def update_issue_fields(emu: Emulator, call: Call, repo: dict, issue: dict, body: dict) -> None:
    """PATCH semantics shared by issues and pull requests: edits, state, labels, assignees."""
    actor = call.actor.login
    edits = {}
    if "title" in body:
        if body["title"] is None or str(body["title"]).strip() == "":
            raise ApiError.invalid("Issue", "title", "missing_field")
        edits["title"] = str(body["title"])
    if "body" in body:
        edits["body"] = checked_text(body["body"], "Issue")
    changes = {key: {"from": issue[key]} for key, value in edits.items() if value != issue[key]}
    state = body.get("state", issue["state"])
    if state not in ("open", "closed"):
        raise ApiError.invalid("Issue", "state", value=state)
    reason = body.get("state_reason")
    if reason not in STATE_REASONS:
        raise ApiError.invalid("Issue", "state_reason", value=reason)
    if state == "open" and issue["pull"] and issue["pull"]["merged"]:
        raise ApiError(
            422,
            "Validation Failed",
            errors=[
                {
                    "resource": "PullRequest",
                    "code": "custom",
                    "message": "state cannot be changed. The pull request cannot be reopened.",
                }
            ],
        )
    labels = assignees = None
    if "labels" in body:
        labels = [_label_for(emu, repo, name) for name in _label_names(body["labels"] or [])]
    if "assignees" in body or "assignee" in body:
        assignees = body.get("assignees")
        if assignees is None:
            assignees = [body["assignee"]] if body.get("assignee") else []
        for login in assignees:
            if not emu.assignable(repo, login, issue):
                raise ApiError.invalid("Issue", "assignees", value=login)

    if changes:
        issue.update({key: edits[key] for key in changes})
        issue["updated_at"] = emu.now_iso()
        notify_issue(emu, call, repo, issue, "edited", changes=changes)
    if state == "closed" and issue["state"] == "open":
        closing_reason = None if issue["pull"] else reason or "completed"
        emu.close_issue(issue, actor, closing_reason, state_reason=closing_reason)
        notify_issue(emu, call, repo, issue, "closed")
    elif state == "open" and issue["state"] == "closed":
        emu.reopen_issue(issue, actor)
        notify_issue(emu, call, repo, issue, "reopened")
    elif state == "closed" and reason and reason != issue["state_reason"]:
        issue["state_reason"] = reason
        issue["updated_at"] = emu.now_iso()
    if labels is not None:
        wanted = [label["id"] for label in labels]
        removed = [label_id for label_id in issue["labels"] if label_id not in wanted]
        _change_labels(emu, call, repo, issue, add=labels, remove=removed)
    if assignees is not None:
        wanted_logins = {login.lower() for login in assignees}
        removed_logins = [a for a in issue["assignees"] if a.lower() not in wanted_logins]
        _change_assignees(emu, call, repo, issue, add=assignees, remove=removed_logins)


@router.route("PUT", ISSUE + "/lock")
def lock_issue(emu: Emulator, call: Call, owner: str, repo: str, number: str) -> Response:
    record = find_repo(emu, owner, repo)
    issue = find_issue(emu, call, record, number)
    reason = json_object(call).get("lock_reason")
    if reason is not None and reason not in LOCK_REASONS:
        raise ApiError.invalid("Issue", "lock_reason", value=reason)
    if not issue["locked"]:
        issue.update(locked=True, active_lock_reason=reason)
        emu.add_issue_event(issue, "locked", call.actor.login, lock_reason=reason)
        notify_issue(emu, call, record, issue, "locked")
    return Response(204)


@router.route("DELETE", ISSUE + "/lock")
def unlock_issue(emu: Emulator, call: Call, owner: str, repo: str, number: str) -> Response:
    record = find_repo(emu, owner, repo)
    issue = find_issue(emu, call, record, number)
    if issue["locked"]:
        issue.update(locked=False, active_lock_reason=None)
        emu.add_issue_event(issue, "unlocked", call.actor.login)
        notify_issue(emu, call, record, issue, "unlocked")
    return Response(204)


@router.route("GET", ISSUE + "/events")
def list_issue_events(emu: Emulator, call: Call, owner: str, repo: str, number: str) -> Response:
    record = find_repo(emu, owner, repo)
    issue = find_issue(emu, call, record, number)
    return paginate(emu, call, issue["events"], lambda e: render.issue_event(emu, record, e))


# --------------------------------------------------------------------------- comments


@router.route("GET", ISSUE + "/comments")
def list_issue_comments(emu: Emulator, call: Call, owner: str, repo: str, number: str):
    record = find_repo(emu, owner, repo)
    issue = find_issue(emu, call, record, number)
    since = since_filter(call)
    comments = [
        c for c in emu.issue_comments(record, issue) if since is None or c["updated_at"] >= since
    ]
    return paginate(emu, call, comments, lambda c: render.comment(emu, record, c))


@router.route("POST", ISSUE + "/comments")
def create_comment(emu: Emulator, call: Call, owner: str, repo: str, number: str) -> Response:
    record = find_repo(emu, owner, repo)
    issue = find_issue(emu, call, record, number)
    text = checked_text(json_object(call).get("body"), "IssueComment")
    if not text:
        raise ApiError.invalid("IssueComment", "body", "missing_field")
    if issue["locked"]:
        raise ApiError(403, "Unable to create comment because issue is locked.")
    now = emu.now_iso()
    comment = {
        "id": emu.next_id(),
        "issue": issue["number"],
        "user": call.actor.login,
        "body": text,
        "created_at": now,
        "updated_at": now,
    }
    emu.add_comment(record, comment)
    issue["comments"] += 1
    issue["updated_at"] = now
    _notify_comment(emu, call, record, issue, comment, "created")
    return Response(201, render.comment(emu, record, comment))


@router.route("GET", "/repos/{owner}/{repo}/issues/comments")
def list_repo_comments(emu: Emulator, call: Call, owner: str, repo: str) -> Response:
    """Comments of the repository's live issues, a page at a time from the kept orders."""
    record = find_repo(emu, owner, repo)
    sort = call.query.get("sort", "created")
    if sort not in ("created", "updated"):
        raise ApiError.invalid("IssueComment", "sort", value=sort)
    direction = call.query.get("direction", "asc")
    if direction not in ("asc", "desc"):
        raise ApiError.invalid("IssueComment", "direction", value=direction)
    since = since_filter(call)
    index = emu.comment_index(record)

    def deleted() -> list[int]:
        return [i["number"] for i in record["issues"].values() if i["deleted"]]

    gone = emu.listing((call.path.lower(), "deleted issues"), deleted)
    if gone or (since and sort == "created"):
        live = set(gone)

        def compute() -> list:
            return [
                (c[f"{sort}_at"], c["id"])
                for c in record["comments"].values()
                if c["issue"] not in live and (since is None or c["updated_at"] >= since)
            ]

        keys = sorted(emu.listing(listing_key(call), compute))
        window = _Window(keys, 0, direction == "desc")
    else:
        order = index.updated if sort == "updated" else index.created
        start = bisect.bisect_left(order, (since,)) if since else 0
        window = _Window(order, start, direction == "desc")
    comments = record["comments"]
    return paginate(
        emu, call, window, lambda key: render.comment(emu, record, comments[str(key[1])])
    )


class _Window:
    """``order[start:]``, reversed if ``descending``, sliced without copying the rest."""

    def __init__(self, order: list, start: int, descending: bool):
        self.order, self.start, self.descending = order, start, descending

    def __len__(self) -> int:
        return max(len(self.order) - self.start, 0)

    def __getitem__(self, part: slice) -> list:
        begin, end, _ = part.indices(len(self))
        if not self.descending:
            return self.order[self.start + begin : self.start + end]
        top = len(self.order)
        return self.order[top - end : top - begin][::-1] if end > begin else []


COMMENT = "/repos/{owner}/{repo}/issues/comments/{comment_id:[0-9]+}"


@router.route("GET", COMMENT)
def get_comment(emu: Emulator, call: Call, owner: str, repo: str, comment_id: str) -> Response:
    record = find_repo(emu, owner, repo)
    return Response(200, render.comment(emu, record, _comment(record, comment_id)))


@router.route("PATCH", COMMENT)
def update_comment(emu: Emulator, call: Call, owner: str, repo: str, comment_id: str):
    record = find_repo(emu, owner, repo)
    comment = _comment(record, comment_id)
    text = checked_text(json_object(call).get("body"), "IssueComment")
    if not text:
        raise ApiError.invalid("IssueComment", "body", "missing_field")
    previous = comment["body"]
    emu.edit_comment(record, comment, text)
    issue = record["issues"][str(comment["issue"])]
    _notify_comment(
        emu, call, record, issue, comment, "edited", changes={"body": {"from": previous}}
    )
    return Response(200, render.comment(emu, record, comment))


@router.route("DELETE", COMMENT)
def delete_comment(emu: Emulator, call: Call, owner: str, repo: str, comment_id: str):
    record = find_repo(emu, owner, repo)
    comment = _comment(record, comment_id)
    emu.remove_comment(record, comment)
    issue = record["issues"][str(comment["issue"])]
    issue["comments"] -= 1
    _notify_comment(emu, call, record, issue, comment, "deleted")
    return Response(204)


def _comment(repo: dict, comment_id: str) -> dict:
    comment = repo["comments"].get(comment_id)
    if comment is None or repo["issues"][str(comment["issue"])]["deleted"]:
        raise ApiError(404, NOT_FOUND)
    return comment


def _notify_comment(emu, call, repo, issue, comment, action, **extra) -> None:
    deliver(
        emu,
        call,
        "issue_comment",
        repo,
        lambda: {
            "action": action,
            "issue": render.issue(emu, repo, issue),
            "comment": render.comment(emu, repo, comment),
            **extra,
        },
    )


# ----------------------------------------------------------------------------- labels


@router.route("GET", "/repos/{owner}/{repo}/labels")
def list_labels(emu: Emulator, call: Call, owner: str, repo: str) -> Response:
    record = find_repo(emu, owner, repo)
    labels = sorted(record["labels"].values(), key=lambda label: label["name"].lower())
    return paginate(emu, call, labels, lambda label: render.label(emu, record, label))


@router.route("POST", "/repos/{owner}/{repo}/labels")
def create_label(emu: Emulator, call: Call, owner: str, repo: str) -> Response:
    record = find_repo(emu, owner, repo)
    body = json_object(call)
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError.invalid("Label", "name", "missing_field")
    _check_label_name(name)
    if emu.find_label(record, name) is not None:
        raise ApiError.invalid("Label", "name", "already_exists")
    color, description = _label_color(body.get("color", "ededed")), body.get("description")
    _check_label_description(description)
    label = emu.label(record, name, color, description)
    return Response(201, render.label(emu, record, label))


LABEL = "/repos/{owner}/{repo}/labels/{name:.+}"


@router.route("GET", LABEL)
def get_label(emu: Emulator, call: Call, owner: str, repo: str, name: str) -> Response:
    record = find_repo(emu, owner, repo)
    return Response(200, render.label(emu, record, _label(emu, record, name)))


@router.route("PATCH", LABEL)
def update_label(emu: Emulator, call: Call, owner: str, repo: str, name: str) -> Response:
    record = find_repo(emu, owner, repo)
    label = _label(emu, record, name)
    body = json_object(call)
    new_name = body.get("new_name") or body.get("name") or label["name"]
    _check_label_name(new_name)
    other = emu.find_label(record, new_name)
    if other is not None and other is not label:
        raise ApiError.invalid("Label", "name", "already_exists")
    if "color" in body:
        label["color"] = _label_color(body["color"])
    if "description" in body:
        _check_label_description(body["description"])
        label["description"] = body["description"]
    del record["labels"][label["name"].lower()]
    label["name"] = new_name
    record["labels"][new_name.lower()] = label
    return Response(200, render.label(emu, record, label))


@router.route("DELETE", LABEL)
def delete_label(emu: Emulator, call: Call, owner: str, repo: str, name: str) -> Response:
    record = find_repo(emu, owner, repo)
    label = _label(emu, record, name)
    del record["labels"][label["name"].lower()]
    for issue in record["issues"].values():
        if label["id"] in issue["labels"]:
            issue["labels"].remove(label["id"])
    return Response(204)


def _label(emu: Emulator, repo: dict, name: str) -> dict:
    label = emu.find_label(repo, name)
    if label is None:
        raise ApiError(404, NOT_FOUND)
    return label


def _check_label_name(name: str) -> None:
    if len(name) > MAX_LABEL_NAME:
        raise ApiError.invalid(
            "Label",
            "name",
            "custom",
            message=f"name is too long (maximum is {MAX_LABEL_NAME} characters)",
        )


def _check_label_description(description: str | None) -> None:
    if description is not None and len(description) > MAX_LABEL_DESCRIPTION:
        raise ApiError.invalid(
            "Label",
            "description",
            "custom",
            message=f"description is too long (maximum is {MAX_LABEL_DESCRIPTION} characters)",
        )


def _label_color(color: str) -> str:
    color = str(color).removeprefix("#")
    if not _COLOR.match(color):
        raise ApiError.invalid("Label", "color")
    return color.lower()


def _label_names(items) -> list[str]:
    """Label names from a list of strings or ``{"name": ...}`` objects (or one string)."""
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, list):
        raise ApiError(422, "Invalid request.\n\nLabels must be an array of names.")
    names = [item.get("name") if isinstance(item, dict) else item for item in items]
    if not all(isinstance(name, str) and name.strip() for name in names):
        raise ApiError(422, "Invalid request.\n\nLabel names must be non-empty strings.")
    return names


def _label_for(emu: Emulator, repo: dict, name: str) -> dict:
    """The label named ``name``, created with the default color if missing (as GitHub does)."""
    _check_label_name(name)
    return emu.label(repo, name)


def _change_labels(emu, call, repo, issue, add=(), remove=()) -> None:
    for label_id in remove:
        label = emu.labels_by_id(repo)[label_id]
        issue["labels"].remove(label_id)
        _label_event(emu, call, repo, issue, "unlabeled", label)
    for label in add:
        if label["id"] not in issue["labels"]:
            issue["labels"].append(label["id"])
            _label_event(emu, call, repo, issue, "labeled", label)


def _label_event(emu, call, repo, issue, action: str, label: dict) -> None:
    summary = {"name": label["name"], "color": label["color"]}
    emu.add_issue_event(issue, action, call.actor.login, label=summary)
    notify_issue(emu, call, repo, issue, action, label=render.label(emu, repo, label))


def _request_labels(call: Call) -> list[str]:
    """Labels from a bare JSON array (what PyGithub sends) or ``{"labels": [...]}``."""
    body = call.body
    if isinstance(body, dict):
        body = body.get("labels") or []
    return _label_names(body or [])


ISSUE_LABELS = ISSUE + "/labels"


def _issue_labels_response(emu: Emulator, repo: dict, issue: dict) -> Response:
    return Response(200, render.issue(emu, repo, issue)["labels"])


@router.route("GET", ISSUE_LABELS)
def list_issue_labels(emu: Emulator, call: Call, owner: str, repo: str, number: str):
    record = find_repo(emu, owner, repo)
    issue = find_issue(emu, call, record, number)
    labels = render.issue(emu, record, issue)["labels"]
    return paginate(emu, call, labels, lambda label: label)


@router.route("POST", ISSUE_LABELS)
def add_issue_labels(emu: Emulator, call: Call, owner: str, repo: str, number: str):
    record = find_repo(emu, owner, repo)
    issue = find_issue(emu, call, record, number)
    labels = [_label_for(emu, record, name) for name in _request_labels(call)]
    _change_labels(emu, call, record, issue, add=labels)
    return _issue_labels_response(emu, record, issue)


@router.route("PUT", ISSUE_LABELS)
def set_issue_labels(emu: Emulator, call: Call, owner: str, repo: str, number: str):
    record = find_repo(emu, owner, repo)
    issue = find_issue(emu, call, record, number)
    labels = [_label_for(emu, record, name) for name in _request_labels(call)]
    wanted = {label["id"] for label in labels}
    removed = [label_id for label_id in issue["labels"] if label_id not in wanted]
    _change_labels(emu, call, record, issue, add=labels, remove=removed)
    return _issue_labels_response(emu, record, issue)


@router.route("DELETE", ISSUE_LABELS)
def clear_issue_labels(emu: Emulator, call: Call, owner: str, repo: str, number: str):
    record = find_repo(emu, owner, repo)
    issue = find_issue(emu, call, record, number)
    _change_labels(emu, call, record, issue, remove=list(issue["labels"]))
    return Response(204)


@router.route("DELETE", ISSUE_LABELS + "/{name:.+}")
def remove_issue_label(emu: Emulator, call: Call, owner: str, repo: str, number: str, name: str):
    record = find_repo(emu, owner, repo)
    issue = find_issue(emu, call, record, number)
    label = emu.find_label(record, name)
    if label is None or label["id"] not in issue["labels"]:
        raise ApiError(404, "Label does not exist")
    _change_labels(emu, call, record, issue, remove=[label["id"]])
    return _issue_labels_response(emu, record, issue)


# -------------------------------------------------------------------------- assignees


def _change_assignees(emu, call, repo, issue, add=(), remove=()) -> None:
    for login in remove:
        issue["assignees"].remove(login)
        _assignee_event(emu, call, repo, issue, "unassigned", login)
    for login in add:
        if login.lower() not in {a.lower() for a in issue["assignees"]}:
            login = emu.user(login)["login"]
            issue["assignees"].append(login)
            _assignee_event(emu, call, repo, issue, "assigned", login)


def _assignee_event(emu, call, repo, issue, action: str, login: str) -> None:
    emu.add_issue_event(issue, action, call.actor.login, assignee=login)
    notify_issue(emu, call, repo, issue, action, assignee=render.user(emu, login))


def _requested_logins(call: Call) -> list[str]:
    logins = json_object(call).get("assignees") or []
    if not isinstance(logins, list) or not all(isinstance(x, str) for x in logins):
        raise ApiError(422, "Invalid request.\n\nassignees must be an array of logins.")
    return logins


@router.route("POST", ISSUE + "/assignees")
def add_assignees(emu: Emulator, call: Call, owner: str, repo: str, number: str) -> Response:
    """Add assignees; logins that cannot be assigned are silently dropped, as on GitHub."""
    record = find_repo(emu, owner, repo)
    issue = find_issue(emu, call, record, number)
    logins = [x for x in _requested_logins(call) if emu.assignable(record, x, issue)]
    _change_assignees(emu, call, record, issue, add=logins)
    return Response(201, render.issue(emu, record, issue))


@router.route("DELETE", ISSUE + "/assignees")
def remove_assignees(emu: Emulator, call: Call, owner: str, repo: str, number: str):
    record = find_repo(emu, owner, repo)
    issue = find_issue(emu, call, record, number)
    unwanted = {login.lower() for login in _requested_logins(call)}
    removed = [login for login in issue["assignees"] if login.lower() in unwanted]
    _change_assignees(emu, call, record, issue, remove=removed)
    return Response(200, render.issue(emu, record, issue))


@router.route("GET", ISSUE + "/assignees/{login}")
def check_issue_assignee(
    emu: Emulator, call: Call, owner: str, repo: str, number: str, login: str
) -> Response:
    record = find_repo(emu, owner, repo)
    issue = find_issue(emu, call, record, number)
    if not emu.assignable(record, login, issue):
        raise ApiError(404, NOT_FOUND)
    return Response(204)


@router.route("GET", "/repos/{owner}/{repo}/assignees")
def list_assignees(emu: Emulator, call: Call, owner: str, repo: str) -> Response:
    """The owner and collaborators; everyone known while no collaborators are set."""
    record = find_repo(emu, owner, repo)
    if record["collaborators"] is None:
        logins = [u["login"] for u in emu.data["users"].values() if u["type"] == "User"]
    else:
        logins = [record["owner"], *record["collaborators"]]
    active = sorted({login for login in logins if emu.is_active(login)}, key=str.lower)
    return paginate(emu, call, active, lambda login: render.user(emu, login))


@router.route("GET", "/repos/{owner}/{repo}/assignees/{login}")
def check_assignee(emu: Emulator, call: Call, owner: str, repo: str, login: str) -> Response:
    record = find_repo(emu, owner, repo)
    if not emu.assignable(record, login):
        raise ApiError(404, NOT_FOUND)
    return Response(204)
