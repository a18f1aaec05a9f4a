"""Account-level endpoints: the authenticated user, users, repositories and the rate limit."""

from __future__ import annotations

from mentoring.emulator import render
from mentoring.emulator.api import NOT_FOUND, ApiError, Call, Response, Router, find_repo
from mentoring.emulator.state import Emulator

router = Router()
BOT_PERMISSIONS = {"admin": False, "maintain": False, "push": True, "triage": True, "pull": True}


@router.route("GET", "/user")
def get_authenticated_user(emu: Emulator, call: Call) -> Response:
    """Refused for the workflow token, as GitHub refuses it for ``GITHUB_TOKEN``."""
    if call.actor.login is None:
        raise ApiError(401, "Requires authentication")
    if call.actor.is_bot:
        raise ApiError(403, "Resource not accessible by integration")
    return Response(200, render.private_user(emu, emu.user(call.actor.login)))


@router.route("GET", "/users/{username}")
def get_user(emu: Emulator, call: Call, username: str) -> Response:
    if not emu.valid_login(username):
        raise ApiError(404, NOT_FOUND)
    record = emu.user(username)
    if record["deleted"]:
        raise ApiError(404, NOT_FOUND)
    return Response(200, render.public_user(emu, record))


@router.route("GET", "/repos/{owner}/{repo}")
def get_repo(emu: Emulator, call: Call, owner: str, repo: str) -> Response:
    record = find_repo(emu, owner, repo)
    return Response(200, render.repository(emu, record, _permissions(emu, record, call)))


def _permissions(emu: Emulator, repo: dict, call: Call) -> dict | None:
    if call.actor.login is None:
        return None
    if call.actor.is_bot:
        return BOT_PERMISSIONS
    role = emu.association(repo, call.actor.login)
    return {
        "admin": role == "OWNER",
        "maintain": role == "OWNER",
        "push": role != "NONE",
        "triage": role != "NONE",
        "pull": True,
    }


@router.route("GET", "/rate_limit")
def get_rate_limit(emu: Emulator, call: Call) -> Response:
    return Response(200, render.rate_limit(call.rate))
