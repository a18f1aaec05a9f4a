"""Adopting the tool where it lives, end to end against the emulator: a program in a folder of
an existing repository, a GitHub App as the bot, and GitHub Enterprise Server's /api/v3."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mentoring.core import graduation, markers
from mentoring.emulator import EmulatorServer
from tests.payloads import build
from tests.support import REPO, REPO_ROOT, form_body, run_cli, write_payload, writes

pytestmark = pytest.mark.e2e

GRADUATION = Path(__file__).parent / "payloads" / "graduation"
APP = "mentoring: application"
PEOPLE = ["octo-coordinator", "lin-mentor", "ada-mentor"]
PREFIX = "community/mentoring"


class Scene:
    """The emulator, the program's folder, and people acting through the API."""

    def __init__(self, emu: EmulatorServer, root: Path, tmp: Path, *, api_url: str = "", **env):
        self.emu, self.root, self.tmp = emu, root, tmp
        self.api_url = api_url or emu.url
        self.env = env
        self.token = env.pop("token", "bot-token")
        self.bot = env.get("MENTORING_BOT_LOGIN", "github-actions[bot]")
        self.runs = 0
        emu.state.set_now(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        emu.state.set_collaborators(REPO, PEOPLE)

    def call(self, method: str, path: str, body: Any = None, token: str = "bot-token") -> Any:
        request = urllib.request.Request(
            self.api_url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
        return json.loads(text) if text else None

    def person(self, who: str, method: str, path: str, body: Any = None) -> Any:
        return self.call(method, path, body, f"as:{who}")

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_cli(
            *args, api_url=self.api_url, root=self.root, token=self.token, env=self.env, check=check
        )

    def event(self, name: str, payload: dict, today: str = "2026-03-02"):
        self.runs += 1
        path = write_payload(self.tmp, payload, f"event-{self.runs}.json")
        self.emu.state.clear_log()
        result = self.cli("event", "--name", name, "--payload", str(path), "--today", today)
        return result, writes(self.emu.state.log())

    def apply(self, who: str = "ada-example") -> int:
        data = {"title": "Mentoring application: Ada", "body": form_body(), "labels": [APP]}
        number = self.person(who, "POST", f"/repos/{REPO}/issues", data)["number"]
        return number

    def say(self, who: str, body: str, number: int):
        note = self.person(who, "POST", f"/repos/{REPO}/issues/{number}/comments", {"body": body})
        payload = build.comment(body, number=number, comment_id=note["id"], author=who)
        return self.event("issue_comment", payload)

    def comments(self, number: int) -> list[dict]:
        return self.call("GET", f"/repos/{REPO}/issues/{number}/comments?per_page=100")

    def marked(self, number: int, kind: str, by: str | None = None) -> list[dict]:
        by = by or self.bot
        return [
            c
            for c in self.comments(number)
            if c["user"]["login"] == by and kind in markers.kinds(c["body"])
        ]


def lifecycle_to_pairing(scene: Scene) -> int:
    """Apply, get welcomed, get paired by a coordinator; each step run twice writes nothing."""
    number = scene.apply()
    result, made = scene.event("issues", build.issues("opened", number=number))
    assert result.returncode == 0, result.stdout + result.stderr
    assert made, result.stdout
    assert {x["login"] for x in made} == {scene.bot}
    assert len(scene.marked(number, "welcome")) == 1
    assert scene.event("issues", build.issues("opened", number=number))[1] == []
    result, made = scene.say("octo-coordinator", "/mentor @lin-mentor", number)
    assert result.returncode == 0, result.stdout + result.stderr
    [paired] = scene.marked(number, "paired")
    assert "@lin-mentor" in paired["body"]
    return number


# --------------------------------------------------------------------------- a program in a folder


def repository_with_a_program_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A library's repository (its own pyproject.toml) with the program in community/mentoring/,
    and the application form where GitHub wants it: .github/ISSUE_TEMPLATE/ at the top."""
    top = tmp_path / "astropy-like"
    root = top / PREFIX
    (root / ".github").mkdir(parents=True)
    (top / "src" / "lib").mkdir(parents=True)
    (top / "pyproject.toml").write_text('[project]\nname = "lib"\nversion = "1.0"\n')
    (top / "src" / "lib" / "__init__.py").write_text("")
    for name in ("roles.yml", "participants.yml"):
        shutil.copy2(REPO_ROOT / name, root / name)
    shutil.copytree(REPO_ROOT / "docs", root / "docs", ignore=shutil.ignore_patterns("arch*"))
    (root / ".github" / "mentoring.yml").write_text("writes: {pace_seconds: 0}\n")
    shutil.copytree(REPO_ROOT / ".github" / "ISSUE_TEMPLATE", top / ".github" / "ISSUE_TEMPLATE")
    subprocess.run(["git", "init", "-q", str(top)], check=True)
    return top, root


@pytest.fixture
def folder(tmp_path):
    top, root = repository_with_a_program_folder(tmp_path)
    with EmulatorServer(seed_dir=top) as emu:
        yield Scene(emu, root, tmp_path)


def graduation_event(scene: Scene, name: str, number: int) -> tuple[Any, list[dict]]:
    payload = json.loads((GRADUATION / f"{name}.json").read_text())
    pr = scene.call("GET", f"/repos/{REPO}/pulls/{number}")
    payload["number"] = number
    payload["pull_request"].update(number=number, state=pr["state"], merged=pr["merged"])
    payload["pull_request"]["head"]["sha"] = pr["head"]["sha"]
    return scene.event("pull_request_target", payload, today="2026-09-30")


def test_a_program_in_a_folder_runs_from_application_to_graduation(folder):
    scene = folder
    number = lifecycle_to_pairing(scene)
    [paired] = scene.marked(number, "paired")
    book = f"{scene.emu.url}/{REPO}/blob/HEAD/{PREFIX}/docs/mentor-handbook.md"
    assert book in paired["body"]

    result, _ = scene.say("lin-mentor", "/ready", number)
    assert result.returncode == 0, result.stderr
    ready = scene.comments(number)[-1]["body"]
    assert f"`{PREFIX}/participants.yml`" in ready

    entry = scene.cli("graduation", "entry", "--issue", str(number), "--today", "2026-09-30")
    assert f"end of {PREFIX}/participants.yml" in entry.stderr
    fork, path = "ada-example/mentoring", f"{PREFIX}/participants.yml"
    main = scene.person("ada-example", "GET", f"/repos/{fork}/branches/main")
    ref = {"ref": "refs/heads/graduation", "sha": main["commit"]["sha"]}
    scene.person("ada-example", "POST", f"/repos/{fork}/git/refs", ref)
    current = scene.person("ada-example", "GET", f"/repos/{fork}/contents/{path}?ref=graduation")
    text = graduation.paste_into((scene.root / "participants.yml").read_text(), entry.stdout)
    change = {
        "message": "Add my graduation entry",
        "content": base64.b64encode(text.encode()).decode(),
        "sha": current["sha"],
        "branch": "graduation",
    }
    scene.person("ada-example", "PUT", f"/repos/{fork}/contents/{path}", change)
    pull = {"title": "Graduation", "head": "ada-example:graduation", "base": "main"}
    pull["body"] = f"Closes #{number}"
    pr = scene.person("ada-example", "POST", f"/repos/{REPO}/pulls", pull)["number"]

    result, made = graduation_event(scene, "opened-fork", pr)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [(w["method"], w["path"]) for w in made] == [
        ("POST", f"/repos/{REPO}/issues/{pr}/comments")
    ]
    [check] = scene.marked(pr, "graduation")
    assert "Graduation check passed" in check["body"] and f"`{path}`" in check["body"]
    reads = {e["path"] for e in scene.emu.state.log() if e["method"] == "GET"}
    assert f"/repos/{fork}/contents/{path}" in reads

    scene.person("octo-coordinator", "PUT", f"/repos/{REPO}/pulls/{pr}/merge", {})
    result, made = graduation_event(scene, "closed-merged-fork", pr)
    assert result.returncode == 0, result.stdout + result.stderr
    issue = scene.call("GET", f"/repos/{REPO}/issues/{number}")
    assert (issue["state"], issue["state_reason"]) == ("closed", "completed")
    assert "status: graduated" in {x["name"] for x in issue["labels"]}
    assert graduation_event(scene, "closed-merged-fork", pr)[1] == []


def test_a_pull_request_changing_the_top_level_participants_file_is_not_a_graduation(folder):
    scene = folder
    fork = "ada-example/mentoring"
    main = scene.person("ada-example", "GET", f"/repos/{fork}/branches/main")
    scene.person(
        "ada-example",
        "POST",
        f"/repos/{fork}/git/refs",
        {"ref": "refs/heads/x", "sha": main["commit"]["sha"]},
    )
    put = {"message": "x", "content": base64.b64encode(b"participants: []\n").decode()}
    put["branch"] = "x"
    scene.person("ada-example", "PUT", f"/repos/{fork}/contents/participants.yml", put)
    pull = {"title": "x", "head": "ada-example:x", "base": "main", "body": ""}
    pr = scene.person("ada-example", "POST", f"/repos/{REPO}/pulls", pull)["number"]
    result, made = graduation_event(scene, "opened-fork", pr)
    assert (result.returncode, made) == (0, [])
    assert f"does not change {PREFIX}/participants.yml" in result.stdout


def test_validate_in_a_folder_names_files_from_where_it_runs(tmp_path):
    top, root = repository_with_a_program_folder(tmp_path)
    (root / "roles.yml").write_text("coordinators: []\nroles: []\n")
    form = top / ".github" / "ISSUE_TEMPLATE" / "application.yml"
    form.write_text(form.read_text().replace("id: coc", "id: conduct"))
    for where, github in ((top, False), (top, True), (root, False)):
        args = ["--root", str(root), "validate"] + (["--format", "github"] if github else [])
        result = subprocess.run(
            [str(REPO_ROOT / ".venv" / "bin" / "python"), "-m", "mentoring", *args],
            cwd=where,
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "PYTHONUTF8": "1"},
            check=False,
        )
        assert result.returncode == 1, result.stderr
        roles = "roles.yml" if where == root else f"{PREFIX}/roles.yml"
        shown_form = ".github/ISSUE_TEMPLATE/application.yml"
        if github:
            assert f"::error file={PREFIX}/roles.yml,line=1::" in result.stdout
            assert f"::error file={shown_form},line=" in result.stdout
        else:
            assert f"{roles}:1: coordinators: needs at least 1" in result.stdout
            assert f"{shown_form}:" in result.stdout or where == root
            assert "which form.fields.code_of_conduct names" in result.stdout


# --------------------------------------------------------------------------- a GitHub App


@pytest.fixture
def app_scene(tmp_path):
    from tests.support import program_copy

    root = program_copy(tmp_path)
    with EmulatorServer(seed_dir=root) as emu:
        yield Scene(
            emu, root, tmp_path, token="app:mentoring-app", MENTORING_BOT_LOGIN="mentoring-app[bot]"
        )


def test_the_emulator_acts_as_an_app_bot(app_scene):
    scene = app_scene
    with pytest.raises(urllib.error.HTTPError) as refused:
        scene.call("GET", "/user", token="app:mentoring-app")
    assert refused.value.code == 403
    assert json.loads(refused.value.read())["message"] == "Resource not accessible by integration"
    number = scene.apply()
    note = scene.call(
        "POST", f"/repos/{REPO}/issues/{number}/comments", {"body": "hi"}, "app:mentoring-app"
    )
    assert (note["user"]["login"], note["user"]["type"]) == ("mentoring-app[bot]", "Bot")
    with pytest.raises(urllib.error.HTTPError) as bad:
        scene.call("GET", "/rate_limit", token="app:Not A Slug")
    assert bad.value.code == 401
    scene.emu.state.events()
    scene.call("POST", f"/repos/{REPO}/issues/{number}/comments", {"body": "x"}, "bot-token")
    assert scene.emu.state.events() == []  # the workflow token's writes trigger nothing
    scene.call(
        "POST", f"/repos/{REPO}/issues/{number}/comments", {"body": "y"}, "app:mentoring-app"
    )
    assert [e["name"] for e in scene.emu.state.events()] == ["issue_comment"]  # an App's do


def test_a_lifecycle_with_an_app_as_the_bot_trusts_only_the_apps_markers(app_scene):
    scene = app_scene
    number = scene.apply()
    # Markers written by another bot (the workflow token) must count for nothing.
    for body in (
        "Welcome! " + markers.make("welcome"),
        "Card " + markers.make("card", {"v": 1, "status": "declined", "mentee": "ada-example"}),
    ):
        scene.call("POST", f"/repos/{REPO}/issues/{number}/comments", {"body": body})
    number_again = lifecycle_to_pairing_on(scene, number)
    assert number_again == number
    card = scene.marked(number, "card")
    assert len(card) == 1 and '"status":"active"' in card[0]["body"].replace(" ", "")
    assert len(scene.marked(number, "welcome", by="github-actions[bot]")) == 1  # untouched
    result, made = scene.say("ada-mentor", "/pause", number)
    assert "can only be used by" in scene.comments(number)[-1]["body"]
    assert scene.event("issues", build.issues("opened", number=number))[1] == []

    # The App's own comment triggers an event: the handler ignores it as the bot's.
    [event] = [e for e in scene.emu.state.events() if e["name"] == "issue_comment"][-1:]
    result, made = scene.event("issue_comment", event["payload"])
    assert made == [] and "by a bot" in result.stdout


def lifecycle_to_pairing_on(scene: Scene, number: int) -> int:
    result, made = scene.event("issues", build.issues("opened", number=number))
    assert result.returncode == 0, result.stdout + result.stderr
    assert {x["login"] for x in made} == {"mentoring-app[bot]"}
    assert len(scene.marked(number, "welcome")) == 1
    assert scene.event("issues", build.issues("opened", number=number))[1] == []
    result, made = scene.say("octo-coordinator", "/mentor @lin-mentor", number)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(scene.marked(number, "paired")) == 1
    return number


# ---------------------------------------------------------------- GitHub Enterprise Server


@pytest.fixture
def enterprise(tmp_path):
    from tests.support import program_copy

    root = program_copy(tmp_path)
    with EmulatorServer(seed_dir=root) as emu:
        yield Scene(emu, root, tmp_path, api_url=emu.url + "/api/v3")


def test_a_lifecycle_on_enterprise_server_goes_through_api_v3(enterprise):
    scene = enterprise
    number = lifecycle_to_pairing(scene)
    [paired] = scene.marked(number, "paired")
    assert f"{scene.emu.url}/{REPO}/blob/HEAD/docs/mentor-handbook.md" in paired["body"]
    assert "/api/v3/" not in paired["body"]
    scene.emu.state.clear_log()
    result = scene.cli("nightly", "--today", "2026-04-02")
    assert "check-in" in scene.comments(number)[-1]["body"].lower(), result.stdout
    log = scene.emu.state.log()
    assert log and {e.get("prefix") for e in log} == {"/api/v3"}


def test_enterprise_urls_and_link_headers_carry_the_prefix(enterprise):
    scene = enterprise
    for _ in range(3):
        scene.apply()
    request = urllib.request.Request(
        f"{scene.api_url}/repos/{REPO}/issues?per_page=1&state=all",
        headers={"Authorization": "token bot-token"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        link = response.headers["Link"]
        [issue] = json.loads(response.read())
    assert (
        f'<{scene.emu.url}/api/v3/repos/{REPO}/issues?per_page=1&state=all&page=2>; rel="next"'
        in link
    )
    assert issue["url"].startswith(f"{scene.emu.url}/api/v3/repos/{REPO}/issues/")
    assert issue["user"]["url"].startswith(f"{scene.emu.url}/api/v3/users/")
    assert issue["html_url"].startswith(f"{scene.emu.url}/{REPO}/issues/")
    plain = scene.call("GET", f"/repos/{REPO}/issues/1".replace(scene.api_url, ""))
    assert plain["url"].startswith(f"{scene.emu.url}/api/v3/")
    root_answer = json.loads(
        urllib.request.urlopen(f"{scene.emu.url}/repos/{REPO}/issues/1").read()
    )
    assert root_answer["url"] == f"{scene.emu.url}/repos/{REPO}/issues/1"  # the root still serves


@pytest.mark.parametrize(
    ("env", "server"),
    [
        ({"GITHUB_API_URL": "https://api.github.com"}, "https://github.com"),
        ({"GITHUB_API_URL": "https://ghe.example.org/api/v3"}, "https://ghe.example.org"),
        ({"GITHUB_API_URL": "https://ghe.example.org/api/v3/"}, "https://ghe.example.org"),
        (
            {
                "GITHUB_API_URL": "https://ghe.example.org/api/v3",
                "GITHUB_SERVER_URL": "https://code.example.org/",
            },
            "https://code.example.org",
        ),
    ],
    ids=["github.com", "enterprise", "enterprise-slash", "server-url-wins"],
)
def test_the_web_host_follows_the_api_host(env, server):
    from mentoring.gateway import Target

    target = Target.from_env("o/r", env)
    assert (target.server_url, target.web_url) == (server, f"{server}/o/r")


def test_the_local_graduation_check_reads_the_folders_file_at_both_refs(tmp_path):
    top, root = repository_with_a_program_folder(tmp_path)
    entry = (
        "participants:\n  - name: Ada Example\n    login: ada-example\n    role: maintainer\n"
        "    issue: 12\n    mentors: [lin-mentor]\n    started: 2026-01-15\n"
        "    graduated: 2026-09-30\n"
    )
    (root / "participants.yml").write_text(entry)
    git = ["git", "-C", str(top), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "program"], check=True)
    (root / "participants.yml").write_text("participants: []\n")  # the entry removed
    result = run_cli(
        "graduation", "check", "--base", "HEAD", api_url="http://127.0.0.1:9", root=root
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"Checked {PREFIX}/participants.yml: HEAD → the working tree." in result.stdout
    assert "removes the entry of 'ada-example'" in result.stdout
    assert f"{PREFIX}/participants.yml:1:" in result.stdout
