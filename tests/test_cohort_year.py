"""A year of a cohort program on the emulator: two rounds, checked against exact counts."""

from __future__ import annotations

import re
from datetime import date

import pytest

from mentoring import cohort_demo
from mentoring.core import state
from mentoring.core.model import Comment

APPLICANTS, SEATS = 6, 2


def rerun(sim) -> None:
    """The last day's nightly twice more: the second writes nothing (idempotent)."""
    from mentoring.runners import run_nightly

    last = sim.today
    for attempt in ("first", "second"):
        sim.emu.state.clear_log()
        code, _ = cohort_demo._quiet(run_nightly.run, sim.app, last)
        writes = [e for e in sim.emu.state.log() if e["method"] != "GET"]
        sim.counts[f"rerun-{attempt}"] = len(writes) if code == 0 else -1


@pytest.fixture(scope="module")
def year():
    # Two rounds in a year, then on to 12 months after the first round's end (follow-ups).
    sim, text = cohort_demo.simulate(
        2,
        APPLICANTS,
        SEATS,
        seed=1,
        daily=False,
        after=rerun,
        until=date(2028, 4, 27),
        over_http=True,
    )
    assert sim.problems == []
    return sim, text


def test_a_rerun_writes_nothing(year):
    sim, _ = year
    assert sim.counts["rerun-first"] >= 0
    assert sim.counts["rerun-second"] == 0


def cards(sim) -> dict[int, state.Mentorship]:
    repo = sim.emu.state.repo(cohort_demo.REPO)
    bot = sim.program.settings.bot_login
    by_issue: dict[int, list[Comment]] = {}
    for c in repo["comments"].values():
        moment = date.fromisoformat(c["created_at"][:10])
        by_issue.setdefault(c["issue"], []).append(
            Comment(c["id"], c["issue"], c["user"], c["body"], moment, moment)
        )
    found = {n: state.find_card(cs, bot, n) for n, cs in by_issue.items()}
    return {n: m for n, m in found.items() if m is not None}


def of(sim, kind: str) -> dict:
    return {k[1:]: v for k, v in sim.counts.items() if isinstance(k, tuple) and k[0] == kind}


def test_one_checkin_per_participant_per_week(year):
    sim, _ = year
    assert max(of(sim, "checkin").values()) == 1
    participants = [m for m in cards(sim).values() if m.decision == "selected"]
    assert len(participants) == 2 * SEATS
    extended = [m for m in participants if m.extended is not None]
    assert len(extended) == 1  # /extend in the first round: two more weeks
    for m in participants:
        # 10 weeks from the start: check-ins 1..9 fall in them (the 10th is due the day after
        # the end), and 2 more for the two weeks of the extension.
        assert of(sim, "checkins")[(m.issue,)] == (11 if m.extended else 9)
        assert of(sim, "thanks")[(m.issue,)] == 1
        assert m.status == "graduated"


def test_weekly_reports_go_to_the_tracking_issue_once_a_week(year):
    sim, _ = year
    reports = of(sim, "reports")
    assert sorted(reports.values()) == [10, 10]  # two cohorts, ten weeks each
    assert max(of(sim, "report").values()) == 1
    participant_issues = {(m.issue,) for m in cards(sim).values() if m.cohort}
    assert not set(reports) & participant_issues  # not to each participant


def test_announcements_on_the_date_once(year):
    sim, _ = year
    found = cards(sim)
    in_cohorts = [m for m in found.values() if m.cohort]
    assert len(in_cohorts) == 2 * APPLICANTS
    results = of(sim, "result")
    assert all(results[(m.issue,)] == 1 for m in in_cohorts)
    dates = {c.id: c.announce.isoformat() for c in sim.program.cohorts}
    posted_on = of(sim, "result-on")
    for m in in_cohorts:
        assert posted_on[(m.issue, dates[m.cohort])] == 1
    not_selected = [m for m in in_cohorts if m.decision != "selected"]
    assert all(m.status == "declined" for m in not_selected)
    repo = sim.emu.state.repo(cohort_demo.REPO)
    assert all(repo["issues"][str(m.issue)]["state_reason"] == "not_planned" for m in not_selected)


def test_seats_never_exceeded(year):
    sim, _ = year
    found = cards(sim).values()
    for cohort in sim.program.cohorts:
        selected = [m for m in found if m.cohort == cohort.id and m.decision == "selected"]
        assert len(selected) == SEATS
    repo = sim.emu.state.repo(cohort_demo.REPO)
    refusals = [c for c in repo["comments"].values() if "seats of **" in c["body"]]
    assert len(refusals) == 2  # one over-selection refused per round, with the count


def test_an_application_between_windows_gets_one_kind_reply(year):
    sim, _ = year
    assert list(of(sim, "window").values()) == [1]
    (number,) = of(sim, "window")
    repo = sim.emu.state.repo(cohort_demo.REPO)
    assert repo["issues"][str(number[0])]["state"] == "open"  # never closed silently


def test_summary_reports_of_both_rounds(year):
    _, text = year
    for name in ("Round 1", "Round 2"):
        assert f"# {name}: summary report" in text
    funnels = re.findall(r"^\| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", text, re.MULTILINE)
    assert [(int(a), int(s), int(c)) for a, _, s, c in funnels] == [(APPLICANTS, SEATS, SEATS)] * 2
    assert text.count("| 12 | ") == 2 and "| not yet | not yet |" in text  # never 0%


def test_follow_ups_once_at_their_marks(year):
    sim, text = year
    followups = of(sim, "followup")
    assert sorted(followups.values()) == [2, 3]  # round 1: 1, 6, 12 months; round 2: 1, 6
    # One participant per round keeps contributing: 1 of 2 active at every mark.
    assert text.count("| 1 of 2 | 50% |") == 5


def test_applicants_cards_show_their_contribution_counts(year):
    sim, _ = year
    found = cards(sim).values()
    for cohort in sim.program.cohorts:
        counted = [m.counted for m in found if m.cohort == cohort.id and m.counted]
        assert counted, cohort.id  # the ones who contributed in the period
        assert all(c.on <= cohort.start for c in counted)
        assert any(c.pulls for c in counted)
    repo = sim.emu.state.repo(cohort_demo.REPO)
    shown = [c["body"] for c in repo["comments"].values() if "| **Contributions** |" in c["body"]]
    assert shown and all(" as of 20" in body for body in shown)


def test_a_follow_up_missed_for_three_months_is_taken_late_with_the_same_figure():
    from datetime import timedelta

    from mentoring.core.cohort_report import mark_period

    end = date.fromisoformat(
        cohort_demo.cohorts_yml(cohort_demo.START, 1, SEATS).split("\n    end: ")[1][:10]
    )
    gap = (end + timedelta(days=16), end + timedelta(days=16 + 91))  # no nightly for 3 months
    sim, text = cohort_demo.simulate(
        1,
        APPLICANTS,
        SEATS,
        seed=1,
        daily=False,
        until=gap[1] + timedelta(days=3),
        gap=gap,
        over_http=True,
    )
    assert sim.problems == []
    mark = mark_period(sim.program.cohorts[0], 1)[0]
    assert gap[0] < mark < gap[1]
    repo = sim.emu.state.repo(cohort_demo.REPO)
    (posted,) = [c for c in repo["comments"].values() if "cohort-followup" in c["body"]]
    assert posted["created_at"][:10] == (gap[1] + timedelta(days=1)).isoformat()
    assert "1 month after the end" in posted["body"]
    assert f"30 days up to {mark}" in posted["body"]
    assert f"Measured on {gap[1] + timedelta(days=1)}, later than the mark" in posted["body"]
    # The same figure as the summary report's, which counts the same 30 days.
    assert "**1 of 2** participants (50%)" in posted["body"]
    assert "| 1 | " in text and "| 1 of 2 | 50% |" in text


def test_the_program_dashboard_lists_the_application_in_no_cohort(year):
    sim, _ = year
    repo = sim.emu.state.repo(cohort_demo.REPO)
    (number,) = of(sim, "window")
    (board,) = [
        i for i in repo["issues"].values() if "<!-- mentoring:dashboard" in (i["body"] or "")
    ]
    section = board["body"].split("### Applications in no cohort", 1)[1]
    assert f"| #{number[0]} | @\u200blate-lou |" in section
    assert "No next window is known yet" in section  # both rounds' windows are past
