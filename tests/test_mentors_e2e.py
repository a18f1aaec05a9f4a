"""The mentors' side end to end on the emulator: registration → /approve → the bot's pull request
→ merged → suggested; nomination → invitation → application → nominator first → paired;
/away → suggestions and check-ins change → back on the date.

People act through the emulator's API (tokens ``as:LOGIN``); the bot runs in-process
through the same runners as `mentoring event` and `mentoring nightly`.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from mentoring.cli import App
from mentoring.core import markers, mentors, rolesedit
from mentoring.emulator import EmulatorServer
from mentoring.program import config
from mentoring.runners import run_events, run_nightly
from tests.payloads import build
from tests.support import REPO, form_body, program_copy, write_payload, writes

pytestmark = pytest.mark.e2e

BOT = "github-actions[bot]"
DAY = date(2026, 3, 2)
REG = "mentoring: mentor registration"
NOM = "mentoring: nomination"
APP_LABEL = "mentoring: application"


def registration_body(login: str, roles: str, capacity: str = "2") -> str:
    values = {
        "Your GitHub login": login,
        "Roles you will mentor for": roles,
        "How many mentees at once": capacity,
        "A short note": "I am in UTC+1.",
    }
    return "\n\n".join(f"### {k}\n\n{v}" for k, v in values.items()) + "\n"


class Scene:
    def __init__(self, emu: EmulatorServer, root: Path, tmp: Path, monkeypatch):
        self.emu, self.root, self.tmp = emu, root, tmp
        self.runs = 0
        self.pulls = True  # as mentoring-mentors.yml runs it
        monkeypatch.setenv("GITHUB_API_URL", emu.url)
        monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
        monkeypatch.setenv("GITHUB_TOKEN", "bot-token")
        monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
        emu.state.set_collaborators(
            REPO,
            ["octo-coordinator", "mona-coordinator", "sam-mentor", "rio-mentor", "grace-h"],
        )
        self.today = DAY
        self.clock(DAY)

    def clock(self, day: date, hour: int = 10) -> None:
        self.today = day
        self.emu.state.set_now(datetime.combine(day, time(hour), UTC))

    def api(self, method: str, path: str, who: str | None = None, body: Any = None) -> Any:
        request = urllib.request.Request(
            self.emu.url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Authorization": f"token {'as:' + who if who else 'bot-token'}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request) as response:
            text = response.read()
        return json.loads(text) if text else None

    def app(self) -> App:
        return App(self.root, None, False)  # a fresh checkout's program

    def open_issue(self, who: str, title: str, body: str, labels: tuple[str, ...]) -> int:
        data = {"title": title, "body": body, "labels": list(labels)}
        number = self.api("POST", f"/repos/{REPO}/issues", who, data)["number"]
        payload = build.issues("opened", number=number, sender=who, author=who, body=body)
        payload["issue"]["labels"] = [build.label(x) for x in labels]
        self.event("issues", payload)
        return number

    def say(self, who: str, number: int, body: str) -> list[dict]:
        return self.event("issue_comment", self.post(who, number, body))

    def post(self, who: str, number: int, body: str) -> dict:
        """Comment as ``who``; the ``issue_comment`` payload GitHub would send."""
        comment = self.api("POST", f"/repos/{REPO}/issues/{number}/comments", who, {"body": body})
        issue = self.api("GET", f"/repos/{REPO}/issues/{number}")
        payload = build.comment(body, number=number, comment_id=comment["id"], author=who)
        payload["issue"]["labels"] = [build.label(x["name"]) for x in issue["labels"]]
        payload["issue"]["body"] = issue["body"]
        return payload

    def event(self, name: str, payload: dict) -> list[dict]:
        self.runs += 1
        path = write_payload(self.tmp, payload, f"event-{self.runs}.json")
        self.emu.state.clear_log()
        assert run_events.run(self.app(), name, path, self.today, open_pulls=self.pulls) == 0
        return writes(self.emu.state.log())

    def night(self, day: date) -> list[dict]:
        self.clock(day, 5)
        self.emu.state.clear_log()
        assert run_nightly.run(self.app(), day) == 0
        return writes(self.emu.state.log())

    def bot_said(self, number: int, kind: str) -> list[tuple[str, dict]]:
        found = []
        for c in self.api("GET", f"/repos/{REPO}/issues/{number}/comments?per_page=100"):
            if c["user"]["login"] == BOT:
                found += [(c["body"], d) for k, d in markers.parse(c["body"]) if k == kind]
        return found

    def last_reply(self, number: int) -> str:
        return self.bot_said(number, mentors.REPLY)[-1][0]

    def welcome(self, number: int) -> str:
        return self.bot_said(number, "welcome")[-1][0]

    def apply(self, who: str, role: str) -> int:
        body = form_body(Role_you_aim_for=role, Your_name=who.title())
        return self.open_issue(who, f"Mentoring application: {who}", body, (APP_LABEL,))

    def checkout(self) -> None:
        """The default branch's roles.yml into the program's checkout (the workflow's checkout)."""
        data = self.api("GET", f"/repos/{REPO}/contents/roles.yml")
        (self.root / "roles.yml").write_bytes(base64.b64decode(data["content"]))

    def dashboard(self) -> str:
        label = urllib.parse.quote("mentoring: dashboard")
        found = self.api("GET", f"/repos/{REPO}/issues?labels={label}&state=all")
        return found[0]["body"]


@pytest.fixture
def scene(tmp_path, monkeypatch):
    root = program_copy(tmp_path)
    with EmulatorServer(seed_dir=root) as emu:
        yield Scene(emu, root, tmp_path, monkeypatch)


def suggested(welcome: str) -> list[str]:
    line = next(x for x in welcome.splitlines() if x.startswith("**Mentors for this role"))
    return re.findall(r"@\u200b?([A-Za-z0-9-]+) \(\d+ of \d+ places taken\)", line)


def test_register_approve_merge_then_suggested(scene):
    original = (scene.root / "roles.yml").read_text(encoding="utf-8")
    body = registration_body("grace-h", "Documentation lead (docs-lead)", "2")
    reg = scene.open_issue("grace-h", "Mentor registration: Grace", body, (REG,))
    [(card, data)] = scene.bot_said(reg, "registration")
    assert data["status"] == "waiting" and "The form is complete" in card

    made = scene.say("kai-mentor", reg, "/approve")
    assert "can only be used by the program coordinators" in scene.last_reply(reg)
    assert [w["method"] for w in made] == ["POST"]  # the refusal only

    scene.pulls = False  # the events workflow: it leaves the /approve to mentoring-mentors.yml
    payload = scene.post("octo-coordinator", reg, "Welcome!\n/approve")
    assert scene.event("issue_comment", payload) == []
    scene.pulls = True
    made = scene.event("issue_comment", payload)
    paths = [(w["method"], w["path"].split(REPO)[-1]) for w in made]
    assert ("POST", "/git/refs") in paths and ("PUT", "/contents/roles.yml") in paths
    assert ("POST", "/pulls") in paths
    assert "adds @\u200bgrace-h to `roles.yml`" in scene.last_reply(reg)
    [pull] = scene.api("GET", f"/repos/{REPO}/pulls?state=open")
    assert pull["user"]["login"] == BOT and f"Closes #{reg}" in pull["body"]
    assert "✔ no problems" in pull["body"]
    [changed] = scene.api("GET", f"/repos/{REPO}/pulls/{pull['number']}/files")
    assert changed["filename"] == "roles.yml" and changed["deletions"] == 0

    # the same event again, and a nightly: nothing new (one pull request, one reply)
    again = scene.say("octo-coordinator", reg, "Thanks")
    assert again == []
    assert len(scene.api("GET", f"/repos/{REPO}/pulls?state=all")) == 1

    # the branch's roles.yml: only added lines, and `mentoring validate` accepts it
    content = scene.api("GET", f"/repos/{REPO}/contents/roles.yml?ref={pull['head']['ref']}")
    proposed = base64.b64decode(content["content"]).decode()
    assert rolesedit.added_lines(original, proposed) == [
        "      - login: grace-h",
        "        capacity: 2",
    ]
    (scene.tmp / "branch").mkdir()
    branch_root = program_copy(scene.tmp / "branch")
    (branch_root / "roles.yml").write_text(proposed, encoding="utf-8")
    program = config.load_program(branch_root)  # raises with every problem if invalid
    assert "grace-h" in [m.login for m in program.role("docs-lead").mentors]

    scene.clock(DAY + timedelta(days=1))
    scene.api("PUT", f"/repos/{REPO}/pulls/{pull['number']}/merge", "octo-coordinator", {})
    shown = scene.api("GET", f"/repos/{REPO}/issues/{reg}")
    assert (shown["state"], shown["state_reason"]) == ("closed", "completed")
    scene.checkout()
    closed = build.issues("closed", number=reg, sender="octo-coordinator", author="grace-h")
    closed["issue"]["labels"] = [build.label(REG)]
    closed["issue"]["body"] = body
    scene.event("issues", closed)  # the merge closed it: a welcome, once
    [(welcome, _)] = scene.bot_said(reg, mentors.REGISTERED)
    assert "@grace-h" in welcome and "Documentation lead" in welcome
    assert scene.event("issues", closed) == []

    number = scene.apply("new-dev", "Documentation lead (docs-lead)")
    assert "grace-h" in suggested(scene.welcome(number))


def test_nomination_invites_once_then_the_nominator_is_suggested_first_and_paired(scene):
    nomination = (
        "### Who you nominate\n\n@alan-t\n\n### Role\n\nIssue triager (triager)\n\n"
        "### Why them\n\nTriages every week."
    )
    nom = scene.open_issue("rio-mentor", "Nomination: Alan", nomination, (NOM,))
    [(invite, data)] = scene.bot_said(nom, mentors.NOMINATION)
    assert data["nominee"] == "alan-t" and data["by"] == "rio-mentor"
    assert "@alan-t" in invite and "template=application.yml&role=Issue+triager" in invite

    scene.night(DAY + timedelta(days=1))
    board = scene.dashboard()
    assert "| @\u200balan-t | Issue triager | @\u200brio-mentor | 2026-03-02 | #" in board

    scene.clock(DAY + timedelta(days=2))
    scene.say("sam-mentor", nom, "/nominate @Alan-T triager")
    reply = scene.last_reply(nom)
    assert "was invited for the Issue triager role on 2026-03-02" in reply
    assert "@alan-t" not in reply.casefold()  # not pinged twice

    scene.say("grace-h", nom, "/nominate @someone triager")
    assert "can only be used by" in scene.last_reply(nom)

    application = scene.apply("alan-t", "Issue triager (triager)")
    assert suggested(scene.welcome(application))[0] == "rio-mentor"  # sam-mentor comes first else

    scene.say("octo-coordinator", application, "/mentor @rio-mentor")
    issue = scene.api("GET", f"/repos/{REPO}/issues/{application}")
    assert "rio-mentor" in {a["login"] for a in issue["assignees"]}
    assert {x["name"] for x in issue["labels"]} >= {"status: active"}

    scene.night(DAY + timedelta(days=3))
    assert "### Open nominations\n\nNone." in scene.dashboard()


def test_away_changes_suggestions_and_checkins_then_ends_on_the_date(scene):
    first = scene.apply("bea-b", "Issue triager (triager)")
    scene.say("octo-coordinator", first, "/mentor @sam-mentor")
    back = DAY + timedelta(days=40)
    scene.say("sam-mentor", first, f"/away until {back.isoformat()}")
    assert f"is away until {back.isoformat()}" in scene.last_reply(first)
    assert "check-ins address the coordinators" in scene.last_reply(first)

    scene.say("bea-b", first, f"/away until {back.isoformat()}")  # the mentee may not
    assert "can only be used by a mentor listed in `roles.yml`" in scene.last_reply(first)

    second = scene.apply("cy-d", "Issue triager (triager)")
    assert suggested(scene.welcome(second)) == ["rio-mentor"]

    scene.night(DAY + timedelta(days=30))  # check-in 1 falls due while sam-mentor is away
    [(checkin, _)] = scene.bot_said(first, "checkin")
    greeting = next(x for x in checkin.splitlines() if "how is the mentorship going" in x)
    assert greeting.startswith("@octo-coordinator, @mona-coordinator, @bea-b:")
    assert "sam-mentor is away until" in checkin.replace("\u200b", "")
    assert f"- @\u200bsam-mentor until {back.isoformat()}" in scene.dashboard()

    scene.night(back)
    assert "### Mentors away\n\nNobody." in scene.dashboard()
    third = scene.apply("di-e", "Issue triager (triager)")
    assert "sam-mentor" in suggested(scene.welcome(third))


def test_the_gateway_opens_the_pull_request_once_and_never_over_a_changed_file(scene):
    from mentoring.core.model import OpenPullRequest, Plan
    from mentoring.core.registration import blob_sha

    gateway = scene.app().gateway()
    data = gateway.read_file("roles.yml")
    text = data.decode()
    change = rolesedit.add_mentor(text, "triager", "alan-t")

    def write(base: str) -> OpenPullRequest:
        return OpenPullRequest(
            5,
            branch="mentoring/register-alan-t-5",
            path="roles.yml",
            content=change,
            base_blob=base,
            title="Register alan-t as a mentor",
            body="Closes #5",
            message="Register alan-t",
        )

    stale = scene.app().gateway()
    stale.apply(Plan((write("0" * 40),)))
    assert stale.report.skipped and not scene.api("GET", f"/repos/{REPO}/pulls?state=all")

    # a run that died after its commit left the branch ahead: the next run resets it
    branch = f"/repos/{REPO}/contents/roles.yml?ref=mentoring/register-alan-t-5"
    sha = scene.api("GET", branch)["sha"]
    half = {"message": "half", "content": base64.b64encode(b"half").decode(), "sha": sha}
    scene.api("PUT", f"/repos/{REPO}/contents/roles.yml", None, half | {"branch": write("").branch})

    for requests in (9, 1):  # the second run finds the pull request open: writes nothing
        gateway = scene.app().gateway()
        scene.emu.state.clear_log()
        gateway.apply(Plan((write(blob_sha(data)),)))
        assert not gateway.report.failed, gateway.report
        # 7 for a fresh branch; resetting the one a dead run left costs 2 more
        # (besides the gateway's one GET /user, whose token, before its first write)
        assert len([e for e in scene.emu.state.log() if e["path"] != "/user"]) == requests
    [pull] = scene.api("GET", f"/repos/{REPO}/pulls?state=all")
    assert pull["head"]["ref"] == "mentoring/register-alan-t-5"
    head = scene.api("GET", f"/repos/{REPO}/contents/roles.yml?ref={pull['head']['ref']}")
    assert base64.b64decode(head["content"]).decode() == change


def test_an_away_whose_event_was_lost_is_answered_by_the_nightly(scene):
    first = scene.apply("bea-b", "Issue triager (triager)")
    scene.say("octo-coordinator", first, "/mentor @sam-mentor")
    back = DAY + timedelta(days=10)
    scene.post("sam-mentor", first, f"/away until {back.isoformat()}")  # no event delivered
    scene.night(DAY + timedelta(days=1))
    [(reply, _)] = scene.bot_said(first, mentors.AWAY)
    assert f"until {back.isoformat()}" in reply
    assert f"- @\u200bsam-mentor until {back.isoformat()}" in scene.dashboard()
    assert scene.night(DAY + timedelta(days=1)) == []  # answered once


def quietly_open(scene, who: str, title: str, body: str, label: str) -> int:
    """Open an issue whose `issues.opened` event GitHub never delivers."""
    data = {"title": title, "body": body, "labels": [label]}
    return scene.api("POST", f"/repos/{REPO}/issues", who, data)["number"]


def reads_of(scene, number: int) -> list[dict]:
    return [
        e
        for e in scene.emu.state.log()
        if e["method"] == "GET" and e["path"].split("?")[0].endswith(f"/issues/{number}")
    ]


@pytest.fixture
def comment_scene(tmp_path, monkeypatch):
    settings = "writes:\n  pace_seconds: 0\nmentors:\n  approve: comment\n"
    root = program_copy(tmp_path, settings)
    with EmulatorServer(seed_dir=root) as emu:
        yield Scene(emu, root, tmp_path, monkeypatch)


def test_lost_events_on_registrations_and_nominations_are_answered_by_the_nightly(comment_scene):
    scene = comment_scene
    body = registration_body("grace-h", "Documentation lead (docs-lead)", "2")
    reg = quietly_open(scene, "grace-h", "Mentor registration: Grace", body, REG)
    scene.night(DAY + timedelta(days=1))  # the registration never got its card: triaged
    [(_, data)] = scene.bot_said(reg, "registration")
    assert data["status"] == "waiting"

    scene.clock(DAY + timedelta(days=2))
    scene.post("octo-coordinator", reg, "/approve")  # both events lost
    scene.post("kai-mentor", reg, "/approve")
    nomination = (
        "### Who you nominate\n\n@alan-t\n\n### Role\n\nIssue triager (triager)\n\n"
        "### Why them\n\nTriages every week."
    )
    nom = quietly_open(scene, "rio-mentor", "Nomination: Alan", nomination, NOM)
    scene.post("sam-mentor", nom, "/nominate @alan-t triager")  # the same person, later
    scene.post("rio-mentor", nom, "/nominate @bo-x triager")

    made = scene.night(DAY + timedelta(days=3))
    assert reads_of(scene, reg) == [] and reads_of(scene, nom) == []  # from the window
    replies = [body for body, _ in scene.bot_said(reg, mentors.REPLY)]
    assert len(replies) == 2  # oldest first, as the events would have
    assert "add these lines to `roles.yml`" in replies[0] and "grace-h" in replies[0]
    assert "can only be used by the program coordinators" in replies[1]
    [(_, data)] = scene.bot_said(reg, "registration")
    assert data["status"] == "approved"
    invited = [d["nominee"] for _, d in scene.bot_said(nom, mentors.NOMINATION)]
    assert invited == ["alan-t", "bo-x"]  # the form first, alan-t once
    texts = [body for body, _ in scene.bot_said(nom, mentors.REPLY)]
    assert "was invited for the Issue triager role on 2026-03-04" in texts[1]
    assert len(texts) == 3
    assert any(w["method"] == "POST" for w in made)

    assert scene.night(DAY + timedelta(days=3)) == []  # answered once: nothing the second time
    made = scene.night(DAY + timedelta(days=4))  # the next day: only the dashboard's date
    assert [(w["method"], w["path"].rsplit("/", 1)[-1]) for w in made] == [("PATCH", "2")]


def test_a_lost_command_on_an_old_registration_is_read_alone_only_then(comment_scene):
    scene = comment_scene
    body = registration_body("grace-h", "Documentation lead (docs-lead)", "2")
    reg = scene.open_issue("grace-h", "Mentor registration: Grace", body, (REG,))
    later = DAY + timedelta(days=60)  # the card is long out of the nightly's window
    scene.night(later)
    assert reads_of(scene, reg) == []  # steady state: no read of its own
    scene.clock(later)
    scene.post("octo-coordinator", reg, "/approve")  # its event lost
    made = scene.night(later + timedelta(days=1))
    assert len(reads_of(scene, reg)) == 1
    assert "add these lines to `roles.yml`" in scene.last_reply(reg)
    assert len(scene.bot_said(reg, "registration")) == 1  # its card edited, not posted again
    assert [w["method"] for w in made].count("POST") >= 1
    assert scene.night(later + timedelta(days=1)) == []


def test_the_nightly_leaves_a_lost_approve_for_the_job_that_may_open_pulls(scene, capsys):
    body = registration_body("grace-h", "Documentation lead (docs-lead)", "2")
    reg = scene.open_issue("grace-h", "Mentor registration: Grace", body, (REG,))
    scene.post("octo-coordinator", reg, "/approve")  # lost
    capsys.readouterr()
    made = scene.night(DAY + timedelta(days=1))
    assert all(f"/issues/{reg}" not in w["path"] for w in made)  # the dashboard only
    assert scene.bot_said(reg, mentors.REPLY) == []
    assert "the nightly may not open pull requests" in capsys.readouterr().out
    scene.pulls = True
    scene.say("octo-coordinator", reg, "/approve")  # said again: the mentors' job answers
    assert len(scene.api("GET", f"/repos/{REPO}/pulls?state=open")) == 1
