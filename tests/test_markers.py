"""Markers: round trips, and trust only in the bot's own comments."""

from datetime import UTC, datetime

import pytest

from mentoring.core import markers
from mentoring.core.model import Comment

BOT = "github-actions[bot]"
T = datetime(2026, 1, 1, tzinfo=UTC)


def comment(author, body, id=1):
    return Comment(id=id, issue=7, author=author, body=body, created_at=T, updated_at=T)


@pytest.mark.parametrize(
    "data",
    [None, {"n": 3, "due": "2026-02-14"}, {"text": "a --> b <!-- c"}, {"nested": {"a": [1, 2]}}],
    ids=["no-data", "dates", "comment-closers-in-data", "nested"],
)
def test_round_trip(data):
    text = f"Hello\n\n{markers.make('checkin', data)}\n"
    assert list(markers.parse(text)) == [("checkin", data or {})]
    assert text.count("-->") == 1  # the data can never close the HTML comment early


@pytest.mark.parametrize(
    ("author", "counted"),
    [
        (BOT, True),
        ("GitHub-Actions[bot]", True),  # logins compare case-insensitively
        ("mallory", False),  # a user pasting a marker changes nothing
        (None, False),  # deleted account
        ("github-actions", False),  # look-alike without [bot]
    ],
    ids=["bot", "bot-other-case", "user-forgery", "ghost", "look-alike"],
)
def test_only_the_bot_is_trusted(author, counted):
    c = comment(author, markers.make("card", {"status": "active"}))
    assert bool(markers.find([c], BOT, "card")) is counted


def test_latest_is_the_newest_bot_comment():
    older = comment(BOT, markers.make("card", {"v": 1}), id=1)
    forged = comment("mallory", markers.make("card", {"v": 99}), id=3)
    newer = comment(BOT, markers.make("card", {"v": 2}), id=2)
    assert markers.latest([older, newer, forged], BOT, "card")[1] == {"v": 2}


@pytest.mark.parametrize(
    "body",
    [
        "<!-- mentoring:card {not json} -->",
        "<!-- mentoring:card [1, 2] -->",
        "<!-- mentoring:Card -->",
    ],
    ids=["bad-json", "not-an-object", "bad-kind"],
)
def test_unreadable_markers_are_skipped(body):
    assert list(markers.parse(body)) == []


def test_bad_kind_is_refused_when_making():
    with pytest.raises(ValueError):
        markers.make("Bad Kind")


def test_crafted_half_open_markers_are_not_markers():
    crafted = "<!-- mentoring:a {" * 4000 + "<!-- mentoring:card -->"
    assert [kind for kind, _ in markers.parse(crafted)] == ["card"]
    assert markers.remove("keep <!-- mentoring:card {} --> this") == "keep  this"
