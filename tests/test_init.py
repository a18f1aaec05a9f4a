"""`mentoring init`: the scaffold (pure), writing it, and `--upgrade`."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring import __version__, init
from mentoring.cli import main
from mentoring.core import graduation
from mentoring.errors import MentoringError
from mentoring.program import config, form
from mentoring.program.config import default_settings, load_program, parse_participants
from mentoring.program.yamlsafe import load_yaml

OPTIONS = init.Options(coordinators=("octo-coordinator", "mona"), repository="astro/prog")
ENTRY = """\
  - name: Ada Example
    login: ada-example
    role: maintainer
    issue: 12
    mentors: [lin-mentor]
    started: 2026-01-15
    graduated: 2026-09-30
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return root


# --------------------------------------------------------------------------- the scaffold


def test_the_scaffold_holds_every_file_of_a_program():
    files = init.scaffold(OPTIONS)
    assert set(files) == {
        "roles.yml",
        "participants.yml",
        ".github/mentoring.yml",
        "docs/mentor-handbook.md",
        "docs/mentee-handbook.md",
        ".github/ISSUE_TEMPLATE/application.yml",
        ".github/ISSUE_TEMPLATE/config.yml",
        ".github/ISSUE_TEMPLATE/mentor-registration.yml",
        ".github/ISSUE_TEMPLATE/nomination.yml",
        ".github/workflows/mentoring-events.yml",
        ".github/workflows/mentoring-graduation.yml",
        ".github/workflows/mentoring-mentors.yml",
        ".github/workflows/mentoring-nightly.yml",
        ".github/workflows/mentoring-report.yml",
        ".github/workflows/mentoring-validate.yml",
        ".github/dependabot.yml",
    }


def test_the_scaffolded_program_loads_and_validates(tmp_path):
    write(tmp_path, init.scaffold(OPTIONS))
    program = load_program(tmp_path)
    assert [p.login for p in program.coordinators] == ["octo-coordinator", "mona"]
    assert [r.id for r in program.roles] == ["maintainer"]
    assert program.settings == default_settings()
    assert program.participants == ()
    from mentoring.runners.run_validate import problems

    assert problems(tmp_path) == []


def test_the_form_is_already_synced_with_the_roles(tmp_path):
    write(tmp_path, init.scaffold(OPTIONS))
    assert form.drift(tmp_path, load_program(tmp_path)) == []
    options = yaml.safe_load(init.scaffold(OPTIONS)[form.FORM_FILE])["body"]
    role = next(f for f in options if f.get("id") == form.ROLE_FIELD)
    assert role["attributes"]["options"] == ["Maintainer (maintainer)"]


def _settings_keys(value: object, prefix: str = "") -> list[str]:
    keys = []
    for f in dataclasses.fields(value):  # type: ignore[arg-type]
        keys.append(prefix + f.name)
        inner = getattr(value, f.name)
        if dataclasses.is_dataclass(inner):
            keys += _settings_keys(inner, prefix + f.name + ".")
    return keys


def _uncomment(text: str) -> str:
    """The settings file with every commented-out key line made live."""
    live = re.compile(r"^# (\s*)([a-z_]+:( |$)|- )")
    return "\n".join(line[2:] if live.match(line) else line for line in text.splitlines())


def test_the_settings_file_shows_every_setting_with_its_default():
    text = init.scaffold(OPTIONS)[".github/mentoring.yml"]
    assert load_yaml(text, config.SETTINGS_FILE).data is None  # all commented: all defaults
    shown = load_yaml(_uncomment(text), config.SETTINGS_FILE).data
    assert set(shown) == set(config._SETTINGS_KEYS)  # a new setting must be added here
    settings, problems = config._parse_settings(load_yaml(_uncomment(text), config.SETTINGS_FILE))
    assert problems == []
    assert dataclasses.replace(settings, retention=None, activity=None) == default_settings()
    for key in _settings_keys(default_settings()):
        node: object = shown
        for part in key.split("."):
            assert isinstance(node, dict) and part in node, f"{key} is not shown"
            node = node[part]
    retention = config.Retention(months=6, repositories=())
    for key in _settings_keys(retention, "retention."):
        assert key.split(".")[-1] in shown["retention"], key
    for key in _settings_keys(config.Activity(repositories=()), "activity."):
        assert key.split(".")[-1] in shown["activity"], key


def test_participants_is_ready_for_the_first_graduate_to_append(tmp_path):
    write(tmp_path, init.scaffold(OPTIONS))
    base = (tmp_path / "participants.yml").read_text(encoding="utf-8")
    assert "participants: []" not in base and base.endswith("participants:\n")
    assert parse_participants(base) == ((), [])
    head = base + ENTRY
    participants, problems = parse_participants(head, roles=["maintainer"])
    assert problems == [] and [p.login for p in participants] == ["ada-example"]
    check = graduation.check_file(base, head, load_program(tmp_path), author="ada-example")
    assert check.problems == ()
    # What the bot's /ready reply tells the mentee to paste gives the same file.
    assert graduation.paste_into(base, ENTRY) == head


@pytest.mark.parametrize(
    ("every_days", "assessment_every", "escalate", "wording"),
    [
        pytest.param(
            30, 3, 14, ("once a month", "Every third check-in", "two weeks"), id="default"
        ),
        pytest.param(7, 4, 7, ("once a week", "Every fourth check-in", "a week"), id="cohort"),
        pytest.param(14, 2, 10, ("every two weeks", "Every second check-in", "10 days"), id="2w"),
        pytest.param(45, 1, 21, ("every 45 days", "Every check-in", "three weeks"), id="odd"),
    ],
)
def test_the_handbooks_cadence_comes_from_the_settings(
    every_days, assessment_every, escalate, wording
):
    checkins = config.Checkins(every_days, assessment_every, escalate)
    settings = dataclasses.replace(default_settings(), checkins=checkins)
    files = init.scaffold(dataclasses.replace(OPTIONS, settings=settings))
    mentor, mentee = files["docs/mentor-handbook.md"], files["docs/mentee-handbook.md"]
    cadence, assessment, after = wording
    assert f"check-in on the issue {cadence}." in mentor
    assert f"{assessment} also asks" in mentor
    assert f"unanswered for {after}" in mentor
    assert f"{cadence[0].upper()}{cadence[1:]} the bot posts a check-in." in mentee
    if every_days != 30:
        assert "once a month" not in mentor + mentee


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        pytest.param(3, "every third check-in", id="3"),
        pytest.param(12, "every twelfth check-in", id="12"),
        pytest.param(13, "every 13th check-in", id="13"),
        pytest.param(21, "every 21st check-in", id="21"),
        pytest.param(22, "every 22nd check-in", id="22"),
        pytest.param(111, "every 111th check-in", id="111"),
    ],
)
def test_assessment_cadence(n, expected):
    assert init.assessment_cadence(n) == expected


@given(st.integers(min_value=1, max_value=10_000))
def test_cadence_wording_is_always_a_phrase(days):
    for text in (init.checkin_cadence(days), init.duration(days)):
        assert text and text == text.strip() and "{" not in text


def test_the_issue_config_links_to_the_adopters_repository():
    config_yml = yaml.safe_load(init.scaffold(OPTIONS)[".github/ISSUE_TEMPLATE/config.yml"])
    urls = [link["url"] for link in config_yml["contact_links"]]
    assert urls == [
        "https://github.com/astro/prog/blob/HEAD/docs/mentee-handbook.md",
        "https://github.com/astro/prog/blob/HEAD/docs/mentor-handbook.md",
    ]
    assert all(init.ACTION_REPOSITORY not in url for url in urls)


def test_the_workflows_use_the_release_being_run():
    files = init.scaffold(OPTIONS)
    for name in init.WORKFLOWS:
        text = files[f".github/workflows/mentoring-{name}.yml"]
        (uses,) = re.findall(r"uses: (\S+)", text)
        assert (
            uses == f"{init.ACTION_REPOSITORY}/.github/workflows/reusable-{name}.yml@v{__version__}"
        )
        assert (
            Path(__file__).parent.parent / ".github/workflows" / f"reusable-{name}.yml"
        ).exists()


def test_a_program_in_a_folder_keeps_github_files_at_the_top():
    files = init.scaffold(dataclasses.replace(OPTIONS, root="mentoring"))
    assert {p for p in files if not p.startswith(".github/")} == {
        "mentoring/roles.yml",
        "mentoring/participants.yml",
        "mentoring/docs/mentor-handbook.md",
        "mentoring/docs/mentee-handbook.md",
        "mentoring/.github/mentoring.yml",
    }
    validate = yaml.safe_load(files[".github/workflows/mentoring-validate.yml"])
    assert validate[True]["pull_request"]["paths"] == [
        "mentoring/roles.yml",
        "mentoring/participants.yml",
        "mentoring/.github/mentoring.yml",
        "mentoring/.github/mentoring/**",
        ".github/ISSUE_TEMPLATE/**",
        ".github/workflows/mentoring-*.yml",
    ]
    graduation_yml = yaml.safe_load(files[".github/workflows/mentoring-graduation.yml"])
    assert graduation_yml[True]["pull_request_target"]["paths"] == ["mentoring/participants.yml"]
    for name in init.WORKFLOWS:
        job = next(
            iter(yaml.safe_load(files[f".github/workflows/mentoring-{name}.yml"])["jobs"].values())
        )
        assert job["with"]["root"] == "mentoring", name
    links = yaml.safe_load(files[".github/ISSUE_TEMPLATE/config.yml"])["contact_links"]
    assert links[0]["url"].endswith("/blob/HEAD/mentoring/docs/mentee-handbook.md")


@pytest.mark.parametrize(
    ("root", "expected"),
    [
        pytest.param(".", ".", id="dot"),
        pytest.param("./mentoring/", "mentoring", id="slashes"),
        pytest.param("docs/mentoring", "docs/mentoring", id="nested"),
        pytest.param("../elsewhere", None, id="outside"),
        pytest.param("/abs", "abs", id="absolute-is-relative"),
        pytest.param("a b", None, id="space"),
        pytest.param("*", None, id="glob"),
    ],
)
def test_check_root(root, expected):
    if expected is None:
        with pytest.raises(MentoringError):
            init.check_root(root)
    else:
        assert init.check_root(root) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("https://github.com/astro/prog.git", ("github.com", "astro/prog"), id="https"),
        pytest.param("git@github.com:astro/prog.git", ("github.com", "astro/prog"), id="scp"),
        pytest.param(
            "ssh://git@ghe.example.org:2222/astro/prog", ("ghe.example.org", "astro/prog"), id="ssh"
        ),
        pytest.param("https://github.com/astro", None, id="no-name"),
        pytest.param("/srv/git/prog", None, id="local-path"),
    ],
)
def test_parse_remote(url, expected):
    assert init.parse_remote(url) == expected


# --------------------------------------------------------------------------- writing it


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def git_repo(path: Path, remote: str | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "trunk", str(path)], check=True)
    if remote:
        subprocess.run(["git", "-C", str(path), "remote", "add", "origin", remote], check=True)
    return path


def test_init_writes_the_program_from_the_git_remote(tmp_path):
    repo = git_repo(tmp_path / "prog", "git@github.com:astro/prog.git")
    result = invoke("init", str(repo), "--coordinator", "octo-coordinator")
    assert result.exit_code == 0, result.output
    assert "wrote .github/workflows/mentoring-events.yml" in result.output
    validate = yaml.safe_load((repo / ".github/workflows/mentoring-validate.yml").read_text())
    assert validate[True]["push"]["branches"] == ["trunk"]
    assert (
        "https://github.com/astro/prog/" in (repo / ".github/ISSUE_TEMPLATE/config.yml").read_text()
    )
    assert invoke("--root", str(repo), "validate").exit_code == 0


def test_init_never_overwrites_and_writes_nothing_when_a_file_exists(tmp_path):
    repo = git_repo(tmp_path / "prog")
    (repo / "roles.yml").write_text("mine\n")
    result = invoke("init", str(repo), "--coordinator", "octo", "--repo", "astro/prog")
    assert result.exit_code == 1
    assert "roles.yml   (exists)" in result.output
    assert ".github/workflows/mentoring-events.yml\n" in result.output  # listed, not written
    assert "nothing was written" in result.output
    assert (repo / "roles.yml").read_text() == "mine\n"
    assert sorted(p.name for p in repo.iterdir()) == [".git", "roles.yml"]


def test_init_keeps_an_existing_dependabot_config(tmp_path):
    repo = git_repo(tmp_path / "prog")
    (repo / ".github").mkdir()
    (repo / ".github/dependabot.yml").write_text("version: 2\nupdates: []\n")
    result = invoke("init", str(repo), "--coordinator", "octo", "--repo", "astro/prog")
    assert result.exit_code == 0, result.output
    assert "kept your .github/dependabot.yml" in result.output
    assert (repo / ".github/dependabot.yml").read_text() == "version: 2\nupdates: []\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--repo", "astro/prog"], "--coordinator LOGIN", id="no-coordinator"),
        pytest.param(["--coordinator", "octo"], "--repo OWNER/NAME", id="no-remote"),
        pytest.param(["--coordinator", "octo", "--repo", "astro"], "OWNER/NAME", id="bad-repo"),
        pytest.param(["--coordinator", "@octo", "--repo", "a/b"], "drop the '@'", id="at-login"),
        pytest.param(["--coordinator", "a\nb: c", "--repo", "a/b"], "GitHub login", id="yaml"),
        pytest.param(
            ["--coordinator", "octo", "--repo", "a/b", "--root", "../x"], "inside", id="bad-root"
        ),
    ],
)
def test_init_refuses_bad_options_in_one_line(tmp_path, args, message):
    repo = git_repo(tmp_path / "prog")
    result = CliRunner().invoke(main, ["init", str(repo), *args])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in repo.iterdir()) == [".git"]


# --------------------------------------------------------------------------- upgrade


OLD = f"""\
jobs:
  event:
    permissions:
      issues: write
    uses: {init.ACTION_REPOSITORY}/.github/workflows/reusable-events.yml@v0.0.9 # zizmor: x
  other:
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - uses: {init.ACTION_REPOSITORY}@v0.0.9
      - uses: someone/mentoring@v0.0.9
      - uses: "{init.ACTION_REPOSITORY}@v0.0.8"
      - uses: {init.ACTION_REPOSITORY}@{"a" * 40} # v0.0.9
"""


def test_upgrade_moves_only_this_projects_pins():
    result = init.upgrade_text(OLD, "1.2.3")
    old, new = OLD.splitlines(), result.text.splitlines()
    changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert changed == [
        (old[4], old[4].replace("@v0.0.9", "@v1.2.3")),
        (old[8], old[8].replace("@v0.0.9", "@v1.2.3")),
        (old[10], old[10].replace("@v0.0.8", "@v1.2.3")),
    ]
    assert result.skipped == (old[11].strip(),)  # a SHA pin is left alone, and said so
    assert init.upgrade_text(result.text, "1.2.3").text == result.text


def test_init_upgrade_prints_the_diff_and_rewrites_the_workflows(tmp_path):
    repo = git_repo(tmp_path / "prog")
    assert invoke("init", str(repo), "--coordinator", "octo", "--repo", "a/b").exit_code == 0
    events = repo / ".github/workflows/mentoring-events.yml"
    before = events.read_text()
    events.write_text(before.replace(f"@v{__version__}", "@v0.0.1"))
    result = invoke("init", str(repo), "--upgrade")
    assert result.exit_code == 0, result.output
    assert f"-    uses: {init.ACTION_REPOSITORY}/.github/workflows/reusable-events.yml@v0.0.1" in (
        result.output
    )
    assert events.read_text() == before
    again = invoke("init", str(repo), "--upgrade")
    assert again.exit_code == 0 and "already use" in again.output


def test_init_upgrade_without_a_program_says_so(tmp_path):
    result = CliRunner().invoke(main, ["init", str(git_repo(tmp_path / "prog")), "--upgrade"])
    assert result.exit_code == 1 and "run `mentoring init` first" in result.output


def test_init_makes_the_directory_only_when_it_writes(tmp_path):
    refused = CliRunner().invoke(main, ["init", str(tmp_path / "new"), "--coordinator", "o"])
    assert refused.exit_code == 1 and not (tmp_path / "new").exists()
    made = invoke("init", str(tmp_path / "new"), "--coordinator", "o", "--repo", "a/b")
    assert made.exit_code == 0 and (tmp_path / "new" / "roles.yml").exists()


def test_init_runs_as_a_command(tmp_path):
    repo = git_repo(tmp_path / "prog")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mentoring",
            "init",
            str(repo),
            "--coordinator",
            "o",
            "--repo",
            "a/b",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (repo / ".github/workflows/mentoring-nightly.yml").exists()


@given(
    st.lists(
        st.text(
            st.characters(blacklist_characters="\r\n\x85\u2028\u2029\x0b\x0c\x1c\x1d\x1e"),
            max_size=60,
        ),
        max_size=8,
    )
)
def test_upgrade_leaves_every_other_line_as_it_is(lines):
    text = "\n".join(line for line in lines if init.ACTION_REPOSITORY not in line.lower()) + "\n"
    assert init.upgrade_text(text, "9.9.9") == init.Upgrade(text)


@given(st.text(max_size=40))
def test_check_root_gives_a_folder_inside_the_repository_or_one_clear_error(text):
    try:
        root = init.check_root(text)
    except MentoringError as error:
        assert "--root" in str(error)
    else:
        assert root == "." or (".." not in root.split("/") and not root.startswith("/"))
        assert "\n" not in root and " " not in root


LOGINS = st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,12}", fullmatch=True)


@settings(max_examples=15, deadline=None)
@given(
    coordinators=st.lists(LOGINS, min_size=1, max_size=3, unique_by=str.lower),
    owner=LOGINS,
    name=st.from_regex(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,20}", fullmatch=True),
    root=st.sampled_from([".", "mentoring", "docs/program", "a.b/c-d_e"]),
)
def test_any_valid_options_make_yaml_that_reads_back(coordinators, owner, name, root):
    options = init.Options(tuple(coordinators), f"{owner}/{name}", root=root)
    files = init.scaffold(options)
    for path, text in files.items():
        if path.endswith(".yml"):
            yaml.safe_load(text)  # never a broken file
    roles = yaml.safe_load(files[init.program_paths(init.check_root(root))["roles"]])
    assert roles["coordinators"] == coordinators
    links = yaml.safe_load(files[".github/ISSUE_TEMPLATE/config.yml"])["contact_links"]
    assert all(link["url"].startswith(f"https://github.com/{owner}/{name}/blob/") for link in links)


@pytest.mark.parametrize("kind", ["mentor", "mentee"])
def test_with_the_default_settings_the_handbooks_are_this_repositorys(kind):
    """One text: docs/*-handbook.md is what init writes for the default cadence."""
    ours = (Path(__file__).parent.parent / "docs" / f"{kind}-handbook.md").read_text()
    assert init.scaffold(OPTIONS)[f"docs/{kind}-handbook.md"] == ours


def test_the_demo_program_ships_the_handbooks_init_renders_for_its_settings(monkeypatch):
    """The demo's handbook links lead somewhere, and say what its settings say."""
    root = Path(init.__file__).parent / "demo_program"
    monkeypatch.setenv("GITHUB_WORKSPACE", str(root))
    program = load_program(root)
    files = init.scaffold(
        init.Options(
            coordinators=("octo-coordinator",),
            repository="demo-org/mentoring",
            settings=program.settings,
        )
    )
    for name in ("docs/mentor-handbook.md", "docs/mentee-handbook.md"):
        assert (root / name).read_text(encoding="utf-8") == files[name], (
            f"regenerate mentoring/demo_program/{name} from init.scaffold"
        )
    from mentoring.runners.run_validate import run

    assert run(root, "text") == 0
