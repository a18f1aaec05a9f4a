"""Loading the program: the example loads clean, and every broken input gets a precise problem."""

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.errors import Problem, ProgramError
from mentoring.program.config import (
    PARTICIPANTS_FILE,
    ROLES_FILE,
    SETTINGS_FILE,
    STATUSES,
    Checkins,
    Handbooks,
    Labels,
    Mentor,
    Nudges,
    Participant,
    Person,
    Retention,
    Writes,
    default_settings,
    load_program,
    parse_participants,
    same_login,
)
from mentoring.program.yamlsafe import load_yaml

REPO_ROOT = Path(__file__).resolve().parent.parent

ROLES = """\
coordinators:
  - login: octo-coordinator
    name: Octo Coordinator
  - mona-coordinator
roles:
  - id: maintainer
    name: Maintainer
    description: Reviews and merges pull requests.
    mentors:
      - ada-mentor
      - login: lin-mentor
        capacity: 1
  - id: triager
    name: Triager
    description: Labels new issues.
    mentors:
      - lin-mentor
"""

PARTICIPANTS = """\
participants:
  - name: Ada Example
    login: ada-example
    role: maintainer
    issue: 12
    mentors: [ada-mentor]
    started: 2026-01-15
    graduated: 2026-09-30
"""

FILES = {ROLES_FILE: ROLES, SETTINGS_FILE: "", PARTICIPANTS_FILE: PARTICIPANTS}


ARGUMENT = {ROLES_FILE: "roles", SETTINGS_FILE: "settings", PARTICIPANTS_FILE: "participants"}


def write_program(root: Path, **texts: str | bytes | None) -> Path:
    """The small program above in ``root``.

    ``roles=``, ``settings=`` and ``participants=`` replace a file's text; None leaves it out.
    """
    names = {argument: name for name, argument in ARGUMENT.items()}
    files = dict(FILES, **{names[argument]: text for argument, text in texts.items()})
    for name, text in files.items():
        if text is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return root


def problems_of(root: Path) -> tuple[Problem, ...]:
    with pytest.raises(ProgramError) as caught:
        load_program(root)
    return caught.value.problems


# --------------------------------------------------------------------------- loading clean


def test_the_example_program_loads_clean():
    program = load_program(REPO_ROOT)
    assert program.root == REPO_ROOT
    assert [person.login for person in program.coordinators] == [
        "octo-coordinator",
        "mona-coordinator",
    ]
    assert [role.id for role in program.roles] == [
        "maintainer",
        "triager",
        "docs-lead",
        "release-manager",
    ]
    assert all(role.name and role.description and role.mentors for role in program.roles)
    assert program.settings == default_settings()
    assert program.participants == ()


def test_the_small_program(tmp_path):
    program = load_program(write_program(tmp_path))
    assert program.coordinators == (
        Person("octo-coordinator", "Octo Coordinator"),
        Person("mona-coordinator"),
    )
    maintainer, triager = program.roles
    assert maintainer.mentors == (Mentor("ada-mentor", 2), Mentor("lin-mentor", 1))
    assert triager.mentors == (Mentor("lin-mentor", 1),)  # capacity is per person
    assert program.participants == (
        Participant(
            name="Ada Example",
            login="ada-example",
            role="maintainer",
            issue=12,
            mentors=("ada-mentor",),
            started=dt.date(2026, 1, 15),
            graduated=dt.date(2026, 9, 30),
        ),
    )
    assert program.participants[0].line == 2


def test_default_settings():
    assert default_settings() == dataclasses.replace(
        default_settings(),
        bot_login="github-actions[bot]",
        handbooks=Handbooks("docs/mentor-handbook.md", "docs/mentee-handbook.md"),
        default_capacity=2,
        checkins=Checkins(every_days=30, assessment_every=3, escalate_after_days=14),
        nudges=Nudges(waiting_for_mentor_days=14, needs_info_days=14),
        writes=Writes(pace_seconds=1.0, max_per_run=60),
        retention=None,
    )
    assert "privately" in default_settings().private_contact


def test_every_setting_can_be_set(tmp_path):
    settings = """\
bot_login: mentoring-app[bot]
private_contact: the coordinators at mentoring@example.org
handbooks: {mentor: "https://example.org/mentor", mentee: docs/mentee.md}
default_capacity: 3
checkins: {every_days: 7, assessment_every: 4, escalate_after_days: 5}
nudges: {waiting_for_mentor_days: 2, needs_info_days: 3}
labels:
  application: application
  role_prefix: "r/"
  status_prefix: ""
  needs_coordinator: help
  dashboard: dashboard
writes: {pace_seconds: 0, max_per_run: 1}
retention: {months: 6, repositories: [my-org/mentoring, my-org/mentoring.archive]}
"""
    program = load_program(write_program(tmp_path, settings=settings))
    got = program.settings
    assert got.bot_login == "mentoring-app[bot]"
    assert got.private_contact == "the coordinators at mentoring@example.org"
    assert got.handbooks == Handbooks("https://example.org/mentor", "docs/mentee.md")
    assert got.checkins == Checkins(7, 4, 5)
    assert got.nudges == Nudges(2, 3)
    assert got.labels == Labels("application", "r/", "", "help", "dashboard")
    assert got.writes == Writes(0.0, 1)
    assert isinstance(got.writes.pace_seconds, float)
    assert got.retention == Retention(6, ("my-org/mentoring", "my-org/mentoring.archive"))
    assert program.role("maintainer").mentors[0] == Mentor("ada-mentor", 3)


@pytest.mark.parametrize(
    "settings",
    [None, "", "# nothing here\n", "checkins:\nlabels: {}\n"],
    ids=["absent", "empty", "comment-only", "empty-sections"],
)
def test_settings_default_when_absent_or_empty(tmp_path, settings):
    program = load_program(write_program(tmp_path, settings=settings))
    assert program.settings == default_settings()


@pytest.mark.parametrize(
    "participants",
    [None, "", "participants: []\n", "participants:\n"],
    ids=["absent", "empty", "empty-list", "null"],
)
def test_no_participants(tmp_path, participants):
    assert load_program(write_program(tmp_path, participants=participants)).participants == ()


# --------------------------------------------------------------------------- the API


def test_program_lookups_are_case_insensitive(tmp_path):
    program = load_program(write_program(tmp_path))
    assert program.role("Maintainer").id == "maintainer"
    assert program.role("nope") is None
    assert program.role(None) is None
    assert program.is_coordinator("Octo-Coordinator")
    assert program.is_coordinator("MONA-coordinator")
    assert not program.is_coordinator("ada-mentor")
    assert not program.is_coordinator(None)
    assert program.mentor_capacity("LIN-MENTOR") == 1
    assert program.mentor_capacity("ada-mentor") == 2
    assert program.mentor_capacity("stranger") == 0
    assert [role.id for role in program.roles_of("Lin-Mentor")] == ["maintainer", "triager"]
    assert program.roles_of("stranger") == ()
    assert program.roles_of(None) == ()


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [("Octo", "octo", True), ("octo", "octo2", False), (None, None, False), ("a", None, False)],
    ids=["case", "different", "both-none", "one-none"],
)
def test_same_login(a, b, same):
    assert same_login(a, b) is same


def test_labels():
    labels = default_settings().labels
    assert labels.role("maintainer") == "role: maintainer"
    assert [labels.status(status) for status in STATUSES][:2] == [
        "status: needs-info",
        "status: waiting",
    ]
    with pytest.raises(ValueError, match="unknown status 'done'"):
        labels.status("done")


def test_the_model_is_frozen(tmp_path):
    program = load_program(write_program(tmp_path))
    with pytest.raises(dataclasses.FrozenInstanceError):
        program.roles = ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        program.settings.checkins.every_days = 1
    assert isinstance(program.roles, tuple) and isinstance(program.roles[0].mentors, tuple)
    assert isinstance(program.participants[0].mentors, tuple)


# --------------------------------------------------------------------------- broken inputs

# Each case: id, then the broken file's text, or (old, new) replacing part of the small
# program's file, then the one problem expected: line, key breadcrumb, message.
# fmt: off
ROLES_BROKEN = [
    ("bad-indentation", ("    name: Triager", "   name: Triager"), 14, "",
     "not valid YAML: expected <block end>, but found '<block mapping start>' "
     "(while parsing a block collection on line 6)"),
    ("tab-indentation", ("    name: Triager", "\tname: Triager"), 14, "",
     "tabs are not allowed for indentation in YAML; use spaces"),
    ("duplicate-key", ("    name: Triager", "    name: Triager\n    name: T"), 15,
     "roles[1].name", "duplicate key 'name' (first on line 14)"),
    ("python-tag", ("- mona-coordinator", "- !!python/object:os.system {}"), 4,
     "coordinators[1]", "custom tags are not allowed (found '!!python/object:os.system')"),
    ("empty-file", "", 1, "", "is empty; it must list the coordinators and the roles"),
    ("not-a-mapping", "- maintainer\n", 1, "",
     "expected a mapping (key: value lines), got a list"),
    ("unknown-top-key", ("roles:", "role:"), 5, "role", "unknown key 'role'"),
    ("unknown-role-key", ("    description: Labels", "    descripton: Labels"), 15,
     "roles[1].descripton", "unknown key 'descripton'"),
    ("unknown-mentor-key", ("        capacity: 1", "        capcity: 1"), 12,
     "roles[0].mentors[1].capcity", "unknown key 'capcity'"),
    ("missing-key", ("    name: Triager\n", ""), 13, "roles[1]", "missing required key 'name'"),
    ("no-coordinators", (ROLES[: ROLES.index("roles:")], "coordinators: []\n"), 1,
     "coordinators", "needs at least 1 coordinator"),
    ("login-with-space", ("- mona-coordinator", "- mona coordinator"), 4,
     "coordinators[1]", "unknown login format 'mona coordinator'"),
    ("login-with-at", ("- ada-mentor", "- '@ada-mentor'"), 10,
     "roles[0].mentors[0]", "unknown login format '@ada-mentor'"),
    ("login-double-hyphen", ("- ada-mentor", "- ada--mentor"), 10,
     "roles[0].mentors[0]", "unknown login format 'ada--mentor'"),
    ("login-too-long", ("- ada-mentor", "- " + "a" * 40), 10,
     "roles[0].mentors[0]", f"unknown login format '{'a' * 40}'"),
    ("duplicate-coordinator", ("- mona-coordinator", "- OCTO-coordinator"), 4,
     "coordinators[1]", "'OCTO-coordinator' is listed twice (also at coordinators[0], line 2)"),
    ("duplicate-mentor", ("      - lin-mentor\n", "      - lin-mentor\n      - Lin-Mentor\n"),
     18, "roles[1].mentors[1]",
     "'Lin-Mentor' is listed twice (also at roles[1].mentors[0], line 17)"),
    ("capacity-conflict", ("      - lin-mentor\n", "      - {login: lin-mentor, capacity: 2}\n"),
     17, "roles[1].mentors[0].capacity",
     "'lin-mentor' has capacity 2 here but 1 at roles[0].mentors[1] (line 11)"),
    ("capacity-zero", ("capacity: 1", "capacity: 0"), 12,
     "roles[0].mentors[1].capacity", "must be a whole number from 1 to 50, got 0"),
    ("capacity-bool", ("capacity: 1", "capacity: yes"), 12,
     "roles[0].mentors[1].capacity", "expected a whole number, got true (a yes/no value)"),
    ("capacity-text", ("capacity: 1", "capacity: '1'"), 12,
     "roles[0].mentors[1].capacity", "expected a whole number, got the text '1'"),
    ("role-id-uppercase", ("id: triager", "id: Triager"), 13, "roles[1].id",
     "invalid role id 'Triager'"),
    ("role-id-duplicate", ("id: triager", "id: maintainer"), 13, "roles[1].id",
     "role id 'maintainer' is used twice (also at roles[0].id, line 6)"),
    ("role-name-number", ("name: Triager", "name: 42"), 14, "roles[1].name",
     "expected text, got the number 42"),
    ("role-description-empty", ("description: Labels new issues.", "description: ''"), 15,
     "roles[1].description", "is empty"),
    ("mentors-not-a-list", ("    mentors:\n      - lin-mentor\n", "    mentors: lin-mentor\n"),
     16, "roles[1].mentors", "expected a list, got the text 'lin-mentor'"),
    ("role-label-too-long", ("id: triager", "id: " + "t" * 45), 13, "roles[1].id",
     f"the label 'role: {'t' * 45}' is 51 characters; GitHub allows at most 50"),
]

SETTINGS_BROKEN = [
    ("unknown-key", "checkins:\n  every_day: 7\n", 2, "checkins.every_day",
     "unknown key 'every_day'"),
    ("not-a-mapping", "- a\n", 1, "", "expected a mapping (key: value lines), got a list"),
    ("section-not-a-mapping", "writes: 5\n", 1, "writes",
     "expected a mapping (key: value lines), got the number 5"),
    ("every-days-zero", "checkins:\n  every_days: 0\n", 2, "checkins.every_days",
     "must be a whole number from 1 to 365, got 0"),
    ("every-days-float", "checkins:\n  every_days: 1.5\n", 2, "checkins.every_days",
     "expected a whole number, got the number 1.5"),
    ("default-capacity-null", "default_capacity:\n", 1, "default_capacity",
     "expected a whole number, got nothing"),
    ("pace-negative", "writes:\n  pace_seconds: -1\n", 2, "writes.pace_seconds",
     "must be a number from 0 to 60, got -1"),
    ("pace-infinite", "writes:\n  pace_seconds: .inf\n", 2, "writes.pace_seconds",
     "must be a number from 0 to 60, got inf"),
    ("every-days-absurd", "checkins:\n  every_days: 100000000000000000000000000\n", 2,
     "checkins.every_days", "must be a whole number from 1 to 365, got a number with 27 digits"),
    ("max-per-run-over", "writes:\n  max_per_run: 100001\n", 2, "writes.max_per_run",
     "must be a whole number from 1 to 100,000, got 100001"),
    ("pace-over", "writes:\n  pace_seconds: 3600\n", 2, "writes.pace_seconds",
     "must be a number from 0 to 60, got 3600"),
    ("bot-login-bad", "bot_login: github actions\n", 1, "bot_login",
     "unknown login format 'github actions'"),
    ("handbook-not-a-link", "handbooks:\n  mentee: javascript:alert(1)\n", 2,
     "handbooks.mentee", "'javascript:alert(1)' is not a link"),
    ("label-too-long", "labels:\n  dashboard: " + "d" * 51 + "\n", 2, "labels.dashboard",
     f"the label '{'d' * 51}' is 51 characters; GitHub allows at most 50"),
    ("status-label-too-long", "labels:\n  status_prefix: '" + "s" * 41 + "'\n", 2,
     "labels.status_prefix",
     f"the label '{'s' * 41}needs-info' is 51 characters; GitHub allows at most 50"),
    ("labels-collide", "labels:\n  dashboard: 'Mentoring: Application'\n", 2,
     "labels.dashboard",
     "the label 'Mentoring: Application' of labels.dashboard is also the label of "
     "labels.application"),
    ("retention-without-months", "retention:\n  repositories: []\n", 1, "retention",
     "missing required key 'months'"),
    ("retention-bad-repository", "retention:\n  months: 6\n  repositories: [x]\n", 3,
     "retention.repositories[0]", "expected a repository like 'owner/name', got 'x'"),
]

SECOND_ENTRY = PARTICIPANTS[len("participants:\n"):]

PARTICIPANTS_BROKEN = [
    ("top-level-list", "- name: Ada\n", 1, "",
     "expected a mapping with a 'participants:' key, got a list"),
    ("misspelled-role", ("role: maintainer", "role: maintaner"), 4,
     "participants[0].role", "unknown role 'maintaner'"),
    ("undefined-role", ("role: maintainer", "role: docs-lead"), 4,
     "participants[0].role", "unknown role 'docs-lead'"),
    ("unknown-key", ("    issue: 12\n", "    issue: 12\n    pr: 3\n"), 6,
     "participants[0].pr", "unknown key 'pr'"),
    ("missing-keys", ("    started: 2026-01-15\n    graduated: 2026-09-30\n", ""), 2,
     "participants[0]", "missing required keys 'started', 'graduated'"),
    ("impossible-date", ("2026-01-15", "2026-02-30"), 7, "participants[0].started",
     "2026-02-30 is not a real date (day is out of range for month)"),
    ("bad-date", ("2026-01-15", "15/01/2026"), 7, "participants[0].started",
     "expected a date like 2026-01-15, got the text '15/01/2026'"),
    ("datetime", ("2026-01-15", "2026-01-15 10:00:00"), 7, "participants[0].started",
     "expected a date like 2026-01-15, got the text '2026-01-15 10:00:00'"),
    ("graduated-before-started", ("2026-09-30", "2025-09-30"), 8,
     "participants[0].graduated", "graduated 2025-09-30 is before started 2026-01-15"),
    ("issue-text", ("issue: 12", "issue: '#12'"), 5, "participants[0].issue",
     "expected a whole number, got the text '#12'"),
    ("no-mentors", ("[ada-mentor]", "[]"), 6, "participants[0].mentors",
     "needs at least 1 mentor"),
    ("mentor-not-a-login", ("[ada-mentor]", "[Ada Mentor]"), 6,
     "participants[0].mentors[0]", "unknown login format 'Ada Mentor'"),
    ("duplicate-login",
     PARTICIPANTS + SECOND_ENTRY.replace("12", "13").replace("ada-example", "ADA-Example"),
     10, "participants[1].login",
     "'ADA-Example' is listed twice (also at participants[0].login, line 3)"),
    ("duplicate-issue", PARTICIPANTS + SECOND_ENTRY.replace("ada-example", "bo"), 12,
     "participants[1].issue", "issue #12 is listed twice (also at participants[0].issue, line 5)"),
    ("invalid-utf8", b"participants:\n  - name: \xff\n", 2, "", "is not valid UTF-8 text"),
]
# fmt: on

BROKEN = [
    pytest.param(file, change, line, key, message, id=f"{ARGUMENT[file]}-{name}")
    for file, cases in (
        (ROLES_FILE, ROLES_BROKEN),
        (SETTINGS_FILE, SETTINGS_BROKEN),
        (PARTICIPANTS_FILE, PARTICIPANTS_BROKEN),
    )
    for name, change, line, key, message in cases
]


def _broken_text(file: str, change: str | bytes | tuple[str, str]) -> str | bytes:
    if not isinstance(change, tuple):
        return change
    old, new = change
    assert old in FILES[file], f"{old!r} is not in the small program's {file}"
    return FILES[file].replace(old, new, 1)


@pytest.mark.parametrize(("file", "change", "line", "key", "message"), BROKEN)
def test_broken_input(tmp_path, file, change, line, key, message):
    write_program(tmp_path, **{ARGUMENT[file]: _broken_text(file, change)})
    found = [(p.file, p.line, p.key, p.message) for p in problems_of(tmp_path)]
    assert found == [(file, line, key, message)]


WHOLE_MESSAGES = [
    (
        "bad-login",
        ROLES_FILE,
        ("- mona-coordinator", "- x y"),
        "roles.yml:4: coordinators[1]: unknown login format 'x y' "
        "— use a GitHub login like 'octocat'",
    ),
    (
        "login-with-at",
        ROLES_FILE,
        ("- ada-mentor", "- '@ada-mentor'"),
        "roles.yml:10: roles[0].mentors[0]: unknown login format '@ada-mentor' "
        "— drop the '@': 'ada-mentor'",
    ),
    (
        "unknown-key-did-you-mean",
        ROLES_FILE,
        ("        capacity: 1", "        capcity: 1"),
        "roles.yml:12: roles[0].mentors[1].capcity: unknown key 'capcity' "
        "— did you mean 'capacity'?",
    ),
    (
        "unknown-key-lists-allowed",
        SETTINGS_FILE,
        "cadence: 7\n",
        ".github/mentoring.yml:1: cadence: unknown key 'cadence' — allowed keys: bot_login, "
        "private_contact, handbooks, default_capacity, checkins, nudges, labels, writes, "
        "retention, form, budget, activity, mentors",
    ),
    (
        "undefined-role",
        PARTICIPANTS_FILE,
        ("role: maintainer", "role: docs"),
        "participants.yml:4: participants[0].role: unknown role 'docs' "
        "— roles.yml defines: maintainer, triager",
    ),
    (
        "quoted-number",
        SETTINGS_FILE,
        "checkins:\n  every_days: '30'\n",
        ".github/mentoring.yml:2: checkins.every_days: expected a whole number, got the text '30' "
        "— remove the quotes",
    ),
    (
        "role-label-too-long",
        ROLES_FILE,
        ("id: triager", "id: " + "t" * 45),
        f"roles.yml:13: roles[1].id: the label 'role: {'t' * 45}' is 51 characters; GitHub allows "
        "at most 50 — shorten the role id, or labels.role_prefix in .github/mentoring.yml",
    ),
    (
        "graduated-before-started",
        PARTICIPANTS_FILE,
        ("2026-09-30", "2025-09-30"),
        "participants.yml:8: participants[0].graduated: graduated 2025-09-30 is before started "
        "2026-01-15 — check the two dates",
    ),
]


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [case[1:] for case in WHOLE_MESSAGES],
    ids=[case[0] for case in WHOLE_MESSAGES],
)
def test_whole_message(tmp_path, file, change, expected):
    write_program(tmp_path, **{ARGUMENT[file]: _broken_text(file, change)})
    with pytest.raises(ProgramError) as caught:
        load_program(tmp_path)
    assert str(caught.value) == expected


def test_missing_roles_file(tmp_path):
    write_program(tmp_path, roles=None)
    assert problems_of(tmp_path) == (
        Problem(
            "roles.yml",
            None,
            "",
            f"not found in {tmp_path.resolve()}",
            "run `mentoring validate --root DIR` with your program's repository as DIR, "
            "or copy roles.yml from the template",
        ),
    )


def test_a_2_mb_file(tmp_path):
    write_program(tmp_path, participants="# " + "x" * (2 * 1024 * 1024))
    (problem,) = problems_of(tmp_path)
    assert str(problem) == (
        "participants.yml:1: the file is 2 MB; the limit is 1 MB"
        " — keep the program's files small; move long text into linked documents"
    )


def test_alias_bomb_in_roles(tmp_path):
    bomb = "".join(
        f"x{level}: &x{level} [" + ", ".join([f"*x{level - 1}"] * 9) + "]\n"
        for level in range(1, 9)
    )
    write_program(tmp_path, roles="x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + bomb)
    (problem,) = problems_of(tmp_path)
    assert (problem.file, problem.line, problem.key, problem.message) == (
        "roles.yml",
        5,
        "x4",
        "uses too many YAML aliases (&/*); write the values out",
    )


def test_all_problems_are_reported_not_only_the_first(tmp_path):
    write_program(
        tmp_path,
        roles=ROLES.replace("- ada-mentor", "- ada mentor").replace("id: triager", "id: T"),
        settings="checkins:\n  every_days: 0\nnudges: {needs_info_day: 3}\n",
        participants=PARTICIPANTS.replace("2026-09-30", "2025-01-01").replace(
            "issue: 12", "issue: x"
        ),
    )
    found = [(p.file, p.line, p.key) for p in problems_of(tmp_path)]
    assert found == [
        ("roles.yml", 10, "roles[0].mentors[0]"),
        ("roles.yml", 13, "roles[1].id"),
        (".github/mentoring.yml", 2, "checkins.every_days"),
        (".github/mentoring.yml", 3, "nudges.needs_info_day"),
        ("participants.yml", 5, "participants[0].issue"),
        ("participants.yml", 8, "participants[0].graduated"),
    ]


def test_problems_in_every_file_even_when_one_is_not_yaml(tmp_path):
    write_program(
        tmp_path,
        roles="roles: [\n",
        settings="bot_login: x y\n",
        participants="participants:\n  - {}\n",
    )
    assert [(p.file, p.line) for p in problems_of(tmp_path)] == [
        ("roles.yml", 2),
        (".github/mentoring.yml", 1),
        ("participants.yml", 2),
    ]


def test_a_typo_of_a_required_key_is_one_problem_not_two(tmp_path):
    write_program(tmp_path, roles=ROLES.replace("    name: Triager", "    nmae: Triager"))
    (problem,) = problems_of(tmp_path)
    assert (problem.key, problem.message, problem.hint) == (
        "roles[1].nmae",
        "unknown key 'nmae'",
        "did you mean 'name'?",
    )


def test_an_empty_mentors_key_is_a_vacant_role(tmp_path):
    write_program(
        tmp_path, roles=ROLES.replace("    mentors:\n      - lin-mentor\n", "    mentors:\n")
    )
    assert load_program(tmp_path).role("triager").mentors == ()


def test_role_and_status_labels_must_not_collide(tmp_path):
    write_program(
        tmp_path,
        roles=ROLES.replace("id: triager", "id: active"),
        settings="labels:\n  role_prefix: ''\n  status_prefix: ''\n",
    )
    (problem,) = problems_of(tmp_path)
    assert (problem.file, problem.line, problem.key, problem.message) == (
        "roles.yml",
        13,
        "roles[1].id",
        "the label 'active' of role 'active' is also the label of status 'active'",
    )


def test_unreadable_file(tmp_path):
    write_program(tmp_path, settings=None)
    (tmp_path / SETTINGS_FILE).mkdir(parents=True)
    (problem,) = problems_of(tmp_path)
    assert problem.file == SETTINGS_FILE
    assert problem.message.startswith("could not be read: ")


# --------------------------------------------------------------------------- parse_participants


def test_parse_participants_of_a_pull_request():
    text = PARTICIPANTS + PARTICIPANTS[14:].replace("ada-example", "bo").replace("12", "13")
    participants, problems = parse_participants(text, "participants.yml", ["Maintainer"])
    assert problems == []
    assert [(p.login, p.role, p.issue, p.line) for p in participants] == [
        ("ada-example", "Maintainer", 12, 2),
        ("bo", "Maintainer", 13, 9),
    ]


def test_parse_participants_accepts_roles_loaded_or_bytes(tmp_path):
    roles = load_program(write_program(tmp_path)).roles
    loaded = load_yaml(PARTICIPANTS, "pr/participants.yml")
    for source in (loaded, PARTICIPANTS.encode()):
        participants, problems = parse_participants(source, "pr/participants.yml", roles)
        assert (len(participants), problems) == (1, [])


def test_parse_participants_returns_yaml_errors_as_problems():
    participants, problems = parse_participants("participants: [\n", "participants.yml", [])
    assert participants == ()
    assert [(p.file, p.line) for p in problems] == [("participants.yml", 2)]


def test_parse_participants_keeps_complete_entries_and_reports_the_rest():
    text = PARTICIPANTS + "  - name: Bo\n    login: bo\n"
    participants, problems = parse_participants(text, "participants.yml")
    assert [p.login for p in participants] == ["ada-example"]
    assert [(p.line, p.key) for p in problems] == [(9, "participants[1]")]
    assert problems[0].message == (
        "missing required keys 'role', 'issue', 'mentors', 'started', 'graduated'"
    )


def test_parse_participants_without_roles_skips_the_role_check():
    participants, problems = parse_participants(PARTICIPANTS.replace("maintainer", "anything"))
    assert (participants[0].role, problems) == ("anything", [])


@pytest.mark.parametrize(
    ("link", "accepted"),
    [
        ("https://example.org/handbook", True),
        ("http://example.org/handbook", False),
        ("HTTP://example.org/handbook", False),
        ("docs/mentor.md", True),
        ("handbook.md", True),
        ("javascript:alert(1)", False),
        ("mailto:someone@example.org", False),
        ("/etc/passwd", False),
        ("//evil.example.org/x", False),
        ("../outside.md", False),
    ],
    ids=[
        "https",
        "http",
        "http-upper-case",
        "repo-path",
        "bare-file",
        "javascript",
        "mailto",
        "absolute-path",
        "protocol-relative",
        "parent-directory",
    ],
)
def test_handbook_links(tmp_path, link, accepted):
    write_program(tmp_path, settings=f"handbooks:\n  mentor: '{link}'\n")
    if accepted:
        assert load_program(tmp_path).settings.handbooks.mentor == link
    else:
        assert [p.key for p in problems_of(tmp_path)] == ["handbooks.mentor"]


def test_an_http_link_is_refused_with_the_https_one_as_the_fix(tmp_path):
    write_program(tmp_path, settings="handbooks:\n  mentee: http://example.org/h.md\n")
    assert [str(p) for p in problems_of(tmp_path)] == [
        ".github/mentoring.yml:2: handbooks.mentee: 'http://example.org/h.md' is not an https://"
        " link — use 'https://example.org/h.md': GitHub and browsers warn about http:// links"
    ]


LONG_ROLE = "a-role-id-that-is-far-too-long-for-a-label-of-github"


@pytest.mark.parametrize(
    "other",
    [
        "checkins:\n  every_days: 0\n",
        "labels:\n  dashboard: ' spaced '\n",
        "bot_login: not a login\n",
    ],
    ids=["another-setting-broken", "another-label-broken", "bot-login-broken"],
)
def test_a_long_label_is_reported_with_the_other_problems_at_once(tmp_path, other):
    roles = (
        "coordinators: [octo]\nroles:\n  - id: maintainer\n    name: M\n    description: d\n"
        f"  - id: {LONG_ROLE}\n    name: L\n    description: d\n"
    )
    long_status = "labels:\n  status_prefix: '" + "s" * 45 + "'\n"
    settings = other if other.startswith("labels:") else other + "labels:\n"
    settings = settings.rstrip("\n") + "\n" + long_status.removeprefix("labels:\n")
    write_program(tmp_path, roles=roles, settings=settings)
    found = {(p.file, p.key) for p in problems_of(tmp_path)}
    assert ("roles.yml", "roles[1].id") in found
    assert (".github/mentoring.yml", "labels.status_prefix") in found
    assert len(found) == 3


ENTRY_KEYS = st.sampled_from(
    ["participants", "name", "login", "role", "issue", "mentors", "started", "graduated", "other"]
)
ANY_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.dates(),
    st.text(max_size=20),
    st.sampled_from(["maintainer", "ada-mentor"]),
)
ANY_VALUE = st.recursive(
    ANY_SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(ENTRY_KEYS, inner)),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(ANY_VALUE)
def test_parse_participants_reports_rather_than_raises(data):
    participants, problems = parse_participants(yaml.safe_dump(data), roles=["maintainer"])
    assert all(isinstance(problem, Problem) and str(problem) for problem in problems)
    assert all(isinstance(participant, Participant) for participant in participants)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (
            Problem(
                "roles.yml",
                12,
                "roles[2].mentors[0]",
                "unknown login format 'x y'",
                "use a GitHub login like 'octocat'",
            ),
            "roles.yml:12: roles[2].mentors[0]: unknown login format 'x y'"
            " — use a GitHub login like 'octocat'",
        ),
        (Problem("roles.yml", None, "", "not found in /x"), "roles.yml: not found in /x"),
        (Problem("roles.yml", 3, "", "bad"), "roles.yml:3: bad"),
        (Problem("", 3, "a.b", "bad", "fix it"), "line 3: a.b: bad — fix it"),
    ],
    ids=["everything", "no-line-no-key", "no-key", "no-file"],
)
def test_problem_text(problem, text):
    assert str(problem) == text


def test_program_error_lists_every_problem_one_per_line():
    error = ProgramError(
        [Problem("roles.yml", 1, "", "one"), Problem("participants.yml", 2, "", "two")]
    )
    assert str(error) == "roles.yml:1: one\nparticipants.yml:2: two"
    assert len(error.problems) == 2
