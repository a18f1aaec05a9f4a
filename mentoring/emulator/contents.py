"""Git data endpoints: branches, refs and file contents (enough for a graduation PR)."""

from __future__ import annotations

import base64
import binascii

from mentoring.emulator import render
from mentoring.emulator.api import (
    NOT_FOUND,
    ApiError,
    Call,
    Response,
    Router,
    find_repo,
    git_author,
    json_object,
    move_branch,
    paginate,
)
from mentoring.emulator.state import Emulator

router = Router()


# ---------------------------------------------------------------------- branches, refs


@router.route("GET", "/repos/{owner}/{repo}/branches")
def list_branches(emu: Emulator, call: Call, owner: str, repo: str) -> Response:
    record = find_repo(emu, owner, repo)
    names = sorted(record["branches"])
    return paginate(
        emu, call, names, lambda n: render.short_branch(emu, record, n, record["branches"][n])
    )


@router.route("GET", "/repos/{owner}/{repo}/branches/{branch:.+}")
def get_branch(emu: Emulator, call: Call, owner: str, repo: str, branch: str) -> Response:
    record = find_repo(emu, owner, repo)
    if branch not in record["branches"]:
        raise ApiError(404, "Branch not found")
    return Response(200, render.branch(emu, record, branch, record["branches"][branch]))


def _branch_of(ref: str) -> str:
    """The branch name in ``heads/NAME`` (only branch refs are emulated)."""
    prefix, _, name = ref.removeprefix("refs/").partition("/")
    if prefix != "heads" or not name:
        raise ApiError(404, NOT_FOUND)
    return name


@router.route("GET", "/repos/{owner}/{repo}/git/ref/{ref:.+}")
@router.route("GET", "/repos/{owner}/{repo}/git/refs/{ref:.+}")
def get_ref(emu: Emulator, call: Call, owner: str, repo: str, ref: str) -> Response:
    record = find_repo(emu, owner, repo)
    name = _branch_of(ref)
    if name not in record["branches"]:
        raise ApiError(404, NOT_FOUND)
    return Response(200, render.git_ref(emu, record, name, record["branches"][name]))


@router.route("GET", "/repos/{owner}/{repo}/git/blobs/{sha:[0-9a-f]+}")
def get_blob(emu: Emulator, call: Call, owner: str, repo: str, sha: str) -> Response:
    record = find_repo(emu, owner, repo)
    if not emu.git.has_blob(sha):
        raise ApiError(404, NOT_FOUND)
    return Response(200, render.git_blob(emu, record, sha))


@router.route("POST", "/repos/{owner}/{repo}/git/refs")
def create_ref(emu: Emulator, call: Call, owner: str, repo: str) -> Response:
    record = find_repo(emu, owner, repo)
    body = json_object(call)
    ref, sha = str(body.get("ref", "")), str(body.get("sha", ""))
    if not ref.startswith("refs/heads/") or ref == "refs/heads/":
        raise ApiError(422, "Reference name is invalid")
    if not emu.git.has_commit(sha):
        raise ApiError(422, "Object does not exist")
    name = ref.removeprefix("refs/heads/")
    if name in record["branches"]:
        raise ApiError(422, "Reference already exists")
    move_branch(emu, call, record, name, sha)
    return Response(201, render.git_ref(emu, record, name, sha))


@router.route("PATCH", "/repos/{owner}/{repo}/git/refs/{ref:.+}")
def update_ref(emu: Emulator, call: Call, owner: str, repo: str, ref: str) -> Response:
    record = find_repo(emu, owner, repo)
    name = _branch_of(ref)
    body = json_object(call)
    sha = str(body.get("sha", ""))
    if name not in record["branches"]:
        raise ApiError(422, "Reference does not exist")
    if not emu.git.has_commit(sha):
        raise ApiError(422, "Object does not exist")
    if not body.get("force") and record["branches"][name] not in emu.git.ancestors(sha):
        raise ApiError(422, "Update is not a fast forward")
    move_branch(emu, call, record, name, sha)
    return Response(200, render.git_ref(emu, record, name, sha))


@router.route("DELETE", "/repos/{owner}/{repo}/git/refs/{ref:.+}")
def delete_ref(emu: Emulator, call: Call, owner: str, repo: str, ref: str) -> Response:
    record = find_repo(emu, owner, repo)
    name = _branch_of(ref)
    if name not in record["branches"]:
        raise ApiError(422, "Reference does not exist")
    del record["branches"][name]
    return Response(204)


# --------------------------------------------------------------------------- contents


def _resolve(emu: Emulator, repo: dict, ref: str | None) -> tuple[str, str]:
    """A branch name or commit sha to ``(ref as given, commit sha)``."""
    ref = ref or repo["default_branch"]
    if ref in repo["branches"]:
        return ref, repo["branches"][ref]
    if emu.git.has_commit(ref):
        return ref, ref
    raise ApiError(404, f"No commit found for the ref {ref}")


@router.route("GET", "/repos/{owner}/{repo}/contents")
@router.route("GET", "/repos/{owner}/{repo}/contents/{path:.*}")
def get_contents(emu: Emulator, call: Call, owner: str, repo: str, path: str = "") -> Response:
    """A file with its content, or a directory's listing."""
    record = find_repo(emu, owner, repo)
    ref, sha = _resolve(emu, record, call.query.get("ref"))
    tree = emu.git.tree(sha)
    path = path.strip("/")
    if path in tree:
        return Response(200, render.content_file(emu, record, path, tree[path], ref))
    prefix = f"{path}/" if path else ""
    children: dict[str, dict[str, str]] = {}
    for file_path, blob in tree.items():
        if file_path.startswith(prefix):
            child, _, rest = file_path[len(prefix) :].partition("/")
            children.setdefault(child, {})[rest] = blob
    if not children:
        raise ApiError(404, NOT_FOUND)
    listing = []
    for child, entries in sorted(children.items()):
        child_path = prefix + child
        if child_path in tree:
            listing.append(render.content_entry(emu, record, child_path, tree[child_path], ref))
        else:
            listing.append(render.content_dir(emu, record, child_path, entries, ref))
    return Response(200, listing)


def _commit_change(
    emu: Emulator, call: Call, repo: dict, body: dict, path: str, content: bytes | None
) -> tuple[str, str, bool]:
    """Commit one file's new content (None deletes it) on the body's branch.

    Returns the branch, the new commit's sha and whether the file is new.
    """
    if not body.get("message"):
        raise ApiError(422, 'Invalid request.\n\n"message" wasn\'t supplied.')
    branch = body.get("branch") or repo["default_branch"]
    if branch not in repo["branches"]:
        raise ApiError(404, f"Branch {branch} not found")
    parent = repo["branches"][branch]
    tree = dict(emu.git.tree(parent))
    current = tree.get(path)
    if current is not None and not body.get("sha"):
        raise ApiError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
    if current is None and content is None:
        raise ApiError(404, NOT_FOUND)
    if body.get("sha") and body["sha"] != current:
        raise ApiError(409, f"{path} does not match {body['sha']}")
    if content is None:
        del tree[path]
    else:
        tree[path] = emu.git.put_blob(content)
    sha = emu.git.put_commit(
        tree, [parent], str(body["message"]), git_author(emu, call.actor.login)
    )
    move_branch(emu, call, repo, branch, sha)
    return branch, sha, current is None


@router.route("PUT", "/repos/{owner}/{repo}/contents/{path:.+}")
def put_contents(emu: Emulator, call: Call, owner: str, repo: str, path: str) -> Response:
    """Create or update a file; ``sha`` is required to update and must match (409 if not)."""
    record = find_repo(emu, owner, repo)
    body = json_object(call)
    if "content" not in body:
        raise ApiError(422, 'Invalid request.\n\n"content" wasn\'t supplied.')
    try:
        content = base64.b64decode("".join(str(body["content"]).split()), validate=True)
    except binascii.Error:
        raise ApiError(422, "content is not valid Base64") from None
    path = path.strip("/")
    branch, sha, created = _commit_change(emu, call, record, body, path, content)
    blob = emu.git.tree(sha)[path]
    answer = {
        "content": render.content_entry(emu, record, path, blob, branch),
        "commit": render.git_commit(emu, record, sha),
    }
    return Response(201 if created else 200, answer)


@router.route("DELETE", "/repos/{owner}/{repo}/contents/{path:.+}")
def delete_contents(emu: Emulator, call: Call, owner: str, repo: str, path: str) -> Response:
    record = find_repo(emu, owner, repo)
    body = json_object(call)
    if not body.get("sha"):
        raise ApiError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
    _, sha, _ = _commit_change(emu, call, record, body, path.strip("/"), None)
    return Response(200, {"content": None, "commit": render.git_commit(emu, record, sha)})
