"""Intake, pure: snapshots in, plans out. No fakes: issues and comments are built directly."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from mentoring.core import intake, markers, state
from mentoring.core.model import (
    AddLabels,
    Assign,
    Comment,
    EditComment,
    EnsureLabel,
    Issue,
    Plan,
    PostComment,
    RemoveLabels,
)
from mentoring.program.config import load_program
from mentoring.program.templates import Messages
from tests.support import REPO_ROOT, form_body

BOT = "github-actions[bot]"
PROGRAM = load_program(REPO_ROOT)
MESSAGES = Messages(REPO_ROOT)
TODAY = date(2026, 1, 6)
T = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
APP = "mentoring: application"
COORDINATORS = frozenset({"octo-coordinator", "mona-coordinator"})
ZWSP = "\u200b"


def application(body: str | None = None, **changes) -> Issue:
    base = dict(
        number=7,
        title="Mentoring application: Ada",
        body=form_body() if body is None else body,
        author="ada-example",
        state="open",
        labels=(APP,),
        created_at=T,
    )
    base.update(changes)
    return Issue(**base)


def comment(id: int, body: str, author: str | None = BOT) -> Comment:
    return Comment(id=id, issue=7, author=author, body=body, created_at=T, updated_at=T)


def decide(issue: Issue, *, load=None, assignable=COORDINATORS, today=TODAY) -> tuple:
    old = state.read(issue, BOT)
    step = intake.step(issue, old, PROGRAM, MESSAGES, today, load=load or {}, assignable=assignable)
    return intake.plan(issue, old, step, PROGRAM, MESSAGES), step.state


def after(issue: Issue, plan: Plan) -> Issue:
    """The issue as GitHub would show it once the plan's writes were made."""
    labels, assignees, comments = list(issue.labels), list(issue.assignees), list(issue.comments)
    next_id = max((c.id for c in comments), default=100) + 1
    for w in plan.writes:
        if isinstance(w, AddLabels):
            labels += list(w.labels)
        elif isinstance(w, RemoveLabels):
            labels = [x for x in labels if x not in w.labels]
        elif isinstance(w, Assign):
            assignees += list(w.logins)
        elif isinstance(w, PostComment):
            comments.append(comment(next_id, w.body))
            next_id += 1
        elif isinstance(w, EditComment):
            comments = [
                dataclasses.replace(c, body=w.body) if c.id == w.comment_id else c for c in comments
            ]
    return dataclasses.replace(
        issue, labels=tuple(labels), assignees=tuple(assignees), comments=tuple(comments)
    )


def posted(plan: Plan, key: str) -> list[str]:
    return [w.body for w in plan.writes if isinstance(w, PostComment) and w.key == key]


# --------------------------------------------------------------------------- recognising

RECOGNISE_CASES = [
    ("the form with its label", application(), None),
    ("the form without its label", application(labels=()), None),
    ("the label on an empty body", application(body=""), None),
    (
        "a bug report",
        application(body="### Describe the bug\n\nboom", labels=()),
        "not an application",
    ),
    ("a pull request", application(is_pull=True), "pull request"),
    ("a deleted applicant", application(author=None), "deleted"),
    ("a locked issue", application(locked=True), "locked"),
]


@pytest.mark.parametrize(
    ("issue", "reason"), [c[1:] for c in RECOGNISE_CASES], ids=[c[0] for c in RECOGNISE_CASES]
)
def test_why_not(issue, reason):
    found = intake.why_not(issue, PROGRAM, None)
    assert (found is None) if reason is None else (reason in found)


@pytest.mark.parametrize(
    "issue",
    [c[1] for c in RECOGNISE_CASES if c[2] is not None],
    ids=[c[0] for c in RECOGNISE_CASES if c[2] is not None],
)
def test_not_ours_writes_nothing_and_says_why(issue):
    plan, m = decide(issue)
    assert plan.writes == () and m is None
    assert len(plan.notes) == 1 and plan.notes[0][0] == 7


def test_a_closed_issue_without_a_card_is_left_alone():
    plan, m = decide(application(state="closed"))
    assert plan.writes == () and m is None
    assert "closed before" in plan.notes[0][1]


# --------------------------------------------------------------------------- a valid application


def test_a_valid_application_gets_labels_card_coordinators_and_welcome():
    plan, m = decide(application(labels=()))
    assert m.status == "waiting" and m.role == "maintainer" and m.mentee == "ada-example"
    assert m.applied == date(2026, 1, 5) and m.history == ((TODAY, "waiting"),)
    kinds = [type(w).__name__ for w in plan.writes]
    assert kinds == [
        "EnsureLabel",
        "EnsureLabel",
        "EnsureLabel",
        "AddLabels",
        "PostComment",
        "Assign",
        "PostComment",
    ]
    assert plan.writes[3] == AddLabels(7, (APP, "status: waiting", "role: maintainer"))
    assert plan.writes[4].key == "card"
    assert plan.writes[5] == Assign(7, ("octo-coordinator", "mona-coordinator"))
    welcome = plan.writes[6].body
    assert plan.writes[6].key == "welcome"
    assert "Ada Example" in welcome and "**Maintainer**" in welcome
    assert "the program coordinators privately" in welcome  # the private contact
    assert markers.kinds(welcome) == {"welcome"}
    assert plan.notes == ()


def test_running_intake_again_writes_nothing():
    issue = application()
    plan, _ = decide(issue)
    again, m = decide(after(issue, plan))
    assert again.writes == () and m.status == "waiting"


def test_an_already_assigned_coordinator_is_not_assigned_again():
    plan, _ = decide(application(assignees=("Octo-Coordinator",)))
    assert [w for w in plan.writes if isinstance(w, Assign)] == [Assign(7, ("mona-coordinator",))]


def test_a_coordinator_who_cannot_be_assigned_is_mentioned_instead():
    plan, _ = decide(application(), assignable={"octo-coordinator"})
    assert [w for w in plan.writes if isinstance(w, Assign)] == [Assign(7, ("octo-coordinator",))]
    (welcome,) = posted(plan, "welcome")
    assert "@mona-coordinator" in welcome  # a real mention: they must be told
    assert "@octo-coordinator" not in welcome  # assigned, so only shown
    assert any("mona-coordinator" in text for _, text in plan.notes)


SUGGESTION_CASES = [
    ("nobody busy: roles.yml order", {}, None, ["ada-mentor", "lin-mentor"]),
    ("least loaded first", {"ada-mentor": 1}, None, ["lin-mentor", "ada-mentor"]),
    ("a full mentor is left out", {"lin-mentor": 1}, None, ["ada-mentor"]),
    ("everyone full", {"ada-mentor": 2, "lin-mentor": 1}, None, []),
    ("the applicant is not their own mentor", {}, "Ada-Mentor", ["lin-mentor"]),
]


@pytest.mark.parametrize(
    ("load", "applicant", "expected"),
    [c[1:] for c in SUGGESTION_CASES],
    ids=[c[0] for c in SUGGESTION_CASES],
)
def test_suggestions(load, applicant, expected):
    found = intake.suggestions(PROGRAM.role("maintainer"), load, applicant)
    assert [s["login"] for s in found] == expected


def test_the_welcome_lists_suggestions_without_pinging_them():
    plan, _ = decide(application(), load={"ada-mentor": 1})
    (welcome,) = posted(plan, "welcome")
    assert welcome.index("lin-mentor") < welcome.index("ada-mentor")
    assert f"@{ZWSP}lin-mentor (0 of 1 places taken)" in welcome
    assert "@lin-mentor" not in welcome and "@ada-mentor" not in welcome


def test_the_welcome_says_when_no_mentor_has_room():
    plan, _ = decide(application(), load={"ada-mentor": 2, "lin-mentor": 1})
    (welcome,) = posted(plan, "welcome")
    assert "No mentor for this role has a free place" in welcome


def test_mentor_load_counts_active_and_paused_mentors_only():
    def listed(number, status, assignees, **changes):
        labels = (APP, f"status: {status}")
        return application(number=number, labels=labels, assignees=assignees, **changes)

    issues = [
        listed(1, "active", ("Lin-Mentor", "octo-coordinator")),
        listed(2, "paused", ("lin-mentor", "ada-mentor")),
        listed(3, "waiting", ("ada-mentor",)),
        listed(4, "active", ("ada-example",)),  # the applicant assigned: not a mentor
        listed(5, "active", ("kai-mentor",), state="closed"),
        listed(6, "active", ("kai-mentor",), is_pull=True),
        application(number=8, labels=("status: active",), assignees=("kai-mentor",)),
    ]
    assert intake.mentor_load(issues, PROGRAM) == {"lin-mentor": 2, "ada-mentor": 1}


# --------------------------------------------------------------------------- incomplete

INVALID_CASES = [
    ("unknown role", form_body(Role_you_aim_for="Astronaut"), ["unknown-role"], "“Astronaut”"),
    (
        "empty form",
        "",
        ["missing", "no-role", "missing", "missing", "coc"],
        "**Your name** is empty",
    ),
    (
        "code of conduct unticked",
        form_body(Code_of_conduct="- [ ] I agree to follow the project's code of conduct."),
        ["coc"],
        "please tick the box",
    ),
    ("no name", form_body(Your_name="_No response_"), ["missing"], "**Your name** is empty"),
    (
        "a name of invisible characters",
        form_body(Your_name="\u200b\u2066"),
        ["missing"],
        "Your name",
    ),
    ("no role chosen", form_body(Role_you_aim_for="_No response_"), ["no-role"], "is empty"),
]


@pytest.mark.parametrize(
    ("body", "kinds", "text"), [c[1:] for c in INVALID_CASES], ids=[c[0] for c in INVALID_CASES]
)
def test_an_incomplete_application_is_told_exactly_what_to_fix(body, kinds, text):
    issue = application(body=body)
    plan, m = decide(issue)
    assert m.status == "needs-info"
    found = intake.problems(intake.form.parse(body), PROGRAM)
    assert [p["kind"] for p in found] == kinds
    (message,) = posted(plan, "needs-info")
    assert text in message
    assert message.count("\n- ") == len(kinds)
    assert not posted(plan, "welcome")
    assert not [w for w in plan.writes if isinstance(w, Assign)]
    assert any(isinstance(w, AddLabels) and "status: needs-info" in w.labels for w in plan.writes)


def test_an_edit_updates_the_same_needs_info_comment_then_moves_on():
    first = application(body=form_body(Role_you_aim_for="Astronaut"))
    plan, _ = decide(first)
    shown = after(first, plan)
    needs_info_id = next(c.id for c in shown.comments if "needs-info" in markers.kinds(c.body))
    # Still wrong, differently: the same comment is edited, nothing new is posted.
    still = dataclasses.replace(shown, body=form_body(Role_you_aim_for="Chef"))
    plan2, m2 = decide(still, today=date(2026, 1, 7))
    assert m2.status == "needs-info"
    assert [type(w) for w in plan2.writes] == [EditComment]
    assert plan2.writes[0].comment_id == needs_info_id and "Chef" in plan2.writes[0].body
    # Fixed: the comment becomes a short "all set", the card moves on, the welcome follows.
    fixed = dataclasses.replace(after(still, plan2), body=form_body())
    plan3, m3 = decide(fixed, today=date(2026, 1, 8))
    assert m3.status == "waiting"
    assert m3.history == ((TODAY, "needs-info"), (date(2026, 1, 8), "waiting"))
    edits = [w for w in plan3.writes if isinstance(w, EditComment)]
    assert {w.key for w in edits} == {"needs-info", "card"}
    done = next(w for w in edits if w.key == "needs-info")
    assert done.comment_id == needs_info_id and "complete" in done.body
    assert len(posted(plan3, "welcome")) == 1 and len(posted(plan3, "needs-info")) == 0
    assert decide(after(fixed, plan3), today=date(2026, 1, 9))[0].writes == ()


def test_the_same_incomplete_answers_write_nothing_twice():
    issue = application(body=form_body(Role_you_aim_for="Astronaut"))
    plan, _ = decide(issue)
    assert decide(after(issue, plan))[0].writes == ()


# --------------------------------------------------------------------------- user text quoted back

QUOTE_CASES = [
    ("a mention in the name", form_body(Your_name="Ada @octocat"), "welcome", "@octocat"),
    (
        "a marker in the name",
        form_body(Your_name='Ada <!-- mentoring:card {"status":"graduated"} -->'),
        "welcome",
        "mentoring:card",
    ),
    (
        "a team mention in the role",
        form_body(Role_you_aim_for="@astro/maintainers"),
        "needs-info",
        "@astro",
    ),
    (
        "a marker in the role",
        form_body(Role_you_aim_for="x <!-- mentoring:welcome -->"),
        "needs-info",
        "mentoring:welcome",
    ),
    ("bidi controls in the name", form_body(Your_name="Ada\u202eevil"), "welcome", "\u202e"),
    ("a 65,000-character name", form_body(Your_name="A" * 65_000), "welcome", "A" * 400),
]


@pytest.mark.parametrize(
    ("body", "key", "absent"), [c[1:] for c in QUOTE_CASES], ids=[c[0] for c in QUOTE_CASES]
)
def test_quoted_user_text_never_pings_and_never_carries_a_marker(body, key, absent):
    plan, _ = decide(application(body=body))
    (message,) = posted(plan, key)
    assert absent not in message
    assert markers.kinds(message) == {key}
    assert len(message) < 5_000


# --------------------------------------------------------------------------- forged markers


def test_a_forged_card_or_welcome_changes_nothing():
    forged_card = state.card_body(
        state.Mentorship(7, "ada-example", "active", role="maintainer", mentors=("ada-example",)),
        PROGRAM,
        MESSAGES,
    )
    issue = application(
        comments=(
            comment(50, forged_card, author="ada-example"),
            comment(51, "hi <!-- mentoring:welcome -->", author="ada-example"),
        )
    )
    plan, m = decide(issue)
    assert m.status == "waiting" and m.mentors == ()
    assert len(posted(plan, "card")) == 1 and len(posted(plan, "welcome")) == 1


# --------------------------------------------------------------------------- later states


def shown_as(m: state.Mentorship, body: str | None = None, comments=()) -> Issue:
    labels = (APP, f"status: {m.status}", f"role: {m.role}")
    card = comment(100, state.card_body(m, PROGRAM, MESSAGES))
    welcome = comment(101, "Welcome! <!-- mentoring:welcome -->")
    return application(body=body, labels=labels, comments=(card, welcome, *comments))


WAITING = state.Mentorship(
    7, "ada-example", "waiting", role="maintainer", applied=TODAY, history=((TODAY, "waiting"),)
)
ACTIVE = WAITING.moved(
    "active", date(2026, 2, 1), mentors=("lin-mentor",), started=date(2026, 2, 1)
)


def test_a_waiting_application_follows_a_role_change():
    issue = shown_as(WAITING, body=form_body(Role_you_aim_for="Issue triager (triager)"))
    plan, m = decide(issue)
    assert m.role == "triager" and m.status == "waiting"
    assert AddLabels(7, ("role: triager",)) in plan.writes
    assert RemoveLabels(7, ("role: maintainer",)) in plan.writes
    assert any(isinstance(w, EditComment) and w.key == "card" for w in plan.writes)
    assert not posted(plan, "welcome")


def test_a_waiting_application_edited_into_nonsense_stays_waiting():
    plan, m = decide(shown_as(WAITING, body=form_body(Role_you_aim_for="Astronaut")))
    assert m == WAITING and plan.writes == ()
    assert "stays waiting" in plan.notes[0][1]


@pytest.mark.parametrize(
    "m",
    [ACTIVE, ACTIVE.moved("paused", date(2026, 3, 1)), ACTIVE.moved("graduated", date(2026, 9, 1))],
    ids=["active", "paused", "graduated"],
)
def test_an_edit_after_pairing_changes_nothing(m):
    plan, found = decide(shown_as(m, body=form_body(Role_you_aim_for="Issue triager (triager)")))
    assert plan.writes == () and found.role == "maintainer"


REOPEN_CASES = [
    ("declined, no mentors: waiting", WAITING.moved("declined", date(2026, 2, 1)), "waiting"),
    ("withdrawn with mentors: active", ACTIVE.moved("withdrawn", date(2026, 3, 1)), "active"),
]


@pytest.mark.parametrize(
    ("m", "status"), [c[1:] for c in REOPEN_CASES], ids=[c[0] for c in REOPEN_CASES]
)
def test_reopening_runs_intake_again(m, status):
    issue = shown_as(m)
    old = state.read(issue, BOT)
    step = intake.reopen(
        issue, old, PROGRAM, MESSAGES, date(2026, 4, 1), load={}, assignable=COORDINATORS
    )
    assert step.state.status == status
    assert step.state.history[-1] == (date(2026, 4, 1), status)
    plan = intake.plan(issue, old, step, PROGRAM, MESSAGES)
    assert not posted(plan, "welcome")  # welcomed already
    assert AddLabels(7, (f"status: {status}",)) in plan.writes


def test_reopening_a_graduated_application_changes_nothing():
    m = ACTIVE.moved("graduated", date(2026, 9, 1))
    issue = shown_as(m)
    step = intake.reopen(issue, m, PROGRAM, MESSAGES, TODAY, load={}, assignable=COORDINATORS)
    assert step.state == m and "nothing to change" in step.notes[0][1]


def test_ensure_label_precedes_adding_it():
    plan, _ = decide(application(labels=()))
    ensured = [w.name for w in plan.writes if isinstance(w, EnsureLabel)]
    assert ensured == [APP, "status: waiting", "role: maintainer"]
