"""Graduation core: the table of bad participants.yml changes, program checks, merge, entry."""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.core import graduation, markers, state
from mentoring.core.model import (
    AddLabels,
    CloseIssue,
    Comment,
    EditComment,
    EnsureLabel,
    Issue,
    PostComment,
    RemoveLabels,
)
from mentoring.core.state import Mentorship
from mentoring.program.config import load_program
from mentoring.program.templates import Messages, with_marker
from mentoring.program.yamlsafe import ALIAS_MESSAGE, TAB_MESSAGE
from tests.support import REPO_ROOT

PROGRAM = load_program(REPO_ROOT)
MESSAGES = Messages(None)
BOT = PROGRAM.settings.bot_login
TODAY = date(2026, 9, 30)
WHEN = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)

HEADER = """\
# People who completed the mentoring program and took on their role.
#
# A mentee adds their own entry in a pull request at the end of their mentoring.

"""
GRACE = """\
  - name: Grace Example
    login: grace-example
    role: triager
    issue: 3
    mentors: [sam-mentor]
    started: 2025-01-10
    graduated: 2025-08-01
"""
LIN = """\
  - name: Lin Example
    login: Lin-Example
    role: docs-lead
    issue: 5
    mentors: [kai-mentor]
    started: 2025-03-01
    graduated: 2025-11-20
"""
ADA = """\
  - name: Ada Example
    login: ada-example
    role: maintainer
    issue: 12
    mentors: [lin-mentor]
    started: 2026-01-10
    graduated: 2026-09-30
"""
BASE = HEADER + "participants:\n" + GRACE + LIN
HEAD = BASE + ADA


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the ``nth`` line of ``text`` containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) >= nth, f"{needle!r} not in text"
    return hits[nth - 1]


def five_megabytes() -> str:
    return HEAD + "# " + "x" * (5 * 1024 * 1024) + "\n"


def alias_bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 9):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]")
    return HEAD + "\n".join(lines).replace("a0: ", "bomb: ", 1) + "\n"


def ada(**changes: str) -> str:
    """Ada's entry with some values written differently."""
    text = ADA
    for key, value in changes.items():
        text = re.sub(rf"^(\s*-?\s*){key}: .*$", rf"\g<1>{key}: {value}", text, flags=re.M)
    return text


# (id, head text, author, [(line needle, key, message part, hint part)]): every bad change
# gives exactly these problems, each on the line holding the needle (in the head text).
BAD = [
    (
        "syntax-error",
        BASE + ada(name='"Ada Example'),
        "ada-example",
        [("graduated: 2026-09-30", "", "not valid YAML", "never closed")],
    ),
    (
        "syntax-error-colon",
        BASE + ada(role="maintainer: lead"),
        "ada-example",
        [("maintainer: lead", "", "mapping values are not allowed", "quote values")],
    ),
    (
        "tab-indentation",
        BASE + ada().replace("    login:", "\tlogin:"),
        "ada-example",
        [("\tlogin", "", TAB_MESSAGE, "replace the tabs")],
    ),
    (
        "duplicate-keys",
        BASE + ada() + "    login: ada-other\n",
        "ada-example",
        [("ada-other", "participants[2].login", "duplicate key 'login'", "only the last")],
    ),
    ("alias-bomb", alias_bomb(), "ada-example", [("a3: &a3", "a3", ALIAS_MESSAGE, "aliases")]),
    (
        "five-megabytes",
        five_megabytes(),
        "ada-example",
        [("# People", "", "the file is 5 MB; the limit is 1 MB", "keep")],
    ),
    (
        "issue-as-text",
        BASE + ada(issue='"12"'),
        "ada-example",
        [('issue: "12"', "participants[2].issue", "expected a whole number", "remove the quotes")],
    ),
    (
        "mentors-not-a-list",
        BASE + ada(mentors="lin-mentor"),
        "ada-example",
        [("mentors: lin-mentor", "participants[2].mentors", "expected a list", "")],
    ),
    (
        "date-not-real",
        BASE + ada(graduated="2026-02-30"),
        "ada-example",
        [("graduated: 2026-02-30", "participants[2].graduated", "not a real date", "")],
    ),
    (
        "date-not-a-date",
        BASE + ada(started="soon"),
        "ada-example",
        [("started: soon", "participants[2].started", "expected a date", "YYYY-MM-DD")],
    ),
    (
        "dates-out-of-order",
        BASE + ada(started="2026-10-01"),
        "ada-example",
        [("graduated: 2026-09-30", "participants[2].graduated", "is before started", "")],
    ),
    (
        "unknown-role",
        BASE + ada(role="maintainr"),
        "ada-example",
        [("role: maintainr", "participants[2].role", "unknown role 'maintainr'", "maintainer")],
    ),
    (
        "missing-key",
        BASE + "\n".join(x for x in ada().splitlines() if "started" not in x) + "\n",
        "ada-example",
        [("- name: Ada", "participants[2]", "missing required key 'started'", "")],
    ),
    (
        "unknown-key",
        BASE + ada() + "    github: ada-example\n",
        "ada-example",
        [("github:", "participants[2].github", "unknown key 'github'", "allowed keys")],
    ),
    (
        "at-sign-login",
        BASE + ada(login="'@ada-example'"),
        "ada-example",
        [("login: '@ada", "participants[2].login", "unknown login format", "drop the '@'")],
    ),
    (
        "two-added-entries",
        HEAD + ada(name="Bob Example", login="bob-example", issue="14"),
        "ada-example",
        [("Bob Example", "participants[3]", "adds 2 entries ('ada-example', 'bob-example')", "")],
    ),
    (
        "no-entry-added",
        BASE,
        "ada-example",
        [("participants:", "participants", "adds no entry", "graduation entry --issue")],
    ),
    (
        "deleted-entry-of-another",
        HEADER + "participants:\n" + LIN + ADA,
        "ada-example",
        [
            (
                "Lin Example",
                "participants[0]",
                f"removes the entry of 'grace-example' (line {line_of(BASE, 'Grace')}",
                "put the entry back",
            )
        ],
    ),
    (
        "edited-entry-of-another",
        HEADER + "participants:\n" + GRACE.replace("sam-mentor", "rio-mentor") + LIN + ADA,
        "ada-example",
        [
            (
                "rio-mentor",
                "participants[0].mentors",
                "changes the entry of 'grace-example' (mentors)",
                "ask a coordinator",
            )
        ],
    ),
    (
        "look-alike-unicode-login",
        BASE + ada(login="gr\u0430ce-example"),
        "ada-example",
        [
            (
                "gr\u0430ce",
                "participants[2].login",
                "is not a GitHub login: it contains '\u0430' (cyrillic small letter a)",
                "looks like 'grace-example', who is already listed",
            )
        ],
    ),
    (
        "fullwidth-login",
        BASE + ada(login="\uff41da-example"),
        "ada-example",
        [("da-example", "participants[2].login", "fullwidth", "did you mean 'ada-example'?")],
    ),
    (
        "duplicate-login-other-case",
        BASE + ada(login="lin-example"),
        "ada-example",
        [("login: lin-example", "participants[2].login", "'lin-example' is listed twice", "")],
    ),
    (
        "not-at-the-end",
        HEADER + "participants:\n" + GRACE + ADA + LIN,
        "ada-example",
        [("Ada Example", "participants[1]", "is not at the end of the list", "move your entry")],
    ),
    (
        "reordered-existing-entries",
        HEADER + "participants:\n" + LIN + GRACE + ADA,
        "ada-example",
        [
            (
                "Grace Example",
                "participants[1]",
                f"moves the entry of 'grace-example' (line {line_of(BASE, 'Grace')} before",
                "put it back where it was",
            )
        ],
    ),
    (
        "keys-out-of-order",
        BASE
        + ADA.replace(
            "  - name: Ada Example\n    login: ada-example\n",
            "  - login: ada-example\n    name: Ada Example\n",
        ),
        "ada-example",
        [("- login: ada", "participants[2]", "not in the documented order", "name, login, role")],
    ),
    (
        "header-changed",
        HEAD.replace("# A mentee adds", "# Anyone adds"),
        "ada-example",
        [("# Anyone adds", "", "changes the comment at the top", "keep the top")],
    ),
    (
        "top-level-list",
        HEADER + GRACE.replace("  - ", "- ").replace("    ", "  "),
        "ada-example",
        [("- name: Grace", "", "got a list", "under 'participants:'")],
    ),
]


@pytest.mark.parametrize(
    ("head", "author", "expected"), [c[1:] for c in BAD], ids=[c[0] for c in BAD]
)
def test_each_bad_change_fails_with_its_file_line_and_fix(head, author, expected):
    result = graduation.check_file(BASE, head, PROGRAM, author)
    got = [(p.file, p.line, p.key) for p in result.problems]
    wanted = [("participants.yml", line_of(head, needle), key) for needle, key, _, _ in expected]
    assert got == wanted, [str(p) for p in result.problems]
    for problem, (_, _, message, hint) in zip(result.problems, expected, strict=True):
        assert message in problem.message, str(problem)
        assert hint in problem.hint, str(problem)
    assert not result.ok


def test_a_deleted_file_fails_on_line_one():
    result = graduation.check_file(BASE, None, PROGRAM, "ada-example")
    assert [(p.line, p.message) for p in result.problems] == [(1, "this change deletes the file")]


GOOD = [
    ("appended-entry", BASE, HEAD, "ada-example", "ada-example"),
    (
        "first-entry-of-an-empty-list",
        HEADER + "participants: []\n",
        HEADER + "participants:\n" + ADA,
        "ada-example",
        "ada-example",
    ),
    ("file-created", None, HEADER + "participants:\n" + ADA, "ada-example", "ada-example"),
    ("unknown-author-still-checked", BASE, HEAD, None, "ada-example"),
    (
        "coordinator-edits-and-adds",
        BASE,
        HEAD.replace("Grace Example", "Grace Hopper"),
        "octo-coordinator",
        "ada-example",
    ),
    (
        "coordinator-only-tidies",
        BASE,
        BASE.replace("Grace Example", "Grace Hopper"),
        "Mona-Coordinator",
        None,
    ),
    (
        "coordinator-removes-an-entry",
        BASE,
        HEADER + "participants:\n" + GRACE,
        "octo-coordinator",
        None,
    ),
]


@pytest.mark.parametrize(
    ("base", "head", "author", "added"), [c[1:] for c in GOOD], ids=[c[0] for c in GOOD]
)
def test_good_changes_pass(base, head, author, added):
    result = graduation.check_file(base, head, PROGRAM, author)
    assert result.problems == (), [str(p) for p in result.problems]
    assert (result.entry.login if result.entry else None) == added


def test_a_non_coordinator_may_not_tidy_others_entries():
    result = graduation.check_file(
        BASE, BASE.replace("Grace Example", "Grace Hopper"), PROGRAM, "ada-example"
    )
    assert [p.message for p in result.problems] == [
        "adds no entry",
        "changes the entry of 'grace-example' (name)",
    ]


def test_a_broken_base_is_reported_as_the_coordinators_to_fix():
    result = graduation.check_file("participants: [", HEAD, PROGRAM, "ada-example")
    first = result.problems[0]
    assert first.message.startswith("the version before this change cannot be read")
    assert "coordinator" in first.hint


# --------------------------------------------------------------------------- program checks


def application(**changes) -> Issue:
    fields = {
        "number": 12,
        "title": "Application: Ada Example",
        "body": "### Your name\n\nAda Example\n\n### Role you aim for\n\nMaintainer (maintainer)\n",
        "author": "ada-example",
        "state": "open",
        "labels": ("mentoring: application", "status: active", "role: maintainer"),
        "assignees": ("lin-mentor",),
        "created_at": WHEN,
    }
    fields.update(changes)
    return Issue(**fields)


MENTORSHIP = Mentorship(
    issue=12,
    mentee="ada-example",
    status="active",
    role="maintainer",
    mentors=("lin-mentor",),
    applied=date(2026, 1, 2),
    started=date(2026, 1, 10),
    ready=date(2026, 9, 1),
    history=((date(2026, 1, 2), "waiting"), (date(2026, 1, 10), "active")),
)


def pull(author: str = "ada-example", body: str = "Closes #12") -> dict:
    return {"number": 31, "user": {"login": author}, "body": body}


def review(login: str, verdict: str) -> dict:
    return {"user": {"login": login}, "state": verdict}


def entry_of(head: str = HEAD) -> graduation.Entry:
    result = graduation.check_file(BASE, head, PROGRAM, "ada-example")
    assert result.entry is not None and result.entry.participant is not None
    return result.entry


NOT_READY = replace(MENTORSHIP, ready=None)

# (id, pull request, entry text, issue, mentorship, reviews, [(key, message part)])
PROGRAM_CASES = [
    ("valid", pull(), HEAD, application(), MENTORSHIP, [], []),
    ("login-other-case", pull("Ada-Example"), HEAD, application(), MENTORSHIP, [], []),
    ("by-a-mentor", pull("LIN-mentor"), HEAD, application(), MENTORSHIP, [], []),
    ("by-a-coordinator", pull("octo-coordinator"), HEAD, application(), MENTORSHIP, [], []),
    ("no-closing-keyword", pull(body="My graduation."), HEAD, application(), MENTORSHIP, [], []),
    (
        "approved-not-ready",
        pull(),
        HEAD,
        application(),
        NOT_READY,
        [review("lin-mentor", "APPROVED")],
        [],
    ),
    (
        "someone-elses-login",
        pull(),
        BASE + ada(login="bob-example", name="Bob"),
        application(),
        MENTORSHIP,
        [],
        [
            (
                "participants[2].login",
                "is 'bob-example', but #12 is the application of 'ada-example'",
            )
        ],
    ),
    (
        "pull-by-a-stranger",
        pull("mallory"),
        HEAD,
        application(),
        MENTORSHIP,
        [],
        [("participants[2]", "this pull request is by 'mallory', who is not the applicant")],
    ),
    (
        "issue-closed",
        pull(),
        HEAD,
        application(state="closed"),
        MENTORSHIP,
        [],
        [("participants[2].issue", "#12 is closed")],
    ),
    (
        "issue-withdrawn",
        pull(),
        HEAD,
        application(),
        replace(MENTORSHIP, status="withdrawn"),
        [],
        [("participants[2].issue", "#12 is withdrawn")],
    ),
    (
        "no-mentor",
        pull(),
        HEAD,
        application(),
        replace(MENTORSHIP, mentors=(), status="waiting"),
        [],
        [("participants[2].mentors", "#12 has no mentor yet")],
    ),
    (
        "not-an-application",
        pull(),
        HEAD,
        application(labels=("bug",)),
        None,
        [],
        [("participants[2].issue", "#12 is not a mentoring application")],
    ),
    (
        "issue-does-not-exist",
        pull(),
        HEAD,
        None,
        None,
        [],
        [("participants[2].issue", "issue #12 does not exist in this repository")],
    ),
    (
        "issue-is-a-pull-request",
        pull(),
        HEAD,
        application(is_pull=True),
        None,
        [],
        [("participants[2].issue", "#12 is a pull request, not an application")],
    ),
    (
        "keyword-points-elsewhere",
        pull(body="Fixes #7"),
        HEAD,
        application(),
        MENTORSHIP,
        [],
        [("participants[2].issue", "says 'Closes #7' but the entry's issue is 12")],
    ),
    (
        "keyword-closes-several",
        pull(body="Closes #12, closes #13"),
        HEAD,
        application(),
        MENTORSHIP,
        [],
        [("participants[2].issue", "closes several issues (#12, #13)")],
    ),
    (
        "mentors-do-not-match",
        pull(),
        BASE + ada(mentors="[lin-mentor, ada-mentor]"),
        application(),
        MENTORSHIP,
        [],
        [
            (
                "participants[2].mentors",
                "lists lin-mentor, ada-mentor, but the mentors of #12 are lin-mentor",
            )
        ],
    ),
    (
        "role-does-not-match",
        pull(),
        BASE + ada(role="triager"),
        application(),
        MENTORSHIP,
        [],
        [("participants[2].role", "is 'triager', but #12 is an application for 'maintainer'")],
    ),
    (
        "not-ready",
        pull(),
        HEAD,
        application(),
        NOT_READY,
        [],
        [("participants[2]", "no mentor has said #12 is ready to graduate")],
    ),
    (
        "approved-by-a-non-mentor",
        pull(),
        HEAD,
        application(),
        NOT_READY,
        [review("sam-mentor", "APPROVED")],
        [("participants[2]", "no mentor has said")],
    ),
    (
        "approval-then-changes-requested",
        pull(),
        HEAD,
        application(),
        NOT_READY,
        [
            review("lin-mentor", "APPROVED"),
            review("lin-mentor", "COMMENTED"),
            review("lin-mentor", "CHANGES_REQUESTED"),
        ],
        [("participants[2]", "no mentor has said")],
    ),
]


@pytest.mark.parametrize(
    ("pr", "head", "issue", "m", "reviews", "expected"),
    [c[1:] for c in PROGRAM_CASES],
    ids=[c[0] for c in PROGRAM_CASES],
)
def test_program_checks(pr, head, issue, m, reviews, expected):
    entry = entry_of(head)
    closes = graduation.closing_issues(pr["body"], "astro/mentoring")
    problems = graduation.check_program(pr, entry, issue, m, reviews, PROGRAM, closes)
    assert [(p.key, p.file) for p in problems] == [(key, "participants.yml") for key, _ in expected]
    for problem, (key, message) in zip(problems, expected, strict=True):
        assert message in problem.message, str(problem)
        assert problem.hint, str(problem)
        field = key.rsplit(".", 1)[-1] if "." in key else None
        assert problem.line == (entry.line_of(field) if field else entry.line), str(problem)


def test_program_checks_skip_a_malformed_entry():
    result = graduation.check_file(BASE, BASE + ada(issue='"12"'), PROGRAM, "ada-example")
    assert result.entry is not None and result.entry.participant is None
    assert graduation.check_program(pull(), result.entry, None, None, [], PROGRAM) == []


CLOSING = [
    ("plain", "Closes #12", [12]),
    ("colon-and-case", "FIXES: #3", [3]),
    ("this-repo-by-name", "resolved astro/Mentoring#4", [4]),
    ("other-repo-ignored", "closes other/repo#5", []),
    ("url", "Fixes https://github.com/astro/mentoring/issues/6", [6]),
    ("other-repo-url-ignored", "Fixes https://github.com/other/repo/issues/6", []),
    ("several-once-each", "close #7, fixed #8 and closes #7", [7, 8]),
    ("not-a-keyword", "disclosed #9, see #10", []),
    ("in-a-marker-ignored", "<!-- mentoring:x --> text", []),
    ("empty", None, []),
]


@pytest.mark.parametrize(
    ("body", "expected"), [c[1:] for c in CLOSING], ids=[c[0] for c in CLOSING]
)
def test_closing_issues(body, expected):
    assert graduation.closing_issues(body, "astro/mentoring") == expected


def test_linked_issue_prefers_the_entry_then_a_single_keyword():
    assert graduation.linked_issue([7], entry_of()) == 12
    assert graduation.linked_issue([7], None) == 7
    assert graduation.linked_issue([7, 8], None) is None
    raw = graduation.check_file(BASE, BASE + ada(started="soon"), PROGRAM).added[0]
    assert graduation.linked_issue([], raw) == 12


# --------------------------------------------------------------------------- the PR comment


def bot_comment(body: str, id: int = 900, author: str = BOT) -> Comment:
    return Comment(id, 31, author, body, WHEN, WHEN)


def test_the_comment_lists_every_problem_with_its_line_and_fix():
    result = graduation.check_file(
        BASE, BASE + ada(role="maintainr", mentors="lin-mentor"), PROGRAM, "ada-example"
    )
    body = graduation.comment_body(
        result.problems, MESSAGES, author="ada-example", issue=12, program_checked=False
    )
    assert "2 things to fix" in body
    for problem in result.problems:
        assert f"**line {problem.line}**" in body
    assert "did you mean 'maintainer'?" in body
    assert "@\u200bada-example" in body and "@ada-example" not in body
    assert list(markers.parse(body)) == [("graduation", {"ok": False})]


def test_a_passing_check_says_so_in_the_same_comment():
    body = graduation.comment_body(
        (), MESSAGES, author="ada-example", issue=12, program_checked=True, suggestion="x"
    )
    assert (
        "Graduation check passed" in body and "#12" in body and "x" not in body.split("passed")[0]
    )
    assert list(markers.parse(body)) == [("graduation", {"ok": True})]


PLANS = [
    ("first-run-posts", [], PostComment),
    ("same-text-writes-nothing", [bot_comment("BODY")], None),
    ("new-text-edits-in-place", [bot_comment("OLD")], EditComment),
    ("forged-marker-ignored", [bot_comment("BODY", author="mallory")], PostComment),
]


@pytest.mark.parametrize(("comments", "kind"), [c[1:] for c in PLANS], ids=[c[0] for c in PLANS])
def test_comment_plan(comments, kind):
    body = with_marker("BODY", "graduation", {"ok": True})
    comments = [
        replace(c, body=with_marker(c.body, "graduation", {"ok": False}))
        if c.body == "OLD"
        else replace(c, body=body)
        for c in comments
    ]
    plan = graduation.comment_plan(31, comments, body, BOT)
    assert [type(w) for w in plan.writes] == ([kind] if kind else [])
    if kind is EditComment:
        assert plan.writes[0].comment_id == 900


# --------------------------------------------------------------------------- on merge


def with_card(issue: Issue, m: Mentorship, *more: Comment) -> Issue:
    card = bot_comment(state.card_body(m, PROGRAM, MESSAGES), id=500)
    return replace(issue, comments=(replace(card, issue=issue.number), *more))


PARTICIPANT = entry_of().participant
MERGED = {"number": 31, "merged": True}


def test_merge_closes_labels_finalises_the_card_and_congratulates_once():
    issue = with_card(application(), MENTORSHIP)
    plan = graduation.merge_plan(MERGED, issue, PARTICIPANT, PROGRAM, MESSAGES, TODAY)
    kinds = [type(w) for w in plan.writes]
    assert kinds == [EnsureLabel, AddLabels, RemoveLabels, EditComment, PostComment, CloseIssue]
    assert plan.writes[1].labels == ("status: graduated",)
    assert plan.writes[2].labels == ("status: active",)
    card = state.find_card([bot_comment(plan.writes[3].body)], BOT, 12)
    assert card.status == "graduated" and card.since("graduated") == TODAY
    congratulation = plan.writes[4].body
    assert "@\u200bada-example" in congratulation and "@\u200blin-mentor" in congratulation
    assert "#31" in congratulation and "Maintainer" in congratulation
    assert markers.kinds(congratulation) == {"graduated"}
    assert plan.writes[5] == CloseIssue(12, reason="completed")


def test_merge_after_the_closing_keyword_does_not_close_again():
    issue = with_card(application(state="closed", state_reason="completed"), MENTORSHIP)
    plan = graduation.merge_plan(MERGED, issue, PARTICIPANT, PROGRAM, MESSAGES, TODAY)
    assert CloseIssue not in [type(w) for w in plan.writes]
    assert PostComment in [type(w) for w in plan.writes]


def test_merge_run_again_writes_nothing():
    done = MENTORSHIP.moved("graduated", TODAY)
    congratulation = bot_comment(with_marker("Congratulations", "graduated"), id=501)
    issue = with_card(
        application(
            state="closed",
            labels=("mentoring: application", "status: graduated", "role: maintainer"),
        ),
        done,
        congratulation,
    )
    plan = graduation.merge_plan(MERGED, issue, PARTICIPANT, PROGRAM, MESSAGES, TODAY)
    assert plan.writes == ()
    assert plan.notes == ((12, "#12 already shows its graduation"),)


def test_merge_of_an_application_without_a_card_posts_one_from_the_entry():
    plan = graduation.merge_plan(MERGED, application(), PARTICIPANT, PROGRAM, MESSAGES, TODAY)
    posted = [w for w in plan.writes if isinstance(w, PostComment) and w.key == "card"]
    assert len(posted) == 1
    card = state.find_card([bot_comment(posted[0].body)], BOT, 12)
    assert (card.status, card.mentors, card.started) == (
        "graduated",
        ("lin-mentor",),
        date(2026, 1, 10),
    )


MERGE_IGNORED = [
    (
        "not-an-application",
        application(labels=()),
        PARTICIPANT,
        "#12 is not a mentoring application",
    ),
    (
        "a-pull-request",
        application(is_pull=True),
        PARTICIPANT,
        "#12 is a pull request, not an application",
    ),
    ("no-card-no-entry", application(), None, "#12 has no status card and no entry"),
    (
        "entry-for-someone-else",
        with_card(application(), MENTORSHIP),
        replace(PARTICIPANT, login="bob-example"),
        "the merged entry is for 'bob-example', not the applicant 'ada-example'",
    ),
]


@pytest.mark.parametrize(
    ("issue", "participant", "note"),
    [c[1:] for c in MERGE_IGNORED],
    ids=[c[0] for c in MERGE_IGNORED],
)
def test_merge_leaves_alone(issue, participant, note):
    plan = graduation.merge_plan(MERGED, issue, participant, PROGRAM, MESSAGES, TODAY)
    assert plan.writes == ()
    assert plan.notes == ((12, note),)


# --------------------------------------------------------------------------- the entry to paste


ENTRIES = [
    ("from-the-form", application(), MENTORSHIP, "  - name: Ada Example\n"),
    (
        "no-name-uses-login",
        application(body="### Your name\n\n_No response_\n"),
        MENTORSHIP,
        "  - name: ada-example\n",
    ),
    (
        "name-quoted-when-yaml-would-misread",
        application(body="### Your name\n\nAda: the #1 <b>\n"),
        MENTORSHIP,
        '  - name: "Ada: the #1 <b>"\n',
    ),
    (
        "name-that-is-a-date",
        application(body="### Your name\n\n2026-01-01\n"),
        MENTORSHIP,
        '  - name: "2026-01-01"\n',
    ),
    (
        "login-that-yaml-reads-as-null",
        application(author="null"),
        replace(MENTORSHIP, mentee="null"),
        '    login: "null"\n',
    ),
]


@pytest.mark.parametrize(
    ("issue", "m", "line"), [c[1:] for c in ENTRIES], ids=[c[0] for c in ENTRIES]
)
def test_entry_yaml_pastes_into_a_passing_change(issue, m, line):
    text = graduation.entry_yaml(issue, m, PROGRAM, TODAY)
    assert line in text
    head = graduation.paste_into(BASE, text)
    result = graduation.check_file(BASE, head, PROGRAM, m.mentee)
    assert result.problems == (), [str(p) for p in result.problems]
    p = result.entry.participant
    assert (p.login, p.role, p.issue, p.mentors, p.started, p.graduated) == (
        m.mentee,
        "maintainer",
        12,
        ("lin-mentor",),
        date(2026, 1, 10),
        TODAY,
    )
    assert graduation.check_program(pull(m.mentee), result.entry, issue, m, [], PROGRAM, [12]) == []


def test_paste_into_an_empty_list():
    head = graduation.paste_into(HEADER + "participants: []\n", ADA)
    assert head == HEADER + "participants:\n" + ADA


# --------------------------------------------------------------------------- the diff's base


def patch(old: str, new: str, context: int = 3) -> str:
    return "\n".join(
        list(difflib.unified_diff(old.splitlines(), new.splitlines(), n=context, lineterm=""))[2:]
    )


REBUILDS = [
    ("appended", BASE, HEAD, 3),
    ("no-context", BASE, HEAD, 0),
    ("edited-and-appended", BASE, HEAD.replace("Grace Example", "Grace Hopper"), 1),
    ("removed-in-the-middle", BASE, HEADER + "participants:\n" + LIN, 0),
    ("removed-everything-after", BASE, HEADER, 2),
    ("blank-lines-changed", BASE, BASE.replace("\n\n", "\n\n\n"), 3),
]


@pytest.mark.parametrize(
    ("old", "new", "context"), [c[1:] for c in REBUILDS], ids=[c[0] for c in REBUILDS]
)
def test_base_from_patch_rebuilds_the_version_the_change_started_from(old, new, context):
    assert graduation.base_from_patch(new.encode(), patch(old, new, context)) == old


@pytest.mark.parametrize(
    ("head", "diff"),
    [(HEAD, None), (HEAD.replace("Ada", "Eve"), patch(BASE, HEAD)), (HEAD, "not a diff")],
    ids=["patch-missing", "patch-does-not-fit", "garbage"],
)
def test_base_from_patch_gives_up_cleanly(head, diff):
    assert graduation.base_from_patch(head, diff) is None


def test_every_graduation_template_renders_with_its_example():
    assert [p for p in MESSAGES.check() if "graduat" in p.file] == []


def _entry(n: int) -> str:
    return (
        f"  - name: Person {n}\n    login: person-{n}\n    role: triager\n    issue: {100 + n}\n"
        "    mentors: [sam-mentor]\n    started: 2025-01-10\n    graduated: 2025-08-01\n"
    )


@settings(max_examples=100, deadline=None)
@given(st.permutations(range(6)))
def test_only_the_added_entry_changes_existing_ones_stay_in_order(order):
    base = HEADER + "participants:\n" + "".join(_entry(n) for n in range(6))
    head = HEADER + "participants:\n" + "".join(_entry(n) for n in order) + ADA
    problems = graduation.check_file(base, head, PROGRAM, "ada-example").problems
    moved = [p for p in problems if "moves the entry of" in p.message]
    assert [p for p in problems if p not in moved] == []
    if list(order) == sorted(order):
        assert moved == []
    else:
        # The fewest entries that account for the new order, each on its new line.
        longest = _longest_increasing(order)
        assert len(moved) == len(order) - longest
        for problem in moved:
            n = int(problem.message.split("'person-")[1].split("'")[0])
            assert problem.line == line_of(head, f"login: person-{n}") - 1
    # A coordinator may tidy the list.
    assert graduation.check_file(base, head, PROGRAM, "octo-coordinator").problems == ()


def _longest_increasing(values) -> int:
    best = [1] * len(values)
    for i in range(len(values)):
        for j in range(i):
            if values[j] < values[i]:
                best[i] = max(best[i], best[j] + 1)
    return max(best, default=0)
