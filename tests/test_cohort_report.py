"""The cohort summary report, pure: funnel, participants, retention marks, schema, Markdown."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import jsonschema
import pytest

from mentoring.core import cohort_report
from mentoring.core.activity import Opened, Pull, Review, Snapshot
from mentoring.core.cohorts import Cohort, Period
from mentoring.core.state import Mentorship
from tests.support import REPO_ROOT

SCHEMA = json.loads(
    (REPO_ROOT / "mentoring" / "schemas" / "cohort-report.schema.json").read_text("utf-8")
)
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)
COHORT = Cohort(
    "r1",
    "Round 1",
    applications=Period(date(2027, 1, 4), date(2027, 1, 24)),
    contribution=Period(date(2027, 1, 11), date(2027, 2, 7)),
    announce=date(2027, 2, 11),
    seats=2,
    start=date(2027, 2, 15),
    end=date(2027, 4, 25),
    criteria=(("merged_pulls", 2), ("reviews", 1)),
)
REPO = "demo/project"


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def card(n: int, login: str, status: str, decision: str | None = None) -> Mentorship:
    return Mentorship(n, login, status, cohort="r1", decision=decision, applied=date(2027, 1, 5))


CARDS = (
    card(1, "ada", "graduated", "selected"),
    card(2, "bob", "active", "selected"),
    card(3, "cy", "declined"),
    card(4, "dee", "declined", "waitlisted"),
    Mentorship(5, "eve", "waiting"),  # in no cohort
)
SNAPSHOT = Snapshot(
    since=at(date(2027, 1, 4)),
    pulls=(
        Pull(REPO, 10, "ada", at(date(2027, 1, 12)), at(date(2027, 1, 14))),
        Pull(REPO, 11, "ada", at(date(2027, 3, 1)), at(date(2027, 3, 2))),
        Pull(REPO, 12, "ada", at(date(2027, 3, 3)), at(date(2027, 3, 4))),
        Pull(REPO, 13, "bob", at(date(2027, 3, 5))),
        Pull(REPO, 14, "ada", at(date(2027, 5, 20))),  # in the 30 days before the 1-month mark
    ),
    issues=(Opened(REPO, 20, "cy", at(date(2027, 1, 20))),),
    reviews=(Review(REPO, 13, "ada", at(date(2027, 3, 6))),),
)


@pytest.fixture
def data():
    return cohort_report.compute(COHORT, CARDS, SNAPSHOT, date(2027, 6, 1))


def test_funnel(data):
    assert data["funnel"] == {"applied": 4, "contributed": 2, "selected": 2, "completed": 1}


def test_participants_and_criteria(data):
    ada, bob = data["participants"]
    assert ada["activity"]["merged_pulls"] == 2 and ada["criteria_met"] is True
    assert bob["criteria_met"] is False
    assert ada["first_merge"] == "2027-01-14" and ada["days_to_first_merge"] == 3
    assert bob["first_merge"] is None
    assert data["time_to_first_merge"] == {"count": 1, "median_days": 3}


@pytest.mark.parametrize(
    ("today", "statuses", "rates"),
    [
        pytest.param(
            date(2027, 5, 24), ["not yet"] * 3, [None] * 3, id="too-recent-is-not-yet-never-0"
        ),
        pytest.param(
            date(2027, 6, 1),
            ["measured", "not yet", "not yet"],
            [0.5, None, None],
            id="one-month-measured",
        ),
        pytest.param(
            date(2028, 5, 1),
            ["measured"] * 3,
            [0.5, 0.0, 0.0],
            id="a-year-on",
        ),
    ],
)
def test_retention_marks(today, statuses, rates):
    data = cohort_report.compute(COHORT, CARDS, SNAPSHOT, today)
    assert [r["status"] for r in data["retention"]] == statuses
    assert [r["rate"] for r in data["retention"]] == rates
    assert [r["months"] for r in data["retention"]] == [1, 6, 12]


def test_nothing_is_selected_before_the_announcement():
    data = cohort_report.compute(COHORT, CARDS, SNAPSHOT, date(2027, 2, 10))
    assert data["funnel"]["selected"] is None and data["participants"] == []


def test_without_repositories_activity_is_unknown():
    data = cohort_report.compute(COHORT, CARDS, None, date(2028, 6, 1))
    assert data["funnel"]["contributed"] is None
    assert data["participants"][0]["activity"] is None
    assert {r["status"] for r in data["retention"]} == {"no repositories"}
    assert list(VALIDATOR.iter_errors(data)) == []


def test_json_validates_against_the_schema(data):
    assert list(VALIDATOR.iter_errors(json.loads(json.dumps(data)))) == []


def test_the_schema_documents_every_field():
    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.get("properties", {}).items():
                assert "description" in value, f"{path}.{key}"
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, path)

    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    walk(SCHEMA, "")


def test_markdown_has_the_sections_and_an_empty_conclusions(data):
    text = cohort_report.markdown(data)
    assert f"Measured on {data['generated_on']}, over each mark's own 30 days" in text
    for heading in ("## Funnel", "## Participants", "## Retention", "## Conclusions"):
        assert heading in text
    assert text.rstrip().endswith("_For the coordinators to write._")
    assert "| 6 | 2027-10-25 | not yet | not yet |" in text
    assert "40%" in text and "15%" in text


def test_report_for_an_unknown_cohort_is_one_clear_line(tmp_path, emulator):
    from tests.support import program_copy, run_cli

    root = program_copy(tmp_path)
    result = run_cli("report", "--cohort", "nope", api_url=emulator.url, root=root)
    assert result.returncode == 1
    assert "--cohort 'nope' is not in cohorts.yml" in result.stderr
    assert "Traceback" not in result.stderr


def test_report_json_through_the_cli(tmp_path, emulator):
    from tests.support import program_copy, run_cli

    root = program_copy(
        tmp_path, "writes:\n  pace_seconds: 0\nactivity:\n  repositories: [demo/p]\n"
    )
    (root / "cohorts.yml").write_text(
        "cohorts:\n  - id: r1\n    name: Round 1\n    start: 2027-02-15\n    end: 2027-04-25\n",
        encoding="utf-8",
    )
    result = run_cli(
        "report", "--cohort", "r1", "--format", "json", "--today", "2027-05-01",
        api_url=emulator.url, root=root, check=True,
    )  # fmt: skip
    data = json.loads(result.stdout)
    assert list(VALIDATOR.iter_errors(data)) == []
    assert data["funnel"]["applied"] == 0 and "4 listings each" in result.stderr
