"""The action and the reusable workflows, as an adopter's repository runs them.

`mentoring init` writes a program into an empty git repository; its workflows
call this checkout's reusable workflows, which call this checkout's action.yml.
A small runner here plays GitHub's part: it evaluates the few expressions the
files use, sets the variables GitHub sets (GITHUB_WORKSPACE, GITHUB_EVENT_PATH,
GITHUB_OUTPUT, RUNNER_TEMP...), and runs each `run:` step of the composite
action with bash, as written, against the emulator. Two `uses:` steps are
played rather than run: actions/setup-python (the test's own Python) and
actions/cache (a cache hit whose venv is a shim for the test's venv, so no
slow install). Everything else runs as the runner would run it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mentoring import __version__, init
from mentoring.core import markers
from tests.payloads import build
from tests.support import REPO, REPO_ROOT, form_body

ACTION = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
WORKFLOWS = REPO_ROOT / ".github" / "workflows"
REUSABLE = sorted(WORKFLOWS.glob("reusable-*.yml"))
OWN = sorted(WORKFLOWS.glob("mentoring-*.yml"))
BOT = "github-actions[bot]"
APP = "mentoring: application"
TODAY = date(2026, 1, 6)
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def load(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads `on:` as True
    return doc


# --------------------------------------------------------------------------- static checks


def test_action_inputs_reach_run_steps_only_through_env():
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], step.get("name")
            assert step["shell"] == "bash"
    used = {m for s in ACTION["runs"]["steps"] for m in re.findall(r"inputs\.([\w-]+)", str(s))}
    assert used == set(ACTION["inputs"])  # every input is used, and only declared ones


def test_action_and_reusable_workflows_pin_third_party_actions_by_sha():
    steps = list(ACTION["runs"]["steps"])
    for path in [*REUSABLE, *OWN]:
        for job in load(path)["jobs"].values():
            steps += job.get("steps", [])
    for step in steps:
        uses = step.get("uses")
        if uses is None or uses.startswith("./") or uses.startswith(init.ACTION_REPOSITORY):
            continue
        assert SHA_PIN.match(uses), uses


def test_reusable_workflows_call_the_action_of_this_release():
    for path in REUSABLE:
        calls = [
            step["uses"]
            for job in load(path)["jobs"].values()
            for step in job["steps"]
            if step.get("uses", "").startswith(init.ACTION_REPOSITORY)
        ]
        # one call a job at most (the mentors workflow: /approve, and the daily sweep)
        assert set(calls) == {f"{init.ACTION_REPOSITORY}@v{__version__}"}, path.name


def test_own_workflows_call_this_checkouts_action():
    for path in OWN:
        steps = [s for job in load(path)["jobs"].values() for s in job["steps"]]
        own = [s for s in steps if s.get("uses") == "./"]
        assert 1 <= len(own) <= len(load(path)["jobs"]), path.name
        assert not any("pip install" in s.get("run", "") for s in steps), path.name


@pytest.mark.parametrize("path", [*REUSABLE, *OWN], ids=lambda p: p.name)
def test_concurrency_never_cancels_a_waiting_run(path):
    for job in load(path)["jobs"].values():
        concurrency = job.get("concurrency") or load(path).get("concurrency")
        if concurrency is None:
            assert "validate" in path.name  # validate only reads; runs may overlap
            continue
        assert concurrency["queue"] == "max" and "cancel-in-progress" not in concurrency


def test_a_dry_run_of_the_nightly_has_a_group_of_its_own():
    for path in (WORKFLOWS / "reusable-nightly.yml", WORKFLOWS / "mentoring-nightly.yml"):
        doc = load(path)
        group = (doc.get("concurrency") or doc["jobs"]["nightly"]["concurrency"])["group"]
        dry = "inputs.dry-run" if "reusable" in path.name else "inputs.dry_run"
        assert group == (
            f"${{{{ {dry} && format('mentoring-nightly-dry-run-{{0}}', github.run_id) "
            "|| 'mentoring-nightly' }}"
        )


def test_the_events_group_is_one_per_issue_and_graduation_one_per_pull_request():
    events = load(WORKFLOWS / "reusable-events.yml")["jobs"]["event"]["concurrency"]
    graduation = load(WORKFLOWS / "reusable-graduation.yml")["jobs"]["graduation"]["concurrency"]
    assert events["group"] == "mentoring-issue-${{ github.event.issue.number }}"
    assert graduation["group"] == "mentoring-graduation-${{ github.event.pull_request.number }}"


# --------------------------------------------------------------------------- a tiny runner


class Runner:
    """Plays GitHub Actions for one job: contexts, expressions, and the composite action."""

    def __init__(self, tmp: Path, workspace: Path, api_url: str, event: str, payload: dict):
        tmp.mkdir()
        self.tmp = tmp
        self.workspace = workspace
        self.temp = tmp / "runner-temp"
        self.temp.mkdir(exist_ok=True)
        self.event_path = tmp / "event.json"
        self.event_path.write_text(json.dumps(payload), encoding="utf-8")
        self.api_url = api_url
        self.github = {
            "event": payload,
            "event_name": event,
            "repository": REPO,
            "token": "bot-token",
            "workspace": str(workspace),
            "run_id": "4242",
            "action_path": str(REPO_ROOT),
        }
        self.ran: list[str] = []
        self.results: dict[str, subprocess.CompletedProcess[str]] = {}

    # expressions ---------------------------------------------------------------

    def value(self, expr: str, ctx: dict[str, Any]) -> Any:
        expr = expr.strip()
        for op in (" || ", " && "):
            if op in expr:
                left, right = expr.split(op, 1)
                a = self.value(left, ctx)
                if op == " || ":
                    return a if a not in ("", None, False) else self.value(right, ctx)
                return self.value(right, ctx) if a not in ("", None, False) else a
        for op in (" != ", " == "):
            if op in expr:
                left, right = (self.value(x, ctx) for x in expr.split(op, 1))
                same = str(left).lower() == str(right).lower()
                return same if op == " == " else not same
        if expr.startswith("'") and expr.endswith("'"):
            return expr[1:-1]
        if expr in ("true", "false"):
            return expr == "true"
        head, *rest = expr.split(".")
        if head not in ctx:
            raise AssertionError(f"the test runner does not know the context of {expr!r}")
        found: Any = ctx[head]
        for key in rest:
            found = found.get(key) if isinstance(found, dict) else None
        return "" if found is None else found

    def render(self, text: Any, ctx: dict[str, Any]) -> Any:
        if not isinstance(text, str):
            return text
        whole = re.fullmatch(r"\$\{\{(.*?)\}\}", text.strip())
        if whole:
            return self.value(whole.group(1), ctx)
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: str(self.value(m.group(1), ctx)), text)

    def condition(self, step: dict, ctx: dict[str, Any]) -> bool:
        expr = step.get("if")
        if expr is None:
            return True
        expr = expr.strip()
        if expr.startswith("${{"):
            expr = expr[3:-2]
        return bool(self.value(expr, ctx))

    # the job --------------------------------------------------------------------

    def run_workflow(self, caller: Path, dispatched: dict | None = None) -> list[str]:
        """Run the caller's one job: its reusable workflow, whose steps call the action.

        ``dispatched`` is the caller's own `inputs` (a workflow_dispatch's).
        """
        job = next(iter(load(caller)["jobs"].values()))
        ref = f"{init.ACTION_REPOSITORY}/.github/workflows/"
        assert job["uses"].startswith(ref), job["uses"]
        name, version = job["uses"][len(ref) :].split("@")
        assert version == f"v{__version__}"
        called = load(WORKFLOWS / name)
        declared = called["on"]["workflow_call"].get("inputs", {})
        outer = {"github": self.github, "inputs": dispatched or {}}
        given = {k: self.render(v, outer) for k, v in (job.get("with") or {}).items()}
        assert set(given) <= set(declared), given
        inputs = {k: given.get(k, spec.get("default", "")) for k, spec in declared.items()}
        (inner_job,) = called["jobs"].values()
        assert set(inner_job["permissions"].items()) <= set(job["permissions"].items())
        ctx = {"github": self.github, "inputs": inputs, "secrets": {}, "steps": {}}
        if not self.condition(inner_job, ctx):
            return []
        for step in inner_job["steps"]:
            if not self.condition(step, ctx):
                continue
            uses = step["uses"]
            if uses.startswith("actions/checkout@"):
                continue  # the workspace is the adopter's repository already
            assert uses == f"{init.ACTION_REPOSITORY}@v{__version__}", uses
            self.run_action({k: self.render(v, ctx) for k, v in step["with"].items()})
        return self.ran

    def run_action(self, given: dict[str, Any]) -> None:
        inputs = {}
        for name, spec in ACTION["inputs"].items():
            default = self.render(spec.get("default", ""), {"github": self.github})
            value = given.get(name) if given.get(name) not in (None, "") else default
            inputs[name] = str(value).lower() if isinstance(value, bool) else str(value)
        assert set(given) <= set(inputs), given
        ctx = {"github": self.github, "inputs": inputs, "steps": {}, "runner": {}}
        ctx["runner"] = {"temp": str(self.temp), "os": "Linux"}
        for step in ACTION["runs"]["steps"]:
            if not self.condition(step, ctx):
                continue
            outputs = self.play(step, ctx) if "uses" in step else self.bash(step, ctx)
            if "id" in step:
                ctx["steps"][step["id"]] = {"outputs": outputs}

    def play(self, step: dict, ctx: dict[str, Any]) -> dict[str, str]:
        uses, given = step["uses"], {k: self.render(v, ctx) for k, v in step["with"].items()}
        if uses.startswith("actions/setup-python@"):
            assert given["update-environment"] is False or given["update-environment"] == "false"
            return {"python-path": sys.executable}
        if uses.startswith("actions/cache@"):
            assert given["key"].startswith("mentoring-venv-Linux-py")
            shim = Path(given["path"]) / "bin" / "mentoring"
            shim.parent.mkdir(parents=True, exist_ok=True)
            shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m mentoring "$@"\n')
            shim.chmod(0o755)
            return {"cache-hit": "true"}
        raise AssertionError(f"the test runner cannot play {uses}")

    def bash(self, step: dict, ctx: dict[str, Any]) -> dict[str, str]:
        output = self.tmp / f"output-{len(self.ran)}"
        summary = self.tmp / "summary.md"
        output.write_text("")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))}
        env.update(
            CI="true",
            GITHUB_ACTIONS="true",
            GITHUB_WORKSPACE=str(self.workspace),
            GITHUB_EVENT_PATH=str(self.event_path),
            GITHUB_EVENT_NAME=self.github["event_name"],
            GITHUB_REPOSITORY=REPO,
            GITHUB_API_URL=self.api_url,
            GITHUB_OUTPUT=str(output),
            GITHUB_STEP_SUMMARY=str(summary),
            GITHUB_ACTION_PATH=str(REPO_ROOT),
            RUNNER_TEMP=str(self.temp),
            RUNNER_OS="Linux",
            PYTHONUTF8="1",
        )
        env.update({k: str(self.render(v, ctx)) for k, v in step.get("env", {}).items()})
        cwd = self.render(step.get("working-directory", str(self.workspace)), ctx)
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        self.ran.append(step.get("name", step.get("id", "?")))
        self.results[self.ran[-1]] = result
        assert result.returncode == 0, (step.get("name"), result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        return dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)


# --------------------------------------------------------------------------- end to end


def make_adopter(tmp_path: Path, root: str = ".") -> Path:
    """An empty git repository in which `mentoring init` made a program."""
    repo = tmp_path / "adopter"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mentoring",
            "init",
            str(repo),
            "--coordinator",
            "octo-coordinator",
            "--repo",
            REPO,
            "--root",
            root,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The adopter's own choice for a fast test: no pause between writes.
    with (repo / root / ".github" / "mentoring.yml").open("a", encoding="utf-8") as out:
        out.write("\nwrites:\n  pace_seconds: 0\n")
    return repo


@pytest.fixture
def adopter(tmp_path):
    return make_adopter(tmp_path)


def api(emulator, method: str, path: str, who: str | None = None, body: Any = None) -> Any:
    import urllib.request

    request = urllib.request.Request(
        emulator.url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {'as:' + who if who else 'bot-token'}"},
    )
    with urllib.request.urlopen(request) as response:
        text = response.read()
    return json.loads(text) if text else None


def bot_writes(emulator) -> list[dict]:
    return [
        e
        for e in emulator.state.log()
        if e["method"] not in ("GET", "HEAD") and not e["path"].startswith("/_emulator")
    ]


KEY, INSTALL, RUN = (
    "Work out the install's cache key",
    "Install the mentoring tool from the action's checkout",
    "Run mentoring",
)


@pytest.mark.e2e
def test_the_adopters_workflows_welcome_an_application_and_run_the_nightly(
    adopter, emulator, tmp_path
):
    events = adopter / ".github" / "workflows" / "mentoring-events.yml"
    emulator.state.set_collaborators(REPO, ["octo-coordinator"])
    emulator.state.set_now(datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    number = api(
        emulator,
        "POST",
        f"/repos/{REPO}/issues",
        "ada-example",
        {"title": "Mentoring application: Ada", "body": form_body(), "labels": [APP]},
    )["number"]
    emulator.state.clear_log()

    payload = build.issues("opened", number=number)
    runner = Runner(tmp_path / "event", adopter, emulator.url, "issues", payload)
    assert runner.run_workflow(events) == [KEY, INSTALL, RUN]
    assert "comes from the cache" in runner.results[INSTALL].stdout
    made = bot_writes(emulator)
    assert made and {e["login"] for e in made} == {BOT}
    comments = api(emulator, "GET", f"/repos/{REPO}/issues/{number}/comments")
    kinds = [markers.kinds(c["body"]) for c in comments if c["user"]["login"] == BOT]
    assert kinds == [{"card"}, {"welcome"}]
    labels = {x["name"] for x in api(emulator, "GET", f"/repos/{REPO}/issues/{number}")["labels"]}
    assert labels == {APP, "status: waiting", "role: maintainer"}

    # The same event again: nothing is left to do, nothing is written.
    emulator.state.clear_log()
    Runner(tmp_path / "again", adopter, emulator.url, "issues", payload).run_workflow(events)
    assert bot_writes(emulator) == []

    # A bot's event is not answered at all: the reusable job's `if:` skips it.
    bot_event = build.issues("edited", number=number, sender=BOT, sender_type="Bot")
    skipped = Runner(tmp_path / "bot", adopter, emulator.url, "issues", bot_event)
    assert skipped.run_workflow(events) == []

    # The nightly, dispatched for a day 15 days on: the coordinators are nudged once.
    # (The event above ran on the real clock: the action's event takes no date.)
    day = datetime.now(UTC).date() + timedelta(days=15)
    later = {"dry_run": False, "today": day.isoformat()}
    emulator.state.set_now(datetime(day.year, day.month, day.day, 5, 17, tzinfo=UTC))
    emulator.state.clear_log()
    nightly = Runner(tmp_path / "nightly", adopter, emulator.url, "workflow_dispatch", {})
    nightly.run_workflow(adopter / ".github" / "workflows" / "mentoring-nightly.yml", later)
    made = bot_writes(emulator)
    assert made and {e["login"] for e in made} == {BOT}
    comments = api(emulator, "GET", f"/repos/{REPO}/issues/{number}/comments")
    nudges = [c for c in comments if "nudge" in markers.kinds(c["body"])]
    assert len(nudges) == 1 and nudges[0]["user"]["login"] == BOT

    # A dry run of the same nightly writes nothing.
    emulator.state.clear_log()
    dry = Runner(tmp_path / "dry", adopter, emulator.url, "workflow_dispatch", {})
    dry.run_workflow(
        adopter / ".github" / "workflows" / "mentoring-nightly.yml", {**later, "dry_run": True}
    )
    assert bot_writes(emulator) == []
    assert "would write" in dry.results[RUN].stdout


@pytest.mark.e2e
def test_the_adopters_validate_and_report_workflows(adopter, emulator, tmp_path):
    workflows = adopter / ".github" / "workflows"
    validate = Runner(tmp_path / "validate", adopter, emulator.url, "push", {})
    assert validate.run_workflow(workflows / "mentoring-validate.yml") == [KEY, INSTALL, RUN]
    assert "the program's files are valid" in validate.results[RUN].stdout

    roles = (adopter / "roles.yml").read_text(encoding="utf-8")
    (adopter / "roles.yml").write_text("coordinators: []\nroles: []\n", encoding="utf-8")
    broken = Runner(tmp_path / "broken", adopter, emulator.url, "push", {})
    with pytest.raises(AssertionError, match=r"::error file=roles\.yml"):
        broken.run_workflow(workflows / "mentoring-validate.yml")
    (adopter / "roles.yml").write_text(roles, encoding="utf-8")

    emulator.state.clear_log()
    report = Runner(tmp_path / "report", adopter, emulator.url, "workflow_dispatch", {})
    report.run_workflow(workflows / "mentoring-report.yml", {"since": "", "until": ""})
    summary = (tmp_path / "report" / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("#") and "Traceback" not in summary
    assert bot_writes(emulator) == []  # the report only reads


@pytest.mark.e2e
def test_a_program_in_a_folder_is_run_from_there(emulator, tmp_path):
    adopter = make_adopter(tmp_path, root="community/mentoring")
    assert not (adopter / "roles.yml").exists()
    emulator.state.set_collaborators(REPO, ["octo-coordinator"])
    number = api(
        emulator,
        "POST",
        f"/repos/{REPO}/issues",
        "ada-example",
        {"title": "Mentoring application: Ada", "body": form_body(), "labels": [APP]},
    )["number"]
    payload = build.issues("opened", number=number)
    runner = Runner(tmp_path / "event", adopter, emulator.url, "issues", payload)
    # No roles.yml at the top: the run succeeds only if `root` reached the tool.
    assert runner.run_workflow(adopter / ".github" / "workflows" / "mentoring-events.yml")
    comments = api(emulator, "GET", f"/repos/{REPO}/issues/{number}/comments")
    kinds = [markers.kinds(c["body"]) for c in comments if c["user"]["login"] == BOT]
    assert kinds == [{"card"}, {"welcome"}]


# --------------------------------------------------------------------------- the run step


RUN_STEP = next(s for s in ACTION["runs"]["steps"] if s.get("name") == RUN)
COMMANDS = {
    "event": ["event"],
    "nightly": ["nightly"],
    "approvals": ["approvals"],
    "report": ["report", "--format", "md"],
    "validate": ["validate", "--format", "github"],
    "graduation-check": ["graduation", "check"],
    "graduation check": ["graduation", "check"],
}


@pytest.fixture(scope="module")
def stub(tmp_path_factory):
    """A `mentoring` that writes its arguments, one a line, and does nothing else."""
    folder = tmp_path_factory.mktemp("stub")
    script = folder / "mentoring"
    script.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do printf "%s\\n" "$a"; done > "$ARGS_FILE"\n'
        'printf "%s" "${MENTORING_BOT_LOGIN-}" > "$ARGS_FILE.bot"\n'
    )
    script.chmod(0o755)
    return script


def run_step(stub: Path, folder: Path, **inputs: str) -> tuple[int, list[str] | None, str]:
    args_file = folder / "args"
    args_file.unlink(missing_ok=True)
    env = {
        "PATH": "/usr/bin:/bin",
        "ARGS_FILE": str(args_file),
        "GITHUB_STEP_SUMMARY": str(folder / "summary"),
        "MENTORING": str(stub),
        "COMMAND": inputs.get("command", "nightly"),
        "ROOT": inputs.get("root", "."),
        "DRY_RUN": inputs.get("dry_run", "false"),
        "TODAY": inputs.get("today", ""),
        "SINCE": inputs.get("since", ""),
        "UNTIL": inputs.get("until", ""),
        "APP_SLUG": inputs.get("app_slug", ""),
        "GITHUB_TOKEN": "t",
    }
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", RUN_STEP["run"]],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    args = args_file.read_text().splitlines() if args_file.exists() else None
    return result.returncode, args, result.stdout + result.stderr


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_run_step_runs_each_allowed_command(stub, tmp_path, command):
    code, args, _ = run_step(stub, tmp_path, command=command, root="community/mentoring")
    assert code == 0 and args == ["--root", "community/mentoring", *COMMANDS[command]]


def test_the_run_step_passes_dates_dry_run_and_the_app(stub, tmp_path):
    code, args, _ = run_step(
        stub, tmp_path, command="nightly", dry_run="true", today="2026-03-01", app_slug="my-app"
    )
    assert code == 0 and args == ["--root", ".", "--dry-run", "nightly", "--today", "2026-03-01"]
    assert (tmp_path / "args.bot").read_text() == "my-app[bot]"
    code, args, _ = run_step(stub, tmp_path, command="report", since="2026-01-01")
    assert args == ["--root", ".", "report", "--format", "md", "--since", "2026-01-01"]
    assert (tmp_path / "args.bot").read_text() == ""  # no app: the settings' bot_login


# What a workflow input can hold: any text but NUL and lone surrogates, which no
# environment variable can carry (GitHub passes inputs as UTF-8).
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)


@settings(max_examples=60, deadline=None)
@given(
    command=st.one_of(st.sampled_from(sorted(COMMANDS)), TEXT),
    dry_run=st.one_of(st.sampled_from(["true", "false", ""]), TEXT),
    today=st.one_of(st.just(""), st.just("2026-03-01"), TEXT),
    app_slug=st.one_of(st.just(""), st.just("my-app"), TEXT),
)
@example(command="$(touch pwned)", dry_run="false", today="", app_slug="")
@example(command="nightly", dry_run="true", today="2026-03-01\n$(touch pwned)", app_slug="")
@example(command="event", dry_run="`touch pwned`", today="", app_slug="")
@example(command="nightly", dry_run="false", today="", app_slug="a; touch pwned")
@example(command="nightly", dry_run="false", today="", app_slug="my-app\n")
def test_hostile_inputs_are_refused_or_passed_as_plain_arguments(
    stub, tmp_path_factory, command, dry_run, today, app_slug
):
    folder = tmp_path_factory.mktemp("step")
    code, args, output = run_step(
        stub, folder, command=command, dry_run=dry_run, today=today, app_slug=app_slug
    )
    # Nothing a value holds is ever run: the folder gets no file but the stub's own.
    assert {p.name for p in folder.iterdir()} <= {"args", "args.bot", "summary"}
    valid = (
        command in COMMANDS
        and dry_run in ("true", "false", "")
        and (today == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", today))
        and (app_slug == "" or re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", app_slug))
    )
    if not valid:
        assert code == 2 and args is None and "::error::" in output
        return
    assert code == 0
    expected = ["--root", ".", *(["--dry-run"] if dry_run == "true" else []), *COMMANDS[command]]
    if today and command in ("event", "nightly", "approvals"):
        expected += ["--today", today]
    assert args == expected


@pytest.mark.e2e
def test_the_first_graduate_appends_to_the_new_participants_file_and_passes(tmp_path):
    """The graduation workflow, through the action, on the participants.yml init wrote."""
    from mentoring.emulator import EmulatorServer
    from tests.test_graduation_e2e import PAYLOADS
    from tests.test_graduation_e2e import Program as Scene

    adopter = make_adopter(tmp_path)
    with EmulatorServer(seed_dir=adopter) as emu:
        scene = Scene(emu, adopter, tmp_path)
        issue = scene.application()
        text = scene.entry_text(issue)  # the file with the entry `graduation entry` prints
        assert text.startswith((adopter / "participants.yml").read_text())  # only appended
        scene.fork_change(text)
        number = scene.open_pull(f"My mentoring is complete.\n\nCloses #{issue}")
        payload = json.loads((PAYLOADS / "opened-fork.json").read_text())
        pr = api(emu, "GET", f"/repos/{REPO}/pulls/{number}")
        payload["number"] = number
        payload["pull_request"].update(number=number, state=pr["state"], merged=pr["merged"])
        payload["pull_request"]["head"]["sha"] = pr["head"]["sha"]
        emu.state.clear_log()
        runner = Runner(tmp_path / "graduation", adopter, emu.url, "pull_request_target", payload)
        workflow = adopter / ".github" / "workflows" / "mentoring-graduation.yml"
        assert runner.run_workflow(workflow) == [KEY, INSTALL, RUN]
        [(comment, data)] = scene.marked(number, "graduation")
        assert data == {"ok": True}, comment["body"]
        assert {e["login"] for e in bot_writes(emu)} == {BOT}
