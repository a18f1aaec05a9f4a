"""A program's own application form: fields read from its file, the settings' mapping checked
against it, free-text roles matched or handed to the coordinators, and `/role`."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.cli import App
from mentoring.core import intake, pairing, state
from mentoring.core.model import AddLabels, Comment, EditComment, Issue, PostComment
from mentoring.errors import ProgramError
from mentoring.program import form
from mentoring.program.config import load_program
from mentoring.program.templates import Messages
from mentoring.program.yamlsafe import load_yaml
from tests.support import REPO_ROOT, run_cli

BOT = "github-actions[bot]"
APP = "mentoring: application"
TODAY = date(2026, 1, 6)
T = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
COORDINATORS = frozenset({"octo-coordinator", "mona-coordinator"})
MESSAGES = Messages(None)

# Free-text role, an optional chat field, no code-of-conduct box, a markdown block at the
# end, and `assignees: ['']` (as GitHub's form builder writes it).
FREE_TEXT = """\
name: Mentoring application
description: Ask for a mentor.
title: "[Mentoring]: "
labels: ["mentoring: application"]
assignees: ['']
body:
  - type: input
    id: full-name
    attributes:
      label: Full name
    validations:
      required: true
  - type: input
    id: matrix
    attributes:
      label: Matrix or Slack handle
  - type: textarea
    id: goal
    attributes:
      label: Which role, and why?
    validations:
      required: true
  - type: markdown
    attributes:
      value: Thank you! The coordinators read every application.
"""
FREE_TEXT_FIELDS = "{name: full-name, role: goal, chat: matrix}"

# A role dropdown and a code-of-conduct box under other ids and labels; no chat field.
DROPDOWN = """\
name: Apply
description: Apply for mentoring.
labels: ["mentoring: application"]
body:
  - type: input
    id: who
    attributes:
      label: Name
    validations:
      required: true
  - type: dropdown
    id: track
    attributes:
      label: Track
      options:
        - Maintainer (maintainer)
        - Issue triager (triager)
        - Documentation lead (docs-lead)
        - Release manager (release-manager)
    validations:
      required: true
  - type: checkboxes
    id: conduct
    attributes:
      label: Conduct
      options:
        - label: I agree to the code of conduct.
          required: true
"""
DROPDOWN_FIELDS = "{name: who, role: track, code_of_conduct: conduct}"

# No role question at all: every application goes to the coordinators for /role.
NO_ROLE = """\
name: Apply
description: Apply for mentoring.
labels: ["mentoring: application"]
body:
  - type: input
    id: name
    attributes:
      label: Your name
    validations:
      required: true
  - type: textarea
    id: about
    attributes:
      label: About you
    validations:
      required: true
"""
NO_ROLE_FIELDS = "{name: name}"


def make_program(
    tmp_path: Path, form_text: str | None, fields: str | None, file: str = "mentoring.yml"
) -> Path:
    """A program at the top of a repository, with its own form file and form settings."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    shutil.copy2(REPO_ROOT / "roles.yml", root / "roles.yml")
    shutil.copytree(REPO_ROOT / "docs", root / "docs")  # the handbooks validate looks for
    templates = root / ".github" / "ISSUE_TEMPLATE"
    templates.mkdir(parents=True)
    if form_text is not None:
        (templates / file).write_text(form_text, encoding="utf-8")
    lines = ["writes: {pace_seconds: 0}", "form:", f"  file: {file}"]
    if fields is not None:
        lines.append(f"  fields: {fields}")
    (root / ".github" / "mentoring.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def rendered(questions: dict[str, str], answers: dict[str, str], ticked: set[str] = frozenset()):
    """An issue body as GitHub renders a submitted form: ``### Label``, a blank line, the
    answer or ``_No response_``; ticked boxes as ``- [X] …``."""
    parts = []
    for label, kind in questions.items():
        if kind == "checkboxes":
            box = "X" if label in ticked else " "
            value = f"- [{box}] I agree to the code of conduct."
        else:
            value = answers.get(label) or form.NO_RESPONSE
        parts.append(f"### {label}\n\n{value}")
    return "\n\n".join(parts) + "\n"


# --------------------------------------------------------------------------- reading the form

SHAPES = [
    pytest.param(
        FREE_TEXT,
        FREE_TEXT_FIELDS,
        [
            ("full-name", "Full name", True, "input"),
            ("matrix", "Matrix or Slack handle", False, "input"),
            ("goal", "Which role, and why?", True, "textarea"),
        ],
        True,
        {"full-name", "goal"},
        id="free-text role, optional chat, no box, markdown at the end, assignees ['']",
    ),
    pytest.param(
        DROPDOWN,
        DROPDOWN_FIELDS,
        [
            ("who", "Name", True, "input"),
            ("track", "Track", True, "dropdown"),
            ("conduct", "Conduct", True, "checkboxes"),
        ],
        False,
        {"who", "track", "conduct"},
        id="a dropdown and a box under other ids, no chat",
    ),
    pytest.param(
        NO_ROLE,
        NO_ROLE_FIELDS,
        [("name", "Your name", True, "input"), ("about", "About you", True, "textarea")],
        True,
        {"name", "about"},
        id="no role question",
    ),
]


@pytest.mark.parametrize(("text", "fields", "questions", "free", "structure"), SHAPES)
def test_the_form_is_read_from_the_programs_own_file(
    tmp_path, text, fields, questions, free, structure
):
    program = load_program(make_program(tmp_path, text, fields))
    spec = program.form
    assert spec.file == ".github/ISSUE_TEMPLATE/mentoring.yml"
    assert [(q.id, q.label, q.required, q.type) for q in spec.questions] == questions
    assert spec.role_is_free_text is free
    assert spec.structure == structure


def test_without_form_settings_the_shipped_form_reads_as_before():
    program = load_program(REPO_ROOT)
    assert program.form.questions == form.FIELDS
    assert program.form.fields == form.DEFAULT_FORM.fields
    assert program.form.role_is_free_text is False


@pytest.mark.parametrize(
    ("text", "fields", "answers", "ticked", "expected"),
    [
        pytest.param(
            FREE_TEXT,
            FREE_TEXT_FIELDS,
            {"Full name": "Ada Example", "Which role, and why?": "Maintainer: I review."},
            set(),
            ("Ada Example", "Maintainer: I review.", True, True),
            id="free text, the chat left empty",
        ),
        pytest.param(
            DROPDOWN,
            DROPDOWN_FIELDS,
            {"Name": "Lin", "Track": "Issue triager (triager)"},
            {"Conduct"},
            ("Lin", "Issue triager (triager)", True, True),
            id="dropdown, box ticked",
        ),
        pytest.param(
            DROPDOWN,
            DROPDOWN_FIELDS,
            {"Name": "Lin", "Track": "Issue triager (triager)"},
            set(),
            ("Lin", "Issue triager (triager)", False, True),
            id="dropdown, box not ticked",
        ),
        pytest.param(
            NO_ROLE,
            NO_ROLE_FIELDS,
            {"Your name": "Sam", "About you": "Docs, mostly."},
            set(),
            ("Sam", "", True, True),
            id="no role question: nothing to read, nothing to tick",
        ),
        pytest.param(
            FREE_TEXT,
            FREE_TEXT_FIELDS,
            {},
            set(),
            ("", "", True, False),
            id="an unrelated issue body",
        ),
    ],
)
def test_bodies_rendered_from_other_forms(tmp_path, text, fields, answers, ticked, expected):
    program = load_program(make_program(tmp_path, text, fields))
    questions = {q.label: q.type for q in program.form.questions}
    body = rendered(questions, answers, ticked) if answers else "Hello, a question about CI."
    found = form.parse(body, program.form)
    assert (found.name, found.role, found.coc, found.looks_like_form) == expected


FREE_TEXT_FORM, _ = form.describe(
    load_yaml(FREE_TEXT, "f.yml"), "f.yml", form.FormFields("full-name", "goal", "matrix")
)
_ANSWER = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="#\r"),
    max_size=60,
).map(str.strip)


@settings(max_examples=150, deadline=None)
@given(name=_ANSWER, chat=_ANSWER, goal=_ANSWER, crlf=st.booleans())
def test_parsing_gives_back_every_answer(name, chat, goal, crlf):
    labels = ["Full name", "Matrix or Slack handle", "Which role, and why?"]
    values = dict(zip(labels, (name, chat, goal), strict=True))
    body = rendered(dict.fromkeys(labels, "input"), values)
    if crlf:
        body = body.replace("\n", "\r\n")
    found = form.parse(body, FREE_TEXT_FORM)
    assert (found.name, found.get("matrix"), found.role) == (name, chat, goal)
    assert found.looks_like_form


@settings(max_examples=150, deadline=None)
@given(body=st.text(max_size=300))
def test_any_body_parses_without_error(body):
    found = form.parse(body, FREE_TEXT_FORM)
    assert set(found.values) <= {"full-name", "matrix", "goal"}
    assert found.coc is True  # the form has no box to tick


# --------------------------------------------------------------------------- the mapping

MAPPING_PROBLEMS = [
    pytest.param(
        FREE_TEXT,
        "{name: full-name, role: role}",
        "body",
        "has no field with id 'role', which form.fields.role names",
        "one of: full-name, matrix, goal",
        id="an id the form does not have",
    ),
    pytest.param(
        DROPDOWN,
        "{name: who, role: conduct}",
        "body[2].type",
        "the role field 'conduct' is 'checkboxes', but form.fields.role needs dropdown",
        "make it `type: dropdown`",
        id="a role that is a box",
    ),
    pytest.param(
        DROPDOWN,
        "{name: who, code_of_conduct: track}",
        "body[1].type",
        "the code of conduct field 'track' is 'dropdown', but form.fields.code_of_conduct",
        "make it `type: checkboxes`",
        id="a code of conduct that is a dropdown",
    ),
    pytest.param(
        DROPDOWN,
        "{name: track}",
        "body[1].type",
        "the name field 'track' is 'dropdown', but form.fields.name needs input or textarea",
        "point form.fields.name at another field",
        id="a name that is a dropdown",
    ),
    pytest.param(
        FREE_TEXT.replace("label: Matrix or Slack handle", "label: Full name"),
        FREE_TEXT_FIELDS,
        "body[1].attributes.label",
        "'Full name' is also the label of body[0]",
        "give each question its own label",
        id="two questions with one label",
    ),
    pytest.param(
        FREE_TEXT,
        None,
        "body",
        "has no field with id 'name', which form.fields.name names",
        "set form.fields.name in .github/mentoring.yml",
        id="another form without a mapping: today's ids",
    ),
]


@pytest.mark.parametrize(("text", "fields", "key", "message", "hint"), MAPPING_PROBLEMS)
def test_the_mapping_is_checked_against_the_form(tmp_path, text, fields, key, message, hint):
    root = make_program(tmp_path, text, fields)
    with pytest.raises(ProgramError) as caught:
        load_program(root)
    [problem, *_] = [p for p in caught.value.problems if p.key == key]
    assert problem.file == ".github/ISSUE_TEMPLATE/mentoring.yml"
    assert message in problem.message and hint in problem.hint
    lines = text.splitlines()
    assert problem.line is not None and 1 <= problem.line <= len(lines)


@pytest.mark.parametrize(
    ("settings_text", "key", "message"),
    [
        pytest.param("form: {fields: {role: goal}}\n", "form.fields", "'name'", id="no name"),
        pytest.param(
            "form: {fields: {name: null}}\n", "form.fields.name", "is required", id="null"
        ),
        pytest.param(
            "form: {fields: {name: 'a b'}}\n", "form.fields.name", "not a field id", id="id"
        ),
        pytest.param("form: {file: ../x.yml}\n", "form.file", "not a form file name", id="path"),
        pytest.param("form: {fields: {nmae: x}}\n", "form.fields.nmae", "unknown key", id="typo"),
    ],
)
def test_form_settings_problems(tmp_path, settings_text, key, message):
    root = make_program(tmp_path, FREE_TEXT, FREE_TEXT_FIELDS)
    (root / ".github" / "mentoring.yml").write_text(settings_text, encoding="utf-8")
    with pytest.raises(ProgramError) as caught:
        load_program(root)
    assert any(p.key == key and message in p.message for p in caught.value.problems), [
        str(p) for p in caught.value.problems
    ]


def test_a_named_form_file_that_is_missing_is_a_problem(tmp_path):
    root = make_program(tmp_path, None, FREE_TEXT_FIELDS)
    with pytest.raises(ProgramError, match="not found"):
        load_program(root)


def test_validate_names_the_form_line_key_and_fix(tmp_path):
    root = make_program(tmp_path, DROPDOWN, "{name: who, role: conduct}")
    result = run_cli("validate", api_url="http://127.0.0.1:9", root=root)
    assert result.returncode == 1
    line = DROPDOWN.splitlines().index("  - type: checkboxes") + 1
    assert f".github/ISSUE_TEMPLATE/mentoring.yml:{line}: body[2].type:" in result.stdout
    assert "make it `type: dropdown`" in result.stdout


@pytest.mark.parametrize(
    ("text", "fields"),
    [(FREE_TEXT, FREE_TEXT_FIELDS), (DROPDOWN, DROPDOWN_FIELDS), (NO_ROLE, NO_ROLE_FIELDS)],
    ids=["free-text", "dropdown", "no-role"],
)
def test_validate_passes_on_forms_of_other_shapes(tmp_path, text, fields):
    result = run_cli(
        "validate", api_url="http://127.0.0.1:9", root=make_program(tmp_path, text, fields)
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------- sync-form


def test_sync_form_rewrites_a_dropdown_under_another_id(tmp_path, capsys):
    root = make_program(
        tmp_path,
        DROPDOWN.replace("        - Release manager (release-manager)\n", ""),
        DROPDOWN_FIELDS,
    )
    assert form.sync(App(root, None, False), check=True) == 1
    assert form.sync(App(root, None, False), check=False) == 0
    data = yaml.safe_load((root / ".github/ISSUE_TEMPLATE/mentoring.yml").read_text())
    assert data["body"][1]["attributes"]["options"][-1] == "Release manager (release-manager)"
    assert "updated" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "fields", "said"),
    [
        (FREE_TEXT, FREE_TEXT_FIELDS, "as free text (textarea 'goal')"),
        (NO_ROLE, NO_ROLE_FIELDS, "asks for the role nowhere"),
    ],
    ids=["free-text", "no-role"],
)
def test_sync_form_does_nothing_for_a_free_text_role_and_says_why(
    tmp_path, capsys, text, fields, said
):
    root = make_program(tmp_path, text, fields)
    path = root / ".github/ISSUE_TEMPLATE/mentoring.yml"
    before = path.read_bytes()
    assert form.sync(App(root, None, False), check=True) == 0
    assert form.sync(App(root, None, False), check=False) == 0
    assert path.read_bytes() == before
    out = capsys.readouterr().out
    assert said in out and "no options to sync" in out and "/role ID" in out


# --------------------------------------------------------------------------- matching a role

PROGRAM = load_program(REPO_ROOT)


@pytest.mark.parametrize(
    ("text", "role_id"),
    [
        pytest.param("I would like to become a maintainer.", "maintainer", id="the id as a word"),
        pytest.param("Documentation lead, because docs matter", "docs-lead", id="the name"),
        pytest.param("docs-lead", "docs-lead", id="the id alone"),
        pytest.param("ISSUE TRIAGER!", "triager", id="the name, any case"),
        pytest.param("Release   manager\nplease", "release-manager", id="the name across spaces"),
        pytest.param("I love maintainers", None, id="not a whole word"),
        pytest.param("maintainer, or maybe release manager", None, id="two roles: ambiguous"),
        pytest.param("Something with the website", None, id="no role named"),
        pytest.param("", None, id="empty"),
        pytest.param("docs lead", None, id="neither the id nor the name"),
    ],
)
def test_match_role(text, role_id):
    role = form.match_role(text, PROGRAM.roles)
    assert (role.id if role else None) == role_id


# --------------------------------------------------------------------------- intake and /role


@pytest.fixture(scope="module")
def free_program(tmp_path_factory):
    return load_program(make_program(tmp_path_factory.mktemp("free"), FREE_TEXT, FREE_TEXT_FIELDS))


def application(program, goal: str) -> Issue:
    questions = {q.label: q.type for q in program.form.questions}
    body = rendered(questions, {"Full name": "Ada Example", "Which role, and why?": goal})
    return Issue(
        number=7,
        title="[Mentoring]: Ada",
        body=body,
        author="ada-example",
        state="open",
        labels=(APP,),
        created_at=T,
    )


def run_intake(program, issue: Issue):
    old = state.read(issue, BOT)
    step = intake.step(issue, old, program, MESSAGES, TODAY, load={}, assignable=COORDINATORS)
    return intake.plan(issue, old, step, program, MESSAGES), step.state


def made(issue: Issue, plan) -> Issue:
    """The issue once the plan's comments and labels are there (enough for these checks)."""
    comments, labels = list(issue.comments), list(issue.labels)
    for w in plan.writes:
        if isinstance(w, PostComment):
            comments.append(Comment(len(comments) + 100, 7, BOT, w.body, T, T))
        elif isinstance(w, EditComment):
            comments = [
                c if c.id != w.comment_id else Comment(c.id, 7, BOT, w.body, T, T) for c in comments
            ]
        elif isinstance(w, AddLabels):
            labels += list(w.labels)
    return dataclasses.replace(issue, comments=tuple(comments), labels=tuple(labels))


def test_a_free_text_role_that_names_one_role_is_taken(free_program):
    plan, m = run_intake(free_program, application(free_program, "Maintainer: I review weekly."))
    assert (m.status, m.role) == ("waiting", "maintainer")
    bodies = [w.body for w in plan.writes if isinstance(w, PostComment)]
    assert not any("role-unclear" in b for b in bodies)
    assert any("**Maintainer** role" in b for b in bodies)


def test_an_unclear_free_text_role_goes_to_the_coordinators_quoted(free_program):
    issue = application(free_program, "Docs or releases, @someone said <b>either</b>")
    plan, m = run_intake(free_program, issue)
    assert (m.status, m.role) == ("waiting", None)
    [ask] = [w.body for w in plan.writes if isinstance(w, PostComment) and "role-unclear" in w.body]
    assert "/role ID" in ask and "`docs-lead` (Documentation lead)" in ask
    assert "> Docs or releases, @\u200bsomeone said &lt;b&gt;either&lt;/b&gt;" in ask
    assert "“Which role, and why?”" in ask
    again, _ = run_intake(free_program, made(issue, plan))
    assert again.writes == ()  # asked once: the second run writes nothing


def test_a_form_without_a_role_question_asks_the_coordinators(tmp_path):
    program = load_program(make_program(tmp_path, NO_ROLE, NO_ROLE_FIELDS))
    body = rendered(
        {"Your name": "input", "About you": "textarea"}, {"Your name": "Sam", "About you": "Hi"}
    )
    issue = Issue(7, "Apply", body, "sam-example", "open", (APP,), created_at=T)
    plan, m = run_intake(program, issue)
    assert (m.status, m.role) == ("waiting", None)
    [ask] = [w.body for w in plan.writes if isinstance(w, PostComment) and "role-unclear" in w.body]
    assert "does not ask for a role" in ask


def test_an_empty_required_free_text_role_is_asked_of_the_applicant(free_program):
    plan, m = run_intake(free_program, application(free_program, ""))
    assert m.status == "needs-info"
    [ask] = [
        w.body
        for w in plan.writes
        if isinstance(w, PostComment) and "mentoring:needs-info" in w.body
    ]
    assert "**Which role, and why?** is empty" in ask


WAITING = state.Mentorship(
    7, "ada-example", "waiting", applied=date(2026, 1, 5), history=((date(2026, 1, 5), "waiting"),)
)


def role_command(program, m, text, author="octo-coordinator"):
    card = Comment(100, 7, BOT, state.card_body(m, program, MESSAGES), T, T)
    note = Comment(500, 7, author, text, T, T)
    issue = Issue(
        7,
        "Apply",
        "",
        "ada-example",
        "open",
        (APP, "status: waiting"),
        comments=(card, note),
        created_at=T,
    )
    old = state.read(issue, BOT)
    step = pairing.on_comment(
        issue, old, note, program, MESSAGES, TODAY, assignable=(), handbooks=("a", "b")
    )
    plan = intake.plan(issue, old, step, program, MESSAGES)
    [reply] = [w.body for w in plan.writes if isinstance(w, PostComment)]
    return plan, step.state, reply


@pytest.mark.parametrize(
    ("text", "author", "role", "said"),
    [
        pytest.param(
            "/role docs-lead",
            "octo-coordinator",
            "docs-lead",
            "now for the **Documentation lead** role",
            id="by id",
        ),
        pytest.param(
            "/role Issue triager",
            "octo-coordinator",
            "triager",
            "now for the **Issue triager** role",
            id="by name",
        ),
        pytest.param(
            "/role astronaut",
            "octo-coordinator",
            None,
            "is not one of the program's roles",
            id="unknown",
        ),
        pytest.param("/role", "octo-coordinator", None, "needs a role id", id="no id"),
        pytest.param(
            "/role maintainer",
            "ada-example",
            None,
            "can only be used by the program coordinators",
            id="not a coordinator",
        ),
    ],
)
def test_role_command(free_program, text, author, role, said):
    plan, m, reply = role_command(free_program, WAITING, text, author)
    assert m.role == role
    assert said in reply
    labels = [label for w in plan.writes if isinstance(w, AddLabels) for label in w.labels]
    assert (f"role: {role}" in labels) is (role is not None)


def test_role_command_again_changes_nothing_but_says_so(free_program):
    m = WAITING.moved("waiting", TODAY, role="maintainer")
    plan, after, reply = role_command(free_program, m, "/role maintainer")
    assert after.role == "maintainer" and "already for the **Maintainer** role" in reply
    assert not any(isinstance(w, EditComment) for w in plan.writes)  # the card stays as it is


def test_role_is_for_coordinators_only():
    assert pairing.WHO["role"] == ("coordinators",)
