"""The mentors' side, pure: registration, /approve, /nominate, /away, ledger, roles.yml edits."""

from __future__ import annotations

import dataclasses
import urllib.parse
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.core import intake, markers, mentors, registration, rolesedit, state
from mentoring.core.checkins import plan_issue as checkin_plan
from mentoring.core.model import CloseIssue, Comment, Issue, OpenPullRequest, PostComment
from mentoring.program import config
from mentoring.program.config import load_program
from mentoring.program.templates import Messages
from tests.support import REPO_ROOT

BOT = "github-actions[bot]"
PROGRAM = load_program(REPO_ROOT)
MESSAGES = Messages(REPO_ROOT)
TODAY = date(2026, 3, 2)
T = datetime(2026, 3, 2, 12, tzinfo=UTC)
ROLES_TEXT = (REPO_ROOT / "roles.yml").read_text(encoding="utf-8")
ROLES_FILE = registration.RolesFile("roles.yml", ROLES_TEXT, "b" * 40)
REG_LABEL = "mentoring: mentor registration"


def reg_body(login="grace-h", roles="Maintainer (maintainer)", capacity="2", note="Hi") -> str:
    values = {
        "Your GitHub login": login,
        "Roles you will mentor for": roles,
        "How many mentees at once": capacity,
        "A short note": note,
    }
    return "\n\n".join(f"### {k}\n\n{v}" for k, v in values.items()) + "\n"


def comment(id: int, author: str | None, body: str, issue: int = 9, on: datetime = T) -> Comment:
    return Comment(id=id, issue=issue, author=author, body=body, created_at=on, updated_at=on)


def reg_issue(body: str | None = None, author="grace-h", comments=(), **changes) -> Issue:
    base = dict(
        number=9,
        title="Mentor registration: Grace",
        body=reg_body() if body is None else body,
        author=author,
        state="open",
        labels=(REG_LABEL,),
        created_at=T,
        comments=tuple(comments),
    )
    base.update(changes)
    return Issue(**base)


def plan(issue: Issue, facts: mentors.Facts | None = None, program=PROGRAM):
    return mentors.plan_issue(issue, program, MESSAGES, TODAY, facts or mentors.Facts())


def replies(p) -> list[str]:
    return [w.body for w in p.writes if isinstance(w, PostComment) and w.key == mentors.REPLY]


def card_status(p) -> str | None:
    for w in p.writes:
        for kind, data in markers.parse(getattr(w, "body", "") or ""):
            if kind == registration.CARD:
                return data["status"]
    return None


# --------------------------------------------------------------------------- registration


@pytest.mark.parametrize(
    ("body", "author", "kinds"),
    [
        pytest.param(reg_body(), "grace-h", [], id="complete"),
        pytest.param(reg_body(login="@Grace-H"), "grace-h", [], id="at-sign-and-case"),
        pytest.param(reg_body(login="_No response_"), "grace-h", ["no-login"], id="no-login"),
        pytest.param(reg_body(login="not a login!"), "grace-h", ["bad-login"], id="bad-login"),
        pytest.param(reg_body(), "mallory", ["login-mismatch"], id="someone-else"),
        pytest.param(reg_body(roles="_No response_"), "grace-h", ["no-roles"], id="no-roles"),
        pytest.param(
            reg_body(roles="Core developer (core)"), "grace-h", ["unknown-role"], id="unknown-role"
        ),
        pytest.param(
            reg_body(roles="Maintainer (maintainer), Wizard (wizard)"),
            "grace-h",
            ["unknown-role"],
            id="one-known-one-unknown",
        ),
        pytest.param(reg_body(capacity="lots"), "grace-h", ["bad-capacity"], id="capacity-text"),
        pytest.param(reg_body(capacity="0"), "grace-h", ["bad-capacity"], id="capacity-zero"),
        pytest.param(reg_body(capacity="21"), "grace-h", ["bad-capacity"], id="capacity-big"),
        pytest.param(reg_body(capacity="_No response_"), "grace-h", [], id="capacity-empty"),
        pytest.param(
            reg_body(login="sam-mentor", roles="Issue triager (triager)"),
            "sam-mentor",
            ["already"],
            id="already-registered",
        ),
        pytest.param(
            reg_body(login="sam-mentor", roles="Maintainer (maintainer)"),
            "sam-mentor",
            [],
            id="a-mentor-adding-a-role",
        ),
        pytest.param(reg_body(roles="triager, docs-lead"), "grace-h", [], id="ids-typed"),
    ],
)
def test_what_a_registration_gets(body, author, kinds):
    reg = registration.read(reg_issue(body, author), PROGRAM)
    assert [p["kind"] for p in reg.problems] == kinds


def test_an_incomplete_registration_gets_one_card_listing_the_fixes_then_waits_when_fixed():
    bad = plan(reg_issue(reg_body(roles="Core developer (core)")))
    assert card_status(bad) == "needs-info"
    card = next(w for w in bad.writes if getattr(w, "key", "") == registration.CARD)
    assert "is not one of the program's roles" in card.body
    assert "Maintainer (maintainer)" in card.body  # the roles to choose from
    posted = comment(50, BOT, card.body)
    fixed = plan(reg_issue(comments=[posted]))
    edits = [w for w in fixed.writes if getattr(w, "key", "") == registration.CARD]
    assert len(edits) == 1 and edits[0].comment_id == 50  # edited in place, not posted anew
    assert card_status(fixed) == "waiting"


def test_a_registration_shown_already_writes_nothing():
    first = plan(reg_issue())
    card = next(w for w in first.writes if getattr(w, "key", "") == registration.CARD)
    again = reg_issue(comments=[comment(50, BOT, card.body)], labels=(REG_LABEL, "status: waiting"))
    assert not plan(again).writes


# --------------------------------------------------------------------------- who may


@pytest.mark.parametrize(
    ("login", "allowed"),
    [
        pytest.param("octo-coordinator", True, id="coordinator"),
        pytest.param("Mona-Coordinator", True, id="coordinator-any-case"),
        pytest.param("ada-mentor", False, id="mentor"),
        pytest.param("grace-h", False, id="registrant"),
        pytest.param(None, False, id="deleted-account"),
    ],
)
def test_who_may_approve(login, allowed):
    assert mentors.may_approve(login, PROGRAM) is allowed


@pytest.mark.parametrize(
    ("login", "allowed"),
    [
        pytest.param("octo-coordinator", True, id="coordinator"),
        pytest.param("sam-mentor", True, id="role-holder"),
        pytest.param("LIN-MENTOR", True, id="role-holder-any-case"),
        pytest.param("grace-h", False, id="contributor"),
        pytest.param(None, False, id="deleted-account"),
    ],
)
def test_who_may_nominate(login, allowed):
    assert mentors.may_nominate(login, PROGRAM) is allowed


ACTIVE = state.Mentorship(
    7,
    "ada-example",
    "active",
    role="maintainer",
    mentors=("lin-mentor", "ada-mentor"),
    applied=date(2026, 1, 5),
    started=date(2026, 1, 10),
    history=((date(2026, 1, 5), "waiting"), (date(2026, 1, 10), "active")),
)


@pytest.mark.parametrize(
    ("login", "kind", "author", "allowed"),
    [
        pytest.param("lin-mentor", "application", "ada-example", True, id="its-mentor"),
        pytest.param("sam-mentor", "application", "ada-example", False, id="another-mentor"),
        pytest.param("ada-example", "application", "ada-example", False, id="the-mentee"),
        pytest.param("octo-coordinator", "application", "x", False, id="a-coordinator"),
        pytest.param("sam-mentor", "registration", "sam-mentor", True, id="own-registration"),
        pytest.param("sam-mentor", "registration", "grace-h", False, id="others-registration"),
        pytest.param("grace-h", "registration", "grace-h", False, id="not-listed-yet"),
        pytest.param("sam-mentor", "other", "sam-mentor", False, id="elsewhere"),
    ],
)
def test_who_may_go_away(login, kind, author, allowed):
    issue = reg_issue(author=author)
    assert mentors.may_go_away(login, kind, issue, ACTIVE, PROGRAM) is allowed


# --------------------------------------------------------------------------- /approve


def approved(by="octo-coordinator", program=PROGRAM, roles_file=ROLES_FILE, body=None, author=None):
    first = plan(reg_issue(body, author or "grace-h"), program=program)
    card = next(w for w in first.writes if getattr(w, "key", "") == registration.CARD)
    issue = reg_issue(
        body,
        author or "grace-h",
        comments=[comment(50, BOT, card.body), comment(51, by, "Looks good.\n/approve")],
        labels=(REG_LABEL, f"status: {card_status(first)}"),
    )
    return issue, plan(issue, mentors.Facts(roles_file=roles_file, open_pulls=True), program)


def test_approve_opens_one_pull_request_that_only_adds_lines_and_passes_validation():
    _, p = approved()
    pulls = [w for w in p.writes if isinstance(w, OpenPullRequest)]
    assert len(pulls) == 1
    pull = pulls[0]
    assert pull.path == "roles.yml" and pull.base_blob == "b" * 40
    assert "Closes #9" in pull.body and "✔ no problems" in pull.body
    assert rolesedit.added_lines(ROLES_TEXT, pull.content) == [
        "      - login: grace-h",
        "        capacity: 2",
    ]
    roles, problems = config.check_roles(pull.content, PROGRAM.settings)
    assert problems == []
    maintainer = next(r for r in roles if r.id == "maintainer")
    assert [m.login for m in maintainer.mentors][-1] == "grace-h"
    assert card_status(p) == "approved"
    assert "pull request from the branch `mentoring/register-grace-h-9`" in replies(p)[0]
    # the order: card first, then the pull request, then the reply
    kinds = [type(w).__name__ for w in p.writes if not isinstance(w, type(None))]
    assert kinds.index("OpenPullRequest") < max(
        i for i, w in enumerate(p.writes) if getattr(w, "key", "") == mentors.REPLY
    )


def test_approve_answered_once():
    issue, p = approved()
    reply = replies(p)[0]
    card = next(w for w in p.writes if getattr(w, "key", "") == registration.CARD)
    done = dataclasses.replace(
        issue,
        comments=(
            comment(50, BOT, card.body),
            issue.comments[1],
            comment(52, BOT, reply),
        ),
        labels=(REG_LABEL, "status: approved"),
    )
    assert not plan(done, mentors.Facts(roles_file=ROLES_FILE, open_pulls=True)).writes


def test_approve_is_left_to_the_job_that_may_open_pull_requests():
    issue, _ = approved()
    p = plan(issue, mentors.Facts(roles_file=ROLES_FILE, open_pulls=False))
    assert not replies(p) and not any(isinstance(w, OpenPullRequest) for w in p.writes)
    assert (9, mentors.LEFT_FOR_PULLS) in p.notes


def test_approve_in_comment_mode_posts_the_yaml_and_opens_nothing():
    program = dataclasses.replace(
        PROGRAM,
        settings=dataclasses.replace(
            PROGRAM.settings, mentors=config.MentorSettings(approve="comment")
        ),
    )
    _, p = approved(program=program)
    assert not any(isinstance(w, OpenPullRequest) for w in p.writes)
    text = replies(p)[0]
    assert "```yaml" in text and "- login: grace-h" in text and "capacity: 2" in text


@pytest.mark.parametrize(
    ("by", "body", "author", "expected"),
    [
        pytest.param("ada-mentor", None, None, "can only be used by", id="not-a-coordinator"),
        pytest.param(
            "octo-coordinator",
            reg_body(roles="Wizard (wizard)"),
            None,
            "not complete yet",
            id="incomplete",
        ),
    ],
)
def test_approve_refused_or_invalid(by, body, author, expected):
    _, p = approved(by=by, body=body, author=author)
    assert not any(isinstance(w, OpenPullRequest) for w in p.writes)
    assert expected in replies(p)[0]


def test_approve_elsewhere_is_invalid():
    issue = reg_issue(
        "An ordinary issue", labels=(), comments=[comment(51, "octo-coordinator", "/approve")]
    )
    p = plan(issue)
    assert "works on a mentor registration issue only" in replies(p)[0]


def test_approve_when_roles_yml_cannot_be_edited_says_so():
    broken = registration.RolesFile("roles.yml", "coordinators: [a]\nroles: []\n", "c" * 40)
    _, p = approved(roles_file=broken)
    assert not any(isinstance(w, OpenPullRequest) for w in p.writes)
    assert "could not add the lines" in replies(p)[0]


# --------------------------------------------------------------------------- /nominate


def other_issue(*comments_) -> Issue:
    return Issue(
        number=20,
        title="Discussion",
        body="Talk",
        author="someone",
        state="open",
        created_at=T,
        comments=tuple(comments_),
    )


@pytest.mark.parametrize(
    ("author", "text", "expected"),
    [
        pytest.param(
            "grace-h", "/nominate @alan-t maintainer", "can only be used by", id="no-role"
        ),
        pytest.param("lin-mentor", "/nominate", "needs the person's login", id="no-login"),
        pytest.param("lin-mentor", "/nominate @lin-mentor maintainer", "yourself", id="self"),
        pytest.param("lin-mentor", "/nominate @dependabot[bot] maintainer", "a bot", id="bot"),
        pytest.param("lin-mentor", "/nominate @-bad- maintainer", "not a GitHub login", id="bad"),
        pytest.param("lin-mentor", "/nominate @alan-t wizard", "not one of the", id="unknown-role"),
        pytest.param("lin-mentor", "/nominate @alan-t", "which role?", id="which-role"),
        pytest.param(
            "lin-mentor", "/nominate @ada-mentor maintainer", "already mentors", id="holds"
        ),
    ],
)
def test_nominate_refused_or_invalid(author, text, expected):
    p = plan(other_issue(comment(60, author, text, issue=20)))
    (reply,) = replies(p)
    assert expected in reply
    assert not [d for k, d in markers.parse(reply) if k == mentors.NOMINATION]


def test_nominate_invites_once_with_a_prefilled_link_and_records_who():
    p = plan(other_issue(comment(60, "sam-mentor", "/nominate @alan-t", issue=20)))
    (reply,) = replies(p)
    assert "@alan-t" in reply  # the nominee is pinged
    assert "@\u200bsam-mentor" in reply  # the nominator is named, not pinged
    link = reply.split("](", 1)[1].split(")", 1)[0]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)
    assert query == {"template": ["application.yml"], "role": ["Issue triager (triager)"]}
    data = next(d for k, d in markers.parse(reply) if k == mentors.NOMINATION)
    assert data == {
        "nominee": "alan-t",
        "role": "triager",
        "by": "sam-mentor",
        "on": TODAY.isoformat(),
        "issue": 20,
    }


def test_nobody_is_invited_twice():
    first = plan(other_issue(comment(60, "sam-mentor", "/nominate @alan-t triager", issue=20)))
    posted = comment(61, BOT, replies(first)[0], issue=20)
    ledger = mentors.ledger_of(None, [posted], BOT)
    later = other_issue(comment(70, "octo-coordinator", "/nominate @Alan-T triager", issue=20))
    p = plan(later, mentors.Facts(ledger=ledger))
    (reply,) = replies(p)
    assert "@alan-t" not in reply.casefold()  # named, never pinged again
    assert "@\u200bAlan-T was invited for the Issue triager role on 2026-03-02" in reply
    # twice in one comment: the second is not an invitation either
    p = plan(
        other_issue(comment(60, "sam-mentor", "/nominate @x-y triager\n/nominate @x-y triager"))
    )
    assert replies(p)[0].count("thinks you would make a great") == 1


def test_a_nomination_issue_form_is_its_authors_nomination():
    body = (
        "### Who you nominate\n\n@alan-t\n\n### Role\n\nMaintainer (maintainer)\n\n"
        "### Why them\n\nx"
    )
    issue = Issue(
        number=30,
        title="Nomination: Alan",
        body=body,
        author="lin-mentor",
        state="open",
        labels=("mentoring: nomination",),
        created_at=T,
    )
    p = plan(issue)
    (reply,) = replies(p)
    assert "great **Maintainer**" in reply
    assert markers.latest([comment(1, BOT, reply, 30)], BOT, mentors.REPLY)[1] == {"comment": 0}


# --------------------------------------------------------------------------- /away


def application(*comments_) -> Issue:
    card = comment(100, BOT, state.card_body(ACTIVE, PROGRAM, MESSAGES), issue=7)
    return Issue(
        number=7,
        title="Mentoring application: Ada",
        body="x",
        author="ada-example",
        state="open",
        labels=("mentoring: application", "status: active"),
        created_at=T,
        comments=(card, *comments_),
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param("", "needs the day you are back", id="no-date"),
        pytest.param("until soon", "is not a date", id="not-a-date"),
        pytest.param("until 2026-02-30", "is not a date", id="no-such-day"),
        pytest.param("until 2026-03-02", "is not in the future", id="today"),
        pytest.param("until 2027-06-01", "more than a year away", id="too-far"),
        pytest.param("until 2026-04-01", "is away until 2026-04-01", id="ok"),
        pytest.param("2026-04-01", "is away until 2026-04-01", id="ok-without-until"),
    ],
)
def test_away_dates(args, expected):
    issue = application(comment(80, "lin-mentor", f"/away {args}", issue=7))
    p = plan(issue, mentors.Facts(mentorship=ACTIVE))
    assert expected in replies(p)[0]


def test_away_is_recorded_and_leaves_the_mentor_out_of_suggestions_until_the_date():
    issue = application(comment(80, "lin-mentor", "/away until 2026-04-01", issue=7))
    p = plan(issue, mentors.Facts(mentorship=ACTIVE))
    (reply,) = replies(p)
    assert "check-ins address @\u200bada-mentor" in reply
    ledger = mentors.ledger_of(None, [comment(81, BOT, reply, issue=7)], BOT)
    assert ledger.away_on(TODAY) == {"lin-mentor": date(2026, 4, 1)}
    assert ledger.away_on(date(2026, 4, 1)) == {}  # back on the date
    role = PROGRAM.role("maintainer")
    away = intake.Availability(frozenset(ledger.away_on(TODAY)))
    assert [s["login"] for s in intake.suggestions(role, {}, "x", away)] == ["ada-mentor"]
    assert [s["login"] for s in intake.suggestions(role, {}, "x")] == ["ada-mentor", "lin-mentor"]


AWAY_LIN = mentors.Ledger(away=(mentors.Away("lin-mentor", date(2026, 4, 1), date(2026, 2, 20)),))


@pytest.mark.parametrize(
    ("author", "ledger", "expected", "away_after"),
    [
        pytest.param("lin-mentor", AWAY_LIN, "welcome back", {}, id="away-mentor-back"),
        pytest.param("LIN-Mentor", AWAY_LIN, "welcome back", {}, id="login-case"),
        pytest.param(
            "lin-mentor", mentors.Ledger(), "was not away on 2026-03-02", None, id="not-away"
        ),
        pytest.param(
            "ada-mentor", AWAY_LIN, "was not away on 2026-03-02", None, id="co-mentor-not-away"
        ),
        pytest.param("ada-example", AWAY_LIN, "can only be used by a mentor", None, id="mentee"),
        pytest.param("sam-mentor", AWAY_LIN, "can only be used by a mentor", None, id="other"),
        pytest.param(
            "octo-coordinator", AWAY_LIN, "can only be used by a mentor", None, id="coordinator"
        ),
    ],
)
def test_back(author, ledger, expected, away_after):
    issue = application(comment(80, author, "/back", issue=7))
    p = plan(issue, mentors.Facts(ledger=ledger, mentorship=ACTIVE))
    (reply,) = replies(p)
    assert expected in reply
    found = mentors.ledger_of(None, [comment(81, BOT, reply, issue=7)], BOT)
    if away_after is None:  # nothing recorded
        assert found == mentors.Ledger()
    else:  # the record ends the absence: merged after the earlier one, nobody is away
        merged = mentors.ledger_of(
            mentors.dashboard_part([], ledger, [], PROGRAM, MESSAGES, date(2026, 2, 21)),
            [comment(81, BOT, reply, issue=7)],
            BOT,
        )
        assert merged.away_on(TODAY) == away_after
        assert merged.away_on(date(2026, 3, 20)) == away_after


def test_back_is_answered_once_and_a_second_back_changes_nothing():
    first = comment(80, "lin-mentor", "/back", issue=7)
    issue = application(first)
    (reply,) = replies(plan(issue, mentors.Facts(ledger=AWAY_LIN, mentorship=ACTIVE)))
    answered = application(first, comment(81, BOT, reply, issue=7))
    assert plan(answered, mentors.Facts(ledger=AWAY_LIN, mentorship=ACTIVE)).writes == ()
    ledger = mentors.ledger_of(None, [comment(81, BOT, reply, issue=7)], BOT)
    again = application(
        first, comment(81, BOT, reply, issue=7), comment(82, "lin-mentor", "/back", issue=7)
    )
    (second,) = replies(plan(again, mentors.Facts(ledger=ledger, mentorship=ACTIVE)))
    assert "was not away" in second
    assert [kind for kind, _ in markers.parse(second)] == [mentors.REPLY]


def test_help_lists_back():
    assert "`/back`" in MESSAGES.render("help", coordinators=["octo-coordinator"], cohorts=False)


def test_nominators_are_suggested_first_if_they_have_room():
    role = PROGRAM.role("maintainer")
    first = intake.Availability(first=("lin-mentor",))
    assert [s["login"] for s in intake.suggestions(role, {}, "x", first)] == [
        "lin-mentor",
        "ada-mentor",
    ]
    full = {"lin-mentor": 1}  # capacity 1
    assert [s["login"] for s in intake.suggestions(role, full, "x", first)] == ["ada-mentor"]


@pytest.mark.parametrize(
    ("away", "mentioned", "line"),
    [
        pytest.param({}, ["@lin-mentor", "@ada-mentor"], None, id="nobody-away"),
        pytest.param(
            {"lin-mentor": date(2026, 4, 1)},
            ["@ada-mentor"],
            "lin-mentor is away until 2026-04-01, so this check-in goes to @ada-mentor",
            id="co-mentor",
        ),
        pytest.param(
            {"lin-mentor": date(2026, 4, 1), "ada-mentor": date(2026, 5, 1)},
            ["@octo-coordinator", "@mona-coordinator"],
            "so this check-in goes to @octo-coordinator, @mona-coordinator instead",
            id="coordinators",
        ),
    ],
)
def test_checkins_mention_who_is_there(away, mentioned, line):
    issue = application()
    p = checkin_plan(issue, ACTIVE, PROGRAM, MESSAGES, date(2026, 2, 9), away)
    (post,) = [w for w in p.writes if isinstance(w, PostComment) and w.key == "checkin"]
    greeting = next(x for x in post.body.split("\n") if "how is the mentorship going" in x)
    assert greeting.startswith(", ".join([*mentioned, "@ada-example"]) + ":")
    if line:
        assert line in post.body.replace("\u200b", "")
    else:
        assert "is away" not in post.body


# --------------------------------------------------------------------------- ledger and nightly


def test_the_ledger_round_trips_through_the_dashboard_and_drops_ended_absences():
    ledger = mentors.Ledger(
        (mentors.Nomination("alan-t", "triager", "sam-mentor", TODAY, 20),),
        (
            mentors.Away("lin-mentor", date(2026, 4, 1), TODAY),
            mentors.Away("kai-mentor", date(2026, 3, 1), date(2026, 2, 1)),
        ),
    )
    part = mentors.dashboard_part([], ledger, [], PROGRAM, MESSAGES, TODAY)
    back = mentors.ledger_of(part, [], BOT)
    assert back.nominations == ledger.nominations
    assert [a.login for a in back.away] == ["lin-mentor"]
    assert "@\u200balan-t | Issue triager | @\u200bsam-mentor | 2026-03-02 | #20" in part
    assert "@\u200blin-mentor until 2026-04-01" in part


def test_records_count_only_from_the_bot():
    fake = markers.make(mentors.NOMINATION, {"nominee": "x", "role": "triager", "by": "y"})
    fake_away = markers.make(mentors.AWAY, {"login": "ada-mentor", "until": "2026-09-01"})
    ledger = mentors.ledger_of(None, [comment(1, "mallory", fake + fake_away)], BOT)
    assert ledger == mentors.Ledger()


def test_the_nightly_closes_a_registration_roles_yml_now_lists():
    listed = reg_issue(reg_body(login="sam-mentor", roles="Issue triager (triager)"), "sam-mentor")
    pending = reg_issue()
    p = mentors.close_registered([listed, pending], PROGRAM, MESSAGES)
    assert [type(w) for w in p.writes] == [PostComment, CloseIssue]
    assert {w.issue for w in p.writes} == {9}
    assert "@sam-mentor" in p.writes[0].body


def test_the_dashboard_flags_a_mentor_no_longer_in_roles_yml():
    gone = dataclasses.replace(ACTIVE, mentors=("old-mentor",))
    part = mentors.dashboard_part([], mentors.Ledger(), [gone], PROGRAM, MESSAGES, TODAY)
    assert "no longer in roles.yml" in part and "@\u200bold-mentor: #7" in part


# --------------------------------------------------------------------------- roles.yml edits


@pytest.mark.parametrize(
    ("text", "role", "capacity", "added"),
    [
        pytest.param(ROLES_TEXT, "triager", None, ["      - alan-t"], id="block-list"),
        pytest.param(
            ROLES_TEXT,
            "release-manager",
            3,
            ["      - login: alan-t", "        capacity: 3"],
            id="last-role-with-capacity",
        ),
        pytest.param(
            "coordinators: [a]\nroles:\n- id: x\n  name: X\n  description: d\n",
            "x",
            None,
            ["  mentors:", "    - alan-t"],
            id="no-mentors-key",
        ),
        pytest.param(
            "coordinators: [a]\nroles:\n  - id: x\n    name: X\n    description: >-\n"
            "      long\n\n      text\n  # the end\n",
            "x",
            None,
            ["    mentors:", "      - alan-t"],
            id="after-a-folded-text-and-comment",
        ),
        pytest.param(
            "coordinators: [a]\nroles:\n  - id: x\n    name: X\n    description: d\n"
            "    mentors:\n    # nobody yet\n",
            "x",
            None,
            ["      - alan-t"],
            id="empty-mentors-key",
        ),
    ],
)
def test_add_mentor_only_adds_lines(text, role, capacity, added):
    new = rolesedit.add_mentor(text, role, "alan-t", capacity)
    assert rolesedit.added_lines(text, new) == added


def test_add_mentor_in_a_flow_list_changes_that_line_only():
    text = (
        "coordinators: [a]\nroles:\n  - id: x\n    name: X\n    description: d\n"
        "    mentors: [b]  # one\n"
    )
    new = rolesedit.add_mentor(text, "x", "alan-t")
    assert new.splitlines()[-1] == "    mentors: [b, alan-t]  # one"
    assert new.splitlines()[:-1] == text.splitlines()[:-1]


@pytest.mark.parametrize(
    ("text", "role"),
    [
        pytest.param(ROLES_TEXT, "wizard", id="no-such-role"),
        pytest.param("coordinators: [a]\n", "x", id="no-roles"),
        pytest.param(
            "coordinators: [a]\nroles:\n  - id: x\n    mentors: b\n", "x", id="not-a-list"
        ),
        pytest.param("roles: [", "x", id="broken-yaml"),
    ],
)
def test_add_mentor_refuses_what_it_cannot_insert(text, role):
    with pytest.raises(rolesedit.EditError):
        rolesedit.add_mentor(text, role, "alan-t")


@settings(max_examples=60, deadline=None)
@given(
    comment_text=st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
    blank=st.booleans(),
    capacity=st.one_of(st.none(), st.integers(1, 20)),
    role=st.sampled_from(["maintainer", "triager", "docs-lead", "release-manager"]),
)
def test_add_mentor_keeps_every_line_whatever_comments_surround_the_list(
    comment_text, blank, capacity, role
):
    text = ROLES_TEXT.replace(
        "  - id: triager", ("\n" if blank else "") + f"  # {comment_text}\n  - id: triager"
    )
    new = rolesedit.add_mentor(text, role, "alan-t", capacity)
    assert len(rolesedit.added_lines(text, new)) == (1 if capacity is None else 2)
    roles, problems = config.check_roles(new, PROGRAM.settings)
    assert problems == []
    assert "alan-t" in [m.login for r in roles if r.id == role for m in r.mentors]


# --------------------------------------------------------------------------- the forms


def test_validate_finds_the_forms_role_options_stale_and_sync_form_fixes_only_them(tmp_path):
    from click.testing import CliRunner

    from mentoring.cli import main
    from mentoring.program import mentor_forms
    from mentoring.runners import run_validate
    from tests.support import program_copy

    root = program_copy(tmp_path)
    roles = root / "roles.yml"
    roles.write_text(
        roles.read_text() + "\n  - id: ci-keeper\n    name: CI keeper\n    description: CI.\n"
    )
    found = [p for p in run_validate.problems(root) if "differ from roles.yml" in p.message]
    assert {form for form, _ in mentor_forms.SIDE_FORMS} <= {p.file for p in found}
    before = (root / registration.FORM_FILE).read_text()
    result = CliRunner().invoke(main, ["--root", str(root), "sync-form"])
    assert result.exit_code == 0, result.output
    after = (root / registration.FORM_FILE).read_text()
    assert rolesedit.added_lines(before, after) == ["        - CI keeper (ci-keeper)"]
    assert not [p for p in run_validate.problems(root) if "differ from roles.yml" in p.message]


def test_approve_again_proposes_the_same_branch_which_the_gateway_opens_at_most_once():
    issue, p = approved()
    card = next(w for w in p.writes if getattr(w, "key", "") == registration.CARD)
    first = next(w for w in p.writes if isinstance(w, OpenPullRequest))
    later = dataclasses.replace(
        issue,
        comments=(
            comment(50, BOT, card.body),
            issue.comments[1],
            comment(52, BOT, replies(p)[0]),
            comment(53, "mona-coordinator", "The pull request was closed by mistake.\n/approve"),
        ),
        labels=(REG_LABEL, "status: approved"),
    )
    again = plan(later, mentors.Facts(roles_file=ROLES_FILE, open_pulls=True))
    [second] = [w for w in again.writes if isinstance(w, OpenPullRequest)]
    assert second.branch == first.branch and second.content == first.content


KINDS = {
    "no-login",
    "bad-login",
    "login-mismatch",
    "no-roles",
    "unknown-role",
    "bad-capacity",
    "already",
}


@settings(max_examples=150, deadline=None)
@given(
    login=st.text(max_size=50),
    roles=st.text(max_size=80),
    capacity=st.text(max_size=10),
    noise=st.text(max_size=60),
)
def test_any_registration_body_gets_known_problems_never_an_exception(
    login, roles, capacity, noise
):
    body = reg_body(login=login, roles=roles, capacity=capacity) + noise
    reg = registration.read(reg_issue(body), PROGRAM)
    assert {p["kind"] for p in reg.problems} <= KINDS
    assert all("<!--" not in p.get("value", "") for p in reg.problems)
    assert set(reg.roles) <= {r.id for r in PROGRAM.roles}
    p = plan(reg_issue(body))  # renders the card without error
    assert card_status(p) in registration.STATUSES


@settings(max_examples=150, deadline=None)
@given(
    command=st.sampled_from(["/away", "/nominate", "/approve"]),
    args=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=60
    ),
    author=st.sampled_from(["lin-mentor", "octo-coordinator", "grace-h"]),
)
def test_any_command_arguments_get_one_reply(command, args, author):
    issue = application(comment(80, author, f"{command} {args}", issue=7))
    p = plan(issue, mentors.Facts(mentorship=ACTIVE))
    assert len(replies(p)) == 1


# --------------------------------------------------------------------------- nightly: lost events

WINDOW = datetime(2026, 2, 20, tzinfo=UTC)
BEFORE = datetime(2026, 2, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("c", "kept"),
    [
        pytest.param(comment(1, "octo-coordinator", "/approve"), True, id="a-command"),
        pytest.param(comment(2, "lin-mentor", "/back"), True, id="back"),
        pytest.param(comment(3, "lin-mentor", "thanks, see you"), False, id="chatter"),
        pytest.param(comment(4, "lin-mentor", "/mentor @x"), False, id="application-command"),
        pytest.param(
            comment(5, BOT, markers.make(mentors.REPLY, {"comment": 1})), True, id="reply"
        ),
        pytest.param(
            comment(6, BOT, markers.make(registration.CARD, {"status": "waiting"})), True, id="card"
        ),
        pytest.param(comment(7, BOT, markers.make("checkin", {"n": 1})), False, id="checkin"),
        pytest.param(
            comment(8, "mallory", markers.make(mentors.REPLY, {"comment": 1})),
            False,
            id="forged-reply",
        ),
    ],
)
def test_the_nightly_keeps_only_the_mentors_side_comments(c, kept):
    from mentoring.runners import run_mentors

    assert (run_mentors.records([c], BOT) == (c,)) is kept


@pytest.mark.parametrize(
    ("comments", "owed"),
    [
        pytest.param([], [], id="nothing"),
        pytest.param([comment(1, "octo-coordinator", "/approve")], [T], id="unanswered"),
        pytest.param(
            [
                comment(1, "octo-coordinator", "/approve"),
                comment(2, BOT, markers.make(mentors.REPLY, {"comment": 1})),
            ],
            [],
            id="answered",
        ),
        pytest.param(
            [comment(1, "octo-coordinator", "/approve", on=BEFORE)], [], id="before-the-window"
        ),
        pytest.param(
            [
                comment(1, "octo-coordinator", "/approve"),
                comment(2, "mallory", markers.make(mentors.REPLY, {"comment": 1})),
            ],
            [T],
            id="forged-answer",
        ),
        pytest.param([comment(1, BOT, "/approve")], [], id="the-bot-itself"),
    ],
)
def test_what_a_registration_owes_from_the_window(comments, owed):
    from mentoring.runners import run_mentors

    assert run_mentors._owed(reg_issue(comments=comments), PROGRAM, WINDOW) == owed


@pytest.mark.parametrize(
    ("labels", "body", "never"),
    [
        pytest.param((REG_LABEL,), None, True, id="label-only"),
        pytest.param((REG_LABEL, "status: waiting"), None, False, id="waiting"),
        pytest.param((REG_LABEL, "status: needs-info"), None, False, id="needs-info"),
        pytest.param((REG_LABEL, "status: approved"), None, False, id="approved"),
        pytest.param(
            ("mentoring: nomination",), "### Who you nominate\n\n@x", False, id="nomination"
        ),
    ],
)
def test_a_registration_never_triaged_has_no_status_label(labels, body, never):
    from mentoring.runners import run_mentors

    issue = reg_issue(body=body, labels=labels)
    assert run_mentors._never_triaged(issue, PROGRAM) is never
